"""What the partner's customer list shows (rules T9, T16): status, services, days left."""

from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from portal.domain import duplicates
from portal.domain.normalize import fold
from portal.i18n import collation
from portal.infra import clock, paging
from portal.infra.db import db
from portal.models import Organization, PartnerCustomer, Subscription, Trial

STATUS_LABELS = {
    "pending_consent": _l("Trial pending"),  # rule T9
    "awaiting_provisioning": _l("Awaiting provisioning data"),  # rule T9
    "active": _l("Trial active"),
    "expired": _l("Expired, in grace period"),
    "ended": _l("Trial ended"),
    "converted": _l("Paid"),
    "paid": _l("Paid"),
    "none": _l("No trial"),
}
FILTERS = ("pending_consent", "awaiting_provisioning", "active", "expired", "paid")


@dataclass
class Row:
    customer: Organization
    status: str
    trial: Trial | None
    services: list[str] = field(default_factory=list)
    days_left: int | None = None
    admin_email: str | None = None
    access: str | None = None  # the partner's access level (rules W2, T8); None without a relationship

    @property
    def has_page(self) -> bool:
        """rule W2: a customer that sets up itself has no page for the partner, unless a trial does."""
        return self.access in ("full_admin", "provisioning_admin") or self.trial is not None


OPEN = ("pending_consent", "awaiting_provisioning", "active", "expired")
PAGE_SIZE = 50


@dataclass
class Page:
    rows: list[Row]
    total: int
    page: int
    pages: int


def _on_list(partner_id: int):
    """The partner's customers and those with an open trial with the partner (T9)."""
    linked = select(PartnerCustomer.customer_id).where(PartnerCustomer.partner_id == partner_id)
    pending = select(Trial.customer_id).where(Trial.partner_id == partner_id, Trial.status.in_(OPEN))
    return or_(Organization.id.in_(linked), Organization.id.in_(pending))


def _listed(partner_id: int, needle: str, status: str):
    """The partner's customers (and those with a pending trial, T9) with their status, as one
    query: each customer's latest trial with this partner decides it, else an active subscription
    makes it "paid". Search and the status filter are done here too."""
    latest_id = (
        select(Trial.id)
        .where(Trial.partner_id == partner_id, Trial.customer_id == Organization.id)
        .order_by(Trial.created_at.desc(), Trial.id.desc())
        .limit(1)
        .correlate(Organization)
        .scalar_subquery()
    )
    latest = aliased(Trial, name="latest")
    paid = exists().where(Subscription.organization_id == Organization.id, Subscription.status == "active")
    status_of = case(
        (latest.status.in_((*OPEN, "ended")), latest.status),
        (or_(paid, latest.status == "converted"), "paid"),
        else_="none",
    ).label("status")
    query = (
        select(Organization.id, latest.id.label("trial_id"), status_of, PartnerCustomer.access_level)
        .select_from(Organization)
        .outerjoin(latest, latest.id == latest_id)
        .outerjoin(
            PartnerCustomer,
            and_(PartnerCustomer.customer_id == Organization.id, PartnerCustomer.partner_id == partner_id),
        )
        .where(_on_list(partner_id))
    )
    if needle:  # folded like name_normalized; the admin email of an open latest trial
        query = query.where(
            or_(
                Organization.name_normalized.contains(needle, autoescape=True),
                and_(latest.status.in_(OPEN), latest.admin_email.contains(needle, autoescape=True)),
            )
        )
    if status:
        query = query.where(status_of == status)
    return query


def _rows(found) -> list[Row]:
    """Rows for the ids found, with their organizations, managing partners and trials loaded in
    a fixed number of queries."""
    found = list(found)
    organizations = {
        org.id: org
        for org in db.scalars(
            select(Organization)
            .where(Organization.id.in_([f.id for f in found]))
            .options(selectinload(Organization.managing_partner))
        )
    }
    trial_ids = [f.trial_id for f in found if f.trial_id]
    trials = {
        trial.id: trial
        for trial in db.scalars(select(Trial).where(Trial.id.in_(trial_ids)).options(selectinload(Trial.services)))
    }
    today = clock.today()
    rows = []
    for f in found:
        trial = trials.get(f.trial_id)
        row = Row(organizations[f.id], f.status, trial, access=f.access_level)
        if trial is not None and trial.status in OPEN:
            row.services = [s.service for s in trial.services]
            row.days_left = (trial.ends_on - today).days
            row.admin_email = trial.admin_email
        rows.append(row)
    return rows


