"""Security headers on every response: a strict CSP, no framing, no sniffing, little referrer.

The CSP allows no inline script or style at all: the templates keep scripts and styles in
portal/static, and htmx is told not to inject its indicator style (base.html's htmx-config).
A page whose URL holds a token (a set-up or password link) sends no referrer at all, so that
the token never leaves in a Referer header.
"""

from flask import current_app, request

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
# The route arguments that are a credential: a URL with one of them is a secret.
SECRET_ARGUMENTS = frozenset({"token"})


def url_holds_secret() -> bool:
    rule = request.url_rule
    return rule is not None and bool(rule.arguments & SECRET_ARGUMENTS)


def served_over_https() -> bool:
    return request.is_secure or current_app.config["BASE_URL"].startswith("https://")


def add_security_headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)  # a view may set its own (the demo mailbox's frame)
    if url_holds_secret():
        response.headers["Referrer-Policy"] = "no-referrer"
    if served_over_https():
        response.headers["Strict-Transport-Security"] = HSTS
    return response


def init_app(app) -> None:
    app.after_request(add_security_headers)
