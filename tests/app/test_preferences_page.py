"""The reader's "manage subscription" page of `citydigest serve`, `status` showing what the
reader chose, and `citydigest subscribers reset` undoing it (in-process: ASGI and CliRunner)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from click.testing import CliRunner

from crawler.app.cli import cli
from crawler.app.schedule import Schedule
from crawler.app.web import create_app
from crawler.base.db import Database
from crawler.base.models import SubscriberState, utcnow
from digests.subscribers import load_preferences, with_preferences
from digests.unsubscribe import make_token
from tests.app.test_service_web import SECRET, write_config

NOW = datetime(2026, 3, 7, 12, tzinfo=UTC)
FORM = {
    "action": "save",
    "city": ["青岛", "深圳"],
    "province": ["四川"],
    "theme": ["smart_city"],
    "kind": ["visit", "policy"],
    "frequency": "weekly",
    "weekday": "fri",
    "send_at": "18:30",
    "script": "traditional",
}


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Database, Path]]:
    (tmp_path / "archive").mkdir()
    config = write_config(tmp_path / "config", tmp_path / "db.sqlite", tmp_path / "archive")
    db = Database(config.settings.database)
    Schedule(db).sync(config, NOW)
    app = create_app(config, db, secret=SECRET)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        yield client, db, tmp_path / "config"
    db.dispose()


def _url(who: str = "alice", purpose: str = "preferences", root: str = "") -> str:
    return f"{root}/preferences?token={make_token(SECRET, who, purpose)}"


async def test_the_page_offers_the_gazetteers_and_taxonomys_choices(site) -> None:
    client, _db, _ = site
    for root in ("", "/archive"):  # at the root and beside the archive
        page = await client.get(_url(root=root))
        assert page.status_code == 200
        assert page.headers["cache-control"] == "no-store"
        assert "default-src 'none'" in page.headers["content-security-policy"]
        text = page.text
        assert "王丽 · alice@example.org" in text
        assert text.count('name="province"') == 34 and text.count('name="city"') == 378
        assert 'name="theme" value="smart_city"' in text
        assert 'name="kind" value="visit" checked' in text  # subscribers.yaml's: every kind
        assert 'value="simplified" checked' in text
        assert text.count('method="post"') == 2  # the settings, and the unsubscribe button


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (_url(purpose="unsubscribe"), 400),  # the unsubscribe link does not open this page
        (_url().replace("alice.", "bob."), 400),  # another subscriber's id with alice's MAC
        ("/preferences?token=alice.short", 400),
        ("/preferences", 400),
        (_url(who="zed"), 404),  # signed, but not in subscribers.yaml
    ],
)
async def test_links_that_are_not_the_subscribers_own_are_refused(site, url, status) -> None:
    client, db, _ = site
    for method in ("GET", "POST"):
        response = await client.request(method, url, data=FORM if method == "POST" else None)
        assert response.status_code == status, (method, url)
    assert load_preferences(db) == {}


async def test_saving_stores_the_choices_and_moves_the_next_digest(site) -> None:
    client, db, _ = site
    saved = await client.post(_url(), data=FORM)
    assert saved.status_code == 200 and "设置已保存" in saved.text
    assert 'name="city" value="青岛" checked' in saved.text
    assert 'value="traditional" checked' in saved.text
    prefs = load_preferences(db)["alice"]
    assert (prefs.cities, prefs.provinces, prefs.themes) == (
        ("青岛", "深圳"),
        ("四川",),
        ("smart_city",),
    )
    assert (prefs.frequency, prefs.weekday, prefs.send_at, prefs.script) == (
        "weekly",
        "fri",
        "18:30",
        "traditional",
    )
    with db.session() as session:
        row = session.get(SubscriberState, "alice")
        assert row is not None and row.next_digest_at is not None
        local = row.next_digest_at.astimezone(ZoneInfo("Asia/Shanghai"))
        assert (local.weekday(), local.strftime("%H:%M")) == (4, "18:30")
        assert row.next_digest_at > utcnow()
    # Bob is untouched.
    assert set(load_preferences(db)) == {"alice"}


@pytest.mark.parametrize(
    "change",
    [
        {"city": ["纽约"]},
        {"province": ["青岛"]},
        {"theme": ["nope"]},
        {"kind": []},
        {"frequency": "hourly"},
        {"send_at": "25:00"},
        {"script": "klingon"},
        {"action": "delete-everything"},
    ],
)
async def test_values_the_form_does_not_offer_store_nothing(site, change) -> None:
    client, db, _ = site
    refused = await client.post(_url(), data={**FORM, **change})
    assert refused.status_code == 400
    assert 'id="problems"' in refused.text
    assert load_preferences(db) == {}


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://evil.example.com"},
        {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
    ],
)
async def test_a_cross_site_post_is_refused(site, headers) -> None:
    client, db, _ = site
    refused = await client.post(_url(), data=FORM, headers=headers)
    assert refused.status_code == 403
    assert load_preferences(db) == {}
    # The page's own origins are fine: this host (the in-process client's 127.0.0.1), and
    # archive.base_url's.
    # (and "null": what a browser sends for a page with Referrer-Policy: no-referrer).
    for origin in ("http://127.0.0.1", "http://digest.example.org", "null"):
        ok = await client.post(
            _url(), data=FORM, headers={"Origin": origin, "Sec-Fetch-Site": "same-origin"}
        )
        assert ok.status_code == 200


async def test_get_changes_nothing(site) -> None:
    client, db, _ = site
    page = await client.get(_url() + "&action=unsubscribe&city=纽约")
    assert page.status_code == 200
    assert load_preferences(db) == {}
    with db.session() as session:
        row = session.get(SubscriberState, "alice")
        assert row is not None and not row.unsubscribed


async def test_pause_resume_and_unsubscribe(site) -> None:
    client, db, _ = site
    paused = await client.post(_url(), data={"action": "pause"})
    assert paused.status_code == 200 and 'id="resume"' in paused.text and "已暂停" in paused.text
    assert load_preferences(db)["alice"].paused
    # Saving the form keeps the pause: only resume lifts it.
    await client.post(_url(), data=FORM)
    assert load_preferences(db)["alice"].paused
    resumed = await client.post(_url(), data={"action": "resume"})
    assert 'id="pause"' in resumed.text and not load_preferences(db)["alice"].paused
    assert load_preferences(db)["alice"].cities == ("青岛", "深圳")
    gone = await client.post(_url(), data={"action": "unsubscribe"})
    assert gone.status_code == 200 and "您已退订" in gone.text and "<form" not in gone.text
    with db.session() as session:
        row = session.get(SubscriberState, "alice")
        assert row is not None and row.unsubscribed
    # Once unsubscribed, the page changes nothing (the operator's resubscribe undoes it).
    for action in ("save", "resume", "pause"):
        held = await client.post(_url(), data={**FORM, "action": action})
        assert held.status_code == 409 and "您已退订" in held.text
    assert load_preferences(db)["alice"].cities == ("青岛", "深圳")
    assert not load_preferences(db)["alice"].paused


async def test_status_shows_the_choices_and_reset_undoes_them(site) -> None:
    client, db, folder = site
    await client.post(_url(), data=FORM)
    await client.post(_url(), data={"action": "pause"})
    runner = CliRunner()
    out = runner.invoke(cli, ["--config", str(folder), "status", "--format", "json"])
    data = {s["id"]: s for s in json.loads(out.stdout)["subscribers"]}
    assert data["alice"]["paused"] is True
    assert data["alice"]["preferences"]["cities"] == ["青岛", "深圳"]
    assert data["bob"]["preferences"] is None and data["bob"]["paused"] is False
    table = runner.invoke(cli, ["--config", str(folder), "status"], env={"COLUMNS": "250"})
    assert "paused" in table.output and "weekly fri 18:30 (paused)" in table.output
    assert "1 readers' own choices" in table.output  # alice's row only
    page = await client.get("/")  # the status page says it too
    assert "paused" in page.text and "weekly fri\n18:30 · traditional" in page.text
    assert page.text.count("subscribers.yaml") == 1  # bob's row

    unknown = runner.invoke(cli, ["--config", str(folder), "subscribers", "reset", "zed@x.org"])
    assert unknown.exit_code == 2 and "no subscriber" in unknown.output
    done = runner.invoke(
        cli, ["--config", str(folder), "subscribers", "reset", "alice@example.org"]
    )
    assert done.exit_code == 0 and "forgotten (it was paused)" in done.output
    assert load_preferences(db) == {}
    config_subscribers = write_config(
        folder, folder.parent / "db.sqlite", folder.parent / "archive"
    )
    (alice, _bob) = with_preferences(db, config_subscribers.subscribers)
    assert alice.frequency == "daily" and alice.script == "simplified"
    again = runner.invoke(cli, ["--config", str(folder), "subscribers", "reset", "alice"])
    assert again.exit_code == 0 and "no stored preferences" in again.output
