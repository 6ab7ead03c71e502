"""HTTP for the crawler: one place that talks to servers, politely.

A :class:`Fetcher` is opened once per command (``async with Fetcher(...)``) and closed with it;
a long-running process opens one for its life and lends it to each crawl pass
(:meth:`Fetcher.borrow`), so that its connection pools and TLS context are built once.
Each ``get`` is made as a :class:`~crawler.base.config.profile.FetchProfile` says: the source's
politeness, limits, User-Agent, headers, cookies and proxy, merged with the ``fetch:`` defaults
once, when the config was loaded (``Config.profile(source)``). It sends each request straight to
its host's connection pool (:mod:`crawler.fetch.routes`: one per host and proxy, with the cookies
servers set, closed after :data:`~crawler.fetch.routes.IDLE_ROUTE_SECONDS` unused) and does
redirects, decompression and limits itself. Per host a :class:`~crawler.fetch.hosts.Slot`
bounds concurrency, spaces requests, backs off after 429/503 and holds the host's parsed
robots.txt. The slots live in a :class:`~crawler.fetch.hosts.HostStates`, which a long-running
process (the daemon, a distributed worker) keeps across its crawl passes: robots.txt is then
read once per :data:`~crawler.fetch.hosts.ROBOTS_TTL`, not once per pass, and a host's back-off,
throttled delay and concurrency bound hold across passes (concurrent ones included), not only
within one. This module tells the story of one ``get``; the parts of it live beside it:

* :mod:`crawler.fetch.response`: what a fetch gives back, and the headers that name a wait;
* :mod:`crawler.fetch.hosts`: each host's politeness state, changed only by its own methods;
* :mod:`crawler.fetch.robots`: reading robots.txt into the host's slot;
* :mod:`crawler.fetch.redirects`: where a redirect or a meta-refresh stub leads;
* :mod:`crawler.fetch.body`: the body within its cap, decompressed here;
* :mod:`crawler.fetch.guard`: public addresses only, looked at before anything is sent;
* :mod:`crawler.fetch.routes`: the connection pools and cookies per host.

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
  :data:`~crawler.fetch.hosts.MAX_POLITE_WAIT` seconds is not waited for: its requests fail at
  once with a :class:`~crawler.base.errors.FetchError` saying so, and the next run tries again;
* robots.txt (protego; its first :data:`~crawler.fetch.robots.ROBOTS_MAX_BYTES`) is read once per
  host and trusted for :data:`~crawler.fetch.hosts.ROBOTS_TTL`; a 4xx (not 429) means "everything
  allowed", a 5xx, 429, timeout or network error means "try later"
  (:class:`~crawler.base.errors.RobotsUnavailable` for every URL on the host for
  :data:`~crawler.fetch.hosts.ROBOTS_RETRY` seconds);
* a redirect hop is held to the robots.txt of where it leads and to that host's spacing, on
  the same host too; the wait does not count against the request's timeout
  (:meth:`Fetcher._hop`);
* where several processes share hosts (the distributed runner's workers), the turn and the
  concurrency bound are the cluster's: the :class:`~crawler.fetch.hosts.HostStates` holds a
  :class:`~crawler.fetch.hosts.SharedTurns` and every request (robots.txt and hops included)
  takes its turn there instead of in its slot; a back-off the request met holds the host for
  every process;
* a host that did not answer :data:`~crawler.fetch.hosts.HOST_DOWN_AFTER` requests in a row (no
  connection, or no whole response within the deadline) is not asked for
  :data:`~crawler.fetch.hosts.HOST_DOWN_SECONDS`: its requests fail at once with
  :class:`~crawler.base.errors.HostUnreachable`.

Robustness: each request has a total deadline (``timeout``, slow-drip bodies included); at most
``max_redirects`` hops, loops included (an HTML redirect stub's ``<meta http-equiv="refresh">``
is a hop too, see :func:`crawler.fetch.redirects.meta_refresh`); bodies are read raw and
decompressed here (:mod:`crawler.fetch.body`), so a gzip, deflate or brotli bomb is cut off at
``max_bytes`` of *decoded* bytes; an empty 200 is an error. Unless ``allow_private_networks``,
only public addresses are connected to: every hop's host is resolved first and refused, before
robots.txt or any connection, when any of its addresses is not public
(:mod:`crawler.fetch.guard`); then each connection resolves the host once more, checks the
answer again and connects to exactly the addresses it checked (:mod:`crawler.fetch.sockets`),
so a DNS server that answers a public address to the first look and 127.0.0.1 to the next (DNS
rebinding) gets no connection. The guard is skipped when a ``transport`` is injected: there is
no network.

Conditional GET: :class:`~crawler.fetch.response.Validators` send
``If-None-Match``/``If-Modified-Since``; a 304, or a 200 whose body hashes to the stored
``body_hash`` (servers with stale ETags), is "not modified".

No other stage reads status codes: callers get a :class:`~crawler.fetch.response.FetchResult`
that answers ``is_modified`` and ``final_url``, or a :class:`~crawler.base.errors.FetchError`
subclass. Every ``get``, successful or not, is reported to ``on_record`` as one
:class:`~crawler.fetch.response.FetchRecord`, and every complete exchange (redirect hops
included) to ``archive`` (the WARC writer).
"""

