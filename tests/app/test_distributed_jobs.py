"""The distributed runner's jobs on the real PostgreSQL: what a crawl job does when it cannot or
must not finish (a source the worker does not know, a crash, a shutdown past its grace), the
periodic maintenance, and how many connections a process holds however many jobs it runs."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import insert, select, update

from crawler.app.runners import distributed
from crawler.app.runners.distributed import WorkerSettings, conninfo
from crawler.app.runtime import Runtime
from crawler.base.config import load_config
from crawler.base.db import Database
from crawler.base.models import Fetch, SourceState, utcnow
from tests.app.servicekit import wait_for, write_config
from tests.app.workerkit import work_queue
from tests.sitefarm import Site, farm, serve

pytestmark = pytest.mark.postgres

FAST = WorkerSettings(dispatch_every=1, heartbeat=1, stalled_after=4, retry_stalled_every=2)


@pytest.fixture
def sites() -> Iterator[list[Site]]:
    with serve(farm(2, 4, first_address=140)) as running:
        yield running


@pytest.fixture
def runtime(sites: list[Site], postgres_url: str, tmp_path: Path) -> Iterator[Runtime]:
    folder = write_config(tmp_path / "config", sites, postgres_url, 2525, interval="1h")
    db = Database(postgres_url, upgrade=True)
    running = Runtime(load_config(folder), db)
    running.sync()
    yield running
    db.dispose()


def query(url: str, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        return conn.execute(sql, args).fetchall()


def next_checks(db: Database) -> dict[str, Any]:
    with db.session() as session:
        return dict(session.execute(select(SourceState.id, SourceState.next_check_at)).all())


def hold(db: Database, source_ids: list[str], until: timedelta) -> None:
    """Lease the sources as a dispatch would (the claim moves their next check ahead)."""
    with db.session() as session:
        session.execute(
            update(SourceState)
            .where(SourceState.id.in_(source_ids))
            .values(next_check_at=utcnow() + until)
        )


def test_a_source_the_worker_does_not_know_is_handed_back(
    runtime: Runtime, postgres_url: str
) -> None:
    """The dispatcher's config has a source this worker's has not (yet): the job hands it back
    due a dispatch period later, for another worker or this one after its reload, instead of
    leaving it leased; a known source of the same batch is crawled."""
    db = runtime.db
    with db.session() as session:
        session.add(SourceState(id="ghost", name="ghost", consecutive_failures=0))
    known = runtime.config.sources[0].id
    hold(db, ["ghost", known], timedelta(hours=1))
    jobs = [("citydigest.crawl", {"source_id": i}) for i in ("ghost", known)]

    async def scenario() -> None:
        await work_queue(runtime, postgres_url, jobs, settings=FAST)
        await runtime.aclose()

    asyncio.run(scenario())
    after = next_checks(db)
    assert after["ghost"] <= utcnow() + timedelta(seconds=FAST.dispatch_every)
    assert after[known] > utcnow() + timedelta(minutes=30), "crawled: next check an interval on"


async def work_and_retry(
    runtime: Runtime, url: str, jobs: list[tuple[str, dict[str, Any]]]
) -> list[tuple[Any, ...]]:
    """Work ``jobs`` until the queue is empty, and again after a failed job's retry wait;
    returns the crawl jobs (status, attempts) left between the two."""
    await work_queue(runtime, url, jobs, settings=FAST)
    waiting = query(
        url,
        "SELECT status, attempts FROM procrastinate_jobs WHERE task_name = %s",
        "citydigest.crawl",
    )
    await asyncio.sleep(FAST.dispatch_every + 0.5)  # the retry's wait
    await work_queue(runtime, url, [], settings=FAST)
    await runtime.aclose()
    return waiting


def test_a_crawl_job_that_crashes_is_retried(
    runtime: Runtime, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crawl job failing with an error of its own is run again (the retry strategy), after
    a wait, and then crawls; its source is not left to the lease."""
    source = runtime.config.sources[0].id
    real = distributed.crawl_sources
    calls: list[str] = []

    async def crash_once(*args: Any, **kwargs: Any) -> Any:
        calls.append("call")
        if len(calls) == 1:
            raise RuntimeError("a bug in one pass")
        return await real(*args, **kwargs)

    monkeypatch.setattr(distributed, "crawl_sources", crash_once)
    jobs = [("citydigest.crawl", {"source_id": source})]

    waiting = asyncio.run(work_and_retry(runtime, postgres_url, jobs))
    assert waiting == [("todo", 1)], "the failed job waits for its retry"
    assert len(calls) == 2
    left = query(
        postgres_url,
        "SELECT status FROM procrastinate_jobs WHERE task_name = %s",
        "citydigest.crawl",
    )
    assert left == [], "the retry succeeded (successful jobs are deleted)"
    with runtime.db.session() as session:
        row = session.get(SourceState, source)
        assert row is not None and row.last_success_at is not None


