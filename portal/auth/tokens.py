"""Signed, single-use, expiring links for choosing a password (invitations, resets).

A token names the user and a fingerprint of the user's password state. Choosing a password
changes the fingerprint, so a link works once; the signature's age makes it expire
(``INVITATION_MAX_AGE``, ``RESET_MAX_AGE`` seconds on the portal's clock).
"""

import hashlib
from dataclasses import dataclass
from enum import Enum

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired

from portal.infra.db import db
from portal.infra.signing import serializer
from portal.models import User

PURPOSES = {
    "invitation": ("portal.invitation", "INVITATION_MAX_AGE"),
    "reset": ("portal.password-reset", "RESET_MAX_AGE"),
}


class TokenProblem(Enum):
    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"


@dataclass
class TokenCheck:
    user: User | None  # known whenever the signature is ours, also when expired or used
    problem: TokenProblem | None


def _fingerprint(user: User) -> str:
    state = f"{user.id}|{user.email}|{user.password_hash or ''}|{int(bool(user.active))}"
    return hashlib.sha256(state.encode()).hexdigest()[:24]


def make(user: User, purpose: str) -> str:
    salt, _max_age = PURPOSES[purpose]
    return serializer(salt).dumps({"u": user.id, "f": _fingerprint(user)})


def check(token: str, purpose: str) -> TokenCheck:
    salt, max_age_key = PURPOSES[purpose]
    signer = serializer(salt)
    expired = False
    try:
        data = signer.loads(token, max_age=current_app.config[max_age_key])
    except SignatureExpired as error:  # the signature is ours: the payload can be trusted
        expired, data = True, signer.load_payload(error.payload)
    except BadSignature:
        return TokenCheck(None, TokenProblem.INVALID)
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return TokenCheck(None, TokenProblem.INVALID)
    user = db.get(User, data["u"])
    if user is None or not user.active:
        return TokenCheck(None, TokenProblem.INVALID)
    if data.get("f") != _fingerprint(user):
        return TokenCheck(user, TokenProblem.USED)
    if expired:
        return TokenCheck(user, TokenProblem.EXPIRED)
    return TokenCheck(user, None)
