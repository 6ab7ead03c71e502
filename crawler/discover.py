"""Finding article URLs: RSS/Atom feeds, HTML list pages, sitemaps.

Each parser takes the fetched bytes or text and the page's final URL, and returns absolute,
http(s) :class:`Link` objects (relative links are resolved against the final URL and any
``<base href>``). Input that cannot be read raises :class:`~crawler.base.errors.DiscoverError`;
nothing else escapes.

The bodies are a hostile site's to choose, so:

- feedparser gets only a stream over UTF-8 bytes decoded here (never ``str`` or ``bytes``:
  ``feedparser.parse()`` fetches a ``str`` that looks like a URL, by itself, past the fetcher's
  guards and limits, and opens one that names a file, as it does ``bytes``);
- no document that declares an XML entity is parsed (internal, external or parameter): expat
  stops a billion laughs, but feedparser's fallback parser then expands what expat refused
  without limit, and an external entity is a file or URL read. Sitemaps go through defusedxml,
  feeds are refused on any ``<!ENTITY`` before a parser sees them. A ``DOCTYPE`` naming an
  external DTD is harmless (neither parser loads it) and still read.

The parsers are CPU bound (seconds for a 16 MB feed): the crawl runs them in a thread.
"""

from __future__ import annotations

__all__ = ["Link", "ListPage", "Sitemap", "parse_feed", "parse_list_page", "parse_sitemap"]

import calendar
import gzip
import io
import re
import warnings
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin
from xml.etree import ElementTree

import feedparser
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
from selectolax.lexbor import LexborHTMLParser, SelectolaxError

from crawler.base.errors import DiscoverError
from crawler.fetch.encoding import decode_bytes
from crawler.fetch.urls import is_http_url
from crawler.markup import defuse

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit, uncompressed
# XML is case-sensitive (``<!ENTITY``); the loose SGML reading is not, so neither is the check.
_ENTITY_DECLARATION = re.compile(r"<!\s*ENTITY", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"\A[\ufeff\s]*<\?xml[^>]*\?>")
_UTF8_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'


@dataclass(frozen=True)
class Link:
    """An article URL and what the listing said about it."""

    url: str
    title: str | None = None
    published: datetime | None = None


@dataclass(frozen=True)
class ListPage:
    links: tuple[Link, ...]
    next_url: str | None


@dataclass(frozen=True)
class Sitemap:
    links: tuple[Link, ...]
    sitemaps: tuple[str, ...]  # child sitemaps of a sitemap index


def _absolute(base: str, href: str | None) -> str | None:
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
        return None
    try:
        url = urljoin(base, href).split("#", 1)[0]
    except ValueError:  # "http://[::1/a": an unclosed IPv6 bracket, say; the other links stand
        return None
    return url if is_http_url(url) else None


def _unique(links: list[Link]) -> tuple[Link, ...]:
    seen: set[str] = set()
    out = []
    for link in links:
        if link.url not in seen:
            seen.add(link.url)
            out.append(link)
    return tuple(out)


# --------------------------------------------------------------------------- feeds

_ENTITIES_REFUSED = (
    "{what} declares XML entities (<!ENTITY>): refused, their expansion is unbounded and an "
    "external one reads a file or URL"
)


def _charset(content_type: str | None) -> str | None:
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None


def parse_feed(
    content: bytes | str,
    base_url: str,
    *,
    content_type: str | None = None,
    encoding: str | None = None,
) -> tuple[Link, ...]:
    """Entries of an RSS 0.9x/1.0/2.0 or Atom feed, newest information kept per link.

    ``content`` is the body as fetched (or text already decoded); ``encoding`` is a charset to
    force (a source's ``encoding:``), else the ``content_type`` charset, the XML declaration and
    the bytes decide (:func:`~crawler.fetch.encoding.decode_bytes`)."""
    if isinstance(content, bytes):
        content = decode_bytes(content, header_charset=_charset(content_type), forced=encoding).text
    if _ENTITY_DECLARATION.search(content):
        raise DiscoverError(_ENTITIES_REFUSED.format(what="feed"), url=base_url)
    # Text that is ours from here on: declared UTF-8 wherever feedparser looks (the XML
    # declaration and the Content-Type charset), so it reads what we decoded.
    text = _UTF8_DECLARATION + _XML_DECLARATION.sub("", defuse(content), count=1)
    headers = {"content-location": base_url}
    media_type = (content_type or "").split(";", 1)[0].strip()
    if media_type:
        headers["content-type"] = f"{media_type}; charset=utf-8"
    try:
        with warnings.catch_warnings():
            # feedparser warns about its own updated/published fallback on every such entry.
            warnings.simplefilter("ignore", DeprecationWarning)
            parsed = feedparser.parse(
                io.BytesIO(text.encode("utf-8", "replace")),
                response_headers=headers,
                sanitize_html=False,
            )
    except Exception as exc:  # feedparser's own parsers can raise on hostile input
        raise DiscoverError(f"unreadable feed: {exc}", url=base_url) from exc
    links = []
    for entry in parsed.get("entries") or []:
        href = entry.get("link") or next(
            (lk.get("href") for lk in entry.get("links", []) if lk.get("href")), None
        )
        url = _absolute(base_url, href)
        if url is None:
            continue
        # dict.get: FeedParserDict's own get() maps a missing published to updated, and warns.
        stamp = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
        published = datetime.fromtimestamp(calendar.timegm(stamp), UTC) if stamp else None
        links.append(Link(url, (entry.get("title") or "").strip() or None, published))
    if not links:
        problem = parsed.get("bozo_exception")
        harmless = (feedparser.NonXMLContentType, feedparser.CharacterEncodingOverride)
        if parsed.get("bozo") and not isinstance(problem, harmless):
            raise DiscoverError(f"broken feed: {problem or 'unreadable'}", url=base_url)
        if not parsed.get("version"):
            raise DiscoverError("not an RSS or Atom feed", url=base_url)
    return _unique(links)


