"""A reference for every request: X-Request-ID in and out, and on every log record.

A sane incoming ``X-Request-ID`` (from a proxy or load balancer) is kept, so that one id
follows a request through every hop; anything else is replaced by a fresh random one. The
500 page shows it, so that the reference a person quotes finds the traceback in the log.
"""

import logging
import re
import secrets

from flask import has_request_context, request

HEADER = "X-Request-ID"
SANE = re.compile(r"[A-Za-z0-9._-]{1,64}")
ENVIRON_KEY = "portal.request_id"  # kept in the WSGI environ: it is the request's, never shared
LOG_FORMAT = "[%(asctime)s] %(levelname)s in %(module)s [request %(request_id)s]: %(message)s"


def current() -> str | None:
    """This request's id, or None outside a request: the incoming one if it is sane, else a
    new one (16 hex digits from ``secrets``)."""
    if not has_request_context():
        return None
    if ENVIRON_KEY not in request.environ:
        incoming = request.headers.get(HEADER, "")
        request.environ[ENVIRON_KEY] = incoming if SANE.fullmatch(incoming) else secrets.token_hex(8)
    return request.environ[ENVIRON_KEY]


class RequestIdFilter(logging.Filter):
    """Sets ``record.request_id`` (``-`` outside a request), for a format with ``%(request_id)s``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current() or "-"
        return True


def _add_filter(target) -> None:
    if not any(isinstance(f, RequestIdFilter) for f in target.filters):
        target.addFilter(RequestIdFilter())


def init_app(app) -> None:
    @app.before_request
    def assign():  # the id is set on first use too; here every request gets one
        current()  # (returns None: a before_request function that returns something ends the request)

    @app.after_request
    def expose(response):
        response.headers[HEADER] = current()
        return response

    _add_filter(app.logger)  # records of the app's logger carry it to every handler
    for handler in app.logger.handlers:  # Flask's default handler, unless logging is configured
        _add_filter(handler)  # also for records of child loggers that propagate here
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
