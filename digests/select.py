"""Selection: which stories a subscriber gets, in which sections and order.

:func:`load_pool` reads every story first seen in a time range once (with its articles and
their source names) into a :class:`StoryPool`, indexed by city, province, theme and kind, so that
a thousand subscribers cost a thousand set intersections rather than a thousand queries.

A story matches a subscriber's filter when all of these hold:

- its kind is one of ``kinds``;
- places: ``cities``/``provinces`` empty, or one of its articles names one of them. A name under
  ``cities`` matches the story's cities or, for a province name, its provinces (the tagger adds
  the province of every city it finds, so a province includes its cities);
- topics: ``themes`` and ``keywords`` both empty, or it has one of the themes, or one of the
  keywords occurs in its title or text (Traditional folded to Simplified on both sides);
- no ``exclude`` word occurs in its title or text.

A story first seen in the window is **news** when it is also recent: published no earlier than
``grace`` before the window began (sites publish late and feeds lag, so a few days), or undated
(then it counts by its first crawl, and says so). An older story first found now (a backfill, a
new source's back catalogue) is not news: it stays in the archive, or goes to a last, labelled
旧闻补录 section for a subscriber who asks for one (``old_news``).

Sections: 城市考察交流 (visits), 政策发布 (policies), then one per theme (the subscriber's
matched theme, else the story's first theme in taxonomy order), then 其他, then 旧闻补录. Within
a section, entries rank by importance, then freshness (the day published), then outlets:
importance is, for a visit, the delegation's level (a province's, a 党政 delegation) and its
leader's (书记/市长 above their deputies above 局长), for a policy its issuer's level (国务院,
province, city, district), and for every story how many outlets carried it. The reports of one
visit that dedup kept apart (the visitor's and the host's) are one entry with every copy.
``DigestLimits`` caps each section and the whole.

Policies by document: a story that carries a stored policy document
(:func:`crawler.base.documents.load_documents`) gets a :class:`~digests.digest.Document` with
its issuer, 文号, dates, validity, first sentence after the addressees, and its 解读 and news
reports. When the document is in a digest, the stories that are its 解读 or reports are nested
under it and left out as items (a visit stays in the visits table); a document older than the
grace days whose 解读 or report is news is news by it. A 解读 whose document is not in the digest
stays an item and names what it explains (``Entry.explains``).

The archive's day pages and filtered views (:func:`archive_day`) group their stories the same
way (:meth:`StoryPool.grouped`), uncapped, their 旧闻补录 counted from the day's start with the
default grace (:data:`ARCHIVE_GRACE`).
"""

from __future__ import annotations

__all__ = [
    "StoryPool",
    "archive_day",
    "load_pool",
    "select_digest",
]

import bisect
import dataclasses
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.base.config.settings import DigestLimits
from crawler.base.config.subscribers import Subscriber, SubscriberFilter
from crawler.base.db import Database
from crawler.base.documents import DocLink, PolicyDocument, load_documents
from crawler.base.models import Article, PolicyRef, SourceState, Story
from crawler.base.sanitize import clean_text, clean_title
from digests.digest import (
    ArchiveDay,
    Copy,
    Digest,
    DocNote,
    Document,
    Entry,
    PolicyInfo,
    Section,
    Visit,
    VisitCount,
)
from digests.period import day_bounds
from digests.text import first_sentence, fold, is_traditional, safe_url, snippet

VISIT_TITLE = "城市考察交流"
POLICY_TITLE = "政策发布"
OTHER_TITLE = "其他"
OLD_TITLE = "旧闻补录"
# An archive page's 旧闻补录: published this long before its day (a subscriber's default grace).
ARCHIVE_GRACE = timedelta(days=Subscriber.model_fields["grace_days"].default)
SAME_VISIT_DAYS = 3  # two reports of one route this close in time are one visit
NESTED_NOTES = 6  # 解读 (and, apart, reports) shown under one document
_POLICY_KEYS = (
    "issuer",
    "doc_no",
    "subject",
    "index_no",
    "written_date",
    "published_date",
    "validity",
)


@dataclass(slots=True)
class _Record:
    """One story as loaded: an :class:`Entry` without reasons, plus its folded text."""

    entry: Entry
    text: str  # folded title(s) and representative body, for keyword matching
    rank: tuple[int, int, int, float]
    day: date  # first seen, in the archive's zone


def _policy(data: Any) -> PolicyInfo | None:
    if not isinstance(data, Mapping):
        return None
    values = {
        k: fold(value) for k in _POLICY_KEYS if data.get(k) and (value := clean_title(str(data[k])))
    }
    return PolicyInfo(**values) if values else None


