"""The value objects that flow through the digest stages: select -> render -> deliver -> archive.

A :class:`Digest` is what one subscriber gets for one :class:`~digests.period.Window`: sections
of :class:`Entry` (one per story), each entry carrying what the templates show and why the
subscriber got it. Text is the stored original; the render stage converts the script.
"""

from __future__ import annotations

__all__ = [
    "ArchiveDay",
    "Copy",
    "Digest",
    "DocNote",
    "Document",
    "Entry",
    "PolicyInfo",
    "Section",
    "Visit",
    "VisitCount",
]

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

_Day = date  # Visit has a field named ``date``, which hides the type inside its body


@dataclass(frozen=True, slots=True)
class Visit:
    """One exchange visit: officials of ``visitor`` went to ``host``, with what the tagger
    found of it (:mod:`crawler.tag.details`): when, who led it, what for, where, and the
    sentence that says so."""

    visitor: str
    host: str
    date: date | None = None
    date_end: _Day | None = None
    leader: str | None = None  # the leader's name, None when the text gives only the title
    leader_title: str | None = None
    purpose: str | None = None
    sites: tuple[str, ...] = ()
    evidence: str | None = None


@dataclass(frozen=True, slots=True)
class Copy:
    """One outlet's copy of a story: where we read it, who wrote it, in which script."""

    outlet: str  # the source we crawled
    url: str | None
    origin: str | None = None  # the original source the page names (来源: 青岛日报), if other
    traditional: bool = False


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
class DocNote:
    """A 解读 or a news report of a policy document, shown nested under it (a link with its
    outlet), not as an item of its own."""

    title: str
    url: str | None
    outlet: str  # the source we crawled
    published: datetime
    origin: str | None = None  # the original source the page names (来源), if other
    story_id: int | None = None  # its story, when it is one of the pool's (an archive anchor)


@dataclass(frozen=True, slots=True)
class Document:
    """The policy document a story carries, as the digest shows it: who issued it, its 文号,
    dates and validity, its first sentence after the addressees, and the 解读 and reports
    around it (:class:`crawler.base.documents.PolicyDocument`, read when the pool loads)."""

    key: str  # the 文号, else story:/article: (crawler.base.documents)
    issuer: str | None
    doc_no: str | None
    written_date: date | None
    published_date: date | None
    status: str | None  # 有效, 失效, 已废止…
    summary: str
    interpretations: tuple[DocNote, ...] = ()
    reports: tuple[DocNote, ...] = ()
    folds: frozenset[int] = frozenset()  # the story ids of its 解读 and reports

    @property
    def repealed(self) -> bool:
        return self.status in ("已废止", "失效")


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
    copies: tuple[Copy, ...] = ()  # every outlet's copy, the representative's first
    date_only: bool = False  # the page gave a date without a time of day
    undated: bool = False  # the page gave no date: ``published`` is when we first saw it
    importance: int = 0  # leader and delegation level, issuer level, outlets (select's rank)
    document: Document | None = None  # the policy document the story carries
    explains: tuple[str, ...] = ()  # a 解读 on its own: the documents it explains (《…》文号)

    def link(self, script: str) -> str | None:
        """The link of the copy in the reader's script (a Simplified reader gets a Simplified
        copy, a Traditional reader a Traditional one), else the representative's."""
        want = script != "simplified"
        for copy in self.copies:
            if copy.url and copy.traditional == want:
                return copy.url
        return self.url


@dataclass(frozen=True, slots=True)
class Section:
    """A titled list of entries; ``hidden`` counts the entries cut by the caps, and
    ``hidden_days`` says on which archive days they are (for the 还有N条 link)."""

    id: str  # visit | policy | theme id | other | old: stable, an anchor in archive pages
    title: str
    entries: tuple[Entry, ...]
    hidden: int = 0
    hidden_days: tuple[date, ...] = ()  # the archive day of each hidden entry (settings zone)

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
    day: date | None = None  # the period's day (its key's date; weekly: the send day)

    @property
    def lead(self) -> Entry | None:
        """The story the subject names: the first visit, else the first entry of the first
        section that is news (not 旧闻补录)."""
        for section in self.sections:
            if section.id != "old" and section.entries:
                return section.entries[0]
        return None

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

    @property
    def news(self) -> int:
        """The stories of the period itself (the total without 旧闻补录)."""
        return sum(s.total for s in self.sections if s.id != "old")

    @property
    def old(self) -> int:
        return self.total - self.news


@dataclass(frozen=True, slots=True)
class ArchiveDay:
    """Every story first seen on one local day (settings zone), uncapped, for the archive; or,
    for a reader's filtered view of the day, every such story their filter lets through."""

    day: date
    sections: tuple[Section, ...]
    visits: tuple[VisitCount, ...]
    updated: datetime  # the latest first_seen of the day's stories
    # A 解读 or report nested under a document on the page: its story id to the document's
    # (where its permalink anchor sits)
    nested: Mapping[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)
