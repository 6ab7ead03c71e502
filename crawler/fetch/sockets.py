"""httpcore's network layer on asyncio's own transports, for the crawl's HTTP clients.

httpx talks to the network through httpcore, and httpcore, under asyncio, through anyio: every
read and write opens a cancel scope, and every reuse of a kept-alive connection asks anyio for
the raw socket (a fresh dict of attribute getters) to poll it. On a crawl that costs about a
sixth of the fetching process's CPU. :class:`AsyncioBackend` implements httpcore's published
network-backend interface (``httpcore.AsyncNetworkBackend``) on an ``asyncio.Protocol``
instead: reads come out of a buffer the protocol fills as data arrives, a timeout is one timer
handle, and "has the server closed this idle connection?" is answered from that buffer without
a system call.

httpx does not let its transport be given a backend, so :func:`use_asyncio` sets it on the
transport's connection pool (or proxy pool); it reports whether it could, and a transport it
cannot adapt keeps anyio, which is slower but the same HTTP.

A backend made with ``public_only`` is also where the crawl's guard against private addresses
holds (:mod:`crawler.fetch.addresses`): it resolves the host once per connection, refuses it with
:class:`~crawler.base.errors.BlockedAddress` before connecting when any address is not public, and
connects to exactly the addresses it checked (Happy Eyeballs between them, as asyncio's own
``create_connection`` would). Checking the name first and letting the connection resolve it
again would let a DNS server answer a public address to the check and 127.0.0.1 to the
connection (DNS rebinding). TLS is unchanged: httpcore starts it with the host *name* as
``server_hostname``, so SNI and certificate checks, like the ``Host`` header, are the name's.
"""

from __future__ import annotations

__all__ = ["AsyncioBackend", "AsyncioStream", "use_asyncio"]

import asyncio
import functools
import ipaddress
import itertools
import socket
import ssl
from asyncio.staggered import staggered_race
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from crawler.base.errors import BlockedAddress
from crawler.fetch.addresses import is_public

READ_BUFFER = 256 * 1024  # stop reading from the socket while this much is unread
HAPPY_EYEBALLS_DELAY = 0.25  # as anyio's connect_tcp


