"""Analysis in worker processes: the same articles as in-process analysis, and a worker that
dies mid-crawl costs its batch an error each, not the crawl."""

from __future__ import annotations

import asyncio
import fcntl
import os
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from crawler.base.db import Database
from crawler.base.errors import StoreError
from crawler.base.models import Article
from crawler.pipeline import crawl
from crawler.pool import MAX_DEFAULT_WORKERS, worker_count
from crawler.report import CrawlOptions, CrawlSummary
from crawler.store.batch import ArticleBatch
from tests.crawl.test_crawl import make_config
from tests.sitefarm import Site, farm, serve

ARTICLES = 20
FIELDS = (
    Article.canonical_url,
    Article.title,
    Article.body,
    Article.published,
    Article.outlet,
    Article.cities,
    Article.provinces,
    Article.themes,
    Article.visits,
    Article.kind,
    Article.fingerprint,
    Article.sketch,
)


def articles(db: Database) -> dict[str, tuple[object, ...]]:
    with db.session() as session:
        return {row[0]: tuple(row[1:]) for row in session.execute(select(*FIELDS))}


def pool_children() -> list[int]:
    """Process ids of this process's analysis workers."""
    found = []
    for task in os.listdir(f"/proc/{os.getpid()}/task"):
        with open(f"/proc/{os.getpid()}/task/{task}/children") as children:
            for pid in children.read().split():
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                        if b"crawler.pool_worker" in cmdline.read():
                            found.append(int(pid))
                except OSError:
                    continue
    return found


def test_worker_count_follows_cores_and_size(monkeypatch: pytest.MonkeyPatch) -> None:
    assert worker_count(3, 1) == 3  # as asked
    assert worker_count(0, 100) == 0
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2})
    assert worker_count(None, 50) == 2  # one per spare core
    assert worker_count(None, 2) == 0  # a small crawl analyses in its own process
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(16)))
    assert worker_count(None, 50) == MAX_DEFAULT_WORKERS == 2  # more only when asked
    assert worker_count(8, 50) == 8
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0})
    assert worker_count(None, 50) == 0


async def test_workers_store_what_in_process_analysis_stores(
    tmp_path: Path, database_url: str
) -> None:
    """Same pages, same stored fields (body, tags, visits, sketch...), with 0 and 2 workers."""
    with serve(farm(5, ARTICLES)) as sites:
        results = []
        for workers in (0, 2):
            url = database_url if workers else f"sqlite:///{tmp_path / 'local.db'}"
            config = make_config(tmp_path / f"cfg{workers}", sites, url)
            db = Database(url, upgrade=True)
            summary = await crawl(config, db, options=CrawlOptions(workers=workers))
            assert summary.ok, [r.errors for r in summary.reports]
            results.append(articles(db))
            db.dispose()
    local, pooled = results
    assert len(local) == 5 * ARTICLES
    assert pooled == local


async def test_copies_meet_in_one_story_whichever_worker_analysed_them(
    tmp_path: Path, database_url: str
) -> None:
    """One worker owns the dedup index and writes, so every page meets every other: copies on
    four sites join one story each although two workers analyse the pages."""
    sites = farm(4, 15)
    for copy in sites[1:]:
        copy.articles = sites[0].articles  # syndicated: the same reports on four sites
    with serve(sites) as running:
        config = make_config(tmp_path / "cfg", running, database_url)
        db = Database(database_url, upgrade=True)
        summary = await crawl(config, db, options=CrawlOptions(workers=2))
        assert summary.ok, [r.errors for r in summary.reports]
        with db.session() as session:
            rows = session.execute(select(Article.story_id, Article.source_id)).all()
        db.dispose()
    stories: dict[int, set[str]] = {}
    for story, source in rows:
        stories.setdefault(story, set()).add(source)
    assert len(rows) == 4 * 15
    assert len(stories) == 15
    assert all(sources == {site.id for site in sites} for sources in stories.values())


def test_an_in_memory_database_is_written_in_process(tmp_path: Path) -> None:
    """Another process opening ``sqlite://`` gets a database of its own: such a crawl analyses
    and writes in its own process whatever the worker count."""
    from crawler.pool import LocalStages, WorkerPool, stages_for
    from crawler.store.store import Store

    with serve(farm(1, 1)) as sites:
        config = make_config(tmp_path / "cfg", sites, "sqlite://")
    for url, expected in (("sqlite://", LocalStages), ("sqlite:///:memory:", LocalStages),
                          (f"sqlite:///{tmp_path / 'file.db'}", WorkerPool)):  # fmt: skip
        db = Database(url, upgrade=True)
        stages = stages_for(config, Store(db), config.sources, 2, None)
        assert isinstance(stages, expected), url
        db.dispose()


