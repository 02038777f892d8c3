"""Throttling of sign-in and of emails a stranger can trigger, with the ``limits`` library.

Flask-Limiter's author's ``limits`` package does the counting (moving windows) in a storage
named by ``RATELIMIT_STORAGE_URI``: ``memory://`` for one process, ``redis://host:6379`` or
``memcached://host:11211`` so that several instances share the counts. Each application gets
its own storage, so tests and instances never share counters by accident.
"""

import time
from dataclasses import dataclass

from flask import current_app
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


@dataclass(frozen=True)
class Rule:
    name: str
    limit: str  # e.g. "5 per 15 minutes"


# Failed sign-ins per account and per client address; emails per address asked for and per client.
SIGN_IN_ACCOUNT = Rule("sign-in-account", "5 per 15 minutes")
SIGN_IN_CLIENT = Rule("sign-in-client", "30 per 15 minutes")
EMAIL_ACCOUNT = Rule("email-account", "3 per hour")
EMAIL_CLIENT = Rule("email-client", "20 per hour")


class Refused(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def init_app(app) -> None:
    storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
    app.extensions["portal.throttle"] = MovingWindowRateLimiter(storage)


def _limiter() -> MovingWindowRateLimiter:
    return current_app.extensions["portal.throttle"]


def check(*checks: tuple[Rule, str]) -> None:
    """Raise ``Refused`` if any (rule, key) has no attempts left."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return
    for rule, key in checks:
        item = parse(rule.limit)
        if not _limiter().test(item, rule.name, key):
            reset = _limiter().get_window_stats(item, rule.name, key).reset_time
            raise Refused(max(1, int(reset - time.time())))


def hit(*checks: tuple[Rule, str]) -> None:
    if current_app.config["RATELIMIT_ENABLED"]:
        for rule, key in checks:
            _limiter().hit(parse(rule.limit), rule.name, key)


def clear(rule: Rule, key: str) -> None:
    _limiter().clear(parse(rule.limit), rule.name, key)
