"""A policy item in headless Chromium: the 文号 never wraps inside the number, at every phone
width from 320 to 430 px and on a desktop, while the meta line around it wraps as it must (the
same line without the no-wrap style does break inside the number at some of these widths, so the
check can fail); the 解读 sits nested under its document."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.base.db import Database
from crawler.base.models import Article, PolicyRef
from digests import build_digests
from tests.digests.digestkit import NOW, Item, hours, make_config, seed, subscriber
from tests.digests.test_browser import ARTIFACTS, browser  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

DOC_NO = "粤府办〔2026〕108号"
# A long issuer puts the 文号 where a phone line ends.
ISSUER = "广东省人民政府办公厅 广东省发展和改革委员会 广东省工业和信息化厅"


@pytest.fixture
def digest(tmp_path: Path, secret: str) -> Iterator[Path]:
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}", upgrade=True)
    notice, _jiedu = seed(
        db,
        [
            Item(
                "广东省人民政府办公厅关于印发广东省推动低空经济高质量发展行动方案的通知",
                NOW - hours(4),
                body="各地级以上市人民政府，省政府各部门、各直属机构：\n现将行动方案印发给你们。",
                kind="policy",
                source="sz-gov",
                provinces=["广东"],
                policy={
                    "issuer": ISSUER,
                    "doc_no": DOC_NO,
                    "written_date": "2026-11-20",
                    "published_date": "2026-11-24",
                    "validity": "有效",
                },
            ),
            Item(
                "《广东省推动低空经济高质量发展行动方案》解读",
                NOW - hours(2),
                body="现就有关内容解读如下。",
                kind="policy",
                source="sz-gov",
            ),
        ],
    )
    with db.session() as session:
        for article in session.query(Article):
            if article.story_id == notice.story_id:
                article.doc_no = DOC_NO
            else:
                session.add(PolicyRef(article_id=article.id, relation="interprets", doc_no=DOC_NO))
    build_digests(make_config(tmp_path, [subscriber()]), db, out_dir=tmp_path / "out", now=NOW)
    db.dispose()
    yield tmp_path / "out" / "alice.html"


MEASURE = """(nowrap) => {
  const dn = document.querySelector('.dn');
  if (!nowrap) dn.style.whiteSpace = 'normal';
  const meta = dn.parentElement;
  const line = parseFloat(getComputedStyle(meta).lineHeight);
  const nest = document.querySelector('.nest');
  const title = document.querySelector('.entry .title');
  return {
    text: dn.textContent,
    boxes: dn.getClientRects().length,
    metaLines: Math.round(meta.getBoundingClientRect().height / line),
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
    nested: nest.innerText,
    nestBelowTitle: nest.getBoundingClientRect().top > title.getBoundingClientRect().bottom,
    nestIndented: nest.querySelector('li').getBoundingClientRect().left > title.getBoundingClientRect().left,
  };
}"""


def test_doc_no_never_wraps_at_phone_widths(browser: object, digest: Path) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": 375, "height": 800})  # type: ignore[attr-defined]
    page.goto(digest.as_uri())
    would_break = []
    for width in (375, *range(300, 601, 2), 1280):
        page.set_viewport_size({"width": width, "height": 800})
        got = page.evaluate(MEASURE, True)
        assert got["text"] == DOC_NO
        assert got["boxes"] == 1, (width, got)  # one box: on one line
        assert got["scroll"] <= got["client"], (width, got)
        assert "《广东省推动低空经济高质量发展行动方案》解读" in got["nested"]
        assert got["nestBelowTitle"] and got["nestIndented"]
        if width < 600:
            assert got["metaLines"] >= 2, (width, got)  # the line does wrap, around the 文号
        if width == 375:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "digests-policy-375.png"), full_page=True)
        if page.evaluate(MEASURE, False)["boxes"] > 1:
            would_break.append(width)
        page.evaluate("() => { document.querySelector('.dn').style.whiteSpace = 'nowrap'; }")
    page.close()
    assert would_break, "no width puts the 文号 at a line's end: the check proves nothing"
