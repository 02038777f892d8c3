"""Jinja set-up: trimmed translations, CLDR formatting helpers and label lookups (rule L4).

The features' own helpers (audit event descriptions, data residency) are wired by the app factory."""

import re

from babel import Locale
from babel.dates import get_timezone_location
from babel.lists import format_list
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_percent,
    format_timedelta,
    get_locale,
    get_timezone,
    pgettext,
)
from markupsafe import Markup, escape

from portal.i18n import labels, native_name, timezones
from portal.i18n.currency import billing_currency, currency_label


def country_name(code: str) -> str:
    """The CLDR name of a country in the page's language."""
    return Locale.parse(str(get_locale())).territories.get(code, code)


def relative_time(value) -> str:
    """A date or datetime relative to now, in the page's language ("in 5 days")."""
    from datetime import date, datetime

    from portal.infra import clock

    if isinstance(value, datetime):
        delta = value - clock.now()
    elif isinstance(value, date):
        delta = value - clock.today()
    else:
        return ""
    if abs(delta.days) < 1 and not isinstance(value, datetime) or delta == delta.__class__(0):
        return pgettext("relative day", "today")  # CLDR in Babel has no "today" form
    return format_timedelta(delta, granularity="day", threshold=1.5, add_direction=True)


def datetime_with_zone(value, fmt: str = "medium") -> str:
    """A date and time in the viewer's time zone (rule L4), with that zone named: "20 nov. 2026,
    10:00 (Amsterdam)", "… (UTC)". Times are stored in UTC; the zone is the user's choice."""
    if not value:
        return ""
    zone = get_timezone()
    if str(zone) in ("UTC", "Etc/UTC"):
        name = "UTC"
    else:
        name = get_timezone_location(zone, locale=str(get_locale()), return_city=True)
    return f"{format_datetime(value, fmt)} ({name})"


def email_breaks(value) -> Markup:
    """An email address that a narrow screen may break only after its @ and its dots (``<wbr>``),
    never inside a word: ``jonas.<wbr>zdravje@<wbr>zdravje.<wbr>example``. Only where no such
    opportunity fits does a cell's ``overflow-wrap`` break inside a piece."""
    if not value:
        return Markup("")
    pieces = re.split(r"(?<=[@.])", str(value))
    return Markup("<wbr>").join(escape(piece) for piece in pieces)


def init_app(app) -> None:
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters.update(
        date=lambda value, fmt="medium": format_date(value, fmt) if value else "",
        datetime=datetime_with_zone,
        country=country_name,
        billing_currency=lambda country: currency_label(billing_currency(country), str(get_locale())),
        number=format_decimal,
        percent=format_percent,
        # "Messaging, Meetings and Calling" as the language joins a list (CLDR).
        cldr_list=lambda items: format_list([str(item) for item in items], locale=str(get_locale())),
        service_label=lambda code: labels.SERVICE_LABELS[code],
        # "in 5 days" / "3 days ago", counted from the portal's clock.
        relative=relative_time,
        language_name=native_name,
        email=email_breaks,
        timezone=lambda zone: timezones.label(zone, str(get_locale())) if zone else "",
    )
    app.jinja_env.globals.update(
        OFFER_LABELS=labels.OFFER_LABELS,
        SERVICE_LABELS=labels.SERVICE_LABELS,
        ROLE_LABELS=labels.ROLE_LABELS,
        ORG_KIND_LABELS=labels.ORG_KIND_LABELS,
        ORDER_STATUS_LABELS=labels.ORDER_STATUS_LABELS,
        LINE_STATUS_LABELS=labels.LINE_STATUS_LABELS,
        SUBSCRIPTION_STATUS_LABELS=labels.SUBSCRIPTION_STATUS_LABELS,
        REGION_LABELS=labels.REGION_LABELS,
        TIER_LABELS=labels.TIER_LABELS,
        MATCH_REASON_LABELS=labels.MATCH_REASON_LABELS,
    )
