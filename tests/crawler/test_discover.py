"""Discovery: feeds, list pages (with <base> and pagination), sitemaps (index, news, gzip)."""

from __future__ import annotations

import gzip

import pytest

from crawler.discover import parse_feed, parse_list_page, parse_sitemap
from crawler.errors import DiscoverError

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
