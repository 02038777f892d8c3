"""Unit tests of portal.trials.lifecycle, rules T1-T15 and T19, one rule edge per test.

Built with the factories (no demo data): each test makes the partner, customer and trial it
needs, calls the rule function and asserts on what is observable - the rows written, the
emails queued (recipient, language, what they say) and the audit events recorded.
"""

from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import select, update

from portal.models import (
    AdminRole,
    AuditEvent,
    ConsentRequest,
    DeviceShipment,
    Order,
    Organization,
    OutgoingEmail,
    PartnerCustomer,
    Subscription,
    SubscriptionService,
    Trial,
    TrialService,
    User,
)
from portal.trials import lifecycle, schedule
from portal.trials.lifecycle import TrialRuleError
from portal.trials.vocabulary import TRIAL_SERVICES
from tests.conftest import START

TODAY = START.date()


# --- helpers -----------------------------------------------------------------------------------


def add_user(db, org, email, role=None, language=None, password=True):
    user = User(email=email, organization_id=org.id, language=language, created_at=START)
    if password:
        user.set_password("portal-demo-2026")
    db.add(user)
    db.flush()
    if role:
        db.add(AdminRole(user_id=user.id, organization_id=org.id, role=role, granted_at=START))
    db.commit()
    return user


def events(db, action):
    return db.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def mails(db, kind, to=None):
    query = select(OutgoingEmail).where(OutgoingEmail.kind == kind)
    if to is not None:
        query = query.where(OutgoingEmail.to_address == to)
    return db.scalars(query.order_by(OutgoingEmail.id)).all()


def refused(call, *args, **kwargs) -> TrialRuleError:
    with pytest.raises(TrialRuleError) as info:
        call(*args, **kwargs)
    return info.value


def start(partner, actor, **overrides):
    values = dict(
        partner=partner,
        actor=actor,
        company="Fabrikam Ltd",
        admin_email="it@fabrikam.example",
        industry="manufacturing",
        country="NL",
        services=["messaging"],
        license_count=25,
        duration_days=30,
        supported_location=True,
        existing_confirmed=True,
    )
    values.update(overrides)
    return lifecycle.start_trial(**values)


def subscribe(db, customer, services, status="active"):
    subscription = Subscription(
        organization_id=customer.id,
        offer="A-WX",
        status=status,
        created_at=START,
        billing_started_at=START if status == "active" else None,
    )
    subscription.services = [SubscriptionService(service=s, license_count=10) for s in services]
    db.add(subscription)
    db.commit()
    return subscription


@pytest.fixture
def partner(make_partner):
    return make_partner()


@pytest.fixture
def active(db, partner, make_trial):
    """An active trial of messaging and meetings for a new customer, provisioned at START."""
    org, admin = partner
    trial = make_trial(org, admin, services=("messaging", "meetings"))
    lifecycle.provision(trial, actor=admin)
    db.commit()
    return trial


def pending_trial(db, partner, make_customer, make_trial, *, access=None, services=("messaging",), **options):
    """A trial waiting for the consent of an existing customer (no link, or ``access``)."""
    org, admin = partner
    customer, customer_admin = make_customer(org if access else None, access=access or "full_admin")
    trial = make_trial(org, admin, admin_email=customer_admin.email, services=services, **options)
    assert trial.status == "pending_consent"
    return trial, customer, customer_admin


# --- T1, T8, W2: who may act on a trial --------------------------------------------------------


def test_t1_a_read_only_or_uncertified_partner_admin_cannot_start_a_trial(db, make_partner):
    for kwargs in ({"admin_role": "read_only_admin"}, {"certified": False}):
        org, admin = make_partner(**kwargs)
        error = refused(start, org, admin)
        assert "Only a certified partner" in str(error)
    assert db.scalar(select(Trial.id)) is None


def test_t8_a_provisioning_admin_partner_provisions_but_cannot_change_the_trial(db, partner, make_customer, make_trial):
    trial, customer, customer_admin = pending_trial(db, partner, make_customer, make_trial, access="provisioning_admin")
    lifecycle.answer_consent(trial, user=customer_admin, accept=True)
    error = refused(lifecycle.change, trial, services=["messaging"], license_count=3, actor=partner[1])
    assert "provisioning access to this customer only" in str(error)
    reader = add_user(db, db.get(Organization, partner[0].id), "reader@partner.example", "read_only_admin")
    error = refused(lifecycle.change, trial, services=["messaging"], license_count=3, actor=reader)
    assert str(error) == "You cannot change this trial."  # not the partner's own access
    lifecycle.provision(trial, actor=partner[1])
    assert trial.status == "active"


def test_w2_a_partner_without_access_is_told_the_customer_manages_itself(db, partner, make_customer, make_trial):
    trial, *_ = pending_trial(db, partner, make_customer, make_trial, access="none")
    error = refused(lifecycle.extend, trial, days=30, actor=partner[1])
    assert "manages its own organization" in str(error)


def test_t1_another_partner_or_a_read_only_admin_cannot_change_the_trial(db, partner, make_partner, active):
    _, other_admin = make_partner()
    reader = add_user(db, db.get(Organization, partner[0].id), "reader@partner.example", "read_only_admin")
    for actor in (other_admin, reader):
        error = refused(lifecycle.extend, active, days=45, actor=actor)
        assert str(error) == "You cannot change this trial."
    assert active.ends_on == TODAY + timedelta(days=30)


# --- T7, T10: what can be offered ---------------------------------------------------------------


def test_t10_only_the_customers_active_subscriptions_count_as_bought(db, partner, make_customer):
    customer, _ = make_customer(partner[0])
    other, _ = make_customer(partner[0])
    subscribe(db, customer, ["messaging"])
    subscribe(db, customer, ["calling"], status="pending")
    subscribe(db, other, ["meetings"])
    assert lifecycle.purchased_services(customer) == {"messaging"}
    assert lifecycle.available_services(customer) == ["meetings", "enterprise_meetings", "calling", "devices"]


