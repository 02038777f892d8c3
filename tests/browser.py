"""Browser test support: a live portal on 127.0.0.1 with its own SMTP server and mailbox."""

import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def system_chromium() -> str | None:
    """Debian's Chromium where installed; else Playwright's own browser is used."""
    for path in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(path).exists():
            return path
    return shutil.which("chromium")


@contextmanager
def beside_the_portal(app):
    """An application context for a test's own writes while the live portal serves and delivers.

    Each transaction takes SQLite's write lock first (portal.infra.db.write_at_once): a read
    upgraded to a write after the portal's delivery thread committed would fail at once with
    "database is locked" instead of waiting its turn.
    """
    from portal.infra.db import write_at_once

    with app.app_context():
        write_at_once()
        yield


class LiveServer:
    def __init__(self, app, port: int):
        self.server = make_server("127.0.0.1", port, app, threaded=True)
        self.url = f"http://127.0.0.1:{port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def wait_for_email(page, mailbox_url: str, subject: str, seconds: float = 20):
    """The link to the newest email with this subject, reloading the demo mailbox until the
    portal's delivery loop has sent it."""
    link = page.get_by_role("link", name=subject).first
    deadline = time.monotonic() + seconds
    while True:
        page.goto(mailbox_url)
        if link.count() or time.monotonic() > deadline:
            return link
        page.wait_for_timeout(250)
