"""Alphabetical order per language (rule L4), by ICU's collation of CLDR's rules.

Swedish puts å, ä, ö after z; Slovenian č after c, š after s, ž after z; Bulgarian sorts Cyrillic.
"""

from functools import cache

import icu


@cache
def _collator(lang: str):
    return icu.Collator.createInstance(icu.Locale(lang))


def sorted_for(lang: str, items, key=lambda item: item):
    collator = _collator(lang)
    return sorted(items, key=lambda item: collator.getSortKey(key(item)))
