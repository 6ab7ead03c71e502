"""Schedules as data: when each source is checked next and when each subscriber's digest is due.

Both live in the database (``sources.next_check_at``, ``subscribers.next_digest_at``, UTC), so a
restart loses nothing and any number of processes can read them. The times come from
APScheduler 3.11's trigger classes, never from hand-written cron or DST arithmetic:

- a source's next check is an :class:`~apscheduler.triggers.interval.IntervalTrigger` (with
  jitter, so sources configured alike do not fire together) over its *effective* interval:
  the configured ``interval``, lengthened when the source has had nothing new for a while
  (adaptive polling, up to :attr:`PollPolicy.max_interval`), pushed later by the server's
  caching hints (``Cache-Control: max-age``, ``Expires``, ``Retry-After``) but never earlier
  than the configured interval, and backed off exponentially while it keeps failing, up to a
  ceiling of at most a day (a failing source is retried at least daily, never dropped);
- a subscriber's next digest is a :class:`~apscheduler.triggers.cron.CronTrigger` at
  ``send_at`` (weekly: on ``weekday``) in the subscriber's zone.

:class:`Schedule` is the dispatch tick's view of the tables: :meth:`Schedule.sync` makes a row
for every configured source and subscriber, :meth:`Schedule.claim_sources` and
:meth:`Schedule.due_subscribers` find due work, :meth:`Schedule.finish_crawl` and
:meth:`Schedule.finish_digest` write the next time. Claiming leases a row (its
``next_check_at`` moves a lease ahead) in the same transaction that reads it, with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two dispatchers never hand out one crawl twice.
The lease is short (a minute) and the crawl renews it while it runs (:func:`crawl_sources`'
heartbeat), so a crawl whose process was killed is due again a lease after its last heartbeat,
on any number of processes, with no owner to look up.
"""

from __future__ import annotations

__all__ = [
    "DeliveryStatus",
    "DueDigest",
    "PollPolicy",
    "Schedule",
    "SourceHealth",
    "SourceStatus",
    "StatusReport",
    "SubscriberStatus",
    "cache_hint",
    "crawl_sources",
    "digest_trigger",
    "effective_interval",
    "next_check_at",
    "next_digest_at",
    "send_due_digests",
    "status_report",
]

import asyncio
import contextlib
import logging
import math
import os
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import httpx
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from crawler.base.config import Config, Source, Subscriber
from crawler.base.db import Database
from crawler.fetch.client import cache_hint
from crawler.fetch.hosts import HostStates

if TYPE_CHECKING:
    from digests.pipeline import SendReport

from crawler.base.models import Article, Delivery, SourceState, SubscriberState, utcnow

log = logging.getLogger("citydigest.schedule")

DAY = timedelta(days=1)


@dataclass(frozen=True)
class PollPolicy:
    """How the effective interval of a source stretches and backs off.

    ``quiet_after``: after this long with nothing new, the interval doubles, and doubles again
    for each further ``quiet_after``, up to ``max_interval`` (never below the configured
    interval). ``backoff_ceiling``: the longest wait after failures (capped at one day).
    ``jitter``: the fraction of the interval added at random (at most ``max_jitter``).
    ``lease``: how long a claimed crawl is held without a heartbeat from the process crawling
    it (renewed every third of it) before another dispatch may hand it out again.
    """

    quiet_after: timedelta = timedelta(days=2)
    max_interval: timedelta = timedelta(hours=12)
    backoff_ceiling: timedelta = DAY
    jitter: float = 0.1
    max_jitter: timedelta = timedelta(minutes=5)
    lease: timedelta = timedelta(minutes=1)

    def __post_init__(self) -> None:
        if not 0 <= self.jitter < 1:
            raise ValueError(f"PollPolicy.jitter must be in [0, 1), found {self.jitter}")
        for name in ("quiet_after", "max_interval", "backoff_ceiling", "lease"):
            if getattr(self, name) <= timedelta(0):
                raise ValueError(f"PollPolicy.{name} must be positive")


@dataclass(frozen=True)
class SourceHealth:
    """What the schedule needs of a source's stored health."""

    consecutive_failures: int = 0
    last_new_at: datetime | None = None


@dataclass(frozen=True)
class DueDigest:
    subscriber_id: str
    due_at: datetime


# --------------------------------------------------------------------------- pure times


