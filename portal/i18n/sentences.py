"""Sentences that end with a placeholder whose value ends with a full stop.

"… partner Northwind Solutions B.V." + "." gives "B.V..", and a Bulgarian date ("5 декември
2026 г.") at the end of a sentence gives "г..". No catalog can avoid it (the translator does not
know the value), so the product does: where a translation puts a full stop right after a
placeholder (or after the closing tags around one) and the value itself ends with a full stop,
the sentence's stop is dropped. A translation's own ellipsis ("%(name)s...") is left alone.

It applies to every translated string, in Python (``gettext``/``lazy_gettext``/``ngettext``/
``pgettext``, through the Babel domain) and in templates (``{% trans %}``), pages and emails alike.
"""

import re

from flask_babel import Domain, get_translations
from jinja2 import pass_context
from markupsafe import Markup

_PLACEHOLDER_THEN_STOP = re.compile(r"%\((\w+)\)s((?:</[A-Za-z][\w-]*>)*)\.(?!\.)")


def _ends_with_stop(value) -> bool:
    return str(value).rstrip().endswith(".")


def without_double_stops(template: str, variables: dict) -> str:
    """The template with the full stop removed after every placeholder whose value ends with one."""
    if "%(" not in template:
        return template

    def drop(match: re.Match) -> str:
        name = match[1]
        if name in variables and _ends_with_stop(variables[name]):
            return match[0][:-1]
        return match[0]

    result = _PLACEHOLDER_THEN_STOP.sub(drop, template)
    return Markup(result) if isinstance(template, Markup) else result


def format_sentence(template: str, variables: dict) -> str:
    return without_double_stops(template, variables) % variables


class SentenceDomain(Domain):
    """Flask-Babel's domain, formatting with ``format_sentence``."""

    def gettext(self, string, **variables):
        s = self.get_translations().ugettext(string)
        return format_sentence(s, variables) if variables else s

    def ngettext(self, singular, plural, num, **variables):
        variables.setdefault("num", num)
        return format_sentence(self.get_translations().ungettext(singular, plural, num), variables)

    def pgettext(self, context, string, **variables):
        s = self.get_translations().upgettext(context, string)
        return format_sentence(s, variables) if variables else s

    def npgettext(self, context, singular, plural, num, **variables):
        variables.setdefault("num", num)
        return format_sentence(self.get_translations().unpgettext(context, singular, plural, num), variables)


# Jinja's newstyle gettext callables (as jinja2.ext installs them), formatting with format_sentence.
def _escaped(context, text: str) -> str:
    return Markup(text) if context.eval_ctx.autoescape else text


@pass_context
def _template_gettext(__context, __string, **variables):
    return format_sentence(_escaped(__context, get_translations().ugettext(__string)), variables)


@pass_context
def _template_ngettext(__context, __singular, __plural, __num, **variables):
    variables.setdefault("num", __num)
    text = get_translations().ungettext(__singular, __plural, __num)
    return format_sentence(_escaped(__context, text), variables)


@pass_context
def _template_pgettext(__context, __msgctxt, __string, **variables):
    text = get_translations().upgettext(__msgctxt, __string)
    return format_sentence(_escaped(__context, text), variables)


@pass_context
def _template_npgettext(__context, __msgctxt, __singular, __plural, __num, **variables):
    variables.setdefault("num", __num)
    text = get_translations().unpgettext(__msgctxt, __singular, __plural, __num)
    return format_sentence(_escaped(__context, text), variables)


def init_app(app, babel) -> None:
    """After ``babel.init_app``: Python and template translations format with format_sentence."""
    babel.domain_instance = SentenceDomain(domain=app.config["BABEL_DOMAIN"])
    app.jinja_env.newstyle_gettext = True
    app.jinja_env.globals.update(
        gettext=_template_gettext,
        ngettext=_template_ngettext,
        pgettext=_template_pgettext,
        npgettext=_template_npgettext,
    )
