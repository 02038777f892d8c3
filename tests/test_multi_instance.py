"""Several instances, one database (issue 11): two gunicorn instances of the production portal
(`make serve`'s command) on two ports, two `flask portal worker`s and two `flask portal tick`s, one
real PostgreSQL, one real Redis for the sign-in throttle and one real SMTP server receiving the mail.

Real HTTP clients (cookie jars, CSRF tokens and one-time form keys read from the pages) send the
same action to both instances at the same moment; every effect happens once: one organization and
subscription per order, one trial, one consent answer, one audit entry per effect, and every email
received exactly once by the SMTP server. Failed sign-ins spread over both instances are counted
together in Redis: the sixth is refused on either instance (with ``memory://`` each of the four
gunicorn workers would count its own).
"""

import http.cookiejar
import mailbox
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, datetime
from email import message_from_binary_file, policy
from functools import partial

import pytest
from sqlalchemy import func, select, update

from portal.infra.db import db
from portal.models import (
    AuditEvent,
    Order,
    Organization,
    OutgoingEmail,
    PartnerCustomer,
    Subscription,
    Trial,
)
from tests.concurrency import at_once
from tests.conftest import PASSWORD, ROOT, free_port
from tests.postgres_server import running_postgres, server_binaries
from tests.test_concurrent_actions import CASES
from tests.test_hostile_input import Forms
from tests.test_production import SERVE

pytestmark = pytest.mark.postgres

WAIT = 60  # seconds: two cores shared with other jobs, so booting and draining may be slow


def redis_binary() -> str | None:
    return shutil.which("redis-server")


def _needs(found, what: str) -> None:
    if not found:
        if os.environ.get("CI"):
            pytest.fail(f"{what} is missing; CI installs it (.ci/run).")
        pytest.skip(f"{what} is not installed.")


