"""Text fields are text: no title, outlet or author ever holds markup, whatever the page.

Pages with a broken ``<title>`` or unclosed tags put markup where text belongs (issue 20 saw
titles ``<script language='javascript' …></script>`` and ``<table width="760" …>``, outlets
``size="20"``). Checked three ways: what counts as markup, pages of each class of breakage with
the headline recovered from ``<h1>``/og:title, and a fuzzer that wraps the title and byline of
a real-looking page in random tag soup. Every page of the test data is checked too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.base.errors import ExtractError
from crawler.extract import Extracted, extract
from crawler.extract.markup_free import holds_markup, text_only

DATA = Path(__file__).parent / "testdata" / "extract"
URL = "https://news.example.cn/2021/05/12/a.html"
PARAGRAPHS = [
    "青岛市代表团今天抵达深圳，就两地产业合作、港口物流和科技创新开展为期三天的交流考察。",
    "双方在座谈会上签署了合作框架协议，并表示将在人才培养和营商环境建设方面加强沟通。",
    "深圳市有关负责人介绍了当地推进粤港澳大湾区建设的做法，代表团一行还参观了前海片区。",
]
HEADLINE = "青岛市代表团赴深圳考察交流"


def _page(head: str, byline: str = "来源：深圳特区报", *, h1: str = HEADLINE) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (
        f"<html><head>{head}</head><body><div class='nav'><a href='/'>首页</a></div>"
        f"<h1>{h1}</h1><div class='info'>2021-05-12 09:30 {byline}</div>"
        f"<div class='article'>{paragraphs}</div></body></html>"
    )


def _fields(result: Extracted) -> list[str]:
    return [v for v in (result.title, result.outlet, result.author) if v]


@pytest.mark.parametrize(
    "text",
    [
        "<script language='javascript' src=\"/js.js\"></script>",
        '<table width="760" border="0" cellpadding="0" cellspacing="0">',
        "为现代化巴彦淖尔建设凝聚强大智慧和力量<div>",
        "<title>China-Pub blog--读书</title><script type='text/javascript'>",
        'size="20"',
        "<br/>",
        "<!-- 正文开始 -->",
        '<table width="760"',
        "<!DOCTYPE html>",
    ],
)
def test_tags_cut_off_tags_and_attributes_are_markup(text: str) -> None:
    assert holds_markup(text)


@pytest.mark.parametrize(
    "text",
    [
        "《关于加强城市合作的通知》",
        "1<2 且 3>2",
        "a < b > c",
        "PM2.5<35微克",
        "x=1, y = 2",
        "“深圳”与‘青岛’",
        "C++ <-> Java",
    ],
)
def test_angle_brackets_and_equals_signs_in_prose_are_not_markup(text: str) -> None:
    assert not holds_markup(text)
    assert text_only(text) == text


def test_text_only_keeps_the_text_around_markup_or_gives_none() -> None:
    assert (
        text_only("为现代化巴彦淖尔建设凝聚强大智慧和力量<div>")
        == "为现代化巴彦淖尔建设凝聚强大智慧和力量"
    )
    assert text_only("<script src='/js.js'></script>") is None
    assert text_only('size="20"') is None
    # A title that swallowed the page keeps its first text, never a script's inside.
    assert text_only("<script>var t='x';</script>标题<div>菜单</div>", head=True) == "标题"


@pytest.mark.parametrize(
    "head",
    [
        "<title><script language='javascript' src=\"/js.js\"></script>",  # never closed
        '<title><table width="760" border="0"><tr><td>',  # never closed, a table inside
        "<title>&lt;script language='javascript' src='/js.js'&gt;&lt;/script&gt;</title>",
        '<title>&lt;table width="760" border="0"&gt;</title>',
        "<title></title>",
    ],
)
def test_an_unusable_title_falls_back_to_the_headline_on_the_page(head: str) -> None:
    result = extract(_page(head), URL)
    assert result.title == HEADLINE
    assert all(p in result.body for p in PARAGRAPHS)
    assert not any(holds_markup(v) for v in _fields(result))


def test_a_title_with_markup_after_its_text_keeps_the_text() -> None:
    result = extract(_page(f"<title>{HEADLINE}&lt;div&gt;</title>"), URL)
    assert result.title == HEADLINE


def test_og_title_serves_when_title_is_unusable_and_there_is_no_h1() -> None:
    head = (
        "<title>&lt;script src='/js.js'&gt;&lt;/script&gt;</title>"
        f"<meta property='og:title' content='{HEADLINE}'>"
    )
    page = _page(head).replace(f"<h1>{HEADLINE}</h1>", "")
    assert extract(page, URL).title == HEADLINE


@pytest.mark.parametrize(
    "byline",
    [
        '来源：size="20"',
        "来源：&lt;font size=&quot;20&quot;&gt;",
        '作者：class="author"',
        '来源：<font size="20">深圳特区报</font>',
    ],
)
def test_outlet_and_author_never_hold_attributes(byline: str) -> None:
    result = extract(_page(f"<title>{HEADLINE}</title>", byline), URL)
    assert not any(holds_markup(v) for v in _fields(result))
    assert result.outlet in (None, "深圳特区报")


_SOUP = st.sampled_from(
    [
        "<script language='javascript' src=\"/js.js\"></script>",
        "&lt;script src='/a.js'&gt;&lt;/script&gt;",
        '<table width="760" border="0">',
        '&lt;table width="760"&gt;',
        "<tr><td>",
        "</td></tr></table>",
        "<div>",
        "</div>",
        "&lt;div&gt;",
        '<font size="20">',
        'size="20"',
        "</title>",
        "<title>",
        "&lt;/title&gt;",
        "<!-- x -->",
        "China-Pub blog--",
        "深圳",
        " ",
    ]
)


@st.composite
def soup(draw: st.DrawFn) -> str:
    return "".join(draw(st.lists(_SOUP, max_size=8)))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(soup(), soup(), soup())
def test_tag_soup_around_the_title_never_reaches_a_text_field(
    before: str, inside: str, byline: str
) -> None:
    head = f"<title>{before}{HEADLINE}{inside}"
    try:
        result = extract(_page(head, f"来源：{byline}"), URL)
    except ExtractError:
        return
    assert not any(holds_markup(v) for v in _fields(result)), _fields(result)


@pytest.mark.parametrize("page", sorted(DATA.glob("*.html")), ids=lambda p: p.stem)
def test_no_page_of_the_test_data_gives_markup_in_a_text_field(page: Path) -> None:
    try:
        result = extract(page.read_bytes(), URL)
    except ExtractError:
        return
    assert not any(holds_markup(v) for v in _fields(result))
