"""HTTP for the crawler: one place that talks to servers, politely.

A :class:`Fetcher` is opened once per command (``async with Fetcher(...)``) and closed with it.
It keeps one httpx transport (a connection pool) per host and proxy, cheaper in CPU than one
shared pool, and sends to it directly: redirects, decompression and limits are done here, so an
``httpx.AsyncClient`` above it would only add its request merging and cookie bookkeeping (a
seventh of the crawl's own CPU in the benchmark). Per host and proxy it also keeps the cookies
servers set (:class:`~crawler.fetch.cookies.CookieJar`: as their bytes, within a browser's bounds),
sent back with later requests as a client would. A host's connections unused for
:data:`IDLE_ROUTE_SECONDS` are closed, so that a crawl over many hosts does not hold a socket for
each until it ends. Per host a :class:`~crawler.fetch.hosts.Slot` bounds concurrency, spaces
requests, backs off after 429/503 and holds the host's parsed robots.txt. The slots live in a
:class:`~crawler.fetch.hosts.HostStates`, which a long-running process (the daemon, a distributed
worker) keeps across its crawl passes: robots.txt is then read once per
:data:`~crawler.fetch.hosts.ROBOTS_TTL`, not once per pass, and a host's back-off, throttled delay
and concurrency bound hold across passes (concurrent ones included), not only within one.

Politeness, per host (``host:port``):

* at most ``per_host_concurrency`` requests in flight;
* consecutive request starts at least ``delay`` apart, where ``delay`` is the larger of robots.txt's
  ``Crawl-delay`` (capped at 60 s) and the *throttled delay*;
* the throttled delay follows the server's latency (AutoThrottle): after each response whose
  headers took ``L`` seconds, ``target = L / per_host_concurrency`` (the spacing that keeps on
  average ``per_host_concurrency`` requests in flight) and
  ``delay = clamp((delay + target) / 2, floor, 60 s)``, where the floor is the configured
  ``per_host_delay`` (the most polite one when sources share a host). Error responses and
  timeouts may only raise the delay, never lower it;
* a 429 or 503 holds the host's next request back for ``Retry-After`` seconds (or 4 × max(delay,
  5 s) without one); other hosts are unaffected. A host that asks for more than
  :data:`MAX_POLITE_WAIT` seconds is not waited for: its requests fail at once with a
  :class:`~crawler.base.errors.FetchError` saying so, and the next run tries again;
* robots.txt (protego; its first :data:`ROBOTS_MAX_BYTES`) is read once per host and trusted for
  :data:`ROBOTS_TTL`; a 4xx (not 429) means "everything allowed", a 5xx, 429, timeout or network
  error means "try later" (:class:`~crawler.base.errors.RobotsUnavailable` for every URL on the host
  for :data:`ROBOTS_RETRY` seconds);
* a redirect hop is held to the robots.txt of where it leads and, on another host, to that
  host's spacing (:meth:`Fetcher._hop`);
* a host that did not answer :data:`~crawler.fetch.hosts.HOST_DOWN_AFTER` requests in a row (no
  connection, or no whole response within the deadline) is not asked for
  :data:`~crawler.fetch.hosts.HOST_DOWN_SECONDS`: its requests fail at once with
  :class:`~crawler.base.errors.HostUnreachable`.

Robustness: each request has a total deadline (``timeout``, slow-drip bodies included); at most
``max_redirects`` hops, loops included (an HTML redirect stub's ``<meta http-equiv="refresh">``
is a hop too, see :func:`_meta_refresh`); bodies are read raw and decompressed here
(:mod:`crawler.fetch.decompress`), incrementally and in bounded pieces, so a gzip, deflate or brotli
bomb is cut off at ``max_bytes`` of *decoded* bytes without ever holding more than a piece past
it; an empty 200 is an error. Unless ``allow_private_networks``, only public addresses are
connected to (:func:`crawler.fetch.addresses.is_public`): every hop's host is resolved first and
refused, before robots.txt or any connection, when any of its addresses is not public; then
each connection resolves the host once more, checks the answer again and connects to exactly
the addresses it checked (:mod:`crawler.fetch.sockets`), so a DNS server that answers a public
address to the first look and 127.0.0.1 to the next (DNS rebinding) gets no connection. Through a
proxy only the first look is ours: the proxy's own address is the operator's business, and it
resolves the host itself. The guard is skipped when a ``transport`` is injected: there is no
network.

Conditional GET: :class:`Validators` send ``If-None-Match``/``If-Modified-Since``; a 304, or a 200
whose body hashes to the stored ``body_hash`` (servers with stale ETags), is "not modified".

No other stage reads status codes: callers get a :class:`FetchResult` that answers
``is_modified`` and ``final_url``, or a :class:`~crawler.base.errors.FetchError` subclass. Every
``get``, successful or not, is reported to ``on_record`` as one :class:`FetchRecord`, and every
complete exchange (redirect hops included) to ``archive`` (the WARC writer).
"""

