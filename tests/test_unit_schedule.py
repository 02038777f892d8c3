"""Rules T9, T16, T17, T18 (portal.trials.schedule) as plain functions on factory rows, with the
clock moved day by day: the exact day counts, who is emailed in which language, what the audit
records, and that a second run changes nothing and sends nothing."""

from collections import Counter
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from portal.infra import clock as portal_clock
from portal.models import (
    AdminRole,
    AuditEvent,
    ConsentRequest,
    Organization,
    OutgoingEmail,
    PartnerCustomer,
    Subscription,
    Trial,
    User,
)
from portal.trials import lifecycle, schedule
from portal.trials.status import customer_rows
from tests.conftest import START


def at(clock, day, hour=9, minute=0):
    clock.at = datetime.combine(day, time(hour, minute))


def events(db, action):
    return db.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def emails(db, kind):
    return db.scalars(select(OutgoingEmail).where(OutgoingEmail.kind == kind).order_by(OutgoingEmail.id)).all()


def add_admin(db, org, email, role, language):
    user = User(email=email, organization_id=org.id, language=language, created_at=portal_clock.now())
    db.add(user)
    db.flush()
    db.add(AdminRole(user_id=user.id, organization_id=org.id, role=role, granted_at=portal_clock.now()))
    db.commit()
    return user


def reload(db, trial):
    db.expire_all()
    return db.get(Trial, trial.id)


@pytest.fixture
def partner(make_partner):
    return make_partner(name="Northwind Trials B.V.", language="sv")


@pytest.fixture
def active_trial(db, partner, make_trial):
    """A provisioned trial of ``days`` days for a new customer (its admin mails in Dutch)."""

    def build(services=("messaging", "meetings"), days=30):
        org, admin = partner
        trial = make_trial(org, admin, services=services, days=days, licenses=40, language="nl")
        lifecycle.provision(trial, actor=admin)
        db.commit()
        return trial

    return build


@pytest.fixture
def pending_trial(db, partner, make_customer, make_trial):
    """A trial waiting for the consent of an existing customer (rule T8)."""
    org, admin = partner
    customer, customer_admin = make_customer()
    return make_trial(org, admin, admin_email=customer_admin.email, services=("meetings",))


# --- T9: no answer in 30 days ---------------------------------------------------------------


def test_t9_no_answer_in_30_days_cancels_the_trial_exactly_then(db, partner, pending_trial, clock):
    org, _ = partner
    assert pending_trial.status == "pending_consent"
    clock.at = START + timedelta(days=30) - timedelta(minutes=1)
    assert schedule.consent_timeouts() == 0
    assert reload(db, pending_trial).status == "pending_consent"
    clock.at = START + timedelta(days=30)
    assert schedule.consent_timeouts() == 1
    assert schedule.consent_timeouts() == 0  # a second run changes nothing
    trial = reload(db, pending_trial)
    assert trial.status == "cancelled" and trial.cancelled_at == clock.at
    request = db.scalar(select(ConsentRequest).where(ConsentRequest.trial_id == trial.id))
    assert (request.answer, request.answered_at) == ("timed_out", clock.at)
    [event] = events(db, "consent_timed_out")
    assert (event.organization_id, event.details) == (org.id, {"trial": trial.id})
    assert trial.customer_id not in [row.customer.id for row in customer_rows(org.id)]


def test_t9_a_timed_out_trials_services_can_be_trialled_again(db, partner, pending_trial, make_trial, clock):
    org, admin = partner
    clock.advance(days=30)
    schedule.consent_timeouts()
    again = make_trial(org, admin, admin_email=pending_trial.admin_email, services=("meetings",))
    assert again.status == "pending_consent"


def test_t9_an_answered_trial_is_not_timed_out(db, partner, pending_trial, active_trial, clock):
    running = active_trial()
    customer = db.get(Organization, pending_trial.customer_id)
    lifecycle.answer_consent(pending_trial, user=customer.users[0], accept=True)
    db.commit()
    clock.advance(days=31)
    assert schedule.consent_timeouts() == 0
    assert reload(db, pending_trial).status == "awaiting_provisioning"
    assert reload(db, running).status == "active"


