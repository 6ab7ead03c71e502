"""What a fetch gives back, and what a response's headers ask of us.

The values other stages hold (:class:`FetchResult`, the :class:`Validators` of a conditional
GET, the :class:`FetchRecord` of every ``get``) live here, apart from the :class:`Fetcher
<crawler.fetch.client.Fetcher>` that makes them, so that the store and the pipeline name them
without the machinery. So does the one reading of the headers that name a wait
(:func:`header_seconds`: ``Retry-After``, ``Expires``), shared by the fetcher's back-off after
429/503 (:func:`retry_after`) and the scheduler's caching hint (:func:`cache_hint`).
"""

from __future__ import annotations

__all__ = [
    "MAX_RETRY_AFTER",
    "FetchRecord",
    "FetchResult",
    "Validators",
    "cache_hint",
    "header_seconds",
    "retry_after",
]

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx

from crawler.base.models import utcnow
from crawler.fetch.encoding import Decoded, decode_bytes

MAX_RETRY_AFTER = 3600.0  # a longer Retry-After is read as this


@dataclass(frozen=True)
class Validators:
    """What we know of a URL's last version, for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None


@dataclass(frozen=True)
class FetchRecord:
    """One exchange, for the fetch log and per-source health; ``at``: when it ended (the log is
    written in batches, later)."""

    url: str
    status: int | None
    bytes: int
    duration_ms: int
    error: str | None
    source_id: str | None = None
    at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class FetchResult:
    url: str
    final_url: str
    status: int
    headers: httpx.Headers
    content: bytes
    elapsed: float
    not_modified: bool = False

    @property
    def is_modified(self) -> bool:
        return not self.not_modified

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset":
                return value.strip().strip("\"'") or None
        return None

    @property
    def body_hash(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def validators(self) -> Validators:
        return Validators(
            etag=self.headers.get("etag"),
            last_modified=self.headers.get("last-modified"),
            body_hash=self.body_hash,
        )

    def decode(self, forced: str | None = None) -> Decoded:
        return decode_bytes(self.content, header_charset=self.charset, forced=forced)


def header_seconds(value: str, now: datetime) -> float | None:
    """Seconds from ``now`` that a ``Retry-After`` or ``Expires`` value names: delta-seconds or
    an HTTP-date (one without a zone read as UTC); negative for a date past, None for anything
    else (a value in digits of other scripts, which ``str.isdigit`` takes and ``float`` does
    not, is "anything else" too)."""
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - now).total_seconds()


def retry_after(headers: httpx.Headers) -> float | None:
    """The seconds a 429 or 503 asks us to wait, within 0 and :data:`MAX_RETRY_AFTER`; None
    without a readable ``Retry-After``."""
    value = headers.get("retry-after")
    if not value:
        return None
    seconds = header_seconds(value, datetime.now(UTC))
    return None if seconds is None else max(0.0, min(seconds, MAX_RETRY_AFTER))


def cache_hint(headers: Mapping[str, str], now: datetime) -> timedelta | None:
    """How long the server asks us to wait: the longest of ``Retry-After``,
    ``Cache-Control: max-age`` (``s-maxage``) and ``Expires``; ``None`` if it gives none."""
    lowered = {k.lower(): v for k, v in headers.items()}
    waits: list[timedelta] = []
    for directive in lowered.get("cache-control", "").split(","):
        name, _, value = directive.strip().partition("=")
        if name.strip().lower() in ("max-age", "s-maxage") and value.strip().isdigit():
            waits.append(timedelta(seconds=int(value.strip())))
    for name in ("retry-after", "expires"):
        raw = lowered.get(name, "").strip()
        if raw and (seconds := header_seconds(raw, now)) is not None:
            waits.append(timedelta(seconds=seconds))
    positive = [w for w in waits if w > timedelta(0)]
    return max(positive) if positive else None
