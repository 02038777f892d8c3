"""The order pages in every language, and who may see and change what."""

import pytest
from sqlalchemy import func, select

from portal.models import Order, OutgoingEmail
from portal.scheduler import run_tick
from tests.conftest import LANGUAGES, sign_in, translate


def order_form(**overrides):
    data = {
        "offer": "A-WX",
        "licenses": "25",
        "requested_start": "2026-11-27",
        "provisioning_contact": "it@contoso.example",
        "setup_language": "sv",
        "submission_key": "page-test-key-0001",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("lang", LANGUAGES)
def test_o1_partner_places_an_order_in_each_language(partner_client, app, db, lang):
    new_page = partner_client.get(f"/{lang}/orders/new").get_data(as_text=True)
    assert translate(app, lang, "Place an order") in new_page
    assert translate(app, lang, "Provisioning contact email") in new_page
    response = partner_client.post(f"/{lang}/orders/new", data=order_form(submission_key=f"key-{lang}-000000000"))
    assert response.status_code == 302
    page = partner_client.get(response.headers["Location"]).get_data(as_text=True)
    assert translate(app, lang, "Awaiting provisioning details") in page
    listing = partner_client.get(f"/{lang}/orders/").get_data(as_text=True)
    assert translate(app, lang, "Orders") in listing


@pytest.mark.parametrize("lang", LANGUAGES)
def test_bad_input_gets_a_message_in_the_users_language_and_stores_nothing(partner_client, app, db, lang):
    before = db.scalar(select(func.count(Order.id)))
    response = partner_client.post(
        f"/{lang}/orders/new",
        data=order_form(provisioning_contact="not an email", licenses="0", requested_start="2020-01-01"),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert translate(app, lang, "Enter a valid email address, such as name@example.com.") in html
    assert translate(app, lang, "Enter a whole number from %(min)s to %(max)s.", min=1, max=100000) in html
    assert db.scalar(select(func.count(Order.id))) == before


@pytest.mark.parametrize("lang", LANGUAGES)
def test_o1_start_date_in_the_past_is_refused_in_each_language(partner_client, app, lang):
    response = partner_client.post(f"/{lang}/orders/new", data=order_form(requested_start="2026-11-01"))
    assert translate(app, lang, "The requested start date cannot be in the past.") in response.get_data(as_text=True)


def test_o1_double_click_on_place_order_stores_one_order(partner_client, db):
    for _ in range(2):
        assert partner_client.post("/en/orders/new", data=order_form()).status_code == 302
    assert db.scalar(select(func.count(Order.id)).where(Order.submission_key == "page-test-key-0001")) == 1


def test_o4_contact_change_through_htmx_returns_the_panel(partner_client, app, db):
    partner_client.post("/en/orders/new", data=order_form(requested_start="2026-11-20"))
    order_id = db.scalar(select(Order.id).where(Order.submission_key == "page-test-key-0001"))
    with app.app_context():
        run_tick()
    response = partner_client.post(
        f"/nl/orders/{order_id}/contact",
        headers={"HX-Request": "true"},
        data={"provisioning_contact": "Jan@Contoso.example", "setup_language": "nl", "send_now": "y"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="contact-panel"')
    assert "jan@contoso.example" in html
    assert translate(app, "nl", "Provisioning contact") in html
    assert db.scalar(select(func.count(OutgoingEmail.id)).where(OutgoingEmail.to_address == "jan@contoso.example")) == 1


def test_o4_resend_button_queues_the_email_again(partner_client, app, db):
    partner_client.post("/en/orders/new", data=order_form(requested_start="2026-11-20"))
    order_id = db.scalar(select(Order.id).where(Order.submission_key == "page-test-key-0001"))
    with app.app_context():
        run_tick()
    response = partner_client.post(f"/sl/orders/{order_id}/resend", data={"nonce": "resend-nonce-00001"})
    assert response.status_code == 302
    page = partner_client.get(response.headers["Location"]).get_data(as_text=True)
    assert translate(app, "sl", "The set-up email is on its way to %(contact)s.", contact="it@contoso.example") in page


# --- who may see and change what ------------------------------------------------------------


def test_orders_require_sign_in(client):
    response = client.get("/nl/orders/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/nl/sign-in")


def test_read_only_admin_sees_orders_but_cannot_place_them(client, app, demo):
    sign_in(client, "lars.berg@northwind.example")
    assert client.get("/en/orders/").status_code == 200
    assert translate(app, "en", "Place an order") not in client.get("/en/orders/").get_data(as_text=True)
    assert client.get("/en/orders/new").status_code == 403
    assert client.post("/en/orders/new", data=order_form()).status_code == 403
    assert client.post("/en/orders/1/contact", data={"provisioning_contact": "x@y.z"}).status_code == 403


def test_customer_admin_cannot_see_partner_orders(client, demo):
    sign_in(client, "admin@contoso.example")
    assert client.get("/en/orders/").status_code == 403
    assert client.get("/en/orders/1").status_code == 403
    assert client.get("/en/organization/").status_code == 200


def test_partner_cannot_see_another_partners_order(client, demo):
    sign_in(client, "maja.novak@ljconnect.example")
    assert client.get("/en/orders/1").status_code == 404  # order 1 is Northwind's
    assert client.post("/en/orders/1/resend", data={"nonce": "x" * 16}).status_code == 404


def test_wrong_password_is_refused_with_one_message(client, app, demo):
    for email in ("anna.dekker@northwind.example", "nobody@nowhere.example"):
        response = client.post("/sv/sign-in", data={"email": email, "password": "wrong"})
        assert translate(app, "sv", "The email address or password is incorrect.") in response.get_data(as_text=True)


def test_sign_out_needs_a_post(partner_client):
    assert partner_client.get("/en/sign-out").status_code == 405
    assert partner_client.post("/en/sign-out").status_code == 302
    assert partner_client.get("/en/orders/").status_code == 302


def test_sign_in_does_not_redirect_off_site(client, demo):
    response = client.post(
        "/en/sign-in?next=https://evil.example/",
        data={"email": "anna.dekker@northwind.example", "password": "portal-demo-2026"},
    )
    assert response.headers["Location"] == "/en/"


def test_csrf_token_is_required_on_every_form(app_config, demo):
    from portal import create_app

    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    client = app.test_client()
    response = client.post(
        "/nl/sign-in", data={"email": "anna.dekker@northwind.example", "password": "portal-demo-2026"}
    )
    assert response.status_code == 400
    assert translate(app, "nl", "The form has expired") in response.get_data(as_text=True)
    app.extensions["portal.engine"].dispose()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_customer_admin_sees_its_organization_in_each_language(client, app, demo, lang):
    sign_in(client, "admin@contoso.example")
    html = client.get(f"/{lang}/organization/").get_data(as_text=True)
    assert "Contoso Manufacturing" in html
    assert translate(app, lang, "Subscriptions") in html
    from babel import Locale

    assert Locale.parse(lang).territories["US"] in html  # country name from CLDR (rule L4)


def test_account_language_preference_is_saved(client, app, db, demo):
    sign_in(client, "lars.berg@northwind.example")
    response = client.post("/en/account", data={"language": "sl", "time_zone": "Europe/Ljubljana"})
    assert response.headers["Location"] == "/sl/account"
    assert client.get("/", headers={"Accept-Language": "en"}).headers["Location"].endswith("/sl/")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_unparseable_numbers_and_dates_are_explained_in_each_language(partner_client, app, lang):
    html = partner_client.post(
        f"/{lang}/orders/new", data=order_form(licenses="many", requested_start="soon")
    ).get_data(as_text=True)
    assert translate(app, lang, "Enter a whole number.") in html
    assert translate(app, lang, "Enter a valid date.") in html
    assert "Not a valid" not in html  # no WTForms message outside our catalogs
