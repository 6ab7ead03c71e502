"""A farm of realistic Chinese news sites served on loopback, for tests and the crawl benchmark.

Each :class:`Site` listens on its own loopback address (127.0.0.N, so per-host limits apply as
they do between real sites) and a free port. It serves an RSS or Atom feed, paginated HTML list
pages, a sitemap index with a gzipped child sitemap, a robots.txt with a disallowed path, and
article pages in its charset (UTF-8, GBK declared in the header / only in <meta> / wrongly
declared, Big5), plus fault routes: redirects, 404, 500, a response slower than any timeout, an
oversized body. Every request is logged with its arrival time (the kernel's receive stamp, see
:func:`_arrival`) so tests can check politeness.
"""

from __future__ import annotations

import gzip
import random
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

CITIES = [
    "青岛",
    "深圳",
    "成都",
    "济南",
    "杭州",
    "广州",
    "武汉",
    "西安",
    "厦门",
    "宁波",
    "苏州",
    "长沙",
]
THEMES = [
    "智慧城市建设和数字政府改革",
    "金融科技和数字人民币试点",
    "文旅产业融合发展",
    "科技创新和高新技术企业培育",
    "招商引资和重大项目签约",
    "营商环境优化和政务服务改革",
]
FILLER = [
    "考察团一行先后来到产业园区、企业研发中心和政务服务大厅，现场察看项目建设情况。",
    "双方表示，将进一步加强在产业协作、人才交流和营商环境建设等方面的合作。",
    "座谈会上，与会人员围绕城市更新、科技创新和对外开放等议题深入交流。",
    "近年来，该市坚持创新驱动发展，持续推动产业升级，取得了显著成效。",
    "考察团成员纷纷表示，此行收获满满，要把学到的好经验好做法转化为推动发展的实际行动。",
    "会议强调，要对标先进、补齐短板，加快建设现代化国际大都市。",
    "据介绍，今年以来全市新签约重大项目一百余个，总投资超过千亿元。",
    "下一步，将围绕重点领域深化改革，持续激发市场主体活力。",
]


@dataclass(frozen=True)
class Article:
    number: int
    title: str
    paragraphs: tuple[str, ...]
    published: datetime
    outlet: str


def traditional(articles: list[Article]) -> list[Article]:
    """The same articles converted to Traditional characters (as a Taiwan or Hong Kong site)."""
    import opencc

    convert = opencc.OpenCC("s2t").convert
    return [
        Article(
            a.number,
            convert(a.title),
            tuple(map(convert, a.paragraphs)),
            a.published,
            convert(a.outlet),
        )
        for a in articles
    ]


def make_articles(
    site_id: str,
    count: int,
    *,
    seed: int = 0,
    start: datetime | None = None,
    script: str = "simplified",
) -> list[Article]:
    """Deterministic, distinct Chinese news articles, newest first."""
    rng = random.Random(f"{site_id}-{seed}")
    start = start or datetime(2024, 5, 31, 9, 0, tzinfo=UTC)
    out = []
    for n in range(count):
        visitor, host = rng.sample(CITIES, 2)
        theme = rng.choice(THEMES)
        kind = n % 3
        if kind == 0:
            title = f"{visitor}市党政考察团赴{host}考察学习{theme}（{site_id}第{n}期）"
            lead = (
                f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日，{visitor}市党政考察团赴{host}"
                f"考察学习{theme}的经验做法。"
            )
        elif kind == 1:
            title = f"{host}市人民政府印发关于{theme}的实施意见（{site_id}第{n}号）"
            lead = f"近日，{host}市人民政府印发《关于推进{theme}的实施意见》，提出一系列措施。"
        else:
            title = f"{host}举行{theme}推进会（{site_id}编号{n}）"
            lead = f"日前，{host}召开{theme}工作推进会，总结经验，部署下一阶段工作。"
        body = [
            lead,
            *rng.sample(FILLER, 4),
            f"本文编号{site_id}-{n}，记者{rng.randint(100, 999)}报道。",
        ]
        published = start - timedelta(hours=6 * n)
        out.append(Article(n, title, tuple(body), published, f"{host}日报"))
    return traditional(out) if script == "traditional" else out


