"""Delivering the outbox over SMTP to ``SMTP_URL``; a failed delivery stays queued.

Two schedulers running at once never send one email twice: a row is claimed with a
conditional update before it is sent. A claim left behind by a crashed run is taken over
after ``STALE_CLAIM``.
"""

import smtplib
import ssl
from datetime import UTC, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app
from sqlalchemy import and_, or_, select, update

from portal.infra import clock
from portal.infra.db import db
from portal.mail.outbox import retry_delay
from portal.models import OutgoingEmail

STALE_CLAIM = timedelta(minutes=10)
SMTP_TIMEOUT = 20


def build_message(email: OutgoingEmail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Date"] = format_datetime(clock.now().replace(tzinfo=UTC))
    message["Message-ID"] = make_msgid(idstring=f"outbox-{email.id}")
    message.set_content(email.body_text)
    message.add_alternative(email.body_html, subtype="html")
    message["Content-Language"] = email.language  # after set_content, which clears Content-* headers
    return message


def smtp_client(url: str) -> smtplib.SMTP:
    parts = urlsplit(url)
    options = parse_qs(parts.query)
    host, port = parts.hostname or "127.0.0.1", parts.port
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(host, port or 465, timeout=SMTP_TIMEOUT, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, port or 25, timeout=SMTP_TIMEOUT)
        if options.get("starttls", ["0"])[0] in ("1", "true", "yes"):
            client.starttls(context=ssl.create_default_context())
    if parts.username:
        client.login(unquote(parts.username), unquote(parts.password or ""))
    return client


def _claim(email_id: int, now) -> bool:
    claimable = or_(
        and_(OutgoingEmail.status == "queued", OutgoingEmail.next_attempt_at <= now),
        and_(OutgoingEmail.status == "sending", OutgoingEmail.claimed_at <= now - STALE_CLAIM),
    )
    result = db.execute(
        update(OutgoingEmail).where(OutgoingEmail.id == email_id, claimable).values(status="sending", claimed_at=now)
    )
    db.commit()
    return result.rowcount == 1


def deliver_due(limit: int = 100) -> dict:
    """Send what is due; returns counts of sent and failed deliveries."""
    now = clock.now()
    due = db.scalars(
        select(OutgoingEmail.id)
        .where(
            or_(
                and_(OutgoingEmail.status == "queued", OutgoingEmail.next_attempt_at <= now),
                and_(OutgoingEmail.status == "sending", OutgoingEmail.claimed_at <= now - STALE_CLAIM),
            )
        )
        .order_by(OutgoingEmail.id)
        .limit(limit)
    ).all()
    db.commit()
    counts = {"sent": 0, "failed": 0}
    client = None
    try:
        for email_id in due:
            if not _claim(email_id, now):
                continue  # another run has it
            email = db.get(OutgoingEmail, email_id)
            message = build_message(email, current_app.config["MAIL_FROM"])
            attempts = email.attempts + 1
            db.commit()  # no transaction stays open while the SMTP server is talking
            try:
                if client is None:
                    client = smtp_client(current_app.config["SMTP_URL"])
                client.send_message(message)
            except (OSError, smtplib.SMTPException) as error:
                outcome = dict(
                    status="queued",
                    attempts=attempts,
                    claimed_at=None,
                    last_error=f"{type(error).__name__}: {error}"[:500],
                    next_attempt_at=now + retry_delay(attempts),
                )
                counts["failed"] += 1
                client = None  # reconnect for the next one
            else:
                outcome = dict(status="sent", attempts=attempts, sent_at=now, last_error=None)
                counts["sent"] += 1
            # The update is the transaction's first statement, so SQLite takes the write lock
            # at once (waiting its turn) instead of upgrading a stale read.
            db.execute(update(OutgoingEmail).where(OutgoingEmail.id == email_id).values(**outcome))
            db.commit()
    finally:
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                pass
    return counts


def deliver_soon() -> None:
    """Try to send what was just queued, right after the request's commit.

    A failure leaves it queued; the scheduler (``flask portal tick``) retries it.
    """
    try:
        deliver_due(limit=20)
    except Exception:  # noqa: BLE001 - delivery must never break the page that queued the email
        current_app.logger.exception("Immediate delivery failed; the scheduler will retry")
        db.rollback()
