"""Incremental list passes that did not reach their end are made good by the next pass.

A routine (incremental) pass stops paging at the first list page with nothing new. A pass that
dies part way (cancelled like a killed process, or a list page answering 503) has stored the
top of the list and not what lies below; new articles published before the next pass push
both deeper. Whatever the point of interruption and however many articles came in between,
the next pass stores every article, and the pass after it reads one list page again.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crawler.base.config import Config, load_config
from crawler.base.db import Database
from crawler.base.models import Article as Stored
from crawler.base.models import SourceState
from crawler.pipeline import crawl
from crawler.report import CrawlOptions
from tests.sitefarm import SETTINGS_YAML, Article, Site, make_articles, serve

PER_PAGE = 10
OLD, NEW = 10, 30  # stored by a first full pass; then published, three list pages of them


@dataclass
class ListSite(Site):
    """A site whose articles are found by number (so new ones can be put on top), with list
    or article pages that answer 503 once, or hold their answer until released."""

    fail_once: set[str] = field(default_factory=set)
    hold: Callable[[str], bool] | None = None
    released: threading.Event = field(default_factory=threading.Event)
    batches: int = 0

    def publish(self, count: int) -> list[Article]:
        """``count`` new articles on top of the list (newest first)."""
        self.batches += 1
        start = datetime(2024, 6, 1, tzinfo=UTC) + timedelta(days=self.batches)
        fresh = make_articles(f"{self.id}n{self.batches}", count, start=start)
        base = max((a.number for a in self.articles), default=-1) + 1
        fresh = [replace(a, number=base + i) for i, a in enumerate(fresh)]
        self.articles[:0] = fresh
        return fresh

    def route(self, path: str) -> tuple[int, dict[str, str], bytes]:
        with self.lock:
            if path in self.fail_once:
                self.fail_once.discard(path)
                return 503, {"Content-Type": "text/plain", "Retry-After": "0"}, b"busy"
        if self.hold is not None and self.hold(path):
            self.released.wait(30)
        if path.startswith("/news/2024/") and path.endswith(".html"):
            number = int(path[11:-5])
            for article in self.articles:
                if article.number == number:
                    page = self.article_page(article)
                    return 200, {"Content-Type": self.content_type()}, self.encode(page)
            return 404, {"Content-Type": "text/plain"}, b"not found"
        return super().route(path)

    def page_of(self, page: int) -> set[str]:
        """The article paths list page ``page`` shows now."""
        chunk = self.articles[(page - 1) * self.per_page : page * self.per_page]
        return {f"/news/2024/{a.number:05d}.html" for a in chunk}

    def list_requests(self) -> list[str]:
        with self.lock:
            return [p for _, p in self.requests if p.startswith("/list/")]


@pytest.fixture
def site() -> Iterator[ListSite]:
    running = ListSite(
        id="passes",
        address="127.0.0.33",
        articles=make_articles("passes", OLD),
        per_page=PER_PAGE,
    )
    with serve([running]):
        yield running
        running.released.set()


def make_config(folder: Path, site: Site, database_url: str, *, feed: bool) -> Config:
    folder.mkdir(parents=True, exist_ok=True)
    settings = SETTINGS_YAML.format(db="unused", concurrency=2, delay=0, timeout=5)
    (folder / "citydigest.yaml").write_text(settings.replace("sqlite:///unused", database_url))
    lines = ["sources:", "  - id: passes", "    name: 列表"]
    if feed:
        lines.append(f"    feed: {site.base}/feed.xml")
    lines += [
        "    list:",
        f"      url: {site.base}/list/1.html",
        '      links: "ul.news-list a"',
        '      next: "a.next"',
        "      max_pages: 50",
    ]
    (folder / "sources.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_config(folder)


def stored(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Stored)) or 0


def stored_urls(db: Database) -> set[str]:
    with db.session() as session:
        return set(session.scalars(select(Stored.canonical_url)))


def routine() -> CrawlOptions:
    """The daemon's check of a source that was crawled before (see crawl_sources)."""
    return CrawlOptions(incremental=True, workers=0)


async def interrupted(config: Config, db: Database, until: Callable[[], bool]) -> None:
    """Run a routine pass and cancel it (as a kill would stop it) once ``until`` holds."""
    task = asyncio.ensure_future(crawl(config, db, options=routine()))
    deadline = asyncio.get_running_loop().time() + 30
    while not until():
        assert not task.done(), "the pass ended before the interruption"
        assert asyncio.get_running_loop().time() < deadline, "the interruption never came"
        await asyncio.sleep(0.01)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


