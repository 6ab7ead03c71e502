"""A source's fetch profile: everything per source a request needs, merged once.

The ``fetch:`` defaults of ``citydigest.yaml`` (:class:`~.settings.FetchSettings`), the
configured ``user_agent`` and a source's own ``fetch:`` overrides (:class:`~.sources.SourceFetch`)
become one frozen :class:`FetchProfile` in one function, :func:`fetch_profile`, when the config
is built (:meth:`crawler.base.config.Config.profile`), not on every request. The fetcher
(:mod:`crawler.fetch.client`) takes a profile with each ``get``, as httpx takes its ``Timeout``
and ``Limits`` values; what belongs to one request only (the validators of a conditional GET,
the source to record it under) stays an argument of the ``get``.
"""

from __future__ import annotations

__all__ = ["FetchProfile", "fetch_profile"]

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypeVar

from crawler.base.config.settings import FetchSettings
from crawler.base.config.sources import SourceFetch

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchProfile:
    """How the requests of one source (or of none: the defaults) are made."""

    per_host_concurrency: int  # requests in flight per host, at most
    per_host_delay: float  # the least spacing of a host's requests (the throttle's floor)
    timeout: float  # seconds for a whole request, redirect hops and body included
    max_bytes: int  # the body's cap, decoded
    max_redirects: int  # hops, meta refreshes included
    obey_robots: bool
    allow_private_networks: bool  # connect to addresses that are not public
    user_agent: str
    headers: Mapping[str, str]  # sent with every request, the cookies as ``Cookie``; read-only
    proxy: str | None


def fetch_profile(
    defaults: FetchSettings, user_agent: str, overrides: SourceFetch | None = None
) -> FetchProfile:
    """The one merge of a source's ``fetch:`` ``overrides`` with the ``fetch:`` ``defaults``
    and the configured ``user_agent``: each override that is set replaces its default; the
    source's ``headers`` and ``cookies`` (as one ``Cookie`` header) are sent besides the
    fetcher's own; ``proxy`` has no default (None: straight to the host)."""
    source = overrides if overrides is not None else SourceFetch()
    headers = dict(source.headers)
    if source.cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in source.cookies.items())
    return FetchProfile(
        per_host_concurrency=_pick(source.per_host_concurrency, defaults.per_host_concurrency),
        per_host_delay=_pick(source.per_host_delay, defaults.per_host_delay),
        timeout=_pick(source.timeout, defaults.timeout),
        max_bytes=defaults.max_bytes,
        max_redirects=defaults.max_redirects,
        obey_robots=_pick(source.obey_robots, defaults.obey_robots),
        allow_private_networks=_pick(
            source.allow_private_networks, defaults.allow_private_networks
        ),
        user_agent=source.user_agent or user_agent,  # an empty one is no User-Agent of its own
        headers=MappingProxyType(headers),
        proxy=source.proxy,
    )


def _pick(override: _T | None, default: _T) -> _T:
    """The override when it is set, else the default."""
    return default if override is None else override
