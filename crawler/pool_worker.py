"""The analysis worker's side of :mod:`crawler.pool`: ``python -m crawler.pool_worker``; and
the values that cross the pipes between the crawl and its workers, both ways.

It reads length-prefixed pickled frames from stdin: first the :class:`Setup` (the taxonomy, the
time zone, the extraction rules and each source's :class:`Traits`, the crawl's period and, for
the writing worker only, the database URL), then batches of ``(job, item)`` pairs. An item is a
fetched :class:`Page` (decoded with :class:`crawler.fetch.encoding.SiteCharsets`, analysed, made
an :class:`~crawler.store.batch.ArticleRecord`, then written, or sent back when this worker does
not write) or, for the writing worker, the ``ArticleRecord`` another worker made. What became
of each goes back over stdout as ``(job, outcome)`` pairs, one frame per batch; an
:data:`Outcome` is a small frozen value: a ``SaveResult``, :class:`Older`, the record still to
write, or a :class:`Failure` (which knows the error the crawl raises for it). The writing
worker's records wait up to WRITE_SECONDS (or WRITE_BATCH of them) and are written together.

Everything here is a plain frozen dataclass, pickled as it is: no validation, no conversion on
either side. The worker imports the analysers and the store only: no HTTP client, no config
loader (the rules arrive as the extractor's ``ExtractRules``, translated once in the crawl).
"""

from __future__ import annotations

__all__ = [
    "FRAME",
    "WRITE_BATCH",
    "WRITE_SECONDS",
    "DatabaseLost",
    "Failed",
    "Failure",
    "Item",
    "NoArticle",
    "NotStored",
    "Older",
    "Outcome",
    "Page",
    "Setup",
    "Traits",
    "outcome_of",
    "serve",
]

import os
import pickle
import select
import struct
import sys
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, TypeAlias

from crawler.base.errors import (
    AnalysisFailed,
    DatabaseUnavailable,
    ExtractError,
    StoreError,
)

if TYPE_CHECKING:
    from crawler.base.taxonomy import Taxonomy
    from crawler.extract import ExtractRules
    from crawler.store.batch import ArticleRecord, SaveResult
    from crawler.store.write import Origin

FRAME = struct.Struct("!I")
"""The length prefix of every frame, both ways."""
# Records are written when WRITE_BATCH of them wait or the first has waited WRITE_SECONDS.
WRITE_BATCH = 200
WRITE_SECONDS = 0.25


# --------------------------------------------------------------------------- the crawl → a worker


@dataclass(frozen=True, slots=True)
class Traits:
    """What analysis needs to know of a source."""

    encoding: str | None
    rules: ExtractRules | None
    cities: tuple[str, ...]
    provinces: tuple[str, ...]
    home: str | None = None  # the source's home city or province (Source.home_place)


@dataclass(frozen=True, slots=True)
class Setup:
    """A worker's first frame: what it analyses with, and where it writes (the writer only)."""

    taxonomy: Taxonomy
    tz: tzinfo
    domain_rules: dict[str, ExtractRules]
    traits: dict[str, Traits]  # by source id
    since: datetime | None  # pages published before it are not stored
    database: str | None = None  # the writing worker's database URL; None: analyse only


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched page to analyse (and write, at the writer): its bytes as they came, the URL they
    came from, the charset the response declared, and what the crawl knew of its link."""

    content: bytes
    url: str
    charset: str | None
    origin: Origin


Item: TypeAlias = "Page | ArticleRecord"
"""What a batch to a worker holds, each as ``(job, item)``: a page, or (to the writer) the
record another worker made of one."""


# --------------------------------------------------------------------------- a worker → the crawl


@dataclass(frozen=True, slots=True)
class Older:
    """The page's article was published before the crawl's period: not stored."""


class Failure(ABC):
    """What kept a page out of the store; :meth:`error` is the exception the crawl raises."""

    __slots__ = ()

    @abstractmethod
    def error(self, url: str) -> Exception:
        """The exception the crawl raises for the page at ``url``."""


@dataclass(frozen=True, slots=True)
class NoArticle(Failure):
    """The page holds no article (ExtractError)."""

    reason: str

    def error(self, url: str) -> Exception:
        return ExtractError(self.reason, url=url)


@dataclass(frozen=True, slots=True)
class NotStored(Failure):
    """The store refused the article (StoreError)."""

    reason: str

    def error(self, url: str) -> Exception:
        return StoreError(self.reason, url=url)


@dataclass(frozen=True, slots=True)
class DatabaseLost(Failure):
    """The writer's database went away (DatabaseUnavailable): the crawl stops every source."""

    database: str
    reason: str
    hint: str

    def error(self, url: str) -> Exception:
        return DatabaseUnavailable(self.database, self.reason, self.hint)


@dataclass(frozen=True, slots=True)
class Failed(Failure):
    """Anything else: a worker that died or could not be reached, a bug (AnalysisFailed)."""

    message: str

    def error(self, url: str) -> Exception:
        return AnalysisFailed(self.message, url=url)


Outcome: TypeAlias = "SaveResult | Older | ArticleRecord | Failure"
"""What became of an item, each as ``(job, outcome)``: stored (``SaveResult``), older than the
period, analysed by a worker that does not write (the ``ArticleRecord``, on to the writer), or
a :class:`Failure`."""


