"""The demo mailbox: what the demo's SMTP server received, with working links.

The demo's, and only the demo's: the blueprint exists only in an app created with ``DEMO``
(``flask portal serve-demo``, or a test that says so), which is never a production
configuration, whatever ``DEMO_MAILBOX`` says. Even there it answers only requests from this
computer (loopback); anyone else gets a 404, as if it did not exist.
"""

import mailbox
from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from ipaddress import ip_address

from flask import Blueprint, abort, current_app, render_template, request

bp = Blueprint("mailbox", __name__, url_prefix="/<lang:lang>/mailbox")

# The email itself is shown in a sandboxed frame of its own, whose document may use the inline
# styles that emails need (the portal's pages may not) and nothing else.
EMAIL_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox allow-top-navigation-by-user-activation allow-popups"


def init_app(app) -> None:
    if app.config.get("DEMO"):
        app.register_blueprint(bp)


def from_this_computer(remote_addr: str | None) -> bool:
    try:
        address = ip_address((remote_addr or "").split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    return (mapped or address).is_loopback


@bp.before_request
def only_from_this_computer():
    if not from_this_computer(request.remote_addr):
        abort(404)


def _box() -> mailbox.Maildir:
    path = current_app.config.get("DEMO_MAILBOX")
    if not path:
        abort(404)
    return mailbox.Maildir(path, factory=lambda f: BytesParser(policy=policy.default).parse(f), create=True)


def _message(box: mailbox.Maildir, key: str):
    try:
        return box[key]
    except (KeyError, FileNotFoundError):
        abort(404)


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
    message = _message(_box(), key)
    html_part = message.get_body(preferencelist=("html",))
    text_part = message.get_body(preferencelist=("plain",))
    return render_template(
        "mail/message.html",
        message=_summary(key, message),
        has_html=html_part is not None,
        text=text_part.get_content() if text_part else "",
    )


@bp.route("/<key>/content")
def content(key: str):
    """The email's HTML, for the sandboxed frame of ``show`` (no scripts); its links open in the page itself."""
    message = _message(_box(), key)
    html_part = message.get_body(preferencelist=("html",))
    if html_part is None:
        abort(404)
    html = html_part.get_content().replace("<head>", '<head><base target="_top">', 1)
    headers = {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": EMAIL_POLICY,
        "X-Frame-Options": "SAMEORIGIN",
    }
    return html, 200, headers
