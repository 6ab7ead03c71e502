"""A loopback HTTP server that misbehaves on purpose, and a tiny forward proxy.

:class:`FaultServer` listens on one loopback address (127.0.0.N, a free port) and answers each
path with one fault a real site commits sooner or later: slow drips, connection resets, 429/503
with Retry-After, redirect chains and loops, redirects to loopback and private addresses, gzip
and brotli bombs, oversized and chunked bodies, wrong charsets, broken feeds, empty 200s, deeply
nested markup, gigantic attributes. ``/page/N.html`` is a good article page and ``/list.html``
links to every good page and every faulty one, so a crawl meets them all. Every request is
logged with its arrival time and headers. ``robots`` chooses what ``/robots.txt`` does.

:class:`ForwardProxy` relays absolute-form ``GET http://host/path`` requests and logs them: the
proxy a source behind a geo-block is routed through.
"""

from __future__ import annotations

__all__ = [
    "FAULTS",
    "HOSTILE",
    "FaultServer",
    "ForwardProxy",
    "bomb",
    "hostile_page",
    "long_article",
    "serving",
]

import functools
import gzip
import http.client
import json
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import brotli

# Faulty pages a list page links to, with what a crawl should record for each.
FAULTS = {
    "/drip": "timeout",
    "/reset": "reset",
    "/reset-mid-body": "reset",
    "/429": "HTTP 429",
    "/503": "HTTP 503",
    "/loop/a": "redirect loop",
    "/chain/9": "redirects",
    "/gzip-bomb": "max_bytes",
    "/br-bomb": "max_bytes",
    "/huge-chunked": "max_bytes",
    "/empty": "empty body",
    "/bad-gzip": "decompress",
}

# Pages that arrive fine but are hostile to parsers; a list page links to them too.
HOSTILE = (
    "/hostile/invalid-bytes.html",
    "/hostile/giant-attribute.html",
    "/hostile/deep-nesting.html",
    "/hostile/wrong-type.html",
    "/hostile/wrong-charset.html",
    "/hostile/binary.html",
    "/hostile/only-markup.html",
)


@functools.cache
def hostile_page(path: str) -> tuple[bytes, str]:
    """The body and Content-Type of one :data:`HOSTILE` page."""
    head = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>坏页面</title></head><body>'
    if path.endswith("invalid-bytes.html"):
        body = head.encode() + b"<h1>\xff\xfe\x80\x81 \xc3\x28</h1><p>\xed\xa0\x80\xf8\x88</p>" * 50
        return body, "text/html; charset=utf-8"
    if path.endswith("giant-attribute.html"):
        attr = "a" * 800_000
        return (
            f'{head}<div class="{attr}" data-x="{attr[:50_000]}"><p>正文</p></div>'.encode(),
            "text/html",
        )
    if path.endswith("deep-nesting.html"):
        depth = 50_000
        return (head + "<div><span>" * depth + "深" + "</span></div>" * depth).encode(), "text/html"
    if path.endswith("wrong-type.html"):
        return _article(7), "image/png"
    if path.endswith("wrong-charset.html"):
        return _article(8, "gbk").replace(
            b'charset="gbk"', b'charset="utf-8"'
        ), "text/html; charset=utf-8"
    if path.endswith("binary.html"):
        return bytes(range(256)) * 200, "text/html"
    return (head + "<div></div>" * 1000 + "</body></html>").encode(), "text/html"


@functools.cache
def bomb(kind: str, size: int) -> bytes:
    """``size`` zero bytes, compressed with gzip or brotli (a decompression bomb)."""
    if kind == "gzip":
        return gzip.compress(bytes(size), compresslevel=9)
    return brotli.compress(bytes(size), quality=5)


@functools.cache
def long_article() -> bytes:
    """An article of about 400 KB (a long policy text), ending in ``</html>``."""
    clause = "<p>第{}条　各市人民政府要加强城市间交流合作，完善政策落实机制。</p>"
    clauses = "".join(clause.format(n) for n in range(1, 5001))
    return _article(5).replace(b"</body>", clauses.encode() + b"</body>")


