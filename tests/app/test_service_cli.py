"""`citydigest status` and `citydigest subscribers resubscribe` (in-process, CliRunner)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from crawler.app.cli import cli
from crawler.app.schedule import Schedule
from crawler.base.config import load_config
from crawler.base.db import Database
from crawler.base.models import SourceState, SubscriberState, utcnow
from digests.subscribers import unsubscribe

NOW = datetime(2026, 3, 7, 12, tzinfo=UTC)


def setup(tmp_path: Path) -> tuple[Path, Database]:
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "citydigest.yaml").write_text(f"database: sqlite:///{tmp_path / 'db.sqlite'}\n")
    (folder / "sources.yaml").write_text(
        "sources:\n"
        "  - {id: ok, name: 好, feed: 'http://a.example.org/f.xml'}\n"
        "  - {id: bad, name: 坏, feed: 'http://b.example.org/f.xml'}\n"
    )
    (folder / "subscribers.yaml").write_text(
        "subscribers:\n  - {id: alice, email: alice@example.org}\n"
    )
    config = load_config(folder)
    db = Database(config.settings.database)
    Schedule(db).sync(config, NOW)
    return folder, db


def test_status_json_and_exit_code(tmp_path: Path) -> None:
    folder, db = setup(tmp_path)
    runner = CliRunner()
    healthy = runner.invoke(cli, ["--config", str(folder), "status", "--format", "json"])
    assert healthy.exit_code == 0, healthy.output
    data = json.loads(healthy.output)
    assert [s["id"] for s in data["sources"]] == ["ok", "bad"]
    assert data["queue_depth"] is None  # embedded: no queue
    assert data["subscribers"][0]["next_digest_at"] == "2026-03-08T00:00:00+00:00"
    with db.session() as session:
        row = session.get(SourceState, "bad")
        row.consecutive_failures, row.last_error = 4, "fetch: HTTP 503"
    unsubscribe(db, "alice", at=NOW)
    failing = runner.invoke(cli, ["--config", str(folder), "status", "--format", "json"])
    assert failing.exit_code == 1
    data = json.loads(failing.output)
    bad = next(s for s in data["sources"] if s["id"] == "bad")
    assert bad["failing"] and bad["consecutive_failures"] == 4
    assert data["subscribers"][0]["unsubscribed_at"] == "2026-03-07T12:00:00+00:00"
    table = runner.invoke(cli, ["--config", str(folder), "status"])
    assert "unsubscribed 2026-03-07 20:00" in table.output and "HTTP 503" in table.output
    db.dispose()


def test_resubscribe_is_explicit_and_restarts_at_the_next_slot(tmp_path: Path) -> None:
    folder, db = setup(tmp_path)
    runner = CliRunner()
    assert unsubscribe(db, "alice", at=NOW)
    assert not unsubscribe(db, "alice", at=NOW)  # already unsubscribed
    unknown = runner.invoke(cli, ["--config", str(folder), "subscribers", "resubscribe", "zed"])
    assert unknown.exit_code == 2 and "no subscriber 'zed'" in unknown.output
    done = runner.invoke(cli, ["--config", str(folder), "subscribers", "resubscribe", "alice"])
    assert done.exit_code == 0 and "re-subscribed" in done.output
    with db.session() as session:
        alice = session.get(SubscriberState, "alice")
        assert not alice.unsubscribed and alice.unsubscribed_at is None
        assert alice.next_digest_at > utcnow()  # no burst of the missed period
    again = runner.invoke(cli, ["--config", str(folder), "subscribers", "resubscribe", "alice"])
    assert "subscribed already" in again.output
    db.dispose()


def test_worker_needs_postgresql(tmp_path: Path) -> None:
    folder, db = setup(tmp_path)
    result = CliRunner().invoke(cli, ["--config", str(folder), "worker"])
    assert result.exit_code == 2
    db.dispose()
