"""Where a response sends the crawler next: an HTTP redirect's ``Location`` or an HTML redirect
stub's ``<meta http-equiv="refresh">``, and which URLs a request may go to at all.

The fetcher (:mod:`crawler.fetch.client`) follows the hops, each held to robots.txt and its
host's spacing like any request; this module only reads them, so that what counts as a hop (and
what is a page reloading itself) is decided in one place.
"""

from __future__ import annotations

__all__ = [
    "META_REFRESH_MAX_DELAY",
    "META_REFRESH_SNIFF",
    "check_url",
    "location",
    "meta_refresh",
]

import httpx
from w3lib.html import get_meta_refresh

from crawler.base.errors import FetchError
from crawler.fetch.urls import url_problem

# A <meta http-equiv="refresh"> within the first META_REFRESH_SNIFF bytes of an HTML page, to
# another URL after at most META_REFRESH_MAX_DELAY seconds, is followed like a redirect (Scrapy's
# bound; a longer one is the page reloading itself, not a redirect stub).
META_REFRESH_SNIFF = 4096
META_REFRESH_MAX_DELAY = 100.0


def check_url(url: str, *, redirected_from: str | None = None) -> None:
    """Raise FetchError for a URL no request can go to (a redirect can point anywhere: mailto:,
    file:, http://host:99999/)."""
    problem = url_problem(url)
    if problem is not None:
        if redirected_from is None:
            raise FetchError(f"invalid URL: {problem}", url=url)
        raise FetchError(f"redirect to an unusable URL {url!r}: {problem}", url=redirected_from)


def location(response: httpx.Response, url: str) -> str:
    """The absolute URL a redirect's ``Location`` names; FetchError (for ``url``, the request's
    first URL) when it cannot be one."""
    try:
        return str(response.url.join(response.headers["location"]))
    except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
        raise FetchError(
            f"unusable redirect Location {response.headers['location']!r}", url=url
        ) from exc


def meta_refresh(response: httpx.Response, content: bytes, url: str) -> str | None:
    """Where an HTML page's ``<meta http-equiv="refresh">`` sends the reader, when the page is a
    redirect stub (common on Chinese government sites: a site's front page or a reposted
    article that forwards to the original); None for every other page. Only the page's head is
    looked at, and only when it says "refresh"."""
    if response.status_code != 200 or "html" not in response.headers.get("content-type", "html"):
        return None
    sniff = META_REFRESH_SNIFF  # two plain searches: a case-blind regex costs 5 times more
    if content.find(b"efresh", 0, sniff) < 0 and content.find(b"EFRESH", 0, sniff) < 0:
        return None
    head = content[:META_REFRESH_SNIFF].decode("utf-8", "replace")
    delay, target = get_meta_refresh(head, url)
    if target is None or delay is None or delay > META_REFRESH_MAX_DELAY:
        return None
    target = target.split("#", 1)[0]
    if target == url or url_problem(target) is not None:  # a reload; javascript:, mailto: …
        return None
    return target
