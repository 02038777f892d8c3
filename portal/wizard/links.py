"""Signed, expiring "Set up now" links (rules O2, O4).

A token names the order and the link version; changing the provisioning contact raises the
version, so a link sent to the previous contact stops working. Tokens expire after
``SETUP_LINK_MAX_AGE`` seconds, counted on the portal's clock.
"""
from datetime import UTC
from enum import Enum

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from portal import clock

SALT = "portal.setup-now"


class ClockSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(clock.now().replace(tzinfo=UTC).timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT, signer=ClockSigner)


def setup_token(order) -> str:
    return _serializer().dumps({"order": order.id, "version": order.link_version})


class LinkProblem(Enum):
    INVALID = "invalid"
    EXPIRED = "expired"
    REPLACED = "replaced"


def read_setup_token(token: str) -> tuple[int | None, int | None, LinkProblem | None]:
    """(order id, link version, problem); the problem is None for a good link."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["SETUP_LINK_MAX_AGE"])
    except SignatureExpired:
        return None, None, LinkProblem.EXPIRED
    except BadSignature:
        return None, None, LinkProblem.INVALID
    if not isinstance(data, dict) or not isinstance(data.get("order"), int):
        return None, None, LinkProblem.INVALID
    return data["order"], data.get("version"), None
