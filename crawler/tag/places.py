"""Place mentions: match names with Aho-Corasick, drop the traps, resolve homonyms by context.

Precision rules (on real news, naive substring matching of short names is wrong half the time):

* leftmost-longest matching, with phrases that are never places (孙中山, 奥巴马, 基金, 上海合作组织)
  in the same automaton so they swallow the name inside them (中山, 巴马, 金平, 上海);
* a short name followed by 路/大道/东路... is a street (中山路, 南京路);
* county and district names (崂山, 鼓楼区) and city names that are common words (朝阳, 安康) count
  only with their city or province within a few sentences' reach, or the publisher's own place;
  county short names that are everyday words (资源, 比如, 合作, 通道, 兴业) need their suffix;
* province and city homonyms go to the province unless the city's suffix is there (吉林 -> the
  province, 吉林市 -> the city);
* nicknames that several places use (江城, 山城) count only when the city is also named, or in a
  visit frame; one-character abbreviations (青, 沪, 穗) count only in visit frames (来青考察,
  赴沪, 抵穗, 在渝期间) and, when a character is shared (宁: 南京, 宁波), only if the publisher or
  another mention decides.
"""

from __future__ import annotations

__all__ = ["Mention", "PlaceMatcher"]

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

import ahocorasick_rs

from crawler.tag.gazetteer import Gazetteer, Place, Strength

WINDOW = 60  # characters around a context-needing name in which its city/province must appear

_STREET_2 = frozenset({"大道", "大街", "东路", "西路", "南路", "北路", "中路", "一路", "二路"})
_ROAD_OK = frozenset({"路演", "路径", "路线", "路子", "路上", "路过"})
_STREET_OK = frozenset("头道区坊")

# One-character abbreviations: the verb before them and what must follow.
_ABBR_VERBS = "来赴抵到莅访在往临达进"
_NOT_MOTION_BEFORE = {
    "来": frozenset("以带迎未从原本将后起出看近引招回归"),
    "到": frozenset("受得达感遇提想看找听收接说见办做回识意"),
    "达": frozenset("表传转下发送"),
    "往": frozenset("以过交来"),
    "临": frozenset("面光降"),
    "进": frozenset("推促引先增改跟演精"),
}
_ABBR_NEXT = (
    "考察",
    "调研",
    "访问",
    "交流",
    "学习",
    "参观",
    "洽谈",
    "对接",
    "出席",
    "参加",
    "招商",
    "推介",
    "拜访",
    "走访",
    "观摩",
    "座谈",
    "会谈",
    "期间",
    "指导",
    "慰问",
    "开展",
    "进行",
    "签约",
    "取经",
    "看望",
    "考查",
)
_ARRIVE = frozenset("抵莅")
_ARRIVE_NEXT = frozenset("，,。后时当参考调访开出")
_ABBR_NEXT_STAY = ("期间", "考察", "调研", "访问", "参观", "学习", "交流", "洽谈", "对接", "走访")


@dataclass(slots=True)
class Mention:
    """A place named in the folded text at ``start:end``."""

    start: int
    end: int
    place: Place
    strength: Strength
    abbr: bool = False  # a one-character abbreviation in a visit frame (the verb precedes it)
    self_ref: bool = False  # 我市, 本市, 我省

    @property
    def name(self) -> str:
        return self.place.city or self.place.province


