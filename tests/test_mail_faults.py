"""Mail that cannot jam: each email is delivered, retried or failed on its own, against a real
SMTP server that goes down, comes back and refuses some recipients."""

import logging
import smtplib
import threading
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from portal import create_app
from portal.mail import delivery
from portal.mail.delivery import MAX_ATTEMPTS, POLICY, UnbuildableEmail, build_message, deliver_due
from portal.models import OutgoingEmail
from portal.scheduler import run_tick
from tests.smtp_faults import EVIL_NAME, SmtpServer, email, queue_email
from tests.test_mail import place_order
from tests.test_trials import start, user

REFUSED = "nobody@refused.example"
BUSY = "busy@greylisted.example"


@pytest.fixture
def smtp(app, tmp_path):
    """A real SMTP server, not started yet; the portal is configured to use it."""
    server = SmtpServer(
        tmp_path / "faults-mailbox",
        replies={REFUSED: "550 5.1.1 No such user here", BUSY: "451 4.7.1 Greylisted, try again later"},
    )
    app.config["SMTP_URL"] = server.url
    yield server
    server.stop()


# --- building --------------------------------------------------------------------------------


def test_a_header_with_a_line_break_is_refused_not_folded_into_a_new_header(db):
    row = OutgoingEmail(
        id=1, to_address="it@example.com", subject=f"Welcome: your trial for {EVIL_NAME} is ready", language="en"
    )
    with pytest.raises(UnbuildableEmail, match="line break"):
        build_message(row, "Portal <no-reply@portal.example>")
    message = EmailMessage(policy=POLICY)  # the policy refuses it too, without our own check
    with pytest.raises(ValueError, match="linefeed or carriage return"):
        message["Subject"] = EVIL_NAME


def test_a_company_name_with_a_line_break_fails_its_email_and_the_tick_carries_on(app, db, demo, smtp, clock):
    smtp.start()
    trial = start(db, company=EVIL_NAME)  # a new customer named with a line break
    from portal.trials import lifecycle

    lifecycle.provision(trial, actor=user(db, "anna.dekker@northwind.example"))
    db.commit()
    order = place_order(db, language="nl")
    counts = app.test_cli_runner().invoke(args=["portal", "tick"])
    assert counts.exit_code == 0, counts.output
    welcome = db.scalar(select(OutgoingEmail).where(OutgoingEmail.kind == "trial_welcome"))
    assert welcome.status == "failed" and welcome.attempts == 1 and welcome.failed_at == clock.at
    assert "cannot be built" in welcome.last_error and "line break" in welcome.last_error
    setup = db.scalar(select(OutgoingEmail).where(OutgoingEmail.order_id == order.id))
    assert setup.status == "sent"
    assert "x@evil.example" not in str([m.items() for m in smtp.received()])  # no Bcc smuggled in
    # Every later tick works, and leaves the failed email alone.
    clock.advance(hours=3)
    again = app.test_cli_runner().invoke(args=["portal", "tick"])
    assert again.exit_code == 0, again.output
    assert email(welcome.id).status == "failed" and email(welcome.id).attempts == 1


# --- the server down, then back --------------------------------------------------------------


def test_smtp_down_then_back_delivers_every_email_exactly_once(app, db, smtp, clock):
    addresses = [f"user{n}@example.com" for n in range(5)]
    ids = [queue_email(address) for address in addresses]
    assert deliver_due() == {"sent": 0, "deferred": 5, "failed": 0}  # nothing listens
    for email_id in ids:
        row = email(email_id)
        assert row.status == "queued" and row.attempts == 1
        assert "cannot connect to the SMTP server" in row.last_error
    assert deliver_due() == {"sent": 0, "deferred": 0, "failed": 0}  # backing off

    smtp.start()
    clock.advance(minutes=1)
    assert deliver_due() == {"sent": 5, "deferred": 0, "failed": 0}
    clock.advance(hours=5)
    assert deliver_due() == {"sent": 0, "deferred": 0, "failed": 0}
    assert smtp.received_by() == {address: 1 for address in addresses}
    assert {email(i).status for i in ids} == {"sent"}


def test_the_server_going_away_mid_run_defers_the_rest_and_they_go_out_later(app, db, smtp, clock, monkeypatch):
    smtp.start()
    ids = [queue_email(f"user{n}@example.com") for n in range(3)]
    sent = []

    def send_then_stop(self, message, *args, **kwargs):
        if sent:  # the server goes away after the first email
            smtp.stop()
        sent.append(message["To"])
        return real_send(self, message, *args, **kwargs)

    real_send = smtplib.SMTP.send_message
    monkeypatch.setattr(smtplib.SMTP, "send_message", send_then_stop)
    assert deliver_due() == {"sent": 1, "deferred": 2, "failed": 0}
    assert email(ids[1]).last_error.startswith("SMTPServerDisconnected")
    # no second wait for a server that has gone
    assert email(ids[2]).last_error == f"SmtpUnavailable: the SMTP server stopped answering: {email(ids[1]).last_error}"
    monkeypatch.undo()
    smtp.start()
    clock.advance(minutes=1)
    assert deliver_due()["sent"] == 2
    assert smtp.received_by() == {f"user{n}@example.com": 1 for n in range(3)}
    assert {email(i).status for i in ids} == {"sent"}


# --- poison emails ---------------------------------------------------------------------------


