"""Production logging: one JSON object per line on stderr, each with the request's id.

A line holds ``timestamp`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, ``request_id``
(``-`` outside a request), ``exception`` (the traceback) when there is one, and the fields a
caller passed in ``extra`` (gunicorn's access log passes ``http``: method, path, status, …).
``create_app`` calls :func:`configure` outside debug and tests (pytest's ``caplog`` keeps its
own handlers); gunicorn's configuration (``portal/infra/gunicorn_config.py``) installs the same
handler for its own loggers, and :func:`configure` then adds nothing twice.
"""

import json
import logging
import sys
from datetime import UTC, datetime

from portal.infra.request_id import RequestIdFilter

# What every LogRecord has: anything else on a record came from ``extra`` and is written out.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or "-",
        }
        entry.update({key: value for key, value in record.__dict__.items() if key not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # json.dumps escapes line breaks: a traceback stays on its record's one line.
        return json.dumps(entry, ensure_ascii=False, default=str)


class JsonHandler(logging.StreamHandler):
    """Writes to the current ``sys.stderr`` (looked up at every record, never kept)."""

    def __init__(self):
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.addFilter(RequestIdFilter())

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):  # StreamHandler.__init__ assigns one
        pass


def configure(level: int = logging.INFO) -> None:
    """The root logger writes JSON lines to stderr (once, however many apps are created)."""
    root = logging.getLogger()
    if not any(isinstance(handler, JsonHandler) for handler in root.handlers):
        root.addHandler(JsonHandler())
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)


def remove() -> None:
    """Back to Python's defaults (the demo's console: Werkzeug's request lines, warnings only)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, JsonHandler)]:
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)


def configure_app(app) -> None:
    """Production logging for ``app``: JSON on stderr, instead of Flask's default handler."""
    from flask.logging import default_handler

    configure()
    app.logger.removeHandler(default_handler)