def _iso_day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None  # "2021-05" (a month only) or junk: no day to show


_SITE_LEAD = re.compile(r"^.*?(?:考察了|参观了|走访了|调研了|先后到|先后来到|来到|深入)")


def _sites(values: Any) -> tuple[str, ...]:
    """Places visited, without the verb phrase a tagger's span may begin with."""
    found = (_SITE_LEAD.sub("", str(v)).strip() for v in values or () if v)
    return tuple(dict.fromkeys(fold(v) for v in found if 1 < len(v) <= 30))


def _official(data: Any) -> tuple[str | None, str | None]:
    if not isinstance(data, Mapping):
        return None, None
    name, title = data.get("name"), data.get("title")
    return (fold(str(name)) if name else None), (fold(str(title)) if title else None)


def _visit(item: Mapping[str, Any]) -> Visit:
    start = _iso_day(item.get("date_start")) or _iso_day(item.get("date"))
    end = _iso_day(item.get("date_end"))
    name, title = _official(item.get("leader"))
    evidence = snippet(clean_title(str(item.get("evidence") or "")) or "", 80)
    return Visit(
        fold(str(item["visitor"])),
        fold(str(item["host"])),
        start,
        end if end and start and end > start else None,
        name,
        title,
        fold(str(item["purpose"])) if item.get("purpose") else None,
        _sites(item.get("sites")),
        fold(evidence) if evidence else None,
    )


def _fill(known: Visit, other: Visit) -> Visit:
    """``known`` with what it lacks taken from another report of the same visit."""
    return dataclasses.replace(
        known,
        date=known.date or other.date,
        date_end=known.date_end or other.date_end,
        leader=known.leader or other.leader,
        leader_title=known.leader_title or other.leader_title,
        purpose=known.purpose or other.purpose,
        sites=tuple(dict.fromkeys((*known.sites, *other.sites)))[:8],
        evidence=known.evidence or other.evidence,
    )


def _quoted(visits: tuple[Visit, ...], titles: set[str]) -> tuple[Visit, ...]:
    """Visits whose evidence is a sentence of the text, not a headline the reader already sees
    (the tagger quotes a title that says it all): another route's sentence of the same story,
    else none (the digest then quotes the snippet)."""
    sentences = [v.evidence for v in visits if v.evidence and fold(v.evidence) not in titles]
    return tuple(
        v
        if not v.evidence or fold(v.evidence) not in titles
        else dataclasses.replace(v, evidence=sentences[0] if sentences else None)
        for v in visits
    )


def _visits(articles: Iterable[Any]) -> tuple[Visit, ...]:
    """Each route once, its details merged from every article (the representative's first)."""
    seen: dict[tuple[str, str], Visit] = {}
    for article in articles:
        for item in article.visits or ():
            if not isinstance(item, Mapping):
                continue
            visitor, host = item.get("visitor"), item.get("host")
            if not visitor or not host or visitor == host:
                continue
            visit = _visit(item)
            key = (visit.visitor, visit.host)
            seen[key] = _fill(seen[key], visit) if key in seen else visit
    return tuple(seen.values())


def _union(lists: Iterable[Sequence[str] | None]) -> tuple[str, ...]:
    """Distinct values in first-seen order (the representative's come first)."""
    return tuple(
        dict.fromkeys(
            value for values in lists for value in values or () if isinstance(value, str) and value
        )
    )


