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


# The CLDR regions that name the select's groups, by a zone id's first part (rule L4).
REGIONS = {
    "Africa": "002",
    "America": "019",
    "Antarctica": "AQ",
    "Arctic": "AQ",
    "Asia": "142",
    "Atlantic": "150",  # the Azores, Canaries, Faroe Islands, Madeira, Reykjavik …
    "Australia": "009",
    "Europe": "150",
    "Indian": "142",
    "Pacific": "009",
}


@cache
def grouped(lang: str) -> dict[str, list[tuple[str, str]]]:
    """The zones in groups named by their CLDR region ("Europa", "Азия"), groups and zones in
    ``lang``'s alphabetical order: a select with groups (``<optgroup>``) instead of 400 flat entries."""
    from babel import Locale

    names = Locale.parse(lang).territories
    groups: dict[str, list[tuple[str, str]]] = {}
    for zone, text in choices(lang):
        region = REGIONS.get(zone.split("/", 1)[0])
        if region:
            groups.setdefault(names.get(region, region), []).append((zone, text))
    return {name: groups[name] for name in sorted_for(lang, groups)}


@cache
def _zone_table() -> dict[str, str]:
    """Each country's first zone in the IANA table (zone.tab): its main zone, e.g. NL -> Europe/Amsterdam."""
    for folder in zoneinfo.TZPATH:
        path = f"{folder}/zone.tab"
        try:
            with open(path, encoding="utf-8") as table:
                rows = [line.split("\t") for line in table if line.strip() and not line.startswith("#")]
        except OSError:
            continue
        found: dict[str, str] = {}
        for row in rows:
            found.setdefault(row[0], row[2].strip())
        return found
    return {}


def for_country(country: str | None) -> str | None:
    """The zone to suggest for an organization in ``country`` (None when unknown or not listed)."""
    zone = _zone_table().get((country or "").upper())
    return zone if zone in zone_ids() else None


def select_choices(lang: str, first: tuple[str, str] | None = None) -> dict:
    """WTForms choices for a time-zone select: ``first`` (an empty choice, or UTC) outside the
    groups, then the zones grouped by region."""
    return {None: [first], **grouped(lang)} if first else dict(grouped(lang))
