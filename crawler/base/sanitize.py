"""Crawled text made safe to store and to print: no control characters, no bidi overrides, and
short fields of a bounded length.

Pages are untrusted. A title holding ESC made the archive's Atom feed unparseable (XML forbids
most C0 characters), terminal escape sequences reached the plain-text mail, and one article with
a 100,000-character title crowded everybody's e-mail down to two stories. So every text field
of an article is cleaned where it is extracted (``crawler.extract.Extracted`` runs these
functions on itself), and the digest renderers clean again what they print, for rows stored
before.

- :func:`clean_text` removes whole ANSI/ECMA-48 escape sequences (CSI ``ESC [ … final``, the
  OSC/DCS/APC/PM/SOS strings up to BEL or ST), then C0 controls except tab
  and newline (``\\r\\n`` and a lone ``\\r`` become ``\\n``), DEL and C1, the bidi embedding,
  override and isolate controls (U+202A–U+202E, U+2066–U+2069) and marks (U+200E, U+200F,
  U+061C), U+FEFF, lone surrogates and the Unicode noncharacters (U+FFFE and U+FFFF are illegal
  in XML). U+2028/U+2029 become ``\\n``. Everything else, CJK, full-width punctuation, emoji
  with their ZWJ and variation selectors, is left as it was; text with nothing to clean is
  returned as the same object.
- :func:`clean_title` is that plus one line (whitespace runs collapsed) and :func:`cap`: for
  titles, outlets, authors and policy-table values.
- :func:`cap` cuts a text longer than its limit at a grapheme-cluster boundary (``regex``'s
  ``\\X``), in Latin, Greek or Cyrillic words at the last space, and marks the cut with "…".
- :func:`clean_url` percent-encodes what :func:`clean_text` would remove (and spaces), so a
  link keeps pointing where it did.
"""

from __future__ import annotations

__all__ = ["ELLIPSIS", "MAX_TITLE_CHARS", "cap", "clean_text", "clean_title", "clean_url"]

import re
from urllib.parse import quote

import regex

MAX_TITLE_CHARS = 300
"""The cap of titles, outlets, authors and policy values, the "…" included."""
ELLIPSIS = "…"

_ASTRAL_NONCHARACTERS = "".join(
    chr(plane * 0x10000 + 0xFFFE) + chr(plane * 0x10000 + 0xFFFF) for plane in range(1, 17)
)
# Single characters that never stay: C0 but tab and newline (CR is turned into a newline
# first), DEL, C1, bidi marks and controls, BOM, lone surrogates, noncharacters.
_REMOVED_BMP = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff"
    "\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
)
_REMOVED = _REMOVED_BMP + _ASTRAL_NONCHARACTERS
# The screen every text goes through: the 32 astral noncharacters as one range (CJK Extension
# B and beyond then take the slow path, which is exact), as a class of them all is 5x slower.
_ANY_RE = re.compile(f"[{_REMOVED_BMP}\u2028\u2029\U0001fffe-\U0010ffff]")
_CHAR_RE = re.compile(f"[{_REMOVED}]")
_NEWLINE_RE = re.compile("\r\n?|[\u2028\u2029]")
# Whole escape sequences, so that their parameters ("[31m", "]0;title") do not stay behind as
# text. Bounded repeats: an unterminated string loses only its introducer, not the rest. The
# 8-bit forms (C1 CSI, OSC, ...) lose only their one character, like any C1: in text misdecoded
# as Latin-1 they are ordinary bytes, and taking the text after them would lose words.
_SEQUENCE_RE = re.compile(
    r"""
      \x1b\[ [0-?]{0,64} [ -/]{0,16} [@-~]                 # CSI: parameters, intermediates, final
    | \x1b[\]PX^_] [^\x07\x1b]{0,1024} (?:\x07|\x1b\\)     # OSC, DCS, SOS, PM, APC: to BEL or ST
    | \x1b [ -/]{0,16} [0-~]?                              # any other escape, or a lone ESC
    """,
    re.VERBOSE,
)
_GRAPHEME_RE = regex.compile(r"\X")
_WORD_CHAR_RE = regex.compile(r"[\p{Latin}\p{Greek}\p{Cyrillic}\p{Nd}]")
_WORD_BACKOFF = 40  # a Latin word longer than this is cut where the limit falls
_URL_BAD_RE = re.compile(f"[{_REMOVED}\t\n ]")


def clean_text(text: str) -> str:
    """``text`` without control characters, escape sequences and bidi controls (see above)."""
    if _ANY_RE.search(text) is None:
        return text
    cleaned = _CHAR_RE.sub("", _SEQUENCE_RE.sub("", _NEWLINE_RE.sub("\n", text)))
    return text if cleaned == text else cleaned


def clean_title(text: str | None, limit: int = MAX_TITLE_CHARS) -> str | None:
    """A one-line field (title, outlet, author): cleaned, whitespace runs collapsed to one
    space, capped at ``limit`` characters; None when nothing is left."""
    if text is None:
        return None
    return cap(" ".join(clean_text(text).split()), limit) or None


def cap(text: str, limit: int = MAX_TITLE_CHARS) -> str:
    """``text`` if it has at most ``limit`` characters, else its start ending in "…", at most
    ``limit`` characters in all, cut between grapheme clusters (an emoji sequence or a letter
    with its accents stays whole) and, inside a Latin, Greek or Cyrillic word, at the last
    space before it."""
    if len(text) <= limit:
        return text
    room = max(0, limit - len(ELLIPSIS))
    # A break between clusters depends only on the characters next to it, so the clusters of
    # a slice a little longer than ``room`` end where those of the whole text do.
    cut = 0
    for match in _GRAPHEME_RE.finditer(text[: room + 64]):
        if match.end() > room:
            break
        cut = match.end()
    if cut == 0:
        cut = room  # one cluster longer than the limit (hundreds of combining marks): no choice
    if _WORD_CHAR_RE.match(text, cut - 1) and _WORD_CHAR_RE.match(text, cut):
        space = text.rfind(" ", max(0, cut - _WORD_BACKOFF), cut)
        if space > 0:
            cut = space
    return text[:cut].rstrip() + ELLIPSIS


def clean_url(url: str | None) -> str | None:
    """``url`` with what :func:`clean_text` removes, and spaces, percent-encoded (tab and
    newline dropped, as browsers do); None stays None."""
    if url is None or _URL_BAD_RE.search(url) is None:
        return url
    url = url.replace("\t", "").replace("\n", "").replace("\r", "")
    return _URL_BAD_RE.sub(lambda m: quote(m[0], safe="", errors="surrogatepass"), url)
