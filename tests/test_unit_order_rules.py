"""Rules O1-O5 (portal.orders.rules) as plain functions on factory rows, with the clock moved:
the exact boundaries, who is emailed in which language, the audit records, exactly once."""

from datetime import date, timedelta

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Order, OutgoingEmail
from portal.orders import rules
from portal.orders.links import read_setup_token
from portal.orders.rules import OrderRuleError
from tests.conftest import START

TODAY = START.date()


@pytest.fixture
def partner(make_partner):
    return make_partner(name="Northwind Unit B.V.")


def place(partner, *, offer="A-WX", start=TODAY, contact="it@contoso.example", language="nl", licenses=50, key=None):
    org, admin = partner
    return rules.place_order(
        partner=org,
        placed_by=admin,
        offer=offer,
        requested_start=start,
        contact=contact,
        setup_language=language,
        licenses=licenses,
        submission_key=key or f"unit-{offer}-{start}-{contact}-{licenses}",
    )


def events(db, action):
    return db.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def emails(db, kind):
    return db.scalars(select(OutgoingEmail).where(OutgoingEmail.kind == kind).order_by(OutgoingEmail.id)).all()


def mapped(db, order, make_customer):
    customer, _ = make_customer()
    order.status, order.mapped_organization_id, order.mapped_at = "mapped", customer.id, START
    db.commit()
    return customer


# --- O1: placing an order ---------------------------------------------------------------------


def test_o1_a_new_order_is_stored_with_its_lines_and_audited(db, partner, clock):
    org, admin = partner
    order, created = place(partner, offer="A-SPK", contact=" IT+Team@Contoso.Example ", licenses=7)
    db.commit()
    assert created is True
    db.expire_all()
    order = db.get(Order, order.id)
    assert (order.partner_id, order.placed_by_id, order.offer) == (org.id, admin.id, "A-SPK")
    assert order.requested_start == TODAY and order.setup_language == "nl"
    assert order.provisioning_contact == "it+team@contoso.example"
    assert order.status == "awaiting_provisioning" and order.link_version == 1 and order.created_at == clock.at
    assert [(line.service, line.quantity, line.status) for line in order.lines] == [
        ("messaging", 7, "awaiting_provisioning"),
        ("meetings", 7, "awaiting_provisioning"),
    ]
    [event] = events(db, "order_placed")
    assert (event.actor_id, event.organization_id, event.order_id) == (admin.id, org.id, order.id)
    assert event.details == {
        "offer": "A-SPK",
        "requested_start": TODAY.isoformat(),
        "contact": "it+team@contoso.example",
    }


def test_o1_a_resubmitted_form_returns_the_same_order_as_not_new(db, partner):
    first, _ = place(partner, key="same-key-000001")
    db.commit()
    again, created = place(partner, key="same-key-000001", offer="A-SPK")
    assert again.id == first.id and created is False
    assert len(events(db, "order_placed")) == 1


def test_o1_another_partners_submission_key_is_refused(db, partner, make_partner):
    place(partner, key="shared-key-000001")
    db.commit()
    with pytest.raises(OrderRuleError):
        place(make_partner(), key="shared-key-000001")


def test_o1_an_unknown_offer_is_refused(db, partner):
    with pytest.raises(OrderRuleError) as error:
        place(partner, offer="A-NOPE")
    assert error.value.field == "offer"


@pytest.mark.parametrize("licenses, allowed", [(0, False), (1, True), (100_000, True), (100_001, False)])
def test_o1_licenses_run_from_1_to_100000(db, partner, licenses, allowed):
    if allowed:
        order, _ = place(partner, licenses=licenses)
        assert order.lines[0].quantity == licenses
    else:
        with pytest.raises(OrderRuleError) as error:
            place(partner, licenses=licenses)
        assert error.value.field == "licenses"


@pytest.mark.parametrize("days, allowed", [(-1, False), (0, True), (366, True), (367, False)])
def test_o1_the_requested_start_is_from_today_to_366_days_ahead(db, partner, days, allowed):
    start = TODAY + timedelta(days=days)
    if allowed:
        order, _ = place(partner, start=start)
        assert order.requested_start == start
    else:
        with pytest.raises(OrderRuleError) as error:
            place(partner, start=start)
        assert error.value.field == "requested_start"