def test_poison_emails_among_good_ones_fail_with_their_reason_and_later_ticks_succeed(app, db, smtp, clock):
    smtp.start()
    first = queue_email("first@example.com")
    unbuildable = queue_email("admin@evil.example", subject=f"A trial has started for {EVIL_NAME}")
    refused = queue_email(REFUSED)
    last = queue_email("last@example.com")

    assert deliver_due() == {"sent": 2, "deferred": 1, "failed": 1}
    assert email(unbuildable).status == "failed" and "line break" in email(unbuildable).last_error
    row = email(refused)  # a 5xx gets one more try a minute later
    assert row.status == "queued" and row.attempts == 1 and "550" in row.last_error

    clock.advance(minutes=1)
    later = queue_email("later@example.com")
    assert deliver_due() == {"sent": 1, "deferred": 0, "failed": 1}
    row = email(refused)
    assert row.status == "failed" and row.attempts == delivery.PERMANENT_ATTEMPTS and row.failed_at == clock.at
    assert row.last_error.startswith("refused: SMTPRecipientsRefused") and "No such user here" in row.last_error

    clock.advance(hours=2)
    assert run_tick()["failed"] == 0  # later ticks leave them failed and carry on
    assert smtp.received_by() == {"first@example.com": 1, "last@example.com": 1, "later@example.com": 1}
    assert {email(i).status for i in (first, last, later)} == {"sent"}


def test_a_greylisting_4xx_is_retried_with_back_off_until_max_attempts(app, db, smtp, clock):
    smtp.start()
    busy = queue_email(BUSY)
    delays = []
    for attempt in range(1, MAX_ATTEMPTS):
        assert deliver_due() == {"sent": 0, "deferred": 1, "failed": 0}
        row = email(busy)
        assert row.status == "queued" and row.attempts == attempt and "451" in row.last_error
        delays.append(int((row.next_attempt_at - clock.at).total_seconds() // 60))
        clock.at = row.next_attempt_at
    assert delays == [1, 2, 4, 8, 16, 32, 60]
    assert deliver_due() == {"sent": 0, "deferred": 0, "failed": 1}
    row = email(busy)
    assert row.status == "failed" and row.attempts == MAX_ATTEMPTS and f"attempt {MAX_ATTEMPTS}" in row.last_error


def test_an_unexpected_error_fails_only_that_email_and_is_logged_with_its_id(app, db, smtp, caplog, monkeypatch):
    smtp.start()
    good = queue_email("good@example.com")
    buggy = queue_email("bug@example.com")
    after = queue_email("after@example.com")
    real_send = smtplib.SMTP.send_message

    def send(self, message, *args, **kwargs):
        if message["To"] == "bug@example.com":
            raise RuntimeError("a bug in sending")
        return real_send(self, message, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "send_message", send)
    with caplog.at_level(logging.ERROR):
        counts = deliver_due()
    assert counts == {"sent": 2, "deferred": 0, "failed": 1}
    assert f"Outbox email {buggy} failed unexpectedly" in caplog.text
    assert email(buggy).status == "failed" and email(buggy).last_error == "unexpected RuntimeError: a bug in sending"
    assert email(good).status == email(after).status == "sent"


def test_an_email_whose_runs_keep_dying_fails_after_max_attempts(app, db, smtp, clock):
    smtp.start()
    stuck = queue_email("stuck@example.com", last_error="TimeoutError: timed out")
    row = email(stuck)
    row.status, row.attempts, row.claimed_at = "sending", MAX_ATTEMPTS, clock.at  # runs died holding it
    db.commit()
    clock.advance(minutes=11)
    assert deliver_due() == {"sent": 0, "deferred": 0, "failed": 1}
    assert email(stuck).status == "failed" and "no outcome after 8 attempts" in email(stuck).last_error
    assert smtp.received() == []


# --- runs at once ----------------------------------------------------------------------------


def test_two_delivery_runs_at_once_send_each_good_email_once_and_fail_the_poison_once(app, app_config, db, smtp, clock):
    smtp.start()
    good = [queue_email(f"user{n:02d}@example.com") for n in range(30)]
    unbuildable = queue_email("admin@evil.example", subject=EVIL_NAME)
    refused = queue_email(REFUSED)
    apps = [create_app({**app_config, "SMTP_URL": smtp.url}) for _ in range(2)]  # own engine and session each
    totals, errors = [], []

    def run(each_app, barrier):
        with each_app.app_context():
            barrier.wait()
            try:
                totals.append(deliver_due())
            except Exception as error:  # noqa: BLE001 - returned to the test
                errors.append(error)

    try:
        for _ in range(2):  # the refused email fails at its second attempt, a minute later
            barrier = threading.Barrier(2)
            threads = [threading.Thread(target=run, args=(each, barrier)) for each in apps]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            clock.advance(minutes=1)
    finally:
        for each in apps:
            each.extensions["portal.engine"].dispose()
    assert errors == []
    assert sum(t["sent"] for t in totals) == 30 and sum(t["failed"] for t in totals) == 2
    assert smtp.received_by() == {f"user{n:02d}@example.com": 1 for n in range(30)}
    assert {email(i).status for i in good} == {"sent"}
    assert (email(unbuildable).status, email(unbuildable).attempts) == ("failed", 1)
    assert (email(refused).status, email(refused).attempts) == ("failed", 2)
