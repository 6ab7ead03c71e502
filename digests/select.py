"""Selection: which stories a subscriber gets, in which sections and order.

:func:`load_pool` reads every story first seen in a time range once (with its articles and
their source names) into a :class:`StoryPool`, indexed by city, province, theme and kind, so that
a thousand subscribers cost a thousand set intersections rather than a thousand queries.

A story matches a subscriber's filter when all of these hold:

- its kind is one of ``kinds``;
- places: ``cities``/``provinces`` empty, or one of its articles names one of them. A name under
  ``cities`` matches the story's cities or, for a province name, its provinces (the tagger adds
  the province of every city it finds, so a province includes its cities);
- topics: ``themes`` and ``keywords`` both empty, or it has one of the themes, or one of the
  keywords occurs in its title or text (Traditional folded to Simplified on both sides);
- no ``exclude`` word occurs in its title or text.

Sections: 城市考察交流 (visits), 政策发布 (policies), then one per theme (the subscriber's
matched theme, else the story's first theme in taxonomy order), then 其他. Within a section,
entries rank by number of outlets, then recency; ``DigestLimits`` caps each section and the whole.
"""

from __future__ import annotations

__all__ = [
    "StoryPool",
    "archive_day",
    "load_pool",
    "select_digest",
]

import bisect
import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from crawler.base.config.settings import DigestLimits
from crawler.base.config.subscribers import SubscriberFilter
from crawler.base.db import Database
from crawler.base.models import Article, SourceState, Story
from crawler.base.sanitize import clean_text, clean_title
from digests.digest import ArchiveDay, Digest, Entry, PolicyInfo, Section, Visit, VisitCount
from digests.period import day_bounds
from digests.text import fold, safe_url, snippet

VISIT_TITLE = "城市考察交流"
POLICY_TITLE = "政策发布"
OTHER_TITLE = "其他"
_POLICY_KEYS = (
    "issuer",
    "doc_no",
    "subject",
    "index_no",
    "written_date",
    "published_date",
    "validity",
)


@dataclass(slots=True)
class _Record:
    """One story as loaded: an :class:`Entry` without reasons, plus its folded text."""

    entry: Entry
    text: str  # folded title(s) and representative body, for keyword matching
    rank: tuple[int, float]
    day: date  # first seen, in the archive's zone


def _policy(data: Any) -> PolicyInfo | None:
    if not isinstance(data, Mapping):
        return None
    values = {
        k: fold(value) for k in _POLICY_KEYS if data.get(k) and (value := clean_title(str(data[k])))
    }
    return PolicyInfo(**values) if values else None


def _visits(articles: Iterable[Any]) -> tuple[Visit, ...]:
    seen: dict[tuple[str, str], Visit] = {}
    for article in articles:
        for item in article.visits or ():
            if not isinstance(item, Mapping):
                continue
            visitor, host = item.get("visitor"), item.get("host")
            if not visitor or not host or visitor == host or (visitor, host) in seen:
                continue
            when = None
            if item.get("date"):
                try:
                    when = date.fromisoformat(str(item["date"])[:10])
                except ValueError:
                    when = None
            seen[(visitor, host)] = Visit(str(visitor), str(host), when)
    return tuple(seen.values())


def _union(lists: Iterable[Sequence[str] | None]) -> tuple[str, ...]:
    """Distinct values in first-seen order (the representative's come first)."""
    return tuple(
        dict.fromkeys(
            value for values in lists for value in values or () if isinstance(value, str) and value
        )
    )