# --- O5: the closing date ---------------------------------------------------------------------


@pytest.mark.parametrize("offer, days", [("A-FLEX", 7), ("A-FLEX-CC", 7), ("A-WX", 30), ("A-SPK", 30)])
def test_o5_the_closing_date_is_7_days_after_the_start_for_flex_and_30_for_others(db, partner, offer, days):
    order, _ = place(partner, offer=offer, start=date(2026, 12, 1))
    assert rules.close_after_days(offer) == days
    assert rules.closing_date(order) == date(2026, 12, 1) + timedelta(days=days)


# --- O2: the "Set up now" email on the requested start date --------------------------------------


def test_o2_the_setup_email_goes_to_the_contact_on_the_start_date_not_before(app, db, partner, clock):
    org, _ = partner
    order, _ = place(partner, offer="A-SPK", start=TODAY + timedelta(days=1), language="sv")
    db.commit()
    assert rules.send_due_setup_emails() == 0
    assert emails(db, "setup_now") == []
    clock.advance(days=1)
    assert rules.send_due_setup_emails() == 1
    assert rules.send_due_setup_emails() == 0  # a second run sends nothing
    [email] = emails(db, "setup_now")
    assert (email.to_address, email.language, email.order_id) == ("it@contoso.example", "sv", order.id)
    assert email.dedupe_key == f"order:{order.id}:setup:start-date"
    assert order.reference in email.subject
    assert org.name in email.body_text and "A-SPK" in email.body_text
    token = email.body_text.split("/sv/setup/")[1].split()[0]
    assert read_setup_token(token)[:2] == (order.id, 1)
    db.expire_all()
    assert db.get(Order, order.id).setup_email_sent_at == clock.at
    [event] = events(db, "setup_email_queued")
    assert (event.actor_id, event.organization_id, event.order_id) == (None, org.id, order.id)
    assert event.details == {"to": "it@contoso.example", "language": "sv"}


def test_o2_the_setup_email_names_the_services_the_start_and_the_closing_date(app, db, partner):
    order, _ = place(partner, offer="A-FLEX", start=date(2026, 11, 20), language="en")
    db.commit()
    rules.send_due_setup_emails()
    [email] = emails(db, "setup_now")
    body = email.body_text
    assert "November 20, 2026" in body  # requested start
    assert "November 27, 2026" in body  # closes 7 days later (O5)
    assert "http://portal.test/en/setup/" in body
    for label in ("Messaging", "Meetings", "Calling"):
        assert label in body


def test_o2_only_orders_awaiting_provisioning_get_the_setup_email(db, partner, make_customer):
    waiting, _ = place(partner, contact="a@contoso.example")
    done, _ = place(partner, contact="b@contoso.example")
    db.commit()
    mapped(db, done, make_customer)
    assert rules.send_due_setup_emails() == 1
    assert [e.order_id for e in emails(db, "setup_now")] == [waiting.id]
    db.expire_all()
    assert db.get(Order, done.id).setup_email_sent_at is None


# --- O3: the account representative ------------------------------------------------------------


def rep(db, partner, email="rep@vendor.example", language="bg"):
    org, _ = partner
    org.account_rep_email, org.account_rep_language = email, language
    db.commit()


def test_o3_the_rep_is_alerted_one_day_after_the_start_date_once(db, partner, clock):
    org, _ = partner
    rep(db, partner)
    order, _ = place(partner, start=TODAY)
    db.commit()
    clock.at = START.replace(hour=23, minute=59)  # still the requested start date
    assert rules.alert_account_reps() == 0
    clock.at = START.replace(hour=0, minute=0) + timedelta(days=1)  # the day after
    assert rules.alert_account_reps() == 1
    assert rules.alert_account_reps() == 0
    [alert] = emails(db, "rep_alert")
    assert (alert.to_address, alert.language) == ("rep@vendor.example", "bg")
    assert alert.dedupe_key == f"order:{order.id}:rep-alert"
    assert order.reference in alert.subject and "it@contoso.example" in alert.body_text
    db.expire_all()
    assert db.get(Order, order.id).rep_alerted_at == clock.at
    [event] = events(db, "account_rep_alerted")
    assert (event.organization_id, event.order_id, event.details) == (org.id, order.id, {"to": "rep@vendor.example"})


