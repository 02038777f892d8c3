"""The operator's side of the outbox: `flask portal outbox` (look, retry, discard) and
`flask portal worker`, which sends what requests only queue."""

import os
import secrets
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.mail.delivery import deliver_due
from portal.models import OutgoingEmail
from tests.smtp_faults import EVIL_NAME, SmtpServer, email, queue_email

ROOT = Path(__file__).resolve().parent.parent
REFUSED = "nobody@refused.example"


@pytest.fixture
def smtp(app, tmp_path):
    server = SmtpServer(tmp_path / "cli-mailbox", replies={REFUSED: "550 5.1.1 No such user here"}).start()
    app.config["SMTP_URL"] = server.url
    yield server
    server.stop()


@pytest.fixture
def outbox(app):
    """`flask portal outbox …` through Flask's CliRunner; returns the result."""

    def run(*args):
        return app.test_cli_runner().invoke(args=["portal", "outbox", *args])

    return run


def failed_email(clock) -> int:
    """An email that delivery gave up on: its subject would carry a header."""
    email_id = queue_email("admin@evil.example", subject=f"A trial has started for {EVIL_NAME}", kind="trial_started")
    assert deliver_due()["failed"] == 1
    return email_id


# --- looking ---------------------------------------------------------------------------------


def test_outbox_counts_by_status_and_lists_failed_and_long_waiting_emails(app, db, smtp, clock, outbox):
    sent = queue_email("sent@example.com")
    deliver_due()
    failed = failed_email(clock)
    waiting = queue_email("waiting@example.com", next_attempt_at=clock.at + timedelta(hours=1))
    clock.advance(minutes=20)
    fresh = queue_email("fresh@example.com", next_attempt_at=clock.at + timedelta(hours=1))

    result = outbox()
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "queued: 2, sending: 0, sent: 1, failed: 1, discarded: 0"
    [failed_line] = [line for line in lines if line.startswith(f"  #{failed} ")]
    assert "trial_started  admin@evil.example  attempts 1  failed  cannot be built: UnbuildableEmail" in failed_line
    assert "line break" in failed_line
    waiting_line = lines[lines.index("Waiting too long (1):") + 1]
    assert waiting_line.startswith(f"  #{waiting}  invitation  waiting@example.com  attempts 0  next attempt ")
    assert not any(f"#{fresh} " in line or f"#{sent} " in line for line in lines)


def test_outbox_with_nothing_wrong_prints_only_the_counts(app, db, smtp, outbox):
    queue_email("a@example.com")
    deliver_due()
    assert outbox().output == "queued: 0, sending: 0, sent: 1, failed: 0, discarded: 0\n"


# --- retrying --------------------------------------------------------------------------------


def test_retry_queues_a_failed_email_again_due_now_and_is_safe_to_repeat(app, db, smtp, clock, outbox):
    refused = queue_email(REFUSED)
    deliver_due()
    clock.advance(minutes=1)
    deliver_due()
    assert email(refused).status == "failed" and email(refused).attempts == 2
    smtp.replies.clear()  # the mailbox exists now

    clock.advance(hours=1)
    result = outbox("--retry", str(refused))
    assert result.exit_code == 0 and f"Email #{refused} is queued again." in result.output
    row = email(refused)
    assert (row.status, row.attempts, row.next_attempt_at, row.failed_at) == ("queued", 0, clock.at, None)
    again = outbox("--retry", str(refused))
    assert again.exit_code == 0
    assert f"Email #{refused} is queued: only a failed email is retried." in again.output
    assert deliver_due()["sent"] == 1
    assert outbox("--retry", str(refused)).exit_code == 0  # sent now: still nothing to do
    assert email(refused).status == "sent" and smtp.received_by() == {REFUSED: 1}


def test_retry_all_failed_queues_every_failed_email_again(app, db, smtp, clock, outbox):
    ids = [failed_email(clock), queue_email(REFUSED)]
    deliver_due()
    clock.advance(minutes=1)
    deliver_due()
    assert {email(i).status for i in ids} == {"failed"}
    result = outbox("--retry-all-failed")
    assert result.exit_code == 0 and "2 failed emails queued again." in result.output
    assert {(email(i).status, email(i).attempts) for i in ids} == {("queued", 0)}
    assert "0 failed emails queued again." in outbox("--retry-all-failed").output


def test_retry_of_an_unknown_email_is_an_error(app, db, outbox):
    result = outbox("--retry", "999")
    assert result.exit_code == 1 and "There is no email #999 in the outbox." in result.output


