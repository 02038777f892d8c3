"""Boundaries of rules M1, M4, W2, W7, T9, T11, T16-T19, through the domain functions.

Each test pins one edge a plausible slip would move: a case-insensitive lookup, an admin of
another organization, an order no longer awaiting provisioning, an existing partner link,
and the exact day counts of the trial schedule.
"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.domain import matching
from portal.models import DeviceShipment, Order, OutgoingEmail, PartnerCustomer, Subscription, Trial
from portal.trials import lifecycle as trials
from portal.trials import schedule
from portal.trials.lifecycle import TrialRuleError
from portal.wizard import mapping
from tests.conftest import START
from tests.test_trials import org, start, user

ANNA = "anna.dekker@northwind.example"


def active_trial(db, **overrides):
    trial = start(db, **overrides)
    trials.provision(trial, actor=user(db, ANNA))
    db.commit()
    return trial


def at_day(clock, day):
    """The clock at START's time of day on ``day``."""
    clock.at = START + (day - START.date())


def demo_order(db):
    """Northwind's A-SPK demo order, awaiting provisioning."""
    return db.scalar(select(Order).where(Order.submission_key == "demo-order-1"))


def new_org_state(**overrides):
    state = {
        "role": "partner",
        "admin_email": "it@fabrikam.example",
        "company": "Fabrikam Ltd",
        "country": "NL",
        "organization": "new",
    }
    state.update(overrides)
    return state


# --- matching ---------------------------------------------------------------------------------


def test_m1_the_admin_email_lookup_ignores_case(db, demo):
    contoso = org(db, "Contoso Manufacturing")
    assert matching.admin_organization("Admin@CONTOSO.example").id == contoso.id
    assert matching.user_organization("ADMIN@Contoso.Example").id == contoso.id


def test_m4_an_admin_of_another_organization_is_not_an_admin_of_the_chosen_one(db, demo):
    medical = org(db, "Contoso Medical Group")
    partner = org(db, "Northwind Solutions B.V.")
    # admin@contoso.example is full admin of Contoso Manufacturing, not of Contoso Medical Group.
    assert matching.admin_organization("admin@contoso.example").id != medical.id
    assert (
        matching.outcome("customer", medical, "admin@contoso.example", partner.id) is matching.Outcome.BLOCKED_CUSTOMER
    )
    assert (
        matching.outcome("partner", medical, "admin@contoso.example", partner.id) is matching.Outcome.CONTINUE_ASK_ADMIN
    )


# --- wizard mapping ---------------------------------------------------------------------------


def test_w7_an_order_not_awaiting_provisioning_is_not_mapped(db, demo):
    order = demo_order(db)
    order.status, order.closed_at = "closed", START  # rule O5: closed unprovisioned
    db.commit()
    order_id = order.id
    with pytest.raises(mapping.AlreadyMapped):
        mapping.map_order(order_id, new_org_state(), language="en")
    db.rollback()
    assert org(db, "Fabrikam Ltd") is None
    assert db.scalar(select(func.count(Subscription.id)).where(Subscription.order_id == order_id)) == 0
    assert db.get(Order, order_id).status == "closed"


def test_w2_an_existing_partner_link_is_downgraded_when_the_customer_sets_up(db, demo):
    order = demo_order(db)
    order.customer_sets_up = True
    db.commit()
    contoso = org(db, "Contoso Manufacturing")
    partner_id = order.partner_id
    link = db.scalar(
        select(PartnerCustomer).where(
            PartnerCustomer.partner_id == partner_id, PartnerCustomer.customer_id == contoso.id
        )
    )
    assert link.access_level == "full_admin"
    mapped = mapping.map_order(
        order.id,
        new_org_state(
            role="customer",
            admin_email="admin@contoso.example",
            company="Contoso Manufacturing",
            organization=str(contoso.id),
        ),
        language="en",
    )
    db.commit()
    assert mapped.organization.id == contoso.id
    db.expire_all()
    link = db.scalar(
        select(PartnerCustomer).where(
            PartnerCustomer.partner_id == partner_id, PartnerCustomer.customer_id == contoso.id
        )
    )
    assert link.access_level == "none"


# --- trials: consent, expiry, grace, numbers, devices ------------------------------------------


def test_t9_no_answer_in_30_days_cancels_the_trial_not_before(db, demo, clock):
    ivan = user(db, "ivan.petrov@sofiacomm.example")
    trial = start(db, actor=ivan.email, admin_email="admin@contoso.example", company="Contoso", services=["devices"])
    assert trial.status == "pending_consent"
    trial_id = trial.id
    clock.at = START + timedelta(days=29)
    schedule.consent_timeouts()
    db.expire_all()
    assert db.get(Trial, trial_id).status == "pending_consent"
    clock.at = START + timedelta(days=30) - timedelta(minutes=1)
    schedule.consent_timeouts()
    db.expire_all()
    assert db.get(Trial, trial_id).status == "pending_consent"
    clock.at = START + timedelta(days=30)
    schedule.consent_timeouts()
    db.expire_all()
    assert db.get(Trial, trial_id).status == "cancelled"


