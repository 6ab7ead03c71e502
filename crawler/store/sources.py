"""Each source's health and its list passes, on its :class:`~crawler.base.models.SourceState`
row: when it was last checked, succeeded, failed (and how often in a row), found something new;
and the pass over its list pages that an interruption left owing.

The pipeline reports here once per source and pass; the schedule and ``status`` read the rows.
Mixed into :class:`~crawler.store.store.Store`, apart from the articles because a source's row is
its own concern.
"""

from __future__ import annotations

__all__ = ["SourceHealth"]

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from crawler.base.db import Database
from crawler.base.models import SourceState, utcnow

if TYPE_CHECKING:  # the analysis worker that writes imports the store, not the config loader
    from crawler.base.config import Source


class SourceHealth:
    """Source health and list passes; mixed into :class:`~crawler.store.store.Store`."""

    db: Database

    def ensure_sources(self, sources: Iterable[Source]) -> None:
        """Create a health row for each of these configured sources (names follow the config)."""
        wanted = {source.id: source for source in sources}
        with self.db.session() as session:
            ids = list(wanted)
            existing: dict[str, SourceState] = {}
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                for found in session.scalars(select(SourceState).where(SourceState.id.in_(chunk))):
                    existing[found.id] = found
            for source_id, source in wanted.items():
                row = existing.get(source_id)
                if row is None:
                    session.add(SourceState(id=source.id, name=source.name, consecutive_failures=0))
                elif row.name != source.name:
                    row.name = source.name

    def record_source_result(
        self, source_id: str, *, error: str | None, new_articles: int, at: datetime | None = None
    ) -> None:
        at = at or utcnow()
        with self.db.session() as session:
            row = session.get(SourceState, source_id)
            if row is None:
                row = SourceState(id=source_id, name=source_id, consecutive_failures=0)
                session.add(row)
            row.last_checked_at = at
            if error is None:
                row.last_success_at = at
                row.consecutive_failures = 0
            else:
                row.last_error = error
                row.last_error_at = at
                row.consecutive_failures = (row.consecutive_failures or 0) + 1
            if new_articles:
                row.last_new_at = at

    # ------------------------------------------------------------------ list passes

    def begin_list_pass(
        self, source_id: str, *, at: datetime | None = None
    ) -> tuple[datetime | None, int]:
        """Mark a pass over the source's list pages as begun, committed before its first page
        is read. Returns ``(since, depth)`` of the last pass if it never reached its end
        (killed, cancelled, a list page or an article that failed): when its unfinished stretch
        began (kept as it is, so passes that die one after another owe from the first) and the
        deepest list page whose articles it may have stored; ``(None, 0)`` if nothing is owed."""
        with self.db.session() as session:
            row = session.get(SourceState, source_id)
            if row is None:
                row = SourceState(id=source_id, name=source_id, consecutive_failures=0)
                session.add(row)
            if row.pass_started_at is not None:
                return row.pass_started_at, row.pass_depth or 0
            row.pass_started_at = at or utcnow()
            row.pass_depth = 0  # nothing of this pass stored yet
            return None, 0

    def owe_list_depth(self, source_id: str, depth: int) -> None:
        """Commit the deepest list page whose articles the running pass fetches, before it
        fetches them: a pass that dies after storing some leaves that much owing."""
        with self.db.session() as session:
            session.execute(
                update(SourceState).where(SourceState.id == source_id).values(pass_depth=depth)
            )

    def end_list_pass(
        self, source_id: str, *, depth: int, owing_since: datetime | None = None
    ) -> None:
        """The pass reached the end of its paging. ``owing_since`` None: nothing is owed
        (``depth``: the list pages it read). Else some of its articles failed and are owed
        from ``owing_since`` (the pass's own start) down to page ``depth``."""
        with self.db.session() as session:
            session.execute(
                update(SourceState)
                .where(SourceState.id == source_id)
                .values(pass_started_at=owing_since, pass_depth=depth)
            )
