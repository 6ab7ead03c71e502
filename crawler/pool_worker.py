"""The analysis worker's side of :mod:`crawler.pool`: ``python -m crawler.pool_worker``.

It reads length-prefixed pickled frames from stdin: first the setup (the taxonomy, the time
zone, the extraction rules and each source's :class:`Traits`, and, for the writing worker, the
database URL and the crawl's period), then batches of items. An item is a fetched page
(decoded with :class:`crawler.fetch.encoding.SiteCharsets`, analysed, then written or sent back as
fields) or, for the writing worker, the fields another worker analysed. What became of each goes
back over stdout as ``(job, kind, value)``, one frame per batch. The writing worker's records
wait up to WRITE_SECONDS (or WRITE_BATCH of them) and are written together.

It imports the analysers and the store only: no HTTP client, no config loader.
"""

from __future__ import annotations

__all__ = ["FRAME", "WRITE_BATCH", "WRITE_SECONDS", "Rules", "Traits", "serve"]

import os
import pickle
import select
import struct
import sys
import time
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from crawler.base.errors import DatabaseUnavailable, ExtractError, StoreError

if TYPE_CHECKING:
    from crawler.store.batch import ArticleRecord
    from crawler.store.write import Origin

FRAME = struct.Struct("!I")
"""The length prefix of every frame, both ways."""
# Records are written when WRITE_BATCH of them wait or the first has waited WRITE_SECONDS.
WRITE_BATCH = 200
WRITE_SECONDS = 0.25

Rules = tuple[str | None, str | None, str | None, tuple[str, ...]]
"""An ExtractSpec's title, body and date selectors and drop list, as plain values."""


@dataclass(frozen=True)
class Traits:
    """What analysis needs to know of a source, as plain values."""

    encoding: str | None
    rules: Rules | None
    cities: tuple[str, ...]
    provinces: tuple[str, ...]


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
                    frame = bytes(self.buffer[FRAME.size : end])
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

    def __init__(self, database_url: str, since: datetime | None) -> None:
        from crawler.base.db import Database
        from crawler.store.store import Store
        from crawler.store.write import ArticleWriter, IndexCache

        self.db = Database(database_url, upgrade=False)
        self.writer = ArticleWriter(Store(self.db), IndexCache())
        self.since = since
        self.pending: list[tuple[int, ArticleRecord]] = []
        self.first_at = 0.0

    def add(self, job: int, fields: dict[str, Any], origin: Origin) -> tuple[int, str, Any] | None:
        """Queue the page's record; its outcome now if it is not to be written."""
        from crawler.store.write import article_record

        record = article_record(fields, origin, self.since)
        if record is None:
            return (job, "older", None)
        if not self.pending:
            self.first_at = time.monotonic()
        self.pending.append((job, record))
        return None

    def due_in(self) -> float | None:
        """Seconds until the waiting records must be written (None: none wait)."""
        if not self.pending:
            return None
        if len(self.pending) >= WRITE_BATCH:
            return 0.0
        return self.first_at + WRITE_SECONDS - time.monotonic()

    def flush(self) -> list[tuple[int, str, Any]]:
        pending, self.pending = self.pending, []
        if not pending:
            return []
        results = self.writer.write([record for _, record in pending])
        outcomes: list[tuple[int, str, Any]] = []
        for (job, _), saved in zip(pending, results, strict=True):
            if isinstance(saved, StoreError):
                outcomes.append((job, "store", saved.reason))
            elif isinstance(saved, DatabaseUnavailable):
                outcomes.append((job, "unavailable", saved.args))
            elif isinstance(saved, Exception):
                outcomes.append((job, "failed", f"internal error: {type(saved).__name__}: {saved}"))
            else:
                outcomes.append((job, "saved", (saved.article_id, saved.story_id, saved.created)))
        return outcomes

    def close(self) -> None:
        self.db.dispose()


def serve(stdin: int, stdout: Any) -> None:
    """The worker's loop: the setup frame, then batches of pages until stdin closes."""
    from crawler.analyze import Analyzer, record_fields
    from crawler.base.errors import CitydigestError
    from crawler.extract import ExtractRules
    from crawler.fetch.encoding import SiteCharsets

    frames = _Frames(stdin)
    setup_data = frames.next(None)
    if not isinstance(setup_data, bytes):
        return
    setup = pickle.loads(setup_data)
    tz: tzinfo = setup["tz"]

    def rules_of(r: Rules) -> ExtractRules:
        return ExtractRules(title=r[0], body=r[1], date=r[2], drop=r[3])

    # ExtractRules has the attributes of the config's ExtractSpec, which Analyzer reads.
    domain_rules = {host: rules_of(r) for host, r in setup["domain_rules"].items()}
    analyzer = Analyzer(taxonomy=setup["taxonomy"], tz=tz, domain_rules=domain_rules)  # type: ignore[arg-type]
    traits: dict[str, Traits] = setup["traits"]
    rules = {sid: rules_of(t.rules) if t.rules else None for sid, t in traits.items()}
    writer = _WorkerWriter(setup["database"], setup["since"]) if setup["database"] else None
    charsets = SiteCharsets()

    def send(results: list[tuple[int, str, Any]]) -> None:
        if results:
            data = pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)
            stdout.write(FRAME.pack(len(data)) + data)
            stdout.flush()

    def analysed(job: int, fields: dict[str, Any], origin: Origin) -> tuple[int, str, Any] | None:
        if writer is None:
            return (job, "fields", fields)
        return writer.add(job, fields, origin)

    def page(
        job: int, content: bytes, url: str, charset: str | None, source_id: str, origin: Origin
    ) -> tuple[int, str, Any] | None:
        trait = traits[source_id]
        try:
            html = charsets.decode(url, content, header_charset=charset, forced=trait.encoding).text
            analysis = analyzer.analyze_with(
                html, url, rules=rules[source_id], cities=trait.cities, provinces=trait.provinces
            )
            return analysed(job, record_fields(analysis), origin)
        except ExtractError as exc:
            return (job, "extract", exc.reason)
        except CitydigestError as exc:
            return (job, "failed", str(exc))
        except Exception as exc:  # a bug on one page must not end the worker
            return (job, "failed", f"internal error: {type(exc).__name__}: {exc}")

    while True:
        frame = frames.next(writer.due_in() if writer else None)
        if frame is None:
            break
        results: list[tuple[int, str, Any]] = []
        if isinstance(frame, bytes):
            for job, kind, *item in pickle.loads(frame):
                outcome = page(job, *item) if kind == "page" else analysed(job, *item)
                if outcome is not None:
                    results.append(outcome)
        if writer is not None and (due := writer.due_in()) is not None and due <= 0:
            results.extend(writer.flush())
        send(results)
    if writer is not None:
        send(writer.flush())
        writer.close()


if __name__ == "__main__":
    _out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the frames
    serve(sys.stdin.fileno(), _out)
