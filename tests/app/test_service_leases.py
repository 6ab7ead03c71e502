"""Leases of claimed crawls: renewed by the crawl's heartbeat while its process lives, lapsed
seconds after it is gone, so a source in flight at a ``kill -9`` is not blocked for an hour."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crawler.app.cadence import PollPolicy
from crawler.app.jobs import crawl_sources
from crawler.app.schedule import Schedule
from crawler.base.config import load_config
from crawler.base.db import Database
from crawler.base.models import Article, SourceState, utcnow
from crawler.fetch.urls import host_of
from crawler.pipeline import hosts_of
from tests.app.servicekit import wait_for, write_config
from tests.sitefarm import Site, farm, serve

LEASE = 2.0


@pytest.fixture
def sites() -> Iterator[list[Site]]:
    with serve(farm(2, 30, first_address=110, latency=0.05)) as running:
        yield running


def count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Article)) or 0


async def test_a_running_crawl_keeps_its_lease_and_a_gone_one_loses_it(
    sites: list[Site], tmp_path: Path, database_url: str
) -> None:
    sites[0].latency = 0.25  # the crawl outlasts the lease a few times over
    folder = write_config(tmp_path / "config", sites[:1], database_url, 2525, interval="1h")
    (folder / "subscribers.yaml").unlink()
    config = load_config(folder)
    db = Database(database_url, upgrade=True)
    schedule = Schedule(db, PollPolicy(lease=timedelta(seconds=LEASE), jitter=0))
    schedule.sync(config)
    hosts = {s.id: hosts_of(s) for s in config.sources}
    claimed = [i for i, _ in schedule.claim_sources(config, hosts, limit=1)]
    assert claimed
    task = asyncio.ensure_future(crawl_sources(config, db, claimed, schedule=schedule))
    await asyncio.sleep(LEASE * 2)  # twice the lease: only the heartbeat holds it
    assert not task.done(), "the crawl ended before the lease was tested"
    again = schedule.claim_sources(config, hosts, limit=5, one_per_host=False)
    assert not any(i in claimed for i, _ in again), "a running crawl's source was handed out"
    # The process is gone (nothing released, no more heartbeats): due a lease later.
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    gone = time.monotonic()
    while not any(
        i in claimed for i, _ in schedule.claim_sources(config, hosts, limit=5, one_per_host=False)
    ):
        assert time.monotonic() - gone < LEASE * 3, "the lease of a gone crawl did not lapse"
        await asyncio.sleep(0.1)
    db.dispose()


async def test_a_source_refreshed_keeps_its_next_check_while_its_job_runs_on(
    sites: list[Site], tmp_path: Path, database_url: str
) -> None:
    """A job of two sources: the one that ends first has its health and next check recorded in
    one transaction, and the heartbeat, still renewing the other's lease, leaves it alone."""
    sites[0].latency = 0.25  # the slow one outlasts the lease a few times over
    folder = write_config(tmp_path / "config", sites, database_url, 2525, interval="1h")
    (folder / "subscribers.yaml").unlink()
    config = load_config(folder)
    db = Database(database_url, upgrade=True)
    schedule = Schedule(db, PollPolicy(lease=timedelta(seconds=LEASE), jitter=0))
    schedule.sync(config)
    hosts = {s.id: hosts_of(s) for s in config.sources}
    claimed = [i for i, _ in schedule.claim_sources(config, hosts, limit=2)]
    assert len(claimed) == 2
    slow_host = host_of(sites[0].base)
    slow, fast = sorted(claimed, key=lambda i: slow_host not in hosts[i])  # one per site
    task = asyncio.ensure_future(crawl_sources(config, db, claimed, schedule=schedule))

    def row(source_id: str) -> SourceState:
        with db.session() as session:
            found = session.get(SourceState, source_id)
            assert found is not None
            return found

    deadline = time.monotonic() + 30
    while row(fast).last_checked_at is None:
        assert time.monotonic() < deadline, "the fast source was not refreshed"
        await asyncio.sleep(0.1)
    await asyncio.sleep(LEASE)  # heartbeats go on for the slow one
    assert not task.done(), "the slow crawl ended before the heartbeat was tested"
    done = row(fast)
    assert done.last_checked_at is not None and done.last_success_at == done.last_checked_at
    assert done.next_check_at is not None
    assert done.next_check_at >= done.last_checked_at + timedelta(hours=1)  # not a lease
    leased = row(slow).next_check_at
    assert leased is not None and leased <= utcnow() + timedelta(seconds=LEASE)
    await task
    finished = row(slow)
    assert finished.next_check_at is not None and finished.last_checked_at is not None
    assert finished.next_check_at >= finished.last_checked_at + timedelta(hours=1)
    db.dispose()


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_a_source_in_flight_at_kill_9_is_crawled_again_seconds_after_restart(
    backend: str, sites: list[Site], spawn, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = (
        f"sqlite:///{tmp_path / 'db.sqlite'}"
        if backend == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    folder = write_config(tmp_path / "config", sites, url, 2525, interval="1h", feeds=False)
    (folder / "subscribers.yaml").unlink()
    total = sum(len(s.articles) for s in sites)
    args = ["-v", "--config", str(folder), "--database", url, "run", "--tick", "0.3"]
    args += ["--lease", str(LEASE)]
    db = Database(url, upgrade=True)

    first = spawn(*args, name="first")
    wait_for(lambda: count(db) >= 8, 60, "a crawl under way")
    first.popen.kill()  # SIGKILL: nothing released, nothing finished
    first.wait(10)
    killed = utcnow()
    with db.session() as session:
        in_flight = [r for r in session.scalars(select(SourceState)) if r.last_checked_at is None]
    assert in_flight and count(db) < total, "the crawl finished before the kill"
    for row in in_flight:  # held for a lease from the last heartbeat, not an hour
        assert row.next_check_at is not None
        assert row.next_check_at <= killed + timedelta(seconds=LEASE + 1), row.id

    started = time.monotonic()
    second = spawn(*args, name="second")
    wait_for(lambda: count(db) >= total, 60, "the sources in flight to be crawled again")
    assert time.monotonic() - started < 30, second.output()[-3000:]
    second.stop()
    with db.session() as session:
        urls = list(session.scalars(select(Article.canonical_url)))
    assert len(urls) == len(set(urls)) == total
    assert set(urls) == {site.article_url(a.number) for site in sites for a in site.articles}
    db.dispose()
