"""Signed, expiring "Set up now" links (rules O2, O4).

A token names the order and the link version; changing the provisioning contact raises the
version, so a link sent to the previous contact stops working. Tokens expire after
``SETUP_LINK_MAX_AGE`` seconds, counted on the portal's clock.
"""

from enum import Enum

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from portal.infra.signing import serializer

SALT = "portal.setup-now"


def _serializer() -> URLSafeTimedSerializer:
    return serializer(SALT)


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
