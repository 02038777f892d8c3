"""Exactly once: twenty simultaneous submissions of "Start trial" give one trial and one consent
email, whether they carry one form's key (a double click) or each its own (twenty tabs); the
database holds one open trial per customer and service (rule T7)."""

from functools import partial

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.domain import submissions
from portal.models import OutgoingEmail, Trial, TrialService
from tests.concurrency import at_once
from tests.conftest import sign_in
from tests.test_trial_pages import trial_form

RACERS = 20


def race(app, forms: list[dict]) -> list[int]:
    clients = []
    for _ in forms:
        client = app.test_client()
        sign_in(client, "ivan.petrov@sofiacomm.example")
        clients.append(client)
    return at_once(
        [
            partial(lambda client, data: client.post("/en/customers/trials/new", data=data).status_code, client, data)
            for client, data in zip(clients, forms, strict=True)
        ]
    )


def contoso_trials(db):
    db.expire_all()
    return db.scalar(select(func.count(Trial.id)).where(Trial.admin_email == "admin@contoso.example"))


def consent_emails(db):
    return db.scalar(select(func.count(OutgoingEmail.id)).where(OutgoingEmail.kind == "trial_consent"))


def contoso_form(key):
    return trial_form(
        admin_email="admin@contoso.example", services=["devices"], confirm_existing="y", submission_key=key
    )


def test_a_double_click_starts_one_trial_and_sends_one_consent_email(app, db, demo):
    before = consent_emails(db)
    statuses = race(app, [contoso_form("k" * 20)] * RACERS)
    assert contoso_trials(db) == 1
    assert consent_emails(db) - before == 1
    assert sorted(set(statuses)) == [302]  # every click lands on the trial's page


def test_twenty_tabs_start_one_trial_and_the_others_are_told_why(app, db, demo):
    before = consent_emails(db)
    statuses = race(app, [contoso_form(f"tab-{n:02d}-" + "x" * 16) for n in range(RACERS)])
    assert contoso_trials(db) == 1
    assert consent_emails(db) - before == 1
    assert statuses.count(302) == 1 and statuses.count(422) == RACERS - 1


def test_the_second_submission_of_a_form_is_shown_the_first_result(partner_client, app, db):
    form = trial_form(submission_key="same-key-" + "y" * 16)
    first = partner_client.post("/en/customers/trials/new", data=form)
    second = partner_client.post("/en/customers/trials/new", data=form, follow_redirects=True)
    assert first.status_code == 302
    assert "This form had already been sent; it was saved once." in second.get_data(as_text=True)
    assert db.scalar(select(func.count(Trial.id)).where(Trial.admin_email == "it@fabrikam.example")) == 1


def test_a_refused_submission_frees_its_key_for_the_corrected_form(partner_client, app, db):
    key = "corrected-" + "z" * 16
    refused = partner_client.post("/en/customers/trials/new", data=trial_form(submission_key=key, services=[]))
    assert refused.status_code == 422
    corrected = partner_client.post("/en/customers/trials/new", data=trial_form(submission_key=key))
    assert corrected.status_code == 302


def test_t7_the_database_refuses_a_second_open_trial_of_a_service(app, db, make_partner, make_trial):
    partner, admin = make_partner()
    trial = make_trial(partner, admin, services=("calling",))
    db.add(TrialService(trial_id=trial.id, service="messaging", open_customer_id=None))  # a closed hold is fine
    db.commit()
    other = make_trial(partner, admin, services=("calling",))
    db.add(TrialService(trial_id=other.id, service="meetings", open_customer_id=trial.customer_id))
    db.commit()
    db.add(TrialService(trial_id=other.id, service="calling", open_customer_id=trial.customer_id))
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()


def test_malformed_keys_claim_nothing(app, db):
    for key in (None, "", "short", "x" * 65, "bad key with spaces and more"):
        assert submissions.claim(key) is None


def test_a_form_key_belongs_to_the_user_who_sent_it(app, db, demo):
    """Someone else's key (seen in a shared screen, a log) is a new key for them, not a replay."""
    key = "shared-key-" + "q" * 16
    anna, ivan = app.test_client(), app.test_client()
    sign_in(anna, "anna.dekker@northwind.example")
    sign_in(ivan, "ivan.petrov@sofiacomm.example")
    assert anna.post("/en/customers/trials/new", data=trial_form(submission_key=key)).status_code == 302
    theirs = ivan.post(
        "/en/customers/trials/new",
        data=trial_form(submission_key=key, admin_email="it@other.example", company="Other Ltd"),
    )
    assert theirs.status_code == 302
    db.expire_all()
    assert db.scalar(select(func.count(Trial.id)).where(Trial.admin_email == "it@other.example")) == 1
