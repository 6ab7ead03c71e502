"""What a site's robots.txt says, read for an operator to see (``sources test``, ``sources
suggest``), through the crawler's own fetcher.

The fetcher obeys robots.txt by itself (:mod:`crawler.fetch.robots`); this reads the same file
once more, with the same rules (its first :data:`~crawler.fetch.robots.ROBOTS_MAX_BYTES`, a 4xx
meaning "everything allowed"), to show it: whether given URLs are allowed, the ``Crawl-delay``
and the ``Sitemap:`` lines.
"""

from __future__ import annotations

__all__ = ["RobotsView", "read_robots"]

from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from protego import Protego

from crawler.base.config.profile import FetchProfile
from crawler.base.errors import FetchError, HTTPStatusError
from crawler.fetch.client import Fetcher
from crawler.fetch.robots import robots_text


@dataclass(frozen=True)
class RobotsView:
    """A host's robots.txt as read now: ``state`` says what was found ("read", "none: HTTP
    404, everything allowed", "unreadable: …"); ``parser`` is None unless it was read."""

    url: str
    state: str
    agent: str
    parser: Protego | None = None

    def allows(self, url: str) -> bool:
        return self.parser is None or bool(self.parser.can_fetch(url, self.agent))

    @property
    def crawl_delay(self) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(self.agent)
        return float(delay) if delay else None

    @property
    def sitemaps(self) -> tuple[str, ...]:
        return tuple(self.parser.sitemaps) if self.parser is not None else ()

    @property
    def unreadable(self) -> bool:
        """A 5xx, 429, timeout or network error: the crawl fetches nothing from the host."""
        return self.state.startswith("unreadable")


async def read_robots(fetcher: Fetcher, profile: FetchProfile, url: str) -> RobotsView:
    """``url``'s host's robots.txt, read as a crawl would (the source's profile: its headers,
    proxy and the private-network guard). Not held to robots.txt itself: it is that file."""
    parts = urlsplit(url)
    robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
    agent = profile.user_agent
    try:
        result = await fetcher.get(robots_url, replace(profile, obey_robots=False))
    except HTTPStatusError as exc:
        if 400 <= exc.status < 500 and exc.status != 429:
            return RobotsView(robots_url, f"none (HTTP {exc.status}): everything allowed", agent)
        return RobotsView(robots_url, f"unreadable (HTTP {exc.status}): try later", agent)
    except FetchError as exc:
        if exc.reason.startswith("empty body"):  # as the fetcher reads it: nothing disallowed
            return RobotsView(robots_url, "empty: everything allowed", agent)
        return RobotsView(robots_url, f"unreadable ({exc.reason}): try later", agent)
    try:
        parser = Protego.parse(robots_text(result))
    except Exception as exc:  # protego on hostile input, as the fetcher treats it
        return RobotsView(robots_url, f"unreadable (unparsable: {exc})", agent)
    return RobotsView(robots_url, "read", agent, parser)
