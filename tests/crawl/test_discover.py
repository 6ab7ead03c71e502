"""Discovery: feeds, list pages (with <base> and pagination), sitemaps (index, news, gzip); and
hostile bodies: a feed body is never a URL or file name to feedparser, and no feed or sitemap that
declares XML entities is parsed."""

from __future__ import annotations

import contextlib
import gzip
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import feedparser
import pytest

from crawler.base.errors import DiscoverError
from crawler.discover import parse_feed, parse_list_page, parse_sitemap
from tests.recorder import LEAK, LEAK_FEED, Recorder, recording

RSS = """<?xml version="1.0" encoding="gbk"?>
<rss version="2.0"><channel><title>青岛新闻</title><link>http://qd.example.org/</link>
<item><title>青岛市党政考察团赴深圳考察学习</title><link>/news/1.html</link>
<pubDate>Tue, 11 May 2021 10:00:00 +0800</pubDate></item>
<item><title>第二条</title><link>http://qd.example.org/news/2.html?utm_source=rss</link></item>
<item><title>重复</title><link>/news/1.html</link></item>
<item><title>脚本</title><link>javascript:void(0)</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://sz.example.org/news/">
<title>深圳</title><id>x</id><updated>2021-05-11T00:00:00Z</updated>
<entry><title>深圳要闻</title><link rel="alternate" href="a.html"/><id>1</id>
<updated>2021-05-11T08:30:00+08:00</updated></entry>
</feed>"""


def test_rss_in_gbk_with_relative_links() -> None:
    links = parse_feed(RSS.encode("gbk"), "http://qd.example.org/rss.xml")
    assert [link.url for link in links] == [
        "http://qd.example.org/news/1.html",
        "http://qd.example.org/news/2.html?utm_source=rss",
    ]
    assert links[0].title == "青岛市党政考察团赴深圳考察学习"
    assert (
        links[0].published is not None
        and links[0].published.isoformat() == "2021-05-11T02:00:00+00:00"
    )
    assert links[1].published is None


def test_atom_with_xml_base() -> None:
    links = parse_feed(ATOM.encode(), "https://sz.example.org/atom.xml")
    assert [link.url for link in links] == ["https://sz.example.org/news/a.html"]
    assert links[0].published is not None and links[0].published.hour == 0


def test_broken_feed_is_a_discover_error() -> None:
    with pytest.raises(DiscoverError, match=r"broken feed|not an RSS"):
        parse_feed(b"<rss><channel><item><title>unclosed", "http://x.example.org/rss")


def test_html_instead_of_feed() -> None:
    with pytest.raises(DiscoverError):
        parse_feed(b"<html><body><p>hello</p></body></html>", "http://x.example.org/rss")


def test_empty_but_valid_feed() -> None:
    feed = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
    assert parse_feed(feed, "http://x.example.org/rss") == ()


LIST = """<html><head><base href="http://gov.example.org/zwgk/"></head><body>
<ul class="news-list">
  <li><a href="t20210512_1.html" title="关于印发方案的通知">关于印发…</a></li>
  <li><a href="../other/t20210511_2.html">第二篇</a></li>
  <li><a href="mailto:x@example.org">mail</a></li>
  <li><a href="#top">top</a></li>
</ul>
<div class="page"><a class="next" href="index_1.html">下一页</a></div>
</body></html>"""


def test_list_page_resolves_against_base_and_finds_next() -> None:
    page = parse_list_page(
        LIST,
        "http://gov.example.org/zwgk/index.html",
        links="ul.news-list a",
        next_selector="a.next",
    )
    assert [link.url for link in page.links] == [
        "http://gov.example.org/zwgk/t20210512_1.html",
        "http://gov.example.org/other/t20210511_2.html",
    ]
    assert page.links[0].title == "关于印发方案的通知"
    assert page.next_url == "http://gov.example.org/zwgk/index_1.html"


def test_list_selector_on_items_finds_their_anchor() -> None:
    page = parse_list_page(LIST, "http://gov.example.org/zwgk/", links="ul.news-list li")
    assert len(page.links) == 2
    assert page.next_url is None


SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://news.example.org/a.html</loc>
  <news:news><news:publication>
    <news:name>例子</news:name><news:language>zh</news:language></news:publication>
    <news:publication_date>2021-05-11T10:00:00+08:00</news:publication_date>
    <news:title>新闻标题</news:title></news:news></url>
