"""Stored articles back out, as JSON lines or CSV: one record per article, fixed fields."""

from __future__ import annotations

__all__ = ["FIELDS", "article_record", "export_articles", "iter_articles"]

import csv
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, TextIO

from sqlalchemy import select

from crawler.db import Database
from crawler.models import Article

FIELDS = (
    "id",
    "url",
    "canonical_url",
    "source",
    "title",
    "published",
    "fetched",
    "body",
    "outlet",
    "cities",
    "provinces",
    "themes",
    "visits",
    "story_id",
    "duplicate_of",
    "kind",
    "policy",
)
_LIST_FIELDS = ("cities", "provinces", "themes", "visits")


def _local(value: datetime | None, offset_minutes: int | None, zone: tzinfo) -> str | None:
    if value is None:
        return None
    if offset_minutes is not None:
        return value.astimezone(timezone(timedelta(minutes=offset_minutes))).isoformat()
    return value.astimezone(zone).isoformat()


def article_record(article: Article, zone: tzinfo) -> dict[str, Any]:
    """One article as the export's dict (times ISO 8601 with offset)."""
    return {
        "id": article.id,
        "url": article.url,
        "canonical_url": article.canonical_url,
        "source": article.source_id,
        "title": article.title,
        "published": _local(article.published, article.published_offset, zone),
        "fetched": _local(article.fetched, None, zone),
        "body": article.body,
        "outlet": article.outlet,
        "cities": list(article.cities or []),
        "provinces": list(article.provinces or []),
        "themes": list(article.themes or []),
        "visits": list(article.visits or []),
        "story_id": article.story_id,
        "duplicate_of": article.duplicate_of,
        "kind": article.kind,
        "policy": article.policy,
    }


def iter_articles(
    db: Database,
    zone: tzinfo,
    *,
    since: date | None = None,
    until: date | None = None,
    source_ids: tuple[str, ...] = (),
    batch: int = 500,
) -> Iterator[dict[str, Any]]:
    """Articles in id order; ``since``/``until`` are local dates (inclusive) of the fetch time,
    or of the publication time where known."""
    query = select(Article).order_by(Article.id)
    if since is not None:
        start = datetime.combine(since, time.min, zone).astimezone(UTC)
        query = query.where(Article.fetched >= start)
    if until is not None:
        end = datetime.combine(until + timedelta(days=1), time.min, zone).astimezone(UTC)
        query = query.where(Article.fetched < end)
    if source_ids:
        query = query.where(Article.source_id.in_(source_ids))
    last_id = 0
    while True:
        with db.session() as session:
            rows = list(session.scalars(query.where(Article.id > last_id).limit(batch)))
            records = [article_record(a, zone) for a in rows]
        if not records:
            return
        yield from records
        last_id = records[-1]["id"]


def export_articles(records: Iterator[dict[str, Any]], out: TextIO, fmt: str = "jsonl") -> int:
    """Write records to ``out``; return how many."""
    count = 0
    if fmt == "jsonl":
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=FIELDS)
        writer.writeheader()
        for record in records:
            row = dict(record)
            for key in (*_LIST_FIELDS, "policy"):
                row[key] = json.dumps(row[key], ensure_ascii=False) if row[key] is not None else ""
            writer.writerow(row)
            count += 1
    else:
        raise ValueError(f"unknown export format {fmt!r} (expected jsonl or csv)")
    return count
