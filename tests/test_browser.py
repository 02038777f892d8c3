"""One journey per language in real Chromium: sign in as the demo partner, place an order,
run the scheduler, open the email in the demo mailbox and follow "Set up now" (rules O1, O2, L1, L3).

Screenshots of every step go to artifacts/browser/<lang>/.
"""

import re

import pytest
from playwright.sync_api import expect

from portal.scheduler import run_tick
from tests.browser import beside_the_portal, wait_for_email
from tests.conftest import ARTIFACTS, LANGUAGES, PASSWORD, translate

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", LANGUAGES)
def test_partner_orders_and_contact_follows_set_up_now(live_portal, app, page, lang):
    shots = ARTIFACTS / "browser" / lang
    shots.mkdir(parents=True, exist_ok=True)
    t = lambda message, **params: translate(app, lang, message, **params)  # noqa: E731

    def step(n: int, name: str):
        page.screenshot(path=str(shots / f"{n:02d}-{name}.png"), full_page=True)

    if lang != "en":
        assert t("Set up now") != "Set up now", f"{lang} has no translation for 'Set up now'"

    # 1. Sign in as the demo partner.
    page.goto(f"{live_portal.url}/{lang}/sign-in")
    expect(page).to_have_title(re.compile(re.escape(t("Sign in"))))
    assert page.locator("html").get_attribute("lang") == lang
    page.get_by_label(t("Email address")).fill("anna.dekker@northwind.example")
    page.get_by_label(t("Password")).fill(PASSWORD)
    step(1, "sign-in")
    page.get_by_role("button", name=t("Sign in")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("What needs your attention"))  # the home page
    page.get_by_role("link", name=t("Orders"), exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Orders"))
    step(2, "orders")

    # 2. Place an order starting today, set-up email in this language.
    page.get_by_role("link", name=t("Place an order")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Place an order"))
    page.get_by_label(t("Offer")).select_option("A-SPK")
    page.get_by_label(t("Number of licenses")).fill("20")
    page.get_by_label(t("Requested start date")).fill("2026-11-20")
    page.get_by_label(t("Provisioning contact email")).fill(f"it.{lang}@contoso.example")
    page.get_by_label(t("Language of the set-up email")).select_option(lang)
    step(3, "order-form")
    page.get_by_role("button", name=t("Place order")).click()
    expect(page.locator(".status").first).to_have_text(t("Awaiting provisioning details"))
    reference = re.search(r"ORD-\d{6}", page.get_by_role("heading", level=1).inner_text()).group(0)
    step(4, "order-placed")

    # 3. The scheduler runs on the start date: the email goes out over SMTP (sent by this run
    # or by the portal's delivery loop, whichever claims it first).
    with beside_the_portal(app):
        assert run_tick()["setup_emails"] >= 1

    # 4. The email in the demo mailbox, in this language.
    subject = t("Set up your order %(reference)s now", reference=reference)
    link = wait_for_email(page, f"{live_portal.url}/{lang}/mailbox/", subject)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Demo mailbox"))
    step(5, "mailbox")
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(subject)
    email = page.frame_locator("iframe.email")
    expect(email.get_by_text(t("Hello,"))).to_be_visible()
    step(6, "email")

    # 5. "Set up now" opens the order's wizard entry page, in the same language.
    email.get_by_role("link", name=t("Set up now")).click()
    expect(page).to_have_url(re.compile(rf"/{lang}/setup/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Set up order %(reference)s", reference=reference))
    expect(page.get_by_text(t("What you will need"))).to_be_visible()
    step(7, "setup-entry")
