"""A source's list pages: paged in order, each page's articles fetched, and where to stop.

:func:`list_articles` is the list step of a source's story (:mod:`crawler.pipeline`). Paging is
the part of a crawl with the most bookkeeping: the next page is read while this page's articles
are still under way (when where to stop depends on the pages alone), an incremental crawl stops
at the first page with nothing new, and a pass that never reached the list's end (killed,
cancelled, a page or an article that failed) leaves owing what it never reached, which the next
pass pages down to (:class:`_ListPass`, kept in the store by ``begin_list_pass``,
``owe_list_depth`` and ``end_list_pass``).
"""

from __future__ import annotations

__all__ = ["list_articles"]

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from crawler.base.config import Source
from crawler.base.errors import CrawlError
from crawler.discover import Link, parse_list_page
from crawler.fetch.urls import canonical_url
from crawler.report import SourceReport
from crawler.session import CrawlSession, Discovered

log = logging.getLogger("citydigest.crawl")


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


async def list_articles(
    session: CrawlSession, report: SourceReport, source: Source, budget: int
) -> int:
    """Page through the source's list, fetching, analysing and storing the articles of each
    page; return what is left of the budget. When where to stop depends on the pages alone
    (no ``--since``, not incremental), the next page is read while this page's articles are
    still under way: one page ahead, never more."""
    options, store = session.options, session.store
    ahead = options.since is None and not options.incremental
    track = _ListPass(report.started_at)
    track.owed_since, track.owed_depth = store.begin_list_pass(source.id, at=track.started_at)
    track.committed = track.owed_depth
    failures = report.article_errors
    under_way: asyncio.Task[None] | None = None
    try:
        async for number, links in _list_pages(session, report, source, track):
            before = (report.new, report.older, report.article_errors)
            fresh = session.fresh(report, source, links[: max(budget, 0)])
            budget -= len(fresh)
            if fresh and number > track.committed:  # committed before any is stored
                store.owe_list_depth(source.id, number)
                track.committed = number
            previous = under_way
            under_way = asyncio.ensure_future(session.fetch_all(report, source, fresh))
            if previous is not None:
                await previous
            if not ahead:
                await under_way
            if report.article_errors > before[2]:  # one page ahead: this page or deeper
                track.failed_page = number
            if _list_exhausted(session, report, links, before, track, number):
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
        store.end_list_pass(
            source.id,
            depth=track.failed_page if failed else track.pages,
            owing_since=track.started_at if failed else None,
        )
    return budget


async def _list_pages(
    session: CrawlSession, report: SourceReport, source: Source, track: _ListPass
) -> AsyncIterator[tuple[int, list[Link]]]:
    """The list's pages in order, numbered from 1; ``track.ended`` once the paging reached
    the list's end (no next page, a loop, ``max_pages``, an unchanged first page)."""
    assert source.list is not None
    spec = source.list
    max_pages = session.options.max_pages or spec.max_pages
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
        conditional = first and session.options.incremental and not track.owing
        try:
            result = await session.get(report, source, url, conditional=conditional)
            if result.not_modified:
                track.ended = True
                return  # the first page is unchanged: nothing new behind it either
            html = session.charsets.decode(
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
            session.remember(
                Discovered(url, [], result.validators), clean=report.error_count == errors
            )
        url = page.next_url
    track.ended = True  # as deep as this source's list is read


def _list_exhausted(
    session: CrawlSession,
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
    if session.options.since is not None and older > 0 and new == 0:
        return True
    if not session.options.incremental or new > 0 or report.article_errors > before[2]:
        return False  # (an article that failed may have been new)
    if number < track.owed_depth:
        return False
    keys = set()
    for link in links:
        with contextlib.suppress(ValueError):  # such a link is left out by fresh() too
            keys.add(canonical_url(link.url))
    # A link stored since the unfinished pass (or this crawl, its feed first) began, or
    # being stored: it is that pass's, or newer, and what it never reached may lie below.
    since = track.owed_since or report.started_at
    return not (keys & session.in_flight or session.store.stored_since(keys, since))
