"""The order set-up wizard: rules W1-W9, M1-M4, O4 and O6, through the test client."""

import pytest
from sqlalchemy import func, select

from portal.models import AuditEvent, Order, Organization, OutgoingEmail, PartnerCustomer, Subscription, User
from portal.orders.links import setup_token
from tests.conftest import LANGUAGES, sign_in, translate
from tests.wizard_driver import Wizard, demo_order, place_order, race_confirmations


def count(db, model, *where):
    db.rollback()
    return db.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def wx(app, demo):
    """An A-WX order of Northwind whose set-up email went out; returns a Wizard on it."""
    order_id, token = place_order(app)
    return order_id, token


def wizard(client, token, lang="en"):
    return Wizard(client, token, lang)


# --- W1, O6 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_w1_the_first_step_is_the_role_with_a_localized_progress(client, app, wx, lang):
    w = wizard(client, wx[1], lang)
    entry = w.text()
    assert translate(app, lang, "Start the set-up") in entry
    page = w.text("role")
    assert translate(app, lang, "Step %(number)s of %(total)s", number=1, total=8) in page
    assert translate(app, lang, "I am a partner") in page and translate(app, lang, "I am a customer") in page
    response = w.post("role", {})
    assert translate(app, lang, "Choose one of the options.") in response.get_data(as_text=True)


def test_o6_answers_stay_in_the_session_until_the_confirmation(client, db, wx):
    before = (count(db, Organization), count(db, User), count(db, Subscription), count(db, AuditEvent))
    w = wizard(client, wx[1])
    w.through(admin_email="new.admin@fabrikam.example", company="Fabrikam Ltd")
    assert 'value="new.admin@fabrikam.example"' in w.text("admin")  # a reload or Back keeps it
    after = (count(db, Organization), count(db, User), count(db, Subscription), count(db, AuditEvent))
    assert after[:3] == before[:3]
    assert after[3] == before[3] + 1  # only "set-up started" from the first answer (rule O3)
    w.get()  # the "Set up now" link starts again from the beginning
    assert w.get("admin").status_code == 302  # no role chosen any more
    assert 'value="new.admin@fabrikam.example"' not in client.get(w.base + "/role", follow_redirects=True).get_data(
        as_text=True
    )


def test_o6_a_later_step_cannot_be_skipped_to(client, wx):
    w = wizard(client, wx[1])
    w.get()
    w.post("role", {"role": "partner"})
    response = w.get("confirm")
    assert response.status_code == 302 and response.headers["Location"].endswith("/who")


# --- W2 -------------------------------------------------------------------------------------


def test_w2_another_person_receives_the_link_in_the_language_chosen(client, app, db, wx):
    order_id, token = wx
    w = wizard(client, token, "nl")
    w.get()
    w.post("role", {"role": "partner"})
    response = w.post("who", {"who": "other", "email": "Colleague@Northwind.example", "language": "sv"})
    assert translate(app, "nl", "The set-up link is on its way") in response.get_data(as_text=True)
    email = db.scalar(select(OutgoingEmail).where(OutgoingEmail.to_address == "colleague@northwind.example"))
    assert email.language == "sv" and "/sv/setup/" in email.body_text
    assert wizard(client, token).get().status_code == 410  # the old link no longer works


def test_w2_other_person_needs_an_email(client, app, wx):
    w = wizard(client, wx[1], "sl")
    w.get()
    w.post("role", {"role": "partner"})
    html = w.post("who", {"who": "other", "email": ""}).get_data(as_text=True)
    assert translate(app, "sl", "This field is required.") in html


def test_w2_when_the_customer_sets_up_the_partner_gets_no_access(client, app, db, wx):
    order_id, token = wx
    w = wizard(client, token)
    w.get()
    w.post("role", {"role": "partner"})
    w.post("who", {"who": "customer", "email": "owner@fabrikam.example", "language": "en"})
    db.rollback()
    order = db.get(Order, order_id)
    assert order.customer_sets_up and order.provisioning_contact == "owner@fabrikam.example"
    customer = wizard(app.test_client(), setup_token(order))
    customer.through(role="customer", admin_email="owner@fabrikam.example", company="Fabrikam Ltd")
    customer.post("organization", {"organization": "new"})
    assert customer.post("confirm").status_code == 302
    org = db.scalar(select(Organization).where(Organization.name == "Fabrikam Ltd"))
    link = db.scalar(select(PartnerCustomer).where(PartnerCustomer.customer_id == org.id))
    assert link.access_level == "none" and org.managing_partner_id is None


