"""A test-only pseudo-locale, generated from the template: accented, bracketed, about 40 %
longer, with placeholders and tags intact. It lives under "eo" (Esperanto: a valid CLDR locale
the product does not ship), in a copy of translations/ made for the test run.

"Provisioning Portal" becomes "⟦Pŕóvíšíóñíñĝ Póŕtál ·····0tu⟧": text without the brackets on a
pseudo page was not translated (a hard-coded string); the padding shows where text will not fit.

The last three characters before "⟧" are the msgid's identity ("0tu"): a short id made from its
context and msgid, the same in every run while the string stays the same, that the crawl maps back
to the msgid (tests/translator_context.py). It takes the place of padding, so a string grows only
when its padding is shorter than the id (short words, which real translations lengthen most).
"""

import hashlib
import math
import re
import shutil
import string
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

CODE = "eo"
OPEN, CLOSE = "⟦", "⟧"
ACCENTS = str.maketrans("aceginorsuyzACEGINORSUYZ", "áçéĝíñóŕšúýžÁÇÉĜÍÑÓŔŠÚÝŽ")
# Placeholders, HTML tags and entities pass through untouched.
KEEP = re.compile(r"%\(\w+\)[sd]|%[sd%]|<[^>]+>|&\w+;|\{\w*\}")
ID_LENGTH = 3
ALPHABET = string.digits + string.ascii_lowercase
# The identity at the end of every pseudo string: "·" and three characters before the closing bracket.
IDENTITY = re.compile(rf"·([0-9a-z]{{{ID_LENGTH}}}){CLOSE}")


def identities(keys) -> dict:
    """A short id for every (context, msgid): three characters of a hash of it, the same in every
    run; when two keys share one (46,656 ids for some 650 strings), the later one in sorted order
    takes the next free id of its own sequence of hashes, so ids stay put as strings come and go."""
    taken, ids = set(), {}
    for context, msgid in sorted(set(keys), key=lambda k: (k[0] or "", k[1])):
        for salt in range(1000):
            digest = int.from_bytes(hashlib.sha1(f"{salt}\x04{context or ''}\x04{msgid}".encode()).digest()[:8])
            ident = "".join(ALPHABET[digest // len(ALPHABET) ** i % len(ALPHABET)] for i in range(ID_LENGTH))
            if ident not in taken:
                break
        taken.add(ident)
        ids[(context, msgid)] = ident
    return ids


def template_keys(template: Path) -> list:
    with template.open("rb") as f:
        return [(m.context, m.id[0] if isinstance(m.id, tuple) else m.id) for m in read_po(f) if m.id]


def templates(root: Path) -> dict[str, Path]:
    """The templates of the two domains the portal loads."""
    import wtforms

    return {
        "messages": root / "translations" / "messages.pot",
        "wtforms": Path(wtforms.__file__).parent / "locale" / "wtforms.pot",
    }


def all_identities(root: Path) -> dict:
    return identities(key for template in templates(root).values() for key in template_keys(template))


def pseudo(text: str, ident: str = "") -> str:
    if not text:
        return text
    pieces, last = [], 0
    for match in KEEP.finditer(text):
        pieces.append(text[last : match.start()].translate(ACCENTS))
        pieces.append(match.group(0))
        last = match.end()
    pieces.append(text[last:].translate(ACCENTS))
    visible = len(KEEP.sub("", text))
    padding = "·" * max(1, math.ceil(visible * 0.4) - len(ident))
    return f"{OPEN}{''.join(pieces)} {padding}{ident}{CLOSE}"


def build(template: Path, domain: str, target: Path, ids: dict) -> None:
    with template.open("rb") as f:
        source = read_po(f)
    catalog = Catalog(locale=CODE, domain=domain)
    for message in source:
        if not message.id:
            continue
        ident = ids[(message.context, message.id[0] if isinstance(message.id, tuple) else message.id)]
        if isinstance(message.id, tuple):
            string = tuple(pseudo(message.id[min(i, 1)], ident) for i in range(catalog.num_plurals))
        else:
            string = pseudo(message.id, ident)
        catalog.add(message.id, string, context=message.context, flags=message.flags)
    target.mkdir(parents=True, exist_ok=True)
    with (target / f"{domain}.po").open("wb") as f:
        write_po(f, catalog)
    with (target / f"{domain}.mo").open("wb") as f:
        write_mo(f, catalog)


def make_translations(root: Path, destination: Path) -> Path:
    """A copy of translations/ with the pseudo-locale added; returns its folder."""
    shutil.copytree(root / "translations", destination)
    folder = destination / CODE / "LC_MESSAGES"
    ids = all_identities(root)
    for domain, template in templates(root).items():
        build(template, domain, folder, ids)
    return destination