def effective_interval(
    source: Source,
    health: SourceHealth,
    now: datetime,
    *,
    hint: timedelta | None = None,
    policy: PollPolicy = PollPolicy(),
) -> timedelta:
    """The wait before the next check of ``source`` (before jitter)."""
    base = source.interval
    if health.consecutive_failures > 0:
        ceiling = min(max(base, policy.backoff_ceiling), DAY)
        steps = min(health.consecutive_failures, 16)
        return min(base * 2**steps, ceiling)
    interval = base
    if health.last_new_at is not None:
        quiet = now - health.last_new_at
        if quiet >= policy.quiet_after:
            steps = min(int(quiet / policy.quiet_after), 16)
            interval = min(base * 2**steps, max(base, policy.max_interval))
    if hint is not None:
        interval = max(interval, min(hint, max(base, policy.max_interval)))
    return interval


def next_check_at(
    source: Source,
    health: SourceHealth,
    checked_at: datetime,
    *,
    hint: timedelta | None = None,
    policy: PollPolicy = PollPolicy(),
) -> datetime:
    """When to check ``source`` next after a check finished at ``checked_at``."""
    interval = effective_interval(source, health, checked_at, hint=hint, policy=policy)
    jitter = min(interval.total_seconds() * policy.jitter, policy.max_jitter.total_seconds())
    trigger = IntervalTrigger(
        seconds=interval.total_seconds(),
        start_date=checked_at,
        timezone=UTC,
        jitter=math.floor(jitter) or None,
    )
    fire = trigger.get_next_fire_time(checked_at, checked_at)
    assert fire is not None
    return fire.astimezone(UTC)


def digest_trigger(subscriber: Subscriber, default_zone: str) -> CronTrigger:
    """The cron trigger of a subscriber's digest: ``send_at`` in their zone (weekly: weekday)."""
    hour, minute = subscriber.send_at.split(":")
    zone = ZoneInfo(subscriber.timezone or default_zone)
    if subscriber.frequency == "weekly":
        return CronTrigger(
            day_of_week=subscriber.weekday, hour=hour, minute=minute, second=0, timezone=zone
        )
    return CronTrigger(hour=hour, minute=minute, second=0, timezone=zone)


def next_digest_at(subscriber: Subscriber, default_zone: str, after: datetime) -> datetime:
    """The first send slot of ``subscriber`` strictly after ``after`` (UTC)."""
    trigger = digest_trigger(subscriber, default_zone)
    fire = trigger.get_next_fire_time(after, after)
    assert fire is not None
    return fire.astimezone(UTC)


def _is_slot(subscriber: Subscriber, default_zone: str, when: datetime) -> bool:
    return next_digest_at(subscriber, default_zone, when - timedelta(seconds=1)) == when


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
            subscribers = {s.id: s for s in session.scalars(select(SubscriberState))}
            for subscriber in config.subscribers:
                srow = subscribers.get(subscriber.id)
                if srow is None:
                    session.add(
                        SubscriberState(
                            id=subscriber.id,
                            email=subscriber.email,
                            unsubscribed=False,
                            next_digest_at=next_digest_at(subscriber, zone, now),
                        )
                    )
                    continue
                srow.email = subscriber.email
                due = srow.next_digest_at
                if due is None or (due > now and not _is_slot(subscriber, zone, due)):
                    srow.next_digest_at = next_digest_at(subscriber, zone, now)

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
        now = now or self.clock()
        configured = {s.id for s in config.subscribers}
        claimed = []
        with self.db.session() as session:
            query = (
                select(SubscriberState)
                .where(SubscriberState.next_digest_at <= now)
                .where(SubscriberState.unsubscribed.is_(False))
                .order_by(SubscriberState.next_digest_at)
            )
            if not self.db.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            for row in session.scalars(query):
                if row.id not in configured or row.next_digest_at is None:
                    continue
                claimed.append(DueDigest(row.id, row.next_digest_at))
                row.next_digest_at = now + lease
        return claimed

    def finish_digest(
        self, subscriber: Subscriber, default_zone: str, *, now: datetime | None = None
    ) -> datetime:
        """After the due digest went out (or was found already sent): the next slot after now,
        so a digest missed during downtime is sent once, late, and not once per missed day."""
        now = now or self.clock()
        nxt = next_digest_at(subscriber, default_zone, now)
        with self.db.session() as session:
            row = session.get(SubscriberState, subscriber.id)
            if row is None:
                row = SubscriberState(id=subscriber.id, email=subscriber.email, unsubscribed=False)
                session.add(row)
            row.next_digest_at = nxt
        return nxt

    def retry_digest(self, subscriber_id: str, *, at: datetime) -> None:
        """A digest that could not go out now (or was abandoned): due again at ``at``."""
        with self.db.session() as session:
            row = session.get(SubscriberState, subscriber_id)
            if row is not None:
                row.next_digest_at = at

    # ------------------------------------------------------------------ status

    def lag(self, config: Config, now: datetime | None = None) -> timedelta:
        """How late the most overdue configured source is (zero when nothing is overdue)."""
        now = now or self.clock()
        configured = [s.id for s in config.sources]
        with self.db.session() as session:
            oldest = session.scalar(
                select(SourceState.next_check_at)
                .where(SourceState.id.in_(configured))
                .where(SourceState.next_check_at <= now)
                .order_by(SourceState.next_check_at)
                .limit(1)
            )
        return max(now - oldest, timedelta(0)) if oldest else timedelta(0)


