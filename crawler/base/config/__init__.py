"""The operator's configuration, read once at the edge into typed, frozen objects.

A config directory (``--config DIR``, else ``$CITYDIGEST_CONFIG``, else ``./config``) holds:

- ``citydigest.yaml``: settings (database, timezone, user agent, fetch defaults, SMTP, archive);
- ``sources.yaml``: what to crawl;
- ``subscribers.yaml``: who gets a digest (optional);
- ``extract-rules.yaml``: per-domain extraction selectors (optional);
- ``taxonomy/*.yaml``: themes and place aliases for tagging (optional; built-in defaults).

:func:`load_config` validates everything and raises one :class:`~crawler.base.errors.ConfigError`
listing every problem, each with file, line and key path. Nothing downstream reads YAML or the
environment: stages take the objects defined here.

The models live by file: :mod:`.settings` (``citydigest.yaml``), :mod:`.sources`
(``sources.yaml``, ``extract-rules.yaml``), :mod:`.subscribers` (``subscribers.yaml``), built on
the value types of :mod:`.values`; :mod:`.profile` merges a source's fetch overrides with the
defaults once, into its :class:`FetchProfile` (:meth:`Config.profile`); :mod:`.problems` turns
what is wrong into the operator's words and lines. Around the files: :mod:`.overrides` (settings
given by ``CITYDIGEST__*`` variables and ``--set``, and where each value came from),
:mod:`.paths` (relative paths taken from the config directory), :mod:`.filters` (subscriber
filters checked against the taxonomy and the gazetteer). This module holds :class:`Config` and the
loader. Its public surface (``__all__``) is the whole configuration: the loader, the
:class:`ConfigError` it raises, and the models by their names; within this tree, prefer importing
a model from the module that defines it.
"""

from __future__ import annotations

__all__ = [
    "ArchiveSettings",
    "Config",
    "ConfigError",
    "DigestLimits",
    "ExtractSpec",
    "FetchProfile",
    "FetchSettings",
    "ListSpec",
    "Override",
    "ServeSettings",
    "Settings",
    "SmtpSettings",
    "Source",
    "SourceFetch",
    "SourceTags",
    "Subscriber",
    "SubscriberFilter",
    "config_dir_from_env",
    "fetch_profile",
    "load_config",
    "overrides_from",
    "parse_duration",
]

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Self

import httpx
from pydantic import Field, PrivateAttr, ValidationError

from crawler.base.config.filters import FilterNames, check_filters, normalized
from crawler.base.config.overrides import (
    Override,
    origin_of,
    origins,
    overrides_from,
    setting_keys,
)
from crawler.base.config.paths import moved_database, resolve_paths
from crawler.base.config.problems import Collector, describe, dotted, line_of, message, plain
from crawler.base.config.profile import FetchProfile, fetch_profile
from crawler.base.config.settings import (
    ArchiveSettings,
    DigestLimits,
    FetchSettings,
    ServeSettings,
    Settings,
    SmtpSettings,
)
from crawler.base.config.sources import (
    ExtractRules,
    ExtractSpec,
    ListSpec,
    Source,
    SourceFetch,
    SourceTags,
    needs_discovery,
)
from crawler.base.config.subscribers import Subscriber, SubscriberFilter
from crawler.base.config.values import Frozen, parse_duration
from crawler.base.errors import ConfigError, ConfigProblem
from crawler.base.taxonomy import Taxonomy, default_taxonomy, merge_taxonomy_files


