"""Which box holds the article, and which of its lines are article text.

Choosing the container (structure only, no site names):

1. Every line that looks like prose (``Line.is_good``: punctuated, few links) scores
   ``1 + punctuation + length/100`` for the box around its paragraph, half that for the next box
   up and a quarter for the one above (so a container of many paragraphs wins over any one of
   them); a box's score is scaled by its non-link share and its id/class vocabulary.
2. From the best box, climb to the parent while what the parent adds is substantial (at least
   half as much prose again) and at least two thirds prose (articles split over sibling
   ``<section>``s, text beside a ``<div>``); stop when it would add navigation, lists of links,
   comment threads or other furniture.

Cleaning the container's lines: drop sub-blocks that are mostly links (related news, tag
clouds), lines that are page furniture (editor and source credits, share and print bars,
copyright), bylines at the top, and everything after a related-news heading (延伸阅读,
此前报道, …) once the article has begun.

Threads (forums, Q&A, comment lists, microblogs, government 留言板/问政 pages): the body is the
first post (``first_post``). A thread is recognised by structure, not by site: sibling boxes of
one tag and class (the post containers), at least two of which carry a post's header or footer
line (a floor number, 楼主, 发表于/发布于/编辑于, 回复, a date and time, "3 天前"). On a Q&A
page at an answer's address, the answer shown first (dated) wins over "more answers" marked up
like it below. A 留言板 whose posts are labelled (留言内容, 回复内容, 办理结果), or set as a
key-value form, keeps the question with the official reply.

Documents under their headline (``below_headline``): a document whose body is a form or table
without sentences (行政处罚信息公开表) loses the scoring to punctuated furniture above its
headline; when the chosen box ends above the headline and holds less text than the headline's
section below it, the body is that section.
"""

from __future__ import annotations

__all__ = [
    "BYLINE_RE",
    "anchor_to_headline",
    "article_lines",
    "below_headline",
    "choose_container",
    "first_post",
]

import re
from collections.abc import Collection
from functools import lru_cache

from crawler.extract.layout import HEADINGS, Box, Layout, Line
from crawler.extract.vocabulary import (
    BYLINE_LABEL_RE,
    BYLINE_RE,
    CUT_MARKER_RE,
    NEGATIVE_ATTR_RE,
    POSITIVE_ATTR_RE,
    first_chars,
    is_furniture,
    search_at,
    text_key,
)

_BYLINE_START = first_chars(BYLINE_RE)
_BYLINE_LABEL_START = first_chars(BYLINE_LABEL_RE)
# A media player's controls and messages ("倍速", "正在为您切换到高清 480P,请稍候..."): never
# article text, however punctuated.
_PLAYER_RE = re.compile(r"player", re.IGNORECASE)
# A legal footer ("Copyright © 2024 … All rights reserved", 版权所有): punctuated and long in
# English, never the article however it scores.
_COPYRIGHT_RE = re.compile(r"\s*(?:copyright\b|©|\(c\)\s*\d{4}|版权所有|版權所有)", re.IGNORECASE)
# A link whose text is an address, on a line of its own or after a short label (文档：https://…):
# what the author points to (a project's source, a document), part of the text once the article
# has begun, unlike a link list.
_URL_LINE_RE = re.compile(r"^[^\s]{0,30}?(?:https?://|www\.)\S+$", re.IGNORECASE)
# A reference list's entry with its backlink ("^ 张三. 标题. 新华网. 2017-04-01 [2017-04-07]"):
# the sources of a wiki's text, not the text.
_CITATION = ("^ ", "^跳转", "^ 跳转")
_HEADLINE_TAGS = frozenset(("h1", "h2", "h3", "h4"))
_PARAGRAPH_TAGS = frozenset(("p", "li", "dd", "dt", "blockquote", "pre", "center", *HEADINGS))


