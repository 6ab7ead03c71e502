"""The static archive: one page per day, an index with the recent visit graph, an Atom feed.

Layout of ``archive.dir`` (served as-is at ``archive.base_url``)::

    2026-11-27.html     every story first seen that day (settings zone), uncapped, with its graph
    index.html          the visit graph of the last 7 archived days, then every day, newest first
    feed.xml            Atom, one entry per day (the last 30)
    archive.json        what the index and feed need about each day, so old days are not re-read
    policies.html       the policy documents of the last year, each with its 文号, issuer, dates and
                        validity, its copies, 解读, reports, 配套细则, amendments and repeal

Pages link to each other relatively (the archive works from a disk or any host); the feed and the
e-mails use ``base_url``. Every file is written to a temporary name and renamed into place, so a
reader never sees half a page.
"""

from __future__ import annotations

__all__ = [
    "ARCHIVE_MANIFEST",
    "POLICY_PAGE",
    "ArchiveResult",
    "DaySummary",
    "PolicyEntry",
    "day_url",
    "update_archive",
    "update_policy_page",
]

import json
import os
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2

from crawler.base.config.settings import ArchiveSettings
from crawler.base.db import Database
from crawler.base.documents import DocLink, PolicyDocument, load_documents
from crawler.base.errors import DigestError
from crawler.base.sanitize import clean_title
from digests.digest import ArchiveDay, VisitCount
from digests.graph import visit_graph
from digests.render import FONTS, LANGS, render_day, render_feed, render_index
from digests.text import safe_url

ARCHIVE_MANIFEST = "archive.json"
GRAPH_DAYS = 7
FEED_DAYS = 30
TOP_TITLES = 3
POLICY_PAGE = "policies.html"
POLICY_DAYS = 365


@dataclass(frozen=True, slots=True)
class DaySummary:
    """What the index and the feed show of one archived day."""

    day: date
    count: int
    updated: datetime
    top: tuple[str, ...]
    visits: tuple[VisitCount, ...]

    @property
    def page(self) -> str:
        return f"{self.day.isoformat()}.html"

    def to_json(self) -> dict[str, object]:
        return {
            "count": self.count,
            "updated": self.updated.isoformat(),
            "top": list(self.top),
            "visits": [[v.visitor, v.host, v.count] for v in self.visits],
        }

    @classmethod
    def from_json(cls, key: str, data: dict[str, object]) -> DaySummary:
        visits = data.get("visits") or []
        top = data.get("top") or []
        assert isinstance(visits, list) and isinstance(top, list)
        return cls(
            day=date.fromisoformat(key),
            count=int(str(data["count"])),
            updated=datetime.fromisoformat(str(data["updated"])),
            top=tuple(clean_title(str(t)) or "" for t in top),  # written before titles were capped
            visits=tuple(VisitCount(str(v), str(h), int(n)) for v, h, n in visits),
        )


@dataclass(frozen=True, slots=True)
class ArchiveResult:
    directory: Path
    pages: tuple[Path, ...]  # the day pages written this time
    index: Path
    feed: Path


def base_url_of(settings: ArchiveSettings) -> str:
    base = safe_url(settings.base_url) or "http://localhost/"
    return base if base.endswith("/") else base + "/"


def day_url(settings: ArchiveSettings, day: date) -> str:
    """The public URL of ``day``'s archive page."""
    return f"{base_url_of(settings)}{day.isoformat()}.html"


