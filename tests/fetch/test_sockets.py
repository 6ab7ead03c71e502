"""httpcore on asyncio's own transports (crawler.fetch.sockets), against real loopback servers: plain
HTTP/1.1, TLS with HTTP/1.1 and HTTP/2 by ALPN, kept-alive connections the server closes,
timeouts, resets, refusals and bodies larger than the read buffer."""

from __future__ import annotations

import asyncio
import socket
import ssl
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import h2.config
import h2.connection
import h2.events
import httpcore
import httpx
import pytest
import trustme

from crawler.base.config.profile import fetch_profile
from crawler.base.config.settings import FetchSettings
from crawler.fetch import sockets
from crawler.fetch.client import Fetcher
from crawler.fetch.sockets import AsyncioBackend, AsyncioStream, use_asyncio

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def serving(handler: Handler, tls: ssl.SSLContext | None = None) -> AsyncIterator[str]:
    """A loopback server running ``handler`` per connection; its base URL."""
    server = await asyncio.start_server(handler, "127.0.0.1", 0, ssl=tls)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()


async def _read_request(reader: asyncio.StreamReader) -> bool:
    """Read one HTTP/1.1 request head; False at the end of the connection."""
    try:
        await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return False
    return True


def _response(body: bytes, *, close: bool = False) -> bytes:
    head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\nContent-Type: text/plain\r\n"
    return (head + ("Connection: close\r\n" if close else "") + "\r\n").encode() + body


def _client(**kw: object) -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(**kw)  # type: ignore[arg-type]
    assert use_asyncio(transport)
    return httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(1.0))


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The hosts AsyncioBackend connected to, in order."""
    seen: list[str] = []
    connect = AsyncioBackend.connect_tcp

    async def counting(self: AsyncioBackend, host: str, port: int, *a: object, **kw: object):
        seen.append(f"{host}:{port}")
        return await connect(self, host, port, *a, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(AsyncioBackend, "connect_tcp", counting)
    return seen


async def keep_alive(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    n = 0
    while await _read_request(reader):
        n += 1
        writer.write(_response(f"answer {n}".encode()))
        await writer.drain()
    writer.close()


async def test_the_fetchers_connections_use_asyncio_streams(connects: list[str]) -> None:
    async with serving(keep_alive) as base:
        settings = FetchSettings(allow_private_networks=True, obey_robots=False, per_host_delay=0.0)
        async with Fetcher(fetch_profile(settings, "citydigest-test")) as fetcher:
            first = await fetcher.get(f"{base}/a")
            second = await fetcher.get(f"{base}/b")
        assert (first.content, second.content) == (b"answer 1", b"answer 2")
        assert connects == [base.removeprefix("http://")]  # one connection, kept alive


async def test_a_response_carries_its_asyncio_stream() -> None:
    async with serving(keep_alive) as base:
        async with _client() as client:
            response = await client.get(base)
        assert response.text == "answer 1"
        assert isinstance(response.extensions["network_stream"], AsyncioStream)
        peer = response.extensions["network_stream"].get_extra_info("server_addr")
        assert peer[0] == "127.0.0.1"


async def test_a_connection_the_server_closed_while_idle_is_not_reused(
    connects: list[str],
) -> None:
    async def one_per_connection(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        if await _read_request(r):
            w.write(_response(b"once"))  # says nothing of closing, then closes
            await w.drain()
        w.close()

    async with serving(one_per_connection) as base:
        async with _client() as client:
            first = await client.get(base)
            await asyncio.sleep(0.05)  # the close arrives while the connection is idle
            second = await client.get(base)
        assert (first.text, second.text) == ("once", "once")
        assert len(connects) == 2


async def test_a_silent_server_times_out_as_a_read_timeout() -> None:
    async def silent(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        await _read_request(r)
        await asyncio.sleep(5)

    async with serving(silent) as base, _client() as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.get(base, timeout=httpx.Timeout(0.2))


async def test_a_reset_mid_body_is_a_read_error() -> None:
    async def reset(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        await _read_request(r)
        w.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial")
        await w.drain()
        linger = struct.pack("ii", 1, 0)  # close with a reset, not a FIN
        w.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
        w.transport.abort()

    async with serving(reset) as base, _client() as client:
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            await client.get(base)


async def test_a_refused_connection_is_a_connect_error() -> None:
    probe = await asyncio.start_server(keep_alive, "127.0.0.1", 0)
    port = probe.sockets[0].getsockname()[1]
    probe.close()
    await probe.wait_closed()
    async with _client() as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(f"http://127.0.0.1:{port}/")


@pytest.mark.parametrize("port", [0, 99999])
async def test_a_port_out_of_range_is_a_connect_error(port: int) -> None:
    """asyncio's create_connection raises an IndexError of its own for port 99999."""
    with pytest.raises(httpcore.ConnectError, match="no such port"):
        await AsyncioBackend().connect_tcp("127.0.0.1", port)


