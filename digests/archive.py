"""The static archive: one page per day, a page per city, an index with the recent visit graph,
an Atom feed.

Layout of ``archive.dir`` (served as-is at ``archive.base_url``)::

    2026-11-27.html     every story first seen that day (settings zone), uncapped, with its graph;
                        each story an anchor (``#s123``: its permalink), return visits marked;
                        grouped as the mail is (policies by document, a 解读 or report nested
                        under its document with its anchor on that line), older finds last
                        under 旧闻补录 (``#old``)
    city/青岛.html      one city: delegations sent and hosted, whom it learns from, its policies
    index.html          the visit graph of the last 7 archived days, the cities, every day
    feed.xml            Atom, one entry per day (the last 30)
    feeds/<name>.xml    one subscriber's own Atom feed: one entry per story their filter lets
                        through (the last 100), ``<name>`` derived from the secret
                        (:func:`digests.unsubscribe.feed_name`); ``<name>.json`` keeps its entries
    view/2026-11-27-<key>.html
                        one day as a reader's filter sees it (what their 还有N条 opens): the
                        day's stories that filter lets through; ``<key>`` a short hash of the
                        normalised filter (:func:`view_key`), so readers with one filter share a
                        page and no page names anybody; ``view/filters.json`` keeps each key's
                        filter, so a day written again rewrites every view of it
    policies.html       the policy documents of the last year, each with its 文号, issuer, dates and
                        validity, its copies, 解读, reports, 配套细则, amendments and repeal
    archive.json        what the index, feed and city pages need about each day and its stories
                        (:class:`~digests.network.StoryRef`), so old days are not re-read

A city page is written when a day that mentions the city is; it reads the stories of every day
in ``archive.json``, so it reaches back as far as the archive does (past the database's
``retention_days``). Return visits (回访) are paired over the same record
(:func:`digests.network.return_visits`); a day page marks a visit that returns an earlier one
when it is written, and both visits carry the pair on their cities' pages. When a day written
now changes the marks of an earlier day (its visit is returned: 已回访), that earlier day's page
(and its filtered views) are written again from the database, if it still holds every story of
the day (``retention_days``); otherwise the earlier page is left as it was.

Pages link to each other relatively (the archive works from a disk or any host); the feed and the
e-mails use ``base_url``. Every file is written to a temporary name and renamed into place, so a
reader never sees half a page.
"""

from __future__ import annotations

__all__ = [
    "ARCHIVE_MANIFEST",
    "CITY_DIR",
    "FEEDS_DIR",
    "POLICY_PAGE",
    "ArchiveResult",
    "DaySummary",
    "DayView",
    "PolicyEntry",
    "SubscriberFeed",
    "city_links",
    "city_url",
    "day_url",
    "known_views",
    "normal_filter",
    "subscriber_feed_url",
    "update_archive",
    "update_policy_page",
    "update_subscriber_feeds",
    "view_exists",
    "view_key",
    "view_url",
]

import functools
import hashlib
import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import jinja2

from crawler.base.config.settings import ArchiveSettings
from crawler.base.config.subscribers import SubscriberFilter
from crawler.base.db import Database
from crawler.base.documents import DocLink, PolicyDocument, load_documents
from crawler.base.errors import DigestError
from crawler.base.sanitize import clean_title
from digests.digest import ArchiveDay, Entry, VisitCount
from digests.graph import cities_by_province, visit_graph
from digests.network import CityPage, ReturnMark, StoryRef, city_pages, return_visits, visits_of
from digests.render import (
    FONTS,
    LANGS,
    render_city,
    render_day,
    render_feed,
    render_index,
    render_subscriber_feed,
    render_view,
)
from digests.text import Script, convert, fold, safe_url

