"""The strict Content-Security-Policy with the real pages in Chromium: htmx still works (the
customers search narrows the list in place) and the browser reports no violation."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, translate

pytestmark = pytest.mark.browser

# Installed by the browser itself (not by the page), so the CSP does not apply to it.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile + ':' + e.lineNumber));
"""


def test_csp_allows_htmx_and_reports_no_violation(live_portal, app, page):
    def t(message):
        return translate(app, "nl", message)

    console = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.add_init_script(RECORD_VIOLATIONS)

    page.goto(f"{live_portal.url}/nl/sign-in")
    page.get_by_label(t("Email address")).fill("anna.dekker@northwind.example")
    page.get_by_label(t("Password")).fill(PASSWORD)
    page.get_by_role("button", name=t("Sign in")).click()
    page.goto(f"{live_portal.url}/nl/customers/")
    assert page.evaluate("() => htmx.config.includeIndicatorStyles === false && htmx.config.allowEval === false")
    rows = page.locator("#customer-rows tr")
    expect(rows.filter(has_text="Contoso")).not_to_have_count(0)

    with page.expect_response(lambda response: "/nl/customers/?q=Helios" in response.url) as answer:
        page.get_by_label(t("Search by name or admin email")).fill("Helios")
    assert answer.value.request.headers.get("hx-request") == "true"  # htmx asked, not a page load
    expect(rows.filter(has_text="Contoso")).to_have_count(0)
    expect(rows.filter(has_text="Helios")).not_to_have_count(0)
    expect(page).to_have_url(f"{live_portal.url}/nl/customers/?q=Helios&status=")  # hx-push-url
    page.goto(f"{live_portal.url}/nl/no-such-page")  # an error page, with the layout
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Page not found"))

    assert page.evaluate("() => window.__cspViolations") == []
    assert [line for line in console if "Content Security Policy" in line or "Refused" in line] == []

    # and the check would see one: an inline style is refused and reported
    page.evaluate("() => document.head.insertAdjacentHTML('beforeend', '<style>body { color: red; }</style>')")
    page.wait_for_function("() => window.__cspViolations.length > 0")
    assert page.evaluate("() => window.__cspViolations")[0].startswith("style-src")
