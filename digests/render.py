"""Rendering: a :class:`~digests.digest.Digest` into an HTML e-mail and its plain-text twin, and
archive days into web pages, the index and the Atom feed.

One Jinja2 :class:`~jinja2.Environment` (:func:`environment`, built once by the caller and passed
in) loads ``digests/templates`` with autoescaping and ``StrictUndefined``. Article text is
untrusted: the templates only ever print it escaped and cleaned of control characters and
escape sequences (``finalize``), and links come from :func:`digests.text.safe_url` (http(s)
only, ASCII). The e-mail's CSS is inlined with css-inline;
``@media`` rules (phone width, dark mode) stay in a ``<style>`` block for clients that read it.
Entries arrive in Simplified (the select stage folds them); for a Traditional subscriber the
finished subject, HTML and text are converted as a whole (OpenCC ``s2t``, ``s2twp`` or ``s2hk``:
:func:`digests.text.convert`), which is safe because every link is ASCII. The archive is in
Simplified (``lang="zh-Hans"``).

The e-mail leads with what a reader forwards: the subject and preheader name the lead story, an
at-a-glance block gives the period's visits as routes and its top policy, and the visits are a
table (route, dates, leader, purpose and places, one quote, every outlet's link) that pastes
into a briefing. Dates carry the year whenever it is not the digest's; a page that gave only a
date shows no time of day, and an undated one says it is dated by our first crawl. A policy item
is its document: a meta line (issuer · 文号 · 成文日期 · 发布日期 · validity, the 文号 in a
no-wrap span so 〔2026〕8号 never breaks, 已废止 marked), its first sentence, and its 解读 and
news reports nested as links with their outlets. A city chip links to the city's archive page
(the plain text lists each city page once, at the end); a section cut by the caps ends with
还有N条, a link to the reader's own filtered view of the archive day that holds most of what was
cut (``EmailContext.more_urls``). A weekly edition, and a Monday daily whose reader asked for it
(``monday_network``), end with the week's visit network as lines grouped by province.
"""

from __future__ import annotations

__all__ = [
    "MAX_EMAIL_BYTES",
    "DayLink",
    "EmailContext",
    "RenderedDigest",
    "environment",
    "render_city",
    "render_day",
    "render_digest",
    "render_feed",
    "render_index",
    "render_subscriber_feed",
    "render_view",
]

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import css_inline
import jinja2
from markupsafe import Markup

from crawler.base.errors import RenderError
from crawler.base.sanitize import clean_text
from digests.digest import ArchiveDay, Digest, Document, Entry, PolicyInfo, Visit, VisitCount
from digests.graph import VisitGraph, province_of
from digests.text import Script, convert

TEMPLATES = Path(__file__).resolve().parent / "templates"
MAX_EMAIL_BYTES = 100_000  # Gmail clips messages past ~102 KB of HTML
# Constants of ours (not article text), so marked safe for the <style> blocks that print them.
FONTS = {
    "simplified": (
        '-apple-system,BlinkMacSystemFont,"PingFang SC","Hiragino Sans GB",'
        '"Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",'
        '"WenQuanYi Micro Hei","Helvetica Neue",Arial,sans-serif'
    ),
    "traditional": (
        '-apple-system,BlinkMacSystemFont,"PingFang TC","Hiragino Sans CNS",'
        '"Microsoft JhengHei","Noto Sans CJK TC","Source Han Sans TC",'
        '"Helvetica Neue",Arial,sans-serif'
    ),
}
FONTS["traditional-tw"] = FONTS["traditional-hk"] = FONTS["traditional"]
FONTS = {script: Markup(stack) for script, stack in FONTS.items()}
LANGS = {
    "simplified": "zh-Hans",
    "traditional": "zh-Hant",
    "traditional-tw": "zh-Hant-TW",
    "traditional-hk": "zh-Hant-HK",
}
GLANCE_LINES = 5
CHIP_CITIES = 3  # city chips under a story in the mail
TEXT_CITY_LINKS = 12  # city pages the plain text lists
_INLINER = css_inline.CSSInliner(keep_at_rules=True, minify_css=True, load_remote_stylesheets=False)


