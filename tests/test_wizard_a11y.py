"""What assistive technology needs from the wizard's htmx answers (issue 13), through the test
client: the panel carries the new title and the step's announcement in a header (no <title> in
the body), errors come in an alert and are tied to their fields, inline checks push no URL and
answer politely. tests/test_browser_a11y.py checks the same in Chromium."""

import json
import re

import pytest

from tests.conftest import LANGUAGES, translate
from tests.wizard_driver import Wizard, place_order

HTMX = {"HX-Request": "true", "HX-Target": "wizard-panel", "HX-Current-URL": "http://localhost/"}


@pytest.fixture
def token(app, demo):
    return place_order(app)[1]


def page_event(response) -> dict:
    return json.loads(response.headers["HX-Trigger-After-Settle"])["portal:page"]


def element(html: str, id_: str) -> str:
    """The opening tag of the element with this id."""
    found = re.search(rf'<[a-z][a-z0-9]*\b[^>]*\bid="{re.escape(id_)}"[^>]*>', html)
    assert found, f"no element with id {id_!r}"
    return found.group(0)


def attribute(tag: str, name: str) -> str | None:
    found = re.search(rf'\b{name}="([^"]*)"', tag)
    return found.group(1) if found else None


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_step_swap_names_its_title_and_announcement_in_a_header_not_in_the_body(client, app, token, lang):
    w = Wizard(client, token, lang)
    w.get()
    w.post("role", {"role": "partner"})
    response = w.post("who", {"who": "self"}, headers=HTMX, follow_redirects=True)  # as htmx follows the 302
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<title" not in html and "<html" not in html
    event = page_event(response)
    title = translate(app, lang, "Partner organization")
    assert event["title"] == f"{title} · {translate(app, lang, 'Provisioning Portal')}"
    assert event["announce"] == translate(
        app, lang, "Step %(number)s of %(total)s: %(title)s", number=3, total=8, title=title
    )
    assert response.headers["HX-Push-Url"] == f"/{lang}/setup/{token}/partner"  # the step's GET address
    assert 'tabindex="-1"' in element(html, "wizard-heading")
    assert response.headers["HX-Trigger-After-Settle"].isascii()  # a header is Latin-1: Cyrillic is escaped


def test_a_whole_page_keeps_its_title_in_the_head_and_sends_no_event(client, app, token):
    w = Wizard(client, token)
    w.get()
    response = w.get("role")
    html = response.get_data(as_text=True)
    assert "<title>Your role · Provisioning Portal</title>" in html
    assert html.count("<title") == 1 and "HX-Trigger-After-Settle" not in response.headers
    assert element(html, "announcer") == (
        '<div id="announcer" class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">'
    )
    assert "/static/js/a11y.js?v=" in html


def test_service_steps_and_pages_without_a_number_announce_their_title(client, app, token):
    w = Wizard(client, token)
    w.through(admin_email="it@fabrikam-a11y.example", company="Fabrikam A11y")
    w.post("organization", {"organization": "new"})
    done = w.post("confirm", headers=HTMX, follow_redirects=True)
    assert page_event(done)["announce"] == "Your order is set up"
    details = w.get("services/details", headers=HTMX)
    assert page_event(details)["announce"] == "Service set-up: step 1 of 5: Subscription details"


@pytest.mark.parametrize("lang", ("en", "sl"))
def test_errors_after_an_htmx_submit_are_an_alert_tied_to_their_fields(client, app, token, lang):
    w = Wizard(client, token, lang)
    w.get()
    w.post("role", {"role": "customer"})
    response = w.post("admin", {"admin_email": "not-an-email"}, headers=HTMX)
    html = response.get_data(as_text=True)
    message = translate(app, lang, "Enter a valid email address, such as name@example.com.")
    summary = element(html, "error-summary")
    assert attribute(summary, "role") == "alert" and attribute(summary, "tabindex") == "-1"
    assert f'<a href="#admin_email">{message}</a>' in html
    field = element(html, "admin_email")
    assert attribute(field, "aria-invalid") == "true"
    described = attribute(field, "aria-describedby").split()
    assert described[0] == "admin_email-errors" and message in html.split('id="admin_email-errors"', 1)[1]
    for id_ in described:
        element(html, id_)  # every id it names exists
    assert response.headers["HX-Push-Url"] == f"/{lang}/setup/{token}/admin"


def test_a_radio_group_is_invalid_on_its_fieldset(client, app, token):
    w = Wizard(client, token)
    w.get()
    html = w.post("role", {}, headers=HTMX).get_data(as_text=True)
    group = element(html, "role-group")
    assert group.startswith("<fieldset") and attribute(group, "aria-invalid") == "true"
    assert attribute(group, "aria-describedby") == "role-errors"
    assert "Choose one of the options." in html.split('id="role-errors"', 1)[1]
    assert '<a href="#role-group">Choose one of the options.</a>' in html