ARCHIVE_MANIFEST = "archive.json"
CITY_DIR = "city"
FEEDS_DIR = "feeds"
FEED_ENTRIES = 100  # stories kept in a subscriber's own feed
GRAPH_DAYS = 7
FEED_DAYS = 30
TOP_TITLES = 3
POLICY_PAGE = "policies.html"
POLICY_DAYS = 365
VIEW_DIR = "view"
VIEW_REGISTRY = "filters.json"
_ALL_KINDS = frozenset(("visit", "policy", "other"))
_VIEW_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})-([0-9a-f]{12})\.html")


@dataclass(frozen=True, slots=True)
class DaySummary:
    """What the index and the feed show of one archived day."""

    day: date
    count: int
    updated: datetime
    top: tuple[str, ...]
    visits: tuple[VisitCount, ...]
    stories: tuple[StoryRef, ...] = ()  # none in a manifest written before city pages

    @property
    def page(self) -> str:
        return f"{self.day.isoformat()}.html"

    def to_json(self) -> dict[str, object]:
        return {
            "count": self.count,
            "updated": self.updated.isoformat(),
            "top": list(self.top),
            "visits": [[v.visitor, v.host, v.count] for v in self.visits],
            "stories": [s.to_json() for s in self.stories],
        }

    @classmethod
    def from_json(cls, key: str, data: dict[str, object]) -> DaySummary:
        visits = data.get("visits") or []
        top = data.get("top") or []
        stories = data.get("stories") or []
        assert isinstance(visits, list) and isinstance(top, list) and isinstance(stories, list)
        day = date.fromisoformat(key)
        return cls(
            day=day,
            count=int(str(data["count"])),
            updated=datetime.fromisoformat(str(data["updated"])),
            top=tuple(clean_title(str(t)) or "" for t in top),  # written before titles were capped
            visits=tuple(VisitCount(str(v), str(h), int(n)) for v, h, n in visits),
            stories=tuple(StoryRef.from_json(day, s) for s in stories),
        )


@dataclass(frozen=True, slots=True)
class ArchiveResult:
    directory: Path
    pages: tuple[Path, ...]  # the day pages written this time
    index: Path
    feed: Path
    cities: tuple[Path, ...] = ()  # the city pages written this time
    views: tuple[Path, ...] = ()  # the filtered views written this time
    rebuilt: tuple[Path, ...] = ()  # earlier day pages written again (their return marks)


@dataclass(frozen=True, slots=True)
class DayView:
    """One day as a reader's filter sees it: ``key`` (:func:`view_key`) names the page,
    ``label`` says what the filter chooses, ``day`` holds the stories it lets through."""

    key: str
    filter: SubscriberFilter
    label: str
    day: ArchiveDay


def _normal(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({fold(v.strip()) for v in values if v.strip()}))


def normal_filter(flt: SubscriberFilter) -> SubscriberFilter:
    """``flt`` as the views compare filters: values stripped, folded to Simplified (matching
    folds them too), without repeats, sorted."""
    return SubscriberFilter(
        cities=_normal(flt.cities),
        provinces=_normal(flt.provinces),
        themes=tuple(sorted(set(flt.themes))),
        keywords=_normal(flt.keywords),
        exclude=_normal(flt.exclude),
        kinds=tuple(sorted(set(flt.kinds))),
    )


def view_key(flt: SubscriberFilter) -> str | None:
    """The name of ``flt``'s filtered views: 12 hex digits of the SHA-256 of the normalised
    filter, the same for every reader with that filter and for no other filter in practice;
    None for a filter that lets everything through (its view is the day page itself)."""
    norm = normal_filter(flt)
    if set(norm.kinds) == _ALL_KINDS and not any(
        (norm.cities, norm.provinces, norm.themes, norm.keywords, norm.exclude)
    ):
        return None
    data = json.dumps(norm.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:12]


def _view_name(key: str, day: date) -> str:
    return f"{day.isoformat()}-{key}.html"


def _view_file(key: str, day: date) -> str:
    return f"{VIEW_DIR}/{_view_name(key, day)}"