# --- discarding ------------------------------------------------------------------------------


def test_discard_marks_an_email_never_to_be_sent_and_is_safe_to_repeat(app, db, smtp, clock, outbox):
    smtp.stop()  # it waits in the queue
    waiting = queue_email("wrong-address@example.com")
    deliver_due()
    result = outbox("--discard", str(waiting))
    assert result.exit_code == 0 and f"Email #{waiting} is discarded; it will not be sent." in result.output
    row = email(waiting)
    assert row.status == "discarded" and row.discarded_at == clock.at
    assert "discarded: 1" in result.output
    again = outbox("--discard", str(waiting))
    assert again.exit_code == 0 and f"Email #{waiting} is discarded: only a queued or failed email" in again.output
    assert outbox("--retry", str(waiting)).output.startswith(f"Email #{waiting} is discarded: only a failed")

    smtp.start()
    clock.advance(days=1)
    assert deliver_due() == {"sent": 0, "deferred": 0, "failed": 0}
    assert smtp.received() == []


def test_discard_takes_a_failed_email_but_never_a_sent_one_nor_one_being_sent(app, db, smtp, clock, outbox):
    failed = failed_email(clock)
    assert outbox("--discard", str(failed)).exit_code == 0
    assert (email(failed).status, email(failed).failed_at) == ("discarded", None)

    sent = queue_email("sent@example.com")
    deliver_due()
    assert "is sent: only a queued or failed email" in outbox("--discard", str(sent)).output
    sending = queue_email("sending@example.com")
    row = email(sending)
    row.status, row.claimed_at = "sending", clock.at  # a live run has it
    db.commit()
    assert "is sending: only a queued or failed email" in outbox("--discard", str(sending)).output
    clock.advance(minutes=11)  # that run died
    assert "is discarded; it will not be sent" in outbox("--discard", str(sending)).output


# --- requests queue, the worker sends --------------------------------------------------------


def test_a_request_only_queues_its_email_and_the_worker_sends_it(app, db, demo, smtp, client):
    response = client.post("/en/forgot-password", data={"email": "anna.dekker@northwind.example"})
    assert response.status_code == 200
    reset = db.scalar(select(OutgoingEmail).where(OutgoingEmail.kind == "password_reset"))
    assert (reset.status, reset.attempts) == ("queued", 0)  # the request did not talk to SMTP
    assert smtp.received() == []

    result = app.test_cli_runner().invoke(args=["portal", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "sent: 1" in result.output and result.output.endswith("Worker stopped after 1 run.\n")
    assert email(reset.id).status == "sent" and smtp.received_by() == {"anna.dekker@northwind.example": 1}


def test_a_password_reset_request_answers_without_trying_a_dead_smtp_server(app, db, demo, client):
    # SMTP_URL points at a closed port; the request does not try it, the email waits its turn.
    response = client.post("/en/forgot-password", data={"email": "anna.dekker@northwind.example"})
    assert response.status_code == 200
    reset = db.scalar(select(OutgoingEmail).where(OutgoingEmail.kind == "password_reset"))
    assert (reset.status, reset.attempts, reset.last_error) == ("queued", 0, None)


def _worker(db_path, smtp_url, interval="0.2"):
    env = {
        **os.environ,
        "FLASK_APP": "portal",
        "DATABASE_URL": f"sqlite:///{db_path}",
        "SMTP_URL": smtp_url,
        "SECRET_KEY": secrets.token_hex(32),
        "PYTHONUNBUFFERED": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "portal", "worker", "--interval", interval],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_two_workers_side_by_side_send_each_email_once_and_stop_cleanly_on_sigterm(app, db, db_path, smtp):
    past = datetime(2020, 1, 1)  # the workers read the real clock
    good = [queue_email(f"user{n}@example.com", created_at=past, next_attempt_at=past) for n in range(12)]
    poison = queue_email("admin@evil.example", subject=EVIL_NAME, created_at=past, next_attempt_at=past)
    workers = [_worker(db_path, smtp.url) for _ in range(2)]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(smtp.received()) < 12:
            time.sleep(0.2)
        time.sleep(1)  # a few more runs of both: nothing more goes out
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        outputs = [worker.communicate(timeout=30)[0] for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    assert all("Worker running every 0.2 s." in out and "Worker stopped after" in out for out in outputs), outputs
    assert smtp.received_by() == {f"user{n}@example.com": 1 for n in range(12)}
    assert {email(i).status for i in good} == {"sent"}
    assert (email(poison).status, email(poison).attempts) == ("failed", 1)
