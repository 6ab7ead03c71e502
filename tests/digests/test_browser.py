"""A real browser (headless Chromium through Playwright) reads the e-mail and the archive at phone
and desktop widths: no horizontal overflow, only http(s) links, alt text, nothing fetched from
outside. Screenshots go to tests/artifacts/ (git-ignored; CI keeps them)."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.base.db import Database
from digests import build_digests
from tests.digests.digestkit import NOW, Item, hours, make_config, seed, subscriber, visit_item

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = (375, 1280)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests: no Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian package `chromium`)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site(tmp_path: Path, secret: str) -> Iterator[tuple[Path, str]]:
    """A built digest and archive, the archive served over HTTP on 127.0.0.1."""
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}", upgrade=True)
    pairs = [
        ("青岛", "深圳", ["山东", "广东"]),
        ("济南", "广州", ["山东", "广东"]),
        ("成都", "青岛", ["四川", "山东"]),
        ("烟台", "深圳", ["山东", "广东"]),
        ("西安", "成都", ["陕西", "四川"]),
        ("深圳", "青岛", ["广东", "山东"]),
    ]
    items = [
        visit_item(v, h, NOW - hours(1 + i), provinces=p, also=["dazhong"] * (i % 2))
        for i, (v, h, p) in enumerate(pairs)
    ]
    items += [
        Item(
            "深圳市人民政府关于印发《深圳市数字政府和智慧城市“十五五”发展规划》的通知",
            NOW - hours(2),
            kind="policy",
            source="sz-gov",
            cities=["深圳"],
            provinces=["广东"],
            themes=["smart_city"],
            body="各区人民政府，市政府直属各单位：现将规划印发给你们，请认真组织实施。",
            policy={"issuer": "深圳市人民政府", "doc_no": "深府〔2026〕12号"},
        ),
        Item(
            "超长无空格标题" + "青岛金融科技" * 30,
            NOW - hours(3),
            cities=["青岛"],
            provinces=["山东"],
            themes=["fintech"],
            url="https://news.example.cn/" + "a" * 300,
            body="正文" * 400,
        ),
        Item(
            "香港特區推動智慧城市發展",
            NOW - hours(5),
            source="hk-gov",
            cities=["香港"],
            themes=["smart_city"],
            body="香港特區政府今日公布智慧城市藍圖2.0。",
        ),
        Item(
            '<img src=x onerror="alert(1)">恶意标题',
            NOW - hours(6),
            cities=["青岛"],
            url="javascript:alert(1)",
        ),
    ]
    seed(db, items)
    config = make_config(tmp_path, [subscriber(filter={"cities": ["山东", "深圳", "香港"]})])
    report = build_digests(config, db, out_dir=tmp_path / "out", now=NOW)
    assert report.built == 1
    db.dispose()
    with serve_archive(tmp_path / "archive") as url:
        yield tmp_path, url


@contextlib.contextmanager
def serve_archive(folder: Path) -> Iterator[str]:
    """``folder`` served over HTTP on 127.0.0.1 until the block ends; yields its URL."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


def _check(page: object, name: str, width: int, allowed_prefixes: tuple[str, ...]) -> None:
    metrics = page.evaluate(  # type: ignore[attr-defined]
        """() => ({
            scroll: document.documentElement.scrollWidth,
            client: document.documentElement.clientWidth,
            wide: [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                .map(e => e.tagName + '.' + e.className).slice(0, 5),
            links: [...document.querySelectorAll('a[href]')].map(a => a.href),
            imgs: [...document.querySelectorAll('img')].map(i => i.getAttribute('alt')),
            svgs: [...document.querySelectorAll('svg')].map(s =>
                s.getAttribute('role') === 'img' && !!s.querySelector('title')
                && s.querySelector('title').textContent.length > 0),
            lang: document.documentElement.lang,
        })"""
    )
    assert metrics["scroll"] <= metrics["client"], (name, width, metrics["wide"])
    assert not metrics["wide"], (name, width, metrics["wide"])
    assert metrics["links"], name
    for href in metrics["links"]:
        assert href.startswith(allowed_prefixes), (name, href)
    assert all(alt and alt.strip() for alt in metrics["imgs"]), (name, metrics["imgs"])
    assert all(metrics["svgs"]), name
    assert metrics["lang"] == "zh-Hans"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"digests-{name}-{width}.png"), full_page=True)  # type: ignore[attr-defined]


def test_digest_and_archive_in_chromium(browser: object, site: tuple[Path, str]) -> None:
    root, archive_url = site
    outside: list[str] = []
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]

        def guard(route: object, outside: list[str] = outside) -> None:
            url = route.request.url  # type: ignore[attr-defined]
            if url.startswith(("file://", archive_url)):
                route.continue_()  # type: ignore[attr-defined]
            else:
                outside.append(url)
                route.abort()  # type: ignore[attr-defined]

        context.route("**/*", guard)
        page = context.new_page()
        page.goto((root / "out" / "alice.html").as_uri())
        _check(page, "digest", width, ("https://", "http://"))
        # 3 of the 5 matching visits (per_section=3) as table rows; the policy, two theme
        # stories as entries.
        assert page.locator("table.vt tbody tr").count() == 3
        assert page.locator("h2.title").count() == 3
        assert page.get_by_text("还有2条，见存档").count() == 1
        for name in ("2026-11-27.html", "index.html"):
            page.goto(archive_url + name)
            # Relative links resolve to the archive's own http URL; articles link out by https.
            _check(page, name.removesuffix(".html"), width, ("https://", archive_url))
            # Six visits: six arrows in the picture and six rows in the table beneath it.
            assert page.locator("svg[role=img] path.edge").count() == 6
            assert page.locator("table tbody tr").count() == 6
        context.close()
    assert outside == []  # no external script, font or image was fetched
    # Dark mode: the kept @media rules override the inlined light colours.
    dark = browser.new_context(viewport={"width": 375, "height": 900}, color_scheme="dark")  # type: ignore[attr-defined]
    page = dark.new_page()
    page.goto((root / "out" / "alice.html").as_uri())
    colours = page.evaluate(
        """() => [getComputedStyle(document.querySelector('.wrap')).backgroundColor,
                  getComputedStyle(document.querySelector('.title a')).color]"""
    )
    assert colours == ["rgb(26, 30, 35)", "rgb(124, 183, 255)"]
    page.screenshot(path=str(ARTIFACTS / "digests-digest-375-dark.png"))
    dark.close()
    assert (ARTIFACTS / "digests-digest-375.png").stat().st_size > 10_000
