"""The article is the prose under the page's headline, not a longer article further down.

Seen on pages of sites the extractor was never tuned on (issue 20, zh-unseen): a one-paragraph
news summary above a "你可能還想看" feed whose items are longer, a short 快资讯 post above a
recommended post marked up exactly like it. The scoring alone picks the longer neighbour; the
headline anchors the choice. A page's own section headings (a wiki's 历史沿革) and its counters
(h5 "1032人参与") must not split the article.
"""

from __future__ import annotations

import pytest

from crawler.extract import extract

URL = "https://news.example.cn/a/1.html"
HEADLINE = "美官员否认伊朗直升机事故存在谋杀行为"
ARTICLE = (
    "据美国全国广播公司报道，载有伊朗总统的直升机发生事故后，美参议院多数党领袖表示，"
    "已从情报部门获悉，没有证据表明该事件中存在谋杀行为。他称，事发地点天气糟糕，大雾弥漫。"
)
OTHER = "".join(
    f"第{i}段：这是一篇推荐文章的正文，内容很长，讲述了一位歌手的故事，与本文无关，却有更多的文字。"
    for i in range(12)
)


def _page(other_heading: str) -> str:
    return (
        f"<html><head><title>{HEADLINE}_快资讯</title>"
        f"<meta property='og:title' content='{HEADLINE}'></head><body>"
        f"<div class='detail'><h1 class='article__title'>{HEADLINE}</h1>"
        "<div class='author'>中国新闻网</div><div class='time'>2024-05-20 13:09</div>"
        f"<div class='article__content'><p>{ARTICLE}</p></div></div>"
        f"<div class='recommend'>{other_heading}<div class='body'><p>{OTHER}</p></div></div>"
        "</body></html>"
    )


@pytest.mark.parametrize(
    "other_heading",
    [
        "<h1 class='article__title'>31岁在春晚一炮而红，观众都以为他隐退了</h1>",  # same markup
        "<h4><a href='/b/2.html'>重置城寨 不如搞港版环球影城</a></h4>",  # a linked headline
        "<h2><a href='/more'>你可能还想看</a></h2><h3><a href='/b/3.html'>另一篇报道</a></h3>",
    ],
)
def test_a_short_article_above_a_feed_of_longer_ones_is_the_article(other_heading: str) -> None:
    result = extract(_page(other_heading), URL)
    assert result.title == HEADLINE
    assert result.body == ARTICLE
    assert result.published is not None and result.published.date().isoformat() == "2024-05-20"


def test_section_headings_of_the_article_itself_do_not_split_it() -> None:
    sections = "".join(
        f"<h2>第{i}节</h2><p>{'雄安新区位于河北省保定市境内，地处北京、天津、保定腹地，区位优势明显。' * 3}</p>"
        for i in range(5)
    )
    page = (
        f"<html><head><title>雄安新区_百科</title></head><body><h1>雄安新区</h1>"
        f"<div class='lemma'><p>{ARTICLE}</p>{sections}</div></body></html>"
    )
    body = extract(page, URL).body
    assert ARTICLE in body and body.count("雄安新区位于河北省") == 15


def test_a_counter_heading_under_the_byline_does_not_split_the_article() -> None:
    page = (
        f"<html><head><title>{HEADLINE}</title></head><body><h1>{HEADLINE}</h1>"
        "<p class='time'>2019年11月25日 16:04:30</p><h5>1032人参与308评论</h5>"
        f"<div class='content'><p>{ARTICLE}</p><p>{OTHER}</p></div></body></html>"
    )
    body = extract(page, URL).body
    assert ARTICLE in body and OTHER in body


TABLE_PROSE = "河北省委经济工作会议今天在石家庄召开，会议总结了今年的经济工作，部署明年的任务。" * 4


def _table_page(title_tag: str, headline_cell: str) -> str:
    """A page of the 2000s: no <h1>, the headline a bold cell above the dateline."""
    return (
        f"<html><head>{title_tag}</head><body><table width='760'>"
        "<tr><td class='nav'><a href='/'>首页</a> | <a href='/n'>新闻</a></td></tr>"
        f"<tr><td align='center'>{headline_cell}</td></tr>"
        "<tr><td align='center'>2005-5-7 21:23:57　来源：河北日报</td></tr>"
        f"<tr><td><p>{TABLE_PROSE}</p></td></tr></table></body></html>"
    )


@pytest.mark.parametrize(
    "title_tag",
    [
        "<title>лл</title>",  # a title decoded in the wrong charset
        "<title><script language='javascript' src='/js.js'></script>",  # a title left open
        "<title>&lt;table width=&quot;760&quot;&gt;</title>",
    ],
)
@pytest.mark.parametrize(
    "cell",
    [
        "<b><font size='4'>河北经济工作会议召开</font></b>",
        "<strong>河北经济工作会议召开</strong>",
        "<span style='font-size:22px'>河北经济工作会议召开</span>",
    ],
)
def test_a_bold_line_above_the_dateline_is_the_headline_of_a_table_page(
    title_tag: str, cell: str
) -> None:
    result = extract(_table_page(title_tag, cell), "")
    assert result.title == "河北经济工作会议召开"
    assert result.published is not None and result.published.isoformat().startswith("2005-05-07")


def test_a_plain_or_sentence_line_above_the_dateline_is_not_taken_for_a_headline() -> None:
    plain = extract(_table_page("<title>河北经济工作会议召开_河北新闻网</title>", "河北新闻"), "")
    assert plain.title == "河北经济工作会议召开"
    sentence = "<b>会议强调，要坚持稳中求进。推动高质量发展。</b>"
    assert extract(_table_page("<title>лл</title>", sentence), "").title != sentence[3:-4]


def test_a_bold_label_above_the_dateline_is_not_a_headline() -> None:
    assert extract(_table_page("<title>лл</title>", "<b>发布日期：</b>"), "").title != "发布日期："
