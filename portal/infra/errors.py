"""Error pages in the page's language, with the normal layout and a way back.

Every HTTP error has a page of its own, so Flask's English pages never appear. An unhandled
exception is logged with its traceback and the request id, and answered with the 500 page,
which shows only that id: nothing of the traceback reaches the person.
"""

from urllib.parse import urlsplit

from flask import current_app, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_babel import refresh
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.infra import request_id

PAGES = {
    400: (_l("Bad request"), _l("The request could not be understood.")),
    403: (_l("Access denied"), _l("Your admin role does not allow you to see or change this.")),
    404: (_l("Page not found"), _l("The page you asked for does not exist or has been moved.")),
    405: (_l("Action not allowed"), _l("This page cannot be used in that way.")),
    410: (_l("No longer available"), _l("What you asked for has been removed or is no longer valid.")),
    413: (_l("Too much data"), _l("What you sent is larger than the portal accepts.")),
    429: (_l("Too many requests"), _l("You sent too many requests in a short time. Wait a moment and try again.")),
    500: (
        _l("Something went wrong"),
        _l("The portal could not complete your request. The problem has been recorded; please try again later."),
    ),
}
OTHER = (_l("The request could not be completed"), _l("The portal cannot answer this request."))

# What the 500 page falls back to when even the layout cannot be rendered (the database is down).
BARE_500 = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Error</title></head><body>'
    "<h1>Something went wrong</h1><p>Please try again later. Reference: {reference}</p>"
    '<p><a href="/">Start page</a></p></body></html>'
)


def use_page_language() -> None:
    """The language of the URL's prefix (``/nl/…``), also where no route matched (a 404, a 405)."""
    if getattr(g, "lang", None):
        return
    first = request.path.lstrip("/").split("/", 1)[0]
    if first in current_app.config["LANGUAGES"]:
        g.lang = first
        refresh()  # a locale chosen before the prefix was known is chosen again


def back_url() -> str | None:
    """Where "Go back" leads: the page the person came from, if it is one of ours and another page."""
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != request.host or parts.scheme not in ("http", "https"):
        return None
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    current = request.full_path.rstrip("?")
    return target if target.startswith("/") and not target.startswith("//") and target != current else None


def render_error(status: int, title, message, headers=None, reference: str | None = None):
    """The error page for ``status``, in the page's language (lazy strings are read only now)."""
    use_page_language()
    body = render_template(
        "error.html", status=status, title=str(title), message=str(message), back_url=back_url(), reference=reference
    )
    return body, status, headers or {}


def _kept_headers(error: HTTPException) -> dict:
    """The headers that are part of the answer (Allow on a 405, Retry-After on a 429), not its body's."""
    return {key: value for key, value in error.get_headers() if key.lower() != "content-type"}


def http_error_page(error: HTTPException):
    title, message = PAGES.get(error.code, OTHER)
    return render_error(error.code, title, message, _kept_headers(error))


def server_error_page(_error=None):
    """The 500 page: the request id to quote, nothing else of what went wrong."""
    from portal.infra.db import db

    reference = request_id.current()
    try:
        db.rollback()  # a failed transaction must not keep the page from rendering
        title, message = PAGES[500]
        return render_error(500, title, message, reference=reference)
    except Exception:  # noqa: BLE001 - the last resort: a bare page, still without a traceback
        current_app.logger.exception("The error page itself failed", extra={"request_id": reference})
        return BARE_500.format(reference=reference), 500, {"Content-Type": "text/html; charset=utf-8"}


def log_unhandled(error: Exception) -> None:
    """The traceback, with the request id that the person sees, for an operator to find."""
    reference = request_id.current()
    current_app.logger.error(
        "Unhandled exception on %s %s (request %s)",
        request.method,
        request.path,
        reference,
        exc_info=(type(error), error, error.__traceback__),
        extra={"request_id": reference},
    )


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return render_error(
            400,
            _l("The form has expired"),
            _l("For your security the form could not be sent. Go back, reload the page and try again."),
        )

    for code in PAGES:
        if code != 500:
            app.register_error_handler(code, http_error_page)
    app.register_error_handler(HTTPException, http_error_page)  # any other status, never Flask's page
    app.register_error_handler(500, server_error_page)  # abort(500), or a failing error handler (Flask logs it)

    @app.errorhandler(Exception)
    def unhandled(error: Exception):
        if isinstance(error, HTTPException):  # to the handlers above (Flask finds them first anyway)
            return app.handle_http_exception(error)
        if app.debug:
            raise error  # the developer's debugger shows it; debug mode is never public
        log_unhandled(error)
        return server_error_page()
