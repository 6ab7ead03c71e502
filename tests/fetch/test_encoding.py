"""Charset decoding: header, BOM, <meta>, wrong declarations, detection, garbage."""

from __future__ import annotations

import re
from pathlib import Path

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


# Chinese pages without a declaration and with a few stray bytes (issue 20): detection gives up
# on both Chinese charsets for those bytes and settles on a single-byte code page unless told
# that a Chinese reading with replacement characters is preferred.
ARTICLES = [
    "河北省委经济工作会议今天在石家庄召开。会议总结了今年全省的经济工作，分析了当前经济形势，"
    "部署明年的经济工作。会议强调，要坚持稳中求进，推动高质量发展，加快建设经济强省。",
    "青岛市代表团一行抵达深圳，就两地产业合作、港口物流和科技创新开展为期三天的交流考察。"
    "双方在座谈会上签署了合作框架协议，并表示将在人才培养和营商环境建设方面加强沟通。",
    "据新华社报道，国务院办公厅日前印发通知，要求各地进一步做好农民工工资支付工作，"
    "对拖欠工资的企业依法严肃处理，保障劳动者的合法权益，维护社会和谐稳定。",
]
TRADITIONAL = [
    "臺北市政府今天召開記者會，說明今年的經濟發展與施政重點。市長表示，將持續推動城市建設，"
    "加強與各縣市的交流合作，並且關注年輕人的就業問題，讓市民生活更加便利。",
    "香港特區政府代表團今日抵達上海，就兩地經濟合作與文化交流進行會談。雙方同意在金融、"
    "物流和科技創新等方面加強合作，並將定期舉行會議，檢討合作的進展。",
]


def _undeclared(text: str, encoding: str, stray: list[int]) -> bytes:
    """A page in ``encoding`` with no charset anywhere and a stray 0xFF at each offset."""
    data = f"<html><head><title>{text[:16]}</title></head><body><p>{text}</p></body></html>"
    return _with_stray_bytes(data.encode(encoding), stray)


def _with_stray_bytes(raw: bytes, stray: list[int]) -> bytes:
    """``raw`` with a 0xFF byte inserted at each of the offsets, in percent of its length."""
    for at in sorted(stray, reverse=True):
        cut = len(raw) * at // 100
        raw = raw[:cut] + b"\xff" + raw[cut:]
    return raw


@pytest.mark.parametrize("stray", [[40], [30, 60], [20, 50, 80], [55, 56, 57]])
@pytest.mark.parametrize(
    ("text", "charset", "expected"),
    [
        *((t, "gb2312", "gb18030") for t in ARTICLES),
        *((t, "big5", "big5hkscs") for t in TRADITIONAL),
    ],
)
def test_an_undeclared_chinese_page_with_stray_bytes_reads_as_chinese(
    text: str, charset: str, expected: str, stray: list[int]
) -> None:
    decoded = decode_bytes(_undeclared(text, charset, stray))
    assert decoded.encoding == expected
    assert text[:12] in decoded.text  # the title, before any stray byte


@pytest.mark.parametrize(
    ("text", "charset"),
    [
        (
            "Москва - столица России, крупнейший город страны. Здесь находятся органы власти. ",
            "cp1251",
        ),
        (
            "Москва - столица России, крупнейший город страны. Здесь находятся органы власти. ",
            "koi8-r",
        ),
        (
            "Η Αθήνα είναι η πρωτεύουσα της Ελλάδας και μία από τις αρχαιότερες πόλεις. ",
            "iso8859-7",
        ),
        (
            "Le président a visité la préfecture; l'été dernier, à Genève, c'était réussi. ",
            "cp1252",
        ),
    ],
)
def test_pages_really_in_a_single_byte_charset_still_read_in_it(text: str, charset: str) -> None:
    page_bytes = f"<html><body><p>{text * 8}</p></body></html>".encode(charset)
    assert text in decode_bytes(page_bytes).text


def test_the_chinese_reading_is_remembered_for_the_site() -> None:
    charsets = SiteCharsets()
    site = "http://old.example.cn/{}.html"
    first = charsets.decode(
        site.format(1), _undeclared(ARTICLES[0], "gb2312", [50]), header_charset=None, forced=None
    )
    assert first.encoding == "gb18030" and first.via == "detected"
    second = charsets.decode(
        site.format(2), _undeclared(ARTICLES[1], "gb2312", []), header_charset=None, forced=None
    )
    assert second.via == "site" and ARTICLES[1] in second.text


REAL_GB2312 = (Path(__file__).parent / "testdata" / "163-2015-gb2312.html").read_bytes()


@pytest.mark.parametrize("stray", [[], [90], [60, 75, 90], [20, 40]])
def test_a_real_gb2312_page_without_its_declaration_is_not_read_as_cyrillic(
    stray: list[int],
) -> None:
    """A NetEase page of 2015, its <meta charset> removed: with a stray byte, detection alone
    calls it ISO-8859-5 (Cyrillic)."""
    raw = re.sub(rb"<meta[^>]*charset[^>]*>", b"", REAL_GB2312, flags=re.IGNORECASE)
    assert decode_bytes(REAL_GB2312).encoding == "gb18030"
    decoded = decode_bytes(_with_stray_bytes(raw, stray))
    assert decoded.encoding == "gb18030"
    assert "网易" in decoded.text
