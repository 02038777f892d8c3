"""The duplicate guard on the trial form for a new customer (rule T2, issue 12), and the
disposable admin email refused there and in the wizard."""

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from portal.models import AuditEvent, Organization
from tests.conftest import LANGUAGES, translate
from tests.test_trial_pages import trial_form
from tests.wizard_driver import Wizard, place_order

CONFIRM = "An existing organization looks like the same company. Start the trial for it, or confirm that this is a new customer."


def text(app, lang, message, **params):
    return str(escape(translate(app, lang, message, **params)))


def organizations(db, name):
    db.rollback()
    return db.scalar(select(func.count()).select_from(Organization).where(Organization.name == name))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_t2_a_strong_possible_duplicate_stops_a_new_customer_until_confirmed(partner_client, app, db, lang):
    data = trial_form(company="Akerlund and Rausing", admin_email=f"it-{lang}@rausing.example", country="SE")
    refused = partner_client.post(f"/{lang}/customers/trials/new", data=data)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert text(app, lang, "Possible duplicates") in html and "Åkerlund &amp; Rausing AB" in html
    assert text(app, lang, "similar name (legal form differs)") in html
    assert text(app, lang, CONFIRM) in html
    assert organizations(db, "Akerlund and Rausing") == 0
    started = partner_client.post(f"/{lang}/customers/trials/new", data={**data, "confirm_new_customer": "y"})
    assert started.status_code == 302
    assert organizations(db, "Akerlund and Rausing") == 1
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "duplicate_guard_declined"))
    assert [s["name"] for s in event.details["suggested"]] == ["Åkerlund & Rausing AB"]
    assert event.actor.email == "anna.dekker@northwind.example"


def test_t2_a_trial_for_the_suggested_organization_starts_from_its_admin_email(partner_client, app, db):
    html = partner_client.post(
        "/en/customers/trials/new",
        data=trial_form(company="Zdravje", admin_email="it@zdravje-new.example", country="SI"),
    ).get_data(as_text=True)
    assert "Zdravje d.o.o." in html
    # the partner enters the existing admin's email instead: rule T7's confirmation takes over
    html = partner_client.post(
        "/en/customers/trials/new", data=trial_form(company="Zdravje", admin_email="petra.kos@zdravje.example")
    ).get_data(as_text=True)
    assert text(app, "en", "Yes, start the trial for this existing organization") in html
    assert text(app, "en", "Possible duplicates") not in html


def test_t2_no_suggestion_no_question(partner_client, db):
    response = partner_client.post("/en/customers/trials/new", data=trial_form(company="Quite Unlike Anything"))
    assert response.status_code == 302
    assert (
        db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "duplicate_guard_declined"))
        == 0
    )


def test_t2_a_disposable_admin_email_is_refused(partner_client, app, db):
    response = partner_client.post(
        "/en/customers/trials/new", data=trial_form(company="Quite Unlike Anything", admin_email="x@mailinator.com")
    )
    assert response.status_code == 422
    assert text(
        app,
        "en",
        "This is a disposable email address. An organization’s admin needs a lasting address: enter another one.",
    ) in response.get_data(as_text=True)
    assert organizations(db, "Quite Unlike Anything") == 0


def test_w4_a_disposable_admin_email_is_refused_in_the_wizard(app, client, demo):
    _, token = place_order(app)
    w = Wizard(client, token)
    w.get()
    w.post("role", {"role": "partner"})
    w.post("who", {"who": "self"})
    w.post("partner", {"answer": "yes"})
    response = w.post("admin", {"admin_email": "someone@mailinator.com"})
    assert response.status_code == 200
    assert text(
        app,
        "en",
        "This is a disposable email address. An organization’s admin needs a lasting address: enter another one.",
    ) in response.get_data(as_text=True)