class _Pipe(asyncio.Protocol):
    """Collects what arrives on one connection for :class:`AsyncioStream` to read."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.eof = False
        self.error: Exception | None = None
        self.paused = False
        self._reader: asyncio.Future[None] | None = None
        self._drained: asyncio.Future[None] | None = None
        self._writing_paused = False

    # ---------------------------------------------------------------- asyncio's side

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > READ_BUFFER and not self.paused and self.transport is not None:
            self.paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        return False  # let the transport close itself

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        if exc is not None and self.error is None:
            self.error = exc
        self._wake()
        drained, self._drained = self._drained, None
        if drained is not None and not drained.done():
            drained.set_result(None)

    def pause_writing(self) -> None:
        self._writing_paused = True

    def resume_writing(self) -> None:
        self._writing_paused = False
        drained, self._drained = self._drained, None
        if drained is not None and not drained.done():
            drained.set_result(None)

    def _wake(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None and not reader.done():
            reader.set_result(None)

    # ---------------------------------------------------------------- the stream's side

    async def wait_readable(self, timeout: float | None) -> None:
        loop = asyncio.get_running_loop()
        self._reader = waiter = loop.create_future()
        await _wait(waiter, timeout, httpcore.ReadTimeout)

    async def wait_drained(self, timeout: float | None) -> None:
        if not self._writing_paused or self.eof:
            return
        loop = asyncio.get_running_loop()
        self._drained = waiter = loop.create_future()
        await _wait(waiter, timeout, httpcore.WriteTimeout)

    def take(self, max_bytes: int) -> bytes:
        data = bytes(self.buffer[:max_bytes])
        del self.buffer[:max_bytes]
        if self.paused and len(self.buffer) <= READ_BUFFER // 2 and self.transport is not None:
            self.paused = False
            self.transport.resume_reading()
        return data


async def _wait(
    waiter: asyncio.Future[None], timeout: float | None, error: type[Exception]
) -> None:
    """Await ``waiter``, raising ``error`` after ``timeout`` seconds (one timer handle)."""
    if timeout is None:
        await waiter
        return
    timer = asyncio.get_running_loop().call_later(timeout, _expire, waiter, error, timeout)
    try:
        await waiter
    finally:
        timer.cancel()


def _expire(waiter: asyncio.Future[None], error: type[Exception], timeout: float) -> None:
    if not waiter.done():
        waiter.set_exception(error(f"nothing happened within {timeout:g} s"))


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One connection (plain or TLS) as httpcore reads and writes it."""

    def __init__(self, transport: asyncio.Transport, pipe: _Pipe) -> None:
        self._transport = transport
        self._pipe = pipe

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        pipe = self._pipe
        if not pipe.buffer:
            if pipe.error is not None:
                raise httpcore.ReadError(str(pipe.error) or type(pipe.error).__name__)
            if pipe.eof:
                return b""
            await pipe.wait_readable(timeout)
            if not pipe.buffer:
                if pipe.error is not None:
                    raise httpcore.ReadError(str(pipe.error) or type(pipe.error).__name__)
                return b""
        return pipe.take(max_bytes)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        pipe = self._pipe
        if pipe.error is not None or self._transport.is_closing():
            raise httpcore.WriteError(str(pipe.error or "the connection is closed"))
        try:
            self._transport.write(buffer)
        except (OSError, RuntimeError) as exc:
            raise httpcore.WriteError(str(exc)) from exc
        await pipe.wait_drained(timeout)

    async def aclose(self) -> None:
        self._transport.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            transport = await loop.start_tls(
                self._transport,
                self._pipe,
                ssl_context,
                server_hostname=server_hostname,
                ssl_handshake_timeout=timeout,
            )
        except TimeoutError as exc:
            self._transport.close()
            raise httpcore.ConnectTimeout(f"no TLS handshake within {timeout:g} s") from exc
        except (OSError, ssl.SSLError, ConnectionError) as exc:
            self._transport.close()
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        if transport is None:  # the connection closed during the handshake
            raise httpcore.ConnectError("the connection closed during the TLS handshake")
        self._pipe.transport = transport
        return AsyncioStream(transport, self._pipe)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":  # on an idle connection: the server closed it, or sent junk
            pipe = self._pipe
            return bool(pipe.buffer) or pipe.eof
        if info == "ssl_object":
            return self._transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        if info == "server_addr":
            return self._transport.get_extra_info("peername")
        if info == "socket":
            return self._transport.get_extra_info("socket")
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Opens :class:`AsyncioStream` connections; see the module docstring. ``public_only``:
    connect only to public addresses, and only to the ones checked."""

    def __init__(self, *, public_only: bool = False) -> None:
        self.public_only = public_only

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if not 0 < port < 65536:  # asyncio would fail with an IndexError of its own
            raise httpcore.ConnectError(f"cannot connect to {host}:{port}: no such port")
        loop = asyncio.get_running_loop()
        local_addr = (local_address, 0) if local_address else None
        if self.public_only:
            connecting = _connect_public(host, port, local_addr)
        else:
            connecting = loop.create_connection(
                _Pipe, host, port, local_addr=local_addr, happy_eyeballs_delay=HAPPY_EYEBALLS_DELAY
            )
        transport, pipe = await _connect(connecting, timeout, f"{host}:{port}")
        _set_options(transport, socket_options)
        return AsyncioStream(transport, pipe)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        transport, pipe = await _connect(loop.create_unix_connection(_Pipe, path), timeout, path)
        _set_options(transport, socket_options)
        return AsyncioStream(transport, pipe)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def _resolve(host: str, port: int) -> list[str]:
    """``host``'s addresses, in the resolver's order (a literal address is its own)."""
    try:
        ipaddress.ip_address(host)
        return [host]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except UnicodeError as exc:  # a name the IDNA codec refuses
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
    addresses = [str(info[4][0]) for info in infos if info[0] in (socket.AF_INET, socket.AF_INET6)]
    if not addresses:
        raise httpcore.ConnectError(f"cannot resolve {host}: no IP address")
    return list(dict.fromkeys(addresses))


def _interleave(addresses: list[str]) -> list[str]:
    """The addresses alternating between IP versions, the first address's version first, so
    that Happy Eyeballs tries the other version second (RFC 8305 section 4)."""
    versions: dict[int, list[str]] = {}
    for address in addresses:
        versions.setdefault(ipaddress.ip_address(address).version, []).append(address)
    rounds = itertools.zip_longest(*versions.values())
    return [address for round_ in rounds for address in round_ if address is not None]


async def _connect_public(
    host: str, port: int, local_addr: tuple[str, int] | None
) -> tuple[asyncio.Transport, _Pipe]:
    """Resolve ``host`` once; refuse it unless every address is public; connect to one of those
    very addresses, started :data:`HAPPY_EYEBALLS_DELAY` apart, the first to answer winning."""
    addresses = await _resolve(host, port)
    refused = [address for address in addresses if not is_public(address)]
    if refused:
        raise BlockedAddress(
            f"{host} resolves to a private address ({', '.join(refused)}); "
            "set fetch.allow_private_networks to allow it"
        )
    loop = asyncio.get_running_loop()
    made: list[asyncio.BaseTransport] = []

    async def attempt(address: str) -> tuple[asyncio.BaseTransport, _Pipe]:
        transport, pipe = await loop.create_connection(_Pipe, address, port, local_addr=local_addr)
        made.append(transport)
        if len(made) > 1:  # another address answered in the same turn of the loop: it won
            transport.close()
            raise ConnectionAbortedError(f"{address} answered second")
        return transport, pipe

    try:
        won, _index, errors = await staggered_race(
            [functools.partial(attempt, a) for a in _interleave(addresses)], HAPPY_EYEBALLS_DELAY
        )
    except BaseException:  # cancelled (the connect timeout): nothing stays open
        for transport in made:
            transport.close()
        raise
    if won is None:
        failures = [e for e in errors if e is not None]
        if len(failures) == 1:
            raise failures[0]
        raise OSError(f"cannot connect to {host}: " + "; ".join(map(str, failures)))
    return won


async def _connect(connecting: Any, timeout: float | None, where: str) -> tuple[Any, _Pipe]:
    try:
        async with asyncio.timeout(timeout):
            return await connecting
    except TimeoutError as exc:
        raise httpcore.ConnectTimeout(f"cannot connect to {where} within {timeout:g} s") from exc
    except OSError as exc:
        raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc


def _set_options(
    transport: asyncio.BaseTransport, options: Iterable[httpcore.SOCKET_OPTION] | None
) -> None:
    sock: socket.socket | None = transport.get_extra_info("socket")
    if sock is None:
        return
    for option in options or ():
        sock.setsockopt(*option)


def use_asyncio(transport: httpx.AsyncHTTPTransport, *, public_only: bool = False) -> bool:
    """Have ``transport``'s connection pool open :class:`AsyncioStream` connections (only to
    public addresses with ``public_only``); False when this httpx keeps its pool where this
    cannot reach it (the transport then keeps anyio, and no address guard)."""
    pool = getattr(transport, "_pool", None)
    if pool is None or not hasattr(pool, "_network_backend"):
        return False
    pool._network_backend = AsyncioBackend(public_only=public_only)
    return True
