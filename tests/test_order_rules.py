"""Rules O1-O5, called as plain functions with the clock moved."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.models import AuditEvent, Order, Organization, OutgoingEmail, User
from portal.orders import rules
from portal.orders.links import LinkProblem, read_setup_token, setup_token
from portal.orders.rules import OrderRuleError
from portal.scheduler import run_tick
from tests.concurrency import ticks_at_once
from tests.conftest import START


@pytest.fixture
def northwind(db, demo):
    partner = db.scalar(select(Organization).where(Organization.name == "Northwind Solutions B.V."))
    anna = db.scalar(select(User).where(User.email == "anna.dekker@northwind.example"))
    return partner, anna


def place(
    db,
    northwind,
    *,
    offer="A-WX",
    start=date(2026, 11, 25),
    key="form-key-0001",
    contact="it@contoso.example",
    language="nl",
):
    partner, anna = northwind
    order, created = rules.place_order(
        partner=partner,
        placed_by=anna,
        offer=offer,
        requested_start=start,
        contact=contact,
        setup_language=language,
        licenses=50,
        submission_key=key,
    )
    db.commit()
    return order


def emails(db, kind="setup_now", order=None):
    """Emails of one kind, for ``order`` or else for every order but the demo's own."""
    query = select(OutgoingEmail).where(OutgoingEmail.kind == kind)
    if order is not None:
        query = query.where(OutgoingEmail.order_id == order.id)
    else:
        demo_orders = select(Order.id).where(Order.submission_key.like("demo-%"))
        query = query.where(OutgoingEmail.order_id.not_in(demo_orders))
    return db.scalars(query.order_by(OutgoingEmail.id)).all()


def test_o1_order_has_a_line_per_service_of_the_offer(db, northwind):
    order = place(db, northwind, offer="A-SPK")
    assert [line.service for line in order.lines] == ["messaging", "meetings"]
    assert all(line.quantity == 50 and line.status == "awaiting_provisioning" for line in order.lines)
    assert order.provisioning_contact == "it@contoso.example"


def test_o1_contact_may_be_an_alias_and_is_stored_normalized(db, northwind):
    order = place(db, northwind, contact="Provisioning+Team@Contoso.Example")
    assert order.provisioning_contact == "provisioning+team@contoso.example"


def test_o1_resubmitted_form_stores_one_order(db, northwind):
    first = place(db, northwind, key="same-form-key-123")
    second = place(db, northwind, key="same-form-key-123")
    assert first.id == second.id
    assert db.scalar(select(func.count(Order.id)).where(Order.submission_key == "same-form-key-123")) == 1


def test_o1_requested_start_date_cannot_be_in_the_past(db, northwind):
    with pytest.raises(OrderRuleError) as error:
        place(db, northwind, start=START.date() - timedelta(days=1))
    assert error.value.field == "requested_start"


def test_o2_setup_email_goes_out_on_the_requested_start_date_not_before(app, db, northwind, clock):
    order = place(db, northwind, start=date(2026, 11, 25))
    clock.at = START.replace(day=24, hour=23, minute=59)
    run_tick()
    assert emails(db) == []
    clock.at = START.replace(day=25, hour=0, minute=1)
    run_tick()
    [email] = emails(db)
    assert email.to_address == "it@contoso.example"
    assert email.language == "nl"
    assert order.reference in email.subject
    assert "http://portal.test/nl/setup/" in email.body_text
    assert db.get(Order, order.id).setup_email_sent_at == clock.at


def test_o2_running_the_tick_twice_sends_nothing_twice(db, northwind, clock):
    place(db, northwind, start=date(2026, 11, 25))
    clock.at = START.replace(day=26)
    run_tick()
    run_tick()
    assert len(emails(db)) == 1
    assert len(emails(db, "rep_alert")) == 1


def test_o2_two_ticks_at_once_send_nothing_twice(app, db, northwind, clock):
    for n in range(5):
        place(db, northwind, start=date(2026, 11, 25), key=f"concurrent-key-{n:04d}")
    clock.at = START.replace(day=25)
    assert ticks_at_once(app) == []
    assert len(emails(db)) == 5
    assert len({e.order_id for e in emails(db)}) == 5


def test_o2_setup_link_is_signed_and_expires(app, db, northwind, clock):
    order = place(db, northwind)
    token = setup_token(order)
    assert read_setup_token(token)[:2] == (order.id, 1)
    assert read_setup_token(token[:-2] + "xx")[2] is LinkProblem.INVALID
    clock.advance(seconds=app.config["SETUP_LINK_MAX_AGE"] + 1)
    assert read_setup_token(token)[2] is LinkProblem.EXPIRED


def test_o3_account_rep_is_alerted_one_day_after_the_start_date(db, northwind, clock):
    order = place(db, northwind, start=date(2026, 11, 25))
    clock.at = START.replace(day=25, hour=12)
    run_tick()
    assert emails(db, "rep_alert") == []
    clock.at = START.replace(day=26, hour=12)
    run_tick()
    [alert] = emails(db, "rep_alert")
    assert alert.to_address == "account.rep+northwind@vendor.example"
    assert alert.language == "nl"  # the representative's own language (rule L3)
    assert order.reference in alert.subject


