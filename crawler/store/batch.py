"""Articles into stories, many in one transaction: :class:`ArticleBatch` and what it takes
(:class:`ArticleRecord`) and gives (:class:`SaveResult`).

This is the crawl's hot write path, kept apart from the rest of the store so that its statements,
built once, and its story logic (a duplicate joins its original's story, a visit report another
write-up of the same visit, a story recounted and its representative picked) read as one piece.
A batch is one transaction: a crash (even ``kill -9``) loses at most the batch being written, and
never leaves half of an article or a story. :meth:`crawler.store.store.Store.batch` opens one.

Batches are written one at a time across every process on the database (:func:`lock_writes`,
the first statement of each): the dedup index a writer consults is brought up to date inside
its batch, after the lock, so two workers storing copies of one story at the same moment never
both found it (:class:`crawler.store.write.ArticleWriter`).
"""

from __future__ import annotations

__all__ = [
    "VISIT_MERGE_WINDOW",
    "WRITE_LOCK_KEY",
    "ArticleBatch",
    "ArticleRecord",
    "DuplicateOf",
    "SaveResult",
    "dialect_insert",
    "lock_writes",
    "on_conflict_do_nothing",
    "refresh_story",
]

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Insert, bindparam, func, insert, select, update

from crawler.base.db import Database
from crawler.base.models import Article, PolicyRef, SourceState, Story, utcnow


@dataclass(frozen=True)
class ArticleRecord:
    """A fetched, extracted and tagged article, ready to store."""

    url: str
    canonical_url: str
    source_id: str
    title: str | None
    body: str
    published: datetime | None
    outlet: str | None = None
    author: str | None = None
    image_url: str | None = None
    policy: dict[str, Any] | None = None
    interpretation_of: str | None = None
    cities: Sequence[str] = ()
    provinces: Sequence[str] = ()
    themes: Sequence[str] = ()
    visits: Sequence[dict[str, Any]] = ()
    kind: str = "other"
    fingerprint: str | None = None
    sketch: bytes | None = None
    fetched: datetime = field(default_factory=utcnow)
    # The policy document the article carries (文号 in normal form, issuer), and the documents
    # it names: (relation, 文号, title key) as :class:`~crawler.base.models.PolicyRef` keeps them.
    doc_no: str | None = None
    doc_issuer: str | None = None
    doc_refs: Sequence[tuple[str, str | None, str | None]] = ()


@dataclass(frozen=True)
class SaveResult:
    article_id: int
    story_id: int | None
    created: bool


VISIT_MERGE_WINDOW = timedelta(days=3)


def _visit_key(record: ArticleRecord) -> tuple[str, datetime] | None:
    """The story hook for visits: "visitor>host" of the article's first visit, and its date
    (the visit's own, else the publication's, else the fetch's)."""
    if record.kind != "visit" or not record.visits:
        return None
    visit = record.visits[0]
    when = record.published or record.fetched
    if visit.get("date"):
        with contextlib.suppress(ValueError):
            when = datetime.fromisoformat(str(visit["date"])).replace(tzinfo=when.tzinfo)
    return f"{visit.get('visitor')}>{visit.get('host')}", when


def _article_values(
    record: ArticleRecord, story_id: int | None, duplicate_of: int | None
) -> dict[str, Any]:
    return {
        "url": record.url,
        "canonical_url": record.canonical_url,
        "source_id": record.source_id,
        "title": record.title,
        "published": record.published,
        "published_offset": _offset_minutes(record.published),
        "fetched": record.fetched,
        "body": record.body,
        "outlet": record.outlet,
        "author": record.author,
        "image_url": record.image_url,
        "policy": record.policy,
        "interpretation_of": record.interpretation_of,
        "cities": list(record.cities),
        "provinces": list(record.provinces),
        "themes": list(record.themes),
        "visits": list(record.visits),
        "kind": record.kind,
        "fingerprint": record.fingerprint,
        "sketch": record.sketch,
        "doc_no": record.doc_no,
        "doc_issuer": record.doc_issuer,
        "story_id": story_id,
        "duplicate_of": duplicate_of,
    }


