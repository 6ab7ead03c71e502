"""The jobs both runners run: :func:`crawl_sources` and :func:`send_due_digests` over claimed
work, and :func:`maintain`, the periodic retention pass.

The embedded runner (:mod:`crawler.app.runners.embedded`) starts them from its tick, the
distributed one (:mod:`crawler.app.runners.distributed`) from procrastinate tasks; both hand
them their :class:`~crawler.app.runtime.Runtime`'s config, database and schedule. A crawl job is
the pipeline's pass over its sources with the schedule's cadence, so each source's refresh
records its health and its next check in one transaction (:mod:`crawler.store.sources`); while
it runs, its heartbeat keeps the sources not yet refreshed leased. What a job does not need is
kept out of it: the fetcher is the process's, borrowed (:attr:`crawler.app.runtime.Runtime.
fetcher`), the schedule's rows exist already (its sync made them), and retention is
:func:`maintain`'s, every :data:`MAINTAIN_EVERY`, not every crawl's.
"""

from __future__ import annotations

__all__ = [
    "DIGEST_LEASE",
    "DIGEST_RETRY",
    "MAINTAIN_EVERY",
    "crawl_sources",
    "maintain",
    "send_due_digests",
]

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import httpx
from sqlalchemy import select

from crawler.app.schedule import Schedule
from crawler.base.config import Config, Source
from crawler.base.db import Database
from crawler.base.models import Delivery, SubscriberState
from crawler.fetch.client import Fetcher
from crawler.fetch.hosts import HostStates
from crawler.report import CrawlObserver, SourceReport

if TYPE_CHECKING:
    from digests.report import SendReport

log = logging.getLogger("citydigest.schedule")

DIGEST_LEASE = timedelta(minutes=10)  # a claimed digest is not handed out again for so long
DIGEST_RETRY = timedelta(minutes=5)  # a digest that could not go out now is tried again then
# Retention (old articles, the fetch log) runs this often: its cutoffs are days, so an hour late
# is nothing, and once per crawl it was two of a routine check's ten transactions.
MAINTAIN_EVERY = timedelta(hours=1)


async def crawl_sources(
    config: Config,
    db: Database,
    source_ids: Sequence[str],
    *,
    schedule: Schedule | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    hosts: HostStates | None = None,
    fetcher: Fetcher | None = None,
) -> list[tuple[str, bool, int]]:
    """The crawl job of both runners: one pass over the given sources (hosts in parallel, each
    host politely), each source's health and next check recorded as it finishes. Returns
    ``(source id, failed, new articles)`` per source crawled; unknown ids are skipped.

    ``hosts``: the runner's politeness state per host, kept for the life of its process, so
    that robots.txt, back-off and throttling carry from one pass to the next; ``fetcher``: the
    runner's own for the life of its process (its pools, TLS context and hosts' politeness),
    borrowed for the pass."""
    from crawler.pipeline import crawl
    from crawler.report import CrawlOptions

    schedule = schedule or Schedule(db)
    known = {s.id: s for s in config.sources}
    sources = [known[i] for i in source_ids if i in known]
    if not sources:
        return []
    leased = [s.id for s in sources]
    # The lease's first beat, which also says which sources were ever crawled to the end: a
    # source never crawled to the end (new, or its first crawl interrupted) gets a full pass;
    # later checks are incremental (list paging stops at a page with nothing new).
    succeeded = schedule.renew(leased)
    groups = [
        # A pass is one host's few new pages: analysed in this process, as starting worker
        # processes for it would cost more than it saves.
        (group, CrawlOptions(incremental=incremental, workers=0))
        for incremental, group in (
            (True, [s for s in sources if s.id in succeeded]),
            (False, [s for s in sources if s.id not in succeeded]),
        )
        if group
    ]
    crawls = asyncio.gather(
        *(
            crawl(
                config,
                db,
                sources=group,
                options=options,
                observer=_Refreshed(leased),
                transport=transport,
                hosts=hosts,
                next_check=schedule.next_check,
                fetcher=fetcher,
                retention=False,  # maintain()'s
            )
            for group, options in groups
        )
    )
    async with _heartbeat(schedule, leased):
        try:
            summaries = await crawls
        except asyncio.CancelledError:  # stopped unfinished: due again at once, not a lease on
            _hand_back(schedule, leased)
            raise
    for summary in summaries:
        if summary.database_error is not None:  # the runner's to report
            raise summary.database_error
    return [(r.source_id, r.failed, r.new) for summary in summaries for r in summary.reports]


