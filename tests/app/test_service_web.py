"""The web app: health, metrics, archive, one-click unsubscribe, status page (and in Chromium)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from crawler.app.schedule import Schedule
from crawler.app.web import create_app
from crawler.base.config import Config, load_config
from crawler.base.db import Database
from crawler.base.models import Delivery, Fetch, FetchTotal, SourceState, SubscriberState
from digests.unsubscribe import make_token
from tests.app.servicekit import served
from tests.app.test_service_web_security import CHROMIUM_ARGS

SECRET = "test-secret-of-at-least-16-bytes"


def client_for(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1")


ARTIFACTS = Path(__file__).parent.parent / "artifacts"


def write_config(root: Path, db: Path, archive: Path) -> Config:
    root.mkdir(parents=True, exist_ok=True)
    (root / "citydigest.yaml").write_text(
        f"database: sqlite:///{db}\n"
        "timezone: Asia/Shanghai\n"
        f"archive:\n  dir: {archive}\n  base_url: http://digest.example.org/archive/\n",
        encoding="utf-8",
    )
    (root / "sources.yaml").write_text(
        "sources:\n"
        "  - {id: qingdao, name: 青岛新闻网, feed: 'http://qd.example.org/feed.xml'}\n"
        "  - {id: broken, name: 坏的站点, feed: 'http://bad.example.org/feed.xml'}\n",
        encoding="utf-8",
    )
    (root / "subscribers.yaml").write_text(
        "subscribers:\n"
        "  - {id: alice, email: alice@example.org, name: 王丽}\n"
        "  - {id: bob, email: bob@example.org}\n",
        encoding="utf-8",
    )
    return load_config(root)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Config, Database]]:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "index.html").write_text(
        '<!DOCTYPE html><html lang="zh-CN"><body><h1>摘要归档</h1></body></html>',
        encoding="utf-8",
    )
    (archive / "2026-03-07.html").write_text("<html><body>三月七日</body></html>", "utf-8")
    config = write_config(tmp_path / "config", tmp_path / "db.sqlite", archive)
    db = Database(config.settings.database)
    Schedule(db).sync(config, datetime(2026, 3, 7, 12, tzinfo=UTC))
    with db.session() as session:
        session.add_all(
            [
                Fetch(url="http://qd.example.org/feed.xml", status=200, source_id="qingdao"),
                Fetch(url="http://qd.example.org/a.html", status=200, source_id="qingdao"),
                Fetch(url="http://bad.example.org/feed.xml", status=500, source_id="broken"),
                Fetch(url="http://bad.example.org/x", status=None, error="timeout"),
                # What pruned rows of the fetch log counted: still in the counters.
                FetchTotal(status=200, fetches=40, errors=0),
                FetchTotal(status=0, fetches=3, errors=3),
                Delivery(
                    subscriber_id="alice",
                    period="2026-03-07",
                    window_start=datetime(2026, 3, 6, tzinfo=UTC),
                    window_end=datetime(2026, 3, 7, tzinfo=UTC),
                    status="sent",
                    sent_at=datetime(2026, 3, 7, tzinfo=UTC),
                ),
            ]
        )
        broken = session.get(SourceState, "broken")
        broken.consecutive_failures = 2
        broken.last_error = "fetch: http://bad.example.org/feed.xml: HTTP 500 <script>x</script>"
    yield config, db
    db.dispose()


async def test_healthz_metrics_and_archive(site: tuple[Config, Database]) -> None:
    config, db = site
    client = client_for(create_app(config, db, secret=SECRET))
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    metrics = await client.get("/metrics")
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = metrics.text
    assert 'citydigest_fetches_total{status="200"} 42.0' in text
    assert 'citydigest_fetches_total{status="500"} 1.0' in text
    assert 'citydigest_fetches_total{status="none"} 4.0' in text
    assert "citydigest_fetch_errors_total 4.0" in text
    assert "citydigest_sources_failing 1.0" in text
    assert 'citydigest_digests_total{status="sent"} 1.0' in text
    assert 'citydigest_digests_total{status="failed"} 0.0' in text
    assert "citydigest_dispatch_lag_seconds" in text
    assert "citydigest_articles 0.0" in text
    archive = await client.get("/archive/")
    assert archive.status_code == 200 and "摘要归档" in archive.text
    assert "三月七日" in (await client.get("/archive/2026-03-07.html")).text
    assert (await client.get("/archive/../config/citydigest.yaml")).status_code == 404


async def test_healthz_reports_a_dead_database(
    site: tuple[Config, Database], tmp_path: Path
) -> None:
    config, _ = site
    dead = Database(f"sqlite:///{tmp_path / 'dead.sqlite'}")
    dead.engine.dispose()
    (tmp_path / "dead.sqlite").write_bytes(b"not a database at all" * 1000)
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"dead.sqlite{suffix}").unlink(missing_ok=True)
    response = await client_for(create_app(config, dead, secret=SECRET)).get("/healthz")
    assert response.status_code == 503 and response.json()["status"] == "error"


async def test_one_click_unsubscribe(site: tuple[Config, Database]) -> None:
    config, db = site
    client = client_for(create_app(config, db, secret=SECRET))
    token = make_token(SECRET, "alice")
    url = f"/archive/unsubscribe?token={token}"
    page = await client.get(url)
    assert page.status_code == 200 and "alice" in page.text and 'method="post"' in page.text
    with db.session() as session:  # GET alone changes nothing (mail scanners follow links)
        assert not session.get(SubscriberState, "alice").unsubscribed
    # RFC 8058: the mail client POSTs List-Unsubscribe=One-Click to the header's URL.
    done = await client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "已退订" in done.text
    with db.session() as session:
        alice = session.get(SubscriberState, "alice")
        assert alice.unsubscribed and alice.unsubscribed_at is not None
    assert (
        Schedule(db).due_subscribers(config, datetime(2030, 1, 1, tzinfo=UTC))[0].subscriber_id
        == "bob"
    )
    # The root path works too, and a second POST is harmless.
    assert (
        await client.post(f"/unsubscribe?token={token}", data={"List-Unsubscribe": "One-Click"})
    ).status_code == 200


async def test_unsubscribe_refuses_forged_and_malformed_tokens(
    site: tuple[Config, Database],
) -> None:
    config, db = site
    client = client_for(create_app(config, db, secret=SECRET))
    forged = "bob." + make_token(SECRET, "alice").split(".", 1)[1]
    for token in (forged, "bob", "", make_token("another-secret-16-bytes!", "bob")):
        response = await client.post(
            f"/unsubscribe?token={token}", data={"List-Unsubscribe": "One-Click"}
        )
        assert response.status_code == 400, token
    assert (
        await client.post(f"/unsubscribe?token={make_token(SECRET, 'bob')}", data={"other": "x"})
    ).status_code == 400
    assert (
        await client.get(f"/unsubscribe?token={make_token(SECRET, 'carol')}")
    ).status_code == 404
    no_secret = client_for(create_app(config, db, secret=None))
    assert (
        await no_secret.get(f"/unsubscribe?token={make_token(SECRET, 'bob')}")
    ).status_code == 503
    with db.session() as session:
        assert not any(s.unsubscribed for s in session.query(SubscriberState))


async def test_status_page_escapes_stored_text(site: tuple[Config, Database]) -> None:
    config, db = site
    page = await client_for(create_app(config, db, secret=SECRET)).get("/")
    assert page.status_code == 200
    assert "<script>x</script>" not in page.text and "&lt;script&gt;" in page.text
    assert "青岛新闻网" in page.text and "1 failing" in page.text


# --------------------------------------------------------------------------- Chromium


@pytest.mark.browser
def test_status_and_unsubscribe_in_chromium(site: tuple[Config, Database]) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("headless Chromium is not installed at /usr/bin/chromium")
    config, db = site
    ARTIFACTS.mkdir(exist_ok=True)
    with served(create_app(config, db, secret=SECRET)) as base, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for width in (375, 1280):
            page = browser.new_page(viewport={"width": width, "height": 800})
            page.goto(base + "/")
            assert page.locator("#sources tr.failing").count() == 1
            assert page.locator("#sources tr.healthy").count() == 1
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"horizontal overflow of {overflow}px at {width}px"
            page.screenshot(path=str(ARTIFACTS / f"service-status-{width}.png"), full_page=True)
            page.close()
        page = browser.new_page(viewport={"width": 375, "height": 700})
        page.goto(f"{base}/archive/unsubscribe?token={make_token(SECRET, 'bob')}")
        page.screenshot(path=str(ARTIFACTS / "service-unsubscribe-confirm.png"))
        page.click("#confirm")
        page.wait_for_selector("#done")
        page.screenshot(path=str(ARTIFACTS / "service-unsubscribe-done.png"))
        browser.close()
    with db.session() as session:
        assert session.get(SubscriberState, "bob").unsubscribed
        assert not session.get(SubscriberState, "alice").unsubscribed


@pytest.mark.parametrize("state", ["no folder", "empty folder", "pages but no index"])
async def test_the_archive_before_the_first_digest_is_a_friendly_page(
    tmp_path: Path, state: str
) -> None:
    """Before the first digest the archive's index says why it is empty (it was a 500 and a
    traceback per request when the folder did not exist); other pages are a plain 404."""
    archive = tmp_path / "archive"
    if state != "no folder":
        archive.mkdir()
    if state == "pages but no index":
        (archive / "2026-03-07.html").write_text("<html><body>三月七日</body></html>", "utf-8")
    config = write_config(tmp_path / "config", tmp_path / "db.sqlite", archive)
    db = Database(config.settings.database)
    try:
        client = client_for(create_app(config, db, secret=SECRET))
        for path in ("/archive/", "/archive/index.html"):
            page = await client.get(path)
            assert page.status_code == 200, path
            assert "归档还没有内容" in page.text and "digest build" in page.text
            assert page.headers["content-security-policy"].startswith("default-src 'none'")
        missing = await client.get("/archive/2026-01-01.html")
        assert missing.status_code == 404
        if state == "pages but no index":
            assert "三月七日" in (await client.get("/archive/2026-03-07.html")).text
        # the first digest's index replaces the friendly page at once
        archive.mkdir(exist_ok=True)
        (archive / "index.html").write_text("<html><body>摘要归档</body></html>", "utf-8")
        assert "摘要归档" in (await client.get("/archive/")).text
    finally:
        db.dispose()
