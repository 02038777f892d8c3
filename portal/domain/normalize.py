"""Normalization used to store and compare names and email addresses (rules W4, M1, M2).

Both are compared case-insensitively after Unicode normalization (NFKC, then casefold), so
"ACME", "acme" and "Ａｃｍｅ" are one name, and Cyrillic names compare the same way.
"""

import re
import unicodedata

PREFIX_LENGTH = 5  # rule M2: the first five characters of the company name
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", _SPACES.sub(" ", text or "").strip()).casefold()


def name_key(name: str) -> str:
    return fold(name)


def name_prefix(name: str) -> str:
    return fold(name)[:PREFIX_LENGTH]


def email_key(email: str) -> str:
    return fold(email)


def email_domain(email: str) -> str:
    return email_key(email).rpartition("@")[2]
