"""The duplicate guard's rules (issue 12): how two organization names are compared, how close
they are, and why, as plain functions a test calls without a database.

M1-M4 are untouched: this only adds "possible duplicates" beside them. A name is normalized to
*significant tokens*:

1. Unicode folded (NFKC, casefold); Cyrillic transliterated with Bulgaria's official system
   (х→h, ъ→a, щ→sht, -ия→ia, so "София" is "sofia"), then everything to ASCII with anyascii
   (diacritics dropped: "Åkerlund" is "akerlund", "Čebelica" is "cebelica");
2. dots joined ("d.o.o." → "doo", "B.V." → "bv"), other punctuation a space, runs of single
   letters joined ("s. p." → "sp");
3. legal forms removed from the end (and one from the start: "AB Volvo"), as cleanco knows them
   plus ``portal/data/legal_forms.txt`` for those it lacks (ООД, ЕООД, АД, ...);
4. connectives dropped: & / and / en / och / in / и / und / og / et;
5. "kh" read as "h" and "ph" as "f" (Russian-style and Bulgarian transliterations of х agree).

Two names then match token by token, in any order, each pair within a small edit distance
(optimal string alignment, so a swapped pair of letters is one edit).
"""

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from functools import cache
from pathlib import Path

from anyascii import anyascii
from cleanco.clean import prepare_default_terms
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

LEGAL_FORMS_FILE = Path(__file__).resolve().parents[1] / "data" / "legal_forms.txt"

CONNECTIVES = frozenset({"&", "and", "en", "och", "in", "i", "und", "og", "et", "y", "e"})

# Bulgarian Streamlined System (the official transliteration, 2009); anyascii does the rest.
_BULGARIAN = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i",
        "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
        "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sht",
        "ъ": "a", "ь": "y", "ю": "yu", "я": "ya",
    }
)  # fmt: skip
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_FINAL_IA = re.compile(r"ия\b")
_DOTS = re.compile(r"(?<=\w)\.(?=\w)|(?<=\w)\.\s+(?=\w\.)")
_AMPERSAND = re.compile(r"&")
_NON_WORD = re.compile(r"[^a-z0-9&]+")

# How many edits a token of this length may differ by and still be "the same word".
TYPO_ALLOWANCE = ((8, 2), (4, 1))  # 8+ letters: 2 edits; 4-7 letters: 1; shorter: none
STRONG_SCORE = 90  # a full match at least this close asks for a confirmation before "new"
MAX_SUGGESTIONS = 5


class Reason(Enum):
    """Why a suggestion matched; the pages word each in the page language (never the code)."""

    SAME_EMAIL_DOMAIN = "same_email_domain"
    SAME_NAME = "same_name"  # identical once case, accents and punctuation are set aside
    TYPO = "typo"
    LEGAL_FORM = "legal_form"
    TRANSLITERATION = "transliteration"
    WORD_ORDER = "word_order"
    NAME_CONTAINED = "name_contained"  # every word of the shorter name is in the other
    SAME_COUNTRY = "same_country"


@dataclass(frozen=True)
class Name:
    """A name as the guard compares it."""

    original: str
    tokens: tuple[str, ...]  # significant tokens, in the order written
    legal_forms: tuple[str, ...]  # removed, normalized: ("doo",), ("bv",), ("eood",)
    cyrillic: bool

    @property
    def key(self) -> str:
        """Word order set aside: what "the same name" means."""
        return " ".join(sorted(self.tokens))


@cache
def _legal_forms() -> frozenset[tuple[str, ...]]:
    forms = {tuple(term) for _, term in prepare_default_terms()}
    for line in LEGAL_FORMS_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            forms.add(tuple(_words(_ascii(line)[0])))
    forms.discard(())
    return frozenset(forms)


@cache
def _longest_form() -> int:
    return max(len(form) for form in _legal_forms())


