"""The ``citydigest`` command line: the root group, its global options (config directory,
database, ``--set NAME=VALUE`` overrides, verbosity) and ``main()``, the console script. The
commands themselves live in :mod:`crawler.app.commands`, one module per group. Exit codes:
0 success, 1 some work failed (what succeeded is kept), 2 bad config or usage, 3 the database
could not be reached or went away (one line; see :mod:`crawler.app.context`).
"""

from __future__ import annotations

__all__ = ["cli", "main"]

from typing import Any

import click

from crawler.app.commands.check import check
from crawler.app.commands.config import config_group, init_cmd
from crawler.app.commands.crawl import crawl_group
from crawler.app.commands.data import analyze_cmd, export_cmd, stories_cmd, visits_cmd
from crawler.app.commands.db import db_group
from crawler.app.commands.demo import demo_cmd
from crawler.app.commands.digest import digest_group
from crawler.app.commands.policies import policies_cmd
from crawler.app.commands.service import (
    run_cmd,
    serve_cmd,
    status_cmd,
    subscribers_group,
    worker_cmd,
)
from crawler.app.commands.sources import sources_group
from crawler.app.context import Context, database_unavailable, err
from crawler.app.logs import LOG_FORMATS, configure_logging
from crawler.base.errors import DatabaseUnavailable


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
    metavar="DIR",
    help="Config directory (default ./config, or $CITYDIGEST_CONFIG).",
)
@click.option(
    "--database",
    metavar="URL",
    help="SQLAlchemy database URL; overrides citydigest.yaml and $CITYDIGEST_DATABASE_URL.",
)
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a setting of citydigest.yaml for this run (repeatable), e.g. "
    "--set fetch.timeout=30; also CITYDIGEST__FETCH__TIMEOUT=30 in the environment.",
)
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="More log output (-v info, -vv debug, -vvv also the libraries' routine, e.g. "
    "APScheduler's ticks).",
)
@click.option(
    "--log-format",
    type=click.Choice(LOG_FORMATS),
    default="text",
    show_default=True,
    envvar="CITYDIGEST_LOG_FORMAT",
    help="Log lines on stderr as text, or as one JSON object a line for log shippers "
    "(or $CITYDIGEST_LOG_FORMAT).",
)
@click.version_option(package_name="citydigest")
@click.pass_context
def cli(
    ctx: click.Context,
    config_dir: str | None,
    database: str | None,
    sets: tuple[str, ...],
    verbose: int,
    log_format: str,
) -> None:
    """citydigest: Chinese city exchange visits and regional policy, as a daily digest."""
    configure_logging(verbose, log_format)
    ctx.obj = Context(config_dir, database, sets)


for _command in (
    check,
    config_group,
    init_cmd,
    crawl_group,
    export_cmd,
    analyze_cmd,
    stories_cmd,
    visits_cmd,
    policies_cmd,
    digest_group,
    demo_cmd,
    db_group,
    run_cmd,
    worker_cmd,
    status_cmd,
    serve_cmd,
    subscribers_group,
    sources_group,
):
    cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    try:
        cli.main(args=argv, prog_name="citydigest", standalone_mode=True)
    except KeyboardInterrupt:
        err.print("interrupted")
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
