"""Charset decoding: header, BOM, <meta>, wrong declarations, detection, garbage."""

from __future__ import annotations

import pytest

from crawler.encoding import decode_bytes, normalize_charset

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
