"""Alphabetical order per language (rule L4), by ICU's collation of CLDR's rules.

Swedish puts å, ä, ö after z; Slovenian č after c, š after s, ž after z; Bulgarian sorts Cyrillic.
"""

from functools import cache

import icu
from sqlalchemy import event

from portal.config import LANGUAGES


@cache
def _collator(lang: str):
    return icu.Collator.createInstance(icu.Locale(lang))


def sorted_for(lang: str, items, key=lambda item: item):
    collator = _collator(lang)
    return sorted(items, key=lambda item: collator.getSortKey(key(item)))


# --- the same order in the database, so that a list can be sorted and paged there ----------------


def collation_name(lang: str, dialect: str) -> str:
    """The database collation of a language: ICU's on PostgreSQL (built with ICU, as Debian's
    is), and on SQLite the one ``register`` adds to every connection."""
    return f"{lang}-x-icu" if dialect == "postgresql" else f"portal_{lang}"


def order_by(column, lang: str, dialect: str):
    return column.collate(collation_name(lang if lang in LANGUAGES else "en", dialect))


def register(engine) -> None:
    """Give every SQLite connection an ICU collation per portal language (rule L4)."""
    if engine.dialect.name != "sqlite":
        return

    def compare(lang):
        collator = _collator(lang)
        return lambda a, b: collator.compare(a or "", b or "")

    @event.listens_for(engine, "connect")
    def _collations(dbapi_connection, _record):
        for lang in LANGUAGES:
            dbapi_connection.create_collation(f"portal_{lang}", compare(lang))