def _offset_minutes(value: datetime | None) -> int | None:
    if value is None or value.utcoffset() is None:
        return None
    offset = value.utcoffset()
    assert offset is not None
    return int(offset.total_seconds() // 60)


def on_conflict_do_nothing(db: Database) -> Insert:
    """``INSERT INTO articles … ON CONFLICT (canonical_url) DO NOTHING RETURNING id,
    canonical_url`` in the database's dialect, for many rows at once: an article stored already
    (by another writer meanwhile, or earlier in the same rows) is skipped and returns no row, not
    an error that would abort the batch's transaction (PostgreSQL aborts a transaction on any
    error)."""
    return (
        dialect_insert(db, Article)
        .on_conflict_do_nothing(index_elements=[Article.canonical_url])
        .returning(Article.id, Article.canonical_url)
    )


def dialect_insert(db: Database, table: Any) -> Any:
    """The database's own INSERT, which has ON CONFLICT."""
    if db.is_sqlite:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table)
    from sqlalchemy.dialects.postgresql import insert as postgresql_insert

    return postgresql_insert(table)


WRITE_LOCK_KEY = 0x6369_7479_6465_6475
"""The PostgreSQL advisory lock every article batch takes (``citydedu`` in ASCII): one key for
the whole database, since any article may duplicate any other."""

_WRITE_LOCK = select(func.pg_advisory_xact_lock(bindparam("key")))


def lock_writes(conn: Connection, db: Database) -> None:
    """Make ``conn``'s transaction, just begun, the only article writer on the database until it
    ends: everything another writer committed is then visible to it, and nothing else is being
    written meanwhile.

    PostgreSQL: ``pg_advisory_xact_lock`` on :data:`WRITE_LOCK_KEY`, which the commit or
    rollback releases (and the server, should the connection die), so a killed worker never
    holds it. Under READ COMMITTED every later statement of the transaction sees what the
    lock's previous holder committed. SQLite serialises writers anyway, but Python's driver
    begins a transaction only at the first INSERT, after reads that may be stale by then:
    ``BEGIN IMMEDIATE`` takes the write lock first (waiting up to the ``busy_timeout``), so the
    reads that follow are of the newest data too.

    Every article is inserted by such a transaction, so article ids are committed in the order
    they are drawn: a reader holding the lock that has seen every id up to *n* will never see a
    smaller id appear later, which is what lets the dedup index catch up by reading the rows
    above the last id it holds."""
    if db.is_sqlite:
        dbapi = conn.connection.dbapi_connection
        if dbapi is not None and not dbapi.in_transaction:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        return
    conn.execute(_WRITE_LOCK, {"key": WRITE_LOCK_KEY})


# The batch's statements, built once: SQLAlchemy then finds each compiled in its cache without
# building and hashing a new statement per article.
_NEW_STORIES = insert(Story).returning(Story.id, sort_by_parameter_order=True)
_NEW_REFS = insert(PolicyRef)
_LINK_STORY = (
    update(Article)
    .where(Article.id == bindparam("article"))
    .values(story_id=bindparam("story"), duplicate_of=bindparam("dup"))
    .execution_options(synchronize_session=False)
)
_STORED = select(Article.id, Article.story_id, Article.canonical_url).where(
    Article.canonical_url.in_(bindparam("urls", expanding=True))
)
_STORY_OF = select(Article.story_id).where(Article.id == bindparam("article"))
_VISIT_STORY = (
    select(Story.id)
    .where(
        Story.visit_key == bindparam("key"),
        Story.visit_date >= bindparam("start", type_=Story.visit_date.type),
        Story.visit_date <= bindparam("end", type_=Story.visit_date.type),
    )
    .order_by(Story.id)
    .limit(1)
)
_STORY_ARTICLES = (
    select(
        Article.id,
        Article.source_id,
        Article.outlet,
        Article.published,
        Article.fetched,
        Article.kind,
        SourceState.name,
    )
    .join(SourceState, SourceState.id == Article.source_id, isouter=True)
    .where(Article.story_id == bindparam("story"))
)
_RECOUNT_STORY = (
    update(Story)
    .where(Story.id == bindparam("story"))
    .values(
        representative_id=bindparam("representative"),
        article_count=bindparam("articles"),
        outlet_count=bindparam("outlets"),
        last_seen=bindparam("last_seen", type_=Story.last_seen.type),
        kind=bindparam("story_kind"),
    )
)


