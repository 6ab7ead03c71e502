"""What one crawl pass shares, and the steps every way of finding links ends in.

A :class:`CrawlSession` holds the config, store, fetcher, analysis and write stages, the URLs
under way and whether the database went away; it fetches a source's pages (counted in its
report) and turns links into stored articles: the links not stored yet are picked, fetched,
analysed and stored, each error recorded on the URL and the source. The feed, list-page and
sitemap steps (:mod:`crawler.pipeline`, :mod:`crawler.listing`) and the WARC import
(:mod:`crawler.warc_import`) are all built on it; :class:`crawler.pipeline.Crawler` is this
session with the story of a source on top.

A database that goes away stops every source: the articles under way are cancelled, the rest
stop at their next step (:meth:`CrawlSession.check_database`).
"""

from __future__ import annotations

__all__ = ["CrawlSession", "Discovered", "since_utc"]

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from crawler.base.config import Config, Source
from crawler.base.errors import CrawlError, DatabaseUnavailable, DiscoverError, RobotsDisallowed
from crawler.base.models import utcnow
from crawler.discover import Link
from crawler.fetch.client import Fetcher
from crawler.fetch.encoding import SiteCharsets
from crawler.fetch.hosts import slot_key
from crawler.fetch.response import FetchRecord, FetchResult, Validators, cache_hint
from crawler.fetch.urls import canonical_url
from crawler.pool import ArticleStages
from crawler.report import CrawlObserver, CrawlOptions, SourceReport
from crawler.store.store import Store
from crawler.store.write import Origin

log = logging.getLogger("citydigest.crawl")


@dataclass(frozen=True)
class Discovered:
    """Links found at ``url``, and the validators to keep once they are handled."""

    url: str
    links: list[Link]
    validators: Validators | None = None


def since_utc(config: Config, options: CrawlOptions) -> datetime | None:
    """The start of ``--since``'s day in the configured time zone."""
    if options.since is None:
        return None
    return datetime.combine(options.since, datetime.min.time(), config.settings.zone)


class CrawlSession:
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
        self.since = since_utc(config, options)  # links dated before this are skipped
        self.lost: DatabaseUnavailable | None = None  # the database went away: stop
        self._articles: set[asyncio.Future[None]] = set()  # every source's, under way
        self._turns: dict[str, asyncio.Semaphore] = {}  # by host: see _turn
        # The pass's fetch log not written yet (open_crawler fills it): each source's refresh
        # writes its own entries in its transaction, the rest go at the end of the pass.
        self.fetch_log: list[FetchRecord] = []

    def _turn(self, source: Source, url: str) -> asyncio.Semaphore:
        """The article fetches of ``url``'s host that may wait for the stages' room and fetch:
        as many as the host's requests in flight (the source's ``per_host_concurrency``)."""
        host = slot_key(url)
        turn = self._turns.get(host)
        if turn is None:
            turn = self._turns[host] = asyncio.Semaphore(
                self.config.profile(source).per_host_concurrency
            )
        return turn

    def database_lost(self, exc: DatabaseUnavailable) -> None:
        """Stop every source: the articles under way are cancelled (wherever they wait: for a
        fetch, for room in the analysis stages), the rest stop at their next step."""
        self.lost = self.lost or exc
        current = asyncio.current_task()
        for task in self._articles:
            if task is not current:
                task.cancel()

    def check_database(self) -> None:
        """Go no further once the database went away (in this source or another)."""
        if self.lost is not None:
            raise self.lost

    # ------------------------------------------------------------------ pages

    async def get(
        self, report: SourceReport, source: Source, url: str, *, conditional: bool = False
    ) -> FetchResult:
        """Fetch one of ``source``'s pages as its fetch profile says, counted in ``report``; a
        conditional GET (feed, list, sitemap) also keeps the server's cache hint."""
        self.check_database()
        result = await self.fetcher.get(
            url,
            self.config.profile(source),
            source_id=source.id,
            validators=self.store.validators(url) if conditional else None,
        )
        report.pages += 1
        if result.not_modified:
            report.not_modified += 1
        if conditional and (hint := cache_hint(result.headers, utcnow())) is not None:
            report.cache_hint = max(hint, report.cache_hint or hint)
        self.observer.page_fetched(source, url)
        return result

    def remember(self, found: Discovered, *, clean: bool) -> None:
        """Keep a feed's or sitemap's validators for the next conditional GET, but only once
        every article it listed was handled: a crash or error before then means a re-read."""
        if clean and found.validators is not None:
            self.store.save_validators(found.url, found.validators)

    # ------------------------------------------------------------------ articles

    async def articles(self, report: SourceReport, source: Source, links: Sequence[Link]) -> int:
        """Fetch, analyse and store every link not stored yet; return how many were tried."""
        fresh = self.fresh(report, source, links)
        await self.fetch_all(report, source, fresh)
        return len(fresh)

    def fresh(
        self, report: SourceReport, source: Source, links: Sequence[Link]
    ) -> list[tuple[Link, str]]:
        """The links to fetch, with their canonical URLs: not older than the period (by the
        date the link gives), not stored, not being fetched; the others are counted."""
        self.check_database()
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

    async def fetch_all(
        self, report: SourceReport, source: Source, fresh: Sequence[tuple[Link, str]]
    ) -> None:
        """Fetch, analyse and store the links :meth:`fresh` picked, all at once."""
        tasks = [asyncio.ensure_future(self._article(report, source, *item)) for item in fresh]
        self._articles.update(tasks)
        try:
            results = await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            self._articles.difference_update(tasks)
        self.check_database()  # the articles cancelled when it went away end here
        for result in results:
            if isinstance(result, Exception):
                raise result

    async def _article(self, report: SourceReport, source: Source, link: Link, key: str) -> None:
        report.tried += 1
        admitted = False
        try:
            # Only as many of a host's articles as it has fetches in flight ask for room, so
            # that the stages' room goes to fetches about to start, on every host, and not to
            # the first sources' queues (a host's articles all wait in line behind its slot).
            async with self._turn(source, link.url):
                await self.stages.room()
                admitted = True
                result = await self.get(report, source, link.url)
            try:
                final_key = canonical_url(result.final_url)
            except ValueError as exc:  # redirected to a URL with no canonical form to store
                raise DiscoverError(f"unusable URL: {exc}", url=result.final_url) from exc
            if final_key != key and self.store.known([final_key]):
                report.known += 1
                return
            self.check_database()
            admitted = False  # handed over with the page
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
            self.database_lost(exc)
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
            if admitted:  # no page reached the stages: its admission goes back
                self.stages.release()
            self.in_flight.discard(key)
