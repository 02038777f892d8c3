"""The order rules O1-O5 as plain functions: callable from views, the scheduler and tests.

Each function works inside the caller's transaction; views and the scheduler commit.
"""

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from portal.audit import record
from portal.domain.catalog import FLEX_OFFERS, OFFERS
from portal.domain.normalize import email_key
from portal.domain.rule_errors import RuleError
from portal.infra import clock
from portal.infra.db import db
from portal.infra.urls import external_url
from portal.mail.outbox import queue
from portal.models import Order, OrderLine
from portal.orders.links import setup_token

MAX_LICENSES = 100_000
MAX_DAYS_AHEAD = 366
CLOSE_AFTER_DAYS_FLEX = 7  # rule O5
CLOSE_AFTER_DAYS = 30  # rule O5
REP_ALERT_AFTER = timedelta(days=1)  # rule O3


class OrderRuleError(RuleError):
    """An order rule (O1-O6) refused the change."""


def close_after_days(offer: str) -> int:
    return CLOSE_AFTER_DAYS_FLEX if offer in FLEX_OFFERS else CLOSE_AFTER_DAYS


def closing_date(order: Order) -> date:
    """rule O5: the day unprovisioned lines close."""
    return order.requested_start + timedelta(days=close_after_days(order.offer))


def check_requested_start(requested_start: date) -> None:
    today = clock.today()
    if requested_start < today:
        raise OrderRuleError(_l("The requested start date cannot be in the past."), "requested_start")
    if requested_start > today + timedelta(days=MAX_DAYS_AHEAD):
        raise OrderRuleError(_l("The requested start date can be at most one year ahead."), "requested_start")


def place_order(
    *,
    partner,
    placed_by,
    offer: str,
    requested_start: date,
    contact: str,
    setup_language: str,
    licenses: int,
    submission_key: str,
) -> tuple[Order, bool]:
    """rule O1. Returns the order and whether it is new: a resubmitted form finds its order."""
    existing = db.scalar(select(Order).where(Order.submission_key == submission_key))
    if existing is not None:
        if existing.partner_id != partner.id:
            raise OrderRuleError(_l("This form was already used. Reload the page and try again."))
        return existing, False
    if offer not in OFFERS:
        raise OrderRuleError(_l("Choose one of the offers in the list."), "offer")
    if not 1 <= licenses <= MAX_LICENSES:
        raise OrderRuleError(_l("Enter a whole number from %(min)s to %(max)s.", min=1, max=MAX_LICENSES), "licenses")
    check_requested_start(requested_start)
    order = Order(
        partner_id=partner.id,
        placed_by_id=placed_by.id,
        offer=offer,
        requested_start=requested_start,
        provisioning_contact=email_key(contact),
        setup_language=setup_language,
        status="awaiting_provisioning",
        submission_key=submission_key,
        link_version=1,
        created_at=clock.now(),
    )
    order.lines = [
        OrderLine(service=service, quantity=licenses, status="awaiting_provisioning") for service in OFFERS[offer]
    ]
    db.add(order)
    db.flush()
    record(
        "order_placed",
        actor=placed_by,
        organization_id=partner.id,
        order_id=order.id,
        offer=offer,
        requested_start=requested_start.isoformat(),
        contact=order.provisioning_contact,
    )
    return order, True


def _check_editable(order: Order) -> None:
    """rule O4: mapping is the point of no return."""
    if order.is_mapped:
        raise OrderRuleError(_l("This order is already mapped to an organization and can no longer be changed."))
    if order.status == "closed":
        raise OrderRuleError(_l("This order was closed unprovisioned and can no longer be changed."))


def change_contact(order: Order, *, contact: str, setup_language: str, actor, send_now: bool) -> bool:
    """rule O4: change the provisioning contact (and the email's language) before mapping.

    Links sent to the previous contact stop working. Returns whether the set-up email was queued.
    """
    _check_editable(order)
    contact = email_key(contact)
    changed = contact != order.provisioning_contact or setup_language != order.setup_language
    if changed:
        previous = order.provisioning_contact
        order.provisioning_contact = contact
        order.setup_language = setup_language
        if contact != previous:
            order.link_version += 1
        record(
            "contact_changed",
            actor=actor,
            organization_id=order.partner_id,
            order_id=order.id,
            previous=previous,
            contact=contact,
            language=setup_language,
        )
    if send_now and order.setup_email_sent_at is not None:
        return (
            queue_setup_email(order, reason=f"contact-v{order.link_version}-{order.setup_language}", actor=actor)
            is not None
        )
    return False


def resend_setup_email(order: Order, *, actor, nonce: str):
    """rule O4: send the "Set up now" email again; one email per click, not per double click."""
    _check_editable(order)
    if order.setup_email_sent_at is None:
        raise OrderRuleError(_l("The set-up email is sent on the requested start date; it has not been sent yet."))
    return queue_setup_email(order, reason=f"resend-{nonce}", actor=actor)


