"""The input policy for free text (portal.i18n.text_policy): what is stored, what is refused and
why, and that the forms apply it before anything is stored."""

import pytest
from sqlalchemy import func, select

from portal.i18n.text_policy import TextRefused, clean, clean_url, searchable
from portal.models import Organization, Trial
from portal.wizard import state
from tests.conftest import translate
from tests.test_trial_pages import trial_form
from tests.wizard_driver import Wizard, place_order

LETTERS = [
    "Čebelarstvo Žužemberk d.o.o.",  # sl
    "Åkerlund & Rausing AB",  # sv
    "Ĳsselmeer Café B.V.",  # nl
    "Балкан Телеком ЕООД",  # bg
    "Łódź Müller ß",
]


@pytest.mark.parametrize("name", LETTERS)
def test_names_keep_every_letter_of_the_languages(name):
    assert clean(name) == name


def test_text_is_stored_in_nfc_so_one_letter_is_one_letter():
    assert clean("c\u030cebela") == "čebela"


def test_harmless_invisibles_are_removed_and_spaces_tidied():
    assert clean("\ufeff Acme\u200b\u00ad  Holding\u00a0BV\t ") == "Acme Holding BV"


@pytest.mark.parametrize(
    "value, reason",
    [
        ("Evil\r\nBcc: x@evil.example", "line_break"),
        ("Evil\nCo", "line_break"),
        ("Evil\u2028Co", "line_break"),
        ("Nul\x00Co", "control"),
        ("Bell\x07", "control"),
        ("C1\x85", "line_break"),
        ("C1\x9b", "control"),
        ("exe\u202etxt", "invisible"),  # right-to-left override
        ("iso\u2066late\u2069", "invisible"),
        ("mark\u200f", "invisible"),
        ("join\u200d", "invisible"),
        ("private\ue000", "invisible"),
    ],
)
def test_controls_bidi_and_line_breaks_are_refused_with_their_reason(value, reason):
    with pytest.raises(TextRefused) as refused:
        clean(value)
    assert refused.value.reason == reason


def test_multiline_text_keeps_line_feeds_only():
    assert clean("SN-1\r\nSN-2 \rSN-3\n\n", multiline=True) == "SN-1\nSN-2\nSN-3"
    with pytest.raises(TextRefused):
        clean("SN-1\u202e\nSN-2", multiline=True)


@pytest.mark.parametrize(
    "value, stored",
    [
        ("https://Acme.Meetings.example/room", "https://acme.meetings.example/room"),
        ("acme.meetings.example", "https://acme.meetings.example"),
        ("http://acme.example:8443", "http://acme.example:8443"),
        ("https://čebela.example", "https://čebela.example"),
        ("   ", ""),
    ],
)
def test_t4_a_meetings_site_url_is_stored_as_a_web_address(value, stored):
    assert clean_url(value) == stored


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        "ftp://acme.example",
        "https://user:pw@acme.example",
        "https://acme",
        "https://-a.example",
        "https://a b.example",
        "https://acme.example:99999",
        "https://1.2.3.4",
        "https://acme.example\u202e",
    ],
)
def test_t4_anything_else_is_refused_as_a_url(value):
    with pytest.raises(TextRefused):
        clean_url(value)


@pytest.mark.parametrize("lang", ["en", "bg"])
def test_a_company_name_with_a_line_break_is_refused_in_the_page_language_and_stores_nothing(
    partner_client, app, db, lang
):
    organizations, trials = db.scalar(select(func.count(Organization.id))), db.scalar(select(func.count(Trial.id)))
    response = partner_client.post(
        f"/{lang}/customers/trials/new", data=trial_form(company="Evil\r\nBcc: x@evil.example")
    )
    assert response.status_code == 422
    assert translate(app, lang, "Enter this on one line, without line breaks.") in response.get_data(as_text=True)
    assert db.scalar(select(func.count(Organization.id))) == organizations
    assert db.scalar(select(func.count(Trial.id))) == trials


def test_t4_a_blank_meetings_site_url_does_not_pass(partner_client, app, db):
    trials = db.scalar(select(func.count(Trial.id)))
    response = partner_client.post(
        "/en/customers/trials/new",
        data=trial_form(services=["enterprise_meetings"], site="   ", time_zone="Europe/Amsterdam"),
    )
    assert "An Enterprise Edition meetings site needs a site URL and a time zone." in response.get_data(as_text=True)
    assert db.scalar(select(func.count(Trial.id))) == trials


def test_a_bidi_override_in_the_wizard_company_is_refused_in_the_page_language(client, app, demo):
    order_id, token = place_order(app, language="sl", key="policy-wizard-0001")
    wizard = Wizard(client, token, "sl")
    wizard.get()
    wizard.post("role", {"role": "partner"})
    wizard.post("who", {"who": "self"})
    wizard.post("partner", {"answer": "yes"})
    wizard.post("admin", {"admin_email": "it@policy.example"})
    response = wizard.post("company", {"company": "Acme\u202eBV", "country": "SI"})
    assert response.status_code == 200
    message = "Remove the invisible characters, such as text direction marks, from this text."
    assert translate(app, "sl", message) in response.get_data(as_text=True)
    with client.session_transaction() as browser_session:
        assert "company" not in browser_session.get(state.ANSWERS, {}).get(str(order_id), {})


def test_a_search_drops_what_a_field_would_refuse():
    assert searchable("  Acme\x00\u202e Hold\ning  ") == "Acme Hold ing"
    assert searchable("x" * 500) == "x" * 200
    assert searchable(None) == ""


@pytest.mark.parametrize("path", ["/en/customers/?q=%00acme", "/bg/customers/?q=%E2%80%AEacme", "/en/people/?q=%00"])
def test_hostile_search_text_is_answered_not_failed(partner_client, path):
    assert partner_client.get(path).status_code == 200
