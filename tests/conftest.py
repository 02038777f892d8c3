"""Fixtures: a fresh migrated database per test, a movable clock, demo data, sign-in, SMTP."""

import logging
import os
import shutil
import socket
from datetime import datetime
from pathlib import Path

import pytest

from portal import create_app
from portal.infra.clock import FixedClock

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
LANGUAGES = ("en", "nl", "sv", "sl", "bg")
START = datetime(2026, 11, 20, 9, 0)
PASSWORD = "portal-demo-2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs():
    """Compile every catalog before the tests, so that they never read a stale .mo file."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in (ROOT / "translations").glob("*/LC_MESSAGES/*.po"):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        # Written aside and moved into place: parallel test workers never read a half-written file.
        partial = po_path.with_suffix(f".mo.{os.getpid()}")
        with partial.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        os.replace(partial, po_path.with_suffix(".mo"))


@pytest.fixture(autouse=True)
def production_logging_stays_in_its_test():
    """An app created without TESTING logs JSON through the root logger: not in the next test."""
    from portal.infra.logging_setup import JsonHandler

    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    yield
    for handler in [h for h in root.handlers if isinstance(h, JsonHandler) and h not in before]:
        root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """One database migrated with Alembic; each test gets a copy of it."""
    from portal.infra.migrate import upgrade

    path = tmp_path_factory.mktemp("template") / "portal.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def clock():
    return FixedClock(START)


@pytest.fixture
def db_path(migrated_template, tmp_path) -> Path:
    path = tmp_path / "portal.sqlite3"
    shutil.copyfile(migrated_template, path)
    return path


@pytest.fixture
def app_config(request, db_path, clock):
    # The demo mailbox exists only in an app created with DEMO (as `flask portal serve-demo` does):
    # the live portal of the browser tests is the demo.
    demo = "live_portal" in request.fixturenames
    return {
        "DEMO": demo,
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": f"sqlite:///{db_path}",
        "CLOCK": clock,
        "WTF_CSRF_ENABLED": False,
        "SMTP_URL": f"smtp://127.0.0.1:{free_port()}",  # nothing listens: deliveries stay queued
        "BASE_URL": "http://portal.test",
    }


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    yield app
    app.extensions["portal.engine"].dispose()


@pytest.fixture
def db(app):
    """The database session, inside an application context."""
    from portal.infra.db import db

    with app.app_context():
        yield db


@pytest.fixture
def demo(app):
    from portal import demo as demo_data

    with app.app_context():
        demo_data.load()
    return demo_data


@pytest.fixture
def client(app):
    return app.test_client()


def sign_in(client, email: str, lang: str = "en"):
    response = client.post(f"/{lang}/sign-in", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.fixture
def partner_client(client, demo):
    sign_in(client, "anna.dekker@northwind.example")
    return client


@pytest.fixture
def smtp_server(tmp_path):
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that files what it receives in a Maildir."""
    from portal.mail import smtp_sink

    port = free_port()
    maildir = tmp_path / "mailbox"
    controller = smtp_sink.start(maildir, port=port)
    yield {"url": f"smtp://127.0.0.1:{port}", "maildir": maildir}
    controller.stop()


def translate(app, lang: str, message: str, **params) -> str:
    """``message`` as the catalog of ``lang`` gives it, for asserting what a person reads."""
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale(lang):
        return gettext(message, **params)


# --- browser tests ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium where installed (Playwright's download is not reachable everywhere)."""
    from tests.browser import ARGS, system_chromium

    args = {**browser_type_launch_args, "args": ARGS}
    chromium = system_chromium()
    if chromium:
        args["executable_path"] = chromium
    return args


@pytest.fixture
def live_portal(app, demo, smtp_server):
    """The portal served on 127.0.0.1 with its own SMTP server and demo mailbox, and a delivery
    loop that sends what requests queue, as `flask portal worker` does (requests never send)."""
    import threading

    from portal.mail.delivery import deliver_due
    from portal.scheduler import Stop, run_every
    from tests.browser import LiveServer

    port = free_port()
    app.config.update(
        SMTP_URL=smtp_server["url"], DEMO_MAILBOX=str(smtp_server["maildir"]), BASE_URL=f"http://127.0.0.1:{port}"
    )
    stop = Stop()
    delivery = threading.Thread(target=run_every, args=(app, 0.25, stop), kwargs={"run": deliver_due}, daemon=True)
    with LiveServer(app, port) as server:
        delivery.start()
        try:
            yield server
        finally:
            stop.set()
            delivery.join(timeout=60)


# Factories (tests/factories.py): the rows a rule test needs, without the demo data.
@pytest.fixture
def make_partner(db):
    from tests.factories import make_partner

    return make_partner


@pytest.fixture
def make_customer(db):
    from tests.factories import make_customer

    return make_customer


@pytest.fixture
def make_order(db):
    from tests.factories import make_order

    return make_order


@pytest.fixture
def make_trial(db):
    from tests.factories import make_trial

    return make_trial
