"""A city page and the day pages that link to it, in headless Chromium at phone and desktop
widths: no horizontal overflow, links that stay in the archive or go out by http(s), the graph
giving way to its table on a phone and readable on a desktop, chips and return-visit marks that
lead where they say. Screenshots go to tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from crawler.base.db import Database
from digests import build_digests
from tests.digests.digestkit import NOW, Item, hours, make_config, seed, subscriber, visit_item
from tests.digests.test_browser import ARTIFACTS, WIDTHS, browser, serve_archive  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture
def archive(tmp_path: Path, secret: str) -> Iterator[str]:
    """Two weeks of visits around 青岛 (a return visit among them), a policy, served on
    127.0.0.1."""
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}", upgrade=True)
    config = make_config(tmp_path, [subscriber(filter={"cities": ["青岛"]})])
    waves = [
        (24 * 12, [("青岛", "深圳"), ("济南", "广州"), ("青岛", "杭州")]),
        (24 * 6, [("深圳", "青岛"), ("成都", "青岛"), ("烟台", "深圳")]),
        (2, [("青岛", "成都"), ("西安", "成都"), ("山东", "深圳"), ("乌鲁木齐", "青岛")]),
    ]
    for back, pairs in waves:
        at = NOW - hours(back)
        items = [visit_item(v, h, at - hours(i + 1)) for i, (v, h) in enumerate(pairs)]
        items.append(
            Item(
                "青岛市人民政府办公厅关于印发《青岛市推进城市更新行动实施方案（2026—2028年）》的通知",
                at - hours(1),
                kind="policy",
                cities=["青岛"],
                policy={"issuer": "青岛市人民政府办公厅", "doc_no": "青政办发〔2026〕12号"},
            )
        )
        seed(db, items)
        build_digests(config, db, out_dir=tmp_path / "out", now=at)
    db.dispose()
    with serve_archive(tmp_path / "archive") as url:
        yield url


def _layout(page: object) -> dict[str, object]:
    return page.evaluate(  # type: ignore[attr-defined,no-any-return]
        """() => ({
            scroll: document.documentElement.scrollWidth,
            client: document.documentElement.clientWidth,
            wide: [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                .map(e => e.tagName + '.' + e.className).slice(0, 5),
            links: [...document.querySelectorAll('a[href]')].map(a => a.href),
            svg: (() => { const s = document.querySelector('.visits svg');
                          return s ? s.getBoundingClientRect().width : -1; })(),
            label: (() => { const t = document.querySelector('.visits svg text:not(.prov)');
                            return t && t.getBoundingClientRect().height; })(),
            table: document.querySelector('.visits table').getBoundingClientRect().height,
        })"""
    )


def test_city_page_in_chromium(browser: object, archive: str) -> None:  # noqa: F811
    city = f"{archive}city/{quote('青岛')}.html"
    outside: list[str] = []
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]

        def guard(route: object, outside: list[str] = outside) -> None:
            url = route.request.url  # type: ignore[attr-defined]
            if url.startswith(archive):
                route.continue_()  # type: ignore[attr-defined]
            else:
                outside.append(url)
                route.abort()  # type: ignore[attr-defined]

        context.route("**/*", guard)
        page = context.new_page()
        page.goto(city)
        assert page.locator("h1").inner_text() == "青岛"
        layout = _layout(page)
        assert layout["scroll"] <= layout["client"], (width, layout["wide"])
        for href in layout["links"]:  # type: ignore[attr-defined]
            assert href.startswith(("https://", archive)), href
        # Sent: 青岛→深圳, 青岛→杭州, 青岛→成都; hosted: 深圳, 成都, 乌鲁木齐.
        assert page.locator("#sent + ul.vl > li").count() == 3
        assert page.locator("#hosted + ul.vl > li").count() == 3
        stats = page.locator(".stats b").all_inner_texts()
        assert stats == ["3", "3", "3"]
        assert page.locator("#policies + ul.vl > li").count() == 3
        # 深圳 came back six days after 青岛 went, and 青岛 returned 成都's visit: each of the
        # four visits is marked, the return (回访) and the one it returns (已回访).
        tags = page.locator(".vl .tag").all_inner_texts()
        assert sorted(tags) == ["回访", "回访", "已回访", "已回访"]
        if width < 480:  # the table stands in for the picture on a phone
            assert layout["svg"] == 0 and layout["table"] > 0
            assert not page.locator(".visits svg").first.is_visible()
        else:
            assert layout["svg"] > 400 and layout["label"] >= 12  # labels of 12 px or more
        page.screenshot(path=str(ARTIFACTS / f"digests-city-{width}.png"), full_page=True)
        # The return mark leads to the earlier visit's permalink on its day page.
        page.locator("#sent + ul.vl .tag", has_text="已回访").locator("xpath=..").locator(
            "a[href*='#s']"
        ).last.click()
        page.wait_for_load_state()
        anchor = page.url.split("#", 1)[1]
        assert page.locator(f"article#{anchor}").count() == 1
        assert "深圳" in page.locator(f"article#{anchor} .route").inner_text()
        # A city chip on the day page leads to that city's page.
        page.locator(f"article#{anchor} a.chip", has_text="深圳").click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "深圳"
        context.close()
    assert outside == []
    assert (ARTIFACTS / "digests-city-375.png").stat().st_size > 10_000


def test_the_index_lists_the_city_pages(browser: object, archive: str) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": 375, "height": 900})  # type: ignore[attr-defined]
    page.goto(archive + "index.html")
    names = page.locator("#cities + p.cities a.chip").all_inner_texts()
    assert names[0].startswith("青岛")  # the busiest first
    assert {n.split()[0] for n in names} >= {"青岛", "深圳", "成都", "杭州", "乌鲁木齐"}
    assert "山东" not in {n.split()[0] for n in names}  # a province has no city page
    page.close()
