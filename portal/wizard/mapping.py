"""Rule W7: confirming the wizard maps the order, in one transaction, exactly once.

Double submission, two tabs or a second contact finishing the same order never produce a
second organization, mapping or subscription: the order row is locked (PostgreSQL) or the
write lock taken at BEGIN (SQLite), its status checked, and the database's unique keys
(admin email, one subscription per order) stop anything that slips past.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.audit import record
from portal.auth import invitations
from portal.domain import matching
from portal.domain.normalize import email_key
from portal.domain.residency import region_for
from portal.domain.rule_errors import RuleError
from portal.infra import clock
from portal.infra.db import db
from portal.models import AdminRole, Order, Organization, PartnerCustomer, Subscription, SubscriptionService, User


class AlreadyMapped(Exception):
    """The order was mapped by another request; nothing was stored by this one."""


class MappingRefused(RuleError):
    """W6/W7 or M4 refused the mapping; nothing was stored."""


@dataclass
class Mapped:
    organization: Organization
    reason: str  # m1_email_match, m2_candidate, duplicate_guard, new_organization
    partner_admin: User | None  # created for a new partner organization (rule W8)


@dataclass
class Offer:
    """What W6 offers for these answers: the M1 organization, or M2's ranked candidates (with the
    W4 holder of the email among them) and their M3 facts."""

    m1: Organization | None
    holder: Organization | None
    candidates: list[matching.Facts]
    total: int = 0  # organizations that satisfy M2, shown or not
    ranked: int = 0  # how many of them are shown

    @property
    def more(self) -> bool:
        """More organizations satisfy M2 than are shown."""
        return self.total > self.ranked


def offer(state: dict) -> Offer:
    """W6's offer, recomputed from the answers, in a fixed number of queries whatever the number
    of candidates (the organization step's M1, W4, M2 and M3 lookups)."""
    email = state["admin_email"]
    holder, is_admin = matching.email_organization(email)
    if is_admin:  # rule M1
        return Offer(holder, None, matching.facts_for([holder]))
    ranked = matching.ranked_candidates(state["company"], email)
    shown = list(ranked.shown)
    if holder is not None and all(org.id != holder.id for org in shown):
        shown.insert(0, holder)  # rule W4: the email's organization is always offered
    return Offer(None, holder, matching.facts_for(shown), ranked.total, len(ranked.shown))


def allowed_organization(state: dict, organization_id: int) -> Organization | None:
    """The organization W6 may map to for these answers, recomputed (never taken from the session
    or the form): the M1 organization alone, else the W4 holder of the email or any organization
    that satisfies M2, whether or not it was among those shown."""
    email = state["admin_email"]
    holder, is_admin = matching.email_organization(email)
    if is_admin:  # rule M1: that organization only
        return holder if holder.id == organization_id else None
    if holder is not None and holder.id == organization_id:  # rule W4
        return holder
    return matching.is_candidate(organization_id, state["company"], email)


def suggested_organization(state: dict, organization_id: int) -> Organization | None:
    """A possible duplicate (issue 12) that may be chosen instead of an M2 candidate: one the
    guard suggests and that has users on the admin email's domain, the evidence M2 asks for (only
    the name differs from M2's first five characters). A suggestion found by its name alone is
    shown, never chosen: choosing it would let anyone who can guess a company's name map an order
    to that organization. Never beside an M1 match: M1 decides alone."""
    from portal.wizard.duplicate_guard import similar

    holder, is_admin = matching.email_organization(state["admin_email"])
    if is_admin:
        return None
    for suggestion in similar(state, ()):
        if suggestion.organization.id == organization_id and suggestion.same_domain:
            return suggestion.organization
    return None


def choosable_organization(state: dict, organization_id: int) -> Organization | None:
    """What W6 lets the user map to, recomputed: M1/W4/M2's organization, or a possible duplicate
    with users on the admin email's domain."""
    return allowed_organization(state, organization_id) or suggested_organization(state, organization_id)


def _new_admin(email: str, organization: Organization, language: str, now) -> User:
    if matching.user_organization(email) is not None:  # rule W4
        raise MappingRefused(
            _l(
                "%(email)s already belongs to another organization. A user can belong to only one organization at a time.",
                email=email_key(email),
            )
        )
    # rule L3: no language preference yet; the wizard's page language is remembered for emails.
    user = User(
        email=email,
        organization_id=organization.id,
        language=None,
        page_language=language,
        created_at=now,
        display_name="",
    )
    db.add(user)
    db.flush()
    db.add(AdminRole(user_id=user.id, organization_id=organization.id, role="full_admin", granted_at=now))
    return user


def map_order(order_id: int, state: dict, *, language: str, actor_email: str | None = None) -> Mapped:
    now = clock.now()
    # Locked, then read again: the request loaded the order before (the link's check), and a
    # confirmation that waited for the lock must see the status the winner committed (PostgreSQL;
    # SQLite's BEGIN IMMEDIATE already serializes writing requests).
    order = db.scalar(
        select(Order).where(Order.id == order_id).with_for_update().execution_options(populate_existing=True)
    )
    if order is None or order.status != "awaiting_provisioning":
        raise AlreadyMapped()
    partner = order.partner
    partner_admin = None
    if partner.setup_pending:  # rule W3: the partner's first order creates its organization
        partner.rename(state["partner_company"])
        partner.setup_pending = False
        partner_admin = _new_admin(state["partner_admin_email"], partner, language, now)

    choice = state["organization"]
    if choice == "new":
        region = region_for(state["country"])
        if region is None:
            raise MappingRefused(_l("The service is not available in the country you chose."))
        organization = Organization(
            name=state["company"],
            kind="customer",
            country=state["country"],
            data_region=region,
            created_at=now,
            managing_partner_id=None if order.customer_sets_up else partner.id,
        )
        db.add(organization)
        db.flush()
        admin = _new_admin(state["admin_email"], organization, language, now)
        invitations.invite(admin)  # the new customer admin chooses a password from the email
        reason = "new_organization"
        if state.get("duplicates_declined"):  # issue 12: created beside strong suggestions, confirmed
            record(
                "duplicate_guard_declined",
                organization_id=partner.id,
                order_id=order.id,
                organization=organization.name,
                organization_id_created=organization.id,
                suggested=state["duplicates_declined"],
                by=actor_email,
            )
    else:
        organization = allowed_organization(state, int(choice))
        suggested = organization is None
        if suggested:  # issue 12: one of the possible duplicates
            organization = suggested_organization(state, int(choice))
        if organization is None:
            raise MappingRefused(_l("That organization can no longer be chosen. Go back and choose again."))
        problem = matching.trial_conversion_problem(order.offer, organization, state["admin_email"])
        if problem == "trial_expired":  # rules W5, W6, re-checked in the transaction that maps
            raise MappingRefused(matching.TRIAL_EXPIRED_MESSAGE)
        if problem == "trial_email":
            raise MappingRefused(matching.TRIAL_EMAIL_MESSAGE)
        outcome = matching.outcome(state["role"], organization, state["admin_email"], partner.id)
        if outcome in (matching.Outcome.BLOCKED_CUSTOMER, matching.Outcome.BLOCKED_OWN_USE):
            raise MappingRefused(_l("An existing admin of this organization must add you as an admin first."))
        reason = "m1_email_match" if outcome is matching.Outcome.CONTINUE else "m2_candidate"
        if suggested and outcome is not matching.Outcome.CONTINUE:
            reason = "duplicate_guard"

    subscription = Subscription(
        organization_id=organization.id, order_id=order.id, offer=order.offer, status="pending", created_at=now
    )
    subscription.services = [
        SubscriptionService(service=line.service, license_count=line.quantity) for line in order.lines
    ]
    db.add(subscription)

    if organization.kind == "customer":
        access = "none" if order.customer_sets_up else "full_admin"  # rule W2
        link = db.scalar(
            select(PartnerCustomer).where(
                PartnerCustomer.partner_id == partner.id, PartnerCustomer.customer_id == organization.id
            )
        )
        if link is None:
            db.add(
                PartnerCustomer(partner_id=partner.id, customer_id=organization.id, access_level=access, created_at=now)
            )
        elif order.customer_sets_up:
            link.access_level = "none"

    order.status, order.mapped_at, order.mapped_organization_id = "mapped", now, organization.id
    db.flush()
    record(
        "order_mapped",
        organization_id=partner.id,
        order_id=order.id,
        reason=reason,
        organization=organization.name,
        organization_id_mapped=organization.id,
        admin_email=email_key(state["admin_email"]),
        by=actor_email,
        role=state.get("role"),
    )
    return Mapped(organization, reason, partner_admin)
