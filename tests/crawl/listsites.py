"""News sites whose list pages are built in the ways real Chinese sites build them, for the tests
of ``sources suggest`` (:mod:`crawler.probe`); served on loopback by :func:`tests.sitefarm.serve`.

Each :class:`ListSite` is a :class:`tests.sitefarm.Site` (same articles, article pages, feed and
sitemap) whose list pages follow one :data:`BUILDS` layout, between a navigation bar, a sidebar
of "hot" links to articles and a footer, as real pages are:

- ``ul``: ``ul.list > li > a``; the next page is a bare link saying 下一页 (no class, no id);
- ``table``: rows of ``td`` title link, ``td`` category link, ``td`` date; numbered pager with
  ``span.current``;
- ``cards``: ``div.card`` blocks, each an image link and an ``h3`` title link to the same
  article and a category link; the pager is ``?page=N`` in ``ul.pagination`` with
  ``li.active``;
- ``relnext``: ``div.item`` blocks in ``#content``; the next page only in
  ``<link rel="next">``.

Where its feed and sitemap are found is set per site: the feed named in a ``<link
rel=alternate>`` at a path no one would guess, or only at a well-known path; the sitemap named
in robots.txt's ``Sitemap:`` at an unusual path, or only at ``/sitemap.xml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit
from xml.sax.saxutils import escape

from tests.sitefarm import Site, make_articles

# The probe tests' fetch.timeout, in seconds: a deadline no loopback answer misses even on a
# machine loaded many times over (the farm's 3 s was missed once: a fresh server's robots.txt,
# at a load average of 30 on two cores).
LOADED_MACHINE_TIMEOUT = 20
BUILDS = ("ul", "table", "cards", "relnext")
EXPECTED_LINKS = {
    "ul": "ul.list a",
    "table": "table.tab-list td:nth-child(1) a",
    "cards": "div.cards h3 a",
    "relnext": "#content a",
}
EXPECTED_NEXT = {
    "ul": 'div.page a:lexbor-contains("下一页")',
    "table": "div.pages span.current + a",
    "cards": "ul.pagination li.active + li a",
    "relnext": "link[rel=next]",
}


@dataclass
class ListSite(Site):
    build: str = "ul"
    feed_path: str = "/rss.xml"  # where the feed is served
    feed_link: bool = False  # named in the list pages' <link rel=alternate>
    sitemap_path: str = "/sitemap.xml"
    robots_sitemap: bool = False  # named in robots.txt

    @property
    def list_url(self) -> str:
        return self.page_url(1)

    def page_url(self, page: int) -> str:
        if self.build == "cards":
            return f"{self.base}/cards/" + (f"?page={page}" if page > 1 else "")
        return f"{self.base}/{self.build}/{page}.html"

    # ------------------------------------------------------------------ pages

    def built_list(self, page: int) -> str:
        chunk = self.articles[(page - 1) * self.per_page : page * self.per_page]
        body = getattr(self, f"_{self.build}")(chunk, page)
        head = ""
        if self.feed_link:
            head += f'<link rel="alternate" type="application/rss+xml" href="{self.feed_path}">'
        if self.build == "relnext" and page < self.pages:
            head += f'<link rel="next" href="{self.page_url(page + 1)}">'
        side = "".join(
            f'<li><a href="/news/2024/{a.number:05d}.html">{escape(a.title[:12])}</a></li>'
            for a in self.articles[:4]
        )
        return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>政务要闻_{self.id}政府网</title>{head}</head><body>
<div class="header"><div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/hdjl/">互动交流</a></li><li><a href="/bsfw/">办事服务</a></li><li><a href="/ztzl/">专题专栏</a></li></ul></div></div>
<div class="main"><div class="crumb"><a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 政务要闻</div>
{body}
</div>
<div class="side"><h3>热点新闻</h3><ul>{side}</ul></div>
<div class="footer"><a href="/about.html">关于我们</a> | <a href="/contact.html">联系我们</a> | <a href="/map.html">网站地图</a>
<p>主办：{self.id}人民政府办公室</p></div></body></html>"""

    def _ul(self, chunk: list, page: int) -> str:
        items = "\n".join(
            f'<li><a href="/news/2024/{a.number:05d}.html" target="_blank">{escape(a.title)}</a>'
            f'<span class="date">{a.published:%Y-%m-%d}</span></li>'
            for a in chunk
        )
        pager = [f'<a href="{self.page_url(1)}">首页</a>']
        if page > 1:
            pager.append(f'<a href="{self.page_url(page - 1)}">上一页</a>')
        if page < self.pages:
            pager.append(f'<a href="{self.page_url(page + 1)}">下一页</a>')
        pager.append(f'<a href="{self.page_url(self.pages)}">尾页</a>')
        return f'<ul class="list">\n{items}\n</ul>\n<div class="page">{" ".join(pager)}</div>'

    def _table(self, chunk: list, page: int) -> str:
        rows = "\n".join(
            f'<tr><td><a href="/news/2024/{a.number:05d}.html">{escape(a.title)}</a></td>'
            f'<td><a href="/zwgk/">政务</a></td><td>{a.published:%Y-%m-%d}</td></tr>'
            for a in chunk
        )
        numbers = self._numbers(page, '<span class="current">{n}</span>', '<a href="{url}">{n}</a>')
        return (
            f'<table class="tab-list"><tr><th>标题</th><th>栏目</th><th>日期</th></tr>\n{rows}\n</table>'
            f'<div class="pages">共{self.pages}页 {" ".join(numbers)}</div>'
        )

    def _cards(self, chunk: list, page: int) -> str:
        cards = "\n".join(
            f'<div class="card"><a class="thumb" href="/news/2024/{a.number:05d}.html">'
            f'<img src="/img/{a.number}.jpg"></a><h3><a href="/news/2024/{a.number:05d}.html">'
            f"{escape(a.title)}</a></h3><p>{escape(a.paragraphs[0][:30])}</p>"
            f'<a class="tag" href="/zwgk/">政务</a></div>'
            for a in chunk
        )
        items = self._numbers(
            page, '<li class="active"><span>{n}</span></li>', '<li><a href="?page={n}">{n}</a></li>'
        )
        return f'<div class="cards">\n{cards}\n</div><ul class="pagination">{"".join(items)}</ul>'

    def _numbers(self, page: int, current: str, other: str) -> list[str]:
        """A numbered pager: ``current`` for this page, ``other`` for the rest (``{n}``: the
        number, ``{url}``: the page's URL)."""
        return [
            (current if n == page else other).format(n=n, url=self.page_url(n))
            for n in range(1, self.pages + 1)
        ]

    def _relnext(self, chunk: list, page: int) -> str:
        items = "\n".join(
            f'<div class="item"><a href="/news/2024/{a.number:05d}.html">{escape(a.title)}</a>'
            f"<em>{a.published:%m-%d}</em></div>"
            for a in chunk
        )
        return f'<div id="content">\n{items}\n</div>'

    # ------------------------------------------------------------------ routing

    def respond(self, target: str) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(target)
        path, query = parts.path, parts.query
        html = {"Content-Type": "text/html; charset=utf-8"}
        page = self._list_page_number(path, query)
        if page is not None:
            if 1 <= page <= self.pages:
                return 200, html, self.built_list(page).encode()
            return 404, {"Content-Type": "text/plain"}, b"not found"
        if path == "/robots.txt":
            lines = "User-agent: *\nDisallow: /private/\n"
            if self.robots_sitemap:
                lines += f"Sitemap: {self.base}{self.sitemap_path}\n"
            return 200, {"Content-Type": "text/plain"}, lines.encode()
        if path == self.feed_path:
            return 200, {"Content-Type": "application/rss+xml"}, self.encode(self.rss())
        if path == self.sitemap_path:
            return 200, {"Content-Type": "application/xml"}, self.sitemap().encode()
        if path in ("/feed.xml", "/sitemap.xml", "/sitemap-news.xml.gz"):
            return 404, {"Content-Type": "text/plain"}, b"not found"
        return self.route(path)

    def _list_page_number(self, path: str, query: str) -> int | None:
        if self.build == "cards":
            if path != "/cards/":
                return None
            return int(dict(parse_qsl(query)).get("page", "1"))
        prefix = f"/{self.build}/"
        if path.startswith(prefix) and path.endswith(".html") and path[len(prefix) : -5].isdigit():
            return int(path[len(prefix) : -5])
        return None


def list_site(build: str, number: int = 0, *, articles: int = 35, **options: object) -> ListSite:
    """A site of ``build`` on 127.0.0.(40 + number) with ``articles`` articles, 10 a page."""
    site_id = f"list{number:02d}"
    return ListSite(
        id=site_id,
        address=f"127.0.0.{40 + number}",
        articles=make_articles(site_id, articles),
        build=build,
        **options,  # type: ignore[arg-type]
    )
