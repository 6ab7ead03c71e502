"""Storage on SQLite and PostgreSQL: schema, upserts, stories, health, retention."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from crawler.base.config import Source
from crawler.base.db import SCHEMA_HEAD, Database, current_head
from crawler.base.errors import SchemaOutdated
from crawler.base.models import Article, Fetch, SourceState, Story, utcnow
from crawler.fetch.response import FetchRecord, Validators
from crawler.store.batch import ArticleRecord
from crawler.store.store import Store

CST = timezone(timedelta(hours=8))


@pytest.fixture
def store(database_url: str) -> Store:
    db = Database(database_url, upgrade=True)
    store = Store(db)
    store.ensure_sources(
        [
            Source(id="xinhua", name="新华网", feed="https://xinhua.example.org/rss"),
            Source(id="qd", name="青岛新闻网", feed="https://qd.example.org/rss"),
            Source(id="sz", name="深圳新闻网", feed="https://sz.example.org/rss"),
        ]
    )
    yield store
    db.dispose()


def record(n: int, source: str = "qd", **kw: object) -> ArticleRecord:
    base = {
        "url": f"https://{source}.example.org/news/{n}.html?utm_source=x",
        "canonical_url": f"https://{source}.example.org/news/{n}.html",
        "source_id": source,
        "title": f"标题{n}",
        "body": f"正文{n}",
        "published": datetime(2021, 5, 11, 8, 30, tzinfo=CST),
        "cities": ["青岛", "深圳"],
        "visits": [{"visitor": "青岛", "host": "深圳", "date": "2021-05-11", "evidence": "…"}],
        "kind": "visit",
    }
    return ArticleRecord(**{**base, **kw})  # type: ignore[arg-type]


def test_schema_is_at_head(store: Store) -> None:
    assert store.db.revision() == current_head()
    # The constant that spares an up-to-date database the Alembic import names the real head.
    assert current_head() == SCHEMA_HEAD


def test_migrations_build_the_models_schema(store: Store) -> None:
    """What the migrations create is what the models declare (tables, columns, indexes)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from crawler.base.models import Base

    with store.db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_unupgraded_postgres_refuses_to_start(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        assert Database(database_url).revision() == current_head()  # created on first use
    else:
        with pytest.raises(SchemaOutdated, match="citydigest db upgrade"):
            Database(database_url)


def test_saving_twice_keeps_one_article(store: Store) -> None:
    first = store.save_article(record(1))
    second = store.save_article(record(1, title="changed"))
    assert first.created and not second.created
    assert first.article_id == second.article_id
    with store.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 1
        assert session.scalar(select(Article.title)) == "标题1"


def test_times_round_trip_tz_aware(store: Store) -> None:
    saved = store.save_article(record(2))
    with store.db.session() as session:
        article = session.get(Article, saved.article_id)
        assert article is not None
        assert article.published == datetime(2021, 5, 11, 0, 30, tzinfo=UTC)
        assert article.published_offset == 480
        assert article.fetched.tzinfo is not None
        assert article.visits[0]["host"] == "深圳"
        assert article.cities == ["青岛", "深圳"]


def test_known(store: Store) -> None:
    store.save_article(record(3))
    assert store.known(
        ["https://qd.example.org/news/3.html", "https://qd.example.org/news/4.html"]
    ) == {"https://qd.example.org/news/3.html"}


def test_duplicates_join_one_story_with_the_credited_original_as_representative(
    store: Store,
) -> None:
    copy = store.save_article(
        record(10, source="qd", outlet="新华网", published=datetime(2021, 5, 11, 9, tzinfo=CST))
    )
    original = store.save_article(
        record(11, source="xinhua", published=datetime(2021, 5, 11, 10, tzinfo=CST)),
        duplicate_of=copy.article_id,
    )
    third = store.save_article(
        record(12, source="sz", outlet="新华网"), duplicate_of=copy.article_id
    )
    assert copy.story_id == original.story_id == third.story_id
    with store.db.session() as session:
        story = session.get(Story, copy.story_id)
        assert story is not None
        assert story.representative_id == original.article_id
        assert story.article_count == 3 and story.outlet_count == 3
        assert story.kind == "visit"


def test_without_credit_the_earliest_publication_represents(store: Store) -> None:
    late = store.save_article(record(20, source="qd", published=datetime(2021, 5, 12, tzinfo=CST)))
    early = store.save_article(
        record(21, source="sz", published=datetime(2021, 5, 11, tzinfo=CST)),
        duplicate_of=late.article_id,
    )
    with store.db.session() as session:
        story = session.get(Story, late.story_id)
        assert story is not None and story.representative_id == early.article_id


def test_source_health(store: Store) -> None:
    store.record_source_result("qd", error="fetch: HTTP 500", new_articles=0)
    store.record_source_result("qd", error="fetch: HTTP 500", new_articles=0)
    with store.db.session() as session:
        row = session.get(SourceState, "qd")
        assert (
            row is not None
            and row.consecutive_failures == 2
            and row.last_error == "fetch: HTTP 500"
        )
        assert row.last_success_at is None
    store.record_source_result("qd", error=None, new_articles=3)
    with store.db.session() as session:
        row = session.get(SourceState, "qd")
        assert row is not None and row.consecutive_failures == 0
        assert row.last_success_at is not None and row.last_new_at is not None


def test_fetch_log_and_validators(store: Store) -> None:
    store.record_fetches(
        [
            FetchRecord("https://qd.example.org/a", 200, 1234, 56, None, "qd"),
            FetchRecord("https://qd.example.org/b", None, 0, 20000, "fetch: timed out", "qd"),
        ]
    )
    with store.db.session() as session:
        rows = session.scalars(select(Fetch).order_by(Fetch.id)).all()
        assert [(r.status, r.bytes, r.error) for r in rows] == [
            (200, 1234, None),
            (None, 0, "fetch: timed out"),
        ]
    store.save_validators(
        "https://qd.example.org/rss", Validators('"e1"', "Tue, 11 May 2021 00:00:00 GMT", "h")
    )
    assert store.validators("https://qd.example.org/rss") == Validators(
        '"e1"', "Tue, 11 May 2021 00:00:00 GMT", "h"
    )
    assert store.validators("https://qd.example.org/other") is None


def test_the_fetch_log_keeps_when_each_exchange_happened_not_when_it_was_written(
    store: Store,
) -> None:
    """The log is written in batches; a row's time is its exchange's, or the gaps between a
    source's checks read shorter than they were."""
    earlier = utcnow() - timedelta(minutes=5)
    store.record_fetches([FetchRecord("https://qd.example.org/a", 200, 1, 1, None, "qd", earlier)])
    with store.db.session() as session:
        (at,) = session.scalars(select(Fetch.fetched_at)).all()
    assert abs((at - earlier).total_seconds()) < 0.001


def test_fetch_log_is_pruned_in_batches_and_its_counts_live_on(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("crawler.store.fetchlog.FETCH_PRUNE_BATCH", 3)  # batches, one partial
    old = [
        FetchRecord("https://qd.example.org/a", 200, 10, 5, None, "qd"),
        FetchRecord("https://qd.example.org/b", 200, 10, 5, None, "qd"),
        FetchRecord("https://qd.example.org/c", 404, 0, 5, "fetch: HTTP 404", "qd"),
        FetchRecord("https://qd.example.org/d", None, 0, 9, "fetch: timed out", "qd"),
        FetchRecord("https://qd.example.org/e", None, 0, 9, "fetch: reset", "qd"),
        FetchRecord("https://qd.example.org/f", 200, 10, 5, None, "qd"),
        FetchRecord("https://qd.example.org/g", 500, 0, 5, "fetch: HTTP 500", "qd"),
    ]
    store.record_fetches(old)
    with store.db.session() as session:
        session.execute(update(Fetch).values(fetched_at=datetime.now(UTC) - timedelta(days=31)))
    store.record_fetches(
        [
            FetchRecord("https://qd.example.org/h", 200, 10, 5, None, "qd"),
            FetchRecord("https://qd.example.org/i", None, 0, 9, "fetch: timed out", "qd"),
        ]
    )
    before = store.fetch_counts()
    assert before == ({200: 4, 404: 1, None: 3, 500: 1}, 5)

    assert store.prune_fetch_log(30) == len(old)
    with store.db.session() as session:
        assert sorted(session.scalars(select(Fetch.url))) == [
            "https://qd.example.org/h",
            "https://qd.example.org/i",
        ]
    assert store.fetch_counts() == before  # the counters do not go back
    assert store.prune_fetch_log(30) == 0

    # Pruned again later: added to what was pruned before, not in place of it.
    with store.db.session() as session:
        session.execute(update(Fetch).values(fetched_at=datetime.now(UTC) - timedelta(days=31)))
    assert store.prune_fetch_log(30) == 2
    assert store.fetch_counts() == before
    with store.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Fetch)) == 0


