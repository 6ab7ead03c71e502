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
"""

from __future__ import annotations

__all__ = [
    "ArchiveSettings",
    "Config",
    "ExtractSpec",
    "FetchSettings",
    "ListSpec",
    "ServeSettings",
    "Settings",
    "SmtpSettings",
    "Source",
    "SourceFetch",
    "SourceTags",
    "Subscriber",
    "SubscriberFilter",
    "config_dir_from_env",
    "load_config",
    "parse_duration",
]

import difflib
import os
import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from selectolax.lexbor import LexborHTMLParser, SelectolaxError

from crawler.base.charsets import normalize_charset
from crawler.base.errors import ConfigError, ConfigProblem
from crawler.base.taxonomy import Taxonomy, default_taxonomy, merge_taxonomy_files
from crawler.base.yamlfile import load_yaml

DEFAULT_DATABASE = "sqlite:///data/citydigest.db"
DEFAULT_USER_AGENT = "citydigest/0.1 (+https://github.com/citydigest/citydigest)"

# --------------------------------------------------------------------------- value validators

_DURATION_RE = re.compile(
    r"^\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?\s*$"
)


# Longer durations would overflow timedelta (or a date the scheduler adds them to).
_MAX_DURATION = timedelta(days=365)


def parse_duration(value: Any) -> timedelta:
    """``30m``, ``1h``, ``1h30m``, ``2d``, ``45s`` or a number of seconds, at most a year."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as 30m, 1h or 1d, found {value!r}")
    if isinstance(value, int | float):
        seconds = value
    else:
        match = _DURATION_RE.match(str(value))
        if not match or not any(match.groups()):
            raise ValueError(
                f"expected a duration such as 30m, 1h, 1h30m or 1d, found {_short(value)}"
            )
        if any(len(g or "") > 12 for g in match.groups()):  # int() refuses 4,300 digits
            raise ValueError(f"expected a duration of at most 365d, found {_short(value)}")
        d, h, m, s = (int(g or 0) for g in match.groups())
        seconds = ((d * 24 + h) * 60 + m) * 60 + s
    if not seconds > 0:  # also NaN
        raise ValueError(f"expected a positive duration, found {_short(value)}")
    if seconds > _MAX_DURATION.total_seconds():
        raise ValueError(f"expected a duration of at most 365d, found {_short(value)}")
    return timedelta(seconds=seconds)


