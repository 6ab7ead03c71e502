"""The crawl's values at its edges: the options a caller passes in, the observer told of
progress, and the reports a crawl hands back (one per source, and their summary).

They are what the command line, the scheduler, the tests and every module of the crawl
(:mod:`crawler.pipeline`, :mod:`crawler.session`, :mod:`crawler.listing`,
:mod:`crawler.warc_import`) share, so they live below all of them: plain values with no
machinery, importable without a cycle.
"""

from __future__ import annotations

__all__ = ["CrawlObserver", "CrawlOptions", "CrawlSummary", "SourceReport"]

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from crawler.base.config import Source
from crawler.base.errors import DatabaseUnavailable
from crawler.base.models import utcnow


@dataclass(frozen=True)
class CrawlOptions:
    since: date | None = None
    max_pages: int | None = None
    # Stop paging a list at the first page with nothing new (the daemon's routine checks).
    incremental: bool = False
    # Analysis worker processes: None picks one per spare core (at most two) for a crawl of
    # several sources, 0 analyses in the crawl's own process.
    workers: int | None = None


@dataclass
class SourceReport:
    source_id: str
    pages: int = 0
    new: int = 0
    known: int = 0
    older: int = 0
    disallowed: int = 0
    not_modified: int = 0
    # How long the source's feed/list/sitemap server asked us to wait (max-age, Expires,
    # Retry-After): the scheduler never checks again sooner.
    cache_hint: timedelta | None = None
    errors: list[str] = field(default_factory=list)
    failed: bool = False
    # Articles fetched (or tried) this run, and those of them that ended in an error.
    tried: int = 0
    article_errors: int = 0
    # When the crawl of the source began: what was stored since is no sign of a caught-up list.
    started_at: datetime = field(default_factory=utcnow)
    # The crawl of this source stopped early: the database went away (CrawlSummary says how).
    stopped: bool = False

    @property
    def error_count(self) -> int:
        return len(self.errors)


@dataclass
class CrawlSummary:
    reports: list[SourceReport]
    seconds: float
    # The database went away during the crawl: the reports say what was done until then.
    database_error: DatabaseUnavailable | None = None

    @property
    def ok(self) -> bool:
        return self.database_error is None and not any(r.failed for r in self.reports)

    @property
    def pages(self) -> int:
        return sum(r.pages for r in self.reports)

    @property
    def new(self) -> int:
        return sum(r.new for r in self.reports)


class CrawlObserver:
    """Told of progress; the command line shows it. The default does nothing."""

    def source_started(self, source: Source) -> None:
        pass

    def page_fetched(self, source: Source, url: str) -> None:
        pass

    def article_done(self, source: Source, *, new: bool) -> None:
        pass

    def source_finished(self, source: Source, report: SourceReport) -> None:
        pass