def _sort_key(lang: str):
    """The list's order (L4): the name in the language's collation, the id breaking ties."""
    return collation.order_by(Organization.name, lang, db.get_bind().dialect.name), Organization.id


def customer_page(partner_id: int, *, query: str = "", status: str = "", lang: str = "en", page: int = 1) -> Page:
    """One page of the partner's customers, in the language's alphabetical order (L4), searched,
    filtered, sorted and paged by the database."""
    needle = fold(query)
    listed = _listed(partner_id, needle, status)
    sort_key = _sort_key(lang)
    if needle or status:  # the filters need each customer's latest trial
        total = db.scalar(select(func.count()).select_from(listed.subquery()))
        shown = paging.window(total, page, PAGE_SIZE)
        found = db.execute(listed.order_by(*sort_key).limit(shown.size).offset(shown.offset))
        return Page(_rows(found), total, shown.page, shown.pages)
    # Unfiltered: the count and the page's ids come from the customers alone, and only the page's
    # rows look their latest trial up (not every customer's before sorting).
    listed_ids = select(Organization.id).where(_on_list(partner_id))
    total = db.scalar(select(func.count()).select_from(listed_ids.subquery()))
    shown = paging.window(total, page, PAGE_SIZE)
    page_ids = listed_ids.order_by(*sort_key).limit(shown.size).offset(shown.offset).scalar_subquery()
    found = db.execute(listed.where(Organization.id.in_(page_ids)).order_by(*sort_key))
    return Page(_rows(found), total, shown.page, shown.pages)


def customer_rows(partner_id: int, *, query: str = "", status: str = "", lang: str = "en", batch: int = 500):
    """Every matching customer in the page's order, ``batch`` at a time (the CSV export streams
    it). Each batch starts after the last row of the one before (a keyset: the name in the same
    collation, then the id), so no batch re-reads the rows before it, as an OFFSET would."""
    listed = _listed(partner_id, fold(query), status)
    name, ident = _sort_key(lang)
    after = None
    while True:
        page = listed
        if after is not None:
            last_name, last_id = after
            page = page.where(or_(name > last_name, and_(name == last_name, ident > last_id)))
        rows = _rows(db.execute(page.order_by(name, ident).limit(batch)))
        yield from rows
        if len(rows) < batch:
            return
        after = (rows[-1].customer.name, rows[-1].customer.id)


def expiring_counts(partner_id: int) -> dict[int, int]:
    """The chart: running trials (each customer's latest with the partner) that expire within 7,
    30 and 90 days. Read from the partner's trials that end within 90 days (the index on
    ``ends_on``), not from the whole customer list: a running trial is open, so its customer is
    always on the list, and no later trial of the same customer with the partner replaces it."""
    today = clock.today()
    later = aliased(Trial, name="later")
    superseded = exists().where(
        later.partner_id == partner_id,
        later.customer_id == Trial.customer_id,
        or_(later.created_at > Trial.created_at, and_(later.created_at == Trial.created_at, later.id > Trial.id)),
    )
    counts = db.execute(
        select(
            *(
                func.coalesce(func.sum(case((Trial.ends_on <= today + timedelta(days=window), 1), else_=0)), 0)
                for window in (7, 30, 90)
            )
        ).where(
            Trial.partner_id == partner_id,
            Trial.status.in_(("active", "awaiting_provisioning")),
            Trial.ends_on.between(today, today + timedelta(days=90)),
            ~superseded,
        )
    ).one()
    return dict(zip((7, 30, 90), counts, strict=True))


DID_YOU_MEAN = 3


def did_you_mean(partner_id: int, query: str) -> list:
    """issue 12: when a search finds none of the partner's customers, those whose name is close
    to what was typed (typos, legal forms, transliteration, word order), best first."""
    if len((query or "").strip()) < 3:
        return []
    linked = select(PartnerCustomer.customer_id).where(PartnerCustomer.partner_id == partner_id)
    pending = select(Trial.customer_id).where(Trial.partner_id == partner_id, Trial.status.in_(OPEN))
    return duplicates.suggestions(query, limit=DID_YOU_MEAN, within=linked.union(pending))
