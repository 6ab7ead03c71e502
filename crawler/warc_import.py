"""``citydigest crawl warc FILE...``: the HTML pages archived in WARC files imported through the
same pipeline as a live crawl.

The import is a job of its own beside :func:`crawler.pipeline.crawl`: no feed, list or sitemap
is read; the archive's pages are the links, grouped by the source that owns their host, and a
replay transport (:class:`crawler.warc.WarcReplayTransport`) stands in for the network. Only
this job needs warcio's reader, so it is imported only when it runs.
"""

from __future__ import annotations

__all__ = ["WARC_BATCH", "WARC_DAMAGED", "WARC_SOURCE_ID", "import_warc"]

import asyncio
from collections.abc import Sequence
from pathlib import Path

from crawler.base.config import Config, Source
from crawler.base.db import Database
from crawler.base.errors import DatabaseUnavailable
from crawler.discover import Link
from crawler.fetch.urls import host_of
from crawler.pipeline import hosts_of, open_crawler
from crawler.report import CrawlObserver, CrawlOptions, CrawlSummary, SourceReport
from crawler.warc import WarcReplayTransport, iter_warc_pages

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
    loop = asyncio.get_running_loop()
    started = loop.time()
    default = source or Source.model_construct(
        id=WARC_SOURCE_ID, name="WARC import", feed=None, list=None, sitemap=None
    )
    by_host = {} if source else {h: s for s in config.sources for h in hosts_of(s)}
    reports: dict[str, SourceReport] = {}
    transport = WarcReplayTransport(paths)  # ArchiveError for a file that is not a WARC file
    async with open_crawler(
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
