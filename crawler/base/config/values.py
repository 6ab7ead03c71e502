"""The value types the config files share, each checked where it is read.

Durations (``30m``, ``1h30m``, ``2d``), http(s) URLs, database URLs, CSS selectors, IANA time
zones, charsets, local times of day and ids: the models of :mod:`~crawler.base.config.settings`,
:mod:`~crawler.base.config.sources` and :mod:`~crawler.base.config.subscribers` are built from
them, so a bad value is refused with the same words in every file. :class:`Frozen` is their
common base: immutable, and an unknown key is an error rather than ignored.
"""

from __future__ import annotations

__all__ = [
    "Charset",
    "DatabaseUrl",
    "Duration",
    "Frozen",
    "Ident",
    "Selector",
    "TimeOfDay",
    "Url",
    "Zone",
    "parse_duration",
    "short_repr",
]

import difflib
import re
from datetime import timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from selectolax.lexbor import LexborHTMLParser, SelectolaxError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from crawler.base.charsets import normalize_charset

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
                f"expected a duration such as 30m, 1h, 1h30m or 1d, found {short_repr(value)}"
            )
        if any(len(g or "") > 12 for g in match.groups()):  # int() refuses 4,300 digits
            raise ValueError(f"expected a duration of at most 365d, found {short_repr(value)}")
        d, h, m, s = (int(g or 0) for g in match.groups())
        seconds = ((d * 24 + h) * 60 + m) * 60 + s
    if not seconds > 0:  # also NaN
        raise ValueError(f"expected a positive duration, found {short_repr(value)}")
    if seconds > _MAX_DURATION.total_seconds():
        raise ValueError(f"expected a duration of at most 365d, found {short_repr(value)}")
    return timedelta(seconds=seconds)


def short_repr(value: Any) -> str:
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


# The stores citydigest runs on (its migrations and queries are written for these two).
_DATABASES = ("sqlite", "postgresql")
_DATABASE_EXAMPLE = "sqlite:///data/citydigest.db or postgresql://user@host/dbname"


def _check_database_url(value: str) -> str:
    """A URL SQLAlchemy can load, of a store citydigest runs on: checked here, where the
    operator wrote it, rather than failing every command later with a traceback."""
    try:
        url = make_url(value)
    except (ArgumentError, ValueError):
        raise ValueError(
            f"expected a database URL such as {_DATABASE_EXAMPLE}, found {short_repr(value)}"
        ) from None
    backend = url.get_backend_name()
    if url.drivername.split("+")[0] == "postgres":  # libpq's and Heroku's spelling
        fixed = url.set(drivername="postgresql" + url.drivername[len("postgres") :])
        shown = fixed.render_as_string(hide_password=True)
        raise ValueError(
            f"SQLAlchemy does not accept the scheme 'postgres://'; write {short_repr(shown)}"
        )
    if backend not in _DATABASES:
        raise ValueError(
            f"expected a SQLite or PostgreSQL URL such as {_DATABASE_EXAMPLE}, "
            f"found {short_repr(url.render_as_string(hide_password=True))}"
        )
    try:
        url.get_dialect()
    except NoSuchModuleError:
        raise ValueError(
            f"SQLAlchemy has no driver {url.drivername!r}; write {backend}:// "
            f"(as in {_DATABASE_EXAMPLE})"
        ) from None
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
            "expected a charset such as gbk, gb2312, big5 or utf-8, "
            f"found {short_repr(value)}{hint}"
        )
    return value


def _check_time_of_day(value: str) -> str:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", str(value)):
        raise ValueError(f'expected a local time "HH:MM" such as "08:00", found {value!r}')
    return str(value)


Url = Annotated[str, AfterValidator(_check_url)]
DatabaseUrl = Annotated[str, AfterValidator(_check_database_url)]
Selector = Annotated[str, AfterValidator(_check_selector)]
Zone = Annotated[str, AfterValidator(_check_zone)]
Charset = Annotated[str, AfterValidator(_check_charset)]
TimeOfDay = Annotated[str, BeforeValidator(_check_time_of_day)]
Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
Ident = Annotated[str, Field(pattern=r"^[a-z0-9-]+$", min_length=1, max_length=64)]


class Frozen(BaseModel):
    """The base of every config model: immutable, unknown keys refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")
