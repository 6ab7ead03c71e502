"""The crawl, told as a story: for each source, discover → fetch → extract → tag → dedup → store
→ record health.

:func:`crawl` runs one pass over the chosen sources (``citydigest crawl once``, the daemon's
crawl jobs and WARC imports all come here); :func:`crawl_source` is the story of one source.
Different hosts are crawled in parallel; politeness per host is the fetcher's job. Errors are
recorded on the URL and the source and never stop the other sources. A database that goes away
is the exception: every source stops at its next step (what was stored is kept), and the summary
of what was done so far carries the error for the caller to report.
"""

from __future__ import annotations

__all__ = [
    "CrawlObserver",
    "CrawlOptions",
    "CrawlSummary",
    "Crawler",
    "SourceReport",
    "crawl",
    "hosts_of",
    "import_warc",
]

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx

from crawler.base.config import Config, Source
from crawler.base.db import Database
from crawler.base.errors import CrawlError, DatabaseUnavailable, DiscoverError, RobotsDisallowed
from crawler.base.models import utcnow
from crawler.discover import Link, parse_feed, parse_list_page, parse_sitemap
from crawler.fetch.client import ArchiveHook, Fetcher
from crawler.fetch.encoding import SiteCharsets
from crawler.fetch.hosts import HostStates
from crawler.fetch.response import FetchRecord, FetchResult, Validators, cache_hint
from crawler.fetch.urls import canonical_url, host_of
from crawler.pool import ArticleStages, stages_for, worker_count
from crawler.store.store import Store
from crawler.store.write import Origin

log = logging.getLogger("citydigest.crawl")

MAX_SITEMAP_CHILDREN = 50
MAX_LINKS_PER_RUN = 5000  # article URLs one source may yield in one run


@dataclass(frozen=True)
class CrawlOptions:
    since: date | None = None
    max_pages: int | None = None
    # Stop paging a list at the first page with nothing new (the daemon's routine checks).
    incremental: bool = False
    # Analysis worker processes: None picks one per spare core (at most two) for a crawl of
    # several sources, 0 analyses in the crawl's own process.
    workers: int | None = None


# A source whose articles all failed, BROKEN_AFTER or more of them, failed: fewer (one new
# article that is gone again, in a routine check) are bad luck, not a broken source.
BROKEN_AFTER = 3


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


@dataclass(frozen=True)
class _Discovered:
    """Links found at ``url``, and the validators to keep once they are handled."""

    url: str
    links: list[Link]
    validators: Validators | None = None


@dataclass
class _ListPass:
    """One pass over a source's list pages, and what an earlier pass that never reached its end
    (killed, cancelled, a list page or an article that failed) left owing.

    Such a pass stored articles from the top of the list down to some page; those it never
    reached lie just below, and articles published since push them all deeper. So a pass that
    owes (``owed_since`` set) does not stop at a page with nothing new until it has read
    ``owed_depth`` pages and the page holds no article stored since ``owed_since``: below the
    last of those (the unfinished pass's, or newer ones) lies what it never reached. A pass
    that owes nothing judges by its own start the same way (its feed may have stored the top
    of the list a moment ago).
    """

    started_at: datetime
    owed_since: datetime | None = None
    owed_depth: int = 0
    pages: int = 0  # list pages read
    committed: int = 0  # the deepest page whose articles are (being) fetched, as committed
    failed_page: int = 0  # the deepest page on which an article failed
    ended: bool = False  # the paging reached its end (not an error, the budget or a kill)

    @property
    def owing(self) -> bool:
        return self.owed_since is not None


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


