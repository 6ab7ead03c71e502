"""The ``citydigest`` command line: parse arguments, load config, call one pipeline function,
report. Exit codes: 0 success, 1 some work failed (what succeeded is kept), 2 bad config or usage,
3 the database could not be reached or went away (one line; see :mod:`crawler.app.context`).
"""

from __future__ import annotations

__all__ = ["cli", "main"]

import asyncio
import json
import logging
import sys
from collections.abc import Callable, Coroutine
from datetime import date
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from crawler.app.context import (
    EXIT_FAILED,
    Context,
    database_unavailable,
    date_option,
    err,
    pass_ctx,
)
from crawler.app.service import run_cmd, serve_cmd, status_cmd, subscribers_group, worker_cmd
from crawler.app.terminal import json_text, shown
from crawler.base.config import Config, Source
from crawler.base.db import Database
from crawler.base.errors import ArchiveError, DatabaseUnavailable, DigestError
from crawler.pipeline import CrawlObserver, CrawlOptions, CrawlSummary, SourceReport, crawl

source_option = click.option(
    "--source", "source_ids", multiple=True, metavar="ID", help="Only this source (repeatable)."
)
subscriber_option = click.option(
    "--subscriber",
    "subscriber_ids",
    multiple=True,
    metavar="ID",
    help="Only this subscriber (repeatable).",
)


def _sources(config: Config, ids: tuple[str, ...]) -> list[Source]:
    if not ids:
        return list(config.sources)
    known = {s.id for s in config.sources}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise click.BadParameter(
            f"unknown source {', '.join(map(repr, unknown))} (known: {', '.join(sorted(known))})",
            param_hint="--source",
        )
    return [config.source(i) for i in ids]


def _logging(verbose: int) -> None:
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


# --------------------------------------------------------------------------- the group