def test_o3_no_alert_when_set_up_has_started(app, db, northwind, clock):
    order = place(db, northwind, start=date(2026, 11, 25))
    clock.at = START.replace(day=25, hour=8)
    run_tick()
    client = app.test_client()
    assert client.get(f"/nl/setup/{setup_token(order)}").status_code == 200
    assert client.post(f"/nl/setup/{setup_token(order)}/role", data={"role": "partner"}).status_code == 302
    clock.at = START.replace(day=27)
    run_tick()
    assert emails(db, "rep_alert") == []
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "setup_started")) is not None


def test_o3_opening_the_link_is_not_the_start_of_set_up(app, db, northwind, clock):
    """A mail scanner that fetches the link (GET, HEAD) must not silence the rep alert."""
    order = place(db, northwind, start=date(2026, 11, 25))
    clock.at = START.replace(day=25, hour=8)
    run_tick()
    client = app.test_client()
    for step in ("", "/role", "/admin"):
        client.get(f"/nl/setup/{setup_token(order)}{step}")
        client.head(f"/nl/setup/{setup_token(order)}{step}")
    db.expire_all()
    assert db.get(type(order), order.id).setup_started_at is None
    clock.at = START.replace(day=27)
    run_tick()
    assert len(emails(db, "rep_alert")) == 1


def test_o3_the_start_of_set_up_is_recorded_once_and_only_while_awaiting(db, northwind):
    order = place(db, northwind, start=date(2026, 11, 25))
    assert rules.record_setup_started(order) is True
    assert rules.record_setup_started(order) is False  # a second tab, a reload
    db.commit()
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "setup_started")) == 1
    other = place(db, northwind, start=date(2026, 11, 26), key="o3-closed")
    other.status, other.closed_at = "closed", START
    assert rules.record_setup_started(other) is False
    assert other.setup_started_at is None


def test_o4_changing_the_contact_retires_the_old_link_and_resends(app, db, northwind, clock):
    partner, anna = northwind
    order = place(db, northwind, start=date(2026, 11, 20))
    run_tick()
    old_token = setup_token(order)
    assert rules.change_contact(
        order, contact="new.person@contoso.example", setup_language="sv", actor=anna, send_now=True
    )
    db.commit()
    _, _, problem = read_setup_token(old_token)
    assert problem is None and read_setup_token(old_token)[1] != order.link_version
    assert app.test_client().get(f"/nl/setup/{old_token}").status_code == 410
    latest = emails(db)[-1]
    assert latest.to_address == "new.person@contoso.example" and latest.language == "sv"


def test_o4_resend_twice_with_one_click_sends_once(db, northwind):
    partner, anna = northwind
    order = place(db, northwind, start=date(2026, 11, 20))
    run_tick()
    rules.resend_setup_email(order, actor=anna, nonce="click-nonce-0001")
    rules.resend_setup_email(order, actor=anna, nonce="click-nonce-0001")
    rules.resend_setup_email(order, actor=anna, nonce="click-nonce-0002")
    db.commit()
    assert len(emails(db)) == 3  # start date, and two distinct clicks


def test_o4_no_change_after_mapping(db, northwind):
    partner, anna = northwind
    order = place(db, northwind, start=date(2026, 11, 20))
    customer = db.scalar(select(Organization).where(Organization.name == "Contoso Manufacturing"))
    order.status, order.mapped_organization_id, order.mapped_at = "mapped", customer.id, START
    db.commit()
    with pytest.raises(OrderRuleError):
        rules.change_contact(order, contact="x@contoso.example", setup_language="en", actor=anna, send_now=False)
    with pytest.raises(OrderRuleError):
        rules.resend_setup_email(order, actor=anna, nonce="n" * 16)


@pytest.mark.parametrize("offer, days", [("A-FLEX", 7), ("A-FLEX-CC", 7), ("A-WX", 30), ("A-SPK", 30)])
def test_o5_unprovisioned_lines_close_after_7_days_for_flex_and_30_for_others(db, northwind, clock, offer, days):
    order = place(db, northwind, offer=offer, start=date(2026, 11, 20))
    clock.at = START + timedelta(days=days - 1)
    run_tick()
    assert db.get(Order, order.id).status == "awaiting_provisioning"
    clock.at = START + timedelta(days=days)
    run_tick()
    order = db.get(Order, order.id)
    assert order.status == "closed" and order.closed_at == clock.at
    assert all(line.status == "closed" for line in order.lines)


def test_o5_closed_order_link_explains_itself(app, db, northwind, clock):
    order = place(db, northwind, offer="A-FLEX", start=date(2026, 11, 20))
    clock.at = START + timedelta(days=8)
    run_tick()
    page = app.test_client().get(f"/en/setup/{setup_token(order)}").get_data(as_text=True)
    assert "closed unprovisioned" in page
