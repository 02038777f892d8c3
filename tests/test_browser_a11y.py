"""htmx that assistive technology follows (issue 13), in real Chromium, in English and Slovenian:
after every wizard step change focus is on the new step's heading, the polite live region says
"Step 3 of 8: Customer admin" and the document title is the step's; errors after a submit are in
an alert and tied to their fields; inline checks keep focus and the URL; every URL in the address
bar answers a reload with 200."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, translate
from tests.wizard_driver import place_order

pytestmark = pytest.mark.browser


class Steps:
    def __init__(self, app, page, live_portal, lang):
        self.app, self.page, self.lang = app, page, lang
        _, token = place_order(app, language=lang, key=f"browser-a11y-{lang}-00001")
        self.url = f"{live_portal.url}/{lang}/setup/{token}"

    def t(self, message, **params):
        return translate(self.app, self.lang, message, **params)

    def next(self, label="Next"):
        self.page.get_by_role("button", name=self.t(label), exact=True).click()

    def reloads(self):
        """The address bar's URL answers GET itself (no redirect, no 405)."""
        response = self.page.request.get(self.page.url, max_redirects=0)
        assert response.status == 200, (self.page.url, response.status)

    def arrived(self, title, number=None, total=8, service=False):
        """What assistive technology gets after the swap to the step titled ``title``."""
        page, title = self.page, self.t(title)
        heading = page.locator("#wizard-heading")
        expect(heading).to_have_text(title)
        expect(heading).to_be_focused()
        if number is None:
            announcement = title
        elif service:
            announcement = self.t(
                "Service set-up: step %(number)s of %(total)s: %(title)s", number=number, total=total, title=title
            )
        else:
            announcement = self.t("Step %(number)s of %(total)s: %(title)s", number=number, total=total, title=title)
        expect(page.locator("#announcer")).to_have_text(announcement)
        expect(page).to_have_title(f"{title} · {self.t('Provisioning Portal')}")
        assert page.locator("body title").count() == 0
        self.reloads()

    def invalid(self, field_id, message):
        """The error is in the alert, which has focus; the field is invalid and described by it."""
        page, message = self.page, self.t(message)
        summary = page.get_by_role("alert")
        expect(summary).to_contain_text(message)
        expect(summary).to_be_focused()
        field = page.locator(f"#{field_id}")
        expect(field).to_have_attribute("aria-invalid", "true")
        described = page.evaluate(
            """id => document.getElementById(id).getAttribute('aria-describedby').split(' ')
                 .map(ref => document.getElementById(ref).textContent.trim()).join(' | ')""",
            field_id,
        )
        assert message in described, described
        self.reloads()


@pytest.mark.parametrize("lang", ("en", "sl"))
def test_focus_announcements_and_titles_follow_every_step(live_portal, app, page, lang):
    s = Steps(app, page, live_portal, lang)
    page.goto(s.url)
    page.get_by_role("link", name=s.t("Start the set-up")).click()
    expect(page).to_have_title(f"{s.t('Your role')} · {s.t('Provisioning Portal')}")

    s.next()  # no role chosen: the radio group is invalid on its fieldset
    s.invalid("role-group", "Choose one of the options.")
    page.get_by_label(s.t("I am a partner"), exact=True).check()
    s.next()
    s.arrived("Who sets up the services?", 2)
    page.get_by_role("link", name=s.t("Back"), exact=True).click()  # hx-get, pushed
    s.arrived("Your role", 1)
    s.next()
    s.arrived("Who sets up the services?", 2)
    page.go_back()  # the browser's Back: htmx restores the page from its history
    expect(page.locator("#wizard-heading")).to_be_focused()
    expect(page.locator("#wizard-heading")).to_have_text(s.t("Your role"))
    expect(page).to_have_title(f"{s.t('Your role')} · {s.t('Provisioning Portal')}")
    page.go_forward()
    expect(page.locator("#wizard-heading")).to_have_text(s.t("Who sets up the services?"))
    expect(page).to_have_title(f"{s.t('Who sets up the services?')} · {s.t('Provisioning Portal')}")
    page.get_by_label(s.t("Yes, I will set up"), exact=True).check()
    s.next()
    s.arrived("Partner organization", 3)
    page.get_by_label(s.t("Yes, this is my organization"), exact=True).check()
    s.next()
    s.arrived("Customer admin", 4)

    # The inline email check: no URL pushed, focus stays where Tab took it, the error said politely.
    address = page.url
    email = page.get_by_label(s.t("Customer admin email"))
    email.fill("not-an-email")
    with page.expect_response(lambda r: r.request.post_data and "inline=1" in r.request.post_data):
        email.press("Tab")
    message = s.t("Enter a valid email address, such as name@example.com.")
    expect(page.locator("#announcer")).to_have_text(message)
    expect(page.get_by_role("link", name=s.t("Back"), exact=True)).to_be_focused()
    assert page.url == address and page.get_by_role("alert").count() == 0

    s.next()  # the form itself refuses the address
    s.invalid("admin_email", "Enter a valid email address, such as name@example.com.")
    page.get_by_label(s.t("Customer admin email")).fill(f"it@fabrikam-a11y-{lang}.example")
    s.next()
    s.arrived("Company and country", 5)
    page.get_by_label(s.t("Company name")).fill(f"Fabrikam A11y {lang}")
    page.get_by_label(s.t("Country of operation")).select_option("SI")
    s.next()
    s.arrived("Customer organization", 6)
    page.get_by_label(s.t("Create a new organization")).check()
    s.next()
    s.arrived("Confirm the details", 7)
    s.next("Confirm")
    s.arrived("Your order is set up")

    page.get_by_role("link", name=s.t("Start the service set-up")).click()  # a whole page
    expect(page).to_have_title(f"{s.t('Subscription details')} · {s.t('Provisioning Portal')}")
    s.next()
    s.arrived("Calling settings", 2, total=5, service=True)
    page.get_by_label(s.t("Main location name")).fill("HQ")
    s.next()
    s.arrived("Meeting settings", 3, total=5, service=True)
    page.get_by_label(s.t("Meetings site name")).fill(f"fabrikam-a11y-{lang}")
    page.get_by_label(s.t("Time zone")).select_option("Europe/Ljubljana")
    s.next()
    s.arrived("Enterprise settings", 4, total=5, service=True)

    # "Check availability": the URL stays, focus stays on the button, the answer is polite.
    address = page.url
    page.get_by_label(s.t("Subdomain")).fill(f"fabrikam-a11y-{lang}")
    check = page.get_by_role("button", name=s.t("Check availability"))
    check.click()
    region = page.locator("#subdomain-check")
    expect(region).to_have_text(s.t("%(subdomain)s is available.", subdomain=f"fabrikam-a11y-{lang}"))
    expect(region).to_have_attribute("aria-live", "polite")
    expect(check).to_be_focused()
    assert page.url == address
    s.reloads()
    s.next("Save")
    s.arrived("Provision and start billing", 5, total=5, service=True)


