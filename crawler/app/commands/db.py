"""``citydigest db``: the database schema. SQLite is upgraded on first use; PostgreSQL only here,
on the operator's command (the other commands refuse an outdated PostgreSQL schema)."""

from __future__ import annotations

__all__ = ["db_group"]

import click

from crawler.app.context import Context, pass_ctx


@click.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@pass_ctx
def db_upgrade(ctx: Context) -> None:
    """Create or upgrade the database schema to this version."""
    db = ctx.open_db(upgrade=True)
    click.echo(f"database at revision {db.revision()}")
    db.dispose()