# --- T16: the warning 7 days before expiry ----------------------------------------------------


def test_t16_the_warning_is_sent_exactly_7_days_before_expiry(db, partner, active_trial, clock):
    trial = active_trial()
    ends = trial.ends_on
    at(clock, ends - timedelta(days=8), 23, 59)
    assert schedule.expiry_warnings() == 0
    at(clock, ends - timedelta(days=7), 0, 0)
    assert schedule.expiry_warnings() == 2  # the customer's admin and the partner's admin
    assert schedule.expiry_warnings() == 0  # a second run sends nothing
    assert len(emails(db, "trial_expiring")) == 2


def test_t16_the_warning_goes_to_every_customer_admin_and_partner_admin_in_their_language(
    db, partner, active_trial, clock
):
    org, partner_admin = partner
    trial = active_trial(services=("messaging", "calling"))
    customer = db.get(Organization, trial.customer_id)
    reader = add_admin(db, customer, "reader@customer.example", "read_only_admin", "sl")
    add_admin(db, org, "readonly@partner.example", "read_only_admin", "bg")  # not a partner admin of trials
    sales = add_admin(db, org, "sales@partner.example", "sales_admin", "bg")
    at(clock, trial.ends_on - timedelta(days=7))
    assert schedule.expiry_warnings() == 4
    sent = {e.to_address: e for e in emails(db, "trial_expiring")}
    assert {address: e.language for address, e in sent.items()} == {
        trial.admin_email: "nl",
        reader.email: "sl",
        partner_admin.email: "sv",
        sales.email: "bg",
    }
    assert sent[reader.email].dedupe_key == f"trial:{trial.id}:expiring:{trial.ends_on.isoformat()}:{reader.id}"
    assert all(customer.name in e.subject for e in sent.values())


def test_t16_the_warning_names_the_services_the_date_and_who_to_contact(app, db, partner, active_trial, clock):
    org, partner_admin = partner
    trial = active_trial(services=("messaging", "calling"))
    customer = db.get(Organization, trial.customer_id)
    customer_admin = db.scalar(select(User).where(User.email == trial.admin_email))
    customer_admin.language = partner_admin.language = "en"
    db.commit()
    at(clock, trial.ends_on - timedelta(days=7))
    schedule.expiry_warnings()
    sent = {e.to_address: e.body_text for e in emails(db, "trial_expiring")}
    for body in sent.values():
        assert customer.name in body and "December 20, 2026" in body
        assert "Messaging" in body and "Calling" in body
    assert org.name in sent[trial.admin_email]  # the customer is told to contact the partner
    assert "I'm interested in purchasing" in sent[trial.admin_email]
    assert "Contact the customer before the trial ends" in sent[partner_admin.email]
    assert "Contact the customer before the trial ends" not in sent[trial.admin_email]


def test_t16_no_warning_on_the_expiry_day_nor_for_a_trial_not_running(db, partner, active_trial, make_trial, clock):
    org, admin = partner
    trial = active_trial()
    waiting = make_trial(org, admin, days=30)  # awaiting provisioning, not running
    at(clock, trial.ends_on)
    assert schedule.expiry_warnings() == 0
    assert emails(db, "trial_expiring") == []
    at(clock, waiting.ends_on - timedelta(days=3))
    schedule.expiry_warnings()
    assert waiting.admin_email not in [e.to_address for e in emails(db, "trial_expiring")]


def test_t16_an_extended_trial_is_warned_again_before_its_new_end(db, partner, active_trial, clock):
    trial = active_trial()
    at(clock, trial.ends_on - timedelta(days=7))
    assert schedule.expiry_warnings() == 2
    trial = reload(db, trial)
    trial.ends_on = trial.ends_on + timedelta(days=5)
    db.commit()
    assert schedule.expiry_warnings() == 0
    at(clock, trial.ends_on - timedelta(days=7))
    assert schedule.expiry_warnings() == 2
    assert len(emails(db, "trial_expiring")) == 4


