"""Politeness across the cluster, on the real PostgreSQL with a dispatcher and two worker
processes: every host a crawl touches, article hosts of other sources' feeds included, keeps its
spacing and its concurrency bound across the workers, as one process keeps them; the shared
turns themselves (:class:`HostLocks`'s places and ``host_turns``) between two "processes"; and
the dispatch's batches (sources sharing a host are one job)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import select

from crawler.app.runners.distributed import HostLocks, WorkerSettings, conninfo, host_batches
from crawler.base.config import load_config
from crawler.base.db import Database
from crawler.base.errors import FetchError
from crawler.base.models import SourceState
from tests.app.servicekit import wait_for
from tests.sitefarm import SETTINGS_YAML, Site, make_articles, serve

pytestmark = pytest.mark.postgres

FAST = WorkerSettings(dispatch_every=1, heartbeat=1, stalled_after=4, retry_stalled_every=2)


class Mirror(Site):
    """A site whose feed lists another site's articles (a portal syndicating them): a crawl of
    it fetches its articles from that other host."""

    origin: Site

    def respond(self, target: str) -> tuple[int, dict[str, str], bytes]:
        if target.split("?", 1)[0] == "/feed.xml":
            body = self.origin.rss().encode()
            return 200, {"Content-Type": "application/rss+xml; charset=utf-8"}, body
        return super().respond(target)


@pytest.fixture
def sites() -> Iterator[list[Site]]:
    """An article host with a list and a feed source of its own, and two portals whose feeds
    list its articles."""
    origin = Site(id="art", address="127.0.0.210", articles=make_articles("art", 2), latency=0.6)
    mirrors = []
    for n in (1, 2):
        mirror = Mirror(id=f"portal{n}", address=f"127.0.0.{210 + n}", articles=[])
        mirror.origin = origin
        mirrors.append(mirror)
    with serve([origin, *mirrors]) as running:
        yield running


def write(folder: Path, sites: list[Site], url: str, *, limit: int, delay: float) -> Path:
    origin, *mirrors = sites
    folder.mkdir(parents=True)
    settings = SETTINGS_YAML.format(db="unused", concurrency=limit, delay=delay, timeout=5)
    (folder / "citydigest.yaml").write_text(
        settings.replace("sqlite:///unused", url), encoding="utf-8"
    )
    lines = [
        "sources:",
        "  - id: art-list",
        "    name: 文章网要闻",
        "    interval: 1h",
        "    list:",
        f"      url: {origin.base}/list/1.html",
        '      links: "ul.news-list a"',
        "  - id: art-feed",
        "    name: 文章网订阅",
        "    interval: 1h",
        f"    feed: {origin.base}/feed.xml",
    ]
    for mirror in mirrors:
        lines += [
            f"  - id: {mirror.id}",
            f"    name: {mirror.id}门户",
            "    interval: 1h",
            f"    feed: {mirror.base}/feed.xml",
        ]
    (folder / "sources.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_every_host_keeps_its_spacing_and_limit_across_two_workers(
    sites: list[Site], postgres_url: str, spawn, tmp_path: Path
) -> None:
    """A dispatcher and two worker processes, per-host delay 0.4 s and limit 2, an article
    host slower to answer (0.6 s) than the delay, which its own sources' crawl and the two
    portals' crawls all fetch from: no two requests to any host start less than 0.9 × 0.4 s
    apart, and never more than 2 of its requests are in flight (2 at times: the bound is met,
    not merely never tested), however the crawls were spread over the workers."""
    url = postgres_url
    folder = write(tmp_path / "config", sites, url, limit=2, delay=0.4)
    db = Database(url, upgrade=True)
    base = ["-v", "--config", str(folder), "--database", url]
    timing = ["--heartbeat", "1", "--stalled-after", "4"]
    # One job at a time each, both ready before the first dispatch: the three jobs (the
    # article host's own sources, each portal) go to both workers.
    workers = [
        spawn(*base, "worker", "--concurrency", "1", "--name", f"w{n}", *timing, name=f"w{n}")
        for n in (1, 2)
    ]
    wait_for(lambda: all(" worker: " in w.output() for w in workers), 30, "the workers' start")
    spawn(*base, "run", "--engine", "procrastinate", "--dispatch-every", "1", *timing, name="d")
    count = len(load_config(folder).sources)

    def all_crawled() -> bool:
        with db.session() as session:
            done = session.scalars(
                select(SourceState.id).where(SourceState.last_success_at.is_not(None))
            )
            return len(list(done)) == count

    wait_for(all_crawled, 40, "every source crawled", step=0.1)
    db.dispose()
    logs = [worker.output() for worker in workers]
    assert all("crawled " in log for log in logs), "both workers crawled"
    origin = sites[0]
    assert len(origin.requests) >= 8, "robots.txt, list, feed and articles"
    for site in sites:
        assert min(gaps(site)) >= 0.9 * 0.4, (site.id, sorted(gaps(site))[:3])
    assert origin.max_active == 2, origin.max_active


def gaps(site: Site) -> list[float]:
    starts = sorted(at for at, _ in site.requests)
    return [b - a for a, b in itertools.pairwise(starts)]


def places_held(url: str) -> int:
    """Advisory locks of the two-number form (the hosts' places) held in the database."""
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 AND granted"
        ).fetchone()
    return int(row[0]) if row else 0