def test_o3_the_rep_alert_is_in_english_when_the_reps_language_is_unknown(db, partner, clock):
    rep(db, partner, language=None)
    place(partner)
    db.commit()
    clock.advance(days=1)
    assert rules.alert_account_reps() == 1
    [alert] = emails(db, "rep_alert")
    assert alert.language == "en"
    assert "Northwind Unit B.V." in alert.body_text  # who to contact
    assert "November 20, 2026" in alert.body_text  # the requested start date


def test_o3_without_a_rep_the_alert_is_recorded_and_no_email_is_sent(db, partner, clock):
    org, _ = partner
    order, _ = place(partner)
    db.commit()
    clock.advance(days=1)
    assert rules.alert_account_reps() == 1
    assert emails(db, "rep_alert") == []
    [event] = events(db, "account_rep_alerted")
    assert (event.order_id, event.details) == (order.id, {"to": None})


def test_o3_no_alert_once_set_up_has_started_or_the_order_is_mapped(db, partner, clock, make_customer):
    rep(db, partner)
    started, _ = place(partner, contact="a@contoso.example")
    done, _ = place(partner, contact="b@contoso.example")
    waiting, _ = place(partner, contact="c@contoso.example")
    db.commit()
    assert rules.record_setup_started(started) is True
    db.commit()
    mapped(db, done, make_customer)
    clock.advance(days=2)
    assert rules.alert_account_reps() == 1
    assert [e.details for e in events(db, "account_rep_alerted")] == [{"to": "rep@vendor.example"}]
    assert [e.order_id for e in events(db, "account_rep_alerted")] == [waiting.id]


def test_o3_the_start_of_set_up_is_recorded_once_and_audited(db, partner, clock):
    org, _ = partner
    order, _ = place(partner)
    db.commit()
    assert rules.record_setup_started(order) is True
    clock.advance(hours=1)
    assert rules.record_setup_started(order) is False
    db.commit()
    db.expire_all()
    assert db.get(Order, order.id).setup_started_at == START
    [event] = events(db, "setup_started")
    assert (event.organization_id, event.order_id) == (org.id, order.id)


# --- O4: editing the contact and resending before mapping ------------------------------------


def sent(db, order):
    """The order as after its start date: the set-up email went out."""
    rules.send_due_setup_emails()
    db.expire_all()
    return db.get(Order, order.id)


def test_o4_a_new_contact_raises_the_link_version_and_is_audited(db, partner):
    org, admin = partner
    order, _ = place(partner, language="nl")
    db.commit()
    order = sent(db, order)
    assert rules.change_contact(order, contact="New@Contoso.Example", setup_language="sv", actor=admin, send_now=True)
    db.commit()
    assert order.provisioning_contact == "new@contoso.example" and order.link_version == 2
    [event] = events(db, "contact_changed")
    assert (event.actor_id, event.organization_id, event.order_id) == (admin.id, org.id, order.id)
    assert event.details == {"previous": "it@contoso.example", "contact": "new@contoso.example", "language": "sv"}
    latest = emails(db, "setup_now")[-1]
    assert (latest.to_address, latest.language) == ("new@contoso.example", "sv")
    assert latest.dedupe_key == f"order:{order.id}:setup:contact-v2-sv"
    queued = events(db, "setup_email_queued")[-1]
    assert queued.actor_id == admin.id and queued.details == {"to": "new@contoso.example", "language": "sv"}


def test_o4_a_new_language_alone_keeps_the_link_version(db, partner):
    _, admin = partner
    order, _ = place(partner, language="nl")
    db.commit()
    order = sent(db, order)
    assert rules.change_contact(order, contact="it@contoso.example", setup_language="bg", actor=admin, send_now=True)
    assert order.link_version == 1 and order.setup_language == "bg"
    assert events(db, "contact_changed")[0].details["language"] == "bg"
    assert emails(db, "setup_now")[-1].language == "bg"


