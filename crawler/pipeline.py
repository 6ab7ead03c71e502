"""The crawl, told as a story: for each source, discover → fetch → extract → tag → dedup → store
→ record its health and next check.

:func:`crawl` runs one pass over the chosen sources (``citydigest crawl once`` and the daemon's
crawl jobs come here; WARC imports, :mod:`crawler.warc_import`, open the same
:func:`open_crawler`); :meth:`Crawler.crawl_source` is the story of one source: its feed, its
list pages (:mod:`crawler.listing`), its sitemap, each link then fetched, analysed and stored
(:mod:`crawler.session`), and last the refresh's outcome, recorded in one transaction by
:mod:`crawler.store.sources`: the source's health and, when the caller passes its cadence
(:class:`NextCheck`: the schedule's, a crawl stage does not know it), its next check. Different
hosts are crawled in parallel; politeness per host is the fetcher's job. Errors are recorded on
the URL and the source and never stop the other sources. A database that goes away is the
exception: every source stops at its next step (what was stored is kept), and the summary of
what was done so far carries the error for the caller to report (:mod:`crawler.report`).
"""

from __future__ import annotations

__all__ = [
    "BROKEN_AFTER",
    "Crawler",
    "NextCheck",
    "apply_retention",
    "crawl",
    "hosts_of",
    "open_crawler",
]

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Protocol

import httpx

from crawler.base.config import Config, Source
from crawler.base.db import Database
from crawler.base.errors import CrawlError, DatabaseUnavailable
from crawler.discover import parse_feed, parse_sitemap
from crawler.fetch.client import ArchiveHook, Fetcher
from crawler.fetch.hosts import HostStates
from crawler.fetch.response import FetchRecord
from crawler.fetch.urls import host_of
from crawler.listing import list_articles
from crawler.pool import stages_for, worker_count
from crawler.report import CrawlObserver, CrawlOptions, CrawlSummary, SourceReport
from crawler.session import CrawlSession, Discovered, since_utc
from crawler.store.sources import SourceHealth
from crawler.store.store import Store

log = logging.getLogger("citydigest.crawl")

MAX_SITEMAP_CHILDREN = 50
MAX_LINKS_PER_RUN = 5000  # article URLs one source may yield in one run

# A source whose articles all failed, BROKEN_AFTER or more of them, failed: fewer (one new
# article that is gone again, in a routine check) are bad luck, not a broken source.
BROKEN_AFTER = 3


class NextCheck(Protocol):
    """When to check ``source`` next, from its health just recorded and the server's caching
    hint (the app's cadence on the schedule's clock, ``Schedule.next_check``)."""

    def __call__(
        self, source: Source, health: SourceHealth, *, hint: timedelta | None = None
    ) -> datetime: ...


