"""Benchmark: what writing one dedup across processes costs, and what it buys.

Every article batch takes the database's write lock and first adds to its process's dedup index
what the other processes stored (:func:`crawler.store.batch.lock_writes`,
:class:`crawler.store.write.ArticleWriter`). Here 1, 2 and 4 writer processes (each its own
engine and index, as distributed workers are) each store a copy of the same ``--stories``
stories, in batches of ``--batch``, all starting at one moment; the run is repeated with the
lock taken out (the behaviour before it) as the baseline. Reported per run: articles written per
second (all writers together), stories made (should be ``--stories`` whatever the writers), and
copies marked duplicate. Then the memory of the dedup index for a window of N articles
(:meth:`DuplicateIndex.memory_bytes`, and the process's RSS growth), for the capacity plan.

Run::

    python bench/writers.py --database postgresql://postgres@127.0.0.1:5432/test
    python bench/writers.py                 # a SQLite file in a temporary directory
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from crawler.base.config import Source
from crawler.base.db import Database
from crawler.base.models import Article
from crawler.store import articles as articles_module
from crawler.store.batch import ArticleRecord
from crawler.store.store import Store
from crawler.store.write import ArticleWriter, IndexCache
from tests.conftest import postgres_schema

# Common characters of Chinese news text: random 600-character texts of them are distinct
# stories (no two share a 5-character shingle by chance).
CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下"
    "过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都"
    "两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重"
    "新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想"
)


def story(n: int, length: int = 600) -> str:
    rng = random.Random(n)
    return "".join(rng.choice(CHARS) for _ in range(length))


def records(writer: int, stories: int) -> list[ArticleRecord]:
    """Writer ``writer``'s copy of every story: its own site's URL, header and footer."""
    from crawler.dedup import sketch

    out = []
    for n in range(stories):
        body = f"来源：站点{writer}\n{story(n)}\n（责任编辑：编辑{writer}）"
        url = f"https://site{writer}.example/news/{n}.html"
        out.append(
            ArticleRecord(
                url=url,
                canonical_url=url,
                source_id=f"site{writer}",
                title=f"新闻{n}",
                body=body,
                published=datetime(2026, 12, 1, tzinfo=UTC),
                fingerprint=None,
                sketch=sketch(body).to_bytes(),
            )
        )
    return out


@contextmanager
def fresh_database(base: str | None, scratch: Path) -> Iterator[str]:
    """An empty database: a new PostgreSQL schema (dropped afterwards) or a new SQLite file."""
    if base is None:
        yield f"sqlite:///{scratch / f'{uuid.uuid4().hex}.db'}"
        return
    with postgres_schema(base, "bench") as url:
        yield url


def _unlocked(conn: Connection, db: Database) -> None:
    """The baseline: no write lock (each process's index refreshed, nothing serialised)."""


def _writer(
    url: str, writer: int, stories: int, size: int, locked: bool, barrier: Any, out: Any
) -> None:
    if not locked:
        articles_module.lock_writes = _unlocked  # what Store.batch calls
    mine = records(writer, stories)
    db = Database(url)
    store = Store(db)
    writer_ = ArticleWriter(store, IndexCache())
    writer_.indexes.prepare(store)  # a running worker's index is built already
    barrier.wait()
    start = time.perf_counter()
    for at in range(0, len(mine), size):
        for result in writer_.write(mine[at : at + size]):
            if isinstance(result, Exception):
                raise result
    out.put(time.perf_counter() - start)
    db.dispose()


def run(url: str, writers: int, stories: int, size: int, locked: bool) -> dict[str, float]:
    db = Database(url, upgrade=True)
    Store(db).ensure_sources(
        [
            Source(id=f"site{w}", name=f"站点{w}", feed=f"https://site{w}.example/rss")
            for w in range(writers)
        ]
    )
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(writers)
    out = context.Queue()
    processes = [
        context.Process(target=_writer, args=(url, w, stories, size, locked, barrier, out))
        for w in range(writers)
    ]
    for process in processes:
        process.start()
    elapsed = max(out.get(timeout=600) for _ in processes)
    for process in processes:
        process.join()
    with db.engine.connect() as conn:
        made = conn.scalar(select(func.count(func.distinct(Article.story_id))))
        marked = conn.scalar(select(func.count()).where(Article.duplicate_of.is_not(None)))
    db.dispose()
    return {
        "per_s": writers * stories / elapsed,
        "stories": float(made or 0),
        "duplicates": float(marked or 0),
    }


def index_memory(sizes: list[int]) -> None:
    """Bytes of a dedup index holding N articles (arrays; and the RSS it added)."""
    import numpy as np

    from crawler.dedup import SKETCH_BYTES, DuplicateIndex, sketch

    template = bytearray(sketch(story(0)).to_bytes())
    print("\nindex of N articles: memory_bytes (MB), bytes per article, RSS growth (MB)")
    for n in sizes:
        rng = np.random.default_rng(n)
        blobs = rng.integers(0, 256, size=(n, SKETCH_BYTES), dtype=np.uint8)
        # A real sketch's version, shingle count and length; random fingerprints, number
        # samples and signatures (distinct articles).
        blobs[:, :10] = np.frombuffer(template, np.uint8)[:10]
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        index = DuplicateIndex.build((i + 1, blobs[i].tobytes(), 1.8e9 + i) for i in range(n))
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        size = index.memory_bytes()
        print(f"{n:>10,}  {size / 1e6:8.1f}  {size / n:6.0f}  {grown / 1e3:8.1f}")
        del index, blobs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database", help="a PostgreSQL URL (default: SQLite files)")
    parser.add_argument("--writers", type=int, nargs="*", default=[1, 2, 4])
    parser.add_argument("--stories", type=int, default=400)
    parser.add_argument("--batch", type=int, default=8, help="articles per write (transaction)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best is shown")
    parser.add_argument("--index-sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    args = parser.parse_args()
    print(
        f"{args.database or 'SQLite'}: each writer stores a copy of {args.stories} stories, "
        f"{args.batch} a transaction"
    )
    print("writers  lock   articles/s  stories  marked duplicate")
    with tempfile.TemporaryDirectory() as scratch:
        for writers in args.writers:
            best: dict[bool, dict[str, float]] = {}
            for attempt in range(args.repeat):
                # Alternating which goes first: a shared machine's noise hits both alike.
                for locked in (False, True) if attempt % 2 == 0 else (True, False):
                    with fresh_database(args.database, Path(scratch)) as url:
                        r = run(url, writers, args.stories, args.batch, locked)
                    if locked not in best or r["per_s"] > best[locked]["per_s"]:
                        best[locked] = r
            for locked, r in sorted(best.items()):
                print(
                    f"{writers:>7}  {'yes' if locked else 'no':>4}  {r['per_s']:11.0f}  "
                    f"{r['stories']:7.0f}  {r['duplicates']:16.0f}"
                )
    if args.index_sizes:
        index_memory(args.index_sizes)


if __name__ == "__main__":
    main()
