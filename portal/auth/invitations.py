"""Emails with a link to choose a password: invitations (7 days) and resets (about an hour).

Every user the portal creates without a password gets an invitation (the customer admin of a
new organization, W7; a trial's customer admin, T2/T6; a user an admin adds). The emails go
out in the recipient's language (rule L3) and carry a single-use link (portal.auth.tokens).
"""

import hashlib
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from portal.auth import tokens
from portal.domain.normalize import email_key
from portal.infra import clock
from portal.infra.db import db
from portal.infra.urls import external_url
from portal.mail.outbox import queue
from portal.models import User


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:20]


def password_link(user: User) -> str | None:
    """The invitation link for a user who has no password yet, else None (for other emails)."""
    if user.password_hash or not user.active:
        return None
    return external_url(
        "auth.choose_password", lang=user.mail_language, purpose="invitation", token=tokens.make(user, "invitation")
    )


def _expires_on(purpose: str):
    seconds = current_app.config["INVITATION_MAX_AGE" if purpose == "invitation" else "RESET_MAX_AGE"]
    return clock.now() + timedelta(seconds=seconds)


def invite(user: User, *, invited_by: User | None = None):
    """Queue an invitation (in the caller's transaction); None if one with this link exists."""
    token = tokens.make(user, "invitation")
    language = user.mail_language
    return queue(
        "invitation",
        to=user.email,
        language=language,
        dedupe_key=f"invitation:{user.id}:{_digest(token)}",
        link=external_url("auth.choose_password", lang=language, purpose="invitation", token=token),
        organization_name=user.organization.name,
        email=user.email,
        inviter_name=(invited_by.display_name or invited_by.email) if invited_by else None,
        expires_at=_expires_on("invitation"),
    )


def send_reset(user: User):
    token = tokens.make(user, "reset")
    language = user.mail_language
    return queue(
        "password_reset",
        to=user.email,
        language=language,
        dedupe_key=f"reset:{user.id}:{_digest(token)}",
        link=external_url("auth.choose_password", lang=language, purpose="reset", token=token),
        email=user.email,
        expires_at=_expires_on("reset"),
    )


def send_link_for(email: str) -> None:
    """ "Forgot your password?": a reset link, or an invitation for one who never chose a password.

    Says nothing about whether the address exists; an unknown or removed one gets nothing.
    """
    user = db.scalar(select(User).where(User.email == email_key(email)))
    if user is None or not user.active:
        return
    if user.password_hash:
        send_reset(user)
    else:
        invite(user)
