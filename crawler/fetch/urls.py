"""Canonical URLs: the key under which an article is stored exactly once.

Scheme and host are lower-cased, default ports and fragments dropped, percent-encoding
normalised, the query sorted and tracking parameters (utm_*, spm, fbclid, WeChat's share
parameters, ...) removed. url-normalize and w3lib do the work; this module only decides which
parameters are tracking noise.

The two libraries cost about 200 µs per URL, too much for every discovered link of a crawl.
Most links have a plain shape (``http://host/news/2024/00017.html?id=5``, ASCII host and path,
most queries): for those a fast path does by hand the few things the libraries would do, and every
other URL goes through the libraries. The fast path accepts only URLs whose every character it
has accounted for, and a property test checks it against the library path, which stays the
authority.
"""

from __future__ import annotations

__all__ = [
    "MAX_URL_LENGTH",
    "TRACKING_PARAMS",
    "canonical_url",
    "host_of",
    "is_http_url",
    "url_problem",
]

import functools
import re
import unicodedata
from urllib.parse import (
    parse_qsl,
    quote_plus,
    unquote,
    unquote_plus,
    urlencode,
    urlsplit,
    urlunsplit,
)

from url_normalize import url_normalize
from url_normalize.normalize_path import normalize_path
from w3lib.url import canonicalize_url

TRACKING_PARAMS = frozenset(
    {
        "spm",
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "isappinstalled",
        "scene",
        "chksm",
        "sharer_shareid",
        "sharer_sharetime",
        "clicktime",
        "enterid",
        "share_token",
        "wfr",
        "from_source",
    }
)
_TRACKING_PREFIXES = ("utm_", "pk_", "hmsr")

# The longest URL fetched or stored, canonical form included (the sitemap protocol's bound;
# Scrapy's is 2,083). Longer ones are session or tracking debris, and PostgreSQL cannot index an
# incompressible key of much more than 2,700 bytes: the article would fail on every run.
MAX_URL_LENGTH = 2048


def is_http_url(url: str) -> bool:
    """An http(s) URL with a host and a port that can be read (see :func:`url_problem`)."""
    return url_problem(url) is None


def url_problem(url: str) -> str | None:
    """Why no request can go to ``url``, or None for an http(s) URL with a host and a port that
    can be read: not "http://[::1/a" (an unclosed IPv6 bracket), "http://a.cn:99999/" (which
    canonical_url would refuse), mailto: or file:, nor one over :data:`MAX_URL_LENGTH`."""
    if len(url) > MAX_URL_LENGTH:
        return f"longer than {MAX_URL_LENGTH:,} characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError when unreadable or out of range)
    except ValueError as exc:
        return str(exc)
    if parts.scheme.lower() not in ("http", "https"):
        return f"{parts.scheme or 'no'} scheme, not http(s)"
    if not parts.hostname:
        return "no host"
    return None


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


# An absolute http(s) URL in the narrow shape the fast path understands: ASCII host labels (no
# userinfo, no IPv6, no IDN), an optional decimal port, a path of unreserved characters and
# sub-delimiters without ";" (w3lib splits path parameters there) and without "%", a query without
# spaces, controls or lone surrogates, and a printable ASCII fragment. Everything else goes to the
# libraries.
_FAST_RE = re.compile(
    r"(?P<scheme>[Hh][Tt][Tt][Pp][Ss]?)://"
    r"(?P<host>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)\.*"
    r"(?::(?P<port>[0-9]{1,5}))?"
    r"(?P<path>/[A-Za-z0-9._~!$&'()*+,=:@/-]*)?"
    r"(?:\?(?P<query>[^\x00-\x20#\x7f\ud800-\udfff]*))?"
    r"(?:#(?P<fragment>[!-~]*))?"
)
# A query field that url-normalize, urlencode and w3lib all leave exactly as it is.
_PLAIN_FIELD_RE = re.compile(r"[A-Za-z0-9._~-]+=[A-Za-z0-9._~-]*")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PLAIN_IPV4_RE = re.compile(
    r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}"
    r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
)


def _canonical_full(url: str) -> str:
    """The canonical form computed by url-normalize and w3lib: the reference for every URL."""
    try:
        normal = url_normalize(url.strip()) or url.strip()
    except UnicodeError:  # a host IDNA refuses (a 70-letter label, mis-decoded bytes): the URL
        normal = url.strip()  # keeps its host as written, and fetching it fails on its own
    parts = urlsplit(normal)
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    ]
    rebuilt = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))
    return canonicalize_url(rebuilt, keep_fragments=False)