<url><loc>https://news.example.org/b.html</loc><lastmod>2021-05-10</lastmod></url>
</urlset>"""


def test_news_sitemap() -> None:
    sitemap = parse_sitemap(SITEMAP.encode(), "https://news.example.org/sitemap.xml")
    assert [link.url for link in sitemap.links] == [
        "https://news.example.org/a.html",
        "https://news.example.org/b.html",
    ]
    assert sitemap.links[0].title == "新闻标题"
    assert (
        sitemap.links[0].published is not None
        and sitemap.links[0].published.utcoffset().total_seconds() == 8 * 3600
    )
    assert sitemap.links[1].published is not None


def test_gzipped_sitemap_index() -> None:
    index = """<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>https://news.example.org/s1.xml.gz</loc></sitemap>
    <sitemap><loc>https://news.example.org/s2.xml</loc></sitemap></sitemapindex>"""
    sitemap = parse_sitemap(gzip.compress(index.encode()), "https://news.example.org/sitemap.xml")
    assert sitemap.sitemaps == (
        "https://news.example.org/s1.xml.gz",
        "https://news.example.org/s2.xml",
    )
    assert sitemap.links == ()


@pytest.mark.parametrize(
    "data", [b"<urlset><url><loc>x", b"\x1f\x8bnot gzip", b"<html>no</html>", b""]
)
def test_broken_sitemaps(data: bytes) -> None:
    with pytest.raises(DiscoverError):
        parse_sitemap(data, "https://news.example.org/sitemap.xml")


def test_entity_expansion_is_refused() -> None:
    bomb = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<urlset><url><loc>https://x.example.org/&lol3;</loc></url></urlset>"""
    try:
        sitemap = parse_sitemap(bomb, "https://x.example.org/sitemap.xml")
    except DiscoverError:
        return
    assert all(len(link.url) < 10_000 for link in sitemap.links)


UNUSABLE = [
    "http://[::1/a.html",
    "http://news.example.org:99999/b.html",
    "http://news.example.org:abc/c.html",
]
GOOD = "http://news.example.org/2024/05/ok.html"


def test_links_whose_host_or_port_cannot_be_read_are_left_out() -> None:
    """One such link had failed a whole list page (urljoin raised ValueError), or the whole
    batch of a feed or sitemap (canonical_url raised on it later)."""
    items = "".join(f"<item><title>t</title><link>{url}</link></item>" for url in [*UNUSABLE, GOOD])
    feed = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    )
    anchors = "".join(f'<li><a href="{url}">t</a></li>' for url in [*UNUSABLE, GOOD])
    html = f'<html><body><ul class="list">{anchors}</ul></body></html>'
    locs = "".join(f"<url><loc>{url}</loc></url>" for url in [*UNUSABLE, GOOD])
    sitemap = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'
    base = "http://news.example.org/index.html"
    assert [link.url for link in parse_feed(feed.encode(), base)] == [GOOD]
    assert [
        link.url
        for link in parse_list_page(html, base, links="ul.list a", next_selector=None).links
    ] == [GOOD]
    assert [link.url for link in parse_sitemap(sitemap.encode(), base).links] == [GOOD]


# --------------------------------------------------------------------------- hostile bodies

FEED_URL = "http://x.example.org/rss.xml"


@pytest.fixture
def admin() -> Iterator[Recorder]:
    with recording() as server:
        yield server


@pytest.fixture
def feed_file(tmp_path: Path) -> Path:
    """A local file holding a valid feed: a parser that opened it would yield :data:`LEAK`."""
    path = tmp_path / "local-feed.xml"
    path.write_bytes(LEAK_FEED)
    return path


# feedparser.parse() fetches a str whose scheme is http, https, ftp, file or feed, and opens
# any str or bytes that names a file. Each of these bodies is one of those.
URL_BODIES: dict[str, Callable[[str, Path], str]] = {
    "url": lambda admin, _: f"{admin}/admin",
    # 2,001 '=' made parse_feed decode a bytes body to str itself
    "url-then-2001-equals": lambda admin, _: f"{admin}/admin#" + "=" * 2001,
    "url-then-6001-tags": lambda admin, _: f"{admin}/admin#" + "<" * 6001,
    "url-upper-case-scheme": lambda admin, _: f"HTTP{admin[4:]}/admin",
    "url-leading-space": lambda admin, _: f"  {admin}/admin",
    "feed-scheme": lambda admin, _: f"feed:{admin[5:]}/admin",
    "file-url": lambda _, path: f"file://{path}",
    "path": lambda _, path: str(path),
    "path-then-newline": lambda _, path: f"{path}\n",
}


