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
_LONG_TAG_RE = re.compile(r"<([a-zA-Z][a-zA-Z0-9]{0,15})\s[^<>]{4000,}>")
_VOID_PREFIXES = ("<br", "<img", "<meta", "<input", "<link", "<hr", "<p", "<li", "<td", "<tr")
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")


def defuse(html: str) -> str:
    """``html`` cut at ``_MAX_NESTING`` levels and without attribute floods."""
    if len(html) > MAX_CHARS:
        html = html[:MAX_CHARS]
    if html.count("<") > 2 * _MAX_NESTING and _estimated_depth(html) > _MAX_NESTING // 2:
        html = _cut_at_nesting(html)
    if html.count("=") > _MAX_ATTRIBUTES:
        html = _LONG_TAG_RE.sub(_drop_attribute_flood, html)
    return html


def _drop_attribute_flood(match: re.Match[str]) -> str:
    """A start tag with hundreds of attributes (lexbor is quadratic in them) loses them all."""
    tag = match[0]
    return f"<{match[1]}>" if tag.count("=") > _MAX_ATTRIBUTES // 10 else tag


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