class StoryPool:
    """The stories first seen in ``[start, end)``, ready to be selected for many subscribers.

    Selection is set algebra over precomputed indexes (by place, theme, kind, section, keyword),
    so a subscriber costs little more than the entries that end up in their digest.
    """

    def __init__(
        self,
        start: datetime,
        end: datetime,
        records: list[_Record],
        theme_labels: Mapping[str, str],
    ) -> None:
        self.start = start
        self.end = end
        self.theme_labels = dict(theme_labels)
        self.theme_order = {tid: i for i, tid in enumerate(theme_labels)}
        records.sort(key=lambda r: (r.entry.first_seen, r.entry.story_id))
        self._records = records
        self._seen = [r.entry.first_seen for r in records]
        by_rank = sorted(range(len(records)), key=lambda i: records[i].rank)
        self._rank = [0] * len(records)
        for position, i in enumerate(by_rank):
            self._rank[i] = position
        self._by_city: dict[str, set[int]] = {}
        self._by_province: dict[str, set[int]] = {}
        self._by_theme: dict[str, set[int]] = {}
        self._by_kind: dict[str, set[int]] = {}
        self._by_section: dict[str, set[int]] = {}  # "other" stories by their first theme
        for i, record in enumerate(records):
            entry = record.entry
            for city in entry.cities:
                self._by_city.setdefault(city, set()).add(i)
            for province in entry.provinces:
                self._by_province.setdefault(province, set()).add(i)
            for theme in entry.theme_ids:
                self._by_theme.setdefault(theme, set()).add(i)
            self._by_kind.setdefault(entry.kind, set()).add(i)
            self._by_section.setdefault(self._default_section(entry), set()).add(i)
        self._by_day: dict[date, set[int]] = {}
        for i, record in enumerate(records):
            self._by_day.setdefault(record.day, set()).add(i)
        self._by_story = {r.entry.story_id: i for i, r in enumerate(records)}
        self._by_word: dict[str, frozenset[int]] = {}
        self._windows: dict[tuple[int, int, tuple[str, ...]], frozenset[int]] = {}

    @staticmethod
    def _default_section(entry: Entry) -> str:
        if entry.kind in ("visit", "policy"):
            return entry.kind
        return entry.theme_ids[0] if entry.theme_ids else "other"

    def __len__(self) -> int:
        return len(self._records)

    def _range(self, start: datetime, end: datetime) -> range:
        return range(bisect.bisect_left(self._seen, start), bisect.bisect_left(self._seen, end))

    def _word(self, word: str) -> frozenset[int]:
        found = self._by_word.get(word)
        if found is None:
            found = frozenset(i for i, r in enumerate(self._records) if word in r.text)
            self._by_word[word] = found
        return found

    def matching(self, flt: SubscriberFilter, start: datetime, end: datetime) -> set[int]:
        """Indexes of the stories in ``[start, end)`` that ``flt`` lets through."""
        window = self._range(start, end)
        if not window:
            return set()
        key = (window.start, window.stop, tuple(sorted(flt.kinds)))
        base = self._windows.get(key)
        if base is None:  # subscribers share windows and kinds: compute each pair once
            kinds: set[int] = set()
            for kind in flt.kinds:
                kinds |= self._by_kind.get(kind, set())
            base = self._windows[key] = frozenset(
                kinds if len(window) == len(self._records) else kinds & set(window)
            )
        chosen = set(base)
        if flt.cities or flt.provinces:
            places: set[int] = set()
            for name in (fold(c) for c in flt.cities):
                places |= self._by_city.get(name, set())
                places |= self._by_province.get(name, set())
            for name in (fold(p) for p in flt.provinces):
                places |= self._by_province.get(name, set())
            chosen &= places
        if flt.themes or flt.keywords:
            topics: set[int] = set()
            for theme in flt.themes:
                topics |= self._by_theme.get(theme, set())
            for word in flt.keywords:
                topics |= self._word(fold(word))
            chosen &= topics
        for word in flt.exclude:
            chosen -= self._word(fold(word))
        return chosen

    def reasons(self, i: int, flt: SubscriberFilter) -> tuple[str, ...]:
        """What in ``flt`` matched story ``i``: places, theme labels, keywords."""
        entry = self._records[i].entry
        found: list[str] = []
        for name in (*flt.cities, *flt.provinces):
            folded = fold(name)
            if folded in entry.cities or folded in entry.provinces:
                found.append(name)
        found.extend(self.theme_labels.get(t, t) for t in flt.themes if t in entry.theme_ids)
        found.extend(w for w in flt.keywords if i in self._word(fold(w)))
        return tuple(dict.fromkeys(found))

    def record(self, i: int) -> _Record:
        return self._records[i]

    def day_of(self, story_id: int) -> date:
        """The archive day (first seen, archive zone) of a story of the pool."""
        return self._records[self._by_story[story_id]].day

    def sections(
        self, indexes: set[int], *, preferred: Sequence[str] = ()
    ) -> list[tuple[str, str, list[int]]]:
        """``(section id, title, ranked indexes)`` in display order, empty sections left out.

        Visits and policies have their own sections; any other story goes under the first of
        ``preferred`` themes it has, else under its own first theme, else 其他.
        """
        groups: dict[str, set[int]] = {}
        for kind in ("visit", "policy"):
            if found := indexes & self._by_kind.get(kind, set()):
                groups[kind] = found
        rest = indexes & self._by_kind.get("other", set())
        for theme in preferred:
            if rest and (found := rest & self._by_theme.get(theme, set())):
                groups[theme] = found
                rest -= found
        for key, members in self._by_section.items():
            if rest and key not in ("visit", "policy") and (found := rest & members):
                groups.setdefault(key, set()).update(found)
                rest -= found
        order = [
            "visit",
            "policy",
            *sorted(
                (k for k in groups if k not in ("visit", "policy", "other")),
                key=lambda k: (self.theme_order.get(k, len(self.theme_order)), k),
            ),
            "other",
        ]
        titles = {"visit": VISIT_TITLE, "policy": POLICY_TITLE, "other": OTHER_TITLE}
        rank = self._rank.__getitem__
        return [
            (key, titles.get(key) or self.theme_labels.get(key, key), sorted(groups[key], key=rank))
            for key in order
            if key in groups
        ]

    def visit_counts(self, indexes: Iterable[int]) -> tuple[VisitCount, ...]:
        counts: Counter[tuple[str, str]] = Counter()
        for i in indexes:
            for visit in self._records[i].entry.visits:
                counts[(visit.visitor, visit.host)] += 1
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return tuple(VisitCount(v, h, n) for (v, h), n in ordered)

    def days(self, indexes: set[int]) -> tuple[date, ...]:
        """The archive days (settings zone) of these stories."""
        return tuple(
            sorted(d for d, members in self._by_day.items() if not members.isdisjoint(indexes))
        )

    def rank_of(self, i: int) -> int:
        return self._rank[i]

    def split_recent(self, indexes: set[int], since: datetime) -> tuple[set[int], set[int]]:
        """``(news, old)``: the stories published at or after ``since`` (or undated, counted
        by their first crawl) and the rest."""
        old = {
            i
            for i in indexes
            if not (entry := self._records[i].entry).undated and entry.published < since
        }
        return indexes - old, old

    def _folds(self, i: int, indexes: set[int]) -> set[int]:
        """The stories of ``indexes`` that story ``i``'s document nests: its 解读 and reports.
        A visit stays in the visits table, and a document that names another is an item of
        its own."""
        document = self._records[i].entry.document
        found: set[int] = set()
        for sid in document.folds if document is not None else ():
            j = self._by_story.get(sid)
            if j is None or j == i or j not in indexes:
                continue
            entry = self._records[j].entry
            if entry.kind != "visit" and entry.document is None:
                found.add(j)
        return found

    def fold_documents(self, news: set[int], old: set[int]) -> tuple[set[int], set[int]]:
        """``(news, old)`` with every 解读 and report nested under its document (left out of
        both) when the document is among them. A document published before the grace days
        whose 解读 or report is news is news by it: it leads the reader to the new text."""
        promoted = {i for i in old if self._folds(i, news)}
        news, old = news | promoted, old - promoted
        shown = news | old
        folded = {j for i in shown for j in self._folds(i, shown)}
        return news - folded, old - folded

    def grouped(
        self,
        indexes: set[int],
        since: datetime,
        *,
        preferred: Sequence[str] = (),
        old_news: bool = True,
    ) -> list[tuple[str, str, list[int]]]:
        """:meth:`sections` of what is news since ``since`` (:meth:`split_recent`), with every
        解读 and report nested under its document (:meth:`fold_documents`), and the older
        finds last under 旧闻补录 (``old``) when ``old_news``: how the mail and the archive's
        day pages and views alike group a set of stories."""
        news, old = self.fold_documents(*self.split_recent(indexes, since))
        groups = self.sections(news, preferred=preferred)
        if old_news and old:
            groups.append(("old", OLD_TITLE, sorted(old, key=self.rank_of)))
        return groups

    def nested(self, groups: Sequence[tuple[str, str, list[int]]]) -> dict[int, int]:
        """Which shown document each story nested in ``groups`` sits under (story id to story
        id; the first document in display order when two name it): where the archive anchors
        a nested 解读's permalink."""
        shown = {i for _key, _title, ranked in groups for i in ranked}
        out: dict[int, int] = {}
        for _key, _title, ranked in groups:
            for i in ranked:
                doc = self._records[i].entry
                if doc.document is None:
                    continue
                for sid in doc.document.folds:
                    j = self._by_story.get(sid)
                    if j is not None and j not in shown:
                        out.setdefault(sid, doc.story_id)
        return out

    def indexes_between(self, start: datetime, end: datetime) -> range:
        return self._range(start, end)


