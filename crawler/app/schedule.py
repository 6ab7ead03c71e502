"""Schedule: the schedule tables, and claiming due work from them.

Both schedules live in the database (``sources.next_check_at``, ``subscribers.next_digest_at``,
UTC), so a restart loses nothing and any number of processes can read them. When a time falls
is :mod:`crawler.app.cadence`'s pure maths; what the operator reads back is
:mod:`crawler.app.status`. This module hands out the work; the sources' rows are written by
their one writer, :mod:`crawler.store.sources`.

:class:`Schedule` is the dispatch tick's view of the tables: :meth:`Schedule.sync` makes a row
for every configured source and subscriber, :meth:`Schedule.claim_sources` and
:meth:`Schedule.due_subscribers` find due work, :meth:`Schedule.finish_digest` writes a
digest's next time; a crawl's next check is recorded by the crawl itself, with its health (the
cadence, :meth:`Schedule.next_check`, handed to it by
:func:`crawler.app.jobs.crawl_sources`). Claiming leases a row (its ``next_check_at`` moves a
lease ahead) in the same transaction that reads it, with ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so two dispatchers never hand out one crawl twice. The lease is short (a minute)
and the crawl renews it while it runs (:meth:`Schedule.renew`, the job's heartbeat), so a crawl
whose process was killed is due again a lease after its last heartbeat, on any number of
processes, with no owner to look up. The jobs both runners run over claimed work are
:mod:`crawler.app.jobs`.
"""

from __future__ import annotations

__all__ = ["DueDigest", "Schedule"]

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from crawler.app.cadence import PollPolicy, is_slot, next_check_at, next_digest_at
from crawler.base.config import Config, Source, Subscriber
from crawler.base.db import Database
from crawler.base.models import SubscriberState, utcnow
from crawler.store.sources import SourceHealth, Sources
from crawler.store.sources import ensure as ensure_sources


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
        self.sources = Sources(db)  # the sources table's one writer
        self._early: tuple[Config, dict[str, timedelta]] | None = None

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
            ensure_sources(session, config.sources, due=now)
            from digests import subscribers  # digests loaded only where they are scheduled

            subscribers.sync(
                session,
                config.subscribers,
                now=now,
                next_slot=lambda subscriber: next_digest_at(subscriber, zone, now),
                is_slot=lambda subscriber, due: is_slot(subscriber, zone, due),
            )

    # ------------------------------------------------------------------ crawls

    def next_check(
        self, source: Source, health: SourceHealth, *, hint: timedelta | None = None
    ) -> datetime:
        """When to check ``source`` next, from now, after a check that left it ``health``: the
        cadence (:func:`~crawler.app.cadence.next_check_at` under this schedule's policy) that
        the crawl jobs hand the pipeline, which stores it with the health
        (:data:`crawler.pipeline.NextCheck`)."""
        return next_check_at(source, health, self.clock(), hint=hint, policy=self.policy)

    def claim_sources(
        self,
        config: Config,
        hosts: Mapping[str, Iterable[str]],
        *,
        limit: int,
        busy_hosts: Iterable[str] = (),
        one_per_host: bool = True,
        together: bool = False,
        now: datetime | None = None,
    ) -> list[tuple[str, datetime]]:
        """Claim up to ``limit`` due sources, at most one per host and none on ``busy_hosts``;
        each claimed row is leased (``next_check_at`` moves ``policy.lease`` ahead) until the
        crawl records its next check with its health. Returns ``(source id, when it was due)``,
        most overdue first. ``one_per_host=False`` leaves per-host exclusion to the caller
        (distributed host locks); ``together`` (with it) also claims the sources sharing a host
        with a claimed one that fall due within their jitter (:meth:`early`), so that a host's
        sources, spread apart by their jitter and by when each finished, go in one crawl job
        rather than one each as they fall due."""
        return self.sources.claim_due(
            {s.id for s in config.sources},
            hosts,
            limit=limit,
            lease=self.policy.lease,
            now=now or self.clock(),
            busy_hosts=busy_hosts,
            one_per_host=one_per_host,
            early=self.early(config) if together else None,
        )

    def early(self, config: Config) -> dict[str, timedelta]:
        """How long before it is due each source may be checked along with another source of
        its host: its jitter (``policy.jitter`` of its interval, at most ``policy.max_jitter``),
        the randomness its cadence has anyway."""
        if self._early is None or self._early[0] is not config:  # once per config
            policy = self.policy
            windows = {
                s.id: min(s.interval * policy.jitter, policy.max_jitter) for s in config.sources
            }
            self._early = (config, windows)
        return self._early[1]

    def renew(self, source_ids: Sequence[str], *, now: datetime | None = None) -> set[str]:
        """The heartbeat of a running crawl: its sources stay leased ``policy.lease`` from now.
        Returns those ever crawled to the end (:meth:`Sources.renew`)."""
        return self.sources.renew(source_ids, until=(now or self.clock()) + self.policy.lease)

    def release(self, source_ids: Sequence[str], *, at: datetime | None = None) -> None:
        """Hand claimed sources back unfinished (a stopping daemon): due again at ``at``."""
        self.sources.release(source_ids, at=at or self.clock())

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

        configured = {s.id for s in config.subscribers}
        if not configured:  # nothing to claim: no query (every dispatch tick asked)
            return []
        now = now or self.clock()
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