# --- W3, W8 ---------------------------------------------------------------------------------


def test_w3_existing_partner_organization_is_reviewed(client, app, wx):
    w = wizard(client, wx[1], "bg")
    w.get()
    w.post("role", {"role": "partner"})
    w.post("who", {"who": "self"})
    page = w.text("partner")
    assert "Northwind Solutions B.V." in page
    assert translate(app, "bg", "I don't recognise this organization") in page


def test_w3_an_unrecognised_partner_organization_stops_with_advice(client, app, db, wx):
    w = wizard(client, wx[1], "sv")
    w.get()
    w.post("role", {"role": "partner"})
    w.post("who", {"who": "self"})
    html = w.post("partner", {"answer": "unknown"}).get_data(as_text=True)
    assert (
        translate(
            app,
            "sv",
            "Do not continue. Contact your account representative to check which organization this order belongs to.",
        )
        in html
    )
    assert w.get("admin").status_code == 302  # the wizard does not go on


def test_w3_first_order_creates_the_partner_organization_and_w8_its_admin_password(client, app, db, demo):
    order_id, token = demo_order(app, "demo-order-2")  # Adriatic Networks, known only from the order
    w = wizard(client, token, "sl")
    w.get()
    w.post("role", {"role": "partner"})
    w.post("who", {"who": "self"})
    assert translate(app, "sl", "This is your first order: create your partner organization.") in w.text("partner")
    taken = w.post("partner", {"company": "Adriatic Networks d.o.o.", "admin_email": "admin@contoso.example"})
    assert translate(
        app,
        "sl",
        "This email address already belongs to an organization. A user can belong to only one organization at a time.",
    ) in taken.get_data(as_text=True)
    w.post("partner", {"company": "Adriatic Networks d.o.o.", "admin_email": "marko@adriatic.example"})
    w.post("admin", {"admin_email": "it@fabrikam.example"})
    w.post("company", {"company": "Fabrikam Ltd", "country": "HR"})
    w.post("organization", {"organization": "new"})
    assert w.post("confirm").status_code == 302
    partner = db.scalar(select(Organization).where(Organization.name == "Adriatic Networks d.o.o."))
    assert partner is not None and not partner.setup_pending
    admin = db.scalar(select(User).where(User.email == "marko@adriatic.example"))
    assert admin.organization_id == partner.id and admin.role == "full_admin" and admin.password_hash is None
    assert translate(app, "sl", "Create your password") in w.text("done")
    weak = w.post("password", {"password": "marko-adriatic", "confirm": "marko-adriatic"}).get_data(as_text=True)
    assert translate(app, "sl", "Use both letters and digits.") in weak
    short = w.post("password", {"password": "abc123", "confirm": "abc123"}).get_data(as_text=True)
    assert translate(app, "sl", "Use at least 12 characters.") in short
    own = w.post("password", {"password": "marko2026-secret", "confirm": "marko2026-secret"}).get_data(as_text=True)
    assert translate(app, "sl", "The password must not contain your email address.") in own
    assert w.post("password", {"password": "Lipica-horse-2026", "confirm": "Lipica-horse-2026"}).status_code == 302
    db.rollback()
    assert db.get(User, admin.id).check_password("Lipica-horse-2026")
    sign_in(app.test_client(), "marko@adriatic.example", lang="sl") if False else None
    signed = app.test_client().post(
        "/sl/sign-in", data={"email": "marko@adriatic.example", "password": "Lipica-horse-2026"}
    )
    assert signed.status_code == 302


