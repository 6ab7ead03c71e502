"""Periods: which digest a subscriber is due, and the key that makes its delivery happen once.

The **period key** (``Delivery.period``) is the subscriber's *due send slot*: the latest
scheduled ``send_at`` at or before now, in the subscriber's own zone.

- daily: the local date of that slot, ``2026-11-27``;
- weekly: the ISO week of that slot, ``2026-W48``.

The key depends only on the schedule and the clock, never on when the previous run happened, so
a crash and a rerun (seconds or hours later, until the next slot) compute the same key and the
unique ``(subscriber_id, period)`` row stops a second copy; once the next slot passes the key
changes, so no period is skipped either. ``digest send`` before today's ``send_at`` therefore
sends yesterday's slot if it was never delivered (catching up after downtime) and otherwise
reports it as already sent.

The **window** of a new period runs from the end of the subscriber's previous *sent* digest
(not a calendar day, so nothing is missed after downtime and nothing repeats) to now; with no
previous digest it is the last 24 hours (7 days for weekly). A period whose row already exists
keeps the window recorded in that row.
"""

from __future__ import annotations

__all__ = [
    "WEEKDAYS",
    "Period",
    "archive_days",
    "day_bounds",
    "due_period",
    "first_window",
    "period_of_key",
    "period_on",
]

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crawler.base.config.subscribers import Subscriber

WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


@dataclass(frozen=True, slots=True)
class Period:
    """A subscriber's send slot: its key and the instant it was (or is) scheduled."""

    key: str
    slot: datetime  # aware, UTC
    local_day: date  # the slot's date in the subscriber's zone


def _zone(subscriber: Subscriber, default_zone: str) -> ZoneInfo:
    return ZoneInfo(subscriber.timezone or default_zone)


def _slot_on(day: date, subscriber: Subscriber, zone: ZoneInfo) -> datetime:
    hour, minute = (int(part) for part in subscriber.send_at.split(":"))
    local = datetime.combine(day, time(hour, minute), zone)
    # A slot in a DST gap (02:30 on spring-forward day) is read with the earlier offset, which
    # zoneinfo does; round-tripping through UTC gives the real instant either way.
    return local.astimezone(UTC)


def _period(day: date, subscriber: Subscriber, zone: ZoneInfo) -> Period:
    if subscriber.frequency == "weekly":
        year, week, _ = day.isocalendar()
        key = f"{year}-W{week:02d}"
    else:
        key = day.isoformat()
    return Period(key=key, slot=_slot_on(day, subscriber, zone), local_day=day)


def due_period(subscriber: Subscriber, default_zone: str, now: datetime) -> Period:
    """The latest send slot at or before ``now``."""
    if now.tzinfo is None:
        raise ValueError(f"naive datetime {now!r} given where an aware one is needed")
    zone = _zone(subscriber, default_zone)
    today = now.astimezone(zone).date()
    if subscriber.frequency == "weekly":
        back = (today.weekday() - WEEKDAYS[subscriber.weekday]) % 7
        day = today - timedelta(days=back)
        step = timedelta(days=7)
    else:
        day = today
        step = timedelta(days=1)
    period = _period(day, subscriber, zone)
    if period.slot > now.astimezone(UTC):
        period = _period(day - step, subscriber, zone)
    return period


def period_on(subscriber: Subscriber, default_zone: str, day: date) -> Period:
    """The period whose slot falls on local ``day`` (weekly: the slot of the week holding it)."""
    zone = _zone(subscriber, default_zone)
    if subscriber.frequency == "weekly":
        monday = day - timedelta(days=day.weekday())
        day = monday + timedelta(days=WEEKDAYS[subscriber.weekday])
    return _period(day, subscriber, zone)


def period_of_key(subscriber: Subscriber, default_zone: str, key: str) -> Period:
    """The period a stored key names (``2026-11-27``, or weekly ``2026-W48``): what a resend of
    an earlier period needs to rebuild its digest."""
    if "-W" in key:
        year, week = key.split("-W")
        return period_on(subscriber, default_zone, date.fromisocalendar(int(year), int(week), 1))
    return period_on(subscriber, default_zone, date.fromisoformat(key))


def first_window(subscriber: Subscriber, end: datetime) -> datetime:
    """Where a subscriber's first digest starts: 24 hours (weekly: 7 days) before ``end``."""
    return end - (timedelta(days=7) if subscriber.frequency == "weekly" else timedelta(days=1))


def archive_days(start: datetime, end: datetime, zone: ZoneInfo) -> tuple[date, ...]:
    """The local dates (archive pages) that the window ``[start, end)`` touches."""
    if end <= start:
        return ()
    first = start.astimezone(zone).date()
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    return tuple(first + timedelta(days=i) for i in range((last - first).days + 1))


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """``[start, end)`` of local ``day`` in ``zone``, as UTC instants."""
    start = datetime.combine(day, time(0), zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
    return start, end
