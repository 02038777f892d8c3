"""Queueing emails in the outbox, rendered in the recipient's language (rule L3).

An email is queued inside the caller's transaction, so it exists exactly when the change that
caused it does. Its ``dedupe_key`` is unique: queueing the same email twice (a second scheduler
run, a double click) finds it already there and queues nothing.
"""

from datetime import timedelta

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.i18n.sentences import format_sentence
from portal.infra import clock
from portal.infra.db import db
from portal.models import OutgoingEmail

# Each kind of email: its subject (a whole sentence with named placeholders) and templates.
SUBJECTS = {
    "setup_now": _l("Set up your order %(reference)s now"),
    "rep_alert": _l("Set-up of order %(reference)s has not started"),
    "trial_consent": _l("%(partner_name)s asks to start a trial for %(customer_name)s"),
    "trial_started": _l("A trial has started for %(customer_name)s"),
    "trial_welcome": _l("Welcome: your trial for %(customer_name)s is ready"),
    "trial_interested": _l("%(customer_name)s is interested in purchasing"),
    "trial_expiring": _l("The trial for %(customer_name)s expires in 7 days"),
    "trial_expired": _l("The trial for %(customer_name)s has expired"),
    "invitation": _l("Your account for %(organization_name)s: choose your password"),
    "password_reset": _l("Reset your Provisioning Portal password"),
    "add_me_request": _l("%(email)s asks to become an admin of %(organization_name)s"),
    "trial_access_ended": _l("Your access to the trial services of %(customer_name)s has ended"),
}


def render(kind: str, language: str, **context) -> tuple[str, str, str]:
    """Subject, plain text and HTML of an email, in ``language``; links come in ``context``.

    Rendered in the application context only, so it works the same in a request, the scheduler
    and the CLI, and never disturbs the request that queued it.
    """
    with force_locale(language):
        subject = format_sentence(str(SUBJECTS[kind]), context)
        context.update(subject=subject, email_lang=language)
        text = render_template(f"emails/{kind}.txt", **context)
        html = render_template(f"emails/{kind}.html", **context)
    return subject, text, html


def compose(kind: str, *, to: str, language: str, dedupe_key: str, order_id: int | None = None, **context):
    """The outbox row of one email, rendered, not yet added to the session."""
    subject, text, html = render(kind, language, **context)
    now = clock.now()
    return OutgoingEmail(
        kind=kind,
        to_address=to,
        language=language,
        dedupe_key=dedupe_key,
        subject=subject,
        body_text=text,
        body_html=html,
        status="queued",
        attempts=0,
        created_at=now,
        next_attempt_at=now,
        order_id=order_id,
    )


def queue(
    kind: str, *, to: str, language: str, dedupe_key: str, order_id: int | None = None, **context
) -> OutgoingEmail | None:
    """Queue one email unless one with the same key exists; returns it, or None if it existed."""
    if db.scalar(select(OutgoingEmail.id).where(OutgoingEmail.dedupe_key == dedupe_key)):
        return None
    email = compose(kind, to=to, language=language, dedupe_key=dedupe_key, order_id=order_id, **context)
    try:
        with db.begin_nested():
            db.add(email)
    except IntegrityError:
        return None  # another transaction queued it first
    return email


def queued_keys(keys) -> set[str]:
    """Which of ``keys`` are already in the outbox, in one query: for a caller that queues many
    emails in one transaction (``compose`` and ``db.add``), where a key that appears meanwhile
    makes the whole transaction fail on the unique key instead of sending anything twice."""
    keys = list(keys)
    found = set()
    for begin in range(0, len(keys), 1000):
        chunk = keys[begin : begin + 1000]
        found.update(db.scalars(select(OutgoingEmail.dedupe_key).where(OutgoingEmail.dedupe_key.in_(chunk))))
    return found


def retry_delay(attempts: int) -> timedelta:
    """Back off 1, 2, 4 ... minutes, at most an hour, between delivery attempts."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))
