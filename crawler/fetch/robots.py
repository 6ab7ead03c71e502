"""robots.txt: read once per host into its :class:`~crawler.fetch.hosts.Slot`, then obeyed.

Apart from the fetcher (:mod:`crawler.fetch.client`) because reading robots.txt has rules of its
own: how much of it is read (:data:`ROBOTS_MAX_BYTES`), what an answer means (a 4xx but 429:
everything allowed; a 5xx, 429, timeout or network error: "try later"), how long a ``Crawl-delay``
may be (:data:`MAX_CRAWL_DELAY`). The fetcher hands :func:`check_robots` the way to read a URL
(its own request, polite like any); the slot keeps what was read and for how long
(:data:`~crawler.fetch.hosts.ROBOTS_TTL`, :data:`~crawler.fetch.hosts.ROBOTS_RETRY`).
"""

from __future__ import annotations

__all__ = ["MAX_CRAWL_DELAY", "ROBOTS_MAX_BYTES", "ReadRobots", "check_robots", "robots_text"]

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from protego import Protego

from crawler.base.errors import FetchError, HTTPStatusError, RobotsDisallowed, RobotsUnavailable
from crawler.fetch.response import FetchResult

if TYPE_CHECKING:
    from crawler.fetch.hosts import Slot

ROBOTS_MAX_BYTES = 500 * 1024  # how much of a robots.txt is read (RFC 9309 section 2.5)
MAX_CRAWL_DELAY = 60.0  # a longer Crawl-delay is read as this

# Reads a robots.txt URL (with the source's headers, cookies and proxy, within the host's
# politeness); raises a FetchError as any request does.
ReadRobots = Callable[[str], Awaitable[FetchResult]]


async def check_robots(url: str, slot: Slot, agent: str, read: ReadRobots) -> None:
    """Raise unless robots.txt lets ``agent`` fetch ``url``, reading it first (with ``read``)
    when the host's slot does not know it or it has expired."""
    async with slot.robots_lock:
        if slot.robots_due():
            await _load(url, slot, agent, read)
    if slot.robots_error:
        raise RobotsUnavailable(f"robots.txt unavailable, try later: {slot.robots_error}", url=url)
    if slot.robots is not None and not slot.robots.can_fetch(url, agent):
        raise RobotsDisallowed("robots.txt disallows this URL", url=url)


async def _load(url: str, slot: Slot, agent: str, read: ReadRobots) -> None:
    parts = urlsplit(url)
    robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
    slot.forget_robots()
    try:
        result = await read(robots_url)
    except HTTPStatusError as exc:
        if 400 <= exc.status < 500 and exc.status != 429:
            slot.robots_read(None, 0.0)  # no robots.txt: everything allowed
        else:
            slot.robots_unreadable(f"HTTP {exc.status}")
        return
    except FetchError as exc:
        slot.robots_unreadable(exc.reason)
        return
    try:
        parser = Protego.parse(robots_text(result))
        delay = parser.crawl_delay(agent)
    except Exception as exc:  # protego on hostile input: treat as unreadable
        slot.robots_unreadable(f"unparsable robots.txt: {exc}")
        return
    slot.robots_read(parser, min(float(delay), MAX_CRAWL_DELAY) if delay else 0.0)


def robots_text(result: FetchResult) -> str:
    """robots.txt as text, to its last whole line within :data:`ROBOTS_MAX_BYTES`: RFC 9309
    lets a crawler stop there (Google does), and parsing megabytes of it (an HTML page served as
    robots.txt, say) would only cost time."""
    content = result.content
    if len(content) > ROBOTS_MAX_BYTES:
        content = content[:ROBOTS_MAX_BYTES].rpartition(b"\n")[0]
    return replace(result, content=content).decode().text
