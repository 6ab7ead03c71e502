"""Turn fetched bytes into text, whatever the page claims its charset is.

Order of evidence: a charset the operator forces; a byte-order mark; bytes that are valid UTF-8
(a strong signal: Chinese sites often declare gb2312 for pages that are really UTF-8); the HTTP
``Content-Type`` charset; the ``<meta>``/XML declaration; the charset detected on the same site's
earlier pages (:class:`SiteCharsets`); detection by charset-normalizer, overruled by GB18030 or
Big5 when it settles on a single-byte code page for bytes that are mostly valid Chinese (a
GB2312 page without a declaration and with a few stray bytes was read as Cyrillic); and finally
GB18030 with replacement characters. A declared charset is only believed when the bytes decode
under it without error, so a page that says one thing and is another still reads right. GB2312
and GBK are decoded as their superset GB18030, Big5 as Big5-HKSCS.
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
            if encoding in _CJK or (chinese := _mostly_chinese(data)) is None:
                return Decoded(text, encoding, "detected")
            return chinese
        candidates.append(("detected", encoding))
    # Nothing decodes cleanly: real pages carry a few stray bytes. Take the first candidate that
    # needs few replacements, else the Chinese charset the bytes read best in, else GB18030,
    # the most common charset of Chinese pages.
    for via, encoding in candidates:
        if encoding:
            text = data.decode(encoding, errors="replace")
            if text.count("\ufffd") <= _few_replacements(text):
                return Decoded(text, encoding, via)
    chinese = _mostly_chinese(data)
    if chinese is not None:
        return chinese
    return Decoded(data.decode("gb18030", errors="replace"), "gb18030", "fallback")


def _few_replacements(text: str) -> int:
    """How many replacement characters a text may have and still be read as decoded right."""
    return max(3, len(text) // 200)


_CJK = frozenset({"gb18030", "big5hkscs", "utf-8", "utf-16", "utf-8-sig"})
# The most frequent characters of Chinese news text, in both scripts. Bytes decoded under the
# right charset give text where a good share of the ideographs are among them; under the wrong
# one (Big5 read as GBK, or the reverse) the ideographs are a random draw and few are.
_COMMON = frozenset(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下"
    "过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都"
    "两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重"
    "新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想"
    "已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知"
    "较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造"
    "百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清美再采转更单风切打白教"
    "速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温"
    "传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千"
    "周委素技备半办青省列习响约支般史感劳便团往历市克何除消构府称太准精值号率族维划选标写存候亲"
    "這個們來為國說時會過對發經進學從產動還實現與開關點問應將長義種後當體業機兩聯認區導習經濟"
    "員門間頭無總統軍計劃議論計設隨選擇視聽廣東陸參與臺灣華陽"
)
_CJK_RANGE = re.compile(r"[\u4e00-\u9fff]")


def _mostly_chinese(data: bytes) -> Decoded | None:
    """``data`` read as GB18030 or Big5-HKSCS when it is mostly valid in one and reads as
    Chinese, else None.

    Detection, given a Chinese page without a declaration and with a few invalid bytes (a
    truncated character, a byte of another charset pasted in), rules out both Chinese charsets
    for those bytes and settles on a single-byte code page that decodes anything: a GB2312
    page came out Cyrillic (``жїЬт: ЁО2005Фъ``). A crawler of Chinese news should prefer the
    Chinese reading with replacement characters, when replacements are few and its ideographs
    are the common ones.
    """
    best: tuple[float, str, str] | None = None
    for encoding in ("gb18030", "big5hkscs"):
        text = data.decode(encoding, errors="replace")
        if text.count("\ufffd") > max(8, len(text) // 50):  # "mostly valid": 2% or 8 at most
            continue
        ideographs = _CJK_RANGE.findall(text)
        if len(ideographs) < 4:
            continue
        share = sum(ch in _COMMON for ch in ideographs) / len(ideographs)
        if share >= 0.2 and (best is None or share > best[0]):
            best = (share, encoding, text)
    return Decoded(best[2], best[1], "detected") if best else None


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