def view_url(settings: ArchiveSettings, flt: SubscriberFilter, day: date) -> str:
    """The public URL of ``day`` as ``flt`` sees it (the day page for a filter that lets
    everything through)."""
    key = view_key(flt)
    if key is None:
        return day_url(settings, day)
    return f"{base_url_of(settings)}{_view_file(key, day)}"


def known_views(settings: ArchiveSettings) -> dict[str, SubscriberFilter]:
    """The filters that have views in the archive, by key (``view/filters.json``)."""
    return known_views_in(settings.dir / VIEW_DIR / VIEW_REGISTRY)


def known_views_in(path: Path) -> dict[str, SubscriberFilter]:
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))["filters"]
        return {str(k): SubscriberFilter.model_validate(v) for k, v in raw.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DigestError(
            f"archive: cannot read {path} ({exc}); delete it and rerun (the views of the days "
            "written from then on are kept current)"
        ) from exc


def view_exists(settings: ArchiveSettings, key: str, day: date) -> bool:
    return (settings.dir / _view_file(key, day)).exists()


def base_url_of(settings: ArchiveSettings) -> str:
    base = safe_url(settings.base_url) or "http://localhost/"
    return base if base.endswith("/") else base + "/"


def day_url(settings: ArchiveSettings, day: date) -> str:
    """The public URL of ``day``'s archive page."""
    return f"{base_url_of(settings)}{day.isoformat()}.html"


def city_url(settings: ArchiveSettings, name: str) -> str:
    """The public URL of a city's archive page (the name percent-encoded: links stay ASCII)."""
    return f"{base_url_of(settings)}{CITY_DIR}/{quote(name)}.html"


def subscriber_feed_url(settings: ArchiveSettings, name: str) -> str:
    """The public URL of a subscriber's own feed (``name``: :func:`.unsubscribe.feed_name`)."""
    return f"{base_url_of(settings)}{FEEDS_DIR}/{name}.xml"


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
        stories=tuple(StoryRef.of(day.day, e) for s in day.sections for e in s.entries),
    )


@functools.cache
def _gazetteer_cities() -> frozenset[str]:
    """The names a city page may have: the gazetteer's cities (and so a safe file name)."""
    return frozenset(c for cities in cities_by_province().values() for c in cities)


def city_links(settings: ArchiveSettings, names: Iterable[str]) -> dict[str, str]:
    """The city page of each of ``names`` that has one (a gazetteer city: every story the
    archive shows writes the pages of its cities), in first-seen order, by name."""
    cities = _gazetteer_cities()
    return {name: city_url(settings, name) for name in dict.fromkeys(names) if name in cities}


def _places(stories: Iterable[StoryRef]) -> set[str]:
    """Every city ``stories`` mention or send or receive a delegation."""
    return {
        name
        for s in stories
        for name in (*s.cities, *(p for v in s.visits for p in (v.visitor, v.host)))
    }


def _by_story(
    marks: Mapping[tuple[int, str, str], list[ReturnMark]],
) -> dict[int, list[ReturnMark]]:
    out: dict[int, list[ReturnMark]] = {}
    for (story_id, _visitor, _host), found in marks.items():
        out.setdefault(story_id, []).extend(found)
    return out


@dataclass(frozen=True, slots=True)
class _Network:
    """The archive's visit network over every day it holds: city pages and return visits."""

    pages: tuple[CityPage, ...]
    marks: dict[tuple[int, str, str], list[ReturnMark]]  # by visit (story id, visitor, host)

    @classmethod
    def of(cls, manifest: dict[date, DaySummary], zone: ZoneInfo) -> _Network:
        stories = [s for d in sorted(manifest) for s in manifest[d].stories]
        marks = return_visits(visits_of(stories, zone))
        return cls(tuple(city_pages(stories, _gazetteer_cities(), zone)), marks)

    @property
    def linked(self) -> frozenset[str]:
        return frozenset(p.name for p in self.pages)

    def story_marks(self) -> dict[int, list[ReturnMark]]:
        """The marks by story id, for the day pages."""
        return _by_story(self.marks)


