"""Where pages are analysed and stored: in the crawl's own process, or in worker processes
beside it.

Fetching is I/O bound and lives on the event loop; decoding, extraction, tagging, sketching,
dedup and the database writes are CPU bound and, in one process, take most of a core away from
it. :class:`WorkerPool` runs them in child processes (:mod:`crawler.pool_worker`, their side)
that import only the analysers and the store (not the HTTP client or the config loader). Pages
go over a child's stdin in length-prefixed pickled batches; what became of each (stored, older
than the period, no article, an error) comes back over its stdout. Pages that arrive within a
few milliseconds of each other travel in one batch, so a busy crawl pays the round trip once for
many pages.

What crosses the pipes is typed (:mod:`crawler.pool_worker` defines it): a
:class:`~crawler.pool_worker.Page` goes down, the :class:`~crawler.store.batch.ArticleRecord`
made of it or the page's outcome (a ``SaveResult``, ``Older``, a ``Failure``) comes back, each
under its job number.

One worker, the first, owns the dedup index and writes (:class:`crawler.store.write.ArticleWriter`):
near-duplicates must meet in one index whichever worker analysed them. It analyses and writes
the pages it is sent; the records other workers made come back to the crawl, which passes them
on to it. That hop stays on purpose: the crawl is the one place that knows which worker holds
which page, so a worker that dies (the writer included) fails exactly its own pages, and a
writer started again is reached at once. Records sent from worker to writer directly would need
a pipe between every two of them, made again with every worker started again, and the crawl told
which records were under way in them when one died. The hop costs the crawl one unpickling and
one pickling of each record.

A page that kills its worker (a crash in a C parser on hostile markup, the out-of-memory killer)
costs the pages of that batch, and the writing worker's unwritten ones, an error each; the next
batch starts a new worker. What a worker committed stays committed.

:class:`LocalStages` is the same interface without processes: for small jobs, the tests and
machines with one core.
"""

from __future__ import annotations

__all__ = ["ArticleStages", "LocalStages", "WorkerPool", "stages_for", "worker_count"]

import asyncio
import contextlib
import fcntl
import functools
import logging
import os
import pickle
import sys
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from crawler.base.errors import AnalysisFailed
from crawler.pool_worker import (
    FRAME,
    WRITE_BATCH,
    WRITE_SECONDS,
    Failed,
    Failure,
    Item,
    Older,
    Outcome,
    Page,
    Setup,
    Traits,
)
from crawler.store.batch import ArticleRecord, SaveResult

if TYPE_CHECKING:
    from crawler.base.config import Config
    from crawler.base.config.sources import Source
    from crawler.store.store import Store
    from crawler.store.write import ArticleWriter, Origin

log = logging.getLogger("citydigest.pool")

# A batch goes when it has MAX_BATCH pages or its first page has waited BATCH_SECONDS: each
# write to a worker's pipe wakes it and this process, and at hundreds of pages a second those
# wake-ups would cost more than the pickling. (10 ms is nothing beside the write batch's wait.)
MAX_BATCH = 64
BATCH_SECONDS = 0.01
# ... or when its pages hold MAX_BATCH_BYTES: 64 real pages of 30-180 KB would be a 2-11 MB
# pickle, copied on both sides of the pipe.
MAX_BATCH_BYTES = 1 << 20
# Pages admitted to a fetch (``room()``) or fetched and not yet through a worker's pipe, past
# which the crawl starts no more fetches until the workers catch up: they wait in this
# process's memory. Counted in pages and in bytes (fetched pages are 5 to 200 KB; a fetch
# under way counts at the mean size so far): at 170 KB a page, about 100 under way, which at
# half a second a response still outruns a worker (5-8 ms a real page).
BACKLOG = 256
BACKLOG_BYTES = 16 << 20
# The pipe to a worker is widened to this (or the system's limit, 1 MB by default).
PIPE_BYTES = 4 * 1024 * 1024
# Below this many sources a crawl analyses in its own process: a worker's start (about half a
# second of imports) would cost more than it saves.
MIN_SOURCES_FOR_WORKERS = 4
# At most this many workers unless asked: the crawl's own process, one event loop at about
# 0.65 ms of CPU a page, fetches at most ~1,500 pages a second, which two workers at ~0.8 ms an
# article (analysing and writing) keep up with. A third would add ~100 MB. (Estimated from
# those costs; the benchmark machine has two cores.)
MAX_DEFAULT_WORKERS = 2
MAX_FAILED_STARTS = 3
# How long closing the pool waits for batches on their way, and for each worker to exit.
CLOSE_SECONDS = 10


