"""Links: safe redirects after sign-in and absolute links for emails."""

from urllib.parse import urlsplit

from flask import current_app


def safe_next(target: str | None) -> str | None:
    """Only a local path may be a redirect target (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def external_url(endpoint: str, **values) -> str:
    """An absolute link for an email, on BASE_URL whatever request (or none) triggered it."""
    # Built on BASE_URL directly, not through a nested request context, so that it works the
    # same from a request, the scheduler or the CLI. Every value (the language too) is explicit.
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)
