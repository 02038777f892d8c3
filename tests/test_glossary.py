"""Terminology: wherever a source string uses a glossary term, the translation uses that
language's term, in one of the inflected forms the glossary lists (translations/glossary.csv)."""

import csv
import os
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import ROOT

# PORTAL_GLOSSARY lets a translator check a draft glossary before it replaces the real one.
GLOSSARY = Path(os.environ.get("PORTAL_GLOSSARY", ROOT / "translations" / "glossary.csv"))
CATALOG_LANGUAGES = ("nl", "sv", "sl", "bg")


def glossary() -> list[dict]:
    with GLOSSARY.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    for row in rows:
        for lang in ("en", *CATALOG_LANGUAGES):
            row[lang] = [form.strip() for form in row[lang].split("|") if form.strip()]
    return rows


def english_terms():
    """(pattern, row) for every English form, longest first, so that "provisioning contact"
    is taken before "provisioning" and "full admin" before "admin"."""
    pairs = [(form, row) for row in glossary() for form in row["en"]]
    pairs.sort(key=lambda pair: -len(pair[0]))
    return [(re.compile(rf"(?<![\w-]){re.escape(form)}(?![\w-])", re.I), row) for form, row in pairs]


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def terms_in(text: str):
    """The glossary rows whose English term the text uses; placeholder names do not count."""
    text = PLACEHOLDER.sub(" ", text)
    found = []
    for pattern, row in english_terms():
        if pattern.search(text):
            found.append(row)
            text = pattern.sub(" ", text)
    return found


def test_glossary_covers_the_key_terms_in_every_language():
    rows = {row["id"]: row for row in glossary()}
    for term in (
        "trial",
        "organization",
        "subscription",
        "full admin",
        "provisioning",
        "provisioning contact",
        "set-up wizard",
        "data residency",
        "partner",
        "customer",
        "license",
        "consent",
        "grace period",
    ):
        assert term in rows, term
        for lang in CATALOG_LANGUAGES:
            assert rows[term][lang], f"{term} has no {lang} term"


def test_glossary_finds_terms_longest_first():
    assert [row["id"] for row in terms_in("Change the provisioning contact")] == ["provisioning contact"]
    assert {row["id"] for row in terms_in("Full admin to contact")} == {"full admin"}


def misses(lang: str, messages) -> list[str]:
    rows_of = {}
    found = []
    for message in messages:
        if not message.id:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        rows_of[sources[0]] = rows_of.get(sources[0]) or terms_in(sources[0])
        for row in rows_of[sources[0]]:
            for form in forms:
                if not any(term.lower() in form.lower() for term in row[lang]):
                    found.append(f"{row['id']!r}: {sources[0]!r} -> {form!r}")
    return found


@pytest.mark.parametrize("lang", CATALOG_LANGUAGES)
def test_translations_use_the_glossary_terms(lang):
    with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    assert misses(lang, catalog) == []


def test_a_translation_with_another_word_is_reported():
    from babel.messages.catalog import Message

    found = misses(
        "nl",
        [
            Message("Full admin to contact", "Hoofdbeheerder"),
            Message("Orders of %(organization)s", "Bestellingen van %(organization)s"),
        ],
    )
    assert found == ["'full admin': 'Full admin to contact' -> 'Hoofdbeheerder'"]
