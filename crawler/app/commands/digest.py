"""``citydigest digest build``, ``send`` and ``resend``: subscribers' digests now, outside the
service's schedule, with the same exactly-once ledger. A digest error (it may quote an SMTP
server's reply) is one clean line and exit 1. The report table is the demo's too."""

from __future__ import annotations

__all__ = ["digest_group", "report_table"]

import asyncio
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from crawler.app.commands._options import chosen_subscribers, subscriber_option
from crawler.app.context import EXIT_FAILED, Context, date_option, err, pass_ctx
from crawler.app.terminal import shown
from crawler.base.config import Config
from crawler.base.db import Database
from crawler.base.errors import DigestError


@click.group("digest")
def digest_group() -> None:
    """Build or send subscribers' digests now."""


def _digest_job(
    ctx: Context,
    subscriber_ids: tuple[str, ...],
    job: Callable[[Config, Database, tuple[str, ...]], Any],
) -> Any:
    """Run a digest job on the chosen subscribers; a DigestError is one clean line, exit 1."""
    config = ctx.config
    ids = chosen_subscribers(config, subscriber_ids)
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


def report_table(title: str, report: Any) -> Table:
    """A digest job's report (built, sent, re-sent) as a table, every cell cleaned."""
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
    Console().print(report_table(f"digests written to {out_dir}", report))


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
    out.print(report_table("digests" + (" (dry run)" if dry_run else ""), report))
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
    out.print(report_table("digests re-sent", report))
    out.print(", ".join(f"{name}: {count}" for name, count in report.summary_rows()))
    if not report.ok:
        raise SystemExit(EXIT_FAILED)