@pytest.mark.parametrize("kind", ["bytes", "str"])
@pytest.mark.parametrize("name", sorted(URL_BODIES))
@pytest.mark.parametrize("encoding", [None, "utf-8", "gbk"])
def test_a_feed_body_is_never_fetched_or_opened(
    admin: Recorder, feed_file: Path, name: str, kind: str, encoding: str | None
) -> None:
    """Bytes, text, with a source's ``encoding:`` or without: feedparser reads the body as a
    document (not a feed, here), never as a URL to fetch or a file to open."""
    text = URL_BODIES[name](admin.base, feed_file)
    body: bytes | str = text.encode() if kind == "bytes" else text
    forced = {"encoding": encoding} if encoding else {}
    try:
        links = parse_feed(body, FEED_URL, content_type="application/rss+xml", **forced)
    except DiscoverError:
        links = ()
    assert LEAK not in [link.url for link in links]
    assert not admin.asked, admin.requests
    assert links == ()


def test_feedparser_only_ever_gets_a_stream(
    monkeypatch: pytest.MonkeyPatch, feed_file: Path
) -> None:
    """Whatever the body, what reaches feedparser.parse() is a file-like object: the one input
    kind it neither fetches nor opens."""
    given: list[object] = []
    real = feedparser.parse

    def spy(source: object, *args: object, **kw: object) -> object:
        given.append(source)
        return real(source, *args, **kw)

    monkeypatch.setattr(feedparser, "parse", spy)
    bodies: list[bytes | str] = [RSS.encode("gbk"), ATOM, str(feed_file), bytes(feed_file)]
    bodies += [b"http://127.0.0.1:9/" + b"=" * 3000, "file:///etc/hostname", b""]
    for body in bodies:
        with contextlib.suppress(DiscoverError):
            parse_feed(body, FEED_URL)
    assert len(given) == len(bodies)
    assert all(hasattr(source, "read") for source in given), [type(s) for s in given]


@pytest.mark.parametrize("body", [b"/dev/zero", "/dev/zero", b"/dev/urandom", b"/dev/stdin"])
def test_a_body_naming_a_device_is_not_read(body: bytes | str) -> None:
    """A 9-byte body ``/dev/zero`` grew the crawl to 2.8 GB. In a child process with its address
    space capped, so that a regression fails this test rather than the machine."""
    code = (
        "import resource\n"
        "resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))\n"
        "from crawler.discover import parse_feed\n"
        "from crawler.base.errors import DiscoverError\n"
        "try:\n"
        f"    parse_feed({body!r}, {FEED_URL!r})\n"
        "except DiscoverError:\n"
        "    pass\n"
        # VmHWM, not ru_maxrss: the latter survives exec, so it can be the forking test
        # process's peak rather than this one's.
        "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        timeout=60,
        check=True,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert int(done.stdout) < 300_000  # kB: the imports, not the device


def _with_doctype(subset: str, title: str = "t") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE rss [\n{subset}\n]>\n'
        '<rss version="2.0"><channel><title>t</title>'
        f"<item><title>{title}</title><link>http://x.example.org/1.html</link></item>"
        "</channel></rss>"
    )


LAUGHS = '<!ENTITY lol0 "lol">' + "".join(
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
)
# Each a feed that declares entities: internal, external (file, URL), parameter, a billion
# laughs, and the declaration in lower case (which the loose SGML reading accepts).
ENTITY_FEEDS: dict[str, Callable[[str], str]] = {
    "internal-50kb": lambda _: _with_doctype(f'<!ENTITY a "{"考" * 50_000}">', "&a;" * 2000),
    "billion-laughs": lambda _: _with_doctype(LAUGHS, "&lol9;"),
    "external-file": lambda _: _with_doctype('<!ENTITY xxe SYSTEM "file:///etc/passwd">', "&xxe;"),
    "external-url": lambda admin: _with_doctype(f'<!ENTITY xxe SYSTEM "{admin}/entity">', "&xxe;"),
    "parameter": lambda admin: _with_doctype(f'<!ENTITY % p SYSTEM "{admin}/dtd"> %p;', "&q;"),
    "lower-case": lambda _: _with_doctype(f'<!entity a "{"x" * 50_000}">', "&a;" * 2000),
}
ENCODINGS: dict[str, Callable[[str], bytes | str]] = {
    "utf-8": str.encode,
    "utf-16": lambda text: text.replace('"utf-8"', '"utf-16"').encode("utf-16"),
    "gbk": lambda text: text.replace('"utf-8"', '"gbk"').encode("gbk"),
    "text": lambda text: text,
}


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
@pytest.mark.parametrize("name", sorted(ENTITY_FEEDS))
def test_feeds_that_declare_entities_are_refused(
    admin: Recorder, name: str, encoding: str, steady_heap: None
) -> None:
    body = ENCODINGS[encoding](ENTITY_FEEDS[name](admin.base))
    started = time.monotonic()
    with pytest.raises(DiscoverError, match="declares XML entities") as info:
        parse_feed(body, FEED_URL, content_type="application/rss+xml")
    assert time.monotonic() - started < 2
    assert info.value.url == FEED_URL
    assert not admin.asked