from __future__ import annotations

__all__ = ["ArchiveHook", "Fetcher"]

import asyncio
import contextlib
import functools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import httpx

from crawler.base.config.profile import FetchProfile
from crawler.base.errors import (
    BlockedAddress,
    ConnectFailed,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    RobotsDisallowed,
)
from crawler.fetch.body import read_body
from crawler.fetch.decompress import ACCEPT_ENCODING
from crawler.fetch.guard import AddressGuard
from crawler.fetch.hosts import LATE_TURN, HostStates, Slot, slot_key
from crawler.fetch.redirects import check_url, location, meta_refresh
from crawler.fetch.response import FetchRecord, FetchResult, Validators, retry_after
from crawler.fetch.robots import check_robots
from crawler.fetch.routes import Routes

# Called with every complete exchange, redirect hops included: the request, the response (its
# headers as received) and the body as it came off the wire (Content-Encoding still applied,
# transfer chunking removed; empty for redirects). The WARC writer's hook.
ArchiveHook = Callable[[httpx.Request, httpx.Response, bytes], None]


async def _no_wait() -> None:
    """``ready`` of a replay, which keeps no turns."""


def _at_send(
    ready: Callable[[], Awaitable[None]],
) -> Callable[[str, dict[str, object]], Awaitable[None]]:
    """httpcore's ``trace`` extension that awaits ``ready`` just before the request's headers
    are written: the write follows without yielding to the event loop, so a request that took
    its turn, passed its check and was then held on its way to the socket (the pool's and the
    connection's locks, connecting) still takes a new turn when it got there late. A transport
    that is not httpcore's (a test's mock) never calls it; the check before the exchange holds
    there."""

    async def trace(event: str, info: dict[str, object]) -> None:
        if event.endswith(".send_request_headers.started"):
            await ready()

    return trace


@dataclass
class _Exchange:
    final_url: str
    response: httpx.Response
    content: bytes
    latency: float


