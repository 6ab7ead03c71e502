"""Text helpers for tagging: Traditional -> Simplified folding, sentences, dates in Chinese news."""

from __future__ import annotations

__all__ = ["Sentence", "date_in", "fold", "resolve_day", "sentences"]

import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta

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


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    index: int  # 0 for the title, then 1, 2, ... over the body
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
