"""Signed-in browsers, kept on the server so that they can be ended at once.

The session cookie carries a random id; ``login_sessions`` keeps its SHA-256 with the times
that bound its life: ``SESSION_IDLE_MINUTES`` without a request, ``SESSION_ABSOLUTE_HOURS``
since sign-in. Signing out ends this browser's session; a new password ends the user's
others; a removed user loses them all. A copy of an ended session's cookie is refused.
"""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask import session as browser_session
from sqlalchemy import select, update

from portal.infra import clock
from portal.infra.db import db
from portal.models import LoginSession

COOKIE_KEY = "_login"
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most once a minute


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(user) -> LoginSession:
    """A new session for ``user``, in the caller's transaction; its id goes into the cookie."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    row = LoginSession(token_hash=_hash(token), user_id=user.id, created_at=now, last_seen_at=now)
    db.add(row)
    browser_session[COOKIE_KEY] = token
    return row


def _limits():
    config = current_app.config
    return timedelta(minutes=config["SESSION_IDLE_MINUTES"]), timedelta(hours=config["SESSION_ABSOLUTE_HOURS"])


def current(user_id: int) -> LoginSession | None:
    """This browser's session if it belongs to ``user_id`` and is still alive; touches it."""
    token = browser_session.get(COOKIE_KEY)
    if not isinstance(token, str):
        return None
    row = db.scalar(select(LoginSession).where(LoginSession.token_hash == _hash(token)))
    if row is None or row.user_id != user_id or row.ended_at is not None:
        return None
    now = clock.now()
    idle, absolute = _limits()
    if now - row.last_seen_at > idle or now - row.created_at > absolute:
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        # Its own short transaction: the request's unit of work stays the view's alone.
        engine = current_app.extensions["portal.engine"]
        with engine.begin() as connection:
            connection.execute(update(LoginSession).where(LoginSession.id == row.id).values(last_seen_at=now))
    return row


def end_current(reason: str = "signed_out") -> None:
    token = browser_session.pop(COOKIE_KEY, None)
    if isinstance(token, str):
        db.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == _hash(token), LoginSession.ended_at.is_(None))
            .values(ended_at=clock.now(), ended_reason=reason)
        )


def end_all(user_id: int, reason: str, *, keep_current: bool = False) -> int:
    """End every live session of the user (but this browser's, with ``keep_current``)."""
    statement = (
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
        .values(ended_at=clock.now(), ended_reason=reason)
    )
    token = browser_session.get(COOKIE_KEY) if keep_current else None
    if isinstance(token, str):
        statement = statement.where(LoginSession.token_hash != _hash(token))
    return db.execute(statement.execution_options(synchronize_session=False)).rowcount