from __future__ import annotations

__all__ = [
    "MAX_POLITE_WAIT",
    "ROBOTS_RETRY",
    "ArchiveHook",
    "FetchRecord",
    "FetchResult",
    "Fetcher",
    "Validators",
    "cache_hint",
]

import asyncio
import contextlib
import functools
import hashlib
import ipaddress
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx
from protego import Protego
from w3lib.html import get_meta_refresh

from crawler.base.config import FetchSettings
from crawler.base.errors import (
    BlockedAddress,
    BodyTooLarge,
    ConnectFailed,
    FetchError,
    FetchTimeout,
    HostUnreachable,
    HTTPStatusError,
    RobotsDisallowed,
    RobotsUnavailable,
)
from crawler.fetch.addresses import is_public
from crawler.fetch.cookies import CookieJar
from crawler.fetch.decompress import ACCEPT_ENCODING, CorruptBody, DecodedTooLarge, Decompressor
from crawler.fetch.encoding import Decoded, decode_bytes
from crawler.fetch.hosts import HOST_DOWN_AFTER, ROBOTS_TTL, HostStates, Slot, slot_key
from crawler.fetch.sockets import use_asyncio
from crawler.fetch.urls import url_problem

# Called with every complete exchange, redirect hops included: the request, the response (its
# headers as received) and the body as it came off the wire (Content-Encoding still applied,
# transfer chunking removed; empty for redirects). The WARC writer's hook.
ArchiveHook = Callable[[httpx.Request, httpx.Response, bytes], None]

ROBOTS_RETRY = 600.0  # seconds before retrying an unreadable robots.txt
ROBOTS_MAX_BYTES = 500 * 1024  # how much of a robots.txt is read (RFC 9309 section 2.5)
# A <meta http-equiv="refresh"> within the first META_REFRESH_SNIFF bytes of an HTML page, to
# another URL after at most META_REFRESH_MAX_DELAY seconds, is followed like a redirect (Scrapy's
# bound; a longer one is the page reloading itself, not a redirect stub).
META_REFRESH_SNIFF = 4096
META_REFRESH_MAX_DELAY = 100.0
MAX_RETRY_AFTER = 3600.0  # a longer Retry-After is read as this
MAX_POLITE_WAIT = 60.0  # a host that asks to wait longer fails its requests instead
MAX_CRAWL_DELAY = 60.0
IDLE_ROUTE_SECONDS = 30.0  # a host's connections unused this long are closed


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
class _Route:
    """The way to one host (through one proxy): its transport (None once closed for idleness,
    see :meth:`Fetcher._close_idle`; a new one is made when the host is asked again) and the
    cookies it set, which outlive its transports."""

    transport: httpx.AsyncBaseTransport | None
    cookies: CookieJar = field(default_factory=CookieJar)
    busy: int = 0  # exchanges under way
    used: float = field(default_factory=time.monotonic)  # when the last one ended

    @contextlib.contextmanager
    def in_use(self) -> Iterator[httpx.AsyncBaseTransport]:
        assert self.transport is not None
        self.busy += 1
        try:
            yield self.transport
        finally:
            self.busy -= 1
            self.used = time.monotonic()