def _sitemap_with_doctype(subset: str, loc: str = "https://x.example.org/a.html") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE urlset [\n{subset}\n]>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{loc}</loc></url></urlset>"
    )


ENTITY_SITEMAPS: dict[str, Callable[[str], str]] = {
    "internal": lambda _: _sitemap_with_doctype(
        '<!ENTITY a "a.html">', "https://x.example.org/&a;"
    ),
    "unused": lambda _: _sitemap_with_doctype('<!ENTITY a "a">'),
    "billion-laughs": lambda _: _sitemap_with_doctype(LAUGHS, "https://x.example.org/&lol9;"),
    "external-file": lambda _: _sitemap_with_doctype(
        '<!ENTITY xxe SYSTEM "file:///etc/hostname">', "https://x.example.org/&xxe;"
    ),
    "external-url": lambda admin: _sitemap_with_doctype(
        f'<!ENTITY xxe SYSTEM "{admin}/entity">', "https://x.example.org/&xxe;"
    ),
    "parameter": lambda admin: _sitemap_with_doctype(f'<!ENTITY % p SYSTEM "{admin}/dtd"> %p;'),
}


@pytest.mark.parametrize("packing", ["plain", "utf-16", "gzip"])
@pytest.mark.parametrize("name", sorted(ENTITY_SITEMAPS))
def test_sitemaps_that_declare_entities_are_refused(
    admin: Recorder, name: str, packing: str, steady_heap: None
) -> None:
    text = ENTITY_SITEMAPS[name](admin.base)
    body = text.encode()
    if packing == "utf-16":
        body = text.replace('"utf-8"', '"utf-16"').encode("utf-16")
    elif packing == "gzip":
        body = gzip.compress(body)
    started = time.monotonic()
    with pytest.raises(DiscoverError, match="declares XML entities"):
        parse_sitemap(body, "https://x.example.org/sitemap.xml")
    assert time.monotonic() - started < 2
    assert not admin.asked


def test_an_external_dtd_is_neither_loaded_nor_an_error(admin: Recorder) -> None:
    """Old RSS 0.91 feeds name Netscape's DTD: harmless, as long as nobody fetches it."""
    doctype = f'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "{admin.base}/rss.dtd">'
    feed = RSS.replace('encoding="gbk"?>', f'encoding="gbk"?>{doctype}').encode("gbk")
    assert len(parse_feed(feed, "http://qd.example.org/rss.xml")) == 2
    sitemap = SITEMAP.replace("?>", f'?><!DOCTYPE urlset SYSTEM "{admin.base}/sitemap.dtd">', 1)
    assert len(parse_sitemap(sitemap.encode(), "https://news.example.org/sitemap.xml").links) == 2
    assert not admin.asked


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "application/rss+xml",
        "application/rss+xml; charset=gbk",
        "text/html; charset=utf-8",
        "image/png",
    ],
)
@pytest.mark.parametrize("kind", ["gbk-bytes", "text", "forced-gbk"])
def test_a_feed_reads_the_same_whatever_the_headers_say(
    kind: str, content_type: str | None
) -> None:
    """The feed is decoded once, here; feedparser is told it is UTF-8 and must not decode it
    again by the header's or the declaration's charset."""
    if kind == "text":
        body: bytes | str = RSS
    else:
        body = RSS.encode("gbk")
    forced = {"encoding": "gbk"} if kind == "forced-gbk" else {}
    links = parse_feed(body, "http://qd.example.org/rss.xml", content_type=content_type, **forced)
    assert [link.title for link in links] == ["青岛市党政考察团赴深圳考察学习", "第二条"]
