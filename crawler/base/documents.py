"""Policy documents as the database holds them, for every reader: the ``policies`` command and
the export (through the store) and the archive's document page (digests).

A document is what articles carry under one 文号 (``articles.doc_no``; reprints on several sites
are one document), or, without a 文号, one story's articles that show an issuer or a metadata
table (a ``PolicyRef`` of relation ``is``). Around it are the articles that name it
(``policy_refs``: by 文号 or by title key) and the 解读 that link it (``interpretation_of``):
its interpretations, the news that reports it, later 配套细则 that implement it and documents
that amend or repeal it. Names are resolved here, when read, so a report stored before its
document, or a repeal of a document stored later, link all the same.

Here and not in the store because the digests read it too, and they reach only ``crawler.base``.
"""

from __future__ import annotations

__all__ = ["DocLink", "PolicyDocument", "load_documents"]

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from crawler.base.models import Article, PolicyRef, SourceState

_CHUNK = 500
_VOID = re.compile(r"失效|废止|作废|停止执行|已撤销")


@dataclass(frozen=True, slots=True)
class DocLink:
    """An article around a document: a copy of it, or one that names it (``relation``)."""

    article_id: int
    relation: str  # copy | interprets | reports | implements | amends | repeals
    title: str | None
    url: str
    source: str  # the source's name, else its id
    published: datetime | None
    fetched: datetime
    doc_no: str | None = None  # the 文号 of a linking document (an amendment, a repeal)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.article_id,
            "title": self.title,
            "url": self.url,
            "source": self.source,
            "published": (self.published or self.fetched).isoformat(),
            "doc_no": self.doc_no,
        }


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    """One policy document with its copies and the articles around it.

    ``validity`` is what the pages' metadata tables say (有效, 失效, 废止…); ``status`` is what
    to show: 已废止 when a stored later document repeals it, else 失效 when the table says so,
    else the table's word.
    """

    key: str  # the 文号, else ``story:<id>`` or ``article:<id>``
    doc_no: str | None
    issuer: str | None
    title: str | None
    url: str
    written_date: str | None
    published_date: str | None
    validity: str | None
    copies: tuple[DocLink, ...]
    interpretations: tuple[DocLink, ...] = ()
    reports: tuple[DocLink, ...] = ()
    implementations: tuple[DocLink, ...] = ()
    amendments: tuple[DocLink, ...] = ()
    repeals: tuple[DocLink, ...] = ()

    @property
    def status(self) -> str | None:
        if self.repeals:
            return "已废止"
        if self.validity and _VOID.search(self.validity):
            return "失效"
        return self.validity

    @property
    def first_seen(self) -> datetime:
        return min(c.published or c.fetched for c in self.copies)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``citydigest policies`` and of the export's ``document``."""
        return {
            "doc_no": self.doc_no,
            "issuer": self.issuer,
            "title": self.title,
            "url": self.url,
            "written_date": self.written_date,
            "published_date": self.published_date,
            "validity": self.validity,
            "status": self.status,
            "copies": [c.url for c in self.copies],
            "interpretations": [x.to_dict() for x in self.interpretations],
            "reports": [x.to_dict() for x in self.reports],
            "implementations": [x.to_dict() for x in self.implementations],
            "amended_by": [x.to_dict() for x in self.amendments],
            "repealed_by": [x.to_dict() for x in self.repeals],
        }


_LINK_COLUMNS = (
    Article.id,
    Article.title,
    Article.url,
    Article.canonical_url,
    Article.published,
    Article.fetched,
    Article.doc_no,
    Article.story_id,
    Article.policy,
    Article.doc_issuer,
    func.coalesce(SourceState.name, Article.source_id).label("source"),
)
_RELATIONS = ("interprets", "reports", "implements", "amends", "repeals")


