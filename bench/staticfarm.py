"""The test farm's sites served from memory by one asyncio process, for the benchmarks.

``tests/sitefarm.py`` renders every page per request on a thread per connection, and logs every
arrival so the politeness tests can check it. That costs about a millisecond of CPU per request,
which on a two-core machine is as much as the crawler under test gets: a benchmark against it
measures the farm. Here the same sites (same routes, bytes and headers) are rendered once,
up front, and a child process answers from a dict with a minimal HTTP/1.1 keep-alive server,
injecting the latency with a timer rather than a sleeping thread: tens of microseconds a request,
like the static web server a real farm would be.

::

    with serve_static(sites):        # every site listens on its own address and a free port
        ...                           # site.base is set, as with sitefarm.serve
"""

from __future__ import annotations

__all__ = ["render", "serve_static"]

import asyncio
import os
import signal
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http import HTTPStatus

from tests.sitefarm import Site

# A response's bytes, or (a site with ``lazy`` set: pages too large to hold 20,000 of) the
# function that renders them per request.
Responses = dict[bytes, bytes | Callable[[], bytes]]
_NOT_FOUND = (
    b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nnot found"
)


def _response(status: int, headers: dict[str, str], body: bytes) -> bytes:
    head = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


def render(site: Site) -> Responses:
    """Every route a crawl of ``site`` asks for, as complete HTTP responses keyed by path."""
    if hasattr(site, "paths"):  # a farm of its own routes (bench/newsfarm.py)
        paths = site.paths()
    else:
        paths = ["/robots.txt", "/feed.xml", "/sitemap.xml", "/sitemap-news.xml.gz"]
        paths += [f"/list/{page}.html" for page in range(1, site.pages + 1)]
        paths += [f"/news/2024/{a.number:05d}.html" for a in site.articles]
    responses: Responses = {}
    lazy = getattr(site, "render_lazily", None)
    for path in paths:
        if lazy is not None and lazy(path):
            responses[path.encode()] = lambda path=path: _response(*site.route(path))
            continue
        status, headers, body = site.route(path)
        responses[path.encode()] = _response(status, headers, body)
    return responses


class _Http(asyncio.Protocol):
    """HTTP/1.1 GETs over a keep-alive connection, one at a time (clients do not pipeline)."""

    def __init__(self, responses: Responses, latency: float) -> None:
        self.responses = responses
        self.latency = latency
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            request, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
            target = request.split(b" ", 2)[1] if request.count(b" ") >= 2 else b""
            response = self.responses.get(target.split(b"?", 1)[0], _NOT_FOUND)
            if callable(response):
                response = response()
            if self.latency:
                asyncio.get_running_loop().call_later(self.latency, self._send, response)
            else:
                self._send(response)

    def _send(self, response: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(response)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None


def _serve(listeners: list[tuple[socket.socket, Responses]], latency: float) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        for sock, responses in listeners:
            await loop.create_server(lambda r=responses: _Http(r, latency), sock=sock)
        await stop.wait()

    asyncio.run(main())


@contextmanager
def serve_static(sites: list[Site]) -> Iterator[list[Site]]:
    """Serve every site from a child process until the block ends (latency: the sites')."""
    listeners = []
    for site in sites:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((site.address, 0))
        sock.listen(1024)
        site.port = sock.getsockname()[1]
        listeners.append((sock, render(site)))
    latency = max((site.latency for site in sites), default=0.0)
    pid = os.fork()
    if pid == 0:  # the child serves; it never returns into the caller's code
        try:
            _serve(listeners, latency)
        finally:
            os._exit(0)
    for sock, _ in listeners:
        sock.close()
    try:
        yield sites
    finally:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
