"""The currency an organization is billed in: its country's currency from CLDR, with the
changes CLDR in the installed Babel does not know yet (rule L4).

Bulgaria adopted the euro on 1 January 2026; Babel 2.18's CLDR still lists the lev for it.
"""

from datetime import date

from babel.numbers import get_currency_name, get_territory_currencies

from portal.infra import clock

# country -> [(from this day, currency)], newest last
ADOPTIONS = {"BG": [(date(2026, 1, 1), "EUR")]}


def billing_currency(country: str, on: date | None = None) -> str | None:
    on = on or clock.today()
    for since, code in reversed(ADOPTIONS.get(country, [])):
        if on >= since:
            return code
    currencies = get_territory_currencies(country, on)
    return currencies[0] if currencies else None


def currency_label(code: str | None, lang: str) -> str:
    """ "евро (EUR)": the currency's CLDR name in the page's language and its ISO code."""
    if not code:
        return "—"
    return f"{get_currency_name(code, locale=lang)} ({code})"
