"""Rule M4's way out: the stopped wizard asks the organization's full admin, in the admin's
language (L3), to add the new admin; once added, the "Set up now" link maps the order by M1."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from portal.models import AuditEvent, Order, Organization, OutgoingEmail
from tests.conftest import sign_in, translate
from tests.wizard_driver import Wizard, place_order

NEW = "new.person@akerlund.example"


def organization_id(db, name):
    return db.scalar(select(Organization.id).where(Organization.name == name))


def link_in(text: str) -> str:
    return re.search(r"https?://\S+/people/\S*", text).group(0)


def requests(db):
    db.rollback()
    return db.scalars(select(OutgoingEmail).where(OutgoingEmail.kind == "add_me_request")).all()


@pytest.fixture
def blocked(app, db, client, demo):
    """A customer set-up (in Dutch) stopped by M4 at Åkerlund & Rausing AB, whose full admin reads Swedish."""
    order_id, token = place_order(app)
    akerlund = organization_id(db, "Åkerlund & Rausing AB")
    w = Wizard(client, token, "nl")
    w.through(role="customer", admin_email=NEW, company="Åkerlund och Rausing")
    html = w.post("organization", {"organization": str(akerlund)}).get_data(as_text=True)
    assert translate(app, "nl", "The set-up cannot continue") in html
    assert translate(app, "nl", "Ask %(admin)s to add me", admin="ingrid.lund@akerlund.example") in html
    return w, order_id, akerlund


def ask(w, akerlund):
    return w.post("ask-to-be-added", {"organization": str(akerlund)})


def test_m4_the_request_goes_to_the_full_admin_in_the_admins_language(app, db, blocked):
    w, order_id, akerlund = blocked
    response = ask(w, akerlund)
    assert response.status_code == 200
    assert translate(
        app,
        "nl",
        "We asked %(admin)s by email to add %(email)s as an admin of %(organization)s. When that is done, open the “Set up now” link again: the set-up continues in %(organization)s.",
        admin="ingrid.lund@akerlund.example",
        email=NEW,
        organization="Åkerlund &amp; Rausing AB",
    ) in response.get_data(as_text=True)
    [email] = requests(db)
    assert email.to_address == "ingrid.lund@akerlund.example" and email.language == "sv"
    assert email.subject == translate(
        app,
        "sv",
        "%(email)s asks to become an admin of %(organization_name)s",
        email=NEW,
        organization_name="Åkerlund & Rausing AB",
    )
    link = urlsplit(link_in(email.body_text))
    assert link.path == "/sv/people/"
    assert parse_qs(link.query) == {"email": [NEW], "role": ["full_admin"]}
    assert (
        db.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "add_me_requested", AuditEvent.order_id == order_id)
        )
        == 1
    )


def test_m4_asking_twice_sends_one_email(db, blocked):
    w, _, akerlund = blocked
    assert ask(w, akerlund).status_code == 200
    assert ask(w, akerlund).status_code == 200
    assert len(requests(db)) == 1


def test_m4_only_an_organization_the_wizard_offered_can_be_asked(db, blocked):
    w, _, _ = blocked
    contoso = organization_id(db, "Contoso Manufacturing")
    response = ask(w, contoso)
    assert response.status_code == 302 and response.headers["Location"].endswith("/organization")
    assert requests(db) == []


def test_m4_the_request_needs_the_csrf_token(app, db, blocked):
    w, _, akerlund = blocked
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert ask(w, akerlund).status_code in (302, 400)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert requests(db) == []


def test_m4_a_customer_that_is_not_blocked_cannot_send_a_request(app, db, client, demo):
    """A partner for a customer continues (M4), so there is nothing to ask for."""
    _, token = place_order(app, key="m4-continue")
    akerlund = organization_id(db, "Åkerlund & Rausing AB")
    w = Wizard(client, token)
    w.through(admin_email=NEW, company="Åkerlund och Rausing")
    response = ask(w, akerlund)
    assert response.status_code == 302 and response.headers["Location"].endswith("/organization")
    assert requests(db) == []


def test_m4_the_link_opens_the_people_page_prefilled_and_then_the_wizard_maps_by_m1(app, db, client, blocked):
    w, order_id, akerlund = blocked
    ask(w, akerlund)
    link = urlsplit(link_in(requests(db)[0].body_text))
    admin = app.test_client()
    sign_in(admin, "ingrid.lund@akerlund.example", "sv")
    page = admin.get(f"{link.path}?{link.query}").get_data(as_text=True)
    assert f'value="{NEW}"' in page
    assert '<option selected value="full_admin">' in page or 'value="full_admin" selected' in page
    assert admin.post("/sv/people/add", data={"add-email": NEW, "add-role": "full_admin"}).status_code == 302

    w.through(role="customer", admin_email=NEW, company="Åkerlund och Rausing")
    page = w.text("organization")
    assert translate(app, "nl", "Yes, continue with this organization") in page  # rule M1: the email decides
    assert w.post("organization", {"answer": "yes"}).status_code == 302
    assert w.post("confirm").status_code == 302
    db.rollback()
    assert db.get(Order, order_id).mapped_organization_id == akerlund


def test_m4_partner_for_its_own_use_asks_the_partners_full_admin(app, db, client, demo):
    _, token = place_order(app, key="m4-own-use")
    northwind = organization_id(db, "Northwind Solutions B.V.")
    w = Wizard(client, token, "bg")
    w.through(admin_email="new.admin@northwind.example", company="Northwind Solutions")
    html = w.post("organization", {"organization": str(northwind)}).get_data(as_text=True)
    assert translate(app, "bg", "Ask %(admin)s to add the new admin", admin="anna.dekker@northwind.example") in html
    assert ask(w, northwind).status_code == 200
    [email] = requests(db)
    assert email.to_address == "anna.dekker@northwind.example" and email.language == "nl"
    assert "/nl/people/?" in email.body_text