def _write_cities(
    env: jinja2.Environment,
    directory: Path,
    network: _Network,
    names: set[str],
    *,
    zone: ZoneInfo,
    brand: str,
) -> list[Path]:
    """Write the pages of the cities among ``names`` (those the days written now mention)."""
    folder = directory / CITY_DIR
    folder.mkdir(exist_ok=True)
    written = []
    for page in network.pages:
        if page.name not in names:
            continue
        html = render_city(
            env,
            page,
            visit_graph(page.network),
            zone=zone,
            brand=brand,
            marks=network.marks,
            cities=network.linked,
        )
        path = folder / page.file
        _write(path, html)
        written.append(path)
    return written


Reload = Callable[[date], tuple[ArchiveDay, Sequence[DayView]] | None]


def _marks_of(manifest: Mapping[date, DaySummary], zone: ZoneInfo) -> dict[int, list[ReturnMark]]:
    """The return-visit marks of the manifest's stories, by story id (what a day page shows)."""
    stories = [s for d in sorted(manifest) for s in manifest[d].stories]
    return _by_story(return_visits(visits_of(stories, zone)))


def _remarked(
    manifest: Mapping[date, DaySummary],
    before: Mapping[int, list[ReturnMark]],
    after: Mapping[int, list[ReturnMark]],
    written: set[date],
) -> list[date]:
    """The days not written now whose stories' return marks (as a page shows them) the days
    written now changed."""

    def shown(marks: Sequence[ReturnMark]) -> list[tuple[str, str, str, str, date]]:
        return [(m.label, m.other.story.permalink, *m.other.key[1:], m.other.when) for m in marks]

    return [
        d
        for d in sorted(manifest)
        if d not in written
        and any(
            shown(before.get(s.story_id, ())) != shown(after.get(s.story_id, ()))
            for s in manifest[d].stories
        )
    ]


def _neighbours(known: Sequence[date], day: date) -> tuple[date | None, date | None]:
    at = known.index(day)
    return (known[at - 1] if at > 0 else None, known[at + 1] if at + 1 < len(known) else None)


class _Pages:
    """Writes day pages and their filtered views with the archive's cross-links."""

    def __init__(
        self,
        env: jinja2.Environment,
        directory: Path,
        known: Sequence[date],
        network: _Network,
        *,
        zone: ZoneInfo,
        brand: str,
    ) -> None:
        self.env = env
        self.directory = directory
        self.known = known
        self.links = {"marks": network.story_marks(), "cities": network.linked}
        self.zone = zone
        self.brand = brand

    def day(self, day: ArchiveDay) -> Path:
        previous, following = _neighbours(self.known, day.day)
        html = render_day(
            self.env,
            day,
            visit_graph(day.visits),
            zone=self.zone,
            brand=self.brand,
            previous=previous,
            following=following,
            **self.links,
        )
        path = self.directory / f"{day.day.isoformat()}.html"
        _write(path, html)
        return path

    def views(self, views: Sequence[DayView]) -> list[Path]:
        """Write ``views``, each linking its filter's views of the days before and after (those
        on disk, and those written now)."""
        if not views:
            return []
        folder = self.directory / VIEW_DIR
        folder.mkdir(exist_ok=True)
        days: dict[str, set[date]] = {}
        for view in views:
            days.setdefault(view.key, set()).add(view.day.day)
        with os.scandir(folder) as entries:  # once, whatever the number of filters
            for item in entries:
                found = _VIEW_NAME.fullmatch(item.name)
                if found and found.group(2) in days:
                    days[found.group(2)].add(date.fromisoformat(found.group(1)))
        written = []
        for view in views:
            previous, following = _neighbours(sorted(days[view.key]), view.day.day)
            html = render_view(
                self.env,
                view,
                zone=self.zone,
                brand=self.brand,
                previous=(previous, _view_name(view.key, previous)) if previous else None,
                following=(following, _view_name(view.key, following)) if following else None,
                **self.links,
            )
            path = self.directory / _view_file(view.key, view.day.day)
            _write(path, html)
            written.append(path)
        registry = folder / VIEW_REGISTRY
        filters = {
            key: flt.model_dump(mode="json")
            for key, flt in (known_views_in(registry) | {v.key: v.filter for v in views}).items()
        }
        _write(registry, json.dumps({"filters": filters}, ensure_ascii=False, indent=1))
        return written


