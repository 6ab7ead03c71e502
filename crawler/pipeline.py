"""The crawl, told as a story: for each source, discover → fetch → extract → tag → dedup → store
→ record health.

:func:`crawl` runs one pass over the chosen sources (``citydigest crawl once``, the daemon's
crawl jobs and WARC imports all come here); :func:`crawl_source` is the story of one source.
Different hosts are crawled in parallel; politeness per host is the fetcher's job. Errors are
recorded on the URL and the source and never stop the other sources.
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
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx

from crawler.config import Config, Source
from crawler.db import Database
from crawler.dedup import DuplicateIndex, Sketch, sketch
from crawler.discover import Link, parse_feed, parse_list_page, parse_sitemap
from crawler.errors import CrawlError, RobotsDisallowed, StoreError
from crawler.fetch import (
    ArchiveHook,
    Fetcher,
    FetchRecord,
    FetchResult,
    HostStates,
    Validators,
    cache_hint,
)
from crawler.models import utcnow
from crawler.pool import PageAnalysis, analysis_for, worker_count
from crawler.store import ArticleRecord, SaveResult, Store
from crawler.urls import canonical_url, host_of

log = logging.getLogger("citydigest.crawl")

DEDUP_WINDOW = timedelta(days=30)
MAX_SITEMAP_CHILDREN = 50
MAX_LINKS_PER_RUN = 5000  # article URLs one source may yield in one run


@dataclass(frozen=True)
class CrawlOptions:
    since: date | None = None
    max_pages: int | None = None
    # Stop paging a list at the first page with nothing new (the daemon's routine checks).
    incremental: bool = False
    # Analysis worker processes: None picks one per spare core for a crawl of several sources,
    # 0 analyses in the crawl's own process.
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

    @property
    def error_count(self) -> int:
        return len(self.errors)


@dataclass
class CrawlSummary:
    reports: list[SourceReport]
    seconds: float

    @property
    def ok(self) -> bool:
        return not any(r.failed for r in self.reports)

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
    """Everything one crawl pass shares: config, store, fetcher, analysis, the batched writer."""

    def __init__(
        self,
        config: Config,
        store: Store,
        fetcher: Fetcher,
        analysis: PageAnalysis,
        writer: _Writer,
        options: CrawlOptions,
        observer: CrawlObserver,
    ) -> None:
        self.config = config
        self.store = store
        self.fetcher = fetcher
        self.analysis = analysis
        self.writer = writer
        self.options = options
        self.observer = observer
        self.in_flight: set[str] = set()

    # ------------------------------------------------------------------ one source

    async def crawl_source(self, source: Source) -> SourceReport:
        """The story of one source: discover its links, then fetch, analyse and store each."""
        report = SourceReport(source.id)
        self.observer.source_started(source)
        budget = MAX_LINKS_PER_RUN
        if source.feed:
            found = await self._discover(report, source, source.feed, self._feed_links)
            errors = report.error_count
            budget -= await self.articles(report, source, found.links[:budget])
            self._remember(found, clean=report.error_count == errors)
        if source.list:
            async for links in self._list_pages(report, source):
                before = (report.new, report.older)
                budget -= await self.articles(report, source, links[: max(budget, 0)])
                if self._list_exhausted(report, links, before) or budget <= 0:
                    break
        if source.sitemap:
            found = await self._discover(report, source, source.sitemap, self._sitemap_links)
            errors = report.error_count
            budget -= await self.articles(report, source, found.links[: max(budget, 0)])
            self._remember(found, clean=report.error_count == errors)
        self.store.record_source_result(
            source.id, error=report.errors[0] if report.failed else None, new_articles=report.new
        )
        self.observer.source_finished(source, report)
        return report

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
        content: bytes | str = result.content
        if source.encoding:
            content = result.decode(source.encoding).text
        links = parse_feed(
            content, result.final_url, content_type=result.headers.get("content-type")
        )
        return _Discovered(url, list(links), result.validators)

    async def _sitemap_links(self, report: SourceReport, source: Source, url: str) -> _Discovered:
        result = await self._get(report, source, url, conditional=True)
        if result.not_modified:
            return _Discovered(url, [])
        sitemap = parse_sitemap(result.content, result.final_url)
        links = list(sitemap.links)
        for child in sitemap.sitemaps[:MAX_SITEMAP_CHILDREN]:
            try:
                child_result = await self._get(report, source, child)
                links.extend(parse_sitemap(child_result.content, child_result.final_url).links)
            except CrawlError as exc:
                report.errors.append(str(exc))
        return _Discovered(url, links, result.validators)

    async def _list_pages(self, report: SourceReport, source: Source) -> AsyncIterator[list[Link]]:
        assert source.list is not None
        spec = source.list
        max_pages = self.options.max_pages or spec.max_pages
        url: str | None = spec.url
        seen: set[str] = set()
        for _page in range(max_pages):
            if url is None or url in seen:
                return
            seen.add(url)
            first = url == spec.url
            errors = report.error_count
            try:
                result = await self._get(
                    report, source, url, conditional=first and self.options.incremental
                )
                if result.not_modified:
                    return  # the first page is unchanged: nothing new behind it either
                page = parse_list_page(
                    result.decode(source.encoding).text,
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
            yield list(page.links)
            if first:
                self._remember(
                    _Discovered(url, [], result.validators), clean=report.error_count == errors
                )
            url = page.next_url

    def _list_exhausted(
        self, report: SourceReport, links: Sequence[Link], before: tuple[int, int]
    ) -> bool:
        """Stop paging at an empty page; in a backfill with ``--since``, when a page held only
        articles older than the period; in an incremental crawl, when a page brought nothing new
        (the crawl has caught up with what is stored)."""
        if not links:
            return True
        new, older = report.new - before[0], report.older - before[1]
        if self.options.since is not None and older > 0 and new == 0:
            return True
        return self.options.incremental and new == 0

    # ------------------------------------------------------------------ articles

    async def articles(self, report: SourceReport, source: Source, links: Sequence[Link]) -> int:
        """Fetch, analyse and store every link not stored yet; return how many were tried."""
        since = self._since_utc()
        fresh: list[tuple[Link, str]] = []
        candidates = []
        for link in links:
            if since and link.published and link.published < since:
                report.older += 1
                continue
            candidates.append((link, canonical_url(link.url)))
        known = self.store.known(key for _, key in candidates)
        for link, key in candidates:
            if key in known or key in self.in_flight:
                report.known += 1
                self.observer.article_done(source, new=False)
            else:
                self.in_flight.add(key)
                fresh.append((link, key))
        await asyncio.gather(*(self._article(report, source, link, key) for link, key in fresh))
        return len(fresh)

    async def _article(self, report: SourceReport, source: Source, link: Link, key: str) -> None:
        try:
            result = await self._get(report, source, link.url)
            final_key = canonical_url(result.final_url)
            if final_key != key and self.store.known([final_key]):
                report.known += 1
                return
            fields = await self.analysis.analyze(
                result.content, result.final_url, result.charset, source
            )
            published = fields.pop("published") or link.published
            since = self._since_utc()
            if since and published and published < since:
                report.older += 1
                return
            title = fields.pop("title") or link.title
            record = ArticleRecord(
                url=link.url,
                canonical_url=final_key,
                source_id=source.id,
                title=title,
                published=published,
                **fields,
            )
            saved = await self.writer.save(record)
            if saved.created:
                report.new += 1
            else:
                report.known += 1
            self.observer.article_done(source, new=saved.created)
        except RobotsDisallowed:
            report.disallowed += 1
        except CrawlError as exc:
            report.errors.append(str(exc))
            log.info("%s: %s", source.id, exc)
        except Exception as exc:  # a bug on one page must not end the crawl of every source
            log.exception("%s: internal error on %s", source.id, link.url)
            report.errors.append(f"internal error: {type(exc).__name__}: {exc} ({link.url})")
        finally:
            self.in_flight.discard(key)

    def _since_utc(self) -> datetime | None:
        if self.options.since is None:
            return None
        zone = self.config.settings.zone
        return datetime.combine(self.options.since, datetime.min.time(), zone)


class _Writer:
    """Dedup and store, in batches: articles wait (up to ``BATCH_SECONDS`` or ``BATCH_SIZE``
    of them) and are then written together in one transaction, each new one matched against the
    dedup index (and added to it) in order. One transaction per article cost more than all the
    rest of the pipeline. A crash loses at most the batch being written, whose articles are then
    simply not stored yet (and fetched again by the next run); nothing committed is lost and
    nothing doubled, because articles are keyed by canonical URL."""

    BATCH_SIZE = 200
    BATCH_SECONDS = 0.25

    def __init__(self, store: Store, index: DuplicateIndex) -> None:
        self.store = store
        self.index = index
        self._pending: list[tuple[ArticleRecord, asyncio.Future[SaveResult]]] = []
        self._timer: asyncio.TimerHandle | None = None

    async def save(self, record: ArticleRecord) -> SaveResult:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[SaveResult] = loop.create_future()
        self._pending.append((record, future))
        if len(self._pending) >= self.BATCH_SIZE:
            self.flush()
        elif self._timer is None:
            self._timer = loop.call_later(self.BATCH_SECONDS, self.flush)
        return await future

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        pending, self._pending = self._pending, []
        if not pending:
            return
        try:
            results = self._write([record for record, _ in pending])
        except Exception as exc:  # every waiting article must hear of it
            # One bad article must not sink the batch: write them one by one. (This runs in a
            # timer callback: an exception escaping it would leave the articles waiting forever.)
            log.warning("a batch of %d articles failed (%s); writing one by one", len(pending), exc)
            for record, future in pending:
                try:
                    future.set_result(self._write([record])[0])
                except StoreError as one:
                    future.set_exception(StoreError(one.reason, url=record.url))
                except Exception as one:  # the article's own error, recorded by the crawl
                    future.set_exception(one)
            return
        for (_, future), saved in zip(pending, results, strict=True):
            if not future.done():
                future.set_result(saved)

    def _write(self, records: list[ArticleRecord]) -> list[SaveResult]:
        added: list[int] = []

        def duplicate_of(article_id: int, record: ArticleRecord) -> int | None:
            assert record.sketch is not None
            sk = Sketch.from_bytes(record.sketch)
            match = self.index.find(sk)
            self.index.add(article_id, sk, record.fetched)
            added.append(article_id)
            return match.doc_id if match else None

        try:
            with self.store.batch() as batch:
                results = batch.save_all(records, duplicate_of)
        except BaseException:
            for article_id in added:  # rolled back: the index must forget them too
                self.index.remove(article_id)
            raise
        if added:
            _INDEXES.advance(self.store, max(added))
        return results


class _IndexCache:
    """The dedup index of each database, kept between crawl passes of one process (the daemon
    runs many): the first pass builds it from the stored sketches of the window, later passes
    add only the rows stored since (by this or another process) and expire the old ones."""

    def __init__(self) -> None:
        self._indexes: dict[str, tuple[DuplicateIndex, int]] = {}

    def get(self, store: Store) -> DuplicateIndex:
        key = store.db.url
        cached = self._indexes.get(key)
        if cached is None:
            rows = store.sketches_since(DEDUP_WINDOW)
            try:
                index = DuplicateIndex.build(rows)
            except ValueError as exc:
                # Sketches of an older format: sketch the stored bodies again, once.
                log.warning("dedup index: %s; re-sketching the stored articles", exc)
                store.resketch(DEDUP_WINDOW, lambda body: sketch(body).to_bytes())
                rows = store.sketches_since(DEDUP_WINDOW)
                index = DuplicateIndex.build(rows)
        else:
            index, last_id = cached
            rows = store.sketches_since(DEDUP_WINDOW, after_id=last_id)
            for article_id, data, fetched in rows:
                index.add(article_id, Sketch.from_bytes(data), fetched)
            index.remove_before(utcnow() - DEDUP_WINDOW)
        last = rows[-1][0] if rows else (cached[1] if cached else 0)
        self._indexes[key] = (index, last)
        return index

    def advance(self, store: Store, article_id: int) -> None:
        """An article this process stored and added to the index itself."""
        index, last = self._indexes[store.db.url]
        self._indexes[store.db.url] = (index, max(last, article_id))


_INDEXES = _IndexCache()


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
        analysis = analysis_for(config, sources, workers)
        writer = _Writer(store, _INDEXES.get(store))
        try:
            yield Crawler(
                config,
                store,
                fetcher,
                analysis,
                writer,
                options,
                observer or CrawlObserver(),
            )
        finally:
            writer.flush()
            await analysis.aclose()
            store.record_fetches(records)


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
        deleted = crawler.store.delete_older_than(config.settings.retention_days)
        if deleted:
            log.info(
                "retention: deleted %d articles fetched over %d days ago",
                deleted,
                config.settings.retention_days,
            )
    return CrawlSummary(list(reports), loop.time() - started)


WARC_SOURCE_ID = "warc-import"
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
    async with _crawler(
        config,
        db,
        options=CrawlOptions(workers=workers),
        observer=observer,
        transport=WarcReplayTransport(paths),
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

        for url, _kind in iter_warc_pages(paths):
            batch.append(Link(url))
            if len(batch) >= WARC_BATCH:
                await flush()
        await flush()
        for report in reports.values():
            crawler.store.record_source_result(
                report.source_id, error=None, new_articles=report.new
            )
    return CrawlSummary(list(reports.values()), loop.time() - started)


def hosts_of(source: Source) -> set[str]:
    """The hosts a source's discovery URLs live on (for scheduling one crawl per host)."""
    urls = [source.feed, source.sitemap, source.list.url if source.list else None]
    return {host_of(u) for u in urls if u}
