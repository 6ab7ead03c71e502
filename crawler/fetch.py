"""HTTP for the crawler: one place that talks to servers, politely.

A :class:`Fetcher` is opened once per command (``async with Fetcher(...)``) and closed with it.
It keeps one ``httpx.AsyncClient`` per host (cheaper in CPU than one shared pool), and per host a
:class:`_Slot` that bounds concurrency, spaces requests by the configured delay (or robots.txt's
``Crawl-delay``, whichever is longer), backs off after 429/503 ``Retry-After``, and holds the
host's parsed robots.txt. Bodies are streamed and cut off at ``max_bytes`` (counted after
decompression), each request has a total deadline, and hosts that resolve to private addresses
are refused unless ``allow_private_networks``.

No other stage reads status codes: callers get a :class:`FetchResult` that answers
``is_modified`` and ``final_url``, or a :class:`~crawler.errors.FetchError` subclass. Every
exchange, successful or not, is reported to ``on_record`` as a :class:`FetchRecord`.
"""

from __future__ import annotations

__all__ = ["FetchRecord", "FetchResult", "Fetcher", "Validators"]

import asyncio
import hashlib
import ipaddress
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx
from protego import Protego

from crawler.config import FetchSettings
from crawler.encoding import Decoded, decode_bytes
from crawler.errors import (
    BlockedAddress,
    BodyTooLarge,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    RobotsDisallowed,
    RobotsUnavailable,
)

ROBOTS_TTL = 24 * 3600.0  # seconds a parsed robots.txt is trusted
ROBOTS_RETRY = 600.0  # seconds before retrying an unreadable robots.txt
MAX_RETRY_AFTER = 3600.0


@dataclass(frozen=True)
class Validators:
    """What we know of a URL's last version, for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None


@dataclass(frozen=True)
class FetchRecord:
    """One exchange, for the fetch log and per-source health."""

    url: str
    status: int | None
    bytes: int
    duration_ms: int
    error: str | None
    source_id: str | None = None


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


@dataclass
class _Slot:
    """Politeness state of one host."""

    concurrency: int
    delay: float
    semaphore: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_at: float = 0.0
    robots: Protego | None = None
    robots_error: str | None = None
    robots_until: float = 0.0
    robots_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    crawl_delay: float = 0.0


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, min(when.timestamp() - time.time(), MAX_RETRY_AFTER))


def _slot_key(url: str) -> str:
    """Politeness is per server: host, plus the port when it is not the scheme's default."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


