"""The embedded daemon: a digest at the subscriber's (mocked) local time, config reload (file
change and SIGHUP, invalid edits kept out), and SIGTERM mid-crawl then a rerun (subprocesses)."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from crawler.app.cadence import next_digest_at
from crawler.app.runners.embedded import EXIT_IMMEDIATE, Daemon
from crawler.base.config import load_config
from crawler.base.db import Database
from crawler.base.models import Article, Delivery, SourceState, SubscriberState, utcnow
from tests.app.servicekit import wait_for, write_config
from tests.sitefarm import Site, farm, serve

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def sites() -> Iterator[list[Site]]:
    with serve(farm(2, 8, first_address=70)) as running:
        yield running


async def test_digest_goes_out_at_the_subscribers_local_time(
    sites: list[Site], smtp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder, port = smtp
    monkeypatch.setenv("CITYDIGEST_SECRET", "service-test-secret-0123456789")
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    config = load_config(write_config(tmp_path / "config", sites, url, port, interval="1h"))
    alice = config.subscribers[0]
    # Mock the clock to 4 s before alice's next 08:00 in Shanghai (bob's 07:30 New York slot is
    # hours away from it whatever the real time).
    real = utcnow()
    slot = next_digest_at(alice, "Asia/Shanghai", real + timedelta(seconds=30))
    offset = slot - real - timedelta(seconds=4)

    def clock() -> datetime:
        return utcnow() + offset

    db = Database(url)
    daemon = Daemon(config, db, tick=0.25, concurrency=4, clock=clock, watch=False)
    runner = asyncio.create_task(daemon.run(install_signals=False))
    arrived: list[datetime] = []
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not recorder.messages:
            await asyncio.sleep(0.1)
            if recorder.messages and not arrived:
                arrived.append(clock())
        assert recorder.messages, "no digest was sent"
        arrived = arrived or [clock()]
        await asyncio.sleep(1.5)  # later ticks send nothing more
    finally:
        daemon.request_stop()
        assert await asyncio.wait_for(runner, 20) == 0
    local = arrived[0].astimezone(SHANGHAI)
    assert (local.hour, local.minute) == (8, 0), f"sent at {local:%H:%M:%S} Shanghai time"
    assert len(recorder.messages) == 1 and "alice@example.org" in str(recorder.messages[0]["To"])
    assert recorder.messages[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    with db.session() as session:
        row = session.get(SubscriberState, "alice")
        assert row.next_digest_at == slot + timedelta(days=1)
        assert session.scalar(select(func.count()).select_from(Delivery)) == 1
        assert session.scalar(select(func.count()).select_from(Article)) == 16
    db.dispose()


async def test_config_reload_on_change_and_sighup_keeps_the_old_config_when_invalid(
    sites: list[Site], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    folder = write_config(tmp_path / "config", sites[:1], url, 2525, interval="1h")
    config = load_config(folder)
    db = Database(url)
    daemon = Daemon(config, db, tick=0.2, concurrency=2, watch=True)
    runner = asyncio.create_task(daemon.run(install_signals=True))
    try:
        await asyncio.sleep(0.5)
        sources = folder / "sources.yaml"
        good = sources.read_text()
        # An invalid edit: reported and rejected; the running config stays.
        sources.write_text(good + "  - id: Bad Id\n    name: x\n")
        await asyncio.sleep(0.8)
        assert daemon.stats.rejected_reloads == 1
        assert daemon.config is config
        # A valid edit (a new source on another site) is picked up by the file watch.
        extra = sites[1]
        sources.write_text(
            good + f"  - id: added\n    name: 新来源\n    feed: {extra.base}/feed.xml\n"
        )
        await asyncio.sleep(0.8)
        assert daemon.stats.reloads == 1
        assert [s.id for s in daemon.config.sources][-1] == "added"
        wait = time.monotonic() + 10
        while time.monotonic() < wait:
            with db.session() as session:
                row = session.get(SourceState, "added")
                if row is not None and row.last_success_at is not None:
                    break
            await asyncio.sleep(0.2)
        assert row is not None and row.last_success_at is not None
        slot = daemon.politeness.get(f"{extra.address}:{extra.port}")
        assert slot is not None and not slot.retune
        # SIGHUP reloads too, even without a change; each host's fetch settings are then taken
        # afresh (robots.txt and back-off kept).
        os.kill(os.getpid(), signal.SIGHUP)
        await asyncio.sleep(0.6)
        assert daemon.stats.reloads == 2
        assert daemon.politeness.get(f"{extra.address}:{extra.port}") is slot and slot.retune
    finally:
        daemon.request_stop()
        assert await asyncio.wait_for(runner, 20) == 0
    db.dispose()


async def test_the_daemon_reads_robots_once_across_its_passes(
    sites: list[Site], tmp_path: Path
) -> None:
    """Each due source gets its own crawl pass (and Fetcher); the daemon's HostStates carries
    every host's robots.txt from one pass to the next, as ROBOTS_TTL promises."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    config = load_config(write_config(tmp_path / "config", sites, url, 2525, interval="1h"))
    offset = timedelta(0)

    def clock() -> datetime:
        return utcnow() + offset

    db = Database(url)
    daemon = Daemon(config, db, tick=0.2, concurrency=4, clock=clock, watch=False)
    runner = asyncio.create_task(daemon.run(install_signals=False))
    try:
        for passes in (1, 2, 3):
            deadline = time.monotonic() + 20
            while daemon.stats.crawls < passes * len(config.sources):
                assert time.monotonic() < deadline, f"pass {passes} did not finish"
                await asyncio.sleep(0.1)
            offset += timedelta(hours=2)  # every source due again
    finally:
        daemon.request_stop()
        assert await asyncio.wait_for(runner, 20) == 0
    assert daemon.stats.crawls == 3 * len(config.sources) and not daemon.stats.crawl_failures
    for site in sites:
        paths = [path for _, path in site.requests]
        assert paths.count("/feed.xml") >= 3, paths  # three passes
        assert paths.count("/robots.txt") == 1, paths
    db.dispose()


