"""The fetcher's ways to the hosts: one httpx transport (a connection pool) per host and proxy,
with the cookies that host set, and the pools of hosts left idle closed.

One pool per host is cheaper in CPU than one shared pool, and the fetcher sends to it directly
(an ``httpx.AsyncClient`` above it would only add its request merging and cookie bookkeeping, a
seventh of the crawl's own CPU in the benchmark). Each pool's connections go through asyncio's
own transports and, unless the route may reach private networks, only to public addresses
(:mod:`crawler.fetch.sockets`). A host's pool unused for :data:`IDLE_ROUTE_SECONDS` is closed, so
that a crawl over many hosts does not hold a socket for each until it ends; its cookies stay.
"""

from __future__ import annotations

__all__ = ["IDLE_ROUTE_SECONDS", "Route", "Routes"]

import contextlib
import functools
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import httpx

with contextlib.suppress(ImportError):
    # httpcore's connection pool imports anyio's asyncio backend at a process's first request
    # (its locks), 0.1-0.2 s of imports between that request's turn at its host and its start:
    # imported with the fetcher instead, so that a request starts when its turn comes.
    import anyio._backends._asyncio  # noqa: F401

from crawler.base.config.profile import FetchProfile
from crawler.base.errors import BlockedAddress
from crawler.fetch.cookies import CookieJar
from crawler.fetch.guard import public_only
from crawler.fetch.sockets import use_asyncio

IDLE_ROUTE_SECONDS = 30.0  # a host's connections unused this long are closed


@dataclass
class Route:
    """The way to one host (through one proxy): its transport (None once closed for idleness,
    see :meth:`Routes.close_idle`; a new one is made when the host is asked again) and the
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

    def request(self, url: str, headers: dict[str, str], timeout: float) -> httpx.Request:
        """A GET of ``url`` with ``headers`` and, unless they hold a Cookie header of their own,
        the cookies servers set on this route for ``url``. A value that is not ASCII goes as its
        UTF-8 bytes, as a browser sends it back: an ETag or Last-Modified in Chinese (echoed in
        If-None-Match, If-Modified-Since) gets its own bytes, where httpx would raise
        UnicodeEncodeError and fail every later request to the host (for a stored validator,
        every later run)."""
        items: list[tuple[str, str | bytes]] = [
            (name, value if value.isascii() else value.encode("utf-8"))
            for name, value in headers.items()
        ]
        if not any(name.lower() == "cookie" for name in headers) and (
            cookie := self.cookies.header(url)
        ):
            items.append(("Cookie", cookie))
        return httpx.Request(  # (httpx takes str and bytes values mixed; its types say one kind)
            "GET", url, headers=cast(Any, items), extensions={"timeout": _timeout(timeout)}
        )


@functools.cache
def _timeout(seconds: float) -> dict[str, float | None]:
    """A request's ``timeout`` extension (connect, read, write and pool) for httpx transports."""
    return httpx.Timeout(seconds).as_dict()


class Routes:
    """One fetcher's routes, per (host, proxy, public only): a source that allows private
    networks gets pools of its own. With a ``shared`` transport (a WARC replay, a mock) every
    route uses it and none is ever closed for idleness."""

    def __init__(self, shared: httpx.AsyncBaseTransport | None) -> None:
        self._shared = shared
        self._routes: dict[tuple[str, str | None, bool], Route] = {}
        # One TLS context for every route: building one loads the CA bundle (~50 ms of CPU),
        # which per host would cost seconds on a crawl of a few dozen sites.
        self._tls: ssl.SSLContext | None = None
        self._next_sweep = time.monotonic() + IDLE_ROUTE_SECONDS / 2  # see close_idle

    def route(self, host: str, profile: FetchProfile) -> Route:
        """The route to ``host`` through ``profile``'s proxy, held to public addresses unless
        the profile allows private networks."""
        key = (host, profile.proxy, public_only(profile))
        route = self._routes.get(key)
        if route is None:
            shared = self._shared
            route = Route(shared if shared is not None else self._network(profile))
            self._routes[key] = route
        elif route.transport is None:
            route.transport = self._network(profile)
        return route

    def _network(self, profile: FetchProfile) -> httpx.AsyncBaseTransport:
        """A connection pool for one host (through ``profile``'s proxy)."""
        if self._tls is None:
            self._tls = httpx.create_ssl_context()
        limits = httpx.Limits(
            max_connections=profile.per_host_concurrency + 1,
            max_keepalive_connections=profile.per_host_concurrency + 1,
        )
        network = httpx.AsyncHTTPTransport(
            http2=True, verify=self._tls, limits=limits, proxy=profile.proxy, trust_env=False
        )
        # asyncio streams: a sixth less CPU than httpcore's anyio ones, and the address guard
        guarded = public_only(profile)
        if not use_asyncio(network, public_only=guarded) and guarded:
            raise BlockedAddress(
                "this httpx keeps its connection pool out of reach: connections cannot be held "
                "to public addresses, so none is made"
            )
        return network

    async def close_idle(self) -> None:
        """Close the connection pools of hosts not asked for :data:`IDLE_ROUTE_SECONDS`.
        httpcore closes a pool's expired connections only when that pool is used again, so a
        crawl that touches hundreds of hosts (articles linked elsewhere, redirects) would hold
        a socket open for each until it ends, and could run out of file descriptors (1,024 by
        default for a systemd service). Nothing is lost: an idle connection is not reused after
        5 s anyway (httpcore's keep-alive expiry), and the host's cookies stay."""
        now = time.monotonic()
        if self._shared is not None or now < self._next_sweep:
            return
        self._next_sweep = now + IDLE_ROUTE_SECONDS / 2
        for route in list(self._routes.values()):
            if route.transport is None or route.busy or now - route.used < IDLE_ROUTE_SECONDS:
                continue
            transport, route.transport = route.transport, None
            await transport.aclose()

    async def aclose(self) -> None:
        """Close every route's transport (a shared one once)."""
        routes, self._routes = list(self._routes.values()), {}
        transports = {id(r.transport): r.transport for r in routes if r.transport is not None}
        for transport in transports.values():
            await transport.aclose()