def test_t7_a_service_any_partner_trials_for_the_customer_is_not_available(
    db, partner, make_partner, make_customer, make_trial, clock
):
    other_org, other_admin = make_partner()
    customer, customer_admin = make_customer(other_org)
    elsewhere, elsewhere_admin = make_customer(other_org)
    first = make_trial(other_org, other_admin, admin_email=customer_admin.email, services=("meetings",))
    make_trial(other_org, other_admin, admin_email=customer_admin.email, services=("calling",))
    make_trial(other_org, other_admin, admin_email=elsewhere_admin.email, services=("messaging",))
    cancelled = make_trial(other_org, other_admin, admin_email=customer_admin.email, services=("devices",))
    lifecycle.cancel(cancelled, actor=other_admin)
    db.commit()
    clock.at = START + timedelta(days=30)
    schedule.expirations()  # an expired trial still holds its services (grace period)
    assert db.get(Trial, first.id).status == "expired"
    assert lifecycle.trialled_services(customer) == {"meetings", "calling"}
    assert lifecycle.available_services(customer) == ["messaging", "enterprise_meetings", "devices"]
    error = refused(start, partner[0], partner[1], admin_email=customer_admin.email, services=["meetings"])
    assert error.field == "services"


def test_t7_a_service_held_by_a_trial_started_at_the_same_moment_is_refused(db, partner, make_customer, make_trial):
    org, admin = partner
    customer, customer_admin = make_customer(org)
    trial = make_trial(org, admin, admin_email=customer_admin.email, services=("messaging",))
    # Another tab's trial of meetings, committed after this one read what was available.
    other = make_trial(org, admin, admin_email=customer_admin.email, services=("meetings",))
    db.execute(update(Trial).where(Trial.id == other.id).values(status="cancelled", cancelled_at=START))
    error = refused(lifecycle.change, trial, services=["messaging", "meetings"], license_count=25, actor=admin)
    assert error.field == "services"
    db.rollback()
    assert {s.service for s in db.get(Trial, trial.id).services} == {"messaging"}


# --- T3-T5: the choices -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"services": []}, "services"),
        ({"services": ["contact_center"]}, "services"),
        ({"license_count": 0}, "license_count"),
        ({"license_count": 10_001}, "license_count"),
        ({"duration_days": 31}, "duration"),
        ({"services": ["enterprise_meetings"], "site": "fabrikam"}, "site"),
        ({"services": ["enterprise_meetings"], "time_zone": "Europe/Amsterdam"}, "site"),
        ({"devices": {"phone": 2}}, "devices"),
        ({"services": ["devices"], "devices": {"board": 6}}, "board"),
    ],
)
def test_t3_t4_t5_the_trial_choices_are_checked(db, partner, overrides, field):
    error = refused(start, *partner, **overrides)
    assert error.field == field
    assert db.scalar(select(Organization.id).where(Organization.name == "Fabrikam Ltd")) is None


@pytest.mark.parametrize("licenses", [1, 10_000])
def test_t3_one_license_count_from_1_to_10000(db, partner, licenses):
    assert start(*partner, license_count=licenses).license_count == licenses


@pytest.mark.parametrize("days", [30, 45, 60, 90])
def test_t3_one_trial_duration_for_all_services(db, partner, days):
    trial = start(*partner, duration_days=days)
    assert trial.starts_on == TODAY and trial.ends_on == TODAY + timedelta(days=days)


def test_t3_every_trial_service_can_be_chosen_at_once(db, partner):
    trial = start(
        *partner,
        services=list(TRIAL_SERVICES),
        site="fabrikam",
        time_zone="Europe/Amsterdam",
        devices={"phone": 2, "board": 5, "desk_device": 0},
    )
    assert {s.service for s in trial.services} == set(TRIAL_SERVICES)
    assert (trial.meetings_site_url, trial.meetings_time_zone) == ("fabrikam", "Europe/Amsterdam")


def test_t5_devices_with_a_count_of_zero_are_not_a_shipment(db, partner):
    trial = start(*partner, services=["messaging"], devices={"phone": 0})
    assert db.scalars(select(DeviceShipment).where(DeviceShipment.trial_id == trial.id)).all() == []


def test_t5_one_shipment_per_device_type_and_boards_are_license_only(db, partner):
    trial = start(*partner, services=["devices"], duration_days=90, devices={"phone": 3, "board": 5})
    shipments = {
        s.device_type: s for s in db.scalars(select(DeviceShipment).where(DeviceShipment.trial_id == trial.id))
    }
    assert set(shipments) == {"phone", "board"}
    assert (shipments["phone"].quantity, shipments["phone"].shipped_at) == (3, START)
    assert (shipments["board"].quantity, shipments["board"].shipped_at) == (5, None)
    assert trial.devices_end_on == TODAY + timedelta(days=90)


# --- T2: a new customer -------------------------------------------------------------------------


def test_t2_a_new_customer_gets_its_organization_admin_and_partner_link(db, partner, clock):
    org, admin = partner
    trial = start(
        org,
        admin,
        company="  Fabrikam Ltd  ",
        admin_email="IT@Fabrikam.Example",
        country="SE",
        duration_days=45,
        language="sv",
        site="",
        time_zone="",
    )
    customer = db.get(Organization, trial.customer_id)
    assert (customer.name, customer.kind, customer.country, customer.data_region) == (
        "Fabrikam Ltd",
        "customer",
        "SE",
        "EU",
    )
    assert customer.created_at == START and customer.managing_partner_id == org.id
    user = db.scalar(select(User).where(User.email == "it@fabrikam.example"))
    assert user.organization_id == customer.id and user.role == "full_admin"
    assert user.admin_role.granted_at == START
    assert (user.language, user.page_language, user.created_at) == (None, "sv", START)
    link = lifecycle.relationship(org.id, customer.id)
    assert (link.access_level, link.created_at) == ("full_admin", START)
    assert trial.status == "awaiting_provisioning"
    assert (trial.partner_id, trial.started_by_id, trial.license_count) == (org.id, admin.id, 25)
    assert (trial.admin_email, trial.industry) == ("it@fabrikam.example", "manufacturing")
    assert (trial.meetings_site_url, trial.meetings_time_zone) == (None, None)
    assert (trial.full_admin_access_requested, trial.created_at, trial.devices_end_on) == (False, START, None)
    assert trial.ends_on == TODAY + timedelta(days=45) and trial.provisioned_at is None
    assert [(s.service, s.open_customer_id) for s in trial.services] == [("messaging", customer.id)]
    [event] = events(db, "trial_started")
    assert (event.actor_id, event.organization_id) == (admin.id, org.id)
    assert event.details == {
        "trial": trial.id,
        "customer": "Fabrikam Ltd",
        "status": "awaiting_provisioning",
        "services": ["messaging"],
    }
    assert db.scalar(select(ConsentRequest.id)) is None
    assert mails(db, "trial_consent") == [] and mails(db, "trial_started") == []