def outcome_of(saved: SaveResult | Exception) -> SaveResult | Failure:
    """One result of :meth:`crawler.store.write.ArticleWriter.write` as an outcome."""
    if isinstance(saved, StoreError):
        return NotStored(saved.reason)
    if isinstance(saved, DatabaseUnavailable):
        return DatabaseLost(saved.url, saved.reason, saved.hint)
    if isinstance(saved, Exception):
        return Failed(f"internal error: {type(saved).__name__}: {saved}")
    return saved


# --------------------------------------------------------------------------- the worker


class _Frames:
    """Length-prefixed frames from a file descriptor, with a timeout for the next one."""

    TIMEOUT = object()

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = bytearray()

    def next(self, timeout: float | None) -> bytes | object | None:
        """The next frame; None at the end of input (or a cut frame); TIMEOUT when no byte of
        it came within ``timeout`` seconds."""
        while True:
            if len(self.buffer) >= FRAME.size:
                (size,) = FRAME.unpack_from(self.buffer)
                end = FRAME.size + size
                if len(self.buffer) >= end:
                    with memoryview(self.buffer) as view:  # one copy, not a slice's and bytes'
                        frame = bytes(view[FRAME.size : end])
                    del self.buffer[:end]
                    return frame
            if timeout is not None and not self.buffer:
                ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
                if not ready:
                    return self.TIMEOUT
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                return None
            self.buffer += chunk


class _WorkerWriter:
    """The writing worker's records, written in batches (WRITE_BATCH, WRITE_SECONDS)."""

    def __init__(self, database_url: str) -> None:
        from crawler.base.db import Database
        from crawler.store.store import Store
        from crawler.store.write import ArticleWriter, IndexCache

        self.db = Database(database_url, upgrade=False)
        self.writer = ArticleWriter(Store(self.db), IndexCache())
        self.pending: list[tuple[int, ArticleRecord]] = []
        self.first_at = 0.0

    def add(self, job: int, record: ArticleRecord) -> None:
        if not self.pending:
            self.first_at = time.monotonic()
        self.pending.append((job, record))

    def due_in(self) -> float | None:
        """Seconds until the waiting records must be written (None: none wait)."""
        if not self.pending:
            return None
        if len(self.pending) >= WRITE_BATCH:
            return 0.0
        return self.first_at + WRITE_SECONDS - time.monotonic()

    def flush(self) -> list[tuple[int, Outcome]]:
        pending, self.pending = self.pending, []
        if not pending:
            return []
        results = self.writer.write([record for _, record in pending])
        return [(job, outcome_of(saved)) for (job, _), saved in zip(pending, results, strict=True)]

    def close(self) -> None:
        self.db.dispose()


def serve(stdin: int, stdout: Any) -> None:
    """The worker's loop: the setup frame, then batches of items until stdin closes."""
    from crawler.analyze import Analyzer
    from crawler.base.errors import CitydigestError
    from crawler.fetch.encoding import SiteCharsets
    from crawler.store.batch import ArticleRecord
    from crawler.store.write import article_record

    frames = _Frames(stdin)
    setup_data = frames.next(None)
    if not isinstance(setup_data, bytes):
        return
    setup: Setup = pickle.loads(setup_data)
    analyzer = Analyzer(taxonomy=setup.taxonomy, tz=setup.tz, domain_rules=setup.domain_rules)
    writer = _WorkerWriter(setup.database) if setup.database else None
    charsets = SiteCharsets()

    def send(results: list[tuple[int, Outcome]]) -> None:
        if results:
            data = pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)
            stdout.write(FRAME.pack(len(data)) + data)
            stdout.flush()

    def analyse(page: Page) -> Outcome:
        try:
            trait = setup.traits[page.origin.source_id]
            html = charsets.decode(
                page.url, page.content, header_charset=page.charset, forced=trait.encoding
            ).text
            analysis = analyzer.analyze_with(
                html,
                page.url,
                rules=trait.rules,
                cities=trait.cities,
                provinces=trait.provinces,
                home=trait.home,
            )
            record = article_record(analysis, page.origin, setup.since)
        except ExtractError as exc:
            return NoArticle(exc.reason)
        except CitydigestError as exc:
            return Failed(str(exc))
        except Exception as exc:  # a bug on one page must not end the worker
            return Failed(f"internal error: {type(exc).__name__}: {exc}")
        return Older() if record is None else record

    while True:
        frame = frames.next(writer.due_in() if writer else None)
        if frame is None:
            break
        results: list[tuple[int, Outcome]] = []
        if isinstance(frame, bytes):
            batch: list[tuple[int, Item]] = pickle.loads(frame)
            for job, item in batch:
                outcome = analyse(item) if isinstance(item, Page) else item
                if writer is not None and isinstance(outcome, ArticleRecord):
                    writer.add(job, outcome)
                else:
                    results.append((job, outcome))
        if writer is not None and (due := writer.due_in()) is not None and due <= 0:
            results.extend(writer.flush())
        send(results)
    if writer is not None:
        send(writer.flush())
        writer.close()


if __name__ == "__main__":
    # The module's own copy, not this ``__main__`` one: the values pickled both ways are
    # crawler.pool_worker's classes, and must be the classes ``serve`` checks and sends.
    from crawler.pool_worker import serve as _serve

    _out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the frames
    _serve(sys.stdin.fileno(), _out)