def _loaded_after(imports: str, prefixes: tuple[str, ...]) -> list[str]:
    """The modules starting with one of ``prefixes`` that a fresh interpreter has loaded after
    ``import`` of ``imports``."""
    code = (
        f"import sys, {imports}\n"
        f"print('\\n'.join(m for m in sys.modules if m.startswith({prefixes!r})))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return run.stdout.split()


def test_the_crawl_process_does_not_load_what_only_the_writer_needs() -> None:
    """The dedup index (and numpy under it, ~20 MB) loads where articles are written: in the
    worker, not in a crawl whose worker writes."""
    crawl = "crawler.app.cli, crawler.pipeline, crawler.pool, crawler.store.write"
    assert _loaded_after(crawl, ("numpy", "crawler.dedup")) == []
    assert "crawler.dedup" in _loaded_after(f"{crawl}, crawler.analyze", ("crawler.dedup",))


def test_a_worker_does_not_load_the_http_client_or_the_config_loader() -> None:
    """What a worker imports (its module, then the analysers and the writer in ``serve``)."""
    worker = "crawler.pool_worker, crawler.analyze, crawler.fetch.encoding, crawler.store.write"
    unwanted = ("httpx", "h2", "feedparser", "crawler.base.config", "crawler.fetch.client")
    assert _loaded_after(worker, unwanted) == []
    assert "httpx" in _loaded_after(f"{worker}, crawler.fetch.client", unwanted)


@pytest.mark.skipif(not hasattr(fcntl, "F_GETPIPE_SZ"), reason="pipe sizes are Linux's")
async def test_a_workers_pipe_holds_a_whole_batch(tmp_path: Path) -> None:
    """A batch of pages is about a megabyte: in a default 64 KB pipe the worker would wait for
    the crawl's busy event loop to hand it over piece by piece."""
    from crawler import pool

    with serve(farm(1, 1)) as sites:
        config = make_config(tmp_path / "cfg", sites, f"sqlite:///{tmp_path / 'p.db'}")
    Database(config.settings.database, upgrade=True).dispose()
    workers = pool.WorkerPool(config, config.settings.database, config.sources, 1, None)
    try:
        worker = await workers._worker(0)
        assert worker.process.stdin is not None
        pipe = worker.process.stdin.get_extra_info("pipe")
        size = fcntl.fcntl(pipe.fileno(), fcntl.F_GETPIPE_SZ)
        assert size == pool._pipe_max() > 64 * 1024
    finally:
        await workers.aclose()


def _stuck_pool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, release: asyncio.Event, sent: list[int]
) -> tuple[Any, Any, Any]:
    """A pool whose worker takes nothing until ``release`` (each batch's size noted in
    ``sent``), its source and an origin."""
    from crawler import pool
    from crawler.pool_worker import Older
    from crawler.store.write import Origin

    async def stuck(self: pool.WorkerPool, batch: list[Any], slot: int | None) -> None:
        sent.append(len(batch))
        await release.wait()
        for job, _ in batch:
            self._futures.pop(job).set_result(Older())

    monkeypatch.setattr(pool.WorkerPool, "_deliver", stuck)
    config = make_config(tmp_path / "cfg", farm(1, 1), f"sqlite:///{tmp_path / 'c.db'}")
    source = config.sources[0]
    workers = pool.WorkerPool(config, "sqlite:///unused.db", [source], 1, None)
    origin = Origin("http://127.0.0.2/1.html", "http://127.0.0.2/1.html", source.id)
    return workers, source, origin