async def test_a_body_larger_than_the_read_buffer_arrives_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = bytes(range(256)) * (8 * sockets.READ_BUFFER // 256 + 7)
    held: list[int] = []
    received = sockets._Pipe.data_received

    def watched(pipe: sockets._Pipe, data: bytes) -> None:
        received(pipe, data)
        held.append(len(pipe.buffer))

    monkeypatch.setattr(sockets._Pipe, "data_received", watched)

    async def big(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        await _read_request(r)
        w.write(_response(body, close=True))
        await w.drain()
        w.close()

    async with serving(big) as base:
        async with _client() as client, client.stream("GET", base) as response:
            pieces = []
            async for piece in response.aiter_raw():
                pieces.append(piece)
                await asyncio.sleep(0.002)  # a slow reader: the socket is paused meanwhile
        assert b"".join(pieces) == body
    # unread data stays bounded: at most the buffer's limit and one read from the socket
    assert max(held) <= sockets.READ_BUFFER + 256 * 1024


async def test_a_large_request_body_is_written_whole() -> None:
    payload = b"x" * (4 * 1024 * 1024)
    received: list[int] = []

    async def sink(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        head = await r.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        received.append(len(await r.readexactly(length)))
        w.write(_response(b"ok", close=True))
        await w.drain()
        w.close()

    async with serving(sink) as base:
        async with _client() as client:
            response = await client.post(base, content=payload)
        assert response.text == "ok"
        assert received == [len(payload)]


# ------------------------------------------------------------------------- TLS


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def _server_tls(ca: trustme.CA, alpn: list[str]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    context.set_alpn_protocols(alpn)
    return context


def _client_tls(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


async def test_tls_with_http_1_1(ca: trustme.CA) -> None:
    async with serving(keep_alive, tls=_server_tls(ca, ["http/1.1"])) as base:
        async with _client(verify=_client_tls(ca), http2=True) as client:
            response = await client.get(base)
        assert (response.http_version, response.text) == ("HTTP/1.1", "answer 1")
        stream = response.extensions["network_stream"]
        assert stream.get_extra_info("ssl_object").version().startswith("TLS")


async def test_tls_refuses_a_certificate_it_does_not_trust(ca: trustme.CA) -> None:
    tls = _server_tls(ca, ["http/1.1"])
    async with (
        serving(keep_alive, tls=tls) as base,
        _client(verify=ssl.create_default_context()) as client,
    ):
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await client.get(base)


async def h2_server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    assert writer.get_extra_info("ssl_object").selected_alpn_protocol() == "h2"
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
    conn.initiate_connection()
    writer.write(conn.data_to_send())
    while data := await reader.read(65536):
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.RequestReceived):
                path = dict(event.headers)[b":path"].decode()
                body = f"h2 {path}".encode()
                conn.send_headers(
                    event.stream_id,
                    [(":status", "200"), ("content-length", str(len(body)))],
                )
                conn.send_data(event.stream_id, body, end_stream=True)
        writer.write(conn.data_to_send())
        await writer.drain()
    writer.close()


async def test_tls_negotiates_http_2(ca: trustme.CA, connects: list[str]) -> None:
    async with serving(h2_server, tls=_server_tls(ca, ["h2", "http/1.1"])) as base:
        async with _client(verify=_client_tls(ca), http2=True) as client:
            responses = await asyncio.gather(*(client.get(f"{base}/{n}") for n in range(5)))
        assert [r.http_version for r in responses] == ["HTTP/2"] * 5
        assert [r.text for r in responses] == [f"h2 /{n}" for n in range(5)]
        assert len(connects) == 1  # five streams over one connection


async def connect_proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """An HTTP CONNECT proxy: a tunnel to the host and port asked for, bytes both ways."""
    head = await reader.readuntil(b"\r\n\r\n")
    host, port = head.split(b" ")[1].decode().rsplit(":", 1)
    up_reader, up_writer = await asyncio.open_connection(host, int(port))
    writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")

    async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        while data := await src.read(65536):
            dst.write(data)
            await dst.drain()
        dst.close()

    await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


async def test_https_through_a_proxy_tunnel(ca: trustme.CA, connects: list[str]) -> None:
    """HTTPS via a proxy (how sources that block foreign addresses are reached): the backend
    connects to the proxy, and TLS to the site starts on the tunnelled stream."""
    tls = _server_tls(ca, ["h2", "http/1.1"])
    async with (
        serving(h2_server, tls=tls) as base,
        serving(connect_proxy) as proxy,
        _client(verify=_client_tls(ca), http2=True, proxy=proxy) as client,
    ):
        response = await client.get(f"{base}/through")
    assert (response.http_version, response.text) == ("HTTP/2", "h2 /through")
    assert connects == [proxy.removeprefix("http://")]  # to the proxy only; the site by tunnel
