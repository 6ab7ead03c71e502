"""`serve`'s security headers, loopback-only operator pages and Host-proof redirects.

Every kind of response (archive pages and files, unsubscribe pages, errors 403/404/405/500,
redirects, health, metrics) carries the headers; /metrics and the status page answer loopback
only unless ``serve.public_metrics``, judged on the client uvicorn believes, as ``serve`` sets
it up (X-Forwarded-For trusted from a loopback proxy only); redirects name the configured
archive origin whatever Host the client sends; the demo's archive renders in Chromium with no
CSP violation.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from click.testing import CliRunner
from ruamel.yaml import YAML
from starlette.types import ASGIApp

from crawler.app.cli import cli
from crawler.app.web import CONTENT_SECURITY_POLICY, SECURITY_HEADERS, create_app
from crawler.base.config import Config, load_config
from crawler.base.db import Database
from digests.unsubscribe import make_token
from tests.app.servicekit import served

SECRET = "test-secret-of-at-least-16-bytes"
ORIGIN = "https://digest.example.org"
ROOT = Path(__file__).parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"

REMOTE = ["203.0.113.9", "172.17.0.1", "10.1.2.3", "2001:db8::7", "::ffff:203.0.113.9"]
LOOPBACK = ["127.0.0.1", "127.0.0.53", "::1", "::ffff:127.0.0.1"]


def write_config(root: Path, archive: Path, *, public_metrics: bool | None = None) -> Config:
    root.mkdir(parents=True, exist_ok=True)
    serve = "" if public_metrics is None else f"serve:\n  public_metrics: {public_metrics}\n"
    (root / "citydigest.yaml").write_text(
        f"database: sqlite:///{root / 'db.sqlite'}\n"
        f"archive:\n  dir: {archive}\n  base_url: {ORIGIN}/archive/\n{serve}",
        encoding="utf-8",
    )
    (root / "sources.yaml").write_text(
        "sources:\n  - {id: qingdao, name: 青岛新闻网, feed: 'http://qd.example.org/feed.xml'}\n",
        encoding="utf-8",
    )
    (root / "subscribers.yaml").write_text(
        "subscribers:\n  - {id: alice, email: alice@example.org}\n", encoding="utf-8"
    )
    return load_config(root)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Config, Database]]:
    archive = tmp_path / "archive"
    (archive / "2026").mkdir(parents=True)
    (archive / "index.html").write_text("<!DOCTYPE html><h1>摘要归档</h1>", "utf-8")
    (archive / "2026-03-07.html").write_text("<!DOCTYPE html><p>三月七日</p>", "utf-8")
    (archive / "2026" / "index.html").write_text("<!DOCTYPE html><p>2026</p>", "utf-8")
    (archive / "feed.xml").write_text('<?xml version="1.0"?><feed/>', "utf-8")
    (archive / "archive.json").write_text("{}", "utf-8")
    config = write_config(tmp_path / "config", archive)
    db = Database(config.settings.database)
    yield config, db
    db.dispose()


def client(app: ASGIApp, host: str = "127.0.0.1", **kwargs: Any) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(host, 40000), **kwargs)
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1")


def assert_secured(response: httpx.Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get_list(name) == [value], (response.request.url, name)


# --------------------------------------------------------------------------- headers


async def test_every_kind_of_response_carries_the_security_headers(
    site: tuple[Config, Database], tmp_path: Path
) -> None:
    config, db = site
    token = make_token(SECRET, "alice")
    local = client(create_app(config, db, secret=SECRET))
    remote = client(create_app(config, db, secret=SECRET), "203.0.113.9")
    expected = [
        (local.get("/archive/"), 200),
        (local.get("/archive/2026-03-07.html"), 200),
        (local.get("/archive/feed.xml"), 200),
        (local.get("/archive/archive.json"), 200),
        (local.get(f"/archive/unsubscribe?token={token}"), 200),
        (local.get("/unsubscribe?token=forged"), 400),
        (local.post("/archive/unsubscribe?token=forged", data={"x": "y"}), 400),
        (local.delete(f"/archive/unsubscribe?token={token}"), 405),
        (local.get("/archive/missing.html"), 404),
        (local.get("/nowhere"), 404),
        (local.get("/archive"), 307),
        (local.get("/archive/2026"), 307),
        (local.get("/healthz"), 200),
        (local.get("/metrics"), 200),
        (local.get("/"), 200),
        (remote.get("/metrics"), 403),
        (remote.get("/"), 403),
        (remote.get("/archive/"), 200),
    ]
    for pending, status in expected:
        response = await pending
        assert response.status_code == status, response.request.url
        assert_secured(response)

    # An unhandled exception is answered outside the middleware.
    def broken_queue() -> int | None:
        raise RuntimeError("a bug")

    buggy = client(
        create_app(config, db, secret=SECRET, queue_depth=broken_queue),
        raise_app_exceptions=False,
    )
    for path in ("/metrics", "/"):
        response = await buggy.get(path)
        assert response.status_code == 500
        assert_secured(response)
    # A database that cannot be opened (a file that is not one) is a 503, secured as well.
    dead_path = tmp_path / "dead.sqlite"
    dead = Database(f"sqlite:///{dead_path}")
    dead.engine.dispose()
    dead_path.write_bytes(b"not a database at all" * 1000)
    for suffix in ("-wal", "-shm"):
        Path(f"{dead_path}{suffix}").unlink(missing_ok=True)
    broken = client(create_app(config, dead, secret=SECRET), raise_app_exceptions=False)
    for path in ("/metrics", "/"):
        response = await broken.get(path)
        assert response.status_code == 503
        assert_secured(response)
    health = await broken.get("/healthz")
    assert health.status_code == 503 and "database" in health.json()
    assert_secured(health)
    # The database's error (hosts, users, paths) is for the operator, not for the world.
    health = await client(create_app(config, dead, secret=SECRET), "203.0.113.9").get("/healthz")
    assert health.status_code == 503 and health.json() == {"status": "error"}


def test_the_policy_allows_no_script_frame_or_foreign_form() -> None:
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in CONTENT_SECURITY_POLICY.split("; ")
    )
    assert directives["default-src"] == ["'none'"]
    assert "script-src" not in directives  # falls back to default-src 'none'
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["base-uri"] == ["'none'"]


# --------------------------------------------------------------------------- loopback only


@pytest.mark.parametrize("host", [*REMOTE, "testclient"])
async def test_metrics_and_status_are_refused_to_other_clients(
    site: tuple[Config, Database], host: str
) -> None:
    config, db = site
    other = client(create_app(config, db, secret=SECRET), host)
    for path in ("/metrics", "/"):
        response = await other.get(path)
        assert response.status_code == 403, (host, path)
        assert "citydigest_" not in response.text and "qingdao" not in response.text
    # The subscriber's side stays public.
    assert (await other.get("/archive/2026-03-07.html")).status_code == 200
    assert (await other.get("/healthz")).status_code == 200


@pytest.mark.parametrize("host", LOOPBACK)
async def test_metrics_and_status_are_served_to_loopback(
    site: tuple[Config, Database], host: str
) -> None:
    config, db = site
    local = client(create_app(config, db, secret=SECRET), host)
    metrics = await local.get("/metrics")
    assert metrics.status_code == 200 and "citydigest_sources 1.0" in metrics.text
    status = await local.get("/")
    assert status.status_code == 200 and "qingdao" in status.text


async def test_public_metrics_serves_them_to_everyone(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config", tmp_path / "archive", public_metrics=True)
    assert config.settings.serve.public_metrics is True
    db = Database(config.settings.database)
    try:
        for host in REMOTE:
            anyone = client(create_app(config, db, secret=SECRET), host)
            assert (await anyone.get("/metrics")).status_code == 200, host
            assert (await anyone.get("/")).status_code == 200, host
    finally:
        db.dispose()


def served_app(config_dir: Path, monkeypatch: pytest.MonkeyPatch) -> ASGIApp:
    """The ASGI app exactly as ``citydigest serve`` hands it to uvicorn, proxy headers and all
    (uvicorn.run is caught; the environment asks uvicorn to trust every proxy)."""
    captured: dict[str, Any] = {}

    def fake_run(app: ASGIApp, **kwargs: Any) -> None:
        captured.update(kwargs, app=app)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "*")
    monkeypatch.setenv("CITYDIGEST_SECRET", SECRET)
    result = CliRunner().invoke(cli, ["--config", str(config_dir), "serve"])
    assert result.exit_code == 0, result.output
    settings = uvicorn.Config(captured.pop("app"), **captured)
    settings.load()
    return settings.loaded_app


async def test_x_forwarded_for_names_the_client_only_from_a_loopback_proxy(
    site: tuple[Config, Database], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = served_app(tmp_path / "config", monkeypatch)
    refused = [
        # A remote client connecting directly cannot claim loopback ...
        ("203.0.113.9", ["127.0.0.1"]),
        ("203.0.113.9", ["::1"]),
        ("172.17.0.1", ["127.0.0.1, 127.0.0.1"]),
        ("2001:db8::7", ["127.0.0.1", "::1"]),
        # ... and a proxy on loopback forwards the client it saw, appended to what it was sent.
        ("127.0.0.1", ["203.0.113.9"]),
        ("127.0.0.1", ["127.0.0.1, 203.0.113.9"]),
        ("::1", ["10.1.2.3"]),
    ]
    for peer, forwarded in refused:
        headers = [("X-Forwarded-For", value) for value in forwarded]
        response = await client(app, peer).get("/metrics", headers=headers)
        assert response.status_code == 403, (peer, forwarded)
        assert_secured(response)
    served = [("127.0.0.1", []), ("::1", []), ("127.0.0.1", ["127.0.0.1"])]
    for peer, forwarded in served:
        headers = [("X-Forwarded-For", value) for value in forwarded]
        assert (await client(app, peer).get("/metrics", headers=headers)).status_code == 200


# --------------------------------------------------------------------------- redirects


@pytest.mark.parametrize(
    "path, location",
    [
        ("/archive", "/archive/"),
        ("/archive/2026", "/archive/2026/"),
        ("/archive/2026?from=mail", "/archive/2026/?from=mail"),
    ],
)
@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "evil.example"},
        {"Host": "evil.example:8443", "X-Forwarded-Proto": "http", "X-Forwarded-Host": "x.test"},
        {"Host": "127.0.0.1:8000"},
    ],
)
async def test_redirects_name_the_configured_origin_not_the_host_header(
    site: tuple[Config, Database],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    location: str,
    headers: dict[str, str],
) -> None:
    config, db = site
    for app in (
        create_app(config, db, secret=SECRET),
        served_app(tmp_path / "config", monkeypatch),
    ):
        for peer in ("127.0.0.1", "203.0.113.9"):
            async with client(app, peer) as http:
                response = await http.send(http.build_request("GET", path, headers=headers))
            assert response.is_redirect, (path, response.status_code)
            assert response.headers["location"] == ORIGIN + location
            assert_secured(response)


# --------------------------------------------------------------------------- docker, config


def test_compose_keeps_the_operator_pages_off_the_published_port() -> None:
    compose = YAML(typ="safe").load((ROOT / "docker" / "compose.yaml").read_text("utf-8"))
    web = compose["services"]["web"]
    # Published ports reach the container from the bridge gateway, never from its loopback:
    # the health check runs inside the container, on loopback.
    assert "127.0.0.1:8000/healthz" in " ".join(web["healthcheck"]["test"])
    assert "public_metrics" not in str(web.get("environment", {}))
    shipped = load_config(ROOT / "config")
    assert shipped.settings.serve.public_metrics is False
    assert "public_metrics" in (ROOT / "config" / "citydigest.yaml").read_text("utf-8")


# --------------------------------------------------------------------------- Chromium


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(
    `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


@pytest.mark.browser
def test_demo_archive_renders_under_the_policy_in_chromium(tmp_path: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests: no Chromium at /usr/bin/chromium")
        pytest.skip("headless Chromium is not installed at /usr/bin/chromium")
    from crawler.app.demo import run_demo

    demo = asyncio.run(run_demo(tmp_path / "demo"))
    config = load_config(demo.folder / "config")
    db = Database(config.settings.database)
    pages = sorted(p.name for p in (demo.folder / "archive").glob("*.html"))
    assert "index.html" in pages and len(pages) > 1
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        with (
            served(create_app(config, db, secret=SECRET)) as base,
            playwright.sync_playwright() as p,
        ):
            urls = [f"{base}/archive/{name}" for name in pages]
            urls += [f"{base}/", f"{base}/archive/unsubscribe?token={make_token(SECRET, 'demo')}"]
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 375, "height": 800})
            page.add_init_script(LISTEN)
            console: list[str] = []
            page.on(
                "console",
                lambda m: console.append(m.text) if m.type in ("error", "warning") else None,
            )
            graphs = 0
            for url in urls:
                response = page.goto(url)
                assert response is not None and response.status == 200, url
                assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
                page.wait_for_load_state("load")
                assert page.evaluate("window.__violations") == [], url
                # The inline stylesheet applied: the page's body has lost its default margin.
                assert page.evaluate("getComputedStyle(document.body).marginTop") == "0px", url
                graphs += page.locator("svg").count()
                if url.endswith("index.html"):
                    page.screenshot(path=str(ARTIFACTS / "service-archive-csp.png"))
            assert graphs > 0, "the demo archive drew no visit graph"
            page.goto(urls[-1])
            page.click("#confirm")  # form-action 'self' lets the one-click form post
            page.wait_for_selector("#done")
            assert page.evaluate("window.__violations") == []
            browser.close()
        assert not [m for m in console if "Content Security Policy" in m], console
    finally:
        db.dispose()
