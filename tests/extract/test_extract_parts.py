"""Dates, titles and the policy table, piece by piece."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from crawler.extract import extract
from crawler.extract.dates import date_from_url, find_date
from crawler.extract.policy import parse_policy_text
from crawler.extract.title import choose_title, strip_site_suffix

SH = ZoneInfo("Asia/Shanghai")
PROSE = "".join(
    f"第{i}段：深圳市今天发布了新的政策，内容涉及住房、交通和教育等多个领域。" for i in range(6)
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021年05月12日 08:30", "2021-05-12T08:30:00+08:00"),
        ("2021年5月2日", "2021-05-02T00:00:00+08:00"),
        ("发布时间：2021-05-12 08:30:05 来源：新华社", "2021-05-12T08:30:05+08:00"),
        ("2021/5/12 8:05", "2021-05-12T08:05:00+08:00"),
        ("2021.05.12", "2021-05-12T00:00:00+08:00"),
        ("2021-05-12T00:30:00Z", "2021-05-12T08:30:00+08:00"),
        ("2021-05-12T08:30:00+09:00", "2021-05-12T07:30:00+08:00"),
        ("二〇二一年六月十八日", "2021-06-18T00:00:00+08:00"),
        ("2018-03-0823:16", "2018-03-08T23:16:00+08:00"),
    ],
)
def test_find_date_formats(text: str, expected: str) -> None:
    found = find_date(text, SH)
    assert found is not None and found.value == datetime.fromisoformat(expected)


@pytest.mark.parametrize(
    "text", ["版本 2019.9.7", "2021-13-01", "1850年5月1日", "今天", "05-12 08:30"]
)
def test_find_date_rejects_non_dates(text: str) -> None:
    assert find_date(text, SH) is None


def test_labelled_dates_need_a_label_and_accept_two_digit_years() -> None:
    assert find_date("2021-05-12", SH, labelled=True) is None
    found = find_date("发布时间：18-03-08 23:16", SH, labelled=True)
    assert found is not None and found.value == datetime(2018, 3, 8, 23, 16, tzinfo=SH)
    assert find_date("发布时间：01-14 17:58", SH, labelled=True) is None  # no year: no guess


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://www.xinhuanet.com/politics/2021-05/12/c_1127436178.htm", "2021-05-12"),
        ("http://www.gd.gov.cn/zwgk/wjk/qbwj/yf/content/post_3.html?t20210512", None),
        ("http://fgw.example.gov.cn/art/t20210512_123.html", "2021-05-12"),
        ("http://nb.ifeng.com/a/20200911/14526474_0.shtml", "2020-09-11"),
        ("https://news.sina.com.cn/c/2019-11-25/doc-iihnzahi.shtml", "2019-11-25"),
        ("http://www.example.cn/n1/202105/12/c1.html", "2021-05-12"),
        ("http://www.example.cn/2021/0512/c1.html", "2021-05-12"),
        ("http://www.example.cn/news/123456.html", None),
    ],
)
def test_date_from_url(url: str, expected: str | None) -> None:
    found = date_from_url(url, SH)
    assert (found.date().isoformat() if found else None) == expected


@pytest.mark.parametrize(
    "meta",
    [
        '<meta property="article:published_time" content="2021-05-12T08:30:00+08:00">',
        '<meta name="PubDate" content="2021-05-12 08:30">',
        '<meta name="firstpublishedtime" content="2021-05-12 08:30:00">',
        '<meta name="publishdate" content="2021年05月12日 08:30">',
    ],
)
def test_meta_publication_dates(meta: str) -> None:
    html = f"<html><head>{meta}<title>标题</title></head><body><p>{PROSE}</p></body></html>"
    assert extract(html, "https://example.cn/a.html").published == datetime(
        2021, 5, 12, 8, 30, tzinfo=SH
    )


def test_configured_zone_applies_when_the_page_gives_no_offset() -> None:
    html = f"<html><body><h1>标题</h1><div>发布时间：2021-05-12 08:30</div><p>{PROSE}</p></body></html>"
    utc = extract(html, "https://example.cn/a.html", tz=UTC).published
    assert utc == datetime(2021, 5, 12, 8, 30, tzinfo=UTC)
    assert utc is not None and utc.utcoffset() == timedelta(0)


def test_byline_date_beats_a_header_date_and_no_date_is_none() -> None:
    html = (
        "<html><body><div class='top'>今天是2024年1月1日 星期一</div><h1>深圳出台新政</h1>"
        f"<div class='info'>2021-05-12 08:30 来源：深圳特区报</div><p>{PROSE}</p></body></html>"
    )
    result = extract(html, "https://example.cn/a.html")
    assert result.published == datetime(2021, 5, 12, 8, 30, tzinfo=SH)
    assert result.outlet == "深圳特区报"
    bare = f"<html><body><h1>深圳出台新政</h1><p>{PROSE}</p></body></html>"
    assert extract(bare, "https://example.cn/a.html").published is None


def test_strip_site_suffix() -> None:
    assert strip_site_suffix("标题内容在这里_网易财经") == "标题内容在这里"
    assert strip_site_suffix("标题内容在这里 - 新浪新闻") == "标题内容在这里"
    assert strip_site_suffix("标题内容在这里|人民网") == "标题内容在这里"
    assert strip_site_suffix("阿里发布最强AI芯片：一块顶十块GPU-EDN 电子技术设计") == (
        "阿里发布最强AI芯片：一块顶十块GPU"
    )
    assert strip_site_suffix("新冠疫苗第3针-2021") == "新冠疫苗第3针-2021"


def test_choose_title_by_agreement() -> None:
    headings = ["山西省人民政府网站", "山西品牌丝路行正式启动"]
    title = choose_title(headings, [], "山西品牌丝路行正式启动 - 山西省人民政府门户网站")
    assert title == "山西品牌丝路行正式启动"
    assert (
        choose_title(["网易财经"], [], "八部委如何玩转互联网+_网易财经") == "八部委如何玩转互联网+"
    )
    assert choose_title([], [], "京东为何不直接公布GMV？_网易财经") == "京东为何不直接公布GMV？"
    assert choose_title(
        ["首页 - 新闻动态"], [], "新闻动态--学会官网", above_byline="年会成功举行"
    ) == ("年会成功举行")
    assert choose_title([], [], None) is None


def test_policy_text_on_one_line_with_chinese_numeral_dates() -> None:
    meta = parse_policy_text(
        "索 引 号：000014349/2021-00063 主题分类：住房保障 发布机构：国务院办公厅 "
        "成文日期：二〇二一年六月十八日 文号：国办发〔2021〕22号 发布日期：2021-07-02 有效性：有效",
        SH,
    )
    assert meta is not None
    assert meta.index_no == "000014349/2021-00063"
    assert meta.issuer == "国务院办公厅"
    assert meta.written_date == "2021-06-18"
    assert meta.doc_no == "国办发〔2021〕22号"
    assert meta.published_date == "2021-07-02"
    assert meta.validity == "有效"


def test_an_ordinary_byline_is_not_a_policy_table() -> None:
    html = (
        "<html><body><h1>标题</h1><div>发布日期：2021-07-02 来源：市政府</div>"
        f"<p>{PROSE}</p></body></html>"
    )
    assert extract(html, "https://example.cn/a.html").policy is None


@pytest.mark.parametrize(
    ("headings", "document_title", "expected"),
    [
        (["古诗词", "夜雨"], "夜雨_原文、翻译及赏析_白居易诗词_读古诗词网", "夜雨"),
        (["诗歌", "静夜思"], "静夜思 - 中国诗歌网", "静夜思"),
        # Later segments are section and site names: an <h1> repeating one is not the headline.
        (["国内新闻", "深圳出台人才新政"], "深圳出台人才新政_国内新闻_某某网", "深圳出台人才新政"),
    ],
)
def test_a_short_headline_agrees_with_the_head_of_the_title(
    headings: list[str], document_title: str, expected: str
) -> None:
    assert choose_title(headings, [], document_title) == expected