class _Commands(click.Group):
    """The root group: a database that cannot be reached, or that goes away, is one line and
    exit 3 from whichever command met it (with its traceback under ``-vv``)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DatabaseUnavailable as exc:
            database_unavailable(exc)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_dir",
    envvar="CITYDIGEST_CONFIG",
    metavar="DIR",
    help="Config directory (default ./config, or $CITYDIGEST_CONFIG).",
)
@click.option(
    "--database",
    metavar="URL",
    help="SQLAlchemy database URL; overrides citydigest.yaml and $CITYDIGEST_DATABASE_URL.",
)
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.version_option(package_name="citydigest")
@click.pass_context
def cli(ctx: click.Context, config_dir: str | None, database: str | None, verbose: int) -> None:
    """citydigest: Chinese city exchange visits and regional policy, as a daily digest."""
    _logging(verbose)
    ctx.obj = Context(config_dir, database)


@cli.command()
@pass_ctx
def check(ctx: Context) -> None:
    """Validate every config file; print every problem with file:line. Exit 0 valid, 2 not."""
    config = ctx.config
    click.echo(
        f"{config.dir}: OK ({len(config.sources)} sources, {len(config.subscribers)} subscribers, "
        f"{len(config.taxonomy.themes)} themes, {len(config.domain_rules)} domain rules)"
    )


# --------------------------------------------------------------------------- crawl


@cli.group("crawl")
def crawl_group() -> None:
    """Crawl sources now."""


class _Progress(CrawlObserver):
    """A rich progress display per source and in total (terminals only)."""

    def __init__(self, progress: Progress, sources: list[Source]) -> None:
        self.progress = progress
        self.total = progress.add_task("[bold]all sources", total=None)
        self.tasks: dict[str, TaskID] = {}
        for source in sources:
            self._task(source, visible=False)

    def _task(self, source: Source, *, visible: bool = True) -> TaskID:
        if source.id not in self.tasks:
            self.tasks[source.id] = self.progress.add_task(source.id, total=None, visible=visible)
        return self.tasks[source.id]

    def source_started(self, source: Source) -> None:
        self.progress.update(self._task(source), visible=True)

    def page_fetched(self, source: Source, url: str) -> None:
        self.progress.advance(self._task(source))
        self.progress.advance(self.total)

    def source_finished(self, source: Source, report: SourceReport) -> None:
        self.progress.update(self._task(source), total=report.pages, completed=report.pages)


class _LogLines(CrawlObserver):
    def source_finished(self, source: Source, report: SourceReport) -> None:
        status = "FAILED" if report.failed else "stopped" if report.stopped else "ok"
        click.echo(
            f"crawl {source.id}: {status}, {report.pages} pages, {report.new} new, "
            f"{report.known} known, {report.error_count} errors",
            err=True,
        )


def _summary_table(summary: CrawlSummary) -> Table:
    table = Table(title=f"crawl finished in {summary.seconds:.1f} s")
    for name in ("source", "pages", "new", "known", "older", "robots", "errors", "status"):
        table.add_column(name, justify="left" if name in ("source", "status") else "right")
    for r in summary.reports:
        table.add_row(
            r.source_id,
            str(r.pages),
            str(r.new),
            str(r.known),
            str(r.older),
            str(r.disallowed),
            str(r.error_count),
            "[red]failed[/]" if r.failed else "[yellow]stopped[/]" if r.stopped else "[green]ok[/]",
        )
    table.add_row(
        "[bold]total",
        str(summary.pages),
        str(summary.new),
        str(sum(r.known for r in summary.reports)),
        str(sum(r.older for r in summary.reports)),
        str(sum(r.disallowed for r in summary.reports)),
        str(sum(r.error_count for r in summary.reports)),
        "",
    )
    return table


workers_option = click.option(
    "--workers",
    type=click.IntRange(min=0),
    help="Analysis worker processes (extraction, tagging, dedup sketches) beside the crawl; "
    "0 analyses in the crawl's own process. Default: one per spare core, at most two, when "
    "crawling four or more sources.",
)


@crawl_group.command("once")
@source_option
@date_option("--since", "Backfill: follow list pages back to this date; skip older articles.")
@click.option("--max-pages", type=click.IntRange(min=1), help="List pages to follow per source.")
@click.option(
    "--warc-out",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Also write every request and response to this WARC file (e.g. crawl.warc.gz).",
)
@click.option(
    "--warc-max-bytes",
    type=click.IntRange(min=1_000_000),
    default=1_000_000_000,
    show_default=True,
    help="Start a new WARC file past this size.",
)
@workers_option
@pass_ctx
def crawl_once(
    ctx: Context,
    source_ids: tuple[str, ...],
    since: date | None,
    max_pages: int | None,
    warc_out: str | None,
    warc_max_bytes: int,
    workers: int | None,
) -> None:
    """Crawl every source (or the chosen ones) once, store new articles, print a summary.

    Exit 0 when every source succeeded, 1 when some failed (the rest is stored).
    """
    from crawler.warc import WarcWriter

    config = ctx.config
    sources = _sources(config, source_ids)
    options = CrawlOptions(since=since, max_pages=max_pages, workers=workers)
    db = ctx.open_db()
    warc = WarcWriter(warc_out, max_bytes=warc_max_bytes) if warc_out else None
    try:
        summary = _with_progress(
            sources,
            lambda observer: crawl(
                config, db, sources=sources, options=options, observer=observer, archive=warc
            ),
        )
    finally:
        if warc is not None:
            warc.close()
        db.dispose()
    _report_crawl(summary)
    if warc is not None:
        err.print(f"WARC written to {', '.join(map(str, warc.paths))}")
    if summary.database_error is not None:
        database_unavailable(summary.database_error)
    if not summary.ok:
        raise SystemExit(EXIT_FAILED)


@crawl_group.command("warc")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--source",
    "source_id",
    metavar="ID",
    help="Attribute every page to this source (default: the source on the page's host).",
)
@workers_option
@pass_ctx
def crawl_warc(
    ctx: Context, files: tuple[str, ...], source_id: str | None, workers: int | None
) -> None:
    """Import the HTML pages of WARC files (e.g. CC-NEWS) through the crawl pipeline.

    Pages on a configured source's host belong to that source, others to `warc-import`.
    """
    from crawler.pipeline import import_warc

    config = ctx.config
    source = _sources(config, (source_id,))[0] if source_id else None
    db = ctx.open_db()
    try:
        summary = _with_progress(
            [],
            lambda observer: import_warc(
                config, db, files, source=source, observer=observer, workers=workers
            ),
        )
    except ArchiveError as exc:  # may quote the archive's bytes
        err.print(shown(f"citydigest: {exc}"), soft_wrap=True)
        raise SystemExit(EXIT_FAILED) from None
    finally:
        db.dispose()
    _report_crawl(summary)
    if summary.database_error is not None:
        database_unavailable(summary.database_error)
    if not summary.ok:
        raise SystemExit(EXIT_FAILED)


def _with_progress(
    sources: list[Source], run: Callable[[CrawlObserver], Coroutine[Any, Any, CrawlSummary]]
) -> CrawlSummary:
    """Run a crawl with a rich progress display on a terminal, log lines otherwise."""
    if not err.is_terminal:
        return asyncio.run(run(_LogLines()))
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("pages"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as progress:
        return asyncio.run(run(_Progress(progress, sources)))


def _report_crawl(summary: CrawlSummary) -> None:
    Console().print(_summary_table(summary))
    for report in summary.reports:
        for message in report.errors[:5]:  # whole lines: URLs and paths stay copyable
            err.print(shown(f"  {report.source_id}: {message}"), soft_wrap=True)
        if len(report.errors) > 5:
            err.print(f"  {report.source_id}: … and {len(report.errors) - 5} more errors")


# --------------------------------------------------------------------------- export


@cli.command("export")
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


@cli.command("analyze")
@click.argument("file", type=click.File("rb"), default="-")
@click.option(
    "--url", default="http://localhost/", help="The page's address (resolves links, dates)."
)
@click.option(
    "--batch", is_flag=True, help='Read JSON lines {"id","html","url"} or {"id","title","text"}.'
)
@pass_ctx
def analyze_cmd(ctx: Context, file: Any, url: str, batch: bool) -> None:
    """Extract and tag one page (HTML, or plain text: first line title) and print JSON."""
    from crawler.analyze import Analyzer
    from crawler.base.errors import ExtractError
    from crawler.fetch.encoding import decode_bytes

    analyzer = Analyzer.from_config(ctx.config)

    def one(html: str | None, page_url: str, title: str | None, text: str | None) -> dict[str, Any]:
        try:
            if html is not None and _looks_like_html(html):
                return analyzer.analyze_html(html, page_url).to_dict()
            raw = text if text is not None else (html or "")
            if title is None:
                first, _, rest = raw.strip().partition("\n")
                title, raw = first.strip(), rest.strip()
            return analyzer.analyze_text(title, raw).to_dict()
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
        result = one(item.get("html"), item.get("url") or url, item.get("title"), item.get("text"))
        click.echo(json_text({"id": item.get("id"), **result}))


def _looks_like_html(text: str) -> bool:
    head = text[:2048].lower()
    return (
        "<html" in head or "<body" in head or "<!doctype" in head or "<div" in head or "<p>" in head
    )


# --------------------------------------------------------------------------- stories, visits


def _since_utc(config: Config, since: date | None) -> Any:
    from datetime import UTC, datetime, time

    if since is None:
        return None
    return datetime.combine(since, time.min, config.settings.zone).astimezone(UTC)


@cli.command("stories")
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
    table = Table(title=f"{len(rows)} stories")
    for name in ("id", "first seen", "kind", "outlets", "title"):
        table.add_column(name, overflow="fold")
    for r in rows:
        more = f" 等{len(r.outlets)}家" if len(r.outlets) > 3 else ""
        outlets = "、".join(r.outlets[:3]) + more
        table.add_row(
            str(r.id),
            f"{r.first_seen.astimezone(zone):%Y-%m-%d %H:%M}",
            shown(r.kind),
            shown(outlets),
            shown(r.title),
        )
    Console().print(table)


@cli.command("visits")
@date_option("--since", "Only visits reported on or after this local date.")
@click.option(
    "--city", metavar="NAME", help="Only visits to or from this city or province (e.g. 青岛)."
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@pass_ctx
def visits_cmd(ctx: Context, since: date | None, city: str | None, fmt: str) -> None:
    """List exchange visits found in stored articles (visitor → host), one per story."""
    from crawler.store.store import Store

    config = ctx.config
    db = ctx.open_db()
    try:
        rows = Store(db).visits(since=_since_utc(config, since), city=city)
    finally:
        db.dispose()
    if fmt == "json":
        for r in rows:
            click.echo(
                json_text(
                    {
                        "visitor": r.visitor,
                        "host": r.host,
                        "date": r.date,
                        "story_id": r.story_id,
                        "title": r.title,
                        "url": r.url,
                        "evidence": r.evidence,
                    }
                )
            )
        return
    table = Table(title=f"{len(rows)} visits")
    for name in ("date", "visitor → host", "story", "title"):
        table.add_column(name, overflow="fold")
    for r in rows:
        table.add_row(
            shown(r.date), shown(f"{r.visitor} → {r.host}"), str(r.story_id or ""), shown(r.title)
        )
    Console().print(table)


# --------------------------------------------------------------------------- digests


@cli.group("digest")
def digest_group() -> None:
    """Build or send subscribers' digests now."""


