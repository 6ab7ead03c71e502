"""Schedule: the schedule tables, and claiming due work from them.

Both schedules live in the database (``sources.next_check_at``, ``subscribers.next_digest_at``,
UTC), so a restart loses nothing and any number of processes can read them. When a time falls
is :mod:`crawler.app.cadence`'s pure maths; what the operator reads back is
:mod:`crawler.app.status`. This module writes the rows and hands out the work.

:class:`Schedule` is the dispatch tick's view of the tables: :meth:`Schedule.sync` makes a row
for every configured source and subscriber, :meth:`Schedule.claim_sources` and
:meth:`Schedule.due_subscribers` find due work, :meth:`Schedule.finish_crawl` and
:meth:`Schedule.finish_digest` write the next time. Claiming leases a row (its
``next_check_at`` moves a lease ahead) in the same transaction that reads it, with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two dispatchers never hand out one crawl twice.
The lease is short (a minute) and the crawl renews it while it runs (:func:`crawl_sources`'
heartbeat), so a crawl whose process was killed is due again a lease after its last heartbeat,
on any number of processes, with no owner to look up. :func:`crawl_sources` and
:func:`send_due_digests` are the two jobs both runners run over claimed work.
"""

from __future__ import annotations

__all__ = [
    "DueDigest",
    "Schedule",
    "crawl_sources",
    "send_due_digests",
]

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from crawler.app.cadence import PollPolicy, SourceHealth, is_slot, next_check_at, next_digest_at
from crawler.base.config import Config, Source, Subscriber
from crawler.base.db import Database
from crawler.base.models import Delivery, SourceState, SubscriberState, utcnow
from crawler.fetch.hosts import HostStates

if TYPE_CHECKING:
    from digests.report import SendReport

log = logging.getLogger("citydigest.schedule")


@dataclass(frozen=True)
class DueDigest:
    """A subscriber whose digest is due, and since when."""

    subscriber_id: str
    due_at: datetime


# --------------------------------------------------------------------------- the tables