def _day(value: date | datetime, zone: ZoneInfo | None = None) -> str:
    if isinstance(value, datetime) and zone is not None:
        value = value.astimezone(zone)
    return f"{value.year}年{value.month}月{value.day}日"


def _md(value: date, year: int | None) -> str:
    """``5月12日``, or ``2021年5月12日`` when the year is not the digest's."""
    prefix = f"{value.year}年" if year is not None and value.year != year else ""
    return f"{prefix}{value.month}月{value.day}日"


def _doc_day(value: date | str, year: int | None) -> str:
    """A document's 成文/发布日期 as :func:`_md` prints a day; text that is no date as it is."""
    return _md(value, year) if isinstance(value, date) else value


def _md_of(value: datetime, zone: ZoneInfo, year: int | None) -> str:
    """A moment's local day, as :func:`_md` prints it."""
    return _md(value.astimezone(zone).date(), year)


class Stamped(Protocol):
    """What :func:`_stamp` prints: a story (:class:`Entry`) or a policy page's link."""

    @property
    def published(self) -> datetime: ...
    @property
    def date_only(self) -> bool: ...
    @property
    def undated(self) -> bool: ...


def _stamp(entry: Stamped, zone: ZoneInfo, year: int | None) -> str:
    """When a story was published, as honestly as the page said it: no time for a page that
    gave only a date, the year when not ``year`` (the page's), the first crawl when undated."""
    local = entry.published.astimezone(zone)
    if entry.undated:
        return f"未注明日期（{_md(local.date(), year)}首次收录）"
    if entry.date_only:
        return _md(local.date(), year)
    return f"{_md(local.date(), year)} {local:%H:%M}"


def _span(visit: Visit, year: int | None) -> str:
    """A visit's dates: ``5月12日``, ``5月12日至13日``, ``12月30日至1月2日``."""
    if visit.date is None:
        return ""
    first = _md(visit.date, year)
    end = visit.date_end
    if end is None or end == visit.date:
        return first
    if end.year != visit.date.year:
        return f"{first}至{_md(end, year if year == end.year else 0)}"
    if end.month != visit.date.month:
        return f"{first}至{end.month}月{end.day}日"
    return f"{first}至{end.day}日"


def _sources(entry: Entry) -> str:
    """Every outlet that carried a story, with the original source each names."""
    if not entry.copies:
        return "、".join(entry.outlets)
    return "、".join(
        f"{c.outlet}（来源：{c.origin}）" if c.origin else c.outlet for c in entry.copies
    )


def _leader(visit: Visit) -> str:
    return "".join(part for part in (visit.leader_title, visit.leader) if part)


def _doc_line(policy: PolicyInfo | None) -> str:
    if policy is None:
        return ""
    parts = []
    if policy.issuer:
        parts.append(f"发文机关：{policy.issuer}")
    if policy.doc_no:
        parts.append(f"文号：{policy.doc_no}")
    return " · ".join(parts)


def _doc_meta(document: Document, year: int | None) -> list[tuple[str, str]]:
    """A policy item's meta line as ``(kind, text)`` parts: the issuer, the 文号 (``no``: the
    HTML keeps it on one line), 成文 and 发布 dates, the validity (``void`` when 已废止/失效)."""
    parts: list[tuple[str, str]] = []
    if document.issuer:
        parts.append(("", document.issuer))
    if document.doc_no:
        parts.append(("no", document.doc_no))
    if document.written_date:
        parts.append(("", f"成文日期{_md(document.written_date, year)}"))
    if document.published_date and document.published_date != document.written_date:
        parts.append(("", f"发布日期{_md(document.published_date, year)}"))
    if document.status:
        parts.append(("void" if document.repealed else "", document.status))
    return parts


def _doc_meta_text(document: Document, year: int | None) -> str:
    return " · ".join(text for _kind, text in _doc_meta(document, year))


