"""Publication dates as Chinese news and government pages write them.

Recognised: ``2021年05月12日 08:30``, ``2021-05-12 08:30:00``, ``2021/5/12``, ``2021.05.12``,
ISO 8601 with an offset (``2021-05-12T08:30:00+08:00``, ``...Z``), Chinese numerals
(``二〇二一年五月十二日``), Unix timestamps, and URL patterns (``/2021-05/12/``, ``t20210512_``,
``/20210512/``, ``/202105/12/``, ``/2021/0512/``). A value without an offset is read in the
configured zone; a value with one is converted to it. Nothing here guesses a missing year.

Of a government document's two dates, the publication date is its 发布日期 (when the public
could read it), not its 成文日期 (when it was signed, often days earlier): a labelled search
takes a 成文日期 only when no other label has a date. The policy table keeps both
(``PolicyMeta.written_date`` and ``published_date``).
"""

from __future__ import annotations

__all__ = [
    "DATE_LABEL_RE",
    "FoundDate",
    "date_from_url",
    "find_date",
    "parse_cn_numeral_date",
    "parse_timestamp",
]

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

from crawler.extract.vocabulary import DATE_LABEL_RE, first_chars

_LATEST_YEAR = date.today().year + 1

_DATE_RE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?P<sep>[-/.年])\s*(?P<m>\d{1,2})\s*[-/.月]\s*"
    r"(?P<d>\d{2}(?=\d{1,2}[:：])|\d{1,2}(?!\d))\s*日?"
    r"(?:(?:\s*|T|\s*日\s*)(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{2})(?:\s*[:：分]\s*(?P<S>\d{2}))?"
    r"(?:\.\d+)?\s*(?P<tz>Z|[+-]\d{2}:?\d{2}(?!\d))?)?"
)
_DATE_LABEL_START = first_chars(DATE_LABEL_RE)
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {
    "零": 0,
    "○": 0,
    "Ｏ": 0,
    "O": 0,
}
_CN_DATE_RE = re.compile(
    r"(?P<y>[〇零○ＯO一二三四五六七八九]{4})\s*年\s*(?P<m>[一二三四五六七八九十]{1,3})\s*月"
    r"\s*(?P<d>[一二三四五六七八九十]{1,3})\s*日"
)
_URL_PATTERNS = (
    re.compile(r"(?<!\d)(?P<y>20\d{2})-(?P<m>\d{2})/(?P<d>\d{2})(?!\d)"),  # /2021-05/12/
    re.compile(r"(?<!\d)(?P<y>20\d{2})-(?P<m>\d{2})-(?P<d>\d{2})(?!\d)"),  # /2021-05-12/
    re.compile(r"[/_t](?P<y>20\d{2})(?P<m>\d{2})(?P<d>\d{2})(?:[/_.]|\d{2,}[/_.])"),  # t20210512_
    re.compile(r"/(?P<y>20\d{2})(?P<m>\d{2})/(?P<d>\d{2})/"),  # /202105/12/
    re.compile(r"/(?P<y>20\d{2})/(?P<m>\d{2})(?P<d>\d{2})/"),  # /2021/0512/
    re.compile(r"/(?P<y>20\d{2})/(?P<m>\d{1,2})/(?P<d>\d{1,2})/"),  # /2021/5/12/
)


@dataclass(frozen=True)
class FoundDate:
    """A date found in text: the moment and whether the text also gave a time of day."""

    value: datetime
    has_time: bool


def _make(
    y: int, m: int, d: int, hh: int, mm: int, ss: int, offset: str | None, tz: tzinfo
) -> datetime | None:
    if not 1990 <= y <= _LATEST_YEAR:
        return None
    try:
        if offset:
            if offset == "Z":
                zone: tzinfo = UTC
            else:
                sign = -1 if offset[0] == "-" else 1
                digits = offset[1:].replace(":", "")
                zone = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
            return datetime(y, m, d, hh, mm, ss, tzinfo=zone).astimezone(tz)
        return datetime(y, m, d, hh, mm, ss, tzinfo=tz)
    except (ValueError, OverflowError):
        return None