class PlaceMatcher:
    """Finds and resolves place mentions in folded text."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        patterns = list(gazetteer.entries)
        self._entries = [gazetteer.entries[p] for p in patterns]
        self._ac = ahocorasick_rs.AhoCorasick(
            patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
        )
        abbr_patterns = [v + c for c in gazetteer.abbreviations for v in _ABBR_VERBS]
        self._abbr_places = [gazetteer.abbreviations[p[1]] for p in abbr_patterns]
        self._abbr_ac = ahocorasick_rs.AhoCorasick(
            abbr_patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
        )

    def find(
        self, text: str, publisher_city: str | None, publisher_province: str | None
    ) -> list[Mention]:
        """All mentions in ``text``, sorted by position, weak ones included (caller decides)."""
        gaz = self.gazetteer
        if publisher_city and not publisher_province:
            publisher_province = gaz.province_of_city.get(publisher_city)
        raw: list[tuple[int, int, int]] = self._ac.find_matches_as_indexes(text)
        covered: list[tuple[int, int]] = []
        strong: list[Mention] = []
        pending: list[tuple[int, int, int]] = []
        weak: list[Mention] = []
        for idx, start, end in raw:
            covered.append((start, end))
            entry = self._entries[idx]
            if entry.block:
                continue
            if entry.self_ref:
                place = self._self_place(entry.self_ref, publisher_city, publisher_province)
                if place is not None:
                    strong.append(Mention(start, end, place, Strength.STRONG, self_ref=True))
                continue
            if entry.short and _is_street(text, end):
                continue
            if entry.strength is Strength.STRONG:
                strong.append(Mention(start, end, entry.places[0], Strength.STRONG))
            elif entry.strength is Strength.WEAK:
                weak.append(Mention(start, end, entry.places[0], Strength.WEAK))
            else:
                pending.append((idx, start, end))
        starts = [m.start for m in strong]
        resolved = []
        for idx, start, end in pending:
            lo = bisect_left(starts, start - WINDOW - 16)
            hi = bisect_right(starts, end + WINDOW)
            near = strong[lo:hi]
            m = self._resolve(idx, start, end, near, publisher_city, publisher_province)
            if m is not None:
                resolved.append(m)
            elif len(places := self._entries[idx].places) == 1 and places[0].city:
                # 赴昆山考察: a unique name with no context still serves in a visit frame.
                weak.append(Mention(start, end, places[0], Strength.WEAK))
        mentions = strong + resolved
        mentions.extend(
            self._abbreviations(text, covered, mentions, publisher_city, publisher_province)
        )
        mentions.extend(weak)
        mentions.sort(key=lambda m: m.start)
        return mentions

    def _self_place(
        self, kind: str, publisher_city: str | None, publisher_province: str | None
    ) -> Place | None:
        if kind == "city" and publisher_city in self.gazetteer.province_of_city:
            assert publisher_city is not None
            return Place(publisher_city, self.gazetteer.province_of_city[publisher_city], "city")
        if kind == "province" and publisher_province:
            return Place(None, publisher_province, "province")
        return None

    def _resolve(
        self,
        idx: int,
        start: int,
        end: int,
        strong: list[Mention],
        publisher_city: str | None,
        publisher_province: str | None,
    ) -> Mention | None:
        """Pick the candidate whose city (best) or province is named nearby, or the publisher's."""
        entry = self._entries[idx]
        best: tuple[int, Place] | None = None
        tie = False
        for place in entry.places:
            score = 0
            for m in strong:
                if m.end < start - WINDOW or m.start > end + WINDOW or m.self_ref:
                    continue
                if place.city and m.place.city == place.city:
                    score = max(score, 3)
                elif m.place.level == "province" and m.place.province == place.province:
                    score = max(score, 2)
            if score == 0 and place.city and place.city == publisher_city:
                score = 2
            elif score == 0 and place.province == publisher_province:
                score = 1
            if score == 0:
                continue
            if best is None or score > best[0]:
                best, tie = (score, place), False
            elif score == best[0] and place != best[1]:
                tie = True
        if best is None or tie:
            return None
        return Mention(start, end, best[1], Strength.CONTEXT)

    def _abbreviations(
        self,
        text: str,
        covered: list[tuple[int, int]],
        mentions: list[Mention],
        publisher_city: str | None,
        publisher_province: str | None,
    ) -> list[Mention]:
        found: list[Mention] = []
        covered_starts = [s for s, _e in covered]
        named = {m.name for m in mentions}
        for idx, start, end in self._abbr_ac.find_matches_as_indexes(text):
            verb = text[start]
            pos = end - 1
            i = bisect_right(covered_starts, pos) - 1
            if i >= 0 and covered[i][1] > pos:
                continue  # part of a longer name (来青岛) or of a phrase that is not a place
            banned = _NOT_MOTION_BEFORE.get(verb)
            if banned and start > 0 and text[start - 1] in banned:
                continue
            follow = text[end : end + 2]
            arrived = verb in _ARRIVE and follow[:1] in _ARRIVE_NEXT  # 抵京，拜访…
            if not arrived and follow not in (_ABBR_NEXT_STAY if verb == "在" else _ABBR_NEXT):
                continue
            place = self._pick(self._abbr_places[idx], named, publisher_city, publisher_province)
            if place is not None:
                found.append(Mention(pos, end, place, Strength.STRONG, abbr=True))
        return found

    @staticmethod
    def _pick(
        places: tuple[Place, ...],
        named: set[str],
        publisher_city: str | None,
        publisher_province: str | None,
    ) -> Place | None:
        if len(places) == 1:
            return places[0]
        for place in places:
            if place.city and place.city == publisher_city:
                return place
            if place.level == "province" and place.province == publisher_province:
                return place
        hits = [p for p in places if (p.city or p.province) in named]
        return hits[0] if len(hits) == 1 else None


def _is_street(text: str, end: int) -> bool:
    nxt = text[end : end + 1]
    if nxt == "路":
        return text[end : end + 2] not in _ROAD_OK
    if nxt == "街":
        return text[end + 1 : end + 2] not in _STREET_OK
    return text[end : end + 2] in _STREET_2