class Schedule:
    """The dispatch tick's access to the schedule tables of one database."""

    def __init__(
        self,
        db: Database,
        policy: PollPolicy | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.policy = policy or PollPolicy()
        self.clock = clock

    def sync(self, config: Config, now: datetime | None = None) -> None:
        """Give every configured source and subscriber a row and a time.

        A new source is due at once; a new subscriber at their next slot. A subscriber whose
        stored time is no longer a slot of their (edited) schedule moves to the next slot."""
        now = now or self.clock()
        for attempt in range(3):
            try:
                self._sync_once(config, now)
                return
            except IntegrityError:
                # Another process created the same rows at the same moment: read them again.
                if attempt == 2:
                    raise

    def _sync_once(self, config: Config, now: datetime) -> None:
        zone = config.settings.timezone
        with self.db.session() as session:
            sources = {s.id: s for s in session.scalars(select(SourceState))}
            for source in config.sources:
                row = sources.get(source.id)
                if row is None:
                    session.add(
                        SourceState(
                            id=source.id,
                            name=source.name,
                            consecutive_failures=0,
                            next_check_at=now,
                        )
                    )
                else:
                    if row.name != source.name:
                        row.name = source.name
                    if row.next_check_at is None:
                        row.next_check_at = now
            from digests import subscribers  # digests loaded only where they are scheduled

            subscribers.sync(
                session,
                config.subscribers,
                now=now,
                next_slot=lambda subscriber: next_digest_at(subscriber, zone, now),
                is_slot=lambda subscriber, due: is_slot(subscriber, zone, due),
            )

    # ------------------------------------------------------------------ crawls

    def claim_sources(
        self,
        config: Config,
        hosts: Mapping[str, Iterable[str]],
        *,
        limit: int,
        busy_hosts: Iterable[str] = (),
        one_per_host: bool = True,
        now: datetime | None = None,
    ) -> list[tuple[str, datetime]]:
        """Claim up to ``limit`` due sources, at most one per host and none on ``busy_hosts``;
        each claimed row is leased (``next_check_at`` moves ``policy.lease`` ahead) until
        :meth:`finish_crawl`. Returns ``(source id, when it was due)``, most overdue first.
        ``one_per_host=False`` leaves per-host exclusion to the caller (distributed host locks).
        """
        if limit <= 0:
            return []
        now = now or self.clock()
        configured = {s.id for s in config.sources}
        taken = set(busy_hosts)
        claimed: list[tuple[str, datetime]] = []
        with self.db.session() as session:
            query = (
                select(SourceState)
                .where(or_(SourceState.next_check_at.is_(None), SourceState.next_check_at <= now))
                .order_by(SourceState.next_check_at)
                .limit(limit * 8 if one_per_host else limit)
            )
            if not self.db.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            for row in session.scalars(query):
                if row.id not in configured:
                    continue
                source_hosts = set(hosts.get(row.id, ()))
                if source_hosts & taken:
                    continue
                if one_per_host:
                    taken |= source_hosts
                claimed.append((row.id, row.next_check_at or now))
                row.next_check_at = now + self.policy.lease
                if len(claimed) >= limit:
                    break
        return claimed

    def finish_crawl(
        self,
        source: Source,
        *,
        hint: timedelta | None = None,
        now: datetime | None = None,
    ) -> datetime:
        """After a crawl of ``source`` (its health already recorded): store and return its next
        check time."""
        now = now or self.clock()
        with self.db.session() as session:
            row = session.get(SourceState, source.id)
            if row is None:
                row = SourceState(id=source.id, name=source.name, consecutive_failures=0)
                session.add(row)
            health = SourceHealth(
                consecutive_failures=row.consecutive_failures or 0,
                last_new_at=row.last_new_at,
            )
            row.next_check_at = next_check_at(source, health, now, hint=hint, policy=self.policy)
            return row.next_check_at

    def renew(self, source_ids: Sequence[str], *, now: datetime | None = None) -> None:
        """The heartbeat of a running crawl: its sources stay leased ``policy.lease`` from now."""
        if not source_ids:
            return
        now = now or self.clock()
        with self.db.session() as session:
            session.execute(
                update(SourceState)
                .where(SourceState.id.in_(source_ids))
                .values(next_check_at=now + self.policy.lease)
            )

    def release(self, source_ids: Sequence[str], *, at: datetime | None = None) -> None:
        """Hand claimed sources back unfinished (a stopping daemon): due again at ``at``."""
        if not source_ids:
            return
        at = at or self.clock()
        with self.db.session() as session:
            for row in session.scalars(select(SourceState).where(SourceState.id.in_(source_ids))):
                row.next_check_at = at

    # ------------------------------------------------------------------ digests

    def due_subscribers(self, config: Config, now: datetime | None = None) -> list[DueDigest]:
        """Configured, subscribed subscribers whose digest is due, most overdue first. An
        unsubscribe stored in the database wins over subscribers.yaml."""
        now = now or self.clock()
        configured = {s.id for s in config.subscribers}
        with self.db.session() as session:
            rows = session.execute(
                select(SubscriberState.id, SubscriberState.next_digest_at)
                .where(SubscriberState.next_digest_at <= now)
                .where(SubscriberState.unsubscribed.is_(False))
                .order_by(SubscriberState.next_digest_at)
            ).all()
        return [DueDigest(r.id, r.next_digest_at) for r in rows if r.id in configured]

    def claim_subscribers(
        self, config: Config, *, lease: timedelta, now: datetime | None = None
    ) -> list[DueDigest]:
        """Like :meth:`due_subscribers`, and lease each row (``next_digest_at`` moves ``lease``
        ahead) until :meth:`finish_digest`, so a digest being sent is not handed out again."""
        from digests import subscribers

        now = now or self.clock()
        configured = {s.id for s in config.subscribers}
        claimed = subscribers.claim_due(self.db, configured, lease=lease, now=now)
        return [DueDigest(subscriber_id, due_at) for subscriber_id, due_at in claimed]

    def finish_digest(
        self, subscriber: Subscriber, default_zone: str, *, now: datetime | None = None
    ) -> datetime:
        """After the due digest went out (or was found already sent): the next slot after now,
        so a digest missed during downtime is sent once, late, and not once per missed day."""
        from digests import subscribers

        now = now or self.clock()
        nxt = next_digest_at(subscriber, default_zone, now)
        subscribers.set_next_digest(self.db, subscriber, nxt)
        return nxt

    def retry_digest(self, subscriber_id: str, *, at: datetime) -> None:
        """A digest that could not go out now (or was abandoned): due again at ``at``."""
        from digests import subscribers

        subscribers.retry_at(self.db, subscriber_id, at)


# --------------------------------------------------------------------------- the shared jobs


async def crawl_sources(
    config: Config,
    db: Database,
    source_ids: Sequence[str],
    *,
    schedule: Schedule | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    hosts: HostStates | None = None,
) -> list[tuple[str, bool, int]]:
    """The crawl job of both runners: one pass over the given sources (hosts in parallel, each
    host politely), then each source's next check. Returns
    ``(source id, failed, new articles)`` per source crawled; unknown ids are skipped.

    ``hosts``: the runner's politeness state per host, kept for the life of its process, so
    that robots.txt, back-off and throttling carry from one pass to the next."""
    from crawler.pipeline import crawl
    from crawler.report import CrawlOptions

    schedule = schedule or Schedule(db)
    known = {s.id: s for s in config.sources}
    sources = [known[i] for i in source_ids if i in known]
    if not sources:
        return []
    # A source never crawled to the end (new, or its first crawl interrupted) gets a full
    # pass; later checks are incremental (list paging stops at a page with nothing new).
    with db.session() as session:
        succeeded = set(
            session.scalars(
                select(SourceState.id)
                .where(SourceState.id.in_([s.id for s in sources]))
                .where(SourceState.last_success_at.is_not(None))
            )
        )
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
            crawl(config, db, sources=group, options=options, transport=transport, hosts=hosts)
            for group, options in groups
        )
    )
    async with _heartbeat(schedule, [s.id for s in sources]):
        summaries = await crawls
    for summary in summaries:
        if summary.database_error is not None:  # the runner's to report; nothing to finish
            raise summary.database_error
    reports = [report for summary in summaries for report in summary.reports]
    done = []
    for report in reports:
        hint = getattr(report, "cache_hint", None)  # set by the pipeline where it knows one
        schedule.finish_crawl(known[report.source_id], hint=hint)
        done.append((report.source_id, report.failed, report.new))
    return done


