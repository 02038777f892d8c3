"""Rule M4's way out in real Chromium, in each of the five languages: the wizard stops a customer
who is not an admin of the organization; they ask its full admin, who receives the request in
their own language, signs in from the link, adds them on the prefilled People page; the "Set up
now" link then maps the order by M1. Screenshots go to artifacts/accounts/m4-ask/<lang>/."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.models import Order, Organization, User
from tests.browser import beside_the_portal
from tests.conftest import LANGUAGES, PASSWORD
from tests.test_browser_accounts import Shots, open_email
from tests.test_browser_wizard import Journey

pytestmark = pytest.mark.browser
ADMIN = "admin@contoso.example"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_m4_ask_the_full_admin_who_adds_you_then_the_wizard_continues(live_portal, app, page, lang):
    from portal.infra.db import db

    new = f"new.{lang}@contoso.example"
    with beside_the_portal(app):  # the full admin reads the portal in this journey's language
        db.scalar(select(User).where(User.email == ADMIN)).language = lang
        db.commit()
    j = Journey(app, page, live_portal, lang, "m4-ask")
    t, shot = j.t, Shots("m4-ask", lang, page)

    def blocked_customer():
        j.start()
        j.choose("I am a customer")
        j.next()
        j.heading("Customer admin")
        j.admin_and_company(new, "Contoso Logistics")

    blocked_customer()
    page.get_by_label("Contoso Manufacturing").check()
    j.next()
    j.heading("The set-up cannot continue")
    shot("blocked")
    page.get_by_role("button", name=t("Ask %(admin)s to add me", admin=ADMIN)).click()
    expect(page.locator(".flash-success")).to_contain_text(ADMIN)
    shot("asked")

    page.context.clear_cookies()  # the full admin, in a browser of their own
    message = open_email(
        app,
        page,
        live_portal,
        lang,
        t(
            "%(email)s asks to become an admin of %(organization_name)s",
            email=new,
            organization_name="Contoso Manufacturing",
        ),
    )
    shot("email")
    message.get_by_role("link", name=t("Add %(email)s", email=new)).click()
    page.get_by_label(t("Email address")).fill(ADMIN)
    page.get_by_label(t("Password")).fill(PASSWORD)
    page.get_by_role("button", name=t("Sign in")).click()
    add_form = page.locator("form", has=page.locator("#add-email"))  # the People page, prefilled
    expect(add_form.get_by_label(t("Email address"))).to_have_value(new)
    expect(add_form.get_by_label(t("Admin role"))).to_have_value("full_admin")
    shot("people-prefilled")
    page.get_by_role("button", name=t("Add the user")).click()
    expect(page.locator(".flash-success")).to_contain_text(new)
    shot("added")

    page.context.clear_cookies()  # back to the customer: the "Set up now" link again
    blocked_customer()
    expect(page.get_by_text(t("Yes, continue with this organization"))).to_be_visible()  # rule M1
    j.choose("Yes, continue with this organization")
    j.next()
    j.confirm("Contoso Manufacturing")
    with app.app_context():
        contoso = db.scalar(select(Organization.id).where(Organization.name == "Contoso Manufacturing"))
        order = db.scalar(select(Order).where(Order.submission_key == f"browser-m4-ask-{lang}-00001"))
        assert order.mapped_organization_id == contoso
