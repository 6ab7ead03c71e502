"""The commands that look at articles outside of a crawl: ``export``, ``stories`` and ``visits``
read what the crawl stored; ``analyze`` runs the crawl's extraction and tagging on a page given
by hand and stores nothing. Text from pages is printed through :mod:`crawler.app.terminal`
(tables on a terminal, tab-separated lines when piped)."""

from __future__ import annotations

__all__ = ["analyze_cmd", "export_cmd", "stories_cmd", "visits_cmd"]

import difflib
import json
import sys
from collections.abc import Iterable, Mapping
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from crawler.app.commands._options import chosen_sources, source_option
from crawler.app.context import EXIT_FAILED, Context, date_option, err, pass_ctx
from crawler.app.terminal import json_text, print_table, shown
from crawler.base.config import Config

# --------------------------------------------------------------------------- export


@click.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True
)
@date_option("--since", "Only articles fetched on or after this local date.")
@date_option("--until", "Only articles fetched on or before this local date.")
@source_option
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, writable=True), help="File (default stdout)."
)
@pass_ctx
def export_cmd(
    ctx: Context,
    fmt: str,
    since: date | None,
    until: date | None,
    source_ids: tuple[str, ...],
    output: str | None,
) -> None:
    """Write stored articles as JSON lines or CSV, one record per article."""
    from crawler.store.export import export_articles, iter_articles

    config = ctx.config
    chosen_sources(config, source_ids)  # an unknown id is a usage error (exit 2), not no rows
    db = ctx.open_db()
    try:
        records = iter_articles(
            db, config.settings.zone, since=since, until=until, source_ids=source_ids
        )
        if output:
            with Path(output).open("w", encoding="utf-8", newline="") as fh:
                count = export_articles(records, fh, fmt)
            err.print(f"exported {count} articles to {output}")
        else:
            export_articles(records, sys.stdout, fmt)
    finally:
        db.dispose()


# --------------------------------------------------------------------------- analyze


