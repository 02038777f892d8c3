"""The production path (issue 11): gunicorn with its configuration, an explicit database, JSON logs
with the request id, /healthz, static files cached by content hash and compressed."""

import gzip
import json
import logging
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager

import pytest
from flask import request
from sqlalchemy import inspect

from portal import create_app
from portal.infra.logging_setup import JsonFormatter
from portal.infra.static_files import FOREVER, content_hash
from tests.conftest import ROOT, free_port
from tests.test_security_headers import EVERY_RESPONSE

SERVE = "--config python:portal.infra.gunicorn_config 'portal:create_app()'"


def production(app_config, **changes):
    """A production configuration: neither TESTING nor DEBUG nor the demo."""
    return {**app_config, "TESTING": False, "DEMO": False, "SECRET_KEY": secrets.token_hex(32), **changes}


# --- configuration ------------------------------------------------------------------------------


def test_production_refuses_to_start_without_an_explicit_database_url(app_config):
    with pytest.raises(RuntimeError, match="DATABASE_URL is not set"):
        create_app(production(app_config, DATABASE_URL=None))


def test_tests_and_the_demo_fall_back_to_the_sqlite_file(app_config):
    from portal.config import DEVELOPMENT_DATABASE_URL

    for config in ({**app_config, "DATABASE_URL": None}, production(app_config, DATABASE_URL=None, DEMO=True)):
        app = create_app(config)
        assert app.config["DATABASE_URL"] == DEVELOPMENT_DATABASE_URL == f"sqlite:///{ROOT / 'instance/portal.sqlite3'}"
        app.extensions["portal.engine"].dispose()


def test_nothing_migrates_when_the_portal_starts_or_serves(app_config, tmp_path):
    app = create_app(production(app_config, DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}"))
    assert app.test_client().get("/healthz").status_code == 200
    assert inspect(app.extensions["portal.engine"]).get_table_names() == []
    app.extensions["portal.engine"].dispose()


def test_the_commands_in_the_makefile_readme_and_deploying_guide_are_one(app_config):
    makefile = (ROOT / "Makefile").read_text()
    assert f"serve: install assets catalogs\n\t$(VENV)/bin/gunicorn {SERVE}\n" in makefile
    for doc in ("README.md", "docs/DEPLOYING.md"):
        assert f"gunicorn {SERVE}" in (ROOT / doc).read_text(), doc


def test_behind_trusted_proxies_the_client_address_is_the_one_they_saw(app_config):
    from werkzeug.middleware.proxy_fix import ProxyFix

    app = create_app(production(app_config, TRUSTED_PROXIES=1))
    assert isinstance(app.wsgi_app, ProxyFix) and (app.wsgi_app.x_for, app.wsgi_app.x_proto) == (1, 1)
    app.add_url_rule("/test/address", "test_address", lambda: request.remote_addr or "")
    headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    assert app.test_client().get("/test/address", headers=headers).get_data(as_text=True) == "203.0.113.9"
    for config in (production(app_config), production(app_config, TRUSTED_PROXIES=1, DEMO=True)):
        untrusting = create_app(config)  # by default, and never in the demo (its mailbox trusts 127.0.0.1)
        assert not isinstance(untrusting.wsgi_app, ProxyFix)
        untrusting.extensions["portal.engine"].dispose()
    app.extensions["portal.engine"].dispose()


def test_production_logs_json_on_stderr_and_the_app_logger_has_no_handler_of_its_own(app_config):
    from flask.logging import default_handler

    from portal.infra.logging_setup import JsonHandler

    app = create_app(production(app_config))
    assert [type(h) for h in logging.getLogger().handlers].count(JsonHandler) == 1
    create_app(production(app_config)).extensions["portal.engine"].dispose()  # a second app adds none
    assert [type(h) for h in logging.getLogger().handlers].count(JsonHandler) == 1
    assert default_handler not in app.logger.handlers
    app.extensions["portal.engine"].dispose()


# --- /healthz -----------------------------------------------------------------------------------


def test_healthz_is_ok_when_the_database_answers(app_config):
    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    response = app.test_client().get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})
    assert "Set-Cookie" not in response.headers and response.headers["Cache-Control"] == "no-store"
    assert all(response.headers[name] == value for name, value in EVERY_RESPONSE.items())
    app.extensions["portal.engine"].dispose()


def test_healthz_is_503_when_the_database_cannot_be_reached(app_config, tmp_path, caplog):
    app = create_app({**app_config, "DATABASE_URL": f"sqlite:///{tmp_path / 'no-such-folder' / 'portal.sqlite3'}"})
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        response = app.test_client().get("/healthz", headers={"X-Request-ID": "lb-check-1"})
    assert (response.status_code, response.get_json()) == (503, {"status": "unavailable"})
    assert all(response.headers[name] == value for name, value in EVERY_RESPONSE.items())
    (record,) = [r for r in caplog.records if r.exc_info]
    assert record.request_id == "lb-check-1" and "database cannot be reached" in record.getMessage()
    app.extensions["portal.engine"].dispose()


# --- logging ------------------------------------------------------------------------------------


def test_a_log_line_is_one_json_object_with_the_request_id_and_the_traceback(app):
    from portal.infra.request_id import RequestIdFilter

    try:
        raise ValueError("line one\nline two")
    except ValueError:
        record = logging.LogRecord("portal", logging.ERROR, __file__, 1, "Failed %s", ("here",), sys.exc_info())
    with app.test_request_context("/en/", headers={"X-Request-ID": "abc-123"}):
        RequestIdFilter().filter(record)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert {key: entry[key] for key in ("level", "logger", "message", "request_id")} == {
        "level": "ERROR",
        "logger": "portal",
        "message": "Failed here",
        "request_id": "abc-123",
    }
    assert entry["timestamp"].endswith("+00:00") and "ValueError: line one\nline two" in entry["exception"]


