"""CSV files that open safely and correctly in the spreadsheet programs of each language.

- Separator: where the language writes decimals with a comma (nl, sv, sl, bg in CLDR), spreadsheet
  programs expect a semicolon between fields, as Excel derives its list separator from the
  decimal symbol; English keeps the comma.
- UTF-8 with a byte-order mark, so that "Čebelarstvo" and "Балкан" are not read as Latin-1.
- Formula injection: a text cell that starts with =, +, -, @, a tab or a carriage return would be
  run as a formula (``=HYPERLINK(...)``); it is written with a leading apostrophe, which the
  programs show as text. Numbers stay numbers.
"""

import csv
import io
from collections.abc import Iterable, Iterator

from babel.numbers import get_decimal_symbol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def separator(language: str) -> str:
    return ";" if get_decimal_symbol(language) == "," else ","


def neutralize(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def lines(header: list[str], rows: Iterable[list], language: str) -> Iterator[str]:
    """The file, a line at a time (to stream), starting with the byte-order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator(language), lineterminator="\r\n")

    def line(cells) -> str:
        writer.writerow([neutralize(cell) for cell in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield BOM + line(header)
    for row in rows:
        yield line(row)
