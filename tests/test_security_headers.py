"""Security headers on every response: pages, static files and error pages, for everyone."""

import json
import re
import threading
import urllib.request
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from portal.cli import QuietRequestHandler
from tests.conftest import free_port, sign_in

TEMPLATES = Path(__file__).resolve().parents[1] / "portal" / "templates"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
EVERY_RESPONSE = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _plain_get_paths(app) -> list[str]:
    """Every GET route that needs no parameter but the language."""
    return sorted(
        {
            rule.rule.replace("<lang:lang>", "en")
            for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and rule.arguments <= {"lang"} and rule.endpoint != "static"
        }
    )


def _problems(path: str, response, referrer: str = "same-origin") -> list[str]:
    response.close()  # a static file's is a file
    expected = {**EVERY_RESPONSE, "Referrer-Policy": referrer}
    wrong = [
        f"{path}: {name} is {response.headers.get(name)!r}"
        for name, value in expected.items()
        if response.headers.get(name) != value
    ]
    if "Strict-Transport-Security" in response.headers:
        wrong.append(f"{path}: HSTS over plain http")
    return wrong


def _representative(app, client) -> list[str]:
    return [
        *_plain_get_paths(app),
        "/static/css/portal.css",
        "/static/vendor/htmx.min.js",
        "/static/no-such-file.css",
        "/en/no-such-page",
        "/nl/orders/987654321",
    ]


@pytest.mark.parametrize("who", ["anonymous", "partner_admin"])
def test_every_response_carries_the_security_headers(app, client, demo, who):
    if who == "partner_admin":
        sign_in(client, "anna.dekker@northwind.example")
    paths = _representative(app, client)
    assert "/en/sign-in" in paths and "/en/customers/export.csv" in paths and "/healthz" in paths
    wrong = []
    for path in paths:
        wrong += _problems(path, client.get(path))
    wrong += _problems("DELETE /en/", client.delete("/en/"))  # a 405
    wrong += _problems("POST /en/sign-in", client.post("/en/sign-in", data={"email": "x", "password": "y"}))
    assert wrong == []


def test_the_500_page_carries_the_security_headers(app, client):
    def boom():
        raise RuntimeError("boom")

    app.add_url_rule("/<lang:lang>/test/boom", "test_boom", boom)
    response = client.get("/en/test/boom")
    assert response.status_code == 500
    assert _problems("/en/test/boom", response) == []


def test_a_url_with_a_token_sends_no_referrer(app, client):
    token_rules = [rule for rule in app.url_map.iter_rules() if "token" in rule.arguments and "GET" in rule.methods]
    assert {rule.endpoint.split(".")[0] for rule in token_rules} == {"wizard", "auth"}  # set-up and password links
    wrong = []
    for rule in token_rules:
        path = re.sub(r"<[^>]+>", "x", rule.rule.replace("<lang:lang>", "en"))
        wrong += _problems(path, client.get(path), referrer="no-referrer")
    assert wrong == []
    assert client.get("/en/sign-in").headers["Referrer-Policy"] == "same-origin"


def test_hsts_when_served_over_https(app, client):
    hsts = "max-age=31536000; includeSubDomains"
    assert client.get("/en/", base_url="https://portal.test").headers["Strict-Transport-Security"] == hsts
    app.config["BASE_URL"] = "https://portal.example"  # behind a proxy that ends TLS
    assert client.get("/en/").headers["Strict-Transport-Security"] == hsts


def test_the_demo_server_names_no_versions(app):
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as response:
            assert response.headers["Server"] == "portal"
            assert response.headers["Content-Security-Policy"] == CSP
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_templates_hold_no_inline_script_style_or_handler():
    """What the CSP would block: the portal's pages (emails are not pages, and need inline styles)."""
    inline = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=|javascript:|hx-on", re.IGNORECASE)
    found = [
        f"{path.relative_to(TEMPLATES)}:{n}: {line.strip()}"
        for path in TEMPLATES.rglob("*.html")
        if "emails" not in path.parts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if inline.search(line)
    ]
    assert found == []


def test_htmx_is_configured_for_the_csp(client):
    html = client.get("/en/").get_data(as_text=True)
    config = json.loads(re.search(r"""<meta name="htmx-config" content='([^']*)'>""", html).group(1))
    assert config["includeIndicatorStyles"] is False and config["allowEval"] is False
    assert config["allowScriptTags"] is False
    # A form's refusal (422) is swapped so that its errors show; other errors are not.
    handling = {rule["code"]: rule for rule in config["responseHandling"]}
    assert handling["422"]["swap"] is True and handling["[45].."] == {"code": "[45]..", "swap": False, "error": True}
    assert list(handling).index("422") < list(handling).index("[45]..")  # htmx takes the first match
    with client.get("/static/css/portal.css") as response:
        css = response.get_data(as_text=True)
    assert ".htmx-indicator { opacity: 0; }" in css
