"""``monday_network`` on the "manage subscription" page: the reader ticks it (or clears it) and
the stored choice wins over subscribers.yaml as the other preferences do; `status` (table, JSON
and the web page) shows it, `subscribers reset` forgets it, a value the form does not offer
stores nothing; the Monday daily then carries last week's visit network. The migration that adds
the column keeps the rows saved before it (false: what the page showed them), on SQLite and
PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import text

from crawler.app.cli import cli
from crawler.app.web import create_app
from crawler.base.config import load_config
from crawler.base.db import Database
from digests import build_digests
from digests.subscribers import load_preferences, with_preferences
from tests.app.test_preferences_page import _url, site  # noqa: F401 (fixture)
from tests.app.test_service_web import SECRET
from tests.digests.digestkit import Item, seed, visit_item

MONDAY = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)  # 08:30 on Monday 30 November in Shanghai
DAILY = {
    "action": "save",
    "kind": ["visit", "policy", "other"],
    "frequency": "daily",
    "weekday": "mon",
    "send_at": "08:00",
    "script": "simplified",
}
NETWORK = "上周考察交流网络"


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITYDIGEST_SECRET", SECRET)  # the digests' links are signed


def _monday_mail(db: Database, folder: Path, out: Path) -> str:
    """alice's Monday daily, built as `digest` builds it (stored choices over the YAML)."""
    seed(db, [visit_item("青岛", "深圳", MONDAY - timedelta(days=4))])
    seed(db, [Item("青岛今晨消息", MONDAY - timedelta(hours=2), cities=["青岛"])])  # the daily's
    build_digests(load_config(folder), db, out_dir=out, now=MONDAY)
    return (out / "alice.html").read_text(encoding="utf-8")


async def test_ticked_on_the_page_the_monday_daily_carries_the_network(
    site,  # noqa: F811
    tmp_path: Path,
) -> None:
    client, db, folder = site
    page = await client.get(_url())
    assert 'name="monday_network" value="on">' in page.text  # subscribers.yaml: unset
    saved = await client.post(_url(), data={**DAILY, "monday_network": "on"})
    assert saved.status_code == 200 and "设置已保存" in saved.text
    assert 'name="monday_network" value="on" checked' in saved.text
    assert load_preferences(db)["alice"].monday_network
    (alice, bob) = with_preferences(db, load_config(folder).subscribers)
    assert alice.monday_network and not bob.monday_network

    mail = _monday_mail(db, folder, tmp_path / "out")
    assert NETWORK in mail and "青岛 → 深圳" in mail[mail.index(NETWORK) :]
    assert NETWORK not in (tmp_path / "out" / "bob.html").read_text(encoding="utf-8")

    # status says so: the table, the JSON and the web page.
    runner = CliRunner()
    table = runner.invoke(cli, ["--config", str(folder), "status"], env={"COLUMNS": "250"})
    assert "daily 08:00 + Monday network" in table.output
    out = runner.invoke(cli, ["--config", str(folder), "status", "--format", "json"])
    data = {s["id"]: s for s in json.loads(out.stdout)["subscribers"]}
    assert data["alice"]["preferences"]["monday_network"] is True
    assert "08:00 + Monday network" in (await client.get("/")).text

    # The operator's reset forgets it: subscribers.yaml (no network) holds again.
    done = runner.invoke(cli, ["--config", str(folder), "subscribers", "reset", "alice"])
    assert done.exit_code == 0 and "forgotten" in done.output
    (alice, _bob) = with_preferences(db, load_config(folder).subscribers)
    assert not alice.monday_network


async def test_cleared_on_the_page_it_wins_over_subscribers_yaml(
    site,  # noqa: F811
    tmp_path: Path,
) -> None:
    """subscribers.yaml asks for the network; the reader clears the box: no network."""
    _client, db, folder = site
    yaml = folder / "subscribers.yaml"
    yaml.write_text(
        yaml.read_text(encoding="utf-8").replace(
            "name: 王丽}", "name: 王丽, monday_network: true}"
        ),
        encoding="utf-8",
    )
    (alice, _bob) = with_preferences(db, load_config(folder).subscribers)
    assert alice.monday_network
    # The page starts from subscribers.yaml's choice... (this app read the old YAML: a new one)
    app = create_app(load_config(folder), db, secret=SECRET)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1"
    ) as fresh:
        assert 'name="monday_network" value="on" checked' in (await fresh.get(_url())).text
        saved = await fresh.post(_url(), data=DAILY)  # the box cleared: absent from the form
    assert saved.status_code == 200 and 'name="monday_network" value="on">' in saved.text
    assert load_preferences(db)["alice"].monday_network is False
    assert NETWORK not in _monday_mail(db, folder, tmp_path / "out")


@pytest.mark.parametrize("value", ["yes", "1", "", "on\u202e"])
async def test_a_value_the_checkbox_does_not_send_stores_nothing(
    site,  # noqa: F811
    value: str,
) -> None:
    client, db, _ = site
    refused = await client.post(_url(), data={**DAILY, "monday_network": value})
    assert refused.status_code == 400 and "周一附上周网络" in refused.text
    assert load_preferences(db) == {}


def test_the_migration_keeps_earlier_choices(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row saved before revision 0008 survives the upgrade, with the network off."""
    monkeypatch.setattr(Database, "check_schema", lambda _self: None)  # opened empty, on purpose
    db = Database(database_url, upgrade=False)
    try:
        db.upgrade("0006")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO subscriber_preferences (subscriber_id, cities, provinces, themes,"
                    " kinds, frequency, weekday, send_at, script, paused, updated_at) VALUES"
                    " ('alice', '[]', '[]', '[]', '[\"visit\"]', 'daily', 'mon', '08:00',"
                    " 'simplified', false, :at)"
                ),
                {"at": MONDAY.replace(tzinfo=None)},
            )
        db.upgrade()
        (prefs,) = load_preferences(db).values()
        assert prefs.kinds == ("visit",) and prefs.monday_network is False
    finally:
        db.dispose()
