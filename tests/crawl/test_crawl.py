"""`crawl once` end to end against a loopback farm: every allowed article stored exactly once."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crawler.base.config import Config, load_config
from crawler.base.db import Database
from crawler.base.models import Article, Fetch, SourceState
from crawler.pipeline import crawl
from crawler.report import CrawlOptions
from crawler.store.export import iter_articles
from crawler.store.store import Store
from tests.sitefarm import SETTINGS_YAML, Site, farm, serve, sources_yaml

ARTICLES = 25


@pytest.fixture
def sites() -> Iterator[list[Site]]:
    with serve(farm(5, ARTICLES)) as running:
        yield running


def make_config(
    folder: Path, sites: list[Site], database_url: str, *, extra: str = "", **kw: object
) -> Config:
    folder.mkdir(parents=True, exist_ok=True)
    settings = SETTINGS_YAML.format(db="unused", concurrency=2, delay=0, timeout=3)
    (folder / "citydigest.yaml").write_text(settings.replace("sqlite:///unused", database_url))
    (folder / "sources.yaml").write_text(sources_yaml(sites, **kw) + extra)
    return load_config(folder)


def stored(db: Database) -> list[tuple[str, str, str | None]]:
    with db.session() as session:
        return list(
            session.execute(
                select(Article.source_id, Article.canonical_url, Article.title).order_by(Article.id)
            )
        )


async def test_crawl_stores_every_allowed_article_once(
    tmp_path: Path, sites: list[Site], database_url: str
) -> None:
    config = make_config(tmp_path / "cfg", sites, database_url)
    db = Database(database_url, upgrade=True)
    summary = await crawl(config, db)
    assert summary.ok, [r.errors for r in summary.reports]
    rows = stored(db)
    assert len(rows) == len(sites) * ARTICLES
    assert len({url for _, url, _ in rows}) == len(rows)
    by_url = {url: title for _, url, title in rows}
    for site in sites:
        for article in site.articles:
            assert by_url[site.article_url(article.number)] == article.title
        # robots.txt: the /private/ link on the first list page was never requested
        assert not any(p.startswith("/private/") for _, p in site.requests)
        assert site.max_active <= 2
    assert sum(r.disallowed for r in summary.reports) == len(sites)

    again = await crawl(config, db)
    assert again.new == 0
    assert len(stored(db)) == len(rows)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Fetch)) > len(rows)
        health = {s.id: s for s in session.scalars(select(SourceState))}
        assert all(
            h.last_success_at is not None and h.consecutive_failures == 0 for h in health.values()
        )
    db.dispose()


async def test_charsets_decode_in_stored_text(
    tmp_path: Path, sites: list[Site], database_url: str
) -> None:
    config = make_config(tmp_path / "cfg", sites, database_url)
    db = Database(database_url, upgrade=True)
    await crawl(config, db)
    records = list(iter_articles(db, config.settings.zone))
    assert records
    for record in records:
        assert "\ufffd" not in (record["title"] or "") + record["body"]
        assert "本文编号" in record["body"] or "本文編號" in record["body"]
        assert "责任编辑" not in record["body"] and "分享到" not in record["body"]
        assert record["published"] is not None and record["published"].endswith("+08:00")
    db.dispose()


async def test_a_failing_source_does_not_stop_the_others(
    tmp_path: Path, sites: list[Site], database_url: str
) -> None:
    dead = f"""  - id: dead
    name: 死站
    feed: http://127.0.0.1:9/feed.xml
  - id: broken
    name: 坏站
    feed: {sites[0].base}/error