@click.command("analyze")
@click.argument("file", type=click.File("rb"), default="-")
@click.option(
    "--url", default="http://localhost/", help="The page's address (resolves links, dates)."
)
@click.option(
    "--batch",
    is_flag=True,
    help='Read JSON lines {"id","html","url"} or {"id","title","text"}, each with an optional '
    '"home" (the publishing city or province, as in sources.yaml) and "published" (the '
    "article's ISO date: it dates visits given by month and day; a page's own date wins).",
)
@pass_ctx
def analyze_cmd(ctx: Context, file: Any, url: str, batch: bool) -> None:
    """Extract and tag one page (HTML, or plain text: first line title) and print JSON."""
    from crawler.analyze import Analyzer
    from crawler.base.errors import ExtractError
    from crawler.base.taxonomy import is_place
    from crawler.fetch.encoding import decode_bytes

    analyzer = Analyzer.from_config(ctx.config)

    def one(
        html: str | None,
        page_url: str,
        title: str | None,
        text: str | None,
        home: str | None = None,
        published: datetime | None = None,
    ) -> dict[str, Any]:
        try:
            if html is not None and _looks_like_html(html):
                return analyzer.analyze_html(
                    html, page_url, home=home, published=published
                ).to_dict()
            raw = text if text is not None else (html or "")
            if title is None:
                first, _, rest = raw.strip().partition("\n")
                title, raw = first.strip(), rest.strip()
            return analyzer.analyze_text(title, raw, home=home, published=published).to_dict()
        except ExtractError as exc:
            return {"error": str(exc)}

    data = file.read()
    if not batch:
        result = one(decode_bytes(data).text, url, None, None)
        click.echo(json_text(result, indent=2))
        if "error" in result:
            raise SystemExit(EXIT_FAILED)
        return
    for number, line in enumerate(decode_bytes(data).text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            click.echo(json_text({"line": number, "error": f"not JSON: {exc}"}))
            continue
        home = item.get("home")
        if home is not None and (not isinstance(home, str) or not is_place(home)):
            click.echo(json_text({"id": item.get("id"), "error": f"unknown home {home!r}"}))
            continue
        published = _published(item.get("published"), analyzer.tz)
        if isinstance(published, str):
            click.echo(json_text({"id": item.get("id"), "error": published}))
            continue
        result = one(
            item.get("html"),
            item.get("url") or url,
            item.get("title"),
            item.get("text"),
            home,
            published,
        )
        click.echo(json_text({"id": item.get("id"), **result}))


def _published(value: object, tz: tzinfo) -> datetime | str | None:
    """A batch line's "published": None when absent, the moment (in ``tz`` where the value
    gives no offset), or the error to report for the line."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            return moment if moment.tzinfo else moment.replace(tzinfo=tz)
    return f"published {value!r} is not an ISO date (2024-03-08 or 2024-03-08T09:30:00+08:00)"


def _looks_like_html(text: str) -> bool:
    head = text[:2048].lower()
    return (
        "<html" in head or "<body" in head or "<!doctype" in head or "<div" in head or "<p>" in head
    )


# --------------------------------------------------------------------------- stories, visits


def _since_utc(config: Config, since: date | None) -> datetime | None:
    from datetime import UTC, time

    if since is None:
        return None
    return datetime.combine(since, time.min, config.settings.zone).astimezone(UTC)


@click.command("stories")
@date_option("--since", "Only stories first seen on or after this local date.")
@click.option(
    "--min-outlets",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Only stories carried by at least this many sources.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@pass_ctx
def stories_cmd(ctx: Context, since: date | None, min_outlets: int, fmt: str) -> None:
    """List stories (one news event across sites and scripts) with their outlets."""
    from crawler.store.store import Store

    config = ctx.config
    db = ctx.open_db()
    try:
        rows = Store(db).stories(since=_since_utc(config, since), min_outlets=min_outlets)
    finally:
        db.dispose()
    zone = config.settings.zone
    if fmt == "json":
        for r in rows:
            click.echo(
                json_text(
                    {
                        "id": r.id,
                        "first_seen": r.first_seen.astimezone(zone).isoformat(),
                        "kind": r.kind,
                        "title": r.title,
                        "url": r.url,
                        "outlets": list(r.outlets),
                        "articles": r.article_count,
                    }
                )
            )
        return

    def outlets(names: tuple[str, ...]) -> str:
        return "、".join(names[:3]) + (f" 等{len(names)}家" if len(names) > 3 else "")

    print_table(
        Console(),
        f"{len(rows)} stories",
        ("id", "first seen", "kind", "outlets", "title"),
        [
            (
                str(r.id),
                f"{r.first_seen.astimezone(zone):%Y-%m-%d %H:%M}",
                shown(r.kind),
                shown(outlets(r.outlets)),
                shown(r.title),
            )
            for r in rows
        ],
    )


@click.command("visits")
@date_option("--since", "Only visits reported on or after this local date.")
@click.option(
    "--city",
    metavar="NAME",
    help="Only visits to or from this city, or this province and its cities (青岛, 青岛市, "
    "青島, 山东, 山东省).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@pass_ctx
def visits_cmd(ctx: Context, since: date | None, city: str | None, fmt: str) -> None:
    """List exchange visits found in stored articles (visitor → host), one per story."""
    from crawler.store.store import Store

    config = ctx.config
    places = None if city is None else visit_places(config, city)
    db = ctx.open_db()
    try:
        rows = Store(db).visits(since=_since_utc(config, since))
    finally:
        db.dispose()
    if places is not None:
        rows = [r for r in rows if r.visitor in places or r.host in places]
    if fmt == "json":
        for r in rows:
            click.echo(
                json_text(
                    {
                        "visitor": r.visitor,
                        "host": r.host,
                        "date": r.date,
                        **r.details,  # date_start, date_end, leader, co_leaders, purpose...
                        "story_id": r.story_id,
                        "title": r.title,
                        "url": r.url,
                        "evidence": r.evidence,
                    }
                )
            )
        return
    print_table(
        Console(),
        f"{len(rows)} visits",
        ("dates", "visitor → host", "leader", "story", "title"),
        [
            (
                shown(_visit_dates(r.date, r.details)),
                shown(f"{r.visitor} → {r.host}"),
                shown(_leader(r.details)),
                str(r.story_id or ""),
                shown(r.title),
            )
            for r in rows
        ],
    )


def visit_places(config: Config, name: str) -> frozenset[str]:
    """The places a stored visit names (its visitor and host are cities, or provinces where no
    city is known) that ``--city NAME`` stands for: a city for a city, by its short or full
    name, a nickname or an alias, in Simplified or Traditional script (青岛, 青岛市, 青島, 琴岛);
    a province and every city of it for a province (山东 -> 山东, 济南, 青岛, …). A county, a
    name of several cities, or no place at all is a usage error that says which and suggests."""
    from crawler.tag.gazetteer import Gazetteer
    from crawler.tag.text import fold

    gazetteer = Gazetteer(config.taxonomy.aliases)
    key = fold(name.strip())
    entry = gazetteer.entries.get(key)  # names as the tagger reads them (吉林: the province)
    places = {(p.city, p.province, p.level) for p in entry.places} if entry else set()
    wider = {p for p in places if p[2] != "county"}
    if len(wider) == 1:
        city, province, _level = wider.pop()
        if city is not None:
            return frozenset({city})
        return frozenset({province, *gazetteer.cities_in.get(province, ())})
    if len(wider) > 1:
        names = "、".join(sorted({c or p for c, p, _ in wider}))
        raise click.BadParameter(
            f"{name!r} names several places ({names}): say which", param_hint="--city"
        )
    if places:
        cities = "、".join(sorted({c or p for c, p, _ in places}))
        raise click.BadParameter(
            f"{name!r} is a county or district (of {cities}); visits are by city or province",
            param_hint="--city",
        )
    close = _like(key, gazetteer.cities | gazetteer.provinces)
    hint = f" (did you mean {' / '.join(close)}?)" if close else ""
    raise click.BadParameter(
        f"{name!r} is not a city or province of the gazetteer{hint}", param_hint="--city"
    )


def _like(name: str, known: Iterable[str], limit: int = 3) -> list[str]:
    """The known names most like ``name`` in writing and in sound: a typed Chinese name is
    usually mistyped by sound (深证 for 深圳, 山栋 for 山东), which shares one character with
    many names but its pinyin with few."""
    from pypinyin import lazy_pinyin

    sound = "".join(lazy_pinyin(name))

    def score(candidate: str) -> float:
        written = difflib.SequenceMatcher(None, name, candidate).ratio()
        heard = difflib.SequenceMatcher(None, sound, "".join(lazy_pinyin(candidate))).ratio()
        return written + heard

    scored = sorted(((score(c), c) for c in known), reverse=True)
    return [candidate for value, candidate in scored[:limit] if value >= 1.0]


def _visit_dates(day: str | None, details: Mapping[str, Any]) -> str:
    start, end = details.get("date_start") or day, details.get("date_end")
    if not start:
        return ""
    return f"{start} – {end}" if end and end != start else str(start)


def _leader(details: Mapping[str, Any]) -> str:
    """``市委副书记、市长 赵豪志`` (+ co-leaders), from a visit's stored details."""
    people = [details.get("leader"), *(details.get("co_leaders") or [])]
    return "；".join(
        " ".join(x for x in (p.get("title"), p.get("name")) if x)
        for p in people
        if isinstance(p, dict)
    )