@lru_cache(maxsize=1024)
def _attr_vocabulary(attrs: str) -> tuple[bool, bool]:
    """Whether an id/class label has article words, and whether it has furniture words.

    Cached: a site repeats its labels on every page, and the two searches cost more than the
    rest of the scoring of a box.
    """
    return bool(POSITIVE_ATTR_RE.search(attrs)), bool(NEGATIVE_ATTR_RE.search(attrs))


def _attr_weight(box: Box) -> float:
    if not box.attrs:
        return 1.0
    positive, negative = _attr_vocabulary(box.attrs)
    weight = 1.0
    if positive:
        weight *= 1.25
    if negative:
        weight *= 0.5
    return weight


def choose_container(layout: Layout) -> Box | None:
    """The box that holds the article text, or None when the page has no prose at all."""
    touched: list[Box] = []
    for line in layout.lines:
        if not line.is_good or _COPYRIGHT_RE.match(line.text) or line.text.startswith(_CITATION):
            continue
        score = 1.0 + min(line.punct, 12) + min(line.chars / 100.0, 3.0)
        box: Box | None = line.box
        if box is not None and box.tag in _PARAGRAPH_TAGS and box.parent is not None:
            box = box.parent
        weight = 1.0
        for _ in range(3):
            if box is None:
                break
            if box.score == 0.0:
                touched.append(box)
            box.score += score * weight
            weight *= 0.5
            box = box.parent
    if not touched:
        return None
    return _widen(max(touched, key=_value), layout=layout)


def _value(box: Box) -> float:
    """How much a box looks like the article container (its prose score, less links)."""
    return box.score * (1.0 - box.link_density) * _attr_weight(box)


def _widen(best: Box, *, end_line: int | None = None, layout: Layout | None = None) -> Box:
    """Climb from ``best`` while the parent adds substantial prose and little else (and, with
    ``end_line``, ends by that line). With ``layout``, also over a section's thin wrapper (its
    heading and "更多" link) when the sections beside it are marked up alike (a poem page's
    原文, 译文及注释, 创作背景 and 赏析)."""
    while best.parent is not None:
        parent = best.parent
        if end_line is not None and parent.end_line > end_line:
            break
        if _adds_prose(best, parent):
            best = parent
        elif layout is not None and _one_of_like_sections(best, parent, layout):
            best = parent.parent if parent.parent is not None else parent
        else:
            break
    return best


def _adds_prose(best: Box, wider: Box) -> bool:
    gain = wider.good - best.good
    junk = (wider.chars - wider.good) - (best.chars - best.good)
    return gain >= 20 and gain >= 0.5 * best.good and junk <= 0.5 * gain


def _one_of_like_sections(best: Box, wrapper: Box, layout: Layout) -> bool:
    """``wrapper`` adds only a heading's worth of text to ``best``, has a sibling of its own tag
    and class that holds prose, and the level above adds prose and little else."""
    up = wrapper.parent
    if (
        up is None
        or not wrapper.attrs
        or wrapper.good != best.good
        or wrapper.chars - best.chars > 20
        or not _adds_prose(best, up)
    ):
        return False
    return any(
        b is not wrapper and b.tag == wrapper.tag and b.attrs == wrapper.attrs and b.good > 0
        for b in _children(up, layout)
    )