def test_o4_the_same_contact_and_language_record_no_change(db, partner):
    _, admin = partner
    order, _ = place(partner, contact="it@contoso.example", language="nl")
    db.commit()
    order = sent(db, order)
    assert not rules.change_contact(
        order, contact="IT@contoso.example", setup_language="nl", actor=admin, send_now=False
    )
    assert events(db, "contact_changed") == []
    assert order.link_version == 1


def test_o4_the_contact_changed_before_the_start_date_gets_the_email_then(db, partner):
    _, admin = partner
    order, _ = place(partner, start=TODAY + timedelta(days=3))
    db.commit()
    changed = rules.change_contact(
        order, contact="new@contoso.example", setup_language="nl", actor=admin, send_now=True
    )
    assert changed is False  # the email is sent on the requested start date (O2)
    assert emails(db, "setup_now") == []
    assert order.provisioning_contact == "new@contoso.example"


def test_o4_without_send_now_no_email_is_queued(db, partner):
    _, admin = partner
    order, _ = place(partner)
    db.commit()
    order = sent(db, order)
    assert not rules.change_contact(
        order, contact="new@contoso.example", setup_language="nl", actor=admin, send_now=False
    )
    assert len(emails(db, "setup_now")) == 1


def test_o4_resend_sends_once_per_click_and_audits_the_actor(db, partner):
    org, admin = partner
    order, _ = place(partner)
    db.commit()
    order = sent(db, order)
    email = rules.resend_setup_email(order, actor=admin, nonce="click-0001")
    assert email is not None and email.dedupe_key == f"order:{order.id}:setup:resend-click-0001"
    assert rules.resend_setup_email(order, actor=admin, nonce="click-0001") is None
    db.commit()
    assert len(emails(db, "setup_now")) == 2
    queued = events(db, "setup_email_queued")
    assert [e.actor_id for e in queued] == [None, admin.id]


def test_o4_resend_before_the_start_date_is_refused(db, partner):
    _, admin = partner
    order, _ = place(partner, start=TODAY + timedelta(days=1))
    db.commit()
    with pytest.raises(OrderRuleError):
        rules.resend_setup_email(order, actor=admin, nonce="click-0001")


def test_o4_a_mapped_or_closed_order_cannot_be_changed(db, partner, make_customer):
    _, admin = partner
    first, _ = place(partner, contact="a@contoso.example")
    second, _ = place(partner, contact="b@contoso.example")
    db.commit()
    first = sent(db, first)
    mapped(db, first, make_customer)
    second.status, second.closed_at = "closed", START
    db.commit()
    for order in (first, second):
        with pytest.raises(OrderRuleError):
            rules.change_contact(order, contact="x@contoso.example", setup_language="en", actor=admin, send_now=False)
        with pytest.raises(OrderRuleError):
            rules.resend_setup_email(order, actor=admin, nonce="click-0001")


# --- O5: closing unprovisioned lines ------------------------------------------------------------


@pytest.mark.parametrize("offer, days", [("A-FLEX", 7), ("A-WX", 30)])
def test_o5_lines_close_on_the_closing_date_not_the_day_before(db, partner, clock, offer, days):
    org, _ = partner
    order, _ = place(partner, offer=offer)
    db.commit()
    clock.at = START + timedelta(days=days - 1)
    assert rules.close_unprovisioned_lines() == 0
    clock.at = START + timedelta(days=days)
    count = len(order.lines)
    assert rules.close_unprovisioned_lines() == count
    assert rules.close_unprovisioned_lines() == 0
    db.expire_all()
    order = db.get(Order, order.id)
    assert order.status == "closed" and order.closed_at == clock.at
    assert {(line.status, line.closed_at) for line in order.lines} == {("closed", clock.at)}
    [event] = events(db, "order_lines_closed")
    assert (event.organization_id, event.order_id, event.details) == (org.id, order.id, {"lines": count})


def test_o5_a_mapped_order_keeps_its_provisioned_lines_and_stays_open(db, partner, clock, make_customer):
    order, _ = place(partner, offer="A-SPK")
    db.commit()
    mapped(db, order, make_customer)
    order.lines[0].status = "provisioned"
    db.commit()
    clock.advance(days=30)
    assert rules.close_unprovisioned_lines() == 1
    db.expire_all()
    order = db.get(Order, order.id)
    assert [line.status for line in order.lines] == ["provisioned", "closed"]
    assert order.status == "mapped" and order.closed_at is None


