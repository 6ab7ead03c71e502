"""The visit network over time, read from the archive's own record of every day it holds.

The archive keeps a short record of each story it has shown (:class:`StoryRef`: which day's page
holds it, title, links, places, visits, the document's issuer and number), so the city pages and
the return-visit marks need no database and reach further back than the database keeps articles.
From those records:

- :func:`visits_of` lists every visit with its date (the visit's own date where the report gave
  one, else the day the story was published);
- :func:`return_visits` pairs a visit B → A with the latest earlier visit A → B (回访: the host
  returning the visit) and marks the earlier one as returned by the first such later visit;
- :func:`city_pages` gathers, per city of the gazetteer, the delegations it sent and hosted, the
  cities it learns from most (the hosts it visited most often) and those that come to learn from
  it, and its recent policies.
"""

from __future__ import annotations

__all__ = [
    "CityPage",
    "ReturnMark",
    "StoryRef",
    "VisitRef",
    "city_pages",
    "return_visits",
    "visits_of",
]

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from crawler.base.sanitize import clean_title
from digests.digest import Entry, Visit, VisitCount
from digests.graph import province_of
from digests.text import safe_url

MAX_OUTLETS = 5
RECENT = 40  # visits each way and policies listed on a city page
TOP_PARTNERS = 8


@dataclass(frozen=True, slots=True)
class StoryRef:
    """What the archive remembers of one story it showed: enough for a link and a line."""

    day: date  # the archive page that holds it
    story_id: int
    kind: str
    title: str
    url: str | None
    published: datetime
    outlets: tuple[str, ...]
    cities: tuple[str, ...]
    visits: tuple[Visit, ...]
    issuer: str | None = None
    doc_no: str | None = None

    @property
    def anchor(self) -> str:
        """The story's id on its day page (``<article id="s123">``)."""
        return f"s{self.story_id}"

    @property
    def permalink(self) -> str:
        """The story's place in the archive, relative to the archive's root."""
        return f"{self.day.isoformat()}.html#{self.anchor}"

    @classmethod
    def of(cls, day: date, entry: Entry) -> StoryRef:
        policy = entry.policy
        return cls(
            day=day,
            story_id=entry.story_id,
            kind=entry.kind,
            title=entry.title,
            url=entry.url,
            published=entry.published,
            outlets=entry.outlets[:MAX_OUTLETS],
            cities=entry.cities,
            visits=entry.visits,
            issuer=policy.issuer if policy else None,
            doc_no=policy.doc_no if policy else None,
        )

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.story_id,
            "kind": self.kind,
            "title": self.title,
            "url": self.url,
            "published": self.published.isoformat(),
            "outlets": list(self.outlets),
            "cities": list(self.cities),
            "visits": [
                [v.visitor, v.host, v.date.isoformat() if v.date else None] for v in self.visits
            ],
            "issuer": self.issuer,
            "doc_no": self.doc_no,
        }

    @classmethod
    def from_json(cls, day: date, data: Mapping[str, object]) -> StoryRef:
        """A record as :meth:`to_json` wrote it; text cleaned again (the file may be edited)."""
        visits = data.get("visits") or []
        outlets = data.get("outlets") or []
        cities = data.get("cities") or []
        assert isinstance(visits, list) and isinstance(outlets, list) and isinstance(cities, list)
        return cls(
            day=day,
            story_id=int(str(data["id"])),
            kind=str(data.get("kind") or "other"),
            title=clean_title(str(data.get("title") or "")) or "",
            url=safe_url(str(data["url"])) if data.get("url") else None,
            published=datetime.fromisoformat(str(data["published"])),
            outlets=tuple(clean_title(str(o)) or "" for o in outlets[:MAX_OUTLETS]),
            cities=tuple(str(c) for c in cities),
            visits=tuple(
                Visit(str(v), str(h), date.fromisoformat(str(d)) if d else None)
                for v, h, d in visits
            ),
            issuer=clean_title(str(data["issuer"])) if data.get("issuer") else None,
            doc_no=clean_title(str(data["doc_no"])) if data.get("doc_no") else None,
        )


@dataclass(frozen=True, slots=True)
class VisitRef:
    """One visit of one story, dated."""

    visitor: str
    host: str
    when: date
    story: StoryRef

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.story.story_id, self.visitor, self.host)