def queue_setup_email(order: Order, *, reason: str, actor=None):
    """rule O2: the "Set up now" email to the provisioning contact, in the language chosen."""
    token = setup_token(order)
    email = queue(
        "setup_now",
        to=order.provisioning_contact,
        language=order.setup_language,
        dedupe_key=f"order:{order.id}:setup:{reason}",
        order_id=order.id,
        reference=order.reference,
        partner_name=order.partner.name,
        offer=order.offer,
        services=[line.service for line in order.lines],
        licenses=order.lines[0].quantity if order.lines else 0,
        requested_start=order.requested_start,
        closes_on=closing_date(order),
        setup_url=external_url("wizard.entry", lang=order.setup_language, token=token),
    )
    if email is not None:
        record(
            "setup_email_queued",
            actor=actor,
            organization_id=order.partner_id,
            order_id=order.id,
            to=order.provisioning_contact,
            language=order.setup_language,
        )
    return email


# --- What the scheduler does (flask portal tick). One order per transaction. -----------------


def _claim(order_id: int, *conditions, **values) -> bool:
    """Set ``values`` on the order only if ``conditions`` still hold; True if this run got it."""
    result = db.execute(update(Order).where(Order.id == order_id, *conditions).values(**values))
    return result.rowcount == 1


def send_due_setup_emails() -> int:
    """rule O2: on the requested start date, email the provisioning contact the set-up link."""
    today, sent = clock.today(), 0
    due = db.scalars(
        select(Order.id).where(
            Order.status == "awaiting_provisioning", Order.setup_email_sent_at.is_(None), Order.requested_start <= today
        )
    ).all()
    db.commit()
    for order_id in due:
        if _claim(
            order_id,
            Order.setup_email_sent_at.is_(None),
            Order.status == "awaiting_provisioning",
            setup_email_sent_at=clock.now(),
        ):
            order = db.get(Order, order_id)
            sent += queue_setup_email(order, reason="start-date") is not None
        db.commit()
    return sent


def alert_account_reps() -> int:
    """rule O3: one day after the requested start date without set-up, alert the account rep."""
    now, alerted = clock.now(), 0
    due = db.scalars(
        select(Order.id).where(
            Order.status == "awaiting_provisioning",
            Order.setup_started_at.is_(None),
            Order.rep_alerted_at.is_(None),
            Order.requested_start <= (now - REP_ALERT_AFTER).date(),
        )
    ).all()
    db.commit()
    for order_id in due:
        if _claim(
            order_id,
            Order.rep_alerted_at.is_(None),
            Order.setup_started_at.is_(None),
            Order.status == "awaiting_provisioning",
            rep_alerted_at=now,
        ):
            order = db.get(Order, order_id)
            partner = order.partner
            if partner.account_rep_email:
                queue(
                    "rep_alert",
                    to=partner.account_rep_email,
                    language=partner.account_rep_language or "en",
                    dedupe_key=f"order:{order.id}:rep-alert",
                    order_id=order.id,
                    reference=order.reference,
                    partner_name=partner.name,
                    contact=order.provisioning_contact,
                    requested_start=order.requested_start,
                )
            record("account_rep_alerted", organization_id=partner.id, order_id=order.id, to=partner.account_rep_email)
            alerted += 1
        db.commit()
    return alerted


def close_unprovisioned_lines() -> int:
    """rule O5: lines still awaiting provisioning close after 7 (A-FLEX) or 30 days."""
    today, closed = clock.today(), 0
    candidates = db.execute(
        select(Order.id, Order.offer, Order.requested_start).where(
            Order.status.in_(("awaiting_provisioning", "mapped"))
        )
    ).all()
    db.commit()
    for order_id, offer, requested_start in candidates:
        if today < requested_start + timedelta(days=close_after_days(offer)):
            continue
        now = clock.now()
        lines = db.execute(
            update(OrderLine)
            .where(OrderLine.order_id == order_id, OrderLine.status == "awaiting_provisioning")
            .values(status="closed", closed_at=now)
        ).rowcount
        if lines:
            order = db.get(Order, order_id)
            if all(line.status == "closed" for line in order.lines):
                order.status, order.closed_at = "closed", now
            record("order_lines_closed", organization_id=order.partner_id, order_id=order_id, lines=lines)
            closed += lines
        db.commit()
    return closed


def record_setup_started(order: Order) -> bool:
    """rule O3: the first answer given through the "Set up now" link records the start of set-up,
    once (a conditional update, so two tabs at once record it once), and silences the rep alert.
    Opening the link records nothing: mail scanners fetch links before anyone reads them."""
    if order.status != "awaiting_provisioning":
        return False
    started = db.execute(
        update(Order).where(Order.id == order.id, Order.setup_started_at.is_(None)).values(setup_started_at=clock.now())
    )
    if started.rowcount:
        record("setup_started", organization_id=order.partner_id, order_id=order.id)
    return bool(started.rowcount)