def test_retention_keeps_stories_consistent(store: Store) -> None:
    old = datetime.now(UTC) - timedelta(days=200)
    first = store.save_article(record(30, source="xinhua", fetched=old, kind="other"))
    second = store.save_article(
        record(31, source="qd", kind="other"), duplicate_of=first.article_id
    )
    lonely = store.save_article(record(32, source="sz", fetched=old, kind="other"))
    assert store.delete_older_than(180) == 2
    with store.db.session() as session:
        story = session.get(Story, second.story_id)
        assert story is not None
        assert story.representative_id == second.article_id and story.article_count == 1
        assert session.get(Story, lonely.story_id) is None
        remaining = session.get(Article, second.article_id)
        assert remaining is not None and remaining.duplicate_of is None


def test_write_ups_of_one_visit_merge_into_one_story(store: Store) -> None:
    first = store.save_article(record(40, source="qd", body="青岛日报的报道"))
    other = store.save_article(
        record(41, source="sz", title="深圳会见青岛考察团", body="深圳特区报的报道")
    )
    later = store.save_article(
        record(
            42,
            source="xinhua",
            visits=[{"visitor": "青岛", "host": "深圳", "date": "2021-06-30", "evidence": ""}],
        )
    )
    reverse = store.save_article(
        record(
            43,
            source="xinhua",
            visits=[{"visitor": "深圳", "host": "青岛", "date": "2021-05-11", "evidence": ""}],
        )
    )
    not_a_visit = store.save_article(record(44, source="qd", kind="other"))
    assert first.story_id == other.story_id
    assert len({first.story_id, later.story_id, reverse.story_id, not_a_visit.story_id}) == 4


