"""Config that reaches the workers, on the real PostgreSQL with a dispatcher and two workers: a
source added to sources.yaml while they run is crawled within seconds, and SIGHUP reloads every
process instead of ending it (its default action)."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.base.db import Database
from crawler.base.models import SourceState
from tests.app.servicekit import two_sources_per_host, wait_for, write_config
from tests.sitefarm import Site, farm, serve

pytestmark = pytest.mark.postgres


@pytest.fixture
def sites() -> Iterator[list[Site]]:
    with serve(farm(3, 4, first_address=170)) as running:
        yield running


def crawled(db: Database) -> set[str]:
    with db.session() as session:
        return set(
            session.scalars(select(SourceState.id).where(SourceState.last_success_at.is_not(None)))
        )


def test_a_source_added_while_running_is_crawled_by_the_workers(
    sites: list[Site], smtp, postgres_url: str, spawn, tmp_path: Path
) -> None:
    url = postgres_url
    folder = write_config(tmp_path / "config", sites[:2], url, smtp[1], interval="1h", feeds=False)
    (folder / "subscribers.yaml").unlink()
    Database(url, upgrade=True).dispose()
    base = ["-v", "--config", str(folder), "--database", url]
    timing = ["--heartbeat", "1", "--stalled-after", "4"]
    procs = [
        spawn(
            *base, "run", "--engine", "procrastinate", "--dispatch-every", "1", *timing, name="d"
        ),
        spawn(*base, "worker", "--name", "w1", *timing, name="w1"),
        spawn(*base, "worker", "--name", "w2", *timing, name="w2"),
    ]
    db = Database(url)
    first = {f"{site.id}-list" for site in sites[:2]}
    wait_for(lambda: crawled(db) == first, 60, "the configured sources to be crawled")

    for proc in procs:  # SIGHUP: reload, not the end of the process
        proc.signal(signal.SIGHUP)
    time.sleep(1)
    for proc in procs:
        assert proc.popen.poll() is None, proc.output()

    added = two_sources_per_host(sites[2:], "1h", feeds=False).removeprefix("sources:\n")
    with (folder / "sources.yaml").open("a", encoding="utf-8") as sources:
        sources.write(added)
    edited = time.monotonic()
    new = f"{sites[2].id}-list"
    wait_for(lambda: new in crawled(db), 30, "the added source to be crawled")
    assert time.monotonic() - edited < 30

    for proc in procs:
        proc.signal(signal.SIGTERM)
    for proc in procs:
        assert proc.wait(20) == 0, proc.output()
    logs = "".join(p.output() for p in procs)
    assert logs.count("SIGHUP: reloading") >= 3, "each process took the SIGHUP"
    db.dispose()
