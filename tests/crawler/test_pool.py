"""Analysis in worker processes: the same articles as in-process analysis, and a worker that
dies mid-crawl costs its batch an error each, not the crawl."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from sitefarm import Site, farm, serve
from sqlalchemy import select
from test_crawl import make_config

from crawler.db import Database
from crawler.errors import StoreError
from crawler.models import Article
from crawler.pipeline import CrawlOptions, crawl
from crawler.pool import worker_count
from crawler.store import ArticleBatch

ARTICLES = 20
FIELDS = (
    Article.canonical_url,
    Article.title,
    Article.body,
    Article.published,
    Article.outlet,
    Article.cities,
    Article.provinces,
    Article.themes,
    Article.visits,
    Article.kind,
    Article.fingerprint,
    Article.sketch,
)


def articles(db: Database) -> dict[str, tuple[object, ...]]:
    with db.session() as session:
        return {row[0]: tuple(row[1:]) for row in session.execute(select(*FIELDS))}


def pool_children() -> list[int]:
    """Process ids of this process's analysis workers."""
    found = []
    for task in os.listdir(f"/proc/{os.getpid()}/task"):
        with open(f"/proc/{os.getpid()}/task/{task}/children") as children:
            for pid in children.read().split():
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                        if b"crawler.pool" in cmdline.read():
                            found.append(int(pid))
                except OSError:
                    continue
    return found


def test_worker_count_follows_cores_and_size(monkeypatch: pytest.MonkeyPatch) -> None:
    assert worker_count(3, 1) == 3  # as asked
    assert worker_count(0, 100) == 0
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3})
    assert worker_count(None, 50) == 3  # one per spare core
    assert worker_count(None, 2) == 0  # a small crawl analyses in its own process
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0})
    assert worker_count(None, 50) == 0


async def test_workers_store_what_in_process_analysis_stores(
    tmp_path: Path, database_url: str
) -> None:
    """Same pages, same stored fields (body, tags, visits, sketch...), with 0 and 2 workers."""
    with serve(farm(5, ARTICLES)) as sites:
        results = []
        for workers in (0, 2):
            url = database_url if workers else f"sqlite:///{tmp_path / 'local.db'}"
            config = make_config(tmp_path / f"cfg{workers}", sites, url)
            db = Database(url, upgrade=True)
            summary = await crawl(config, db, options=CrawlOptions(workers=workers))
            assert summary.ok, [r.errors for r in summary.reports]
            results.append(articles(db))
            db.dispose()
    local, pooled = results
    assert len(local) == 5 * ARTICLES
    assert pooled == local


async def test_a_killed_worker_costs_at_most_its_batch_and_the_rerun_stores_it(
    tmp_path: Path, database_url: str
) -> None:
    sites = farm(6, 40, latency=0.02)
    with serve(sites) as running:
        config = make_config(tmp_path / "cfg", running, database_url)
        db = Database(database_url, upgrade=True)
        killed: list[int] = []

        async def kill_one_worker() -> None:
            while not killed:
                await asyncio.sleep(0.05)
                for pid in pool_children():
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                    break

        killer = asyncio.create_task(kill_one_worker())
        first = await crawl(config, db, options=CrawlOptions(workers=1))
        killer.cancel()
        assert killed, "no analysis worker was seen"
        # Killed busy, it costs the pages of its batch an error each; killed idle, nothing (the
        # next batch goes to a new worker). Either way no other kind of error.
        errors = [e for r in first.reports for e in r.errors]
        lost = [e for e in errors if "analysis worker exited" in e]
        assert len(lost) == len(errors), errors
        # The rest of the crawl went on with a new worker (a lost page listed both in the feed
        # and on a list page may even have been stored on its second sighting).
        stored_first = len(articles(db))
        assert 6 * 40 - len(lost) <= stored_first <= 6 * 40

        second = await crawl(config, db, options=CrawlOptions(workers=1))
        assert second.ok, [r.errors for r in second.reports]
        assert second.new == 6 * 40 - stored_first
        assert len(articles(db)) == 6 * 40
        db.dispose()
        assert pool_children() == []  # the pool closed its workers


@pytest.mark.parametrize("error", [StoreError, RuntimeError])
async def test_one_bad_article_does_not_sink_its_batch(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch, error: type[Exception]
) -> None:
    """A batch that fails is written again article by article: only the bad one is an error,
    whether the store refuses it or a bug breaks on it (the crawl must not wait forever)."""
    original = ArticleBatch.save_all

    def save_all(self: ArticleBatch, records: list[Any], *args: Any) -> Any:
        if any(record.url.endswith("/00003.html") for record in records):
            raise error("refused by the test")
        return original(self, records, *args)

    monkeypatch.setattr(ArticleBatch, "save_all", save_all)
    sites: list[Site]
    with serve(farm(2, 10)) as sites:
        config = make_config(tmp_path / "cfg", sites, database_url)
        db = Database(database_url, upgrade=True)
        summary = await crawl(config, db, options=CrawlOptions(workers=0))
        errors = [e for r in summary.reports for e in r.errors]
        # (each site lists the article twice, in its feed and on a list page)
        assert errors and all("refused by the test" in e and "/00003.html" in e for e in errors)
        urls = articles(db)
        assert len(urls) == 2 * 10 - 2
        assert not any(u.endswith("/00003.html") for u in urls)
        db.dispose()


@pytest.mark.parametrize("program", ["/bin/false", "/nonexistent/python"])
async def test_workers_that_cannot_start_fail_the_pages_not_the_crawl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, program: str
) -> None:
    """A broken installation (the worker exits at once, or cannot be executed): every page gets
    an error saying so, and the crawl ends instead of waiting."""
    from crawler import pool

    monkeypatch.setattr(pool.sys, "executable", program)
    with serve(farm(4, 5)) as sites:
        config = make_config(tmp_path / "cfg", sites, f"sqlite:///{tmp_path / 'c.db'}")
        db = Database(config.settings.database, upgrade=True)
        summary = await asyncio.wait_for(
            crawl(config, db, options=CrawlOptions(workers=1)), timeout=60
        )
        db.dispose()
    errors = [e for r in summary.reports for e in r.errors]
    assert summary.new == 0 and errors
    assert all("analysis worker" in e for e in errors), errors
