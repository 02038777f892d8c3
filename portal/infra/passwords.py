"""Password hashing with Werkzeug's scrypt; tests use a cheap method so that demo data loads fast.

``PASSWORD_HASH_METHOD`` names the method (Werkzeug's syntax); under ``TESTING`` it defaults to
a few PBKDF2 rounds. Checking works for every method a stored hash names, so hashes made with
the cheap method never pass for real ones and real ones still verify.
"""

from flask import current_app, has_app_context
from werkzeug.security import check_password_hash, generate_password_hash

DEFAULT_METHOD = "scrypt"
TESTING_METHOD = "pbkdf2:sha256:1000"


def init_app(app) -> None:
    app.config.setdefault("PASSWORD_HASH_METHOD", TESTING_METHOD if app.config.get("TESTING") else DEFAULT_METHOD)


def hash_password(password: str) -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", DEFAULT_METHOD) if has_app_context() else DEFAULT_METHOD
    return generate_password_hash(password, method=method)


def check_password(stored_hash: str, password: str) -> bool:
    return check_password_hash(stored_hash, password)


def dummy_hash() -> str:
    """A hash to check an unknown address's password against, so that it takes as long; one per
    application, made with its method."""
    if "portal.dummy_hash" not in current_app.extensions:
        current_app.extensions["portal.dummy_hash"] = hash_password("not-a-password-of-anyone")
    return current_app.extensions["portal.dummy_hash"]