def test_a_refused_htmx_form_outside_the_wizard_shows_its_errors_on_the_focused_field(live_portal, app, page):
    """An order's contact panel answers a refusal with 422: htmx swaps it (htmx-config), the
    invalid field has focus, aria-invalid and its error as description; the URL stays."""
    order_id, _ = place_order(app, key="browser-a11y-contact-00001")
    page.goto(f"{live_portal.url}/en/sign-in")
    page.get_by_label("Email address").fill("anna.dekker@northwind.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_portal.url}/en/orders/{order_id}")
    address = page.url
    field = page.get_by_label("Provisioning contact email")
    field.fill("not-an-email")
    with page.expect_response(lambda r: r.url.endswith("/contact")) as answer:
        page.get_by_role("button", name="Save contact").click()
    assert answer.value.status == 422
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()
    described = field.get_attribute("aria-describedby").split()
    expect(page.locator(f"#{described[0]}")).to_contain_text("Enter a valid email address")
    assert page.url == address


def test_keyboard_only_tab_goes_on_from_the_focused_heading(live_portal, app, page):
    """After a swap focus is on the heading, so the next Tab reaches the new step's first control:
    the wizard's first steps answered with the keyboard alone."""
    s = Steps(app, page, live_portal, "en")
    page.goto(s.url)
    page.get_by_role("link", name="Start the set-up").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#wizard-heading")).to_have_text("Your role")
    page.get_by_label("I am a customer", exact=True).focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Next", exact=True).focus()
    page.keyboard.press("Enter")
    s.arrived("Customer admin", 2, total=6)
    page.keyboard.press("Tab")  # from the heading to the email field
    expect(page.get_by_label("Customer admin email")).to_be_focused()
    page.keyboard.type("it@fabrikam-keys.example")
    page.keyboard.press("Enter")  # sends the form
    s.arrived("Company and country", 3, total=6)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Company name")).to_be_focused()
    page.keyboard.press("Enter")  # nothing filled in: the summary takes focus, its links lead on
    s.invalid("company", "This field is required.")
    page.keyboard.press("Tab")
    expect(page.locator("#error-summary a").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{s.url}/company#company")


@pytest.mark.parametrize("lang", ("sl",))
def test_without_javascript_the_same_pages_carry_the_alert_and_the_links(live_portal, app, browser, lang):
    """JavaScript off: whole pages with their own titles, the error summary is there as an alert,
    invalid fields are marked, every URL reloads."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    s = Steps(app, page, live_portal, lang)
    page.goto(s.url)
    page.get_by_role("link", name=s.t("Start the set-up")).click()
    s.next()
    expect(page.get_by_role("alert")).to_contain_text(s.t("Choose one of the options."))
    expect(page.locator("#role-group")).to_have_attribute("aria-invalid", "true")
    expect(page).to_have_title(f"{s.t('Your role')} · {s.t('Provisioning Portal')}")
    s.reloads()
    page.get_by_label(s.t("I am a customer"), exact=True).check()
    s.next()
    expect(page.locator("#wizard-heading")).to_have_text(s.t("Customer admin"))
    expect(page).to_have_title(f"{s.t('Customer admin')} · {s.t('Provisioning Portal')}")
    s.reloads()
    context.close()


def test_a_whole_page_that_opens_with_errors_focuses_its_alert(live_portal, app, page):
    """A form sent without htmx (here htmx never loads) comes back as a whole page: a11y.js
    puts focus on its error summary, which a screen reader then reads."""
    page.route("**/vendor/htmx.min.js*", lambda route: route.abort())
    s = Steps(app, page, live_portal, "sl")
    page.goto(s.url)
    page.get_by_role("link", name=s.t("Start the set-up")).click()
    with page.expect_navigation():
        s.next()
    assert page.evaluate("() => typeof window.htmx") == "undefined"
    s.invalid("role-group", "Choose one of the options.")