"""
    config = make_config(tmp_path / "cfg", sites, database_url, extra=dead)
    db = Database(database_url, upgrade=True)
    summary = await crawl(config, db)
    assert not summary.ok
    failed = {r.source_id for r in summary.reports if r.failed}
    assert failed == {"dead", "broken"}
    assert len(stored(db)) == len(sites) * ARTICLES
    with db.session() as session:
        row = session.get(SourceState, "broken")
        assert (
            row is not None
            and row.consecutive_failures == 1
            and "HTTP 500" in (row.last_error or "")
        )
    db.dispose()


async def test_max_pages_and_restart_continue(
    tmp_path: Path, sites: list[Site], database_url: str
) -> None:
    config = make_config(tmp_path / "cfg", sites[2:3], database_url)  # a site with no feed
    db = Database(database_url, upgrade=True)
    await crawl(config, db, options=CrawlOptions(max_pages=1))
    assert len(stored(db)) == sites[2].per_page
    await crawl(config, db)
    assert len(stored(db)) == ARTICLES
    db.dispose()


async def test_since_stops_the_backfill(
    tmp_path: Path, sites: list[Site], database_url: str
) -> None:
    from datetime import date

    site = sites[2]
    config = make_config(tmp_path / "cfg", [site], database_url)
    db = Database(database_url, upgrade=True)
    cutoff = site.articles[5].published.astimezone(config.settings.zone).date()
    summary = await crawl(config, db, options=CrawlOptions(since=cutoff))
    zone = config.settings.zone
    expected = {
        site.article_url(a.number)
        for a in site.articles
        if a.published.astimezone(zone).date() >= cutoff
    }
    assert {url for _, url, _ in stored(db)} == expected
    list_requests = [p for _, p in site.requests if p.startswith("/list/")]
    assert len(list_requests) < site.pages
    assert summary.reports[0].older > 0
    assert isinstance(cutoff, date)
    db.dispose()


async def test_a_full_crawl_reads_one_list_page_ahead_never_more(
    tmp_path: Path, database_url: str
) -> None:
    """While a list page's articles are fetched, analysed and stored, a full crawl (where to
    stop depends on the pages alone) reads the next list page; the one after that waits until
    the articles of the page before are done."""
    from crawler.report import CrawlObserver

    site = farm(1, 60, latency=0.01)[0]
    site.feed = "none"
    events: list[str] = []

    class Watch(CrawlObserver):
        def page_fetched(self, source: object, url: str) -> None:
            events.append(url.rsplit("/", 2)[-2] + "/" + url.rsplit("/", 1)[-1])

        def article_done(self, source: object, *, new: bool) -> None:
            events.append("done")

    with serve([site]):
        config = make_config(tmp_path / "cfg", [site], database_url)
        db = Database(database_url, upgrade=True)
        summary = await crawl(config, db, observer=Watch())
        assert summary.ok and summary.new == 60
        db.dispose()
    done_before = {
        event: events[:at].count("done")
        for at, event in enumerate(events)
        if event.startswith("list/")
    }
    per_page = site.per_page
    assert sorted(done_before) == [f"list/{page}.html" for page in range(1, site.pages + 1)]
    for page in range(3, site.pages + 1):  # never more than one page ahead
        assert done_before[f"list/{page}.html"] >= (page - 2) * per_page
    # ...but ahead: some list page was read before the articles of the page before were stored
    assert any(
        done_before[f"list/{page}.html"] < (page - 1) * per_page
        for page in range(2, site.pages + 1)
    )


def test_export_fields(tmp_path: Path, sites: list[Site], database_url: str) -> None:
    config = make_config(tmp_path / "cfg", sites[:1], database_url)
    db = Database(database_url, upgrade=True)
    asyncio.run(crawl(config, db))
    record = next(iter_articles(db, config.settings.zone))
    assert list(record)[:15] == [
        "id",
        "url",
        "canonical_url",
        "source",
        "title",
        "published",
        "fetched",
        "body",
        "outlet",
        "cities",
        "provinces",
        "themes",
        "visits",
        "story_id",
        "duplicate_of",
    ]
    assert json.loads(json.dumps(record, ensure_ascii=False)) == record
    assert isinstance(record["cities"], list) and isinstance(record["visits"], list)
    db.dispose()


async def test_unchanged_feeds_and_sitemaps_are_not_reread(
    tmp_path: Path, sites: list[Site], database_url: str
) -> None:
    config = make_config(tmp_path / "cfg", sites, database_url)
    db = Database(database_url, upgrade=True)
    await crawl(config, db)
    again = await crawl(config, db, options=CrawlOptions(incremental=True))
    with_feed = [s for s in sites if s.feed != "none"]
    assert sum(r.not_modified for r in again.reports) >= len(with_feed) + len(sites)
    for site in sites:
        # After the unchanged first list page, no deeper list page was read again.
        assert [p for _, p in site.requests].count("/list/2.html") == 1
    db.dispose()


async def test_sketches_of_an_old_format_are_rebuilt(
    tmp_path: Path, sites: list[Site], database_url: str
) -> None:
    from sqlalchemy import update

    from crawler.store import write

    config = make_config(tmp_path / "cfg", sites[:1], database_url)
    db = Database(database_url, upgrade=True)
    newest, *older = sites[0].articles
    sites[0].articles = older
    await crawl(config, db)
    with db.session() as session:
        session.execute(update(Article).values(sketch=b"\x00old"))
    write.INDEXES.clear()  # a new process
    # The index is built at a crawl's first write (a crawl with nothing new reads no sketches),
    # and the old sketches are rebuilt then.
    sites[0].articles = [newest, *older]
    again = await crawl(config, db)
    assert again.ok and sum(r.new for r in again.reports) >= 1
    with db.session() as session:
        assert all(len(s) > 10 for s in session.scalars(select(Article.sketch)))
    db.dispose()


async def test_cache_hints_and_retention(tmp_path: Path, database_url: str) -> None:
    import httpx

    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        "<item><title>青岛市党政考察团赴深圳考察学习</title><link>https://hint.example/a.html</link></item>"
        "</channel></rss>"
    )
    page = (
        "<html><body><h1>青岛市党政考察团赴深圳考察学习</h1><div class='article'>"
        + "<p>5月11日，青岛市党政考察团赴深圳考察学习智慧城市建设的经验做法，双方深入交流。</p>" * 5
        + "</div></body></html>"
    )

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/feed.xml":
            return httpx.Response(200, text=feed, headers={"Cache-Control": "public, max-age=7200"})
        if request.url.path == "/a.html":
            return httpx.Response(200, html=page)
        return httpx.Response(404)

    folder = tmp_path / "cfg"
    folder.mkdir()
    (folder / "citydigest.yaml").write_text(f"database: {database_url}\nretention_days: 30\n")
    (folder / "sources.yaml").write_text(
        "sources:\n  - id: hint\n    name: h\n    feed: https://hint.example/feed.xml\n"
    )
    config = load_config(folder)
    db = Database(database_url, upgrade=True)
    summary = await crawl(config, db, transport=httpx.MockTransport(handler))
    assert summary.new == 1
    assert summary.reports[0].cache_hint is not None
    assert summary.reports[0].cache_hint.total_seconds() == 7200

    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    first_crawl = Store(db).fetch_counts()
    with db.session() as session:
        session.execute(update(Article).values(fetched=datetime.now(UTC) - timedelta(days=31)))
        session.execute(update(Fetch).values(fetched_at=datetime.now(UTC) - timedelta(days=31)))
    await crawl(config, db, transport=httpx.MockTransport(handler))
    assert stored(db) == []  # past retention_days: deleted (and the feed is unchanged, not re-read)
    # The fetch log keeps fetch_log_days (30 by default): the first crawl's rows are gone, the
    # second's stay, and the counts of both are kept.
    with db.session() as session:
        assert session.scalars(select(Fetch.url)).all() == ["https://hint.example/feed.xml"]
    counts, errors = Store(db).fetch_counts()
    assert sum(counts.values()) == sum(first_crawl[0].values()) + 1
    assert errors == first_crawl[1]
    db.dispose()


async def test_links_too_long_to_key_are_left_out_and_the_rest_stored(
    tmp_path: Path, database_url: str
) -> None:
    """A link over 2,048 characters is not a link; a Chinese path of 300 characters is, but
    percent-encoded it is too long to key: PostgreSQL cannot index it, so the article would fail
    on every run. Each is left out, and the source's other article is stored."""
    import httpx

    page = (
        "<html><head><title>青岛市党政考察团赴深圳考察学习</title></head><body><div class='article'>"
        + "<p>5月11日，青岛市党政考察团赴深圳考察学习智慧城市建设的经验做法，双方深入交流。</p>" * 5
        + "</div></body></html>"
    )
    chinese = "https://long.example/" + "青岛" * 150 + ".html"
    links = ["https://long.example/a.html", "https://long.example/?s=" + "x" * 3000, chinese]
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        + "".join(
            f"<item><title>考察{n}</title><link>{u}</link></item>" for n, u in enumerate(links)
        )
        + "</channel></rss>"
    )
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path == "/feed.xml":
            return httpx.Response(200, text=feed)
        return httpx.Response(200, html=page)

    folder = tmp_path / "cfg"
    folder.mkdir()
    (folder / "citydigest.yaml").write_text(f"database: {database_url}\n")
    (folder / "sources.yaml").write_text(
        "sources:\n  - id: long\n    name: l\n    feed: https://long.example/feed.xml\n"
    )
    db = Database(database_url, upgrade=True)
    summary = await crawl(load_config(folder), db, transport=httpx.MockTransport(handler))
    assert [url for _, url, _ in stored(db)] == ["https://long.example/a.html"]
    assert seen == ["/robots.txt", "/feed.xml", "/a.html"]
    report = summary.reports[0]
    assert summary.ok and report.new == 1
    assert any("canonical form is longer than 2,048" in e for e in report.errors)
    db.dispose()