@contextlib.asynccontextmanager
async def _heartbeat(schedule: Schedule, source_ids: list[str]) -> AsyncIterator[None]:
    """Renew the sources' lease now and every third of it until the block ends: while this
    process lives they are not handed out again; once it is gone they are due a lease later."""

    async def beat() -> None:
        while True:
            try:
                schedule.renew(source_ids)
            except Exception as exc:  # the next beat tries again; the crawl goes on
                log.warning("lease of %s not renewed: %r", ", ".join(source_ids), exc)
            await asyncio.sleep(schedule.policy.lease.total_seconds() / 3)

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
    retry_after: timedelta = timedelta(minutes=5),
) -> SendReport | None:
    """The digest job of both runners: send each subscriber's due digest (exactly once: the
    deliveries table) and move their next digest to their next slot; a transient SMTP failure
    (the delivery row stays pending) is retried after ``retry_after`` instead. Unsubscribed and
    unknown subscribers are skipped. Returns the digests' send report."""
    from digests.pipeline import send_digests

    schedule = schedule or Schedule(db)
    by_id = {s.id: s for s in config.subscribers}
    with db.session() as session:
        gone = set(
            session.scalars(
                select(SubscriberState.id).where(SubscriberState.unsubscribed.is_(True))
            )
        )
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
