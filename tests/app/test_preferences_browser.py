"""The "manage subscription" page served by `citydigest serve` (uvicorn on 127.0.0.1), used in
headless Chromium at phone and desktop widths: it fits, its controls are big enough to tap, and
a reader changes cities, frequency, time, the Monday network and script, pauses and resumes
with the page's own buttons. Screenshots go to tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.app.schedule import Schedule
from crawler.app.web import create_app
from crawler.base.db import Database
from digests.subscribers import load_preferences
from digests.unsubscribe import make_token
from tests.app.servicekit import served
from tests.app.test_service_web import ARTIFACTS, SECRET, write_config
from tests.app.test_service_web_security import CHROMIUM_ARGS

CHROMIUM = "/usr/bin/chromium"

pytestmark = pytest.mark.browser


@pytest.fixture
def page_site(tmp_path: Path) -> Iterator[tuple[str, Database]]:
    (tmp_path / "archive").mkdir()
    config = write_config(tmp_path / "config", tmp_path / "db.sqlite", tmp_path / "archive")
    db = Database(config.settings.database)
    Schedule(db).sync(config)
    try:
        with served(create_app(config, db, secret=SECRET)) as base:
            yield base, db
    finally:
        db.dispose()


def test_preferences_page_in_chromium(page_site: tuple[str, Database]) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"headless Chromium is not installed at {CHROMIUM}")
    base, db = page_site
    url = f"{base}/archive/preferences?token={make_token(SECRET, 'alice', 'preferences')}"
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for width in (375, 1280):
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(url)
            metrics = page.evaluate(
                """() => ({
                    overflow: document.documentElement.scrollWidth
                              - document.documentElement.clientWidth,
                    small: [...document.querySelectorAll('.opts label, button, select, summary')]
                        .filter(e => e.getBoundingClientRect().height < 36).length,
                    font: parseFloat(getComputedStyle(document.querySelector('.opts label'))
                        .fontSize),
                })"""
            )
            assert metrics["overflow"] <= 0, f"horizontal overflow at {width}px"
            assert metrics["small"] == 0  # every control at least 36 px tall
            assert metrics["font"] >= 14
            page.screenshot(path=str(ARTIFACTS / f"preferences-{width}.png"), full_page=True)
            page.close()

        page = browser.new_page(viewport={"width": 375, "height": 900})
        page.goto(url)
        page.locator("#cities summary", has_text="山东").click()
        page.get_by_label("青岛", exact=True).check()
        page.get_by_label("四川", exact=True).check()  # a province
        page.get_by_label("其他新闻").uncheck()
        page.get_by_role("radio", name="每周").check()
        page.select_option("select[name=weekday]", "fri")
        page.select_option("select[name=send_at]", "18:30")
        page.get_by_label("繁體中文", exact=True).check()
        page.get_by_label("周一的日报附上一周考察交流网络").check()
        page.click("#save")
        page.wait_for_selector("#notice")
        assert "设置已保存" in page.locator("#notice").inner_text()
        # The page shows what was stored; the province's details stay open with the choice.
        assert page.get_by_label("青岛", exact=True).is_checked()
        assert "已选1" in page.locator("#cities details[open] summary").first.inner_text()
        page.screenshot(path=str(ARTIFACTS / "preferences-saved-375.png"), full_page=True)
        page.locator("fieldset", has_text="发送").screenshot(
            path=str(ARTIFACTS / "preferences-schedule-375.png")
        )
        prefs = load_preferences(db)["alice"]
        assert prefs.monday_network
        assert (prefs.cities, prefs.provinces, prefs.kinds) == (
            ("青岛",),
            ("四川",),
            ("visit", "policy"),
        )
        assert (prefs.frequency, prefs.weekday, prefs.send_at, prefs.script) == (
            "weekly",
            "fri",
            "18:30",
            "traditional",
        )
        page.click("#pause")
        page.wait_for_selector("#resume")
        assert load_preferences(db)["alice"].paused
        page.click("#resume")
        page.wait_for_selector("#pause")
        assert not load_preferences(db)["alice"].paused
        browser.close()