@dataclass
class Site:
    """One news site. ``encoding`` is one of utf-8, gbk-header, gbk-meta, gbk-wrong, big5."""

    id: str
    address: str
    articles: list[Article]
    encoding: str = "utf-8"
    feed: str = "rss"  # rss | atom | none
    per_page: int = 10
    latency: float = 0.0
    port: int = 0
    requests: list[tuple[float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    active: int = 0
    max_active: int = 0

    @property
    def base(self) -> str:
        return f"http://{self.address}:{self.port}"

    def article_url(self, n: int) -> str:
        return f"{self.base}/news/2024/{n:05d}.html"

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.articles) // self.per_page))

    def charset(self) -> str:
        return {"big5": "big5"}.get(
            self.encoding, "gbk" if self.encoding.startswith("gbk") else "utf-8"
        )

    def encode(self, text: str) -> bytes:
        return text.encode(self.charset(), errors="xmlcharrefreplace")

    def content_type(self, kind: str = "text/html") -> str:
        if self.encoding == "gbk-header":
            return f"{kind}; charset=GBK"
        if self.encoding == "gbk-wrong":
            return f"{kind}; charset=utf-8"  # the header lies; the bytes are GBK
        if self.encoding == "big5":
            return f"{kind}; charset=big5"
        if self.encoding == "gbk-meta":
            return kind
        return f"{kind}; charset=utf-8"

    def meta_charset(self) -> str:
        if self.encoding == "gbk-wrong":
            return '<meta charset="utf-8">'
        return f'<meta http-equiv="Content-Type" content="text/html; charset={self.charset()}">'

    # ------------------------------------------------------------------ pages

    def article_page(self, a: Article) -> str:
        paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in a.paragraphs)
        local = a.published.astimezone(_CST)
        return f"""<!DOCTYPE html>
<html lang="zh-CN"><head>{self.meta_charset()}
<title>{escape(a.title)}_{self.id}新闻网</title>
<meta name="keywords" content="新闻,考察">
</head><body>
<div class="nav"><a href="/">首页</a> | <a href="/list/1.html">要闻</a> | <a href="/list/1.html">政务</a></div>
<div class="main">
<h1>{escape(a.title)}</h1>
<div class="info">发布时间：{local:%Y年%m月%d日 %H:%M}　来源：{escape(a.outlet)}</div>
<div class="article">
{paragraphs}
<p class="editor">责任编辑：王明</p>
</div>
<div class="share">分享到：微信 微博 扫一扫</div>
<div class="related"><h3>相关新闻</h3><ul>
<li><a href="/news/2024/{(a.number + 1) % len(self.articles):05d}.html">相关阅读一【详细】</a></li>
<li><a href="/news/2024/{(a.number + 2) % len(self.articles):05d}.html">相关阅读二【详细】</a></li>
</ul></div>
</div>
<div class="footer">版权所有 {self.id}新闻网 ICP备12345678号</div>
</body></html>"""

    def list_page(self, page: int) -> str:
        chunk = self.articles[(page - 1) * self.per_page : page * self.per_page]
        items = "\n".join(
            f'<li><a href="/news/2024/{a.number:05d}.html">{escape(a.title)}</a>'
            f"<span>{a.published.astimezone(_CST):%Y-%m-%d}</span></li>"
            for a in chunk
        )
        nxt = (
            f'<a class="next" href="/list/{page + 1}.html">下一页</a>' if page < self.pages else ""
        )
        extra = '<li><a href="/private/secret.html">内部资料</a></li>' if page == 1 else ""
        return f"""<!DOCTYPE html><html><head>{self.meta_charset()}<title>要闻 第{page}页</title></head>
<body><div class="nav"><a href="/">首页</a></div>
<ul class="news-list">
{items}
{extra}
</ul>
<div class="pager">{nxt}</div></body></html>"""

    def rss(self, count: int = 20) -> str:
        items = "\n".join(
            f"<item><title>{escape(a.title)}</title><link>{self.article_url(a.number)}</link>"
            f"<pubDate>{format_datetime(a.published)}</pubDate></item>"
            for a in self.articles[:count]
        )
        return f"""<?xml version="1.0" encoding="{self.charset()}"?>
<rss version="2.0"><channel><title>{self.id}新闻</title><link>{self.base}/</link>
<description>{self.id}</description>
{items}
</channel></rss>"""

    def atom(self, count: int = 20) -> str:
        entries = "\n".join(
            f'<entry><title>{escape(a.title)}</title><link href="/news/2024/{a.number:05d}.html"/>'
            f"<id>{self.article_url(a.number)}</id><updated>{a.published.isoformat()}</updated></entry>"
            for a in self.articles[:count]
        )
        return f"""<?xml version="1.0" encoding="{self.charset()}"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{self.base}/"><title>{self.id}</title>
<id>{self.base}/</id><updated>{self.articles[0].published.isoformat()}</updated>
{entries}
</feed>"""

    def sitemap_index(self) -> str:
        return f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{self.base}/sitemap-news.xml.gz</loc></sitemap>
