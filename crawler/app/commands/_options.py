"""Options shared by several command groups: choosing configured sources and subscribers by id.
An unknown id is a usage error (exit 2) that lists the known ones."""

from __future__ import annotations

__all__ = ["chosen_sources", "chosen_subscribers", "source_option", "subscriber_option"]

import click

from crawler.base.config import Config, Source

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


def chosen_sources(config: Config, ids: tuple[str, ...]) -> list[Source]:
    """The sources named by ``--source`` (every source when none is)."""
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


def chosen_subscribers(config: Config, ids: tuple[str, ...]) -> tuple[str, ...]:
    """The ids named by ``--subscriber``, checked against subscribers.yaml."""
    known = {s.id for s in config.subscribers}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise click.BadParameter(
            f"unknown subscriber {', '.join(map(repr, unknown))} "
            f"(known: {', '.join(sorted(known)) or 'none: add config/subscribers.yaml'})",
            param_hint="--subscriber",
        )
    return ids