# --------------------------------------------------------------------------- list pages


def parse_list_page(
    html: str, base_url: str, *, links: str, next_selector: str | None = None
) -> ListPage:
    """Article links matched by ``links`` and the next page matched by ``next_selector``."""
    try:
        tree = LexborHTMLParser(defuse(html))
        base = base_url
        base_node = tree.css_first("base[href]")
        if base_node is not None:
            base = urljoin(base_url, base_node.attributes.get("href") or "")
        found = []
        for node in tree.css(links):
            href = node.attributes.get("href")
            if href is None and node.tag != "a":
                anchor = node.css_first("a[href]")
                href = anchor.attributes.get("href") if anchor is not None else None
            url = _absolute(base, href)
            if url:
                title = node.attributes.get("title") or node.text(strip=True) or None
                found.append(Link(url, title))
        next_url = None
        if next_selector:
            next_node = tree.css_first(next_selector)
            if next_node is not None:
                next_url = _absolute(base, next_node.attributes.get("href"))
                if next_url == base_url:
                    next_url = None
    except SelectolaxError as exc:
        raise DiscoverError(f"cannot apply selector: {exc}", url=base_url) from exc
    return ListPage(_unique(found), next_url)


# --------------------------------------------------------------------------- sitemaps


def _gunzip(content: bytes, url: str) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(content)) as fh:
            data = fh.read(MAX_SITEMAP_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise DiscoverError(f"broken gzip sitemap: {exc}", url=url) from exc
    if len(data) > MAX_SITEMAP_BYTES:
        raise DiscoverError("sitemap larger than 50 MB uncompressed", url=url)
    return data


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _parse_w3c_date(text: str | None) -> datetime | None:
    if not text:
        return None
    text = text.strip().replace("Z", "+00:00")
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def parse_sitemap(content: bytes, base_url: str) -> Sitemap:
    """A urlset (including Google News sitemaps) or a sitemap index; gzip is unpacked."""
    if content[:2] == b"\x1f\x8b":
        content = _gunzip(content, base_url)
    links: list[Link] = []
    children: list[str] = []
    try:
        events = SafeElementTree.iterparse(
            io.BytesIO(content), events=("end",), forbid_entities=True, forbid_external=True
        )
        for _event, element in events:
            name = _local(element.tag)
            if name not in ("url", "sitemap"):
                continue
            fields = {_local(child.tag): (child.text or "").strip() for child in element.iter()}
            loc = _absolute(base_url, fields.get("loc"))
            if loc is None:
                continue
            if name == "sitemap":
                children.append(loc)
            else:
                published = _parse_w3c_date(fields.get("publication_date") or fields.get("lastmod"))
                links.append(Link(loc, fields.get("title") or None, published))
            element.clear()
    except ElementTree.ParseError as exc:
        raise DiscoverError(f"broken sitemap XML: {exc}", url=base_url) from exc
    except DefusedXmlException as exc:  # an entity declared, or an external one referenced
        message = f"{_ENTITIES_REFUSED.format(what='sitemap')} ({type(exc).__name__})"
        raise DiscoverError(message, url=base_url) from exc
    if not links and not children:
        raise DiscoverError("no <url> or <sitemap> entries: not a sitemap", url=base_url)
    return Sitemap(_unique(links), tuple(dict.fromkeys(children)))
