"""Language in URLs and the choice of language (rules L1, L2).

Every page lives under a language prefix (``/nl/orders``). A prefixed URL is never redirected
to another language; ``/`` picks one by L2: the signed-in user's preference, the ``lang``
cookie, the browser's Accept-Language, English.
"""

from babel import Locale
from flask import current_app, g, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.routing import AnyConverter

LANG_COOKIE = "lang"
COOKIE_MAX_AGE = 60 * 60 * 24 * 365


def languages() -> tuple[str, ...]:
    return current_app.config["LANGUAGES"]


def negotiate(accept_language) -> str:
    """Best supported language for an Accept-Language header, with regional fallbacks.

    ``sv-FI`` counts as Swedish, ``nl-BE`` as Dutch; the q-values decide between languages.
    """
    supported = languages()
    for value, _quality in accept_language:  # werkzeug sorts by quality
        primary = value.replace("_", "-").split("-")[0].lower()
        if primary in supported:
            return primary
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def choose_language() -> str:
    """Rule L2, in order: URL prefix, user preference, cookie, Accept-Language, English."""
    if getattr(g, "lang", None):
        return g.lang
    if not has_request_context():  # the scheduler and the CLI: English unless told otherwise
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.language in languages():
        return current_user.language
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in languages():
        return cookie
    return negotiate(request.accept_languages)


def choose_time_zone() -> str:
    """Rule L4: the signed-in user's time zone, else UTC (what every time is stored in)."""
    if has_request_context() and current_user and current_user.is_authenticated and current_user.time_zone:
        return current_user.time_zone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def page_language() -> str | None:
    """The language of the page being served (its URL prefix), or None outside a page (rule L3)."""
    if has_request_context():
        return getattr(g, "lang", None)
    return None


def current_language() -> str:
    return str(get_locale())


def bcp47(lang: str) -> str:
    return Locale.parse(lang).language


def native_name(lang: str) -> str:
    """A language's name in itself ("Nederlands", "svenska"), as language pickers show it."""
    name = Locale.parse(lang).get_display_name(lang)
    return name[:1].upper() + name[1:]


class LanguageConverter(AnyConverter):
    """``<lang:lang>`` matches only the configured languages; anything else is a 404."""

    def __init__(self, url_map):
        super().__init__(url_map, *url_map.portal_languages)


def register_converter(app) -> None:
    app.url_map.portal_languages = tuple(app.config["LANGUAGES"])
    app.url_map.converters["lang"] = LanguageConverter


def init_app(app) -> None:
    @app.url_value_preprocessor
    def pull_lang(_endpoint, values):
        if values and "lang" in values:
            g.lang = values.pop("lang")

    @app.url_defaults
    def add_lang(endpoint, values):
        if "lang" in values or not app.url_map.is_endpoint_expecting(endpoint, "lang"):
            return
        values["lang"] = getattr(g, "lang", None) or current_language()

    @app.after_request
    def language_headers(response):
        lang = getattr(g, "lang", None)
        if lang:
            response.headers["Content-Language"] = bcp47(lang)
            if request.cookies.get(LANG_COOKIE) != lang:
                response.set_cookie(LANG_COOKIE, lang, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True)
        if request.endpoint == "static":  # the same file for everyone, in every language
            return response
        # Un-prefixed responses depend on how L2 chose; prefixed ones on the session (sign-in).
        response.vary.add("Cookie")
        if not lang:
            response.vary.add("Accept-Language")
        return response

    @app.context_processor
    def language_context():
        return {
            "languages": languages(),
            "current_lang": current_language(),
            "html_lang": bcp47(current_language()),
            "native_name": native_name,
            "url_in": url_in_language,
        }


def url_in_language(lang: str) -> str:
    """The current page in another language: same endpoint, same arguments, same query."""
    from flask import url_for

    if request.endpoint is None or not current_app.url_map.is_endpoint_expecting(request.endpoint, "lang"):
        return url_for("core.home", lang=lang)
    args = dict(request.view_args or {})
    args.update(request.args.to_dict(flat=True))
    args["lang"] = lang
    return url_for(request.endpoint, **args)
