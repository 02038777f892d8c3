"""What needs attention, for the home page of each role: a count and the first few items of each
kind, in a fixed number of queries whatever the sizes (two per kind: a count and the first rows).

- A partner: orders awaiting set-up with their closing dates (rule O5), trials that expire within
  the next 30 days, trials waiting for the customer's consent (T9), and requests to be added as an
  admin of the partner's own organization (M4).
- A customer admin: trial requests waiting for its consent (T8), its running trials with their
  end dates, and requests to be added as an admin (M4) that nobody has granted yet.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import selectinload

from portal.infra import clock
from portal.infra.db import db
from portal.models import AuditEvent, Order, Trial, User
from portal.orders.rules import closing_date

SHOWN = 5  # items listed per kind; the count says how many there are in all
EXPIRING_WITHIN = 30  # days
RUNNING = ("awaiting_provisioning", "active")


@dataclass
class Item:
    label: str  # data: a reference, a customer's name or an email address
    on: date | None = None  # a closing or end date
    url_args: dict = field(default_factory=dict)  # where the item is handled


@dataclass
class Kind:
    key: str
    count: int
    items: list[Item]


def _counted(query, order_by, limit: int = SHOWN):
    """(how many rows the query finds, the first ``limit`` of them): two queries."""
    total = db.scalar(select(func.count()).select_from(query.subquery()))
    return total, list(db.scalars(query.order_by(*order_by).limit(limit)))


def _add_me_requests(organization_id: int) -> Kind:
    """Rule M4's requests to the organization's full admin that are not granted yet: no active user
    of the organization has the requested email address."""
    email = AuditEvent.details["user"].as_string()
    granted = exists().where(
        User.organization_id == organization_id, func.lower(User.email) == func.lower(email), User.active.is_(True)
    )
    query = select(AuditEvent).where(
        AuditEvent.organization_id == organization_id, AuditEvent.action == "add_me_requested", ~granted
    )
    total, events = _counted(query, (AuditEvent.at.desc(), AuditEvent.id.desc()))
    items = [
        Item(event.details.get("user", ""), event.at.date(), {"email": event.details.get("user", "")})
        for event in events
    ]
    return Kind("add_me", total, items)


def for_partner(partner_id: int) -> list[Kind]:
    today = clock.today()
    orders = select(Order).where(Order.partner_id == partner_id, Order.status == "awaiting_provisioning")
    total, found = _counted(orders, (Order.requested_start, Order.id))
    setup = Kind("orders", total, [Item(o.reference, closing_date(o), {"order_id": o.id}) for o in found])

    expiring = (
        select(Trial)
        .where(
            Trial.partner_id == partner_id,
            Trial.status.in_(RUNNING),
            and_(Trial.ends_on >= today, Trial.ends_on <= today + timedelta(days=EXPIRING_WITHIN)),
        )
        .options(selectinload(Trial.customer))
    )
    total, found = _counted(expiring, (Trial.ends_on, Trial.id))
    trials = Kind("expiring", total, [Item(t.customer.name, t.ends_on, {"customer_id": t.customer_id}) for t in found])

    pending = (
        select(Trial)
        .where(Trial.partner_id == partner_id, Trial.status == "pending_consent")
        .options(selectinload(Trial.customer))
    )
    total, found = _counted(pending, (Trial.created_at, Trial.id))
    consent = Kind("consent", total, [Item(t.customer.name, None, {"customer_id": t.customer_id}) for t in found])
    return [setup, trials, consent, _add_me_requests(partner_id)]


def for_customer(customer_id: int) -> list[Kind]:
    pending = select(Trial).where(Trial.customer_id == customer_id, Trial.status == "pending_consent")
    pending = pending.options(selectinload(Trial.partner))
    total, found = _counted(pending, (Trial.created_at, Trial.id))
    consent = Kind("consent", total, [Item(t.partner.name, None) for t in found])

    running = select(Trial).where(Trial.customer_id == customer_id, Trial.status.in_((*RUNNING, "expired")))
    running = running.options(selectinload(Trial.services))
    total, found = _counted(running, (Trial.ends_on, Trial.id))
    trials = Kind("trials", total, [Item("", t.ends_on, {"services": [s.service for s in t.services]}) for t in found])
    return [consent, trials, _add_me_requests(customer_id)]