def update_archive(
    env: jinja2.Environment,
    settings: ArchiveSettings,
    days: Sequence[ArchiveDay],
    *,
    zone: ZoneInfo,
    brand: str,
    now: datetime,
    views: Sequence[DayView] = (),
    reload: Reload | None = None,
) -> ArchiveResult:
    """Write the pages of ``days`` (days without stories are left out) and their filtered
    ``views``, and refresh the city pages they touch, the index and the feed.

    ``reload`` gives an earlier day (with its views) as the database holds it now: a day whose
    return marks the days written now change is written again from it, when it still holds
    every story the day's page showed."""
    directory = settings.dir
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DigestError(f"archive: cannot create {directory}: {exc.strerror}") from exc
    manifest_path = directory / ARCHIVE_MANIFEST
    manifest = _load_manifest(manifest_path)
    before = _marks_of(manifest, zone)
    for day in days:
        if day.total:
            manifest[day.day] = _summary(day)
    known = sorted(manifest)
    network = _Network.of(manifest, zone)
    written = {d.day for d in days if d.total}
    pages: list[Path] = []
    rebuilt: list[Path] = []
    try:
        writer = _Pages(env, directory, known, network, zone=zone, brand=brand)
        pages = [writer.day(day) for day in days if day.total]
        view_paths = writer.views([v for v in views if v.day.day in written])
        again = _remarked(manifest, before, network.story_marks(), written)
        for earlier in again:
            found = reload(earlier) if reload is not None else None
            shown = {s.story_id for s in manifest[earlier].stories}
            if found is None or not shown <= {
                e.story_id for s in found[0].sections for e in s.entries
            } | set(found[0].nested):  # a 解读 listed on its own before is nested now
                continue  # its stories are gone from the database: the page stays as it was
            rebuilt.append(writer.day(found[0]))
            view_paths += writer.views(found[1])
            written.add(earlier)
        newest_first = [manifest[d] for d in reversed(known)]
        recent = newest_first[:GRAPH_DAYS]
        totals: Counter[tuple[str, str]] = Counter()
        for summary in recent:
            for v in summary.visits:
                totals[(v.visitor, v.host)] += v.count
        graph = visit_graph([VisitCount(v, h, n) for (v, h), n in totals.items()])
        touched = _places(s for d in written for s in manifest[d].stories)
        cities = _write_cities(env, directory, network, touched, zone=zone, brand=brand)
        index = directory / "index.html"
        busiest = sorted(network.pages, key=lambda p: (-p.sent_total - p.hosted_total, p.name))
        _write(
            index,
            render_index(
                env,
                newest_first,
                graph,
                brand=brand,
                graph_days=[s.day for s in recent],
                cities=busiest,
            ),
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
    return ArchiveResult(
        directory,
        tuple(pages),
        index,
        feed,
        tuple(cities),
        views=tuple(view_paths),
        rebuilt=tuple(rebuilt),
    )


@dataclass(frozen=True, slots=True)
class SubscriberFeed:
    """One subscriber's own feed: its file name, title and script, and the stories their
    filter let through in this run's window (uncapped: a feed has no e-mail size budget)."""

    name: str
    title: str
    script: Script
    entries: tuple[Entry, ...]


def _feed_item(entry: Entry, base: str, zone: ZoneInfo) -> dict[str, object]:
    """One feed entry as stored in ``feeds/<name>.json``: the story's archive permalink is its
    id and link; the original article is the related link."""
    ref = StoryRef.of(entry.first_seen.astimezone(zone).date(), entry)
    return {
        "id": f"{base}{ref.permalink}",
        "title": entry.title,
        "original": entry.url,
        "updated": entry.first_seen.astimezone(UTC).isoformat(),
        "published": entry.published.astimezone(UTC).isoformat(),
        "summary": entry.snippet,
        "outlets": list(entry.outlets),
        "categories": list(dict.fromkeys((*entry.cities, *entry.themes))),
    }


def _load_items(path: Path) -> dict[str, dict[str, object]]:
    if not path.exists():
        return {}
    try:
        items = json.loads(path.read_text(encoding="utf-8"))["entries"]
        return {str(item["id"]): item for item in items}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DigestError(
            f"archive: cannot read {path} ({exc}); delete it and rerun to start the feed again"
        ) from exc


def update_subscriber_feeds(
    env: jinja2.Environment,
    settings: ArchiveSettings,
    feeds: Sequence[SubscriberFeed],
    *,
    zone: ZoneInfo,
    now: datetime,
) -> list[Path]:
    """Add each feed's stories to its stored entries (one per story, newest first, the last
    :data:`FEED_ENTRIES`) and write its Atom file."""
    folder = settings.dir / FEEDS_DIR
    base = base_url_of(settings)
    written = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for feed in feeds:
            store = folder / f"{feed.name}.json"
            items = _load_items(store)
            for entry in feed.entries:
                item = _feed_item(entry, base, zone)
                items[str(item["id"])] = item
            kept = sorted(items.values(), key=lambda i: (str(i["updated"]), str(i["id"])))
            kept = kept[::-1][:FEED_ENTRIES]
            xml = render_subscriber_feed(
                env,
                kept,
                title=feed.title,
                url=subscriber_feed_url(settings, feed.name),
                base_url=base,
                updated=max((datetime.fromisoformat(str(i["updated"])) for i in kept), default=now),
            )
            path = folder / f"{feed.name}.xml"
            _write(path, convert(xml, feed.script) if feed.script != "simplified" else xml)
            _write(store, json.dumps({"entries": kept}, ensure_ascii=False, indent=1))
            written.append(path)
    except OSError as exc:
        raise DigestError(f"archive: cannot write to {folder}: {exc}") from exc
    return written


# --------------------------------------------------------------------------- policy documents


@dataclass(frozen=True, slots=True)
class PolicyLink:
    """An article around a document as the page shows it (its link made safe), dated as the
    ``stamp`` filter prints a story: ``published`` (else when we fetched it: ``undated``)."""

    title: str
    url: str | None
    source: str
    published: datetime
    doc_no: str | None
    date_only: bool = False  # the page gave a date without a time of day
    undated: bool = False


@dataclass(frozen=True, slots=True)
class PolicyEntry:
    """One document's section of the policy page: ``anchor`` is its 文号 (or key), so a
    document's section can be linked as ``policies.html#深府办〔2021〕5号``."""

    anchor: str
    doc_no: str | None
    issuer: str | None
    title: str
    url: str | None
    written_date: date | str | None  # a date when the page's is one, else its own text
    published_date: date | str | None
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
    title = clean_title(link.title) or link.url
    when = link.published or link.fetched
    local = when.astimezone(zone)
    return PolicyLink(
        title,
        safe_url(link.url),
        link.source,
        when,
        link.doc_no,
        # A page that gave only a date is stored at its local midnight (as a story's stamp).
        date_only=link.published is not None and local.time() == time(0, 0),
        undated=link.published is None,
    )


def _policy_day(value: str | None) -> date | str | None:
    """A document's 成文/发布日期 as a date when it is an ISO date, else as the page wrote it."""
    try:
        return date.fromisoformat(value[:10]) if value else value
    except ValueError:
        return value


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
        written_date=_policy_day(document.written_date),
        published_date=_policy_day(document.published_date),
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
            zone=zone,
            year=now.astimezone(zone).year,
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
