"""Deliveries in doubt: a digest the server may or may not have taken is never sent blindly.

A ``sending`` row older than any live attempt can be is a dead run's and becomes ``unknown``
(:func:`settle_stale`); an ``unknown`` delivery is reported (:func:`in_doubt`) and sent again
only when the operator says so (``digest resend``) or, with ``smtp.unknown_resend_after`` set,
once its last attempt is that old (:func:`with_resends`); either way with its own period,
window and ``Message-ID`` (:func:`resend_plans`). :mod:`digests.pipeline` decides when;
:mod:`digests.sending` delivers.
"""

from __future__ import annotations

__all__ = ["in_doubt", "resend_plans", "settle_stale", "with_resends"]

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

from crawler.base.config import Subscriber
from digests import ledger
from digests.period import period_of_key
from digests.report import UNKNOWN, SubscriberResult
from digests.run import Plan, Run

# How long a live attempt can hold a row ``sending`` beyond the two replies DATA waits for
# (``smtp.timeout`` for the 354, ``smtp.data_timeout`` for the message's): the commits around
# them. Older ``sending`` rows are a dead run's.
_SENDING_GRACE = timedelta(minutes=1)


def settle_stale(run: Run) -> None:
    """``sending`` rows older than any live attempt can be are a dead run's: ``unknown``."""
    smtp = run.settings.smtp
    held = timedelta(seconds=smtp.timeout + smtp.data_timeout) + _SENDING_GRACE
    ledger.stale_sending(run.db, before=run.now - held)


def resend_plans(
    run: Run, subscribers: Sequence[Subscriber], rows: Sequence[ledger.DeliveryRow]
) -> list[Plan]:
    """Plans that send these ``unknown`` rows again, each with its own period and window."""
    by_id = {s.id: s for s in subscribers}
    timezone = run.settings.timezone
    plans = []
    for row in rows:
        sub = by_id[row.subscriber_id]
        zone = ZoneInfo(sub.timezone or timezone)
        # The row's own key even if the subscriber's frequency changed since.
        period = replace(period_of_key(sub, timezone, row.period), key=row.period)
        plans.append(Plan(sub, zone, period, row.window_start, row.window_end, row, resend=True))
    return plans


def with_resends(
    run: Run, subscribers: Sequence[Subscriber], plans: list[Plan], wait: timedelta
) -> list[Plan]:
    """The plans, with every ``unknown`` delivery whose last attempt began ``wait`` ago or more
    marked (its own period's plan) or added (an earlier period) to be sent again."""
    due = [
        r
        for r in ledger.in_doubt(run.db, (s.id for s in subscribers))
        if r.status == ledger.UNKNOWN and (r.attempted_at or r.window_end) <= run.now - wait
    ]
    again = {
        (r.subscriber_id, r.period): plan
        for r, plan in zip(due, resend_plans(run, subscribers, due), strict=True)
    }
    merged = [again.pop((p.subscriber.id, p.period.key), p) for p in plans]
    return merged + list(again.values())


def in_doubt(row: ledger.DeliveryRow, run: Run) -> SubscriberResult:
    """The report line of a delivery that is not sent again now because it may have arrived."""
    since = f"{row.attempted_at:%Y-%m-%d %H:%M} UTC" if row.attempted_at else "an unknown time"
    if row.status == ledger.SENDING:
        detail = (
            f"being sent since {since} by another run (or one that stopped: unknown once "
            "no live attempt can hold it)"
        )
    else:
        wait = run.settings.smtp.unknown_resend_after
        again = (
            f"sent again by the first run {wait} after the attempt"
            if wait
            else "not sent again automatically"
        )
        detail = (
            f"outcome unknown since {since} ({row.error or 'no answer'}); {again}; "
            "`citydigest digest resend` sends it now"
        )
    return SubscriberResult(row.subscriber_id, row.period, UNKNOWN, 0, detail)