def _subscriber_ids(config: Config, ids: tuple[str, ...]) -> tuple[str, ...]:
    known = {s.id for s in config.subscribers}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise click.BadParameter(
            f"unknown subscriber {', '.join(map(repr, unknown))} "
            f"(known: {', '.join(sorted(known)) or 'none: add config/subscribers.yaml'})",
            param_hint="--subscriber",
        )
    return ids


def _digest_job(
    ctx: Context,
    subscriber_ids: tuple[str, ...],
    job: Callable[[Config, Database, tuple[str, ...]], Any],
) -> Any:
    """Run a digest job on the chosen subscribers; a DigestError is one clean line, exit 1."""
    config = ctx.config
    ids = _subscriber_ids(config, subscriber_ids)
    db = ctx.open_db()
    try:
        report = job(config, db, ids)
    except DigestError as exc:  # may quote an SMTP server's reply
        err.print(shown(f"citydigest: {exc}"))
        raise SystemExit(EXIT_FAILED) from None
    finally:
        db.dispose()
    for note in report.notes:
        err.print(shown(note))
    return report


def _report_table(title: str, report: Any) -> Table:
    table = Table(title=title)
    for name in report.headers:
        table.add_column(name, overflow="fold")
    for row in report.rows():  # details quote SMTP replies
        table.add_row(*map(shown, row))
    return table