class Config(Frozen):
    """Everything the operator configured, validated."""

    dir: Path
    settings: Settings
    sources: tuple[Source, ...]
    subscribers: tuple[Subscriber, ...] = ()
    domain_rules: Mapping[str, ExtractSpec] = Field(default_factory=dict)
    taxonomy: Taxonomy = Field(default_factory=default_taxonomy)
    # Given beside the files (the environment's, --set): a reload applies them again.
    overrides: tuple[Override, ...] = ()
    # Where each setting's value came from, by its dotted name: "default", "FILE:LINE",
    # "env NAME", "--set", "--database" (what `citydigest config show` prints).
    origins: Mapping[str, str] = Field(default_factory=dict)
    # What is valid but likely a mistake: `citydigest check` shows them (and --strict fails).
    warnings: tuple[ConfigProblem, ...] = ()
    # Built with the config (model_post_init), per source: (the source, its fetch profile).
    _profiles: dict[str, tuple[Source, FetchProfile]] = PrivateAttr(default_factory=dict)
    _default_profile: FetchProfile | None = PrivateAttr(None)

    def model_post_init(self, context: Any, /) -> None:
        self._build_profiles()

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        copied = super().model_copy(update=update, deep=deep)
        copied._build_profiles()  # the copy's own settings and sources
        return copied

    def _build_profiles(self) -> None:
        fetch, agent = self.settings.fetch, self.settings.user_agent
        self._default_profile = fetch_profile(fetch, agent)
        self._profiles = {s.id: (s, fetch_profile(fetch, agent, s.fetch)) for s in self.sources}

    def source(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        raise KeyError(source_id)

    @property
    def default_profile(self) -> FetchProfile:
        """How a request of no source is made: the ``fetch:`` defaults and ``user_agent``."""
        assert self._default_profile is not None
        return self._default_profile

    def profile(self, source: Source) -> FetchProfile:
        """How ``source``'s requests are made (:func:`~crawler.base.config.profile.
        fetch_profile`): built with the config for each of its sources; for a source it does
        not hold (the WARC import's stand-in), built now."""
        known = self._profiles.get(source.id)
        if known is not None and known[0] is source:
            return known[1]
        return fetch_profile(self.settings.fetch, self.settings.user_agent, source.fetch)


def config_dir_from_env(given: str | os.PathLike[str] | None = None) -> Path:
    return Path(given or os.environ.get("CITYDIGEST_CONFIG") or "config")


def load_config(
    directory: str | os.PathLike[str] | None = None,
    overrides: Sequence[Override] = (),
    *,
    problems: Sequence[ConfigProblem] = (),
) -> Config:
    """Read and validate the config directory, with ``overrides`` (:mod:`.overrides`: the
    environment's and the command line's) over ``citydigest.yaml``; raise ConfigError naming
    every problem, ``problems`` already found in the overrides among them."""
    root = config_dir_from_env(directory)
    if not _is_dir(root):
        raise ConfigError([_not_found(root, directory)])
    collector = Collector()
    collector.problems.extend(problems)

    settings_path = root / "citydigest.yaml"
    settings_data = collector.read_yaml(settings_path) if _exists(settings_path) else {}
    settings = collector.validate(Settings, settings_data, settings_path, overrides)
    if isinstance(settings, Settings):
        _check_secret(collector, settings, settings_data, settings_path)
        settings = _resolved(collector, settings, root)
        _check_https(collector, settings, settings_data, settings_path, overrides)

    sources_path = root / "sources.yaml"
    sources: tuple[Source, ...] = ()
    if not _exists(sources_path):
        collector.add(sources_path, None, "", "file not found: every config needs sources.yaml")
    else:
        sources_data = collector.read_yaml(sources_path)
        sources = collector.validate_items(
            Source, sources_data, "sources", sources_path, checks=(needs_discovery,)
        )

    subscribers: tuple[Subscriber, ...] = ()
    subscribers_path = root / "subscribers.yaml"
    subs_data: Any = None
    if _exists(subscribers_path):
        subs_data = collector.read_yaml(subscribers_path)
        subscribers = collector.validate_items(
            Subscriber, subs_data, "subscribers", subscribers_path
        )

    domain_rules: Mapping[str, ExtractSpec] = {}
    rules_path = root / "extract-rules.yaml"
    if _exists(rules_path):
        parsed_rules = collector.validate(ExtractRules, collector.read_yaml(rules_path), rules_path)
        if isinstance(parsed_rules, ExtractRules):
            domain_rules = parsed_rules.domains

    taxonomy = _load_taxonomy(collector, root / "taxonomy")
    if taxonomy is not None:
        names = FilterNames(taxonomy)
        check_filters(collector, subs_data, subscribers_path, names)
        subscribers = tuple(normalized(s, names) for s in subscribers)

    if collector.problems or settings is None or taxonomy is None:
        raise ConfigError(collector.problems)
    assert isinstance(settings, Settings)
    return Config(
        dir=root,
        settings=settings,
        sources=sources,
        subscribers=subscribers,
        domain_rules=domain_rules,
        taxonomy=taxonomy,
        overrides=tuple(overrides),
        origins=_origins(settings_data, settings_path, overrides),
        warnings=tuple(collector.warnings),
    )


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _not_found(root: Path, given: str | os.PathLike[str] | None) -> ConfigProblem:
    """Where the config directory was looked for, why there, and how to point elsewhere."""
    if given:
        why = "given"
    elif os.environ.get("CITYDIGEST_CONFIG"):
        why = "from $CITYDIGEST_CONFIG"
    else:
        why = "the default: ./config in the working directory"
    return ConfigProblem(
        str(root),
        None,
        "",
        f"config directory not found (looked for {root.absolute()}, {why}); name another "
        f"with --config DIR or $CITYDIGEST_CONFIG, or write a commented starter config with "
        f"`citydigest init {root}`",
    )


def _resolved(collector: Collector, settings: Settings, root: Path) -> Settings:
    """``settings`` with its relative paths taken from the config directory (:mod:`.paths`);
    a warning when a SQLite file the old rule (the working directory) found is left behind."""
    resolved = resolve_paths(settings, root)
    moved = moved_database(settings.database, resolved.database, Path.cwd())
    if moved is not None:
        old, new = moved
        collector.warn(
            root / "citydigest.yaml",
            None,
            "database",
            f"the SQLite file is {new}, which does not exist yet, but {old} does: a relative "
            "path is taken from the config directory, not the working directory; move the file "
            "or write its absolute path",
        )
    return resolved


_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")


def _check_https(
    collector: Collector,
    settings: Settings,
    data: Any,
    path: Path,
    overrides: Sequence[Override],
) -> None:
    """A warning for a public base URL that is not https: the links of every digest (archive,
    one-click unsubscribe) would travel in clear, open to being read and altered."""
    url = httpx.URL(settings.archive.base_url)
    host = url.host.lower()
    if url.scheme == "https" or host in _LOCAL_HOSTS or host.endswith(".localhost"):
        return
    key = ("archive", "base_url")
    given = origin_of(overrides, key)
    message = (
        f"{settings.archive.base_url} is not https: the archive and unsubscribe links of every "
        "digest would travel in clear, open to being read and altered; use https:// (http is "
        "fine on localhost)"
    )
    if given is not None:
        collector.warn(given, None, "archive.base_url", message)
    else:
        collector.warn(path, line_of(data, key), "archive.base_url", message)


def _origins(data: Any, path: Path, overrides: Sequence[Override]) -> dict[str, str]:
    """Where each setting came from (:func:`.overrides.origins`), with the file's lines."""
    keys = setting_keys(Settings)
    in_file = {key: f"{path}:{line_of(data, key)}" for key in keys if _holds(data, key)}
    return origins(keys, overrides, in_file)


def _holds(data: Any, key: tuple[str, ...]) -> bool:
    for part in key:
        if not isinstance(data, Mapping) or part not in data:
            return False
        data = data[part]
    return True


def _exists(path: Path) -> bool:
    """Whether ``path`` is there; True when it cannot be told (EACCES on the folder), so that
    reading it reports why."""
    try:
        return path.exists()
    except OSError:
        return True


# digests.unsubscribe refuses shorter keys: every unsubscribe request would fail (HTTP 500).
_MIN_SECRET_BYTES = 16


def _check_secret(collector: Collector, settings: Settings, data: Any, path: Path) -> None:
    """The unsubscribe secret lives in the environment (never in a file), under the name
    ``unsubscribe_secret_env`` gives; unset is allowed (links are refused or made with a
    throwaway key), too short is not."""
    name = settings.unsubscribe_secret_env
    value = os.environ.get(name, "") if name else ""
    size = len(value.encode("utf-8", "surrogateescape"))
    if 0 < size < _MIN_SECRET_BYTES:
        collector.add(
            path,
            line_of(data, ("unsubscribe_secret_env",)),
            "unsubscribe_secret_env",
            f"${name} is {size} bytes long; the unsubscribe secret needs at least "
            f"{_MIN_SECRET_BYTES}: set it to a long random string, such as the output of "
            "python -c 'import secrets; print(secrets.token_urlsafe(32))'",
        )


def _load_taxonomy(collector: Collector, folder: Path) -> Taxonomy | None:
    try:
        if not folder.is_dir():
            return default_taxonomy()
    except OSError as exc:
        collector.add(folder, None, "", f"cannot read: {exc.strerror or exc}")
        return None
    files = sorted(folder.glob("*.yaml"))
    parsed: dict[str, Any] = {}
    for path in files:
        data = collector.read_yaml(path)
        if data is not None and not isinstance(data, Mapping):
            collector.add(
                path, line_of(data, ()), "", f"expected a mapping, found {describe(data)}"
            )
            continue
        parsed[path.name] = data or {}
    try:
        merged = merge_taxonomy_files({k: plain(v) for k, v in parsed.items()})
    except ValueError as exc:
        collector.add(folder, None, "", str(exc))
        return None
    try:
        return Taxonomy.model_validate(merged)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            path, line = _taxonomy_location(parsed, files, loc, folder)
            collector.add(path, line, dotted(loc), message(error, Taxonomy, loc))
        return None


def _taxonomy_location(
    parsed: Mapping[str, Any], files: list[Path], loc: tuple[Any, ...], folder: Path
) -> tuple[Path, int | None]:
    """Find which taxonomy file holds the top-level key of ``loc``."""
    for path in files:
        data = parsed.get(path.name)
        if isinstance(data, Mapping) and loc and loc[0] in data:
            return path, line_of(data, loc)
    return folder, None