async def test_the_crawl_fetches_no_more_while_pages_wait_for_a_pipe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fetched pages that have not gone down a worker's pipe wait in the crawl's memory: past
    BACKLOG of them, ``room()`` (asked before every fetch) holds the crawl until they have."""
    from crawler import pool

    monkeypatch.setattr(pool, "BACKLOG", 3)
    release, sent = asyncio.Event(), []
    workers, source, origin = _stuck_pool(tmp_path, monkeypatch, release, sent)
    await asyncio.wait_for(workers.room(), 1)  # room at first
    pages = [
        asyncio.create_task(workers.store(b"<p>x</p>", origin.link_url, None, source, origin))
        for _ in range(3)
    ]
    await asyncio.sleep(0.05)  # batched and handed to the stuck pipe
    room = asyncio.create_task(workers.room())
    await asyncio.sleep(0.05)
    assert not room.done()
    release.set()
    await asyncio.wait_for(room, 1)
    assert await asyncio.gather(*pages) == [None, None, None]


@pytest.mark.parametrize("returned_by", ["store", "release"])
async def test_each_room_admits_one_page_until_its_store_or_release(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, returned_by: str
) -> None:
    """Fetches admitted by ``room()`` count against BACKLOG until their page reaches the pool
    (or the fetch ends without one): many fetches waiting at once must not all pass when room
    opens, each then holding a page in memory."""
    from crawler import pool

    monkeypatch.setattr(pool, "BACKLOG", 3)
    release, sent = asyncio.Event(), []
    workers, source, origin = _stuck_pool(tmp_path, monkeypatch, release, sent)
    waiting = [asyncio.create_task(workers.room()) for _ in range(5)]
    await asyncio.sleep(0.02)
    assert sum(task.done() for task in waiting) == 3  # BACKLOG admitted, two wait
    if returned_by == "release":
        workers.release()
        workers.release()
    else:
        pages = [
            asyncio.create_task(workers.store(b"<p>x</p>", origin.link_url, None, source, origin))
            for _ in range(2)
        ]
        await asyncio.sleep(0.05)  # batched, stuck in the pipe: still counted, as unsent
        assert sum(task.done() for task in waiting) == 3
        release.set()
        assert await asyncio.gather(*pages) == [None, None]
    await asyncio.wait_for(asyncio.gather(*waiting), 1)  # both admitted now


async def test_fetches_wait_for_room_in_turn_and_a_cancelled_one_gives_its_turn_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Room freed goes to the fetches waiting, first come first served, one admission each; a
    fetch cancelled while it waited, or once admitted, before it ran, takes nothing away."""
    from crawler import pool

    monkeypatch.setattr(pool, "BACKLOG", 1)
    workers, _, _ = _stuck_pool(tmp_path, monkeypatch, asyncio.Event(), [])
    await asyncio.wait_for(workers.room(), 1)
    first, gone, second, third = (asyncio.create_task(workers.room()) for _ in range(4))
    await asyncio.sleep(0.01)
    gone.cancel()  # cancelled while it waited
    workers.release()
    await asyncio.sleep(0.01)
    assert first.done() and not second.done() and not third.done()
    workers.release()  # second's turn: granted, and cancelled before it ran
    second.cancel()
    await asyncio.sleep(0.01)
    assert second.cancelled() and third.done()  # its admission went on to the next


async def test_pages_wait_by_bytes_too_and_batches_go_by_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real pages are 30-200 KB: a batch goes once its pages hold MAX_BATCH_BYTES, and the
    crawl admits no more fetches while BACKLOG_BYTES of pages wait, however few they are."""
    from crawler import pool

    monkeypatch.setattr(pool, "MAX_BATCH_BYTES", 250)
    monkeypatch.setattr(pool, "BACKLOG_BYTES", 500)
    monkeypatch.setattr(pool, "BATCH_SECONDS", 0.5)  # only the bytes send a batch sooner
    release, sent = asyncio.Event(), []
    workers, source, origin = _stuck_pool(tmp_path, monkeypatch, release, sent)
    page = b"<p>" + b"x" * 100 + b"</p>"  # 107 bytes: a batch of three, backlog full at five
    stores = [
        asyncio.create_task(workers.store(page, origin.link_url, None, source, origin))
        for _ in range(5)
    ]
    room = asyncio.create_task(workers.room())
    await asyncio.sleep(0.1)
    assert sent == [3]  # the bytes sent the first batch before BATCH_SECONDS
    assert not room.done()  # 535 bytes wait
    release.set()
    await asyncio.wait_for(room, 1)
    assert await asyncio.gather(*stores) == [None] * 5
    assert sent == [3, 2]
    # Fetches under way count at the pages' mean size (107 bytes): four more fit, not five.
    admitted = [asyncio.create_task(workers.room()) for _ in range(5)]
    await asyncio.sleep(0.05)
    assert sum(task.done() for task in admitted) == 4
    for task in admitted:
        task.cancel()


async def test_fetches_that_store_nothing_give_their_admission_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A link robots.txt disallows, a page that cannot be fetched, an article known under its
    final URL: none reaches the pool, each gives back its ``room()``. Were one kept, a crawl
    would stop for good once BACKLOG of them were lost."""
    from crawler import pool

    monkeypatch.setattr(pool, "BACKLOG", 2)
    sites = farm(4, 6)
    for site in sites:  # every list page also links a missing page
        site.articles.append(replace(site.articles[-1], number=len(site.articles) + 50))
    with serve(sites) as running:
        config = make_config(tmp_path / "cfg", running, f"sqlite:///{tmp_path / 'c.db'}")
        db = Database(config.settings.database, upgrade=True)
        summary = await asyncio.wait_for(crawl(config, db, options=CrawlOptions(workers=1)), 60)
        db.dispose()
    assert summary.new == 4 * 6, [r.errors for r in summary.reports]
    assert sum(r.disallowed for r in summary.reports) == 4  # /private/ on every first page
    assert sum(r.article_errors for r in summary.reports) >= 4  # the missing pages


