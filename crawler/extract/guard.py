"""Make any input safe to hand to lexbor, or refuse it with a clear ExtractError.

Binary content and empty pages are refused outright; deep nesting and attribute floods are
defused (crawler.markup) before lexbor parses the page.
"""

from __future__ import annotations

__all__ = ["guard_input"]

from crawler.base.errors import ExtractError
from crawler.fetch.encoding import decode_bytes
from crawler.markup import defuse

_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20)])


def _control_count(text: str) -> int:
    """Control characters (but tab, newline, form feed, carriage return) and U+FFFD in ``text``.

    Counted on the UTF-8 bytes, where every control character is one byte below 0x80 and no
    other character has such a byte: a C loop instead of a regex over every character.
    """
    data = text.encode("utf-8", "surrogatepass")
    return len(data) - len(data.translate(None, _CONTROL_BYTES)) + text.count("\ufffd")


def guard_input(html: object, url: str) -> str:
    """The page as text that is safe to parse, or ExtractError when it cannot be an article."""
    if isinstance(html, bytes | bytearray):
        html = decode_bytes(bytes(html)).text
    if not isinstance(html, str):
        raise ExtractError(
            f"no article found: expected HTML text, got {type(html).__name__}", url=url
        )
    if not html or html.isspace():
        raise ExtractError("no article found: the page is empty", url=url)
    sample = html[:20000]
    controls = _control_count(sample)
    if controls > max(8, len(sample) // 50):
        raise ExtractError("no article found: the content is binary, not HTML", url=url)
    if "\x00" in html:
        html = html.replace("\x00", "")
    return defuse(html)
