"""Cadence: the pure maths of when a source is checked next and when a digest is due.

Kept apart from the tables (:mod:`crawler.store.sources` stores a source's next check, from
``Schedule.next_check``, which the app hands the crawl) and from the read model
(:mod:`crawler.app.status`) so the timing rules can be read and tested as plain functions of
their inputs: no database, no clock but the ``now`` they are given. The times come from
APScheduler 3.11's trigger classes, never from hand-written cron or DST arithmetic:

- a source's next check is an :class:`~apscheduler.triggers.interval.IntervalTrigger` (with
  jitter, so sources configured alike do not fire together) over its *effective* interval:
  the configured ``interval``, lengthened when the source has had nothing new for a while
  (adaptive polling, up to :attr:`PollPolicy.max_interval`), pushed later by the server's
  caching hints (``Cache-Control: max-age``, ``Expires``, ``Retry-After``, read by
  :func:`crawler.fetch.response.cache_hint`) but never earlier than the configured interval, and
  backed off exponentially while it keeps failing, up to a ceiling of at most a day (a failing
  source is retried at least daily, never dropped);
- a subscriber's next digest is a :class:`~apscheduler.triggers.cron.CronTrigger` at
  ``send_at`` (weekly: on ``weekday``) in the subscriber's zone.
"""

from __future__ import annotations

__all__ = [
    "DAY",
    "PollPolicy",
    "SourceHealth",
    "digest_trigger",
    "effective_interval",
    "is_slot",
    "next_check_at",
    "next_digest_at",
]

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from crawler.base.config import Source, Subscriber
from crawler.store.sources import SourceHealth  # the health the store records, read here

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


# --------------------------------------------------------------------------- sources


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


# --------------------------------------------------------------------------- digests


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


def is_slot(subscriber: Subscriber, default_zone: str, when: datetime) -> bool:
    """Whether ``when`` is one of ``subscriber``'s send slots (a stored time still valid after
    their schedule was edited)."""
    return next_digest_at(subscriber, default_zone, when - timedelta(seconds=1)) == when
