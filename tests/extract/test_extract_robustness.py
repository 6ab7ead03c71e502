"""Bad input never escapes as anything but ExtractError, and fails fast."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.base.errors import CrawlError, ExtractError
from crawler.extract import Extracted, extract

DATA = Path(__file__).parent / "testdata" / "extract"
URL = "https://news.example.cn/a/1.html"


def _no_article(html: object, *, within: float = 2.0) -> ExtractError:
    start = time.perf_counter()
    with pytest.raises(ExtractError) as caught:
        extract(html, URL)  # type: ignore[arg-type]
    assert time.perf_counter() - start < within
    assert "no article found" in str(caught.value)
    assert caught.value.url == URL
    assert isinstance(caught.value, CrawlError)
    return caught.value


def test_empty_page() -> None:
    assert "empty" in str(_no_article(""))
    _no_article("   \n\t ")


def test_page_truncated_in_the_head() -> None:
    _no_article('<!DOCTYPE html><html><head><meta charset="utf-8"><title>新闻标题</tit')


def test_page_without_body_text() -> None:
    _no_article("<html><head><title>只有标题</title><script>var a = 1;</script></head></html>")


def test_navigation_only_page() -> None:
    links = "".join(f'<li><a href="/n/{i}.html">新闻标题第{i}条</a></li>' for i in range(80))
    _no_article(f"<html><body><ul>{links}</ul><p>版权所有 京ICP备12345678号</p></body></html>")


def test_binary_garbage() -> None:
    garbage = os.urandom(200_000)
    assert "binary" in str(_no_article(garbage.decode("latin-1")))
    _no_article(b"\x89PNG\r\n\x1a\n" + garbage)


def test_not_text_at_all() -> None:
    assert "expected HTML text" in str(_no_article(12345))
    _no_article(None)


def test_ten_megabytes_of_nested_divs() -> None:
    depth = 10 * 1024 * 1024 // 11
    html = "<div>" * depth + "深" + "</div>" * depth
    _no_article(html, within=3.0)


def test_deep_nesting_before_a_real_article_is_cut_not_fatal() -> None:
    article = (
        "<p>"
        + "青岛市党政考察团来到深圳市考察学习，一天的行程涉及数字城市、金融科技等领域。" * 3
        + "</p>"
    )
    html = (
        "<html><body><article>" + article * 4 + "</article>" + "<div>" * 50_000 + "</body></html>"
    )
    start = time.perf_counter()
    result = extract(html, URL)
    assert time.perf_counter() - start < 3.0
    assert "青岛市党政考察团" in result.body


def test_an_element_with_a_hundred_thousand_attributes_is_fast() -> None:
    flood = " ".join(f"a{i}=x" for i in range(100_000))
    _no_article(f"<html><body><p {flood}>x</p></body></html>", within=2.0)
    prose = "深圳市政府今天发布了新的政策，内容涉及住房、交通和教育。" * 3
    start = time.perf_counter()
    result = extract(f"<html><body><div {flood}><p>{prose}</p></div></body></html>", URL)
    assert time.perf_counter() - start < 2.0
    assert result.body == prose


def test_ten_megabytes_of_flat_markup_is_fast() -> None:
    html = "<html><body>" + "<div><span>x</span></div>" * 400_000 + "</body></html>"
    _no_article(html, within=5.0)


def test_truncated_real_page_still_gives_the_part_that_arrived() -> None:
    html = (DATA / "163-extended-reading.html").read_bytes().decode("utf-8")
    expected = json.loads((DATA / "163-extended-reading.expected.json").read_text("utf-8"))
    lines = expected["body"].splitlines()
    middle = lines[len(lines) // 2]
    cut = html[: html.index(middle[:20]) + 10]  # the connection dropped mid-paragraph
    result = extract(cut, URL)
    assert isinstance(result, Extracted)
    assert result.body.startswith(lines[0][:20])
    assert middle[:10] in result.body and lines[-1] not in result.body


def test_nul_bytes_inside_a_page_are_ignored() -> None:
    html = "<html><body><p>深圳\x00市政府今天发布了新的政策，内容涉及住房、交通和教育等多个领域。</p></body></html>"
    assert "深圳市政府" in extract(html, URL).body


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000))
def test_any_text_gives_an_article_or_extract_error(text: str) -> None:
    try:
        result = extract(text, URL)
    except ExtractError:
        return
    assert isinstance(result, Extracted) and result.body


_TAGS = st.sampled_from(["div", "p", "span", "a", "h1", "table", "td", "br", "section", "font"])


@st.composite
def markup(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 60))):
        tag = draw(_TAGS)
        kind = draw(st.integers(0, 3))
        if kind == 0:
            parts.append(f"<{tag}>")
        elif kind == 1:
            parts.append(f"</{tag}>")
        else:
            parts.append(
                draw(st.text(alphabet="深圳青岛，。：发布时间2021年05月12日来源 <>&", max_size=40))
            )
    return "".join(parts)


@settings(max_examples=150, deadline=None)
@given(
    markup(),
    st.sampled_from(["", "not a url", "http://[::1", "https://www.gov.cn/a/t20210512_1.html"]),
)
def test_any_markup_and_url_gives_an_article_or_extract_error(html: str, url: str) -> None:
    try:
        result = extract(html, url)
    except ExtractError:
        return
    assert result.published is None or result.published.tzinfo is not None


def test_defuse_strips_attribute_floods_and_nothing_else() -> None:
    from crawler.markup import defuse

    flood = "<div " + " ".join(f"a{i}=1" for i in range(900)) + ">洪</div>"
    script = "<script>" + "var a=1;" * 3000 + "</script>"  # a long run with many "=", not a tag
    prose = "<p>" + "文" * 5000 + "</p>"
    page = f"<html><body>{script}{prose}{flood}{prose}</body></html>"
    assert defuse(page) == page.replace(flood, "<div>洪</div>")
    assert defuse(page.replace(flood, "")) == page.replace(flood, "")
