"""A second benchmark farm, built apart from the test farm (``bench/crawl.py --site-farm news``).

``tests/sitefarm.py`` has one page template, list pages of ten links behind one "next" link,
feeds of 20 items and 5–10 KB article pages. The sites here are built otherwise, the way
Chinese portals and government sites are:

- three layouts (a portal, a government site, a card-style city news site), each with its own
  URL scheme (``/c/2024-05/30/c_123.htm``, ``/art/2024/5/30/art_7_123.html``,
  ``/xw/123.shtml``), list markup (a ``ul`` with dates, a table, cards with summaries) and
  pager: TRS-style numbered pages (``index.html``, ``index_1.html``, …) with 首页, 上一页,
  page numbers around the current one, 下一页 and 尾页;
- list pages of 20–40 links (per site), feeds of 50 items with summaries;
- pages of realistic size: each site's chrome (navigation of 60–150 links, inline ``<style>``,
  ``<script>`` blocks of configuration and analytics, comments, ranked sidebars, a footer of
  links) is drawn once, to a size between 25 and 140 KB, so article pages run 30–150 KB; bodies
  of 6–20 paragraphs;
- UTF-8 and GBK (declared only in ``<meta>`` on one site in three);
- one site whose robots.txt asks a ``Crawl-delay`` (and serves a quarter of the articles, as a
  small, slow site would).

Served from memory by ``bench/staticfarm.py`` (article pages rendered per request from the
site's chrome). Each article's true body is its paragraphs, for :func:`webfarm.body_scores`.
"""

from __future__ import annotations

__all__ = ["NewsSite", "farm", "sources_yaml"]

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime
from html import escape
from zoneinfo import ZoneInfo

from tests.sitefarm import Article, make_articles

_CST = ZoneInfo("Asia/Shanghai")
STYLES = ("portal", "gov", "cards")
CRAWL_DELAY = 0.1  # seconds, the robots.txt of the farm's last site
FEED_ITEMS = 50
_WORDS = str.split(
    "推进 高质量 发展 产业 园区 项目 建设 企业 服务 营商 环境 改革 创新 科技 人才 合作 交流 "
    "考察 调研 座谈 会议 部署 落实 政策 措施 民生 教育 医疗 交通 水利 生态 文化 旅游 农业 "
    "工业 数字 经济 平台 载体 招商 引资 签约 投资 开放 协同 区域 城市 更新 乡村 振兴 基层 "
    "治理 安全 应急 保障 就业 养老 住房 社区 街道 企业家 代表 领导 干部 同志 群众 市场 主体"
)


def _sentence(rng: random.Random) -> str:
    clauses = ["".join(rng.choices(_WORDS, k=rng.randint(3, 7))) for _ in range(rng.randint(2, 4))]
    return "，".join(clauses) + "。"


def _css(rng: random.Random, size: int) -> str:
    rules = []
    while sum(map(len, rules)) < size:
        name = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(3, 9)))
        rules.append(
            f".{name}{{margin:{rng.randint(0, 20)}px {rng.randint(0, 30)}px;"
            f"font-size:{rng.randint(12, 18)}px;color:#{rng.randrange(16**6):06x};"
            f"line-height:{rng.randint(18, 32)}px}}"
        )
    return "\n".join(rules)


def _script(rng: random.Random, size: int) -> str:
    entries = []
    while sum(map(len, entries)) < size:
        entries.append(
            f'{{"id":{rng.randint(1, 99999)},"channel":"{rng.choice(_WORDS)}",'
            f'"url":"/c/{rng.randint(1000, 9999)}.htm","w":{rng.randint(100, 900)}}}'
        )
    return (
        "var _hmt=_hmt||[];(function(){var hm=document.createElement('script');"
        "hm.src='https://hm.example.invalid/hm.js?"
        f"{rng.randrange(16**32):032x}';var s=document.getElementsByTagName('script')[0];"
        's.parentNode.insertBefore(hm,s);})();\nwindow.__CONFIG__={"recommend":['
        + ",".join(entries)
        + "]};"
    )


def _links(rng: random.Random, count: int, *, dated: bool = False) -> str:
    items = []
    for _ in range(count):
        text = "".join(rng.choices(_WORDS, k=rng.randint(2, 8)))
        href = f"/{rng.choice(['xw', 'zw', 'ms', 'jj', 'wh'])}/{rng.randint(1000, 99999)}.html"
        date = f"<span>{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}</span>" if dated else ""
        items.append(f'<li><a href="{href}" target="_blank">{text}</a>{date}</li>')
    return "\n".join(items)


