"""Policies by document: one item per document (issuer · 文号 · dates · validity, its first sentence
after the addressees), its 解读 and news reports nested under it and not repeated as items, in the
HTML mail and the plain text alike; a 解读 whose document is not in the digest stays an item of its
own and names the document it explains; an older document is news by a new 解读."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crawler.base.db import Database
from crawler.base.models import Article, PolicyRef
from digests import build_digests
from tests.digests.digestkit import NOW, Item, hours, make_config, seed, subscriber, visit_item

DOC_NO = "深府办〔2026〕8号"
NOTICE = "深圳市人民政府办公厅关于印发深圳市数据要素市场化配置改革行动方案的通知"
BODY = (
    "各区人民政府，市政府直属各单位：\n"
    "《深圳市数据要素市场化配置改革行动方案》已经市政府同意，现印发给你们，请认真组织实施。"
    "实施中遇到的问题，请径向市政务服务数据管理局反映。\n"
    "一、总体要求。到2027年建成数据要素市场体系。"
)
TABLE = {
    "issuer": "深圳市人民政府办公厅",
    "doc_no": DOC_NO,
    "written_date": "2026-11-20",
    "published_date": "2026-11-24",
    "validity": "有效",
}
JIEDU = "《深圳市数据要素市场化配置改革行动方案》政策解读"
REPORT = "深圳出台数据要素改革行动方案 培育数据交易市场"
LONE = "《北京市促进低空经济产业高质量发展行动方案》解读"


def _doc(db: Database, item: Item, doc_no: str, issuer: str) -> None:
    with db.session() as session:
        for article in session.query(Article).filter(Article.story_id == item.story_id):
            article.doc_no, article.doc_issuer = doc_no, issuer
            session.add(PolicyRef(article_id=article.id, relation="is", title=item.title[-30:]))


def _ref(db: Database, item: Item, relation: str, **named: Any) -> None:
    with db.session() as session:
        for article in session.query(Article).filter(Article.story_id == item.story_id):
            if "url" in named:
                article.interpretation_of = named["url"]
            else:
                session.add(PolicyRef(article_id=article.id, relation=relation, **named))


def _notice(first_seen: datetime, **kw: Any) -> Item:
    return Item(
        NOTICE,
        first_seen,
        body=BODY,
        kind="policy",
        source="sz-gov",
        url="https://www.sz.gov.example.cn/zcfg/post_8.html",
        cities=["深圳"],
        policy=TABLE,
        **kw,
    )


def _jiedu(first_seen: datetime) -> Item:
    return Item(
        JIEDU,
        first_seen,
        body="现就有关内容解读如下。",
        kind="policy",
        source="sz-gov",
        cities=["深圳"],
    )


def _build(tmp_path: Path, db: Database, **sub: Any) -> tuple[str, str]:
    out = tmp_path / "out"
    build_digests(make_config(tmp_path, [subscriber(**sub)]), db, out_dir=out, now=NOW)
    return (out / "alice.html").read_text("utf-8"), (out / "alice.txt").read_text("utf-8")


def _section(text: str, title: str) -> str:
    start = text.index(f"== {title}")
    end = text.find("\n== ", start + 1)
    return text[start : end if end >= 0 else text.index("\n--\n")]


LINKS: Sequence[str] = ("doc_no", "title", "url")


@pytest.mark.parametrize("link", LINKS)
def test_interpretation_and_report_nest_under_their_document(
    db: Database, tmp_path: Path, secret: str, link: str
) -> None:
    """The 解读 names its document by 文号, by title, or links the page: nested all the same;
    the report (another outlet, another source name) nested with its outlet; neither repeated;
    a visit that mentions the document stays in the visits table."""
    notice, jiedu, report, visit = seed(
        db,
        [
            _notice(NOW - hours(5)),
            _jiedu(NOW - hours(3)),
            Item(
                REPORT,
                NOW - hours(2),
                body="记者获悉，深圳日前印发行动方案。",
                source="dazhong",
                cities=["深圳"],
                themes=["digital"],
            ),
            visit_item("青岛", "深圳", NOW - hours(1)),
        ],
    )
    _doc(db, notice, DOC_NO, "深圳市人民政府办公厅")
    named = {
        "doc_no": {"doc_no": DOC_NO},
        "title": {"title": notice.title[-30:]},
        "url": {"url": "https://www.sz.gov.example.cn/zcfg/post_8.html"},
    }[link]
    _ref(db, jiedu, "interprets", **named)
    _ref(db, report, "reports", doc_no=DOC_NO)
    _ref(db, visit, "reports", doc_no=DOC_NO)

    html, text = _build(tmp_path, db)

    policies = _section(text, "政策发布")
    assert "政策发布（1条）" in policies  # the 解读 is not counted as an item of its own
    assert f"* {NOTICE}" in policies
    assert (
        "深圳市人民政府办公厅 · 深府办〔2026〕8号 · 成文日期11月20日 · 发布日期11月24日 · 有效"
        in (policies)
    )
    # The first sentence after the addressees, not the addressees, not the rest.
    assert (
        "  《深圳市数据要素市场化配置改革行动方案》已经市政府同意，现印发给你们，请认真组织实施。\n"
        in (policies)
    )
    assert "各区人民政府" not in text and "径向" not in text
    assert f"└ 解读：{JIEDU}（深圳市人民政府 · 11月27日）" in policies
    assert f"└ 报道：{REPORT}（大众网 · 11月27日） https://dazhong.example.cn/a/" in policies
    for title in (JIEDU, REPORT):
        assert text.count(title) == 1, title
        assert html.count(title) == 1, title
    assert "青岛 → 深圳" in _section(text, "城市考察交流")  # a visit is not folded away
    nest = html[html.index('<ul class="nest"') : html.index("</ul>", html.index('class="nest"'))]
    assert re.search(
        r'<a href="https://sz-gov\.example\.cn/a/\d+-0\.html"[^>]*>' + re.escape(JIEDU), nest
    )
    assert ">解读</span>" in nest and ">报道</span>" in nest and "大众网" in nest
    assert re.search(
        r'<span class="dn" style="white-space: ?nowrap;?">深府办〔2026〕8号</span>', html
    )


def test_an_interpretation_without_its_document_names_it(
    db: Database, tmp_path: Path, secret: str
) -> None:
    """A 解读 whose document is not in the digest (never stored, or filtered out) stays an item
    and says which document it explains."""
    notice, jiedu, lone = seed(
        db,
        [
            _notice(NOW - hours(5)),
            _jiedu(NOW - hours(3)),
            Item(
                LONE,
                NOW - hours(2),
                body="现将有关情况解读如下。",
                kind="policy",
                source="xinhua",
                cities=["北京"],
            ),
        ],
    )
    _doc(db, notice, DOC_NO, "深圳市人民政府办公厅")
    _ref(db, jiedu, "interprets", doc_no=DOC_NO)
    _ref(db, lone, "interprets", doc_no="京政办发〔2026〕15号")
    _ref(db, lone, "interprets", title="北京市促进低空经济产业高质量发展行动方案")

    html, text = _build(tmp_path, db)
    policies = _section(text, "政策发布")
    assert "政策发布（2条）" in policies
    assert f"* {LONE}" in policies
    assert "所解读文件：" in policies and "京政办发〔2026〕15号" in policies
    assert "《北京市促进低空经济产业高质量发展行动方案》" in policies

    # A reader who follows 解读 by keyword but whose filter lets the notice through neither:
    # the 解读 stands alone and names the notice.
    html, text = _build(tmp_path, db, filter={"keywords": ["解读"], "exclude": ["印发"]})
    assert NOTICE not in text
    assert f"* {JIEDU}" in text and "所解读文件：深府办〔2026〕8号" in text
    assert "所解读文件：" in html


def test_an_older_document_is_news_by_its_new_interpretation(
    db: Database, tmp_path: Path, secret: str
) -> None:
    """A document published before the grace days but found with a new 解读 leads to it (in
    政策发布, not 旧闻补录); an older one without anything new stays out of the news."""
    old = NOW - timedelta(days=12)
    notice, jiedu, other = seed(
        db,
        [
            _notice(NOW - hours(6), published=old),
            _jiedu(NOW - hours(3)),
            Item(
                "深圳市人民政府关于印发深圳市养老服务体系建设规划的通知",
                NOW - hours(4),
                published=old,
                kind="policy",
                source="sz-gov",
                cities=["深圳"],
                body="各区人民政府：\n现将规划印发给你们。",
            ),
        ],
    )
    _doc(db, notice, DOC_NO, "深圳市人民政府办公厅")
    _doc(db, other, "深府〔2026〕2号", "深圳市人民政府")
    _ref(db, jiedu, "interprets", doc_no=DOC_NO)
    for old_news in (False, True):
        _html, text = _build(tmp_path, db, old_news=old_news)
        policies = _section(text, "政策发布")
        assert f"* {NOTICE}" in policies and f"└ 解读：{JIEDU}" in policies
        assert text.count(JIEDU) == 1
        assert "养老服务体系" not in policies
        assert ("养老服务体系" in text) is old_news  # 旧闻补录 only when asked for


def test_a_repealed_document_is_marked(db: Database, tmp_path: Path, secret: str) -> None:
    notice, repeal = seed(
        db,
        [
            _notice(NOW - hours(5)),
            Item(
                "深圳市人民政府办公厅关于废止部分规范性文件的决定",
                NOW - hours(2),
                kind="policy",
                source="sz-gov",
                cities=["深圳"],
                body="各区人民政府：\n决定废止《深府办〔2026〕8号》。",
            ),
        ],
    )
    _doc(db, notice, DOC_NO, "深圳市人民政府办公厅")
    _doc(db, repeal, "深府办〔2026〕11号", "深圳市人民政府办公厅")
    _ref(db, repeal, "repeals", doc_no=DOC_NO)
    html, text = _build(tmp_path, db)
    assert "深府办〔2026〕8号 · 成文日期11月20日 · 发布日期11月24日 · 已废止" in text
    assert re.search(r'<span class="void"[^>]*>已废止</span>', html)
    assert text.count("* 深圳市人民政府办公厅关于废止部分规范性文件的决定") == 1


def test_a_document_ranks_by_its_stored_issuer(db: Database, tmp_path: Path, secret: str) -> None:
    """The issuer found for the 文号 (no metadata table, a title that names no place) ranks the
    document: a provincial measure above a city's notice seen later the same day."""
    city, province = seed(
        db,
        [
            _notice(NOW - hours(2)),
            Item("关于进一步优化营商环境的若干措施", NOW - hours(6), kind="policy",
                 source="dazhong", body="各市人民政府，省政府各部门：\n现将若干措施印发给你们。"),
        ],
    )  # fmt: skip
    _doc(db, city, DOC_NO, "深圳市人民政府办公厅")
    _doc(db, province, "粤府〔2026〕31号", "广东省人民政府")
    _html, text = _build(tmp_path, db)
    policies = _section(text, "政策发布")
    assert policies.index("* 关于进一步优化营商环境的若干措施") < policies.index(f"* {NOTICE}")
    assert "  广东省人民政府 · 粤府〔2026〕31号\n" in policies