def load_documents(
    session: Session,
    *,
    since: datetime | None = None,
    issuer: str | None = None,
    article_ids: Sequence[int] | None = None,
) -> list[PolicyDocument]:
    """The stored documents first published (else fetched) since ``since`` whose issuer or 文号
    contains ``issuer``, or those carried by ``article_ids``, newest first, each with the
    articles around it."""
    query = _document_articles(since)
    if article_ids is not None:
        query = query.where(_carried_by(session, article_ids))
    rows = list(session.execute(query))
    titles = _own_titles(session, [r.id for r in rows])
    groups: dict[str, list[Any]] = {}
    for row in rows:
        groups.setdefault(_key(row.doc_no, row.story_id, row.id), []).append(row)
    documents = [_document(key, members) for key, members in groups.items()]
    if issuer:
        documents = [
            d for d in documents if issuer in (d.issuer or "") or issuer in (d.doc_no or "")
        ]
    own_titles = {k: {t for r in groups[k] for t in titles.get(r.id, ())} for k in groups}
    linked = _links(session, documents, own_titles)
    documents = [_with_links(d, linked.get(d.key, [])) for d in documents]
    return sorted(documents, key=lambda d: (d.first_seen, d.key), reverse=True)


def _document_articles(since: datetime | None) -> Select[Any]:
    """Articles that carry a document: a 文号, or their own title recorded (``is``)."""
    own = select(PolicyRef.article_id).where(PolicyRef.relation == "is")
    query = (
        select(*_LINK_COLUMNS)
        .join(SourceState, SourceState.id == Article.source_id, isouter=True)
        .where(or_(Article.doc_no.is_not(None), Article.id.in_(own)))
        .order_by(Article.id)
    )
    if since is not None:
        query = query.where(func.coalesce(Article.published, Article.fetched) >= since)
    return query


def _carried_by(session: Session, article_ids: Sequence[int]) -> ColumnElement[bool]:
    """The condition for the copies of the documents ``article_ids`` carry: the same 文号, or,
    without one, the same story."""
    numbers: set[str] = set()
    stories: set[int] = set()
    for chunk in _chunks(list(article_ids)):
        for doc_no, story_id in session.execute(
            select(Article.doc_no, Article.story_id).where(Article.id.in_(chunk))
        ):
            if doc_no:
                numbers.add(doc_no)
            elif story_id is not None:
                stories.add(story_id)
    return or_(
        Article.id.in_(list(article_ids)),
        Article.doc_no.in_(sorted(numbers)),
        Article.doc_no.is_(None) & Article.story_id.in_(sorted(stories)),
    )