def _write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _load_manifest(path: Path) -> dict[date, DaySummary]:
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {
            (summary := DaySummary.from_json(key, value)).day: summary
            for key, value in raw["days"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, AssertionError) as exc:
        raise DigestError(
            f"archive: cannot read {path} ({exc}); delete it and rerun to rebuild the index"
        ) from exc


def _summary(day: ArchiveDay) -> DaySummary:
    ranked = sorted(
        (e for s in day.sections for e in s.entries),
        key=lambda e: (-e.outlet_count, -e.published.timestamp()),
    )
    return DaySummary(
        day=day.day,
        count=day.total,
        updated=day.updated.astimezone(UTC),
        top=tuple(e.title for e in ranked[:TOP_TITLES]),
        visits=day.visits,
    )


def update_archive(
    env: jinja2.Environment,
    settings: ArchiveSettings,
    days: Sequence[ArchiveDay],
    *,
    zone: ZoneInfo,
    brand: str,
    now: datetime,
) -> ArchiveResult:
    """Write the pages of ``days`` (days without stories are left out) and refresh index/feed."""
    directory = settings.dir
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DigestError(f"archive: cannot create {directory}: {exc.strerror}") from exc
    manifest_path = directory / ARCHIVE_MANIFEST
    manifest = _load_manifest(manifest_path)
    for day in days:
        if day.total:
            manifest[day.day] = _summary(day)
    known = sorted(manifest)
    pages: list[Path] = []
    try:
        for day in days:
            if not day.total:
                continue
            at = known.index(day.day)
            previous = known[at - 1] if at > 0 else None
            following = known[at + 1] if at + 1 < len(known) else None
            html = render_day(
                env,
                day,
                visit_graph(day.visits),
                zone=zone,
                brand=brand,
                previous=previous,
                following=following,
            )
            path = directory / f"{day.day.isoformat()}.html"
            _write(path, html)
            pages.append(path)
        newest_first = [manifest[d] for d in reversed(known)]
        recent = newest_first[:GRAPH_DAYS]
        totals: Counter[tuple[str, str]] = Counter()
        for summary in recent:
            for v in summary.visits:
                totals[(v.visitor, v.host)] += v.count
        graph = visit_graph([VisitCount(v, h, n) for (v, h), n in totals.items()])
        index = directory / "index.html"
        _write(
            index,
            render_index(env, newest_first, graph, brand=brand, graph_days=[s.day for s in recent]),
        )
        feed = directory / "feed.xml"
        updated = max((s.updated for s in newest_first), default=now)
        _write(
            feed,
            render_feed(
                env,
                newest_first[:FEED_DAYS],
                brand=brand,
                base_url=base_url_of(settings),
                updated=updated,
            ),
        )
        _write(
            manifest_path,
            json.dumps(
                {"days": {d.isoformat(): manifest[d].to_json() for d in known}},
                ensure_ascii=False,
                indent=1,
            ),
        )
    except OSError as exc:
        raise DigestError(f"archive: cannot write to {directory}: {exc}") from exc
    return ArchiveResult(directory, tuple(pages), index, feed)


# --------------------------------------------------------------------------- policy documents


@dataclass(frozen=True, slots=True)
class PolicyLink:
    """An article around a document as the page shows it (its link made safe)."""

    title: str
    url: str | None
    source: str
    day: date
    doc_no: str | None


@dataclass(frozen=True, slots=True)
class PolicyEntry:
    """One document's section of the policy page: ``anchor`` is its 文号 (or key), so a
    document's section can be linked as ``policies.html#深府办〔2021〕5号``."""

    anchor: str
    doc_no: str | None
    issuer: str | None
    title: str
    url: str | None
    written_date: str | None
    published_date: str | None
    status: str | None
    copies: tuple[PolicyLink, ...]
    around: tuple[tuple[str, tuple[PolicyLink, ...]], ...]  # (heading, articles), never empty


_AROUND = (
    ("解读", "interpretations"),
    ("相关报道", "reports"),
    ("配套文件", "implementations"),
    ("修订", "amendments"),
    ("废止", "repeals"),
)


def _policy_link(link: DocLink, zone: ZoneInfo) -> PolicyLink:
    when = (link.published or link.fetched).astimezone(zone).date()
    title = clean_title(link.title) or link.url
    return PolicyLink(title, safe_url(link.url), link.source, when, link.doc_no)


def policy_entry(document: PolicyDocument, zone: ZoneInfo) -> PolicyEntry:
    """What the policy page shows of one stored document."""
    around = tuple(
        (heading, tuple(_policy_link(x, zone) for x in links))
        for heading, name in _AROUND
        if (links := getattr(document, name))
    )
    return PolicyEntry(
        anchor=document.key,
        doc_no=document.doc_no,
        issuer=document.issuer,
        title=clean_title(document.title) or document.doc_no or document.url,
        url=safe_url(document.url),
        written_date=document.written_date,
        published_date=document.published_date,
        status=document.status,
        copies=tuple(_policy_link(c, zone) for c in document.copies),
        around=around,
    )


def update_policy_page(
    env: jinja2.Environment,
    settings: ArchiveSettings,
    db: Database,
    *,
    zone: ZoneInfo,
    brand: str,
    now: datetime,
) -> Path:
    """Write ``policies.html``: the documents first published in the last :data:`POLICY_DAYS`,
    newest first, read from the database (:mod:`crawler.base.documents`) at each run, so a 解读
    or a repeal stored later shows on its document's section the next time."""
    with db.session() as session:
        documents = load_documents(session, since=now - timedelta(days=POLICY_DAYS))
    entries = [policy_entry(d, zone) for d in documents]
    try:
        html = env.get_template(POLICY_PAGE).render(
            entries=entries,
            brand=brand,
            days=POLICY_DAYS,
            lang=LANGS["simplified"],
            fonts=FONTS["simplified"],
        )
    except jinja2.TemplateError as exc:
        raise DigestError(f"archive: cannot render {POLICY_PAGE}: {exc}") from exc
    path = settings.dir / POLICY_PAGE
    try:
        settings.dir.mkdir(parents=True, exist_ok=True)
        _write(path, html)
    except OSError as exc:
        raise DigestError(f"archive: cannot write {path}: {exc}") from exc
    return path
