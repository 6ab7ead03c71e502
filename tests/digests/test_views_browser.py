"""The mail's links into the archive in headless Chromium at phone and desktop widths: "还有N条"
opens the reader's filtered view of the day at the cut section, which fits the screen and lists
only their stories; a city chip opens the city page. Screenshots go to tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.base.db import Database
from digests import build_digests
from tests.digests.digestkit import NOW, Item, hours, make_config, seed, subscriber
from tests.digests.test_browser import ARTIFACTS, WIDTHS, browser, serve_archive  # noqa: F401

pytestmark = pytest.mark.browser

PUBLIC = "https://digest.example.org/archive/"


@pytest.fixture
def site(tmp_path: Path, secret: str) -> Iterator[tuple[Path, str, set[str]]]:
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}", upgrade=True)
    mine = seed(
        db,
        [
            Item(
                f"青岛市推进智慧城市建设第{n}场新闻发布会" + "（超长标题）" * (n % 3),
                NOW - hours(10 + n),
                cities=["青岛"],
            )
            for n in range(6)
        ],
    )
    seed(db, [Item(f"深圳消息{n}", NOW - hours(11 + n), cities=["深圳"]) for n in range(3)])
    config = make_config(tmp_path, [subscriber(filter={"cities": ["青岛"]})])
    build_digests(config, db, out_dir=tmp_path / "out", now=NOW)
    db.dispose()
    with serve_archive(tmp_path / "archive") as url:
        yield tmp_path / "out" / "alice.html", url, {f"s{i.story_id}" for i in mine}


def test_more_and_city_links_open_the_readers_pages(
    browser: object,  # noqa: F811
    site: tuple[Path, str, set[str]],
) -> None:
    mail, archive_url, mine = site
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 800})  # type: ignore[attr-defined]
        page.goto(mail.as_uri())
        more = page.get_by_text("还有3条，见存档").get_attribute("href")
        chip = page.locator("a.chip", has_text="青岛").first.get_attribute("href")
        assert more is not None and chip is not None
        assert more.startswith(PUBLIC + "view/") and more.endswith("#other")
        page.goto(more.replace(PUBLIC, archive_url))
        got = page.evaluate(
            """() => ({
                scroll: document.documentElement.scrollWidth,
                client: document.documentElement.clientWidth,
                ids: [...document.querySelectorAll('article')].map(a => a.id),
                sectionTop: document.getElementById('other').getBoundingClientRect().top,
                filter: document.querySelector('header .filter').innerText,
                links: [...document.querySelectorAll('a[href]')].map(a => a.href),
            })"""
        )
        assert got["scroll"] <= got["client"], (width, got)
        assert set(got["ids"]) == mine
        assert abs(got["sectionTop"]) < 2  # opened at the cut section
        assert got["filter"] == "城市：青岛"
        inside = [u for u in got["links"] if u.startswith(archive_url)]
        assert all(u.startswith(("https://", archive_url)) for u in got["links"])
        assert archive_url + "2026-11-26.html" in inside and archive_url + "index.html" in inside
        page.screenshot(path=str(ARTIFACTS / f"digests-view-{width}.png"))
        # The chip's city page exists and fits.
        response = page.goto(chip.replace(PUBLIC, archive_url))
        assert response is not None and response.status == 200
        assert page.locator("h1").inner_text() == "青岛"
        assert page.evaluate(
            "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
        page.close()