def test_shared_turns_between_two_processes(postgres_url: str) -> None:
    """Two processes' turn keepers (their own connections): starts one spacing apart in
    turn, at most ``places`` held at once across both (the next waits for a give), a back-off
    one of them met holds the other's next request, and one past MAX_POLITE_WAIT fails."""
    Database(postgres_url, upgrade=True).dispose()
    host = "turns.example:8080"

    async def scenario() -> None:
        a, b = HostLocks(postgres_url), HostLocks(postgres_url)
        try:
            starts = []
            for locks in (a, b, a, b):
                ticket = await locks.take(host, places=2, spacing=0.2, url="u")
                starts.append(time.monotonic())
                await locks.give(ticket, hold=0.0)
            steps = [y - x for x, y in itertools.pairwise(starts)]
            assert all(step >= 0.18 for step in steps), steps

            first = await a.take(host, places=2, spacing=0, url="u")
            second = await b.take(host, places=2, spacing=0, url="u")
            third = asyncio.create_task(a.take(host, places=2, spacing=0, url="u"))
            await asyncio.sleep(0.3)
            assert not third.done(), "both places are held"
            await b.give(second, hold=0.0)
            await a.give(await asyncio.wait_for(third, 2), hold=0.0)
            await a.give(first, hold=1.0)  # a 429 with Retry-After: 1
            held = time.monotonic()
            await b.give(await b.take(host, places=2, spacing=0, url="u"), hold=0.0)
            assert time.monotonic() - held >= 0.9, "the other process waits out the back-off"

            await a.give(await a.take(host, places=2, spacing=0, url="u"), hold=120.0)
            with pytest.raises(FetchError, match="asked us to wait"):
                await b.take(host, places=2, spacing=0, url="u")
            # Refused, it kept no place: no process holds one.
            assert places_held(postgres_url) == 0
        finally:
            await a.aclose()
            await b.aclose()

    asyncio.run(scenario())


def test_a_processs_requests_at_once_leave_no_place_held(postgres_url: str) -> None:
    """Four requests of one process at one host at once take the four places, one each, and
    once they end the process holds none: each take skips the places the process holds
    (taking one again, as PostgreSQL did when it tried the lock before the test of the
    process's own places, counted it twice, and its end left it held for good), a late
    request's turn restarts without a new place, and the other process finds every place
    free."""
    Database(postgres_url, upgrade=True).dispose()
    host = "places.example"

    async def held(locks: HostLocks) -> list[int]:
        conn = await locks._connection()
        cursor = await conn.execute(
            "SELECT objid::int FROM pg_locks WHERE pid = pg_backend_pid() "
            "AND locktype = 'advisory' AND objsubid = 2"
        )
        return sorted(row[0] for row in await cursor.fetchall())

    async def scenario() -> None:
        a, b = HostLocks(postgres_url), HostLocks(postgres_url)
        try:
            for _ in range(2):
                tickets = await asyncio.gather(
                    *(a.take(host, places=4, spacing=0.01, url="u") for _ in range(4))
                )
                assert sorted(t.place for t in tickets) == [0, 1, 2, 3]
                assert await held(a) == [0, 1, 2, 3]
                await a.late(tickets[0], spacing=0.01, url="u")  # keeps its place
                for ticket in tickets:
                    await a.give(ticket, hold=0.0)
                assert await held(a) == []
            others = await asyncio.gather(
                *(b.take(host, places=4, spacing=0, url="u") for _ in range(4))
            )
            assert sorted(t.place for t in others) == [0, 1, 2, 3]
            for ticket in others:
                await b.give(ticket, hold=0.0)
        finally:
            await a.aclose()
            await b.aclose()

    asyncio.run(scenario())


def test_sources_sharing_a_host_are_one_batch() -> None:
    """Sources joined by a shared host, however indirectly, are one job; one without hosts
    or alone on its hosts is a job of its own; the most overdue batch first."""
    t = datetime(2026, 1, 1, tzinfo=UTC)
    hosts = {
        "a": {"x.cn", "y.cn"},
        "b": {"y.cn"},
        "c": {"z.cn", "x.cn"},
        "d": {"w.cn"},
        "e": set(),
    }
    claimed = [(sid, t + timedelta(seconds=n)) for n, sid in enumerate("edcba")]
    batches = host_batches(claimed, hosts)
    assert [(b.host, sorted(b.source_ids), b.due) for b in batches] == [
        ("e", ["e"], t),
        ("w.cn", ["d"], t + timedelta(seconds=1)),
        ("x.cn", ["a", "b", "c"], t + timedelta(seconds=2)),
    ]
    assert host_batches([], hosts) == []
