"""Schedules as data: next check and next digest times, adaptive polling, backoff, claiming."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crawler.app.cadence import (
    PollPolicy,
    SourceHealth,
    effective_interval,
    next_check_at,
    next_digest_at,
)
from crawler.app.schedule import Schedule
from crawler.app.status import dispatch_lag, status_report
from crawler.base.config import Source, Subscriber, load_config
from crawler.base.db import Database
from crawler.base.models import SourceState, SubscriberState
from crawler.fetch.response import cache_hint

NOW = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)
NO_JITTER = PollPolicy(jitter=0)


def source(interval: str = "30m", **kw: object) -> Source:
    return Source(id="s", name="s", feed="http://example.org/feed", interval=interval, **kw)


def test_next_check_is_the_interval_after_the_check_with_bounded_jitter() -> None:
    assert next_check_at(source(), SourceHealth(), NOW, policy=NO_JITTER) == NOW + timedelta(
        minutes=30
    )
    policy = PollPolicy(jitter=0.1)
    times = {next_check_at(source("1h"), SourceHealth(), NOW, policy=policy) for _ in range(50)}
    assert all(NOW + timedelta(hours=1) <= t <= NOW + timedelta(hours=1, minutes=6) for t in times)
    assert len(times) > 1, "jitter spreads sources configured alike"


def test_a_quiet_source_is_checked_less_often_up_to_the_maximum() -> None:
    fresh = SourceHealth(last_new_at=NOW - timedelta(hours=1))
    quiet = SourceHealth(last_new_at=NOW - timedelta(days=2))
    quieter = SourceHealth(last_new_at=NOW - timedelta(days=4))
    dead = SourceHealth(last_new_at=NOW - timedelta(days=365))
    base = source("1h")
    assert effective_interval(base, fresh, NOW) == timedelta(hours=1)
    assert effective_interval(base, quiet, NOW) == timedelta(hours=2)
    assert effective_interval(base, quieter, NOW) == timedelta(hours=4)
    assert effective_interval(base, dead, NOW) == PollPolicy().max_interval
    # Never shorter than the configured interval, even past the maximum.
    assert effective_interval(source("2d"), dead, NOW) == timedelta(days=2)


def test_caching_hints_push_later_but_never_earlier_than_the_interval() -> None:
    base = source("1h")
    assert effective_interval(base, SourceHealth(), NOW, hint=timedelta(hours=3)) == timedelta(
        hours=3
    )
    assert effective_interval(base, SourceHealth(), NOW, hint=timedelta(minutes=5)) == timedelta(
        hours=1
    )
    # A huge Retry-After is bounded by the maximum interval.
    assert effective_interval(base, SourceHealth(), NOW, hint=timedelta(days=30)) == timedelta(
        hours=12
    )


def test_cache_hint_reads_max_age_expires_and_retry_after() -> None:
    assert cache_hint({"Cache-Control": "public, max-age=600"}, NOW) == timedelta(minutes=10)
    assert cache_hint({"Retry-After": "120"}, NOW) == timedelta(minutes=2)
    expires = "Sat, 07 Mar 2026 14:00:00 GMT"
    assert cache_hint({"Expires": expires}, NOW) == timedelta(hours=2)
    assert cache_hint({"Expires": expires, "cache-control": "max-age=60"}, NOW) == timedelta(
        hours=2
    )
    assert cache_hint({"Expires": "0"}, NOW) is None
    assert cache_hint({"Expires": "garbage"}, NOW) is None
    assert cache_hint({}, NOW) is None


def test_failures_back_off_exponentially_to_a_ceiling_of_at_most_a_day() -> None:
    waits = [
        effective_interval(source("30m"), SourceHealth(consecutive_failures=n), NOW)
        for n in range(1, 12)
    ]
    assert waits[:3] == [timedelta(hours=1), timedelta(hours=2), timedelta(hours=4)]
    assert waits == sorted(waits)
    assert waits[-1] == timedelta(days=1)
    # A weekly source that fails is retried daily, not weekly: never silently dropped.
    weekly = effective_interval(source("7d"), SourceHealth(consecutive_failures=1), NOW)
    assert weekly == timedelta(days=1)


def test_next_digest_is_send_at_in_the_subscribers_zone_across_dst() -> None:
    ny = Subscriber(id="n", email="n@example.org", timezone="America/New_York", send_at="08:00")
    sh = Subscriber(id="s", email="s@example.org", send_at="08:00")
    # 2026-03-08 is the US spring-forward day: 08:00 EST is 13:00 UTC, 08:00 EDT is 12:00 UTC.
    first = next_digest_at(ny, "Asia/Shanghai", datetime(2026, 3, 7, 14, tzinfo=UTC))
    second = next_digest_at(ny, "Asia/Shanghai", first)
    assert first == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
    assert second == datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
    assert first.astimezone(ZoneInfo("America/New_York")).hour == 8
    assert next_digest_at(ny, "Asia/Shanghai", datetime(2026, 3, 6, 12, tzinfo=UTC)) == datetime(
        2026, 3, 6, 13, 0, tzinfo=UTC
    )
    # Default zone, and strictly after: a slot is never handed out twice.
    slot = next_digest_at(sh, "Asia/Shanghai", NOW)
    assert slot == datetime(2026, 3, 8, 0, 0, tzinfo=UTC)
    assert next_digest_at(sh, "Asia/Shanghai", slot) == slot + timedelta(days=1)


def test_weekly_digest_falls_on_its_weekday() -> None:
    sub = Subscriber(
        id="w", email="w@example.org", frequency="weekly", weekday="fri", send_at="18:30"
    )
    slot = next_digest_at(sub, "Europe/Berlin", NOW)
    local = slot.astimezone(ZoneInfo("Europe/Berlin"))
    assert (local.weekday(), local.hour, local.minute) == (4, 18, 30)
    assert slot > NOW and slot - NOW <= timedelta(days=7)
    assert next_digest_at(sub, "Europe/Berlin", slot) == slot + timedelta(days=7)


# --------------------------------------------------------------------------- tables


@pytest.fixture
def config(tmp_path: Path):
    (tmp_path / "citydigest.yaml").write_text("timezone: Asia/Shanghai\n", encoding="utf-8")
    (tmp_path / "sources.yaml").write_text(
        "sources:\n"
        + "".join(
            f"  - {{id: s{i}, name: S{i}, feed: 'http://h{i % 2}.example.org/f{i}.xml', "
            f"interval: 30m}}\n"
            for i in range(4)
        ),
        encoding="utf-8",
    )
    (tmp_path / "subscribers.yaml").write_text(
        "subscribers:\n"
        "  - {id: alice, email: alice@example.org, send_at: '08:00'}\n"
        "  - {id: bob, email: bob@example.org, timezone: America/New_York, send_at: '07:00'}\n",
        encoding="utf-8",
    )
    return load_config(tmp_path)


def test_sync_claim_and_finish(config, database_url: str) -> None:
    db = Database(database_url, upgrade=True)
    schedule = Schedule(db, NO_JITTER, clock=lambda: NOW)
    schedule.sync(config, NOW)
    hosts = {s.id: {f"h{int(s.id[1:]) % 2}.example.org"} for s in config.sources}
    # At most one source per host per claim, and none on a busy host.
    first = schedule.claim_sources(config, hosts, limit=10, now=NOW)
    assert sorted(i for i, _ in first) == ["s0", "s1"]
    assert all(due == NOW for _, due in first)
    second = schedule.claim_sources(config, hosts, limit=10, busy_hosts={"h0.example.org"}, now=NOW)
    assert [i for i, _ in second] == ["s3"]
    # Claimed rows are leased: nothing is handed out twice.
    assert schedule.claim_sources(config, hosts, limit=10, busy_hosts=set(), now=NOW) == [
        ("s2", NOW)
    ]
    assert schedule.claim_sources(config, hosts, limit=10, now=NOW) == []
    assert dispatch_lag(config, db, now=NOW) == timedelta(0)
    # A crawl's refresh records its health and next check, by the schedule's cadence, at once.
    s0 = config.source("s0")
    nxt = schedule.sources.record_source_result(
        s0.id,
        error=None,
        new_articles=1,
        at=NOW,
        next_check=lambda health: schedule.next_check(s0, health),
    )
    assert nxt == NOW + timedelta(minutes=30)
    schedule.release(["s1"], at=NOW)
    assert [i for i, _ in schedule.claim_sources(config, hosts, limit=5, now=NOW)] == ["s1"]
    # Distributed: host exclusion is left to the job locks.
    schedule.release(["s1", "s2", "s3"], at=NOW)
    many = schedule.claim_sources(config, hosts, limit=5, one_per_host=False, now=NOW)
    assert sorted(i for i, _ in many) == ["s1", "s2", "s3"]
    later = NOW + timedelta(hours=3)
    # The most overdue: s0 (due 30 min after its check) or the leased ones (a lease after NOW).
    oldest = min(timedelta(minutes=30), NO_JITTER.lease)
    assert dispatch_lag(config, db, now=later) == timedelta(hours=3) - oldest
    db.dispose()


def test_a_hosts_sources_due_within_their_jitter_are_claimed_together(
    config, database_url: str
) -> None:
    """Distributed claims (``together``): a due source brings the sources of its host that
    fall due within their jitter (10% of 30 min: 3 min), not those of other hosts nor those
    due later; without ``together`` only the due one is claimed."""
    db = Database(database_url, upgrade=True)
    schedule = Schedule(db, PollPolicy(jitter=0.1), clock=lambda: NOW)
    schedule.sync(config, NOW)
    hosts = {s.id: {f"h{int(s.id[1:]) % 2}.example.org"} for s in config.sources}
    due = {
        "s0": NOW,  # h0, due
        "s2": NOW + timedelta(minutes=2),  # h0, within its jitter
        "s1": NOW + timedelta(minutes=2),  # h1: no source of its host is due
        "s3": NOW + timedelta(minutes=4),  # h1
    }

    def set_due(extra: dict[str, datetime] | None = None) -> None:
        with db.session() as session:
            for source_id, at in {**due, **(extra or {})}.items():
                session.get(SourceState, source_id).next_check_at = at

    set_due()
    alone = schedule.claim_sources(config, hosts, limit=10, one_per_host=False, now=NOW)
    assert alone == [("s0", NOW)]
    set_due()
    both = schedule.claim_sources(
        config, hosts, limit=10, one_per_host=False, together=True, now=NOW
    )
    assert both == [("s0", NOW), ("s2", NOW + timedelta(minutes=2))]
    with db.session() as session:  # both leased
        leased = {r.id: r.next_check_at for r in session.query(SourceState)}
    assert leased["s2"] == leased["s0"] == NOW + schedule.policy.lease
    # Past its jitter, or on a host whose batch waits already: not taken early.
    set_due({"s2": NOW + timedelta(minutes=4)})
    assert schedule.claim_sources(
        config, hosts, limit=10, one_per_host=False, together=True, now=NOW
    ) == [("s0", NOW)]
    set_due({"s1": NOW})
    claimed = schedule.claim_sources(
        config,
        hosts,
        limit=10,
        busy_hosts={"h0.example.org"},
        one_per_host=False,
        together=True,
        now=NOW,
    )
    assert claimed == [("s1", NOW)]
    db.dispose()


def test_digests_due_claimed_once_advanced_and_unsubscribe_wins(config, database_url: str) -> None:
    db = Database(database_url, upgrade=True)
    schedule = Schedule(db)
    schedule.sync(config, NOW)
    with db.session() as session:
        alice = session.get(SubscriberState, "alice")
        assert alice.next_digest_at == datetime(2026, 3, 8, 0, 0, tzinfo=UTC)
    assert schedule.due_subscribers(config, NOW) == []
    # Three days of downtime: one late digest, not three.
    late = datetime(2026, 3, 11, 3, 0, tzinfo=UTC)
    due = schedule.due_subscribers(config, late)
    assert [d.subscriber_id for d in due] == ["alice", "bob"]
    claimed = schedule.claim_subscribers(config, lease=timedelta(minutes=10), now=late)
    assert [d.subscriber_id for d in claimed] == ["alice", "bob"]
    assert schedule.claim_subscribers(config, lease=timedelta(minutes=10), now=late) == []
    nxt = schedule.finish_digest(config.subscribers[0], "Asia/Shanghai", now=late)
    assert nxt == datetime(2026, 3, 12, 0, 0, tzinfo=UTC)
    with db.session() as session:
        session.get(SubscriberState, "bob").unsubscribed = True
    assert [
        d.subscriber_id for d in schedule.due_subscribers(config, late + timedelta(days=2))
    ] == ["alice"]
    db.dispose()


def test_sync_moves_a_subscriber_whose_send_at_changed(config, database_url: str, tmp_path) -> None:
    db = Database(database_url, upgrade=True)
    schedule = Schedule(db)
    schedule.sync(config, NOW)
    with db.session() as session:
        bob_before = session.get(SubscriberState, "bob").next_digest_at
    text = (config.dir / "subscribers.yaml").read_text().replace("'08:00'", "'21:15'")
    (config.dir / "subscribers.yaml").write_text(text)
    schedule.sync(load_config(config.dir), NOW)
    with db.session() as session:
        alice = session.get(SubscriberState, "alice")
        bob = session.get(SubscriberState, "bob")
        assert alice.next_digest_at == datetime(2026, 3, 7, 13, 15, tzinfo=UTC)
        assert bob.next_digest_at == bob_before == datetime(2026, 3, 8, 11, 0, tzinfo=UTC)
    db.dispose()


def test_status_report_shows_failing_sources_and_unsubscribes(config, database_url: str) -> None:
    db = Database(database_url, upgrade=True)
    Schedule(db).sync(config, NOW)
    with db.session() as session:
        row = session.get(SourceState, "s2")
        row.consecutive_failures = 3
        row.last_error = "fetch: http://h0.example.org/f2.xml: HTTP 500"
        row.last_error_at = NOW
        sub = session.get(SubscriberState, "bob")
        sub.unsubscribed, sub.unsubscribed_at = True, NOW
    report = status_report(config, db, now=NOW)
    assert report.failing == 1
    failing = next(s for s in report.sources if s.id == "s2")
    assert failing.failing and "HTTP 500" in (failing.last_error or "")
    bob = next(s for s in report.subscribers if s.id == "bob")
    assert bob.unsubscribed and bob.unsubscribed_at == NOW
    db.dispose()