def anchor_to_headline(container: Box, layout: Layout, headline_keys: frozenset[str]) -> Box:
    """The article under the page's headline, when ``container`` is another article further on.

    A short article followed by a feed of longer ones (a news summary above "你可能還想看", a
    快资讯 post above recommended posts) loses the scoring to one of them. The article is the
    prose that follows its headline: when a heading that is not the headline stands between
    the prose right under the headline and ``container``, ``container`` belongs to that other
    heading, and the article is the largest box around that prose that stops short of it.
    ``headline_keys`` are the ``text_key``s of the page's own title (meta titles, ``<title>``).
    """
    head = _headline_line(layout, headline_keys, before=container.first_line)
    if head is None:
        return container
    lines = layout.lines
    prose = next(
        (
            i
            for i in range(head + 1, container.first_line)
            if lines[i].is_good and lines[i].chars >= 20 and not _is_byline(lines[i])
        ),
        None,
    )
    if prose is None:
        return container
    other = next(
        (
            i
            for i in range(prose + 1, container.first_line)
            if _another_headline(lines[i], lines[head])
            and text_key(lines[i].text) not in headline_keys
        ),
        None,
    )
    if other is None:
        return container
    inside = [
        box
        for box in layout.boxes
        if box.score > 0.0 and box.first_line <= prose < box.end_line <= other
    ]
    return _widen(max(inside, key=_value), end_line=other) if inside else lines[prose].box


def _another_headline(line: Line, headline: Line) -> bool:
    """Whether ``line`` heads another article: an ``<h1>``–``<h4>`` (h5/h6 carry counters and
    captions) that links to it, or that is marked up as the page's headline is. A section
    heading of the article itself (a wiki's "历史沿革") is neither."""
    box = line.box
    if box.tag not in _HEADLINE_TAGS and (
        box.parent is None or box.parent.tag not in _HEADLINE_TAGS
    ):
        return False
    if line.link_chars * 2 > line.chars:
        return True
    return (box.tag, box.attrs) == (headline.box.tag, headline.box.attrs)


def _headline_line(layout: Layout, keys: frozenset[str], *, before: int) -> int | None:
    """The index of the first heading line before line ``before`` that is the page's title."""
    if not keys:
        return None
    for i, line in enumerate(layout.lines[:before]):
        if line.heading and text_key(line.text) in keys:
            return i
    return None


def _excluded_boxes(container: Box, layout: Layout, skip: Collection[Box]) -> set[int]:
    """Indexes of sub-boxes of ``container`` that are link lists or marked furniture."""
    excluded: set[int] = set()
    for box in layout.boxes[container.index + 1 : container.end_box]:
        if box.parent is not None and box.parent.index in excluded:
            excluded.add(box.index)
            continue
        if (
            box in skip
            or (
                box.chars >= 8
                and box.link_chars * 2 > box.chars
                and box.good * 2 < box.chars
                and not _address_box(box, layout)
            )
            or (box.attrs and box.good * 2 < box.chars and _attr_vocabulary(box.attrs)[1])
            or (box.attrs and _PLAYER_RE.search(box.attrs) is not None)
        ):
            excluded.add(box.index)
    return excluded


def _address_box(box: Box, layout: Layout) -> bool:
    """A block of one line that points to an address (``项目源码`` …
    ``<p><a>https://github.com/…</a></p>``): text, not a link list."""
    return (
        box.end_line - box.first_line == 1
        and _URL_LINE_RE.search(layout.lines[box.first_line].text) is not None
    )


def article_lines(
    container: Box,
    layout: Layout,
    *,
    title_keys: frozenset[str] = frozenset(),
    skip: Collection[Box] = (),
) -> list[Line]:
    """The article text lines of ``container``, furniture removed (see the module docstring).

    ``title_keys`` are the ``text_key``s of the page's title candidates: such a line, and what
    precedes it, is the header, not the article. ``skip`` are boxes to leave out entirely (the
    policy metadata table).
    """
    excluded = _excluded_boxes(container, layout, skip)
    candidates = [
        line
        for line in layout.lines[container.first_line : container.end_line]
        if line.box.index not in excluded
    ]
    total = sum(line.chars for line in candidates) or 1
    kept: list[Line] = []
    seen = 0
    started = False
    for line in candidates:
        text = line.text
        if line.link_chars * 2 > line.chars and not (started and _URL_LINE_RE.search(text)):
            seen += line.chars
            continue
        if started and len(text) <= 40 and seen >= 0.3 * total and CUT_MARKER_RE.match(text):
            break
        seen += line.chars
        if is_furniture(text) or text.startswith(_CITATION):
            continue
        if not started:
            if title_keys and text_key(text) in title_keys:
                kept.clear()  # the headline: what came before it is the page header
                continue
            if _is_byline(line):
                continue
            if line.is_good and not line.heading:
                started = True
        kept.append(line)
    while kept and _is_byline(kept[-1], bare_date=False):
        kept.pop()
    return kept


