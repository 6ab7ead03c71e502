"""The archive's day pages and filtered views show policies by document exactly as the mail does
(one grouping, :meth:`digests.select.StoryPool.grouped`): the document item with issuer, 文号,
dates, validity and its first sentence, its 解读 and reports nested under it (each nested line
the story's permalink anchor), never items of their own; a lone 解读 names its document; older
finds sit under 旧闻补录, where a mail's cut 旧闻补录 section links (on SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest

from crawler.base.config.subscribers import SubscriberFilter
from crawler.base.db import Database
from digests import build_digests
from digests.archive import view_key
from tests.digests.digestkit import (
    NOW,
    Item,
    hours,
    make_config,
    seed,
    subscriber,
    visit_item,
)
from tests.digests.test_policy_documents import (
    DOC_NO,
    JIEDU,
    LONE,
    REPORT,
    TABLE,
    _doc,
    _jiedu,
    _notice,
    _ref,
)
from tests.digests.test_views import ARTICLE, _local, _more_link

DAY = "2026-11-26"  # NOW - 8.5 h and more, Shanghai


def _section(html: str, section: str) -> str:
    start = html.index(f'<h2 id="{section}">')
    end = html.find("<h2 ", start + 1)
    return html[start : end if end >= 0 else html.index("<footer>")]


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def _article(html: str, story_id: int) -> str:
    start = html.index(f'<article id="s{story_id}">')
    return html[start : html.index("</article>", start)]


def _seed_documents(db: Database, issuer: str = TABLE["issuer"]) -> tuple[Item, Item, Item, Item]:
    notice, jiedu, report, lone = seed(
        db,
        [
            dataclasses.replace(_notice(NOW - hours(12)), policy=TABLE | {"issuer": issuer}),
            _jiedu(NOW - hours(11)),
            Item(REPORT, NOW - hours(10), body="记者获悉，深圳日前印发行动方案。",
                 source="dazhong", cities=["深圳"]),
            Item(LONE, NOW - hours(9), body="现将有关情况解读如下。", kind="policy",
                 source="xinhua", cities=["深圳"]),
        ],
    )  # fmt: skip
    _doc(db, notice, DOC_NO, "深圳市人民政府办公厅")
    _ref(db, jiedu, "interprets", doc_no=DOC_NO)
    _ref(db, report, "reports", doc_no=DOC_NO)
    _ref(db, lone, "interprets", doc_no="京政办发〔2026〕15号")
    return notice, jiedu, report, lone


READERS: Sequence[dict[str, object]] = (
    {},  # everything: the day page is the view
    {"id": "bob", "email": "bob@example.org", "filter": {"cities": ["深圳"]}},
)


def test_day_page_and_view_nest_interpretations_under_their_document(
    db: Database, tmp_path: Path, secret: str
) -> None:
    notice, jiedu, report, lone = _seed_documents(db)
    config = make_config(tmp_path, [subscriber(**r) for r in READERS])
    build_digests(config, db, out_dir=tmp_path / "o", now=NOW)
    archive = tmp_path / "archive"
    key = view_key(SubscriberFilter(cities=("深圳",)))
    pages = {"day": archive / f"{DAY}.html", "view": archive / "view" / f"{DAY}-{key}.html"}
    mail = (tmp_path / "o" / "alice.html").read_text(encoding="utf-8")
    for name, page in pages.items():
        html = page.read_text(encoding="utf-8")
        # Items: the document and the lone 解读; the nested 解读 and report are not items.
        assert set(map(int, ARTICLE.findall(html))) == {notice.story_id, lone.story_id}, name
        assert html.count(JIEDU) == 1 and html.count(REPORT) == 1, name
        item = _article(html, notice.story_id)
        assert re.search(r'<span class="dn"[^>]*>深府办〔2026〕8号</span>', item), name
        for part in ("深圳市人民政府办公厅", "成文日期11月20日", "发布日期11月24日", "有效"):
            assert part in item, (name, part)
        assert "现印发给你们，请认真组织实施。" in item and "各区人民政府" not in item, name
        nest = item[item.index('<ul class="nest">') :]
        # Each nested line is its story's permalink (the feeds link there).
        for story, kind, title in ((jiedu, "解读", JIEDU), (report, "报道", REPORT)):
            assert re.search(
                rf'<li id="s{story.story_id}"><span class="nk">{kind}</span><a [^>]*>{title}', nest
            ), (name, kind)
        ids = re.findall(r'id="(s\d+)"', html)
        assert len(ids) == len(set(ids)), name  # no anchor twice
        # A lone 解读 names what it explains.
        assert "所解读文件：京政办发〔2026〕15号" in _article(html, lone.story_id), name
        # The same document block as the mail's (one macro): the mail's meta line is here.
        meta = re.search(r'<p class="doc"[^>]*>(深圳市人民政府办公厅 · .*?)</p>', mail)
        assert meta is not None and _text(meta.group(1)) in _text(item), name
        assert '政策发布<span class="n"> · 2条' in html, name


def test_a_cut_old_news_section_links_to_the_views_old_news(
    db: Database, tmp_path: Path, secret: str
) -> None:
    """A reader who asks for 旧闻补录: its 还有N条 opens their view at ``#old``, which holds
    exactly the older finds of the day; the news stays in its own sections above it."""
    backfill = seed(
        db,
        [
            Item(f"深圳旧文{n}", NOW - hours(10 + n), cities=["深圳"],
                 published=NOW - timedelta(days=40 + n))
            for n in range(5)
        ],
    )  # fmt: skip
    fresh = seed(db, [Item("深圳今日新闻", NOW - hours(9), cities=["深圳"])])
    reader = subscriber(filter={"cities": ["深圳"]}, old_news=True)
    build_digests(make_config(tmp_path, [reader]), db, out_dir=tmp_path / "o", now=NOW)
    mail = (tmp_path / "o" / "alice.html").read_text(encoding="utf-8")
    link = _more_link(mail, 2)  # per_section 3 of 5
    page, fragment = _local(link, tmp_path / "archive")
    assert page.parent.name == "view" and fragment == "old"
    html = page.read_text(encoding="utf-8")
    old = _section(html, "old")
    assert "旧闻补录" in old and "早前发布" in old
    assert set(map(int, ARTICLE.findall(old))) == {i.story_id for i in backfill}
    assert html.index('<h2 id="other">') < html.index('<h2 id="old">')
    assert set(map(int, ARTICLE.findall(_section(html, "other")))) == {fresh[0].story_id}
    assert "2026年" not in old and "10月" in old  # their own dates, this year's without a year


@pytest.mark.parametrize("grace_days", [3, 60])
def test_the_day_page_says_old_news_too(
    db: Database, tmp_path: Path, secret: str, grace_days: int
) -> None:
    """The day page is the view of a reader who takes everything: it has the section too,
    whatever a reader's grace (the archive's is the default three days)."""
    old, new = seed(
        db,
        [
            Item("旧规划", NOW - hours(10), published=NOW - timedelta(days=5)),
            Item("新规划", NOW - hours(10), published=NOW - timedelta(days=2)),
        ],
    )
    reader = subscriber(grace_days=grace_days)
    build_digests(make_config(tmp_path, [reader]), db, out_dir=tmp_path / "o", now=NOW)
    html = (tmp_path / "archive" / f"{DAY}.html").read_text(encoding="utf-8")
    assert set(map(int, ARTICLE.findall(_section(html, "old")))) == {old.story_id}
    assert set(map(int, ARTICLE.findall(_section(html, "other")))) == {new.story_id}


def test_a_day_written_before_documents_nested_is_still_rewritten(
    db: Database, tmp_path: Path, secret: str
) -> None:
    """A day page written when its 解读 was an item of its own (archive.json lists it) is still
    rewritten when a return visit marks it: the 解读 is on the new page, nested, not gone."""
    early = NOW - hours(24 * 10)
    notice, jiedu, visit = seed(
        db,
        [_notice(early - hours(4)), _jiedu(early - hours(3)), visit_item("青岛", "深圳", early)],
    )
    _doc(db, notice, DOC_NO, "深圳市人民政府办公厅")
    _ref(db, jiedu, "interprets", doc_no=DOC_NO)
    build_digests(make_config(tmp_path, [subscriber()]), db, out_dir=tmp_path / "o", now=early)
    archive = tmp_path / "archive"
    manifest = archive / "archive.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    stories = data["days"]["2026-11-17"]["stories"]
    assert jiedu.story_id not in {s["id"] for s in stories}  # nested: not in the record
    stories.append({**stories[0], "id": jiedu.story_id, "title": JIEDU})  # as older runs wrote
    manifest.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    seed(db, [visit_item("深圳", "青岛", NOW - hours(2))])
    build_digests(make_config(tmp_path, [subscriber()]), db, out_dir=tmp_path / "o", now=NOW)
    first_day = (archive / "2026-11-17.html").read_text(encoding="utf-8")
    assert "已回访" in first_day and f'<li id="s{jiedu.story_id}">' in first_day
    assert f'<article id="s{visit.story_id}">' in first_day
