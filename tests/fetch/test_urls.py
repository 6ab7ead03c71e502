from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from crawler.fetch.urls import (
    MAX_URL_LENGTH,
    _canonical_fast,
    _canonical_full,
    canonical_url,
    url_problem,
)


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


# --------------------------------------------------------------------------- fast path


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.5:43121/news/2024/00017.html",
        "https://www.gov.cn/zhengce/content/202411/content_6987654.htm",
        "http://news.example.cn/a/b.shtml?id=5&utm_source=x",
        "HTTPS://WWW.Example.CN.:0443/a/./b//c/../d.html?q=%E4%B8%AD+%E6%96%87&a=中#frag",
    ],
)
def test_common_urls_take_the_fast_path(url: str) -> None:
    assert _canonical_fast(url) is not None
    assert _canonical_fast(url) == _canonical_full(url)


def test_unusual_urls_are_left_to_the_libraries() -> None:
    for url in [
        "http://user@example.org/",  # userinfo
        "http://[::1]/",  # IPv6
        "http://中国.cn/",  # IDN
        "http://-a.example.org/",  # a label IDNA refuses
        "http://example.org/%e6%96%b0",  # escapes in the path
        "http://example.org/a;b",  # path parameters
        "http://example.org/?q=%ff",  # not UTF-8
        "http://example.org/?q=e%CC%81",  # not NFC
        "http://example.org/#!/a",  # becomes _escaped_fragment_
        "http://example.org:99999/",  # port out of range
    ]:
        assert _canonical_fast(url) is None, url


# Pieces of URLs that exercise both libraries: mixed case, default and odd ports, IDN and IDNA-
# invalid labels, dot and empty segments, escapes (upper, lower, invalid, not UTF-8, not NFC),
# non-ASCII text, "+" and "%2B", tracking parameters, fragments, userinfo, whitespace.
_LABEL = st.sampled_from(
    ["www", "News", "gov", "cn", "127", "0", "a-b", "-a", "xn--fiqs8s", "中国", "a" * 64]
)
_SEGMENT = st.sampled_from(
    ["", ".", "..", "news", "00017.html", "a;b", "%2e", "%E6%96%B0", "新闻", "x~y", "(1)", "a+b"]
)
_KEY = st.sampled_from(["", "id", "A", "utm_source", "SPM", "scene", "a+b", "%E4%B8%AD", "中"])
_VALUE = st.sampled_from(
    ["", "=", "=5", "=a=b", "=x+y", "=%2B", "=%2b", "=%20", "=%ff", "=%", "=é", "=e%CC%81"]
) | st.sampled_from(["=/?:@", "='<>", "=%E4%B8", "=中"])
URLS = st.builds(
    "{}{}{}{}{}{}{}{}".format,
    st.sampled_from(["", " ", "\t"]),
    st.sampled_from(
        ["http://", "https://", "HTTP://", "hTTps://", "http:/", "ftp://", "http://u@"]
    ),
    st.lists(_LABEL, min_size=1, max_size=3).map(".".join),
    st.sampled_from(["", ".", ":80", ":443", ":080", ":8080", ":0", ":65536", ":"]),
    st.lists(_SEGMENT, max_size=4).map(lambda segments: "".join("/" + s for s in segments)),
    st.lists(st.builds(str.__add__, _KEY, _VALUE), max_size=4).map(
        lambda fields: "?" + "&".join(fields) if fields else ""
    ),
    st.sampled_from(["", "#", "#top", "#!x", "#中"]),
    st.sampled_from(["", " ", "\n"]),
)


@settings(max_examples=300, deadline=None)
@given(URLS)
# hosts whose last label is a number: IPv4 to w3lib 2.6 and later (127 -> 0.0.0.127, a.0 refused)
@example("http://127/")
@example("http://cn.127/x.html")
@example("http://010.0.0.1/")
@example("http://0x7f.0.0.1/")
@example("http://127.0.0.1:8080/a?b=1")
def test_fast_path_agrees_with_the_libraries(url: str) -> None:
    fast = _canonical_fast(url)
    if fast is not None:
        assert fast == _canonical_full(url)


def test_numeric_hosts_go_to_the_libraries_but_a_plain_address_stays_fast() -> None:
    assert _canonical_fast("http://127.0.0.1:8080/a?b=1") == "http://127.0.0.1:8080/a?b=1"
    assert _canonical_fast("http://127/") is None
    assert _canonical_fast("http://cn.127/") is None
    assert _canonical_fast("http://0x7f.0.0.1/") is None


@pytest.mark.parametrize(
    "url",
    ["http://å\x9c³/a.html", "http://" + "a" * 70 + ".example.cn/x.html?utm_source=feed&id=3"],
)
def test_a_host_idna_refuses_still_has_a_canonical_form(url: str) -> None:
    """url-normalize raises UnicodeError on such hosts (mis-decoded bytes, a 70-letter label);
    the crawl keys every link by its canonical URL, so one such link in a feed had failed the
    links beside it. Fetching the URL then fails on its own."""
    key = canonical_url(url)
    assert key.startswith("http://") and "utm_source" not in key
    assert canonical_url(key) == key


def test_urls_past_the_length_bound_are_refused_and_have_no_canonical_form() -> None:
    near = "https://www.gov.cn/a?id=" + "7" * (MAX_URL_LENGTH - 24)
    assert len(near) == MAX_URL_LENGTH
    assert url_problem(near) is None and canonical_url(near) == near
    assert url_problem(near + "7") == f"longer than {MAX_URL_LENGTH:,} characters"
    # 300 Chinese characters pass as a link; percent-encoded they are 2,700 characters.
    chinese = "https://www.gov.cn/" + "青岛" * 150 + ".html"
    assert url_problem(chinese) is None
    with pytest.raises(ValueError, match="canonical form is longer"):
        canonical_url(chinese)
