"""The one input policy for free text: what every text field stores, and what it refuses.

Text is normalized to NFC, so "č" typed as c + combining caron and "č" are one letter, and every
letter of the five languages (Latin with diacritics, Cyrillic) is kept as typed. Then:

- removed, because they are invisible and harmless: zero-width space, word joiner, byte-order
  mark and soft hyphen (they arrive with copy and paste); no-break and other spaces become a
  plain space; surrounding spaces are trimmed;
- refused, with a message that says why: C0 and C1 control characters (NUL included), bidi
  overrides, embeddings, isolates and marks (they can make "exe.txt" read as "txt.exe"),
  joiners, fillers, variation selectors and the other default-ignorable characters, private-use,
  unassigned and surrogate code points, and line breaks where the field takes one line;
- multi-line fields keep line feeds (CR LF and CR become LF) and trim each line's end.

The rules are plain functions (``clean`` returns the text or raises ``TextRefused`` with a
reason code); portal.i18n.fields turns them into form fields with translated messages.
"""

import re
import unicodedata
from urllib.parse import urlsplit

import icu

REMOVED = frozenset("\u200b\u2060\ufeff\u00ad")
LINE_BREAKS = frozenset("\n\r\u0085\u2028\u2029\x0b\x0c")
_SPACE_RUNS = re.compile(r"[^\S\n]+")  # runs of whitespace other than a line feed
_HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


class TextRefused(ValueError):
    """Why a text is refused: "line_break", "control", "invisible" or "url"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _refusal(char: str, multiline: bool) -> str | None:
    if char in LINE_BREAKS:
        return None if multiline else "line_break"
    if char == "\t":
        return None  # becomes a space
    category = unicodedata.category(char)
    if category == "Cc":
        return "control"
    if category in ("Cf", "Co", "Cn", "Cs", "Zl", "Zp"):
        return "invisible"
    # Unicode's default-ignorable characters (fillers, variation selectors, the combining
    # grapheme joiner) render as nothing; none is part of a name in the five languages.
    if icu.Char.hasBinaryProperty(char, icu.UProperty.DEFAULT_IGNORABLE_CODE_POINT):
        return "invisible"
    return None


def clean(value: str | None, *, multiline: bool = False) -> str:
    """The text as stored: NFC, harmless invisibles removed, spaces tidied; refused otherwise."""
    text = unicodedata.normalize("NFC", value or "")
    text = "".join(char for char in text if char not in REMOVED)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    for char in text:
        reason = _refusal(char, multiline)
        if reason:
            raise TextRefused(reason)
    if multiline:
        lines = [_SPACE_RUNS.sub(" ", line).strip() for line in text.split("\n")]
        return "\n".join(lines).strip("\n")
    return _SPACE_RUNS.sub(" ", text).strip()


def searchable(value: str | None, limit: int = 200) -> str:
    """A search box's text: what ``clean`` would refuse is dropped instead (a search stores
    nothing, and a NUL must not reach the database), spaces tidied, at most ``limit`` characters."""
    text = unicodedata.normalize("NFC", value or "")
    text = "".join(
        " " if char in LINE_BREAKS else char for char in text if not _refusal(char, True) and char not in REMOVED
    )
    return _SPACE_RUNS.sub(" ", text).strip()[:limit]


def clean_url(value: str | None) -> str:
    """A web address (rule T4's meetings site URL) as stored: https unless http is given, a host
    of DNS labels, no user name or password; "acme.example" becomes "https://acme.example"."""
    text = clean(value)
    if not text:
        return ""
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        raise TextRefused("url") from None
    if parts.scheme.lower() not in ("http", "https") or parts.username or parts.password or " " in text:
        raise TextRefused("url")
    try:
        ascii_host = host.encode("idna").decode("ascii") if host else ""
    except UnicodeError:
        raise TextRefused("url") from None
    labels = ascii_host.split(".")
    if len(labels) < 2 or len(ascii_host) > 253 or not port_ok:
        raise TextRefused("url")
    if not all(_HOST_LABEL.fullmatch(label) for label in labels) or labels[-1].isdigit():
        raise TextRefused("url")
    return parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()).geturl()