def test_t2_the_customer_must_be_confirmed_in_a_supported_location(db, partner):
    assert refused(start, *partner, supported_location=False).field == "supported_location"
    assert refused(start, *partner, country="BY").field == "country"


def test_t2_an_existing_customer_needs_no_location_confirmation(db, partner, make_customer):
    customer, customer_admin = make_customer(partner[0])
    trial = start(*partner, admin_email=customer_admin.email, supported_location=False)
    assert trial.customer_id == customer.id


# --- T7, T10: an existing customer --------------------------------------------------------------


def test_t7_the_email_of_a_partner_or_the_free_consumer_organization_is_refused(db, partner, make_partner):
    _, other_admin = make_partner()
    assert refused(start, *partner, admin_email=other_admin.email).field == "admin_email"
    free = Organization(
        name="Consumers", kind="customer", country="NL", data_region="EU", created_at=START, free_consumer=True
    )
    db.add(free)
    db.flush()
    consumer = add_user(db, free, "someone@consumer.example")
    assert refused(start, *partner, admin_email=consumer.email).field == "admin_email"


def test_t7_a_trial_for_an_existing_organization_needs_the_partners_confirmation(db, partner, make_customer):
    _, customer_admin = make_customer()
    error = refused(start, *partner, admin_email=customer_admin.email, existing_confirmed=False)
    assert error.field == "confirm_existing"
    assert db.scalar(select(Trial.id)) is None


def test_t7_the_confirmation_of_the_existing_organization_is_never_assumed(db, partner, make_customer):
    _, customer_admin = make_customer()
    values = dict(company="Any", industry="retail", country="NL", services=["messaging"], license_count=5)
    with pytest.raises(TrialRuleError) as info:
        lifecycle.start_trial(
            partner=partner[0],
            actor=partner[1],
            admin_email=customer_admin.email,
            duration_days=30,
            supported_location=True,
            **values,
        )
    assert info.value.field == "confirm_existing"


def test_t7_a_service_the_customer_bought_cannot_be_trialled(db, partner, make_customer):
    customer, customer_admin = make_customer(partner[0])
    subscribe(db, customer, ["messaging"])
    error = refused(start, *partner, admin_email=customer_admin.email, services=["messaging"])
    assert error.field == "services"
    assert start(*partner, admin_email=customer_admin.email, services=["meetings"]).status == "active"


def test_t10_a_trial_for_a_customer_with_full_admin_access_starts_at_once_and_emails_every_admin(
    db, partner, make_customer
):
    org, admin = partner
    customer, customer_admin = make_customer(org, language="nl")
    reader = add_user(db, customer, "reader@customer.example", "read_only_admin", language="en")
    add_user(db, customer, "plain@customer.example")
    trial = start(org, admin, admin_email=customer_admin.email, services=["messaging", "calling"])
    assert trial.status == "active" and trial.provisioned_at == START
    started = mails(db, "trial_started")
    assert [(m.to_address, m.language) for m in started] == [(customer_admin.email, "nl"), (reader.email, "en")]
    assert started[1].dedupe_key == f"trial:{trial.id}:started:{reader.id}"
    assert org.name in started[1].body_text and customer.name in started[1].body_text
    assert "Messaging" in started[1].body_text and "Calling" in started[1].body_text
    assert "December 20, 2026" in started[1].body_text
    assert db.scalar(select(ConsentRequest.id)) is None and mails(db, "trial_consent") == []
    [event] = events(db, "trial_started")
    assert event.details["status"] == "active"


@pytest.mark.parametrize("access", [None, "none", "provisioning_admin"])
def test_t7_t8_without_full_admin_access_the_customer_is_asked_for_consent(
    db, partner, make_customer, make_trial, access
):
    trial, customer, customer_admin = pending_trial(db, partner, make_customer, make_trial, access=access)
    request = db.scalar(select(ConsentRequest).where(ConsentRequest.trial_id == trial.id))
    assert (request.requested_at, request.last_sent_at, request.answer) == (START, START, None)
    assert [m.to_address for m in mails(db, "trial_consent")] == [customer_admin.email]
    assert mails(db, "trial_started") == [] and trial.provisioned_at is None
    assert trial.customer_id == customer.id


# --- T8: consent --------------------------------------------------------------------------------


def test_t8_consent_goes_only_to_the_admin_email_when_it_is_a_full_admins(db, partner, make_customer, make_trial):
    org, admin = partner
    customer, customer_admin = make_customer(language="nl")
    add_user(db, customer, "second@customer.example", "full_admin", language="sv")
    trial = make_trial(org, admin, admin_email=customer_admin.email)
    assert lifecycle.consent_recipients(trial) == [(customer_admin.email, "nl")]
    [consent] = mails(db, "trial_consent")
    assert (consent.to_address, consent.language) == (customer_admin.email, "nl")
    assert consent.dedupe_key == f"trial:{trial.id}:consent:start:{customer_admin.email}"


