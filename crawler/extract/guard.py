"""Make any input safe to hand to lexbor, or refuse it with a clear ExtractError.

lexbor builds its tree in time quadratic in the nesting depth and in the number of attributes
on one element (minutes for a 1 MB page of either), so such documents are cut or flattened
before parsing; binary content and empty pages are refused outright.
"""

from __future__ import annotations

__all__ = ["guard_input"]

import re

from crawler.encoding import decode_bytes
from crawler.errors import ExtractError

# Deeper nesting than this is never a real article page: the document is cut where it is reached.
_MAX_NESTING = 3000
_MAX_CHARS = 8_000_000
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
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")


def guard_input(html: object, url: str) -> str:
    """The page as text that is safe to parse, or ExtractError when it cannot be an article."""
    if isinstance(html, bytes | bytearray):
        html = decode_bytes(bytes(html)).text
    if not isinstance(html, str):
        raise ExtractError(
            f"no article found: expected HTML text, got {type(html).__name__}", url=url
        )
    if not html.strip():
        raise ExtractError("no article found: the page is empty", url=url)
    sample = html[:20000]
    controls = len(_CONTROL_RE.findall(sample))
    if controls > max(8, len(sample) // 50):
        raise ExtractError("no article found: the content is binary, not HTML", url=url)
    if "\x00" in html:
        html = html.replace("\x00", "")
    if len(html) > _MAX_CHARS:
        html = html[:_MAX_CHARS]
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