# Asked, in order, about each article new to the store once it has its id: the id of the
# earlier article it duplicates, or None (the dedup index's find-then-add).
DuplicateOf = Callable[[int, "ArticleRecord"], "int | None"]

# A story an article goes to: the id of a stored one, or the index of one this batch creates.
_StoryRef = int | tuple[str, int]


class ArticleBatch:
    """Articles written in one open transaction; see :meth:`Store.batch
    <crawler.store.store.Store.batch>`.

    :meth:`save_all` writes many articles with a handful of statements: multi-row inserts of
    the articles and of their new stories (in pieces of at most 128 rows), one executemany of
    the links, and a query only where an article may join a stored story (a duplicate of an
    article stored earlier, a visit). Core
    statements built once, not ORM objects: the crawl writes hundreds of articles a second, and
    a statement per article and table cost more than the rest of the crawl's own process but
    HTTP."""

    def __init__(self, conn: Connection, insert_articles: Insert) -> None:
        self.conn = conn
        self._insert_articles = insert_articles

    def save_all(
        self, records: Sequence[ArticleRecord], duplicate_of: DuplicateOf | None = None
    ) -> list[SaveResult]:
        """Store ``records`` in order, each into its story: its duplicate's (``duplicate_of``),
        else, for a visit report, another write-up of the same visit (same visitor and host
        within ``VISIT_MERGE_WINDOW``), else a new one. An article already stored under its
        canonical URL (by an earlier batch, another writer, or earlier in ``records``) is left
        as it is and reported with ``created=False``."""
        if not records:
            return []
        conn = self.conn
        inserted = {
            row.canonical_url: row.id
            for rows in _pieces([_article_values(r, None, None) for r in records])
            for row in conn.execute(self._insert_articles, rows)
        }
        new_stories: list[dict[str, Any]] = []
        open_visits: list[tuple[str, datetime, int]] = []  # (key, date, new story) of the batch
        story_of: dict[int, _StoryRef] = {}  # this batch's articles
        links: list[tuple[int, _StoryRef, int | None]] = []
        joined: list[_StoryRef] = []
        first: dict[str, int] = {}  # canonical URL → the record that created it
        for position, record in enumerate(records):
            article_id = inserted.get(record.canonical_url)
            if article_id is None or record.canonical_url in first:
                continue
            first[record.canonical_url] = position
            duplicate = duplicate_of(article_id, record) if duplicate_of else None
            visit = _visit_key(record)
            ref = self._joined_story(duplicate, visit, story_of, open_visits)
            if ref is None:
                ref = ("new", len(new_stories))
                new_stories.append(_story_values(article_id, record, visit))
                if visit is not None:
                    open_visits.append((*visit, len(new_stories) - 1))
            elif ref not in joined:
                joined.append(ref)
            story_of[article_id] = ref
            links.append((article_id, ref, duplicate))
        created = [
            story
            for rows in _pieces(new_stories)
            for story in conn.execute(_NEW_STORIES, rows).scalars()
        ]

        def story_id(ref: _StoryRef) -> int:
            return created[ref[1]] if isinstance(ref, tuple) else ref

        if links:
            conn.execute(
                _LINK_STORY,
                [{"article": a, "story": story_id(ref), "dup": d} for a, ref, d in links],
            )
        refs = [
            {"article_id": inserted[url], "relation": relation, "doc_no": doc_no, "title": title}
            for url, position in first.items()
            for relation, doc_no, title in records[position].doc_refs
        ]
        if refs:
            conn.execute(_NEW_REFS, refs)
        for ref in joined:  # recounted once, with all of the batch's articles in
            refresh_story(conn, story_id(ref))
        stored = self._stored([r.canonical_url for r in records if r.canonical_url not in first])
        results = []
        for position, record in enumerate(records):
            url = record.canonical_url
            if first.get(url) == position:
                article_id = inserted[url]
                results.append(SaveResult(article_id, story_id(story_of[article_id]), True))
            elif url in first:  # twice in this batch: the first one was stored
                article_id = inserted[url]
                results.append(SaveResult(article_id, story_id(story_of[article_id]), False))
            else:
                article_id, story = stored[url]
                results.append(SaveResult(article_id, story, created=False))
        return results

    def _joined_story(
        self,
        duplicate_of: int | None,
        visit: tuple[str, datetime] | None,
        story_of: dict[int, _StoryRef],
        open_visits: list[tuple[str, datetime, int]],
    ) -> _StoryRef | None:
        """The story a new article joins: its duplicate's; else, for a visit, the first story
        (stored ones before the batch's new ones) of the same visit; else None (a new one)."""
        if duplicate_of is not None:
            if duplicate_of in story_of:
                return story_of[duplicate_of]
            found = self.conn.scalar(_STORY_OF, {"article": duplicate_of})
            if found is not None:
                return int(found)
        if visit is not None:
            key, when = visit
            found = self.conn.scalar(
                _VISIT_STORY,
                {"key": key, "start": when - VISIT_MERGE_WINDOW, "end": when + VISIT_MERGE_WINDOW},
            )
            if found is not None:
                return int(found)
            for other_key, other_when, index in open_visits:
                if other_key == key and abs(other_when - when) <= VISIT_MERGE_WINDOW:
                    return ("new", index)
        return None

    def _stored(self, urls: list[str]) -> dict[str, tuple[int, int | None]]:
        """(article id, story id) of articles stored before this batch, by canonical URL."""
        if not urls:
            return {}
        rows = self.conn.execute(_STORED, {"urls": list(dict.fromkeys(urls))})
        return {row.canonical_url: (row.id, row.story_id) for row in rows}