def test_o5_provisioned_and_closed_orders_are_left_alone(db, partner, clock, make_customer):
    order, _ = place(partner, offer="A-SPK")
    db.commit()
    mapped(db, order, make_customer)
    order.status = "provisioned"
    db.commit()
    clock.advance(days=31)
    assert rules.close_unprovisioned_lines() == 0
    db.expire_all()
    assert {line.status for line in db.get(Order, order.id).lines} == {"awaiting_provisioning"}


# --- exactly once: a change between the scheduler's listing and its claim -------------------------


def meanwhile(app, db, **values):
    """After the scheduler has listed what is due (and committed), another transaction - the
    contact opening the wizard, the wizard mapping the order, a second scheduler - sets
    ``values`` on every order before this run claims them."""

    def change(_session):
        with Session(app.extensions["portal.engine"]) as other:
            other.execute(update(Order).values(**values))
            other.commit()

    db.commit()
    event.listen(db(), "after_commit", change, once=True)


@pytest.mark.parametrize(
    "values",
    [
        {"setup_started_at": START},  # the contact began the set-up
        {"rep_alerted_at": START},  # another scheduler alerted the rep
        {"status": "provisioned", "mapped_at": START},  # the order was set up meanwhile
    ],
)
def test_o3_an_order_that_changed_after_it_was_listed_is_not_alerted(app, db, partner, clock, make_customer, values):
    rep(db, partner)
    order, _ = place(partner)
    db.commit()
    if "status" in values:
        values["mapped_organization_id"] = make_customer()[0].id
    clock.advance(days=1)
    meanwhile(app, db, **values)
    assert rules.alert_account_reps() == 0
    assert emails(db, "rep_alert") == [] and events(db, "account_rep_alerted") == []
    db.expire_all()
    assert db.get(Order, order.id).rep_alerted_at == values.get("rep_alerted_at")


@pytest.mark.parametrize(
    "values",
    [
        {"setup_email_sent_at": START},  # another scheduler sent it
        {"status": "provisioned", "mapped_at": START},  # the order was set up meanwhile
    ],
)
def test_o2_an_order_that_changed_after_it_was_listed_gets_no_setup_email(app, db, partner, make_customer, values):
    order, _ = place(partner)
    db.commit()
    if "status" in values:
        values["mapped_organization_id"] = make_customer()[0].id
    meanwhile(app, db, **values)
    assert rules.send_due_setup_emails() == 0
    assert emails(db, "setup_now") == []
    db.expire_all()
    assert db.get(Order, order.id).setup_email_sent_at == values.get("setup_email_sent_at")


def test_o3_every_order_due_is_alerted_and_counted(db, partner, clock):
    rep(db, partner)
    first, _ = place(partner, contact="a@contoso.example")
    second, _ = place(partner, contact="b@contoso.example")
    db.commit()
    clock.advance(days=1)
    assert rules.alert_account_reps() == 2
    assert sorted(e.order_id for e in events(db, "account_rep_alerted")) == [first.id, second.id]


def test_o5_an_order_closes_on_its_own_date_not_with_another_order(db, partner, clock):
    flex, _ = place(partner, offer="A-FLEX")
    wx, _ = place(partner, offer="A-WX")
    db.commit()
    clock.advance(days=7)
    assert rules.close_unprovisioned_lines() == len(flex.lines)
    db.expire_all()
    assert db.get(Order, flex.id).status == "closed"
    wx = db.get(Order, wx.id)
    assert wx.status == "awaiting_provisioning"
    assert {line.status for line in wx.lines} == {"awaiting_provisioning"}


def test_o5_the_run_counts_the_lines_closed_over_every_order(db, partner, clock):
    first, _ = place(partner, offer="A-SPK", contact="a@contoso.example")
    second, _ = place(partner, offer="A-FLEX", contact="b@contoso.example")
    db.commit()
    clock.advance(days=30)
    assert rules.close_unprovisioned_lines() == 2 + 3
