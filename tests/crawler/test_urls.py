from __future__ import annotations

import pytest

from crawler.urls import canonical_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.ORG:80/a?b=2&a=1#top", "http://example.org/a?a=1&b=2"),
        (
            "https://example.org:443/news/1.html?utm_source=wx&utm_medium=x",
            "https://example.org/news/1.html",
        ),
        ("https://example.org/p?spm=a.b.c&id=7&fbclid=zz", "https://example.org/p?id=7"),
        (
            "https://mp.weixin.qq.com/s?__biz=MzA&mid=1&idx=1&sn=ab&chksm=zz&scene=21#wechat_redirect",
            "https://mp.weixin.qq.com/s?__biz=MzA&idx=1&mid=1&sn=ab",
        ),
        ("http://www.gov.cn/%e6%96%b0%e9%97%bb/", "http://www.gov.cn/%E6%96%B0%E9%97%BB/"),
        ("http://127.0.0.1:8080/news/1.html", "http://127.0.0.1:8080/news/1.html"),
        ("http://example.org", "http://example.org/"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_canonical_url_is_idempotent() -> None:
    url = "HTTP://Example.ORG:80/新闻/a b?z=1&a=%E4%B8%AD&utm_x=1"
    once = canonical_url(url)
    assert canonical_url(once) == once
