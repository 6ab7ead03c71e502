"""Text helpers for tagging: Traditional -> Simplified folding, sentences, dates in Chinese news."""

from __future__ import annotations

__all__ = [
    "Sentence",
    "date_in",
    "fold",
    "resolve_day",
    "sentences",
    "side_segments",
    "site_name_spans",
    "work_title_spans",
]

import functools
import re
from datetime import date, timedelta
from typing import NamedTuple

import opencc


@functools.cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def fold(text: str) -> str:
    """Fold ``text`` to Simplified Chinese, keeping its length so offsets stay valid.

    OpenCC's phrase conversion almost always maps n characters to n; where it does not, the
    text is folded one character at a time (a character whose folding is longer stays as is).
    """
    cc = _converter()
    out: str = cc.convert(text)
    if len(out) == len(text):
        return out
    chars = []
    for ch in text:
        folded = cc.convert(ch)
        chars.append(folded if len(folded) == 1 else ch)
    return "".join(chars)


class Sentence(NamedTuple):
    """A sentence of the folded text at ``start:end``. (A named tuple: each article is cut into
    dozens, and a frozen dataclass takes four times as long to build.)"""

    start: int
    end: int
    # 0 for the title, then 1, 2, ... over the body (the field hides tuple.index, which no
    # caller wants of a sentence)
    index: int  # type: ignore[assignment]
    paragraph: int


_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
MAX_SENTENCE = 300  # characters; longer runs without a full stop are cut (lists, tables, junk)


def sentences(text: str, title_end: int) -> list[Sentence]:
    """Split ``text`` (title, newline, body) into sentences; the title is sentence 0."""
    out = [Sentence(0, title_end, 0, 0)]
    start = title_end + 1
    paragraph = 1
    index = 1
    ends = [m.end() for m in _SENTENCE_END.finditer(text, start)]
    if not ends or ends[-1] < len(text):
        ends.append(len(text))
    for end in ends:
        while end - start > MAX_SENTENCE:
            out.append(Sentence(start, start + MAX_SENTENCE, index, paragraph))
            index += 1
            start += MAX_SENTENCE
        if end - start > 1:
            out.append(Sentence(start, end, index, paragraph))
            index += 1
        if text[end - 1 : end] == "\n":
            paragraph += 1
        start = end
    return out


_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_DATE = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
_YEAR = re.compile(r"(?<!\d)(\d{4})\s*年")
_RELATIVE = {"今天": 0, "今日": 0, "昨天": -1, "昨日": -1, "前天": -2}


def resolve_day(year: int | None, month: int, day: int, published: date | None) -> date | None:
    """The date of ``month``/``day`` (and ``year`` when the text gives one): without a year, the
    year of ``published``, or the year before when that would put it more than a week after
    publication; None when it is no date or no year can be had."""
    explicit = year is not None
    if year is None:
        if published is None:
            return None
        year = published.year
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    if not explicit and published and found > published + timedelta(days=7):
        try:
            found = found.replace(year=year - 1)
        except ValueError:
            return None
    return found


def date_in(text: str, published: date | None) -> tuple[date | None, bool]:
    """The date of an event told in ``text``, and whether the text is dated in another year.

    ``5月11日`` takes its year from ``published`` (the year before when that would put it more
    than a week after publication); without ``published`` it stays unknown. ``昨天``/``今天``
    count from ``published``. The flag is True when the text names a year other than the
    publication year (any year when that is unknown): background, not the news of the day.
    """
    text = text.translate(_DIGITS)
    years = [int(y) for y in _YEAR.findall(text)]
    background = any(y != published.year for y in years) if published else bool(years)
    m = _DATE.search(text)
    if m:
        year_text, month, day = m.groups()
        year = int(year_text) if year_text else None
        return resolve_day(year, int(month), int(day), published), background
    if published:
        for word, delta in _RELATIVE.items():
            if word in text:
                return published + timedelta(days=delta), background
    return None, background


# A title carries the site's name before or after the headline: 保定市人民政府网——…,
# …_陇南市人民政府, …--科协动态--儋州市科协技术协会, 衡水市人民政府图片新闻….
_TITLE_SEPARATOR = re.compile(r"_+|——|--|｜|\||\s*[-–]\s*")
_SITE_SEGMENT = re.compile(
    r"人民政府|政府网|门户网站|网站$|网$|频道$|专题$|动态$|首页$|新闻$|要闻$|科协|协会$|信息公开"
    r"|政务公开|史志$|^今日[\u4e00-\u9fff]{2,4}$"  # a site's news column (今日儋州)
    # a body's own site at the end of the line (…-工作要闻-临汾市信访局)
    # (…_沧州仲裁委员会: a body named after its city without 市)
    r"|^[\u4e00-\u9fff]{2,8}[市县区]?(?:[\u4e00-\u9fff]{1,6}(?:局|委员会|办公室|中心)|[\u4e00-\u9fff]{0,4}(?:供销社|联合社|联社))。?$"
)
_SITE_PREFIX = re.compile(
    r"[\u4e00-\u9fff]{2,12}?人民政府(?:网|门户网站)?[\u4e00-\u9fff]{0,4}?(?:图片新闻|要闻|新闻|动态|图片)"
)


# The site's name glued to a headline the body repeats (衡水市人民政府宣传阐释…,
# 沙洋县人民政府今日沙洋全县…): the government's name, perhaps a 今日… column, then the headline.
_SITE_GLUED = re.compile(
    r"[\u4e00-\u9fff]{2,12}?人民政府(?:网|门户网站)?(?:今日[\u4e00-\u9fff]{2,4}?)?"
    # a column or two between (武威市人民政府市政府其他会议市政府党组召开…, 萍乡市人民政府政务动态…)
    r"[^，。；、\s]{0,16}?"
)
_BODY_SITE_GLUED = re.compile(
    r"[\u4e00-\u9fff]{2,16}?(?:委员会|局|办公室)(?:政务要闻|工作动态|要闻|动态|新闻)"
)
_HEADLINE_START = 6  # characters of the headline that must follow
_GLUED_SITE_MAX = 20  # how far into the body the site's name may end