@dataclass
class NewsSite:
    """One site of the farm; ``port`` is set when it is served."""

    id: str
    number: int  # its place in the farm: the layout, the URL scheme's channel id
    address: str
    articles: list[Article]
    style: str
    charset: str  # utf-8 | gbk
    per_page: int
    feed: bool
    crawl_delay: float | None = None
    latency: float = 0.0
    port: int = 0
    chrome_bytes: int = 60_000
    _head: str = field(default="", repr=False)
    _side: str = field(default="", repr=False)
    _foot: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        rng = random.Random(f"news-{self.id}")
        budget = self.chrome_bytes
        nav = _links(rng, rng.randint(60, 150))
        style = _css(rng, budget // 6)
        script = _script(rng, budget // 5)
        meta = (
            '<meta http-equiv="Content-Type" content="text/html; charset=gbk">'
            if self.charset == "gbk"
            else '<meta charset="utf-8">'
        )
        self._head = (
            f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n{meta}\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="keywords" content="{self.id},新闻,政务">\n'
            f"<!-- {self.id} 模板 {self.style} 生成于 CMS 7.0 -->\n"
            f"<style>\n{style}\n</style>\n"
            f"<script>{script}</script>\n"
        )
        rank = _links(rng, rng.randint(10, 30), dated=True)
        side = [f'<div class="side-box"><h3>热点排行</h3><ol class="rank">{rank}</ol></div>']
        used = len(self._head) + len(nav) + len(side[0])
        while used < budget * 0.8:  # more sidebars until the chrome reaches its size
            box = (
                f'<div class="side-box"><h3>{"".join(rng.choices(_WORDS, k=2))}</h3>'
                f"<!-- 推荐位 {rng.randint(1, 999)} --><ul>{_links(rng, 20, dated=True)}</ul></div>"
            )
            side.append(box)
            used += len(box)
        self._nav = f'<div class="top-nav"><ul>{nav}</ul></div>'
        self._side = '<div class="sidebar">' + "\n".join(side) + "</div>"
        self._foot = (
            f'<div class="footer"><ul class="links">{_links(rng, 30)}</ul>'
            f"<p>主办：{self.id}融媒体中心　备案号：京ICP备{rng.randint(10**7, 10**8)}号</p>"
            f"<script>{_script(rng, budget // 10)}</script></div>\n</body>\n</html>"
        )

    # ------------------------------------------------------------------ addresses

    @property
    def base(self) -> str:
        return f"http://{self.address}:{self.port}"

    def article_path(self, a: Article) -> str:
        day = a.published.astimezone(_CST)
        if self.style == "portal":
            return f"/c/{day:%Y-%m}/{day:%d}/c_{a.number}.htm"
        if self.style == "gov":
            return f"/art/{day.year}/{day.month}/{day.day}/art_{self.number}_{a.number}.html"
        return f"/xw/{a.number}.shtml"

    def article_url(self, n: int) -> str:
        return self.base + self.article_path(self.articles[n])

    def list_path(self, page: int) -> str:
        return "/xwzx/index.html" if page == 1 else f"/xwzx/index_{page - 1}.html"

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.articles) // self.per_page))

    @property
    def links_selector(self) -> str:
        return {"portal": "ul.list-con li a", "gov": "table.zfxxgk td.bt a"}.get(
            self.style, "div.news-card h3 a"
        )

    next_selector = "div.page span.current + a"

    # ------------------------------------------------------------------ pages

    def _page(self, title: str, main: str) -> str:
        return (
            f"{self._head}<title>{escape(title)}_{self.id}</title>\n</head>\n<body>\n"
            f'{self._nav}\n<div class="wrap"><div class="main">{main}</div>\n'
            f"{self._side}</div>\n{self._foot}"
        )

    def article_page(self, a: Article) -> str:
        day = a.published.astimezone(_CST)
        body = "\n".join(f"<p>{escape(p)}</p>" for p in a.paragraphs)
        if self.style == "gov":
            main = (
                f'<div class="xxgk-title"><h1 class="title">{escape(a.title)}</h1></div>'
                f'<div class="xxgk-info">发布日期：{day:%Y-%m-%d}　来源：{escape(a.outlet)}'
                f'　<span id="hits">浏览次数：{a.number * 7 % 997}</span></div>'
                f'<div class="TRS_Editor" id="zoom">{body}</div>'
                '<div class="print"><a href="javascript:window.print()">【打印本页】</a>'
                '<a href="javascript:window.close()">【关闭窗口】</a></div>'
            )
        else:
            main = (
                f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; '
                f'<a href="/xwzx/index.html">新闻中心</a></div>'
                f'<h1 class="art-title">{escape(a.title)}</h1>'
                f'<div class="art-meta"><span class="time">{day:%Y-%m-%d %H:%M}</span>'
                f'<span class="source">来源：{escape(a.outlet)}</span></div>'
                f'<div class="art-content"><!--正文开始-->{body}<!--正文结束--></div>'
                '<div class="editor">责任编辑：李华</div>'
            )
        return self._page(a.title, main)

    def _pager(self, page: int) -> str:
        last = self.pages
        parts = [f'<a href="{self.list_path(1)}">首页</a>']
        if page > 1:
            parts.append(f'<a href="{self.list_path(page - 1)}">上一页</a>')
        for n in range(max(1, page - 4), min(last, page + 5) + 1):
            parts.append(
                f'<span class="current">{n}</span>'
                if n == page
                else f'<a href="{self.list_path(n)}">{n}</a>'
            )
        if page < last:
            parts.append(f'<a href="{self.list_path(page + 1)}">下一页</a>')
        parts.append(f'<a href="{self.list_path(last)}">尾页</a>')
        return f'<div class="page">{" ".join(parts)}<span>共{last}页</span></div>'

    def list_page(self, page: int) -> str:
        chunk = self.articles[(page - 1) * self.per_page : page * self.per_page]

        def row(a: Article) -> str:
            href, title = self.article_path(a), escape(a.title)
            day = a.published.astimezone(_CST)
            if self.style == "portal":
                return (
                    f'<li><span class="date">{day:%Y-%m-%d}</span>'
                    f'<a href="{href}" target="_blank" title="{title}">{title}</a></li>'
                )
            if self.style == "gov":
                return (
                    f'<tr><td class="bt"><a href="{href}" target="_blank">{title}</a></td>'
                    f'<td class="fbrq">{day:%Y-%m-%d}</td></tr>'
                )
            return (
                f'<div class="news-card"><a class="pic" href="{href}">'
                f'<img src="/img/{a.number}.jpg" alt=""></a><h3><a href="{href}">{title}</a></h3>'
                f'<p class="summary">{escape(a.paragraphs[0][:60])}…</p>'
                f'<span class="time">{day:%Y-%m-%d}</span></div>'
            )

        rows = "\n".join(map(row, chunk))
        if self.style == "portal":
            listing = f'<ul class="list-con">{rows}</ul>'
        elif self.style == "gov":
            listing = f'<table class="zfxxgk"><tbody>{rows}</tbody></table>'
        else:
            listing = f'<div class="cards">{rows}</div>'
        return self._page(f"新闻中心 第{page}页", listing + self._pager(page))

    def rss(self) -> str:
        items = "\n".join(
            f"<item><title>{escape(a.title)}</title><link>{self.base}{self.article_path(a)}</link>"
            f"<description><![CDATA[{a.paragraphs[0]}]]></description>"
            f"<pubDate>{format_datetime(a.published)}</pubDate>"
            f"<guid>{self.base}{self.article_path(a)}</guid></item>"
            for a in self.articles[:FEED_ITEMS]
        )
        return (
            f'<?xml version="1.0" encoding="{self.charset}"?>\n<rss version="2.0"><channel>'
            f"<title>{self.id}</title><link>{self.base}/</link><description>{self.id}</description>"
            f"{items}</channel></rss>"
        )

    def robots(self) -> str:
        delay = f"Crawl-delay: {self.crawl_delay:g}\n" if self.crawl_delay else ""
        return f"User-agent: *\n{delay}Disallow: /search/\nDisallow: /admin/\n"

    # ------------------------------------------------------------------ serving

    def _content_type(self, kind: str) -> str:
        # one GBK site in three declares its charset in <meta> only
        if self.charset == "gbk" and self.number % 2 == 0:
            return kind
        return f"{kind}; charset={self.charset}"

    def paths(self) -> list[str]:
        out = ["/robots.txt", *(self.list_path(p) for p in range(1, self.pages + 1))]
        if self.feed:
            out.append("/rss/news.xml")
        return out + [self.article_path(a) for a in self.articles]

    def render_lazily(self, path: str) -> bool:
        return not (path.startswith("/xwzx/") or path in ("/robots.txt", "/rss/news.xml"))

    def route(self, path: str) -> tuple[int, dict[str, str], bytes]:
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, self.robots().encode()
        if path == "/rss/news.xml" and self.feed:
            body = self.rss().encode(self.charset, errors="xmlcharrefreplace")
            return 200, {"Content-Type": self._content_type("application/rss+xml")}, body
        page = self._pages_by_path().get(path)
        if page is not None:
            html = page()
            return (
                200,
                {"Content-Type": self._content_type("text/html")},
                html.encode(self.charset, errors="xmlcharrefreplace"),
            )
        return 404, {"Content-Type": "text/plain"}, b"not found"

    def _pages_by_path(self) -> dict[str, Callable[[], str]]:
        if not hasattr(self, "_routes"):
            routes: dict[str, Callable[[], str]] = {}
            for p in range(1, self.pages + 1):
                routes[self.list_path(p)] = lambda p=p: self.list_page(p)
            for a in self.articles:
                routes[self.article_path(a)] = lambda a=a: self.article_page(a)
            self._routes = routes
        return self._routes


def _bodies(site_id: str, articles: list[Article]) -> list[Article]:
    """The articles with bodies of 6–20 paragraphs of distinct prose (title and lead kept)."""
    rng = random.Random(f"body-{site_id}")
    out = []
    for a in articles:
        paragraphs = [a.paragraphs[0]]
        for _ in range(rng.randint(5, 19)):
            paragraphs.append("".join(_sentence(rng) for _ in range(rng.randint(1, 4))))
        out.append(Article(a.number, a.title, tuple(paragraphs), a.published, a.outlet))
    return out


def farm(count: int, total: int, *, first_address: int = 2, latency: float = 0.0) -> list[NewsSite]:
    """``count`` sites serving about ``total`` articles in all (the Crawl-delay site, the last,
    a quarter of its share)."""
    per_site = max(1, total // count)
    sites = []
    for i in range(count):
        site_id = f"news{i:02d}"
        rng = random.Random(f"farm-{site_id}")
        delayed = i == count - 1 and count > 1
        articles = make_articles(
            site_id,
            max(1, per_site // 4) if delayed else per_site,
            start=datetime(2024, 5, 31, 9, 0, tzinfo=_CST) - timedelta(minutes=i),
        )
        sites.append(
            NewsSite(
                id=site_id,
                number=i,
                address=f"127.0.0.{first_address + i}",
                articles=_bodies(site_id, articles),
                style=STYLES[i % len(STYLES)],
                charset="gbk" if i % 3 == 1 else "utf-8",
                per_page=rng.randint(20, 40),
                feed=i % 3 != 2,
                crawl_delay=CRAWL_DELAY if delayed else None,
                latency=latency,
                chrome_bytes=int(min(140_000, max(25_000, rng.lognormvariate(11.0, 0.5)))),
            )
        )
    return sites


def sources_yaml(sites: list[NewsSite], *, max_pages: int = 1000) -> str:
    lines = ["sources:"]
    for site in sites:
        lines += [f"  - id: {site.id}", f"    name: {site.id}融媒体"]
        if site.feed:
            lines.append(f"    feed: {site.base}/rss/news.xml")
        lines += [
            "    list:",
            f"      url: {site.base}{site.list_path(1)}",
            f'      links: "{site.links_selector}"',
            f'      next: "{site.next_selector}"',
            f"      max_pages: {max_pages}",
        ]
    return "\n".join(lines) + "\n"


def scrapy_sites(sites: list[NewsSite]) -> list[dict[str, object]]:
    """The sites as bench/scrapy_baseline.py reads them."""
    return [
        {
            "base": s.base,
            "feed_url": f"{s.base}/rss/news.xml" if s.feed else None,
            "list_url": s.base + s.list_path(1),
            "links": s.links_selector,
            "next": s.next_selector,
            "delay": s.crawl_delay or 0,
        }
        for s in sites
    ]