def load_pool(
    db: Database, start: datetime, end: datetime, theme_labels: Mapping[str, str], zone: ZoneInfo
) -> StoryPool:
    """Read the stories first seen in ``[start, end)`` with their articles and source names.

    ``theme_labels`` maps theme id to label in taxonomy order (``config.taxonomy.themes``);
    ``zone`` is the archive's (the settings' time zone), whose local dates name archive pages.
    Display text is folded to Simplified here, once per story; the render stage converts the
    whole digest to Traditional for subscribers who read that.
    """
    with db.session() as session:
        stories = {
            row.id: row
            for row in session.execute(
                select(
                    Story.id,
                    Story.representative_id,
                    Story.first_seen,
                    Story.kind,
                    Story.outlet_count,
                ).where(Story.first_seen >= start, Story.first_seen < end)
            )
        }
        members: dict[int, list[Any]] = {sid: [] for sid in stories}
        if stories:
            story_ids = select(Story.id).where(Story.first_seen >= start, Story.first_seen < end)
            query = (
                select(
                    Article.id,
                    Article.story_id,
                    Article.title,
                    Article.url,
                    Article.published,
                    Article.published_offset,
                    Article.body,
                    Article.outlet,
                    Article.source_id,
                    Article.cities,
                    Article.provinces,
                    Article.themes,
                    Article.visits,
                    Article.policy,
                    SourceState.name.label("source_name"),
                )
                .join(SourceState, SourceState.id == Article.source_id, isouter=True)
                .where(Article.story_id.in_(story_ids))
                .order_by(Article.id)
            )
            for row in session.execute(query):
                members[row.story_id].append(row)
        documents, explains = _story_documents(session, members)
    records = [
        record
        for sid, story in stories.items()
        if (record := _record(story, members[sid], theme_labels, zone)) is not None
    ]
    for record in records:
        sid = record.entry.story_id
        record.entry = dataclasses.replace(
            record.entry, document=documents.get(sid), explains=explains.get(sid, ())
        )
        if record.entry.document is not None:  # its issuer ranks it (the 文号's, else the table's)
            record.entry = dataclasses.replace(record.entry, importance=importance(record.entry))
            record.rank = _rank(record.entry, zone)
    return StoryPool(start, end, records, theme_labels)