def _is_byline(line: Line, *, bare_date: bool = True) -> bool:
    """A short dateline/credit line ("2020-06-05 20:35 来源：…"), not a sentence of prose.

    Without ``bare_date`` a line needs a label (来源：, 发布时间, ...): a lone date at the end of
    a government document is its signature date, part of the text.
    """
    text = line.text
    if len(text) > 80 or "，" in text or "。" in text or text[0] in "（(":
        return False
    if bare_date:
        return search_at(BYLINE_RE, _BYLINE_START, text) is not None
    return bool(_BYLINE_LABEL_START.search(text) and BYLINE_LABEL_RE.search(text))


# A post's header or footer line: floor numbers, 楼主/沙发, "发表于 …", a date with a time of day,
# "3 天前", reply and like counters. Only short lines count (a sentence of prose that mentions
# 回复 is no marker).
_POST_MARK_RE = re.compile(
    r"\d+\s*[楼樓#]|[#＃]\s*\d+|楼主|樓主|沙发|沙發|板凳|发表于|發表於|发布于|發佈於|编辑于|編輯於|"
    r"回复于|回覆於|(?:留言|回复|回覆|答复|提问)(?:时间|時間|日期)|\d{1,2}:\d{2}|"
    r"\d+\s*(?:秒|分钟|分鐘|小时|小時|天|周|週|个月|個月|年)前|"
    r"\d+\s*(?:条回复|條回覆|个回答|有用|赞同|贊同)"
)
# The official answer on a 留言板/问政 page: it belongs to the body with the question.
_REPLY_LABEL_RE = re.compile(
    r"(?:回复|回覆|答复|答覆|办理|辦理|处理|處理)(?:内容|內容|结果|結果|意见|意見|单位|單位|部门|部門)"
)
_POST_MARK_MAX = 60
_MIN_POSTS = 2


def _post_marked(box: Box, layout: Layout) -> bool:
    for line in layout.lines[box.first_line : box.end_line]:
        if line.chars <= _POST_MARK_MAX and _POST_MARK_RE.search(line.text):
            return True
    return False


def _is_post_text(line: Line) -> bool:
    """A line of what the post says, not its header or footer ("发布于 2023-07-06 23:12")."""
    return line.is_good and not (
        line.chars <= _POST_MARK_MAX and _POST_MARK_RE.search(line.text) is not None
    )


def _has_reply_label(box: Box, layout: Layout) -> bool:
    return any(
        line.chars <= 20 and _REPLY_LABEL_RE.search(line.text)
        for line in layout.lines[box.first_line : box.end_line]
    )


def _children(parent: Box, layout: Layout) -> list[Box]:
    """``parent``'s child boxes, skipping over each child's subtree (boxes are in document
    order and a box's subtree ends at its ``end_box``)."""
    kids: list[Box] = []
    boxes = layout.boxes
    i = parent.index + 1
    while i < parent.end_box:
        kids.append(boxes[i])
        i = max(boxes[i].end_box, i + 1)
    return kids


