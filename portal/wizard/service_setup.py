"""Rule W9: service set-up after mapping, in the steps the purchased services need.

Settings are saved as each step is completed; "Provision and start billing" activates the
subscription and starts billing exactly once.
"""

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from portal.audit import record
from portal.domain.rule_errors import RuleError
from portal.infra import clock
from portal.infra.db import db
from portal.models import Order, OrderLine, Organization, Subscription

SUBDOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$")
SITE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,28}[a-z0-9])$")
RESERVED = frozenset({"www", "admin", "api", "mail", "support", "help", "status", "portal"})


def steps(order: Order) -> list[str]:
    services = {line.service for line in order.lines}
    names = ["details"]
    if "calling" in services:
        names.append("calling")
    if services & {"meetings", "enterprise_meetings"}:
        names.append("meetings")
    if "enterprise_meetings" in services:
        names.append("enterprise")
    names.append("provision")
    return names


def subscription_of(order: Order) -> Subscription | None:
    return db.scalar(select(Subscription).where(Subscription.order_id == order.id))


def _name_problem(value: str, pattern, shape_message, taken_query, taken_message, reserved=frozenset()):
    value = (value or "").strip().lower()
    if not pattern.fullmatch(value) or "--" in value:
        return shape_message
    if value in reserved:
        return _l("This subdomain is reserved. Choose another one.")
    return taken_message if db.scalar(taken_query(value)) else None


def subdomain_problem(value: str, organization_id: int | None = None):
    """Why a subdomain cannot be used, or None when it is available (unique across organizations)."""
    return _name_problem(
        value,
        SUBDOMAIN,
        _l(
            "Use 3 to 63 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit."
        ),
        lambda v: select(func.count(Organization.id)).where(
            Organization.subdomain == v, Organization.id != (organization_id or 0)
        ),
        _l("This subdomain is already used by another organization."),
        RESERVED,
    )


def site_problem(value: str, subscription_id: int | None = None):
    """Why a meetings site name cannot be used, or None when it is available."""
    return _name_problem(
        value,
        SITE,
        _l(
            "Use 3 to 30 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit."
        ),
        lambda v: select(func.count(Subscription.id)).where(
            Subscription.meetings_site == v, Subscription.id != (subscription_id or 0)
        ),
        _l("This meetings site name is already taken. Choose another one."),
    )


class SetupIncomplete(RuleError):
    """rule W9: "Provision and start billing" before every step the services need is complete."""

    def __init__(self, missing: list[str]):
        super().__init__(_l("Complete every set-up step before you provision and start billing."))
        self.missing = missing


def missing_steps(order: Order) -> list[str]:
    """The W9 steps whose settings are not saved yet, in order (the review needs nothing)."""
    subscription = subscription_of(order)
    organization = db.get(Organization, order.mapped_organization_id)
    done = {
        "calling": bool(subscription.calling_location and subscription.calling_country),
        "meetings": bool(subscription.meetings_site and subscription.meetings_time_zone),
        "enterprise": bool(organization.subdomain),
    }
    return [step for step in steps(order) if not done.get(step, True)]


def provision(order: Order) -> bool:
    """Activate the subscription and start billing once every step the services need is complete
    (rule W9); True only for the call that started it."""
    missing = missing_steps(order)
    if missing:
        raise SetupIncomplete(missing)
    now = clock.now()
    subscription = subscription_of(order)
    started = (
        db.execute(
            update(Subscription)
            .where(Subscription.id == subscription.id, Subscription.billing_started_at.is_(None))
            .values(status="active", billing_started_at=now)
        ).rowcount
        == 1
    )
    if started:
        db.execute(
            update(OrderLine)
            .where(OrderLine.order_id == order.id, OrderLine.status == "awaiting_provisioning")
            .values(status="provisioned")
        )
        db.execute(update(Order).where(Order.id == order.id, Order.status == "mapped").values(status="provisioned"))
        record("billing_started", organization_id=order.partner_id, order_id=order.id, subscription_id=subscription.id)
    return started
