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


# A government document whose body is a form (行政处罚信息公开表, a 公示 table): cells without
# sentences, under a headline, below a sidebar of punctuated prose that outscores it; and a
# <title> that is only the site's name.
_DUTIES = (
    "<div class='duties'><p>一、依法对除证券业之外的金融业实行统一监督管理，强化机构监管、行为监管、"
    "功能监管，维护金融业合法、稳健运行。</p><p>二、对金融业改革开放和监管有效性相关问题开展系统性研究，"
    "参与拟订金融业改革发展战略规划。</p></div>"
)
_FORM = [
    ("当事人名称", "某某财产保险股份有限公司某某分公司"),
    ("行政处罚决定书文号", "某金罚决字〔2024〕52号"),
    ("主要违法违规行为", "给予投保人保险合同约定以外的其他利益；编制虚假的报告、报表"),
    ("行政处罚内容", "罚款56万元"),
    ("作出决定机关", "某某金融监管局"),
    ("作出处罚决定的日期", "2024年7月8日"),
]


def _form_page(head: str, *, title_lines: tuple[str, ...]) -> str:
    rows = "".join(f"<tr><td><p>{k}</p></td><td><p>{v}</p></td></tr>" for k, v in _FORM)
    headline = "".join(f"<div class='wenzhang-title'>{t}</div>" for t in title_lines)
    return (
        f"<html><head><title>国家金融监督管理总局</title>{head}</head><body>"
        f"<div class='left'>{_DUTIES}</div>"
        "<div class='content'><div class='meta'>发布时间：2024-07-12 来源：某某监管局</div>"
        f"<div class='row'><div class='red-header-title'>国家金融监督管理总局</div>{headline}"
        f"<table>{rows}</table><div>附件信息:</div></div></div></body></html>"
    )


@pytest.mark.parametrize(
    "title_lines",
    [
        ("国家金融监督管理总局行政处罚信息公开表",),
        ("国家金融监督管理总局行政处罚信息公开表", "（某金罚决字〔2024〕52号）"),
    ],
)
@pytest.mark.parametrize("site_meta", ["SiteName", "og:site_name"])
def test_a_form_under_its_headline_is_the_body_not_the_sidebar(
    title_lines: tuple[str, ...], site_meta: str
) -> None:
    attr = "property" if site_meta.startswith("og:") else "name"
    html = _form_page(
        f"<meta {attr}='{site_meta}' content='国家金融监督管理总局'>", title_lines=title_lines
    )
    got = extract(html, "https://www.example.gov.cn/ItemDetail.html?docId=1")
    assert got.title == title_lines[0]
    assert got.body.split("\n") == [cell for row in _FORM for cell in row] + ["附件信息:"]
    assert "金融业合法" not in got.body


def test_a_long_post_above_a_repeat_of_its_title_stays_the_body() -> None:
    """A list further down that repeats the headline as a title-class line is no reason to leave
    an article that holds more text than what follows the repeat."""
    html = (
        f"<html><head><title>{HEADLINE}</title></head><body>"
        f"<div class='article__content'><p>{OTHER}</p></div>"
        f"<div class='list'><div class='item-title'>{HEADLINE}</div>"
        "<p>相关阅读：更多内容请访问本站专题页面，了解详细情况。</p></div></body></html>"
    )
    assert extract(html, URL).body == OTHER


def test_sections_marked_up_alike_are_one_text() -> None:
    """A page of sections, each a heading, a "更多" link and text (a poem's 原文, 译文及注释,
    创作背景, 赏析): the article is all of them, not the longest one."""
    sections = {
        "译文及注释": [
            "我有着深深思念的人，却相隔在远远的异乡。",
            "我有所感怀的事情，深深的刻在心上。",
        ]
        * 3,
        "创作背景": ["此诗写于元和六年，时年作者四十岁，是为一个与作者相爱的女子而写的作品。"],
        "赏析": ["这首诗不是当时所流行的工整的今体诗，它共有七句话，前四句大量地重复用字。"],
    }
    blocks = "".join(
        f"<div class='shangxi'><h3>{name}</h3><div><a href='/more'>更多</a></div>"
        f"<div>{''.join(f'<p>{p}</p>' for p in paras)}</div></div>"
        for name, paras in sections.items()
    )
    html = (
        "<html><head><title>夜雨_原文、翻译及赏析</title></head><body>"
        "<div class='nav'><a href='/'>首页</a> <a href='/s'>唐诗</a></div>"
        f"<div class='prose-left'><h1>夜雨</h1>{blocks}</div>"
        "<div class='right'><a href='/x'>白居易其他诗词</a></div></body></html>"
    )
    body = extract(html, "https://poems.example.com/1").body
    assert all(p in body for paras in sections.values() for p in paras)
