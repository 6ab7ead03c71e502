from __future__ import annotations

import httpx

from crawler.fetch.cookies import MAX_COOKIES, CookieJar

# How the fetcher keeps and sends cookies end to end (raw bytes, the bounds, other hosts) is
# tested against a live server in test_fetch.py.


def test_a_cookie_the_server_expires_is_dropped_even_at_the_bound() -> None:
    jar = CookieJar()
    request = httpx.Request("GET", "http://127.0.0.2/")

    def set_cookies(*values: str) -> None:
        jar.keep(httpx.Response(200, headers=[("Set-Cookie", v) for v in values], request=request))

    set_cookies(*(f"c{n}=1; Path=/" for n in range(MAX_COOKIES + 5)))
    assert len(jar) == MAX_COOKIES
    set_cookies("c0=; Max-Age=0; Path=/")
    assert len(jar) == MAX_COOKIES - 1 and b"c0=" not in (jar.header("http://127.0.0.2/") or b"")
    set_cookies("c1=2; Path=/")
    assert b"c1=2" in (jar.header("http://127.0.0.2/") or b"")
