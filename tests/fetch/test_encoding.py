"""Charset decoding: header, BOM, <meta>, wrong declarations, detection, garbage."""

from __future__ import annotations

import charset_normalizer
import pytest

from crawler.fetch import encoding
from crawler.fetch.encoding import SiteCharsets, decode_bytes, normalize_charset

TEXT = "青岛市党政考察团赴深圳考察学习，学习深圳的先进做法。" * 5


def page(charset: str, body: str = TEXT) -> str:
    return f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}"></head><body><p>{body}</p></body></html>'


def test_gbk_declared_in_header() -> None:
    decoded = decode_bytes(page("gbk").encode("gbk"), header_charset="GBK")
    assert TEXT in decoded.text and decoded.encoding == "gb18030" and decoded.via == "header"


def test_gbk_declared_only_in_meta() -> None:
    decoded = decode_bytes(page("gb2312").encode("gbk"))
    assert TEXT in decoded.text and decoded.via == "meta"


def test_meta_after_the_first_kilobyte() -> None:
    html = "<html><head>" + "<!-- padding -->" * 100 + '<meta charset="gbk"></head><body>' + TEXT
    decoded = decode_bytes(html.encode("gbk"))
    assert TEXT in decoded.text


def test_utf8_page_that_declares_gb2312() -> None:
    decoded = decode_bytes(page("gb2312").encode("utf-8"), header_charset="gb2312")
    assert TEXT in decoded.text and decoded.encoding == "utf-8"


def test_gbk_page_whose_header_says_utf8() -> None:
    decoded = decode_bytes(page("utf-8").encode("gbk"), header_charset="utf-8")
    assert TEXT in decoded.text


def test_big5() -> None:
    traditional = "青島市黨政考察團赴深圳考察學習，學習深圳的先進做法。" * 5
    decoded = decode_bytes(page("big5", traditional).encode("big5"), header_charset="big5")
    assert traditional in decoded.text


def test_gb18030_only_characters() -> None:
    text = "㐀㐁 青岛 𠀀" * 10
    decoded = decode_bytes(page("gb18030", text).encode("gb18030"))
    assert text in decoded.text


def test_bom_wins() -> None:
    decoded = decode_bytes("\ufeff".encode() + page("gbk").encode("utf-8"))
    assert TEXT in decoded.text and decoded.via == "bom"


def test_forced_encoding_wins() -> None:
    decoded = decode_bytes(page("utf-8").encode("gbk"), forced="gbk", header_charset="utf-8")
    assert TEXT in decoded.text and decoded.via == "forced"


def test_a_stray_invalid_byte_does_not_lose_the_page() -> None:
    data = page("gbk").encode("gbk")
    data = data[:200] + b"\xff\xff" + data[200:]
    decoded = decode_bytes(data, header_charset="gbk")
    assert decoded.encoding == "gb18030"
    assert TEXT[:20] in decoded.text


@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02\xff\xfe\xfd" * 1000, bytes(range(256)) * 50])
def test_garbage_never_raises(data: bytes) -> None:
    assert isinstance(decode_bytes(data).text, str)


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("GB2312", "gb18030"),
        ("gbk", "gb18030"),
        ("BIG5", "big5hkscs"),
        ("utf8", "utf-8"),
        ("nonsense", None),
    ],
)
def test_normalize_charset(label: str, codec: str | None) -> None:
    assert normalize_charset(label) == codec


def test_a_site_that_lies_is_detected_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The header and <meta> say UTF-8, the bytes are GBK: the first page is detected, the
    site's next ones are read with what was found, without detecting again."""
    calls: list[int] = []
    detect = charset_normalizer.from_bytes

    def counting(data: bytes) -> charset_normalizer.CharsetMatches:
        calls.append(len(data))
        return detect(data)

    monkeypatch.setattr(encoding.charset_normalizer, "from_bytes", counting)
    charsets = SiteCharsets()
    lying = [page("utf-8", f"第{n}篇。{TEXT}").encode("gbk") for n in range(3)]
    liar, other = "http://liar.example.cn/news/{}.html", "http://www.other.example.cn/{}.html"
    first = charsets.decode(liar.format(0), lying[0], header_charset="utf-8", forced=None)
    assert (first.encoding, first.via, len(calls)) == ("gb18030", "detected", 1)
    for n, data in enumerate(lying[1:], 1):
        later = charsets.decode(liar.format(n), data, header_charset="utf-8", forced=None)
        assert f"第{n}篇。{TEXT}" in later.text
        assert (later.encoding, later.via) == ("gb18030", "site")
    assert len(calls) == 1
    # Another host (of the same source, say, in a WARC import) is detected on its own; the
    # liar's UTF-8 and truly declared pages read as they say.
    assert (
        charsets.decode(other.format(1), lying[0], header_charset=None, forced=None).via
        == "detected"
    )
    assert len(calls) == 2
    utf8 = charsets.decode(
        liar.format(8), page("utf-8").encode(), header_charset="utf-8", forced=None
    )
    traditional = page("big5", "臺灣的學術研究，資訊與軟體。" * 5).encode("big5")
    big5 = charsets.decode(liar.format(9), traditional, header_charset="big5", forced=None)
    assert (utf8.via, big5.via, big5.encoding) == ("utf-8", "header", "big5hkscs")


def test_a_remembered_charset_that_does_not_fit_is_passed_over() -> None:
    """A page whose bytes do not decode under the site's remembered charset is detected."""
    data = ("<html><body><p>" + "Les données de l'année. Ÿ ÿ " * 40 + "</p></body></html>").encode(
        "cp1252"
    )
    decoded = decode_bytes(data, site_charset="gb18030")
    assert decoded.via == "detected"


def test_a_failed_declaration_is_not_tried_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    """UTF-8 failed already: a header and <meta> naming it are not decoded again."""
    tried: list[str] = []
    strict = encoding._strict

    def counting(data: bytes, name: str) -> str | None:
        tried.append(name)
        return strict(data, name)

    monkeypatch.setattr(encoding, "_strict", counting)
    decoded = decode_bytes(page("utf-8").encode("gbk"), header_charset="utf-8")
    assert TEXT in decoded.text
    assert tried.count("utf-8") == 1


def test_a_single_byte_charset_is_not_remembered() -> None:
    """Any bytes decode under a single-byte charset: one detected on a page of Latin text (or
    of garbage) must not capture the site's next lying GBK page."""
    charsets = SiteCharsets()
    latin = ("<html><body><p>" + "Les données de l'année. Ÿ ÿ " * 40 + "</p></body></html>").encode(
        "cp1252"
    )
    site = "https://www.example.fr/{}.html"
    first = charsets.decode(site.format(1), latin, header_charset="utf-8", forced=None)
    assert first.via == "detected" and first.encoding not in SiteCharsets.REMEMBERED
    gbk = charsets.decode(
        site.format(2), page("utf-8").encode("gbk"), header_charset="utf-8", forced=None
    )
    assert TEXT in gbk.text and gbk.via == "detected"