def find_date(text: str, tz: tzinfo, *, labelled: bool = False) -> FoundDate | None:
    """The first valid date in ``text`` (with ``labelled``, only one right after a label such
    as 发布时间：)."""
    if labelled:
        return _labelled_date(text, tz)
    for m in _DATE_RE.finditer(text):
        if m["sep"] == "." and m["H"] is None and len(m["m"]) == 1 and len(m["d"]) == 1:
            continue  # "2019.9.7" is more often a version number than a date
        has_time = m["H"] is not None
        hh, mm, ss = (int(m["H"]), int(m["M"]), int(m["S"] or 0)) if has_time else (0, 0, 0)
        if has_time and (hh > 23 or mm > 59 or ss > 59):
            hh = mm = ss = 0
            has_time = False
        value = _make(int(m["y"]), int(m["m"]), int(m["d"]), hh, mm, ss, m["tz"], tz)
        if value is not None:
            return FoundDate(value, has_time)
    cn = parse_cn_numeral_date(text, tz)
    return FoundDate(cn, False) if cn is not None else None


def _labelled_date(text: str, tz: tzinfo) -> FoundDate | None:
    """The date after the first label that has one; a 成文日期 (the day a document was signed)
    only when no other label has a date, as the publication date is the 发布日期 (the day the
    public could read it), which government pages print beside it."""
    first = _DATE_LABEL_START.search(text)  # no label begins before it
    if first is None:
        return None
    written: FoundDate | None = None
    for label in DATE_LABEL_RE.finditer(text, first.start()):
        after = text[label.end() : label.end() + 40].lstrip()
        found = find_date(after, tz) or _short_year(after, tz)
        if found is None:
            continue
        if not text[max(0, label.start() - 4) : label.start()].rstrip().endswith("成文"):
            return found
        written = written or found
    if written is None:  # "2020.03.11 10:51发布于知产资料": the date before its verb
        before = _DATE_BEFORE_LABEL_RE.search(text)
        if before is not None:
            return find_date(before[0], tz)
    return written


# A date written before its verb: "2020.03.11 10:51发布于…", "2005-5-7 21:23:57 发表".
_DATE_BEFORE_LABEL_RE = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    r"(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?(?=\s*(?:发布|发表|發佈|發表)(?:于|於)?)"
)
_SHORT_YEAR_RE = re.compile(
    r"^(?P<y>\d{2})-(?P<m>\d{1,2})-(?P<d>\d{2}(?=\d{1,2}:)|\d{1,2}(?!\d))"
    r"(?:\s*(?P<H>\d{1,2}):(?P<M>\d{2}))?"
)


def _short_year(text: str, tz: tzinfo) -> FoundDate | None:
    """``18-03-08 23:16`` right after a label: a two-digit year of this century."""
    m = _SHORT_YEAR_RE.match(text)
    if m is None:
        return None
    has_time = m["H"] is not None and int(m["H"]) < 24
    hh, mm = (int(m["H"]), int(m["M"])) if has_time else (0, 0)
    value = _make(2000 + int(m["y"]), int(m["m"]), int(m["d"]), hh, mm, 0, None, tz)
    return FoundDate(value, has_time) if value is not None else None


def _cn_number(s: str) -> int | None:
    if "十" not in s:
        return _CN_DIGITS.get(s) if len(s) == 1 else None
    tens, _, units = s.partition("十")
    t = _CN_DIGITS.get(tens, 0) if tens else 1
    u = _CN_DIGITS.get(units, 0) if units else 0
    return t * 10 + u


def parse_cn_numeral_date(text: str, tz: tzinfo) -> datetime | None:
    """``二〇二一年五月十二日`` → 2021-05-12 00:00 in ``tz``."""
    m = _CN_DATE_RE.search(text)
    if m is None:
        return None
    year = int("".join(str(_CN_DIGITS[c]) for c in m["y"]))
    month, day = _cn_number(m["m"]), _cn_number(m["d"])
    if month is None or day is None:
        return None
    return _make(year, month, day, 0, 0, 0, None, tz)


def parse_timestamp(value: str, tz: tzinfo) -> datetime | None:
    """A Unix timestamp in seconds or milliseconds (as WeChat and many CMSs embed them)."""
    try:
        number = int(value)
    except ValueError:
        return None
    if number > 10**11:
        number //= 1000
    try:
        moment = datetime.fromtimestamp(number, tz=UTC).astimezone(tz)
    except (ValueError, OverflowError, OSError):
        return None
    return moment if 1990 <= moment.year <= _LATEST_YEAR else None


def date_from_url(url: str, tz: tzinfo) -> datetime | None:
    """The date a URL path encodes, if it follows one of the common CMS patterns."""
    path = url.split("?", 1)[0]
    for pattern in _URL_PATTERNS:
        for m in pattern.finditer(path):
            value = _make(int(m["y"]), int(m["m"]), int(m["d"]), 0, 0, 0, None, tz)
            if value is not None:
                return value
    return None
