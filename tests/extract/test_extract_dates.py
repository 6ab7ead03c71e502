"""Publication dates pages show but the extractor used to miss (issue 20, class b).

Visible dates near the headline in the loose forms old CMSs print, the page's own address as a
fallback when the caller has none (saved pages, archives), forum labels without a colon, and
the 发布日期 of a government document rather than its 成文日期.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from crawler.extract import extract
from crawler.extract.dates import find_date

SH = ZoneInfo("Asia/Shanghai")
PROSE = "".join(
    f"第{i}段：青岛市代表团今天抵达深圳，就两地产业合作和科技创新开展交流考察。" for i in range(6)
)


def _page(header: str = "", *, head: str = "", before: str = "") -> str:
    return (
        f"{before}<html><head><title>青岛代表团赴深圳考察</title>{head}</head><body>"
        f"<h1>青岛代表团赴深圳考察</h1><div class='info'>{header}</div>"
        f"<div class='article'><p>{PROSE}</p></div></body></html>"
    )


def _published(html: str, url: str = "") -> date | None:
    moment = extract(html, url).published
    return moment.date() if moment else None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("2005-5-7 21:23:57", date(2005, 5, 7)),
        ("2004-09-17 5:54:13", date(2004, 9, 17)),
        ("2005-1-2", date(2005, 1, 2)),
        ("发表于 2024-5-18 19:27:00", date(2024, 5, 18)),
        ("发布于 2023-03-01 14:29", date(2023, 3, 1)),
        ("新华网 2005年03月21日 11:21 来源：新华社", date(2005, 3, 21)),
    ],
)
def test_visible_dates_near_the_headline(header: str, expected: date) -> None:
    assert _published(_page(header)) == expected


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ({"before": "<!-- saved from url=(0047)http://news.x.com.cn/2005/07/18/1.html -->"}, 2005),
        ({"head": "<link rel='canonical' href='http://www.x.cn/20050311/n1.shtml'>"}, 2005),
        ({"head": "<meta property='og:url' content='http://x.cn/news/2005-03-21/1.html'>"}, 2005),
    ],
)
def test_the_pages_own_address_dates_it_when_the_caller_gives_none(
    where: dict[str, str], expected: int
) -> None:
    published = _published(_page(**where))
    assert published is not None and published.year == expected
    assert published in (date(2005, 7, 18), date(2005, 3, 11), date(2005, 3, 21))


def test_the_callers_address_comes_before_the_pages_own() -> None:
    page = _page(head="<link rel='canonical' href='http://www.x.cn/20050311/n1.shtml'>")
    assert _published(page, "http://www.x.cn/2006/01/02/n1.shtml") == date(2006, 1, 2)


def test_a_page_without_any_date_has_none() -> None:
    assert _published(_page(head="<link rel='canonical' href='http://www.x.cn/n1.shtml'>")) is None


@pytest.mark.parametrize(
    "table",
    [
        "成文日期：2021-05-11 发布日期：2021-05-13",
        "发布日期：2021-05-13 成文日期：2021-05-11",
        "成文日期: 2021年5月11日\n发布日期: 2021年5月13日",
        "成文時間：2021-05-11 發布日期：2021-05-13",
    ],
)
def test_published_is_the_release_date_not_the_signing_date(table: str) -> None:
    found = find_date(table, SH, labelled=True)
    assert found is not None and found.value.date() == date(2021, 5, 13)


def test_a_signing_date_alone_still_dates_the_document() -> None:
    found = find_date("成文日期：2021-05-11", SH, labelled=True)
    assert found is not None and found.value.date() == date(2021, 5, 11)


def test_a_government_page_keeps_both_dates_and_publishes_on_the_release_date() -> None:
    rows = (
        "<table class='xxgk'><tr><td>索引号：</td><td>11440300/2021-00123</td>"
        "<td>发布机构：</td><td>深圳市人民政府办公厅</td></tr>"
        "<tr><td>成文日期：</td><td>2021-05-11</td><td>发文字号：</td><td>深府办〔2021〕5号</td></tr>"
        "<tr><td>发布日期：</td><td>2021-05-13</td><td>有效性：</td><td>有效</td></tr></table>"
    )
    result = extract(_page(rows), "http://www.sz.gov.cn/zwgk/zfxxgk/content/post_1.html")
    assert result.published is not None and result.published.date() == date(2021, 5, 13)
    assert result.policy is not None
    assert result.policy.written_date == "2021-05-11"
    assert result.policy.published_date == "2021-05-13"


def _page_with_footer(footer: str) -> str:
    return (
        "<html><head><title>青岛代表团赴深圳考察</title></head><body>"
        f"<h1>青岛代表团赴深圳考察</h1><div class='post'><div class='article'><p>{PROSE}</p></div>"
        f"<div class='meta'>{footer}</div></div></body></html>"
    )


@pytest.mark.parametrize(
    ("footer", "expected"),
    [
        ("2020.03.11 10:51发布于知产资料", date(2020, 3, 11)),
        ("2005-5-7 21:23:57 发表", date(2005, 5, 7)),
        ("编辑于 2023-03-01 15:45・IP 属地北京", date(2023, 3, 1)),
        ("知产资料 阅读 5400", None),
    ],
)
def test_a_posts_footer_dates_it(footer: str, expected: date | None) -> None:
    """Forum and Q&A posts print their date below the text, before or after the verb."""
    assert _published(_page_with_footer(footer)) == expected


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("<dl><dt>批准时间</dt><dd>2023年12月27日</dd><dt>面积</dt><dd>952公顷</dd></dl>", None),
        ("<table><tr><th>建置时间</th><td>2017年4月1日</td></tr></table>", None),
        ("<dl><dt>发布日期</dt><dd>2023年12月27日</dd></dl>", date(2023, 12, 27)),
        ("<table><tr><th>更新时间</th><td>2017-04-01</td></tr></table>", date(2017, 4, 1)),
    ],
)
def test_an_infobox_fact_is_no_publication_date(table: str, expected: date | None) -> None:
    """A wiki's or encyclopedia's key-value box (成立, 批准时间) dates its subject, not the page;
    a key that says publication still dates it."""
    assert _published(_page(table)) == expected
