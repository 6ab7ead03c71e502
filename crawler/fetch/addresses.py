"""Which IP addresses the crawler may connect to: public ones, and no others.

The crawler follows URLs that strangers wrote (feed entries, links, redirects, meta refreshes),
so a URL can name a machine inside the network the crawler runs in: a router's admin page, a
database's HTTP port, a cloud's metadata service (169.254.169.254; 100.100.100.200 on Alibaba
Cloud, in the shared address space of carrier-grade NAT). :func:`is_public` is the one place
that decides, for the fetcher's early check (:mod:`crawler.fetch.guard`) and for the connection
itself (:mod:`crawler.fetch.sockets`, which connects only to the addresses it checked).

``ipaddress``'s flags do not decide it alone: ``is_private`` misses 100.64.0.0/10, and Python
3.11's ``is_global`` calls 192.0.0.9, multicast (224.0.0.0/4, ff00::/8), site-local fec0::/10,
64:ff9b:1::/48, 5f00::/16 and 3fff::/20 global. So the networks below are the IANA IPv4 and IPv6
Special-Purpose Address Registries' ranges that are not globally reachable (as of 2025), plus
multicast, broadcast and the reserved and deprecated blocks, checked on top of ``is_global``; an
IPv6 address must also be global unicast (2000::/3). Ranges the registries call globally
reachable but that are anycast services, not web sites (192.0.0.0/24's 192.0.0.9 and .10,
2001::/23's 2001:1::1-3, 2001:3::/32, 2001:20::/28 …), are refused with the rest of their block.

An IPv6 address that carries an IPv4 address leads to that IPv4 address, so it is as public as
the address it carries: IPv4-mapped ``::ffff:0:0/96``, NAT64's ``64:ff9b::/96`` (RFC 6052), 6to4
``2002::/16`` (2002:7f00:1::1 is 127.0.0.1 to a host with a 6to4 route) and Teredo
``2001::/32`` (its server and its client, whose address is the inverted last 32 bits).
"""

from __future__ import annotations

__all__ = ["NOT_PUBLIC_NETWORKS", "embedded_ipv4", "is_public"]

import ipaddress
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

_IPV4 = (
    "0.0.0.0/8",  # "this network" (RFC 791)
    "10.0.0.0/8",  # private use (RFC 1918)
    "100.64.0.0/10",  # shared address space, carrier-grade NAT (RFC 6598)
    "127.0.0.0/8",  # loopback
    "169.254.0.0/16",  # link-local, cloud metadata services
    "172.16.0.0/12",  # private use
    "192.0.0.0/24",  # IETF protocol assignments (RFC 6890)
    "192.0.2.0/24",  # documentation, TEST-NET-1
    "192.88.99.0/24",  # 6to4 relay anycast, deprecated (RFC 7526)
    "192.168.0.0/16",  # private use
    "198.18.0.0/15",  # benchmarking (RFC 2544)
    "198.51.100.0/24",  # documentation, TEST-NET-2
    "203.0.113.0/24",  # documentation, TEST-NET-3
    "224.0.0.0/4",  # multicast
    "240.0.0.0/4",  # reserved (RFC 1112)
    "255.255.255.255/32",  # limited broadcast
)
_IPV6 = (
    "::/128",  # unspecified
    "::1/128",  # loopback
    "::/8",  # reserved: IPv4-compatible (deprecated) and the rest
    "64:ff9b:1::/48",  # local-use IPv4/IPv6 translation (RFC 8215)
    "100::/64",  # discard-only (RFC 6666)
    "100:0:0:1::/64",  # dummy prefix (RFC 9780)
    "2001::/23",  # IETF protocol assignments (RFC 2928): ORCHID, benchmarking …
    "2001:db8::/32",  # documentation
    "3fff::/20",  # documentation (RFC 9637)
    "5f00::/16",  # segment routing SIDs (RFC 9602)
    "fc00::/7",  # unique local
    "fe80::/10",  # link-local
    "fec0::/10",  # site-local, deprecated (RFC 3879)
    "ff00::/8",  # multicast
)
NOT_PUBLIC_NETWORKS: tuple[IPv4Network | IPv6Network, ...] = tuple(
    ipaddress.ip_network(n) for n in _IPV4 + _IPV6
)
_NOT_PUBLIC_V4 = tuple(n for n in NOT_PUBLIC_NETWORKS if n.version == 4)
_NOT_PUBLIC_V6 = tuple(n for n in NOT_PUBLIC_NETWORKS if n.version == 6)
_GLOBAL_UNICAST = IPv6Network("2000::/3")
_NAT64 = IPv6Network("64:ff9b::/96")


def embedded_ipv4(ip: IPv6Address) -> tuple[IPv4Address, ...]:
    """The IPv4 addresses an IPv6 address leads to: the one it maps (``::ffff:0:0/96``), is
    translated to (``64:ff9b::/96``) or tunnels to (6to4), or Teredo's server and client;
    empty for any other address."""
    if ip.ipv4_mapped is not None:
        return (ip.ipv4_mapped,)
    if ip in _NAT64:
        return (IPv4Address(int(ip) & 0xFFFFFFFF),)
    if ip.sixtofour is not None:
        return (ip.sixtofour,)
    if ip.teredo is not None:
        return ip.teredo
    return ()


def is_public(address: str | IPv4Address | IPv6Address) -> bool:
    """Whether the crawler may connect to ``address`` (an IP address, an IPv6 one possibly with
    a ``%zone``): a globally reachable unicast address, see the module docstring. Anything that
    is not an IP address is not public."""
    if isinstance(address, str):
        try:
            ip: IPv4Address | IPv6Address = ipaddress.ip_address(address)
        except ValueError:
            return False
    else:
        ip = address
    if isinstance(ip, IPv4Address):
        return ip.is_global and not any(ip in network for network in _NOT_PUBLIC_V4)
    if ip.scope_id:  # a zone names a local interface: link-local or site-local
        return False
    if embedded := embedded_ipv4(ip):
        return all(is_public(v4) for v4 in embedded)
    return (
        ip in _GLOBAL_UNICAST
        and ip.is_global
        and not any(ip in network for network in _NOT_PUBLIC_V6)
    )
