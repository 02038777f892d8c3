"""Delivering the outbox over SMTP to ``SMTP_URL``, one email at a time, so that none can jam it.

Each email is claimed with a conditional update (``queued`` to ``sending``, one more attempt)
before it is built and sent, so two runs at once never send one email twice; a claim left by a
run that died is taken over after ``STALE_CLAIM``. Building, connecting and sending are inside
the email's own error handling, and every claim ends in one outcome:

- **sent**;
- **failed at once** when the message cannot be built: a header value with a line break (a
  company name "Evil\\r\\nBcc: x@evil.example" in a subject) is refused, never folded into a
  new header. Likewise anything unexpected with one email: it is logged with the email's id,
  the email is failed with the reason, and the run goes on with the next one;
- **failed at the second permanent refusal** (``PERMANENT_ATTEMPTS``): a 5xx reply (recipients
  refused, sender or data refused with a code of 500 or more). The first one waits a minute and
  tries once more, because a relay being reconfigured can refuse for a moment; the second is
  final;
- **queued again, later** on a transient error (no connection, a timeout, a dropped connection,
  a 4xx reply), backing off 1, 2, 4 ... minutes (``outbox.retry_delay``), until the
  ``MAX_ATTEMPTS``-th attempt (8, about two hours after the first) fails it. When the server
  cannot be reached, the other emails of that run get the same error without another wait.

A failed email keeps its reason in ``last_error``. `flask portal outbox` lists failed emails;
``--retry`` queues one again and ``--discard`` gives it up (``portal.mail.operations``).
Delivery runs in the scheduler (`flask portal worker`, `flask portal tick`), never in a request.
"""

import smtplib
import ssl
import unicodedata
from datetime import UTC, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import and_, or_, select, update

from portal.infra import clock
from portal.infra.db import db
from portal.mail.outbox import retry_delay
from portal.models import OutgoingEmail

STALE_CLAIM = timedelta(minutes=10)
SMTP_TIMEOUT = 20
MAX_ATTEMPTS = 8  # attempts in all; transient errors are retried until then
PERMANENT_ATTEMPTS = 2  # 5xx refusals: one more try a minute later, then failed

# EmailPolicy refuses a header value holding a line break instead of folding it into a new
# header, and writes CRLF line ends as SMTP wants them.
POLICY = policy.SMTP


class UnbuildableEmail(ValueError):
    """The stored email cannot become a message; sending it again would fail the same way."""


class SmtpUnavailable(OSError):
    """The SMTP server could not be reached (or stopped answering) during this run."""


def _header(name: str, value: str) -> str:
    if any(unicodedata.category(char) == "Cc" and char != "\t" for char in value):
        raise UnbuildableEmail(f"the {name} header would hold a line break or control character: {value!r}")
    return value


PRODUCT_NAME = "Provisioning Portal"


def sender_in(language: str, configured: str) -> str:
    """The From header in the recipient's language: the product's own name is translated like
    the email's body ("Портал за осигуряване на услуги <no-reply@…>"); a display name the
    operator chose in MAIL_FROM is kept as it is."""
    name, address = parseaddr(configured)
    if name != PRODUCT_NAME or not address:
        return configured
    with force_locale(language):
        return formataddr((gettext("Provisioning Portal"), address))


def build_message(email: OutgoingEmail, sender: str) -> EmailMessage:
    message = EmailMessage(policy=POLICY)
    message["From"] = _header("From", sender_in(email.language, sender))
    message["To"] = _header("To", email.to_address)
    message["Subject"] = _header("Subject", email.subject)
    message["Date"] = format_datetime(clock.now().replace(tzinfo=UTC))
    message["Message-ID"] = make_msgid(idstring=f"outbox-{email.id}")
    message.set_content(email.body_text)
    message.add_alternative(email.body_html, subtype="html")
    # After set_content, which clears Content-* headers.
    message["Content-Language"] = _header("Content-Language", email.language)
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


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:500]


