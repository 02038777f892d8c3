"""Rules L1-L3 on the web: language in the URL, the choice at /, headers and the switcher."""

import re

import pytest

from tests.conftest import LANGUAGES, sign_in, translate


@pytest.mark.parametrize(
    "header, expected",
    [
        ("sv-FI,en;q=0.5", "sv"),
        ("nl-BE", "nl"),
        ("en-GB,sl;q=0.9", "en"),
        ("sl-SI,sl;q=0.9,en;q=0.8", "sl"),
        ("bg", "bg"),
        ("de-DE,fr;q=0.8", "en"),
        ("fr;q=0.9,bg;q=0.5", "bg"),
        ("", "en"),
    ],
)
def test_l2_accept_language_chooses_at_the_root(client, header, expected):
    response = client.get("/", headers={"Accept-Language": header})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/{expected}/")
    assert {"Accept-Language", "Cookie"} <= set(response.vary)


def test_l2_cookie_beats_accept_language(client):
    client.set_cookie("lang", "sl")
    assert client.get("/", headers={"Accept-Language": "nl"}).headers["Location"].endswith("/sl/")


def test_l2_visiting_a_language_sets_the_cookie(client):
    client.get("/bg/")
    assert client.get("/", headers={"Accept-Language": "nl"}).headers["Location"].endswith("/bg/")


def test_l2_signed_in_preference_beats_cookie_and_header(client, demo):
    sign_in(client, "ingrid.lund@akerlund.example", lang="en")  # prefers Swedish
    client.set_cookie("lang", "nl")
    assert client.get("/", headers={"Accept-Language": "bg"}).headers["Location"].endswith("/sv/")


def test_l2_prefixed_url_is_never_redirected_to_another_language(client, demo):
    sign_in(client, "ingrid.lund@akerlund.example", lang="en")
    response = client.get("/bg/organization/", headers={"Accept-Language": "nl"})
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "bg"


def test_l1_unknown_language_prefix_is_not_found(client):
    assert client.get("/de/").status_code == 404


@pytest.mark.parametrize("lang", LANGUAGES)
def test_l1_page_declares_its_language_and_alternates(client, app, lang):
    response = client.get(f"/{lang}/sign-in")
    html = response.get_data(as_text=True)
    assert response.headers["Content-Language"] == lang
    assert f'<html lang="{lang}">' in html
    for other in LANGUAGES:
        assert f'<link rel="alternate" hreflang="{other}" href="/{other}/sign-in">' in html
    title = translate(app, lang, "Sign in")
    assert f"<title>{title} · {translate(app, lang, 'Provisioning Portal')}</title>" in html
    if lang != "en":
        assert title != "Sign in", f"'Sign in' is not translated into {lang}"


def test_l1_switcher_keeps_the_current_page_and_query(partner_client):
    html = partner_client.get("/sv/orders/1?x=1").get_data(as_text=True)
    assert 'href="/sl/orders/1?x=1"' in html
    assert re.search(r'<a href="/bg/orders/1\?x=1" hreflang="bg" lang="bg"\s*>', html)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_l1_error_pages_are_translated(client, app, lang):
    response = client.get(f"/{lang}/orders/")  # not signed in: redirected to sign-in, in that language
    assert response.status_code == 302 and f"/{lang}/sign-in" in response.headers["Location"]
    not_found = client.get(f"/{lang}/setup/not-a-token")
    assert translate(app, lang, "This link cannot be used") in not_found.get_data(as_text=True)