class Crawler(CrawlSession):
    """One crawl pass (:class:`~crawler.session.CrawlSession`) and the story of each source."""

    # The schedule's cadence, set by open_crawler; None (``crawl once``): no next check stored.
    next_check: NextCheck | None = None

    # ------------------------------------------------------------------ one source

    async def crawl_source(self, source: Source) -> SourceReport:
        """The story of one source: discover its links, then fetch, analyse and store each."""
        report = SourceReport(source.id)
        self.observer.source_started(source)
        try:
            await self._crawl_source(report, source)
        except DatabaseUnavailable as exc:
            self.database_lost(exc)
            report.stopped = True
        self.observer.source_finished(source, report)
        return report

    async def _crawl_source(self, report: SourceReport, source: Source) -> None:
        budget = MAX_LINKS_PER_RUN
        if source.feed:
            found = await self._discover(report, source, source.feed, self._feed_links)
            errors = report.error_count
            budget -= await self.articles(report, source, found.links[:budget])
            self.remember(found, clean=report.error_count == errors)
        if source.list:
            budget = await list_articles(self, report, source, budget)
        if source.sitemap:
            found = await self._discover(report, source, source.sitemap, self._sitemap_links)
            errors = report.error_count
            budget -= await self.articles(report, source, found.links[: max(budget, 0)])
            self.remember(found, clean=report.error_count == errors)
        allowed = report.tried - report.disallowed
        if not report.failed and allowed >= BROKEN_AFTER and report.article_errors == allowed:
            # Links found but not one article stored: as broken as a dead feed (a site that now
            # refuses us, an analysis worker that cannot start), not a quiet day.
            report.failed = True
            first = report.errors[0]
            report.errors.insert(0, f"all {allowed} articles failed; first: {first}")
        self._record(report, source)

    def _record(self, report: SourceReport, source: Source) -> None:
        """The refresh's outcome: health and next check, in one transaction."""
        cadence = self.next_check

        def next_check(health: SourceHealth) -> datetime:
            assert cadence is not None
            return cadence(source, health, hint=report.cache_hint)

        # The source's fetch log not written yet goes in the same transaction.
        own = [entry for entry in self.fetch_log if entry.source_id == source.id]
        self.store.record_source_result(
            source.id,
            error=report.errors[0] if report.failed else None,
            new_articles=report.new,
            next_check=None if cadence is None else next_check,
            fetches=own,
        )
        self.fetch_log[:] = [entry for entry in self.fetch_log if entry.source_id != source.id]

    # ------------------------------------------------------------------ feeds and sitemaps

    async def _discover(
        self,
        report: SourceReport,
        source: Source,
        url: str,
        parser: Callable[[SourceReport, Source, str], Awaitable[Discovered]],
    ) -> Discovered:
        try:
            return await parser(report, source, url)
        except CrawlError as exc:
            report.errors.append(str(exc))
            report.failed = True
            log.warning("%s: %s", source.id, exc)
            return Discovered(url, [])

    async def _feed_links(self, report: SourceReport, source: Source, url: str) -> Discovered:
        result = await self.get(report, source, url, conditional=True)
        if result.not_modified:
            return Discovered(url, [])
        # In a thread: a 16 MB feed is seconds of parsing, which would stall every other source.
        links = await asyncio.to_thread(
            parse_feed,
            result.content,
            result.final_url,
            content_type=result.headers.get("content-type"),
            encoding=source.encoding,
        )
        return Discovered(url, list(links), result.validators)

    async def _sitemap_links(self, report: SourceReport, source: Source, url: str) -> Discovered:
        result = await self.get(report, source, url, conditional=True)
        if result.not_modified:
            return Discovered(url, [])
        sitemap = await asyncio.to_thread(parse_sitemap, result.content, result.final_url)
        links = list(sitemap.links)
        for child in sitemap.sitemaps[:MAX_SITEMAP_CHILDREN]:
            try:
                child_result = await self.get(report, source, child)
                found = await asyncio.to_thread(
                    parse_sitemap, child_result.content, child_result.final_url
                )
                links.extend(found.links)
            except CrawlError as exc:
                report.errors.append(str(exc))
        return Discovered(url, links, result.validators)


# ---------------------------------------------------------------------- one pass