class Crawler:
    """Everything one crawl pass shares: config, store, fetcher, the analysis and write stages."""

    def __init__(
        self,
        config: Config,
        store: Store,
        fetcher: Fetcher,
        stages: ArticleStages,
        options: CrawlOptions,
        observer: CrawlObserver,
    ) -> None:
        self.config = config
        self.store = store
        self.fetcher = fetcher
        self.stages = stages
        self.options = options
        self.observer = observer
        self.in_flight: set[str] = set()
        self.charsets = SiteCharsets()  # list pages' charsets, where the declarations lie
        self.since = _since_utc(config, options)  # links dated before this are skipped
        self.lost: DatabaseUnavailable | None = None  # the database went away: stop
        self._articles: set[asyncio.Future[None]] = set()  # every source's, under way

    def _database_lost(self, exc: DatabaseUnavailable) -> None:
        """Stop every source: the articles under way are cancelled (wherever they wait: for a
        fetch, for room in the analysis stages), the rest stop at their next step."""
        self.lost = self.lost or exc
        current = asyncio.current_task()
        for task in self._articles:
            if task is not current:
                task.cancel()

    def _check_database(self) -> None:
        """Go no further once the database went away (in this source or another)."""
        if self.lost is not None:
            raise self.lost

    # ------------------------------------------------------------------ one source

    async def crawl_source(self, source: Source) -> SourceReport:
        """The story of one source: discover its links, then fetch, analyse and store each."""
        report = SourceReport(source.id)
        self.observer.source_started(source)
        try:
            await self._crawl_source(report, source)
        except DatabaseUnavailable as exc:
            self._database_lost(exc)
            report.stopped = True
        self.observer.source_finished(source, report)
        return report

    async def _crawl_source(self, report: SourceReport, source: Source) -> None:
        budget = MAX_LINKS_PER_RUN
        if source.feed:
            found = await self._discover(report, source, source.feed, self._feed_links)
            errors = report.error_count
            budget -= await self.articles(report, source, found.links[:budget])
            self._remember(found, clean=report.error_count == errors)
        if source.list:
            budget = await self._list_articles(report, source, budget)
        if source.sitemap:
            found = await self._discover(report, source, source.sitemap, self._sitemap_links)
            errors = report.error_count
            budget -= await self.articles(report, source, found.links[: max(budget, 0)])
            self._remember(found, clean=report.error_count == errors)
        allowed = report.tried - report.disallowed
        if not report.failed and allowed >= BROKEN_AFTER and report.article_errors == allowed:
            # Links found but not one article stored: as broken as a dead feed (a site that now
            # refuses us, an analysis worker that cannot start), not a quiet day.
            report.failed = True
            first = report.errors[0]
            report.errors.insert(0, f"all {allowed} articles failed; first: {first}")
        self.store.record_source_result(
            source.id, error=report.errors[0] if report.failed else None, new_articles=report.new
        )

    # ------------------------------------------------------------------ discovery

    async def _discover(
        self,
        report: SourceReport,
        source: Source,
        url: str,
        parser: Callable[[SourceReport, Source, str], Awaitable[_Discovered]],
    ) -> _Discovered:
        try:
            return await parser(report, source, url)
        except CrawlError as exc:
            report.errors.append(str(exc))
            report.failed = True
            log.warning("%s: %s", source.id, exc)
            return _Discovered(url, [])

    def _remember(self, found: _Discovered, *, clean: bool) -> None:
        """Keep a feed's or sitemap's validators for the next conditional GET, but only once
        every article it listed was handled: a crash or error before then means a re-read."""
        if clean and found.validators is not None:
            self.store.save_validators(found.url, found.validators)

    async def _get(
        self, report: SourceReport, source: Source, url: str, *, conditional: bool = False
    ) -> FetchResult:
        self._check_database()
        settings = source.fetch_settings(self.config.settings.fetch)
        result = await self.fetcher.get(
            url,
            settings=settings,
            source_id=source.id,
            validators=self.store.validators(url) if conditional else None,
            headers=source.fetch.request_headers(),
            user_agent=source.fetch.user_agent,
            proxy=source.fetch.proxy,
        )
        report.pages += 1
        if result.not_modified:
            report.not_modified += 1
        if conditional and (hint := cache_hint(result.headers, utcnow())) is not None:
            report.cache_hint = max(hint, report.cache_hint or hint)
        self.observer.page_fetched(source, url)
        return result

    async def _feed_links(self, report: SourceReport, source: Source, url: str) -> _Discovered:
        result = await self._get(report, source, url, conditional=True)
        if result.not_modified:
            return _Discovered(url, [])
        # In a thread: a 16 MB feed is seconds of parsing, which would stall every other source.
        links = await asyncio.to_thread(
            parse_feed,
            result.content,
            result.final_url,
            content_type=result.headers.get("content-type"),
            encoding=source.encoding,
        )
        return _Discovered(url, list(links), result.validators)

    async def _sitemap_links(self, report: SourceReport, source: Source, url: str) -> _Discovered:
        result = await self._get(report, source, url, conditional=True)
        if result.not_modified:
            return _Discovered(url, [])
        sitemap = await asyncio.to_thread(parse_sitemap, result.content, result.final_url)
        links = list(sitemap.links)
        for child in sitemap.sitemaps[:MAX_SITEMAP_CHILDREN]:
            try:
                child_result = await self._get(report, source, child)
                found = await asyncio.to_thread(
                    parse_sitemap, child_result.content, child_result.final_url
                )
                links.extend(found.links)
            except CrawlError as exc:
                report.errors.append(str(exc))
        return _Discovered(url, links, result.validators)

    async def _list_pages(
        self, report: SourceReport, source: Source, track: _ListPass
    ) -> AsyncIterator[tuple[int, list[Link]]]:
        """The list's pages in order, numbered from 1; ``track.ended`` once the paging reached
        the list's end (no next page, a loop, ``max_pages``, an unchanged first page)."""
        assert source.list is not None
        spec = source.list
        max_pages = self.options.max_pages or spec.max_pages
        url: str | None = spec.url
        seen: set[str] = set()
        for number in range(1, max_pages + 1):
            if url is None or url in seen:
                track.ended = True
                return
            seen.add(url)
            first = url == spec.url
            errors = report.error_count
            # A pass that owes reads the first page whole: the one that died may have kept its
            # validators, and what is owed lies behind it even if it did not change.
            conditional = first and self.options.incremental and not track.owing
            try:
                result = await self._get(report, source, url, conditional=conditional)
                if result.not_modified:
                    track.ended = True
                    return  # the first page is unchanged: nothing new behind it either
                html = self.charsets.decode(
                    result.final_url,
                    result.content,
                    header_charset=result.charset,
                    forced=source.encoding,
                ).text
                page = parse_list_page(
                    html,
                    result.final_url,
                    links=spec.links,
                    next_selector=spec.next,
                )
            except CrawlError as exc:
                report.errors.append(str(exc))
                # The first page failing fails the source; a later one only ends the paging.
                report.failed = report.failed or first
                log.warning("%s: %s", source.id, exc)
                return
            track.pages = number
            yield number, list(page.links)
            if first:
                self._remember(
                    _Discovered(url, [], result.validators), clean=report.error_count == errors
                )
            url = page.next_url
        track.ended = True  # as deep as this source's list is read

    def _list_exhausted(
        self,
        report: SourceReport,
        links: Sequence[Link],
        before: tuple[int, int, int],
        track: _ListPass,
        number: int,
    ) -> bool:
        """Stop paging at an empty page; in a backfill with ``--since``, when a page held only
        articles older than the period; in an incremental crawl, when a page brought nothing new
        (the crawl has caught up with what is stored) and, if an earlier pass left something
        owing, the page is past it (see :class:`_ListPass`)."""
        if not links:
            return True
        new, older = report.new - before[0], report.older - before[1]
        if self.options.since is not None and older > 0 and new == 0:
            return True
        if not self.options.incremental or new > 0 or report.article_errors > before[2]:
            return False  # (an article that failed may have been new)
        if number < track.owed_depth:
            return False
        keys = set()
        for link in links:
            with contextlib.suppress(ValueError):  # such a link is left out by _fresh too
                keys.add(canonical_url(link.url))
        # A link stored since the unfinished pass (or this crawl, its feed first) began, or
        # being stored: it is that pass's, or newer, and what it never reached may lie below.
        since = track.owed_since or report.started_at
        return not (keys & self.in_flight or self.store.stored_since(keys, since))

    # ------------------------------------------------------------------ articles

    async def _list_articles(self, report: SourceReport, source: Source, budget: int) -> int:
        """Page through the source's list, fetching, analysing and storing the articles of each
        page; return what is left of the budget. When where to stop depends on the pages alone
        (no ``--since``, not incremental), the next page is read while this page's articles are
        still under way: one page ahead, never more."""
        ahead = self.options.since is None and not self.options.incremental
        track = _ListPass(report.started_at)
        track.owed_since, track.owed_depth = self.store.begin_list_pass(
            source.id, at=track.started_at
        )
        track.committed = track.owed_depth
        failures = report.article_errors
        under_way: asyncio.Task[None] | None = None
        try:
            async for number, links in self._list_pages(report, source, track):
                before = (report.new, report.older, report.article_errors)
                fresh = self._fresh(report, source, links[: max(budget, 0)])
                budget -= len(fresh)
                if fresh and number > track.committed:  # committed before any is stored
                    self.store.owe_list_depth(source.id, number)
                    track.committed = number
                previous = under_way
                under_way = asyncio.ensure_future(self._fetch_all(report, source, fresh))
                if previous is not None:
                    await previous
                if not ahead:
                    await under_way
                if report.article_errors > before[2]:  # one page ahead: this page or deeper
                    track.failed_page = number
                if self._list_exhausted(report, links, before, track, number):
                    track.ended = True
                    break
                if budget <= 0:
                    break
            if under_way is not None:
                await under_way
        finally:
            if under_way is not None:
                if not under_way.done():  # cancelled: so is its work
                    under_way.cancel()
                # Its error, if it had one, is the one raised here (the database went away).
                under_way.add_done_callback(lambda task: task.cancelled() or task.exception())
        if track.ended:
            # Articles that failed are owed from this pass's start, down to where they are;
            # a list page that failed, or the budget, leaves owing what was committed.
            failed = report.article_errors > failures
            self.store.end_list_pass(
                source.id,
                depth=track.failed_page if failed else track.pages,
                owing_since=track.started_at if failed else None,
            )
        return budget

    async def articles(self, report: SourceReport, source: Source, links: Sequence[Link]) -> int:
        """Fetch, analyse and store every link not stored yet; return how many were tried."""
        fresh = self._fresh(report, source, links)
        await self._fetch_all(report, source, fresh)
        return len(fresh)

    def _fresh(
        self, report: SourceReport, source: Source, links: Sequence[Link]
    ) -> list[tuple[Link, str]]:
        """The links to fetch, with their canonical URLs: not older than the period (by the
        date the link gives), not stored, not being fetched; the others are counted."""
        self._check_database()
        since = self.since
        fresh: list[tuple[Link, str]] = []
        candidates = []
        for link in links:
            if since and link.published and link.published < since:
                report.older += 1
                continue
            try:
                candidates.append((link, canonical_url(link.url)))
            except ValueError as exc:  # discovery admits none; an archive's URLs may be odd
                report.errors.append(f"discover: unusable link {link.url!r}: {exc}")
        known = self.store.known(key for _, key in candidates)
        for link, key in candidates:
            if key in known or key in self.in_flight:
                report.known += 1
                self.observer.article_done(source, new=False)
            else:
                self.in_flight.add(key)
                fresh.append((link, key))
        return fresh

    async def _fetch_all(
        self, report: SourceReport, source: Source, fresh: Sequence[tuple[Link, str]]
    ) -> None:
        tasks = [asyncio.ensure_future(self._article(report, source, *item)) for item in fresh]
        self._articles.update(tasks)
        try:
            results = await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            self._articles.difference_update(tasks)
        self._check_database()  # the articles cancelled when it went away end here
        for result in results:
            if isinstance(result, Exception):
                raise result

    async def _article(self, report: SourceReport, source: Source, link: Link, key: str) -> None:
        report.tried += 1
        try:
            await self.stages.room()
            result = await self._get(report, source, link.url)
            try:
                final_key = canonical_url(result.final_url)
            except ValueError as exc:  # redirected to a URL with no canonical form to store
                raise DiscoverError(f"unusable URL: {exc}", url=result.final_url) from exc
            if final_key != key and self.store.known([final_key]):
                report.known += 1
                return
            self._check_database()
            saved = await self.stages.store(
                result.content,
                result.final_url,
                result.charset,
                source,
                Origin(link.url, final_key, source.id, link.title, link.published),
            )
            if saved is None:
                report.older += 1
                return
            if saved.created:
                report.new += 1
            else:
                report.known += 1
            self.observer.article_done(source, new=saved.created)
        except RobotsDisallowed:
            report.disallowed += 1
        except DatabaseUnavailable as exc:
            self._database_lost(exc)
            raise
        except CrawlError as exc:
            report.errors.append(str(exc))
            report.article_errors += 1
            log.info("%s: %s", source.id, exc)
        except Exception as exc:  # a bug on one page must not end the crawl of every source
            log.exception("%s: internal error on %s", source.id, link.url)
            report.errors.append(f"internal error: {type(exc).__name__}: {exc} ({link.url})")
            report.article_errors += 1
        finally:
            self.in_flight.discard(key)


