"""The duplicate guard in the wizard's organization step (W6, issue 12), through the test client,
as a browser without JavaScript: suggestions with their reasons beside M2's list, the server's
confirmation before "new", the choice audited, and mapping to a suggestion."""

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from portal.models import AuditEvent, Order, Organization
from tests.conftest import LANGUAGES, translate
from tests.wizard_driver import Wizard, place_order


@pytest.fixture
def wx(app, demo):
    return place_order(app)


def text(app, lang, message, **params):
    return str(escape(translate(app, lang, message, **params)))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_w6_possible_duplicates_show_beside_m2_with_why_they_matched(app, client, wx, lang):
    w = Wizard(client, wx[1], lang)
    w.through(admin_email="ingrid@akerlund-group.example", company="Akerlund and Rausing", country="SE")
    page = w.text("organization")
    assert text(app, lang, "Possible duplicates") in page
    assert "Åkerlund &amp; Rausing AB" in page
    assert text(app, lang, "similar name (legal form differs)") in page
    assert text(app, lang, "same country") in page
    assert "legal_form" not in page  # never the rule's code


def test_w6_m2_candidates_are_not_repeated_as_duplicates(client, wx):
    w = Wizard(client, wx[1])
    w.through(admin_email="new.person@contoso.example", company="Contoso Manufacturing")
    page = w.text("organization")
    assert page.count(">Contoso Manufacturing</strong>") == 1  # listed once, by M2


def test_w6_new_beside_a_strong_suggestion_needs_the_servers_confirmation(app, client, db, wx):
    order_id, token = wx
    w = Wizard(client, token)
    w.through(admin_email="boss@balkan-telekom.example", company="Balkan Telekom EOOD", country="BG")
    refused = w.post("organization", {"organization": "new"})
    assert refused.status_code == 200
    assert text(
        app,
        "en",
        "An existing organization looks like the same company. Choose it, or confirm that this is a different organization.",
    ) in refused.get_data(as_text=True)
    assert w.post("organization", {"organization": "new", "confirm_new": "y"}).status_code == 302
    assert w.post("confirm").status_code == 302
    db.rollback()
    order = db.get(Order, order_id)
    assert order.mapped_organization.name == "Balkan Telekom EOOD"
    event = db.scalar(
        select(AuditEvent).where(AuditEvent.order_id == order_id, AuditEvent.action == "duplicate_guard_declined")
    )
    assert [s["name"] for s in event.details["suggested"]] == ["Балкан Телеком ЕООД"]
    from portal.audit.events import describe_event

    with app.test_request_context("/en/"):
        told = describe_event(event)  # the order's history tells the story
    assert "Balkan Telekom EOOD" in told and "Балкан Телеком ЕООД" in told


def test_w6_new_without_a_strong_suggestion_is_not_asked_to_confirm(client, db, wx):
    order_id, token = wx
    w = Wizard(client, token)
    w.through(admin_email="it@quietly-new.example", company="Quietly New Ventures")
    assert "confirm_new" not in w.text("organization")
    assert w.post("organization", {"organization": "new"}).status_code == 302
    assert w.post("confirm").status_code == 302
    db.rollback()
    assert (
        db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "duplicate_guard_declined"))
        == 0
    )


def test_w6_the_partner_maps_to_the_suggested_organization_instead(client, db, wx):
    """M2 finds nothing ("Balkan" is not "Балка"), but the organization has users on the admin
    email's domain: the guard's suggestion can be chosen."""
    order_id, token = wx
    w = Wizard(client, token)
    w.through(admin_email="new.admin@balkantel.example", company="Balkan Telecom", country="BG")
    balkan = db.scalar(select(Organization).where(Organization.name == "Балкан Телеком ЕООД"))
    assert w.post("organization", {"organization": str(balkan.id)}).status_code == 302
    assert "Балкан Телеком ЕООД" in w.text("confirm")
    assert w.post("confirm").status_code == 302
    db.rollback()
    assert db.get(Order, order_id).mapped_organization_id == balkan.id
    event = db.scalar(select(AuditEvent).where(AuditEvent.order_id == order_id, AuditEvent.action == "order_mapped"))
    assert event.details["reason"] == "duplicate_guard"
    assert db.scalar(select(func.count()).select_from(Organization).where(Organization.name == "Balkan Telecom")) == 0


def test_w6_a_suggestion_found_by_its_name_alone_shows_no_facts_and_cannot_be_chosen(app, client, db, wx):
    """Without users on the admin email's domain (the evidence M2 asks for), guessing a company's
    name must reveal no more than its name, and must not let the partner map an order to it."""
    order_id, token = wx
    w = Wizard(client, token)
    w.through(admin_email="new.admin@sofia-tel.example", company="Balkan Telecom", country="BG")
    page = w.text("organization")
    assert "Балкан Телеком ЕООД" in page
    assert "georgi.ivanov@balkantel.example" not in page  # the full admin (M3) stays hidden
    assert (
        text(
            app,
            "en",
            "It has no users on the admin email’s domain, so it cannot be chosen here. If the customer is this organization, go back and enter the email of one of its admins as the customer admin email.",
        )
        in page
    )
    balkan = db.scalar(select(Organization).where(Organization.name == "Балкан Телеком ЕООД"))
    assert w.post("organization", {"organization": str(balkan.id)}).status_code == 200  # not a valid choice
    db.rollback()
    assert db.get(Order, order_id).mapped_organization_id is None


def test_w6_an_organization_that_is_not_suggested_cannot_be_posted(client, db, wx):
    w = Wizard(client, wx[1])
    w.through(admin_email="it@quietly-new.example", company="Quietly New Ventures")
    other = db.scalar(select(Organization).where(Organization.name == "Zdravje d.o.o."))
    assert w.post("organization", {"organization": str(other.id)}).status_code == 200  # not a valid choice


def test_w6_a_near_admin_domain_and_a_public_one_are_pointed_out(app, client, wx):
    w = Wizard(client, wx[1])
    w.through(admin_email="someone@akerlumd.example", company="Something Else Entirely")
    page = w.text("organization")
    assert "akerlund.example" in page
    w.through(admin_email="someone@gmail.com", company="Something Else Entirely")
    assert text(
        app,
        "en",
        "%(domain)s is a public mail provider’s domain: anyone can have an address there, so it says nothing about the organization.",
        domain="gmail.com",
    ) in w.text("organization")