@digest_group.command("build")
@date_option(
    "--date", "Build the digest of the period sent on this local date (default: the current one)."
)
@subscriber_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="digests-out",
    show_default=True,
    help="Where to write <id>.html, <id>.txt and <id>.eml.",
)
@pass_ctx
def digest_build(
    ctx: Context, date: date | None, subscriber_ids: tuple[str, ...], out_dir: str
) -> None:
    """Write each subscriber's digest as .html, .txt and .eml, update the archive; send nothing."""
    from digests.pipeline import build_digests

    report = _digest_job(
        ctx,
        subscriber_ids,
        lambda config, db, ids: build_digests(
            config, db, day=date, subscriber_ids=ids, out_dir=Path(out_dir)
        ),
    )
    Console().print(_report_table(f"digests written to {out_dir}", report))


@digest_group.command("send")
@date_option(
    "--date", "Send the digest of the period sent on this local date (default: the current one)."
)
@subscriber_option
@click.option(
    "--dry-run", is_flag=True, help="Build and report, but send nothing and record nothing."
)
@pass_ctx
def digest_send(
    ctx: Context, date: date | None, subscriber_ids: tuple[str, ...], dry_run: bool
) -> None:
    """Deliver each subscriber's current digest now (at most once per period); print a summary.

    A digest whose outcome is unknown (the server took it but did not answer, or a run died
    sending it) is reported, not sent again: see `digest resend`. Exit 1 when a delivery failed
    or its outcome is unknown.
    """
    from digests.pipeline import send_digests

    report = _digest_job(
        ctx,
        subscriber_ids,
        lambda config, db, ids: asyncio.run(
            send_digests(config, db, day=date, subscriber_ids=ids, dry_run=dry_run)
        ),
    )
    out = Console()
    out.print(_report_table("digests" + (" (dry run)" if dry_run else ""), report))
    out.print(", ".join(f"{name}: {count}" for name, count in report.summary_rows()))
    if not report.ok:
        raise SystemExit(EXIT_FAILED)