def _since_utc(config: Config, options: CrawlOptions) -> datetime | None:
    """The start of ``--since``'s day in the configured time zone."""
    if options.since is None:
        return None
    return datetime.combine(options.since, datetime.min.time(), config.settings.zone)


@asynccontextmanager
async def _crawler(
    config: Config,
    db: Database,
    *,
    options: CrawlOptions | None,
    observer: CrawlObserver | None,
    transport: httpx.AsyncBaseTransport | None,
    archive: ArchiveHook | None,
    sources: Sequence[Source],
    hosts: HostStates | None = None,
) -> AsyncIterator[Crawler]:
    """A Crawler with its fetcher open; the fetch log is flushed as it goes and at the end."""
    store = Store(db)
    store.ensure_sources(sources)
    options = options or CrawlOptions()
    records: list[FetchRecord] = []

    def record(entry: FetchRecord) -> None:
        records.append(entry)
        if len(records) >= 500:
            batch, records[:] = list(records), []
            store.record_fetches(batch)

    async with Fetcher(
        config.settings.fetch,
        user_agent=config.settings.user_agent,
        transport=transport,
        on_record=record,
        archive=archive,
        hosts=hosts,
    ) as fetcher:
        workers = worker_count(options.workers, len(sources))
        stages = stages_for(config, store, sources, workers, _since_utc(config, options))
        crawler = Crawler(config, store, fetcher, stages, options, observer or CrawlObserver())
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
) -> CrawlSummary:
    """One pass over ``sources`` (default: all); hosts in parallel, each host politely.

    ``transport`` replaces the network (a WARC replay); ``archive`` sees every exchange (a WARC
    writer); ``hosts`` carries the hosts' politeness state (robots.txt, back-off, throttled
    delay) from earlier passes of this process."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    chosen = list(sources if sources is not None else config.sources)
    async with _crawler(
        config,
        db,
        options=options,
        observer=observer,
        transport=transport,
        archive=archive,
        sources=chosen,
        hosts=hosts,
    ) as crawler:
        reports = await asyncio.gather(*(crawler.crawl_source(s) for s in chosen))
        if crawler.lost is None:  # no retention pass on a database that went away
            try:
                _retention(crawler.store, config)
            except DatabaseUnavailable as exc:
                crawler.lost = exc
    return CrawlSummary(list(reports), loop.time() - started, crawler.lost)


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


WARC_SOURCE_ID = "warc-import"
WARC_DAMAGED = "(damaged WARC files)"  # the summary's line for files read only in part
WARC_BATCH = 200


async def import_warc(
    config: Config,
    db: Database,
    paths: Sequence[str | Path],
    *,
    source: Source | None = None,
    observer: CrawlObserver | None = None,
    workers: int | None = None,
) -> CrawlSummary:
    """Import the HTML pages archived in WARC files through the same pipeline as a live crawl
    (a replay transport stands in for the network). Each page belongs to ``source`` if given,
    else to the configured source on its host, else to a source named ``warc-import``."""
    from crawler.warc import WarcReplayTransport, iter_warc_pages  # warcio only for imports

    loop = asyncio.get_running_loop()
    started = loop.time()
    default = source or Source.model_construct(
        id=WARC_SOURCE_ID, name="WARC import", feed=None, list=None, sitemap=None
    )
    by_host = {} if source else {h: s for s in config.sources for h in hosts_of(s)}
    reports: dict[str, SourceReport] = {}
    transport = WarcReplayTransport(paths)  # ArchiveError for a file that is not a WARC file
    async with _crawler(
        config,
        db,
        options=CrawlOptions(workers=workers),
        observer=observer,
        transport=transport,
        archive=None,
        sources=[default, *by_host.values()],
    ) as crawler:
        batch: list[Link] = []

        async def flush() -> None:
            owners: dict[str, tuple[Source, list[Link]]] = {}
            for link in batch:
                owner = by_host.get(host_of(link.url), default)
                owners.setdefault(owner.id, (owner, []))[1].append(link)
            for owner, links in owners.values():
                report = reports.setdefault(owner.id, SourceReport(owner.id))
                await crawler.articles(report, owner, links)
            batch.clear()

        try:
            for url, _kind in iter_warc_pages(paths):
                batch.append(Link(url))
                if len(batch) >= WARC_BATCH:
                    await flush()
            await flush()
            for report in reports.values():
                crawler.store.record_source_result(
                    report.source_id, error=None, new_articles=report.new
                )
        except DatabaseUnavailable as exc:  # stop: the summary says what was imported
            crawler.lost = crawler.lost or exc
            for report in reports.values():
                report.stopped = True
    summary = CrawlSummary(list(reports.values()), loop.time() - started, crawler.lost)
    if transport.damaged:  # what was readable was imported; the rest of those files was not
        summary.reports.append(SourceReport(WARC_DAMAGED, errors=transport.damaged, failed=True))
    return summary


def hosts_of(source: Source) -> set[str]:
    """The hosts a source's discovery URLs live on (for scheduling one crawl per host)."""
    urls = [source.feed, source.sitemap, source.list.url if source.list else None]
    return {host_of(u) for u in urls if u}
