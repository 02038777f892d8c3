"""Country of operation -> data residency region (rules W5, T2), from portal/data/residency.csv.

Country names come from CLDR in the page's language and are listed in its alphabetical order.
"""

import csv
from functools import cache
from pathlib import Path

from babel import Locale

from portal.i18n.collation import sorted_for

DATA = Path(__file__).resolve().parents[1] / "data" / "residency.csv"
UNSUPPORTED = "-"


@cache
def regions() -> dict[str, str]:
    with DATA.open(encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return {row["country"]: row["region"] for row in rows}


def region_for(country: str) -> str | None:
    """The region for a supported country; None for an unsupported or unknown one."""
    region = regions().get(country)
    return None if region in (None, UNSUPPORTED) else region


def is_unsupported(country: str) -> bool:
    return regions().get(country) == UNSUPPORTED


def country_choices(lang: str) -> list[tuple[str, str]]:
    """(code, name) of every country, named and sorted as ``lang`` does."""
    names = Locale.parse(lang).territories
    return sorted_for(lang, ((code, names.get(code, code)) for code in regions()), key=lambda item: item[1])