def test_t8_consent_goes_to_the_admin_email_and_every_full_admin_otherwise(db, partner, make_customer, make_trial):
    org, admin = partner
    customer, customer_admin = make_customer(language="bg")
    second = add_user(db, customer, "a.second@customer.example", "full_admin", language="en")
    add_user(db, customer, "reader@customer.example", "read_only_admin", language="nl")
    plain = add_user(db, customer, "plain@customer.example", language="sl")
    trial = make_trial(org, admin, admin_email="Plain@Customer.example", services=("messaging", "calling"))
    expected = [(plain.email, "sl"), (second.email, "en"), (customer_admin.email, "bg")]
    assert lifecycle.consent_recipients(trial) == expected
    assert [(m.to_address, m.language) for m in mails(db, "trial_consent")] == expected
    body = mails(db, "trial_consent")[1].body_text
    assert org.name in body and customer.name in body
    assert "Messaging" in body and "Calling" in body
    assert "December 20, 2026" in body  # 30 days to answer
    assert "provisioning access only" in body and "full admin access" not in body


def test_t8_the_consent_email_says_when_full_admin_access_is_asked(db, partner, make_customer, make_trial):
    trial, *_ = pending_trial(db, partner, make_customer, make_trial, full_admin_access=True)
    body = mails(db, "trial_consent")[0].body_text
    assert "also asks for full admin access" in body and "provisioning access only" not in body
    assert trial.full_admin_access_requested is True


def test_t8_an_admin_email_no_longer_known_gets_the_consent_in_the_page_language_or_english(
    app, db, partner, make_customer, make_trial
):
    org, admin = partner
    customer, customer_admin = make_customer(language="bg")
    plain = add_user(db, customer, "plain@customer.example", language="sl")
    trial = make_trial(org, admin, admin_email=plain.email)
    db.delete(plain)
    db.commit()
    assert lifecycle.consent_recipients(trial) == [(plain.email, "en"), (customer_admin.email, "bg")]
    with app.test_request_context():
        g.lang = "nl"
        assert lifecycle.consent_recipients(trial)[0] == (plain.email, "nl")


# --- T9: resending, answering -------------------------------------------------------------------


def test_t9_the_partner_resends_the_consent_email_to_every_recipient(db, partner, make_customer, make_trial, clock):
    org, admin = partner
    customer, customer_admin = make_customer()
    add_user(db, customer, "second@customer.example", "full_admin")
    plain = add_user(db, customer, "plain@customer.example")
    trial = make_trial(org, admin, admin_email=plain.email)
    clock.advance(days=3)
    assert lifecycle.resend_consent(trial, actor=admin, nonce="n1") == 3
    request = db.scalar(select(ConsentRequest).where(ConsentRequest.trial_id == trial.id))
    assert (request.requested_at, request.last_sent_at) == (START, START + timedelta(days=3))
    [event] = events(db, "consent_resent")
    assert (event.actor_id, event.organization_id, event.details) == (admin.id, org.id, {"trial": trial.id})
    assert lifecycle.resend_consent(trial, actor=admin, nonce="n1") == 0  # the same click twice
    assert lifecycle.resend_consent(trial, actor=admin, nonce="n2") == 3
    assert len(mails(db, "trial_consent", to=plain.email)) == 3


def test_t9_an_answered_trial_request_is_not_resent(db, partner, make_customer, make_trial):
    trial, _, customer_admin = pending_trial(db, partner, make_customer, make_trial)
    lifecycle.answer_consent(trial, user=customer_admin, accept=True)
    refused(lifecycle.resend_consent, trial, actor=partner[1], nonce="x")
    assert len(mails(db, "trial_consent")) == 1


def test_t8_only_a_full_admin_of_the_customer_answers(db, partner, make_customer, make_trial):
    trial, customer, _ = pending_trial(db, partner, make_customer, make_trial)
    reader = add_user(db, customer, "reader@customer.example", "read_only_admin")
    for user in (reader, partner[1]):  # partner[1] is a full admin, of another organization
        refused(lifecycle.answer_consent, trial, user=user, accept=True)
    assert trial.status == "pending_consent"


def test_t8_accepting_makes_the_partner_a_provisioning_admin(db, partner, make_customer, make_trial, clock):
    org, _ = partner
    trial, customer, customer_admin = pending_trial(db, partner, make_customer, make_trial)
    clock.advance(days=2)
    lifecycle.answer_consent(trial, user=customer_admin, accept=True)
    request = db.scalar(select(ConsentRequest).where(ConsentRequest.trial_id == trial.id))
    later = START + timedelta(days=2)
    assert (request.answer, request.answered_at, request.answered_by_id) == ("accepted", later, customer_admin.id)
    assert trial.status == "awaiting_provisioning" and trial.cancelled_at is None
    link = lifecycle.relationship(org.id, customer.id)
    assert (link.access_level, link.created_at) == ("provisioning_admin", later)
    [event] = events(db, "consent_answered")
    assert (event.actor_id, event.organization_id) == (customer_admin.id, org.id)
    assert event.details == {"trial": trial.id, "answer": "accepted"}


def test_t8_accepting_a_request_for_full_admin_access_grants_it(db, partner, make_customer, make_trial):
    trial, customer, customer_admin = pending_trial(db, partner, make_customer, make_trial, full_admin_access=True)
    lifecycle.answer_consent(trial, user=customer_admin, accept=True)
    assert lifecycle.relationship(partner[0].id, customer.id).access_level == "full_admin"


@pytest.mark.parametrize(
    "before, full_access, after",
    [
        ("none", False, "provisioning_admin"),
        ("provisioning_admin", True, "full_admin"),
        ("provisioning_admin", False, "provisioning_admin"),
    ],
)
def test_t8_consent_raises_an_existing_access_level(db, partner, make_customer, make_trial, before, full_access, after):
    trial, customer, customer_admin = pending_trial(
        db, partner, make_customer, make_trial, access=before, full_admin_access=full_access
    )
    lifecycle.answer_consent(trial, user=customer_admin, accept=True)
    link = lifecycle.relationship(partner[0].id, customer.id)
    assert link.access_level == after and link.created_at == customer.created_at