# --- T16: the expiry day ----------------------------------------------------------------------


def test_t16_the_trial_expires_on_its_end_day_not_the_day_before(db, partner, active_trial, clock):
    org, _ = partner
    trial = active_trial()
    at(clock, trial.ends_on - timedelta(days=1), 23, 59)
    assert schedule.expirations() == 0
    assert reload(db, trial).status == "active"
    at(clock, trial.ends_on, 0, 0)
    assert schedule.expirations() == 1
    assert schedule.expirations() == 0
    assert reload(db, trial).status == "expired"
    sent = emails(db, "trial_expired")
    assert sorted((e.to_address, e.language) for e in sent) == sorted(
        [(trial.admin_email, "nl"), (partner[1].email, "sv")]
    )
    assert sent[0].dedupe_key.startswith(f"trial:{trial.id}:expired:{trial.ends_on.isoformat()}:")
    [event] = events(db, "trial_expired")
    assert (event.organization_id, event.details) == (org.id, {"trial": trial.id, "at": clock.at.isoformat()})


def test_t16_the_expired_email_tells_only_the_customer_to_purchase(app, db, partner, active_trial, clock):
    org, partner_admin = partner
    trial = active_trial()
    at(clock, trial.ends_on)
    schedule.expirations()
    sent = {e.to_address: e.body_text for e in emails(db, "trial_expired")}
    assert org.name in sent[trial.admin_email] and org.name not in sent[partner_admin.email]
    customer = db.get(Organization, trial.customer_id)
    assert all(customer.name in body for body in sent.values())


def test_t16_only_active_trials_expire(db, partner, make_trial, pending_trial, clock):
    org, admin = partner
    waiting = make_trial(org, admin, days=30)
    at(clock, waiting.ends_on + timedelta(days=1))
    assert schedule.expirations() == 0
    assert reload(db, waiting).status == "awaiting_provisioning"


# --- T16, T17: the end of the 30-day grace period -------------------------------------------


def expire(db, trial, clock):
    at(clock, trial.ends_on)
    schedule.expirations()
    return reload(db, trial)


def test_t17_the_grace_period_ends_30_days_after_expiry_not_29(db, partner, active_trial, clock):
    trial = expire(db, active_trial(), clock)
    at(clock, trial.ends_on + timedelta(days=29), 23, 59)
    assert schedule.grace_period_ends() == 0
    assert reload(db, trial).status == "expired"  # still convertible
    at(clock, trial.ends_on + timedelta(days=30), 0, 0)
    assert schedule.grace_period_ends() == 1
    assert schedule.grace_period_ends() == 0
    trial = reload(db, trial)
    assert trial.status == "ended" and trial.ended_at == clock.at


def test_t17_without_conversion_the_users_move_to_the_free_consumer_organization(db, partner, active_trial, clock):
    org, _ = partner
    trial = expire(db, active_trial(services=("meetings", "calling")), clock)
    customer_id = trial.customer_id
    customer = db.get(Organization, customer_id)
    user = User(email="user@trial.example", organization_id=customer_id, language="bg", created_at=clock.at)
    db.add(user)
    db.commit()
    admin = db.scalar(select(User).where(User.email == trial.admin_email))
    at(clock, trial.ends_on + timedelta(days=30))
    assert schedule.grace_period_ends() == 1

    consumer = schedule.free_consumer_organization()
    db.expire_all()
    assert db.get(User, user.id).organization_id == consumer.id
    assert db.get(User, admin.id).organization_id == consumer.id
    assert db.scalar(select(func.count()).select_from(AdminRole).where(AdminRole.organization_id == customer_id)) == 0
    # rule T16: the users hear 30 days after expiry, in their own language
    notices = {e.to_address: e for e in emails(db, "trial_access_ended")}
    assert {address: e.language for address, e in notices.items()} == {admin.email: "nl", user.email: "bg"}
    assert notices[user.email].dedupe_key == f"trial:{trial.id}:access-ended:{user.id}"
    assert customer.name in notices[user.email].subject
    [event] = events(db, "trial_grace_ended")
    assert event.organization_id == org.id
    assert event.details == {
        "trial": trial.id,
        "moved_to": consumer.id,
        "lost": {
            "licenses": 40,
            "meetings_site_url": None,
            "admin_roles": [[admin.id, "full_admin"]],
            "calling": True,
            "users": 2,
        },
    }


