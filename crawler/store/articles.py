"""The articles side of :class:`~crawler.store.store.Store`: which canonical URLs are stored
already (the crawl skips their links), articles saved into their stories (through
:class:`~crawler.store.batch.ArticleBatch`), the dedup index's sketches, and stories and visits
read back for the command line.

Apart from the fetch log and source health because only this part knows articles and stories;
apart from :mod:`crawler.store.batch` because that is the one write path, this the store's doors
to it and the reads around it.
"""

from __future__ import annotations

__all__ = ["Articles", "StoredSketch", "StoryRow", "VisitRow"]

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from sqlalchemy import Connection, Insert, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from crawler.base.db import Database
from crawler.base.documents import PolicyDocument, load_documents
from crawler.base.errors import StoreError
from crawler.base.models import Article, PolicyRef, SourceState, Story, UTCDateTime, utcnow
from crawler.store.batch import (
    ArticleBatch,
    ArticleRecord,
    SaveResult,
    lock_writes,
    on_conflict_do_nothing,
)


@dataclass(frozen=True)
class StoryRow:
    id: int
    first_seen: datetime
    kind: str
    title: str | None
    url: str | None
    outlets: tuple[str, ...]
    article_count: int


@dataclass(frozen=True, slots=True)
class StoredSketch:
    """What the dedup index is rebuilt from: an article's sketch and fetch time, the article
    its ``duplicate_of`` names, and the policy document it carries."""

    id: int
    sketch: bytes
    fetched: datetime
    duplicate_of: int | None = None
    doc_no: str | None = None
    doc_issuer: str | None = None


_VISIT_KEYS = frozenset({"visitor", "host", "date", "evidence"})


@dataclass(frozen=True)
class VisitRow:
    story_id: int | None
    visitor: str
    host: str
    date: str | None
    title: str | None
    url: str
    evidence: str
    details: Mapping[str, Any] = field(default_factory=dict)  # leader, date_start... (tag.details)


DocumentOf = Callable[
    [str | None, str, Mapping[str, Any] | None],
    tuple[str | None, str | None, Sequence[tuple[str, str | None, str | None]]],
]
"""(title, body, metadata table) → (文号, issuer, [(relation, 文号, title key)]): what
:func:`crawler.store.write.document_of` derives for a record."""

_KNOWN = select(Article.canonical_url).where(
    Article.canonical_url.in_(bindparam("urls", expanding=True))
)
_STORED_SINCE = _KNOWN.where(Article.fetched >= bindparam("since", type_=UTCDateTime()))
_SKETCHES = (
    select(
        Article.id,
        Article.sketch,
        Article.fetched,
        Article.duplicate_of,
        Article.doc_no,
        Article.doc_issuer,
    )
    .where(
        Article.fetched >= bindparam("since", type_=UTCDateTime()),
        Article.sketch.is_not(None),
        Article.id > bindparam("after"),
    )
    .order_by(Article.id)
)