def _ascii(text: str) -> tuple[str, bool]:
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    cyrillic = bool(_CYRILLIC.search(folded))
    if cyrillic:
        folded = _FINAL_IA.sub("ia", folded).translate(_BULGARIAN)
    if not folded.isascii():
        folded = anyascii(folded).casefold()
    return folded, cyrillic


def _words(plain: str) -> list[str]:
    """Words of an already folded, ASCII text."""
    plain = _DOTS.sub("", plain)
    plain = plain.replace("'", "").replace("\u2019", "")
    # transliteration variants folded: х is "kh" in the Russian-style system and "h" in Bulgaria's;
    # "ph" and "f" are one sound ("Pharm", "Farm")
    plain = plain.replace("kh", "h").replace("ph", "f")
    words = _NON_WORD.sub(" ", _AMPERSAND.sub(" & ", plain)).split()
    joined: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:  # join runs of single letters: "s p" -> "sp", "b v" -> "bv"
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        if len(run) >= 2:
            joined.append("".join(run))
        else:
            joined.extend(run)
        run = []
        if word:
            joined.append(word)
    return joined


def normalize(name: str) -> Name:
    plain, cyrillic = _ascii(name)
    words = _words(plain)
    forms, longest = _legal_forms(), _longest_form()
    removed: list[str] = []
    stripped = True
    while stripped and len(words) > 1:  # legal forms at the end, longest first
        stripped = False
        for size in range(min(longest, len(words) - 1), 0, -1):
            tail = tuple(words[-size:])
            if tail in forms:
                removed.insert(0, "".join(tail))
                words = words[:-size]
                stripped = True
                break
        while len(words) > 1 and words[-1] in CONNECTIVES:  # "Foo & Co" leaves "&"
            words = words[:-1]
    if len(words) > 1 and (words[0],) in forms and words[1] not in CONNECTIVES:  # "AB Volvo"
        removed.insert(0, words[0])
        words = words[1:]
    tokens = tuple(w for w in words if w not in CONNECTIVES) or tuple(words)
    return Name(name, tokens, tuple(removed), cyrillic)


# --- comparing ------------------------------------------------------------------------------


def typo_allowance(length: int) -> int:
    for at_least, edits in TYPO_ALLOWANCE:
        if length >= at_least:
            return edits
    return 0


def _close(a: str, b: str) -> int | None:
    """Edits between two tokens if they count as the same word, else None."""
    if a == b:
        return 0
    edits = OSA.distance(a, b, score_cutoff=2)
    return edits if edits <= typo_allowance(min(len(a), len(b))) else None


def _align(short: tuple[str, ...], long: tuple[str, ...]) -> tuple[int, int, bool] | None:
    """Match every token of ``short`` to a distinct token of ``long`` (best first).
    Returns (matched, edits, in_order) or None when some token of ``short`` has no partner."""
    used: set[int] = set()
    edits = 0
    positions = []
    for token in short:
        best = None
        for index, other in enumerate(long):
            if index in used:
                continue
            found = _close(token, other)
            if found is not None and (best is None or found < best[1]):
                best = (index, found)
                if found == 0:
                    break
        if best is None:
            return None
        used.add(best[0])
        positions.append(best[0])
        edits += best[1]
    return len(short), edits, positions == sorted(positions)


@dataclass(frozen=True)
class Similarity:
    """How close a candidate's name is to the name typed."""

    score: int  # 0-100, name only
    full: bool  # every word on both sides matched (else the shorter name is contained)
    reasons: tuple[Reason, ...]