def test_the_organization_choice_is_invalid_on_its_fieldset(client, app, token):
    w = Wizard(client, token)
    w.through(admin_email="it@fabrikam-a11y.example", company="Fabrikam A11y")
    html = w.post("organization", {}, headers=HTMX).get_data(as_text=True)
    group = element(html, "organization-group")
    assert attribute(group, "aria-invalid") == "true" and attribute(group, "aria-describedby") == "organization-errors"
    element(html, "organization-errors")


def test_a_page_without_errors_has_no_summary_and_no_invalid_field(client, token):
    w = Wizard(client, token)
    w.get()
    w.post("role", {"role": "customer"})
    html = w.get("admin").get_data(as_text=True)
    assert "error-summary" not in html and "aria-invalid" not in html


def test_the_inline_email_check_pushes_no_url_and_announces_its_error(client, app, token):
    w = Wizard(client, token, "sl")
    w.get()
    w.post("role", {"role": "customer"})
    inline = {"HX-Request": "true", "HX-Target": "admin_email-wrapper"}
    response = w.post("admin", {"admin_email": "not-an-email", "inline": "1"}, headers=inline)
    html = response.get_data(as_text=True)
    assert 'hx-push-url="false"' in element(html, "admin_email") and "HX-Push-Url" not in response.headers
    message = translate(app, "sl", "Enter a valid email address, such as name@example.com.")
    assert json.loads(response.headers["HX-Trigger-After-Settle"]) == {"portal:announce": message}
    fine = w.post("admin", {"admin_email": "it@fabrikam.example", "inline": "1"}, headers=inline)
    assert "HX-Trigger-After-Settle" not in fine.headers


def test_check_availability_pushes_no_url_and_answers_politely(client, app, token):
    w = Wizard(client, token)
    w.through(admin_email="it@fabrikam-a11y.example", company="Fabrikam A11y")
    w.post("organization", {"organization": "new"})
    w.post("confirm")
    html = w.text("services/enterprise")
    button = re.search(r"<button[^>]*check-subdomain[^>]*>", html).group(0)
    assert attribute(button, "hx-push-url") == "false"
    region = element(html, "subdomain-check")
    assert attribute(region, "aria-live") == "polite" and attribute(region, "role") == "status"
    answer = w.post(
        "check-subdomain", {"subdomain": "-x"}, headers={"HX-Request": "true", "HX-Target": "subdomain-check"}
    )
    assert "HX-Push-Url" not in answer.headers and 'role="alert"' not in answer.get_data(as_text=True)
    # An address bar that still holds the URL (pushed before this was fixed) gets the step back.
    assert w.get("check-subdomain").headers["Location"] == f"/en/setup/{token}/services/enterprise"


def test_a_post_only_url_is_never_pushed(app):
    """render_step pushes the URL it answers only when that URL answers GET too."""
    from portal.wizard.blueprint import answers_get

    with app.test_request_context("/en/orders/1/contact", method="POST"):
        from flask import request

        request.url_rule = next(r for r in app.url_map.iter_rules() if r.endpoint == "orders.contact")
        assert not answers_get()
        request.url_rule = next(r for r in app.url_map.iter_rules() if r.endpoint == "wizard.admin")
        assert answers_get()


def test_every_pushed_url_answers_get():
    """The audit of hx-push-url, as a rule on the templates: a URL is pushed only by an hx-get, or
    by the wizard's form, whose answer names the step's own URL (HX-Push-Url, render_step); any
    other hx-post inside a wizard form (which would inherit its hx-push-url) turns pushing off."""
    from tests.conftest import ROOT

    templates = ROOT / "portal" / "templates"
    tag = re.compile(r"<[a-z][^>]*>|\{\{.*?\}\}", re.DOTALL)
    problems = []
    for path in templates.rglob("*.html"):
        name = str(path.relative_to(templates))
        for found in tag.finditer(path.read_text(encoding="utf-8")):
            text = found.group(0)
            pushes = re.search(r"""hx-push-url["']?[=:]\s*["']true""", text)
            off = re.search(r"""hx-push-url["']?[=:]\s*["']false""", text)
            if pushes and "hx-get" not in text and name != "wizard/_form_open.html":
                problems.append(f"{name}: pushes the URL of a POST: {text}")
            if "hx-post" in text and name.startswith("wizard/") and name != "wizard/_form_open.html" and not off:
                problems.append(f"{name}: inherits the wizard form's hx-push-url: {text}")
    assert problems == []


def test_m4_the_ask_to_be_added_address_opened_again_goes_back_to_the_organization_step(client, token):
    """The M4 request is sent as a whole page: its URL then stands in the address bar, and opening
    it again (a GET) must not give 405."""
    w = Wizard(client, token)
    w.through(role="customer", admin_email="new.person@contoso.example", company="Contoso Logistics")
    again = w.get("ask-to-be-added")
    assert again.status_code == 302 and again.headers["Location"] == f"/en/setup/{token}/organization"
    assert w.get("ask-to-be-added", follow_redirects=True).status_code == 200
