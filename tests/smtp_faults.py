"""A real SMTP server (aiosmtpd on 127.0.0.1) that can be down, come back, and refuse some
recipients; and emails queued straight into the outbox, good or poisoned."""

import mailbox
import secrets
from email import policy
from email.parser import BytesParser

from aiosmtpd.controller import Controller

from portal.infra import clock
from portal.infra.db import db
from portal.mail.smtp_sink import MaildirHandler
from portal.models import OutgoingEmail
from tests.conftest import free_port

# A company name that tries to add a header: "headers must never carry a line break".
EVIL_NAME = "Evil\r\nBcc: x@evil.example"


class RefusingHandler(MaildirHandler):
    """Files what it accepts in a Maildir; answers RCPT TO with ``replies[address]`` if given."""

    def __init__(self, path, replies: dict[str, str]):
        super().__init__(path)
        self.replies = replies

    async def handle_RCPT(self, _server, _session, envelope, address, _options):
        if address in self.replies:
            return self.replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"


class SmtpServer:
    """On a fixed port that stays reserved for it, so that it can stop and start again."""

    def __init__(self, maildir, replies: dict[str, str] | None = None):
        self.port = free_port()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self.maildir = maildir
        self.replies = dict(replies or {})
        self.controller = None

    def start(self) -> "SmtpServer":
        handler = RefusingHandler(self.maildir, self.replies)
        self.controller = Controller(handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def received(self) -> list:
        box = mailbox.Maildir(self.maildir, factory=lambda f: BytesParser(policy=policy.default).parse(f), create=True)
        return list(box.values())

    def received_by(self) -> dict[str, int]:
        """How many messages each address received."""
        counts: dict[str, int] = {}
        for message in self.received():
            counts[message["To"]] = counts.get(message["To"], 0) + 1
        return counts


def queue_email(to: str, subject: str = "Your order", **values) -> int:
    """One email in the outbox, due now unless ``values`` say otherwise; its id. Call inside an
    application context."""
    now = clock.now()
    fields = dict(
        kind="invitation",
        to_address=to,
        language="en",
        dedupe_key=f"test:{to}:{subject}:{secrets.token_hex(4)}",
        subject=subject,
        body_text="Hello,\n\nA test email.\n",
        body_html="<html lang='en'><body><p>Hello,</p></body></html>",
        status="queued",
        attempts=0,
        created_at=now,
        next_attempt_at=now,
    )
    email = OutgoingEmail(**{**fields, **values})
    db.add(email)
    db.flush()
    email_id = email.id
    db.commit()
    return email_id


def email(email_id: int) -> OutgoingEmail:
    """The email as the database holds it now (a new transaction sees what other runs wrote)."""
    db.commit()
    return db.get(OutgoingEmail, email_id)
