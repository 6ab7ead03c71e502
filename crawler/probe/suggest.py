"""``sources suggest``: what a crawl of a site could use, found from one of its pages.

:func:`suggest_source` tells the story: the page is fetched as a crawl fetches (the crawler's
own :class:`~crawler.fetch.client.Fetcher`: robots.txt, the private-network guard, redirects,
politeness, decoding), then

1. its feeds: the page itself if it is one, the feeds its ``<link rel=alternate>`` name, else
   the well-known paths (:data:`WELL_KNOWN_FEEDS`), each kept only if
   :func:`crawler.discover.parse_feed` reads entries from it;
2. its sitemaps: the page itself if it is one, robots.txt's ``Sitemap:`` lines, else
   :data:`WELL_KNOWN_SITEMAPS`, each kept only if :func:`crawler.discover.parse_sitemap` reads
   it;
3. the page as a list: the article-link and next-page selectors inferred from its structure
   (:mod:`crawler.probe.listpage`), the next page then fetched to check that both hold there
   (links found, a next page that leads on), the first candidate that does winning.

What it found, and how, is a :class:`Suggestion`, which :mod:`crawler.probe.entry` prints as a
``sources.yaml`` entry with the evidence as comments.
"""

from __future__ import annotations

__all__ = [
    "WELL_KNOWN_FEEDS",
    "WELL_KNOWN_SITEMAPS",
    "CheckedList",
    "FoundFeed",
    "FoundSitemap",
    "Suggestion",
    "suggest_source",
]

import asyncio
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from crawler.base.config.profile import FetchProfile
from crawler.base.errors import CrawlError
from crawler.discover import Link, parse_feed, parse_list_page, parse_sitemap
from crawler.fetch.client import Fetcher
from crawler.fetch.encoding import SiteCharsets
from crawler.fetch.response import FetchResult
from crawler.markup import defuse
from crawler.probe.listpage import LinkGroup, ListGuess, NextGuess, infer_list
from crawler.probe.robots import RobotsView, read_robots

# Tried, in this order, when the page names no feed: the paths CMSs and static site generators
# serve their feeds at (WordPress /feed, Hugo /index.xml, Jekyll /feed.xml, Hexo /atom.xml ...).
WELL_KNOWN_FEEDS = (
    "/rss.xml",
    "/feed",
    "/atom.xml",
    "/index.xml",
    "/feed.xml",
    "/rss",
    "/index.rss",
)
WELL_KNOWN_SITEMAPS = ("/sitemap.xml", "/sitemap_index.xml")
_FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
     "text/xml"}
)  # fmt: skip
_ID_UNSAFE = re.compile(r"[^a-z0-9]+")
_XML_START = re.compile(rb"\s*(?:\xef\xbb\xbf)?\s*<(?:\?xml|rss|feed|rdf:RDF)\b")


@dataclass(frozen=True)
class FoundFeed:
    url: str
    how: str  # where it was named: "<link rel=alternate>" or "well-known path"
    links: tuple[Link, ...]


@dataclass(frozen=True)
class FoundSitemap:
    url: str
    how: str  # "robots.txt Sitemap:" or "well-known path"
    links: int  # article URLs in it (an index: in its first child)
    children: int  # child sitemaps, for an index
    samples: tuple[str, ...]


@dataclass(frozen=True)
class CheckedList:
    """The page as a list: its links and next page, and what page 2 showed of them."""

    url: str
    group: LinkGroup
    next: NextGuess | None
    second_page: str | None  # what following ``next`` found, in words; None: not followed
    disallowed: int  # links robots.txt disallows (the crawl will skip them)
    script_pager: str | None = None  # where a script writes the pager, when no link leads on


@dataclass(frozen=True)
class Suggestion:
    url: str  # the page as asked for
    final_url: str  # where it was, after redirects
    source_id: str
    name: str
    feeds: tuple[FoundFeed, ...]
    sitemaps: tuple[FoundSitemap, ...]
    listing: CheckedList | None
    other_groups: tuple[LinkGroup, ...]
    robots: RobotsView
    tried: tuple[str, ...]  # candidates that gave nothing, each "URL: why"
    encoding: str | None = None  # a charset to force: the page's declarations do not read it


