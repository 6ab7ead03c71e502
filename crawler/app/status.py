"""Status: the read model of the service's health, as the operator sees it.

``citydigest status``, the web status page and ``/metrics`` all read the same numbers from the
database: per source its last success and error, failures in a row, next check and articles in
the last day; per subscriber the last and next digest and any unsubscribe; the digests whose
delivery is in doubt; how late the most overdue source check is (the dispatch lag, once a
daemon has scheduled the sources: before, no check is late; they are only crawled by hand). This
module only reads: the schedule's tables are written by :mod:`crawler.app.schedule`, source
health by the crawl, deliveries by :mod:`digests.ledger`.
"""

from __future__ import annotations

__all__ = [
    "DeliveryStatus",
    "SourceStatus",
    "StatusReport",
    "SubscriberStatus",
    "dispatch_lag",
    "status_report",
]

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from crawler.base.config import Config
from crawler.base.db import Database
from crawler.base.models import Article, Delivery, SourceState, SubscriberState, utcnow

RECENT = timedelta(days=1)  # the window of a source's ``articles_24h``


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
    lag: timedelta | None  # None: no daemon (run, or its dispatcher) ever scheduled the sources
    queue_depth: int | None = None  # jobs waiting or running (distributed mode only)
    deliveries: tuple[DeliveryStatus, ...] = ()  # digests in doubt, oldest attempt first

    @property
    def failing(self) -> int:
        return sum(1 for s in self.sources if s.failing)


def dispatch_lag(config: Config, db: Database, *, now: datetime | None = None) -> timedelta:
    """How late the most overdue configured source is (zero when nothing is overdue)."""
    now = now or utcnow()
    configured = [s.id for s in config.sources]
    with db.session() as session:
        oldest = session.scalar(
            select(SourceState.next_check_at)
            .where(SourceState.id.in_(configured))
            .where(SourceState.next_check_at <= now)
            .order_by(SourceState.next_check_at)
            .limit(1)
        )
    return max(now - oldest, timedelta(0)) if oldest else timedelta(0)


def _scheduled(states: dict[str, SourceState], config: Config) -> bool:
    """Whether a daemon has scheduled a configured source: only the schedule gives a source a
    next check (``crawl once`` leaves it alone)."""
    return any(
        (row := states.get(source.id)) is not None and row.next_check_at is not None
        for source in config.sources
    )


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
                .where(Article.fetched >= now - RECENT)
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
        lag=dispatch_lag(config, db, now=now) if _scheduled(states, config) else None,
        queue_depth=queue_depth,
        deliveries=in_doubt,
    )
