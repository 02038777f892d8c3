"""Terminology: wherever a source string uses a glossary term, the translation uses that
language's term, in one of the inflected forms the glossary lists (translations/glossary.csv).
The check is portal/i18n/catalog_checks.py's, which `flask translate check` prints too."""

import os
from pathlib import Path

import pytest

from portal.i18n import catalog_checks as checks
from tests.conftest import ROOT

# PORTAL_GLOSSARY lets a translator check a draft glossary before it replaces the real one
# (`flask translate check` reads it too).
GLOSSARY = Path(os.environ.get("PORTAL_GLOSSARY", ROOT / "translations" / "glossary.csv"))
CATALOG_LANGUAGES = ("nl", "sv", "sl", "bg")


@pytest.fixture(scope="module")
def glossary():
    return checks.Glossary(GLOSSARY)


def test_glossary_covers_the_key_terms_in_every_language(glossary):
    rows = {row["id"]: row for row in glossary.rows}
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


def test_glossary_finds_terms_longest_first(glossary):
    assert [row["id"] for row in glossary.terms_in("Change the provisioning contact")] == ["provisioning contact"]
    assert {row["id"] for row in glossary.terms_in("Full admin to contact")} == {"full admin"}


@pytest.mark.parametrize("lang", CATALOG_LANGUAGES)
def test_translations_use_the_glossary_terms(lang, glossary):
    catalog = checks.load(checks.catalog_path(ROOT / "translations", lang))
    assert [str(problem) for problem in checks.glossary_misses(glossary, lang, catalog)] == []


def test_a_translation_with_another_word_is_reported(glossary):
    from babel.messages.catalog import Message

    found = checks.glossary_misses(
        glossary,
        "nl",
        [
            Message("Full admin to contact", "Hoofdbeheerder"),
            Message("Orders of %(organization)s", "Bestellingen van %(organization)s"),
        ],
    )
    assert [(p.kind, p.msgid) for p in found] == [("glossary", "Full admin to contact")]
    assert found[0].what == "the source uses the term “full admin”; the translation uses none of its Dutch forms"
    assert found[0].fix == "use the glossary's “volledige beheerder” or one of its forms: volledige beheerders"