class StoryPool:
    """The stories first seen in ``[start, end)``, ready to be selected for many subscribers.

    Selection is set algebra over precomputed indexes (by place, theme, kind, section, keyword),
    so a subscriber costs little more than the entries that end up in their digest.
    """

    def __init__(
        self,
        start: datetime,
        end: datetime,
        records: list[_Record],
        theme_labels: Mapping[str, str],
    ) -> None:
        self.start = start
        self.end = end
        self.theme_labels = dict(theme_labels)
        self.theme_order = {tid: i for i, tid in enumerate(theme_labels)}
        records.sort(key=lambda r: (r.entry.first_seen, r.entry.story_id))
        self._records = records
        self._seen = [r.entry.first_seen for r in records]
        by_rank = sorted(range(len(records)), key=lambda i: records[i].rank)
        self._rank = [0] * len(records)
        for position, i in enumerate(by_rank):
            self._rank[i] = position
        self._by_city: dict[str, set[int]] = {}
        self._by_province: dict[str, set[int]] = {}
        self._by_theme: dict[str, set[int]] = {}
        self._by_kind: dict[str, set[int]] = {}
        self._by_section: dict[str, set[int]] = {}  # "other" stories by their first theme
        for i, record in enumerate(records):
            entry = record.entry
            for city in entry.cities:
                self._by_city.setdefault(city, set()).add(i)
            for province in entry.provinces:
                self._by_province.setdefault(province, set()).add(i)
            for theme in entry.theme_ids:
                self._by_theme.setdefault(theme, set()).add(i)
            self._by_kind.setdefault(entry.kind, set()).add(i)
            self._by_section.setdefault(self._default_section(entry), set()).add(i)
        self._by_day: dict[date, set[int]] = {}
        for i, record in enumerate(records):
            self._by_day.setdefault(record.day, set()).add(i)
        self._by_word: dict[str, frozenset[int]] = {}
        self._windows: dict[tuple[int, int, tuple[str, ...]], frozenset[int]] = {}

    @staticmethod
    def _default_section(entry: Entry) -> str:
        if entry.kind in ("visit", "policy"):
            return entry.kind
        return entry.theme_ids[0] if entry.theme_ids else "other"

    def __len__(self) -> int:
        return len(self._records)

    def _range(self, start: datetime, end: datetime) -> range:
        return range(bisect.bisect_left(self._seen, start), bisect.bisect_left(self._seen, end))

    def _word(self, word: str) -> frozenset[int]:
        found = self._by_word.get(word)
        if found is None:
            found = frozenset(i for i, r in enumerate(self._records) if word in r.text)
            self._by_word[word] = found
        return found

    def matching(self, flt: SubscriberFilter, start: datetime, end: datetime) -> set[int]:
        """Indexes of the stories in ``[start, end)`` that ``flt`` lets through."""
        window = self._range(start, end)
        if not window:
            return set()
        key = (window.start, window.stop, tuple(sorted(flt.kinds)))
        base = self._windows.get(key)
        if base is None:  # subscribers share windows and kinds: compute each pair once
            kinds: set[int] = set()
            for kind in flt.kinds:
                kinds |= self._by_kind.get(kind, set())
            base = self._windows[key] = frozenset(
                kinds if len(window) == len(self._records) else kinds & set(window)
            )
        chosen = set(base)
        if flt.cities or flt.provinces:
            places: set[int] = set()
            for name in (fold(c) for c in flt.cities):
                places |= self._by_city.get(name, set())
                places |= self._by_province.get(name, set())
            for name in (fold(p) for p in flt.provinces):
                places |= self._by_province.get(name, set())
            chosen &= places
        if flt.themes or flt.keywords:
            topics: set[int] = set()
            for theme in flt.themes:
                topics |= self._by_theme.get(theme, set())
            for word in flt.keywords:
                topics |= self._word(fold(word))
            chosen &= topics
        for word in flt.exclude:
            chosen -= self._word(fold(word))
        return chosen

    def reasons(self, i: int, flt: SubscriberFilter) -> tuple[str, ...]:
        """What in ``flt`` matched story ``i``: places, theme labels, keywords."""
        entry = self._records[i].entry
        found: list[str] = []
        for name in (*flt.cities, *flt.provinces):
            folded = fold(name)
            if folded in entry.cities or folded in entry.provinces:
                found.append(name)
        found.extend(self.theme_labels.get(t, t) for t in flt.themes if t in entry.theme_ids)
        found.extend(w for w in flt.keywords if i in self._word(fold(w)))
        return tuple(dict.fromkeys(found))

    def record(self, i: int) -> _Record:
        return self._records[i]

    def sections(
        self, indexes: set[int], *, preferred: Sequence[str] = ()
    ) -> list[tuple[str, str, list[int]]]:
        """``(section id, title, ranked indexes)`` in display order, empty sections left out.

        Visits and policies have their own sections; any other story goes under the first of
        ``preferred`` themes it has, else under its own first theme, else 其他.
        """
        groups: dict[str, set[int]] = {}
        for kind in ("visit", "policy"):
            if found := indexes & self._by_kind.get(kind, set()):
                groups[kind] = found
        rest = indexes & self._by_kind.get("other", set())
        for theme in preferred:
            if rest and (found := rest & self._by_theme.get(theme, set())):
                groups[theme] = found
                rest -= found
        for key, members in self._by_section.items():
            if rest and key not in ("visit", "policy") and (found := rest & members):
                groups.setdefault(key, set()).update(found)
                rest -= found
        order = [
            "visit",
            "policy",
            *sorted(
                (k for k in groups if k not in ("visit", "policy", "other")),
                key=lambda k: (self.theme_order.get(k, len(self.theme_order)), k),
            ),
            "other",
        ]
        titles = {"visit": VISIT_TITLE, "policy": POLICY_TITLE, "other": OTHER_TITLE}
        rank = self._rank.__getitem__
        return [
            (key, titles.get(key) or self.theme_labels.get(key, key), sorted(groups[key], key=rank))
            for key in order
            if key in groups
        ]

    def visit_counts(self, indexes: Iterable[int]) -> tuple[VisitCount, ...]:
        counts: Counter[tuple[str, str]] = Counter()
        for i in indexes:
            for visit in self._records[i].entry.visits:
                counts[(visit.visitor, visit.host)] += 1
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return tuple(VisitCount(v, h, n) for (v, h), n in ordered)

    def days(self, indexes: set[int]) -> tuple[date, ...]:
        """The archive days (settings zone) of these stories."""
        return tuple(
            sorted(d for d, members in self._by_day.items() if not members.isdisjoint(indexes))
        )

    def indexes_between(self, start: datetime, end: datetime) -> range:
        return self._range(start, end)


