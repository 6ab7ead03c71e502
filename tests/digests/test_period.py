"""Periods and their keys: due slots in the subscriber's zone, daily and weekly, DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from digests.period import archive_days, due_period, first_window, period_on
from tests.digests.digestkit import subscriber


@pytest.mark.parametrize(
    ("zone", "now", "key", "slot"),
    [
        # 08:00 Shanghai is 00:00 UTC.
        (
            "Asia/Shanghai",
            datetime(2026, 11, 27, 0, 0, tzinfo=UTC),
            "2026-11-27",
            datetime(2026, 11, 27, 0, 0, tzinfo=UTC),
        ),
        (
            "Asia/Shanghai",
            datetime(2026, 11, 26, 23, 59, tzinfo=UTC),
            "2026-11-26",
            datetime(2026, 11, 26, 0, 0, tzinfo=UTC),
        ),
        # 08:00 in New York (EST, UTC-5) is 13:00 UTC.
        (
            "America/New_York",
            datetime(2026, 11, 27, 12, 59, tzinfo=UTC),
            "2026-11-26",
            datetime(2026, 11, 26, 13, 0, tzinfo=UTC),
        ),
        (
            "America/New_York",
            datetime(2026, 11, 27, 13, 0, tzinfo=UTC),
            "2026-11-27",
            datetime(2026, 11, 27, 13, 0, tzinfo=UTC),
        ),
        # Summer time: 08:00 EDT is 12:00 UTC.
        (
            "America/New_York",
            datetime(2026, 7, 1, 12, 30, tzinfo=UTC),
            "2026-07-01",
            datetime(2026, 7, 1, 12, 0, tzinfo=UTC),
        ),
    ],
)
def test_daily_due_period(zone: str, now: datetime, key: str, slot: datetime) -> None:
    period = due_period(subscriber(timezone=zone), "Asia/Shanghai", now)
    assert (period.key, period.slot) == (key, slot)


def test_the_key_is_stable_until_the_next_slot() -> None:
    sub = subscriber(timezone="America/New_York", send_at="07:15")
    start = datetime(2026, 11, 27, 12, 15, tzinfo=UTC)  # 07:15 EST
    keys = {due_period(sub, "UTC", start + timedelta(minutes=m)).key for m in range(0, 1440, 7)}
    assert keys == {"2026-11-27"}
    assert due_period(sub, "UTC", start + timedelta(days=1)).key == "2026-11-28"


def test_dst_change_day_has_one_slot() -> None:
    sub = subscriber(timezone="America/New_York", send_at="02:30")  # 2026-03-08 02:30 never happens
    before = due_period(sub, "UTC", datetime(2026, 3, 8, 6, 0, tzinfo=UTC))  # 01:00 EST
    after = due_period(sub, "UTC", datetime(2026, 3, 8, 8, 0, tzinfo=UTC))  # 04:00 EDT
    assert before.key == "2026-03-07" and after.key == "2026-03-08"


def test_weekly_periods_are_iso_weeks() -> None:
    sub = subscriber(frequency="weekly", weekday="mon", timezone="Asia/Shanghai")
    # Monday 2026-11-23 08:00 Shanghai = 00:00 UTC.
    assert due_period(sub, "UTC", datetime(2026, 11, 23, 0, 0, tzinfo=UTC)).key == "2026-W48"
    assert due_period(sub, "UTC", datetime(2026, 11, 29, 23, 0, tzinfo=UTC)).key == "2026-W48"
    assert due_period(sub, "UTC", datetime(2026, 11, 22, 23, 59, tzinfo=UTC)).key == "2026-W47"
    assert period_on(sub, "UTC", date(2026, 11, 27)).local_day == date(2026, 11, 23)
    end = datetime(2026, 11, 27, tzinfo=UTC)
    assert first_window(sub, end) == end - timedelta(days=7)
    assert first_window(subscriber(), end) == end - timedelta(days=1)


def test_default_zone_and_naive_times() -> None:
    sub = subscriber()  # no timezone: the settings' zone
    now = datetime(2026, 11, 27, 13, 30, tzinfo=UTC)
    assert due_period(sub, "America/New_York", now).key == "2026-11-27"
    assert due_period(sub, "Asia/Shanghai", now).key == "2026-11-27"
    with pytest.raises(ValueError, match="naive"):
        due_period(sub, "UTC", datetime(2026, 11, 27))


def test_archive_days_of_a_window() -> None:
    zone = ZoneInfo("Asia/Shanghai")
    start = datetime(2026, 11, 26, 0, 30, tzinfo=UTC)  # 08:30 on the 26th
    assert archive_days(start, start + timedelta(hours=24), zone) == (
        date(2026, 11, 26),
        date(2026, 11, 27),
    )
    assert archive_days(start, start, zone) == ()
