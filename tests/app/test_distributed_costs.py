"""What one crawl job costs a distributed worker, counted rather than timed: the database
transactions (commits) and statements of a routine check, and what the worker process builds
for it (fetcher, TLS context, connections). A worker runs in this process (procrastinate's
``Worker`` over the real PostgreSQL), so SQLAlchemy's events see every statement of the job."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, select

from crawler.app.runtime import Runtime
from crawler.base.config import load_config
from crawler.base.db import Database
from crawler.base.models import Article, SourceState
from tests.app.servicekit import write_config
from tests.app.workerkit import work_queue
from tests.sitefarm import Site, farm, serve

pytestmark = pytest.mark.postgres

# What a routine check of one source (its feed or its list page: nothing new) may cost at most:
# the embedded runner's three (the job's read of which sources succeeded, the lease's first
# beat, the recorded refresh) and the validators saved for the next conditional GET, plus the
# fetch log's one insert.
MAX_COMMITS_PER_CHECK = 5


@pytest.fixture
def sites() -> Iterator[list[Site]]:
    with serve(farm(2, 6, first_address=120)) as running:
        yield running


@contextmanager
def counting(db: Database) -> Iterator[Counter[str]]:
    """Commits and statements on ``db``'s engine while the block runs."""
    counts: Counter[str] = Counter()

    def commit(_conn: Any) -> None:
        counts["commits"] += 1

    def statement(*_args: Any) -> None:
        counts["statements"] += 1

    event.listen(db.engine, "commit", commit)
    event.listen(db.engine, "before_cursor_execute", statement)
    try:
        yield counts
    finally:
        event.remove(db.engine, "commit", commit)
        event.remove(db.engine, "before_cursor_execute", statement)


async def run_jobs(runtime: Runtime, url: str, source_ids: list[str]) -> None:
    """One crawl job per source, worked in this process."""
    await work_queue(runtime, url, [("citydigest.crawl", {"source_id": i}) for i in source_ids])


def test_a_routine_check_costs_what_an_embedded_one_costs(
    sites: list[Site], postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_config(tmp_path / "config", sites, postgres_url, 2525, interval="1h")
    config = load_config(folder)
    db = Database(postgres_url, upgrade=True)
    runtime = Runtime(config, db)
    runtime.sync()
    ids = [s.id for s in config.sources]
    contexts = Counter[str]()
    made = httpx.create_ssl_context

    def counted_context(*args: Any, **kwargs: Any) -> Any:
        contexts["tls"] += 1
        return made(*args, **kwargs)

    monkeypatch.setattr(httpx, "create_ssl_context", counted_context)

    async def scenario() -> tuple[Counter[str], Counter[str]]:
        with counting(db) as first:
            await run_jobs(runtime, postgres_url, ids)  # first crawls: every article new
        with counting(db) as routine:
            await run_jobs(runtime, postgres_url, ids)  # routine checks: nothing new
        await runtime.aclose()
        return first, routine

    try:
        first, routine = asyncio.run(scenario())
        with db.session() as session:
            stored = len(list(session.scalars(select(Article.id))))
            checked = list(session.scalars(select(SourceState.last_success_at)))
    finally:
        db.dispose()
    assert stored == sum(len(s.articles) for s in sites)
    assert len(checked) == len(ids) and all(checked), "every source checked and healthy"
    per_check = routine["commits"] / len(ids)
    print(f"first crawls: {first}; routine checks: {routine}; per check: {per_check:.1f}")
    assert per_check <= MAX_COMMITS_PER_CHECK, routine
    # One fetcher for the worker process's life: one TLS context, not one per job.
    assert contexts["tls"] <= 1


def test_a_queue_query_is_one_round_trip(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The queue pool's connections are in autocommit (no COMMIT after each of
    procrastinate's queries: the connection is idle, not in a transaction, once it is back)
    and are checked with an empty query only when they come out of the pool after more than
    IDLE_CHECK seconds there, or closed: not before every query, as procrastinate's pool did."""
    import psycopg
    from psycopg import pq
    from psycopg_pool import AsyncConnectionPool

    from crawler.app.runners import distributed

    checks: list[object] = []
    real_check = AsyncConnectionPool.check_connection

    async def counted(conn: Any) -> None:
        checks.append(conn)
        await real_check(conn)

    monkeypatch.setattr(AsyncConnectionPool, "check_connection", staticmethod(counted))

    async def scenario() -> None:
        pool = distributed._queue_pool(
            conninfo=distributed.conninfo(postgres_url), min_size=1, max_size=1, open=False
        )
        await pool.open(wait=True)
        try:
            for _ in range(5):
                async with pool.connection() as conn:
                    await conn.execute("SELECT 1")
                    assert conn.autocommit
                assert conn.pgconn.transaction_status == pq.TransactionStatus.IDLE
            assert len(checks) == 1, "only the new connection, not one used just before"
            monkeypatch.setattr(distributed, "IDLE_CHECK", 0.0)
            await asyncio.sleep(0.01)
            async with pool.connection() as conn:
                await conn.execute("SELECT 1")
            assert len(checks) == 2, "one idle longer than IDLE_CHECK is checked"
        finally:
            await pool.close()
        closed = await psycopg.AsyncConnection.connect(distributed.conninfo(postgres_url))
        await closed.close()
        with pytest.raises(psycopg.OperationalError):
            await distributed._IdleCheck().check(closed)

    asyncio.run(scenario())