class ArticleStages(Protocol):
    """Turns a fetched page into a stored article: decode, extract, tag, sketch, dedup, store."""

    async def store(
        self, content: bytes, url: str, charset: str | None, source: Source, origin: Origin
    ) -> SaveResult | None:
        """What was stored (``created`` False: stored before, under this canonical URL), or
        None for an article published before the crawl's period. Raises ExtractError for a page
        that holds no article, StoreError or AnalysisFailed when it could not be stored."""
        ...

    async def room(self) -> None:
        """Return once the stages can take another page: the crawl asks before each fetch.
        Each return admits one page, given back by its :meth:`store` call or, for a fetch that
        ends in no page to store, by :meth:`release`."""
        ...

    def release(self) -> None:
        """Give back the admission of a :meth:`room` whose page never reached :meth:`store`."""
        ...

    async def aclose(self) -> None: ...


def _setup(config: Config, sources: Sequence[Source], since: datetime | None) -> Setup:
    """What every worker analyses with; the writer's also names the database."""
    # (Imported here: it loads the extractor, which only a crawl with workers needs in this
    # process, and only for ExtractRules, the form the workers take the config's rules in.)
    from crawler.extract.rules import rules_from_spec

    traits = {
        source.id: Traits(
            source.encoding,
            None if source.extract is None else rules_from_spec(source.extract),
            tuple(source.tags.cities),
            tuple(source.tags.provinces),
            source.home_place,
        )
        for source in sources
    }
    return Setup(
        taxonomy=config.taxonomy,
        tz=config.settings.zone,
        domain_rules={host: rules_from_spec(spec) for host, spec in config.domain_rules.items()},
        traits=traits,
        since=since,
    )


def worker_count(requested: int | None, sources: int) -> int:
    """How many analysis workers a crawl of ``sources`` sources gets: as asked, else one per
    core beside the crawl's own (at most MAX_DEFAULT_WORKERS) when there are enough sources to
    keep them busy."""
    if requested is not None:
        return max(0, requested)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if (cores or 1) < 2 or sources < MIN_SOURCES_FOR_WORKERS:
        return 0
    return min(max(1, (cores or 1) - 1), MAX_DEFAULT_WORKERS)


def stages_for(
    config: Config,
    store: Store,
    sources: Sequence[Source],
    workers: int,
    since: datetime | None,
) -> ArticleStages:
    """Worker processes when ``workers`` > 0 (and the database is one they can open), else
    everything in this process."""
    if workers > 0 and not store.db.in_memory:
        return WorkerPool(config, store.db.url, sources, workers, since)
    return LocalStages(config, store, since)


# --------------------------------------------------------------------------- in this process


class LocalStages:
    """Analysis on the event loop's own thread; records written in batches between fetches."""

    def __init__(self, config: Config, store: Store, since: datetime | None) -> None:
        from crawler.analyze import Analyzer
        from crawler.fetch.encoding import SiteCharsets
        from crawler.store.write import ArticleWriter, article_record

        self.analyzer = Analyzer.from_config(config)
        self.since = since
        self.writer = _BatchedWriter(ArticleWriter(store))
        self.charsets = SiteCharsets()
        # (imported here, once: a crawl with worker processes never loads the analysers)
        self._record = article_record

    async def store(
        self, content: bytes, url: str, charset: str | None, source: Source, origin: Origin
    ) -> SaveResult | None:
        html = self.charsets.decode(
            url, content, header_charset=charset, forced=source.encoding
        ).text
        analysis = self.analyzer.analyze_html(html, url, source=source)
        record = self._record(analysis, origin, self.since)
        if record is None:
            return None
        return await self.writer.save(record)

    async def room(self) -> None:
        pass  # analysis runs on the crawl's own loop, which is its back-pressure

    def release(self) -> None:
        pass

    async def aclose(self) -> None:
        self.writer.flush()


