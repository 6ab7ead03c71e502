"""Where pages are analysed: in the crawl's own process, or in worker processes beside it.

Fetching is I/O bound and lives on the event loop; decoding, extraction, tagging and sketching
are CPU bound and, in one process, take most of a core away from it. :class:`WorkerPool` runs
them in ``python -m crawler.pool`` child processes that import only the analysers (not the HTTP
client, the database or the config loader). Pages go over the child's stdin in length-prefixed
pickled batches; the plain fields of :func:`crawler.analyze.record_fields` come back over its
stdout. Pages that arrive within a few milliseconds of each other travel in one batch, so a
busy crawl pays the round trip once for many pages.

A page that kills its worker (a crash in a C parser on hostile markup, the out-of-memory killer)
costs the pages of that batch an error each; the next batch starts a new worker.

:class:`LocalAnalysis` is the same interface without processes: for small jobs, the tests and
machines with one core.
"""

from __future__ import annotations

__all__ = ["LocalAnalysis", "PageAnalysis", "WorkerPool", "analysis_for", "worker_count"]

import asyncio
import contextlib
import logging
import os
import pickle
import struct
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, Protocol

from crawler.errors import CrawlError, ExtractError

if TYPE_CHECKING:
    from crawler.config import Config, ExtractSpec, Source

log = logging.getLogger("citydigest.pool")

_FRAME = struct.Struct("!I")
# A batch goes when it has MAX_BATCH pages or its first page has waited BATCH_SECONDS: each
# write to a worker's pipe wakes it, and at hundreds of pages a second those wake-ups would
# cost more than the pickling.
MAX_BATCH = 64
BATCH_SECONDS = 0.003
# Below this many sources a crawl analyses in its own process: a worker's start (about half a
# second of imports) would cost more than it saves.
MIN_SOURCES_FOR_WORKERS = 4
MAX_FAILED_STARTS = 3


class AnalysisFailed(CrawlError):
    """The analysis worker failed on this page for a reason that is not the page's fault."""

    stage = "analyze"


class PageAnalysis(Protocol):
    """Turns a fetched page into the stored fields of its article (see ``record_fields``)."""

    async def analyze(
        self, content: bytes, url: str, charset: str | None, source: Source
    ) -> dict[str, Any]: ...

    async def aclose(self) -> None: ...


_Rules = tuple[str | None, str | None, str | None, tuple[str, ...]]
"""An ExtractSpec's title, body and date selectors and drop list, as plain values."""


@dataclass(frozen=True)
class _Traits:
    """What analysis needs to know of a source, as plain values."""

    encoding: str | None
    rules: _Rules | None
    cities: tuple[str, ...]
    provinces: tuple[str, ...]


def _rules(spec: ExtractSpec) -> _Rules:
    """A config ExtractSpec as plain values (the worker turns them into ExtractRules)."""
    return (spec.title, spec.body, spec.date, tuple(spec.drop))


def _traits(source: Source) -> _Traits:
    rules = None if source.extract is None else _rules(source.extract)
    return _Traits(source.encoding, rules, tuple(source.tags.cities), tuple(source.tags.provinces))


def _domain_rules(config: Config) -> dict[str, _Rules]:
    return {host: _rules(spec) for host, spec in config.domain_rules.items()}


def worker_count(requested: int | None, sources: int) -> int:
    """How many analysis workers a crawl of ``sources`` sources gets: as asked, else one per
    core beside the crawl's own when there are enough sources to keep them busy."""
    if requested is not None:
        return max(0, requested)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if (cores or 1) < 2 or sources < MIN_SOURCES_FOR_WORKERS:
        return 0
    return max(1, (cores or 1) - 1)


def analysis_for(config: Config, sources: Sequence[Source], workers: int) -> PageAnalysis:
    """Worker processes when ``workers`` > 0, else analysis in this process."""
    if workers > 0:
        return WorkerPool(config, sources, workers)
    return LocalAnalysis(config)


# --------------------------------------------------------------------------- in this process


