"""The layout walk: boxes and lines of a page, where each element ends, what is skipped, and
the limits that bound a hostile page."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from crawler.extract import layout
from crawler.extract.layout import Layout, walk


def _walk(html: str) -> Layout:
    body = LexborHTMLParser(f"<html><body>{html}</body></html>").body
    assert body is not None
    return walk(body)


def _lines(found: Layout) -> list[tuple[str, int, int, str]]:
    return [(x.text, x.chars, x.link_chars, x.box.tag) for x in found.lines]


def test_whitespace_between_inline_elements_is_one_space_and_counts_nothing() -> None:
    found = _walk("<p><a href=a>新闻</a>\n  <a href=b>公告</a> <b>三</b>\n</p>")
    assert _lines(found) == [("新闻 公告 三", 5, 4, "p")]


def test_an_element_ends_with_its_last_descendant_however_deep() -> None:
    found = _walk("<div id=a><p>甲<b>乙<i>丙</i></b></p></div><div class=b>丁<br>戊</div><p>己</p>")
    assert _lines(found) == [
        ("甲乙丙", 3, 0, "p"),
        ("丁", 1, 0, "div"),
        ("戊", 1, 0, "div"),
        ("己", 1, 0, "p"),
    ]
    body, first, inner, second, last = found.boxes
    assert (first.tag, first.attrs, first.first_line, first.end_line, first.end_box) == (
        "div",
        "a",
        0,
        1,
        3,
    )
    assert (inner.parent, inner.first_line, inner.end_line) == (first, 0, 1)
    assert (second.attrs, second.first_line, second.end_line, second.end_box) == ("b", 1, 3, 4)
    assert (last.first_line, last.end_line, last.end_box) == (3, 4, 5)
    assert (body.chars, first.chars, second.chars) == (6, 3, 2)


def test_scripts_styles_comments_and_hidden_blocks_are_skipped_with_their_subtrees() -> None:
    found = _walk(
        "<div hidden><p>甲</p></div><script>乙</script><style>p{}</style><!-- 丙 -->"
        '<p style="DISPLAY: none">丁<b>戊</b></p><div style="visibility:hidden">己</div>'
        "<span hidden>庚</span><p>辛</p>"
    )
    # (an inline element is not tested for hidden: its text joins the line)
    assert [x.text for x in found.lines] == ["庚", "辛"]
    assert [box.tag for box in found.boxes] == ["body", "p"]


def test_children_past_the_limit_are_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(layout, "MAX_CHILDREN", 3)
    found = _walk("<div><p>一</p><p>二</p>三<p>四</p><p>五</p></div><p>六</p>")
    assert [x.text for x in found.lines] == ["一", "二", "三", "六"]


def test_elements_past_the_depth_limit_are_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(layout, "MAX_DEPTH", 2)
    found = _walk("<div>一<div>二<div>三</div></div></div><p>四</p>")
    assert [x.text for x in found.lines] == ["一", "二", "四"]


def test_the_walk_stops_at_the_element_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(layout, "MAX_ELEMENTS", 3)
    found = _walk("<div><p>一</p><p>二</p><p>三</p></div><p>四</p>")
    assert [x.text for x in found.lines] == ["一", "二"]
    # the boxes still open when it stops end with it
    assert [(box.tag, box.end_line, box.end_box) for box in found.boxes] == [
        ("body", 2, 4),
        ("div", 2, 4),
        ("p", 1, 3),
        ("p", 2, 4),
    ]


def test_a_lines_punctuation_is_counted_when_asked() -> None:
    found = _walk("<p>这是一段足够长的正文，有标点。</p><p><a href=x>首页</a></p>")
    prose, link = found.lines
    assert (prose.is_good, prose.punct) == (True, 2)
    assert (link.is_good, link.link_chars, link.punct) == (False, 2, 0)
