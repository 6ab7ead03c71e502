"""Every non-public address is refused (crawler.fetch.addresses, crawler.fetch.sockets, crawler.fetch.guard).

The classification is tested on the IANA IPv4 and IPv6 Special-Purpose Address Registries'
ranges (first and last address of each), on every IPv6 form that carries an IPv4 address, and on
a few well-known public addresses: those are only values to classify, never connected to.

The connection tests run against loopback servers with the event loop's resolver replaced (a
name answers what the test says, in turn) and its ``sock_connect`` wrapped: a connection to a
non-loopback address is recorded and refused there, so no packet leaves the machine.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import socket
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import trustme
from hypothesis import given
from hypothesis import strategies as st

from crawler.base.config import FetchSettings, SourceFetch
from crawler.base.config.profile import FetchProfile, fetch_profile
from crawler.base.errors import BlockedAddress, ConnectFailed
from crawler.fetch import addresses, guard, sockets
from crawler.fetch.addresses import embedded_ipv4, is_public
from crawler.fetch.client import Fetcher
from crawler.fetch.guard import AddressGuard
from crawler.fetch.sockets import use_asyncio
from tests.faultserver import FaultServer, ForwardProxy, serving

UA = "citydigest-test/0.1"

# IANA IPv4 Special-Purpose Address Registry (2025), by whether it is globally reachable, plus
# multicast and the reserved block. Globally reachable ranges inside a block that is not
# (192.0.0.9/32, 192.0.0.10/32) are refused with their block: anycast services, no web sites.
IPV4_NOT_PUBLIC = [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.0.0/29",
    "192.0.0.8/32",
    "192.0.0.9/32",
    "192.0.0.10/32",
    "192.0.0.170/32",
    "192.0.0.171/32",
    "192.0.2.0/24",
    "192.88.99.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
    "255.255.255.255/32",
]
IPV4_GLOBAL = ["192.31.196.0/24", "192.52.193.0/24", "192.175.48.0/24"]  # AS112, AMT

# IANA IPv6 Special-Purpose Address Registry (2025), plus site-local, multicast and the rest
# of ::/8. 2001::/23's globally reachable anycast and ORCHID ranges are refused with it.
IPV6_NOT_PUBLIC = [
    "::1/128",
    "::/128",
    "::/96",  # IPv4-compatible, deprecated
    "64:ff9b:1::/48",
    "100::/64",
    "100:0:0:1::/64",
    "2001::/23",
    "2001:1::1/128",
    "2001:1::2/128",
    "2001:1::3/128",
    "2001:2::/48",
    "2001:3::/32",
    "2001:4:112::/48",
    "2001:10::/28",
    "2001:20::/28",
    "2001:30::/28",
    "2001:db8::/32",
    "3fff::/20",
    "5f00::/16",
    "fc00::/7",
    "fe80::/10",
    "fec0::/10",
    "ff00::/8",
]
IPV6_GLOBAL = ["2620:4f:8000::/48"]  # AS112

PUBLIC = [
    "1.1.1.1",
    "8.8.8.8",
    "114.114.114.114",
    "223.5.5.5",
    "202.108.22.5",
    "2606:4700:4700::1111",
    "2400:3200::1",
    "240c::6666",
    "2001:4860:4860::8888",
]


def _ends(network: str) -> list[str]:
    net = ipaddress.ip_network(network)
    return sorted({str(net.network_address), str(net.broadcast_address)})


@pytest.mark.parametrize(
    "address",
    [a for n in IPV4_NOT_PUBLIC + IPV6_NOT_PUBLIC for a in _ends(n)]
    + ["100.100.100.200", "169.254.169.254", "fe80::1%eth0", "fe80::1%1", "fd00:ec2::254"],
)
def test_every_special_purpose_range_is_refused_at_both_ends(address: str) -> None:
    assert not is_public(address)
    assert not is_public(ipaddress.ip_address(address.split("%")[0]))


@pytest.mark.parametrize(
    "address", PUBLIC + [str(ipaddress.ip_network(n)[1]) for n in IPV4_GLOBAL + IPV6_GLOBAL]
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert is_public(address)


def _embeddings(v4: ipaddress.IPv4Address) -> dict[str, ipaddress.IPv6Address]:
    """Every IPv6 form that leads to ``v4`` (Teredo: as its client, behind a public server)."""
    n = int(v4)
    server = int(ipaddress.IPv4Address("65.54.227.120"))
    return {
        "mapped": ipaddress.IPv6Address(0xFFFF << 32 | n),
        "nat64": ipaddress.IPv6Address(0x64FF9B << 96 | n),
        "6to4": ipaddress.IPv6Address(0x2002 << 112 | n << 80 | 1),
        "teredo": ipaddress.IPv6Address(0x20010000 << 96 | server << 64 | (n ^ 0xFFFFFFFF)),
    }


@pytest.mark.parametrize("v4", [a for n in IPV4_NOT_PUBLIC for a in _ends(n)])
def test_an_ipv6_address_carrying_a_non_public_ipv4_one_is_refused(v4: str) -> None:
    for kind, v6 in _embeddings(ipaddress.IPv4Address(v4)).items():
        assert embedded_ipv4(v6)[-1] == ipaddress.IPv4Address(v4), kind
        assert not is_public(v6), kind
        assert not is_public(str(v6)), kind


def test_the_issues_examples() -> None:
    for address in ("2002:7f00:1::1", "::ffff:127.0.0.1", "64:ff9b::a9fe:a9fe", "100.100.100.200"):
        assert not is_public(address)
    # a Teredo address behind a private server is refused even for a public client
    assert not is_public("2001:0:a00:1:0:0:f7f7:f7f7")
    for address in ("::ffff:8.8.8.8", "2002:808:808::1", "64:ff9b::808:808"):
        assert is_public(address)


@given(st.integers(0, 2**32 - 1))
def test_an_embedded_ipv4_address_is_as_public_as_itself(n: int) -> None:
    v4 = ipaddress.IPv4Address(n)
    expected = is_public(v4)
    for kind, v6 in _embeddings(v4).items():
        assert is_public(v6) == expected, (kind, v4)


@given(st.data())
def test_any_address_inside_a_refused_range_is_refused(data: st.DataObject) -> None:
    network = ipaddress.ip_network(data.draw(st.sampled_from(IPV4_NOT_PUBLIC + IPV6_NOT_PUBLIC)))
    offset = data.draw(st.integers(0, network.num_addresses - 1))
    address = network[offset]
    if address.version == 6 and embedded_ipv4(address):  # ::/96 holds ::ffff:0:0/96 and NAT64
        return
    assert not is_public(address)


@pytest.mark.parametrize("text", ["", "localhost", "1.2.3", "::g", "8.8.8.8:80", "[::1]"])
def test_what_is_not_an_ip_address_is_not_public(text: str) -> None:
    assert not is_public(text)


def test_the_networks_are_exported_for_documentation() -> None:
    assert ipaddress.ip_network("100.64.0.0/10") in addresses.NOT_PUBLIC_NETWORKS


# --------------------------------------------------------------------------- the network


@dataclass
class Net:
    """The event loop's resolver and connections, replaced: ``answers[name]`` is what each
    lookup of ``name`` answers in turn (the last one from then on); ``connected`` every address
    a socket connected to or tried to, a non-loopback one refused before anything is sent."""

    answers: dict[str, list[list[str]]] = field(default_factory=dict)
    lookups: list[str] = field(default_factory=list)
    connected: list[tuple[str, int]] = field(default_factory=list)

    def answer(self, name: str, *turns: list[str]) -> None:
        self.answers[name] = list(turns)


@pytest.fixture
async def net(monkeypatch: pytest.MonkeyPatch) -> Net:
    loop = asyncio.get_running_loop()
    state = Net()
    real_lookup, real_connect = loop.getaddrinfo, loop.sock_connect

    async def lookup(host: Any, port: Any, *args: Any, **kw: Any) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        try:
            ipaddress.ip_address(name)
        except ValueError:
            pass
        else:
            return await real_lookup(host, port, *args, **kw)
        if name not in state.answers:
            raise socket.gaierror(socket.EAI_NONAME, f"{name}: not in this test's resolver")
        state.lookups.append(name)
        turns = state.answers[name]
        answer = turns.pop(0) if len(turns) > 1 else turns[0]
        infos = []
        for address in answer:
            if ipaddress.ip_address(address).version == 4:
                infos.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 0)))
            else:
                infos.append(
                    (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port or 0, 0, 0))
                )
        return infos

    async def connect(sock: socket.socket, address: Any) -> None:
        state.connected.append((address[0], address[1]))
        if not ipaddress.ip_address(address[0]).is_loopback:
            raise OSError(errno.ENETUNREACH, f"{address[0]}: intercepted, not sent")
        await real_connect(sock, address)

    monkeypatch.setattr(loop, "getaddrinfo", lookup)
    monkeypatch.setattr(loop, "sock_connect", connect)
    return state


@dataclass
class Server:
    port: int = 0
    connections: int = 0
    hosts: list[str] = field(default_factory=list)
    names: list[str | None] = field(default_factory=list)  # SNI


@asynccontextmanager
async def loopback_server(
    address: str = "127.0.0.1", tls: ssl.SSLContext | None = None
) -> AsyncIterator[Server]:
    """A server that answers every request with a page, counting connections."""
    server = Server()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        server.connections += 1
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()
            return
        for line in head.decode("latin-1").split("\r\n"):
            if line.lower().startswith("host:"):
                server.hosts.append(line.split(":", 1)[1].strip())
        body = b"<p>internal</p>"
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        writer.close()

    if tls is not None:
        tls.sni_callback = lambda obj, name, ctx: server.names.append(name)  # type: ignore[assignment]
    listening = await asyncio.start_server(handle, address, 0, ssl=tls)
    server.port = listening.sockets[0].getsockname()[1]
    try:
        yield server
    finally:
        listening.close()
        await listening.wait_closed()


def guarded(*, source: SourceFetch | None = None, **kw: Any) -> FetchProfile:
    base = {"allow_private_networks": False, "obey_robots": False, "per_host_delay": 0.0}
    return fetch_profile(FetchSettings(**{**base, "timeout": 3.0, **kw}), UA, source)


REBOUND = ["127.0.0.1", "::ffff:127.0.0.1", "100.100.100.200", "2002:7f00:1::1", "10.1.2.3"]


@pytest.mark.parametrize("rebound", REBOUND)
async def test_a_name_rebound_after_the_check_is_refused_by_the_connection(
    net: Net, rebound: str
) -> None:
    """DNS rebinding: the first look answers a public address, the connection's own lookup a
    private one. The connection refuses it; nothing reaches the server listening there."""
    async with loopback_server() as server:
        net.answer("rebind.test", ["8.8.8.8"], [rebound])
        async with Fetcher(guarded()) as fetcher:
            with pytest.raises(BlockedAddress, match="private address") as info:
                await fetcher.get(f"http://rebind.test:{server.port}/page.html")
    assert rebound in info.value.reason and info.value.url
    assert net.lookups == ["rebind.test", "rebind.test"]
    assert net.connected == [] and server.connections == 0


@pytest.mark.parametrize("rebound", REBOUND)
async def test_the_connection_goes_to_the_address_it_checked(net: Net, rebound: str) -> None:
    """Both looks answer a public address, every later one a private one: the connection goes
    to the public address it checked (refused by this test's network before anything is sent),
    never asks the resolver again, and so never reaches the private one."""
    async with loopback_server() as server:
        net.answer("rebind.test", ["8.8.8.8"], ["8.8.8.8"], [rebound])
        async with Fetcher(guarded()) as fetcher:
            with pytest.raises(ConnectFailed):
                await fetcher.get(f"http://rebind.test:{server.port}/page.html")
    assert net.connected == [("8.8.8.8", server.port)]
    assert len(net.lookups) == 2 and server.connections == 0


@pytest.mark.parametrize("lenient_first_look", [False, True])
@pytest.mark.parametrize("private", ["127.0.0.1", "::1", "172.16.0.1", "fd00::1"])
async def test_a_name_with_public_and_private_addresses_is_refused(
    monkeypatch: pytest.MonkeyPatch, net: Net, private: str, lenient_first_look: bool
) -> None:
    """Refused by the fetcher's first look and, without it, by the connection itself."""
    if lenient_first_look:

        async def lenient(self: AddressGuard, url: str, profile: FetchProfile) -> None:
            return None

        monkeypatch.setattr(AddressGuard, "check_host", lenient)
    async with loopback_server() as server:
        net.answer("mixed.test", ["8.8.8.8", private, "2606:4700:4700::1111"])
        async with Fetcher(guarded()) as fetcher:
            with pytest.raises(BlockedAddress, match=r"private address \(.*" + private):
                await fetcher.get(f"http://mixed.test:{server.port}/")
    assert net.connected == [] and server.connections == 0


async def test_a_literal_non_public_address_is_refused_by_the_connection_too(
    monkeypatch: pytest.MonkeyPatch, net: Net
) -> None:
    async def lenient(self: AddressGuard, url: str, profile: FetchProfile) -> None:
        return None

    monkeypatch.setattr(AddressGuard, "check_host", lenient)
    async with loopback_server() as server, Fetcher(guarded()) as fetcher:
        for host in ("127.0.0.1", "[::ffff:7f00:1]", "[2002:7f00:1::1]"):
            with pytest.raises(BlockedAddress):
                await fetcher.get(f"http://{host}:{server.port}/")
    assert net.connected == [] and server.connections == 0


@pytest.fixture
def loopback_is_public(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the connection's guard take 127.0.0.0/8 for public, to connect to test servers."""
    real = addresses.is_public
    monkeypatch.setattr(sockets, "is_public", lambda a: a.startswith("127.") or real(a))


async def test_tls_to_the_pinned_address_keeps_the_name_for_sni_and_host(
    net: Net, loopback_is_public: None
) -> None:
    ca = trustme.CA()
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("news.test").configure_cert(tls)
    client_tls = ssl.create_default_context()
    ca.configure_trust(client_tls)
    async with loopback_server(tls=tls) as server:
        net.answer("news.test", ["127.0.0.1"])
        transport = httpx.AsyncHTTPTransport(verify=client_tls)
        assert use_asyncio(transport, public_only=True)
        async with httpx.AsyncClient(transport=transport, timeout=3.0) as client:
            response = await client.get(f"https://news.test:{server.port}/")
    assert response.status_code == 200 and response.text == "<p>internal</p>"
    assert server.names == ["news.test"]  # the certificate was checked for the name as well
    assert server.hosts == [f"news.test:{server.port}"]
    assert net.connected == [("127.0.0.1", server.port)] and net.lookups == ["news.test"]


async def test_happy_eyeballs_between_the_checked_addresses(
    net: Net, loopback_is_public: None
) -> None:
    """The first address refuses the connection: the next one checked is tried, no other."""
    async with loopback_server() as server:
        net.answer("two.test", ["127.0.0.3", "127.0.0.1"])
        transport = httpx.AsyncHTTPTransport()
        assert use_asyncio(transport, public_only=True)
        async with httpx.AsyncClient(transport=transport, timeout=3.0) as client:
            response = await client.get(f"http://two.test:{server.port}/")
    assert response.status_code == 200
    assert net.connected == [("127.0.0.3", server.port), ("127.0.0.1", server.port)]


async def test_a_name_that_does_not_resolve_is_a_connect_error(net: Net) -> None:
    transport = httpx.AsyncHTTPTransport()
    assert use_asyncio(transport, public_only=True)
    async with httpx.AsyncClient(transport=transport, timeout=3.0) as client:
        with pytest.raises(httpx.ConnectError, match="not in this test's resolver"):
            await client.get("http://nowhere.test/")
    assert net.connected == []


async def test_allowing_private_networks_connects_by_name_as_before(net: Net) -> None:
    async with loopback_server() as server:
        net.answer("intranet.test", ["127.0.0.1"])
        async with Fetcher(guarded(allow_private_networks=True)) as fetcher:
            result = await fetcher.get(f"http://intranet.test:{server.port}/")
    assert result.status == 200 and server.connections == 1


async def test_a_proxys_own_address_is_not_the_guards_business(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Through a proxy on loopback: the site's address is checked (here taken for public by the
    fetcher's first look), the proxy's is not; without the proxy the connection refuses it."""
    site, proxy = FaultServer("127.0.0.2"), ForwardProxy("127.0.0.9")
    real = addresses.is_public
    monkeypatch.setattr(guard, "is_public", lambda a: a == site.address or real(a))
    with serving(site), proxy.running():
        async with Fetcher(guarded()) as fetcher:
            result = await fetcher.get(
                site.page_url(1), guarded(source=SourceFetch(proxy=proxy.url))
            )
            with pytest.raises(BlockedAddress):
                await fetcher.get(site.page_url(2))
    assert result.status == 200
    assert site.paths() == ["/page/1.html"]