class _BatchedWriter:
    """An ArticleWriter on the event loop: records wait (up to WRITE_SECONDS or WRITE_BATCH of
    them) and are then written together."""

    def __init__(self, writer: ArticleWriter) -> None:
        self.writer = writer
        self._pending: list[tuple[ArticleRecord, asyncio.Future[SaveResult]]] = []
        self._timer: asyncio.TimerHandle | None = None

    async def save(self, record: ArticleRecord) -> SaveResult:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[SaveResult] = loop.create_future()
        self._pending.append((record, future))
        if len(self._pending) >= WRITE_BATCH:
            self.flush()
        elif self._timer is None:
            self._timer = loop.call_later(WRITE_SECONDS, self.flush)
        return await future

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        pending, self._pending = self._pending, []
        if not pending:
            return
        # (This runs in a timer callback: an exception escaping it would leave the articles
        # waiting forever; ArticleWriter.write reports every record's own result instead.)
        results = self.writer.write([record for record, _ in pending])
        for (_, future), saved in zip(pending, results, strict=True):
            if future.done():
                continue
            if isinstance(saved, Exception):
                future.set_exception(saved)
            else:
                future.set_result(saved)


# --------------------------------------------------------------------------- worker processes


class _Worker:
    """One child process and the pages it has been sent."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.waiting: dict[int, asyncio.Future[Outcome]] = {}
        self.reader: asyncio.Task[None] | None = None
        self.answered = False

    @property
    def alive(self) -> bool:
        return (
            self.process.returncode is None and self.reader is not None and not self.reader.done()
        )


class WorkerPool:
    """``workers`` analysis processes, fed in batches, the first of them also the writer; see
    the module docstring."""

    WRITER = 0  # the slot of the worker that owns the dedup index and writes

    def __init__(
        self,
        config: Config,
        database_url: str,
        sources: Sequence[Source],
        workers: int,
        since: datetime | None,
    ) -> None:
        setup = _setup(config, sources, since)
        self._setups = [
            pickle.dumps(
                replace(setup, database=database_url) if slot == self.WRITER else setup,
                protocol=pickle.HIGHEST_PROTOCOL,
            )
            for slot in range(workers)
        ]
        self._size = workers
        self._workers: list[_Worker | None] = [None] * workers
        self._starting: list[asyncio.Lock] = [asyncio.Lock() for _ in range(workers)]
        # Pages for any worker, and records other workers made for the writer only.
        self._batches: dict[int | None, list[tuple[int, Item]]] = {None: [], self.WRITER: []}
        self._futures: dict[int, asyncio.Future[Outcome]] = {}
        self._next_id = 0
        self._flush_scheduled = False
        self._sending: set[asyncio.Task[None]] = set()
        self._known_sources: set[str] = {source.id for source in sources}
        self._closed = False
        self._unsent = 0  # pages queued or being written to a pipe
        self._unsent_bytes = 0  # their content
        self._admitted = 0  # room() given and the page not yet handed to store()
        self._seen_pages = self._seen_bytes = 0  # every page handed to store(), for its mean size
        self._batch_bytes: dict[int | None, int] = {None: 0, self.WRITER: 0}
        # Fetches waiting for room, first come first served: woken one by one as room frees
        # (each woken with its admission counted), not all at once to find it taken again.
        self._waiting_room: deque[asyncio.Future[None]] = deque()
        # One batch pickled and written at a time: batches waiting for a full pipe would each
        # hold their pickle (and the frame's copy) at once.
        self._pipe = asyncio.Lock()
        # Workers that exited before answering anything, in a row: past MAX_FAILED_STARTS the
        # pool stops starting new ones (a broken installation, not a hostile page).
        self._failed_starts = 0

    async def store(
        self, content: bytes, url: str, charset: str | None, source: Source, origin: Origin
    ) -> SaveResult | None:
        if self._closed:
            raise AnalysisFailed("the analysis pool is closed", url=url)
        if source.id not in self._known_sources:
            raise AnalysisFailed(f"source {source.id!r} was not given to the pool", url=url)
        outcome = await self._ask(None, Page(content, url, charset, origin))
        if isinstance(outcome, ArticleRecord):  # made by a worker that does not write
            outcome = await self._ask(self.WRITER, outcome)
        if isinstance(outcome, SaveResult):
            return outcome
        if isinstance(outcome, Older):
            return None
        if isinstance(outcome, Failure):
            raise outcome.error(url)
        raise AnalysisFailed("the writing worker sent the record back unwritten", url=url)

    def _full(self) -> bool:
        """Whether BACKLOG pages wait or are being fetched, or BACKLOG_BYTES of them: those
        being fetched counted at the mean size of the pages so far."""
        if self._unsent + self._admitted >= BACKLOG:
            return True
        mean = self._seen_bytes / self._seen_pages if self._seen_pages else 0.0
        return self._unsent_bytes + self._admitted * mean >= BACKLOG_BYTES

    async def room(self) -> None:
        if not self._waiting_room and not self._full():
            self._admitted += 1
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting_room.append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():  # admitted, then cancelled: give it back
                self.release()
            raise

    def release(self) -> None:
        self._admitted = max(0, self._admitted - 1)
        self._admit()

    def _admit(self) -> None:
        """Admit the fetches waiting for room, first come first served, while there is room."""
        while self._waiting_room and not self._full():
            turn = self._waiting_room.popleft()
            if not turn.done():  # (one cancelled while it waited)
                self._admitted += 1
                turn.set_result(None)

    async def _ask(self, slot: int | None, item: Item) -> Outcome:
        """Queue ``item`` for the worker in ``slot`` (None: the least busy one); its outcome."""
        loop = asyncio.get_running_loop()
        job = self._next_id = self._next_id + 1
        future: asyncio.Future[Outcome] = loop.create_future()
        self._futures[job] = future
        batch = self._batches[slot]
        batch.append((job, item))
        if isinstance(item, Page):
            self._unsent += 1
            self._unsent_bytes += len(item.content)
            self._seen_pages += 1
            self._seen_bytes += len(item.content)
            self._batch_bytes[slot] += len(item.content)
            self._admitted = max(0, self._admitted - 1)  # its room() admission, if it had one
        if len(batch) >= MAX_BATCH or self._batch_bytes[slot] >= MAX_BATCH_BYTES:
            self._flush()
        elif not self._flush_scheduled:
            self._flush_scheduled = True
            loop.call_later(BATCH_SECONDS, self._flush)
        return await future

    def _flush(self) -> None:
        self._flush_scheduled = False
        for slot, batch in self._batches.items():
            if not batch:
                continue
            self._batches[slot] = []
            self._batch_bytes[slot] = 0
            task = asyncio.get_running_loop().create_task(self._send(batch, slot))
            self._sending.add(task)  # the loop keeps only a weak reference to a task
            task.add_done_callback(self._sending.discard)

    async def _send(self, batch: list[tuple[int, Item]], slot: int | None) -> None:
        try:
            async with self._pipe:
                await self._deliver(batch, slot)
        finally:
            pages = [item for _, item in batch if isinstance(item, Page)]
            self._unsent -= len(pages)
            self._unsent_bytes -= sum(len(page.content) for page in pages)
            self._admit()

    async def _deliver(self, batch: list[tuple[int, Item]], slot: int | None) -> None:
        futures = {job: self._futures.pop(job) for job, _ in batch}
        try:
            await self._deliver_to(batch, slot, futures)
        except Exception as exc:  # a bug here must fail the batch's pages, not leave them waiting
            log.exception("cannot hand a batch to an analysis worker")
            self._fail(futures, f"internal error: {type(exc).__name__}: {exc}")

    async def _deliver_to(
        self,
        batch: list[tuple[int, Item]],
        slot: int | None,
        futures: dict[int, asyncio.Future[Outcome]],
    ) -> None:
        data = pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL)
        for attempt in range(2):
            try:
                worker = await self._worker(slot)
            except (RuntimeError, OSError) as exc:  # no worker could be started
                self._fail(futures, f"no analysis worker: {exc}")
                return
            assert worker.process.stdin is not None
            worker.waiting.update(futures)
            try:
                worker.process.stdin.write(FRAME.pack(len(data)))  # not + data: a copy
                worker.process.stdin.write(data)
                await worker.process.stdin.drain()
                return
            except (OSError, RuntimeError, ConnectionError) as exc:
                # The worker died before it got this batch (with another batch's page): the
                # batch is not to blame, so it goes once more, to a new worker.
                unsent = {job: worker.waiting.pop(job) for job in futures if job in worker.waiting}
                if attempt or len(unsent) < len(futures):
                    self._fail(unsent, f"cannot reach the analysis worker: {exc}")
                    return
                with contextlib.suppress(ProcessLookupError):
                    worker.process.kill()
                await worker.process.wait()

    async def _worker(self, slot: int | None) -> _Worker:
        """The worker in ``slot`` (None: the least busy one), started if need be."""
        if slot is None:
            slot = min(
                range(self._size),
                key=lambda i: -1 if self._workers[i] is None else len(self._workers[i].waiting),  # type: ignore[union-attr]
            )
        worker = self._workers[slot]
        if worker is not None and worker.alive:
            return worker
        if self._closed:  # a batch still on its way when the crawl ended: no new worker for it
            raise RuntimeError("the analysis pool is closed")
        async with self._starting[slot]:
            worker = self._workers[slot]
            if worker is None or not worker.alive:
                if self._failed_starts >= MAX_FAILED_STARTS:
                    raise RuntimeError(
                        f"{self._failed_starts} analysis workers in a row exited before "
                        "answering; see their errors above"
                    )
                worker = await self._start(self._setups[slot])
                self._workers[slot] = worker
        return worker

    async def _start(self, setup: bytes) -> _Worker:
        # -P: not the working directory first on the path, where a folder named crawler (an
        # older checkout, say) would be imported instead of the code this process runs.
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-P",
            "-m",
            "crawler.pool_worker",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=2**26,
        )
        assert process.stdin is not None
        try:
            _widen(process.stdin.get_extra_info("pipe"))
            process.stdin.write(FRAME.pack(len(setup)) + setup)
        except BaseException:
            # Not yet a worker of the pool, so not one aclose would end: end it here.
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            raise
        worker = _Worker(process)
        worker.reader = asyncio.get_running_loop().create_task(self._read(worker))
        return worker

    async def _read(self, worker: _Worker) -> None:
        stdout = worker.process.stdout
        assert stdout is not None
        try:
            while True:
                head = await stdout.readexactly(FRAME.size)
                (size,) = FRAME.unpack(head)
                results: list[tuple[int, Outcome]] = pickle.loads(await stdout.readexactly(size))
                worker.answered = True
                self._failed_starts = 0
                for job, outcome in results:
                    future = worker.waiting.pop(job, None)
                    if future is not None and not future.done():
                        future.set_result(outcome)
        except (asyncio.IncompleteReadError, ConnectionError, pickle.UnpicklingError):
            pass
        finally:
            code = await worker.process.wait()
            if not worker.answered:
                self._failed_starts += 1
            if worker.waiting:
                message = f"the analysis worker exited (code {code}) during this page's batch"
                log.warning("%s; %d page(s) lost", message, len(worker.waiting))
                self._fail(worker.waiting, message)
                worker.waiting = {}

    @staticmethod
    def _fail(futures: Mapping[int, asyncio.Future[Outcome]], message: str) -> None:
        for future in futures.values():
            if not future.done():
                future.set_result(Failed(message))

    async def aclose(self) -> None:
        self._closed = True
        # Batches still on their way (the crawl ended early: its database went away, say) reach
        # a worker or fail first; one caught starting a worker would otherwise be left to
        # asyncio.run's teardown, cancelled inside create_subprocess_exec, and hang it.
        if self._sending:
            await asyncio.wait(set(self._sending), timeout=CLOSE_SECONDS)
        for worker in self._workers:
            if worker is None:
                continue
            if worker.process.stdin is not None and worker.process.returncode is None:
                worker.process.stdin.close()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(CLOSE_SECONDS):
                    await worker.process.wait()
            if worker.process.returncode is None:
                worker.process.kill()
                await worker.process.wait()
            if worker.reader is not None:
                await worker.reader
        for task in set(self._sending):  # one stuck writing to a worker now gone
            task.cancel()
        if self._sending:
            await asyncio.wait(set(self._sending), timeout=CLOSE_SECONDS)


def _widen(pipe: Any) -> None:
    """Give the pipe to a worker room for a whole batch (Linux; elsewhere it stays as it is).
    A default pipe holds 64 KB, a batch about a megabyte: the worker would wait for the crawl's
    event loop to come round sixteen times to hand it one batch."""
    setpipe = getattr(fcntl, "F_SETPIPE_SZ", None)
    if pipe is None or setpipe is None:
        return
    with contextlib.suppress(OSError, ValueError):  # ValueError: the worker exited already
        fcntl.fcntl(pipe.fileno(), setpipe, _pipe_max())


@functools.cache
def _pipe_max() -> int:
    try:
        return min(int(Path("/proc/sys/fs/pipe-max-size").read_text()), PIPE_BYTES)
    except (OSError, ValueError):
        return PIPE_BYTES