def test_maintenance_prunes_the_fetch_log_outside_the_crawls(
    runtime: Runtime, postgres_url: str
) -> None:
    """Retention is the hourly maintenance job's: a crawl leaves an expired fetch-log row, the
    maintenance job deletes it."""
    db = runtime.db
    days = runtime.config.settings.fetch_log_days
    old = utcnow() - timedelta(days=days + 1)
    with db.session() as session:
        session.execute(insert(Fetch), [{"url": "http://old.example/", "fetched_at": old}])

    def expired() -> int:
        with db.session() as session:
            return len(
                list(
                    session.scalars(
                        select(Fetch.id).where(Fetch.fetched_at < old + timedelta(seconds=1))
                    )
                )
            )

    crawl = [("citydigest.crawl", {"source_id": runtime.config.sources[0].id})]
    asyncio.run(work_queue(runtime, postgres_url, crawl, settings=FAST))
    assert expired() == 1, "a crawl job no longer prunes"
    maintain = [("citydigest.maintain", {"timestamp": int(time.time())})]
    asyncio.run(work_queue(runtime, postgres_url, maintain, settings=FAST, queues=["maintenance"]))
    assert expired() == 0


def test_a_failed_crawl_is_retried_though_a_batch_of_its_host_waits(
    runtime: Runtime, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a crawl job fails, the dispatch defers a batch of the same host (its other source
    fell due meanwhile): the failed job's retry is stored beside that batch, and both crawl.
    With a queueing lock per host, procrastinate could not store the retry, and the failed job
    stayed "doing", holding its host's lock, so neither ran again."""
    first, other = [s.id for s in runtime.config.sources[:2]]
    assert runtime.hosts_of(first) == runtime.hosts_of(other), "two sources of one host"
    host = min(runtime.hosts_of(first))
    real = distributed.crawl_sources
    calls: list[list[str]] = []
    app = distributed.make_app(postgres_url, FAST)

    async def crash_once(config: Any, db: Any, source_ids: list[str], **kwargs: Any) -> Any:
        calls.append(list(source_ids))
        if len(calls) == 1:
            batch = distributed.HostBatch(host, (other,), utcnow())
            job, arguments = distributed.batch_job(app.tasks["citydigest.crawl"], batch)
            async with app.open_async():
                await job.defer_async(**arguments)
            raise RuntimeError("a bug in one pass")
        return await real(config, db, source_ids, **kwargs)

    monkeypatch.setattr(distributed, "crawl_sources", crash_once)

    jobs = [("citydigest.crawl", {"source_ids": [first]})]
    waiting = asyncio.run(work_and_retry(runtime, postgres_url, jobs))
    # The batch deferred meanwhile ran at once (the failed job no longer held the host's lock).
    assert waiting == [("todo", 1)], "the failed job's retry is stored and waits"
    assert sorted(calls) == sorted([[first], [other], [first]])
    left = query(postgres_url, "SELECT status FROM procrastinate_jobs")
    assert left == [], "every job ended (successful jobs are deleted)"
    with runtime.db.session() as session:
        for source in (first, other):
            row = session.get(SourceState, source)
            assert row is not None and row.last_success_at is not None, source


def test_a_signal_right_after_the_startup_line_stops_the_worker_gracefully(
    runtime: Runtime, postgres_url: str
) -> None:
    """SIGTERM at the startup line, before procrastinate's run loop has installed its own
    handlers: the worker stops as after any SIGTERM (it was killed with status -15, the
    signal's default, which a supervisor reads as a crash)."""
    default: list[int] = []  # what reached the process's own handling instead
    previous = signal.signal(signal.SIGTERM, lambda signum, _frame: default.append(signum))

    async def serve() -> None:
        await distributed._serve(
            runtime,
            postgres_url,
            FAST,
            queues=["crawl"],
            concurrency=1,
            grace=1,
            name="signalled",
            on_started=lambda: os.kill(os.getpid(), signal.SIGTERM),
        )

    try:
        asyncio.run(asyncio.wait_for(serve(), 30))  # a worker that missed it never returns
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert default == [], "the signal went to the default handling, not the worker's"


# ---------------------------------------------------------------------- a cluster


@pytest.fixture
def slow_sites() -> Iterator[list[Site]]:
    with serve(farm(3, 16, first_address=150, latency=0.2)) as running:
        yield running


def test_a_shutdown_past_its_grace_hands_sources_back_at_once(
    slow_sites: list[Site], smtp, postgres_url: str, spawn, tmp_path: Path
) -> None:
    """SIGTERM with a short grace: the worker's unfinished crawls are aborted and their sources
    due again at once (not held for the lease, 10 minutes here), so the other worker crawls
    them; the worker exits 0 and no host is crawled twice at once."""
    url = postgres_url
    folder = write_config(tmp_path / "config", slow_sites, url, smtp[1], interval="1h", feeds=False)
    (folder / "subscribers.yaml").unlink()
    Database(url, upgrade=True).dispose()
    base = ["-v", "--config", str(folder), "--database", url]
    timing = ["--heartbeat", "1", "--stalled-after", "4", "--lease", "600"]
    spawn(*base, "run", "--engine", "procrastinate", "--dispatch-every", "1", *timing, name="d")
    first = spawn(
        *base,
        "worker",
        "--concurrency",
        "4",
        "--grace",
        "0.3",
        "--name",
        "first",
        *timing,
        name="first",
    )

    def crawling() -> list[tuple[Any, ...]]:
        try:
            return query(
                url,
                "SELECT id FROM procrastinate_jobs WHERE status = 'doing' "
                "AND task_name = 'citydigest.crawl'",
            )
        except psycopg.errors.UndefinedTable:
            return []

    wait_for(crawling, 40, "the first worker to start crawling")
    second = spawn(*base, "worker", "--concurrency", "4", "--name", "second", *timing, name="s")
    time.sleep(0.5)
    first.signal(signal.SIGTERM)
    assert first.wait(20) == 0, first.output()
    stopped = time.monotonic()
    assert "Aborted" in first.output(), "the crawls were cut short, not finished in the grace"
    db = Database(url)

    def all_crawled() -> bool:
        with db.session() as session:
            rows = list(session.scalars(select(SourceState)))
        return len(rows) == len(slow_sites) and all(r.last_success_at for r in rows)

    wait_for(all_crawled, 60, "every source crawled by the second worker")
    assert time.monotonic() - stopped < 60  # the lease (600 s) did not hold them
    second.signal(signal.SIGTERM)
    assert second.wait(20) == 0, second.output()
    for site in slow_sites:
        assert site.max_active == 1, f"{site.id}: two crawls of one host at once"
    db.dispose()


# A process's connections at most: procrastinate's LISTEN connection and queue pool (1-2), the
# host locks' one, SQLAlchemy's (one: the jobs' database calls run one at a time on the event
# loop; the hourly maintenance, in a thread, may add one more for its run).
PROCESS_CONNECTIONS = 5


def test_a_worker_holds_a_few_connections_whatever_its_concurrency(
    slow_sites: list[Site],
    smtp,
    postgres_url: str,
    spawn,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A worker running 8 crawls at once holds no more connections than one running one (a
    connection per running crawl, and a queue pool of 4, made 16 processes exhaust PostgreSQL's
    default 100); the dispatcher as few."""
    url = postgres_url
    folder = write_config(tmp_path / "config", slow_sites, url, smtp[1], interval="1h")
    (folder / "subscribers.yaml").unlink()
    Database(url, upgrade=True).dispose()
    base = ["--config", str(folder), "--database", url]
    monkeypatch.setenv("PGAPPNAME", "cd-dispatcher")  # libpq names each process's connections
    spawn(*base, "run", "--engine", "procrastinate", "--dispatch-every", "1", name="d")
    monkeypatch.setenv("PGAPPNAME", "cd-worker")
    spawn(*base, "worker", "--concurrency", "8", name="w")
    monkeypatch.delenv("PGAPPNAME")  # this process's own connections are not counted
    name = url.rpartition("/")[2]
    most: dict[str, int] = {}
    running_at_once = 0
    db = Database(url)

    def all_crawled() -> bool:
        nonlocal running_at_once
        for app, count in query(
            url,
            "SELECT application_name, count(*) FROM pg_stat_activity WHERE datname = %s "
            "AND application_name LIKE 'cd-%%' GROUP BY application_name",
            name,
        ):
            most[app] = max(most.get(app, 0), count)
        try:
            doing = query(url, "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'")
            running_at_once = max(running_at_once, doing[0][0])
        except psycopg.errors.UndefinedTable:
            pass
        with db.session() as session:
            rows = list(session.scalars(select(SourceState)))
        return len(rows) == 2 * len(slow_sites) - 1 and all(r.last_success_at for r in rows)

    wait_for(all_crawled, 90, "every source crawled", step=0.1)
    db.dispose()
    assert running_at_once >= 3, "the worker ran several crawls at once"
    assert 1 <= most["cd-worker"] <= PROCESS_CONNECTIONS, most
    assert 1 <= most["cd-dispatcher"] <= PROCESS_CONNECTIONS, most


def test_a_dispatch_defers_one_job_per_host_skipping_a_waiting_one(
    runtime: Runtime, postgres_url: str
) -> None:
    """The dispatch defers one crawl job per host with every claimed source of that host (its
    list and its feed: one batch), all in one statement; when a host's job waits in the queue
    already, its due sources are left unclaimed for its next batch (not deferred twice, not
    leased for the lease's length), and the other hosts' jobs still are deferred."""
    by_host: dict[str, list[str]] = {}
    for source in runtime.config.sources:
        (host,) = runtime.hosts_of(source.id)
        by_host.setdefault(f"host:{host}", []).append(source.id)
    assert len(by_host) == 2 and all(len(ids) == 2 for ids in by_host.values())
    dispatch = [("citydigest.dispatch", {"timestamp": int(time.time())})]

    def waiting() -> dict[str, list[str]]:
        rows = query(
            postgres_url,
            "SELECT lock, args->'source_ids' FROM procrastinate_jobs "
            "WHERE task_name = 'citydigest.crawl' AND status = 'todo'",
        )
        return {lock: sorted(ids) for lock, ids in rows}

    asyncio.run(work_queue(runtime, postgres_url, dispatch, settings=FAST, queues=["dispatch"]))
    assert waiting() == {lock: sorted(ids) for lock, ids in by_host.items()}
    # Every source due again; the first host's job still waits, the other's is gone.
    first, second = sorted(by_host)
    with psycopg.connect(conninfo(postgres_url), autocommit=True) as conn:
        conn.execute(
            "DELETE FROM procrastinate_jobs WHERE task_name = 'citydigest.crawl' AND lock = %s",
            (second,),
        )
    hold(runtime.db, [i for ids in by_host.values() for i in ids], timedelta(seconds=-1))
    asyncio.run(work_queue(runtime, postgres_url, dispatch, settings=FAST, queues=["dispatch"]))
    assert waiting() == {lock: sorted(ids) for lock, ids in by_host.items()}, "not doubled"
    due = next_checks(runtime.db)
    for source_id in by_host[first]:  # unclaimed: still due
        assert due[source_id] - utcnow() < timedelta(seconds=3), due[source_id]
    for source_id in by_host[second]:  # deferred: leased
        assert due[source_id] - utcnow() > timedelta(seconds=30), due[source_id]
