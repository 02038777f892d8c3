"""The set-up wizard in real Chromium, with htmx, in each of the five languages (rules W1-W9,
M1-M4): mapping by admin email, choosing an M2 candidate, a new organization through the
service set-up, and the customer path that M4 blocks. Every step leaves a screenshot in
artifacts/wizard/<scenario>/<lang>/."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import ARTIFACTS, LANGUAGES, translate
from tests.wizard_driver import place_order

pytestmark = pytest.mark.browser


class Journey:
    def __init__(self, app, page, live_portal, lang, scenario, offer="A-WX"):
        self.app, self.page, self.lang = app, page, lang
        self.shots = ARTIFACTS / "wizard" / scenario / lang
        self.shots.mkdir(parents=True, exist_ok=True)
        self.n = 0
        _, token = place_order(app, offer=offer, language=lang, key=f"browser-{scenario}-{lang}-00001")
        self.url = f"{live_portal.url}/{lang}/setup/{token}"

    def t(self, message, **params):
        return translate(self.app, self.lang, message, **params)

    def shot(self, name):
        self.n += 1
        self.page.screenshot(path=str(self.shots / f"{self.n:02d}-{name}.png"), full_page=True)

    def heading(self, message, **params):
        expect(self.page.locator("#wizard-heading")).to_have_text(self.t(message, **params))

    def choose(self, message):
        self.page.get_by_label(self.t(message), exact=True).check()

    def next(self, label="Next"):
        self.page.get_by_role("button", name=self.t(label), exact=True).click()

    def start(self):
        self.page.goto(self.url)
        expect(self.page.locator("html")).to_have_attribute("lang", self.lang)
        self.shot("entry")
        self.page.get_by_role("link", name=self.t("Start the set-up")).click()
        self.heading("Your role")
        expect(self.page.get_by_text(self.t("Step %(number)s of %(total)s", number=1, total=8))).to_be_visible()
        self.shot("role")

    def as_partner_to_admin(self):
        self.choose("I am a partner")
        self.next()
        self.heading("Who sets up the services?")
        self.shot("who")
        self.choose("Yes, I will set up")
        self.next()
        self.heading("Partner organization")
        self.shot("partner")
        self.choose("Yes, this is my organization")
        self.next()
        self.heading("Customer admin")

    def admin_and_company(self, email, company, country="NL"):
        self.page.get_by_label(self.t("Customer admin email")).fill(email)
        self.shot("admin")
        self.next()
        self.heading("Company and country")
        self.page.get_by_label(self.t("Company name")).fill(company)
        self.page.get_by_label(self.t("Country of operation")).select_option(country)
        self.shot("company")
        self.next()
        self.heading("Customer organization")
        self.shot("organization")

    def confirm(self, organization):
        self.heading("Confirm the details")
        self.shot("confirm")
        self.next("Confirm")
        self.heading("Your order is set up")
        expect(self.page.locator(".flash-success")).to_contain_text(organization)
        self.shot("done")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_m1_mapping_by_admin_email(live_portal, app, page, lang):
    j = Journey(app, page, live_portal, lang, "m1-email")
    j.start()
    j.as_partner_to_admin()
    j.admin_and_company("admin@contoso.example", "Contoso")
    expect(page.get_by_role("heading", name="Contoso Manufacturing")).to_be_visible()
    j.choose("Yes, continue with this organization")
    j.next()
    j.confirm("Contoso Manufacturing")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_m2_choosing_a_candidate(live_portal, app, page, lang):
    j = Journey(app, page, live_portal, lang, "m2-candidate")
    j.start()
    j.as_partner_to_admin()
    j.admin_and_company("new.person@contoso.example", "Contoso Logistics")
    expect(page.get_by_text(j.t("Active subscriptions")).first).to_be_visible()
    page.get_by_label("Contoso Manufacturing").check()
    j.next()
    j.confirm("Contoso Manufacturing")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_new_organization_through_service_set_up(live_portal, app, page, lang):
    j = Journey(app, page, live_portal, lang, "new-organization")
    j.start()
    j.as_partner_to_admin()
    j.admin_and_company(f"it@fabrikam-{lang}.example", f"Fabrikam {lang.upper()}", country="SI")
    j.choose("Create a new organization")
    j.next()
    j.confirm(f"Fabrikam {lang.upper()}")
    page.get_by_role("link", name=j.t("Start the service set-up")).click()
    j.heading("Subscription details")
    expect(page.get_by_text(j.t("Service set-up: step %(number)s of %(total)s", number=1, total=5))).to_be_visible()
    j.shot("details")
    j.next()
    j.heading("Calling settings")
    page.get_by_label(j.t("Main location name")).fill("HQ")
    j.shot("calling")
    j.next()
    j.heading("Meeting settings")
    page.get_by_label(j.t("Meetings site name")).fill(f"fabrikam-{lang}")
    page.get_by_label(j.t("Time zone")).select_option("Europe/Ljubljana")
    j.shot("meetings")
    j.next()
    j.heading("Enterprise settings")
    page.get_by_label(j.t("Subdomain")).fill(f"fabrikam-{lang}")
    page.get_by_role("button", name=j.t("Check availability")).click()
    expect(page.locator("#subdomain-check")).to_have_text(
        j.t("%(subdomain)s is available.", subdomain=f"fabrikam-{lang}")
    )
    j.shot("enterprise-checked")
    j.next("Save")
    j.heading("Provision and start billing")
    j.shot("provision")
    j.next("Provision and start billing")
    expect(page.locator(".flash-success").first).to_contain_text(
        j.t("The subscription is active and billing has started for every purchased service.")
    )
    j.shot("provisioned")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_m4_blocks_a_customer_who_is_not_an_admin(live_portal, app, page, lang):
    j = Journey(app, page, live_portal, lang, "m4-customer-blocked")
    j.start()
    j.choose("I am a customer")
    j.next()
    j.heading("Customer admin")
    expect(page.get_by_text(j.t("Step %(number)s of %(total)s", number=2, total=6))).to_be_visible()
    j.admin_and_company("new.person@contoso.example", "Contoso Logistics")
    page.get_by_label("Contoso Manufacturing").check()
    j.next()
    j.heading("The set-up cannot continue")
    expect(page.get_by_role("alert")).to_contain_text("admin@contoso.example")
    j.shot("blocked")
    expect(page).to_have_url(re.compile(r"/organization$"))
