"""The store stage's writer: analysed pages become stored articles, deduplicated into stories.

:func:`article_record` joins what analysis found in a page with what the crawl knew of its link
(:class:`Origin`: the title and date a feed gave, the canonical URL) into the
:class:`~crawler.store.batch.ArticleRecord` to store. :class:`ArticleWriter` writes such records
in batches, one transaction each, matching every new one against the dedup index (and adding it)
in order: one transaction per article cost more than all the rest of the pipeline. It runs where
the crawl's pages are analysed: in the crawl's own process, or in the analysis worker that owns
the dedup index (:mod:`crawler.pool_worker`), and in every distributed worker. Each process
keeps its own copy of the index, but the batches of all of them are written one at a time
(:func:`~crawler.store.batch.lock_writes`) and each first adds what the others stored: the
dedup has one owner, the database, across the cluster.

A crash loses at most the batch being written, whose articles are then simply not stored yet
(and fetched again by the next run); nothing committed is lost and nothing doubled, because
articles are keyed by canonical URL.
"""

from __future__ import annotations

__all__ = [
    "DEDUP_WINDOW",
    "ArticleWriter",
    "IndexCache",
    "Origin",
    "article_record",
    "document_of",
]

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from crawler.base.errors import DatabaseUnavailable, StoreError
from crawler.base.models import utcnow
from crawler.base.sanitize import clean_title
from crawler.store.articles import StoredSketch
from crawler.store.batch import ArticleRecord, SaveResult
from crawler.store.store import Store

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from crawler.analyze import Analysis
    from crawler.dedup import DuplicateIndex, IndexRow

log = logging.getLogger("citydigest.write")

DEDUP_WINDOW = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Origin:
    """What the crawl knew of a page before analysing it: the link it followed (whose title and
    date stand in for ones the page lacks), the page's canonical URL, and its source."""

    link_url: str
    canonical_url: str
    source_id: str
    link_title: str | None = None
    link_published: datetime | None = None


def article_record(
    analysis: Analysis, origin: Origin, since: datetime | None
) -> ArticleRecord | None:
    """The record to store for an analysed page, or None when it was published before
    ``since`` (a backfill's period). It is made where the page was analysed (in the crawl's
    process or an analysis worker) and, a plain frozen value, travels to the writer as it is."""
    e, t, sk = analysis.extracted, analysis.tags, analysis.sketch
    published = e.published or origin.link_published
    if since and published and published < since:
        return None
    # The feed's or list page's words for the link stand in for a missing title: cleaned and
    # capped as the extracted title is.
    title = e.title or clean_title(origin.link_title)
    doc_no, doc_issuer, refs = document_of(title, e.body, e.policy.to_dict() if e.policy else None)
    return ArticleRecord(
        url=origin.link_url,
        canonical_url=origin.canonical_url,
        source_id=origin.source_id,
        title=title,
        body=e.body,
        published=published,
        outlet=e.outlet,
        author=e.author,
        image_url=e.image_url,
        policy=e.policy.to_dict() if e.policy else None,
        interpretation_of=e.interpretation_of,
        cities=tuple(t.cities),
        provinces=tuple(t.provinces),
        themes=tuple(t.themes),
        visits=tuple(v.to_dict() for v in t.visits),
        kind=t.kind,
        fingerprint=sk.fingerprint,
        sketch=sk.to_bytes(),
        doc_no=doc_no,
        doc_issuer=doc_issuer,
        doc_refs=refs,
    )


def document_of(
    title: str | None, body: str, policy: Mapping[str, Any] | None
) -> tuple[str | None, str | None, tuple[tuple[str, str | None, str | None], ...]]:
    """The policy document a page carries (文号, issuer) and what :class:`PolicyRef
    <crawler.base.models.PolicyRef>` keeps of it: its own titles (``is``) and the documents the
    page names, each with its relation (:mod:`crawler.extract.policy`)."""
    # Imported here: the crawl's own process, which hands its pages to analysis workers, never
    # makes records and should not build the extractor's patterns (seconds of CPU) at start.
    from crawler.extract.model import PolicyMeta
    from crawler.extract.policy import document_identity, find_mentions

    known = {f.name for f in fields(PolicyMeta)}
    table = PolicyMeta(**{k: v for k, v in policy.items() if k in known}) if policy else None
    identity = document_identity(title, body, table)
    refs: list[tuple[str, str | None, str | None]] = [("is", None, k) for k in identity.titles]
    refs += [(m.relation, m.doc_no, m.title) for m in find_mentions(title, body, identity)]
    return identity.doc_no, identity.issuer, tuple(refs)


