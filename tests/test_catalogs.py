"""Rule L1: every catalog is complete, current and safe to format (foundation checks)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from portal.cli import EXTRACT_ARGS
from tests.conftest import ROOT

CATALOG_LANGUAGES = ("nl", "sv", "sl", "bg")
DOMAINS = ("messages", "wtforms")  # the portal's strings; WTForms' generic messages
CATALOGS = [(lang, domain) for lang in CATALOG_LANGUAGES for domain in DOMAINS]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")


def catalog(lang, domain="messages"):
    with (ROOT / "translations" / lang / "LC_MESSAGES" / f"{domain}.po").open("rb") as f:
        return read_po(f)


def entries(lang, domain="messages"):
    return [m for m in catalog(lang, domain) if m.id]


def ids(messages):
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in messages if m.id}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from babel.messages.frontend import main; main()",
            *EXTRACT_ARGS,
            "-o",
            str(pot),
            "portal",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in read_po(f) if m.id}


@pytest.mark.parametrize("lang", CATALOG_LANGUAGES)
def test_l1_catalog_has_exactly_the_strings_of_the_source(lang, extracted):
    have = ids(entries(lang))
    assert extracted - have == set(), "strings missing from the catalog: run `make update-catalogs`"
    assert have - extracted == set(), "obsolete strings in the catalog"


@pytest.mark.parametrize("lang", CATALOG_LANGUAGES)
def test_l1_wtforms_catalog_has_exactly_the_messages_of_the_installed_wtforms(lang):
    import wtforms

    with (Path(wtforms.__file__).parent / "locale" / "wtforms.pot").open("rb") as f:
        assert ids(entries(lang, "wtforms")) == ids(read_po(f))


@pytest.mark.parametrize("lang, domain", CATALOGS)
def test_l1_every_entry_is_translated_and_not_fuzzy(lang, domain):
    for m in entries(lang, domain):
        forms = m.string if isinstance(m.string, tuple) else (m.string,)
        assert all(forms), f"{lang}: untranslated {m.id!r}"
        assert not m.fuzzy, f"{lang}: fuzzy {m.id!r}"
    assert not catalog(lang, domain).obsolete


@pytest.mark.parametrize("lang, domain", CATALOGS)
def test_l1_plural_forms_header_is_cldrs(lang, domain):
    nplurals, expression = get_plural(lang)
    header = catalog(lang, domain).plural_forms
    assert header == f"nplurals={nplurals}; plural={expression};"
    if lang == "sl":
        assert nplurals == 4
    for m in entries(lang, domain):
        if m.pluralizable:
            assert len(m.string) == nplurals and all(m.string), f"{lang}: {m.id[0]!r} lacks a plural form"


@pytest.mark.parametrize("lang, domain", CATALOGS)
def test_l1_placeholders_match_the_source_and_format(lang, domain):
    for m in entries(lang, domain):
        sources = m.id if isinstance(m.id, tuple) else (m.id,)
        forms = m.string if isinstance(m.string, tuple) else (m.string,)
        expected = set(PLACEHOLDER.findall(sources[-1])) | set(PLACEHOLDER.findall(sources[0]))
        names = {name for name in expected if name}
        for form in forms:
            assert set(PLACEHOLDER.findall(form)) <= expected, f"{lang}: {form!r} has other placeholders"
            positional = PLACEHOLDER.findall(sources[0]).count("")
            if names:
                form % {name: 1 for name in names}  # raises on a stray %
            elif positional:
                form % (("x",) * positional)
            elif "%" in form and m.python_format:
                form % ()
            assert re.findall(r"</?\w+", form) == re.findall(r"</?\w+", sources[0]), f"{lang}: tags differ in {form!r}"


POFILTER = str(Path(sys.executable).parent / "pofilter")  # translate-toolkit, installed beside pytest
CRITICAL_CHECKS = ("printf", "pythonbraceformat", "variables", "xmltags", "escapes", "newlines", "nplurals")


@pytest.mark.parametrize("lang, domain", CATALOGS)
def test_l1_translate_toolkit_critical_checks_find_nothing(lang, domain, tmp_path):
    """pofilter exits 0 even when checks fail, so the failures are read from its output."""
    report = tmp_path / f"{lang}-{domain}-failures.po"
    command = [
        POFILTER,
        "--progress=none",
        *[arg for check in CRITICAL_CHECKS for arg in ("-t", check)],
        str(ROOT / "translations" / lang / "LC_MESSAGES" / f"{domain}.po"),
        str(report),
    ]
    subprocess.run(command, check=True, capture_output=True, text=True)
    failures = re.findall(r"^# \(pofilter\) (.+)$", report.read_text(encoding="utf-8"), re.M) if report.exists() else []
    assert failures == []


def test_pofilter_reports_a_broken_placeholder(tmp_path):
    """The check above can fail: a renamed placeholder is reported."""
    broken = tmp_path / "broken.po"
    source = (ROOT / "translations" / "sl" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    broken.write_text(
        source.replace('msgstr "Naročilo %(reference)s', 'msgstr "Naročilo %(referenca)s', 1), encoding="utf-8"
    )
    report = tmp_path / "out.po"
    subprocess.run(
        [POFILTER, "--progress=none", "-t", "printf", str(broken), str(report)], check=True, capture_output=True
    )
    assert "Added printf variable: %(referenca)s" in report.read_text(encoding="utf-8")
