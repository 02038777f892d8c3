"""The catalog checks (rule L1), in one plain module: `flask translate check` prints them for
translators, and tests/test_catalogs.py and tests/test_glossary.py assert that they find nothing,
so the command and the test suite can never disagree.

Every check returns a list of `Problem`s that say, in words, what is wrong and how to fix it.
"""

import gettext
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from portal.i18n.glossary import Glossary

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
DOMAINS = ("messages", "wtforms")  # the portal's strings; WTForms' generic messages

# How strings are found in the source: babel.cfg's files and the lazy keywords the code uses
# (`flask translate extract` and the checks extract with the same arguments).
EXTRACT_ARGS = (
    "extract",
    "-F",
    "babel.cfg",
    "-k",
    "_l",
    "-k",
    "lazy_gettext",
    "-k",
    "lazy_ngettext:1,2",
    "-k",
    "lazy_pgettext:1c,2",
    "--add-comments=i18n:",
    "--sort-by-file",
    "--no-wrap",
)

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")
TAG = re.compile(r"</?\w+")
VOID_TAGS = {"br", "hr", "img", "input", "wbr"}
# translate-toolkit's checks that are always errors (the others are matters of style).
CRITICAL_CHECKS = ("printf", "pythonbraceformat", "variables", "xmltags", "escapes", "newlines", "nplurals")
UPDATE = "run `flask translate update` (`make update-catalogs`): it merges the source into every catalog"


@dataclass(frozen=True)
class Problem:
    kind: str  # a short name a translator recognizes: "placeholder", "plural form", "fuzzy", …
    what: str  # what is wrong, in words
    fix: str  # how to fix it
    msgid: str = ""
    context: str | None = None
    locations: tuple[str, ...] = field(default=())
    domain: str = "messages"  # which of the language's files: messages.po or wtforms.po

    def __str__(self) -> str:
        return f"{self.kind}: {self.what} [{shorten(self.msgid)}]" if self.msgid else f"{self.kind}: {self.what}"


