"""The database tables, shared by the crawler (which writes articles) and the digests (which read
stories and record deliveries). Schema changes go through Alembic (``crawler/migrations``).

Times are stored as naive UTC and returned tz-aware (UTC) on every backend, so SQLite and
PostgreSQL behave the same.
"""

from __future__ import annotations

__all__ = [
    "Article",
    "Base",
    "Delivery",
    "Fetch",
    "FetchTotal",
    "HostTurn",
    "HttpCache",
    "PolicyRef",
    "SourceState",
    "Story",
    "SubscriberPreferences",
    "SubscriberState",
    "UTCDateTime",
    "utcnow",
]

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Integer primary keys that are 64-bit on PostgreSQL and ROWID aliases on SQLite.
BigID = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC, returned as an aware UTC datetime."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given where an aware one is needed")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # SQLite returns text for some raw queries
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class SourceState(Base):
    """Per-source health and schedule. The source's definition lives in sources.yaml."""

    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text, default="")
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_new_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    pass_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pass_depth: Mapped[int | None] = mapped_column(Integer)


class Story(Base):
    """One news event however many outlets, scripts and edits carry it."""

    __tablename__ = "stories"
    # Finding the story of a visit looks up its key within a few days of its date.
    __table_args__ = (Index("ix_stories_visit", "visit_key", "visit_date"),)

    id: Mapped[int] = mapped_column(BigID, primary_key=True, autoincrement=True)
    representative_id: Mapped[int | None] = mapped_column(
        BigID, ForeignKey("articles.id", ondelete="SET NULL", use_alter=True)
    )
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    article_count: Mapped[int] = mapped_column(Integer, default=0)
    outlet_count: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(16), default="other")
    # The hook for merging different write-ups of one visit: "visitor>host" of its first visit.
    visit_key: Mapped[str | None] = mapped_column(String(64))
    visit_date: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_source_fetched", "source_id", "fetched"),
        Index("ix_articles_published", "published"),
    )

    id: Mapped[int] = mapped_column(BigID, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(Text)
    canonical_url: Mapped[str] = mapped_column(Text, unique=True)
    source_id: Mapped[str] = mapped_column(String(64), ForeignKey("sources.id"))
    title: Mapped[str | None] = mapped_column(Text)
    published: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The zone offset the page gave (minutes east of UTC), so export can show local time.
    published_offset: Mapped[int | None] = mapped_column(Integer)
    fetched: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    body: Mapped[str] = mapped_column(Text, default="")
    outlet: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(Text)
    policy: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    interpretation_of: Mapped[str | None] = mapped_column(Text)
    # The policy document the article carries: its 文号 in normal form (深府办〔2021〕5号), which
    # reprints share, and its issuing body (Simplified), from the metadata table or the text.
    doc_no: Mapped[str | None] = mapped_column(String(128), index=True)
    doc_issuer: Mapped[str | None] = mapped_column(Text)
    cities: Mapped[list[str]] = mapped_column(JSON, default=list)
    provinces: Mapped[list[str]] = mapped_column(JSON, default=list)
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    visits: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    kind: Mapped[str] = mapped_column(String(16), default="other")
    fingerprint: Mapped[str | None] = mapped_column(String(64), index=True)
    sketch: Mapped[bytes | None] = mapped_column(LargeBinary)
    story_id: Mapped[int | None] = mapped_column(
        BigID, ForeignKey("stories.id", ondelete="SET NULL"), index=True
    )
    duplicate_of: Mapped[int | None] = mapped_column(
        BigID, ForeignKey("articles.id", ondelete="SET NULL")
    )


class PolicyRef(Base):
    """A policy document named by an article, by 文号 or by title (a folded title key).

    ``relation`` says how: ``is`` (the article carries the document, under this title; its 文号
    is ``articles.doc_no``), ``interprets`` (a 解读), ``reports`` (news about it),
    ``implements`` (a 配套细则), ``amends`` or ``repeals`` (a later document). The names are
    kept as written, not resolved to articles: the document may be stored later, or never.
    """

    __tablename__ = "policy_refs"

    id: Mapped[int] = mapped_column(BigID, primary_key=True, autoincrement=True)
    article_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    relation: Mapped[str] = mapped_column(String(16))
    doc_no: Mapped[str | None] = mapped_column(String(128), index=True)
    title: Mapped[str | None] = mapped_column(String(200), index=True)


class Fetch(Base):
    """One HTTP exchange: what was asked, what came back, and what went wrong."""

    __tablename__ = "fetches"

    id: Mapped[int] = mapped_column(BigID, primary_key=True, autoincrement=True)
    source_id: Mapped[str | None] = mapped_column(String(64), index=True)
    url: Mapped[str] = mapped_column(Text)
    status: Mapped[int | None] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(Integer, default=0)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class FetchTotal(Base):
    """What pruned rows of the fetch log counted, per response status (0: no response), so that
    the fetch counters (``/metrics``) keep counting once old rows are gone."""

    __tablename__ = "fetch_totals"

    status: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    fetches: Mapped[int] = mapped_column(BigInteger, default=0)
    errors: Mapped[int] = mapped_column(BigInteger, default=0)


class HttpCache(Base):
    """Validators for conditional GET of feeds and list pages."""

    __tablename__ = "http_cache"

    url: Mapped[str] = mapped_column(Text, primary_key=True)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    body_hash: Mapped[str | None] = mapped_column(String(64))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SubscriberState(Base):
    """What the database knows of a subscriber beyond subscribers.yaml: schedule, unsubscribe."""

    __tablename__ = "subscribers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    email: Mapped[str | None] = mapped_column(Text)
    next_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsubscribed: Mapped[bool] = mapped_column(Boolean, default=False)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SubscriberPreferences(Base):
    """What a reader chose on their "manage subscription" page: it wins over subscribers.yaml
    for these fields (keywords, exclusions, address and zone stay the operator's) until the
    operator resets it (``citydigest subscribers reset``). One row per subscriber, every field
    set: the page saves the whole form at once (``monday_network`` too: its Monday daily with
    last week's visit network)."""

    __tablename__ = "subscriber_preferences"

    subscriber_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    cities: Mapped[list[str]] = mapped_column(JSON, default=list)
    provinces: Mapped[list[str]] = mapped_column(JSON, default=list)
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    frequency: Mapped[str] = mapped_column(String(16))
    weekday: Mapped[str] = mapped_column(String(3))
    send_at: Mapped[str] = mapped_column(String(5))
    script: Mapped[str] = mapped_column(String(32))
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The Monday daily ends with last week's visit network (migration 0008)
    monday_network: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class HostTurn(Base):
    """When the next request to a host may start, for every process of the distributed runner
    (its workers share each host's spacing, Crawl-delay and back-off through this row:
    :meth:`crawler.app.runners.distributed.HostLocks.take`). The embedded runner keeps it in
    memory and never writes here."""

    __tablename__ = "host_turns"

    host: Mapped[str] = mapped_column(String(300), primary_key=True)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Delivery(Base):
    """One digest for one subscriber and period; written before SMTP, marked sent after."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("subscriber_id", "period"),)

    id: Mapped[int] = mapped_column(BigID, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[str] = mapped_column(String(64), index=True)
    period: Mapped[str] = mapped_column(String(32))
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    message_id: Mapped[str | None] = mapped_column(Text)
    story_count: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