def test_t8_consent_never_lowers_the_access_level(db, partner, make_customer, make_trial):
    org, admin = partner
    customer, customer_admin = make_customer()
    full = make_trial(org, admin, admin_email=customer_admin.email, full_admin_access=True)
    plain = make_trial(org, admin, admin_email=customer_admin.email, services=("meetings",))
    lifecycle.answer_consent(full, user=customer_admin, accept=True)
    lifecycle.answer_consent(plain, user=customer_admin, accept=True)
    assert lifecycle.relationship(org.id, customer.id).access_level == "full_admin"


def test_t9_declining_cancels_the_trial_and_frees_its_services(
    db, partner, make_partner, make_customer, make_trial, clock
):
    trial, customer, customer_admin = pending_trial(db, partner, make_customer, make_trial)
    clock.advance(hours=5)
    lifecycle.answer_consent(trial, user=customer_admin, accept=False)
    request = db.scalar(select(ConsentRequest).where(ConsentRequest.trial_id == trial.id))
    assert (request.answer, request.answered_at) == ("declined", START + timedelta(hours=5))
    assert (trial.status, trial.cancelled_at) == ("cancelled", START + timedelta(hours=5))
    assert lifecycle.relationship(partner[0].id, customer.id) is None
    assert [s.open_customer_id for s in trial.services] == [None]
    assert "messaging" in lifecycle.available_services(customer)
    assert events(db, "consent_answered")[0].details["answer"] == "declined"
    refused(lifecycle.answer_consent, trial, user=customer_admin, accept=True)  # answered once


# --- T6: provisioning ---------------------------------------------------------------------------


def test_t6_provisioning_welcomes_every_full_admin_of_the_customer(db, partner, make_trial, clock):
    org, admin = partner
    trial = make_trial(org, admin, admin_email="it@fabrikam.example", services=("messaging", "meetings"))
    customer = db.get(Organization, trial.customer_id)
    second = add_user(db, customer, "second@fabrikam.example", "full_admin", language="sv")
    add_user(db, customer, "reader@fabrikam.example", "read_only_admin")
    clock.advance(hours=1)
    lifecycle.provision(trial, actor=admin)
    assert (trial.status, trial.provisioned_at) == ("active", START + timedelta(hours=1))
    welcome = mails(db, "trial_welcome")
    assert [m.to_address for m in welcome] == ["it@fabrikam.example", second.email]
    first_admin = db.scalar(select(User).where(User.email == "it@fabrikam.example"))
    assert welcome[0].dedupe_key == f"trial:{trial.id}:welcome:{first_admin.id}"
    assert "choose one first" in welcome[0].body_text  # no password yet: the invitation link
    assert "choose one first" not in welcome[1].body_text and welcome[1].language == "sv"
    assert customer.name in welcome[0].body_text and "Meetings" in welcome[0].body_text
    assert "December 20, 2026" in welcome[0].body_text
    [event] = events(db, "trial_provisioned")
    assert (event.actor_id, event.organization_id, event.details) == (admin.id, org.id, {"trial": trial.id})


def test_t6_only_a_trial_awaiting_provisioning_is_provisioned(db, partner, make_partner, make_trial, active):
    refused(lifecycle.provision, active, actor=partner[1])
    trial = make_trial(*partner)
    _, other_admin = make_partner()
    refused(lifecycle.provision, trial, actor=other_admin)
    assert trial.status == "awaiting_provisioning" and mails(db, "trial_welcome", to=trial.admin_email) == []


# --- T11: extending -----------------------------------------------------------------------------


def test_t11_the_new_end_is_counted_from_today(db, partner, active, clock):
    clock.advance(days=10)
    assert lifecycle.extension_end(30) == TODAY + timedelta(days=40)
    assert lifecycle.extend(active, days=30, actor=partner[1]) == TODAY + timedelta(days=40)
    assert active.ends_on == TODAY + timedelta(days=40) and active.status == "active"
    [event] = events(db, "trial_extended")
    assert (event.actor_id, event.organization_id) == (partner[1].id, partner[0].id)
    assert event.details == {"trial": active.id, "previous": "2026-12-20", "ends_on": "2026-12-30"}


def test_t11_an_extension_to_the_current_end_is_accepted_an_earlier_one_refused(db, partner, make_trial):
    trial = make_trial(*partner, days=45)
    assert lifecycle.extend(trial, days=45, actor=partner[1]) == trial.ends_on  # the same day
    error = refused(lifecycle.extend, trial, days=30, actor=partner[1])
    assert error.field == "days" and trial.ends_on == TODAY + timedelta(days=45)
    assert "earlier than the current one (January 4, 2027)" in str(error)


def test_t11_only_the_trial_durations_are_offered(db, partner, active):
    assert refused(lifecycle.extend, active, days=31, actor=partner[1]).field == "days"


def test_t11_an_expired_trial_extended_in_its_grace_period_is_active_again(db, partner, active, clock):
    clock.at = START + timedelta(days=31)
    schedule.expirations()
    trial = db.get(Trial, active.id)
    assert trial.status == "expired"
    lifecycle.extend(trial, days=30, actor=partner[1])
    assert trial.status == "active" and trial.ends_on == TODAY + timedelta(days=61)


def test_t11_a_trial_awaiting_provisioning_can_be_extended(db, partner, make_trial, clock):
    trial = make_trial(*partner)
    clock.advance(days=1)
    lifecycle.extend(trial, days=30, actor=partner[1])
    assert trial.status == "awaiting_provisioning" and trial.ends_on == TODAY + timedelta(days=31)


def test_t11_an_ended_trial_cannot_be_extended(db, partner, active):
    lifecycle.cancel(active, actor=partner[1])
    refused(lifecycle.extend, active, days=90, actor=partner[1])
    assert events(db, "trial_extended") == []


# --- T19: device returns ------------------------------------------------------------------------


def test_t19_devices_are_due_back_two_weeks_after_the_device_expiry(db, partner, make_trial, clock):
    devices = make_trial(*partner, services=("devices",), devices={"phone": 1})
    plain = make_trial(*partner)
    assert lifecycle.return_due(devices) == TODAY + timedelta(days=44)
    assert lifecycle.return_due(plain) == TODAY + timedelta(days=44)
    clock.advance(days=20)
    lifecycle.extend(devices, days=60, actor=partner[1])  # the trial, not its devices (T11)
    lifecycle.extend(plain, days=60, actor=partner[1])
    assert lifecycle.return_due(devices) == TODAY + timedelta(days=44)
    assert lifecycle.return_due(plain) == TODAY + timedelta(days=94)


