"""Rule L1: every catalog is complete, current and safe to format (foundation checks).

The checks live in portal/i18n/catalog_checks.py, which `flask translate check` prints for
translators: a test here fails exactly when the command reports a problem.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.plurals import get_plural

from portal.i18n import catalog_checks as checks
from tests.conftest import ROOT

CATALOG_LANGUAGES = ("nl", "sv", "sl", "bg")
DOMAINS = checks.DOMAINS
CATALOGS = [(lang, domain) for lang in CATALOG_LANGUAGES for domain in DOMAINS]
TRANSLATIONS = ROOT / "translations"


def catalog(lang, domain="messages"):
    return checks.load(checks.catalog_path(TRANSLATIONS, lang, domain))


def entries(lang, domain="messages"):
    return checks.entries(catalog(lang, domain))


@pytest.fixture(scope="module")
def extracted():
    return checks.extract_source(ROOT)


def said(problems):
    return [str(problem) for problem in problems]


@pytest.mark.parametrize("lang", CATALOG_LANGUAGES)
def test_l1_catalog_has_exactly_the_strings_of_the_source(lang, extracted):
    assert said(checks.matches_source(catalog(lang), extracted)) == []


@pytest.mark.parametrize("lang", CATALOG_LANGUAGES)
def test_l1_wtforms_catalog_has_exactly_the_messages_of_the_installed_wtforms(lang):
    assert said(checks.matches_source(catalog(lang, "wtforms"), checks.wtforms_source())) == []


@pytest.mark.parametrize("lang, domain", CATALOGS)
def test_l1_every_entry_is_translated_and_not_fuzzy(lang, domain):
    assert said(checks.completeness(catalog(lang, domain))) == []


@pytest.mark.parametrize("lang, domain", CATALOGS)
def test_l1_plural_forms_header_is_cldrs(lang, domain):
    found = catalog(lang, domain)
    assert said(checks.plural_header(found, lang) + checks.plural_count(found, lang)) == []
    if lang == "sl":
        assert get_plural(lang)[0] == 4


@pytest.mark.parametrize("lang, domain", CATALOGS)
def test_l1_placeholders_and_tags_match_the_source_and_format(lang, domain):
    found = catalog(lang, domain)
    assert said(checks.placeholders(found, lang) + checks.tags(found)) == []


@pytest.mark.parametrize("lang, domain", CATALOGS)
def test_l1_translate_toolkit_critical_checks_find_nothing(lang, domain):
    found = checks.toolkit(checks.catalog_path(TRANSLATIONS, lang, domain), lang)
    assert found is not None, "translate-toolkit is a test dependency"
    assert said(found) == []


def test_slovenian_plural_forms_are_named_with_cldr_categories_and_numbers():
    assert checks.describe_plural_forms("sl") == (
        "msgstr[0] one (1, 101, 201), msgstr[1] two (2, 102, 202), msgstr[2] few (3, 4, 103), msgstr[3] other (5, 6, 7)"
    )
    assert checks.describe_plural_forms("bg") == "msgstr[0] one (1), msgstr[1] other (2, 3, 4)"


# --- the checks can fail: problems planted in a copy of the catalogs ----------------------------


def plant(tmp_path: Path, lang: str, replacements: list[tuple[str, str]]) -> Path:
    folder = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, folder, ignore=shutil.ignore_patterns("*.mo"))
    po = checks.catalog_path(folder, lang)
    text = po.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    po.write_text(text, encoding="utf-8")
    return folder


SLOVENIAN_PROBLEMS = [
    ('msgstr "Naročilo %(reference)s"', 'msgstr "Naročilo %(referenca)s"'),  # a renamed placeholder
    ('msgstr[3] "%(count)s naročil"\n', ""),  # a missing plural form ("other": 5, 6, 7)
    (  # a fuzzy entry
        'msgid "The subscription was provisioned and billing started."\n',
        '#, fuzzy\nmsgid "The subscription was provisioned and billing started."\n',
    ),
    ("kontaktna oseba za oskrbovanje: %(contact)s", "kontakt: %(contact)s"),  # a glossary term not used
    ('msgstr "ustvarjena je bila nova organizacija"', 'msgstr "ustvarjena je bila <b>nova organizacija"'),
]


def test_each_check_finds_its_planted_problem(tmp_path):
    folder = plant(tmp_path, "sl", SLOVENIAN_PROBLEMS)
    found = checks.load(checks.catalog_path(folder, "sl"))
    assert [(p.kind, p.msgid) for p in checks.placeholders(found, "sl")] == [("placeholder", "Order %(reference)s")]
    assert [(p.kind, p.msgid) for p in checks.plural_count(found, "sl")] == [("plural form", "%(count)s order")]
    assert [(p.kind, p.msgid) for p in checks.completeness(found)] == [
        ("fuzzy", "The subscription was provisioned and billing started.")
    ]
    assert [(p.kind, p.msgid) for p in checks.tags(found)] == [("HTML", "a new organization was created")]
    glossary = checks.Glossary(folder / "glossary.csv")
    assert [(p.kind, p.msgid) for p in checks.glossary_misses(glossary, "sl", found)] == [
        ("glossary", "%(actor)s placed the order; provisioning contact %(contact)s.")
    ]
    toolkit = checks.toolkit(checks.catalog_path(folder, "sl"), "sl")
    assert "printf: Added printf variable: %(referenca)s" in [p.what for p in toolkit]


def test_a_missing_placeholder_and_a_stray_percent_are_reported(tmp_path):
    folder = plant(
        tmp_path,
        "nl",
        [
            ('msgstr "Bestelling %(reference)s"', 'msgstr "Bestelling"'),
            ('msgstr[1] "%(count)s bestellingen"', 'msgstr[1] "%(count)s bestellingen (100%)"'),
        ],
    )
    found = checks.placeholders(checks.load(checks.catalog_path(folder, "nl")), "nl")
    assert [p.msgid for p in found] == ["%(count)s order", "Order %(reference)s"]
    assert found[0].what.startswith("the translation (msgstr[1]) cannot be filled in (")
    assert found[0].what.endswith("): a stray %") and "%%" in found[0].fix
    assert found[1].what == "placeholders differ: %(reference)s is missing"


def test_the_form_for_one_alone_may_leave_the_number_out():
    from babel.messages.catalog import Catalog

    for lang, leave_out_ok in (("nl", True), ("sl", False)):  # Slovenian's "one" is also 101, 201 …
        found = Catalog(locale=lang)
        count = get_plural(lang)[0]
        found.add(("%(num)d licence", "%(num)d licences"), ("één licentie", *["%(num)d x"] * (count - 1)))
        assert (checks.placeholders(found, lang) == []) is leave_out_ok


# --- the command translators run ---------------------------------------------------------------


def translate_check(*args) -> subprocess.CompletedProcess:
    """`flask translate check`, as a translator runs it (its own process, no pytest)."""
    env = {
        "FLASK_APP": "portal",
        "DATABASE_URL": "sqlite://",
        # a fresh checkout has no instance/secret_key yet (`make check-catalogs` creates one)
        "SECRET_KEY": "catalog-check-" + "x" * 32,
        "PYTHONPATH": str(ROOT),
        "PATH": "/usr/bin:/bin",
    }
    command = [sys.executable, "-m", "flask", "translate", "check", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_translate_check_passes_on_the_real_catalogs():
    result = translate_check()
    assert result.returncode == 0, result.stdout + result.stderr
    for lang in CATALOG_LANGUAGES:
        assert f"{lang}: OK, " in result.stdout


def test_translate_check_names_each_planted_problem_in_words_and_exits_1(tmp_path):
    folder = plant(tmp_path, "sl", SLOVENIAN_PROBLEMS)
    result = translate_check("sl", "nl", "--translations", str(folder))
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "Slovenian (sl)" in out
    # Each problem: its msgid, where it is used, what is wrong and how to fix it.
    assert 'placeholder: "Order %(reference)s"' in out
    assert "used in: portal/templates/orders/show.html:2" in out
    assert "placeholder renamed: %(referenca)s where the source has %(reference)s" in out
    assert 'plural form: "%(count)s order"' in out
    assert (
        "msgstr[3] is missing; Slovenian has 4 forms: msgstr[0] one (1, 101, 201), msgstr[1] two (2, 102, 202), "
        "msgstr[2] few (3, 4, 103), msgstr[3] other (5, 6, 7)"
    ) in out
    assert 'fuzzy: "The subscription was provisioned and billing started."' in out
    assert "delete `fuzzy` from its `#,` line" in out
    assert 'glossary: "%(actor)s placed the order; provisioning contact %(contact)s."' in out
    assert "the source uses the term “provisioning contact”; the translation uses none of its Slovenian forms" in out
    assert "fix:     use the glossary's “kontaktna oseba za oskrbovanje”" in out
    assert "HTML tags differ: the source has none, the translation <b>" in out
    assert "sl: 5 to fix in " in out and "(1 fuzzy, 1 plural form, 1 placeholder, 1 HTML, 1 glossary)" in out
    assert "nl: OK, " in out  # the other language is untouched


def test_translate_check_says_when_the_catalog_does_not_match_the_source(tmp_path):
    folder = plant(tmp_path, "sv", [('msgid "Provisioning Portal"', 'msgid "Provisioning Portal (old)"')])
    result = translate_check("sv", "--translations", str(folder))
    assert result.returncode == 1
    assert 'not in the catalog: "Provisioning Portal"' in result.stdout
    assert 'no longer in the source: "Provisioning Portal (old)"' in result.stdout
    assert "run `flask translate update`" in result.stdout


def test_translate_check_says_when_a_language_has_no_catalog():
    result = translate_check("de")
    assert result.returncode == 1
    assert "German (de)" in result.stdout and "run `flask translate init de`" in result.stdout