def _mixed_records() -> tuple[list[ArticleRecord], dict[str, str]]:
    """Articles whose stories depend on each other: repeats of a URL, duplicates of articles
    stored earlier and earlier in the list, write-ups of one visit inside and outside the
    merge window, and plain articles; with which earlier URL each duplicates."""
    visit = lambda day: [  # noqa: E731
        {"visitor": "青岛", "host": "深圳", "date": f"2021-05-{day:02d}", "evidence": ""}
    ]
    records = [
        record(60, source="qd", body="甲"),  # a visit: new story
        record(61, source="sz", kind="other", visits=[], body="乙"),  # new story
        record(60, source="qd", title="again"),  # the same URL again: not created
        record(62, source="xinhua", kind="other", visits=[], body="乙"),  # duplicates 61
        record(63, source="sz", body="丙", visits=visit(12)),  # the same visit, next day
        record(64, source="xinhua", body="丁", visits=visit(25)),  # outside the window
        record(65, source="qd", kind="policy", visits=[], body="戊"),  # duplicates 50 (stored)
        record(66, source="sz", body="己", visits=visit(26)),  # joins 64's visit
        record(67, source="qd", kind="other", visits=[], body="庚"),
    ]
    duplicates = {
        "https://xinhua.example.org/news/62.html": "https://sz.example.org/news/61.html",
        "https://qd.example.org/news/65.html": "https://qd.example.org/news/50.html",
    }
    return records, duplicates


def _stories_by_url(store: Store) -> tuple[set[frozenset[str]], dict[str, tuple]]:
    with store.db.session() as session:
        articles = session.execute(
            select(Article.canonical_url, Article.story_id, Article.duplicate_of, Article.id)
        ).all()
        url_of = {a.id: a.canonical_url for a in articles}
        groups: dict[int, set[str]] = {}
        for a in articles:
            groups.setdefault(a.story_id, set()).add(a.canonical_url)
        stories = {}
        for story in session.scalars(select(Story)):
            members = frozenset(groups[story.id])
            stories[min(members)] = (
                url_of[story.representative_id],
                story.article_count,
                story.outlet_count,
                story.kind,
                story.visit_key,
            )
        duplicate_of = {a.canonical_url: url_of.get(a.duplicate_of) for a in articles}
    return {frozenset(g) for g in groups.values()}, {**stories, "dups": duplicate_of}