def _posts(parent: Box, member: Box, layout: Layout) -> list[Box] | None:
    """The siblings of ``member`` under ``parent`` that share its tag and class, when they look
    like the posts of a thread (two or more with text, two or more with a post marker)."""
    if not member.attrs and member.tag not in ("li", "article", "tr"):
        return None
    siblings = [
        b
        for b in _children(parent, layout)
        if b.tag == member.tag and b.attrs == member.attrs and b.chars
    ]
    if len(siblings) < _MIN_POSTS:
        return None
    # A post has a header or footer besides its text: one line alone is a paragraph.
    multi = [b for b in siblings if b.end_line - b.first_line >= 2]
    if len(multi) < _MIN_POSTS:
        return None
    marked = sum(1 for b in siblings[:12] if _post_marked(b, layout))
    if marked < _MIN_POSTS:
        return None
    # Rows of a key-value form (留言时间 | 2024-03-01) are one record, not posts, unless the
    # form is a 留言板's question and reply (then ``_choose_post`` takes the whole form).
    if all(_form_row(b, layout) for b in siblings) and not any(
        _has_reply_label(b, layout) for b in siblings[:12]
    ):
        return None
    return siblings


def _form_row(box: Box, layout: Layout) -> bool:
    """A row of a key-value form: a short label, then at most one line of value."""
    if box.end_line - box.first_line > 2:
        return False
    label = layout.lines[box.first_line]
    return label.chars <= 8 and label.punct == 0


def _inner_best(post: Box, layout: Layout) -> Box:
    """The article box of one post: its best-scoring box that holds more than post furniture."""
    inside = [
        b
        for b in layout.boxes[post.index : post.end_box]
        if b.score > 0.0
        and any(_is_post_text(line) for line in layout.lines[b.first_line : b.end_line])
    ]
    if not inside:
        return post
    # Not widened: a post's header and footer lines (dates with a time) read as prose to
    # ``_widen``, which would take them in.
    return max(inside, key=_value)


def first_post(container: Box, layout: Layout) -> tuple[Box, tuple[Box, ...]]:
    """The first post when ``container`` is a thread or a later post of one (see the module
    docstring), else ``container``; and the replies to leave out of it: the comment thread
    below an entry (a blog post, an article) inside the same container."""
    # The container is one of the posts (or inside one): climb to the post it belongs to.
    box: Box | None = container
    path: list[Box] = []
    for _ in range(8):
        if box is None or box.parent is None:
            break
        path.append(box)
        posts = _posts(box.parent, box, layout)
        if posts is not None:
            return _choose_post(posts, layout, container), ()
        featured = _featured_post(path, layout)
        if featured is not None:
            return featured, ()
        box = box.parent
    # The container holds the posts: its nearest descendants repeated with post markers.
    seen: set[tuple[int, str, str]] = set()  # each group of siblings is looked at once
    for child in layout.boxes[container.index + 1 : container.end_box]:
        if child.parent is None or child.chars == 0:
            continue
        signature = (child.parent.index, child.tag, child.attrs)
        if signature in seen:
            continue
        seen.add(signature)
        posts = _posts(child.parent, child, layout)
        if posts is None or posts[0] is not child:
            continue
        if sum(p.good for p in posts) * 10 >= _prose(container, layout) * 6:
            return _choose_post(posts, layout, container), ()
        # Most of the container's prose is outside the posts: an entry with comments below.
        entry = next(
            (
                line
                for line in layout.lines[container.first_line : child.first_line]
                if line.is_good
            ),
            None,
        )
        return container, (tuple(posts) if entry is not None else ())
    return container, ()


def _featured_post(path: list[Box], layout: Layout) -> Box | None:
    """The post shown first when the container is a later item of a list of like posts: a Q&A
    page's featured answer (the one its address names) above "more answers" that carry no
    post markers of their own. ``path`` runs from the container up to a box with a sibling of
    its own tag and class; a box earlier on the page marked up as one of ``path``'s boxes,
    with a post marker and prose, is that post."""
    member = path[-1]
    parent = member.parent
    if parent is None or not member.attrs:
        return None
    like = [b for b in _children(parent, layout) if b.tag == member.tag and b.attrs == member.attrs]
    if len(like) < _MIN_POSTS:
        return None
    signatures = {(b.tag, b.attrs) for b in path if b.attrs}
    for box in layout.boxes[: like[0].index]:
        if (box.tag, box.attrs) in signatures and box.good >= 50 and _post_marked(box, layout):
            return _inner_best(box, layout)
    return None


