"""A test-only pseudo-locale, generated from the template: accented, bracketed, about 40 %
longer, with placeholders and tags intact. It lives under "eo" (Esperanto: a valid CLDR locale
the product does not ship), in a copy of translations/ made for the test run.

"Provisioning Portal" becomes "⟦Pŕóvíšíóñíñĝ Póŕţáļ ··········⟧": text without the brackets on a
pseudo page was not translated (a hard-coded string); the padding shows where text will not fit.
"""

import math
import re
import shutil
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

CODE = "eo"
OPEN, CLOSE = "⟦", "⟧"
ACCENTS = str.maketrans("aceginorsuyzACEGINORSUYZ", "áçéĝíñóŕšúýžÁÇÉĜÍÑÓŔŠÚÝŽ")
# Placeholders, HTML tags and entities pass through untouched.
KEEP = re.compile(r"%\(\w+\)[sd]|%[sd%]|<[^>]+>|&\w+;|\{\w*\}")


def pseudo(text: str) -> str:
    if not text:
        return text
    pieces, last = [], 0
    for match in KEEP.finditer(text):
        pieces.append(text[last : match.start()].translate(ACCENTS))
        pieces.append(match.group(0))
        last = match.end()
    pieces.append(text[last:].translate(ACCENTS))
    visible = len(KEEP.sub("", text))
    return f"{OPEN}{''.join(pieces)} {'·' * math.ceil(visible * 0.4)}{CLOSE}"


def build(template: Path, domain: str, target: Path) -> None:
    with template.open("rb") as f:
        source = read_po(f)
    catalog = Catalog(locale=CODE, domain=domain)
    for message in source:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            string = tuple(pseudo(message.id[min(i, 1)]) for i in range(catalog.num_plurals))
        else:
            string = pseudo(message.id)
        catalog.add(message.id, string, context=message.context, flags=message.flags)
    target.mkdir(parents=True, exist_ok=True)
    with (target / f"{domain}.po").open("wb") as f:
        write_po(f, catalog)
    with (target / f"{domain}.mo").open("wb") as f:
        write_mo(f, catalog)


def make_translations(root: Path, destination: Path) -> Path:
    """A copy of translations/ with the pseudo-locale added; returns its folder."""
    import wtforms

    shutil.copytree(root / "translations", destination)
    folder = destination / CODE / "LC_MESSAGES"
    build(root / "translations" / "messages.pot", "messages", folder)
    build(Path(wtforms.__file__).parent / "locale" / "wtforms.pot", "wtforms", folder)
    return destination