def test_a_batch_stores_what_one_article_at_a_time_stores(database_url: str) -> None:
    """``save_all`` writes many articles with a few statements; the stories, representatives,
    counts and duplicate links must be exactly those of saving them one by one."""
    records, duplicates = _mixed_records()
    seen: list[dict] = []
    for one_by_one in (True, False):
        db = Database(database_url, upgrade=True)
        with db.engine.begin() as conn:  # the same empty database for both ways
            conn.execute(Article.__table__.update().values(story_id=None, duplicate_of=None))
            conn.execute(Story.__table__.delete())
            conn.execute(Article.__table__.delete())
        store = Store(db)
        store.ensure_sources(
            [
                Source(id=s, name=s, feed=f"https://{s}.example.org/rss")
                for s in ("qd", "sz", "xinhua")
            ]
        )
        stored = store.save_article(record(50, source="qd", kind="other", visits=[]))
        ids = {record(50, source="qd").canonical_url: stored.article_id}

        def duplicate_of(article_id: int, rec: ArticleRecord, ids: dict = ids) -> int | None:
            ids.setdefault(rec.canonical_url, article_id)
            return ids.get(duplicates.get(rec.canonical_url, ""))

        if one_by_one:
            results = []
            for rec in records:
                with store.batch() as batch:
                    results += batch.save_all([rec], duplicate_of)
        else:
            with store.batch() as batch:
                results = batch.save_all(records, duplicate_of)
        assert [r.created for r in results] == [
            True,
            True,
            False,
            True,
            True,
            True,
            True,
            True,
            True,
        ]
        assert results[2].article_id == results[0].article_id
        assert results[2].story_id == results[0].story_id
        groups, stories = _stories_by_url(store)
        assert {
            "https://qd.example.org/news/60.html",
            "https://sz.example.org/news/63.html",
        } in groups
        assert {
            "https://xinhua.example.org/news/64.html",
            "https://sz.example.org/news/66.html",
        } in groups
        assert {
            "https://sz.example.org/news/61.html",
            "https://xinhua.example.org/news/62.html",
        } in groups
        assert {
            "https://qd.example.org/news/50.html",
            "https://qd.example.org/news/65.html",
        } in groups
        assert len(groups) == 5
        seen.append({"groups": groups, **stories})
        db.dispose()
    assert seen[0] == seen[1]


def test_a_batch_reports_articles_stored_before_it(store: Store) -> None:
    earlier = store.save_article(record(70))
    with store.batch() as batch:
        results = batch.save_all([record(71), record(70, title="changed"), record(72)])
    assert [r.created for r in results] == [True, False, True]
    assert (results[1].article_id, results[1].story_id) == (earlier.article_id, earlier.story_id)
    assert len({r.story_id for r in results}) == 1  # the same visit: one story
    with store.db.session() as session:
        story = session.get(Story, earlier.story_id)
        assert story is not None and story.article_count == 3


def test_multi_row_inserts_come_in_eight_shapes() -> None:
    """Any count of rows is written in pieces of 128, 64, … 1 rows: the driver keeps every
    shape it prepared, and a shape per count grew the crawl's process by tens of MB."""
    from crawler.store.batch import _pieces

    shapes: set[int] = set()
    for count in range(0, 260):
        rows = [{"n": n} for n in range(count)]
        pieces = list(_pieces(rows))
        assert [row for piece in pieces for row in piece] == rows
        shapes.update(len(piece) for piece in pieces)
    assert shapes == {1, 2, 4, 8, 16, 32, 64, 128}


def test_a_batch_larger_than_one_insert_keeps_the_first_of_a_repeated_url(store: Store) -> None:
    records = [record(100 + n, kind="other", visits=[], body=f"正文{n}") for n in range(150)]
    records[140] = record(103, kind="other", visits=[], title="again")  # in the second piece
    with store.batch() as batch:
        results = batch.save_all(records)
    assert [r.created for r in results] == [n != 140 for n in range(150)]
    assert results[140] == dataclasses.replace(results[3], created=False)
    with store.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 149
        assert session.scalar(select(func.count()).select_from(Story)) == 149
        assert session.scalar(select(Article.title).where(Article.id == results[3].article_id)) == (
            "标题103"
        )


def test_visit_details_pass_through_store_and_export(store: Store) -> None:
    """The tagger's visit details (leader, dates, host officials...) are stored as they are and
    come back from ``visits`` and the export (a JSON column: no migration)."""
    from zoneinfo import ZoneInfo

    from crawler.store.export import article_record

    detailed = {
        "visitor": "青岛",
        "host": "深圳",
        "date": "2021-05-11",
        "date_start": "2021-05-11",
        "date_end": "2021-05-12",
        "leader": {"name": "赵豪志", "title": "市委副书记、市长"},
        "co_leaders": [],
        "host_officials": [{"name": "王伟中", "title": "市委书记"}],
        "purpose": "考察学习",
        "sites": ["前海国际会议中心"],
        "evidence": "…",
    }
    saved = store.save_article(record(70, visits=[detailed]))
    (row,) = [r for r in store.visits() if r.story_id == saved.story_id]
    assert row.details["leader"] == {"name": "赵豪志", "title": "市委副书记、市长"}
    assert row.details["date_end"] == "2021-05-12" and row.date == "2021-05-11"
    with store.db.session() as session:
        article = session.get(Article, saved.article_id)
        assert article is not None
        assert article_record(article, ZoneInfo("Asia/Shanghai"))["visits"] == [detailed]
