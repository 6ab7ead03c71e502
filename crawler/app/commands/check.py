"""``citydigest check``: validate the config directory, so an operator (or CI) can vet an edit
before a service reloads it. Without ``--connect`` it touches neither the database nor the
network; with it, it also opens the database and the SMTP server and says what answered, so
that what would fail at the first crawl or the first digest fails here.

Problems are errors (exit 2); warnings (a base URL in clear, a SQLite file left where the old
path rule found it) are printed apart and fail only with ``--strict``.
"""

from __future__ import annotations

__all__ = ["check"]

import asyncio
import os
import sqlite3
from pathlib import Path

import aiosmtplib
import click

from crawler.app.context import EXIT_CONFIG, EXIT_FAILED, EXIT_UNAVAILABLE, Context, err, pass_ctx
from crawler.base.config import Config, SmtpSettings
from crawler.base.config.paths import sqlite_file
from crawler.base.db import Database, masked_url
from crawler.base.errors import DatabaseUnavailable, SchemaOutdated


@click.command()
@click.option(
    "--connect",
    is_flag=True,
    help="Also open the database and the SMTP server and say what answered "
    "(exit 3: no database; 1: no SMTP server).",
)
@click.option("--strict", is_flag=True, help="Exit 2 on warnings too, not only on problems.")
@pass_ctx
def check(ctx: Context, connect: bool, strict: bool) -> None:
    """Validate every config file; print every problem with file:line. Exit 0 valid, 2 not."""
    ctx.log_warnings = False
    config = ctx.config
    for warning in config.warnings:
        err.print(f"[bold yellow]citydigest: warning:[/] {warning}", markup=True, soft_wrap=True)
    if strict and config.warnings:
        count = len(config.warnings)
        err.print(f"citydigest: {count} warning{'s' * (count != 1)}, refused by --strict")
        raise SystemExit(EXIT_CONFIG)
    click.echo(
        f"{config.dir}: OK ({len(config.sources)} sources, {len(config.subscribers)} subscribers, "
        f"{len(config.taxonomy.themes)} themes, {len(config.domain_rules)} domain rules)"
    )
    if connect:
        raise SystemExit(_connect(config))


def _connect(config: Config) -> int:
    """Open the database and the SMTP server, one line each; the exit code: 3 when the
    database did not answer (the code of every command then), else 1 when the SMTP server did
    not, else 0."""
    url = config.settings.database
    db_ok, db_says = probe_database(url)
    click.echo(f"database {masked_url(url)}: {db_says}")
    smtp = config.settings.smtp
    smtp_ok, smtp_says = asyncio.run(probe_smtp(smtp, os.environ.get(smtp.password_env)))
    click.echo(f"smtp {smtp.host}:{smtp.port} ({smtp.security}): {smtp_says}")
    if not db_ok:
        return EXIT_UNAVAILABLE
    return 0 if smtp_ok else EXIT_FAILED


def probe_database(url: str) -> tuple[bool, str]:
    """Whether the database at ``url`` answers, and what it said (server, version, schema).
    A SQLite file that is not there yet is not created: it is made on first use."""
    file = sqlite_file(url)  # absolute: the loader resolved it
    if file is not None and not file.exists():
        folder = _existing_parent(file)
        if not os.access(folder, os.W_OK | os.X_OK):
            return False, f"no file {file}, and {folder} is not writable to create it"
        return True, f"no file yet at {file}; created with its schema on first use"
    try:
        db = Database(url, upgrade=False)
    except DatabaseUnavailable as exc:
        return False, f"no answer: {exc.reason}; {exc.hint}"
    except SchemaOutdated as exc:
        return True, f"answered; {exc}"
    try:
        return True, f"answered: {_server(db)}, schema up to date"
    finally:
        db.dispose()


def _existing_parent(path: Path) -> Path:
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def _server(db: Database) -> str:
    if db.is_sqlite:
        return f"SQLite {sqlite3.sqlite_version}"
    version = db.engine.dialect.server_version_info or ()
    return f"PostgreSQL {'.'.join(str(v) for v in version)}".rstrip()


async def probe_smtp(settings: SmtpSettings, password: str | None) -> tuple[bool, str]:
    """Whether the SMTP server answers as the digests will reach it (TLS, STARTTLS, login as
    configured), and its greeting; the session ends with QUIT, nothing is sent."""
    smtp = aiosmtplib.SMTP(
        hostname=settings.host,
        port=settings.port,
        username=settings.username,
        password=password if settings.username else None,
        use_tls=settings.security == "tls",
        start_tls=settings.security == "starttls",
        timeout=settings.timeout,
    )
    try:
        greeting = await smtp.connect()
    except aiosmtplib.SMTPAuthenticationError as exc:
        return False, f"answered, but refused the login as {settings.username}: {exc.message}"
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        return False, f"no answer: {_reason(exc)}"
    try:
        done = [f"answered: {greeting.code} {greeting.message.splitlines()[0]}"]
        if settings.security != "none":
            done.append("TLS" if settings.security == "tls" else "STARTTLS")
        if settings.username and password:
            done.append(f"logged in as {settings.username}")
        elif settings.username:
            done.append(f"login not tried: ${settings.password_env} is not set")
        return True, ", ".join(done)
    finally:
        try:
            await smtp.quit()
        except (aiosmtplib.SMTPException, OSError):
            smtp.close()


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
