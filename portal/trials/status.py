"""What the partner's customer list shows (rules T9, T16): status, services, days left."""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select

from portal.domain.normalize import fold
from portal.infra import clock
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


def _status(customer: Organization, trial: Trial | None) -> str:
    if trial is not None and trial.status not in ("cancelled", "converted"):
        return trial.status
    paid = db.scalar(
        select(Subscription.id).where(Subscription.organization_id == customer.id, Subscription.status == "active")
    )
    return "paid" if paid or (trial is not None and trial.status == "converted") else "none"


def customer_rows(partner_id: int, *, query: str = "", status: str = "") -> list[Row]:
    """Every customer of the partner, and those it has a trial request pending with (T9)."""
    linked = select(PartnerCustomer.customer_id).where(PartnerCustomer.partner_id == partner_id)
    pending = select(Trial.customer_id).where(
        Trial.partner_id == partner_id,
        Trial.status.in_(("pending_consent", "awaiting_provisioning", "active", "expired")),
    )
    listed = select(Organization).where(or_(Organization.id.in_(linked), Organization.id.in_(pending)))
    needle = fold(query)
    if needle:
        # The database narrows the list to names (folded like name_normalized) or trial admin
        # emails that hold the text; the rows below keep only those whose latest trial matches.
        by_email = exists().where(
            Trial.partner_id == partner_id,
            Trial.customer_id == Organization.id,
            Trial.admin_email.contains(needle, autoescape=True),
        )
        listed = listed.where(or_(Organization.name_normalized.contains(needle, autoescape=True), by_email))
    customers = db.scalars(listed).all()
    access = dict(
        db.execute(
            select(PartnerCustomer.customer_id, PartnerCustomer.access_level).where(
                PartnerCustomer.partner_id == partner_id
            )
        ).all()
    )
    rows = []
    today = clock.today()
    for customer in customers:
        trial = db.scalar(
            select(Trial)
            .where(Trial.partner_id == partner_id, Trial.customer_id == customer.id)
            .order_by(Trial.created_at.desc(), Trial.id.desc())
            .limit(1)
        )
        row = Row(customer, _status(customer, trial), trial, access=access.get(customer.id))
        if trial is not None and trial.status in ("pending_consent", "awaiting_provisioning", "active", "expired"):
            row.services = [s.service for s in trial.services]
            row.days_left = (trial.ends_on - today).days
            row.admin_email = trial.admin_email
        rows.append(row)
    if needle:
        rows = [r for r in rows if needle in r.customer.name_normalized or needle in (r.admin_email or "")]
    if status:
        rows = [r for r in rows if r.status == status or (status == "paid" and r.status == "converted")]
    return rows


def expiring_counts(rows: list[Row]) -> dict[int, int]:
    """The chart: running trials that expire within 7, 30 and 90 days."""
    days = [r.days_left for r in rows if r.days_left is not None and r.status in ("active", "awaiting_provisioning")]
    return {window: sum(1 for d in days if 0 <= d <= window) for window in (7, 30, 90)}