def is_permanent(error: OSError) -> bool:
    """A 5xx reply about this email: the server will refuse it again."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)):
        return error.smtp_code >= 500
    return isinstance(error, smtplib.SMTPNotSupportedError)  # e.g. an address the server cannot take


def _about_this_email(error: OSError) -> bool:
    """A reply about this one email (the connection is still good), not trouble reaching the server."""
    return isinstance(error, (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused))


class Connection:
    """The run's one SMTP connection, opened when the first email needs it."""

    def __init__(self, url: str):
        self.url, self.client, self.down = url, None, None

    def send(self, message: EmailMessage) -> None:
        if self.client is not None and self.client.sock is None:
            self.client = None  # smtplib closed it after an error
        if self.client is None:
            if self.down is not None:
                raise SmtpUnavailable(self.down)
            try:
                self.client = smtp_client(self.url)
            except OSError as error:
                self.down = f"cannot connect to the SMTP server: {describe(error)}"
                raise SmtpUnavailable(self.down) from error
        try:
            self.client.send_message(message)
        except OSError as error:
            if not _about_this_email(error):
                self.down = f"the SMTP server stopped answering: {describe(error)}"
                self.drop()
            raise

    def drop(self) -> None:
        if self.client is not None:
            self.client.close()
        self.client = None

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except OSError:
                self.client.close()
        self.client = None


def _claimable(now):
    return or_(
        and_(OutgoingEmail.status == "queued", OutgoingEmail.next_attempt_at <= now),
        and_(OutgoingEmail.status == "sending", OutgoingEmail.claimed_at <= now - STALE_CLAIM),
    )


def _claim(email_id: int, now) -> bool:
    result = db.execute(
        update(OutgoingEmail)
        .where(OutgoingEmail.id == email_id, _claimable(now))
        .values(status="sending", claimed_at=now, attempts=OutgoingEmail.attempts + 1)
    )
    db.commit()
    return result.rowcount == 1


def _failed(now, reason: str) -> dict:
    return dict(status="failed", failed_at=now, claimed_at=None, last_error=reason[:500])


def _outcome(email_id: int, now, connection: Connection) -> dict:
    """Build and send one claimed email; the values that record what happened."""
    email = db.get(OutgoingEmail, email_id)
    attempts = email.attempts  # this one included
    try:
        if attempts > MAX_ATTEMPTS:  # every run that claimed it stopped before recording an outcome
            return _failed(now, f"no outcome after {MAX_ATTEMPTS} attempts; last error: {email.last_error}")
        try:
            message = build_message(email, current_app.config["MAIL_FROM"])
        except Exception as error:  # noqa: BLE001 - whatever stops building stops it every time
            return _failed(now, f"cannot be built: {describe(error)}")
    finally:
        # The read ends here, whatever comes next: no transaction stays open while the SMTP
        # server is talking, and the outcome's update starts a transaction of its own (on
        # SQLite a read that turns into a write fails if another run wrote in between).
        db.commit()
    try:
        connection.send(message)
    except OSError as error:  # smtplib's errors are OSErrors too
        permanent = is_permanent(error)
        reason = ("refused: " if permanent else "") + describe(error)
        if attempts >= (PERMANENT_ATTEMPTS if permanent else MAX_ATTEMPTS):
            return _failed(now, f"{reason} (attempt {attempts})")
        return dict(status="queued", claimed_at=None, last_error=reason, next_attempt_at=now + retry_delay(attempts))
    return dict(status="sent", sent_at=now, last_error=None)


def deliver_due(limit: int = 100) -> dict:
    """Send what is due; counts of emails sent, deferred (queued again) and failed (given up)."""
    now = clock.now()
    due = db.scalars(select(OutgoingEmail.id).where(_claimable(now)).order_by(OutgoingEmail.id).limit(limit)).all()
    db.commit()
    counts = {"sent": 0, "deferred": 0, "failed": 0}
    connection = Connection(current_app.config["SMTP_URL"])
    try:
        for email_id in due:
            if not _claim(email_id, now):
                continue  # another run has it
            try:
                outcome = _outcome(email_id, now, connection)
            except Exception as error:  # noqa: BLE001 - one email's trouble never stops the others
                current_app.logger.exception("Outbox email %s failed unexpectedly", email_id)
                db.rollback()
                connection.drop()  # its state is unknown
                outcome = _failed(now, f"unexpected {describe(error)}")
            counts["deferred" if outcome["status"] == "queued" else outcome["status"]] += 1
            # Only this run's claim is settled (an operator may have discarded a stale one).
            # The update is the transaction's first statement, so SQLite takes the write lock at
            # once (waiting its turn) instead of upgrading a stale read.
            db.execute(
                update(OutgoingEmail)
                .where(OutgoingEmail.id == email_id, OutgoingEmail.status == "sending", OutgoingEmail.claimed_at == now)
                .values(**outcome)
            )
            db.commit()
    finally:
        connection.close()
    return counts