async def test_a_crawler_folder_in_the_working_directory_is_not_what_workers_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``python -m`` puts the working directory first on the path: a folder named ``crawler``
    there (an older checkout) must not be the code the workers import."""
    decoy = tmp_path / "cwd" / "crawler"
    decoy.mkdir(parents=True)
    (decoy / "__init__.py").write_text("")
    (decoy / "pool.py").write_text("import sys\nsys.exit('the decoy ran')\n")
    with serve(farm(4, 5)) as sites:
        config = make_config(tmp_path / "cfg", sites, f"sqlite:///{tmp_path / 'c.db'}")
        db = Database(config.settings.database, upgrade=True)
        monkeypatch.chdir(decoy.parent)
        summary = await crawl(config, db, options=CrawlOptions(workers=1))
        db.dispose()
    assert summary.ok and summary.new == 4 * 5, [r.errors for r in summary.reports]


async def test_a_killed_worker_costs_at_most_its_batch_and_the_rerun_stores_it(
    tmp_path: Path, database_url: str
) -> None:
    sites = farm(6, 40, latency=0.02)
    with serve(sites) as running:
        config = make_config(tmp_path / "cfg", running, database_url)
        db = Database(database_url, upgrade=True)
        killed: list[int] = []

        async def kill_one_worker() -> None:
            while not killed:
                await asyncio.sleep(0.05)
                for pid in pool_children():
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                    break

        killer = asyncio.create_task(kill_one_worker())
        first = await crawl(config, db, options=CrawlOptions(workers=1))
        killer.cancel()
        assert killed, "no analysis worker was seen"
        # Killed busy, it costs the pages of its batch an error each; killed idle, nothing (the
        # next batch goes to a new worker). Either way no other kind of error.
        errors = [e for r in first.reports for e in r.errors]
        lost = [e for e in errors if "analysis worker exited" in e]
        assert len(lost) == len(errors), errors
        # The rest of the crawl went on with a new worker (a lost page listed both in the feed
        # and on a list page may even have been stored on its second sighting).
        stored_first = len(articles(db))
        assert 6 * 40 - len(lost) <= stored_first <= 6 * 40

        second = await crawl(config, db, options=CrawlOptions(workers=1))
        assert second.ok, [r.errors for r in second.reports]
        assert second.new == 6 * 40 - stored_first
        assert len(articles(db)) == 6 * 40
        db.dispose()
        assert pool_children() == []  # the pool closed its workers


@pytest.mark.parametrize("error", [StoreError, RuntimeError])
async def test_one_bad_article_does_not_sink_its_batch(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch, error: type[Exception]
) -> None:
    """A batch that fails is written again article by article: only the bad one is an error,
    whether the store refuses it or a bug breaks on it (the crawl must not wait forever)."""
    original = ArticleBatch.save_all

    def save_all(self: ArticleBatch, records: list[Any], *args: Any) -> Any:
        if any(record.url.endswith("/00003.html") for record in records):
            raise error("refused by the test")
        return original(self, records, *args)

    monkeypatch.setattr(ArticleBatch, "save_all", save_all)
    sites: list[Site]
    with serve(farm(2, 10)) as sites:
        config = make_config(tmp_path / "cfg", sites, database_url)
        db = Database(database_url, upgrade=True)
        summary = await crawl(config, db, options=CrawlOptions(workers=0))
        errors = [e for r in summary.reports for e in r.errors]
        # (each site lists the article twice, in its feed and on a list page)
        assert errors and all("refused by the test" in e and "/00003.html" in e for e in errors)
        urls = articles(db)
        assert len(urls) == 2 * 10 - 2
        assert not any(u.endswith("/00003.html") for u in urls)
        db.dispose()


async def crawl_with_one_worker(
    tmp_path: Path, articles: int = 5
) -> tuple[CrawlSummary, list[str]]:
    """Crawl 4 sites of ``articles`` articles with one worker; the summary and the errors."""
    with serve(farm(4, articles)) as sites:
        config = make_config(tmp_path / "cfg", sites, f"sqlite:///{tmp_path / 'c.db'}")
        db = Database(config.settings.database, upgrade=True)
        summary = await asyncio.wait_for(
            crawl(config, db, options=CrawlOptions(workers=1)), timeout=60
        )
        db.dispose()
    return summary, [e for r in summary.reports for e in r.errors]


@pytest.mark.parametrize("program", ["/bin/false", "/nonexistent/python"])
async def test_workers_that_cannot_start_fail_the_pages_not_the_crawl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, program: str
) -> None:
    """A broken installation (the worker exits at once, or cannot be executed): every page gets
    an error saying so, and the crawl ends instead of waiting."""
    from crawler import pool

    monkeypatch.setattr(pool.sys, "executable", program)
    summary, errors = await crawl_with_one_worker(tmp_path)
    assert summary.new == 0 and errors
    assert all("analysis worker" in e for e in errors), errors
    # not a quiet day: every source failed, and `crawl once` exits 1
    assert not summary.ok and all(r.failed for r in summary.reports)
    for r in summary.reports:  # the source's error (its health, `status`) says why
        assert r.errors[0].startswith(f"all {r.tried - r.disallowed} articles failed; first: ")


@pytest.fixture
def broken_handover(monkeypatch: pytest.MonkeyPatch) -> None:
    """Handing a batch to a worker raises an error nobody planned for."""
    from crawler import pool

    def broken(pipe: object) -> None:
        raise ValueError("unexpected")

    monkeypatch.setattr(pool, "_widen", broken)


@pytest.mark.usefixtures("broken_handover")
async def test_an_unexpected_error_handing_over_a_batch_fails_its_pages(tmp_path: Path) -> None:
    """Whatever goes wrong between the crawl and a worker, the pages get an error: none is left
    waiting for an answer that will not come."""
    summary, errors = await crawl_with_one_worker(tmp_path)
    assert summary.new == 0 and not summary.ok
    assert all("internal error: ValueError: unexpected" in e for e in errors), errors
    assert len({e.rsplit("(", 1)[1] for e in errors}) == 20  # every article, each with its error
    assert pool_children() == []  # each worker started for a batch it never got was ended


@pytest.mark.usefixtures("broken_handover")
async def test_a_source_fails_once_broken_after_articles_failed_not_before(tmp_path: Path) -> None:
    """One article per site, tried once per way the site lists it (feed, list, sitemap): fewer
    failures than BROKEN_AFTER are bad luck, that many mean a broken source."""
    from crawler import pipeline

    summary, _ = await crawl_with_one_worker(tmp_path, articles=1)
    tried = {r.source_id: r.tried - r.disallowed for r in summary.reports}
    assert min(tried.values()) < pipeline.BROKEN_AFTER <= max(tried.values())
    assert {r.source_id: r.failed for r in summary.reports} == {
        source: count >= pipeline.BROKEN_AFTER for source, count in tried.items()
    }


# --------------------------------------------------------------------------- what the pipes carry


def run_worker(setup: Any, batch: list[tuple[int, Any]]) -> dict[int, Any]:
    """The worker's loop (:func:`crawler.pool_worker.serve`) in this process, fed ``setup`` and
    one batch over a pipe: each job's outcome, unpickled as the crawl unpickles it."""
    import io
    import pickle

    from crawler.pool_worker import FRAME, serve

    read, write = os.pipe()
    with os.fdopen(write, "wb") as pipe:
        for frame in (pickle.dumps(setup), pickle.dumps(batch)):
            pipe.write(FRAME.pack(len(frame)) + frame)
    out = io.BytesIO()
    try:
        serve(read, out)
    finally:
        os.close(read)
    data, outcomes = out.getvalue(), {}
    while data:
        (size,) = FRAME.unpack_from(data)
        outcomes.update(pickle.loads(data[FRAME.size : FRAME.size + size]))
        data = data[FRAME.size + size :]
    return outcomes


