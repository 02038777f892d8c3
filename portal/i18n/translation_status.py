"""Translation status for signed-in admins: per language, how much is translated, and the
glossary's terms (issue 5, for translators)."""

import csv
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po
from flask import Blueprint, current_app, render_template

from portal.domain.permissions import requires

bp = Blueprint("translation_status", __name__, url_prefix="/<lang:lang>/translations")
DOMAINS = ("messages", "wtforms")


@dataclass
class Progress:
    language: str
    domain: str
    translated: int
    total: int
    fuzzy: int

    @property
    def percent(self) -> int:
        return int(100 * self.translated / self.total) if self.total else 100


def progress(folder: Path, language: str, domain: str) -> Progress | None:
    path = folder / language / "LC_MESSAGES" / f"{domain}.po"
    if not path.exists():
        return None
    with path.open("rb") as f:
        catalog = read_po(f)
    entries = [m for m in catalog if m.id]
    done = [m for m in entries if not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)]
    return Progress(language, domain, len(done), len(entries), sum(1 for m in entries if m.fuzzy))


def glossary(folder: Path) -> list[dict]:
    path = folder / "glossary.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    return [
        {key: value.split("|")[0].strip() if key not in ("id", "note") else value for key, value in row.items()}
        for row in rows
    ]


@bp.route("/")
@requires("view_organization")  # any signed-in admin
def index():
    folder = Path(current_app.config["TRANSLATIONS_DIR"])
    languages = [code for code in current_app.config["LANGUAGES"] if code != current_app.config["BABEL_DEFAULT_LOCALE"]]
    rows = [p for code in languages for domain in DOMAINS if (p := progress(folder, code, domain))]
    return render_template("translation_status.html", rows=rows, languages=languages, terms=glossary(folder))
