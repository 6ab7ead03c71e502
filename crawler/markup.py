"""Defusing hostile markup before a parser sees it.

lexbor (selectolax) and feedparser build their trees in time quadratic in the nesting depth and
in the number of attributes on one element: minutes for a 1 MB page of either. No real page
nests thousands of levels deep or puts thousands of attributes on one tag, so :func:`defuse`
cuts such a document at the depth limit and strips attribute floods; ordinary pages pass
through untouched (a cheap count decides). Extraction and discovery both call it.
"""

from __future__ import annotations

__all__ = ["MAX_CHARS", "defuse"]

import re

# Deeper nesting than this is never a real article page: the document is cut where it is reached.
_MAX_NESTING = 3000
MAX_CHARS = 8_000_000
# Tags that are void or whose end tag is optional: they do not deepen the tree.
_VOID = frozenset(
    """area base br col embed hr img input link meta param source track wbr p li td tr th dt dd
    option tbody thead tfoot colgroup rb rt rp optgroup""".split()  # noqa: SIM905
)
# More attributes than this on one element are never real markup; lexbor slows down
# quadratically with them (seconds at 20,000).
_MAX_ATTRIBUTES = 2000
_FLOOD = _MAX_ATTRIBUTES // 10  # a start tag with more ``=`` than this loses its attributes
_LONG_TAG = 4000  # characters of attributes from which a start tag is looked at
_LONG_TAG_RE = re.compile(rf"<([a-zA-Z][a-zA-Z0-9]{{0,15}})\s[^<>]{{{_LONG_TAG},}}>")
_VOID_PREFIXES = ("<br", "<img", "<meta", "<input", "<link", "<hr", "<p", "<li", "<td", "<tr")
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")


def defuse(html: str) -> str:
    """``html`` cut at ``_MAX_NESTING`` levels and without attribute floods."""
    if len(html) > MAX_CHARS:
        html = html[:MAX_CHARS]
    if html.count("<") > 2 * _MAX_NESTING and _estimated_depth(html) > _MAX_NESTING // 2:
        html = _cut_at_nesting(html)
    if _may_hold_flood(html) and html.count("=") > _MAX_ATTRIBUTES:
        html = _LONG_TAG_RE.sub(_drop_attribute_flood, html)
    return html


def _may_hold_flood(html: str) -> bool:
    """Whether ``html`` may hold a tag that ``_drop_attribute_flood`` strips: one whose name and
    attributes are a run of at least ``_LONG_TAG`` characters without ``<`` or ``>``, between
    its ``<`` and ``>``, holding more than ``_FLOOD`` ``=``. Such a run covers a whole aligned
    stretch of half that length, so only the runs around the stretches without ``<`` and ``>``
    are looked at (each bound found by a ``find`` that stops at the first): a few C calls on
    an ordinary page, where the regex would be run over every tag of it."""
    step = _LONG_TAG // 2
    at = 0
    while at < len(html):
        end = at + step
        if html.find("<", at, end) < 0 and html.find(">", at, end) < 0:
            start = max(html.rfind("<", 0, at), html.rfind(">", 0, at)) + 1
            stops = [i for i in (html.find("<", end), html.find(">", end)) if i >= 0]
            stop = min(stops) if stops else len(html)
            if (
                stop - start >= _LONG_TAG
                and html[start - 1 : start] == "<"  # the run is a start tag's, not text's
                and html[stop : stop + 1] == ">"
                and html.count("=", start, stop) > _FLOOD
            ):
                return True
            end = stop
        at = end
    return False


def _drop_attribute_flood(match: re.Match[str]) -> str:
    """A start tag with hundreds of attributes (lexbor is quadratic in them) loses them all."""
    tag = match[0]
    return f"<{match[1]}>" if tag.count("=") > _FLOOD else tag


def _estimated_depth(html: str) -> int:
    """An upper-bound guess of the nesting depth from tag counts per chunk (C-speed): opening
    tags minus closing tags minus the common void and self-closing ones."""
    depth = deepest = 0
    for at in range(0, len(html), 32768):
        chunk = html[at : at + 32768]
        closes = chunk.count("</")
        opens = chunk.count("<") - closes - chunk.count("<!") - chunk.count("/>")
        opens -= sum(chunk.count(v) for v in _VOID_PREFIXES)
        depth += opens - closes
        deepest = max(deepest, depth)
    return deepest


def _cut_at_nesting(html: str) -> str:
    depth = 0
    for m in _TAG_RE.finditer(html):
        name = m[2].lower()
        if name in _VOID or m[3]:
            continue
        depth += -1 if m[1] else 1
        if depth > _MAX_NESTING:
            return html[: m.start()]
    return html
