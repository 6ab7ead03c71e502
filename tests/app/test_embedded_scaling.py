"""The embedded runner scales up first: with many sources due it raises its concurrency (up to
its cap) and dispatches as crawls finish instead of waiting for the next tick; with few due it
stays at, or drops back to, its base concurrency. Politeness holds throughout."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crawler.app.runners.embedded import Daemon
from crawler.base.config import load_config
from crawler.base.db import Database
from crawler.base.models import SourceState
from tests.app.servicekit import write_config
from tests.sitefarm import Site, farm, serve


@pytest.fixture
def sites() -> Iterator[list[Site]]:
    with serve(farm(12, 2, first_address=120)) as running:
        yield running


async def run_until_crawled(daemon: Daemon, db: Database, wanted: int) -> float:
    """Run the daemon until ``wanted`` sources were crawled to the end; the seconds it took."""
    runner = asyncio.create_task(daemon.run(install_signals=False))
    start = time.monotonic()
    try:
        while time.monotonic() - start < 30:
            with db.session() as session:
                done = session.scalar(
                    select(func.count()).where(SourceState.last_success_at.is_not(None))
                )
            if done == wanted:
                break
            await asyncio.sleep(0.05)
        took = time.monotonic() - start
        await asyncio.sleep(0.3)  # crawls finished: the next dispatch finds nothing due
    finally:
        daemon.request_stop()
        assert await asyncio.wait_for(runner, 20) == 0
    assert done == wanted, f"{done} of {wanted} sources crawled in 30 s"
    return took


async def test_many_due_sources_raise_the_concurrency_then_it_drops_back(
    sites: list[Site], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    config = load_config(write_config(tmp_path / "config", sites, url, 2525, interval="1h"))
    db = Database(url)
    # A tick far longer than the test: only the first tick and the dispatches after each
    # finished crawl can start anything.
    daemon = Daemon(config, db, concurrency=2, max_concurrency=16, tick=60, watch=False)
    await run_until_crawled(daemon, db, len(config.sources))
    assert daemon.stats.ticks == 1
    limits = [limit for _in_flight, _claimed, limit in daemon.stats.dispatches]
    assert max(limits) >= 8, daemon.stats.dispatches  # doubled while a backlog lasted
    assert daemon.stats.peak_concurrency > 2
    # One source per host in flight: at most one per site, so at most the 12 sites.
    assert daemon.stats.peak_concurrency <= len(sites)
    assert daemon.limit == 2  # nothing due any more: back to the base
    # The hosts' politeness held (the farm's config: one request in flight per host).
    assert all(site.max_active <= 1 for site in sites), [s.max_active for s in sites]
    db.dispose()


async def test_few_due_sources_keep_the_base_concurrency(sites: list[Site], tmp_path: Path) -> None:
    """Two sites, four sources: never more due at once than the base allows (one per host), so
    the limit never rises, and a fixed runner does the same work."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    config = load_config(write_config(tmp_path / "config", sites[:2], url, 2525, interval="1h"))
    db = Database(url)
    daemon = Daemon(config, db, concurrency=4, max_concurrency=16, tick=60, watch=False)
    await run_until_crawled(daemon, db, len(config.sources))
    assert [limit for _f, _c, limit in daemon.stats.dispatches] == [4] * len(
        daemon.stats.dispatches
    )
    assert daemon.stats.peak_concurrency <= 2  # one per host
    assert daemon.limit == 4
    db.dispose()


def test_the_cap_cannot_be_below_the_base(tmp_path: Path, sites: list[Site]) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    config = load_config(write_config(tmp_path / "config", sites[:1], url, 2525))
    db = Database(url)
    with pytest.raises(ValueError, match=r"max_concurrency \(2\) must be at least concurrency"):
        Daemon(config, db, concurrency=4, max_concurrency=2)
    db.dispose()