def test_t17_the_access_ended_email_gives_the_expiry_date(app, db, active_trial, clock):
    trial = expire(db, active_trial(services=("messaging",)), clock)
    db.scalar(select(User).where(User.email == trial.admin_email)).language = "en"
    db.commit()
    at(clock, trial.ends_on + timedelta(days=30))
    schedule.grace_period_ends()
    [notice] = emails(db, "trial_access_ended")
    assert "December 20, 2026" in notice.body_text
    [event] = events(db, "trial_grace_ended")
    assert event.details["lost"]["calling"] is False


def test_t17_a_paying_customer_keeps_its_users_after_the_grace_period(db, partner, make_customer, make_trial, clock):
    org, admin = partner
    customer, customer_admin = make_customer(org)
    db.add(
        Subscription(
            organization_id=customer.id,
            offer="A-SPK",
            status="active",
            created_at=clock.at,
            billing_started_at=clock.at,
        )
    )
    db.commit()
    trial = make_trial(org, admin, admin_email=customer_admin.email, services=("calling",))
    assert trial.status == "active"  # rule T10: a paying customer gets the trial at once
    trial = expire(db, trial, clock)
    at(clock, trial.ends_on + timedelta(days=30))
    assert schedule.grace_period_ends() == 1
    db.expire_all()
    assert reload(db, trial).status == "ended"
    assert db.get(User, customer_admin.id).organization_id == customer.id
    assert db.scalar(select(func.count()).select_from(AdminRole).where(AdminRole.organization_id == customer.id)) == 1
    assert emails(db, "trial_access_ended") == []
    [event] = events(db, "trial_grace_ended")
    assert event.details == {"trial": trial.id, "lost": {}, "moved_to": None}
    assert db.scalar(select(Organization).where(Organization.free_consumer.is_(True))) is None


def test_t17_a_converted_or_active_trial_does_not_end(db, partner, active_trial, clock):
    trial = active_trial()
    at(clock, trial.ends_on + timedelta(days=40))  # the scheduler has not run the expiry
    assert schedule.grace_period_ends() == 0
    assert reload(db, trial).status == "active"


def test_t17_the_ended_trials_services_can_be_trialled_again(db, partner, make_customer, make_trial, clock):
    org, admin = partner
    customer, customer_admin = make_customer(org)
    db.add(
        Subscription(
            organization_id=customer.id,
            offer="A-SPK",
            status="active",
            created_at=clock.at,
            billing_started_at=clock.at,
        )
    )
    db.commit()
    trial = expire(db, make_trial(org, admin, admin_email=customer_admin.email, services=("calling",)), clock)
    at(clock, trial.ends_on + timedelta(days=30))
    schedule.grace_period_ends()
    again = make_trial(org, admin, admin_email=customer_admin.email, services=("calling",))
    assert again.status == "active"


def test_t17_there_is_one_free_consumer_organization(db):
    first = schedule.free_consumer_organization()
    db.commit()
    second = schedule.free_consumer_organization()
    assert first.id == second.id
    assert (first.name, first.kind, first.country, first.data_region, first.free_consumer) == (
        "Free consumer organization",
        "customer",
        "US",
        "US",
        True,
    )
    assert db.scalar(select(func.count()).select_from(Organization).where(Organization.free_consumer.is_(True))) == 1


