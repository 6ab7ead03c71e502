"""``citydigest config show`` and ``citydigest init``: the config as it is in effect, and a
config to begin with.

``config show`` prints every setting of ``citydigest.yaml`` after the defaults, the file, the
``CITYDIGEST__*`` variables and ``--set`` (:mod:`crawler.base.config.overrides`), each with
where it came from, relative paths resolved and secrets masked (a password in the database URL;
of the variables holding the SMTP password and the unsubscribe key only whether they are set).
``init`` writes the shipped, commented example config (``crawler/data/starter``, a copy of the
checkout's ``config/`` kept equal by a test) into a new directory.
"""

from __future__ import annotations

__all__ = ["config_group", "init_cmd"]

import json
import os
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from crawler.app.context import EXIT_CONFIG, Context, err, pass_ctx
from crawler.base.config import Config, Settings, config_dir_from_env
from crawler.base.config.overrides import setting_keys
from crawler.base.db import masked_url

_DATA = Path(__file__).resolve().parents[2] / "data"
STARTER = _DATA / "starter"  # citydigest.yaml, sources.yaml, subscribers.yaml, extract-rules.yaml
TAXONOMY = _DATA / "taxonomy"
# Settings that name an environment variable holding a secret: show whether it is set, not it.
_SECRET_NAMES = ("smtp.password_env", "unsubscribe_secret_env")


@click.group("config")
def config_group() -> None:
    """The effective configuration."""


@config_group.command("show")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["yaml", "json"]),
    default="yaml",
    show_default=True,
    help="YAML with each origin as a comment, or JSON with value and origin per setting.",
)
@pass_ctx
def show_cmd(ctx: Context, fmt: str) -> None:
    """Print the settings in effect after defaults, citydigest.yaml, CITYDIGEST__* variables and
    --set, each with where it came from (default, FILE:LINE, env NAME, --set); secrets masked.

    Example: citydigest --set fetch.timeout=30 config show
    """
    config = ctx.config
    rows = _rows(config)
    if fmt == "json":
        settings = {name: {"value": value, "origin": origin} for name, value, origin in rows}
        for name in _SECRET_NAMES:
            settings[name]["secret"] = "set" if _secret_set(config, name) else "unset"
        doc = {"config_dir": str(config.dir.resolve()), "settings": settings}
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    click.echo(f"# {config.dir.resolve()}: the settings in effect, each with its origin")
    click.echo("\n".join(_yaml_lines(config, rows)))


def _rows(config: Config) -> list[tuple[str, Any, str]]:
    """(dotted name, value as shown, origin) for every setting, in the model's order."""
    values = config.settings.model_dump(by_alias=True)
    rows = []
    for key in setting_keys(Settings):
        value: Any = values
        for part in key:
            value = value[part]
        name = ".".join(key)
        rows.append((name, _shown(name, value), config.origins.get(name, "default")))
    return rows


def _shown(name: str, value: Any) -> Any:
    """A setting's value as JSON and YAML can say it: paths as text, durations as 1h30m, the
    database URL without its password."""
    if name == "database":
        return masked_url(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, timedelta):
        return _duration(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def _duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"


def _secret_set(config: Config, name: str) -> bool:
    section, _, key = name.rpartition(".")
    holder = getattr(config.settings, section) if section else config.settings
    variable = getattr(holder, key)
    return bool(variable and os.environ.get(variable))


def _yaml_lines(config: Config, rows: list[tuple[str, Any, str]]) -> list[str]:
    """The rows as YAML, sections nested, each origin a comment (values in JSON's spelling,
    which YAML reads as the same values)."""
    lines: list[str] = []
    section = ""
    for name, value, origin in rows:
        head, _, key = name.rpartition(".")
        if head != section:
            section = head
            if head:
                lines.append(f"{head}:")
        note = origin
        if name in _SECRET_NAMES:
            state = "set (***)" if _secret_set(config, name) else "not set"
            note = f"{origin}; ${value} {state}" if value else origin
        indent = "  " if head else ""
        lines.append(f"{indent}{key}: {json.dumps(value, ensure_ascii=False)}  # {note}")
    return lines


@click.command("init")
@click.argument("directory", required=False, metavar="[DIR]")
@click.option("--force", is_flag=True, help="Overwrite files that are already there.")
@click.pass_context
def init_cmd(click_ctx: click.Context, directory: str | None, force: bool) -> None:
    """Write a commented starter config into DIR (default: --config, $CITYDIGEST_CONFIG or
    ./config): citydigest.yaml, sources.yaml, subscribers.yaml, extract-rules.yaml and
    taxonomy/. Existing files are left alone unless --force.

    Example: citydigest init /etc/citydigest && citydigest --config /etc/citydigest check
    """
    ctx: Context = click_ctx.obj
    target = Path(directory) if directory else config_dir_from_env(ctx.config_dir)
    plan = _starter_files(target)
    existing = [dest for _source, dest in plan if dest.exists()]
    if existing and not force:
        shown = ", ".join(str(p) for p in existing)
        err.print(
            f"citydigest: init: not overwriting {shown} (--force overwrites them)",
            markup=False,
            soft_wrap=True,
        )
        raise SystemExit(EXIT_CONFIG)
    try:
        for source, dest in plan:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
    except OSError as exc:
        err.print(f"citydigest: init: cannot write {exc.filename}: {exc.strerror}", markup=False)
        raise SystemExit(EXIT_CONFIG) from None
    click.echo(
        f"wrote {len(plan)} files to {target}; edit them, then: citydigest --config {target} check"
    )


def _starter_files(target: Path) -> list[tuple[Path, Path]]:
    """(shipped file, where it goes) for every file of the starter config."""
    plan = [(path, target / path.name) for path in sorted(STARTER.glob("*.yaml"))]
    plan += [(path, target / "taxonomy" / path.name) for path in sorted(TAXONOMY.glob("*.yaml"))]
    return plan
