"""Turn fetched bytes into text, whatever the page claims its charset is.

Order of evidence: a charset the operator forces; a byte-order mark; bytes that are valid UTF-8
(a strong signal: Chinese sites often declare gb2312 for pages that are really UTF-8); the HTTP
``Content-Type`` charset; the ``<meta>``/XML declaration; the charset detected on the same site's
earlier pages (:class:`SiteCharsets`); detection by charset-normalizer; and finally GB18030 with
replacement characters. A declared charset is only believed when the bytes decode under it
without error, so a page that says one thing and is another still reads right. GB2312 and GBK
are decoded as their superset GB18030, Big5 as Big5-HKSCS.
"""

from __future__ import annotations

__all__ = ["Decoded", "SiteCharsets", "decode_bytes", "normalize_charset"]

import codecs
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import charset_normalizer

from crawler.base.charsets import normalize_charset

_META_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.IGNORECASE)
_XML_DECL_RE = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_\-.]+)["']""")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# How far into the document a <meta> charset is looked for. Browsers stop at 1024 bytes; real
# Chinese pages put it later than that often enough to look further.
_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class Decoded:
    """Decoded text and how the charset was chosen (``via``: forced, bom, utf-8, header, meta,
    site, detected or fallback)."""

    text: str
    encoding: str
    via: str


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _declared(data: bytes) -> str | None:
    head = data[:_SNIFF_BYTES]
    match = _XML_DECL_RE.match(head) or _META_RE.search(head)
    return match.group(1).decode("ascii", "replace") if match else None


def decode_bytes(
    data: bytes,
    *,
    header_charset: str | None = None,
    forced: str | None = None,
    site_charset: str | None = None,
) -> Decoded:
    """Decode ``data`` (an HTML page, feed or sitemap); never raises on bad bytes.

    ``site_charset``: what detection found on an earlier page of the same site, tried (strictly)
    when the declarations do not fit, before detecting again."""
    if forced and (encoding := normalize_charset(forced)):
        return Decoded(data.decode(encoding, errors="replace"), encoding, "forced")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return Decoded(data.decode(encoding, errors="replace"), encoding, "bom")
    text = _strict(data, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8", "utf-8")
    candidates = [
        ("header", normalize_charset(header_charset)),
        ("meta", normalize_charset(_declared(data))),
        ("site", normalize_charset(site_charset)),
    ]
    tried = {"utf-8"}
    for via, encoding in candidates:
        if encoding and encoding not in tried:
            tried.add(encoding)
            if (text := _strict(data, encoding)) is not None:
                return Decoded(text, encoding, via)
    # Only now, when no declaration fits, is detection worth its cost.
    detected = charset_normalizer.from_bytes(data[:65536]).best()
    if detected is not None and (encoding := normalize_charset(detected.encoding)):
        if encoding not in tried and (text := _strict(data, encoding)) is not None:
            return Decoded(text, encoding, "detected")
        candidates.append(("detected", encoding))
    # Nothing decodes cleanly: real pages carry a few stray bytes. Take the first candidate that
    # needs few replacements, else GB18030, the most common charset of Chinese pages.
    for via, encoding in [*candidates, ("fallback", "gb18030")]:
        if encoding:
            text = data.decode(encoding, errors="replace")
            if text.count("\ufffd") <= max(3, len(text) // 200):
                return Decoded(text, encoding, via)
    return Decoded(data.decode("gb18030", errors="replace"), "gb18030", "fallback")


class SiteCharsets:
    """:func:`decode_bytes` that remembers, per site (the host of the page's URL: one source
    may span many, as a WARC import does), the charset detection found.

    A site whose header and ``<meta>`` name the wrong charset names it on every page, and
    detection costs several milliseconds a page (a fifth of an article's analysis). The
    remembered charset (GB18030 or Big5-HKSCS) is tried only where detection would otherwise run,
    and only taken when the page decodes under it without error; a page that declares its
    charset truly, or is UTF-8, is read as before. Kept for one crawl (one process): a site that
    changes its charset is detected afresh the next time. (A site that lies about a GBK page and
    then about a Big5 one in the same crawl would have the second read as GB18030, which decodes
    most Big5 bytes; Chinese sites keep to one of the two.)"""

    # Only charsets under which decoding without error says something: a single-byte one
    # (cp1251, say, detected on a page of garbage) decodes any bytes at all, and remembering it
    # would turn the site's next lying GBK page into nonsense.
    REMEMBERED = frozenset({"gb18030", "big5hkscs"})

    def __init__(self) -> None:
        self._found: dict[str, str] = {}

    def decode(
        self, url: str, data: bytes, *, header_charset: str | None, forced: str | None
    ) -> Decoded:
        """``data``, fetched from ``url``, decoded."""
        site = urlsplit(url).netloc.lower()
        decoded = decode_bytes(
            data, header_charset=header_charset, forced=forced, site_charset=self._found.get(site)
        )
        if decoded.via == "detected" and decoded.encoding in self.REMEMBERED:
            self._found[site] = decoded.encoding
        return decoded