# --- W4, W5 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_w4_admin_email_is_validated_inline_through_htmx(client, app, wx, lang):
    w = wizard(client, wx[1], lang)
    w.get()
    w.post("role", {"role": "customer"})
    response = w.post("admin", {"admin_email": "not-an-email", "inline": "1"}, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div class="field has-error" id="admin_email-wrapper"')
    assert translate(app, lang, "Enter a valid email address, such as name@example.com.") in html
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_w5_unsupported_country_is_refused_with_an_explanation(client, app, wx, lang):
    w = wizard(client, wx[1], lang)
    w.get()
    w.post("role", {"role": "customer"})
    w.post("admin", {"admin_email": "it@fabrikam.example"})
    html = w.post("company", {"company": "Fabrikam", "country": "CU"}).get_data(as_text=True)
    assert (
        translate(
            app,
            lang,
            "The service is not available in this country or region, so no organization can be created for it. Contact your account representative.",
        )
        in html
    )


def test_w5_countries_are_named_and_sorted_in_the_page_language(client, wx):
    w = wizard(client, wx[1], "sv")
    w.get()
    w.post("role", {"role": "customer"})
    w.post("admin", {"admin_email": "it@fabrikam.example"})
    html = w.text("company")
    assert html.index(">Zimbabwe<") < html.index(">Österrike<")  # Swedish: ö after z
    w = wizard(client, wx[1], "sl")
    w.get()
    w.post("role", {"role": "customer"})
    w.post("admin", {"admin_email": "it@fabrikam.example"})
    html = w.text("company")
    assert html.index(">Ciper<") < html.index(">Čile<") < html.index(">Danska<")  # Slovenian: č after c


# --- M1-M4, W6 ------------------------------------------------------------------------------


def test_m1_admin_email_maps_to_its_organization(client, app, db, wx):
    order_id, token = wx
    w = wizard(client, token)
    w.through(admin_email="ADMIN@Contoso.example", company="Whatever Inc")
    page = w.text("organization")
    assert "Contoso Manufacturing" in page
    w.post("organization", {"answer": "yes"})
    assert w.post("confirm").status_code == 302
    db.rollback()
    order = db.get(Order, order_id)
    assert order.mapped_organization.name == "Contoso Manufacturing"
    event = db.scalar(select(AuditEvent).where(AuditEvent.order_id == order_id, AuditEvent.action == "order_mapped"))
    assert event.details["reason"] == "m1_email_match"


def test_m2_candidates_share_the_name_prefix_and_the_email_domain(client, wx):
    w = wizard(client, wx[1])
    w.through(admin_email="new.person@contoso.example", company="CONTOSO Logistics")
    page = w.text("organization")
    for name in ("Contoso Manufacturing", "Contoso Medical Group", "Contoso Online Trial"):
        assert name in page
    assert "Acme" not in page


def test_m2_domain_narrows_the_candidates(client, wx):
    w = wizard(client, wx[1])
    w.through(admin_email="someone@contoso-medical.example", company="Contoso Logistics")
    page = w.text("organization")
    assert "Contoso Medical Group" in page and "Contoso Manufacturing" not in page


def test_m2_cyrillic_names_match_case_insensitively(client, wx):
    w = wizard(client, wx[1], "bg")
    w.through(admin_email="new@balkantel.example", company="БАЛКАН Холдинг", country="BG")
    page = w.text("organization")
    assert "Балкан Телеком ЕООД" in page and "Балкан Софт АД" in page


def test_m3_candidates_show_facts_and_guidance(client, app, wx):
    w = wizard(client, wx[1], "nl")
    w.through(admin_email="new.person@contoso.example", company="Contoso Logistics")
    page = w.text("organization")
    assert (
        translate(app, "nl", "Active subscriptions") in page and translate(app, "nl", "Full admin to contact") in page
    )
    assert (
        translate(
            app, "nl", "No active subscriptions and created long ago: the customer may no longer use this organization."
        )
        in page
    )
    assert (
        translate(
            app,
            "nl",
            "Both indicators show activity: confirm with its full admin before you map the subscription to it.",
        )
        in page
    )
    assert "admin@contoso.example" in page


def test_m4_partner_for_a_customer_continues_but_must_ask_the_admin(client, app, db, wx):
    order_id, token = wx
    contoso = db.scalar(select(Organization.id).where(Organization.name == "Contoso Manufacturing"))
    users_before = count(db, User, User.organization_id == contoso)
    w = wizard(client, token)
    w.through(admin_email="new.person@contoso.example", company="Contoso Logistics")
    assert w.post("organization", {"organization": str(contoso)}).status_code == 302
    assert "ask an existing admin of the organization to add this user as an admin" in w.text("confirm")
    assert w.post("confirm").status_code == 302
    assert count(db, User, User.organization_id == contoso) == users_before  # no admin added by the wizard
    assert db.get(Order, order_id).mapped_organization_id == contoso


@pytest.mark.parametrize("lang", LANGUAGES)
def test_m4_a_customer_cannot_continue_until_an_admin_adds_them(client, app, db, wx, lang):
    contoso = db.scalar(select(Organization.id).where(Organization.name == "Contoso Manufacturing"))
    w = wizard(client, wx[1], lang)
    w.through(role="customer", admin_email="new.person@contoso.example", company="Contoso Logistics")
    html = w.post("organization", {"organization": str(contoso)}).get_data(as_text=True)
    assert translate(app, lang, "The set-up cannot continue") in html
    assert w.get("confirm").status_code == 302
    assert db.get(Order, wx[0]).status == "awaiting_provisioning"


def test_m4_a_partner_for_its_own_use_cannot_continue(client, app, db, wx):
    northwind = db.scalar(select(Organization.id).where(Organization.name == "Northwind Solutions B.V."))
    w = wizard(client, wx[1])
    w.through(admin_email="new.admin@northwind.example", company="Northwind Solutions")
    html = w.post("organization", {"organization": str(northwind)}).get_data(as_text=True)
    assert "Ask its current full admin (anna.dekker@northwind.example) to add the new admin first" in html


def test_w4_a_user_of_another_organization_cannot_get_a_new_one(client, wx):
    w = wizard(client, wx[1])
    w.through(admin_email="j.smith@contoso.example", company="Totally Different")
    page = w.text("organization")
    assert "Contoso Medical Group" in page and 'value="new"' not in page
    assert w.post("organization", {"organization": "new"}).status_code == 200  # refused


def test_w6_an_unrecognised_organization_stops_with_advice(client, app, wx):
    w = wizard(client, wx[1], "bg")
    w.through(admin_email="admin@contoso.example", company="Contoso")
    html = w.post("organization", {"answer": "unknown"}).get_data(as_text=True)
    assert (
        translate(
            app,
            "bg",
            "Do not continue. Contact your account representative to check which organization this order belongs to.",
        )
        in html
    )


def test_w5_contact_centre_trial_conversion_needs_the_trials_admin_email(client, app, demo):
    order_id, token = place_order(app, offer="A-FLEX-CC")
    w = Wizard(client, token)
    w.through(admin_email="someone.else@helios.example", company="Helios Contact Centre")
    with app.app_context():
        from portal.infra.db import db

        helios = db.scalar(select(Organization.id).where(Organization.name == "Helios Contact Services"))
    html = w.post("organization", {"organization": str(helios)}).get_data(as_text=True)
    assert "To convert the trial, go back and enter the same admin email as the trial’s." in html
    w.through(admin_email="trial.admin@helios.example", company="Helios Contact Centre")
    w.post("organization", {"answer": "yes"})
    assert w.post("confirm").status_code == 302


def test_w6_an_expired_trial_tenant_stops_the_contact_centre_wizard(client, app, demo):
    order_id, token = place_order(app, offer="A-FLEX-CC")
    w = Wizard(client, token, "nl")
    w.through(admin_email="trial.admin@vega.example", company="Vega Callcenter")
    html = w.post("organization", {"answer": "yes"}).get_data(as_text=True)
    assert (
        translate(
            app,
            "nl",
            "This trial tenant has expired, so the order cannot be set up in it. Contact your account representative.",
        )
        in html
    )


# --- W7, O4 ---------------------------------------------------------------------------------


def _to_confirm(client, token, company="Fabrikam Ltd", email="it@fabrikam.example"):
    w = wizard(client, token)
    w.through(admin_email=email, company=company)
    w.post("organization", {"organization": "new"})
    return w


def test_w7_double_submission_maps_once(client, db, wx):
    w = _to_confirm(client, wx[1])
    assert w.post("confirm").status_code == 302
    assert w.post("confirm").headers["Location"].endswith("/done")
    assert count(db, Organization, Organization.name == "Fabrikam Ltd") == 1
    assert count(db, Subscription, Subscription.order_id == wx[0]) == 1
    assert count(db, AuditEvent, AuditEvent.order_id == wx[0], AuditEvent.action == "order_mapped") == 1


def test_w7_a_second_contact_finishing_the_same_order_maps_nothing(client, app, db, wx):
    first = _to_confirm(client, wx[1])
    second = _to_confirm(app.test_client(), wx[1], company="Other Company", email="x@other.example")
    assert first.post("confirm").status_code == 302
    assert second.post("confirm").headers["Location"].endswith("/done")
    assert count(db, Organization, Organization.name == "Other Company") == 0


def test_w7_after_mapping_the_link_shows_only_that_the_order_is_set_up(client, app, db, wx):
    first = _to_confirm(client, wx[1], company="Fabrikam Ltd", email="it@fabrikam.example")
    first.post("confirm")
    assert "Fabrikam Ltd" in first.text("done")  # the browser that confirmed sees it
    stranger = wizard(app.test_client(), wx[1])  # a mail scanner, a forwarded email
    assert stranger.get("done").headers["Location"].endswith(f"/setup/{wx[1]}")
    page = stranger.text()
    assert "This order is already mapped to an organization." in page
    assert "Fabrikam Ltd" not in page and "it@fabrikam.example" not in page


def test_w7_concurrent_confirmations_map_the_order_once(app, db, wx):
    assert race_confirmations(app, wx[1], "Racer") == [302] * 4
    assert count(db, Organization, Organization.name.like("Racer %")) == 1
    assert count(db, Subscription, Subscription.order_id == wx[0]) == 1


def test_o4_edit_and_resend_close_after_mapping(client, app, db, wx):
    w = _to_confirm(client, wx[1])
    w.post("confirm")
    partner = app.test_client()
    sign_in(partner, "anna.dekker@northwind.example")
    page = partner.get(f"/en/orders/{wx[0]}").get_data(as_text=True)
    assert "Save contact" not in page and "Resend the set-up email" not in page
    assert "The order was mapped to Fabrikam Ltd: a new organization was created." in page  # audit, visible
    response = partner.post(f"/en/orders/{wx[0]}/resend", data={"nonce": "after-mapping-0001"}, follow_redirects=True)
    assert "can no longer be changed" in response.get_data(as_text=True)


# --- W9 -------------------------------------------------------------------------------------


def test_w9_steps_follow_the_purchased_services(client, app, db, demo):
    from portal.wizard import service_setup

    with app.app_context():
        for offer, expected in [
            ("A-WX", ["details", "calling", "meetings", "enterprise", "provision"]),
            ("A-SPK", ["details", "meetings", "provision"]),
            ("A-FLEX-CC", ["details", "provision"]),
        ]:
            order = Order(offer=offer)
            from portal.domain.catalog import OFFERS
            from portal.models import OrderLine

            order.lines = [OrderLine(service=s, quantity=1) for s in OFFERS[offer]]
            assert service_setup.steps(order) == expected


def test_w9_service_set_up_and_billing_starts_exactly_once(client, app, db, wx):
    order_id, token = wx
    w = _to_confirm(client, token)
    w.post("confirm")
    assert w.post("services/details").headers["Location"].endswith("/services/calling")
    assert w.post("services/calling", {"location": "Amsterdam HQ", "country": "NL"}).status_code == 302
    assert w.post("services/meetings", {"site": "Bad Site!", "time_zone": "Europe/Amsterdam"}).status_code == 200
    assert w.post("services/meetings", {"site": "fabrikam", "time_zone": "Europe/Amsterdam"}).status_code == 302
    taken = w.post("services/enterprise", {"subdomain": "contoso-taken", "action": "check"})
    assert "is available" in taken.get_data(as_text=True)
    assert w.post("services/enterprise", {"subdomain": "fabrikam"}).status_code == 302
    assert w.post("services/provision").status_code == 302
    first = db.scalar(select(Subscription).where(Subscription.order_id == order_id))
    assert first.status == "active" and first.billing_started_at is not None
    started = first.billing_started_at
    w.post("services/provision")
    db.rollback()
    assert db.get(Subscription, first.id).billing_started_at == started
    assert count(db, AuditEvent, AuditEvent.order_id == order_id, AuditEvent.action == "billing_started") == 1
    assert db.get(Order, order_id).status == "provisioned"


def test_w9_provision_is_refused_until_every_step_the_services_need_is_done(client, app, db, wx):
    order_id, token = wx
    w = _to_confirm(client, token)
    w.post("confirm")
    skipped = w.post("services/provision")  # straight after mapping: no calling, meetings or subdomain
    assert skipped.status_code == 422
    html = skipped.get_data(as_text=True)
    assert "Complete every set-up step before you provision and start billing." in html
    assert all(title in html for title in ("Calling settings", "Meeting settings", "Enterprise settings"))
    db.rollback()
    assert db.scalar(select(Subscription).where(Subscription.order_id == order_id)).billing_started_at is None
    assert db.get(Order, order_id).status == "mapped"
    w.post("services/calling", {"location": "Amsterdam HQ", "country": "NL"})
    w.post("services/meetings", {"site": "fabrikam", "time_zone": "Europe/Amsterdam"})
    still = w.post("services/provision")
    notice = still.get_data(as_text=True).split('class="notice"')[1].split("</div>")[0]
    assert still.status_code == 422 and "Enterprise settings" in notice and "Calling settings" not in notice
    w.post("services/enterprise", {"subdomain": "fabrikam"})
    assert w.post("services/provision").status_code == 302
    db.rollback()
    assert db.get(Order, order_id).status == "provisioned"


def test_w9_missing_steps_name_only_what_the_services_need(app, db, make_partner, make_order):
    from portal.wizard import service_setup

    partner, admin = make_partner()
    order = make_order(partner, admin, offer="A-FLEX-CC")
    order.status, order.mapped_organization_id, order.mapped_at = "mapped", partner.id, order.created_at
    db.add(
        Subscription(
            organization_id=partner.id,
            order_id=order.id,
            offer="A-FLEX-CC",
            status="pending",
            created_at=order.created_at,
        )
    )
    db.flush()
    assert service_setup.missing_steps(order) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_w9_check_availability_answers_inline(client, app, db, wx, lang):
    db.scalar(select(Organization).where(Organization.name == "Acme Rockets")).subdomain = "acme"
    db.commit()
    w = _to_confirm(client, wx[1])
    w.post("confirm")
    w.lang, w.base = lang, f"/{lang}/setup/{wx[1]}"
    taken = w.post("check-subdomain", {"subdomain": "ACME"}, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert translate(app, lang, "This subdomain is already used by another organization.") in taken
    assert "<html" not in taken
    bad = w.post("check-subdomain", {"subdomain": "-x"}, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert (
        translate(
            app,
            lang,
            "Use 3 to 63 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit.",
        )
        in bad
    )
    free = w.post("check-subdomain", {"subdomain": "fabrikam"}, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert translate(app, lang, "%(subdomain)s is available.", subdomain="fabrikam") in free


def test_wizard_panel_is_swapped_alone_for_htmx(client, wx):
    w = wizard(client, wx[1])
    w.get()
    response = w.get("role", headers={"HX-Request": "true", "HX-Target": "wizard-panel"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="wizard-panel"') and "<html" not in html
    assert "HX-Request" in response.headers["Vary"]


def test_o6_a_request_that_changes_nothing_leaves_the_session_cookie_alone(client, wx):
    """The inline email check runs beside the form's own submission; it must never send back a
    session cookie that would overwrite the answer the submission just saved."""
    w = wizard(client, wx[1])
    w.get()
    w.post("role", {"role": "customer"})
    w.get("admin")  # settles what the session holds for an anonymous visitor
    check = w.post("admin", {"admin_email": "it@fabrikam.example", "inline": "1"}, headers={"HX-Request": "true"})

    def session_cookies(response):
        return [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]

    assert check.status_code == 200 and session_cookies(check) == []
    saved = w.post("admin", {"admin_email": "it@fabrikam.example"})
    assert len(session_cookies(saved)) == 1  # the answer itself is saved
