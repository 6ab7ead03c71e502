"""The distributed runner on the real PostgreSQL: a worker killed with SIGKILL mid-crawl has its
job retried by the stalled-job check and its host lock freed; nothing is lost or doubled."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import select

from crawler.app.runners.distributed import (
    WorkerSettings,
    conninfo,
    host_lock_key,
    host_locks,
)
from crawler.base.db import Database
from crawler.base.models import Article, SourceState
from tests.app.servicekit import wait_for, write_config
from tests.sitefarm import Site, farm, serve

pytestmark = pytest.mark.postgres

HEARTBEAT, STALLED = "1", "4"


@pytest.fixture
def sites() -> Iterator[list[Site]]:
    with serve(farm(3, 16, first_address=90, latency=0.15)) as running:
        yield running


def query(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        return conn.execute(sql).fetchall()


async def test_a_crawl_holds_every_host_of_its_source(postgres_url: str) -> None:
    """Advisory locks per host: a crawl of ``{a, b}`` keeps out one of ``{b, c}`` (one lock
    string per job could not), takes nothing when it cannot take all, and frees all at its end."""
    async with host_locks(postgres_url, ["a.example", "b.example"]) as first:
        assert first
        async with host_locks(postgres_url, ["c.example", "b.example"]) as second:
            assert not second
        async with host_locks(postgres_url, ["c.example"]) as third:
            assert third  # the refused crawl kept no lock on c
    async with host_locks(postgres_url, ["b.example", "c.example"]) as again:
        assert again
    assert host_lock_key("a.example") == host_lock_key("a.example") != host_lock_key("b.example")


def test_stalled_threshold_must_be_above_the_heartbeat() -> None:
    with pytest.raises(ValueError, match="above the heartbeat"):
        WorkerSettings(heartbeat=10, stalled_after=10)


def test_killed_worker_jobs_are_retried_and_host_locks_freed(
    sites: list[Site], smtp, postgres_url: str, spawn, tmp_path: Path
) -> None:
    url = postgres_url
    _, port = smtp
    folder = write_config(tmp_path / "config", sites, url, port, interval="1h", feeds=False)
    (folder / "subscribers.yaml").unlink()
    Database(url, upgrade=True).dispose()
    base = ["-v", "--config", str(folder), "--database", url]
    timing = ["--heartbeat", HEARTBEAT, "--stalled-after", STALLED]
    spawn(*base, "run", "--engine", "procrastinate", "--dispatch-every", "1", *timing, name="disp")
    victim = spawn(*base, "worker", "--concurrency", "4", "--name", "victim", *timing, name="v")

    # The victim takes the first crawls (it is the only worker yet).
    def victim_busy() -> list[tuple]:
        try:
            return query(
                url,
                "SELECT id, lock, worker_id FROM procrastinate_jobs WHERE status = 'doing' "
                "AND task_name = 'citydigest.crawl'",
            )
        except psycopg.errors.UndefinedTable:
            return []

    doing = wait_for(victim_busy, 40, "the victim to start crawling")
    time.sleep(0.5)  # well into the crawl
    victim.popen.kill()  # SIGKILL: no cleanup at all
    victim.wait(5)
    killed_at = time.monotonic()
    job_ids = {row[0] for row in doing}
    survivor = spawn(*base, "worker", "--concurrency", "4", "--name", "survivor", *timing, name="s")

    db = Database(url)

    def all_crawled() -> bool:
        with db.session() as session:
            rows = list(session.scalars(select(SourceState)))
        done = len(rows) == len(sites) and all(r.last_success_at is not None for r in rows)
        return done and not query(
            url,
            "SELECT id FROM procrastinate_jobs WHERE status IN ('doing', 'todo') "
            "AND task_name = 'citydigest.crawl'",
        )

    # Every source crawled and no crawl job left waiting or running (none holds a host lock).
    wait_for(all_crawled, 60, "every source to be crawled after the kill")
    recovered = time.monotonic() - killed_at
    survivor.signal(signal.SIGTERM)
    assert survivor.wait(20) == 0, survivor.output()
    # The maintenance queue (retry_stalled) is served by the dispatcher and the workers alike.
    logs = "".join(p.read_text(errors="replace") for p in tmp_path.glob("*.log"))
    for job_id in job_ids:  # the very jobs the victim held were retried, not new ones
        assert f"retrying stalled job {job_id} " in logs, logs[-3000:]
    with db.session() as session:
        urls = list(session.scalars(select(Article.canonical_url)))
    expected = {site.article_url(a.number) for site in sites for a in site.articles}
    assert len(urls) == len(set(urls)), "an article was stored twice"
    assert set(urls) == expected, "an article was lost"
    for site in sites:
        assert site.max_active == 1, f"{site.id}: two crawls of one host at once"
    assert recovered < 60
    db.dispose()