# --- T18: phone numbers kept 15 days after calling stops ------------------------------------


def ended(db, trial, clock):
    trial = expire(db, trial, clock)
    at(clock, trial.ends_on + timedelta(days=30))
    schedule.grace_period_ends()
    return reload(db, trial)


def test_t18_numbers_are_released_15_days_after_calling_stops_not_14(db, partner, active_trial, clock):
    org, _ = partner
    trial = ended(db, active_trial(services=("messaging", "calling")), clock)
    stopped = trial.ended_at
    clock.at = stopped + timedelta(days=15) - timedelta(minutes=1)
    assert schedule.numbers_released() == 0
    assert reload(db, trial).numbers_released_at is None
    clock.at = stopped + timedelta(days=15)
    assert schedule.numbers_released() == 1
    assert schedule.numbers_released() == 0
    assert reload(db, trial).numbers_released_at == clock.at
    [event] = events(db, "trial_numbers_released")
    assert (event.organization_id, event.details) == (org.id, {"trial": trial.id})


def test_t18_a_trial_without_calling_has_no_numbers_to_release(db, active_trial, clock):
    trial = ended(db, active_trial(services=("messaging",)), clock)
    clock.at = trial.ended_at + timedelta(days=20)
    assert schedule.numbers_released() == 0
    assert reload(db, trial).numbers_released_at is None
    assert events(db, "trial_numbers_released") == []


def test_t18_numbers_of_a_trial_still_in_its_grace_period_are_kept(db, active_trial, clock):
    trial = expire(db, active_trial(services=("calling",)), clock)
    at(clock, trial.ends_on + timedelta(days=29))
    assert schedule.numbers_released() == 0
    assert reload(db, trial).numbers_released_at is None


# --- the whole tick -------------------------------------------------------------------------


def test_t16_t17_t18_one_run_reports_each_step(db, partner, active_trial, pending_trial, clock):
    trial = active_trial(services=("calling",))
    at(clock, trial.ends_on - timedelta(days=7))
    assert schedule.run() == {
        "consent_timeouts": 0,
        "expiry_warnings": 2,
        "expirations": 0,
        "grace_ended": 0,
        "numbers_released": 0,
    }
    at(clock, trial.ends_on)
    assert schedule.run() == {
        "consent_timeouts": 1,  # the pending trial was asked 30 days ago
        "expiry_warnings": 0,
        "expirations": 1,
        "grace_ended": 0,
        "numbers_released": 0,
    }
    at(clock, trial.ends_on + timedelta(days=30))
    assert schedule.run()["grace_ended"] == 1
    clock.advance(days=15)
    assert schedule.run()["numbers_released"] == 1
    assert db.scalar(select(PartnerCustomer).where(PartnerCustomer.customer_id == pending_trial.customer_id)) is None


def test_t17_a_scheduler_that_loses_the_race_uses_the_other_ones_free_consumer_organization(
    app, db, monkeypatch, clock
):
    """Two schedulers look at once, both find none; the other one creates it first."""
    from sqlalchemy.orm import Session

    real_scalar, looked = db.scalar, []

    def look_while_another_creates_it(statement):
        if not looked:
            looked.append(statement)
            with Session(app.extensions["portal.engine"]) as other:
                other.add(
                    Organization(
                        name="Free consumer organization",
                        kind="customer",
                        country="US",
                        data_region="US",
                        created_at=clock.at,
                        free_consumer=True,
                    )
                )
                other.commit()
            return None
        return real_scalar(statement)

    db.commit()
    monkeypatch.setattr(db, "scalar", look_while_another_creates_it)
    org = schedule.free_consumer_organization()
    monkeypatch.undo()
    assert org is not None and org.free_consumer
    db.commit()
    assert db.scalar(select(func.count()).select_from(Organization).where(Organization.free_consumer.is_(True))) == 1


