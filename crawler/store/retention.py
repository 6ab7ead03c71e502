"""Retention: articles fetched more than ``retention_days`` ago deleted, with the stories they
were in kept consistent (recounted, a new representative picked, or deleted when empty) and no
article left pointing at a deleted one as its original.

The fetch log's own pruning, which keeps its counts, is :meth:`FetchLog.prune_fetch_log
<crawler.store.fetchlog.FetchLog.prune_fetch_log>`. Mixed into :class:`~crawler.store.store.Store`.
"""

from __future__ import annotations

__all__ = ["Retention"]

from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, update

from crawler.base.db import Database
from crawler.base.models import Article, Story, utcnow
from crawler.store.batch import refresh_story


class Retention:
    """Old articles out; mixed into :class:`~crawler.store.store.Store`."""

    db: Database

    def delete_older_than(self, days: int) -> int:
        """Delete articles fetched more than ``days`` ago; stories stay consistent."""
        cutoff = utcnow() - timedelta(days=days)
        with self.db.session() as session:
            story_ids = set(
                session.scalars(select(Article.story_id).where(Article.fetched < cutoff).distinct())
            )
            old_ids = select(Article.id).where(Article.fetched < cutoff)
            session.execute(
                update(Article).where(Article.duplicate_of.in_(old_ids)).values(duplicate_of=None)
            )
            session.execute(
                update(Story)
                .where(Story.representative_id.in_(old_ids))
                .values(representative_id=None)
            )
            gone = session.execute(delete(Article).where(Article.fetched < cutoff))
            deleted = cast("CursorResult[Any]", gone).rowcount  # a DELETE's result is a cursor
            conn = session.connection()
            for story_id in (s for s in story_ids if s is not None):
                remaining = session.scalar(
                    select(func.count()).select_from(Article).where(Article.story_id == story_id)
                )
                if remaining:
                    refresh_story(conn, story_id)
                else:
                    session.execute(delete(Story).where(Story.id == story_id))
            return int(deleted or 0)