def _by_province(visits: Sequence[VisitCount]) -> list[tuple[str, list[VisitCount]]]:
    """A network's visits grouped by the visitor's province (a province's own delegation in its
    group), groups busiest first: the week's network as a mail can show it, without a picture."""
    groups: dict[str, list[VisitCount]] = {}
    for visit in visits:
        groups.setdefault(province_of(visit.visitor), []).append(visit)
    return sorted(groups.items(), key=lambda g: (-sum(v.count for v in g[1]), g[0]))


def _printable(value: Any) -> Any:
    """What a template prints, without control characters, escape sequences and bidi controls
    (:func:`crawler.base.sanitize.clean_text`): whatever a stored row holds, the plain-text mail
    gets no terminal escape and the Atom feed no character XML forbids."""
    if isinstance(value, str):
        cleaned = clean_text(value)
        if cleaned is not value:
            return Markup(cleaned) if isinstance(value, Markup) else cleaned
    return value


def environment() -> jinja2.Environment:
    """The one template environment: ``digests/templates``, autoescaped, strict, every printed
    value cleaned (``_printable``)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "xml", "svg"),
            disabled_extensions=("txt",),
            default_for_string=True,
            default=True,
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_printable,
    )
    env.filters["day"] = _day
    env.filters["doc_line"] = _doc_line
    env.filters["doc_meta"] = _doc_meta
    env.filters["doc_meta_text"] = _doc_meta_text
    env.filters["stamp"] = _stamp
    env.filters["md"] = _md
    env.filters["doc_day"] = _doc_day
    env.filters["md_of"] = _md_of
    env.filters["span"] = _span
    env.filters["leader"] = _leader
    env.filters["sources"] = _sources
    env.filters["by_province"] = _by_province
    return env


@dataclass(frozen=True, slots=True)
class DayLink:
    """A link to one archive page."""

    day: date
    url: str


@dataclass(frozen=True, slots=True)
class EmailContext:
    """What the e-mail needs beyond the digest: who, where, and the links it carries."""

    brand: str
    name: str | None
    email: str
    zone: ZoneInfo
    script: Script
    frequency: str
    archive_links: tuple[DayLink, ...]
    index_url: str
    unsubscribe_url: str
    # Where each cut section's 还有N条 leads: the reader's filtered view of the archive day that
    # holds most of what was cut, at the section (digests.archive.view_url); else the day page.
    more_urls: Mapping[str, str] = field(default_factory=dict)
    preferences_url: str = ""  # the reader's "manage subscription" page (a signed link)
    # The week's visit network (a weekly edition, or a Monday daily that asks for it): every
    # visit of the last seven days, busiest first.
    week_network: tuple[VisitCount, ...] = ()
    # The archive's page of each city a chip names (digests.archive.city_links), by name.
    city_pages: Mapping[str, str] = field(default_factory=dict)
    network_title: str = "本周考察交流网络"  # a Monday daily's: 上周考察交流网络


@dataclass(frozen=True, slots=True)
class RenderedDigest:
    subject: str
    html: str
    text: str

    @property
    def html_bytes(self) -> int:
        return len(self.html.encode("utf-8"))


def brand_of(from_header: str) -> str:
    """The display name of the From address (the digest's masthead)."""
    name, address = parseaddr(from_header)
    return name or address or "citydigest"


def _label_day(digest: Digest, ctx: EmailContext) -> date:
    """The day a digest is labelled with: its period's (not the moment it was built)."""
    return digest.day or digest.window_end.astimezone(ctx.zone).date()


def _period_label(digest: Digest, ctx: EmailContext, *, year: bool = False) -> str:
    day = _label_day(digest, ctx)
    if ctx.frequency == "weekly":  # the window's days: a week, or longer after downtime
        day = digest.window_end.astimezone(ctx.zone).date()
        start = digest.window_start.astimezone(ctx.zone).date()
        text = f"{_md(start, day.year)}至{_md(day, start.year)}"
        return f"{start.year}年{text}" if year and start.year == day.year else text
    return _day(day) if year else _md(day, None)


def _route(entry: Entry) -> str:
    return "；".join(f"{v.visitor} → {v.host}" for v in entry.visits[:3])


def _glance(digest: Digest, year: int) -> list[str]:
    """3–5 lines before the sections: the visits as routes (with leader and date), the top
    policy, and the lead of other news if room is left."""
    lines: list[str] = []
    sections = {s.id: s for s in digest.sections}
    for entry in sections["visit"].entries if "visit" in sections else ():
        v = entry.visits[0] if entry.visits else None
        who = _leader(v) if v else ""
        when = _span(v, year) if v else ""
        detail = "，".join(part for part in (who and f"{who}带队", when) if part)
        lines.append(f"考察：{_route(entry)}" + (f"（{detail}）" if detail else ""))
    lines = lines[: GLANCE_LINES - 1] if "policy" in sections else lines[:GLANCE_LINES]
    if "policy" in sections and sections["policy"].entries:
        lines.append(f"政策：{sections['policy'].entries[0].title}")
    for section in digest.sections:
        if len(lines) >= 3 or section.id in ("visit", "policy", "old") or not section.entries:
            continue
        lines.append(f"{section.title}：{section.entries[0].title}")
    return lines[:GLANCE_LINES]


def _subject(digest: Digest, ctx: EmailContext, label: str) -> str:
    """``<lead story>｜<brand> <day> · <n>条``: the inbox shows what happened, not a count."""
    if digest.is_empty:
        return f"{ctx.brand} {label} · 本期无新消息"
    lead = digest.lead
    head = f"{lead.title}｜" if lead is not None else ""
    count = f"{digest.news}条" if digest.news else "本期无新消息"
    return f"{head}{ctx.brand} {label} · {count}" + (
        f"，旧闻补录{digest.old}条" if digest.old else ""
    )


def _preheader(digest: Digest, glance: Sequence[str], label: str) -> str:
    """The inbox's second line: the at-a-glance lines after the one the subject names."""
    if digest.is_empty:
        return f"{label}：本期没有符合您订阅条件的新消息"
    return "；".join(glance[1:] or glance) or label


def _chip_cities(digest: Digest, ctx: EmailContext) -> list[tuple[str, str]]:
    """The city pages of the cities the mail's stories name (those a chip shows), ``(name,
    url)`` in order of first appearance, at most :data:`TEXT_CITY_LINKS`: the plain text, which
    has no chips to click, lists each once."""
    names = dict.fromkeys(
        c for s in digest.sections for e in s.entries for c in e.cities[:CHIP_CITIES]
    )
    found = [(name, ctx.city_pages[name]) for name in names if name in ctx.city_pages]
    return found[:TEXT_CITY_LINKS]


def _render(env: jinja2.Environment, name: str, **context: Any) -> str:
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateError as exc:
        lineno = getattr(exc, "lineno", None)  # TemplateSyntaxError and its kin have one
        where = f" line {lineno}" if lineno else ""
        raise RenderError(f"render: template {name}{where}: {exc}") from exc


def render_digest(env: jinja2.Environment, digest: Digest, ctx: EmailContext) -> RenderedDigest:
    """The subject, inlined HTML and plain text of one subscriber's digest."""
    label = _period_label(digest, ctx)
    year = _label_day(digest, ctx).year
    glance = _glance(digest, year)
    subject = _subject(digest, ctx, label)
    base = ctx.archive_links[-1].url if ctx.archive_links else ctx.index_url
    context = {
        "digest": digest,
        "ctx": ctx,
        "subject": subject,
        "preheader": _preheader(digest, glance, label),
        "glance": glance,
        "year": year,
        "period_label": _period_label(digest, ctx, year=True),
        "more": {s.id: ctx.more_urls.get(s.id) or f"{base}#{s.id}" for s in digest.sections},
        "city_list": _chip_cities(digest, ctx),
        "lang": LANGS[ctx.script],
        "fonts": FONTS[ctx.script],
    }
    html = _render(env, "email.html", **context)
    try:
        html = _INLINER.inline(html)
    except ValueError as exc:
        raise RenderError(f"render: css-inline failed for {digest.subscriber_id}: {exc}") from exc
    text = _render(env, "email.txt", **context)
    if ctx.script == "simplified":  # entries were folded to Simplified when selected
        return RenderedDigest(subject=subject, html=html, text=text)
    return RenderedDigest(
        subject=convert(subject, ctx.script),
        html=convert(html, ctx.script),
        text=convert(text, ctx.script),
    )


def _archive_page(env: jinja2.Environment, name: str, **context: Any) -> str:
    """An archive page: in Simplified, as the archive is."""
    return _render(env, name, lang=LANGS["simplified"], fonts=FONTS["simplified"], **context)


def render_day(
    env: jinja2.Environment,
    day: ArchiveDay,
    graph: VisitGraph,
    *,
    zone: ZoneInfo,
    brand: str,
    previous: date | None,
    following: date | None,
    **links: Any,
) -> str:
    """One archive page: every story first seen on ``day``, with its visit graph; ``links``:
    the archive's cross-links (``marks``: return visits by story id, ``cities``: the names that
    have a city page)."""
    return _archive_page(
        env,
        "day.html",
        **links,
        day=day,
        graph=graph,
        zone=zone,
        brand=brand,
        previous=previous,
        following=following,
    )


def render_view(
    env: jinja2.Environment,
    view: Any,
    *,
    zone: ZoneInfo,
    brand: str,
    previous: tuple[date, str] | None,
    following: tuple[date, str] | None,
    **links: Any,
) -> str:
    """A reader's filtered view of one day (``view/<day>-<key>.html``,
    :class:`digests.archive.DayView`): the day's stories their filter lets through, in their
    digest's sections; ``previous``/``following``: the day and file name of the same filter's
    views of the days around it; ``links`` as :func:`render_day`'s."""
    return _archive_page(
        env,
        "view.html",
        **links,
        view=view,
        day=view.day,
        zone=zone,
        brand=brand,
        previous=previous,
        following=following,
        root="../",
    )


def render_city(
    env: jinja2.Environment,
    page: Any,
    graph: VisitGraph,
    *,
    zone: ZoneInfo,
    brand: str,
    **links: Any,
) -> str:
    """One city's archive page (``city/<name>.html``, :class:`digests.network.CityPage`):
    delegations sent and hosted, partners, recent policies, its visit graph; ``links``: the
    return-visit ``marks`` by visit and the ``cities`` that have a page."""
    return _archive_page(
        env,
        "city.html",
        **links,
        page=page,
        graph=graph,
        zone=zone,
        brand=brand,
        root="../",
    )


def render_index(
    env: jinja2.Environment,
    days: Sequence[Any],
    graph: VisitGraph,
    *,
    brand: str,
    graph_days: Sequence[date],
    **links: Any,
) -> str:
    """The archive index: the recent visit graph and table, then every day, newest first;
    ``links``: ``cities``, the city pages."""
    return _archive_page(
        env,
        "index.html",
        **links,
        days=days,
        graph=graph,
        brand=brand,
        graph_days=graph_days,
    )


def render_feed(
    env: jinja2.Environment,
    days: Sequence[Any],
    *,
    brand: str,
    base_url: str,
    updated: datetime,
) -> str:
    """An Atom feed with one entry per archive day."""
    return _render(
        env,
        "feed.xml",
        days=days,
        brand=brand,
        base_url=base_url,
        updated=updated,
    )


def render_subscriber_feed(
    env: jinja2.Environment,
    items: Sequence[Any],
    *,
    title: str,
    url: str,
    base_url: str,
    updated: datetime,
) -> str:
    """A subscriber's own Atom feed: one entry per story (``items``, newest first)."""
    return _render(
        env,
        "subscriber-feed.xml",
        items=items,
        title=title,
        url=url,
        base_url=base_url,
        updated=updated,
    )