class IndexCache:
    """The dedup index of each database, kept between crawl passes of one process (the daemon
    runs many): built once from the stored sketches of the window (:meth:`prepare`), then, at
    every write, brought up to date with the rows stored since by any process, inside the
    write's own locked transaction (:meth:`catch_up`), and rid of those that left the window."""

    def __init__(self) -> None:
        self._indexes: dict[str, tuple[DuplicateIndex, int]] = {}

    def prepare(self, store: Store) -> DuplicateIndex:
        """The index of ``store``'s database, built from the stored sketches if this process has
        none yet: outside any write, so that a first build (seconds for a million articles)
        does not hold the other writers back. What it misses meanwhile :meth:`catch_up` adds."""
        # Imported here: only the process that writes loads the index and numpy, not a crawl
        # whose analysis worker writes.
        from crawler.dedup import DuplicateIndex, sketch

        cached = self._indexes.get(store.db.url)
        if cached is not None:
            return cached[0]
        rows = store.sketches_since(DEDUP_WINDOW)
        try:
            index = DuplicateIndex.build(map(_index_row, rows))
        except ValueError as exc:
            # Sketches of an older format: sketch the stored bodies again, once.
            log.warning("dedup index: %s; re-sketching the stored articles", exc)
            store.resketch(DEDUP_WINDOW, lambda body: sketch(body).to_bytes())
            rows = store.sketches_since(DEDUP_WINDOW)
            index = DuplicateIndex.build(map(_index_row, rows))
        self._indexes[store.db.url] = (index, rows[-1].id if rows else 0)
        return index

    def catch_up(self, store: Store, conn: Connection) -> DuplicateIndex:
        """The index with every article stored since it was last brought up to date (by this
        or another process), read through ``conn``: an open batch's, which holds the write lock
        (:func:`~crawler.store.batch.lock_writes`), so nothing is committed meanwhile that the
        batch would not see. Articles that left the window are dropped."""
        from crawler.dedup import Sketch

        index = self.prepare(store)
        last = self._indexes[store.db.url][1]
        rows = store.sketches_since(DEDUP_WINDOW, after_id=last, conn=conn)
        for row in map(_index_row, rows):
            sk = Sketch.from_bytes(row.sketch)
            index.add(row.doc_id, sk, row.at, group=row.group, document=row.document)
        if rows:
            self._indexes[store.db.url] = (index, rows[-1].id)
        index.remove_before(utcnow() - DEDUP_WINDOW)
        return index

    def get(self, store: Store) -> DuplicateIndex:
        """The index brought up to date now, outside a write (for reading it: a writer uses
        :meth:`catch_up` in its batch)."""
        with store.db.engine.connect() as conn:
            return self.catch_up(store, conn)

    def advance(self, store: Store, article_id: int) -> None:
        """An article this process stored and added to the index itself."""
        index, last = self._indexes[store.db.url]
        self._indexes[store.db.url] = (index, max(last, article_id))

    def clear(self) -> None:
        self._indexes.clear()


def _index_row(row: StoredSketch) -> IndexRow:
    """A stored article as the dedup index takes it: the story founder it matched is the
    article its ``duplicate_of`` names (the writer records the founder there)."""
    from crawler.dedup import Document, IndexRow

    document = Document.of(row.doc_no, row.doc_issuer)
    return IndexRow(row.id, row.sketch, row.fetched, row.duplicate_of, document)


INDEXES = IndexCache()
"""This process's dedup indexes."""


class ArticleWriter:
    """Dedup and store batches of records into ``store``; see the module docstring.

    Any number of writers, in any number of processes, may write to one database: each batch
    is its transaction, which first takes the database's write lock
    (:meth:`Store.batch <crawler.store.articles.Articles.batch>`), then adds to this process's
    index the articles the others stored since, then matches and inserts its own. Copies of one
    story stored by two workers at the same moment therefore join one story, as if one process
    had stored both."""

    def __init__(self, store: Store, indexes: IndexCache = INDEXES) -> None:
        self.store = store
        self.indexes = indexes

    @property
    def index(self) -> DuplicateIndex:
        """The dedup index as of now (built at the first use; a routine check that finds
        nothing new, most of a service's crawls, never reads the sketches)."""
        return self.indexes.get(self.store)

    def write(self, records: Sequence[ArticleRecord]) -> list[SaveResult | Exception]:
        """Each record's result, in order: what was stored, or the error that kept it out. A
        batch that fails is written again record by record, so one bad article costs only its
        own place. A database that went away fails every record (one by one they would only
        fail again, each after its own connection attempt)."""
        try:
            return list(self._write(records))
        except DatabaseUnavailable as exc:
            return [exc] * len(records)
        except Exception as exc:
            log.warning("a batch of %d articles failed (%s); writing one by one", len(records), exc)
        results: list[SaveResult | Exception] = []
        for record in records:
            try:
                results.extend(self._write([record]))
            except StoreError as one:
                results.append(StoreError(one.reason, url=record.url))
            except Exception as one:  # the article's own error, recorded by the crawl
                results.append(one)
        return results

    def _write(self, records: Sequence[ArticleRecord]) -> list[SaveResult]:
        from crawler.dedup import Document, Sketch  # loaded by the index already (IndexCache)

        self.indexes.prepare(self.store)  # a first build, outside the lock
        added: list[int] = []
        index: DuplicateIndex | None = None

        def duplicate_of(article_id: int, record: ArticleRecord) -> int | None:
            """The founder of the story the article joins (which it matched, see
            :class:`~crawler.dedup.DuplicateIndex`), or None: it founds one."""
            assert record.sketch is not None and index is not None
            sk = Sketch.from_bytes(record.sketch)
            document = Document.of(record.doc_no, record.doc_issuer)
            match = index.find(sk, document=document)
            group = match.group if match else None
            index.add(article_id, sk, record.fetched, group=group, document=document)
            added.append(article_id)
            return group

        try:
            with self.store.batch() as batch:
                index = self.indexes.catch_up(self.store, batch.conn)
                results = batch.save_all(records, duplicate_of)
        except BaseException:
            for article_id in added:  # rolled back: the index must forget them too
                assert index is not None
                index.remove(article_id)
            raise
        if added:
            self.indexes.advance(self.store, max(added))
        return results
