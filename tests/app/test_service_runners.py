"""The contract both runners keep, run against each: the embedded daemon on SQLite and the
procrastinate dispatcher with two workers on PostgreSQL, all as real subprocesses against a
loopback site farm (two sources per host) and a real SMTP server.

- every source is checked on its schedule (never sooner than its interval, never much later);
- never two concurrent crawls of one host;
- every article stored exactly once;
- a digest that fell due while the service was down is sent once, to each subscriber;
- SIGTERM stops every process cleanly (exit 0).
"""

from __future__ import annotations

import itertools
import signal
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from crawler.app.schedule import Schedule
from crawler.base.config import load_config
from crawler.base.db import Database
from crawler.base.models import Article, Delivery, Fetch, SubscriberState, utcnow
from tests.app.servicekit import Proc, wait_for, write_config

INTERVAL = 2.0
CHECKS = 3


def start_runner(kind: str, spawn, config_dir: Path, url: str) -> list[Proc]:
    base = ["-v", "--config", str(config_dir), "--database", url]
    if kind == "embedded":
        return [spawn(*base, "run", "--tick", "0.5", "--grace", "10", name="run")]
    timing = ["--heartbeat", "1", "--stalled-after", "4"]
    return [
        spawn(
            *base,
            "run",
            "--engine",
            "procrastinate",
            "--dispatch-every",
            "1",
            *timing,
            name="dispatcher",
        ),
        spawn(*base, "worker", "--concurrency", "4", "--name", "w1", *timing, name="w1"),
        spawn(*base, "worker", "--concurrency", "4", "--name", "w2", *timing, name="w2"),
    ]


@pytest.fixture(params=["embedded", pytest.param("procrastinate", marks=pytest.mark.postgres)])
def runner(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    if request.param == "embedded":
        return "embedded", f"sqlite:///{tmp_path / 'citydigest.db'}"
    return "procrastinate", request.getfixturevalue("postgres_url")


def checks_by_source(db: Database, config) -> dict[str, list]:
    """When each source's discovery URL was fetched (one fetch per check)."""
    first_url = {
        s.id: s.feed if s.feed else s.list.url  # type: ignore[union-attr]
        for s in config.sources
    }
    found: dict[str, list] = defaultdict(list)
    with db.session() as session:
        for source_id, url, at in session.execute(
            select(Fetch.source_id, Fetch.url, Fetch.fetched_at).order_by(Fetch.fetched_at)
        ):
            if first_url.get(source_id) == url:
                found[source_id].append(at)
    return found


def test_runner_contract(runner, slow_farm, smtp, spawn, tmp_path: Path) -> None:
    kind, url = runner
    recorder, smtp_port = smtp
    config_dir = write_config(tmp_path / "config", slow_farm, url, smtp_port, interval="2s")
    config = load_config(config_dir)
    db = Database(url, upgrade=True)
    # The service was down when both digests fell due: each must go out once, late.
    Schedule(db).sync(config)
    with db.session() as session:
        session.execute(
            update(SubscriberState).values(next_digest_at=utcnow() - timedelta(hours=1))
        )

    procs = start_runner(kind, spawn, config_dir, url)

    def enough() -> bool:
        for proc in procs:
            assert proc.popen.poll() is None, proc.output()
        checks = checks_by_source(db, config)
        return len(recorder.messages) >= 2 and all(
            len(checks.get(s.id, [])) >= CHECKS for s in config.sources
        )

    wait_for(enough, 90, f"{CHECKS} checks of every source and two digests")
    for proc in procs:
        proc.signal(signal.SIGTERM)
    for proc in procs:
        assert proc.wait(30) == 0, proc.output()

    checks = checks_by_source(db, config)
    for source in config.sources:
        times = checks[source.id]
        gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
        assert min(gaps) >= INTERVAL - 0.05, (source.id, gaps)  # never sooner than the interval
        assert max(gaps) <= INTERVAL + 12, (source.id, gaps)  # and not much later
    for site in slow_farm:
        assert site.max_active == 1, f"{site.id}: two crawls of one host at once"
    with db.session() as session:
        urls = list(session.scalars(select(Article.canonical_url)))
        deliveries = session.execute(
            select(Delivery.subscriber_id, Delivery.status, func.count()).group_by(
                Delivery.subscriber_id, Delivery.status
            )
        ).all()
        upcoming = list(session.scalars(select(SubscriberState.next_digest_at)))
    assert len(urls) == len(set(urls)) == sum(len(s.articles) for s in slow_farm)
    assert sorted(deliveries) == [("alice", "sent", 1), ("bob", "sent", 1)]
    assert len(recorder.to("alice@example.org")) == 1
    assert len(recorder.to("bob@example.org")) == 1
    assert all(t > utcnow() for t in upcoming), "the next digest is at the next slot"
    db.dispose()