# --- T12, T3: changing a running trial ----------------------------------------------------------


def test_t12_services_are_added_and_removed_by_editing(db, partner, make_partner, active):
    org, admin = partner
    customer = db.get(Organization, active.customer_id)
    lifecycle.change(active, services=["meetings", "calling"], license_count=40, actor=admin)
    db.flush()
    held = db.scalars(select(TrialService).where(TrialService.trial_id == active.id)).all()
    assert {(s.service, s.open_customer_id) for s in held} == {("meetings", customer.id), ("calling", customer.id)}
    assert active.license_count == 40
    assert lifecycle.available_services(customer) == ["messaging", "enterprise_meetings", "devices"]
    [event] = events(db, "trial_changed")
    assert (event.actor_id, event.organization_id) == (admin.id, org.id)
    assert event.details == {"trial": active.id, "services": ["meetings", "calling"], "license_count": 40}


def test_t12_the_trial_can_take_every_service_still_available(db, partner, active):
    lifecycle.change(active, services=list(TRIAL_SERVICES), license_count=1, actor=partner[1])
    assert {s.service for s in active.services} == set(TRIAL_SERVICES) and active.license_count == 1


def test_t3_the_license_count_can_be_edited_later_from_1_to_10000(db, partner, active):
    lifecycle.change(active, services=["messaging", "meetings"], license_count=10_000, actor=partner[1])
    assert active.license_count == 10_000
    for count in (0, 10_001):
        error = refused(lifecycle.change, active, services=["messaging"], license_count=count, actor=partner[1])
        assert error.field == "license_count"
    assert active.license_count == 10_000


def test_t12_a_change_keeps_the_rules_of_the_choices(db, partner, make_partner, make_customer, make_trial):
    org, admin = partner
    customer, customer_admin = make_customer(org)
    subscribe(db, customer, ["calling"])
    other_org, other_admin = make_partner()
    db.add(
        PartnerCustomer(partner_id=other_org.id, customer_id=customer.id, access_level="full_admin", created_at=START)
    )
    db.commit()
    make_trial(other_org, other_admin, admin_email=customer_admin.email, services=("meetings",))
    trial = make_trial(org, admin, admin_email=customer_admin.email)
    for services in ([], ["messaging", "calling"], ["messaging", "meetings"]):
        error = refused(lifecycle.change, trial, services=services, license_count=5, actor=admin)
        assert error.field == "services"
    assert [s.service for s in trial.services] == ["messaging"] and trial.license_count == 25


def test_t12_only_a_running_trial_is_changed(db, partner, active, clock):
    clock.at = START + timedelta(days=31)
    schedule.expirations()
    trial = db.get(Trial, active.id)
    refused(lifecycle.change, trial, services=["messaging"], license_count=5, actor=partner[1])
    assert trial.license_count == 25 and events(db, "trial_changed") == []


# --- T15, T9: cancelling ------------------------------------------------------------------------


def test_t15_the_partner_cancels_a_trial(db, partner, active, clock):
    org, admin = partner
    clock.advance(days=4)
    lifecycle.cancel(active, actor=admin)
    assert (active.status, active.cancelled_at) == ("cancelled", START + timedelta(days=4))
    assert [s.open_customer_id for s in active.services] == [None, None]
    assert lifecycle.relationship(org.id, active.customer_id) is not None  # not a pending request
    [event] = events(db, "trial_cancelled")
    assert (event.actor_id, event.organization_id, event.details) == (admin.id, org.id, {"trial": active.id})
    error = refused(lifecycle.cancel, active, actor=admin)
    assert "already ended" in str(error)


def test_t15_a_customer_full_admin_cancels_a_read_only_admin_cannot(db, partner, active):
    customer = db.get(Organization, active.customer_id)
    reader = add_user(db, customer, "reader@customer.example", "read_only_admin")
    error = refused(lifecycle.cancel, active, actor=reader)
    assert "Only a full admin" in str(error)
    owner = db.scalar(select(User).where(User.email == active.admin_email))
    lifecycle.cancel(active, actor=owner)
    assert active.status == "cancelled" and events(db, "trial_cancelled")[0].actor_id == owner.id


def test_t15_an_expired_trial_can_be_cancelled_a_converted_one_not(db, partner, active, make_trial, clock):
    converted = make_trial(*partner)
    lifecycle.provision(converted, actor=partner[1])
    clock.at = START + timedelta(days=31)
    schedule.expirations()
    trial = db.get(Trial, active.id)
    lifecycle.cancel(trial, actor=partner[1])
    assert trial.status == "cancelled"
    trial = db.get(Trial, converted.id)
    convert(trial, partner[1])
    refused(lifecycle.cancel, trial, actor=partner[1])
    assert trial.status == "converted"


def test_t9_the_partner_withdraws_a_pending_request_whatever_its_access(db, partner, make_customer, make_trial):
    trial, customer, _ = pending_trial(db, partner, make_customer, make_trial, access="none")
    lifecycle.cancel(trial, actor=partner[1])
    assert trial.status == "cancelled"
    # The link existed before the trial: the customer stays in the partner's list.
    assert lifecycle.relationship(partner[0].id, customer.id).access_level == "none"


def _pending_with_link(db, partner, make_customer, make_trial, *, link_delay=timedelta(0)):
    """A pending trial, and a link to its customer made ``link_delay`` after the trial."""
    trial, customer, customer_admin = pending_trial(db, partner, make_customer, make_trial)
    db.add(
        PartnerCustomer(
            partner_id=partner[0].id,
            customer_id=customer.id,
            access_level="provisioning_admin",
            created_at=trial.created_at + link_delay,
        )
    )
    db.commit()
    return trial, customer, customer_admin


