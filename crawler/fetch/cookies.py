"""The cookies servers set, kept as a browser keeps them: per host (and proxy), as the bytes
they came as, and within a browser's bounds. See :class:`CookieJar`."""

from __future__ import annotations

__all__ = ["MAX_COOKIES", "MAX_COOKIE_BYTES", "CookieJar"]

import http.client
import http.cookiejar
import urllib.request
from typing import cast

import httpx

# Cookies kept per host: past these a site that sets a new cookie on every page (a visit
# counter per article, say) would grow the Cookie header until the server refuses every request
# with 400 (nginx's default header buffer is 8 KB). Browsers keep some 50-180 per site and drop a
# cookie over 4 KB.
MAX_COOKIES = 50
MAX_COOKIE_BYTES = 4096


class CookieJar(http.cookiejar.CookieJar):
    """The cookies servers set on one route, kept as the bytes they came as and within a
    browser's bounds.

    Bytes: httpx reads a header block that is not UTF-8 (a GBK cookie value from an old ASP
    site) as Latin-1 text, whose UTF-8 would be other bytes than the server set. So cookies are
    taken from the raw header bytes (UTF-8, undecodable bytes as surrogates) and sent back as
    exactly those bytes.

    Bounds: a cookie over :data:`MAX_COOKIE_BYTES` is ignored, and once the jar holds
    :data:`MAX_COOKIES`, so are new ones: the cookies a site set first (its session, its browser
    check) stay and are updated; a cookie the server expires is still removed."""

    def set_cookie(self, cookie: http.cookiejar.Cookie) -> None:
        if len(cookie.name) + len(cookie.value or "") > MAX_COOKIE_BYTES:
            return
        key = (cookie.domain, cookie.path, cookie.name)
        if len(self) >= MAX_COOKIES and all((c.domain, c.path, c.name) != key for c in self):
            return
        super().set_cookie(cookie)

    def keep(self, response: httpx.Response) -> None:
        """Take the cookies ``response`` sets (its Set-Cookie headers)."""
        values = [
            value.decode("utf-8", "surrogateescape")
            for name, value in response.headers.raw
            if name.lower() == b"set-cookie"
        ]
        # http.cookiejar reads only .info().get_all() of the response it is given.
        headers = cast("http.client.HTTPResponse", _SetCookies(values))
        self.extract_cookies(headers, urllib.request.Request(str(response.url)))

    def header(self, url: str) -> bytes | None:
        """The Cookie header for a request to ``url``, if any cookie goes with it."""
        if not len(self):
            return None
        probe = urllib.request.Request(url)
        self.add_cookie_header(probe)
        value = probe.get_header("Cookie")
        return value.encode("utf-8", "surrogateescape") if value else None


class _SetCookies:
    """A response as :meth:`http.cookiejar.CookieJar.extract_cookies` reads it: its
    Set-Cookie headers (``response.info().get_all(name, default)``)."""

    def __init__(self, values: list[str]) -> None:
        self._values = values

    def info(self) -> _SetCookies:
        return self

    def get_all(self, name: str, default: list[str]) -> list[str]:
        return self._values if name.lower() == "set-cookie" else default