def _header_items(
    headers: dict[str, str], cookies: CookieJar, url: str
) -> list[tuple[str, str | bytes]]:
    """``headers`` and, unless the source sends a Cookie header of its own, the cookies servers
    set on this route for ``url``. A value that is not ASCII goes as its UTF-8 bytes, as a
    browser sends it back: an ETag or Last-Modified in Chinese (echoed in If-None-Match,
    If-Modified-Since) gets its own bytes, where httpx would raise UnicodeEncodeError and fail
    every later request to the host (for a stored validator, every later run)."""
    items: list[tuple[str, str | bytes]] = [
        (name, value if value.isascii() else value.encode("utf-8"))
        for name, value in headers.items()
    ]
    if not any(name.lower() == "cookie" for name in headers) and (cookie := cookies.header(url)):
        items.append(("Cookie", cookie))
    return items


@functools.cache
def _timeout(seconds: float) -> dict[str, float | None]:
    """A request's ``timeout`` extension (connect, read, write and pool) for httpx transports."""
    return httpx.Timeout(seconds).as_dict()


@dataclass
class _Exchange:
    final_url: str
    response: httpx.Response
    content: bytes
    latency: float


# --------------------------------------------------------------------------- helpers


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, min(when.timestamp() - time.time(), MAX_RETRY_AFTER))


def _check_url(url: str, *, redirected_from: str | None = None) -> None:
    """Raise FetchError for a URL no request can go to (a redirect can point anywhere: mailto:,
    file:, http://host:99999/)."""
    problem = url_problem(url)
    if problem is not None:
        if redirected_from is None:
            raise FetchError(f"invalid URL: {problem}", url=url)
        raise FetchError(f"redirect to an unusable URL {url!r}: {problem}", url=redirected_from)


def _check_answering(slot: Slot, url: str) -> None:
    if (wait := slot.down_for()) > 0:
        raise HostUnreachable(
            f"not asked: the host did not answer {HOST_DOWN_AFTER} requests in a row (the last: "
            f"{slot.down_because}); it is asked again in {wait:.0f} s",
            url=url,
        )


def _meta_refresh(response: httpx.Response, content: bytes, url: str) -> str | None:
    """Where an HTML page's ``<meta http-equiv="refresh">`` sends the reader, when the page is a
    redirect stub (common on Chinese government sites: a site's front page or a reposted
    article that forwards to the original); None for every other page. Only the page's head is
    looked at, and only when it says "refresh"."""
    if response.status_code != 200 or "html" not in response.headers.get("content-type", "html"):
        return None
    sniff = META_REFRESH_SNIFF  # two plain searches: a case-blind regex costs 5 times more
    if content.find(b"efresh", 0, sniff) < 0 and content.find(b"EFRESH", 0, sniff) < 0:
        return None
    head = content[:META_REFRESH_SNIFF].decode("utf-8", "replace")
    delay, target = get_meta_refresh(head, url)
    if target is None or delay is None or delay > META_REFRESH_MAX_DELAY:
        return None
    target = target.split("#", 1)[0]
    if target == url or url_problem(target) is not None:  # a reload; javascript:, mailto: …
        return None
    return target


def _robots_text(result: FetchResult) -> str:
    """robots.txt as text, to its last whole line within :data:`ROBOTS_MAX_BYTES`: RFC 9309
    lets a crawler stop there (Google does), and parsing megabytes of it (an HTML page served as
    robots.txt, say) would only cost time."""
    content = result.content
    if len(content) > ROBOTS_MAX_BYTES:
        content = content[:ROBOTS_MAX_BYTES].rpartition(b"\n")[0]
    return replace(result, content=content).decode().text