def test_t11_device_trials_are_capped_at_120_days(db, demo, monkeypatch):
    # No offered duration exceeds 120 days today; allow a longer one to see the cap hold.
    monkeypatch.setattr(trials, "DURATIONS", trials.DURATIONS + (180,))
    trial = start(db, services=["messaging", "devices"], duration_days=180)
    assert trial.ends_on == trial.starts_on + timedelta(days=180)
    assert trial.devices_end_on == trial.starts_on + timedelta(days=120)
    short = start(db, company="Litware Inc", admin_email="it@litware.example", services=["devices"], duration_days=90)
    assert short.devices_end_on == short.ends_on  # under the cap: the trial's own end


def test_t16_the_expiry_warning_is_sent_7_days_before_not_8(db, demo, clock):
    trial = active_trial(db)
    ends = trial.ends_on
    at_day(clock, ends - timedelta(days=8))
    schedule.expiry_warnings()
    assert (
        db.scalar(
            select(func.count())
            .select_from(OutgoingEmail)
            .where(OutgoingEmail.kind == "trial_expiring", OutgoingEmail.to_address == "it@fabrikam.example")
        )
        == 0
    )
    at_day(clock, ends - timedelta(days=7))
    schedule.expiry_warnings()
    assert (
        db.scalar(
            select(func.count())
            .select_from(OutgoingEmail)
            .where(OutgoingEmail.kind == "trial_expiring", OutgoingEmail.to_address == "it@fabrikam.example")
        )
        == 1
    )


def test_t17_conversion_is_allowed_on_the_last_day_of_grace_and_refused_the_day_after(db, demo, clock):
    anna = user(db, ANNA)
    first = active_trial(db)
    second = active_trial(db, company="Litware Inc", admin_email="it@litware.example")
    ends = first.ends_on
    assert second.ends_on == ends
    first_id, second_id = first.id, second.id

    at_day(clock, ends)
    schedule.run()
    db.expire_all()
    assert db.get(Trial, first_id).status == "expired"

    at_day(clock, ends + timedelta(days=29))  # the last day of the 30-day grace period
    schedule.run()
    db.expire_all()
    first = db.get(Trial, first_id)
    trials.convert(
        first,
        actor=anna,
        admin_email="it@fabrikam.example",
        offer="A-SPK",
        contact=anna.email,
        language="en",
        submission_key="grace-key-000001",
    )
    db.commit()
    assert db.get(Trial, first_id).status == "converted"

    at_day(clock, ends + timedelta(days=30))  # the grace period is over
    schedule.run()
    db.expire_all()
    second = db.get(Trial, second_id)
    with pytest.raises(TrialRuleError):
        trials.convert(
            second,
            actor=anna,
            admin_email="it@litware.example",
            offer="A-SPK",
            contact=anna.email,
            language="en",
            submission_key="grace-key-000002",
        )
    db.rollback()
    assert db.get(Trial, second_id).status == "ended"


def test_t18_phone_numbers_are_kept_15_days_after_calling_stops(db, demo, clock):
    trial = active_trial(db, services=["messaging", "calling"])
    trial_id, ends = trial.id, trial.ends_on
    at_day(clock, ends)
    schedule.run()
    at_day(clock, ends + timedelta(days=30))  # grace ends: calling stops
    schedule.run()
    db.expire_all()
    ended = db.get(Trial, trial_id)
    assert ended.status == "ended" and ended.numbers_released_at is None
    stopped = ended.ended_at

    for kept in (timedelta(days=14), timedelta(days=15) - timedelta(minutes=1)):
        clock.at = stopped + kept
        schedule.numbers_released()
        db.expire_all()
        assert db.get(Trial, trial_id).numbers_released_at is None, kept
    clock.at = stopped + timedelta(days=15)
    schedule.numbers_released()
    db.expire_all()
    assert db.get(Trial, trial_id).numbers_released_at == stopped + timedelta(days=15)


def test_t19_duplicate_serial_numbers_are_refused_and_nothing_is_stored(db, demo):
    trial = start(db, services=["devices"], devices={"phone": 2})
    shipment = db.scalar(
        select(DeviceShipment).where(DeviceShipment.trial_id == trial.id, DeviceShipment.device_type == "phone")
    )
    with pytest.raises(TrialRuleError) as error:
        trials.record_serials(shipment, ["SN-1", "SN-1"], actor=user(db, ANNA))
    assert error.value.field == "serials"
    assert shipment.serials is None
    db.commit()
    db.expire_all()
    assert db.get(DeviceShipment, shipment.id).serials is None


@pytest.mark.parametrize(
    "tenant, admin_email, message",
    [
        ("Helios Contact Services", "someone.else@helios.example", matching.TRIAL_EMAIL_MESSAGE),  # W5
        ("Vega Callcenter B.V.", "trial.admin@vega.example", matching.TRIAL_EXPIRED_MESSAGE),  # W6
    ],
)
def test_w5_w6_map_order_rechecks_the_trial_tenant_conversion(db, demo, tenant, admin_email, message):
    """The wizard's page checks it; the transaction that maps checks it again (a stale or forged
    session cannot convert a trial tenant with another email, nor an expired one)."""
    order = demo_order(db)
    order.offer = "A-FLEX-CC"
    db.commit()
    tenant_id, order_id = org(db, tenant).id, order.id
    state = new_org_state(admin_email=admin_email, company=tenant, organization=str(tenant_id))
    with pytest.raises(mapping.MappingRefused) as refused:
        mapping.map_order(order_id, state, language="en")
    assert str(refused.value) == str(message)
    db.rollback()
    assert db.scalar(select(func.count(Subscription.id)).where(Subscription.order_id == order_id)) == 0
    assert db.get(Order, order_id).status == "awaiting_provisioning"
