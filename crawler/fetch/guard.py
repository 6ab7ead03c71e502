"""The fetcher's first look at where a request goes: only hosts whose every address is public.

Unless ``allow_private_networks``, every hop's host is resolved and refused, before robots.txt
or any connection, when any of its addresses is not public (:func:`crawler.fetch.addresses.
is_public`). It is a first look only: each connection resolves the host once more, checks the
answer again and connects to exactly the addresses it checked (:mod:`crawler.fetch.sockets`),
and after connecting :meth:`AddressGuard.check_peer` looks at the address connected to. Through
a proxy only the first look is ours: the proxy's own address is the operator's business, and it
resolves the host itself. Nothing is checked when a transport is injected: there is no network.
"""

from __future__ import annotations

__all__ = ["AddressGuard", "public_only"]

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

import httpx

from crawler.base.config.profile import FetchProfile
from crawler.base.errors import BlockedAddress, ConnectFailed
from crawler.fetch.addresses import is_public


def public_only(profile: FetchProfile) -> bool:
    """Whether a route's connections are held to public addresses (see the module docstring)."""
    return not profile.allow_private_networks and profile.proxy is None


class AddressGuard:
    """One fetcher's guard; ``off`` when its transport is injected (nothing is connected to).
    The answer of :meth:`check_host` is kept per host for the fetcher's life: a refusal saves
    the lookups, and a pass is no promise, as each connection checks its own resolution again."""

    def __init__(self, *, off: bool) -> None:
        self._off = off
        self._refused: dict[str, bool] = {}  # per host: whether it resolved to a private address

    async def check_host(self, url: str, profile: FetchProfile) -> None:
        """Refuse a host any of whose addresses is not public, before anything is sent to it."""
        if profile.allow_private_networks or self._off:
            return
        host = urlsplit(url).hostname or ""
        if host in self._refused:
            if self._refused[host]:
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
        self._refused[host] = blocked
        if blocked:
            raise BlockedAddress(
                f"{host} resolves to a private address ({', '.join(sorted(set(addresses)))}); "
                "set fetch.allow_private_networks to allow it",
                url=url,
            )

    def check_peer(self, response: httpx.Response, url: str, profile: FetchProfile) -> None:
        """After connecting: the address actually connected to must be public too. The
        connection itself refuses any other (crawler.fetch.sockets), so this is a second look, for
        a network backend that would not. Not through a proxy, whose own address is the
        operator's business."""
        if profile.allow_private_networks or self._off or profile.proxy:
            return
        peer = _peer_address(response)
        if peer is not None and not is_public(peer):
            raise BlockedAddress(f"connected to a private address ({peer})", url=url)


def _peer_address(response: httpx.Response) -> str | None:
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    try:
        peer = stream.get_extra_info("server_addr")
    except Exception:  # a transport without the info: nothing to check
        return None
    return str(peer[0]) if peer else None
