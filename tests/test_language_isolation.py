"""Rule L1 under load: 200 concurrent requests in alternating languages never mix languages;
htmx partials keep the page's language; Vary is right on every response."""

import json
from concurrent.futures import ThreadPoolExecutor
from urllib.request import Request, urlopen

import pytest

from tests.conftest import LANGUAGES, translate
from tests.wizard_driver import place_order


@pytest.fixture
def markers(app):
    return {lang: translate(app, lang, "Provisioning Portal") for lang in LANGUAGES}


def test_l1_200_concurrent_requests_keep_their_language(live_portal, app, markers):
    assert len(set(markers.values())) == len(LANGUAGES)
    _, token = place_order(app, key="isolation-order-00001")
    jobs = []
    for n in range(200):
        lang = LANGUAGES[n % len(LANGUAGES)]
        if n % 4 == 0:  # an htmx partial of the wizard: no <html>, same language
            jobs.append(
                (
                    lang,
                    f"{live_portal.url}/{lang}/setup/{token}/role",
                    {"HX-Request": "true", "HX-Target": "wizard-panel"},
                )
            )
        else:
            jobs.append((lang, f"{live_portal.url}/{lang}/sign-in", {"Accept-Language": "bg,sv;q=0.5"}))

    def fetch(job):
        lang, url, headers = job
        with urlopen(Request(url, headers=headers), timeout=60) as response:
            body = response.read().decode("utf-8")
            # an htmx partial's title travels in its HX-Trigger-After-Settle header (JSON)
            trigger = response.headers.get("HX-Trigger-After-Settle")
            if trigger:
                body += json.dumps(json.loads(trigger), ensure_ascii=False)
            return lang, url, response.headers, body

    with ThreadPoolExecutor(max_workers=25) as pool:
        results = list(pool.map(fetch, jobs))
    assert len(results) == 200
    for lang, url, headers, body in results:
        assert headers["Content-Language"] == lang, url
        assert markers[lang] in body, url
        for other, marker in markers.items():
            if other != lang:
                assert marker not in body, f"{other} text in a {lang} response: {url}"
        assert "Cookie" in headers.get("Vary", ""), url
        if "/setup/" in url:
            assert "HX-Request" in headers.get("Vary", "")


def test_vary_names_what_the_root_redirect_depends_on(client):
    response = client.get("/")
    assert {"Accept-Language", "Cookie"} <= set(response.vary)
