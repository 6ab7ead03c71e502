"""``citydigest crawl once`` and ``crawl warc``: one crawl now, of the configured sources or of
WARC archives, with a progress display on a terminal (log lines otherwise) and a summary table
after. The summary table is the demo's too."""

from __future__ import annotations

__all__ = ["crawl_group", "summary_table"]

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Iterator
from datetime import date
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

from crawler.app.commands._options import chosen_sources, source_option
from crawler.app.context import (
    EXIT_FAILED,
    Context,
    database_unavailable,
    date_option,
    err,
    pass_ctx,
)
from crawler.app.logs import REPORT_LOGGER
from crawler.app.terminal import shown
from crawler.base.config import Source
from crawler.base.errors import ArchiveError, CrawlError
from crawler.pipeline import crawl
from crawler.report import CrawlObserver, CrawlOptions, CrawlSummary, SourceReport


@click.group("crawl")
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


SHOWN_ERRORS = 5  # of a source's errors, the first few are printed; the rest are counted
report_log = logging.getLogger(REPORT_LOGGER)


class _LogLines(CrawlObserver):
    """A log record per source as it finishes, with its errors (where no progress display
    runs: a cron job's log, a pipe). WARNING for a source that failed or had errors."""

    def __init__(self) -> None:
        self.logged: set[str] = set()

    def source_finished(self, source: Source, report: SourceReport) -> None:
        self.log(report)

    def log(self, report: SourceReport) -> None:
        self.logged.add(report.source_id)
        status = "FAILED" if report.failed else "stopped" if report.stopped else "ok"
        report_log.log(
            logging.WARNING if report.failed or report.errors else logging.INFO,
            "crawl %s: %s, %d pages, %d new, %d known, %d errors%s",
            report.source_id,
            status,
            report.pages,
            report.new,
            report.known,
            report.error_count,
            "".join(f"\n  {line}" for line in _error_lines(report, prefix=False)),
            extra={
                "source": report.source_id,
                "status": status.lower(),
                "pages": report.pages,
                "new": report.new,
                "known": report.known,
                "errors": report.errors,
            },
        )

    def log_the_rest(self, summary: CrawlSummary) -> None:
        """The reports no source finished for (a WARC import's, built from its pages)."""
        for report in summary.reports:
            if report.source_id not in self.logged:
                self.log(report)


def _error_lines(report: SourceReport, *, prefix: bool) -> list[str]:
    """A source's first errors, whole (URLs and paths stay copyable), and how many more."""
    head = f"{report.source_id}: " if prefix else ""
    lines = [f"{head}{message}" for message in report.errors[:SHOWN_ERRORS]]
    if len(report.errors) > SHOWN_ERRORS:
        lines.append(f"{head}… and {len(report.errors) - SHOWN_ERRORS} more errors")
    return lines


class _ReportedErrors(logging.Filter):
    """Drops the crawl's own log records of a source's error (``"<source>: <CrawlError>"``,
    logged for the daemon, which prints no report) while a command reports the crawl: every
    such error is in the source's report, which the command prints once."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        return not (isinstance(args, tuple) and len(args) == 2 and isinstance(args[1], CrawlError))


@contextlib.contextmanager
def _errors_reported_once() -> Iterator[None]:
    crawl_log = logging.getLogger("citydigest.crawl")
    reported = _ReportedErrors()
    crawl_log.addFilter(reported)
    try:
        yield
    finally:
        crawl_log.removeFilter(reported)


def summary_table(summary: CrawlSummary) -> Table:
    """A crawl's summary: a row per source and a total."""
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
    sources = chosen_sources(config, source_ids)
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
    from crawler.warc_import import import_warc

    config = ctx.config
    source = chosen_sources(config, (source_id,))[0] if source_id else None
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
    """Run a crawl with a rich progress display on a terminal, log lines otherwise. Each error
    is printed once: by :class:`_LogLines` as its source finishes, or after the summary table
    (:func:`_report_crawl`) on a terminal, whose progress display is gone by then."""
    with _errors_reported_once():
        if not err.is_terminal:
            lines = _LogLines()
            summary = asyncio.run(run(lines))
            lines.log_the_rest(summary)
            return summary
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
    Console().print(summary_table(summary))
    if not err.is_terminal:
        return  # each source's errors were in its log line
    for report in summary.reports:
        for line in _error_lines(report, prefix=True):
            err.print(shown(f"  {line}"), soft_wrap=True)
