"""The value objects that flow through the digest stages: select -> render -> deliver -> archive.

A :class:`Digest` is what one subscriber gets for one :class:`~digests.period.Window`: sections
of :class:`Entry` (one per story), each entry carrying what the templates show and why the
subscriber got it. Text is the stored original; the render stage converts the script.
"""

from __future__ import annotations

__all__ = [
    "ArchiveDay",
    "Digest",
    "Entry",
    "PolicyInfo",
    "Section",
    "Visit",
    "VisitCount",
]

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class Visit:
    """One exchange visit: officials of ``visitor`` went to ``host``."""

    visitor: str
    host: str
    date: date | None = None


@dataclass(frozen=True, slots=True)
class VisitCount:
    """How many stories report visits from ``visitor`` to ``host`` (for the visit graph)."""

    visitor: str
    host: str
    count: int


@dataclass(frozen=True, slots=True)
class PolicyInfo:
    """The metadata block of a government document, where the page gave it."""

    issuer: str | None = None
    doc_no: str | None = None
    subject: str | None = None
    index_no: str | None = None
    written_date: str | None = None
    published_date: str | None = None
    validity: str | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """One story as a digest shows it: its representative article plus what the story adds."""

    story_id: int
    kind: str  # visit | policy | other
    title: str
    url: str | None  # only http(s), ASCII-safe; None when the stored URL is unusable
    outlets: tuple[str, ...]  # distinct source names, most important first
    outlet_count: int
    published: datetime  # aware UTC: the representative's publication time, else first seen
    first_seen: datetime
    snippet: str
    cities: tuple[str, ...]
    provinces: tuple[str, ...]
    themes: tuple[str, ...]  # theme labels, taxonomy order
    theme_ids: tuple[str, ...]
    visits: tuple[Visit, ...] = ()
    policy: PolicyInfo | None = None
    reasons: tuple[str, ...] = ()  # why this subscriber got it: matched city/theme/keyword


@dataclass(frozen=True, slots=True)
class Section:
    """A titled list of entries; ``hidden`` counts the entries cut by the caps."""

    id: str  # visit | policy | theme id | other: stable, used as an anchor in archive pages
    title: str
    entries: tuple[Entry, ...]
    hidden: int = 0

    @property
    def total(self) -> int:
        return len(self.entries) + self.hidden


@dataclass(frozen=True, slots=True)
class Digest:
    """One subscriber's digest for one period."""

    subscriber_id: str
    period: str
    window_start: datetime
    window_end: datetime
    sections: tuple[Section, ...]
    archive_days: tuple[date, ...] = ()  # archive pages (settings zone) that hold these stories

    @property
    def shown(self) -> int:
        return sum(len(s.entries) for s in self.sections)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)

    @property
    def hidden(self) -> int:
        return sum(s.hidden for s in self.sections)

    @property
    def is_empty(self) -> bool:
        return self.total == 0


@dataclass(frozen=True, slots=True)
class ArchiveDay:
    """Every story first seen on one local day (settings zone), uncapped, for the archive."""

    day: date
    sections: tuple[Section, ...]
    visits: tuple[VisitCount, ...]
    updated: datetime  # the latest first_seen of the day's stories

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)