def load_pool(
    db: Database, start: datetime, end: datetime, theme_labels: Mapping[str, str], zone: ZoneInfo
) -> StoryPool:
    """Read the stories first seen in ``[start, end)`` with their articles and source names.

    ``theme_labels`` maps theme id to label in taxonomy order (``config.taxonomy.themes``);
    ``zone`` is the archive's (the settings' time zone), whose local dates name archive pages.
    Display text is folded to Simplified here, once per story; the render stage converts the
    whole digest to Traditional for subscribers who read that.
    """
    with db.session() as session:
        stories = {
            row.id: row
            for row in session.execute(
                select(
                    Story.id,
                    Story.representative_id,
                    Story.first_seen,
                    Story.kind,
                    Story.outlet_count,
                ).where(Story.first_seen >= start, Story.first_seen < end)
            )
        }
        members: dict[int, list[Any]] = {sid: [] for sid in stories}
        if stories:
            story_ids = select(Story.id).where(Story.first_seen >= start, Story.first_seen < end)
            query = (
                select(
                    Article.id,
                    Article.story_id,
                    Article.title,
                    Article.url,
                    Article.published,
                    Article.body,
                    Article.source_id,
                    Article.cities,
                    Article.provinces,
                    Article.themes,
                    Article.visits,
                    Article.policy,
                    SourceState.name.label("source_name"),
                )
                .join(SourceState, SourceState.id == Article.source_id, isouter=True)
                .where(Article.story_id.in_(story_ids))
                .order_by(Article.id)
            )
            for row in session.execute(query):
                members[row.story_id].append(row)
    records = [
        record
        for sid, story in stories.items()
        if (record := _record(story, members[sid], theme_labels, zone)) is not None
    ]
    return StoryPool(start, end, records, theme_labels)


