"""The embedded runner's maintenance: retention runs as its own hourly step (a minute after the
start, then every hour), no longer after every crawl."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select

from crawler.app.runners.embedded import Daemon
from crawler.base.config import load_config
from crawler.base.db import Database
from crawler.base.models import Fetch, utcnow
from tests.app.servicekit import write_config
from tests.sitefarm import farm


def test_maintenance_prunes_the_expired_fetch_log(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'citydigest.db'}"
    config = load_config(write_config(tmp_path / "config", farm(1, 1), url, 2525))
    db = Database(url, upgrade=True)
    days = config.settings.fetch_log_days
    with db.session() as session:
        session.execute(
            insert(Fetch),
            [
                {"url": "http://old.example/", "fetched_at": utcnow() - timedelta(days=days + 1)},
                {"url": "http://new.example/", "fetched_at": utcnow()},
            ],
        )
    daemon = Daemon(config, db, watch=False)
    asyncio.run(daemon._maintain())
    with db.session() as session:
        assert list(session.scalars(select(Fetch.url))) == ["http://new.example/"]
    db.dispose()
