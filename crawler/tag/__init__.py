"""Tagging: cities, provinces, themes, exchange visits (visitor -> host) and kind, per article.

::

    tagger = Tagger(config.taxonomy)           # builds the automata once
    tags = tagger.tag(title, body, published=date(2021, 5, 12), publisher_city="青岛")
    tags.cities, tags.visits, tags.themes, tags.kind, tags.evidence["city:深圳"]

Text is folded to Simplified Chinese (OpenCC t2s, length-preserving) for matching; evidence
spans come from the original text. Names are short names without suffix (青岛, 内蒙古).
Modules: :mod:`~crawler.tag.gazetteer` (names), :mod:`~crawler.tag.places` (mentions and their
traps), :mod:`~crawler.tag.visits` (visit frames), :mod:`~crawler.tag.themes` (themes, kind).
"""

from __future__ import annotations

__all__ = ["Tagger", "Tags", "Visit", "cities_of", "province_of"]

import re
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from types import MappingProxyType

from crawler.base.taxonomy import Taxonomy
from crawler.tag.details import Details, Official, visit_details
from crawler.tag.gazetteer import Gazetteer, Strength, cities_of, province_of
from crawler.tag.places import Mention, PlaceMatcher
from crawler.tag.text import (
    Sentence,
    fold,
    glued_site_span,
    sentences,
    side_segments,
    site_name_spans,
    work_title_spans,
)
from crawler.tag.themes import ThemeScorer, kind_of, plans_trip
from crawler.tag.visits import Found, find_visits, home_mentions

_LEAD_SENTENCES = 3  # a visit in the title or the first sentences makes the article a visit
_EVIDENCE_CHARS = 160
_FOLDED_SHARE = 0.02  # folding changes at most this share of a Simplified article's characters,
_FOLDED_FEW = 3  # or at most this many in a short one


