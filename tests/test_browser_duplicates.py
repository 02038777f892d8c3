"""The duplicate guard in real Chromium (issue 12), in two languages: the partner types the
customer's name in another script with a legal form (the admin email on the customer's own domain), the organization step shows the possible
duplicate with why it matched, refuses "new" without the confirmation (a server-side check),
and the partner maps the order to the existing organization instead. Screenshots go to
artifacts/wizard/duplicate-guard/<lang>/."""

import pytest
from playwright.sync_api import expect

from tests.test_browser_wizard import Journey

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["nl", "bg"])
def test_the_guard_stops_a_duplicate_and_the_partner_maps_to_the_existing_organization(live_portal, app, page, lang):
    j = Journey(app, page, live_portal, lang, "duplicate-guard")
    j.start()
    j.as_partner_to_admin()
    j.admin_and_company("boss@balkantel.example", "Balkan Telekom EOOD", country="BG")  # its domain has users there
    expect(page.get_by_role("heading", name=j.t("Possible duplicates"))).to_be_visible()
    suggestion = page.locator("article.suggestion", has_text="Балкан Телеком ЕООД")
    expect(suggestion).to_contain_text(j.t("similar name (transliteration)"))
    expect(suggestion).to_contain_text(j.t("same country"))
    j.shot("possible-duplicates")

    j.choose("Create a new organization")
    j.next()
    j.heading("Customer organization")  # the server refused: still this step, with the reason
    expect(page.locator("#confirm_new-wrapper .errors")).to_have_text(
        j.t(
            "An existing organization looks like the same company. Choose it, or confirm that this is a different organization."
        )
    )
    j.shot("new-refused")

    page.get_by_label("Балкан Телеком ЕООД", exact=True).check()
    j.next()
    expect(page.get_by_text("Балкан Телеком ЕООД").first).to_be_visible()
    j.confirm("Балкан Телеком ЕООД")