def glued_site_span(body: str, headline: str, offset: int = 0) -> tuple[int, int] | None:
    """Where ``body`` (the first body sentence) opens with the site's name, perhaps with a
    今日… column or a column of a few words, glued to the repeated ``headline``, or None;
    shifted by ``offset``."""
    if len(headline) < _HEADLINE_START:
        return None
    ahead = "(?=" + re.escape(headline[:_HEADLINE_START]) + ")"
    if "人民政府" in body[:_GLUED_SITE_MAX]:
        m = re.match(_SITE_GLUED.pattern + ahead, body)
    else:  # 荆门市国有资产监督管理委员会政务要闻中荆集团赴…: a body's site and its column
        m = re.match(_BODY_SITE_GLUED.pattern + ahead, body)
    return (offset, offset + m.end()) if m else None


def _headline_and_sides(
    title: str, headline_text: str = ""
) -> tuple[tuple[int, int], list[tuple[int, int]]]:
    """The headline of ``title`` (its longest segment between separators) and the others. Given
    the article's ``headline_text`` (``title`` is a first body sentence repeating it), a longest
    segment that holds nothing of it is no headline (…专项行动——走进诺得物流、斯诺物联|镇江市人民
    政府国有资产监督管理委员会): the longest that does is."""
    cuts = [0]
    for sep in _TITLE_SEPARATOR.finditer(title):
        cuts += [sep.start(), sep.end()]
    cuts.append(len(title))
    segments = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2)]
    headline = max(segments, key=lambda seg: seg[1] - seg[0])
    whole = _letters(headline_text)
    if len(whole) >= _HEADLINE_START and not _shares_run(title[headline[0] : headline[1]], whole):
        inside = [seg for seg in segments if _shares_run(title[seg[0] : seg[1]], whole)]
        if inside:
            headline = max(inside, key=lambda seg: seg[1] - seg[0])
    return headline, [seg for seg in segments if seg != headline]


def _shares_run(segment: str, whole: str) -> bool:
    """``segment`` holds a run of ``_HEADLINE_START`` characters of ``whole``."""
    letters = _letters(segment)
    n = _HEADLINE_START
    # the runs of the shorter one, each looked for in the other: the same answer, fewer tries (a
    # first body sentence runs to 300 characters, the headline to a few dozen)
    short, long = sorted((letters, whole), key=len)
    return any(short[i : i + n] in long for i in range(len(short) - n + 1))


_NOT_LETTER = re.compile(r"[^\u4e00-\u9fff0-9A-Za-z]+")


def _letters(text: str) -> str:
    """``text`` without punctuation and spaces (titles in the data often lose theirs)."""
    return _NOT_LETTER.sub("", text)


def side_segments(title: str, offset: int = 0) -> list[tuple[int, int]]:
    """The segments of ``title`` around its headline (…框架协议-山西忻州 gives 山西忻州),
    shifted by ``offset``."""
    return [(a + offset, b + offset) for a, b in _headline_and_sides(title)[1]]


# A work's title in 《》 that names no document (《习近平在厦门》, a book; not 《…实施方案》).
_WORK = re.compile(r"《([^《》]{2,30})》")
_DOCUMENT_WORD = re.compile(
    r"方案|规划|条例|办法|意见|措施|细则|规定|计划|纲要|通知|通告|公告|决定|指引|清单|政策|规范|标准"
    r"|导则|批复|协议|备忘录|公报|报告|法|宣言|章程|白皮书|目录|名录|意向书|倡议"
    # a body's rules and work plans (《陇南市…选拔任用操作规程（试行）》, 《…年外事工作要点》)
    r"|规程|要点|规则|准则|制度|守则|须知"
    # a speech or instruction in 《》 (《习近平总书记在承德考察时的重要讲话精神》) is the place's
    r"|讲话|精神|指示|批示|论述|考察|调研|视察|贺信|回信|致辞"
)


def work_title_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` names a work (book, film, programme) in 《》 that is no document, and the
    same words elsewhere (a headline that drops the 《》): places there are the work's."""
    works = {m.group(1) for m in _WORK.finditer(text) if not _DOCUMENT_WORD.search(m.group(1))}
    spans: list[tuple[int, int]] = []
    for work in works:
        at = text.find(work)
        while at >= 0:
            spans.append((at, at + len(work)))
            at = text.find(work, at + len(work))
    return spans


def site_name_spans(title: str, offset: int = 0, headline: str = "") -> list[tuple[int, int]]:
    """Where ``title`` holds the publishing site's name rather than the headline: the segments
    around the headline (the longest segment) that name a government site, column or section,
    and a ``X市人民政府图片新闻`` run before the headline. Places there are the site's, not the
    story's; a segment ending a first body sentence is read without its full stop (…-漳州要闻。).
    Spans are shifted by ``offset`` (where ``title`` starts in the article); ``headline``, the
    article's title when ``title`` is a first body sentence, marks the segments repeating it."""
    headline_span, sides = _headline_and_sides(title, headline)
    spans = [(a, b) for a, b in sides if _SITE_SEGMENT.search(title[a:b].strip().rstrip("。"))]
    prefix = _SITE_PREFIX.match(title, headline_span[0])
    if prefix and prefix.end() < headline_span[1]:
        spans.append((headline_span[0], prefix.end()))
    return [(a + offset, b + offset) for a, b in spans]