</sitemapindex>"""

    def sitemap(self) -> str:
        urls = "\n".join(
            f"<url><loc>{self.article_url(a.number)}</loc><lastmod>{a.published.isoformat()}</lastmod></url>"
            for a in self.articles
        )
        return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{urls}
</urlset>"""

    # ------------------------------------------------------------------ routing

    def respond(self, target: str) -> tuple[int, dict[str, str], bytes]:
        """The answer to a request for ``target`` (path and query); the farm's pages ignore
        the query (a site whose pages do not, overrides this)."""
        return self.route(target.split("?", 1)[0])

    def route(self, path: str) -> tuple[int, dict[str, str], bytes]:
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n"
        if path == "/feed.xml" and self.feed != "none":
            body = self.rss() if self.feed == "rss" else self.atom()
            kind = "application/rss+xml" if self.feed == "rss" else "application/atom+xml"
            return 200, {"Content-Type": self.content_type(kind)}, self.encode(body)
        if path == "/sitemap.xml":
            return 200, {"Content-Type": "application/xml"}, self.sitemap_index().encode()
        if path == "/sitemap-news.xml.gz":
            return 200, {"Content-Type": "application/gzip"}, gzip.compress(self.sitemap().encode())
        if path.startswith("/list/") and path.endswith(".html"):
            try:
                page = int(path[6:-5])
            except ValueError:
                page = 0
            if 1 <= page <= self.pages:
                return 200, {"Content-Type": self.content_type()}, self.encode(self.list_page(page))
        if path.startswith("/news/2024/") and path.endswith(".html"):
            try:
                n = int(path[11:-5])
            except ValueError:
                n = -1
            if 0 <= n < len(self.articles):
                page = self.article_page(self.articles[n])
                return 200, {"Content-Type": self.content_type()}, self.encode(page)
        if path.startswith("/redirect/"):
            return 301, {"Location": f"/news/2024/{int(path.rsplit('/', 1)[1]):05d}.html"}, b""
        if path == "/error":
            return 500, {"Content-Type": "text/plain"}, b"internal error"
        if path == "/slow":
            time.sleep(5)
            return 200, {"Content-Type": "text/html"}, b"<html>late</html>"
        if path == "/huge":
            return 200, {"Content-Type": "text/html"}, b"<html>" + b"x" * 3_000_000 + b"</html>"
        if path.startswith("/private/"):
            return 200, {"Content-Type": "text/html"}, b"<html><h1>secret</h1></html>"
        return 404, {"Content-Type": "text/plain"}, b"not found"


_CST = __import__("zoneinfo").ZoneInfo("Asia/Shanghai")


SO_TIMESTAMPNS = 35  # Linux's (SCM_TIMESTAMPNS, its control message, has the same number)