def _fast_host(host: str) -> str | None:
    """The host as the libraries write it, or None when IDNA rules might change or reject it.

    url-normalize runs every label through IDNA, which refuses labels longer than 63 characters,
    with a leading or trailing hyphen, or with "--" in third and fourth place (A-labels). A host
    whose last label is a number is an IPv4 address to w3lib 2.6 and later, which rewrites it
    (127 -> 0.0.0.127, 010.0.0.1 -> 8.0.0.1) or refuses it (256.1.1.1, a.0): the libraries
    decide, except for an address already written as four plain decimal numbers (127.0.0.1).
    """
    host = host.lower()
    last = host.rpartition(".")[2]
    if (last.isdigit() or last.startswith("0x")) and not _PLAIN_IPV4_RE.fullmatch(host):
        return None
    if "-" in host or len(host) > 63:
        for label in host.split("."):
            if len(label) > 63 or label[0] == "-" or label[-1] == "-" or label[2:4] == "--":
                return None
    return host


def _fast_path(path: str | None) -> str:
    """The path as the libraries write it: "/" when empty, empty and dot segments resolved.

    The characters _FAST_RE admits are kept by both libraries; only url-normalize's segment
    handling (which w3lib's dot-segment removal then leaves alone) can change such a path.
    """
    if not path:
        return "/"
    if "//" in path or "/." in path:
        return normalize_path(path, "http")
    return path


def _query_text_is_stable(query: str) -> bool:
    """True when url-normalize's re-encoding of the query keeps every decoded character.

    It decodes escapes, applies NFC and encodes again. That returns the same text when the
    escapes decode to valid UTF-8 and the decoded query is already NFC (NFC is kept by every
    piece cut at "&", "=" or "+", which never combine). Undecodable bytes would reach urlencode
    as replacement characters by a different route, so they are left to the libraries.
    """
    try:
        text = unquote(query, errors="strict")
    except UnicodeDecodeError:
        return False
    return text.isascii() or unicodedata.is_normalized("NFC", text)


def _fast_query(query: str) -> str | None:
    """The sorted query without tracking parameters, encoded as urlencode and w3lib encode it,
    or None when the libraries would change more than that.

    Each field is decoded as parse_qsl decodes it ("+" is a space, %XX a UTF-8 byte); urlencode
    and w3lib then percent-encode every character but the unreserved ones, and w3lib sorts the
    fields by key and value (UTF-8 byte order, which is code point order).
    """
    if ("%" in query or not query.isascii()) and not _query_text_is_stable(query):
        return None
    pairs = []
    for field in query.split("&"):
        if not field:
            continue
        key, _, value = field.partition("=")
        if _PLAIN_FIELD_RE.fullmatch(field):
            encoded = field
        else:
            key, value = unquote_plus(key), unquote_plus(value)
            encoded = f"{quote_plus(key)}={quote_plus(value)}"
        if not _is_tracking(key):
            pairs.append((key, value, encoded))
    pairs.sort()
    return "&".join(encoded for _, _, encoded in pairs)


def _canonical_fast(url: str) -> str | None:
    """The canonical form of a common URL without the libraries, or None for other URLs.

    For the shape _FAST_RE admits, the libraries only lower-case scheme and host, drop trailing
    dots of the host, the default port and leading zeros of a port, the fragment and empty query
    fields, write an empty path as "/", resolve empty and dot segments, and decode, sort and
    re-encode the query.
    """
    match = _FAST_RE.fullmatch(url.strip())
    if match is None:
        return None
    scheme, host, port, path, query, fragment = match.groups()
    if fragment and fragment[0] == "!":
        return None  # url-normalize turns "#!..." into an _escaped_fragment_ parameter
    host = _fast_host(host)
    if host is None:
        return None
    scheme = scheme.lower()
    if port is not None:
        number = int(port)
        if number > 65535:
            return None  # w3lib raises
        port = "" if number == _DEFAULT_PORTS[scheme] else f":{number}"
    query = _fast_query(query) if query else ""
    if query is None:
        return None
    return f"{scheme}://{host}{port or ''}{_fast_path(path)}{'?' if query else ''}{query}"


# The cache serves the lookups that come close together (a link, then the page's final URL);
# with the fast path a miss costs microseconds, and 65,536 entries held some 12-18 MB for good.
@functools.lru_cache(maxsize=4096)
def canonical_url(url: str) -> str:
    """The canonical form of an absolute http(s) URL. ValueError when there is none, or when it
    is longer than :data:`MAX_URL_LENGTH` (percent-encoding makes a Chinese path nine times
    longer)."""
    fast = _canonical_fast(url)
    canonical = fast if fast is not None else _canonical_full(url)
    if len(canonical) > MAX_URL_LENGTH:
        raise ValueError(f"its canonical form is longer than {MAX_URL_LENGTH:,} characters")
    return canonical


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