def maintain(config: Config, db: Database) -> None:
    """The runners' periodic maintenance (every :data:`MAINTAIN_EVERY`): articles past
    ``retention_days`` and fetch-log rows past ``fetch_log_days`` deleted. Synchronous: the
    runners call it in a thread, off their event loop."""
    from crawler.pipeline import apply_retention

    apply_retention(config, db)


class _Refreshed(CrawlObserver):
    """Takes each source off the heartbeat's list once its refresh is recorded: its next check
    is stored, and a later beat would overwrite it with a lease."""

    def __init__(self, leased: list[str]) -> None:
        self.leased = leased

    def source_finished(self, source: Source, report: SourceReport) -> None:
        with contextlib.suppress(ValueError):
            self.leased.remove(source.id)


def _hand_back(schedule: Schedule, source_ids: list[str]) -> None:
    """The sources a cancelled crawl did not finish (the heartbeat's list: each finished one
    left it with its next check stored), due again now."""
    try:
        schedule.release(list(source_ids))
    except Exception as exc:  # the database went away: the lease lapses instead
        log.warning("%s not handed back: %r", ", ".join(source_ids), exc)


@contextlib.asynccontextmanager
async def _heartbeat(schedule: Schedule, source_ids: list[str]) -> AsyncIterator[None]:
    """Renew the sources' lease every third of it (the job renewed it at its start) until the
    block ends: while this
    process lives they are not handed out again; once it is gone they are due a lease later.
    ``source_ids`` is read at each beat: a source whose refresh was recorded leaves it."""

    async def beat() -> None:
        while True:
            await asyncio.sleep(schedule.policy.lease.total_seconds() / 3)
            try:
                schedule.renew(list(source_ids))
            except Exception as exc:  # the next beat tries again; the crawl goes on
                log.warning("lease of %s not renewed: %r", ", ".join(source_ids), exc)

    task = asyncio.create_task(beat(), name=f"lease {','.join(source_ids[:3])}")
    try:
        yield
    finally:
        task.cancel()
        await asyncio.wait([task])  # a cancel of this task still goes through


async def send_due_digests(
    config: Config,
    db: Database,
    subscriber_ids: Sequence[str],
    *,
    schedule: Schedule | None = None,
    now: datetime | None = None,
    retry_after: timedelta = DIGEST_RETRY,
) -> SendReport | None:
    """The digest job of both runners: send each subscriber's due digest (exactly once: the
    deliveries table) and move their next digest to their next slot; a transient SMTP failure
    (the delivery row stays pending) is retried after ``retry_after`` instead. Unsubscribed,
    paused and unknown subscribers are skipped. Returns the digests' send report."""
    from digests.pipeline import send_digests
    from digests.subscribers import paused, with_preferences

    schedule = schedule or Schedule(db)
    # The reader's own schedule (preferences page) sets their next slot.
    by_id = {s.id: s for s in with_preferences(db, config.subscribers)}
    with db.session() as session:
        gone = set(
            session.scalars(
                select(SubscriberState.id).where(SubscriberState.unsubscribed.is_(True))
            )
        )
    gone |= paused(db, subscriber_ids)
    chosen = [i for i in subscriber_ids if i in by_id and i not in gone]
    if not chosen:
        return None
    now = now or schedule.clock()
    password = os.environ.get(config.settings.smtp.password_env)
    report = await send_digests(
        config, db, subscriber_ids=tuple(chosen), smtp_password=password, now=now
    )
    failed = {(r.subscriber_id, r.period) for r in report.results if r.status == "failed"}
    transient: set[str] = set()
    if failed:
        with db.session() as session:
            for subscriber_id, period in failed:
                status = session.scalar(
                    select(Delivery.status)
                    .where(Delivery.subscriber_id == subscriber_id)
                    .where(Delivery.period == period)
                )
                if status in (None, "pending"):
                    transient.add(subscriber_id)
    for subscriber_id in chosen:
        if subscriber_id in transient:
            schedule.retry_digest(subscriber_id, at=now + retry_after)
        else:
            schedule.finish_digest(by_id[subscriber_id], config.settings.timezone, now=now)
    return report