@asynccontextmanager
async def open_crawler(
    config: Config,
    db: Database,
    *,
    options: CrawlOptions | None,
    observer: CrawlObserver | None,
    transport: httpx.AsyncBaseTransport | None,
    archive: ArchiveHook | None,
    sources: Sequence[Source],
    hosts: HostStates | None = None,
    next_check: NextCheck | None = None,
    fetcher: Fetcher | None = None,
) -> AsyncIterator[Crawler]:
    """A Crawler with its fetcher open; the fetch log is flushed as it goes and at the end.
    ``next_check``: the schedule's cadence, each source's next check stored with its health;
    ``fetcher``: a long-running process's own, borrowed for the pass (its pools and TLS
    context outlive it; ``transport`` and ``hosts`` are then the lender's)."""
    store = Store(db)
    if next_check is None:  # outside the schedule: its crawls' rows are made by its sync
        store.ensure_sources(sources)
    options = options or CrawlOptions()
    records: list[FetchRecord] = []

    def record(entry: FetchRecord) -> None:
        records.append(entry)
        if len(records) >= 500:
            batch, records[:] = list(records), []
            store.record_fetches(batch)

    if fetcher is not None:
        opened = fetcher.borrow(config.default_profile, on_record=record, archive=archive)
    else:
        opened = Fetcher(
            config.default_profile,
            transport=transport,
            on_record=record,
            archive=archive,
            hosts=hosts,
        )
    async with opened as pass_fetcher:
        workers = worker_count(options.workers, len(sources))
        stages = stages_for(config, store, sources, workers, since_utc(config, options))
        crawler = Crawler(config, store, pass_fetcher, stages, options, observer or CrawlObserver())
        crawler.next_check = next_check
        crawler.fetch_log = records
        try:
            yield crawler
        finally:
            await stages.aclose()
            try:
                store.record_fetches(records)
            except DatabaseUnavailable as exc:
                crawler.lost = crawler.lost or exc
                log.info("%d fetch-log rows not recorded: %s", len(records), exc)


async def crawl(
    config: Config,
    db: Database,
    *,
    sources: Iterable[Source] | None = None,
    options: CrawlOptions | None = None,
    observer: CrawlObserver | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    archive: ArchiveHook | None = None,
    hosts: HostStates | None = None,
    next_check: NextCheck | None = None,
    fetcher: Fetcher | None = None,
    retention: bool = True,
) -> CrawlSummary:
    """One pass over ``sources`` (default: all); hosts in parallel, each host politely.

    ``transport`` replaces the network (a WARC replay); ``archive`` sees every exchange (a WARC
    writer); ``hosts`` carries the hosts' politeness state (robots.txt, back-off, throttled
    delay) from earlier passes of this process; ``next_check`` is the schedule's cadence (the
    runners' jobs pass it; without it, as for ``crawl once``, no next check is stored);
    ``fetcher``: the process's own, borrowed for this pass (:func:`open_crawler`);
    ``retention``: end the pass with :func:`apply_retention` (the runners run it as periodic
    maintenance instead: per job it was two transactions and five statements)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    chosen = list(sources if sources is not None else config.sources)
    async with open_crawler(
        config,
        db,
        options=options,
        observer=observer,
        transport=transport,
        archive=archive,
        sources=chosen,
        hosts=hosts,
        next_check=next_check,
        fetcher=fetcher,
    ) as crawler:
        reports = await asyncio.gather(*(crawler.crawl_source(s) for s in chosen))
        if retention and crawler.lost is None:  # none on a database that went away
            try:
                _retention(crawler.store, config)
            except DatabaseUnavailable as exc:
                crawler.lost = exc
    return CrawlSummary(list(reports), loop.time() - started, crawler.lost)


def apply_retention(config: Config, db: Database) -> None:
    """Delete the articles past ``retention_days`` and the fetch log past ``fetch_log_days``
    (the runners' periodic maintenance; ``crawl once`` does it after its pass)."""
    _retention(Store(db), config)


def _retention(store: Store, config: Config) -> None:
    """Delete the articles past ``retention_days`` and the fetch log past ``fetch_log_days``."""
    settings = config.settings
    if deleted := store.delete_older_than(settings.retention_days):
        log.info(
            "retention: deleted %d articles fetched over %d days ago",
            deleted,
            settings.retention_days,
        )
    if pruned := store.prune_fetch_log(settings.fetch_log_days):
        log.info(
            "retention: pruned %d fetch-log rows over %d days old",
            pruned,
            settings.fetch_log_days,
        )


def hosts_of(source: Source) -> set[str]:
    """The hosts a source's discovery URLs live on (for scheduling one crawl per host)."""
    urls = [source.feed, source.sitemap, source.list.url if source.list else None]
    return {host_of(u) for u in urls if u}