def test_t9_a_customer_known_only_from_the_cancelled_request_leaves_the_list(
    db, partner, make_partner, make_customer, make_trial
):
    org, admin = partner
    trial, customer, _ = _pending_with_link(db, partner, make_customer, make_trial)
    other_org, _ = make_partner()
    elsewhere, _ = make_customer()
    later = trial.created_at + timedelta(minutes=5)
    db.add(PartnerCustomer(partner_id=other_org.id, customer_id=customer.id, access_level="none", created_at=later))
    db.add(PartnerCustomer(partner_id=org.id, customer_id=elsewhere.id, access_level="full_admin", created_at=later))
    db.commit()
    lifecycle.cancel(trial, actor=admin)
    assert lifecycle.relationship(org.id, customer.id) is None
    assert lifecycle.relationship(other_org.id, customer.id) is not None
    assert lifecycle.relationship(org.id, elsewhere.id) is not None


def test_t9_a_link_older_than_the_request_stays(db, partner, make_customer, make_trial):
    trial, customer, _ = _pending_with_link(db, partner, make_customer, make_trial, link_delay=-timedelta(seconds=1))
    lifecycle.cancel(trial, actor=partner[1])
    assert lifecycle.relationship(partner[0].id, customer.id) is not None


def test_t9_another_open_trial_of_the_partner_keeps_the_customer_in_the_list(db, partner, make_customer, make_trial):
    trial, customer, customer_admin = _pending_with_link(db, partner, make_customer, make_trial)
    make_trial(*partner, admin_email=customer_admin.email, services=("meetings",))
    lifecycle.cancel(trial, actor=partner[1])
    assert lifecycle.relationship(partner[0].id, customer.id) is not None


def test_t9_trials_of_other_partners_or_customers_or_closed_ones_do_not_keep_the_customer(
    db, partner, make_partner, make_customer, make_trial
):
    org, admin = partner
    trial, customer, customer_admin = _pending_with_link(db, partner, make_customer, make_trial)
    other_org, other_admin = make_partner()
    make_trial(other_org, other_admin, admin_email=customer_admin.email, services=("meetings",))
    make_trial(org, admin)  # the partner's trial for another (new) customer
    closed = make_trial(org, admin, admin_email=customer_admin.email, services=("calling",))
    lifecycle.cancel(closed, actor=admin)
    db.commit()
    assert lifecycle.relationship(org.id, customer.id) is not None
    lifecycle.cancel(trial, actor=admin)
    assert lifecycle.relationship(org.id, customer.id) is None


def _mapped_order(db, partner_org, partner_admin, customer, make_order):
    order = make_order(partner_org, partner_admin)
    order.status, order.mapped_organization_id, order.mapped_at = "mapped", customer.id, START
    db.commit()
    return order


def test_t9_an_order_mapped_to_the_customer_keeps_it_in_the_list(db, partner, make_customer, make_trial, make_order):
    trial, customer, _ = _pending_with_link(db, partner, make_customer, make_trial)
    _mapped_order(db, *partner, customer, make_order)
    lifecycle.cancel(trial, actor=partner[1])
    assert lifecycle.relationship(partner[0].id, customer.id) is not None


def test_t9_orders_of_another_partner_or_for_another_organization_do_not_keep_the_customer(
    db, partner, make_partner, make_customer, make_trial, make_order
):
    trial, customer, _ = _pending_with_link(db, partner, make_customer, make_trial)
    _mapped_order(db, *make_partner(), customer, make_order)
    elsewhere, _ = make_customer(partner[0])
    _mapped_order(db, *partner, elsewhere, make_order)
    make_order(*partner)  # not mapped yet
    lifecycle.cancel(trial, actor=partner[1])
    assert lifecycle.relationship(partner[0].id, customer.id) is None


# --- T13, T14: purchase -------------------------------------------------------------------------


def test_t13_interest_in_purchasing_emails_the_partners_trial_admins(db, partner, make_partner, active, clock):
    org, admin = partner
    sales = add_user(db, org, "sales@partner.example", "sales_admin", language="nl")
    add_user(db, org, "salesfull@partner.example", "sales_full_admin")
    add_user(db, org, "reader@partner.example", "read_only_admin")
    make_partner()
    customer = db.get(Organization, active.customer_id)
    owner = db.scalar(select(User).where(User.email == active.admin_email))
    assert lifecycle.interested(active, user=owner) == 3
    sent = mails(db, "trial_interested")
    assert [m.to_address for m in sent] == [admin.email, sales.email, "salesfull@partner.example"]
    assert sent[1].language == "nl"
    assert sent[1].dedupe_key == f"trial:{active.id}:interested:2026-11-20:{sales.id}"
    assert customer.name in sent[0].body_text and owner.email in sent[0].body_text
    [event] = events(db, "purchase_interest")
    assert (event.actor_id, event.organization_id, event.details) == (owner.id, org.id, {"trial": active.id})
    assert lifecycle.interested(active, user=owner) == 0  # once a day
    clock.advance(days=1)
    assert lifecycle.interested(active, user=owner) == 3


def test_t13_only_the_customers_admins_ask_to_purchase(db, partner, active):
    refused(lifecycle.interested, active, user=partner[1])
    assert mails(db, "trial_interested") == [] and events(db, "purchase_interest") == []


def convert(trial, actor, **overrides):
    values = dict(
        admin_email=trial.admin_email,
        offer="A-SPK",
        contact="Buyer@Customer.example",
        language="nl",
        submission_key="conversion-1",
    )
    values.update(overrides)
    return lifecycle.convert(trial, actor=actor, **values)