class Articles:
    """Articles and stories in the database; mixed into :class:`~crawler.store.store.Store`."""

    db: Database

    @cached_property
    def _insert_articles(self) -> Insert:
        """The batches' INSERT, built once per store, not per batch."""
        return on_conflict_do_nothing(self.db)

    def known(self, canonical_urls: Iterable[str]) -> set[str]:
        """Which of these canonical URLs are stored already."""
        wanted = list(dict.fromkeys(canonical_urls))
        found: set[str] = set()
        with self.db.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                found.update(conn.scalars(_KNOWN, {"urls": wanted[start : start + 500]}))
        return found

    def stored_since(self, canonical_urls: Iterable[str], since: datetime) -> set[str]:
        """Which of these canonical URLs were stored at or after ``since``."""
        wanted = list(dict.fromkeys(canonical_urls))
        found: set[str] = set()
        with self.db.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                chunk = {"urls": wanted[start : start + 500], "since": since}
                found.update(conn.scalars(_STORED_SINCE, chunk))
        return found

    def save_article(self, record: ArticleRecord, *, duplicate_of: int | None = None) -> SaveResult:
        """Insert the article into its story (a new one unless ``duplicate_of`` names an earlier
        article, or it reports a visit another story reports); an article already stored under
        the canonical URL is left as it is."""
        with self.batch() as batch:
            return batch.save_all([record], lambda _id, _record: duplicate_of)[0]

    @contextlib.contextmanager
    def batch(self) -> Iterator[ArticleBatch]:
        """Several articles written in one transaction (see :class:`ArticleBatch`): committed
        when the block ends, rolled back, with nothing of the batch kept, if it raises. The
        transaction is the database's only article writer while it lasts (:func:`lock_writes
        <crawler.store.batch.lock_writes>`, in every process): read the dedup index's new rows
        through ``batch.conn`` to see every other writer's."""
        try:
            with self.db.engine.begin() as conn:
                lock_writes(conn, self.db)
                yield ArticleBatch(conn, self._insert_articles)
        except IntegrityError as exc:
            raise StoreError(f"cannot store the batch of articles: {exc.orig}") from exc
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot store the batch of articles: {exc}") from exc

    def sketches_since(
        self, window: timedelta, *, after_id: int = 0, conn: Connection | None = None
    ) -> list[StoredSketch]:
        """The sketches of the articles in the dedup window (with an id above ``after_id``),
        oldest first; read through ``conn`` (an open batch's) when given."""
        params = {"since": utcnow() - window, "after": after_id}
        if conn is not None:
            rows = conn.execute(_SKETCHES, params).all()
        else:
            with self.db.engine.connect() as own:
                rows = own.execute(_SKETCHES, params).all()
        return [
            StoredSketch(r.id, r.sketch, r.fetched, r.duplicate_of, r.doc_no, r.doc_issuer)
            for r in rows
            if r.sketch is not None  # (the query's condition; for the type checker)
        ]

    def resketch(self, window: timedelta, make: Callable[[str], bytes]) -> int:
        """Recompute the dedup sketch of every article in the window from its stored body."""
        cutoff = utcnow() - window
        done = 0
        last_id = 0
        while True:
            with self.db.session() as session:
                rows = session.execute(
                    select(Article.id, Article.body)
                    .where(Article.fetched >= cutoff, Article.id > last_id)
                    .order_by(Article.id)
                    .limit(1000)
                ).all()
                for row in rows:
                    session.execute(
                        update(Article)
                        .where(Article.id == row.id)
                        .values(sketch=make(row.body or ""))
                    )
            if not rows:
                return done
            done += len(rows)
            last_id = rows[-1].id

    def redocument(self, make: DocumentOf, *, batch: int = 500) -> int:
        """Derive again, from each stored article's title, body and metadata table, the policy
        document it carries and the documents it names (``make``, as the writer does): for
        articles stored before documents were kept, or after their rules changed. Returns how
        many articles carry a document. Batches of ``batch`` articles, one transaction each."""
        carrying = 0
        last_id = 0
        while True:
            with self.db.session() as session:
                rows = session.execute(
                    select(Article.id, Article.title, Article.body, Article.policy)
                    .where(Article.id > last_id)
                    .order_by(Article.id)
                    .limit(batch)
                ).all()
                if not rows:
                    return carrying
                ids = [row.id for row in rows]
                session.execute(delete(PolicyRef).where(PolicyRef.article_id.in_(ids)))
                refs: list[dict[str, Any]] = []
                for row in rows:
                    doc_no, issuer, names = make(row.title, row.body or "", row.policy)
                    carrying += doc_no is not None or any(r == "is" for r, _n, _t in names)
                    session.execute(
                        update(Article)
                        .where(Article.id == row.id)
                        .values(doc_no=doc_no, doc_issuer=issuer)
                    )
                    refs += [
                        {"article_id": row.id, "relation": r, "doc_no": n, "title": t}
                        for r, n, t in names
                    ]
                if refs:
                    session.execute(insert(PolicyRef), refs)
            last_id = ids[-1]

    # ------------------------------------------------------------------ reading

    def stories(self, *, since: datetime | None = None, min_outlets: int = 1) -> list[StoryRow]:
        """Stories first seen since ``since`` carried by at least ``min_outlets`` sites, newest
        first, each with its representative's title and its outlets' names."""
        with self.db.session() as session:
            query = select(Story).where(Story.outlet_count >= min_outlets)
            if since is not None:
                query = query.where(Story.first_seen >= since)
            stories = list(
                session.scalars(query.order_by(Story.first_seen.desc(), Story.id.desc()))
            )
            ids = [s.id for s in stories]
            outlets: dict[int, list[str]] = {}
            reps: dict[int, tuple[str | None, str]] = {}
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                for row in session.execute(
                    select(
                        Article.story_id, Article.id, Article.title, Article.url, SourceState.name
                    )
                    .join(SourceState, SourceState.id == Article.source_id, isouter=True)
                    .where(Article.story_id.in_(chunk))
                    .order_by(Article.id)
                ):
                    names = outlets.setdefault(row.story_id, [])
                    if row.name and row.name not in names:
                        names.append(row.name)
                    reps[row.id] = (row.title, row.url)
            out = []
            for story in stories:
                title, url = reps.get(story.representative_id or -1, (None, None))
                out.append(
                    StoryRow(
                        story.id,
                        story.first_seen,
                        story.kind,
                        title,
                        url,
                        tuple(outlets.get(story.id, [])),
                        story.article_count,
                    )
                )
            return out

    def policies(
        self, *, since: datetime | None = None, issuer: str | None = None
    ) -> list[PolicyDocument]:
        """Policy documents first published (else fetched) since ``since``, newest first, whose
        issuer or 文号 contains ``issuer``, each with its copies, 解读, reports, 配套细则 and
        the documents that amend or repeal it (:mod:`crawler.base.documents`)."""
        with self.db.session() as session:
            return load_documents(session, since=since, issuer=issuer)

    def visits(self, *, since: datetime | None = None, city: str | None = None) -> list[VisitRow]:
        """Visit events, one per (story, visitor, host), oldest first; ``city`` matches either
        end."""
        query = select(
            Article.story_id, Article.title, Article.url, Article.visits, Article.fetched
        ).where(Article.kind == "visit")
        if since is not None:
            query = query.where(Article.fetched >= since)
        seen: set[tuple[int | None, str, str]] = set()
        out = []
        with self.db.session() as session:
            for row in session.execute(query.order_by(Article.fetched, Article.id)):
                for visit in row.visits or []:
                    visitor, host = visit.get("visitor", ""), visit.get("host", "")
                    if city and city not in (visitor, host):
                        continue
                    key = (row.story_id, visitor, host)
                    if key in seen:
                        continue
                    seen.add(key)
                    out.append(
                        VisitRow(
                            row.story_id,
                            visitor,
                            host,
                            visit.get("date"),
                            row.title,
                            row.url,
                            visit.get("evidence", ""),
                            {k: v for k, v in visit.items() if k not in _VISIT_KEYS},
                        )
                    )
        return out