def shorten(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def catalog_path(folder: Path, lang: str, domain: str = "messages") -> Path:
    return Path(folder) / lang / "LC_MESSAGES" / f"{domain}.po"


def load(path: Path) -> Catalog:
    with Path(path).open("rb") as f:
        return read_po(f)


def entries(catalog) -> list[Message]:
    return [m for m in catalog if m.id]


def singular(message: Message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def forms(message: Message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def key(message: Message) -> tuple[str | None, str]:
    return (message.context, singular(message))


def about(message: Message, kind: str, what: str, fix: str) -> Problem:
    """A problem with this entry, named by its msgid, context and locations."""
    locations = tuple(f"{path}:{line}" if line else path for path, line in message.locations)
    return Problem(kind, what, fix, singular(message), message.context, locations)


def where(message: Message, index: int) -> str:
    """' (msgstr[1])' for a form of a plural entry."""
    return f" (msgstr[{index}])" if message.pluralizable else ""


def language_name(lang: str) -> str:
    try:
        return Locale.parse(lang).get_display_name("en")
    except (UnknownLocaleError, ValueError):  # not a language CLDR knows
        return lang


# --- plural forms -----------------------------------------------------------------------------


@cache
def plural_forms(lang: str) -> tuple[tuple[int, tuple[str, ...], tuple[int, ...]], ...]:
    """For each msgstr[i] of the language: its CLDR plural categories and example numbers,
    e.g. Slovenian (0, ('one',), (1, 101, 201)), (1, ('two',), (2, 102, 202)), …"""
    nplurals, expression = get_plural(lang)
    index_of = gettext.c2py(expression)
    category = Locale.parse(lang).plural_form
    described = []
    for i in range(nplurals):
        numbers = [n for n in (*range(1, 1000), 0) if index_of(n) == i]
        categories = tuple(dict.fromkeys(category(n) for n in numbers))
        described.append((i, categories, tuple(numbers[:3])))
    return tuple(described)


def describe_plural_forms(lang: str) -> str:
    """'msgstr[0] one (1, 101, 201), msgstr[1] two (2, 102, 202), …'"""
    return ", ".join(
        f"msgstr[{i}] {'/'.join(categories)} ({', '.join(map(str, numbers))})"
        for i, categories, numbers in plural_forms(lang)
    )


def only_for_one(lang: str, index: int) -> bool:
    """A form used for the number 1 alone may leave the number out ("één licentie")."""
    return set(plural_forms(lang)[index][2]) == {1}


# --- the checks -------------------------------------------------------------------------------


def completeness(catalog) -> list[Problem]:
    """Untranslated entries (in any plural form), fuzzy entries and obsolete ones."""
    found = []
    for m in entries(catalog):
        empty = [i for i, form in enumerate(forms(m)) if not form]
        if m.fuzzy:
            what = "the entry is marked fuzzy (`#, fuzzy`): the portal shows it in English until it is confirmed"
            fix = "check the translation against the source, correct it, then delete `fuzzy` from its `#,` line"
            found.append(about(m, "fuzzy", what, fix))
        elif empty and len(empty) == len(forms(m)):
            found.append(
                about(m, "untranslated", "the entry has no translation: people read it in English", "translate it")
            )
        # An entry with some of its plural forms empty: plural_count() says which.
    for m in catalog.obsolete.values():
        what = "an obsolete entry (`#~`) is left in the file: the source no longer has this string"
        found.append(about(m, "obsolete", what, f"delete it, or {UPDATE}"))
    return found


def plural_header(catalog, lang: str) -> list[Problem]:
    nplurals, expression = get_plural(lang)
    expected = f"nplurals={nplurals}; plural={expression};"
    if catalog.plural_forms == expected:
        return []
    what = (
        f"the header's Plural-Forms is `{catalog.plural_forms}`; CLDR's rule for {language_name(lang)} is `{expected}`"
    )
    return [Problem("plural rule", what, "replace the header's Plural-Forms line with CLDR's rule")]


def plural_count(catalog, lang: str) -> list[Problem]:
    """Every plural entry has exactly the language's number of forms, each one filled."""
    nplurals = get_plural(lang)[0]
    found = []
    for m in entries(catalog):
        if not m.pluralizable or (len(m.string) == nplurals and all(m.string)):
            continue
        if len(m.string) > nplurals:
            what = f"the entry has {len(m.string)} plural forms, {language_name(lang)} has {nplurals}"
        else:
            missing = [i for i in range(nplurals) if i >= len(m.string) or not m.string[i]]
            what = f"{', '.join(f'msgstr[{i}]' for i in missing)} is missing"
        what += f"; {language_name(lang)} has {nplurals} forms: {describe_plural_forms(lang)}"
        fix = "write one msgstr[i] for each form, each one right for its example numbers"
        found.append(about(m, "plural form", what, fix))
    return found


def placeholders(catalog, lang: str) -> list[Problem]:
    """Placeholders missing, extra or renamed in any form, and translations that cannot be formatted."""
    found = []
    for m in entries(catalog):
        sources = m.id if isinstance(m.id, tuple) else (m.id,)
        names = sorted({name for source in sources for name in PLACEHOLDER.findall(source) if name})
        positional = PLACEHOLDER.findall(sources[0]).count("")
        for i, form in enumerate(forms(m)):
            if not form:
                continue
            have = {name for name in PLACEHOLDER.findall(form) if name}
            extra = sorted(have - set(names))
            # The form for the number 1 alone may leave the number out ("één licentie").
            missing = [] if m.pluralizable and only_for_one(lang, i) else sorted(set(names) - have)
            if extra or missing:
                if len(extra) == 1 and len(missing) == 1:
                    what = f"placeholder renamed{where(m, i)}: %({extra[0]})s where the source has %({missing[0]})s"
                else:
                    parts = [f"%({n})s is missing" for n in missing] + [f"%({n})s is not in the source" for n in extra]
                    what = f"placeholders differ{where(m, i)}: {', '.join(parts)}"
                fix = (
                    f"copy the source's placeholders exactly ({', '.join(f'%({n})s' for n in names) or 'none'}): "
                    "the portal replaces them with names and numbers, so they are never translated"
                )
                found.append(about(m, "placeholder", what, fix))
                continue
            try:
                if names:
                    form % {name: 1 for name in names}
                elif positional:
                    form % (("x",) * positional)
                elif "%" in form and m.python_format:
                    form % ()
            except (KeyError, ValueError, TypeError) as error:
                what = f"the translation{where(m, i)} cannot be filled in ({error}): a stray %"
                fix = "write a percent sign as %% and every placeholder as %(name)s"
                found.append(about(m, "placeholder", what, fix))
    return found


def balanced(found_tags: list[str]) -> bool:
    stack = []
    for tag in found_tags:
        name = tag.lstrip("</").lower()
        if name in VOID_TAGS:
            continue
        if not tag.startswith("</"):
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack


def tags(catalog) -> list[Problem]:
    """The source's HTML tags, in the same order, each one closed."""
    found = []
    for m in entries(catalog):
        expected = TAG.findall(singular(m))
        for i, form in enumerate(forms(m)):
            have = TAG.findall(form)
            if form and have != expected:
                what = (
                    f"HTML tags differ{where(m, i)}: the source has {' '.join(t + '>' for t in expected) or 'none'}, "
                    f"the translation {' '.join(t + '>' for t in have) or 'none'}"
                )
                fix = "keep the source's tags, in its order, around the words they belong to; translate only the text"
                found.append(about(m, "HTML", what, fix))
            elif form and not balanced(have):
                what = f"unbalanced HTML tags{where(m, i)}: a tag is closed before it is opened, or never closed"
                found.append(about(m, "HTML", what, "close every tag in the order the source does"))
    return found


def toolkit(path: Path, lang: str) -> list[Problem] | None:
    """translate-toolkit's critical checks (what `pofilter -t printf -t …` runs); None when
    translate-toolkit is not installed."""
    try:
        from translate.filters import checks
        from translate.storage import factory
    except ImportError:
        return None
    checker = checks.StandardChecker(checks.CheckerConfig(targetlanguage=lang), limitfilters=list(CRITICAL_CHECKS))
    found = []
    for unit in factory.getobject(str(path)).units:
        if unit.isheader() or not unit.source or unit.isobsolete():
            continue
        source = unit.source.strings[0] if hasattr(unit.source, "strings") else str(unit.source)
        for check, result in checker.run_filters(unit).items():
            text = result.get("message", "") if isinstance(result, dict) else str(result)
            fix = "keep the source's variables, tags, escapes and line breaks in the translation"
            context, locations = unit.getcontext() or None, tuple(unit.getlocations())
            found.append(Problem("translate-toolkit", f"{check}: {text}", fix, source, context, locations))
    return found


def extract_source(root: Path = ROOT) -> Catalog:
    """The portal's strings as `flask translate extract` finds them, in a temporary template."""
    with tempfile.TemporaryDirectory() as folder:
        pot = Path(folder) / "messages.pot"
        subprocess.run(
            [sys.executable, "-m", "babel.messages.frontend", *EXTRACT_ARGS, "-o", str(pot), "portal"],
            cwd=root,
            check=True,
            capture_output=True,
        )
        return load(pot)


def wtforms_source() -> Catalog:
    import wtforms

    return load(Path(wtforms.__file__).parent / "locale" / "wtforms.pot")


def matches_source(catalog, source, hint: str = UPDATE) -> list[Problem]:
    """New strings in the source that the catalog lacks, and strings the source no longer has."""
    have = {key(m): m for m in entries(catalog)}
    want = {key(m): m for m in entries(source)}
    new = "the source has this string and the catalog does not yet"
    gone = "the catalog has a string that the source no longer uses"
    found = [about(want[k], "not in the catalog", new, hint) for k in want.keys() - have.keys()]
    found += [about(have[k], "no longer in the source", gone, hint) for k in have.keys() - want.keys()]
    return sorted(found, key=lambda p: (p.kind, p.locations, p.msgid))


def glossary_misses(glossary: Glossary, lang: str, messages) -> list[Problem]:
    """Every form of an entry whose source uses a glossary term and whose translation uses none
    of the forms the glossary lists for the language."""
    found = []
    for m in messages:
        if not m.id:
            continue
        for row in glossary.terms_in(singular(m)):
            expected = row.get(lang) or []
            for i, form in enumerate(forms(m)):
                if form and not any(term.lower() in form.lower() for term in expected):
                    what = (
                        f"the source uses the term “{row['id']}”; the translation{where(m, i)} uses none of "
                        f"its {language_name(lang)} forms"
                    )
                    fix = f"use the glossary's “{expected[0]}”" if expected else "add the term to the glossary"
                    if len(expected) > 1:
                        fix += f" or one of its forms: {', '.join(expected[1:])}"
                    found.append(about(m, "glossary", what, fix))
    return found


# --- everything, for one language ---------------------------------------------------------------


@dataclass
class Report:
    lang: str
    problems: list[Problem]
    entries: int
    toolkit_ran: bool


def check_language(lang, folder=TRANSLATIONS, source=None, glossary: Glossary | None = None) -> Report:
    """Every check on both of a language's catalogs. `source` is the extracted template
    (extract_source()); the glossary applies to the portal's own strings."""
    problems, count, ran = [], 0, True
    for domain in DOMAINS:
        path = catalog_path(folder, lang, domain)
        if not path.exists():
            fix = (
                f"run `flask translate init {lang}`"
                if domain == "messages"
                else f"start it from the installed WTForms' template: `pybabel init -D wtforms -i <wtforms>/locale/"
                f"wtforms.pot -d translations -l {lang}`"
            )
            problems.append(Problem("missing catalog", f"{path} does not exist", fix, domain=domain))
            continue
        catalog = load(path)
        count += len(entries(catalog))
        ours = completeness(catalog) + plural_header(catalog, lang) + plural_count(catalog, lang)
        ours += placeholders(catalog, lang) + tags(catalog)
        if domain == "messages" and glossary is not None:
            ours += glossary_misses(glossary, lang, catalog)
        expected = source if domain == "messages" else wtforms_source()
        if expected is not None:
            hint = UPDATE if domain == "messages" else "copy the new messages of the installed WTForms' wtforms.pot"
            ours += matches_source(catalog, expected, hint)
        theirs = toolkit(path, lang)
        ran = ran and theirs is not None
        # translate-toolkit repeats what the portal's own checks said about an entry: say it once.
        said = {(p.context, p.msgid) for p in ours}
        found = ours + [p for p in theirs or [] if (p.context, p.msgid) not in said]
        problems += [replace(p, domain=domain) for p in found]
    return Report(lang, problems, count, ran)