# (where the first routine pass over the 30 new articles stops, articles published before the
# next pass, whether the source also has a feed that stores the newest first)
CASES = [
    ("page-2-none-stored", 0, False),
    ("page-2-none-stored", 10, False),
    ("page-2-some-stored", 0, False),
    ("page-2-some-stored", 13, False),
    ("page-2-all-stored", 0, False),
    ("page-2-all-stored", 10, False),
    ("page-2-all-stored", 10, True),
    ("page-2-all-stored", 25, False),
    ("page-2-answers-503", 0, False),
    ("page-2-answers-503", 10, False),
    ("page-2-answers-503", 13, True),
    ("killed-twice", 10, False),
]


@pytest.mark.parametrize(("stop", "between", "feed"), CASES)
async def test_a_pass_that_did_not_end_is_made_good_by_the_next(
    tmp_path: Path, site: ListSite, database_url: str, stop: str, between: int, feed: bool
) -> None:
    config = make_config(tmp_path / "cfg", site, database_url, feed=feed)
    db = Database(database_url, upgrade=True)
    first = await crawl(config, db, options=CrawlOptions(workers=0))  # the source's full pass
    assert first.ok and stored(db) == OLD
    site.publish(NEW)
    page2 = site.page_of(2)
    let_through: set[str] = set()

    def held(path: str) -> bool:
        if stop == "page-2-some-stored" and path in page2:
            with site.lock:
                if len(let_through) < 4 or path in let_through:
                    let_through.add(path)
                    return False
            return True
        if stop in ("page-2-all-stored", "killed-twice") and path == "/list/3.html":
            return True
        return stop == "page-2-none-stored" and path in page2

    def requested(paths: set[str]) -> bool:
        with site.lock:
            return any(p in paths for _, p in site.requests)

    if stop == "page-2-answers-503":
        site.fail_once.add("/list/2.html")
        await crawl(config, db, options=routine())
        assert "/list/2.html" in site.list_requests()
    else:
        site.released.clear()
        site.hold = held
        if stop == "page-2-none-stored":
            await interrupted(config, db, lambda: requested(page2))
            assert stored(db) == OLD + PER_PAGE
        elif stop == "page-2-some-stored":
            await interrupted(config, db, lambda: stored(db) >= OLD + PER_PAGE + 4)
            assert OLD + PER_PAGE < stored(db) < OLD + 2 * PER_PAGE
        else:
            await interrupted(config, db, lambda: requested({"/list/3.html"}))
            assert stored(db) == OLD + 2 * PER_PAGE
        site.hold = None
        site.released.set()
    assert stored(db) < OLD + NEW, "the first routine pass was not interrupted"
    site.publish(between)
    if stop == "killed-twice":  # the pass that makes good dies too, before its list page 4
        site.released.clear()
        site.hold = lambda path: path == "/list/4.html"
        await interrupted(config, db, lambda: requested({"/list/4.html"}))
        assert stored(db) == OLD + 2 * PER_PAGE + between
        site.hold = None
        site.released.set()
        site.publish(between)
        between *= 2

    summary = await crawl(config, db, options=routine())
    assert summary.ok, [r.errors for r in summary.reports]
    expected = {site.article_url(a.number) for a in site.articles}
    assert len(expected) == OLD + NEW + between
    assert stored_urls(db) == expected, f"{len(expected - stored_urls(db))} articles never stored"
    with db.session() as session:
        row = session.get(SourceState, "passes")
        assert row is not None and row.pass_started_at is None, "the pass did not end"

    # Caught up: the next routine pass reads the first list page only.
    with site.lock:
        site.requests.clear()
    await crawl(config, db, options=routine())
    assert site.list_requests() == ["/list/1.html"]
    db.dispose()


async def test_articles_that_failed_deep_in_a_pass_are_fetched_by_the_next(
    tmp_path: Path, site: ListSite, database_url: str
) -> None:
    """An article of page 2 that fails once is owed: the next routine pass reads down to it,
    though page 1 holds nothing new."""
    config = make_config(tmp_path / "cfg", site, database_url, feed=False)
    db = Database(database_url, upgrade=True)
    await crawl(config, db, options=CrawlOptions(workers=0))
    site.publish(NEW)
    failing = sorted(site.page_of(2))[:3]
    site.fail_once.update(failing)
    await crawl(config, db, options=routine())
    assert stored(db) == OLD + NEW - len(failing)
    await crawl(config, db, options=routine())
    assert stored(db) == OLD + NEW
    with site.lock:
        site.requests.clear()
    await crawl(config, db, options=routine())
    assert site.list_requests() == ["/list/1.html"]
    db.dispose()