def _arrival(connection: socket.socket) -> float | None:
    """When the next request's first bytes reached ``connection``, on the monotonic clock: the
    kernel's receive stamp of the data waiting (peeked, so the request is read as usual;
    blocks until some comes). Not when the handler's thread got to it, which on a busy machine
    (a crawler in the same process, a hundred sites) is up to some tenths of a second later
    for one request and not for the next; nor when its connection was accepted, which may be
    well before a request is sent on it. None when unknown (no data: the client closed)."""
    try:
        data, ancillary, _, _ = connection.recvmsg(1, socket.CMSG_SPACE(16), socket.MSG_PEEK)
    except OSError:
        return None
    for level, kind, stamp in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(stamp) >= 16:
            seconds, nanoseconds = struct.unpack("qq", stamp[:16])
            if seconds:
                return time.monotonic() - (time.time() - (seconds + nanoseconds / 1e9))
    return None if not data else time.monotonic()


class _Handler(BaseHTTPRequestHandler):
    server: _SiteServer
    protocol_version = "HTTP/1.1"
    arrived: float | None = None

    def handle_one_request(self) -> None:
        self.arrived = _arrival(self.connection)
        super().handle_one_request()

    def do_GET(self) -> None:
        site = self.server.site
        arrived = self.arrived or time.monotonic()
        with site.lock:
            site.requests.append((arrived, self.path))
            site.active += 1
            site.max_active = max(site.max_active, site.active)
        try:
            if site.latency:
                time.sleep(site.latency)
            status, headers, body = site.respond(self.path)
        finally:
            with site.lock:
                site.active -= 1
        try:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: object) -> None:
        pass


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, site: Site) -> None:
        self.site = site
        super().__init__((site.address, site.port), _Handler)

    def server_bind(self) -> None:
        # Accepted connections inherit it: the kernel stamps each packet as it arrives
        # (the first request of a connection included, which may come before its thread runs).
        self.socket.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        super().server_bind()

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up early (a cancelled crawl, a timeout) is not a server error."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve(sites: list[Site]) -> Iterator[list[Site]]:
    """Serve every site on its address and a free port until the block ends."""
    servers = []
    try:
        for site in sites:
            server = _SiteServer(site)
            site.port = server.server_address[1]
            thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
            thread.start()
            servers.append(server)
        yield sites
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def farm(count: int, articles: int, *, first_address: int = 2, latency: float = 0.0) -> list[Site]:
    """``count`` sites on 127.0.0.N with rotating charsets and feed kinds."""
    encodings = ["utf-8", "gbk-header", "gbk-meta", "gbk-wrong", "big5"]
    feeds = ["rss", "atom", "none"]
    sites = []
    for i in range(count):
        site_id = f"site{i:02d}"
        sites.append(
            Site(
                id=site_id,
                address=f"127.0.0.{first_address + i}",
                articles=make_articles(
                    site_id,
                    articles,
                    script="traditional" if encodings[i % 5] == "big5" else "simplified",
                ),
                encoding=encodings[i % len(encodings)],
                feed=feeds[i % len(feeds)],
                latency=latency,
            )
        )
    return sites


def sources_yaml(sites: list[Site], *, max_pages: int = 100) -> str:
    """A sources.yaml for the farm: feed and list for every site, sitemap for some."""
    lines = ["sources:"]
    for i, site in enumerate(sites):
        lines += [f"  - id: {site.id}", f"    name: {site.id}新闻网"]
        if site.feed != "none":
            lines.append(f"    feed: {site.base}/feed.xml")
        lines += [
            "    list:",
            f"      url: {site.base}/list/1.html",
            '      links: "ul.news-list a"',
            '      next: "a.next"',
            f"      max_pages: {max_pages}",
        ]
        if i % 4 == 3:
            lines.append(f"    sitemap: {site.base}/sitemap.xml")
    return "\n".join(lines) + "\n"


SETTINGS_YAML = """\
database: sqlite:///{db}
timezone: Asia/Shanghai
user_agent: "citydigest-test/0.1 (+https://example.org/citydigest)"
fetch:
  per_host_concurrency: {concurrency}
  per_host_delay: {delay}
  timeout: {timeout}
  max_bytes: 2000000
  obey_robots: true
  allow_private_networks: true
"""
