"""What every command shares: the config directory and database of this invocation, exit
codes, the error console and shared options. ``crawler.app.cli`` and the commands
(``crawler.app.commands``) build on it.

Exit codes: 0 success, 1 some work failed (what succeeded is kept), 2 invalid config or usage,
3 the database could not be reached or went away (what was done before is kept and
summarised): the operator's fix is the database, not a source, so a supervisor or a cron job
can tell the two apart.
"""

from __future__ import annotations

__all__ = [
    "EXIT_CONFIG",
    "EXIT_FAILED",
    "EXIT_UNAVAILABLE",
    "Context",
    "database_unavailable",
    "date_option",
    "err",
    "pass_ctx",
]

import logging
import os
import traceback
from collections.abc import Callable
from datetime import date
from typing import Any, NoReturn, TypeVar

import click
from rich.console import Console
from rich.markup import escape

from crawler.app.logs import logs_json
from crawler.base.config import Config, load_config, overrides_from
from crawler.base.db import Database
from crawler.base.errors import ConfigError, DatabaseUnavailable, SchemaOutdated

F = TypeVar("F", bound=Callable[..., Any])
EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_UNAVAILABLE = 3

err = Console(stderr=True, highlight=False)


log = logging.getLogger("citydigest.config")


class Context:
    """What every command gets: the config directory and the settings given beside it (the
    ``CITYDIGEST__*`` variables, ``--set NAME=VALUE``, ``--database``)."""

    def __init__(
        self, config_dir: str | None, database: str | None, sets: tuple[str, ...] = ()
    ) -> None:
        self.config_dir = config_dir
        self.database = database
        self.sets = sets
        # Config warnings go to the log, but `citydigest check` prints them itself.
        self.log_warnings = True
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            overrides, problems = overrides_from(os.environ, self.sets, self.database)
            try:
                self._config = load_config(self.config_dir, overrides, problems=problems)
            except ConfigError as exc:
                if logs_json():
                    _fatal_record("citydigest.config", str(exc), EXIT_CONFIG)
                else:
                    # The problems quote the operator's keys and values: print them as text
                    # ('[/x]' is rich markup, and invalid markup raises).
                    err.print(
                        f"[bold red]citydigest:[/] {escape(str(exc))}",
                        markup=True,
                        emoji=False,
                        soft_wrap=True,
                    )
                raise SystemExit(EXIT_CONFIG) from None
            if self.log_warnings:
                for warning in self._config.warnings:
                    log.warning("%s", warning)
        return self._config

    def database_url(self) -> str:
        """The effective ``database`` (``--database``, ``$CITYDIGEST_DATABASE_URL`` and the
        other overrides applied by the loader), its relative SQLite path resolved."""
        return self.config.settings.database

    def open_db(self, *, upgrade: bool | None = None) -> Database:
        try:
            return Database(self.database_url(), upgrade=upgrade)
        except SchemaOutdated as exc:
            if logs_json():
                _fatal_record("citydigest.db", str(exc), EXIT_FAILED)
            else:
                err.print(f"citydigest: {exc}")
            raise SystemExit(EXIT_FAILED) from None


pass_ctx = click.make_pass_decorator(Context)


def database_unavailable(exc: DatabaseUnavailable) -> NoReturn:
    """Report ``exc`` in one line (its traceback first with ``-vv``) and exit 3."""
    click_ctx = click.get_current_context(silent=True)
    verbose = click_ctx.find_root().params.get("verbose", 0) if click_ctx else 0
    if logs_json():
        # one JSON record, its traceback inside it with -vv
        _fatal_record("citydigest.db", str(exc), EXIT_UNAVAILABLE, exc if verbose >= 2 else None)
        raise SystemExit(EXIT_UNAVAILABLE)
    if verbose >= 2:
        err.file.write("".join(traceback.format_exception(exc)))
    err.print(f"citydigest: {exc}", markup=False, highlight=False, soft_wrap=True)
    raise SystemExit(EXIT_UNAVAILABLE)


def _fatal_record(
    logger: str, message: str, exit_code: int, exc: BaseException | None = None
) -> None:
    """The error a command stops on, as one log record (``exit_code`` in its fields)."""
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    logging.getLogger(logger).error(
        "%s", message, extra={"exit_code": exit_code}, exc_info=exc_info
    )


def _parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected YYYY-MM-DD, found {value!r}") from None


def date_option(name: str, help_text: str) -> Callable[[F], F]:
    return click.option(name, callback=_parse_date, metavar="YYYY-MM-DD", help=help_text)
