"""Writers in several processes on one database deduplicate as one: copies of a story stored by
two workers at the same moment join one story (each writer here is what a process has: its own
engine, its own dedup index), and the index's rules (stories do not chain, one 文号 per story)
hold across them."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import opencc
import pytest
from sqlalchemy import select

from crawler.base.config import Source
from crawler.base.db import Database
from crawler.base.models import Article
from crawler.store.batch import ArticleRecord, SaveResult
from crawler.store.store import Store
from crawler.store.write import ArticleWriter, IndexCache
from tests.store.test_policies import notice, page

S2HK = opencc.OpenCC("s2hk")
NEWS = Path(__file__).parents[1] / "dedup" / "testdata" / "dedup"
CITIES = (
    ("深圳市", "深府办函"), ("广州市", "穗府办函"), ("珠海市", "珠府办函"),
    ("佛山市", "佛府办函"), ("东莞市", "东府办函"), ("中山市", "中府办函"),
    ("惠州市", "惠府办函"), ("江门市", "江府办函"), ("肇庆市", "肇府办函"),
    ("汕头市", "汕府办函"), ("湛江市", "湛府办函"), ("韶关市", "韶府办函"),
)  # fmt: skip


@pytest.fixture
def url(database_url: str) -> Iterator[str]:
    db = Database(database_url, upgrade=True)
    Store(db).ensure_sources(
        [
            Source(id="gov", name="人民政府网", feed="https://www.gov.example/rss"),
            Source(id="news", name="新闻网", feed="https://www.news.example/rss"),
        ]
    )
    db.dispose()
    yield database_url


def syndicated_pairs() -> list[tuple[ArticleRecord, ArticleRecord]]:
    """Each pair: a page and its copy on another site. Template notices of twelve cities (one
    text but for the city, its 文号 and numbers: twelve documents, never one story), each
    reprinted, every other one in Traditional; and news reports reprinted with the copy's own
    header and footer."""
    pairs = []
    for n, (city, abbr) in enumerate(CITIES, start=1):
        title, body, table = notice(city, abbr, 2024, n)
        reprint = (S2HK.convert(title), S2HK.convert(body)) if n % 2 else (title, body)
        pairs.append((page("gov", n, title, body, policy=table), page("news", n, *reprint)))
    for n, path in enumerate(sorted(NEWS.glob("*.txt")), start=100):
        body = path.read_text(encoding="utf-8").strip()
        title = body.splitlines()[0][:30]
        copy = f"来源：新华网 记者 王明\n{body}\n（责任编辑：李华）"
        pairs.append((page("gov", n, title, body), page("news", n, title, copy)))
    return pairs


def write_at_once(url: str, lanes: Sequence[Sequence[ArticleRecord]]) -> list[list[SaveResult]]:
    """Each lane written by its own writer (a process's: own engine, own dedup index), all the
    lanes' i-th records at the same moment (a barrier before each)."""
    barrier = threading.Barrier(len(lanes))
    results: list[list[SaveResult]] = [[] for _ in lanes]
    errors: list[BaseException] = []

    def work(lane: int) -> None:
        db = Database(url)
        writer = ArticleWriter(Store(db), IndexCache())
        writer.indexes.prepare(writer.store)  # as a running worker has: built already
        try:
            for record in lanes[lane]:
                barrier.wait(timeout=30)
                (result,) = writer.write([record])
                if isinstance(result, Exception):
                    raise result
                results[lane].append(result)
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()
        finally:
            db.dispose()

    threads = [threading.Thread(target=work, args=(lane,)) for lane in range(len(lanes))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


def test_copies_stored_at_once_by_two_writers_join_one_story(url: str) -> None:
    pairs = syndicated_pairs()
    originals, copies = zip(*pairs, strict=True)
    write_at_once(url, [originals, copies])
    db = Database(url)
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(Article.canonical_url, Article.id, Article.story_id, Article.duplicate_of)
        ).all()
    db.dispose()
    by_url = {row.canonical_url: row for row in rows}
    assert len(rows) == 2 * len(pairs)
    assert len({row.story_id for row in rows}) == len(pairs)  # N pairs, N stories
    for original, copy in pairs:
        one, other = by_url[original.canonical_url], by_url[copy.canonical_url]
        assert one.story_id == other.story_id, original.title
        # Whichever was written first founded the story; the other names it as its original.
        founder, duplicate = (one, other) if one.id < other.id else (other, one)
        assert founder.duplicate_of is None
        assert duplicate.duplicate_of == founder.id
    assert Counter(row.story_id for row in rows).most_common(1)[0][1] == 2  # none chained


def test_stories_do_not_chain_across_writers(url: str) -> None:
    """Template notices of two cities, which are different documents, stay two stories however
    their copies are spread over writers writing at once: one writer's notice never becomes the
    story another writer's notice of another 文号 joins."""
    lanes: list[list[ArticleRecord]] = [[], [], []]
    for n, (city, abbr) in enumerate(CITIES[:6], start=1):
        title, body, table = notice(city, abbr, 2024, n)
        for lane in range(3):
            source = "gov" if lane == 0 else "news"
            lanes[lane].append(page(source, n * 10 + lane, title, body, policy=table))
    write_at_once(url, lanes)
    db = Database(url)
    with db.engine.connect() as conn:
        stories = conn.execute(select(Article.doc_no, Article.story_id)).all()
    db.dispose()
    assert len({story for _doc, story in stories}) == 6
    for doc_no in {doc for doc, _story in stories}:
        assert len({story for doc, story in stories if doc == doc_no}) == 1, doc_no


def hold_a_batch(
    url: str, record: ArticleRecord, holding: threading.Event, release: threading.Event
) -> tuple[threading.Thread, list[object]]:
    """A writer that stores ``record`` and keeps its transaction open until ``release``; what
    happened to it (the backend's id on PostgreSQL, then the commit's error if any) is reported
    in the list."""
    seen: list[object] = []

    def work() -> None:
        db = Database(url)
        try:
            with Store(db).batch() as batch:
                batch.save_all([record])
                if not db.is_sqlite:
                    seen.append(batch.conn.exec_driver_sql("SELECT pg_backend_pid()").scalar())
                holding.set()
                release.wait(10)
        except Exception as exc:  # the connection killed under it
            seen.append(exc)
        finally:
            db.dispose()

    thread = threading.Thread(target=work)
    thread.start()
    assert holding.wait(10)
    return thread, seen


def write_in_thread(url: str, record: ArticleRecord) -> tuple[threading.Thread, list[SaveResult]]:
    results: list[SaveResult] = []

    def work() -> None:
        db = Database(url)
        (result,) = ArticleWriter(Store(db), IndexCache()).write([record])
        assert not isinstance(result, Exception), result
        results.append(result)
        db.dispose()

    thread = threading.Thread(target=work)
    thread.start()
    return thread, results


def test_a_write_waits_for_an_open_batch_then_sees_its_articles(url: str) -> None:
    original, copy = syndicated_pairs()[0]
    holding, release = threading.Event(), threading.Event()
    holder, _seen = hold_a_batch(url, original, holding, release)
    writer, results = write_in_thread(url, copy)
    writer.join(0.5)
    assert writer.is_alive(), "the second write did not wait for the open batch"
    release.set()
    holder.join(10)
    writer.join(10)
    db = Database(url)
    with db.engine.connect() as conn:
        first = conn.execute(
            select(Article.id, Article.story_id).where(
                Article.canonical_url == original.canonical_url
            )
        ).one()
    db.dispose()
    (result,) = results
    assert result.story_id == first.story_id  # matched what the other committed meanwhile


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_a_writer_killed_holding_the_lock_does_not_block_the_others(url: str) -> None:
    """The lock is the transaction's: a worker whose connection dies (kill -9, a network cut)
    releases it, and its uncommitted article is simply not there for the others."""
    from sqlalchemy import create_engine, text

    original, copy = syndicated_pairs()[0]
    holding, release = threading.Event(), threading.Event()
    holder, seen = hold_a_batch(url, original, holding, release)
    writer, results = write_in_thread(url, copy)
    writer.join(0.5)
    assert writer.is_alive()
    base = url.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": seen[0]})
    admin.dispose()
    writer.join(10)
    release.set()
    holder.join(10)
    assert not writer.is_alive() and results, "the write waited on a dead connection's lock"
    assert isinstance(seen[-1], Exception)  # the holder's commit failed: nothing of it stored
    db = Database(url)
    with db.engine.connect() as conn:
        rows = conn.execute(select(Article.canonical_url, Article.duplicate_of)).all()
    db.dispose()
    assert [tuple(row) for row in rows] == [(copy.canonical_url, None)]  # it founded the story
