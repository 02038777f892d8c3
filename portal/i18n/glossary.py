"""translations/glossary.csv as a check: wherever a source string uses an English term, its
translation uses that language's term, in one of the forms the glossary lists (' | ' between
forms). portal/i18n/catalog_checks.py checks the catalogs against it (glossary_misses)."""

import csv
import re
from pathlib import Path

# English phrases in which a term's word has another meaning: "similar name (word order)" is about
# the order of words, not a purchase order; they are taken out of the text before the terms.
OTHER_SENSES = re.compile(r"(?<![\w-])word order(?![\w-])", re.I)


class Glossary:
    def __init__(self, path: Path):
        with Path(path).open(encoding="utf-8") as f:
            rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
        for row in rows:
            for column in row:
                if column not in ("id", "note"):
                    row[column] = [form.strip() for form in (row[column] or "").split("|") if form.strip()]
        self.rows = rows
        # Longest English form first: "provisioning contact" before "provisioning".
        pairs = sorted(((form, row) for row in rows for form in row["en"]), key=lambda pair: -len(pair[0]))
        self.patterns = [(re.compile(rf"(?<![\w-]){re.escape(form)}(?![\w-])", re.I), row) for form, row in pairs]

    def terms_in(self, text: str) -> list[dict]:
        """The rows whose English term the text uses; placeholder names do not count."""
        text = OTHER_SENSES.sub(" ", re.sub(r"%\(\w+\)[sd]", " ", text))
        found = []
        for pattern, row in self.patterns:
            if pattern.search(text):
                found.append(row)
                text = pattern.sub(" ", text)
        return found