def _record(
    story: Any, articles: list[Any], theme_labels: Mapping[str, str], zone: ZoneInfo
) -> _Record | None:
    if not articles:
        return None  # every article of the story was deleted (retention): nothing to show
    rep = next((a for a in articles if a.id == story.representative_id), None)
    if rep is None:
        rep = min(articles, key=lambda a: (a.published or story.first_seen, a.id))
    others = [a for a in articles if a is not rep]
    outlets = _union(
        [[rep.source_name or rep.source_id]] + [[a.source_name or a.source_id] for a in others]
    )
    # The representative's outlet first, the rest by name: a stable, readable order.
    outlets = tuple(fold(o) for o in (outlets[0], *sorted(set(outlets[1:]) - {outlets[0]})))
    order = {tid: i for i, tid in enumerate(theme_labels)}
    theme_ids = tuple(
        sorted(_union(a.themes for a in articles), key=lambda t: (order.get(t, len(order)), t))
    )
    published = rep.published or story.first_seen
    policy = _policy(rep.policy) or next(
        (p for a in others if (p := _policy(a.policy)) is not None), None
    )
    # Cleaned and capped again: rows stored before extraction did so may hold control
    # characters, and a title of 100,000 characters would eat the e-mail's size budget.
    title = clean_title(rep.title) or next(
        (t for a in others if (t := clean_title(a.title))), "(无标题)"
    )
    entry = Entry(
        story_id=story.id,
        kind=story.kind if story.kind in ("visit", "policy") else "other",
        title=fold(title),
        url=safe_url(rep.url) or next((u for a in others if (u := safe_url(a.url))), None),
        outlets=outlets,
        outlet_count=max(len(outlets), story.outlet_count or 0),
        published=published,
        first_seen=story.first_seen,
        snippet=fold(snippet(clean_text(rep.body or ""))),
        cities=_union(a.cities for a in [rep, *others]),
        provinces=_union(a.provinces for a in [rep, *others]),
        themes=tuple(theme_labels.get(t, t) for t in theme_ids),
        theme_ids=theme_ids,
        visits=_visits([rep, *others]),
        policy=policy,
    )
    text = fold("\n".join([*(a.title or "" for a in articles), rep.body or ""]))
    return _Record(
        entry,
        text,
        (-entry.outlet_count, -published.timestamp()),
        story.first_seen.astimezone(zone).date(),
    )


def select_digest(
    pool: StoryPool,
    *,
    subscriber_id: str,
    flt: SubscriberFilter,
    period: str,
    start: datetime,
    end: datetime,
    limits: DigestLimits,
    total_cap: int | None = None,
) -> Digest:
    """The digest of the stories first seen in ``[start, end)`` that ``flt`` lets through.

    ``total_cap`` lowers ``limits.total`` (the render stage uses it to stay under the size
    budget).
    """
    chosen = pool.matching(flt, start, end)
    remaining = min(limits.total, total_cap) if total_cap is not None else limits.total
    sections = []
    for key, title, ranked in pool.sections(chosen, preferred=flt.themes):
        shown = ranked[: max(0, min(limits.per_section, remaining))]
        remaining -= len(shown)
        entries = tuple(
            dataclasses.replace(pool.record(i).entry, reasons=pool.reasons(i, flt)) for i in shown
        )
        sections.append(Section(key, title, entries, hidden=len(ranked) - len(shown)))
    return Digest(
        subscriber_id=subscriber_id,
        period=period,
        window_start=start,
        window_end=end,
        sections=tuple(sections),
        archive_days=pool.days(chosen),
    )


def archive_day(pool: StoryPool, day: date, zone: ZoneInfo) -> ArchiveDay:
    """Every story first seen on local ``day``, in sections, uncapped."""
    start, end = day_bounds(day, zone)
    indexes = list(pool.indexes_between(start, end))
    sections = tuple(
        Section(key, title, tuple(pool.record(i).entry for i in ranked))
        for key, title, ranked in pool.sections(set(indexes))
    )
    updated = max((pool.record(i).entry.first_seen for i in indexes), default=start)
    return ArchiveDay(
        day=day, sections=sections, visits=pool.visit_counts(indexes), updated=updated
    )
