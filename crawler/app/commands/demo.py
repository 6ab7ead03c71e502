"""``citydigest demo``: the whole pipeline offline on a bundled snapshot (:mod:`crawler.app.demo`),
reported with the same tables as ``crawl once`` and ``digest build``."""

from __future__ import annotations

__all__ = ["demo_cmd"]

import asyncio
from pathlib import Path

import click
from rich.console import Console

from crawler.app.commands.crawl import summary_table
from crawler.app.commands.digest import report_table


@click.command("demo")
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
    out.print(summary_table(result.crawl))
    out.print(report_table("demo digest", result.digests))
    out.print(f"open {result.html}")
    out.print(f"archive: {result.digests.archive_dir}")
