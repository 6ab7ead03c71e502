"""Rendering: a :class:`~digests.digest.Digest` into an HTML e-mail and its plain-text twin, and
archive days into web pages, the index and the Atom feed.

One Jinja2 :class:`~jinja2.Environment` (:func:`environment`, built once by the caller and passed
in) loads ``digests/templates`` with autoescaping and ``StrictUndefined``. Article text is
untrusted: the templates only ever print it escaped and cleaned of control characters and
escape sequences (``finalize``), and links come from :func:`digests.text.safe_url` (http(s)
only, ASCII). The e-mail's CSS is inlined with css-inline;
``@media`` rules (phone width, dark mode) stay in a ``<style>`` block for clients that read it.
Entries arrive in Simplified (the select stage folds them); for a ``traditional`` subscriber the
finished subject, HTML and text are converted as a whole (OpenCC ``s2t``), which is safe because
every link is ASCII. The archive is in Simplified (``lang="zh-Hans"``).
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
]

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import css_inline
import jinja2
from markupsafe import Markup

from crawler.base.errors import RenderError
from crawler.base.sanitize import clean_text
from digests.digest import ArchiveDay, Digest, PolicyInfo, VisitCount
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
FONTS = {script: Markup(stack) for script, stack in FONTS.items()}
LANGS = {"simplified": "zh-Hans", "traditional": "zh-Hant"}
_INLINER = css_inline.CSSInliner(keep_at_rules=True, minify_css=True, load_remote_stylesheets=False)


@functools.lru_cache(maxsize=65536)
def _when(value: datetime, zone: ZoneInfo) -> str:
    local = value.astimezone(zone)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def _day(value: date | datetime, zone: ZoneInfo | None = None) -> str:
    if isinstance(value, datetime) and zone is not None:
        value = value.astimezone(zone)
    return f"{value.year}年{value.month}月{value.day}日"


def _outlets(outlets: Sequence[str], count: int, shown: int = 2) -> str:
    names = "、".join(outlets[:shown])
    return f"{names}等{count}家" if count > shown else names


def _doc_line(policy: PolicyInfo | None) -> str:
    if policy is None:
        return ""
    parts = []
    if policy.issuer:
        parts.append(f"发文机关：{policy.issuer}")
    if policy.doc_no:
        parts.append(f"文号：{policy.doc_no}")
    return " · ".join(parts)


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
    env.filters["when"] = _when
    env.filters["day"] = _day
    env.filters["outlets"] = _outlets
    env.filters["doc_line"] = _doc_line
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
    preferences_url: str = ""  # the reader's "manage subscription" page (a signed link)
    # The week's visit network (a weekly edition): every visit of the window, busiest first.
    week_network: tuple[VisitCount, ...] = ()


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


def _period_label(digest: Digest, ctx: EmailContext) -> str:
    end = digest.window_end.astimezone(ctx.zone)
    if ctx.frequency == "weekly":
        start = digest.window_start.astimezone(ctx.zone)
        return f"{start.month}月{start.day}日至{end.month}月{end.day}日"
    return _day(end)


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
    count = f"{digest.total}条" if digest.total else "本期无新消息"
    subject = f"{ctx.brand}｜{label}：{count}"
    more_url = ctx.archive_links[-1].url if ctx.archive_links else ctx.index_url
    context = {
        "digest": digest,
        "ctx": ctx,
        "subject": subject,
        "period_label": label,
        "more_url": more_url,
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
    return _render(
        env,
        "day.html",
        **links,
        day=day,
        graph=graph,
        zone=zone,
        brand=brand,
        previous=previous,
        following=following,
        lang=LANGS["simplified"],
        fonts=FONTS["simplified"],
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
    return _render(
        env,
        "city.html",
        **links,
        page=page,
        graph=graph,
        zone=zone,
        brand=brand,
        root="../",
        lang=LANGS["simplified"],
        fonts=FONTS["simplified"],
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
    return _render(
        env,
        "index.html",
        **links,
        days=days,
        graph=graph,
        brand=brand,
        graph_days=graph_days,
        lang=LANGS["simplified"],
        fonts=FONTS["simplified"],
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