def _story_documents(
    session: Session, members: Mapping[int, list[Any]]
) -> tuple[dict[int, Document], dict[int, tuple[str, ...]]]:
    """The document each story carries (its 解读 and reports nested, and which of the pool's
    stories they are), and for each 解读 the documents it explains, by name."""
    story_of = {a.id: sid for sid, articles in members.items() for a in articles}
    body_of = {a.id: a.body for articles in members.values() for a in articles}
    origin_of = {a.id: a.outlet for articles in members.values() for a in articles if a.outlet}
    carried: dict[int, Document] = {}
    if story_of:
        for document in load_documents(session, article_ids=list(story_of)):
            sids = [story_of[c.article_id] for c in document.copies if c.article_id in story_of]
            own = next((c for c in document.copies if c.article_id in story_of), None)
            if own is None:
                continue
            shown = _document(document, body_of.get(own.article_id) or "", story_of, origin_of)
            for sid in sids:
                carried.setdefault(sid, dataclasses.replace(shown, folds=shown.folds - {sid}))
    return carried, _explained(session, story_of)


def _day_of(value: str | None) -> date | None:
    return _iso_day(value) if value and re.match(r"\d{4}-\d{2}-\d{2}", value) else None


def _note(link: DocLink, origin: str | None, story_id: int | None) -> DocNote:
    outlet = fold(link.source)
    named = fold(clean_title(origin or "") or "") or None
    return DocNote(
        title=fold(clean_title(link.title or "") or link.url),
        url=safe_url(link.url),
        outlet=outlet,
        published=link.published or link.fetched,
        origin=named if named != outlet else None,
        story_id=story_id,
    )


def _document(
    document: PolicyDocument,
    body: str,
    story_of: Mapping[int, int],
    origin_of: Mapping[int, str],
) -> Document:
    """What the digest shows of a stored document; ``body`` is a copy's text (its summary),
    ``origin_of`` the source each pool article names (来源), for the nested links."""
    around = (*document.interpretations, *document.reports)
    return Document(
        key=document.key,
        issuer=fold(document.issuer) if document.issuer else None,
        doc_no=document.doc_no,
        written_date=_day_of(document.written_date),
        published_date=_day_of(document.published_date),
        status=fold(document.status) if document.status else None,
        summary=fold(first_sentence(clean_text(body))),
        interpretations=tuple(
            _note(x, origin_of.get(x.article_id), story_of.get(x.article_id))
            for x in document.interpretations[:NESTED_NOTES]
        ),
        reports=tuple(
            _note(x, origin_of.get(x.article_id), story_of.get(x.article_id))
            for x in document.reports[:NESTED_NOTES]
        ),
        folds=frozenset(story_of[x.article_id] for x in around if x.article_id in story_of),
    )