# --------------------------------------------------------------------------- status


@dataclass(frozen=True)
class SourceStatus:
    id: str
    name: str
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    consecutive_failures: int
    next_check_at: datetime | None
    articles_24h: int

    @property
    def failing(self) -> bool:
        return self.consecutive_failures > 0


@dataclass(frozen=True)
class SubscriberStatus:
    id: str
    email: str | None
    last_digest_at: datetime | None
    next_digest_at: datetime | None
    unsubscribed: bool
    unsubscribed_at: datetime | None


@dataclass(frozen=True)
class DeliveryStatus:
    """A digest whose delivery is in doubt: ``sending`` (an attempt under way, or a run that
    died in it) or ``unknown`` (the server may have it); see :mod:`digests.ledger`."""

    subscriber_id: str
    period: str
    status: str
    attempted_at: datetime | None
    attempts: int
    error: str | None


@dataclass(frozen=True)
class StatusReport:
    generated_at: datetime
    sources: tuple[SourceStatus, ...]
    subscribers: tuple[SubscriberStatus, ...]
    lag: timedelta
    queue_depth: int | None = None  # jobs waiting or running (distributed mode only)
    deliveries: tuple[DeliveryStatus, ...] = ()  # digests in doubt, oldest attempt first

    @property
    def failing(self) -> int:
        return sum(1 for s in self.sources if s.failing)


def status_report(
    config: Config,
    db: Database,
    *,
    now: datetime | None = None,
    queue_depth: int | None = None,
) -> StatusReport:
    """Per source and per subscriber health and schedule, as ``citydigest status`` shows it."""
    now = now or utcnow()
    with db.session() as session:
        states = {s.id: s for s in session.scalars(select(SourceState))}
        recent = dict(
            session.execute(
                select(Article.source_id, func.count())
                .where(Article.fetched >= now - DAY)
                .group_by(Article.source_id)
            ).all()
        )
        subs = {s.id: s for s in session.scalars(select(SubscriberState))}
        last_sent = dict(
            session.execute(
                select(Delivery.subscriber_id, func.max(Delivery.sent_at))
                .where(Delivery.status == "sent")
                .group_by(Delivery.subscriber_id)
            ).all()
        )
        in_doubt = tuple(
            DeliveryStatus(d.subscriber_id, d.period, d.status, d.attempted_at, d.attempts, d.error)
            for d in session.scalars(
                select(Delivery)
                .where(Delivery.status.in_(("sending", "unknown")))
                .order_by(Delivery.attempted_at, Delivery.subscriber_id, Delivery.period)
            )
        )
    sources = []
    for source in config.sources:
        row = states.get(source.id)
        sources.append(
            SourceStatus(
                id=source.id,
                name=source.name,
                last_success_at=row.last_success_at if row else None,
                last_error=row.last_error if row and row.consecutive_failures else None,
                last_error_at=row.last_error_at if row else None,
                consecutive_failures=(row.consecutive_failures or 0) if row else 0,
                next_check_at=row.next_check_at if row else None,
                articles_24h=int(recent.get(source.id, 0)),
            )
        )
    subscribers = []
    for subscriber in config.subscribers:
        srow = subs.get(subscriber.id)
        sent = last_sent.get(subscriber.id)
        if isinstance(sent, str):  # SQLite aggregates come back as text
            sent = datetime.fromisoformat(sent)
        if sent is not None and sent.tzinfo is None:
            sent = sent.replace(tzinfo=UTC)
        last = max(
            (t for t in (sent, srow.last_digest_at if srow else None) if t is not None),
            default=None,
        )
        subscribers.append(
            SubscriberStatus(
                id=subscriber.id,
                email=subscriber.email,
                last_digest_at=last,
                next_digest_at=srow.next_digest_at if srow else None,
                unsubscribed=bool(srow and srow.unsubscribed),
                unsubscribed_at=srow.unsubscribed_at if srow else None,
            )
        )
    return StatusReport(
        generated_at=now,
        sources=tuple(sources),
        subscribers=tuple(subscribers),
        lag=Schedule(db).lag(config, now),
        queue_depth=queue_depth,
        deliveries=in_doubt,
    )


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
    from crawler.pipeline import CrawlOptions, crawl

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
