"""Policy documents in the store, on SQLite and PostgreSQL: the write path keeps template notices
of several cities and years in stories of their own and reprints of one 文号 in one, records the
documents each article names, and reads documents back with their 解读, reports, amendments and
repeals (``Store.policies`` and the export)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import opencc
import pytest
from sqlalchemy import select

from crawler.analyze import Analysis
from crawler.base.config import Source
from crawler.base.db import Database
from crawler.base.models import Article, PolicyRef
from crawler.dedup import sketch
from crawler.extract import Extracted, PolicyMeta
from crawler.store.batch import ArticleRecord
from crawler.store.export import export_articles, iter_articles
from crawler.store.store import Store
from crawler.store.write import ArticleWriter, IndexCache, Origin, article_record
from crawler.tag import Tags

CST = timezone(timedelta(hours=8))
TEMPLATE = (
    Path(__file__).parents[1] / "dedup" / "testdata" / "policies" / "template-notice.txt"
).read_text(encoding="utf-8")
S2HK = opencc.OpenCC("s2hk")
TOPIC = "城镇燃气安全专项整治工作"


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    db = Database(database_url, upgrade=True)
    store = Store(db)
    store.ensure_sources(
        [
            Source(id="sz-gov", name="深圳市人民政府", feed="https://www.sz.gov.example/rss"),
            Source(id="gz-gov", name="广州市人民政府", feed="https://www.gz.gov.example/rss"),
            Source(id="sznews", name="深圳新闻网", feed="https://www.sznews.example/rss"),
            Source(id="hk", name="香港商报", feed="https://www.hkcd.example/rss"),
        ]
    )
    yield store
    db.dispose()


def page(
    source: str,
    n: int,
    title: str,
    body: str,
    *,
    policy: PolicyMeta | None = None,
    interpretation_of: str | None = None,
    day: int = 6,
) -> ArticleRecord:
    """The record the crawl stores for a page: analysed as the extractor would leave it."""
    extracted = Extracted(
        title=title,
        body=body,
        published=datetime(2024, 3, day, 9, 0, tzinfo=CST),
        outlet=None,
        author=None,
        image_url=None,
        policy=policy,
        interpretation_of=interpretation_of,
    )
    analysis = Analysis(extracted, Tags((), (), (), (), "policy"), sketch(body))
    url = f"https://www.{source}.example/zwgk/{n}.html"
    record = article_record(analysis, Origin(url, url, source), None)
    assert record is not None
    return record


def notice(city: str, abbr: str, year: int, number: int) -> tuple[str, str, PolicyMeta]:
    issuer = f"{city}人民政府办公室"
    body = TEMPLATE.format(
        abbr=abbr, year=year, number=number, city=city, issuer=issuer, month=3, day=5
    ).strip()
    table = PolicyMeta(
        issuer=issuer,
        doc_no=f"{abbr}〔{year}〕{number}号",
        written_date=f"{year}-03-05",
        published_date=f"{year}-03-06",
        validity="有效",
    )
    return f"{issuer}关于做好{year}年{TOPIC}的通知", body, table


def corpus() -> list[ArticleRecord]:
    sz_title, sz_body, sz_table = notice("深圳市", "深府办函", 2024, 5)
    gz_title, gz_body, gz_table = notice("广州市", "穗府办函", 2024, 12)
    old_title, old_body, old_table = notice("深圳市", "深府办函", 2023, 31)
    return [
        page("sz-gov", 1, sz_title, sz_body, policy=sz_table),
        page("gz-gov", 1, gz_title, gz_body, policy=gz_table),
        page("sz-gov", 2, old_title, old_body, policy=old_table, day=1),
        page("sznews", 1, sz_title, sz_body),  # a reprint
        page("hk", 1, S2HK.convert(sz_title), S2HK.convert(sz_body)),  # in Traditional
        page(
            "sz-gov",
            3,
            f"《关于做好2024年{TOPIC}的通知》政策解读",
            "一、出台背景\n为切实防范化解城镇燃气领域重大安全风险，市政府办公室印发了"
            f"《关于做好2024年{TOPIC}的通知》。\n二、主要内容\n通知明确了排查、整改、改造三项任务。",
            interpretation_of="https://www.sz-gov.example/zwgk/1.html",
        ),
        page(
            "sznews",
            2,
            "深圳部署城镇燃气安全专项整治 老旧管网年内改造",
            "记者从市城市管理部门获悉，市政府办公室近日印发《关于做好2024年"
            f"{TOPIC}的通知》（深府办函〔2024〕5号），部署全面排查燃气安全隐患。\n"
            "通知要求，各区于4月30日前报送排查整治工作方案。",
            day=8,
        ),
        page(
            "sz-gov",
            4,
            "深圳市人民政府办公室关于印发深圳市城镇燃气安全管理若干措施的通知",
            "深府办规〔2024〕2号\n各区人民政府，市有关单位：\n《深圳市城镇燃气安全管理若干措施》已经"
            "市政府同意，现印发给你们，请认真组织实施。\n本措施自2024年4月1日起施行，有效期5年。"
            f"《深圳市人民政府办公室关于做好2023年{TOPIC}的通知》（深府办函〔2023〕31号）同时废止。\n"
            "深圳市人民政府办公室\n2024年3月20日",
            day=20,
        ),
        page(
            "sz-gov",
            5,
            "深圳市人民政府关于修改《深圳市城镇燃气安全管理若干措施》的决定",
            "深府〔2024〕30号\n市政府决定，对《深圳市城镇燃气安全管理若干措施》（深府办规〔2024〕2号）"
            "第五条作如下修改：将“每年”修改为“每半年”。\n本决定自公布之日起施行。\n"
            "深圳市人民政府\n2024年6月3日",
            day=28,
        ),
    ]


def test_notices_reprints_and_links_are_stored(store: Store) -> None:
    records = corpus()
    results = ArticleWriter(store, IndexCache()).write(records)
    assert all(not isinstance(r, Exception) for r in results), results
    with store.db.session() as session:
        rows = {a.url: a for a in session.scalars(select(Article))}
        refs = {
            (r.relation, r.doc_no, r.title)
            for r in session.scalars(select(PolicyRef))
            if r.relation != "is"
        }
    story = {url.split("//www.")[1]: a.story_id for url, a in rows.items()}
    reprints = {story["sz-gov.example/zwgk/1.html"], story["sznews.example/zwgk/1.html"],
                story["hk.example/zwgk/1.html"]}  # fmt: skip
    assert len(reprints) == 1  # one document on three sites, one in Traditional
    others = {story["gz-gov.example/zwgk/1.html"], story["sz-gov.example/zwgk/2.html"]}
    assert len(others) == 2 and not others & reprints  # template of another city, another year
    assert rows["https://www.hk.example/zwgk/1.html"].doc_no == "深府办函〔2024〕5号"
    assert ("repeals", "深府办函〔2023〕31号", None) in refs
    assert ("amends", "深府办规〔2024〕2号", None) in refs
    assert ("reports", "深府办函〔2024〕5号", None) in refs


def test_policies_lists_documents_with_what_is_around_them(store: Store) -> None:
    ArticleWriter(store, IndexCache()).write(corpus())
    documents = {d.doc_no: d for d in store.policies()}
    assert set(documents) == {
        "深府办函〔2024〕5号",
        "穗府办函〔2024〕12号",
        "深府办函〔2023〕31号",
        "深府办规〔2024〕2号",
        "深府〔2024〕30号",
    }
    notice_2024 = documents["深府办函〔2024〕5号"]
    assert notice_2024.url == "https://www.sz-gov.example/zwgk/1.html"  # the one with the table
    assert len(notice_2024.copies) == 3
    assert (notice_2024.issuer, notice_2024.written_date, notice_2024.validity) == (
        "深圳市人民政府办公室",
        "2024-03-05",
        "有效",
    )
    assert [x.url for x in notice_2024.interpretations] == [
        "https://www.sz-gov.example/zwgk/3.html"
    ]
    assert [x.url for x in notice_2024.reports] == ["https://www.sznews.example/zwgk/2.html"]
    assert not documents["穗府办函〔2024〕12号"].reports  # another city's notice: not named
    repealed = documents["深府办函〔2023〕31号"]
    assert [x.doc_no for x in repealed.repeals] == ["深府办规〔2024〕2号"]
    assert repealed.status == "已废止" and repealed.validity == "有效"
    measures = documents["深府办规〔2024〕2号"]
    assert [x.doc_no for x in measures.amendments] == ["深府〔2024〕30号"]
    assert measures.issuer == "深圳市人民政府办公室"  # from the signature, no table
    assert [d.doc_no for d in store.policies(issuer="广州")] == ["穗府办函〔2024〕12号"]
    since = datetime(2024, 3, 10, tzinfo=UTC)
    assert {d.doc_no for d in store.policies(since=since)} == {
        "深府办规〔2024〕2号",
        "深府〔2024〕30号",
    }


def test_export_carries_the_document_and_the_names(store: Store) -> None:
    ArticleWriter(store, IndexCache()).write(corpus())
    records = {r["url"]: r for r in iter_articles(store.db, CST, batch=3)}
    reprint = records["https://www.hk.example/zwgk/1.html"]
    assert reprint["doc_no"] == "深府办函〔2024〕5号"
    document = reprint["document"]
    assert document["url"] == "https://www.sz-gov.example/zwgk/1.html"
    assert [x["url"] for x in document["reports"]] == ["https://www.sznews.example/zwgk/2.html"]
    assert document["status"] == "有效"
    report = records["https://www.sznews.example/zwgk/2.html"]
    assert report["document"] is None
    assert {"relation": "reports", "doc_no": "深府办函〔2024〕5号", "title": None} in report[
        "names"
    ]
    old = records["https://www.sz-gov.example/zwgk/2.html"]["document"]
    assert old["status"] == "已废止" and old["repealed_by"][0]["doc_no"] == "深府办规〔2024〕2号"
    out = io.StringIO()
    assert export_articles(iter(records.values()), out, "csv") == len(records)
    assert "深府办函〔2024〕5号" in out.getvalue()
    lines = io.StringIO()
    export_articles(iter(records.values()), lines, "jsonl")
    assert all(json.loads(line)["names"] is not None for line in lines.getvalue().splitlines())


def test_an_index_rebuilt_from_the_store_keeps_documents_apart(store: Store) -> None:
    """After a restart the index is built from stored rows: their documents and founders."""
    first, *rest = corpus()
    ArticleWriter(store, IndexCache()).write([first])
    fresh = IndexCache()  # a new process
    ArticleWriter(store, fresh).write(rest)
    with store.db.session() as session:
        stories = {a.url: a.story_id for a in session.scalars(select(Article))}
    assert stories["https://www.hk.example/zwgk/1.html"] == stories[first.url]
    assert stories["https://www.gz-gov.example/zwgk/1.html"] != stories[first.url]