def test_t17_a_customer_whose_only_subscription_is_not_active_loses_its_users(
    db, partner, make_customer, make_trial, clock
):
    org, admin = partner
    customer, customer_admin = make_customer(org)
    db.add(Subscription(organization_id=customer.id, offer="A-SPK", status="cancelled", created_at=clock.at))
    db.commit()
    trial = expire(db, make_trial(org, admin, admin_email=customer_admin.email, services=("calling",)), clock)
    at(clock, trial.ends_on + timedelta(days=30))
    assert schedule.grace_period_ends() == 1
    db.expire_all()
    assert db.get(User, customer_admin.id).organization_id == schedule.free_consumer_organization().id


# --- exactly once: a change between the scheduler's listing and its claim -------------------------


def meanwhile(app, db, **values):
    """After the scheduler has listed the trials that are due (and committed), another
    transaction - a customer answering, a partner extending or converting, a second scheduler -
    sets ``values`` on every trial before this run claims them. A step that lists and claims in
    one statement (the expiry day's batches) gets the change just before that statement."""
    engine, done = app.extensions["portal.engine"], []

    def change(*_args):
        if done:
            return
        done.append(True)
        with Session(engine) as other:
            other.execute(update(Trial).values(**values))
            other.commit()

    def before_claim(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("UPDATE TRIALS"):
            change()

    db.commit()
    event.listen(db(), "after_commit", change, once=True)
    event.listen(engine, "before_cursor_execute", before_claim)


def test_t9_a_trial_answered_after_it_was_listed_is_not_timed_out(app, db, pending_trial, clock):
    clock.advance(days=30)
    meanwhile(app, db, status="awaiting_provisioning")
    assert schedule.consent_timeouts() == 0
    assert reload(db, pending_trial).status == "awaiting_provisioning"
    assert events(db, "consent_timed_out") == []


def test_t16_a_trial_extended_after_it_was_listed_does_not_expire(app, db, active_trial, clock):
    trial = active_trial()
    at(clock, trial.ends_on)
    meanwhile(app, db, ends_on=trial.ends_on + timedelta(days=30))
    assert schedule.expirations() == 0
    assert reload(db, trial).status == "active"
    assert emails(db, "trial_expired") == []


def test_t16_a_trial_converted_after_it_was_listed_does_not_expire(app, db, active_trial, clock):
    trial = active_trial()
    at(clock, trial.ends_on)
    meanwhile(app, db, status="converted", converted_at=clock.at)
    assert schedule.expirations() == 0
    assert reload(db, trial).status == "converted"


def test_t17_a_trial_converted_in_the_grace_period_after_it_was_listed_does_not_end(app, db, active_trial, clock):
    trial = expire(db, active_trial(), clock)
    at(clock, trial.ends_on + timedelta(days=30))
    meanwhile(app, db, status="converted", converted_at=clock.at)
    assert schedule.grace_period_ends() == 0
    trial = reload(db, trial)
    assert trial.status == "converted" and trial.ended_at is None
    assert emails(db, "trial_access_ended") == []


def test_t18_numbers_released_by_another_run_after_listing_are_released_once(app, db, active_trial, clock):
    trial = ended(db, active_trial(services=("calling",)), clock)
    clock.at = trial.ended_at + timedelta(days=15)
    earlier = clock.at - timedelta(minutes=1)
    meanwhile(app, db, numbers_released_at=earlier)
    assert schedule.numbers_released() == 0
    assert reload(db, trial).numbers_released_at == earlier
    assert events(db, "trial_numbers_released") == []


def test_t9_every_unanswered_trial_times_out_and_is_counted(db, partner, make_customer, make_trial, clock):
    org, admin = partner
    for _ in range(2):
        _, customer_admin = make_customer()
        make_trial(org, admin, admin_email=customer_admin.email, services=("meetings",))
    clock.advance(days=30)
    assert schedule.consent_timeouts() == 2
    assert len(events(db, "consent_timed_out")) == 2


def test_t16_t17_t18_each_step_counts_every_trial_it_handles(db, active_trial, clock):
    first, second = active_trial(services=("calling",)), active_trial(services=("calling",))
    at(clock, first.ends_on - timedelta(days=7))
    assert schedule.expiry_warnings() == 4  # two trials, each to its customer's and the partner's admin
    at(clock, first.ends_on)
    assert schedule.expirations() == 2
    at(clock, first.ends_on + timedelta(days=30))
    assert schedule.grace_period_ends() == 2
    clock.advance(days=15)
    assert schedule.numbers_released() == 2
    assert {reload(db, t).status for t in (first, second)} == {"ended"}


# --- T16 at scale: the expiry day in batches ------------------------------------------------------


def test_t16_the_expiry_day_takes_trials_in_batches_each_expired_announced_and_recorded_once(
    db, active_trial, clock, monkeypatch
):
    monkeypatch.setattr(schedule, "BATCH", 2)  # five trials: batches of 2, 2 and 1
    trials = [active_trial() for _ in range(5)]
    at(clock, trials[0].ends_on)
    assert schedule.expirations() == 5
    assert schedule.expirations() == 0
    assert {reload(db, t).status for t in trials} == {"expired"}
    keys = Counter(e.dedupe_key.rsplit(":", 1)[0] for e in emails(db, "trial_expired"))
    assert keys == {f"trial:{t.id}:expired:{t.ends_on.isoformat()}": 2 for t in trials}  # customer and partner
    assert sorted(e.details["trial"] for e in events(db, "trial_expired")) == [t.id for t in trials]


def test_t16_a_trial_that_fails_on_its_expiry_day_holds_back_no_other_of_its_batch(
    db, active_trial, clock, monkeypatch
):
    """The batch is undone and done again one trial at a time: the others expire, announced and
    recorded; the failing one stays active with no email, and its error is raised."""
    first, bad, third = (active_trial() for _ in range(3))
    notices = schedule._notices

    def failing(trial, *args, **kwargs):
        if trial.id == bad.id:
            raise RuntimeError("cannot render")
        return notices(trial, *args, **kwargs)

    monkeypatch.setattr(schedule, "_notices", failing)
    at(clock, first.ends_on)
    with pytest.raises(RuntimeError, match="cannot render"):
        schedule.expirations()
    db.rollback()
    assert [reload(db, t).status for t in (first, bad, third)] == ["expired", "active", "active"]
    assert {e.dedupe_key.split(":")[1] for e in emails(db, "trial_expired")} == {str(first.id)}
    monkeypatch.setattr(schedule, "_notices", notices)
    assert schedule.expirations() == 2  # the next run does the rest
    assert sorted(e.details["trial"] for e in events(db, "trial_expired")) == [first.id, bad.id, third.id]


def test_t16_a_key_queued_meanwhile_fails_the_batch_and_the_one_by_one_pass_skips_it(
    app, db, active_trial, clock, monkeypatch
):
    """Between the batch's duplicate check and its commit another transaction queues one of its
    emails: the unique key refuses the commit, and trial by trial nothing is sent twice."""
    from portal.mail import outbox

    trials = [active_trial() for _ in range(2)]
    at(clock, trials[0].ends_on)
    checked = outbox.queued_keys

    def then_someone_queues(keys):
        keys = list(keys)
        found = checked(keys)
        with Session(app.extensions["portal.engine"]) as other:
            row = OutgoingEmail(
                kind="trial_expired",
                to_address="someone@example.net",
                language="en",
                dedupe_key=keys[0],
                subject="s",
                body_text="t",
                body_html="h",
                status="queued",
                attempts=0,
                created_at=clock.at,
                next_attempt_at=clock.at,
            )
            other.add(row)
            other.commit()
        return found

    monkeypatch.setattr(schedule, "queued_keys", then_someone_queues)
    assert schedule.expirations() == 2
    sent = Counter(e.dedupe_key for e in emails(db, "trial_expired"))
    assert len(sent) == 4 and set(sent.values()) == {1}
    assert len(events(db, "trial_expired")) == 2