def _guarded(settings: FetchSettings, proxy: str | None) -> bool:
    """Whether a route's connections are held to public addresses (see the module docstring)."""
    return not settings.allow_private_networks and proxy is None


def _peer_address(response: httpx.Response) -> str | None:
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    try:
        peer = stream.get_extra_info("server_addr")
    except Exception:  # a transport without the info: nothing to check
        return None
    return str(peer[0]) if peer else None


class Fetcher:
    """Polite, bounded HTTP GETs; see the module docstring.

    **Parameters:**

    * ``settings``: the ``fetch:`` defaults (each ``get`` may pass a source's own).
    * ``user_agent``: the default User-Agent (each ``get`` may pass a source's own).
    * ``transport``: replaces the network (a WARC replay, ``httpx.MockTransport`` in tests); the
      SSRF guard is then off, as nothing is connected to. A transport with a true ``is_replay``
      attribute (:class:`crawler.warc.WarcReplayTransport`) also turns off the delays and
      back-off: only the per-host concurrency bound remains.
    * ``on_record``: told of every ``get`` as a :class:`FetchRecord`.
    * ``archive``: told of every exchange (:data:`ArchiveHook`): the WARC writer.
    * ``hosts``: the per-host politeness state to use (default: a fresh one); pass the same
      :class:`HostStates` to the fetchers of successive passes to carry it across them.

    ::

        async with Fetcher(config.settings.fetch, user_agent=ua) as fetcher:
            result = await fetcher.get(url, source_id="qdnews", validators=stored)
            if result.is_modified:
                text = result.decode().text
    """

    def __init__(
        self,
        settings: FetchSettings,
        *,
        user_agent: str,
        transport: httpx.AsyncBaseTransport | None = None,
        on_record: Callable[[FetchRecord], None] | None = None,
        archive: ArchiveHook | None = None,
        hosts: HostStates | None = None,
    ) -> None:
        self.settings = settings
        self._archive = archive
        self.user_agent = user_agent
        self._transport = transport
        # A replay (WARC) answers from disk: no delays or back-off, only the concurrency bound.
        self._replay = bool(getattr(transport, "is_replay", False))
        self._on_record = on_record
        # Per (host, proxy, guarded): a source that allows private networks gets pools of its own.
        self._routes: dict[tuple[str, str | None, bool], _Route] = {}
        self._hosts = hosts if hosts is not None else HostStates()
        self._resolved: dict[str, bool] = {}
        self._closed = False
        # One TLS context for every route: building one loads the CA bundle (~50 ms of CPU),
        # which per host would cost seconds on a crawl of a few dozen sites.
        self._tls: ssl.SSLContext | None = None
        self._next_sweep = time.monotonic() + IDLE_ROUTE_SECONDS / 2  # see _close_idle

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        self._closed = True
        routes, self._routes = list(self._routes.values()), {}
        transports = {id(r.transport): r.transport for r in routes if r.transport is not None}
        for transport in transports.values():
            await transport.aclose()

    def host_delay(self, url: str) -> float | None:
        """The current spacing between requests to ``url``'s host (None before any request)."""
        slot = self._hosts.get(slot_key(url))
        return None if slot is None else max(slot.delay, slot.crawl_delay)

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
        host = slot_key(url)
        started = time.monotonic()
        status: int | None = None
        size = 0
        slot: Slot | None = None
        try:
            _check_url(url)
            slot = self._hosts.slot(host, settings)
            _check_answering(slot, url)
            await self._guard(url, settings)
            if settings.obey_robots:
                await self._check_robots(url, slot, settings, user_agent, proxy, headers)
            async with slot.semaphore:
                _check_answering(slot, url)  # it may have stopped while this request waited
                await self._wait_turn(slot, url)
                result = await self._request(
                    url, settings, validators, headers, user_agent, proxy, slot
                )
            slot.answered()
            status, size = result.status, len(result.content)
            self._record(url, status, size, started, None, source_id)
            return result
        except FetchError as exc:
            if slot is not None:
                if isinstance(exc, (FetchTimeout, ConnectFailed)):
                    slot.not_answered(exc.reason)
                elif isinstance(exc, HTTPStatusError):
                    slot.answered()
            exc.source_id = exc.source_id or source_id
            status = status or getattr(exc, "status", None)
            self._record(url, status, size, started, exc.reason, source_id)
            raise

    # ------------------------------------------------------------------ politeness

    async def _wait_turn(self, slot: Slot, url: str) -> None:
        if self._replay:
            return
        async with slot.lock:
            now = time.monotonic()
            wait = slot.next_at - now
            if wait > MAX_POLITE_WAIT:
                raise FetchError(
                    f"the server asked us to wait {wait:.0f} s more (Retry-After after 429/503); "
                    "try later",
                    url=url,
                )
            if wait > 0:
                await asyncio.sleep(wait)
                now = time.monotonic()
            slot.next_at = now + max(slot.delay, slot.crawl_delay)

    def _back_off(self, slot: Slot, seconds: float) -> None:
        slot.next_at = max(slot.next_at, time.monotonic() + seconds)

    async def _check_robots(
        self,
        url: str,
        slot: Slot,
        settings: FetchSettings,
        user_agent: str | None,
        proxy: str | None,
        headers: Mapping[str, str] | None = None,
        *,
        bounded: bool = True,
    ) -> None:
        """Raise unless robots.txt lets ``url`` be fetched, reading it first when it is not
        known or has expired; ``bounded``: that read takes a place in the host's concurrency
        bound (not for a redirect hop, whose request holds its first host's place already)."""
        agent = user_agent or self.user_agent
        async with slot.robots_lock:
            if time.monotonic() >= slot.robots_until:
                await self._load_robots(url, slot, settings, agent, proxy, headers, bounded)
        if slot.robots_error:
            raise RobotsUnavailable(
                f"robots.txt unavailable, try later: {slot.robots_error}", url=url
            )
        if slot.robots is not None and not slot.robots.can_fetch(url, agent):
            raise RobotsDisallowed("robots.txt disallows this URL", url=url)

    async def _load_robots(
        self,
        url: str,
        slot: Slot,
        settings: FetchSettings,
        agent: str,
        proxy: str | None,
        headers: Mapping[str, str] | None,
        bounded: bool,
    ) -> None:
        """Read robots.txt with the source's headers and cookies too: a site whose browser
        check refuses bare requests would otherwise answer 403, which reads as "no robots.txt"."""
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        slot.robots, slot.robots_error, slot.crawl_delay = None, None, 0.0
        try:
            async with slot.semaphore if bounded else contextlib.nullcontext():
                await self._wait_turn(slot, robots_url)
                result = await self._request(
                    robots_url,
                    settings,
                    None,
                    headers,
                    agent,
                    proxy,
                    slot,
                    robots_txt=True,
                )
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
        try:
            slot.robots = Protego.parse(_robots_text(result))
            delay = slot.robots.crawl_delay(agent)
        except Exception as exc:  # protego on hostile input: treat as unreadable
            slot.robots, slot.robots_error = None, f"unparsable robots.txt: {exc}"
            slot.robots_until = time.monotonic() + ROBOTS_RETRY
            return
        slot.crawl_delay = min(float(delay), MAX_CRAWL_DELAY) if delay else 0.0
        slot.robots_until = time.monotonic() + ROBOTS_TTL

    # ------------------------------------------------------------------ safety

    async def _guard(self, url: str, settings: FetchSettings) -> None:
        """Refuse a host any of whose addresses is not public, before anything is sent to it.
        The answer is kept per host for the fetcher's life: a refusal saves the lookups, and a
        pass is no promise, as each connection checks its own resolution again."""
        if settings.allow_private_networks or self._transport is not None:
            return
        host = urlsplit(url).hostname or ""
        if host in self._resolved:
            if self._resolved[host]:
                raise BlockedAddress(f"{host} resolves to a private address", url=url)
            return
        try:
            ipaddress.ip_address(host.split("%")[0])
            addresses = [host]
        except ValueError:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(
                    host, None, type=socket.SOCK_STREAM
                )
            except (OSError, UnicodeError) as exc:
                raise ConnectFailed(f"cannot resolve {host}: {exc}", url=url) from exc
            addresses = [str(info[4][0]) for info in infos]
        blocked = not all(is_public(a) for a in addresses)
        self._resolved[host] = blocked
        if blocked:
            raise BlockedAddress(
                f"{host} resolves to a private address ({', '.join(sorted(set(addresses)))}); "
                "set fetch.allow_private_networks to allow it",
                url=url,
            )

    def _check_peer(
        self, response: httpx.Response, url: str, settings: FetchSettings, proxy: str | None
    ) -> None:
        """After connecting: the address actually connected to must be public too. The
        connection itself refuses any other (crawler.fetch.sockets), so this is a second look, for
        a network backend that would not. Not through a proxy, whose own address is the
        operator's business."""
        if settings.allow_private_networks or self._transport is not None or proxy:
            return
        peer = _peer_address(response)
        if peer is not None and not is_public(peer):
            raise BlockedAddress(f"connected to a private address ({peer})", url=url)

    # ------------------------------------------------------------------ the exchange

    def _route(self, host: str, settings: FetchSettings, proxy: str | None) -> _Route:
        key = (host, proxy, _guarded(settings, proxy))
        route = self._routes.get(key)
        if route is None:
            shared = self._transport
            route = _Route(shared if shared is not None else self._network(settings, proxy))
            self._routes[key] = route
        elif route.transport is None:
            route.transport = self._network(settings, proxy)
        return route

    def _network(self, settings: FetchSettings, proxy: str | None) -> httpx.AsyncBaseTransport:
        """A connection pool for one host (through ``proxy``)."""
        if self._tls is None:
            self._tls = httpx.create_ssl_context()
        limits = httpx.Limits(
            max_connections=settings.per_host_concurrency + 1,
            max_keepalive_connections=settings.per_host_concurrency + 1,
        )
        network = httpx.AsyncHTTPTransport(
            http2=True, verify=self._tls, limits=limits, proxy=proxy, trust_env=False
        )
        # asyncio streams: a sixth less CPU than httpcore's anyio ones, and the address guard
        guarded = _guarded(settings, proxy)
        if not use_asyncio(network, public_only=guarded) and guarded:
            raise BlockedAddress(
                "this httpx keeps its connection pool out of reach: connections cannot be held "
                "to public addresses, so none is made"
            )
        return network

    async def _close_idle(self) -> None:
        """Close the connection pools of hosts not asked for :data:`IDLE_ROUTE_SECONDS`.
        httpcore closes a pool's expired connections only when that pool is used again, so a
        crawl that touches hundreds of hosts (articles linked elsewhere, redirects) would hold
        a socket open for each until it ends, and could run out of file descriptors (1,024 by
        default for a systemd service). Nothing is lost: an idle connection is not reused after
        5 s anyway (httpcore's keep-alive expiry), and the host's cookies stay."""
        now = time.monotonic()
        if self._transport is not None or now < self._next_sweep:
            return
        self._next_sweep = now + IDLE_ROUTE_SECONDS / 2
        for route in list(self._routes.values()):
            if route.transport is None or route.busy or now - route.used < IDLE_ROUTE_SECONDS:
                continue
            transport, route.transport = route.transport, None
            await transport.aclose()

    async def _request(
        self,
        url: str,
        settings: FetchSettings,
        validators: Validators | None,
        extra_headers: Mapping[str, str] | None,
        user_agent: str | None,
        proxy: str | None,
        slot: Slot,
        *,
        robots_txt: bool = False,
    ) -> FetchResult:
        """One GET of ``url`` and its redirect hops. A hop is a request like any (see
        :meth:`_hop`), except while reading a robots.txt (``robots_txt``), whose own redirects
        (http to https, say) must not wait for the robots.txt being read; an empty robots.txt
        is no error."""
        if self._closed:
            raise FetchError("the fetcher is closed", url=url)
        headers = {
            "User-Agent": user_agent or self.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.6",
            **(extra_headers or {}),
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        if validators and validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators and validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        on_hop = None
        if not robots_txt:
            on_hop = functools.partial(
                self._hop,
                settings=settings,
                user_agent=user_agent,
                proxy=proxy,
                headers=extra_headers,
            )
        started = time.monotonic()
        try:
            async with asyncio.timeout(settings.timeout):
                exchange = await self._follow(url, settings, headers, proxy, on_hop)
        except TimeoutError as exc:
            slot.throttle(settings.timeout, ok=False)
            raise FetchTimeout(
                f"no complete response within {settings.timeout:g} s", url=url
            ) from exc
        except BlockedAddress as exc:  # refused by the connection (fetch.sockets), not by URL
            exc.url = exc.url or url
            raise
        except httpx.TimeoutException as exc:
            slot.throttle(settings.timeout, ok=False)
            raise FetchTimeout(f"timed out ({type(exc).__name__})", url=url) from exc
        except httpx.InvalidURL as exc:
            raise FetchError(f"invalid URL: {exc}", url=url) from exc
        except httpx.ConnectError as exc:
            raise ConnectFailed(f"ConnectError: {str(exc) or 'no connection'}", url=url) from exc
        except httpx.HTTPError as exc:
            detail = str(exc) or "the connection failed or was reset"
            raise FetchError(f"{type(exc).__name__}: {detail}", url=url) from exc
        except (ValueError, UnicodeError) as exc:  # URLs httpx cannot even build a request for
            raise FetchError(f"invalid URL: {exc}", url=url) from exc
        elapsed = time.monotonic() - started
        response, final_url = exchange.response, exchange.final_url
        status = response.status_code
        slot.throttle(exchange.latency, ok=status < 400)
        if status == 304:
            return FetchResult(url, final_url, status, response.headers, b"", elapsed, True)
        if status in (429, 503):
            wait = _retry_after(response.headers)
            self._back_off(slot, max(slot.delay, 5.0) * 4 if wait is None else wait)
        if status >= 400:
            raise HTTPStatusError(f"HTTP {status}", status=status, url=url)
        if status >= 300:
            raise FetchError(f"HTTP {status} without a usable Location", url=url)
        result = FetchResult(url, final_url, status, response.headers, exchange.content, elapsed)
        if not result.content and not robots_txt:
            raise FetchError(f"empty body (HTTP {status})", url=url)
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
        on_hop: Callable[[str, str, str], Awaitable[None]] | None,
    ) -> _Exchange:
        current = previous = url
        seen: set[str] = set()
        for _hop in range(settings.max_redirects + 1):
            if current in seen:
                raise FetchError(f"redirect loop at {current}", url=url)
            seen.add(current)
            if current != url:
                _check_url(current, redirected_from=url)
                if on_hop is not None:
                    await on_hop(current, previous, url)
            previous = current
            await self._guard(current, settings)
            await self._close_idle()
            route = self._route(slot_key(current), settings, proxy)
            request = httpx.Request(
                "GET",
                current,
                headers=_header_items(headers, route.cookies, current),
                extensions={"timeout": _timeout(settings.timeout)},
            )
            with route.in_use() as transport:
                sent = time.monotonic()
                response = await transport.handle_async_request(request)
                response.request = request
                try:
                    latency = time.monotonic() - sent
                    if "set-cookie" in response.headers:
                        route.cookies.keep(response)
                    self._check_peer(response, current, settings, proxy)
                    if response.is_redirect and "location" in response.headers:
                        if self._archive is not None:
                            self._archive(response.request, response, b"")
                        try:
                            current = str(response.url.join(response.headers["location"]))
                        except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
                            raise FetchError(
                                f"unusable redirect Location {response.headers['location']!r}",
                                url=url,
                            ) from exc
                        continue
                    raw, content = await self._read(response, settings, current)
                    if self._archive is not None:
                        self._archive(response.request, response, raw)
                    if (target := _meta_refresh(response, content, current)) is not None:
                        current = target
                        continue
                    return _Exchange(current, response, content, latency)
                finally:
                    await response.aclose()
        raise FetchError(f"more than {settings.max_redirects} redirects", url=url)

    async def _hop(
        self,
        target: str,
        previous: str,
        url: str,
        *,
        settings: FetchSettings,
        user_agent: str | None,
        proxy: str | None,
        headers: Mapping[str, str] | None,
    ) -> None:
        """Before a redirect hop (an HTTP redirect or a meta refresh) from ``previous`` to
        ``target``: the target's robots.txt is obeyed, as for any request (a redirect to a
        disallowed path, or to a host that disallows us, is not followed), and on another host
        that host's spacing is kept. Not its concurrency bound (nor for reading its robots.txt):
        two hosts redirecting to each other would each hold their own and wait for the other's."""
        slot = self._hosts.slot(slot_key(target), settings)
        if settings.obey_robots:
            try:
                await self._check_robots(
                    target, slot, settings, user_agent, proxy, headers, bounded=False
                )
            except RobotsDisallowed as exc:
                raise RobotsDisallowed(
                    f"robots.txt disallows the redirect target {target}", url=url
                ) from exc
        if slot_key(target) != slot_key(previous):
            await self._wait_turn(slot, target)

    async def _read(
        self, response: httpx.Response, settings: FetchSettings, url: str
    ) -> tuple[bytes, bytes]:
        """Read the body raw and decode it here, in bounded pieces; return (raw, decoded)."""
        if response.status_code >= 300:
            return b"", b""
        limit = settings.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise BodyTooLarge(
                f"body of {int(declared):,} bytes exceeds max_bytes {limit:,}", url=url
            )
        if response.is_stream_consumed:
            # A transport that handed over a finished response (httpx.MockTransport with
            # content=...): httpx has decoded it already; there are no raw bytes left to see.
            content = response.content
            if len(content) > limit:
                raise BodyTooLarge(f"body exceeds max_bytes {limit:,}", url=url)
            return content, content
        encoding = response.headers.get("content-encoding", "")
        decoded = Decompressor(encoding, limit)
        raw: list[bytes] = []
        raw_total = 0
        try:
            async for chunk in response.aiter_raw():
                raw_total += len(chunk)
                if raw_total > limit:
                    raise BodyTooLarge(f"body exceeds max_bytes {limit:,}", url=url)
                raw.append(chunk)
                decoded.feed(chunk)
            body = b"".join(raw)
            return body, decoded.finish(body)
        except DecodedTooLarge as exc:
            raise BodyTooLarge(
                f"body exceeds max_bytes {limit:,} after decompression ({encoding})", url=url
            ) from exc
        except CorruptBody as exc:
            raise FetchError(f"cannot decompress the {encoding} body: {exc}", url=url) from exc

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
        if not raw:
            continue
        if raw.isdigit():
            waits.append(timedelta(seconds=int(raw)))
            continue
        try:
            when = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        waits.append(when - now)
    positive = [w for w in waits if w > timedelta(0)]
    return max(positive) if positive else None
