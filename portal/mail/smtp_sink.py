"""The demo's own SMTP server (aiosmtpd on 127.0.0.1): files every message it receives in a
Maildir that the mailbox page reads. Tests use the same server to receive real email."""

import mailbox
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller


class MaildirHandler:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        mailbox.Maildir(self.path, create=True).close()  # creates tmp/, new/ and cur/

    async def handle_DATA(self, _server, _session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        box = mailbox.Maildir(self.path, create=True)
        box.add(message)
        box.close()
        return "250 Message accepted for delivery"


def start(path: str | Path, port: int = 8025, host: str = "127.0.0.1") -> Controller:
    controller = Controller(MaildirHandler(path), hostname=host, port=port)
    controller.start()
    return controller