# --- static files -------------------------------------------------------------------------------


def test_static_urls_carry_the_content_hash_and_are_cached_for_a_year(app, client):
    html = client.get("/en/").get_data(as_text=True)
    for filename in ("css/portal.css", "vendor/htmx.min.js"):
        url = f"/static/{filename}?v={content_hash(app, filename)}"
        assert f'"{url}"' in html
        with client.get(url) as response:
            assert response.status_code == 200 and response.headers["Cache-Control"] == FOREVER
            assert response.headers["Vary"] == "Accept-Encoding"  # no Cookie, no Accept-Language
            assert "Set-Cookie" not in response.headers
            assert all(response.headers[name] == value for name, value in EVERY_RESPONSE.items())
        for other in (f"/static/{filename}", f"/static/{filename}?v=0123456789abcdef"):  # unhashed, stale
            with client.get(other) as response:
                assert response.status_code == 200 and "immutable" not in response.headers["Cache-Control"]


def test_pages_and_static_files_are_compressed_when_the_client_accepts_it(app, client):
    for path in ("/en/sign-in", "/static/css/portal.css", "/static/vendor/htmx.min.js"):
        with client.get(path) as plain, client.get(path, headers={"Accept-Encoding": "gzip"}) as compressed:
            assert "Content-Encoding" not in plain.headers
            assert compressed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in compressed.headers["Vary"]
            body = gzip.decompress(compressed.get_data())
            assert len(compressed.get_data()) < len(body)
            if path.startswith("/static/"):
                assert body == plain.get_data()


# --- under gunicorn -----------------------------------------------------------------------------


@contextmanager
def gunicorn(database_url: str):
    """gunicorn serving the portal as `make serve` does; yields its URL and ``stop()``, which ends
    it and returns its log (stderr), a line each."""
    port = free_port()
    env = {
        **os.environ,
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database_url,
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "SMTP_URL": f"smtp://127.0.0.1:{free_port()}",
    }
    command = [sys.executable, "-m", "gunicorn", *SERVE.replace("'", "").split()]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"

    def stop() -> list[str]:
        process.terminate()
        return process.communicate(timeout=30)[1].splitlines()

    try:
        deadline = time.monotonic() + 60  # two cores shared with other jobs: booting may be slow
        while True:
            try:  # a static file: the database may be down on purpose
                urllib.request.urlopen(f"{base}/static/css/portal.css", timeout=10).close()
                break
            except OSError:  # not listening yet (URLError), or too slow (TimeoutError)
                assert process.poll() is None and time.monotonic() < deadline, stop()
                time.sleep(0.1)
        yield base, stop
    finally:
        if process.poll() is None:
            stop()


def _get(url: str, **headers):
    try:
        response = urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        return response.status, response.headers, response.read()


def test_gunicorn_serves_the_portal_with_its_production_configuration(migrated_template, tmp_path):
    database = tmp_path / "portal.sqlite3"
    database.write_bytes(migrated_template.read_bytes())
    with gunicorn(f"sqlite:///{database}") as (base, stop):
        status, headers, body = _get(f"{base}/healthz", **{"X-Request-ID": "probe-1"})
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        assert headers.get_all("Server") == ["portal"]  # gunicorn names neither itself nor its version
        status, headers, page = _get(f"{base}/en/sign-in", **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        css = next(part for part in gzip.decompress(page).decode().split('"') if part.startswith("/static/css/"))
        status, headers, _body = _get(f"{base}{css}", **{"Accept-Encoding": "gzip"})
        assert (status, headers["Cache-Control"], headers["Content-Encoding"]) == (200, FOREVER, "gzip")
        log = [json.loads(line) for line in stop()]  # every line is JSON, gunicorn's own too
    access = [entry for entry in log if entry["logger"] == "gunicorn.access"]
    assert {"timestamp", "level", "logger", "message", "request_id"} <= set(access[-1])
    probe = next(entry for entry in access if entry["http"]["path"] == "/healthz")
    assert (probe["request_id"], probe["http"]["status"], probe["message"]) == ("probe-1", 200, "GET /healthz 200")


def test_under_gunicorn_an_unreachable_database_is_a_503_logged_with_the_request_id(tmp_path):
    with gunicorn(f"sqlite:///{tmp_path / 'no-such-folder' / 'portal.sqlite3'}") as (base, stop):
        status, _headers, body = _get(f"{base}/healthz", **{"X-Request-ID": "probe-2"})
        assert (status, json.loads(body)) == (503, {"status": "unavailable"})
        log = [json.loads(line) for line in stop()]  # every line is JSON, gunicorn's own too
    (failure,) = [entry for entry in log if entry["logger"] == "portal" and entry["level"] == "ERROR"]
    assert failure["request_id"] == "probe-2" and "OperationalError" in failure["exception"]


def test_gunicorn_stops_when_the_database_is_not_named():
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(SECRET_KEY=secrets.token_hex(32), BIND=f"127.0.0.1:{free_port()}", WEB_CONCURRENCY="1")
    command = [sys.executable, "-m", "gunicorn", *SERVE.replace("'", "").split()]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "DATABASE_URL is not set" in result.stderr