def _short(value: Any) -> str:
    """``repr(value)``, cut to a length that fits an error line."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _check_url(value: str) -> str:
    try:
        url = httpx.URL(value)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ValueError(f"expected an http(s) URL, found {value!r} ({exc})") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"expected an absolute http:// or https:// URL, found {value!r}")
    return value


_PROBE = LexborHTMLParser("<html><body></body></html>")


def _check_selector(value: str) -> str:
    if not value.strip():
        raise ValueError("expected a CSS selector, found an empty string")
    try:
        _PROBE.css(value)
    except SelectolaxError:
        raise ValueError(f"expected a valid CSS selector, found {value!r}") from None
    return value


def _check_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"expected an IANA time zone such as Asia/Shanghai, found {value!r}"
        ) from None
    return value


_CHARSETS = ("utf-8", "gbk", "gb2312", "gb18030", "big5", "big5hkscs", "utf-16", "shift_jis")
# Every byte, decoded the way a forced charset is used (crawler.fetch.encoding.decode_bytes).
_CHARSET_PROBE = bytes(range(256))


def _check_charset(value: str) -> str:
    codec = normalize_charset(value)
    try:
        # codecs.lookup also knows rot13, hex, base64, idna, ...: not text charsets, and decoding
        # a page with them fails.
        usable = codec is not None and isinstance(_CHARSET_PROBE.decode(codec, "replace"), str)
    except (LookupError, UnicodeError):
        usable = False
    if not usable:
        close = difflib.get_close_matches(str(value).lower(), _CHARSETS, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise ValueError(
            f"expected a charset such as gbk, gb2312, big5 or utf-8, found {_short(value)}{hint}"
        )
    return value


def _check_time_of_day(value: str) -> str:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", str(value)):
        raise ValueError(f'expected a local time "HH:MM" such as "08:00", found {value!r}')
    return str(value)


Url = Annotated[str, AfterValidator(_check_url)]
Selector = Annotated[str, AfterValidator(_check_selector)]
Zone = Annotated[str, AfterValidator(_check_zone)]
Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
Ident = Annotated[str, Field(pattern=r"^[a-z0-9-]+$", min_length=1, max_length=64)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --------------------------------------------------------------------------- citydigest.yaml


class FetchSettings(_Frozen):
    per_host_concurrency: int = Field(2, ge=1, le=64)
    per_host_delay: float = Field(1.0, ge=0, le=3600)
    timeout: float = Field(20.0, gt=0, le=600)
    max_bytes: int = Field(10_000_000, ge=1024)
    max_redirects: int = Field(5, ge=0, le=20)
    obey_robots: bool = True
    allow_private_networks: bool = False


class SmtpSettings(_Frozen):
    host: str = "localhost"
    port: int = Field(587, ge=1, le=65535)
    security: Literal["none", "starttls", "tls"] = "starttls"
    username: str | None = None
    password_env: str = "CITYDIGEST_SMTP_PASSWORD"
    from_: str = Field("citydigest <digest@localhost>", alias="from")
    reply_to: str | None = None
    rate_per_second: float | None = Field(None, gt=0)
    timeout: float = Field(30.0, gt=0)
    # The wait for the reply to the message itself (after its end of data), which servers give
    # once they have scanned it: RFC 5321 4.5.3.2.6 asks clients for 10 minutes. No reply in
    # time makes the digest's outcome unknown, so a short one would do that to a slow server.
    data_timeout: float = Field(600.0, gt=0)
    # Transient failures (4xx, connection) are retried: up to max_attempts tries per message,
    # waiting retry_backoff seconds, doubled after each failure.
    max_attempts: int = Field(3, ge=1, le=10)
    retry_backoff: float = Field(2.0, ge=0, le=600)
    # A digest whose outcome is unknown (the server took DATA, no answer was read) is sent again
    # by the first send run this long after that attempt; None: only `citydigest digest resend`.
    unknown_resend_after: Duration | None = None

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class ArchiveSettings(_Frozen):
    dir: Path = Path("./archive")
    base_url: Url = "http://localhost:8000/archive/"


class ServeSettings(_Frozen):
    # /metrics and the status page answer loopback clients only unless this is true (then every
    # client that reaches the port reads them); see crawler/app/web.py.
    public_metrics: bool = False


class DigestLimits(_Frozen):
    per_section: int = Field(10, ge=1)
    total: int = Field(40, ge=1)


class Settings(_Frozen):
    database: str = DEFAULT_DATABASE
    timezone: Zone = "Asia/Shanghai"
    user_agent: str = DEFAULT_USER_AGENT
    retention_days: int = Field(180, ge=1, le=36_500)  # a larger one overflows a date
    fetch_log_days: int = Field(30, ge=1, le=36_500)
    fetch: FetchSettings = FetchSettings()
    smtp: SmtpSettings = SmtpSettings()
    archive: ArchiveSettings = ArchiveSettings()
    serve: ServeSettings = ServeSettings()
    digest: DigestLimits = DigestLimits()
    unsubscribe_secret_env: str = "CITYDIGEST_SECRET"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


# --------------------------------------------------------------------------- sources.yaml


class ListSpec(_Frozen):
    url: Url
    links: Selector
    next: Selector | None = None
    max_pages: int = Field(5, ge=1, le=10_000)


class ExtractSpec(_Frozen):
    title: Selector | None = None
    body: Selector | None = None
    date: Selector | None = None
    drop: tuple[Selector, ...] = ()


class SourceTags(_Frozen):
    cities: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()


_COOKIE_NAME_RE = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_COOKIE_VALUE_RE = re.compile(r'^(?:"?[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*"?)$')


def _check_cookie_name(name: str) -> str:
    if not _COOKIE_NAME_RE.match(name):
        raise ValueError(f"{name!r} is not a cookie name (letters, digits and !#$%&'*+-.^_`|~)")
    return name


def _check_cookie_value(value: str) -> str:
    if not _COOKIE_VALUE_RE.match(value):
        raise ValueError(
            f"{value!r} is not a cookie value (no spaces, quotes inside, commas, semicolons, "
            "backslashes or non-ASCII; percent-encode them)"
        )
    return value


_CookieValue = Annotated[str, AfterValidator(_check_cookie_value)]


class SourceFetch(_Frozen):
    """Per-source overrides of the ``fetch:`` defaults."""

    per_host_concurrency: int | None = Field(None, ge=1, le=64)
    per_host_delay: float | None = Field(None, ge=0, le=3600)
    timeout: float | None = Field(None, gt=0, le=600)
    obey_robots: bool | None = None
    allow_private_networks: bool | None = None
    user_agent: str | None = None
    headers: Mapping[str, str] = Field(default_factory=dict)
    # Sent with every request of the source, e.g. the cookie a site's browser check sets
    # (cookies the site itself sets along the way are kept and sent back as well).
    cookies: Mapping[Annotated[str, AfterValidator(_check_cookie_name)], _CookieValue] = Field(
        default_factory=dict
    )
    proxy: Url | None = None

    def request_headers(self) -> dict[str, str]:
        """The extra headers of every request: ``headers``, and the cookies as ``Cookie``."""
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers


def _needs_discovery(item: Mapping[str, Any]) -> str | None:
    if not any(item.get(k) for k in ("feed", "list", "sitemap")):
        return "a source needs at least one of feed, list or sitemap"
    return None


class Source(_Frozen):
    id: Ident
    name: str = Field(min_length=1)
    feed: Url | None = None
    list: ListSpec | None = None
    sitemap: Url | None = None
    encoding: Annotated[str, AfterValidator(_check_charset)] | None = None
    extract: ExtractSpec | None = None
    interval: Duration = timedelta(hours=1)
    tags: SourceTags = SourceTags()
    fetch: SourceFetch = SourceFetch()

    @model_validator(mode="after")
    def _has_discovery(self) -> Source:
        if problem := _needs_discovery(self.model_dump()):
            raise ValueError(problem)
        return self

    def fetch_settings(self, defaults: FetchSettings) -> FetchSettings:
        """The fetch defaults with this source's overrides applied."""
        overrides = {
            k: v
            for k, v in self.fetch.model_dump().items()
            if v is not None and k in FetchSettings.model_fields
        }
        return defaults.model_copy(update=overrides)


