"""Rule L3 and the outbox: real SMTP delivery to a local server, retries, the recipient's language."""

import mailbox
from datetime import date, timedelta
from email import policy
from email.parser import BytesParser

from sqlalchemy import select

from portal.mail.delivery import deliver_due
from portal.models import Organization, OutgoingEmail, User
from portal.orders import rules
from portal.scheduler import run_tick
from tests.conftest import START, translate


def received(maildir):
    box = mailbox.Maildir(maildir, factory=lambda f: BytesParser(policy=policy.default).parse(f), create=True)
    return list(box.values())


def place_order(db, *, language="bg", start=date(2026, 11, 20)):
    partner = db.scalar(select(Organization).where(Organization.name == "Northwind Solutions B.V."))
    anna = db.scalar(select(User).where(User.email == "anna.dekker@northwind.example"))
    order, _ = rules.place_order(
        partner=partner,
        placed_by=anna,
        offer="A-FLEX",
        requested_start=start,
        contact="it@balkantel.example",
        setup_language=language,
        licenses=10,
        submission_key=f"mail-test-{language}-0001",
    )
    db.commit()
    return order


def test_l3_setup_email_arrives_over_smtp_in_the_chosen_language(app, db, demo, smtp_server):
    app.config["SMTP_URL"] = smtp_server["url"]
    order = place_order(db, language="bg")
    counts = run_tick()
    assert counts["sent"] >= 1 and counts["failed"] == 0
    [message] = [m for m in received(smtp_server["maildir"]) if m["To"] == "it@balkantel.example"]
    assert message["Content-Language"] == "bg"
    assert message["Subject"] == translate(app, "bg", "Set up your order %(reference)s now", reference=order.reference)
    html = message.get_body(preferencelist=("html",)).get_content()
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert '<html lang="bg">' in html
    assert translate(app, "bg", "Set up now") in html and translate(app, "bg", "Set up now") in text
    assert "http://portal.test/bg/setup/" in text
    assert db.scalar(select(OutgoingEmail.status).where(OutgoingEmail.order_id == order.id)) == "sent"


def test_a_transient_failure_stays_queued_and_is_retried_after_its_back_off(app, db, demo, smtp_server, clock):
    order = place_order(db, language="sl")
    run_tick()  # SMTP_URL points at a closed port
    email = db.scalar(select(OutgoingEmail).where(OutgoingEmail.order_id == order.id))
    assert email.status == "queued" and email.attempts == 1 and email.last_error
    assert email.next_attempt_at > clock.at
    app.config["SMTP_URL"] = smtp_server["url"]
    assert deliver_due()["sent"] == 0  # not due yet: it waits for its retry time
    clock.advance(minutes=2)
    assert deliver_due()["sent"] >= 1
    db.expire_all()
    email = db.get(OutgoingEmail, email.id)
    assert email.status == "sent" and email.attempts == 2 and email.last_error is None
    assert len([m for m in received(smtp_server["maildir"]) if m["To"] == "it@balkantel.example"]) == 1


def test_a_claim_left_by_a_crashed_run_is_taken_over(app, db, demo, smtp_server, clock):
    app.config["SMTP_URL"] = smtp_server["url"]
    order = place_order(db, language="nl")
    rules.send_due_setup_emails()
    email = db.scalar(select(OutgoingEmail).where(OutgoingEmail.order_id == order.id))
    email.status, email.claimed_at = "sending", clock.at  # a run that died while sending
    db.commit()
    assert deliver_due()["sent"] == 0
    clock.advance(minutes=11)
    assert deliver_due()["sent"] >= 1


def test_l3_rep_alert_goes_in_the_representatives_language(app, db, demo, smtp_server, clock):
    app.config["SMTP_URL"] = smtp_server["url"]
    place_order(db, language="en", start=date(2026, 11, 20))
    clock.at = START + timedelta(days=1, hours=1)
    run_tick()
    alerts = [m for m in received(smtp_server["maildir"]) if m["To"] == "account.rep+northwind@vendor.example"]
    assert alerts and all(m["Content-Language"] == "nl" for m in alerts)
