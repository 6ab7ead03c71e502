"""Themes by weighted keywords, and the article's kind (visit, policy, other)."""

from __future__ import annotations

__all__ = ["ThemeScorer", "kind_of"]

import math
import re
from dataclasses import dataclass

import ahocorasick_rs

from crawler.base.taxonomy import Theme
from crawler.tag.text import fold

BODY_UNIT = 400  # characters; a longer body needs proportionally (sqrt) more evidence


@dataclass(frozen=True, slots=True)
class _Keyword:
    theme: int
    weight: float  # negative for negative keywords


class ThemeScorer:
    """Scores every theme on one article with a single automaton pass."""

    def __init__(self, themes: tuple[Theme, ...]) -> None:
        self.themes = themes
        table: dict[str, list[_Keyword]] = {}
        for t, theme in enumerate(themes):
            for phrase, weight in theme.keywords.items():
                table.setdefault(fold(phrase), []).append(_Keyword(t, weight))
            for phrase, weight in theme.negative.items():
                table.setdefault(fold(phrase), []).append(_Keyword(t, -weight))
        self._patterns = list(table)
        self._keywords = [tuple(table[p]) for p in self._patterns]
        self._ac = (
            ahocorasick_rs.AhoCorasick(
                self._patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
            )
            if self._patterns
            else None
        )

    def score(self, text: str, title_end: int) -> list[tuple[str, int, int]]:
        """Themes that pass, as (id, start, end) of their best evidence match, in theme order."""
        if self._ac is None:
            return []
        counts: dict[int, list[float]] = {}  # pattern -> [title hits, body hits, first start]
        for idx, start, _end in self._ac.find_matches_as_indexes(text):
            c = counts.get(idx)
            if c is None:
                c = counts[idx] = [0.0, 0.0, float(start)]
            c[0 if start < title_end else 1] += 1
        n = len(self.themes)
        scores = [0.0] * n
        best: list[tuple[float, int, int]] = [(0.0, -1, -1)] * n
        for idx, (title_hits, body_hits, first) in counts.items():
            for kw in self._keywords[idx]:
                theme = self.themes[kw.theme]
                if kw.weight < 0:
                    scores[kw.theme] += kw.weight * (title_hits + body_hits)
                    continue
                hits = title_hits * theme.title_weight + body_hits
                gain = kw.weight * (1 + math.log2(hits))
                scores[kw.theme] += gain
                if gain > best[kw.theme][0]:
                    start = int(first)
                    best[kw.theme] = (gain, start, start + len(self._patterns[idx]))
        body_len = max(0, len(text) - title_end)
        scale = max(1.0, math.sqrt(body_len / BODY_UNIT))
        return [
            (theme.id, best[t][1], best[t][2])
            for t, theme in enumerate(self.themes)
            if scores[t] >= theme.threshold * scale and best[t][1] >= 0
        ]


_POLICY_TITLE = re.compile(
    r"印发|政策解读|》解读|解读《|关于[^。]{2,80}的(?:通知|意见|实施意见|办法|方案|规划|决定|批复|公告|通告|规定|若干措施"
    r"|实施细则|细则|指导意见)|(?:出台|发布|公布|颁布|施行|实施|正式实施)[^。]{0,20}《|》(?:出台|发布|公布|施行|实施"
    r"|正式实施|印发)|(?:条例|管理办法|实施方案|行动方案|行动计划|若干措施|若干政策|实施意见|指导意见|专项规划"
    r"|发展规划)(?:》|$|出台|发布|公布|施行)"
)
_POLICY_ISSUED = re.compile(
    r"(?:印发|出台|发布|公布|颁布|推出)[^。，]{0,24}(?:政策|措施|举措|方案|规划|办法|意见|条例|细则|规定|计划"
    r"|纲要|指引|清单)"
)
_VISIT_TITLE = re.compile(
    r"(?:代表团|考察团|学习团|访问团|调研组|考察组|率团|率队|一行)[^，。]{0,12}?(?:赴|到|来|抵|莅临|访问"
    r"|考察|前往)|(?:会见|会晤|接待|欢迎)[^，。]{0,20}?(?:代表团|考察团|学习团|访问团)"
)
_POLICY_LEAD = re.compile(
    r"(?:政府|办公厅|办公室|国务院|委员会|发改委|管委会|省委|市委|部|厅|局|会议)[^。，]{0,12}(?:印发|出台"
    r"|发布|公布|颁布|审议通过)[^。]{0,30}《[^》]{2,80}(?:方案|规划|条例|办法|意见|措施|细则|规定|计划"
    r"|纲要|通知|决定|指引|清单|政策)[^》]{0,8}》"
)
_LEAD_CHARS = 120


def _first_sentence_end(text: str, title_end: int) -> int:
    end = text.find("。", title_end + 1, title_end + 1 + _LEAD_CHARS)
    return end if end > 0 else min(len(text), title_end + 1 + _LEAD_CHARS)


def kind_of(
    text: str, title_end: int, *, policy: bool, visit_in_lead: bool, any_visit: bool
) -> str:
    """``visit`` when the title or lead reports a visit; else ``policy`` when a government body
    issues or explains a policy (metadata table, or 印发/通知/意见/办法/方案/规划/条例/解读 in the
    title or lead); else ``visit`` for a visit further down; else ``other``."""
    title = text[:title_end]
    if visit_in_lead or _VISIT_TITLE.search(title):
        return "visit"
    if (
        policy
        or _POLICY_TITLE.search(title)
        or _POLICY_ISSUED.search(title)
        or _POLICY_LEAD.search(text, title_end, _first_sentence_end(text, title_end))
    ):
        return "policy"
    return "visit" if any_visit else "other"
