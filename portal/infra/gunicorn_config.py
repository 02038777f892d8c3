"""gunicorn's configuration for a production portal (`make serve`, docs/DEPLOYING.md):

    gunicorn --config python:portal.infra.gunicorn_config 'portal:create_app()'

``BIND`` (127.0.0.1:8000) and ``WEB_CONCURRENCY`` (2 worker processes) come from the
environment; gunicorn's own ``GUNICORN_CMD_ARGS`` and ``FORWARDED_ALLOW_IPS`` work as usual.
Every log line, gunicorn's and the portal's, is one JSON object on stderr
(portal/infra/logging_setup.py); an access line carries the request's ``X-Request-ID``.
The ``Server`` header says ``portal``, as the demo server's does, naming no software or version.
"""

import os

import gunicorn
import gunicorn.http.wsgi
from gunicorn.glogging import Logger

bind = [os.environ.get("BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Each worker builds its own app (and database engine): no connection is shared across a fork,
# and a configuration error (no SECRET_KEY, no DATABASE_URL) stops the worker, then gunicorn.
preload_app = False
accesslog = "-"
# gunicorn's control socket (gunicornc) sits at one path per user: two instances on one host would
# fight over it, and the portal has no use for it.
control_socket_disable = True

# gunicorn writes ``Server: gunicorn`` from a module global read for every response.
gunicorn.SERVER = gunicorn.SERVER_SOFTWARE = "portal"
gunicorn.http.wsgi.SERVER = gunicorn.http.wsgi.SERVER_SOFTWARE = "portal"


class JsonAccessLogger(Logger):
    """gunicorn's logger, whose access lines are structured fields, never a format string."""

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        http = {
            "method": atoms["m"],
            "path": atoms["U"],
            "query": atoms["q"] or "",
            "status": int(atoms["s"]) if str(atoms["s"]).isdigit() else atoms["s"],
            "bytes": atoms["B"],
            "duration_ms": round(request_time.total_seconds() * 1000, 3),
            "remote_addr": atoms["h"],
            "user_agent": atoms["a"],
        }
        extra = {"http": http, "request_id": atoms.get("{x-request-id}o", "-")}
        self.access_log.info("%s %s %s", http["method"], http["path"], http["status"], extra=extra)


logger_class = JsonAccessLogger
logconfig_dict = {
    "root": {"level": "INFO", "handlers": ["json"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": True},
    },
    "handlers": {"json": {"()": "portal.infra.logging_setup.JsonHandler"}},
    "formatters": {},
}
