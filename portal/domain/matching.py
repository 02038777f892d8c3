"""Matching an order to an existing organization: rules M1-M4 (and W4-W6), as plain functions.

Names and emails are compared case-insensitively after Unicode normalization (portal.domain.normalize).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select

from portal.domain.normalize import email_domain, email_key, name_prefix
from portal.infra import clock
from portal.infra.db import db
from portal.models import AdminRole, Organization, Subscription, Trial, User

# rule M3's guidance: "an old creation date" - older than this, with no active subscription.
OLD_ORGANIZATION = timedelta(days=365)
# rule M3's guidance: "more users means more likely in use" - from this many users on.
MANY_USERS = 10
# rule M2's list as the organization step shows it: the most active candidates, this many at most.
CANDIDATES_SHOWN = 10


class Situation(Enum):
    """Who provisions, for rule M4."""

    PARTNER_FOR_CUSTOMER = "partner_for_customer"
    CUSTOMER_FOR_ITSELF = "customer_for_itself"
    PARTNER_FOR_OWN_USE = "partner_for_own_use"


class Outcome(Enum):
    """Rule M4: what the wizard does when the new admin is not an admin of the chosen organization."""

    CONTINUE = "continue"  # the admin is already there (M1)
    CONTINUE_ASK_ADMIN = "continue_ask_admin"  # partner for a customer: go on, have an admin add the user
    BLOCKED_CUSTOMER = "blocked_customer"  # customer: stop until an admin adds them, then restart
    BLOCKED_OWN_USE = "blocked_own_use"  # partner's own use: stop until the current admin adds them


@dataclass
class Facts:
    """Rule M3: what each candidate shows, and the guidance beside it."""

    organization: Organization
    users: int
    active_subscriptions: int
    full_admin: str | None
    hints: list[str] = field(default_factory=list)


def first_full_admin(org: Organization) -> User | None:
    """The full admin M3 names and M4 asks: the earliest active one."""
    return db.scalar(
        select(User)
        .join(AdminRole, AdminRole.user_id == User.id)
        .where(AdminRole.organization_id == org.id, AdminRole.role == "full_admin", User.active.is_(True))
        .order_by(User.id)
        .limit(1)
    )


def facts(org: Organization, now: datetime | None = None) -> Facts:
    return facts_for([org], now)[0]


def facts_for(orgs: list[Organization], now: datetime | None = None) -> list[Facts]:
    """Rule M3 for a list of organizations, in their order, in one query whatever their number:
    each one's users, active subscriptions and first active full admin (the one
    ``first_full_admin`` names), counted by the database."""
    now = now or clock.now()
    ids = [org.id for org in orgs]
    if not ids:
        return []
    first_admin = (
        select(User.email)
        .join(AdminRole, AdminRole.user_id == User.id)
        .where(AdminRole.organization_id == Organization.id, AdminRole.role == "full_admin", User.active.is_(True))
        .order_by(User.id)
        .limit(1)
        .scalar_subquery()
    )
    rows = db.execute(
        select(Organization.id, _users_of(), _active_subscriptions_of(), first_admin).where(Organization.id.in_(ids))
    )
    found = {row[0]: row[1:] for row in rows}
    return [_facts(org, *found[org.id], now) for org in orgs]


def _users_of():
    return select(func.count()).where(User.organization_id == Organization.id).scalar_subquery()


def _active_subscriptions_of():
    return (
        select(func.count())
        .where(Subscription.organization_id == Organization.id, Subscription.status == "active")
        .scalar_subquery()
    )


def _facts(org: Organization, users: int, active: int, full_admin: str | None, now: datetime) -> Facts:
    hints = []
    if active == 0 and now - org.created_at > OLD_ORGANIZATION:
        hints.append("abandoned")  # no active subscriptions and created long ago
    if users >= MANY_USERS:
        hints.append("many_users")
    if active > 0 and users >= MANY_USERS:
        hints.append("confirm_with_admin")  # both indicators show activity
    return Facts(org, users, active, full_admin, hints)


def admin_organization(admin_email: str) -> Organization | None:
    """Rule M1: the organization where this email is an admin, if any."""
    organization, is_admin = email_organization(admin_email)
    return organization if is_admin else None


def user_organization(email: str) -> Organization | None:
    """Rule W4: a user belongs to exactly one organization; this is it, if the email is known."""
    return email_organization(email)[0]


def email_organization(email: str) -> tuple[Organization | None, bool]:
    """Rules W4 and M1 in one query: the organization the email's user belongs to (if any), and
    whether that user is one of its admins (an admin's role is always in its own organization)."""
    row = db.execute(
        select(Organization, AdminRole.user_id)
        .join(User, User.organization_id == Organization.id)
        .outerjoin(AdminRole, AdminRole.user_id == User.id)
        .where(User.email == email_key(email))
    ).first()
    return (row[0], row[1] is not None) if row else (None, False)


# Rule M2 intersects two lists that can both be long: organizations whose names start alike
# ("Acme ", "Nordi", ... thousands at scale) and organizations with users on a domain (thousands on
# a public mail provider's). One cheap query reads the domain's organizations and counts the
# prefix's, each up to this many, and the database starts from the shorter: the domain's
# organizations (by id), checking each one's prefix, or the prefix's, checking each one for a user
# on the domain. Neither SQLite (averages only) nor PostgreSQL (no statistics on organizations per
# domain) can tell which is shorter by itself. The rule is the same either way.
PLAN_COUNT_UP_TO = 2000


def _m2(company_name: str, admin_email: str, *, plan: bool = False) -> list | None:
    """Rule M2's conditions on an organization, or None when the answers cannot match anything.
    With ``plan``, written so that the database starts from the shorter side."""
    prefix, domain = name_prefix(company_name), email_domain(admin_email)
    if not prefix or not domain:
        return None
    not_pending = Organization.setup_pending.is_(False)
    on_domain = _domain_organizations_if_fewer(prefix, domain) if plan else None
    if on_domain is not None:
        # "|| ''" keeps the prefix index out of it: the domain's few organizations lead.
        return [Organization.id.in_(on_domain), (Organization.name_prefix + "") == prefix, not_pending]
    has_domain_user = exists().where(User.organization_id == Organization.id, User.email_domain == domain)
    return [Organization.name_prefix == prefix, has_domain_user, not_pending]


def _domain_organizations_if_fewer(prefix: str, domain: str) -> list[int] | None:
    """The ids of the organizations with users on the domain when they are fewer than those whose
    names start with the prefix (and than ``PLAN_COUNT_UP_TO``); else None."""
    on_domain = (
        select(User.organization_id).where(User.email_domain == domain).distinct().limit(PLAN_COUNT_UP_TO).subquery()
    )
    named = select(Organization.id).where(Organization.name_prefix == prefix).limit(PLAN_COUNT_UP_TO).subquery()
    named_count = select(func.count()).select_from(named).scalar_subquery()
    rows = db.execute(select(on_domain.c.organization_id, named_count)).all()
    if not rows:
        return []  # nobody on the domain: no organization qualifies
    ids = [row[0] for row in rows]
    return ids if len(ids) <= rows[0][1] and len(ids) < PLAN_COUNT_UP_TO else None


def candidates(company_name: str, admin_email: str, *, exclude: set[int] = frozenset()) -> list[Organization]:
    """Rule M2: organizations whose name starts with the same five characters as the company
    name, narrowed to those with users on the admin email's domain. Every one of them, oldest
    first: the pages show ``ranked_candidates`` instead."""
    conditions = _m2(company_name, admin_email)
    if conditions is None:
        return []
    query = select(Organization).where(*conditions).order_by(Organization.created_at)
    return [org for org in db.scalars(query) if org.id not in exclude]


def is_candidate(organization_id: int, company_name: str, admin_email: str) -> Organization | None:
    """Rule M2 for one organization, recomputed: it, if it satisfies M2 for these answers."""
    conditions = _m2(company_name, admin_email)
    if conditions is None:
        return None
    return db.scalar(select(Organization).where(Organization.id == organization_id, *conditions))


@dataclass
class Ranked:
    """What the organization step shows of M2's candidates: the first ``CANDIDATES_SHOWN`` by rank,
    and how many organizations satisfy M2 in all."""

    shown: list[Organization]
    total: int

    @property
    def more(self) -> bool:
        return self.total > len(self.shown)


def ranked_candidates(company_name: str, admin_email: str, *, limit: int | None = None) -> Ranked:
    """M2's candidates ranked most users first, then most active subscriptions, then oldest, capped
    at ``limit`` (default ``CANDIDATES_SHOWN``), with the number of all of them, in two queries
    whatever their number. The rule decides who qualifies (``_m2``); the rank only decides what
    is shown first."""
    conditions = _m2(company_name, admin_email, plan=True)
    if conditions is None:
        return Ranked([], 0)
    users, active = _users_of().label("user_count"), _active_subscriptions_of().label("active_count")
    rows = db.execute(
        select(Organization, users, active, func.count().over())
        .where(*conditions)
        .order_by(users.desc(), active.desc(), Organization.created_at, Organization.id)
        .limit(limit or CANDIDATES_SHOWN)
    ).all()
    return Ranked([row[0] for row in rows], rows[0][3] if rows else 0)


def situation(role: str, organization: Organization, partner_id: int) -> Situation:
    if role == "customer":
        return Situation.CUSTOMER_FOR_ITSELF
    if organization.id == partner_id or organization.kind == "partner":
        return Situation.PARTNER_FOR_OWN_USE
    return Situation.PARTNER_FOR_CUSTOMER


def outcome(role: str, organization: Organization, admin_email: str, partner_id: int) -> Outcome:
    """Rule M4: the wizard never adds an admin to an existing organization by itself."""
    admin_of = admin_organization(admin_email)
    if admin_of is not None and admin_of.id == organization.id:
        return Outcome.CONTINUE
    match situation(role, organization, partner_id):
        case Situation.PARTNER_FOR_CUSTOMER:
            return Outcome.CONTINUE_ASK_ADMIN
        case Situation.CUSTOMER_FOR_ITSELF:
            return Outcome.BLOCKED_CUSTOMER
        case _:
            return Outcome.BLOCKED_OWN_USE


# Rules W5, W6: what stops converting a trial tenant (the contact-centre offer).
TRIAL_EXPIRED_MESSAGE = _l(
    "This trial tenant has expired, so the order cannot be set up in it. Contact your account representative."
)
TRIAL_EMAIL_MESSAGE = _l(
    "This organization is a trial tenant. To convert the trial, go back and enter the same admin email as the trial’s."
)


def trial_conversion_problem(offer: str, organization: Organization, admin_email: str) -> str | None:
    """W5/W6 for the contact-centre offer: "trial_expired" (W6 stops), "trial_email" (W5: not the
    trial's admin email) or None."""
    if offer != "A-FLEX-CC":
        return None
    return _conversion_problem(latest_trial(organization), admin_email)


def trial_conversion_problems(offer: str, organizations: list[Organization], admin_email: str) -> dict:
    """``trial_conversion_problem`` for each organization (by id), in one query whatever their number."""
    ids = [org.id for org in organizations]
    if offer != "A-FLEX-CC" or not ids:
        return dict.fromkeys(ids)
    latest: dict[int, Trial] = {}
    trials = select(Trial).where(Trial.customer_id.in_(ids)).order_by(Trial.created_at.desc(), Trial.id.desc())
    for trial in db.scalars(trials):
        latest.setdefault(trial.customer_id, trial)
    return {i: _conversion_problem(latest.get(i), admin_email) for i in ids}


def _conversion_problem(trial: Trial | None, admin_email: str) -> str | None:
    if trial is None:
        return None
    if trial_expired(trial):
        return "trial_expired"
    if trial.admin_email and trial.admin_email != email_key(admin_email):
        return "trial_email"
    return None


def latest_trial(organization: Organization) -> Trial | None:
    return db.scalar(
        select(Trial).where(Trial.customer_id == organization.id).order_by(Trial.created_at.desc()).limit(1)
    )


def trial_expired(trial: Trial) -> bool:
    """Expired from its end day on, as the schedule expires it (rule T16), whether or not the
    daily tick has run yet."""
    return trial.status in ("expired", "ended", "cancelled") or trial.ends_on <= clock.today()