def _blocked(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


class Fetcher:
    """Polite, bounded HTTP GETs; see the module docstring.

    ``transport`` replaces the network (a WARC replay, ``httpx.MockTransport`` in tests).
    ``resolve`` replaces DNS for the private-network guard (tests).
    """

    def __init__(
        self,
        settings: FetchSettings,
        *,
        user_agent: str,
        transport: httpx.AsyncBaseTransport | None = None,
        on_record: Callable[[FetchRecord], None] | None = None,
    ) -> None:
        self.settings = settings
        self.user_agent = user_agent
        self._transport = transport
        self._on_record = on_record
        self._clients: dict[tuple[str, str | None], httpx.AsyncClient] = {}
        self._slots: dict[str, _Slot] = {}
        self._resolved: dict[str, bool] = {}
        self._closed = False

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        self._closed = True
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()

    # ------------------------------------------------------------------ public

    async def get(
        self,
        url: str,
        *,
        settings: FetchSettings | None = None,
        source_id: str | None = None,
        validators: Validators | None = None,
        headers: Mapping[str, str] | None = None,
        user_agent: str | None = None,
        proxy: str | None = None,
    ) -> FetchResult:
        """GET ``url`` politely; raise a FetchError subclass on any failure."""
        settings = settings or self.settings
        host = _slot_key(url)
        started = time.monotonic()
        status: int | None = None
        size = 0
        try:
            await self._guard(url, settings)
            slot = self._slot(host, settings)
            if settings.obey_robots:
                await self._check_robots(url, slot, settings, user_agent, proxy)
            async with slot.semaphore:
                await self._wait_turn(slot)
                result = await self._request(
                    url, settings, validators, headers, user_agent, proxy, slot
                )
            status, size = result.status, len(result.content)
            self._record(url, status, size, started, None, source_id)
            return result
        except FetchError as exc:
            exc.source_id = exc.source_id or source_id
            status = status or getattr(exc, "status", None)
            self._record(url, status, size, started, exc.reason, source_id)
            raise

    # ------------------------------------------------------------------ politeness

    def _slot(self, host: str, settings: FetchSettings) -> _Slot:
        slot = self._slots.get(host)
        if slot is None:
            slot = _Slot(
                concurrency=settings.per_host_concurrency,
                delay=settings.per_host_delay,
                semaphore=asyncio.Semaphore(settings.per_host_concurrency),
            )
            self._slots[host] = slot
        elif settings.per_host_delay > slot.delay:
            # Sources sharing a host share its slot; the most polite setting wins.
            slot.delay = settings.per_host_delay
        return slot

    async def _wait_turn(self, slot: _Slot) -> None:
        async with slot.lock:
            now = time.monotonic()
            wait = slot.next_at - now
            if wait > 0:
                await asyncio.sleep(wait)
                now = time.monotonic()
            slot.next_at = now + max(slot.delay, slot.crawl_delay)

    def _back_off(self, slot: _Slot, seconds: float) -> None:
        slot.next_at = max(slot.next_at, time.monotonic() + seconds)

    async def _check_robots(
        self,
        url: str,
        slot: _Slot,
        settings: FetchSettings,
        user_agent: str | None,
        proxy: str | None,
    ) -> None:
        agent = user_agent or self.user_agent
        async with slot.robots_lock:
            if time.monotonic() >= slot.robots_until:
                await self._load_robots(url, slot, settings, agent, proxy)
        if slot.robots_error:
            raise RobotsUnavailable(f"robots.txt unavailable, try later: {slot.robots_error}", url=url)
        if slot.robots is not None and not slot.robots.can_fetch(url, agent):
            raise RobotsDisallowed("robots.txt disallows this URL", url=url)

    async def _load_robots(
        self, url: str, slot: _Slot, settings: FetchSettings, agent: str, proxy: str | None
    ) -> None:
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        slot.robots, slot.robots_error = None, None
        try:
            async with slot.semaphore:
                await self._wait_turn(slot)
                result = await self._request(robots_url, settings, None, None, agent, proxy, slot)
        except HTTPStatusError as exc:
            if 400 <= exc.status < 500 and exc.status != 429:
                slot.robots_until = time.monotonic() + ROBOTS_TTL  # no robots.txt: allowed
            else:
                slot.robots_error = f"HTTP {exc.status}"
                slot.robots_until = time.monotonic() + ROBOTS_RETRY
            return
        except FetchError as exc:
            slot.robots_error = exc.reason
            slot.robots_until = time.monotonic() + ROBOTS_RETRY
            return
        text = result.decode().text
        slot.robots = Protego.parse(text)
        delay = slot.robots.crawl_delay(agent)
        slot.crawl_delay = min(float(delay), 60.0) if delay else 0.0
        slot.robots_until = time.monotonic() + ROBOTS_TTL

    # ------------------------------------------------------------------ safety

    async def _guard(self, url: str, settings: FetchSettings) -> None:
        """Refuse hosts that resolve to loopback/private/link-local/multicast addresses."""
        if settings.allow_private_networks or self._transport is not None:
            return
        host = urlsplit(url).hostname or ""
        if host in self._resolved:
            if self._resolved[host]:
                raise BlockedAddress(f"{host} resolves to a private address", url=url)
            return
        try:
            ipaddress.ip_address(host)
            addresses = [host]
        except ValueError:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(
                    host, None, type=socket.SOCK_STREAM
                )
            except OSError as exc:
                raise FetchError(f"cannot resolve {host}: {exc}", url=url) from exc
            addresses = [info[4][0] for info in infos]
        blocked = any(_blocked(a) for a in addresses)
        self._resolved[host] = blocked
        if blocked:
            raise BlockedAddress(
                f"{host} resolves to a private address ({', '.join(sorted(set(addresses)))}); "
                "set fetch.allow_private_networks to allow it",
                url=url,
            )

    # ------------------------------------------------------------------ the exchange

    def _client(self, host: str, settings: FetchSettings, proxy: str | None) -> httpx.AsyncClient:
        key = (host, proxy)
        client = self._clients.get(key)
        if client is None:
            limits = httpx.Limits(
                max_connections=settings.per_host_concurrency + 1,
                max_keepalive_connections=settings.per_host_concurrency + 1,
            )
            timeout = httpx.Timeout(settings.timeout)
            if self._transport is not None:
                client = httpx.AsyncClient(
                    transport=self._transport, timeout=timeout, follow_redirects=False
                )
            else:
                client = httpx.AsyncClient(
                    http2=True,
                    limits=limits,
                    timeout=timeout,
                    follow_redirects=False,
                    proxy=proxy,
                )
            self._clients[key] = client
        return client

    async def _request(
        self,
        url: str,
        settings: FetchSettings,
        validators: Validators | None,
        extra_headers: Mapping[str, str] | None,
        user_agent: str | None,
        proxy: str | None,
        slot: _Slot,
    ) -> FetchResult:
        if self._closed:
            raise FetchError("the fetcher is closed", url=url)
        headers = {
            "User-Agent": user_agent or self.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.6",
            **(extra_headers or {}),
        }
        if validators and validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators and validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        started = time.monotonic()
        try:
            async with asyncio.timeout(settings.timeout):
                final_url, response, content = await self._follow(
                    url, settings, headers, proxy
                )
        except TimeoutError as exc:
            raise FetchTimeout(f"no complete response within {settings.timeout:g} s", url=url) from exc
        except httpx.TimeoutException as exc:
            raise FetchTimeout(f"timed out ({type(exc).__name__})", url=url) from exc
        except httpx.InvalidURL as exc:
            raise FetchError(f"invalid URL: {exc}", url=url) from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"{type(exc).__name__}: {exc or 'connection failed'}", url=url) from exc
        elapsed = time.monotonic() - started
        status = response.status_code
        if status == 304:
            return FetchResult(url, final_url, status, response.headers, b"", elapsed, True)
        if status in (429, 503):
            self._back_off(slot, _retry_after(response.headers) or max(slot.delay, 5.0) * 4)
        if status >= 400:
            raise HTTPStatusError(f"HTTP {status}", status=status, url=url)
        if status >= 300:
            raise FetchError(f"HTTP {status} without a usable Location", url=url)
        result = FetchResult(url, final_url, status, response.headers, content, elapsed)
        if validators and validators.body_hash and validators.body_hash == result.body_hash:
            # Some servers send a fresh ETag for the same bytes: same hash means not modified.
            return FetchResult(url, final_url, 304, response.headers, b"", elapsed, True)
        return result

    async def _follow(
        self,
        url: str,
        settings: FetchSettings,
        headers: dict[str, str],
        proxy: str | None,
    ) -> tuple[str, httpx.Response, bytes]:
        current = url
        for _hop in range(settings.max_redirects + 1):
            await self._guard(current, settings)
            client = self._client(_slot_key(current), settings, proxy)
            async with client.stream("GET", current, headers=headers) as response:
                if response.is_redirect and "location" in response.headers:
                    current = str(response.url.join(response.headers["location"]))
                    continue
                content = await self._read(response, settings, current)
                return current, response, content
        raise FetchError(f"more than {settings.max_redirects} redirects", url=url)

    async def _read(self, response: httpx.Response, settings: FetchSettings, url: str) -> bytes:
        if response.status_code >= 300:
            return b""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > settings.max_bytes:
            raise BodyTooLarge(
                f"body of {int(declared):,} bytes exceeds max_bytes {settings.max_bytes:,}", url=url
            )
        chunks: list[bytes] = []
        total = 0
        async for chunk in response.aiter_bytes():
            total += len(chunk)
            if total > settings.max_bytes:
                raise BodyTooLarge(
                    f"body exceeds max_bytes {settings.max_bytes:,} (after decompression)", url=url
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _record(
        self,
        url: str,
        status: int | None,
        size: int,
        started: float,
        error: str | None,
        source_id: str | None,
    ) -> None:
        if self._on_record is not None:
            duration = int((time.monotonic() - started) * 1000)
            self._on_record(FetchRecord(url, status, size, duration, error, source_id))
