"""Writing the crawl's results: articles (upserted by canonical URL) into stories, the fetch log,
per-source health, and HTTP validators for conditional GET.

Articles are written in batches (:meth:`Store.batch`), each article together with its story, in
one transaction per batch: a crash (even ``kill -9``) loses at most the batch being written, and
never leaves half of an article or a story. Everything here is synchronous SQLAlchemy; the crawl
calls it from its event loop between fetches.
"""

from __future__ import annotations

__all__ = ["ArticleBatch", "ArticleRecord", "SaveResult", "Store", "StoryRow", "VisitRow"]

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Insert, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from crawler.base.db import Database
from crawler.base.errors import StoreError
from crawler.base.models import (
    Article,
    Fetch,
    FetchTotal,
    HttpCache,
    SourceState,
    Story,
    UTCDateTime,
    utcnow,
)

if TYPE_CHECKING:  # the analysis worker that writes imports this module, not the HTTP client
    from crawler.base.config import Source
    from crawler.fetch.client import FetchRecord, Validators


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


@dataclass(frozen=True)
class SaveResult:
    article_id: int
    story_id: int | None
    created: bool


@dataclass(frozen=True)
class StoryRow:
    id: int
    first_seen: datetime
    kind: str
    title: str | None
    url: str | None
    outlets: tuple[str, ...]
    article_count: int


@dataclass(frozen=True)
class VisitRow:
    story_id: int | None
    visitor: str
    host: str
    date: str | None
    title: str | None
    url: str
    evidence: str


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
        _dialect_insert(db, Article)
        .on_conflict_do_nothing(index_elements=[Article.canonical_url])
        .returning(Article.id, Article.canonical_url)
    )


def _dialect_insert(db: Database, table: Any) -> Any:
    """The database's own INSERT, which has ON CONFLICT."""
    if db.is_sqlite:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    return dialect_insert(table)


# Fetch-log rows deleted per transaction when the log is pruned.
FETCH_PRUNE_BATCH = 5000

# The batch's statements, built once: SQLAlchemy then finds each compiled in its cache without
# building and hashing a new statement per article.
_NEW_STORIES = insert(Story).returning(Story.id, sort_by_parameter_order=True)
_LINK_STORY = (
    update(Article)
    .where(Article.id == bindparam("article"))
    .values(story_id=bindparam("story"), duplicate_of=bindparam("dup"))
    .execution_options(synchronize_session=False)
)
_STORED = select(Article.id, Article.story_id, Article.canonical_url).where(
    Article.canonical_url.in_(bindparam("urls", expanding=True))
)
_KNOWN = select(Article.canonical_url).where(
    Article.canonical_url.in_(bindparam("urls", expanding=True))
)
_STORED_SINCE = _KNOWN.where(Article.fetched >= bindparam("since", type_=UTCDateTime()))
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
    """Articles written in one open transaction; see :meth:`Store.batch`.

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
        for ref in joined:  # recounted once, with all of the batch's articles in
            _refresh_story(conn, story_id(ref))
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


def _refresh_story(conn: Connection, story_id: int) -> None:
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


class Store:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._insert_articles = on_conflict_do_nothing(db)  # built once, not per batch

    # ------------------------------------------------------------------ sources

    def ensure_sources(self, sources: Iterable[Source]) -> None:
        """Create a health row for each of these configured sources (names follow the config)."""
        wanted = {source.id: source for source in sources}
        with self.db.session() as session:
            ids = list(wanted)
            existing: dict[str, SourceState] = {}
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                for row in session.scalars(select(SourceState).where(SourceState.id.in_(chunk))):
                    existing[row.id] = row
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

    # ------------------------------------------------------------------ fetch log

    def record_fetches(self, records: Sequence[FetchRecord]) -> None:
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
                "fetched_at": utcnow(),
            }
            for r in records
        ]
        with self.db.session() as session:
            session.execute(insert(Fetch), rows)

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
                add = _dialect_insert(self.db, FetchTotal).values(
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
            for status, fetches, failed in session.execute(
                select(FetchTotal.status, FetchTotal.fetches, FetchTotal.errors)
            ):
                by_status[status or None] = int(fetches)
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
        from crawler.fetch.client import Validators

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

    # ------------------------------------------------------------------ articles

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
        when the block ends, rolled back, with nothing of the batch kept, if it raises."""
        try:
            with self.db.engine.begin() as conn:
                yield ArticleBatch(conn, self._insert_articles)
        except IntegrityError as exc:
            raise StoreError(f"cannot store the batch of articles: {exc.orig}") from exc
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot store the batch of articles: {exc}") from exc

    def sketches_since(
        self, window: timedelta, *, after_id: int = 0
    ) -> list[tuple[int, bytes, datetime]]:
        """(article id, sketch, fetched) of the articles in the dedup window (with an id above
        ``after_id``), oldest first."""
        cutoff = utcnow() - window
        with self.db.session() as session:
            rows = session.execute(
                select(Article.id, Article.sketch, Article.fetched)
                .where(
                    Article.fetched >= cutoff,
                    Article.sketch.is_not(None),
                    Article.id > after_id,
                )
                .order_by(Article.id)
            ).all()
        return [(r.id, r.sketch, r.fetched) for r in rows]

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
                        )
                    )
        return out

    # ------------------------------------------------------------------ retention

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
            deleted = session.execute(delete(Article).where(Article.fetched < cutoff)).rowcount
            conn = session.connection()
            for story_id in story_ids - {None}:
                remaining = session.scalar(
                    select(func.count()).select_from(Article).where(Article.story_id == story_id)
                )
                if remaining:
                    _refresh_story(conn, story_id)
                else:
                    session.execute(delete(Story).where(Story.id == story_id))
            return int(deleted or 0)
