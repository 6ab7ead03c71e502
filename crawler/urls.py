"""Canonical URLs: the key under which an article is stored exactly once.

Scheme and host are lower-cased, default ports and fragments dropped, percent-encoding
normalised, the query sorted and tracking parameters (utm_*, spm, fbclid, WeChat's share
parameters, ...) removed. url-normalize and w3lib do the work; this module only decides which
parameters are tracking noise.
"""

from __future__ import annotations

__all__ = ["TRACKING_PARAMS", "canonical_url", "host_of", "is_http_url"]

import functools
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from url_normalize import url_normalize
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
_HTTP_RE = re.compile(r"^https?://", re.IGNORECASE)


def is_http_url(url: str) -> bool:
    return bool(_HTTP_RE.match(url)) and bool(urlsplit(url).hostname)


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


@functools.lru_cache(maxsize=65536)
def canonical_url(url: str) -> str:
    """The canonical form of an absolute http(s) URL."""
    normal = url_normalize(url.strip()) or url.strip()
    parts = urlsplit(normal)
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    ]
    rebuilt = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))
    return canonicalize_url(rebuilt, keep_fragments=False)


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
