"""Text helpers shared by the digest stages: script folding, safe links, snippets.

- :func:`fold` turns Traditional into Simplified (OpenCC ``t2s``) for matching keywords.
- :func:`convert` shows text in the subscriber's script: ``t2s`` for ``simplified``, ``s2t``
  for ``traditional``. We use ``s2t`` (characters only), not ``s2twp``: ``s2twp`` also swaps
  mainland vocabulary for Taiwanese (软件 -> 軟體), which would change what the sources said.
- :func:`safe_url` keeps only absolute http(s) links and makes them ASCII (IDNA host,
  percent-encoded path), so a link survives script conversion and cannot carry ``javascript:``.
"""

from __future__ import annotations

__all__ = ["convert", "fold", "safe_url", "snippet"]

import functools
import re
from typing import Literal
from urllib.parse import quote, urlsplit, urlunsplit

import opencc

Script = Literal["simplified", "traditional"]


@functools.cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def fold(text: str) -> str:
    """Traditional -> Simplified, for matching (keywords, exclusions)."""
    return _converter("t2s").convert(text) if text else text


def convert(text: str, script: Script) -> str:
    """``text`` as a subscriber reading ``script`` should see it."""
    if not text:
        return text
    return _converter("s2t" if script == "traditional" else "t2s").convert(text)


_UNSAFE = re.compile(r"[\x00-\x20\x7f]")
_SAFE_CHARS = "/:@!$&'()*+,;=-._~%?#[]"


_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?:[/?#][A-Za-z0-9/?#&=%+:;,._~!$()*@-]*)?")


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL, made ASCII; else None."""
    if not url:
        return None
    url = url.strip()
    if _PLAIN_URL.fullmatch(url):
        return url  # the common case: already plain ASCII, nothing to quote
    if _UNSAFE.search(url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return None
    if ":" in ascii_host:  # an IPv6 literal
        ascii_host = f"[{ascii_host}]"
    netloc = ascii_host if port is None else f"{ascii_host}:{port}"
    if parts.username or parts.password:
        return None  # credentials in a link are a phishing trick, never a news article
    return urlunsplit(
        (
            parts.scheme.lower(),
            netloc,
            quote(parts.path, safe=_SAFE_CHARS),
            quote(parts.query, safe=_SAFE_CHARS),
            quote(parts.fragment, safe=_SAFE_CHARS),
        )
    )


_SPACE = re.compile(r"\s+")


def snippet(body: str, limit: int = 60) -> str:
    """The start of ``body`` on one line, cut at ``limit`` characters (two lines on a phone)."""
    text = _SPACE.sub(" ", (body or "")[: limit * 4]).strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    # End on a sentence or clause boundary when one is near the end.
    for mark in ("。", "；", "，"):
        pos = cut.rfind(mark)
        if pos >= limit * 2 // 3:
            return cut[: pos + 1] + "…" if mark != "。" else cut[: pos + 1]
    return cut.rstrip() + "…"