def _until(condition, what: str, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
    return result


@contextmanager
def running_redis(folder):
    """redis-server on 127.0.0.1 at a free port, persisting nothing; yields its URL."""
    import redis

    port = free_port()
    command = [redis_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(host="127.0.0.1", port=port)
    try:

        def answers():
            assert process.poll() is None, "redis-server stopped"
            try:
                return client.ping()
            except redis.ConnectionError:
                return False

        _until(answers, "redis-server")
        yield f"redis://127.0.0.1:{port}", client
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=30)


class Processes:
    """The portal's processes this test starts, each logging to its own file; all stopped at the end."""

    def __init__(self, folder, env):
        self.folder, self.env, self.running = folder, env, []

    def start(self, name: str, *args: str, **env) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "w")  # noqa: SIM115 - closed in stop()
        process = subprocess.Popen(
            [sys.executable, "-m", *args],
            cwd=ROOT,
            env={**self.env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        process.log, process.name = log, name
        self.running.append(process)
        return process

    def log(self, process) -> str:
        if not process.log.closed:
            process.log.flush()
        return (self.folder / f"{process.name}.log").read_text()

    def finish(self, process, timeout: float = WAIT) -> int:
        code = process.wait(timeout=timeout)
        self.running.remove(process)
        process.log.close()
        return code

    def stop(self, process) -> int:
        process.send_signal(signal.SIGTERM)
        return self.finish(process)

    def stop_all(self) -> None:
        for process in list(self.running):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                self.finish(process, timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                self.finish(process)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 comes back to the caller, as a test client shows it


class Browser:
    """One browser: a cookie jar shared by its tabs; each tab talks to one instance."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirects)

    def tab(self, base: str) -> "Tab":
        return Tab(self, base)


class Tab:
    def __init__(self, browser: Browser, base: str):
        self.browser, self.base = browser, base

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        """(status, Location, body) of a GET, or of a POST of ``data``."""
        body = None if data is None else urllib.parse.urlencode(data, doseq=True).encode()
        request = urllib.request.Request(self.base + path, data=body)
        try:
            response = self.browser.opener.open(request, timeout=WAIT)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            location = response.headers.get("Location", "")
            return response.status, urllib.parse.urlsplit(location).path, response.read().decode()

    def form(self, page: str, action: str | None = None, **fields) -> tuple[str, dict]:
        """The POST form of ``page`` sending to ``action`` (the page itself by default), filled as
        a browser would send it: its hidden CSRF token and one-time key, the first choice of every
        empty field, then ``fields``."""
        status, _location, html = self.request(page)
        assert status == 200, (page, status)
        parser = Forms()
        parser.feed(html)
        action = action or page
        for target, defaults, choices in parser.forms:
            if (urllib.parse.urlsplit(target).path or page) == action:
                data = {}
                for name, values in defaults.items():
                    options = [c for c in choices.get(name, []) if c]
                    data[name] = values[0] if values and values[0] else (options[0] if options else "")
                data.update(fields)
                return action, data
        raise AssertionError(f"no form for {action} on {page}")

    def submit(self, page: str, action: str | None = None, **fields) -> tuple[int, str]:
        status, location, _body = self.request(*self.form(page, action, **fields))
        return status, location

    def sign_in(self, email: str, password: str = PASSWORD) -> int:
        return self.submit("/en/sign-in", email=email, password=password)[0]


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    """PostgreSQL, Redis and SMTP; the migrated database with the demo data; two gunicorn instances
    and two workers. Yields what the tests need; stops everything it started."""
    _needs(server_binaries(), "PostgreSQL (Debian package postgresql)")
    _needs(redis_binary(), "Redis (Debian package redis-server)")
    from portal import create_app
    from portal.infra.migrate import upgrade
    from portal.mail import smtp_sink

    folder = tmp_path_factory.mktemp("multi")
    smtp_port = free_port()
    maildir = folder / "mailbox"
    with running_postgres() as url, running_redis(folder) as (redis_url, redis_client):
        smtp = smtp_sink.start(maildir, port=smtp_port)
        upgrade(url)
        # The demo data, with the tests' cheap password hashes (they verify in production too).
        loader = create_app({"TESTING": True, "SECRET_KEY": "loader", "DATABASE_URL": url})
        with loader.app_context():
            from portal import demo

            demo.load()
        ports = [free_port(), free_port()]
        env = {
            **{k: v for k, v in os.environ.items() if k not in ("TESTING", "DEMO_MAILBOX")},
            "FLASK_APP": "portal",
            "SECRET_KEY": secrets.token_hex(32),
            "DATABASE_URL": url,
            "RATELIMIT_STORAGE_URI": redis_url,
            "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
            "BASE_URL": f"http://127.0.0.1:{ports[0]}",
            "WEB_CONCURRENCY": "2",
        }
        processes = Processes(folder, env)
        try:
            instances = []
            for n, port in enumerate(ports):
                args = ["gunicorn", *SERVE.replace("'", "").split()]
                instances.append(processes.start(f"gunicorn-{n}", *args, BIND=f"127.0.0.1:{port}"))
            workers = [
                processes.start(f"worker-{n}", "flask", "portal", "worker", "--interval", "0.5") for n in range(2)
            ]
            bases = [f"http://127.0.0.1:{port}" for port in ports]
            for process, base in zip(instances, bases, strict=True):

                def healthy(process=process, base=base):
                    assert process.poll() is None, processes.log(process)
                    try:
                        return Browser().tab(base).request("/healthz")[0] == 200
                    except OSError:
                        return False

                _until(healthy, base)
            yield {
                "bases": bases,
                "app": loader,
                "maildir": maildir,
                "redis": redis_client,
                "processes": processes,
                "workers": workers,
                "instances": instances,
            }
            for worker in workers:  # SIGTERM lets the current run finish; the worker says so
                assert processes.stop(worker) == 0, processes.log(worker)
                assert "Worker stopped after" in processes.log(worker)
            for instance in instances:
                log = processes.log(instance)
                assert processes.stop(instance) == 0, log
                assert '"level": "ERROR"' not in log, log
        finally:
            processes.stop_all()
            smtp.stop()
            loader.extensions["portal.engine"].dispose()


def received(maildir) -> Counter:
    """How many times the SMTP server received each outbox email (by the id in its Message-ID)."""
    box = mailbox.Maildir(maildir, create=False)
    counts = Counter(int(re.search(r"outbox-(\d+)@", message["Message-ID"]).group(1)) for message in box)
    box.close()
    return counts


def drained(portal, *emails: int) -> Counter:
    """Wait until the workers have sent the whole outbox (``emails`` included); what was received."""
    app = portal["app"]

    def done():
        with app.app_context():
            waiting = db.scalar(select(func.count(OutgoingEmail.id)).where(OutgoingEmail.status != "sent"))
            db.rollback()
        counts = received(portal["maildir"])
        return waiting == 0 and set(emails) <= set(counts) and counts

    return _until(done, f"the outbox to drain ({emails})")


def audit(app, action: str, **details) -> list[dict]:
    """The details of every audit event ``action`` whose details hold ``details``."""
    with app.app_context():
        events = db.scalars(select(AuditEvent.details).where(AuditEvent.action == action)).all()
        db.rollback()
    return [event for event in events if all(event.get(k) == v for k, v in details.items())]


def count(app, query) -> int:
    with app.app_context():
        value = db.scalar(query)
        db.rollback()
    return value


def _today():
    return datetime.now(UTC).date()


def test_two_ticks_at_once_send_each_due_email_once_and_expire_a_trial_once(portal):
    """rules O2, T16: an order placed on instance A, due today; a trial that expires today; two
    `flask portal tick`s at the same moment while both workers run."""
    app, base_a = portal["app"], portal["bases"][0]
    with app.app_context():
        helios = db.scalar(select(Organization.id).where(Organization.name == "Helios Contact Services"))
        trial_id = db.scalar(select(Trial.id).where(Trial.customer_id == helios, Trial.status == "active"))
        db.execute(update(Trial).where(Trial.id == trial_id).values(ends_on=_today()))
        db.commit()
    anna = Browser().tab(base_a)
    assert anna.sign_in("anna.dekker@northwind.example") == 302
    fields = {**CASES["place an order"].fields, "requested_start": _today().isoformat()}
    fields["provisioning_contact"] = "it@multi-tick.example"
    status, location = anna.submit("/en/orders/new", **fields)
    assert status == 302, location

    processes = portal["processes"]
    ticks = [processes.start(f"tick-{n}", "flask", "portal", "tick") for n in range(2)]
    for tick in ticks:
        assert processes.finish(tick) == 0, processes.log(tick)

    with app.app_context():
        order_id = db.scalar(select(Order.id).where(Order.provisioning_contact == "it@multi-tick.example"))
        setup = db.scalars(select(OutgoingEmail.id).where(OutgoingEmail.order_id == order_id)).all()
        expired = db.scalars(
            select(OutgoingEmail.id).where(OutgoingEmail.dedupe_key.like(f"trial:{trial_id}:expired:%"))
        ).all()
        assert db.get(Trial, trial_id).status == "expired"
        db.rollback()
    assert len(setup) == 1 and len(expired) >= 2  # Helios' admins and Northwind's
    assert len(audit(app, "setup_email_queued", to="it@multi-tick.example")) == 1
    assert len(audit(app, "trial_expired", trial=trial_id)) == 1
    counts = drained(portal, *setup, *expired)
    assert all(counts[email] == 1 for email in (*setup, *expired))


def _setup_link(portal) -> str:
    """The "Set up now" link of the order above, read from the email the SMTP server received."""
    box = mailbox.Maildir(portal["maildir"], factory=partial(message_from_binary_file, policy=policy.default))
    (message,) = [m for m in box if m["To"] == "it@multi-tick.example"]
    box.close()
    text = message.get_body(("plain",)).get_content()
    return urllib.parse.urlsplit(re.search(r"http://\S+/setup/\S+", text).group(0)).path


def test_w7_the_same_order_confirmed_on_both_instances_at_once_is_mapped_once(portal):
    app, bases = portal["app"], portal["bases"]
    link = _setup_link(portal)  # /en/setup/<token>
    tabs, admins = [], []
    for n, base in enumerate(bases):  # two people, one on each instance, each with a tab on both
        admin = f"admin@multiracer{n}.example"
        first = Browser().tab(base)
        assert first.request(link)[0] == 200
        for step, fields in (
            ("role", {"role": "partner"}),
            ("who", {"who": "self"}),
            ("partner", {"answer": "yes"}),
            ("admin", {"admin_email": admin}),
            ("company", {"company": f"Multi Racer {n}", "country": "NL"}),
            ("organization", {"organization": "new"}),
        ):
            status, location = first.submit(f"{link}/{step}", **fields)
            assert status == 302, (step, location)
        assert location == f"{link}/confirm"
        for other in bases:
            tab = first.browser.tab(other)
            tabs.append((tab, tab.form(f"{link}/confirm")))
        admins.append(admin)
    statuses = at_once([partial(lambda tab, form: tab.request(*form)[:2], tab, form) for tab, form in tabs])
    assert statuses == [(302, f"{link}/done")] * len(tabs)

    with app.app_context():
        order = db.scalar(select(Order).where(Order.provisioning_contact == "it@multi-tick.example"))
        assert order.status == "mapped"
        racers = db.scalars(select(Organization.id).where(Organization.name.like("Multi Racer %"))).all()
        assert racers == [order.mapped_organization_id]
        assert count(app, select(func.count(Subscription.id)).where(Subscription.order_id == order.id)) == 1
        invitations = db.scalars(
            select(OutgoingEmail.id).where(OutgoingEmail.kind == "invitation", OutgoingEmail.to_address.in_(admins))
        ).all()
        order_id = order.id
        db.rollback()
    mapped, started = (
        count(
            app,
            select(func.count(AuditEvent.id)).where(AuditEvent.action == action, AuditEvent.order_id == order_id),
        )
        for action in ("order_mapped", "setup_started")
    )
    assert (mapped, started) == (1, 1)
    assert len(invitations) == 1  # to the winner's admin only
    assert drained(portal, *invitations)[invitations[0]] == 1


def test_the_same_trial_started_from_two_tabs_on_two_instances_and_its_consent_answered_on_both(portal):
    """rules T7, T8: one trial and one consent email; the customer's answer, sent from tabs on both
    instances at once, is recorded once."""
    app, bases = portal["app"], portal["bases"]
    ivan = Browser()
    assert ivan.tab(bases[1]).sign_in("ivan.petrov@sofiacomm.example") == 302
    case = CASES["start a trial"]
    forms = [(ivan.tab(base), ivan.tab(base).form(case.page, **case.fields)) for base in bases]
    assert forms[0][1][1]["submission_key"] != forms[1][1][1]["submission_key"]  # two tabs, two keys
    statuses = at_once([partial(lambda tab, form: tab.request(*form)[0], tab, form) for tab, form in forms])
    assert sorted(statuses) == [302, 422]  # the other tab is told that the trial exists

    with app.app_context():
        contoso = db.scalar(select(Organization.id).where(Organization.name == "Contoso Manufacturing"))
        sofia = db.scalar(select(Organization.id).where(Organization.name == "София Комюникейшънс ООД"))
        trials = db.scalars(select(Trial.id).where(Trial.customer_id == contoso, Trial.partner_id == sofia)).all()
        db.rollback()
    assert len(trials) == 1
    (trial_id,) = trials
    assert len(audit(app, "trial_started", trial=trial_id)) == 1
    with app.app_context():
        consent = db.scalars(
            select(OutgoingEmail.id).where(OutgoingEmail.dedupe_key.like(f"trial:{trial_id}:consent%"))
        ).all()
        db.rollback()
    assert len(consent) == 1, consent

    customer = Browser()
    assert customer.tab(bases[0]).sign_in("admin@contoso.example") == 302
    accept = f"/en/organization/trials/{trial_id}/accept"
    answers = [(customer.tab(base), customer.tab(base).form("/en/organization/", accept)) for base in bases]
    statuses = at_once([partial(lambda tab, form: tab.request(*form)[0], tab, form) for tab, form in answers])
    assert statuses == [302, 302]
    with app.app_context():
        assert db.get(Trial, trial_id).status == "awaiting_provisioning"
        links = count(
            app,
            select(func.count(PartnerCustomer.id)).where(
                PartnerCustomer.partner_id == sofia, PartnerCustomer.customer_id == contoso
            ),
        )
        db.rollback()
    assert links == 1
    assert [e["answer"] for e in audit(app, "consent_answered", trial=trial_id)] == ["accepted"]
    assert drained(portal, *consent)[consent[0]] == 1


def test_failed_sign_ins_spread_over_both_instances_are_counted_together(portal):
    """Five failures per account in 15 minutes (issue 8), counted in the shared Redis: the sixth is
    refused on either instance, although no gunicorn worker saw more than three of them."""
    bases = portal["bases"]
    email = "lars.berg@northwind.example"
    tabs = [Browser().tab(base) for base in bases]
    for attempt in range(5):
        assert tabs[attempt % 2].sign_in(email, "wrong-password") == 200, attempt
    for tab in tabs:
        assert tab.sign_in(email, "wrong-password") == 429
        assert tab.sign_in(email) == 429  # even the right password waits
    assert any(email in key.decode() for key in portal["redis"].scan_iter())
    assert tabs[0].sign_in("sven.holm@northwind.example") == 302  # another account is not held up


def test_every_email_sent_was_received_exactly_once(portal):
    """Last: whatever the tests above and both workers sent, the SMTP server received once each."""
    app = portal["app"]
    counts = drained(portal)
    with app.app_context():
        sent = set(db.scalars(select(OutgoingEmail.id).where(OutgoingEmail.status == "sent")))
        db.rollback()
    assert sent and set(counts) == sent
    assert {n for n in counts.values()} == {1}
