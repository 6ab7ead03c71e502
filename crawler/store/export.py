"""Stored articles back out, as JSON lines or CSV: one record per article, fixed fields.

An article that carries a policy document has its ``doc_no`` (normal form) and ``doc_issuer``
and, in ``document``, the document as :mod:`crawler.base.documents` reads it: its dates,
validity and status, its copies, 解读, reports, 配套细则 and the documents that amend or repeal
it. ``names`` lists the documents any article names (relation, 文号, title key)."""

from __future__ import annotations

__all__ = ["FIELDS", "article_record", "export_articles", "iter_articles"]

import csv
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.base.db import Database
from crawler.base.documents import load_documents
from crawler.base.models import Article, PolicyRef

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
    "interpretation_of",
    "doc_no",
    "doc_issuer",
    "document",
    "names",
)
_LIST_FIELDS = ("cities", "provinces", "themes", "visits", "names")
_JSON_FIELDS = (*_LIST_FIELDS, "policy", "document")


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
        "policy": dict(article.policy) if article.policy else None,
        "interpretation_of": article.interpretation_of,
        "doc_no": article.doc_no,
        "doc_issuer": article.doc_issuer,
        "document": None,
        "names": [],
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
            _link_interpretations(session, rows, records)
            _link_documents(session, records)
        if not records:
            return
        yield from records
        last_id = records[-1]["id"]


def _link_interpretations(
    session: Session, rows: list[Article], records: list[dict[str, Any]]
) -> None:
    """A policy lists the stored 解读 articles that explain it (``policy.interpretations``)."""
    policies = {}
    for article, record in zip(rows, records, strict=True):
        if record["policy"] is not None:
            policies[article.url] = record
            policies[article.canonical_url] = record
    if not policies:
        return
    found = session.execute(
        select(Article.interpretation_of, Article.url).where(
            Article.interpretation_of.in_(list(policies))
        )
    )
    for policy_url, url in found:
        if policy_url is None:  # (the IN clause has none; for the type checker)
            continue
        links = policies[policy_url]["policy"].setdefault("interpretations", [])
        if url not in links:
            links.append(url)


def _link_documents(session: Session, records: list[dict[str, Any]]) -> None:
    """Each record's ``names`` (the documents it names) and, for one that carries a document,
    the ``document`` with everything around it."""
    by_id = {record["id"]: record for record in records}
    carriers: set[int] = {r["id"] for r in records if r["doc_no"]}
    for article_id, relation, doc_no, title in session.execute(
        select(PolicyRef.article_id, PolicyRef.relation, PolicyRef.doc_no, PolicyRef.title)
        .where(PolicyRef.article_id.in_(list(by_id)))
        .order_by(PolicyRef.id)
    ):
        if relation == "is":
            carriers.add(article_id)
        else:
            by_id[article_id]["names"].append(
                {"relation": relation, "doc_no": doc_no, "title": title}
            )
    if not carriers:
        return
    for document in load_documents(session, article_ids=sorted(carriers)):
        shown = document.to_dict()
        for copy in document.copies:
            if copy.article_id in by_id:
                by_id[copy.article_id]["document"] = shown


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
            for key in _JSON_FIELDS:
                row[key] = json.dumps(row[key], ensure_ascii=False) if row[key] is not None else ""
            writer.writerow(row)
            count += 1
    else:
        raise ValueError(f"unknown export format {fmt!r} (expected jsonl or csv)")
    return count