# --------------------------------------------------------------------------- subscribers.yaml


class SubscriberFilter(_Frozen):
    cities: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    kinds: tuple[Literal["visit", "policy", "other"], ...] = ("visit", "policy", "other")


class Subscriber(_Frozen):
    id: Ident
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    name: str | None = None
    timezone: Zone | None = None
    send_at: Annotated[str, BeforeValidator(_check_time_of_day)] = "08:00"
    frequency: Literal["daily", "weekly"] = "daily"
    weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    script: Literal["simplified", "traditional"] = "simplified"
    filter: SubscriberFilter = SubscriberFilter()
    empty: Literal["skip", "send"] = "skip"

    @field_validator("send_at", mode="before")
    @classmethod
    def _time_as_string(cls, value: Any) -> Any:
        # YAML 1.1 reads an unquoted 08:00 as a sexagesimal integer (480).
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value // 60:02d}:{value % 60:02d}"
        return value


_ITEM_CHECKS = {"Source": (_needs_discovery,)}


class _ExtractRulesFile(_Frozen):
    domains: Mapping[str, ExtractSpec] = Field(default_factory=dict)


# --------------------------------------------------------------------------- the whole


class Config(_Frozen):
    """Everything the operator configured, validated."""

    dir: Path
    settings: Settings
    sources: tuple[Source, ...]
    subscribers: tuple[Subscriber, ...] = ()
    domain_rules: Mapping[str, ExtractSpec] = Field(default_factory=dict)
    taxonomy: Taxonomy = Field(default_factory=default_taxonomy)

    def source(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        raise KeyError(source_id)


def config_dir_from_env(given: str | os.PathLike[str] | None = None) -> Path:
    return Path(given or os.environ.get("CITYDIGEST_CONFIG") or "config")


# --------------------------------------------------------------------------- loading


class _Collector:
    """Collects problems across files so that the operator sees all of them at once."""

    def __init__(self) -> None:
        self.problems: list[ConfigProblem] = []

    def add(self, file: Path, line: int | None, path: str, message: str) -> None:
        self.problems.append(ConfigProblem(str(file), line, path, message))

    def read_yaml(self, path: Path) -> Any:
        """The file's content, or None after recording why it cannot be used (see
        :mod:`crawler.base.yamlfile`: nothing in a file may hang or crash the loader)."""
        try:
            return load_yaml(path)
        except ConfigError as exc:
            self.problems.extend(exc.problems)
        return None

    def validate(self, model: type[BaseModel], data: Any, path: Path) -> BaseModel | None:
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            self.add(
                path, _line(data, ()), "", f"expected a mapping at the top, found {_kind(data)}"
            )
            return None
        try:
            return model.model_validate(_plain(data))
        except ValidationError as exc:
            for error in exc.errors():
                loc = tuple(error["loc"])
                self.add(path, _line(data, loc), _dotted(loc), _message(error, model, loc))
            return None

    def validate_items(
        self, model: type[BaseModel], data: Any, key: str, path: Path
    ) -> tuple[Any, ...]:
        """Validate ``data[key]`` item by item, so one bad item hides no problem of another;
        then report duplicate ids."""
        if data is None:
            return ()
        if not isinstance(data, Mapping):
            self.add(
                path, _line(data, ()), "", f"expected a mapping at the top, found {_kind(data)}"
            )
            return ()
        for extra in data:
            if extra != key:
                self.add(
                    path,
                    _line(data, (extra,)),
                    str(extra),
                    f"unknown key {extra!r}; expected {key}",
                )
        items = data.get(key) or []
        if not isinstance(items, list):
            self.add(path, _line(data, (key,)), key, f"expected a list, found {_kind(items)}")
            return ()
        valid = []
        first_line: dict[str, tuple[int, int | None]] = {}
        for index, item in enumerate(items):
            item_id = item.get("id") if isinstance(item, Mapping) else None
            if isinstance(item_id, str):
                if item_id in first_line:
                    first, _ = first_line[item_id]
                    self.add(
                        path,
                        _line(data, (key, index, "id")),
                        f"{key}[{index}].id",
                        f"duplicate id {item_id!r} (first used by {key}[{first}])",
                    )
                else:
                    first_line[item_id] = (index, _line(data, (key, index)))
            if not isinstance(item, Mapping):
                self.add(
                    path,
                    _line(data, (key, index)),
                    f"{key}[{index}]",
                    f"expected a mapping, found {_kind(item)}",
                )
                continue
            try:
                valid.append(model.model_validate(_plain(item)))
            except ValidationError as exc:
                messages = []
                for error in exc.errors():
                    loc = (key, index, *error["loc"])
                    messages.append(_message(error, model, loc[2:]))
                    self.add(path, _line(data, loc), _dotted(loc), messages[-1])
                # Whole-item rules only run once the fields are valid: report them anyway.
                for check in _ITEM_CHECKS.get(model.__name__, ()):
                    problem = check(item)
                    if problem and problem not in messages:
                        self.add(path, _line(data, (key, index)), f"{key}[{index}]", problem)
        return tuple(valid)


def _plain(node: Any) -> Any:
    if isinstance(node, Mapping):
        return {str(k) if not isinstance(k, str) else k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {_short(value)}"


def _line(node: Any, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the deepest part of ``loc`` found in the ruamel tree."""
    line: int | None = None
    if isinstance(node, CommentedMap | CommentedSeq) and node.lc.line is not None:
        line = node.lc.line + 1
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
        else:
            break
    return line


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after", "function-before") or str(part).startswith(
            ("function-", "constrained-", "lax-")
        ):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys a model accepts at the mapping that holds ``loc``'s last part."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        current = _model_in(field.annotation)
        if current is None:
            return []
    fields = getattr(current, "model_fields", {})
    return [f.alias or name for name, f in fields.items()]


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _message(error: Mapping[str, Any], model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    kind = error["type"]
    found = error.get("input")
    if kind == "extra_forbidden":
        allowed = _fields_at(model, loc)
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        if close:
            return f"unknown key {loc[-1]!r}; did you mean {close[0]!r}?"
        hint = f"; expected one of: {', '.join(allowed)}" if allowed else ""
        return f"unknown key {loc[-1]!r}{hint}"
    if kind == "missing":
        return "required key is missing"
    if kind == "string_pattern_mismatch" and loc and loc[-1] == "id":
        return f"expected an id of lower-case letters, digits and '-', found {found!r}"
    if kind == "string_pattern_mismatch" and loc and loc[-1] == "email":
        return f"expected an e-mail address, found {found!r}"
    msg = str(error["msg"])
    msg = msg.removeprefix("Value error, ")
    if kind.startswith(("value_error", "assertion_error")):
        return msg
    return f"{msg[0].lower()}{msg[1:]}, found {_kind(found)}"


def load_config(directory: str | os.PathLike[str] | None = None) -> Config:
    """Read and validate the config directory; raise ConfigError naming every problem."""
    root = config_dir_from_env(directory)
    collector = _Collector()
    if not root.is_dir():
        raise ConfigError([ConfigProblem(str(root), None, "", "config directory not found")])

    settings_path = root / "citydigest.yaml"
    settings_data = collector.read_yaml(settings_path) if _exists(settings_path) else {}
    settings = collector.validate(Settings, settings_data, settings_path)
    if isinstance(settings, Settings):
        _check_secret(collector, settings, settings_data, settings_path)

    sources_path = root / "sources.yaml"
    sources: tuple[Source, ...] = ()
    if not _exists(sources_path):
        collector.add(sources_path, None, "", "file not found: every config needs sources.yaml")
    else:
        sources_data = collector.read_yaml(sources_path)
        sources = collector.validate_items(Source, sources_data, "sources", sources_path)

    subscribers: tuple[Subscriber, ...] = ()
    subscribers_path = root / "subscribers.yaml"
    if _exists(subscribers_path):
        subs_data = collector.read_yaml(subscribers_path)
        subscribers = collector.validate_items(
            Subscriber, subs_data, "subscribers", subscribers_path
        )

    domain_rules: Mapping[str, ExtractSpec] = {}
    rules_path = root / "extract-rules.yaml"
    if _exists(rules_path):
        parsed_rules = collector.validate(
            _ExtractRulesFile, collector.read_yaml(rules_path), rules_path
        )
        if isinstance(parsed_rules, _ExtractRulesFile):
            domain_rules = parsed_rules.domains

    taxonomy = _load_taxonomy(collector, root / "taxonomy")

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
    )


def _exists(path: Path) -> bool:
    """Whether ``path`` is there; True when it cannot be told (EACCES on the folder), so that
    reading it reports why."""
    try:
        return path.exists()
    except OSError:
        return True


# digests.unsubscribe refuses shorter keys: every unsubscribe request would fail (HTTP 500).
_MIN_SECRET_BYTES = 16


def _check_secret(collector: _Collector, settings: Settings, data: Any, path: Path) -> None:
    """The unsubscribe secret lives in the environment (never in a file), under the name
    ``unsubscribe_secret_env`` gives; unset is allowed (links are refused or made with a
    throwaway key), too short is not."""
    name = settings.unsubscribe_secret_env
    value = os.environ.get(name, "") if name else ""
    size = len(value.encode("utf-8", "surrogateescape"))
    if 0 < size < _MIN_SECRET_BYTES:
        collector.add(
            path,
            _line(data, ("unsubscribe_secret_env",)),
            "unsubscribe_secret_env",
            f"${name} is {size} bytes long; the unsubscribe secret needs at least "
            f"{_MIN_SECRET_BYTES}: set it to a long random string, such as the output of "
            "python -c 'import secrets; print(secrets.token_urlsafe(32))'",
        )


def _load_taxonomy(collector: _Collector, folder: Path) -> Taxonomy | None:
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
            collector.add(path, _line(data, ()), "", f"expected a mapping, found {_kind(data)}")
            continue
        parsed[path.name] = data or {}
    try:
        merged = merge_taxonomy_files({k: _plain(v) for k, v in parsed.items()})
    except ValueError as exc:
        collector.add(folder, None, "", str(exc))
        return None
    try:
        return Taxonomy.model_validate(merged)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            path, line = _taxonomy_location(parsed, files, loc, folder)
            collector.add(path, line, _dotted(loc), _message(error, Taxonomy, loc))
        return None


def _taxonomy_location(
    parsed: Mapping[str, Any], files: list[Path], loc: tuple[Any, ...], folder: Path
) -> tuple[Path, int | None]:
    """Find which taxonomy file holds the top-level key of ``loc``."""
    for path in files:
        data = parsed.get(path.name)
        if isinstance(data, Mapping) and loc and loc[0] in data:
            return path, _line(data, loc)
    return folder, None
