"""Threads (forums, Q&A, comment lists, 留言板): the body is the first post, found by structure."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from crawler.extract import extract

_OP = "我想请教一下各位，城市更新项目的资金应该怎么筹措，有没有成功的经验可以分享？谢谢大家。"
_REPLIES = [
    "我们区去年用了专项债加社会资本的方式，效果还可以，你可以去住建局问问具体的政策。",
    "同意楼上的说法，另外还可以关注一下省里的城市更新基金，申报窗口一般在每年三月份左右。",
    "这个问题很复杂，要看项目的性质，如果是老旧小区改造，中央财政有专门的补助资金可以申请。",
    "补充一点，申请前一定要把项目的可行性研究报告准备好，不然很难通过评审，我们吃过亏的。",
]


def _post(cls: str, floor: int, text: str, *, stamp: str) -> str:
    return (
        f"<div class='{cls}'><div class='author'>网友{floor}</div>"
        f"<div class='content'><p>{text}</p></div>"
        f"<div class='meta'>{floor}楼 {stamp}</div></div>"
    )


def _page(body: str, title: str = "城市更新项目资金怎么筹措") -> str:
    return (
        f"<html><head><title>{title}_论坛</title></head><body>"
        f"<div class='nav'><a href='/'>首页</a> <a href='/bbs'>论坛</a></div>"
        f"<h1>{title}</h1>{body}<div class='footer'>版权所有</div></body></html>"
    )


@pytest.mark.parametrize(
    "stamp",
    ["发表于 2023-07-06 23:12", "2005-5-7 21:23:57", "3 天前", "2 周前", "回复时间：2021-01-02"],
)
@pytest.mark.parametrize("replies", [2, 4])
def test_the_first_post_is_the_body_not_the_thread(stamp: str, replies: int) -> None:
    posts = [_OP, *_REPLIES[:replies]]
    html = _page(
        "<div class='thread'>"
        + "".join(_post("post", i + 1, t, stamp=stamp) for i, t in enumerate(posts))
        + "</div>"
    )
    got = extract(html, "http://bbs.example.org/t/1.html")
    assert got.body == _OP
    assert got.title == "城市更新项目资金怎么筹措"


def test_a_longer_reply_does_not_win_over_a_short_opening_post() -> None:
    op = "求助：城市更新项目的资金怎么筹措？"
    long_reply = "。".join(_REPLIES) * 3
    html = _page(
        "<ul>"
        + _post("post", 1, op, stamp="发表于 2023-07-06 23:12")
        .replace("div class='post'", "li class='post'", 1)
        .replace("</div></div>", "</div></li>", 1)
        + "<div class='replies'><ul>"
        + "".join(
            f"<li class='post'><div class='content'><p>{t}</p></div>"
            f"<div class='meta'>发表于 2023-07-0{i + 7} 0{i}:41</div></li>"
            for i, t in enumerate([long_reply, *_REPLIES])
        )
        + "</ul></div></ul>"
    )
    got = extract(html, "http://bbs.example.org/t/2.html")
    assert got.body == op
    assert got.published is not None and got.published.date().isoformat() == "2023-07-06"


_QUESTION = "我小区门口的路灯坏了三个多月，晚上出行很不安全，希望有关部门尽快维修，谢谢。"
_ANSWER = (
    "您好！经核实，该路段路灯因线路老化故障，我局已安排施工单位于本周内完成维修。感谢您的监督。"
)
_BOARD_ROWS = [
    ("留言标题", "关于小区门口路灯维修的问题"),
    ("留言人", "张先生"),
    ("留言时间", "2024-03-01 10:20"),
    ("留言内容", _QUESTION),
    ("回复单位", "市城市管理局"),
    ("回复时间", "2024-03-05 16:00"),
    ("回复内容", _ANSWER),
]


def _board_items() -> str:
    return (
        "<div class='item'><div class='label'>留言内容</div>"
        f"<div class='text'><p>{_QUESTION}</p></div>"
        "<div class='time'>留言时间：2024-03-01 10:20</div></div>"
        "<div class='item'><div class='label'>回复内容</div>"
        f"<div class='text'><p>{_ANSWER}</p></div>"
        "<div class='time'>回复时间：2024-03-05 16:00</div></div>"
    )


def _board_form() -> str:
    rows = "".join(f"<tr><td class='k'>{k}</td><td class='v'>{v}</td></tr>" for k, v in _BOARD_ROWS)
    return f"<table class='detail'>{rows}</table>"


@pytest.mark.parametrize("layout", [_board_items, _board_form])
def test_a_message_board_keeps_the_question_with_the_official_reply(
    layout: Callable[[], str],
) -> None:
    """A 留言板/问政 page, as labelled posts or as a key-value form: question and reply are the
    body, dated by the 留言时间."""
    html = _page(layout(), title="关于小区门口路灯维修的问题")
    got = extract(html, "http://wz.example.gov.cn/detail/9.html")
    assert _QUESTION in got.body and _ANSWER in got.body
    assert got.body.index(_QUESTION) < got.body.index(_ANSWER)
    assert got.published is not None and got.published.date().isoformat() == "2024-03-01"


def test_a_key_value_form_is_one_record_not_a_thread() -> None:
    """Rows of a form with dates (a 公示 of a project) are not posts: the body is not cut to
    the first row."""
    rows = [
        ("项目名称", "某某市城市更新示范项目"),
        ("建设单位", "某某城市建设投资有限公司"),
        ("公示时间", "2024-03-01 10:20"),
        (
            "项目概况",
            "项目位于某某区，总用地面积约十二公顷，拟建设住宅、商业及配套设施，总投资约二十亿元。",
        ),
        ("截止时间", "2024-03-08 17:00"),
    ]
    form = "".join(f"<tr><td class='k'>{k}</td><td class='v'>{v}</td></tr>" for k, v in rows)
    got = extract(
        _page(f"<table class='detail'>{form}</table>", title="某某市城市更新示范项目公示"),
        "http://www.example.gov.cn/gs/1.html",
    )
    assert "总用地面积约十二公顷" in got.body
    assert got.body != "项目名称\n某某市城市更新示范项目"


@pytest.mark.parametrize("dated", [True, False])
def test_news_paragraphs_and_comments_below_are_no_thread(dated: bool) -> None:
    paragraphs = [
        ("2024年5月9日，" if dated else "")
        + "青岛市党政代表团赴深圳考察学习智慧城市建设经验，双方举行座谈会。",
        ("5月10日上午，" if dated else "")
        + "代表团一行参观了深圳市政务服务数据管理局，详细了解数字政府建设情况。",
        "代表团表示，将深化两地合作，在数字经济、城市治理等领域加强交流，推动共同发展。",
        "座谈会上，深圳市有关负责同志介绍了近年来深圳在智慧城市建设方面的主要做法和成效。",
        "青岛市有关负责同志表示，深圳的经验做法值得学习借鉴，希望两地在更多领域开展务实合作。",
    ]
    article = (
        "<div class='article'>" + "".join(f"<p class='para'>{p}</p>" for p in paragraphs) + "</div>"
    )
    comments = (
        "<div class='comments'>"
        + "".join(
            _post("comment", i + 1, t, stamp="2024-05-10 12:00") for i, t in enumerate(_REPLIES[:3])
        )
        + "</div>"
    )
    html = _page(article + comments, title="青岛市党政代表团赴深圳考察学习")
    got = extract(html, "http://news.example.org/2024/05/10/1.html")
    assert got.body == "\n".join(paragraphs)


@pytest.mark.parametrize(
    "footer",
    [
        "Copyright © 2024 Example Games Corporation & Partner Corporation, LLC. All rights "
        "reserved. Example, Counter-Example and Example Online are trademarks and/or registered "
        "trademarks of Example Corporation.",
        "版权所有：某某网络科技有限公司，未经授权不得转载、摘编或利用其它方式使用上述作品，"
        "违者必究。地址：某某市某某区某某路一号，电话：010-12345678，邮编：100000，备案号。",
    ],
)
def test_a_short_post_wins_over_a_long_legal_footer(footer: str) -> None:
    op = "我的电脑分辨率是2560*1440，登录游戏全屏显示有的地方看不到了，这是什么问题？"
    html = _page(
        "<div class='thread'>"
        + _post("post", 1, op, stamp="发表于 2024-5-18 19:27:00")
        + _post("post", 2, "我知道，只有回去翻下之前的设置了。", stamp="发表于 2024-5-18 20:01:00")
        + "</div>"
        + f"<div class='ft'><p>{footer}</p></div>"
    )
    assert extract(html, "http://bbs.example.org/t/3.html").body == op


def test_a_thread_opened_by_a_hashtag_alone_keeps_its_title() -> None:
    """A first post of a few characters is no article; the page still yields one (its title,
    the scored text) rather than no article at all."""
    opening = (
        "<div class='post'><a class='author' href='/u/1'>网友1</a>"
        "<div class='content'><a href='/tag/1'>#求助#</a></div>"
        "<div class='meta'>1楼 2022-10-02 23:02</div></div>"
    )
    html = _page(
        "<div class='thread'>"
        + opening
        + "".join(
            _post("post", i + 2, t, stamp=f"{i + 2}楼 2022-10-03 0{i}:00")
            for i, t in enumerate(_REPLIES)
        )
        + "</div>"
    )
    got = extract(html, "http://bbs.example.org/t/4.html")
    assert got.title == "城市更新项目资金怎么筹措"
    assert got.body


def test_the_featured_answer_wins_over_longer_answers_below() -> None:
    """A Q&A page at an answer's address shows that answer first (dated, 编辑于), then more
    answers, longer and collapsed without dates: the featured one is the body."""
    featured = (
        "这是确实有震感，但是就是这样的强度不会造成过多的基础设施的损坏和损耗，大家不必过于担心。"
    )
    longer = "。".join(_REPLIES) + "。"

    def answer(text: str, stamp: str) -> str:
        return (
            "<div class='ContentItem AnswerItem'><div class='AuthorInfo'>答主</div>"
            f"<div class='RichContent'><p>{text}</p></div>{stamp}</div>"
        )

    html = _page(
        "<div class='Card AnswerCard'>"
        + answer(featured, "<div class='ContentItem-time'>编辑于 2023-03-01 15:45</div>")
        + "</div><div class='Card MoreAnswers'><div class='List'>"
        + "".join(f"<div class='List-item'>{answer(longer * 2, '')}</div>" for _ in range(3))
        + "</div></div>",
        title="泸定县发生4.8级地震，当地情况如何？",
    )
    got = extract(html, "https://qa.example.org/question/1/answer/2")
    assert got.body == featured
    assert got.published is not None and got.published.date().isoformat() == "2023-03-01"