def test_an_analysing_worker_answers_each_page_with_a_typed_outcome(tmp_path: Path) -> None:
    """A worker that does not write sends back the ArticleRecord it made of a page (the writer
    gets it as it is), Older for a page before the period, and a Failure that raises in the
    crawl the error in-process analysis raises."""
    from datetime import UTC, datetime

    from crawler.base.errors import AnalysisFailed, ExtractError
    from crawler.pool import _setup
    from crawler.pool_worker import Failed, NoArticle, Older, Page
    from crawler.store.batch import ArticleRecord
    from crawler.store.write import Origin

    sites = farm(1, 1)
    site, article = sites[0], sites[0].articles[0]
    config = make_config(tmp_path / "cfg", sites, f"sqlite:///{tmp_path / 'unused.db'}")
    url = site.article_url(0)
    origin = Origin(url, url, site.id, link_title="the feed's words")
    html = site.encode(site.article_page(article))
    pages = [
        (1, Page(html, url, site.charset(), origin)),
        (2, Page(b"<html><body></body></html>", url, None, origin)),
        (3, Page(html, url, None, Origin(url, url, "nobody"))),
    ]
    outcomes = run_worker(_setup(config, config.sources, None), pages)
    record = outcomes[1]
    assert isinstance(record, ArticleRecord)
    assert (record.url, record.source_id, record.title) == (url, site.id, article.title)
    assert record.sketch and record.fingerprint and record.body.startswith(article.paragraphs[0])
    assert isinstance(outcomes[2], NoArticle)
    assert isinstance(outcomes[2].error(url), ExtractError)
    assert isinstance(outcomes[3], Failed) and "KeyError" in outcomes[3].message
    assert isinstance(outcomes[3].error(url), AnalysisFailed)

    later = _setup(config, config.sources, datetime(2999, 1, 1, tzinfo=UTC))
    assert run_worker(later, pages[:1]) == {1: Older()}


