"""Accounts in real Chromium, in each of the five languages (issue 8): the customer admin the
wizard creates receives the invitation, chooses a password and is signed in; a forgotten
password is reset from the sign-in page. Screenshots go to artifacts/accounts/<journey>/<lang>/."""

import pytest
from playwright.sync_api import expect

from tests.browser import wait_for_email
from tests.conftest import ARTIFACTS, LANGUAGES, translate
from tests.test_browser_wizard import Journey

pytestmark = pytest.mark.browser
NEW_PASSWORD = "Brand-new-password-2027"


class Shots:
    def __init__(self, journey: str, lang: str, page):
        self.folder = ARTIFACTS / "accounts" / journey / lang
        self.folder.mkdir(parents=True, exist_ok=True)
        self.page, self.n = page, 0

    def __call__(self, name: str):
        self.n += 1
        self.page.screenshot(path=str(self.folder / f"{self.n:02d}-{name}.png"), full_page=True)


def open_email(app, page, live_portal, lang, subject):
    """The newest email with this subject in the demo mailbox, once the delivery loop sent it."""
    wait_for_email(page, f"{live_portal.url}/{lang}/mailbox/", subject).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(subject)
    return page.frame_locator("iframe.email")


def choose_password(page, t):
    page.get_by_label(t("New password")).fill(NEW_PASSWORD)
    page.get_by_label(t("Repeat the password")).fill(NEW_PASSWORD)
    page.get_by_role("button", name=t("Save password")).click()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_new_customer_admin_is_invited_chooses_a_password_and_signs_in(live_portal, app, page, lang):
    j = Journey(app, page, live_portal, lang, "invitation")
    company, email = f"Invited {lang.upper()} Ltd", f"admin@invited-{lang}.example"
    j.start()
    j.as_partner_to_admin()
    j.admin_and_company(email, company, country="SE")
    j.choose("Create a new organization")
    j.next()
    j.confirm(company)

    context = page.context
    context.clear_cookies()  # the invited admin, in a browser of their own
    shot = Shots("invitation", lang, page)
    t = j.t
    message = open_email(
        app,
        page,
        live_portal,
        lang,
        t("Your account for %(organization_name)s: choose your password", organization_name=company),
    )
    expect(message.get_by_text(email).first).to_be_visible()
    shot("email")
    message.get_by_role("link", name=t("Choose your password")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Choose your password"))
    shot("choose-password")
    page.get_by_label(t("New password")).fill("short")
    page.get_by_label(t("Repeat the password")).fill("short")
    page.get_by_role("button", name=t("Save password")).click()
    expect(page.get_by_text(t("Use at least 12 characters."))).to_be_visible()
    choose_password(page, t)
    expect(page.locator(".flash-success")).to_contain_text(t("Your password is saved and you are signed in."))
    page.get_by_role("link", name=t("My organization")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(company)
    shot("signed-in")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_forgotten_password_is_reset_from_the_sign_in_page(live_portal, app, page, lang):
    def t(message, **params):
        return translate(app, lang, message, **params)

    shot = Shots("reset", lang, page)
    page.goto(f"{live_portal.url}/{lang}/sign-in")
    page.get_by_role("link", name=t("Forgot your password?")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Forgot your password?"))
    page.get_by_label(t("Email address")).fill("petra.kos@zdravje.example")
    shot("forgot")
    page.get_by_role("button", name=t("Send the link")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Check your email"))
    shot("sent")
    # Petra chose Slovenian: her email is in Slovenian, whatever the page (rule L3).
    message = open_email(app, page, live_portal, lang, translate(app, "sl", "Reset your Provisioning Portal password"))
    shot("email")
    message.get_by_role("link", name=translate(app, "sl", "Choose a new password")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(translate(app, "sl", "Choose a new password"))
    choose_password(page, lambda m, **p: translate(app, "sl", m, **p))
    expect(page.locator(".flash-success")).to_be_visible()
    shot("reset-done")
    page.get_by_role("button", name=translate(app, "sl", "Sign out")).click()
    page.goto(f"{live_portal.url}/{lang}/sign-in")
    page.get_by_label(t("Email address")).fill("petra.kos@zdravje.example")
    page.get_by_label(t("Password")).fill(NEW_PASSWORD)
    page.get_by_role("button", name=t("Sign in")).click()
    expect(page.get_by_role("link", name=t("My organization"))).to_be_visible()
    shot("signed-in-again")
