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
