"""An archive day page and a reader's filtered view in headless Chromium at 375 and 1280 px: the
policy document's 文号 stays on one line, its 解读 and report sit nested and indented under it,
no item of the page is the 解读, and the page fits the screen. Screenshots go to
tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.base.config.subscribers import SubscriberFilter
from crawler.base.db import Database
from digests import build_digests
from digests.archive import view_key
from tests.digests.digestkit import NOW, make_config, subscriber
from tests.digests.test_archive_documents import DAY, READERS, _seed_documents
from tests.digests.test_browser import ARTIFACTS, WIDTHS, browser  # noqa: F401 (fixture)
from tests.digests.test_policy_documents import DOC_NO, JIEDU, REPORT

pytestmark = pytest.mark.browser

# A long issuer puts the 文号 where a phone line ends.
ISSUER = "深圳市人民政府办公厅 深圳市发展和改革委员会 深圳市政务服务数据管理局"

MEASURE = """() => {
  const dn = document.querySelector('article .dn');
  const item = dn.closest('article');
  const title = item.querySelector('h3');
  const nest = item.querySelector('.nest');
  return {
    text: dn.textContent,
    boxes: dn.getClientRects().length,
    nested: [...nest.querySelectorAll('li')].map((li) => li.innerText),
    nestBelowTitle: nest.getBoundingClientRect().top > title.getBoundingClientRect().bottom,
    nestIndented: nest.querySelector('li').getBoundingClientRect().left
      > title.getBoundingClientRect().left,
    items: [...document.querySelectorAll('article h3')].map((h) => h.innerText),
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  };
}"""


@pytest.fixture
def pages(tmp_path: Path, secret: str) -> Iterator[dict[str, Path]]:
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}", upgrade=True)
    _seed_documents(db, ISSUER)
    config = make_config(tmp_path, [subscriber(**r) for r in READERS])
    build_digests(config, db, out_dir=tmp_path / "o", now=NOW)
    db.dispose()
    archive = tmp_path / "archive"
    key = view_key(SubscriberFilter(cities=("深圳",)))
    yield {"day": archive / f"{DAY}.html", "view": archive / "view" / f"{DAY}-{key}.html"}


def test_documents_on_archive_pages_at_phone_and_desktop_widths(
    browser: object,  # noqa: F811
    pages: dict[str, Path],
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, path in pages.items():
        for width in WIDTHS:
            page = browser.new_page(viewport={"width": width, "height": 800})  # type: ignore[attr-defined]
            page.goto(path.as_uri())
            got = page.evaluate(MEASURE)
            assert got["text"] == DOC_NO and got["boxes"] == 1, (name, width, got)
            assert len(got["nested"]) == 2, (name, width, got)
            assert got["nested"][0].startswith("解读") and JIEDU in got["nested"][0]
            assert got["nested"][1].startswith("报道") and REPORT in got["nested"][1]
            assert got["nestBelowTitle"] and got["nestIndented"], (name, width, got)
            assert not any(JIEDU in t or REPORT in t for t in got["items"]), (name, got)
            assert got["scroll"] <= got["client"], (name, width, got)
            if width == 375:
                page.screenshot(
                    path=str(ARTIFACTS / f"digests-archive-{name}-policy-375.png"), full_page=True
                )
            page.close()


BREAKS = """(nowrap) => {
  const dn = document.querySelector('article .dn');
  dn.style.whiteSpace = nowrap ? '' : 'normal';
  return dn.getClientRects().length;
}"""


def test_the_doc_no_check_can_fail(browser: object, pages: dict[str, Path]) -> None:  # noqa: F811
    """At some phone width the meta line ends inside the 文号: there the page's style keeps it
    whole, and the same line without it breaks (so the test above is not vacuous)."""
    page = browser.new_page(viewport={"width": 375, "height": 800})  # type: ignore[attr-defined]
    page.goto(pages["view"].as_uri())
    would_break = []
    for width in range(300, 481, 2):
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate(BREAKS, True) == 1, width
        if page.evaluate(BREAKS, False) > 1:
            would_break.append(width)
    page.close()
    assert would_break
