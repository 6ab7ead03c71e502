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