def _explained(session: Session, story_of: Mapping[int, int]) -> dict[int, tuple[str, ...]]:
    """For each story with a 解读, the documents it explains as a reader names them:
    《title》文号, 《title》 or the 文号 (what the page named), or the title of the page its
    link points at."""
    names: dict[int, dict[str, None]] = {}
    ids = list(story_of)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for article_id, doc_no, title in session.execute(
            select(PolicyRef.article_id, PolicyRef.doc_no, PolicyRef.title).where(
                PolicyRef.relation == "interprets", PolicyRef.article_id.in_(chunk)
            )
        ):
            name = f"《{fold(title)}》" if title else fold(doc_no or "")
            if name:
                names.setdefault(story_of[article_id], {})[name] = None
        linked = select(Article.id, Article.interpretation_of).where(
            Article.id.in_(chunk), Article.interpretation_of.is_not(None)
        )
        for article_id, url in list(session.execute(linked)):
            target = session.execute(
                select(Article.title, Article.doc_no).where(
                    (Article.url == url) | (Article.canonical_url == url)
                )
            ).first()
            if target is not None and target.title:
                name = f"《{fold(clean_title(target.title) or '')}》{target.doc_no or ''}"
                names.setdefault(story_of[article_id], {})[name] = None
    return {sid: tuple(found)[:3] for sid, found in names.items()}


_TOP_TITLE = re.compile(r"^(?:[省市区县州盟旗]委|党委|党组|自治区)?(?:书记|市长|省长|主席|州长)$")
_MID_TITLE = re.compile(r"副书记|副市长|副省长|副主席|常委|秘书长|区长|县长|旗长|盟长")


def _leader_level(title: str | None) -> int:
    """3 for a 书记/市长/省长 (the top of a place), 2 for their deputies and a district's
    head, 1 for any other office (局长, 主任), 0 when no leader is named."""
    if not title:
        return 0
    parts = re.split(r"[、，,和及]", title)
    if any(_TOP_TITLE.search(p.strip()) for p in parts):
        return 3
    return 2 if _MID_TITLE.search(title) else 1


def _visit_importance(entry: Entry) -> int:
    provincial = any(
        v.visitor in entry.provinces and v.visitor not in entry.cities for v in entry.visits
    )
    delegation = 2 if provincial else (1 if "党政" in entry.title else 0)
    leader = max((_leader_level(v.leader_title) for v in entry.visits), default=0)
    return 2 * leader + delegation


_NATIONAL = re.compile(
    r"国务院|中共中央|全国人大|国家[\u4e00-\u9fff]{0,8}(?:委|局|署)"
    r"|^(?:中华人民共和国)?[^省市区县州盟旗]{2,8}部$"  # a ministry, not a 宣传部 of a place
)
_PROVINCIAL = re.compile(r"省|自治区|^(?:中共)?(?:北京|上海|天津|重庆)市")
_DISTRICT = re.compile(r"(?<!自治)[区县旗](?:人民政府|政府|委|办)|[镇乡]|街道")
_CITY = re.compile(r"市|州|盟")


def _issuer_level(entry: Entry) -> int:
    """4 national, 3 provincial (and the four municipalities' own bodies), 2 city, 1 district,
    county, township or an issuer we cannot place."""
    issuer = (
        (entry.document.issuer if entry.document else None)
        or (entry.policy.issuer if entry.policy else None)
        or entry.title[:20]
    )
    for level, pattern in ((4, _NATIONAL), (1, _DISTRICT), (3, _PROVINCIAL), (2, _CITY)):
        if pattern.search(issuer):
            return level
    return 1


def importance(entry: Entry) -> int:
    """How much a story matters before how fresh it is (see the module's doc)."""
    outlets = min(max(entry.outlet_count - 1, 0), 3)
    if entry.kind == "visit":
        return 2 * _visit_importance(entry) + outlets
    if entry.kind == "policy":
        return 3 * _issuer_level(entry) + outlets
    return outlets


def _local(value: datetime, offset: int | None, zone: ZoneInfo) -> datetime:
    return value.astimezone(timezone(timedelta(minutes=offset)) if offset is not None else zone)