async def test_a_distributed_workers_config_reload_retunes_its_hosts(
    sites: list[Site], tmp_path: Path
) -> None:
    """The procrastinate worker's Runtime keeps politeness across jobs like the daemon, and
    takes each host's fetch settings afresh when its config changes."""
    from crawler.app.runtime import Runtime

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    folder = write_config(tmp_path / "config", sites, url, 2525, interval="1h")
    db = Database(url)
    runtime = Runtime(load_config(folder), db)
    source = runtime.config.sources[0]
    slot = runtime.politeness.slot("a.example", runtime.config.profile(source))
    assert not runtime.refresh() and not slot.retune  # nothing changed
    settings_file = folder / "citydigest.yaml"
    settings_file.write_text(settings_file.read_text() + "\n# edited\n", encoding="utf-8")
    os.utime(settings_file, (time.time() + 5, time.time() + 5))
    assert runtime.refresh() and slot.retune
    db.dispose()


# --------------------------------------------------------------------------- SIGTERM


@pytest.fixture
def slow_sites() -> Iterator[list[Site]]:
    with serve(farm(3, 18, first_address=80, latency=0.1)) as running:
        yield running


def stored_urls(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute("SELECT canonical_url FROM articles")]


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


@pytest.mark.parametrize("signals", [1, 2], ids=["graceful", "second-signal"])
def test_sigterm_mid_crawl_then_rerun_loses_and_doubles_nothing(
    signals: int, slow_sites: list[Site], smtp, spawn, tmp_path: Path
) -> None:
    _, port = smtp
    path = tmp_path / "db.sqlite"
    url = f"sqlite:///{path}"
    folder = write_config(tmp_path / "config", slow_sites, url, port, interval="1h", feeds=False)
    (folder / "subscribers.yaml").unlink()
    total = sum(len(s.articles) for s in slow_sites)
    args = ["-v", "--config", str(folder), "run", "--tick", "0.3", "--grace", "1"]

    Database(url).dispose()  # the schema exists before the daemon starts
    first = spawn(*args, name="first")
    wait_for(lambda: len(stored_urls(path)) >= 6, 40, "a crawl under way")
    assert len(stored_urls(path)) < total, "the crawl finished before the signal"
    started = time.monotonic()
    first.signal(signal.SIGTERM)
    if signals == 2:
        time.sleep(0.2)
        first.signal(signal.SIGTERM)
    code = first.wait(15)
    assert code == (0 if signals == 1 else EXIT_IMMEDIATE), first.output()
    assert time.monotonic() - started < (1 if signals == 2 else 8)
    assert integrity(path) == "ok"
    kept = stored_urls(path)
    assert len(kept) == len(set(kept)) < total
    if signals == 1:
        assert "abandoned" in first.output() or "stopped" in first.output()
    with sqlite3.connect(path) as conn:  # unfinished sources were handed back as due
        due = conn.execute(
            "SELECT count(*) FROM sources WHERE next_check_at <= datetime('now', '+1 minute')"
        ).fetchone()[0]
    assert due >= 1

    second = spawn(*args, name="second")
    wait_for(lambda: len(stored_urls(path)) >= total, 60, "the rerun to finish the crawl")
    time.sleep(0.5)
    second.signal(signal.SIGTERM)
    assert second.wait(15) == 0, second.output()
    urls = stored_urls(path)
    assert len(urls) == len(set(urls)) == total, "an article was lost or stored twice"
    expected = {site.article_url(a.number) for site in slow_sites for a in site.articles}
    assert set(urls) == expected
    assert integrity(path) == "ok"


async def test_a_stop_during_a_tick_lets_the_tick_end_and_logs_no_failed_job(
    sites: list[Site], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A stop while the scheduler's dispatch job runs: the job ends on its own before the
    scheduler shuts down, instead of being cancelled and logged by APScheduler as an error with
    a CancelledError traceback (what an operator saw on a SIGTERM that met a tick)."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    config = load_config(write_config(tmp_path / "config", sites, url, 2525, interval="1h"))
    db = Database(url)
    daemon = Daemon(config, db, tick=3600, watch=False)
    entered, release = asyncio.Event(), asyncio.Event()
    ended: list[bool] = []

    async def held_tick() -> None:  # a tick still at work when the stop comes
        entered.set()
        await release.wait()
        ended.append(True)

    daemon._tick = held_tick  # type: ignore[method-assign]
    runner = asyncio.create_task(daemon.run(install_signals=False))
    await asyncio.wait_for(entered.wait(), 10)
    daemon.request_stop()
    await asyncio.sleep(0.2)
    release.set()
    assert await asyncio.wait_for(runner, 20) == 0
    assert ended == [True]
    failed = [r for r in caplog.records if r.name.startswith("apscheduler") and r.levelno >= 40]
    assert not failed, [r.getMessage() for r in failed]
    db.dispose()
