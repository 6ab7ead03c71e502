"""Golden tests: real corpus pages and hand-built pages, one per extraction trap.

Each ``testdata/extract/NAME.html`` has a ``NAME.expected.json`` with the title, date and body
the page must give, the body F1 it must reach (character bag, as in ``bench/extraction.py``)
and furniture strings that must not reach the body. See ``testdata/extract/LICENSE.md``.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from crawler.extract import Extracted, PolicyMeta, extract
from crawler.fetch.encoding import decode_bytes

DATA = Path(__file__).parent / "testdata" / "extract"
GOLDEN = sorted(p.name.removesuffix(".expected.json") for p in DATA.glob("*.expected.json"))


def body_f1(got: str, want: str) -> float:
    a = Counter(ch for ch in unicodedata.normalize("NFKC", got) if not ch.isspace())
    b = Counter(ch for ch in unicodedata.normalize("NFKC", want) if not ch.isspace())
    overlap = sum((a & b).values())
    if not overlap:
        return 0.0
    p, r = overlap / sum(a.values()), overlap / sum(b.values())
    return 2 * p * r / (p + r)


def load(name: str) -> tuple[Extracted, dict]:
    expected = json.loads((DATA / f"{name}.expected.json").read_text(encoding="utf-8"))
    html = decode_bytes((DATA / f"{name}.html").read_bytes()).text
    return extract(html, expected["url"]), expected


def test_golden_set_covers_every_trap() -> None:
    assert len(GOLDEN) >= 14
    assert (DATA / "LICENSE.md").is_file()


@pytest.mark.parametrize("name", GOLDEN)
def test_golden_body(name: str) -> None:
    result, expected = load(name)
    assert body_f1(result.body, expected["body"]) >= expected["min_f1"]
    for furniture in expected["absent"]:
        assert furniture not in result.body, f"{furniture!r} left in the body of {name}"
    assert "\n\n" not in result.body and result.body == result.body.strip()


@pytest.mark.parametrize("name", GOLDEN)
def test_golden_title_and_date(name: str) -> None:
    result, expected = load(name)
    assert result.title == expected["title"]
    published = result.published.date().isoformat() if result.published else None
    assert published == expected["date"]
    if result.published is not None:
        assert result.published.tzinfo is not None
    if "published" in expected:
        assert result.published == datetime.fromisoformat(expected["published"])


@pytest.mark.parametrize("name", [n for n in GOLDEN if n.startswith("gov-policy")])
def test_golden_policy(name: str) -> None:
    result, expected = load(name)
    if expected["policy"] is None:
        assert result.policy is None
    else:
        assert result.policy == PolicyMeta(**expected["policy"])
        assert result.policy.to_dict() == expected["policy"]
    assert result.interpretation_of == expected["interpretation_of"]
    if "outlet" in expected:
        assert result.outlet == expected["outlet"]


def test_gazette_font_and_br_layout_keeps_every_line() -> None:
    result, _ = load("govcn-gazette")
    assert result.body.startswith("全国人民代表大会常务委员会")
    assert "（2007年6月29日第十届全国人民代表大会常务委员会第二十八次会议通过）" in result.body


def test_wechat_sections_and_script_timestamp() -> None:
    result, _ = load("wechat-sections")
    assert result.body.count("\n") >= 10
    assert result.published is not None and result.published.hour == 22  # from `var ct`


def test_related_block_after_extended_reading_is_cut() -> None:
    result, expected = load("163-extended-reading")
    assert "延伸阅读" not in result.body
    assert result.body.endswith(expected["body"].splitlines()[-1])


def test_original_title_lead_is_kept_but_earlier_reports_dropped() -> None:
    result, _ = load("163-earlier-reports")
    assert result.body.startswith("（原标题：")
    assert "此前报道" not in result.body


def test_byline_gives_outlet_and_author() -> None:
    result, _ = load("mydrivers-news")
    assert result.outlet == "快科技"
    assert result.author == "宪瑞"
    assert result.published == datetime.fromisoformat("2020-11-23T10:22:14+08:00")


@pytest.mark.parametrize("name", ["163-declares-gb2312", "people-declares-gb2312"])
def test_utf8_page_that_declares_gb2312(name: str) -> None:
    raw = (DATA / f"{name}.html").read_bytes()
    assert b"gb2312" in raw[:4096].lower()
    decoded = decode_bytes(raw)
    assert decoded.encoding == "utf-8"
    result, expected = load(name)
    assert result.title == expected["title"]
    assert "\ufffd" not in result.body
    # Decoding the bytes as declared gives mojibake, which no longer reads as the article.
    wrong = extract(raw.decode("gb18030", errors="replace"), expected["url"])
    assert body_f1(wrong.body, expected["body"]) < 0.5


def test_gb2312_bytes_decode_and_extract() -> None:
    result, expected = load("163-2015-finance-gb2312")
    assert result.title == expected["title"]
    assert result.outlet == "21世纪经济报道(广州)"


def test_seed_article_drops_related_sidebar() -> None:
    result, expected = load("seed-qingdao-shenzhen")
    assert result.body == expected["body"]
    assert "【詳細】" not in result.body and "韓正" not in result.body
    assert result.outlet == "人民網－山東頻道"
    assert (
        result.image_url == "http://sd.people.com.cn/NMediaFile/2021/0513/LOCAL202105130824000.jpg"
    )


def test_seed_article_without_a_dated_url_has_no_date() -> None:
    html = (DATA / "seed-qingdao-shenzhen.html").read_text(encoding="utf-8")
    result = extract(html, "http://sd.people.com.cn/n2/qingdao-shenzhen.html")
    assert result.published is None  # never a guess


def test_interpretation_links_to_policy_only_from_a_jiedu_page() -> None:
    table, _ = load("gov-policy-table")
    assert table.interpretation_of is None  # its related links point at the 解读, not the reverse
    interpretation, _ = load("gov-policy-interpretation")
    assert interpretation.interpretation_of is not None
    assert interpretation.interpretation_of.startswith("https://www.gov.cn/zhengce/content/")