def _prose(box: Box, layout: Layout) -> int:
    """The prose characters of ``box``, less legal footers (which read as prose)."""
    return sum(
        line.chars - line.link_chars
        for line in layout.lines[box.first_line : box.end_line]
        if line.is_good and not _COPYRIGHT_RE.match(line.text)
    )


def _choose_post(posts: list[Box], layout: Layout, container: Box) -> Box:
    """The first post's article box; on a 留言板 (a post or form row labelled as the official
    reply among the first dozen) the box holding the question and the reply."""
    posts = _with_opening_post(posts, layout)
    first = next((p for p in posts if p.chars - p.link_chars >= 10), posts[0])
    if first.parent is not None and any(_has_reply_label(p, layout) for p in posts[:12]):
        return first.parent
    if first.contains(container):
        return container
    return _inner_best(first, layout)


def _with_opening_post(posts: list[Box], layout: Layout) -> list[Box]:
    """``posts`` with the opening post in front when the replies are nested a level or two
    below it (``<li class=post>`` for the opening post, then a block holding the replies as
    ``<li class=post>``s): the earliest box of the posts' tag and class in their near ancestors."""
    head = posts[0]
    scope = head.parent
    for _ in range(3):
        if scope is None or scope.parent is None:
            break
        scope = scope.parent
    if scope is None:
        return posts
    for box in layout.boxes[scope.index + 1 : head.index]:
        if (
            box.tag == head.tag
            and box.attrs == head.attrs
            and box.chars
            and not box.contains(head)
            and _post_marked(box, layout)
        ):
            return [box, *posts]
    return posts


def _headline_span(layout: Layout, title: str) -> tuple[int, int] | None:
    """The first and last line of the headline as the page shows it: a heading (or an element
    whose id/class says "title") equal to ``title``, or two or three such lines that make it up
    (a document title with its 文号 on a line of its own)."""
    key = text_key(title)
    lines = layout.lines
    for i, line in enumerate(lines):
        if not _titled(line):
            continue
        first = text_key(line.text)
        if len(first) < 4 or not key.startswith(first):
            continue
        whole, end = first, i
        while whole != key and end + 1 < len(lines) and end - i < 2:
            more = whole + text_key(lines[end + 1].text)
            if more == whole or not key.startswith(more):
                break
            whole, end = more, end + 1
        if whole == key:
            # A title-class line right below (the 文号 in brackets, a subtitle) is header too.
            while end + 1 < len(lines) and lines[end + 1].chars <= 40 and _titled(lines[end + 1]):
                end += 1
            return i, end
    return None


def _titled(line: Line) -> bool:
    box = line.box
    return (
        line.heading
        or _says_title(box.attrs)
        or (box.parent is not None and _says_title(box.parent.attrs))
    )


@lru_cache(maxsize=1024)
def _says_title(attrs: str) -> bool:
    return "title" in attrs.lower()


def below_headline(layout: Layout, container: Box, title: str) -> tuple[Box, int] | None:
    """The article under the headline when ``container`` ends above it (a sidebar or a news
    list scored higher than a document whose body is a form or table without sentences): the
    nearest box around the headline that holds substantial text below it, at least as much as
    the container, and the headline's last line. None when the container is where it should
    be."""
    span = _headline_span(layout, title)
    if span is None or container.end_line > span[0]:
        return None
    start, end = span
    box: Box | None = layout.lines[start].box
    while box is not None:
        below = sum(
            line.chars - line.link_chars
            for line in layout.lines[end + 1 : box.end_line]
            if line.link_chars * 2 <= line.chars
        )
        if below >= 50:
            # Only a container with less text than the headline's section gives way to it (a
            # long post above a repeat of its title in a list further down stays).
            own = container.chars - container.link_chars
            return (box, end) if below >= own else None
        box = box.parent
    return None