@dataclass(frozen=True)
class Visit:
    """One exchange visit: ``visitor`` went to ``host`` (cities, or provinces for provincial
    delegations); ``evidence`` is the sentence that says so, as written."""

    visitor: str
    host: str
    date: date | None
    evidence: str
    details: Details = field(default_factory=Details)  # leader, dates, purpose...: tag.details

    def to_dict(self) -> dict[str, object]:
        d = self.details
        start = d.date_start or (self.date.isoformat() if self.date else None)
        return {
            "visitor": self.visitor,
            "host": self.host,
            "date": self.date.isoformat() if self.date else None,
            "date_start": start,
            "date_end": d.date_end or start,
            "leader": d.leader.to_dict() if d.leader else None,
            "co_leaders": [o.to_dict() for o in d.co_leaders],
            "host_officials": [o.to_dict() for o in d.host_officials],
            "purpose": d.purpose,
            "sites": list(d.sites),
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class Tags:
    """What the tagger found in one article. ``evidence`` maps ``city:青岛``, ``province:山东``,
    ``theme:fintech``, ``visit:青岛->深圳`` and ``kind:visit`` to the text that supports it."""

    cities: tuple[str, ...]
    provinces: tuple[str, ...]
    themes: tuple[str, ...]
    visits: tuple[Visit, ...]
    kind: str
    evidence: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


class Tagger:
    """Tags articles with one taxonomy; build once, call :meth:`tag` per article."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.gazetteer = Gazetteer(taxonomy.aliases)
        self._places = PlaceMatcher(self.gazetteer)
        self._themes = ThemeScorer(taxonomy.themes)

    def tag(
        self,
        title: str,
        body: str,
        *,
        published: date | None = None,
        publisher_city: str | None = None,
        publisher_province: str | None = None,
        home: str | None = None,
        policy: bool = False,
    ) -> Tags:
        """Tag one article.

        **Parameters:**

        * ``publisher_city`` / ``publisher_province``: the publishing site's place; resolves
          我市/来我市/本市 (我省), ambiguous abbreviations and nearby county names.
        * ``home``: the site's home, a city or a province (a source's ``home:``); a city is
          ``publisher_city`` and gives its province, a province ``publisher_province``. 我区/我县
          and abbreviations of the home city or its counties (来平 = 平度 on 青岛's site) resolve
          to it first.
        * ``published``: gives the year of ``5月11日``-style dates and marks other years as
          background.
        * ``policy``: the extractor found a government policy metadata table.
        """
        title = " ".join(title.split())
        original = f"{title}\n{body}"
        text = fold(original)
        title_end = len(title)
        if home and home in self.gazetteer.province_of_city:
            publisher_city = publisher_city or home
            publisher_province = publisher_province or self.gazetteer.province_of_city[home]
        elif home:
            publisher_province = publisher_province or home
        if publisher_city and publisher_city not in self.gazetteer.province_of_city:
            publisher_city = None
        sents = sentences(text, title_end)
        mentions = self._places.find(text, publisher_city, publisher_province)
        # the site's name around the headline, in the title and in a body that repeats it
        site = site_name_spans(text[:title_end])
        if len(sents) > 1:
            first = text[sents[1].start : sents[1].end]
            site += site_name_spans(first, sents[1].start, text[:title_end])
            glued = glued_site_span(first, text[:title_end], sents[1].start)
            if glued:
                site.append(glued)
        site += _place_signatures(text, sents, title_end, mentions)
        site += work_title_spans(text)
        if site:
            mentions = [m for m in mentions if not any(a <= m.start < b for a, b in site)]
        if publisher_city:
            mentions = home_mentions(text, mentions, publisher_city)
        found = find_visits(
            text, sents, mentions, published=published, publisher_city=publisher_city
        )
        if plans_trip(text, title_end, published):
            found = []  # 关于组织…赴青岛…考察学习的通知: a plan, no visit made yet
        evidence: dict[str, str] = {}
        # a county the text names without its city (余杭 after 赴浙江) still places a province host
        named = [
            m.place.city
            for m in mentions
            if m.place.city and (m.strength is not Strength.WEAK or m.place.level == "county")
        ]
        visits = self._visits(
            found,
            named,
            original,
            evidence,
            text,
            sents,
            published,
            publisher_city or publisher_province,
            mentions,
        )
        roles = {name for v in visits for name in (v.visitor, v.host)}
        cities, provinces = self._places_of(mentions, roles, sents, original, evidence)
        themes: list[str] = []
        for theme_id, start, end in self._themes.score(text, title_end):
            themes.append(theme_id)
            evidence[f"theme:{theme_id}"] = _around(original, sents, start, end)
        lead = any(f.sentence.index <= _LEAD_SENTENCES and not f.background for f in found)
        kind = kind_of(text, title_end, policy=policy, visit_in_lead=lead, any_visit=bool(visits))
        if kind == "visit" and visits:
            evidence["kind:visit"] = visits[0].evidence
        else:
            evidence[f"kind:{kind}"] = _clip(original[:title_end] or original[:_EVIDENCE_CHARS])
        return Tags(
            cities=tuple(cities),
            provinces=tuple(provinces),
            themes=tuple(themes),
            visits=tuple(visits),
            kind=kind,
            evidence=MappingProxyType(evidence),
        )

    def _visits(
        self,
        found: list[Found],
        named: list[str],
        original: str,
        evidence: dict[str, str],
        text: str,
        sents: list[Sentence],
        published: date | None,
        home: str | None = None,
        mentions: Sequence[Mention] = (),
    ) -> list[Visit]:
        """One visit per ordered pair: the current occurrence (not background) first. ``home``:
        the site's city or province, whose bare 市委书记 is its own; ``mentions``: the places
        named, for the place an official's title names."""

        def place_of(official: Official) -> str | None:
            for m in mentions:
                if official.start <= m.start < official.end:
                    return m.place.city or m.place.province
            return None

        best: dict[tuple[str, str], Found] = {}
        dates: dict[tuple[str, str], date] = {}
        for f in found:
            key = (f.visitor, f.host)
            chosen = best.get(key)
            if chosen is None or (chosen.background and not f.background):
                best[key] = f
            if f.date and not f.background:
                dates.setdefault(key, f.date)
        named_ends = {
            key for key in best if not any(f.inferred for f in found if (f.visitor, f.host) == key)
        }
        # a name that is a province and a city (海南, 吉林) is what the text made of it
        cities = self.gazetteer.cities - {name for f in found for name in f.provinces}
        covered = _covered(best, cities)
        for visitor, host in list(covered):
            region = province_of(host)
            if (
                visitor not in cities
                and region
                and _stay_in_city(text, best[(visitor, host)], region, host)
            ):
                # 在广东省广州市学习考察: the city the province's party stayed in
                covered.discard((visitor, host))
                covered.add((visitor, region))
        for key in covered | _vaguer_visitor(best, named_ends):
            best.pop(key, None)
        for key, inside in _regions_named(best, named, cities).items():
            f = best.pop(key)
            for city in inside:
                best.setdefault((key[0], city), f)
                if key in dates:
                    dates.setdefault((key[0], city), dates[key])
        visits = []
        for key, f in best.items():
            sentence = _clip(original[f.sentence.start : f.sentence.end])
            told = [f.sentence]
            told += [g.sentence for g in found if (g.visitor, g.host) == key and not g.background]
            more = visit_details(
                text,
                sents,
                told,
                visitor=key[0],
                host=key[1],
                published=published,
                city_visitor=key[0] in self.gazetteer.cities,
                # a city's site is its province's too (我省党政代表团 on 哈尔滨's)
                away=home is not None
                and home != province_of(key[0])
                and key[0] not in (home, province_of(home)),
                place_of=place_of,
            )
            if text != original:
                more = _as_written(more, text, original)
            when = f.date or dates.get(key)
            if more.date_start and len(more.date_start) == 10 and not f.background:
                when = date.fromisoformat(more.date_start)
            visit = Visit(key[0], key[1], when, sentence, more)
            visits.append(visit)
            evidence[f"visit:{key[0]}->{key[1]}"] = sentence
        return visits

    def _places_of(
        self,
        mentions: list[Mention],
        roles: set[str],
        sents: list[Sentence],
        original: str,
        evidence: dict[str, str],
    ) -> tuple[list[str], list[str]]:
        strong_cities = {
            m.place.city for m in mentions if m.strength is not Strength.WEAK and not m.town
        }
        cities: list[str] = []
        provinces: list[str] = []
        for m in mentions:
            place = m.place
            if (m.strength is Strength.WEAK or m.town) and place.city not in strong_cities | roles:
                continue  # (a town is not lifted: 南丰镇 names 儋州 only as a visit's party)
            if place.city:
                if place.city not in cities:
                    cities.append(place.city)
                    evidence[f"city:{place.city}"] = _around(original, sents, m.start, m.end)
            elif place.level == "province" and place.province not in provinces:
                provinces.append(place.province)
                evidence[f"province:{place.province}"] = _around(original, sents, m.start, m.end)
        for name in sorted(roles - set(cities) - set(provinces)):  # 我市/市委书记率团: publisher
            target = cities if name in self.gazetteer.cities else provinces
            target.append(name)
        return cities, provinces


def _covered(pairs: Iterable[tuple[str, str]], cities: Container[str]) -> set[tuple[str, str]]:
    """Pairs another pair of the same trip says better, by the annotation rules: a city's
    delegation to a province whose cities the text names goes to those cities (赴浙江江苏学习考察
    in the title, 赴浙江绍兴、杭州…和江苏苏州… in the text); a province's delegation to a province
    is a province pair, the cities on the way are only places (山东省代表团赴江苏，先后到南京)."""
    pairs = set(pairs)
    covered = set()
    for visitor, host in pairs:
        region = province_of(host)
        if visitor in cities:
            if host not in cities and any(
                a == visitor and b != host and province_of(b) == host for a, b in pairs
            ):
                covered.add((visitor, host))
        elif host in cities and region != host and (visitor, region) in pairs:
            covered.add((visitor, host))
    return covered


def _stay_in_city(text: str, f: Found, province: str, city: str) -> bool:
    """The sentence of ``f`` places the stay in ``city`` right after its province (在广东省广州市
    学习考察): the city is where the province's party went, not a place on its way."""
    return (
        re.search(
            f"在{province}(?:省|自治区)?{city}市?(?:学习考察|考察学习|考察|调研|学习|访问)",
            text[f.sentence.start : f.sentence.end],
        )
        is not None
    )


def _vaguer_visitor(
    pairs: Iterable[tuple[str, str]], named: set[tuple[str, str]]
) -> set[tuple[str, str]]:
    """Of a province's and one of its cities' visits to the same host, the vaguer one: the one
    whose visitor was inferred (the publisher, 我市) when the other was named, else the
    province (晋中市组织…赴酒泉市 beside 山西农谷管委会有关领导等组成的考察团赴…酒泉市)."""
    pairs = set(pairs)
    out = set()
    for visitor, host in pairs:
        for city, other in pairs:
            if other != host or city == visitor or province_of(city) != visitor:
                continue
            province_named, city_named = (visitor, host) in named, (city, host) in named
            if city_named and province_named:
                out.add((visitor, host))
            elif city_named != province_named:
                out.add((city, host) if province_named else (visitor, host))
    return out


def _regions_named(
    pairs: Iterable[tuple[str, str]], named: list[str], cities: Container[str]
) -> dict[tuple[str, str], list[str]]:
    """A city's delegation to a province whose cities the article names elsewhere went to those
    cities (赴江苏上海招商考察 in the title, 无锡 in the body; 赴浙江学习考察, then 遂昌 -> 丽水):
    the province is the headline's summary. Pair -> the cities it stands for."""
    out = {}
    for visitor, host in pairs:
        if visitor in cities and host not in cities:
            inside = [c for c in dict.fromkeys(named) if c != visitor and province_of(c) == host]
            if inside:
                out[(visitor, host)] = inside
    return out


def _as_written(details: Details, text: str, original: str) -> Details:
    """The names of ``details`` as a Simplified article writes them: folding reads some
    Simplified characters as Traditional ones (乾 -> 干: 张乾飞 is no 张干飞), so each name is
    taken back from the original at its place. A Traditional article keeps the folded names."""
    simplified: list[bool] = []

    def written(o: Official) -> Official:
        if not o.name:
            return o
        at = text.find(o.name, o.start, max(o.end, o.start + len(o.name)))
        at = at if at >= 0 else text.find(o.name)
        name = original[at : at + len(o.name)] if at >= 0 else o.name
        if name == o.name:
            return o
        if not simplified:
            changed = sum(a != b for a, b in zip(text, original, strict=True))
            simplified.append(changed <= max(_FOLDED_FEW, _FOLDED_SHARE * len(text)))
        return replace(o, name=name) if simplified[0] else o

    return replace(
        details,
        leader=written(details.leader) if details.leader else None,
        co_leaders=tuple(map(written, details.co_leaders)),
        host_officials=tuple(map(written, details.host_officials)),
    )


def _place_signatures(
    text: str, sents: list[Sentence], title_end: int, mentions: list[Mention]
) -> list[tuple[int, int]]:
    """Segments beside the headline, in the title or the first body sentence that repeats it,
    made only of place names (…框架协议-山西忻州): the site's signature, not the story's."""
    sides = side_segments(text[:title_end])
    if len(sents) > 1:
        sides += side_segments(text[sents[1].start : sents[1].end], sents[1].start)
    out = []
    for a, b in sides:
        seg = text[a:b].rstrip("。 ")
        if len(seg) < 2:
            continue
        covered: set[int] = set()
        for m in mentions:
            if a <= m.start and m.end <= a + len(seg):
                covered.update(range(m.start, m.end))
        if len(covered) == len(seg):
            out.append((a, b))
    return out


def _clip(text: str) -> str:
    text = text.strip()
    return text if len(text) <= _EVIDENCE_CHARS * 2 else text[: _EVIDENCE_CHARS * 2] + "…"


def _around(original: str, sents: list[Sentence], start: int, end: int) -> str:
    """The sentence holding ``start:end``, clipped around the span, from the original text."""
    for s in sents:
        if s.start <= start < s.end or (s.index == 0 and start < s.end):
            lo, hi = s.start, s.end
            break
    else:
        lo, hi = start, end
    lo = max(lo, start - _EVIDENCE_CHARS // 2)
    hi = min(hi, end + _EVIDENCE_CHARS // 2)
    return original[lo:hi].strip()