def compare(typed: Name, existing: Name) -> Similarity | None:
    """None when the names are not close enough to suggest."""
    a, b = typed.tokens, existing.tokens
    if not a or not b:
        return None
    joined_a, joined_b = "".join(sorted(a)), "".join(sorted(b))
    spaced = "".join(a), "".join(b)
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    aligned = _align(short, long)
    full = aligned is not None and len(short) == len(long)
    if (aligned is None or not full) and len(a) != len(b):
        # spacing differs ("North Wind", "Northwind"): the joined names as one word, one typo at most
        edits = OSA.distance(*spaced, score_cutoff=2)
        if edits <= min(1, typo_allowance(min(map(len, spaced)))):
            aligned, full = (1, edits, True), True
    if aligned is None:
        return None
    matched, edits, in_order = aligned
    reasons: list[Reason] = []
    if full:
        score = 100 if edits == 0 else round(fuzz.ratio(joined_a, joined_b))
        score = min(score, 99) if edits else score
    else:
        # contained: the shorter name's words are all there; the longer one says more
        extra = sum(len(t) for t in long) - sum(len(t) for t in short)
        score = round(60 + 25 * sum(len(t) for t in short) / (sum(len(t) for t in short) + extra))
        reasons.append(Reason.NAME_CONTAINED)
    if edits:
        reasons.append(Reason.TYPO)
    if full and not in_order and len(a) > 1:
        reasons.append(Reason.WORD_ORDER)
    if typed.cyrillic != existing.cyrillic:
        reasons.append(Reason.TRANSLITERATION)
    if set(typed.legal_forms) != set(existing.legal_forms):
        reasons.append(Reason.LEGAL_FORM)
    if full and edits == 0 and not reasons:
        reasons.append(Reason.SAME_NAME)
    return Similarity(score, full, tuple(reasons))


@dataclass(frozen=True)
class Verdict:
    """One suggestion's overall weight: the name, the email domain and the country together."""

    score: int
    strong: bool
    reasons: tuple[Reason, ...]


def judge(similarity: Similarity | None, *, same_domain: bool, same_country: bool) -> Verdict | None:
    """Whether a candidate is suggested at all, and whether it is strong.

    A full name match is suggested; a contained one ("Acme" in "ACME Holding") only with users
    on the admin email's domain, or when at least two words are shared, since one common word
    alone ("Nordic") says little. Strong: a full match at STRONG_SCORE or more, or a name match
    backed by the email domain.
    """
    if similarity is None:
        return None
    if not similarity.full and not same_domain and similarity.score < 75:
        return None
    reasons = list(similarity.reasons)
    score = similarity.score
    if same_domain:
        reasons.insert(0, Reason.SAME_EMAIL_DOMAIN)
        score = min(100, score + 10)
    if same_country:
        reasons.append(Reason.SAME_COUNTRY)
        score = min(100, score + 2)
    strong = (similarity.full and similarity.score >= STRONG_SCORE) or same_domain
    return Verdict(score, strong, tuple(reasons))


# --- blocking keys --------------------------------------------------------------------------

KEY_LENGTH = 4
PAIR_LENGTH = 3
PAIRED_TOKENS = 4


def blocking_keys(name: Name) -> set[str]:
    """The index rows an organization gets (and a lookup asks for): each word's first and last
    four letters, its first letter with its last three and its first three with its last one,
    the first three letters of every two words together (selective where one word is common),
    and the name as one word's start. One typo keeps at least one of them."""
    tokens = [t for t in name.tokens if len(t) >= 2] or list(name.tokens)
    keys = set()
    for token in tokens:
        keys.add("p" + token[:KEY_LENGTH])
        if len(token) > KEY_LENGTH:
            keys.add("s" + token[-KEY_LENGTH:])
            # a short word's edit in the middle breaks both: its ends together survive it
            keys.add("x" + token[0] + token[-3:])
            keys.add("y" + token[:3] + token[-1])
    heads = sorted({t[:PAIR_LENGTH] for t in tokens[:PAIRED_TOKENS]})
    for i, first in enumerate(heads):
        for second in heads[i + 1 :]:
            keys.add(f"q{first}+{second}")
    joined = "".join(name.tokens)
    if joined:
        keys.add("j" + joined[: KEY_LENGTH + 2])
    return keys