@digest_group.command("resend")
@subscriber_option
@click.option("--period", metavar="P", help="Only this period (2026-11-27, weekly 2026-W48).")
@click.option(
    "--unknown",
    "every_unknown",
    is_flag=True,
    help="Every digest whose outcome is unknown (of the chosen subscribers).",
)
@pass_ctx
def digest_resend(
    ctx: Context, subscriber_ids: tuple[str, ...], period: str | None, every_unknown: bool
) -> None:
    """Send once more the digests whose outcome is unknown (`citydigest status` lists them).

    The server may have delivered them already: this is the operator's decision that a possible
    second copy (same Message-ID) is better than a possibly missing one. Name them with
    `--subscriber ID --period P`, or take all with `--unknown`. Exit 1 when one is not sent.
    """
    from digests.pipeline import resend_digests

    if not every_unknown and not (subscriber_ids and period):
        raise click.UsageError("name the digest with --subscriber ID --period P, or use --unknown")
    report = _digest_job(
        ctx,
        subscriber_ids,
        lambda config, db, ids: asyncio.run(
            resend_digests(config, db, subscriber_ids=ids, period=period)
        ),
    )
    out = Console()
    out.print(_report_table("digests re-sent", report))
    out.print(", ".join(f"{name}: {count}" for name, count in report.summary_rows()))
    if not report.ok:
        raise SystemExit(EXIT_FAILED)


@cli.command("demo")
@click.option(
    "--out",
    "folder",
    type=click.Path(file_okay=False),
    default="citydigest-demo",
    show_default=True,
    help="Folder for the demo's config, database, digest files and archive.",
)
def demo_cmd(folder: str) -> None:
    """Offline demo: crawl a bundled snapshot of four sites, then write a subscriber's digest."""
    from crawler.app.demo import run_demo

    result = asyncio.run(run_demo(Path(folder)))
    out = Console()
    out.print(_summary_table(result.crawl))
    out.print(_report_table("demo digest", result.digests))
    out.print(f"open {result.html}")
    out.print(f"archive: {result.digests.archive_dir}")


# --------------------------------------------------------------------------- db


@cli.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@pass_ctx
def db_upgrade(ctx: Context) -> None:
    """Create or upgrade the database schema to this version."""
    db = ctx.open_db(upgrade=True)
    click.echo(f"database at revision {db.revision()}")
    db.dispose()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    try:
        cli.main(args=argv, prog_name="citydigest", standalone_mode=True)
    except KeyboardInterrupt:
        err.print("interrupted")
        raise SystemExit(130) from None


for _command in (run_cmd, worker_cmd, status_cmd, serve_cmd, subscribers_group):
    cli.add_command(_command)


if __name__ == "__main__":
    main()