class LocalAnalysis:
    """Analysis on the event loop's own thread."""

    def __init__(self, config: Config) -> None:
        from crawler.analyze import Analyzer

        self.analyzer = Analyzer.from_config(config)

    async def analyze(
        self, content: bytes, url: str, charset: str | None, source: Source
    ) -> dict[str, Any]:
        from crawler.analyze import record_fields
        from crawler.encoding import decode_bytes

        html = decode_bytes(content, header_charset=charset, forced=source.encoding).text
        return record_fields(self.analyzer.analyze_html(html, url, source=source))

    async def aclose(self) -> None:
        pass


# --------------------------------------------------------------------------- worker processes


class _Worker:
    """One child process and the pages it has been sent."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.waiting: dict[int, asyncio.Future[tuple[str, Any]]] = {}
        self.reader: asyncio.Task[None] | None = None
        self.answered = False

    @property
    def alive(self) -> bool:
        return (
            self.process.returncode is None and self.reader is not None and not self.reader.done()
        )


class WorkerPool:
    """``workers`` analysis processes, fed in batches; see the module docstring."""

    def __init__(self, config: Config, sources: Sequence[Source], workers: int) -> None:
        self._setup = pickle.dumps(
            {
                "taxonomy": config.taxonomy,
                "tz": config.settings.zone,
                "domain_rules": _domain_rules(config),
                "traits": {source.id: _traits(source) for source in sources},
            },
            protocol=pickle.HIGHEST_PROTOCOL,
        )
        self._size = workers
        self._workers: list[_Worker | None] = [None] * workers
        self._starting: list[asyncio.Lock] = [asyncio.Lock() for _ in range(workers)]
        self._batch: list[tuple[int, bytes, str, str | None, str]] = []
        self._futures: dict[int, asyncio.Future[tuple[str, Any]]] = {}
        self._next_id = 0
        self._flush_scheduled = False
        self._sending: set[asyncio.Task[None]] = set()
        self._known_sources: set[str] = {source.id for source in sources}
        self._closed = False
        # Workers that exited before answering anything, in a row: past MAX_FAILED_STARTS the
        # pool stops starting new ones (a broken installation, not a hostile page).
        self._failed_starts = 0

    async def analyze(
        self, content: bytes, url: str, charset: str | None, source: Source
    ) -> dict[str, Any]:
        if self._closed:
            raise AnalysisFailed("the analysis pool is closed", url=url)
        if source.id not in self._known_sources:
            raise AnalysisFailed(f"source {source.id!r} was not given to the pool", url=url)
        loop = asyncio.get_running_loop()
        job = self._next_id = self._next_id + 1
        future: asyncio.Future[tuple[str, Any]] = loop.create_future()
        self._futures[job] = future
        self._batch.append((job, content, url, charset, source.id))
        if len(self._batch) >= MAX_BATCH:
            self._flush()
        elif not self._flush_scheduled:
            self._flush_scheduled = True
            loop.call_later(BATCH_SECONDS, self._flush)
        kind, value = await future
        if kind == "ok":
            return value
        if kind == "extract":
            raise ExtractError(value, url=url)
        raise AnalysisFailed(value, url=url)

    def _flush(self) -> None:
        self._flush_scheduled = False
        if not self._batch:
            return
        batch, self._batch = self._batch, []
        task = asyncio.get_running_loop().create_task(self._send(batch))
        self._sending.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(self._sending.discard)

    async def _send(self, batch: list[tuple[int, bytes, str, str | None, str]]) -> None:
        futures = {job: self._futures.pop(job) for job, *_ in batch}
        data = pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL)
        for attempt in range(2):
            try:
                worker = await self._least_busy()
            except (RuntimeError, OSError) as exc:  # no worker could be started
                self._fail(futures, f"no analysis worker: {exc}")
                return
            assert worker.process.stdin is not None
            worker.waiting.update(futures)
            try:
                worker.process.stdin.write(_FRAME.pack(len(data)) + data)
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

    async def _least_busy(self) -> _Worker:
        slot = min(
            range(self._size),
            key=lambda i: -1 if self._workers[i] is None else len(self._workers[i].waiting),  # type: ignore[union-attr]
        )
        worker = self._workers[slot]
        if worker is not None and worker.alive:
            return worker
        async with self._starting[slot]:
            worker = self._workers[slot]
            if worker is None or not worker.alive:
                if self._failed_starts >= MAX_FAILED_STARTS:
                    raise RuntimeError(
                        f"{self._failed_starts} analysis workers in a row exited before "
                        "answering; see their errors above"
                    )
                worker = await self._start()
                self._workers[slot] = worker
        return worker

    async def _start(self) -> _Worker:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "crawler.pool",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=2**26,
        )
        assert process.stdin is not None
        process.stdin.write(_FRAME.pack(len(self._setup)) + self._setup)
        worker = _Worker(process)
        worker.reader = asyncio.get_running_loop().create_task(self._read(worker))
        return worker

    async def _read(self, worker: _Worker) -> None:
        stdout = worker.process.stdout
        assert stdout is not None
        try:
            while True:
                head = await stdout.readexactly(_FRAME.size)
                (size,) = _FRAME.unpack(head)
                results = pickle.loads(await stdout.readexactly(size))
                worker.answered = True
                self._failed_starts = 0
                for job, kind, value in results:
                    future = worker.waiting.pop(job, None)
                    if future is not None and not future.done():
                        future.set_result((kind, value))
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
    def _fail(futures: Mapping[int, asyncio.Future[tuple[str, Any]]], message: str) -> None:
        for future in futures.values():
            if not future.done():
                future.set_result(("failed", message))

    async def aclose(self) -> None:
        self._closed = True
        for worker in self._workers:
            if worker is None:
                continue
            if worker.process.stdin is not None and worker.process.returncode is None:
                worker.process.stdin.close()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(10):
                    await worker.process.wait()
            if worker.process.returncode is None:
                worker.process.kill()
                await worker.process.wait()
            if worker.reader is not None:
                await worker.reader


# --------------------------------------------------------------------------- the worker's side


def _read_frame(stream: Any) -> bytes | None:
    head = stream.read(_FRAME.size)
    if len(head) < _FRAME.size:
        return None
    (size,) = _FRAME.unpack(head)
    data = stream.read(size)
    return data if len(data) == size else None


def _serve(stdin: Any, stdout: Any) -> None:
    """The worker's loop: the setup frame, then batches of pages until stdin closes."""
    from crawler.analyze import Analyzer, record_fields
    from crawler.encoding import decode_bytes
    from crawler.errors import CitydigestError
    from crawler.extract import ExtractRules

    setup_data = _read_frame(stdin)
    if setup_data is None:
        return
    setup = pickle.loads(setup_data)
    tz: tzinfo = setup["tz"]

    def rules_of(r: _Rules) -> ExtractRules:
        return ExtractRules(title=r[0], body=r[1], date=r[2], drop=r[3])

    # ExtractRules has the attributes of the config's ExtractSpec, which Analyzer reads.
    domain_rules = {host: rules_of(r) for host, r in setup["domain_rules"].items()}
    analyzer = Analyzer(taxonomy=setup["taxonomy"], tz=tz, domain_rules=domain_rules)  # type: ignore[arg-type]
    traits: dict[str, _Traits] = setup["traits"]
    rules = {sid: rules_of(t.rules) if t.rules else None for sid, t in traits.items()}
    while (frame := _read_frame(stdin)) is not None:
        results: list[tuple[int, str, Any]] = []
        for job, content, url, charset, source_id in pickle.loads(frame):
            trait = traits[source_id]
            try:
                html = decode_bytes(content, header_charset=charset, forced=trait.encoding).text
                analysis = analyzer.analyze_with(
                    html,
                    url,
                    rules=rules[source_id],
                    cities=trait.cities,
                    provinces=trait.provinces,
                )
                results.append((job, "ok", record_fields(analysis)))
            except ExtractError as exc:
                results.append((job, "extract", exc.reason))
            except CitydigestError as exc:
                results.append((job, "failed", str(exc)))
            except Exception as exc:  # a bug on one page must not end the worker
                results.append((job, "failed", f"internal error: {type(exc).__name__}: {exc}"))
        data = pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.write(_FRAME.pack(len(data)) + data)
        stdout.flush()


if __name__ == "__main__":
    _out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the frames
    _serve(sys.stdin.buffer, _out)