def test_a_writers_results_cross_as_the_errors_the_crawl_raises() -> None:
    """What ArticleWriter.write gives for a record, as an outcome and back: the same error."""
    import pickle

    from crawler.base.errors import DatabaseUnavailable
    from crawler.pool_worker import Failure, outcome_of
    from crawler.store.batch import SaveResult

    saved = SaveResult(7, 3, True)
    assert pickle.loads(pickle.dumps(outcome_of(saved))) == saved
    url = "http://127.0.0.2/1.html"
    for error in (
        StoreError("duplicate key", url=url),
        DatabaseUnavailable("sqlite:///x.db", "gone", None),
        RuntimeError("a bug"),
    ):
        outcome = pickle.loads(pickle.dumps(outcome_of(error)))
        assert isinstance(outcome, Failure)
        raised = outcome.error(url)
        if isinstance(error, RuntimeError):
            assert str(raised) == f"analyze: internal error: RuntimeError: a bug ({url})"
        else:
            assert (type(raised), str(raised)) == (type(error), str(error))


async def test_closing_waits_for_a_batch_caught_starting_its_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crawl that ends early (its database went away) closes the pool while a batch is still
    starting the worker it goes to: closing waits for that batch and closes the worker it
    started, instead of leaving the start to asyncio.run's teardown, which cancelled it inside
    create_subprocess_exec and hung the crawl's exit (seen under load in CI)."""
    from crawler import pool
    from crawler.store.write import Origin

    start = pool.WorkerPool._start
    starting, proceed = asyncio.Event(), asyncio.Event()

    async def held_start(self: pool.WorkerPool, setup: bytes) -> Any:
        starting.set()
        await proceed.wait()
        return await start(self, setup)

    monkeypatch.setattr(pool.WorkerPool, "_start", held_start)
    with serve(farm(1, 1)) as sites:
        config = make_config(tmp_path / "cfg", sites, f"sqlite:///{tmp_path / 'p.db'}")
    Database(config.settings.database, upgrade=True).dispose()
    source = config.sources[0]
    workers = pool.WorkerPool(config, config.settings.database, [source], 1, None)
    origin = Origin("http://127.0.0.2/1.html", "http://127.0.0.2/1.html", source.id)
    page = asyncio.create_task(
        workers.store(b"<html><p>x</p></html>", origin.link_url, None, source, origin)
    )
    await asyncio.wait_for(starting.wait(), 5)
    closing = asyncio.create_task(workers.aclose())
    await asyncio.sleep(0.1)
    proceed.set()
    await asyncio.wait_for(closing, 30)
    assert not workers._sending  # no batch left running past the close
    started = [w for w in workers._workers if w is not None]
    assert started and all(w.process.returncode is not None for w in started)
    await asyncio.wait({page}, timeout=5)
    assert page.done()  # the page has its outcome (here: no article in it), not left waiting