async def suggest_source(
    fetcher: Fetcher, profile: FetchProfile, url: str, *, source_id: str | None = None
) -> Suggestion:
    """Everything a source for the site of ``url`` could use; raises the page's FetchError
    (robots.txt disallowing it, the private-network guard, HTTP errors) when it cannot be read."""
    charsets = SiteCharsets()
    page = await fetcher.get(url, profile)
    decoded = charsets.decode(
        page.final_url, page.content, header_charset=page.charset, forced=None
    )
    html = decoded.text
    tried: list[str] = []
    robots = await read_robots(fetcher, profile, page.final_url)
    feeds = await _feeds(fetcher, profile, page, html, tried)
    sitemaps = await _sitemaps(fetcher, profile, page, robots, tried)
    guess = await asyncio.to_thread(infer_list, html, page.final_url)
    listing = await _checked_list(fetcher, profile, charsets, guess, page.final_url, robots)
    return Suggestion(
        url,
        page.final_url,
        source_id or _source_id(page.final_url),
        _name(guess.title, page.final_url),
        tuple(feeds),
        tuple(sitemaps),
        listing,
        guess.others,
        robots,
        tuple(tried),
        # No charset the page declares reads it: pin the one detected (as an operator would).
        decoded.encoding if decoded.via in ("detected", "fallback") else None,
    )


# --------------------------------------------------------------------------- feeds


def feed_links(html: str, page_url: str) -> list[str]:
    """The feeds a page names in ``<link rel=alternate type=…rss/atom…>``, in its order."""
    tree = LexborHTMLParser(defuse(html))
    found = []
    for node in tree.css("link[rel][href]"):
        rels = (node.attributes.get("rel") or "").lower().split()
        media = (node.attributes.get("type") or "").split(";")[0].strip().lower()
        if "alternate" in rels and media in _FEED_TYPES:
            found.append(urljoin(page_url, node.attributes.get("href") or ""))
    return list(dict.fromkeys(found))


async def _feeds(
    fetcher: Fetcher, profile: FetchProfile, page: FetchResult, html: str, tried: list[str]
) -> list[FoundFeed]:
    """The page itself when it is a feed; else the feeds it names; only when it names none (or
    none reads), the well-known paths."""
    if _is_xml(page):
        itself = await _read_feed(page, page.final_url, "the page itself", tried)
        if itself is not None:
            return [itself]
    named = [(u, "<link rel=alternate>") for u in feed_links(html, page.final_url)]
    found = [f for f in [await _feed(fetcher, profile, u, how, tried) for u, how in named] if f]
    if found:
        return found
    root = _root(page.final_url)
    for path in WELL_KNOWN_FEEDS:
        feed = await _feed(fetcher, profile, root + path, "well-known path", tried)
        if feed is not None and feed.url not in {f.url for f in found}:
            found.append(feed)
    return found


async def _feed(
    fetcher: Fetcher, profile: FetchProfile, url: str, how: str, tried: list[str]
) -> FoundFeed | None:
    try:
        result = await fetcher.get(url, profile)
    except CrawlError as exc:
        tried.append(f"{url}: {exc.reason}")
        return None
    return await _read_feed(result, url, how, tried)


async def _read_feed(result: FetchResult, url: str, how: str, tried: list[str]) -> FoundFeed | None:
    """The feed ``result`` holds, if it is one with entries (what the crawl would read)."""
    try:
        links = await asyncio.to_thread(
            parse_feed,
            result.content,
            result.final_url,
            content_type=result.headers.get("content-type"),
        )
    except CrawlError as exc:
        tried.append(f"{url}: {exc.reason}")
        return None
    if not links:
        tried.append(f"{url}: a feed without entries")
        return None
    return FoundFeed(result.final_url, how, links)


# --------------------------------------------------------------------------- sitemaps


def _is_xml(page: FetchResult) -> bool:
    return bool(_XML_START.match(page.content[:512])) or "xml" in page.content_type


async def _sitemaps(
    fetcher: Fetcher, profile: FetchProfile, page: FetchResult, robots: RobotsView, tried: list[str]
) -> list[FoundSitemap]:
    if _is_xml(page):
        itself = await _read_sitemap(fetcher, profile, page, "the page itself", tried)
        if itself is not None:
            return [itself]
    root = _root(page.final_url)
    candidates = [(u, "robots.txt Sitemap:") for u in robots.sitemaps]
    listed = {u for u, _ in candidates}
    candidates += [
        (root + p, "well-known path") for p in WELL_KNOWN_SITEMAPS if root + p not in listed
    ]
    found: list[FoundSitemap] = []
    for url, how in candidates:
        if found and how == "well-known path":
            break  # robots.txt named the site's sitemaps: no need to guess
        sitemap = await _sitemap(fetcher, profile, url, how, tried)
        if sitemap is not None:
            found.append(sitemap)
    return found


