"""The crawl's one door to the database: :class:`Store`, composed of its concerns.

- :mod:`crawler.store.sources`: each source's row, its only writer: health, next check and
  lease, the list passes it owes;
- :mod:`crawler.store.fetchlog`: the fetch log (pruned, its counts kept) and HTTP validators;
- :mod:`crawler.store.articles`: articles into stories (in batches, :mod:`crawler.store.batch`),
  which URLs are known, dedup sketches, stories and visits read back;
- :mod:`crawler.store.retention`: old articles out, their stories kept consistent.

Callers hold one ``Store(db)`` and call its methods (``store.record_source_result``,
``store.save_article``, ``store.batch``…) whichever concern they belong to. Everything here is
synchronous SQLAlchemy; the crawl calls it from its event loop between fetches.
"""

from __future__ import annotations

__all__ = ["Store"]

from crawler.base.db import Database
from crawler.store.articles import Articles
from crawler.store.fetchlog import FetchLog
from crawler.store.retention import Retention
from crawler.store.sources import Sources


class Store(Sources, FetchLog, Articles, Retention):
    """Sources, the fetch log, articles and stories, and retention over one database."""

    def __init__(self, db: Database) -> None:
        self.db = db