async def test_policy_and_its_interpretation_are_linked(tmp_path: Path, database_url: str) -> None:
    import httpx

    policy = (
        "<html><head><title>关于印发智慧城市行动方案的通知</title></head><body>"
        "<table><tr><td>索引号：</td><td>11440300/2021-00231</td><td>发文机关：</td><td>深圳市人民政府办公厅</td></tr>"
        "<tr><td>成文日期：</td><td>2021-05-10</td><td>发文字号：</td><td>深府办〔2021〕5号</td></tr>"
        "<tr><td>发布日期：</td><td>2021-05-11</td><td>有效性：</td><td>有效</td></tr></table>"
        "<h1>关于印发智慧城市行动方案的通知</h1><div class='content'>"
        + "<p>各区人民政府：现将《深圳市智慧城市行动方案》印发给你们，请认真组织实施，推进数字政府建设。</p>"
        * 4
        + "</div></body></html>"
    )
    reading = (
        "<html><head><title>《深圳市智慧城市行动方案》政策解读</title></head><body>"
        "<h1>《深圳市智慧城市行动方案》政策解读</h1><div class='content'>"
        + "<p>近日，市政府办公厅印发《深圳市智慧城市行动方案》，现就有关内容解读如下，推进城市大脑建设。</p>"
        * 4
        + "<p>相关文件：<a href='https://gov.example/zcfg/post_1.html'>关于印发智慧城市行动方案的通知</a></p>"
        "</div></body></html>"
    )
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        "<item><title>通知</title><link>https://gov.example/zcfg/post_1.html</link></item>"
        "<item><title>解读</title><link>https://gov.example/zcjd/post_2.html</link></item>"
        "</channel></rss>"
    )
    pages = {"/feed.xml": feed, "/zcfg/post_1.html": policy, "/zcjd/post_2.html": reading}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path in pages:
            return httpx.Response(
                200,
                text=pages[request.url.path],
                headers={"Content-Type": "text/html; charset=utf-8"},
            )
        return httpx.Response(404)

    folder = tmp_path / "cfg"
    folder.mkdir()
    (folder / "citydigest.yaml").write_text(f"database: {database_url}\n")
    (folder / "sources.yaml").write_text(
        "sources:\n  - id: gov\n    name: g\n    feed: https://gov.example/feed.xml\n"
    )
    config = load_config(folder)
    db = Database(database_url, upgrade=True)
    summary = await crawl(config, db, transport=httpx.MockTransport(handler))
    assert summary.new == 2, [r.errors for r in summary.reports]
    records = {r["url"]: r for r in iter_articles(db, config.settings.zone)}
    notice = records["https://gov.example/zcfg/post_1.html"]
    assert notice["kind"] == "policy"
    assert notice["policy"]["doc_no"] == "深府办〔2021〕5号"
    assert notice["policy"]["interpretations"] == ["https://gov.example/zcjd/post_2.html"]
    assert (
        records["https://gov.example/zcjd/post_2.html"]["interpretation_of"]
        == "https://gov.example/zcfg/post_1.html"
    )
    db.dispose()