async def _sitemap(
    fetcher: Fetcher, profile: FetchProfile, url: str, how: str, tried: list[str]
) -> FoundSitemap | None:
    try:
        result = await fetcher.get(url, profile)
    except CrawlError as exc:
        tried.append(f"{url}: {exc.reason}")
        return None
    return await _read_sitemap(fetcher, profile, result, how, tried)


async def _read_sitemap(
    fetcher: Fetcher, profile: FetchProfile, result: FetchResult, how: str, tried: list[str]
) -> FoundSitemap | None:
    """The sitemap ``result`` holds, if it is one; an index's first child is read to count
    the links it holds."""
    try:
        sitemap = await asyncio.to_thread(parse_sitemap, result.content, result.final_url)
        links = sitemap.links
        if not links and sitemap.sitemaps:
            child = await fetcher.get(sitemap.sitemaps[0], profile)
            links = (await asyncio.to_thread(parse_sitemap, child.content, child.final_url)).links
    except CrawlError as exc:
        tried.append(f"{result.url}: {exc.reason}")
        return None
    samples = tuple(link.url for link in links[:3])
    return FoundSitemap(result.url, how, len(links), len(sitemap.sitemaps), samples)


# --------------------------------------------------------------------------- the list page


async def _checked_list(
    fetcher: Fetcher,
    profile: FetchProfile,
    charsets: SiteCharsets,
    guess: ListGuess,
    page_url: str,
    robots: RobotsView,
) -> CheckedList | None:
    """The best link group with the first next-page candidate that holds on page 2 (links
    found there, and a next page that is neither page 1 nor page 2); without a page 2 that can
    be read, the first candidate, unchecked."""
    group = guess.best
    if group is None:
        return None
    disallowed = sum(not robots.allows(link.url) for link in group.links)
    chosen: NextGuess | None = None
    evidence: str | None = None
    for candidate in guess.next_pages:
        verdict = await _second_page(fetcher, profile, charsets, group, candidate, page_url)
        if verdict is None:
            continue
        holds, words = verdict
        if holds:
            chosen, evidence = candidate, words
            break
        if chosen is None:
            chosen, evidence = candidate, words
    return CheckedList(page_url, group, chosen, evidence, disallowed, guess.script_pager)


async def _second_page(
    fetcher: Fetcher,
    profile: FetchProfile,
    charsets: SiteCharsets,
    group: LinkGroup,
    candidate: NextGuess,
    page_url: str,
) -> tuple[bool, str] | None:
    """Whether ``candidate`` holds on the page it leads to, and what that page showed."""
    try:
        result: FetchResult = await fetcher.get(candidate.url, profile)
        html = charsets.decode(
            result.final_url, result.content, header_charset=result.charset, forced=None
        ).text
        second = parse_list_page(
            html, result.final_url, links=group.selector, next_selector=candidate.selector
        )
    except CrawlError as exc:
        return False, f"page 2 ({candidate.url}) could not be read: {exc.reason}"
    new = [link for link in second.links if link.url not in {g.url for g in group.links}]
    onward = second.next_url not in (None, page_url, candidate.url, result.final_url)
    words = f"page 2 ({candidate.url}): {len(new)} new links"
    words += f", its next page {second.next_url}" if onward else ", no next page from it"
    return bool(new) and onward, words


# --------------------------------------------------------------------------- naming


def _root(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _source_id(url: str) -> str:
    """An id from the host and the section (``www.gov.cn/zhengce/zuixin/`` -> gov-cn-zuixin)."""
    parts = urlsplit(url)
    host = (parts.hostname or "site").removeprefix("www.")
    segments = [s for s in parts.path.split("/") if s and "." not in s and not s.isdigit()]
    words = [host, *segments[-1:]]
    ident = _ID_UNSAFE.sub("-", "-".join(words).lower()).strip("-")
    return ident[:64].rstrip("-") or "site"


def _name(title: str | None, url: str) -> str:
    """The page's title up to its first separator (要闻_某某新闻网 -> 要闻), else the host."""
    if title:
        head = re.split(r"\s*[_|–—]\s*|\s+-\s+", title.strip(), maxsplit=1)[0].strip()
        if head:
            return head[:80]
    return urlsplit(url).hostname or url