def _copies(articles: Sequence[Any]) -> tuple[Copy, ...]:
    """Each outlet's copy once (by link), the representative's first."""
    copies: dict[str, Copy] = {}
    for a in articles:
        url = safe_url(a.url)
        outlet = fold(a.source_name or a.source_id)
        key = url or f"{outlet}#{a.id}"
        if key in copies:
            continue
        origin = fold(clean_title(a.outlet or "") or "") or None
        sample = f"{a.title or ''}{(a.body or '')[:200]}"
        copies[key] = Copy(
            outlet=outlet,
            url=url,
            origin=origin if origin and origin != outlet else None,
            traditional=is_traditional(sample),
        )
    return tuple(copies.values())


def _record(
    story: Any, articles: list[Any], theme_labels: Mapping[str, str], zone: ZoneInfo
) -> _Record | None:
    if not articles:
        return None  # every article of the story was deleted (retention): nothing to show
    rep = next((a for a in articles if a.id == story.representative_id), None)
    if rep is None:
        rep = min(articles, key=lambda a: (a.published or story.first_seen, a.id))
    others = [a for a in articles if a is not rep]
    outlets = _union(
        [[rep.source_name or rep.source_id]] + [[a.source_name or a.source_id] for a in others]
    )
    # The representative's outlet first, the rest by name: a stable, readable order.
    outlets = tuple(fold(o) for o in (outlets[0], *sorted(set(outlets[1:]) - {outlets[0]})))
    order = {tid: i for i, tid in enumerate(theme_labels)}
    theme_ids = tuple(
        sorted(_union(a.themes for a in articles), key=lambda t: (order.get(t, len(order)), t))
    )
    dated = rep if rep.published else next((a for a in others if a.published), None)
    published = dated.published if dated is not None else story.first_seen
    local = _local(published, dated.published_offset, zone) if dated is not None else None
    policy = _policy(rep.policy) or next(
        (p for a in others if (p := _policy(a.policy)) is not None), None
    )
    # Cleaned and capped again: rows stored before extraction did so may hold control
    # characters, and a title of 100,000 characters would eat the e-mail's size budget.
    title = clean_title(rep.title) or next(
        (t for a in others if (t := clean_title(a.title))), "(无标题)"
    )
    entry = Entry(
        story_id=story.id,
        kind=story.kind if story.kind in ("visit", "policy") else "other",
        title=fold(title),
        url=safe_url(rep.url) or next((u for a in others if (u := safe_url(a.url))), None),
        outlets=outlets,
        outlet_count=max(len(outlets), story.outlet_count or 0),
        published=published,
        first_seen=story.first_seen,
        snippet=fold(snippet(clean_text(rep.body or ""))),
        cities=_union(a.cities for a in [rep, *others]),
        provinces=_union(a.provinces for a in [rep, *others]),
        themes=tuple(theme_labels.get(t, t) for t in theme_ids),
        theme_ids=theme_ids,
        visits=_visits([rep, *others]),
        policy=policy,
        copies=_copies([rep, *others]),
        # A page that gave only a date is stored at its local midnight.
        date_only=local is not None and (local.hour, local.minute, local.second) == (0, 0, 0),
        undated=dated is None,
    )
    entry = dataclasses.replace(
        entry,
        visits=_quoted(entry.visits, {fold(t) for a in articles if (t := clean_title(a.title))}),
        importance=importance(entry),
    )
    text = fold("\n".join([*(a.title or "" for a in articles), rep.body or ""]))
    return _Record(
        entry,
        text,
        _rank(entry, zone),
        story.first_seen.astimezone(zone).date(),
    )


def _rank(entry: Entry, zone: ZoneInfo) -> tuple[int, int, int, float]:
    """Sort key: importance, then the day published (freshness), outlets, the moment."""
    day = entry.published.astimezone(zone).date().toordinal()
    return (-entry.importance, -day, -entry.outlet_count, -entry.published.timestamp())


def _same_visit(a: Entry, b: Entry) -> bool:
    """Two reports of one visit: a shared route, and dates (or publication) close together."""
    routes = {(v.visitor, v.host) for v in a.visits}
    for v in b.visits:
        if (v.visitor, v.host) not in routes:
            continue
        w = next(x for x in a.visits if (x.visitor, x.host) == (v.visitor, v.host))
        if v.date and w.date:
            return abs((v.date - w.date).days) <= SAME_VISIT_DAYS
        return abs(a.published - b.published) <= timedelta(days=SAME_VISIT_DAYS)
    return False


