"""The demo mailbox: what the demo's SMTP server received, with working links.

Enabled only when ``DEMO_MAILBOX`` names the Maildir the demo's SMTP server writes to.
"""

import mailbox
from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime

from flask import Blueprint, abort, current_app, render_template

bp = Blueprint("mailbox", __name__, url_prefix="/<lang:lang>/mailbox")


def _box() -> mailbox.Maildir:
    path = current_app.config.get("DEMO_MAILBOX")
    if not path:
        abort(404)
    return mailbox.Maildir(path, factory=lambda f: BytesParser(policy=policy.default).parse(f), create=True)


def _summary(key, message) -> dict:
    return {
        "key": key,
        "to": message["To"],
        "subject": message["Subject"],
        "language": message["Content-Language"],
        "date": parsedate_to_datetime(message["Date"]).replace(tzinfo=None) if message["Date"] else None,
    }


@bp.route("/")
def index():
    box = _box()
    messages = sorted(
        (_summary(key, message) for key, message in box.items()),
        key=lambda m: (m["date"] is not None, m["date"]),
        reverse=True,
    )
    return render_template("mail/mailbox.html", messages=messages)


@bp.route("/<key>")
def show(key: str):
    box = _box()
    try:
        message = box[key]
    except (KeyError, FileNotFoundError):
        abort(404)
    html_part = message.get_body(preferencelist=("html",))
    text_part = message.get_body(preferencelist=("plain",))
    html = html_part.get_content() if html_part else ""
    # Shown in a sandboxed frame (no scripts) through srcdoc, which Jinja escapes as an attribute;
    # its links open in the page itself.
    html = html.replace("<head>", '<head><base target="_top">', 1) if html else None
    return render_template(
        "mail/message.html",
        message=_summary(key, message),
        html=html,
        text=text_part.get_content() if text_part else "",
    )