def _own_titles(session: Session, ids: list[int]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for chunk in _chunks(ids):
        for article_id, title in session.execute(
            select(PolicyRef.article_id, PolicyRef.title).where(
                PolicyRef.relation == "is", PolicyRef.article_id.in_(chunk)
            )
        ):
            if title:
                found.setdefault(article_id, set()).add(title)
    return found


def _link(row: Any, relation: str) -> DocLink:
    return DocLink(
        row.id, relation, row.title, row.url, row.source, row.published, row.fetched, row.doc_no
    )


def _table(row: Any) -> dict[str, Any]:
    return row.policy if isinstance(row.policy, dict) else {}


def _document(key: str, rows: list[Any]) -> PolicyDocument:
    """One document from the articles that carry it; the copy with a metadata table, else the
    earliest published, represents it."""
    far = datetime.max.replace(tzinfo=rows[0].fetched.tzinfo)
    ranked = sorted(
        rows, key=lambda r: (not _table(r).get("doc_no"), r.published or far, r.fetched, r.id)
    )
    first = ranked[0]

    def field(name: str) -> str | None:
        return next((v for r in ranked if (v := _table(r).get(name))), None)

    return PolicyDocument(
        key=key,
        doc_no=first.doc_no or next((r.doc_no for r in ranked if r.doc_no), None),
        issuer=field("issuer") or next((r.doc_issuer for r in ranked if r.doc_issuer), None),
        title=first.title,
        url=first.url,
        written_date=field("written_date"),
        published_date=field("published_date"),
        validity=field("validity"),
        copies=tuple(_link(r, "copy") for r in ranked),
    )


def _links(
    session: Session, documents: list[PolicyDocument], titles: dict[str, set[str]]
) -> dict[str, list[DocLink]]:
    """The articles around each document (by key): those that name its 文号 or one of its
    titles, and the 解读 whose link points at one of its copies."""
    by_no = {d.doc_no: d.key for d in documents if d.doc_no}
    by_title = {t: d.key for d in documents for t in titles.get(d.key, ())}
    for title in _ambiguous(session, list(by_title)):
        del by_title[title]
    own = {c.article_id: d.key for d in documents for c in d.copies}
    found: dict[str, dict[tuple[int, str], DocLink]] = {}

    def add(key: str, row: Any, relation: str) -> None:
        if own.get(row.id) != key:  # a copy does not link its own document
            found.setdefault(key, {}).setdefault((row.id, relation), _link(row, relation))

    ref_columns = (*_LINK_COLUMNS, PolicyRef.relation, PolicyRef.doc_no.label("named_no"),
                   PolicyRef.title.label("named_title"))  # fmt: skip
    base = (
        select(*ref_columns)
        .join(PolicyRef, PolicyRef.article_id == Article.id)
        .join(SourceState, SourceState.id == Article.source_id, isouter=True)
        .where(PolicyRef.relation.in_(_RELATIONS))
    )
    for column, wanted in ((PolicyRef.doc_no, by_no), (PolicyRef.title, by_title)):
        for chunk in _chunks(list(wanted)):
            for row in session.execute(base.where(column.in_(chunk))):
                key = (
                    wanted[row.named_no] if column is PolicyRef.doc_no else wanted[row.named_title]
                )
                add(key, row, row.relation)
    interpretations = select(*_LINK_COLUMNS, Article.interpretation_of).join(
        SourceState, SourceState.id == Article.source_id, isouter=True
    )
    urls = _copy_urls(session, own)
    for chunk in _chunks(list(urls)):
        for row in session.execute(interpretations.where(Article.interpretation_of.in_(chunk))):
            add(urls[row.interpretation_of], row, "interprets")
    return {key: sorted(links.values(), key=_when) for key, links in found.items()}


def _ambiguous(session: Session, titles: list[str]) -> set[str]:
    """The titles that several stored documents bear: city governments issue one template
    notice under one title (关于做好2024年…的通知), so a page that names it by title alone
    names none of them in particular."""
    keys: dict[str, set[str]] = {}
    for chunk in _chunks(titles):
        for title, doc_no, story_id, article_id in session.execute(
            select(PolicyRef.title, Article.doc_no, Article.story_id, Article.id)
            .join(Article, Article.id == PolicyRef.article_id)
            .where(PolicyRef.relation == "is", PolicyRef.title.in_(chunk))
        ):
            if title is not None:  # (the IN clause has none; for the type checker)
                keys.setdefault(title, set()).add(_key(doc_no, story_id, article_id))
    return {title for title, found in keys.items() if len(found) > 1}


def _key(doc_no: str | None, story_id: int | None, article_id: int) -> str:
    """A document's key: its 文号, else its story, else its article."""
    return doc_no or (f"story:{story_id}" if story_id else f"article:{article_id}")


def _copy_urls(session: Session, own: dict[int, str]) -> dict[str, str]:
    """Each copy's URL and canonical URL, to its document's key (a 解读 links either)."""
    urls: dict[str, str] = {}
    for chunk in _chunks(list(own)):
        for article_id, url, canonical in session.execute(
            select(Article.id, Article.url, Article.canonical_url).where(Article.id.in_(chunk))
        ):
            urls[url] = urls[canonical] = own[article_id]
    return urls


def _when(link: DocLink) -> tuple[datetime, int]:
    return (link.published or link.fetched, link.article_id)


def _with_links(document: PolicyDocument, links: list[DocLink]) -> PolicyDocument:
    def of(relation: str) -> tuple[DocLink, ...]:
        return tuple(x for x in links if x.relation == relation)

    return replace(
        document,
        interpretations=of("interprets"),
        reports=of("reports"),
        implementations=of("implements"),
        amendments=of("amends"),
        repeals=of("repeals"),
    )


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]