def _pieces(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """``rows`` in pieces of 128, 64, … or 1 rows, in order. A multi-row insert is one SQL
    statement per count of rows, and the driver keeps the last 128 it prepared: any count
    between 1 and 200 would leave up to 128 statements of thousands of parameters each in memory
    (40 MB over a 20,000-article crawl); eight shapes leave eight."""
    start, size = 0, 128
    while start < len(rows):
        while size > len(rows) - start:
            size //= 2
        yield rows[start : start + size]
        start += size


def _story_values(
    article_id: int, record: ArticleRecord, visit: tuple[str, datetime] | None
) -> dict[str, Any]:
    return {
        "representative_id": article_id,
        "first_seen": record.fetched,
        "last_seen": record.fetched,
        "article_count": 1,
        "outlet_count": 1,
        "kind": record.kind if record.kind in ("visit", "policy") else "other",
        "visit_key": visit[0] if visit else None,
        "visit_date": visit[1] if visit else None,
    }


def refresh_story(conn: Connection, story_id: int) -> None:
    """Recount a story and pick its representative: the article whose site is the outlet the
    others credit (来源：…), else the earliest published, else the first fetched."""
    rows = conn.execute(_STORY_ARTICLES, {"story": story_id}).all()
    if not rows:
        return
    credited = {r.outlet for r in rows if r.outlet}
    far_future = datetime.max.replace(tzinfo=rows[0].fetched.tzinfo)

    def rank(r: Any) -> tuple[int, datetime, datetime, int]:
        is_credited = 0 if (r.name and any(r.name in c or c in r.name for c in credited)) else 1
        return (is_credited, r.published or far_future, r.fetched, r.id)

    kinds = {r.kind for r in rows}
    kind = "visit" if "visit" in kinds else "policy" if "policy" in kinds else "other"
    conn.execute(
        _RECOUNT_STORY,
        {
            "story": story_id,
            "representative": min(rows, key=rank).id,
            "articles": len(rows),
            "outlets": len({r.source_id for r in rows}),
            "last_seen": max(r.fetched for r in rows),
            "story_kind": kind,
        },
    )
