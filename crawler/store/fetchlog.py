"""What the fetcher leaves in the database: the fetch log (one row per request, pruned after
``fetch_log_days`` with its counts kept in :class:`~crawler.base.models.FetchTotal`, so that
``/metrics`` never goes back) and the HTTP validators (ETag, Last-Modified, body hash) for the
next conditional GET of a URL.

Mixed into :class:`~crawler.store.store.Store`. The fetcher's types are imported only for type
checking: the analysis worker that writes imports the store, not the HTTP client.
"""

from __future__ import annotations

__all__ = ["FETCH_PRUNE_BATCH", "FetchLog", "insert_fetches"]

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from crawler.base.db import Database
from crawler.base.models import Fetch, FetchTotal, HttpCache, utcnow
from crawler.store.batch import dialect_insert

if TYPE_CHECKING:
    from crawler.fetch.response import FetchRecord, Validators

# Fetch-log rows deleted per transaction when the log is pruned.
FETCH_PRUNE_BATCH = 5000


def insert_fetches(session: Session, records: Sequence[FetchRecord]) -> None:
    """Log ``records`` in ``session``'s transaction (a source's refresh logs its pages in its
    own, :meth:`~crawler.store.sources.Sources.record_source_result`)."""
    if not records:
        return
    rows = [
        {
            "source_id": r.source_id,
            "url": r.url,
            "status": r.status,
            "bytes": r.bytes,
            "duration_ms": r.duration_ms,
            "error": r.error,
            "fetched_at": r.at,
        }
        for r in records
    ]
    session.execute(insert(Fetch), rows)


class FetchLog:
    """The fetch log and the validators; mixed into :class:`~crawler.store.store.Store`."""

    db: Database

    def record_fetches(self, records: Sequence[FetchRecord]) -> None:
        if not records:
            return
        with self.db.session() as session:
            insert_fetches(session, records)

    def prune_fetch_log(self, days: int) -> int:
        """Delete fetch-log rows older than ``days`` and add what they counted (per status,
        and errors) to :class:`~crawler.base.models.FetchTotal`; return how many went. In batches of
        :data:`FETCH_PRUNE_BATCH`, each a transaction of its own, so that pruning a log that
        grew for months neither holds a lock nor memory for long. Each batch counts the rows its
        own DELETE returned: rows another process pruned meanwhile are counted once."""
        cutoff = utcnow() - timedelta(days=days)
        oldest = (
            select(Fetch.id)
            .where(Fetch.fetched_at < cutoff)
            .limit(FETCH_PRUNE_BATCH)
            .scalar_subquery()
        )
        prune = delete(Fetch).where(Fetch.id.in_(oldest)).returning(Fetch.status, Fetch.error)
        pruned = 0
        while True:
            with self.db.session() as session:
                gone = session.execute(prune).all()
                if not gone:
                    return pruned
                counts: dict[int, list[int]] = {}
                for status, error in gone:
                    tally = counts.setdefault(status or 0, [0, 0])
                    tally[0] += 1
                    tally[1] += error is not None
                add = dialect_insert(self.db, FetchTotal).values(
                    [{"status": s, "fetches": n, "errors": e} for s, (n, e) in counts.items()]
                )
                session.execute(
                    add.on_conflict_do_update(
                        index_elements=[FetchTotal.status],
                        set_={
                            "fetches": FetchTotal.fetches + add.excluded.fetches,
                            "errors": FetchTotal.errors + add.excluded.errors,
                        },
                    )
                )
                pruned += len(gone)

    def fetch_counts(self) -> tuple[dict[int | None, int], int]:
        """Every fetch ever logged, pruned ones included: the number per response status (None:
        no response) and the number that ended in an error."""
        with self.db.session() as session:
            by_status: dict[int | None, int] = {}
            errors = 0
            for pruned_status, fetches, failed in session.execute(
                select(FetchTotal.status, FetchTotal.fetches, FetchTotal.errors)
            ):
                by_status[pruned_status or None] = int(fetches)
                errors += int(failed)
            for status, fetches in session.execute(
                select(Fetch.status, func.count()).group_by(Fetch.status)
            ):
                by_status[status] = by_status.get(status, 0) + int(fetches)
            errors += (
                session.scalar(
                    select(func.count()).select_from(Fetch).where(Fetch.error.is_not(None))
                )
                or 0
            )
        return by_status, errors

    def validators(self, url: str) -> Validators | None:
        from crawler.fetch.response import Validators

        with self.db.session() as session:
            row = session.get(HttpCache, url)
            if row is None:
                return None
            return Validators(row.etag, row.last_modified, row.body_hash)

    def save_validators(self, url: str, validators: Validators) -> None:
        with self.db.session() as session:
            row = session.get(HttpCache, url)
            if row is None:
                row = HttpCache(url=url)
                session.add(row)
            row.etag = validators.etag
            row.last_modified = validators.last_modified
            row.body_hash = validators.body_hash
            row.checked_at = utcnow()
