"""``<int:…>`` in every route is bounded to what the database can hold.

Werkzeug's ``int`` matches any run of digits; an id of 10**24 then reaches the database and
fails there (SQLite raises OverflowError, PostgreSQL a DataError), a 500 for a mistyped URL.
Bounded to the largest BIGINT, such an id simply matches no route: a 404.
"""

from werkzeug.routing import IntegerConverter

MAX_ID = 2**63 - 1


class BoundedInt(IntegerConverter):
    """ASCII digits only (Werkzeug's \\d also matches "١٢" and "１"), at most 19 of them."""

    regex = r"[0-9]{1,19}"

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register(app) -> None:
    """Replaces Werkzeug's ``int``; call before any route is added."""
    app.url_map.converters["int"] = BoundedInt


def parse_id(value: str | None) -> int | None:
    """A query parameter that names a row: its id, or None when it is not one (absent, not a
    whole number, negative, too large)."""
    if value is None or not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if number <= MAX_ID else None


def parse_page(value: str | None) -> int:
    """A list's page number from the query string: 1 unless it is a whole number; the list clamps
    it to its last page."""
    number = parse_id(value)
    return number if number else 1
