"""The digest's first screen in headless Chromium at phone and desktop widths: the at-a-glance
block, then the visits table, which is a real table on a desktop (one row per visit, six
columns) and stacks into labelled lines on a phone, never wider than the screen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.base.db import Database
from digests import build_digests
from tests.digests.digestkit import NOW, Item, hours, make_config, seed, subscriber, visit_item
from tests.digests.test_browser import ARTIFACTS, WIDTHS, browser  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

LEADERS = [
    ("青岛", "深圳", {"name": "赵豪志", "title": "市委副书记、市长"}),
    ("成都", "青岛", {"name": None, "title": "市委副书记"}),
    ("乌鲁木齐", "呼和浩特", {"name": "欧阳明", "title": "副市长"}),
]


@pytest.fixture
def digest(tmp_path: Path, secret: str) -> Iterator[Path]:
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}", upgrade=True)
    items = [
        visit_item(
            v,
            h,
            NOW - hours(2 + i),
            also=["dazhong", "qingdao-news"][: i + 1],
            visits=[
                {
                    "visitor": v,
                    "host": h,
                    "date": "2026-11-25",
                    "date_end": "2026-11-26",
                    "leader": leader,
                    "purpose": "考察学习数字政府建设和营商环境优化经验",
                    "sites": ["前海深港现代服务业合作区", "腾讯滨海大厦", "深圳市政务服务中心"],
                    "evidence": f"{v}市党政代表团赴{h}考察学习，" + "围绕数字经济深入交流" * 3,
                }
            ],
        )
        for i, (v, h, leader) in enumerate(LEADERS)
    ]
    items.append(
        Item(
            "深圳市人民政府关于印发《深圳市数字政府和智慧城市发展规划》的通知",
            NOW - hours(1),
            kind="policy",
            source="sz-gov",
            cities=["深圳"],
            policy={"issuer": "深圳市人民政府", "doc_no": "深府〔2026〕12号"},
        )
    )
    seed(db, items)
    build_digests(make_config(tmp_path, [subscriber()]), db, out_dir=tmp_path / "out", now=NOW)
    db.dispose()
    yield tmp_path / "out" / "alice.html"


LAYOUT = """() => {
  const box = e => e.getBoundingClientRect();
  const glance = document.querySelector('.glance');
  const table = document.querySelector('table.vt');
  const rows = [...table.tBodies[0].rows];
  const cells = [...rows[0].querySelectorAll('td')];
  return {
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
    glanceLines: [...glance.querySelectorAll('p')].map(p => p.textContent),
    glanceAboveTable: box(glance).bottom <= box(table).top,
    rows: rows.length,
    headVisible: getComputedStyle(table.querySelector('thead')).display !== 'none',
    cellTops: cells.map(c => Math.round(box(c).top)),
    cellRights: cells.map(c => Math.round(box(c).right)),
    labels: [...rows[0].querySelectorAll('.lbl')].filter(l => box(l).width > 0).length,
    links: [...rows[0].querySelectorAll('a[href]')].map(a => a.textContent),
    text: rows[0].innerText,
  };
}"""


def test_glance_and_visits_table_at_phone_and_desktop(browser: object, digest: Path) -> None:  # noqa: F811
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
        page.goto(digest.as_uri())
        got = page.evaluate(LAYOUT)
        assert got["scroll"] <= got["client"], (width, got)
        assert max(got["cellRights"]) <= got["client"], (width, got)
        assert got["glanceAboveTable"]
        assert got["glanceLines"][0] == "今日速览"
        assert (
            got["glanceLines"][1]
            == "考察：青岛 → 深圳（市委副书记、市长赵豪志带队，11月25日至26日）"
        )
        assert got["glanceLines"][-1].startswith("政策：深圳市人民政府关于印发")
        assert got["rows"] == 3
        # The mayor's visit leads; every outlet is a link of its own.
        assert got["links"] == ["青岛市党政代表团赴深圳考察交流", "新华网", "大众网"]
        for fragment in ("青岛 → 深圳", "11月25日至26日", "市委副书记、市长赵豪志", "腾讯滨海大厦"):
            assert fragment in got["text"], (width, fragment)
        if width < 600:  # stacked: one cell under another, each with its label
            assert not got["headVisible"]
            assert got["cellTops"] == sorted(got["cellTops"]) and len(set(got["cellTops"])) == 6
            assert got["labels"] == 5
        else:  # a table: six cells side by side under a visible header
            assert got["headVisible"]
            assert len(set(got["cellTops"])) == 1
            assert got["labels"] == 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"digests-first-screen-{width}.png"))
        page.close()
