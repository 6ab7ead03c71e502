"""A daily reader may ask for the week's visit network on Mondays (``monday_network``): the
Monday daily then ends with the last seven days' routes grouped by province, as the weekly
edition does, whatever its own window and filter; other days and other readers get none. In
headless Chromium at 375 and 1280 px the block is readable lines (no picture: mail clients drop
SVG), and its link opens the archive's graph, which on a phone gives way to its table."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.base.db import Database
from digests import build_digests
from tests.digests.digestkit import Item, hours, make_config, seed, subscriber, visit_item
from tests.digests.test_browser import ARTIFACTS, WIDTHS, browser, serve_archive  # noqa: F401

MONDAY = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)  # 08:30 on Monday 30 November in Shanghai
ROUTES = [  # (visitor, host, hours before MONDAY)
    ("青岛", "深圳", 24 * 6),
    ("青岛", "深圳", 24 * 5),
    ("烟台", "杭州", 24 * 4),
    ("成都", "西安", 10),  # in the Monday daily's own window, outside the reader's filter
    ("西安", "北京", 24 * 9),  # before the week
]
READER = {"filter": {"cities": ["青岛", "烟台"]}, "monday_network": True}


def _build(db: Database, tmp_path: Path, now: datetime, **reader: object) -> str:
    weekly = subscriber(id="week", email="week@example.org", frequency="weekly", weekday="mon")
    config = make_config(tmp_path, [subscriber(**reader), weekly])
    build_digests(config, db, out_dir=tmp_path / "out", now=now)
    return (tmp_path / "out" / "alice.html").read_text(encoding="utf-8")


def _seed(db: Database) -> None:
    seed(db, [visit_item(v, h, MONDAY - hours(back)) for v, h, back in ROUTES])
    news = [Item(f"青岛消息{n}", MONDAY + hours(n * 24 - 2), cities=["青岛"]) for n in (-1, 0, 1)]
    seed(db, news)  # something for the reader's own daily on Sunday, Monday and Tuesday


def test_the_monday_daily_carries_the_weeks_network_when_asked(
    db: Database, tmp_path: Path, secret: str
) -> None:
    _seed(db)
    html = _build(db, tmp_path, MONDAY, **READER)
    text = (tmp_path / "out" / "alice.txt").read_text(encoding="utf-8")
    assert "上周考察交流网络" in html and "3条路线，4篇报道" in html
    block = html[html.index("上周考察交流网络") : html.index("在存档中查看考察交流图")]
    assert "青岛 → 深圳 ×2" in block and "烟台 → 杭州" in block and "成都 → 西安" in block
    assert "西安 → 北京" not in block  # nine days ago: not this week
    assert block.index(">山东<") < block.index(">四川<")  # the busier province first
    (line,) = [x for x in text.splitlines() if x.startswith("山东：")]
    assert line == "山东：青岛 → 深圳 ×2；烟台 → 杭州"
    assert "== 上周考察交流网络（3条路线） ==" in text
    # The daily's own sections keep its window and filter: 青岛's visits were last week.
    assert "城市考察交流" not in html
    # The weekly edition still calls it this week's.
    assert "本周考察交流网络" in (tmp_path / "out" / "week.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("now", "reader"),
    [
        (MONDAY + hours(24), READER),  # a Tuesday
        (MONDAY - hours(24), READER),  # a Sunday
        (MONDAY, {"filter": READER["filter"]}),  # a Monday, not asked for
    ],
)
def test_no_network_on_other_days_or_unasked(
    db: Database, tmp_path: Path, secret: str, now: datetime, reader: dict[str, object]
) -> None:
    _seed(db)
    html = _build(db, tmp_path, now, **reader)
    assert "考察交流网络" not in html and "在存档中查看考察交流图" not in html


# --------------------------------------------------------------------------- in Chromium


@pytest.fixture
def monday(tmp_path: Path, secret: str) -> Iterator[tuple[Path, str]]:
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}", upgrade=True)
    _seed(db)
    _build(db, tmp_path, MONDAY, **READER)
    db.dispose()
    with serve_archive(tmp_path / "archive") as url:
        yield tmp_path / "out" / "alice.html", url


BLOCK = """() => {
  const root = document.documentElement;
  const head = document.getElementById('network');
  const cell = head.closest('tr').nextElementSibling.querySelector('td');
  const lines = [...cell.querySelectorAll('p')];
  return {
    scroll: root.scrollWidth, client: root.clientWidth,
    headVisible: head.getBoundingClientRect().height > 0,
    right: Math.max(...lines.map(p => p.getBoundingClientRect().right)),
    smallest: Math.min(...lines.map(p => parseFloat(getComputedStyle(p).fontSize))),
    text: cell.innerText,
    svg: document.querySelectorAll('svg').length,
    link: cell.querySelector('a').href,
  };
}"""

INDEX = """() => {
  const svg = document.querySelector('svg[role=img]');
  const table = document.querySelector('.visits table');
  return {
    svgShown: getComputedStyle(svg).display !== 'none' && svg.getBoundingClientRect().width > 0,
    tableShown: table.getBoundingClientRect().height > 0,
    rows: [...table.tBodies[0].rows].map(r => [...r.cells].map(c => c.innerText)),
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  };
}"""


@pytest.mark.browser
def test_the_monday_network_reads_at_phone_and_desktop_widths(
    browser: object,  # noqa: F811
    monday: tuple[Path, str],
) -> None:
    mail, archive_url = monday
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
        page.goto(mail.as_uri())
        got = page.evaluate(BLOCK)
        assert got["headVisible"]
        assert got["scroll"] <= got["client"] and got["right"] <= got["client"], (width, got)
        assert got["smallest"] >= 12, got  # text, not a shrunken picture
        assert got["svg"] == 0
        for route in ("青岛 → 深圳 ×2", "烟台 → 杭州", "成都 → 西安"):
            assert route in got["text"], (width, route)
        page.locator("#network").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"digests-monday-network-{width}.png"))
        assert got["link"] == "https://digest.example.org/archive/index.html"
        # The archive's graph behind the link: on a phone, the table in its place.
        page.goto(archive_url + "index.html")
        index = page.evaluate(INDEX)
        assert index["scroll"] <= index["client"], (width, index)
        assert index["tableShown"]
        assert index["svgShown"] is (width > 480)
        assert sorted(index["rows"]) == [
            ["成都", "西安", "1"],
            ["烟台", "杭州", "1"],
            ["青岛", "深圳", "2"],
        ]
        page.close()