def test_t13_t14_a_tier_1_partner_converts_the_trial_into_a_mapped_order(db, partner, make_trial, clock):
    org, admin = partner
    trial = make_trial(org, admin, services=("messaging", "calling", "devices"), licenses=12)
    lifecycle.provision(trial, actor=admin)
    clock.advance(days=5)
    now = START + timedelta(days=5)
    order = convert(trial, admin, admin_email="  " + trial.admin_email.upper())
    assert (order.partner_id, order.placed_by_id, order.offer, order.status) == (org.id, admin.id, "A-SPK", "mapped")
    assert (order.requested_start, order.provisioning_contact, order.setup_language) == (
        TODAY + timedelta(days=5),
        "buyer@customer.example",
        "nl",
    )
    assert (order.submission_key, order.link_version, order.created_at, order.mapped_at) == (
        "conversion-1",
        1,
        now,
        now,
    )
    assert order.mapped_organization_id == trial.customer_id and order.setup_email_sent_at == now
    assert [(line.service, line.quantity, line.status) for line in order.lines] == [
        ("messaging", 12, "awaiting_provisioning"),
        ("meetings", 12, "awaiting_provisioning"),
    ]
    subscription = db.scalar(select(Subscription).where(Subscription.organization_id == trial.customer_id))
    assert (subscription.order_id, subscription.offer, subscription.status, subscription.created_at) == (
        order.id,
        "A-SPK",
        "pending",
        now,
    )
    assert (trial.status, trial.converted_at) == ("converted", now)
    assert all(s.open_customer_id is None for s in trial.services)
    [event] = events(db, "trial_converted")
    assert (event.actor_id, event.organization_id, event.order_id) == (admin.id, org.id, order.id)
    customer = db.get(Organization, trial.customer_id)
    assert event.details == {
        "trial": trial.id,
        "offer": "A-SPK",
        "lost_services": ["calling"],  # devices are returned, not bought
        "customer": customer.name,
    }
    [setup] = mails(db, "setup_now")
    assert (setup.to_address, setup.language, setup.order_id) == ("buyer@customer.example", "nl", order.id)
    assert setup.dedupe_key == f"order:{order.id}:setup:conversion"
    [queued] = events(db, "setup_email_queued")
    assert queued.actor_id == admin.id


def test_t13_a_tier_2_partner_is_told_to_contact_its_distributor(db, make_partner, make_trial):
    org, admin = make_partner(tier=2)
    trial = make_trial(org, admin)
    lifecycle.provision(trial, actor=admin)
    error = refused(convert, trial, admin)
    assert "distributor" in str(error) and trial.status == "active"


def test_t14_the_trials_admin_email_must_be_entered_exactly(db, partner, active):
    error = refused(convert, active, partner[1], admin_email="other@" + active.admin_email.split("@")[1])
    assert error.field == "admin_email"
    assert refused(convert, active, partner[1], offer="A-NONE").field == "offer"
    assert active.status == "active" and db.scalar(select(Order.id)) is None


def test_t17_an_expired_trial_converts_one_awaiting_provisioning_not(db, partner, active, make_trial, clock):
    waiting = make_trial(*partner)
    refused(convert, waiting, partner[1])
    clock.at = START + timedelta(days=31)
    schedule.expirations()
    trial = db.get(Trial, active.id)
    assert convert(trial, partner[1], offer="A-WX").offer == "A-WX"
    assert events(db, "trial_converted")[0].details["lost_services"] == []


# --- T19: serial numbers ------------------------------------------------------------------------


def shipment_of(db, trial, kind="phone"):
    return db.scalar(
        select(DeviceShipment).where(DeviceShipment.trial_id == trial.id, DeviceShipment.device_type == kind)
    )


@pytest.fixture
def shipped(db, partner, make_trial):
    trial = make_trial(*partner, services=("devices",), devices={"phone": 2, "board": 2})
    return trial, shipment_of(db, trial)


def test_t19_serials_are_recorded_once_one_per_device(db, partner, shipped):
    trial, shipment = shipped
    admin = partner[1]
    for serials in (["A1"], ["A1", "A1"], ["A1", "B2", "C3"]):
        assert refused(lifecycle.record_serials, shipment, serials, actor=admin).field == "serials"
    lifecycle.record_serials(shipment, ["B2", "A1"], actor=admin)
    assert shipment.serials == "B2\nA1"
    lifecycle.record_serials(shipment, ["A1", "B2"], actor=admin)  # the same list again
    assert shipment.serials == "B2\nA1"
    assert refused(lifecycle.record_serials, shipment, ["A1", "C3"], actor=admin).field == "serials"
    assert shipment.serials == "B2\nA1"


def test_t19_board_licenses_have_no_serials(db, partner, shipped):
    trial, _ = shipped
    board = shipment_of(db, trial, "board")
    error = refused(lifecycle.record_serials, board, ["X1", "X2"], actor=partner[1])
    assert "license-only" in str(error) and board.serials is None


def test_t19_another_partner_cannot_record_serials(db, make_partner, shipped):
    _, shipment = shipped
    refused(lifecycle.record_serials, shipment, ["A1", "B2"], actor=make_partner()[1])
    refused(lifecycle.record_return, shipment, [], actor=make_partner()[1])
    assert shipment.serials is None


def test_t19_a_return_needs_the_serials_shipped(db, partner, shipped):
    _, shipment = shipped
    error = refused(lifecycle.record_return, shipment, [], actor=partner[1])
    assert error.field == "serials" and "before recording a return" in str(error)
    assert shipment.returned_serials is None


def test_t19_returned_serials_must_match_those_shipped(db, partner, shipped, clock):
    _, shipment = shipped
    admin = partner[1]
    lifecycle.record_serials(shipment, ["A1", "B2"], actor=admin)
    error = refused(lifecycle.record_return, shipment, ["A1", "Z9", "Y8"], actor=admin)
    assert error.field == "serials" and "Y8, Z9" in str(error)
    assert shipment.returned_serials is None
    assert lifecycle.record_return(shipment, ["B2"], actor=admin) == ([], ["A1"])
    assert (shipment.returned_serials, shipment.returned_at) == ("B2", None)
    clock.advance(days=3)
    assert lifecycle.record_return(shipment, ["A1"], actor=admin) == ([], [])
    assert (shipment.returned_serials, shipment.returned_at) == ("A1\nB2", START + timedelta(days=3))
    clock.advance(days=3)
    assert lifecycle.record_return(shipment, ["A1", "B2"], actor=admin) == ([], [])
    assert (shipment.returned_serials, shipment.returned_at) == ("A1\nB2", START + timedelta(days=3))
