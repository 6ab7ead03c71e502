"""The site farm's request log, which the politeness tests and bench/service.py read: a request's
time is when it reached the server, whatever the server's threads were doing meanwhile."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from tests.sitefarm import Site, make_articles, serve

REQUEST = b"GET /news/2024/%05d.html HTTP/1.1\r\nHost: farm\r\n\r\n"


@pytest.fixture
def site() -> Iterator[Site]:
    farm = Site("log", "127.0.0.2", make_articles("log", 3), latency=0.4)
    with serve([farm]):
        yield farm


def read_responses(conn: socket.socket, count: int = 1) -> None:
    data = b""
    while data.count(b"</html>") < count:
        chunk = conn.recv(65536)
        assert chunk, data
        data += chunk


def test_a_request_sent_after_connecting_is_logged_when_sent(site: Site) -> None:
    """Not when its connection was accepted: a client may connect, then wait for its turn."""
    with socket.create_connection((site.address, site.port)) as conn:
        time.sleep(0.3)
        sent = time.monotonic()
        conn.sendall(REQUEST % 0)
        read_responses(conn)
    [(arrived, path)] = site.requests
    assert path == "/news/2024/00000.html"
    assert abs(arrived - sent) < 0.05, arrived - sent


def test_a_request_logged_when_it_arrived_not_when_a_thread_read_it(site: Site) -> None:
    """The second request of a kept-alive connection arrives while the server is still busy
    with the first (0.4 s to answer; a server thread waiting for the CPU is the same): it is
    logged at its arrival, not when the server got to it."""
    with socket.create_connection((site.address, site.port)) as conn:
        first = time.monotonic()
        conn.sendall(REQUEST % 0)
        time.sleep(0.1)
        second = time.monotonic()
        conn.sendall(REQUEST % 1)
        read_responses(conn, 2)
    times = [t for t, _ in site.requests]
    assert [p for _, p in site.requests] == ["/news/2024/00000.html", "/news/2024/00001.html"]
    assert abs(times[0] - first) < 0.05 and abs(times[1] - second) < 0.05, times
