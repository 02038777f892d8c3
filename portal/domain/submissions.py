"""Exactly once per form: a state-changing form carries a one-time key (``submission_key``), and
the change it makes is stored together with the key.

``claim`` records the key in the request's transaction before the change. A second submission
with the same key (a double click, a reload after the first answered, the same page in two
tabs) waits for the first transaction, finds the key and raises ``Repeated`` with the first
one's result, so the view shows that instead of acting twice. A change refused by a rule rolls
the key back with it: the corrected form can be sent again.
"""

import re
import secrets

from flask import flash, redirect
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from portal.infra import clock
from portal.infra.db import db
from portal.models import FormSubmission

KEY = re.compile(r"[A-Za-z0-9_-]{16,40}")


class Repeated(Exception):
    """The form was already sent with this key; ``result_url`` is where its first answer led."""

    def __init__(self, result_url: str | None):
        super().__init__(result_url)
        self.result_url = result_url


def new_key() -> str:
    return secrets.token_urlsafe(24)


def _stored(key: str | None, user_id: int | None) -> str | None:
    """The key as stored: one user's key is never another's (a key someone else sent is simply
    a new key for them)."""
    return f"{user_id or 0}:{key}" if key and KEY.fullmatch(key) else None


def check(key: str | None, user_id: int | None = None) -> None:
    """Raise Repeated if the form was already acted on with ``key``: checked before the form is
    validated, because its first effect can change what the form would accept."""
    stored = _stored(key, user_id)
    if stored:
        earlier = db.get(FormSubmission, stored)
        if earlier is not None:
            raise Repeated(earlier.result_url)


def claim(key: str | None, user_id: int | None = None) -> FormSubmission | None:
    """Record ``key`` with the change about to be made; raises Repeated if it was used. A missing
    or malformed key (a client that did not render the form) claims nothing."""
    stored = _stored(key, user_id)
    if stored is None:
        return None
    earlier = db.get(FormSubmission, stored)
    if earlier is None:
        submission = FormSubmission(key=stored, user_id=user_id, created_at=clock.now())
        try:
            with db.begin_nested():
                db.add(submission)
            return submission
        except IntegrityError:  # another transaction committed the key in the meantime
            earlier = db.get(FormSubmission, stored, populate_existing=True)
    raise Repeated(earlier.result_url if earlier is not None else None)


def answered(submission: FormSubmission | None, result_url: str) -> None:
    """Where the change's page leads, for a repeated submission to go to the same place."""
    if submission is not None:
        submission.result_url = result_url[:500]


def show_first_result(repeated: Repeated, fallback_url: str):
    """The answer to a repeated submission: the first one's page, said plainly."""
    db.rollback()
    flash(_("This form had already been sent; it was saved once. This is the result."), "info")
    return redirect(repeated.result_url or fallback_url)
