"""Time-zone names in the page's language (CLDR), for the meeting settings (rule W9, L4)."""

import zoneinfo
from functools import cache

from babel.dates import get_timezone_location, get_timezone_name

from portal.i18n.collation import sorted_for

_SKIP = ("Etc/", "posix/", "right/", "SystemV/", "US/", "Canada/", "Mexico/", "Brazil/", "Chile/")


@cache
def zone_ids() -> tuple[str, ...]:
    return tuple(sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(_SKIP)))


def label(zone: str, lang: str) -> str:
    city = get_timezone_location(zone, locale=lang, return_city=True)
    return f"{city} · {get_timezone_name(zone, locale=lang)}"


@cache
def choices(lang: str) -> tuple[tuple[str, str], ...]:
    """(zone id, "City · Zone name") for every zone, sorted in ``lang``'s alphabetical order."""
    return tuple(sorted_for(lang, ((zone, label(zone, lang)) for zone in zone_ids()), key=lambda c: c[1]))