class Fetcher:
    """Polite, bounded HTTP GETs; see the module docstring.

    **Parameters:**

    * ``profile``: how a ``get`` that names no :class:`~crawler.base.config.profile.
      FetchProfile` of its own is made (``Config.default_profile``: the ``fetch:`` defaults and
      the configured User-Agent); a crawl passes each source's (``Config.profile(source)``).
    * ``transport``: replaces the network (a WARC replay, ``httpx.MockTransport`` in tests); the
      SSRF guard is then off, as nothing is connected to. A transport with a true ``is_replay``
      attribute (:class:`crawler.warc.WarcReplayTransport`) also turns off the delays and
      back-off: only the per-host concurrency bound remains.
    * ``on_record``: told of every ``get`` as a :class:`~crawler.fetch.response.FetchRecord`.
    * ``archive``: told of every exchange (:data:`ArchiveHook`): the WARC writer.
    * ``hosts``: the per-host politeness state to use (default: a fresh one); pass the same
      :class:`HostStates` to the fetchers of successive passes to carry it across them.

    ::

        async with Fetcher(config.default_profile) as fetcher:
            result = await fetcher.get(
                url, config.profile(source), source_id=source.id, validators=stored
            )
            if result.is_modified:
                text = result.decode().text
    """

    def __init__(
        self,
        profile: FetchProfile,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        on_record: Callable[[FetchRecord], None] | None = None,
        archive: ArchiveHook | None = None,
        hosts: HostStates | None = None,
    ) -> None:
        self.profile = profile
        self._archive = archive
        # A replay (WARC) answers from disk: no delays or back-off, only the concurrency bound.
        self._replay = bool(getattr(transport, "is_replay", False))
        self._on_record = on_record
        self._transport = transport
        self._routes = Routes(transport)
        self._owns_routes = True  # False for a borrowed fetcher: the lender closes them
        self._guard = AddressGuard(off=transport is not None)
        self._hosts = hosts if hosts is not None else HostStates()
        self._closed = False

    def borrow(
        self,
        profile: FetchProfile | None = None,
        *,
        on_record: Callable[[FetchRecord], None] | None = None,
        archive: ArchiveHook | None = None,
    ) -> Fetcher:
        """A fetcher for one crawl pass over this one's connection pools (and their one TLS
        context) and hosts' politeness, with its own default profile, fetch-log and archive
        hooks and address guard. A long-running process (the daemon, a distributed worker)
        builds its fetcher once and lends it to each job: building a TLS context loads the CA
        bundle, which per job was half of a worker's CPU. Closing the borrowed fetcher leaves
        the pools open; they are the lender's to close."""
        view = Fetcher(
            profile or self.profile,
            transport=self._transport,
            on_record=on_record,
            archive=archive,
            hosts=self._hosts,
        )
        view._routes, view._owns_routes = self._routes, False
        return view

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        self._closed = True
        if self._owns_routes:
            await self._routes.aclose()

    def host_delay(self, url: str) -> float | None:
        """The current spacing between requests to ``url``'s host (None before any request)."""
        slot = self._hosts.get(slot_key(url))
        return None if slot is None else slot.spacing

    # ------------------------------------------------------------------ public

    async def get(
        self,
        url: str,
        profile: FetchProfile | None = None,
        *,
        source_id: str | None = None,
        validators: Validators | None = None,
    ) -> FetchResult:
        """GET ``url`` politely, as ``profile`` (default: the fetcher's) says; raise a
        FetchError subclass on any failure. ``source_id``: whose request it is, in the fetch
        log and the error; ``validators``: make it a conditional GET."""
        profile = profile or self.profile
        host = slot_key(url)
        started = time.monotonic()
        status: int | None = None
        size = 0
        slot: Slot | None = None
        try:
            check_url(url)
            slot = self._hosts.slot(host, profile)
            slot.check_answering(url)
            await self._guard.check_host(url, profile)
            if profile.obey_robots:
                await self._check_robots(url, slot, profile)
            async with slot.semaphore:
                slot.check_answering(url)  # it may have stopped while this request waited
                # The host's connection pool made before its turn: made after, at its first
                # request, its cost (a TLS context) would start the request late in its turn.
                self._routes.route(host, profile)
                async with self._turn(slot, url, timeout=profile.timeout) as ready:
                    result = await self._request(url, profile, validators, slot, ready=ready)
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

    @contextlib.asynccontextmanager
    async def _turn(
        self, slot: Slot, url: str, *, bounded: bool = True, timeout: float | None = None
    ) -> AsyncIterator[Callable[[], Awaitable[None]]]:
        """The request to ``url`` waits for its turn at the host, and holds it until it ends:
        in the slot, or where the process shares its hosts' turns with others
        (:class:`~crawler.fetch.hosts.SharedTurns`), there, with one of the host's places in
        its concurrency bound unless not ``bounded`` (a redirect hop, see :meth:`_hop`).
        Yields ``ready``, awaited just before the request is sent: one that got there more
        than :data:`~crawler.fetch.hosts.LATE_TURN` of the spacing after its turn takes a
        new one (keeping its place; shared, :meth:`~crawler.fetch.hosts.SharedTurns.late`
        restarts it at once when no later turn was handed out). A request cancelled once on
        its way (a job aborted, a worker stopping) may still be worked on by the server: the
        host's next request waits for as long as this one could still have taken
        (``timeout`` after its turn), as after a back-off, so that the place it frees (the
        other workers take it at once) does not put one more request on the server than its
        bound."""
        shared = self._hosts.shared
        if self._replay:
            yield _no_wait
            return
        ticket: object = None
        if shared is None:
            await slot.wait_turn(url)
        else:
            places = slot.concurrency if bounded else 0
            ticket = await shared.take(slot.host, places=places, spacing=slot.spacing, url=url)
        granted = time.monotonic()
        sent = False

        async def ready() -> None:
            nonlocal granted, sent
            sent = True  # on its way from here
            if time.monotonic() - granted <= LATE_TURN * slot.spacing:
                return
            if shared is None:
                await slot.wait_turn(url)
            else:
                await shared.late(ticket, spacing=slot.spacing, url=url)
            granted = time.monotonic()

        try:
            yield ready
        except asyncio.CancelledError:
            if sent and timeout is not None:
                slot.back_off(max(0.0, timeout - (time.monotonic() - granted)))
            raise
        finally:
            if shared is not None:
                await shared.give(ticket, hold=slot.held_for())

    async def _check_robots(
        self,
        url: str,
        slot: Slot,
        profile: FetchProfile,
        *,
        bounded: bool = True,
    ) -> None:
        """Raise unless robots.txt lets ``url`` be fetched (:func:`crawler.fetch.robots.
        check_robots`). It is read as the profile says, headers and cookies too: a site whose
        browser check refuses bare requests would otherwise answer 403, which reads as "no
        robots.txt". ``bounded``: that read takes a place in the host's concurrency bound (not
        for a redirect hop, whose request holds its first host's place already)."""

        async def read(robots_url: str) -> FetchResult:
            self._routes.route(slot.host, profile)  # made before the turn, as in get()
            async with (
                slot.semaphore if bounded else contextlib.nullcontext(),
                self._turn(slot, robots_url, bounded=bounded, timeout=profile.timeout) as ready,
            ):
                return await self._request(
                    robots_url, profile, None, slot, robots_txt=True, ready=ready
                )

        await check_robots(url, slot, profile.user_agent, read)

    # ------------------------------------------------------------------ the exchange

    async def _request(
        self,
        url: str,
        profile: FetchProfile,
        validators: Validators | None,
        slot: Slot,
        *,
        robots_txt: bool = False,
        ready: Callable[[], Awaitable[None]] | None = None,
    ) -> FetchResult:
        """One GET of ``url`` and its redirect hops. A hop is a request like any (see
        :meth:`_hop`), except while reading a robots.txt (``robots_txt``), whose own redirects
        (http to https, say) must not wait for the robots.txt being read; an empty robots.txt
        is no error."""
        if self._closed:
            raise FetchError("the fetcher is closed", url=url)
        headers = {
            "User-Agent": profile.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.6",
            **profile.headers,
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        if validators and validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators and validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        deadline = asyncio.timeout(profile.timeout)
        on_hop = (
            None if robots_txt else functools.partial(self._hop, profile=profile, deadline=deadline)
        )
        started = time.monotonic()
        try:
            async with deadline:
                exchange = await self._follow(url, profile, headers, on_hop, ready)
        except TimeoutError as exc:
            slot.throttle(profile.timeout, ok=False)
            raise FetchTimeout(
                f"no complete response within {profile.timeout:g} s", url=url
            ) from exc
        except BlockedAddress as exc:  # refused by the connection (fetch.sockets), not by URL
            exc.url = exc.url or url
            raise
        except httpx.TimeoutException as exc:
            slot.throttle(profile.timeout, ok=False)
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
            slot.back_off(retry_after(response.headers))
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
        profile: FetchProfile,
        headers: dict[str, str],
        on_hop: Callable[[str, str, str], Awaitable[None]] | None,
        ready: Callable[[], Awaitable[None]] | None = None,
    ) -> _Exchange:
        current = previous = url
        seen: set[str] = set()
        for _hop in range(profile.max_redirects + 1):
            if current in seen:
                raise FetchError(f"redirect loop at {current}", url=url)
            seen.add(current)
            if current != url:
                check_url(current, redirected_from=url)
                if on_hop is not None:
                    await on_hop(current, previous, url)
            previous = current
            await self._guard.check_host(current, profile)
            await self._routes.close_idle()
            route = self._routes.route(slot_key(current), profile)
            request = route.request(current, headers, profile.timeout)
            if ready is not None and current == url:  # the first request: still in its turn?
                await ready()
                # And again as its headers go out: between here and there the connection pool
                # and a new connection yield to the event loop, which a busy crawl may hold
                # for longer than the turn's slack (see _at_send).
                request.extensions["trace"] = _at_send(ready)
            with route.in_use() as transport:
                sent = time.monotonic()
                response = await transport.handle_async_request(request)
                response.request = request
                try:
                    latency = time.monotonic() - sent
                    if "set-cookie" in response.headers:
                        route.cookies.keep(response)
                    self._guard.check_peer(response, current, profile)
                    if response.is_redirect and "location" in response.headers:
                        if self._archive is not None:
                            self._archive(response.request, response, b"")
                        current = location(response, url)
                        continue
                    raw, content = await read_body(response, profile.max_bytes, current)
                    if self._archive is not None:
                        self._archive(response.request, response, raw)
                    if (target := meta_refresh(response, content, current)) is not None:
                        current = target
                        continue
                    return _Exchange(current, response, content, latency)
                finally:
                    await response.aclose()
        raise FetchError(f"more than {profile.max_redirects} redirects", url=url)

    async def _hop(
        self,
        target: str,
        previous: str,
        url: str,
        *,
        profile: FetchProfile,
        deadline: asyncio.Timeout | None = None,
    ) -> None:
        """Before a redirect hop (an HTTP redirect or a meta refresh) from ``previous`` to
        ``target``: the target's robots.txt is obeyed, as for any request (a redirect to a
        disallowed path, or to a host that disallows us, is not followed), and the target
        host's spacing is kept, on the first request's host too (a site redirecting to itself
        gets its hops spaced like any requests). Not its concurrency bound (nor for reading its
        robots.txt): two hosts redirecting to each other would each hold their own and wait
        for the other's. The wait for the hop's turn is ours, not the server's slowness: the
        request's ``deadline`` moves by it."""
        slot = self._hosts.slot(slot_key(target), profile)
        if profile.obey_robots:
            try:
                await self._check_robots(target, slot, profile, bounded=False)
            except RobotsDisallowed as exc:
                raise RobotsDisallowed(
                    f"robots.txt disallows the redirect target {target}", url=url
                ) from exc
        waiting = time.monotonic()
        async with self._turn(slot, target, bounded=False):
            pass  # spacing only: the hop's request goes on under its first host's turn
        if deadline is not None and (when := deadline.when()) is not None:
            deadline.reschedule(when + time.monotonic() - waiting)

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