def _merge(lead: Entry, other: Entry) -> Entry:
    """``other``'s copies, outlets and details folded into ``lead`` (one visit, one row)."""
    visits = {(v.visitor, v.host): v for v in lead.visits}
    for v in other.visits:
        key = (v.visitor, v.host)
        visits[key] = _fill(visits[key], v) if key in visits else v
    outlets = _union([lead.outlets, other.outlets])
    urls = {c.url for c in lead.copies}
    copies = lead.copies + tuple(c for c in other.copies if c.url is None or c.url not in urls)
    return dataclasses.replace(
        lead,
        visits=tuple(visits.values()),
        outlets=outlets,
        outlet_count=max(len(outlets), lead.outlet_count + other.outlet_count),
        copies=copies,
        reasons=_union([lead.reasons, other.reasons]),
        cities=_union([lead.cities, other.cities]),
        provinces=_union([lead.provinces, other.provinces]),
    )


def merge_visits(entries: Sequence[Entry]) -> list[Entry]:
    """Ranked visit entries with the reports of one visit folded into the first of them."""
    merged: list[Entry] = []
    for entry in entries:
        for i, kept in enumerate(merged):
            if _same_visit(kept, entry):
                merged[i] = _merge(kept, entry)
                break
        else:
            merged.append(entry)
    return merged


def select_digest(
    pool: StoryPool,
    *,
    subscriber_id: str,
    flt: SubscriberFilter,
    period: str,
    start: datetime,
    end: datetime,
    limits: DigestLimits,
    total_cap: int | None = None,
    grace: timedelta = timedelta(days=3),
    old_news: bool = False,
    day: date | None = None,
) -> Digest:
    """The digest of the stories first seen in ``[start, end)`` that ``flt`` lets through and
    that are news (published since ``start - grace``, or undated); the older ones in a last
    旧闻补录 section with ``old_news``, else left to the archive.

    ``total_cap`` lowers ``limits.total`` (the render stage uses it to stay under the size
    budget); ``day`` is the period's day, which labels the digest.
    """
    chosen = pool.matching(flt, start, end)
    remaining = min(limits.total, total_cap) if total_cap is not None else limits.total
    groups = pool.grouped(chosen, start - grace, preferred=flt.themes, old_news=old_news)
    sections = []
    for key, title, ranked in groups:
        entries = [
            dataclasses.replace(pool.record(i).entry, reasons=pool.reasons(i, flt)) for i in ranked
        ]
        if key == "visit":
            entries = merge_visits(entries)
        shown = entries[: max(0, min(limits.per_section, remaining))]
        remaining -= len(shown)
        cut = entries[len(shown) :]
        sections.append(
            Section(
                key,
                title,
                tuple(shown),
                hidden=len(cut),
                hidden_days=tuple(pool.day_of(e.story_id) for e in cut),
            )
        )
    return Digest(
        subscriber_id=subscriber_id,
        period=period,
        window_start=start,
        window_end=end,
        sections=tuple(sections),
        archive_days=pool.days({i for _key, _title, ranked in groups for i in ranked}),
        day=day,
    )


def archive_day(
    pool: StoryPool,
    day: date,
    zone: ZoneInfo,
    flt: SubscriberFilter | None = None,
    *,
    grace: timedelta = ARCHIVE_GRACE,
) -> ArchiveDay:
    """Every story first seen on local ``day``, in sections, uncapped; with ``flt``, only those
    the filter lets through (a reader's filtered view of the day, what their 还有N条 opens),
    in the sections their digest uses. Grouped as the mail groups (:meth:`StoryPool.grouped`):
    policies by document, their 解读 and reports nested under them; what was published more
    than ``grace`` before the day last, under 旧闻补录 (``#old``, where a cut 旧闻补录 section
    of a mail leads)."""
    start, end = day_bounds(day, zone)
    if flt is None:
        indexes = set(pool.indexes_between(start, end))
        preferred: Sequence[str] = ()
    else:
        indexes = pool.matching(flt, start, end)
        preferred = flt.themes
    groups = pool.grouped(indexes, start - grace, preferred=preferred)
    sections = tuple(
        Section(key, title, tuple(pool.record(i).entry for i in ranked))
        for key, title, ranked in groups
    )
    updated = max((pool.record(i).entry.first_seen for i in indexes), default=start)
    return ArchiveDay(
        day=day,
        sections=sections,
        visits=pool.visit_counts(indexes),
        updated=updated,
        nested=pool.nested(groups),
    )
