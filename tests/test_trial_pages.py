"""The trial pages through the test client: partner's customers list, starting, managing;
the customer admin's answers (rules T1-T15, T19)."""

import pytest
from sqlalchemy import select

from portal.models import Order, Organization, Trial
from portal.scheduler import run_tick
from tests.conftest import LANGUAGES, sign_in, translate


def trial_form(**overrides):
    data = {
        "company": "Fabrikam Ltd",
        "admin_email": "it@fabrikam.example",
        "industry": "retail",
        "country": "NL",
        "supported_location": "y",
        "services": ["messaging", "meetings"],
        "license_count": "40",
        "duration": "30",
        "phones": "0",
        "desk_devices": "0",
        "boards": "0",
        "action": "save",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("lang", LANGUAGES)
def test_t9_t16_customers_list_in_each_language(partner_client, app, lang):
    html = partner_client.get(f"/{lang}/customers/").get_data(as_text=True)
    assert translate(app, lang, "Customers") in html and "<svg" in html
    assert "Contoso Manufacturing" in html and "Helios Contact Services" in html
    assert translate(app, lang, "Trial active") in html


def test_customers_list_searches_through_htmx_and_exports_csv(partner_client, app):
    rows = partner_client.get("/en/customers/?q=helios", headers={"HX-Request": "true", "HX-Target": "customer-rows"})
    html = rows.get_data(as_text=True)
    assert html.lstrip().startswith("<tr>") and "Helios" in html and "Contoso" not in html
    csv = partner_client.get("/sv/customers/export.csv?status=active").get_data(as_text=True)
    assert csv.startswith("\ufeff" + translate(app, "sv", "Customer")) and "Helios Contact Services" in csv


def test_customers_list_is_sorted_in_the_language_order(partner_client):
    html = partner_client.get("/sv/customers/").get_data(as_text=True)
    assert html.index("Vega Callcenter") < html.index("Åkerlund")  # Swedish: å after z


def test_t1_read_only_admin_cannot_start_trials(client, demo):
    sign_in(client, "lars.berg@northwind.example")
    assert client.get("/en/customers/").status_code == 200
    assert client.get("/en/customers/trials/new").status_code == 403
    sign_in(client, "maja.novak@ljconnect.example")  # uncertified partner
    assert client.get("/en/customers/trials/new").status_code == 403


@pytest.mark.parametrize("lang", LANGUAGES)
def test_t2_t6_start_a_trial_for_a_new_customer_and_set_it_up_now(partner_client, app, db, lang):
    response = partner_client.post(
        f"/{lang}/customers/trials/new",
        data=trial_form(action="setup", admin_email=f"it@fabrikam-{lang}.example", company=f"Fabrikam {lang}"),
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = partner_client.get(response.headers["Location"]).get_data(as_text=True)
    assert translate(app, lang, "Trial active") in page


def test_t2_bad_input_is_explained_and_stores_nothing(partner_client, app, db):
    before = db.scalar(select(Organization.id).order_by(Organization.id.desc()).limit(1))
    html = partner_client.post(
        "/nl/customers/trials/new", data=trial_form(supported_location="", services=[])
    ).get_data(as_text=True)
    assert (
        translate(app, "nl", "Confirm that the customer is in a supported location.") in html
        or translate(app, "nl", "Choose at least one service.") in html
    )
    assert db.scalar(select(Organization.id).order_by(Organization.id.desc()).limit(1)) == before


def test_t7_t8_existing_organization_needs_confirmation_then_consent(client, app, db, demo):
    sign_in(client, "ivan.petrov@sofiacomm.example")
    first = client.post(
        "/bg/customers/trials/new", data=trial_form(admin_email="admin@contoso.example", services=["devices"])
    )
    html = first.get_data(as_text=True)
    assert (
        "Contoso Manufacturing" in html
        and translate(app, "bg", "Yes, start the trial for this existing organization") in html
    )
    bought = client.post(
        "/bg/customers/trials/new",
        data=trial_form(admin_email="admin@contoso.example", services=["calling"], confirm_existing="y"),
    )
    assert bought.status_code == 422  # Contoso bought calling: it cannot be trialled (rule T7)
    second = client.post(
        "/bg/customers/trials/new",
        data=trial_form(admin_email="admin@contoso.example", services=["devices"], confirm_existing="y"),
    )
    assert second.status_code == 302
    trial = db.scalar(select(Trial).where(Trial.partner_id != None, Trial.status == "pending_consent"))  # noqa: E711
    assert trial is not None
    customer = client.application.test_client()
    sign_in(customer, "admin@contoso.example")
    page = customer.get("/sl/organization/").get_data(as_text=True)
    assert translate(app, "sl", "Trial request pending") in page
    assert customer.post(f"/sl/organization/trials/{trial.id}/accept").status_code == 302
    db.expire_all()
    assert db.get(Trial, trial.id).status == "awaiting_provisioning"


def test_t11_extension_preview_shows_the_end_date(partner_client, app, db):
    trial_id = db.scalar(
        select(Trial.id)
        .join(Organization, Organization.id == Trial.customer_id)
        .where(Organization.name == "Helios Contact Services")
    )
    html = partner_client.get(f"/nl/customers/trials/{trial_id}/extend/preview?days=60").get_data(as_text=True)
    assert translate(app, "nl", "The trial will end on %(date)s.", date="19 januari 2027") in html


def test_t13_tier_1_converts_from_the_page(partner_client, app, db):
    trial = db.scalar(
        select(Trial)
        .join(Organization, Organization.id == Trial.customer_id)
        .where(Organization.name == "Helios Contact Services")
    )
    prefix = f"convert{trial.id}-"
    response = partner_client.post(
        f"/en/customers/trials/{trial.id}/convert",
        data={
            prefix + "admin_email": "trial.admin@helios.example",
            prefix + "offer": "A-FLEX-CC",
            prefix + "contact": "anna.dekker@northwind.example",
            prefix + "submission_key": "convert-page-00001",
        },
    )
    assert response.status_code == 302 and "/orders/" in response.headers["Location"]
    assert db.scalar(select(Order).where(Order.submission_key == "convert-page-00001")).status == "mapped"


def test_t15_customer_admin_cancels_with_confirmation(client, app, db, demo):
    sign_in(client, "trial.admin@helios.example")
    trial_id = db.scalar(
        select(Trial.id)
        .join(Organization, Organization.id == Trial.customer_id)
        .where(Organization.name == "Helios Contact Services")
    )
    assert translate(app, "nl", "Yes, cancel the trial") in client.get(
        f"/nl/organization/trials/{trial_id}/cancel"
    ).get_data(as_text=True)
    assert client.post(f"/nl/organization/trials/{trial_id}/cancel").status_code == 302
    db.expire_all()
    assert db.get(Trial, trial_id).status == "cancelled"


def test_t16_licenses_show_expired_after_expiry(client, app, db, demo, clock):
    clock.advance(days=75)  # Helios' 90-day trial started 20 days ago
    with app.app_context():
        run_tick()
    sign_in(client, "trial.admin@helios.example")
    html = client.get("/sv/organization/").get_data(as_text=True)
    assert translate(app, "sv", "Expired") in html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_t2_the_country_shows_its_data_residency_region(partner_client, app, lang):
    html = partner_client.get(f"/{lang}/customers/trials/region?country=SE", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert (
        translate(app, lang, "Data residency region: %(region)s", region=translate(app, lang, "European Union")) in html
    )
    refused = partner_client.get(f"/{lang}/customers/trials/region?country=CU").get_data(as_text=True)
    assert (
        translate(
            app,
            lang,
            "The service is not available in this country or region, so no organization can be created for it. Contact your account representative.",
        )
        in refused
    )
