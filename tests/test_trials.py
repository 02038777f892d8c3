"""Enterprise trials, rules T1-T19, through the domain functions with the clock moved."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.domain import permissions
from portal.models import AdminRole, AuditEvent, DeviceShipment, Organization, OutgoingEmail, Trial, User
from portal.scheduler import run_tick
from portal.trials import lifecycle as trials
from portal.trials.lifecycle import TrialRuleError
from tests.concurrency import ticks_at_once
from tests.conftest import START


def user(db, email):
    return db.scalar(select(User).where(User.email == email))


def org(db, name):
    return db.scalar(select(Organization).where(Organization.name == name))


def start(db, actor="anna.dekker@northwind.example", **overrides):
    actor = user(db, actor)
    values = dict(
        partner=actor.organization,
        actor=actor,
        company="Fabrikam Ltd",
        admin_email="it@fabrikam.example",
        industry="manufacturing",
        country="NL",
        services=["messaging", "meetings"],
        license_count=50,
        duration_days=30,
        supported_location=True,
        language="nl",
        existing_confirmed=True,
    )
    values.update(overrides)
    trial = trials.start_trial(**values)
    db.commit()
    return trial


def emails_to(db, address, kind=None):
    query = select(OutgoingEmail).where(OutgoingEmail.to_address == address)
    if kind:
        query = query.where(OutgoingEmail.kind == kind)
    return db.scalars(query).all()


# --- T1-T6: starting a trial for a new customer ------------------------------------------------


@pytest.mark.parametrize(
    "email, allowed",
    [
        ("anna.dekker@northwind.example", True),  # full admin of a certified partner
        ("sven.holm@northwind.example", True),  # sales admin
        ("lars.berg@northwind.example", False),  # read-only admin
        ("maja.novak@ljconnect.example", False),  # full admin of an uncertified partner
        ("admin@contoso.example", False),  # a customer
    ],
)
def test_t1_only_certified_partners_with_the_right_role_start_trials(db, demo, email, allowed):
    assert permissions.may_start_trials(user(db, email)) is allowed
    if not allowed:
        with pytest.raises(TrialRuleError):
            start(db, actor=email)


def test_t2_new_customer_gets_an_organization_in_the_countrys_region(db, demo):
    trial = start(db, country="SI")
    customer = db.get(Organization, trial.customer_id)
    assert customer.name == "Fabrikam Ltd" and customer.data_region == "EU" and customer.managing_partner_id
    admin = user(db, "it@fabrikam.example")
    assert admin.organization_id == customer.id and admin.role == "full_admin"
    assert trial.status == "awaiting_provisioning" and trial.industry == "manufacturing"


def test_t2_supported_location_must_be_confirmed_and_country_supported(db, demo):
    with pytest.raises(TrialRuleError) as error:
        start(db, supported_location=False)
    assert error.value.field == "supported_location"
    with pytest.raises(TrialRuleError) as error:
        start(db, country="KP")
    assert error.value.field == "country"


def test_t3_one_license_count_and_one_duration_for_all_services(db, demo):
    trial = start(db, services=["messaging", "meetings", "calling"], license_count=200, duration_days=60)
    assert trial.license_count == 200 and trial.ends_on == START.date() + timedelta(days=60)
    with pytest.raises(TrialRuleError):
        start(db, admin_email="b@fabrikam2.example", duration_days=17)
    with pytest.raises(TrialRuleError):
        start(db, admin_email="c@fabrikam3.example", services=[])


def test_t4_enterprise_meetings_need_a_site_and_a_time_zone(db, demo):
    with pytest.raises(TrialRuleError) as error:
        start(db, services=["enterprise_meetings"])
    assert error.value.field == "site"
    trial = start(db, services=["enterprise_meetings"], site="fabrikam.meetings.example", time_zone="Europe/Amsterdam")
    assert trial.meetings_time_zone == "Europe/Amsterdam"


def test_t5_one_shipment_per_device_type_and_at_most_five_board_licenses(db, demo):
    with pytest.raises(TrialRuleError):
        start(db, services=["devices"], devices={"board": 6})
    trial = start(db, services=["devices"], devices={"phone": 2, "board": 5})
    shipments = {
        s.device_type: s for s in db.scalars(select(DeviceShipment).where(DeviceShipment.trial_id == trial.id))
    }
    assert shipments["phone"].shipped_at is not None and shipments["board"].shipped_at is None  # boards: licenses only
    db.add(DeviceShipment(trial_id=trial.id, device_type="phone", quantity=3))
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):  # never a second phone shipment
        db.flush()


def test_t6_provisioning_sends_the_welcome_email(db, demo):
    trial = start(db)
    trials.provision(trial, actor=user(db, "anna.dekker@northwind.example"))
    db.commit()
    assert trial.status == "active"
    [welcome] = emails_to(db, "it@fabrikam.example", "trial_welcome")
    assert welcome.language == "nl"


# --- T7-T10: existing customers ---------------------------------------------------------------


def test_t7_a_trial_for_an_existing_organization_needs_the_partners_confirmation(db, demo):
    trials_before = db.scalar(select(func.count()).select_from(Trial))
    with pytest.raises(TrialRuleError) as refused:
        start(
            db,
            admin_email="Admin@Contoso.example",
            company="Contoso",
            country="US",
            services=["devices"],
            existing_confirmed=False,
        )
    assert refused.value.field == "confirm_existing"
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Trial)) == trials_before
    assert (
        start(
            db, admin_email="admin@contoso.example", company="Contoso", country="US", services=["devices"]
        ).customer.name
        == "Contoso Manufacturing"
    )


def test_t7_only_services_not_bought_and_not_trialled_by_another_partner(db, demo):
    acme = org(db, "Acme Rockets")  # bought A-SPK: messaging and meetings
    assert trials.available_services(acme) == [
        "enterprise_meetings",
        "calling",
        "devices",
    ]
    start(
        db,
        actor="ivan.petrov@sofiacomm.example",
        admin_email="alex.acme_rockets0@acme.example",
        company="Acme",
        services=["calling"],
    )  # another partner trials calling
    assert "calling" not in trials.available_services(acme)


def test_t8_consent_goes_to_the_admin_if_full_admin(db, demo):
    trial = start(
        db,
        actor="ivan.petrov@sofiacomm.example",
        admin_email="admin@contoso.example",
        company="Contoso",
        services=["devices"],
    )
    assert trial.status == "pending_consent"
    assert [e.to_address for e in db.scalars(select(OutgoingEmail).where(OutgoingEmail.kind == "trial_consent"))] == [
        "admin@contoso.example"
    ]


def test_t8_consent_goes_to_the_email_and_every_full_admin_otherwise(db, demo):
    start(
        db,
        actor="ivan.petrov@sofiacomm.example",
        admin_email="alex.contoso_mfg0@contoso.example",
        company="Contoso",
        services=["devices"],
    )
    recipients = sorted(
        e.to_address for e in db.scalars(select(OutgoingEmail).where(OutgoingEmail.kind == "trial_consent"))
    )
    assert recipients == ["admin@contoso.example", "alex.contoso_mfg0@contoso.example"]


def test_t8_accepting_gives_the_access_asked_for(db, demo):
    trial = start(
        db,
        actor="ivan.petrov@sofiacomm.example",
        admin_email="admin@contoso.example",
        company="Contoso",
        services=["devices"],
        full_admin_access=False,
    )
    with pytest.raises(TrialRuleError):
        trials.answer_consent(trial, user=user(db, "alex.contoso_mfg0@contoso.example"), accept=True)  # not an admin
    trials.answer_consent(trial, user=user(db, "admin@contoso.example"), accept=True)
    db.commit()
    assert trial.status == "awaiting_provisioning"
    link = trials.relationship(trial.partner_id, trial.customer_id)
    assert link.access_level == "provisioning_admin"


def test_t9_resend_cancel_and_timeout(db, demo, clock):
    ivan = user(db, "ivan.petrov@sofiacomm.example")
    trial = start(db, actor=ivan.email, admin_email="admin@contoso.example", company="Contoso", services=["devices"])
    assert trials.resend_consent(trial, actor=ivan, nonce="resend-1") == 1
    trials.cancel(trial, actor=ivan)
    db.commit()
    assert trial.status == "cancelled" and trials.relationship(trial.partner_id, trial.customer_id) is None
    other = start(db, actor=ivan.email, admin_email="admin@contoso.example", company="Contoso", services=["devices"])
    clock.advance(days=30)
    run_tick()
    db.expire_all()
    assert db.get(Trial, other.id).status == "cancelled"
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "consent_timed_out")) is not None


def test_t10_a_paying_customer_gets_the_trial_at_once_and_every_admin_is_emailed(db, demo):
    trial = start(
        db, admin_email="admin@contoso.example", company="Contoso", services=["devices"]
    )  # Northwind manages Contoso
    assert trial.status == "active"
    assert emails_to(db, "admin@contoso.example", "trial_started")


# --- T11-T15: managing ------------------------------------------------------------------------


def test_t11_extension_counts_from_today_and_never_shortens(db, demo, clock):
    trial = start(db, duration_days=90)
    anna = user(db, "anna.dekker@northwind.example")
    clock.advance(days=25)  # 65 days left
    with pytest.raises(TrialRuleError):
        trials.extend(trial, days=30, actor=anna)  # would end earlier than now
    assert trials.extend(trial, days=90, actor=anna) == clock.at.date() + timedelta(days=90)


def test_t11_device_trials_last_at_most_120_days(db, demo):
    trial = start(db, services=["devices"], duration_days=90)
    assert trial.devices_end_on - trial.starts_on <= timedelta(days=120)


def test_t12_services_are_added_and_removed_by_editing(db, demo):
    trial = start(db, services=["messaging"])
    trials.change(
        trial, services=["meetings", "calling"], license_count=80, actor=user(db, "anna.dekker@northwind.example")
    )
    db.commit()
    assert sorted(s.service for s in trial.services) == ["calling", "meetings"] and trial.license_count == 80


def test_t13_interest_emails_the_partner(db, demo):
    trial = start(db)
    trials.provision(trial, actor=user(db, "anna.dekker@northwind.example"))
    assert trials.interested(trial, user=user(db, "it@fabrikam.example")) == 2  # anna and sven
    db.commit()
    assert emails_to(db, "anna.dekker@northwind.example", "trial_interested")


def test_t13_t14_tier_1_converts_with_the_exact_admin_email_and_keeps_usage(db, demo):
    trial = start(db, services=["messaging", "meetings", "calling"])
    anna = user(db, "anna.dekker@northwind.example")
    trials.provision(trial, actor=anna)
    with pytest.raises(TrialRuleError) as error:
        trials.convert(
            trial,
            actor=anna,
            admin_email="other@fabrikam.example",
            offer="A-WX",
            contact=anna.email,
            language="en",
            submission_key="convert-key-00001",
        )
    assert error.value.field == "admin_email"
    order = trials.convert(
        trial,
        actor=anna,
        admin_email="IT@fabrikam.example",
        offer="A-SPK",
        contact=anna.email,
        language="en",
        submission_key="convert-key-00002",
    )
    db.commit()
    assert order.mapped_organization_id == trial.customer_id and trial.status == "converted"
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "trial_converted"))
    assert event.details["lost_services"] == ["calling"]  # not in the paid order: lost
    assert db.scalar(select(func.count(User.id)).where(User.organization_id == trial.customer_id)) == 1  # usage kept
    [setup] = emails_to(db, "anna.dekker@northwind.example", "setup_now")  # the partner is the contact (T14)
    assert "/setup/" in setup.body_text


def test_t13_a_tier_2_partner_is_sent_to_its_distributor(db, demo):
    ivan = user(db, "ivan.petrov@sofiacomm.example")
    trial = start(db, actor=ivan.email)
    trials.provision(trial, actor=ivan)
    with pytest.raises(TrialRuleError, match="distributor"):
        trials.convert(
            trial,
            actor=ivan,
            admin_email="it@fabrikam.example",
            offer="A-WX",
            contact=ivan.email,
            language="bg",
            submission_key="convert-key-00003",
        )


def test_t15_partner_or_customer_cancels(db, demo):
    trial = start(db)
    trials.cancel(trial, actor=user(db, "it@fabrikam.example"))
    db.commit()
    assert trial.status == "cancelled" and trial.cancelled_at is not None
    with pytest.raises(TrialRuleError):
        trials.cancel(trial, actor=user(db, "anna.dekker@northwind.example"))


# --- T16-T18: time ----------------------------------------------------------------------------


def test_t16_t17_t18_a_trial_lives_its_whole_life(db, demo, clock):
    trial = start(db, services=["messaging", "calling"], duration_days=30)
    anna = user(db, "anna.dekker@northwind.example")
    trials.provision(trial, actor=anna)
    db.commit()
    trial_id, customer_id = trial.id, trial.customer_id
    ends = trial.ends_on

    clock.at = START.replace(day=START.day) + (ends - START.date() - timedelta(days=7))
    run_tick()
    run_tick()  # twice: nothing is sent twice
    assert len(emails_to(db, "it@fabrikam.example", "trial_expiring")) == 1
    assert len(emails_to(db, "anna.dekker@northwind.example", "trial_expiring")) == 1

    clock.at = START + (ends - START.date())
    run_tick()
    db.expire_all()
    assert db.get(Trial, trial_id).status == "expired"
    assert len(emails_to(db, "it@fabrikam.example", "trial_expired")) == 1

    clock.advance(days=29)
    run_tick()
    db.expire_all()
    assert db.get(Trial, trial_id).status == "expired"  # still in the grace period: convertible
    clock.advance(days=1)
    run_tick()
    db.expire_all()
    ended = db.get(Trial, trial_id)
    assert ended.status == "ended"
    [notice] = emails_to(db, "it@fabrikam.example", "trial_access_ended")
    assert notice.language == "nl"
    moved = user(db, "it@fabrikam.example")
    assert db.get(Organization, moved.organization_id).free_consumer  # rule T17, irreversible
    assert db.scalar(select(func.count(AdminRole.user_id)).where(AdminRole.organization_id == customer_id)) == 0
    [lost] = [
        e.details["lost"]
        for e in db.scalars(select(AuditEvent).where(AuditEvent.action == "trial_grace_ended"))
        if e.details["trial"] == trial_id
    ]
    assert lost["licenses"] == 50 and lost["calling"] is True
    assert ended.numbers_released_at is None
    clock.advance(days=15)
    run_tick()
    db.expire_all()
    assert db.get(Trial, trial_id).numbers_released_at is not None  # rule T18


def test_t16_expiry_runs_once_when_two_schedulers_run_at_once(app, db, demo, clock):
    trial = start(db, duration_days=30)
    trials.provision(trial, actor=user(db, "anna.dekker@northwind.example"))
    db.commit()
    clock.at = START + timedelta(days=30)
    assert ticks_at_once(app) == []
    assert len(emails_to(db, "it@fabrikam.example", "trial_expired")) == 1


# --- T19: devices -----------------------------------------------------------------------------


def test_t19_returned_serials_must_match_the_shipped_ones(db, demo):
    trial = start(db, services=["devices"], devices={"phone": 2})
    shipment = db.scalar(select(DeviceShipment).where(DeviceShipment.trial_id == trial.id))
    anna = user(db, "anna.dekker@northwind.example")
    trials.record_serials(shipment, ["SN-1", "SN-2"], actor=anna)
    assert trials.return_due(trial) == trial.devices_end_on + timedelta(days=14)
    with pytest.raises(TrialRuleError):
        trials.record_return(shipment, ["SN-9"], actor=anna)
    assert trials.record_return(shipment, ["SN-1"], actor=anna) == ([], ["SN-2"])
    assert shipment.returned_at is None
    assert trials.record_return(shipment, ["SN-2"], actor=anna) == ([], [])
    assert shipment.returned_at is not None


def test_t19_shipped_serials_are_fixed_so_a_missing_device_stays_missing(db, demo):
    trial = start(db, services=["devices"], devices={"phone": 2})
    shipment = db.scalar(select(DeviceShipment).where(DeviceShipment.trial_id == trial.id))
    anna = user(db, "anna.dekker@northwind.example")
    with pytest.raises(TrialRuleError):
        trials.record_return(shipment, ["SN-1"], actor=anna)  # nothing recorded as shipped yet
    trials.record_serials(shipment, ["SN-1", "SN-2"], actor=anna)
    trials.record_serials(shipment, ["SN-2", "SN-1"], actor=anna)  # the same list again: no change
    assert trials.record_return(shipment, ["SN-1"], actor=anna) == ([], ["SN-2"])
    with pytest.raises(TrialRuleError):
        trials.record_serials(shipment, ["SN-1", "SN-3"], actor=anna)  # re-declared after a partial return
    assert shipment.serials.split() == ["SN-1", "SN-2"]
    assert trials.record_return(shipment, ["SN-1"], actor=anna) == ([], ["SN-2"])
    assert shipment.returned_at is None
    trials.record_return(shipment, ["SN-2"], actor=anna)
    returned_at = shipment.returned_at
    trials.record_return(shipment, ["SN-2"], actor=anna)  # recorded twice: the date stays
    assert shipment.returned_at == returned_at is not None