@dataclass(frozen=True, slots=True)
class ReturnMark:
    """A visit's link to its pair: ``回访`` (this visit returns ``other``) or ``已回访``
    (``other`` returned this one)."""

    label: str
    other: VisitRef


@dataclass(frozen=True, slots=True)
class CityPage:
    name: str
    province: str
    sent: tuple[VisitRef, ...]  # newest first, at most RECENT
    hosted: tuple[VisitRef, ...]
    sent_total: int
    hosted_total: int
    learns_from: tuple[tuple[str, int], ...]  # hosts it visited most, with counts
    learned_by: tuple[tuple[str, int], ...]  # visitors it received most
    policies: tuple[StoryRef, ...]  # newest first, at most RECENT
    policies_total: int
    network: tuple[VisitCount, ...]  # every visit to or from it, for its graph and table

    @property
    def file(self) -> str:
        return f"{self.name}.html"


def visits_of(stories: Iterable[StoryRef], zone: ZoneInfo) -> list[VisitRef]:
    """Every visit of ``stories``, oldest first, dated by the report (else by publication)."""
    out = [
        VisitRef(v.visitor, v.host, v.date or s.published.astimezone(zone).date(), s)
        for s in stories
        for v in s.visits
    ]
    out.sort(key=lambda v: (v.when, v.story.story_id))
    return out


def return_visits(visits: Sequence[VisitRef]) -> dict[tuple[int, str, str], list[ReturnMark]]:
    """The return-visit marks of ``visits`` (oldest first), by :attr:`VisitRef.key`.

    A visit B → A returns the latest visit A → B dated before it (a day earlier at least: two
    reports of one day are one exchange seen from both sides); that earlier visit is marked as
    returned by the first visit that returns it. A visit may be both: a return, later returned.
    """
    marks: dict[tuple[int, str, str], list[ReturnMark]] = {}
    last: dict[tuple[str, str], VisitRef] = {}
    for visit in visits:
        earlier = last.get((visit.host, visit.visitor))
        if earlier is not None and earlier.when < visit.when:
            marks.setdefault(visit.key, []).append(ReturnMark("回访", earlier))
            theirs = marks.setdefault(earlier.key, [])
            if not any(m.label == "已回访" for m in theirs):
                theirs.append(ReturnMark("已回访", visit))
        last[(visit.visitor, visit.host)] = visit
    return marks


def city_pages(
    stories: Sequence[StoryRef], names: Collection[str], zone: ZoneInfo
) -> list[CityPage]:
    """A page's worth for each city of ``names`` that a story or visit mentions."""
    visits = visits_of(stories, zone)
    sent: dict[str, list[VisitRef]] = {}
    hosted: dict[str, list[VisitRef]] = {}
    for visit in visits:
        sent.setdefault(visit.visitor, []).append(visit)
        hosted.setdefault(visit.host, []).append(visit)
    policies: dict[str, list[StoryRef]] = {}
    for story in sorted(stories, key=lambda s: (s.published, s.story_id)):
        if story.kind == "policy":
            for city in dict.fromkeys(story.cities):
                policies.setdefault(city, []).append(story)
    mentioned = set(sent) | set(hosted) | {c for s in stories for c in s.cities}
    pages = []
    for name in sorted(mentioned & set(names)):
        out, into = sent.get(name, []), hosted.get(name, [])
        pairs = Counter((v.visitor, v.host) for v in (*out, *into))
        own = policies.get(name, [])
        pages.append(
            CityPage(
                name=name,
                province=province_of(name),
                sent=tuple(reversed(out[-RECENT:])),
                hosted=tuple(reversed(into[-RECENT:])),
                sent_total=len(out),
                hosted_total=len(into),
                learns_from=_top(v.host for v in out),
                learned_by=_top(v.visitor for v in into),
                policies=tuple(reversed(own[-RECENT:])),
                policies_total=len(own),
                network=tuple(VisitCount(v, h, n) for (v, h), n in pairs.items()),
            )
        )
    return pages


def _top(names: Iterable[str]) -> tuple[tuple[str, int], ...]:
    counts = Counter(names)
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_PARTNERS])
