"""Settings given beside ``citydigest.yaml``: environment variables and ``--set`` options.

An operator changes one setting for one run or one deployment without editing the file, as
with Scrapy's ``-s NAME=VALUE`` and Miniflux's environment:

- ``CITYDIGEST__FETCH__TIMEOUT=30``: a variable named ``CITYDIGEST__`` and the setting's key
  path, a double underscore between keys (``CITYDIGEST__SMTP__HOST``); ``CITYDIGEST_DATABASE_URL``
  stays the name of ``database``;
- ``--set fetch.timeout=30`` (repeatable) on the root command, and ``--database URL``.

A value is read as a YAML value (``30``, ``true``, ``[a, b]``, an empty one is null), then
validated with the file's, by the same models: a wrong type or an unknown key is an error that
names the variable or the option. Precedence, lowest first: defaults, the file, the
environment, the command line (:func:`overrides_from`). The loader
(:func:`crawler.base.config.load_config`) applies them (:func:`apply`), says where each setting
came from (:func:`origins`), and keeps them on the config, so that a reload applies them again.
"""

from __future__ import annotations

__all__ = [
    "DATABASE_VARIABLE",
    "ENV_PREFIX",
    "Override",
    "apply",
    "origin_of",
    "origins",
    "overrides_from",
    "setting_keys",
]

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from crawler.base.errors import ConfigProblem

ENV_PREFIX = "CITYDIGEST__"
DATABASE_VARIABLE = "CITYDIGEST_DATABASE_URL"
_MAX_VALUE = 10_000  # characters: a setting, not a document


@dataclass(frozen=True, slots=True)
class Override:
    """One setting given outside the file: its key path, its value, and who gave it
    (``env CITYDIGEST__FETCH__TIMEOUT``, ``--set``, ``--database``: the words of an error)."""

    key: tuple[str, ...]
    value: Any
    origin: str

    @property
    def name(self) -> str:
        return ".".join(self.key)


def overrides_from(
    environ: Mapping[str, str], sets: Sequence[str] = (), database: str | None = None
) -> tuple[tuple[Override, ...], list[ConfigProblem]]:
    """The overrides of one invocation, in the order they apply (lowest precedence first):
    ``CITYDIGEST_DATABASE_URL``, the ``CITYDIGEST__*`` variables (sorted by name), the ``--set``
    options as given, ``--database``; and the problems of those that cannot be read."""
    found: list[Override] = []
    problems: list[ConfigProblem] = []
    if environ.get(DATABASE_VARIABLE):
        found.append(
            Override(("database",), environ[DATABASE_VARIABLE], f"env {DATABASE_VARIABLE}")
        )
    for name in sorted(n for n in environ if n.startswith(ENV_PREFIX)):
        origin = f"env {name}"
        key = tuple(part.lower() for part in name[len(ENV_PREFIX) :].split("__"))
        _read(found, problems, key, environ[name], origin)
    for given in sets:
        dotted, sep, text = given.partition("=")
        key = tuple(dotted.strip().split("."))
        if not sep or not all(key):
            problems.append(
                ConfigProblem(
                    "--set",
                    None,
                    "",
                    f"expected NAME=VALUE such as fetch.timeout=30, found {given!r}",
                )
            )
            continue
        _read(found, problems, key, text, "--set")
    if database:
        found.append(Override(("database",), database, "--database"))
    return tuple(found), problems


def _read(
    found: list[Override],
    problems: list[ConfigProblem],
    key: tuple[str, ...],
    text: str,
    origin: str,
) -> None:
    """Append the override of ``key`` to ``text`` read as YAML, or the problem why not."""
    name = ".".join(key)
    if not all(key):
        problems.append(
            ConfigProblem(origin, None, "", "expected KEY__KEY with one key between each '__'")
        )
        return
    try:
        value = _yaml_value(text)
    except ValueError as exc:
        problems.append(ConfigProblem(origin, None, name, str(exc)))
        return
    found.append(Override(key, value, origin))


def _yaml_value(text: str) -> Any:
    """``text`` as one YAML value; a value YAML cannot read is an error, not a string, so
    that ``[a, b`` is not taken for a name."""
    if len(text) > _MAX_VALUE:
        raise ValueError(f"a value of at most {_MAX_VALUE} characters, found {len(text)}")
    try:
        return YAML(typ="safe", pure=True).load(text)
    except (YAMLError, ValueError, RecursionError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"not a YAML value ({first}); quote it, as in '\"{text}\"'") from None


def apply(data: Mapping[str, Any], overrides: Iterable[Override]) -> dict[str, Any]:
    """A copy of the file's settings (plain dicts) with each override set at its key path, in
    order: a later one wins. Missing sections are made; a section the file gave as something
    else is replaced (the override's value is what counts)."""
    merged: dict[str, Any] = copy.deepcopy(dict(data))
    for override in overrides:
        node = merged
        for part in override.key[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[override.key[-1]] = override.value
    return merged


def origin_of(overrides: Sequence[Override], loc: tuple[Any, ...]) -> str | None:
    """Who gave the value at a validation error's location ``loc``: the last override whose key
    path holds it or lies under it; None when it is the file's (or a default)."""
    parts = tuple(str(p) for p in loc if not isinstance(p, int))
    for override in reversed(overrides):
        n = min(len(parts), len(override.key))
        if parts[:n] == override.key[:n]:
            return override.origin
    return None


def setting_keys(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """The key path of every setting of ``model`` that holds a value (not a section), by the
    names a file uses (``smtp.from``), in the model's order."""
    keys: list[tuple[str, ...]] = []
    for name, field in model.model_fields.items():
        key = (*prefix, field.alias or name)
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys.extend(setting_keys(annotation, key))
        else:
            keys.append(key)
    return keys


def origins(
    keys: Iterable[tuple[str, ...]],
    overrides: Sequence[Override],
    in_file: Mapping[tuple[str, ...], str],
) -> dict[str, str]:
    """Where each setting's value came from: the last override of it (``--set``, ``env NAME``),
    else its line in the file (``in_file``: key path -> ``file:line``), else ``default``."""
    out: dict[str, str] = {}
    for key in keys:
        given = [o.origin for o in overrides if key[: len(o.key)] == o.key]
        out[".".join(key)] = given[-1] if given else in_file.get(key, "default")
    return out