@functools.cache
def _packed_long_article(coding: str) -> bytes:
    body = long_article()
    return brotli.compress(body, quality=5) if coding == "br" else gzip.compress(body)


def _article(n: int, charset: str = "utf-8") -> bytes:
    title = f"故障测试站第{n}篇：青岛市考察团赴深圳考察学习"
    body = "".join(
        f"<p>第{n}篇第{i}段。考察团一行先后来到产业园区和企业研发中心，现场察看项目建设情况。</p>"
        for i in range(5)
    )
    page = (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}_故障站</title>'
        f'</head><body><h1>{title}</h1><div class="info">发布时间：2024年05月{n % 28 + 1:02d}日'
        f' 08:30　来源：青岛日报</div><div class="article">{body}</div></body></html>'
    )
    return page.encode(charset, errors="xmlcharrefreplace")


@dataclass
class FaultServer:
    """One misbehaving site; ``robots`` is one of ok, 404, 503, timeout, crawl-delay, disallow,
    huge, moved."""

    address: str = "127.0.0.2"
    pages: int = 5
    robots: str = "ok"
    crawl_delay: float = 0.3
    retry_after: str = "1"
    latency: float = 0.0
    bomb_size: int = 200_000_000
    faulty_links: bool = True  # whether /list.html links to the faulty and hostile pages too
    port: int = 0
    requests: list[tuple[float, str, dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        return f"http://{self.address}:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def page_url(self, n: int) -> str:
        return f"{self.base}/page/{n}.html"

    def paths(self) -> list[str]:
        with self.lock:
            return [p for _, p, _ in self.requests]

    def list_page(self) -> bytes:
        links = [f'<li><a href="/page/{n}.html">第{n}篇</a></li>' for n in range(self.pages)]
        if self.faulty_links:
            links += [f'<li><a href="{p}">故障{p}</a></li>' for p in [*FAULTS, *HOSTILE]]
        items = "\n".join(links)
        return (
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>要闻</title></head><body>'
            f'<ul class="news-list">\n{items}\n</ul></body></html>'
        ).encode()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send(self, status: int, body: bytes = b"", **headers: str) -> None:
        self.send_response(status)
        headers.setdefault("Content-Type", "text/html; charset=utf-8")
        for key, value in headers.items():
            self.send_header(key.replace("_", "-"), value)
        if "Transfer-Encoding" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def reset(self) -> None:
        """Abort the connection with a TCP RST."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def do_GET(self) -> None:
        site = self.server.site
        with site.lock:
            site.requests.append((time.monotonic(), self.path, dict(self.headers.items())))
        if site.latency:
            time.sleep(site.latency)
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        with suppress(OSError):  # the client hung up, or a route reset the connection
            self.route(site, path, query)

    def route(self, site: FaultServer, path: str, query: dict[str, list[str]]) -> None:
        if path == "/robots.txt":
            return self.robots(site)
        if path == "/static/robots.txt":
            return self.send(
                200, b"User-agent: *\nDisallow: /private/\n", Content_Type="text/plain"
            )
        if path == "/list.html":
            return self.send(200, site.list_page())
        if path.startswith("/page/") and path.endswith(".html"):
            return self.send(200, _article(int(path[6:-5])))
        if path == "/echo":
            return self.send(
                200,
                json.dumps(dict(self.headers.items())).encode(),
                Content_Type="application/json",
            )
        if path == "/slow":
            time.sleep(float(query.get("s", ["0.2"])[0]))
            return self.send(200, _article(0))
        if path == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            for _ in range(1000):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
            return None
        if path == "/reset":
            return self.reset()
        if path == "/reset-mid-body":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"<html>" + b"x" * 1000)
            self.wfile.flush()
            time.sleep(0.05)
            return self.reset()
        if path == "/429":
            return self.send(429, b"slow down", Retry_After=site.retry_after)
        if path == "/503":
            return self.send(503, b"busy", Retry_After=site.retry_after)
        if path.startswith("/loop/"):
            target = "/loop/b" if path == "/loop/a" else "/loop/a"
            return self.send(302, Location=target)
        if path.startswith("/chain/"):
            n = int(path[7:])
            return self.send(302, Location=f"/chain/{n - 1}" if n > 0 else "/page/0.html")
        if path == "/to":
            return self.send(302, Location=query["url"][0])
        if path == "/meta-to":  # ?url=…&delay=…: a redirect stub, by <meta http-equiv="refresh">
            delay, target = query.get("delay", ["0"])[0], query["url"][0]
            head = f'<meta http-equiv="Refresh" content="{delay}; URL={target}">'
            return self.send(200, f"<html><head>{head}</head><body>正在跳转</body></html>".encode())
        if path.startswith("/meta-loop/"):
            target = "/meta-loop/b" if path == "/meta-loop/a" else "/meta-loop/a"
            head = f'<meta http-equiv="refresh" content="0;url={target}">'
            return self.send(200, f"<html><head>{head}</head></html>".encode())
        if path == "/gzip-bomb":
            return self.send(200, bomb("gzip", site.bomb_size), Content_Encoding="gzip")
        if path == "/br-bomb":
            return self.send(200, bomb("br", site.bomb_size), Content_Encoding="br")
        if path == "/gzip-page":
            return self.send(200, gzip.compress(_article(1)), Content_Encoding="gzip")
        if path == "/br-page":
            return self.send(200, brotli.compress(_article(2)), Content_Encoding="br")
        if path == "/long-page":  # ?coding=gzip|br: 400 KB that compress to a few KB
            coding = query.get("coding", ["gzip"])[0]
            return self.send(200, _packed_long_article(coding), Content_Encoding=coding)
        if path == "/bad-gzip":
            return self.send(200, b"\x1f\x8b\x08\x00garbage-not-gzip", Content_Encoding="gzip")
        if path == "/huge-chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"y" * 65536
            for _ in range(100):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
            return None
        if path in HOSTILE:
            body, kind = hostile_page(path)
            return self.send(200, body, Content_Type=kind)
        if path == "/broken-feed.xml":
            feed = b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</ti<item><link>'
            return self.send(200, feed * 3, Content_Type="application/rss+xml")
        if path == "/empty":
            return self.send(200, b"")
        if path == "/set-cookie":  # ?name=value: a session cookie for the whole site
            name, value = next(iter(query.items()))
            cookie = f"{name}={value[0]}; Path=/".encode().decode("latin-1")  # raw UTF-8 bytes
            return self.send(200, _article(4), Set_Cookie=cookie)
        if path == "/set-big-cookie":  # one cookie of 5,000 bytes, over a browser's 4 KB
            return self.send(200, _article(4), Set_Cookie=f"huge={'y' * 5000}; Path=/")
        if path == "/set-cookie-gbk":  # a cookie whose value is raw GBK bytes (an old ASP site)
            cookie = "city=青岛; Path=/".encode("gbk").decode("latin-1")
            return self.send(200, _article(4), Set_Cookie=cookie)
        if path == "/cookie-per-page":  # ?n=K: a new cookie on every page, nginx's header limit
            if len(self.headers.get("Cookie") or "") > 8192:
                return self.send(400, b"<h1>400 Request Header Or Cookie Too Large</h1>")
            cookie = f"visited{query['n'][0]}={'x' * 100}; Path=/"
            return self.send(200, _article(4), Set_Cookie=cookie)
        if path == "/etag-chinese":  # an ETag and a Last-Modified in raw UTF-8 bytes
            etag, modified = (
                '"新版"'.encode().decode("latin-1"),
                "昨天".encode().decode("latin-1"),
            )
            if self.headers.get("If-None-Match") == etag:
                return self.send(304, ETag=etag)
            return self.send(200, _article(3), ETag=etag, Last_Modified=modified)
        if path == "/etag":
            if self.headers.get("If-None-Match") == '"v1"':
                return self.send(304, ETag='"v1"')
            return self.send(
                200, _article(3), ETag='"v1"', Last_Modified="Wed, 01 May 2024 08:00:00 GMT"
            )
        if path == "/stale-etag":
            return self.send(200, _article(4), ETag=f'"{time.monotonic_ns()}"')
        return self.send(404, b"not found", Content_Type="text/plain")

    def robots(self, site: FaultServer) -> None:
        if site.robots == "404":
            return self.send(404, b"no robots here", Content_Type="text/plain")
        if site.robots == "503":
            return self.send(503, b"busy", Content_Type="text/plain")
        if site.robots == "timeout":
            time.sleep(3)
            return self.send(200, b"", Content_Type="text/plain")
        if site.robots == "crawl-delay":
            body = f"User-agent: *\nCrawl-delay: {site.crawl_delay}\nDisallow: /private/\n"
            return self.send(200, body.encode(), Content_Type="text/plain")
        if site.robots == "disallow":
            return self.send(200, b"User-agent: *\nDisallow: /\n", Content_Type="text/plain")
        if site.robots == "moved":  # robots.txt redirected (to https, or a CMS path, say)
            return self.send(301, Location="/static/robots.txt")
        if site.robots == "huge":  # 600 KB, its last rule past the 500 KiB a crawler reads
            filler = b"# " + b"x" * 97 + b"\n"
            body = b"User-agent: *\nDisallow: /private/\n" + filler * 6000 + b"Disallow: /\n"
            return self.send(200, body, Content_Type="text/plain")
        return self.send(200, b"User-agent: *\nDisallow: /private/\n", Content_Type="text/plain")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hanging up on drips and bombs is the point; no tracebacks on stderr

    def __init__(self, site: FaultServer) -> None:
        self.site = site
        super().__init__((site.address, site.port), _Handler)


@contextmanager
def serving(*servers: FaultServer) -> Iterator[tuple[FaultServer, ...]]:
    """Run the servers (each on its address and a free port) until the block ends."""
    started: list[_Server] = []
    try:
        for site in servers:
            bomb("gzip", site.bomb_size), bomb("br", site.bomb_size)  # built before serving
            server = _Server(site)
            site.port = server.server_address[1]
            threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
            started.append(server)
        yield servers
    finally:
        for server in started:
            server.shutdown()
            server.server_close()


# --------------------------------------------------------------------------- the proxy


class _ProxyHandler(BaseHTTPRequestHandler):
    server: _ProxyServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        proxy = self.server.proxy
        with proxy.lock:
            proxy.requests.append((self.path, dict(self.headers.items())))
        target = urlsplit(self.path)  # absolute form: http://host:port/path?query
        if target.scheme != "http" or not target.hostname:
            self.send_response(400)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        conn = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=5)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        headers["Via"] = "1.1 test-proxy"
        conn.request(
            "GET", target.path + (f"?{target.query}" if target.query else ""), headers=headers
        )
        upstream = conn.getresponse()
        body = upstream.read()
        self.send_response(upstream.status)
        for key, value in upstream.getheaders():
            if key.lower() not in _HOP_BY_HOP and key.lower() != "content-length":
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        conn.close()


_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade"}


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, proxy: ForwardProxy) -> None:
        self.proxy = proxy
        super().__init__((proxy.address, 0), _ProxyHandler)

    def handle_error(self, request: object, client_address: object) -> None:
        """A client or upstream hanging up early is not worth a traceback on stderr."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass
class ForwardProxy:
    """A plain HTTP forward proxy on loopback that logs each request line it relays."""

    address: str = "127.0.0.9"
    port: int = 0
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://{self.address}:{self.port}"

    @contextmanager
    def running(self) -> Iterator[ForwardProxy]:
        server = _ProxyServer(self)
        self.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()
