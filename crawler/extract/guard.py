"""Make any input safe to hand to lexbor, or refuse it with a clear ExtractError.

Binary content and empty pages are refused outright; deep nesting and attribute floods are
defused (crawler.markup) before lexbor parses the page.
"""

from __future__ import annotations

__all__ = ["guard_input"]

import re

from crawler.encoding import decode_bytes
from crawler.errors import ExtractError
from crawler.markup import defuse

_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")


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
    return defuse(html)
