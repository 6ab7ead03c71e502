"""``citydigest check``: validate the config directory without touching the database or the
network, so an operator (or CI) can vet an edit before a service reloads it."""

from __future__ import annotations

__all__ = ["check"]

import click

from crawler.app.context import Context, pass_ctx


@click.command()
@pass_ctx
def check(ctx: Context) -> None:
    """Validate every config file; print every problem with file:line. Exit 0 valid, 2 not."""
    config = ctx.config
    click.echo(
        f"{config.dir}: OK ({len(config.sources)} sources, {len(config.subscribers)} subscribers, "
        f"{len(config.taxonomy.themes)} themes, {len(config.domain_rules)} domain rules)"
    )
