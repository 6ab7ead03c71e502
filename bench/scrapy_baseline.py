"""The crawl benchmark's Scrapy baseline: issue 6's "polite Scrapy" crawler, run against the same
farm in the same run as ``citydigest crawl once``, so that the speed and memory goals compare
two measurements of this machine rather than one measurement with a figure from another.

What it does, as the issue describes it: Scrapy with the epoll reactor, robots.txt obeyed, at
most ``--concurrency`` requests per host and no delay, ``CONCURRENT_ITEMS`` 4; each site's RSS or
Atom feed and its list pages followed back through their pagination (no sitemaps); each article
page parsed with selectolax for its title and paragraphs; items written to SQLite in batched
transactions. It does less than the pipeline: no date or outlet extraction, no tagging, no
dedup of near-copies, no conditional GET or fetch log.

``--extract trafilatura`` is instead the recipe a user reaches for to crawl news with main-text
extraction (as news-please runs its extractors): the spider hands each article's HTML to an item
pipeline that runs ``trafilatura.bare_extraction`` (title, date, main text; its defaults), then
to the same SQLite pipeline. Everything else (politeness, concurrency, what is followed) is the
same.

A site whose robots.txt asks a ``Crawl-delay`` gets it as its download slot's delay (Scrapy's
robots.txt middleware does not apply it; the crawl under comparison does), so both crawlers are
equally polite to it.

Usage (from bench/crawl.py, which measures it as a child process)::

    python bench/scrapy_baseline.py SITES.json DB.sqlite --concurrency 4 [--extract trafilatura]

``SITES.json`` lists ``{"base": "http://127.0.0.2:PORT", "feed": "rss" | "atom" | "none"}``
(the test farm's sites), or for a farm of other routes ``{"base", "feed_url" (or null),
"list_url", "links", "next", "paragraphs", "delay"}``: the list's link and next-page
selectors, the body paragraphs' selector and the robots.txt Crawl-delay (0 for none). The last
line printed is JSON: responses received and items stored.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response
from selectolax.lexbor import LexborHTMLParser

BATCH = 200


class FarmSpider(scrapy.Spider):
    name = "farm"

    def __init__(self, sites: list[dict[str, Any]], raw_html: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sites = {urlsplit(site["base"]).netloc: site for site in sites}
        self.raw_html = raw_html  # hand the page to the item pipeline (trafilatura)

    def _site(self, response: Response) -> dict[str, Any]:
        return self.sites[urlsplit(response.url).netloc]

    async def start(self) -> Any:
        for site in self.sites.values():
            if "list_url" in site:
                feed, listing = site.get("feed_url"), site["list_url"]
            else:  # the test farm's routes
                feed = f"{site['base']}/feed.xml" if site["feed"] != "none" else None
                listing = f"{site['base']}/list/1.html"
            if feed:
                yield scrapy.Request(feed, callback=self.parse_feed)
            yield scrapy.Request(listing, callback=self.parse_list)

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        response.selector.remove_namespaces()
        links = response.xpath("//item/link/text()").getall()
        links += response.xpath("//entry/link/@href").getall()
        for link in links:
            yield response.follow(link.strip(), callback=self.parse_article)

    def parse_list(self, response: Response) -> Iterator[scrapy.Request]:
        site = self._site(response)
        tree = LexborHTMLParser(response.text)
        for anchor in tree.css(site.get("links", "ul.news-list a")):
            if href := anchor.attributes.get("href"):
                yield response.follow(href, callback=self.parse_article)
        following = tree.css_first(site.get("next", "a.next"))
        if following is not None and (href := following.attributes.get("href")):
            yield response.follow(href, callback=self.parse_list)

    def parse_article(self, response: Response) -> Iterator[dict[str, str]]:
        if self.raw_html:
            yield {"url": response.url, "html": response.text}
            return
        tree = LexborHTMLParser(response.text)
        heading = tree.css_first("h1") or tree.css_first("title")
        paragraphs = self._site(response).get("paragraphs", "div.article p, article p")
        body = "\n".join(p.text(strip=True) for p in tree.css(paragraphs))
        yield {
            "url": response.url,
            "title": heading.text(strip=True) if heading is not None else "",
            "body": body,
        }


class TrafilaturaPipeline:
    """Main text, title and date of each page by trafilatura, with its defaults."""

    def __init__(self) -> None:
        import trafilatura

        self.extract = trafilatura.bare_extraction

    def process_item(self, item: dict[str, str], spider: scrapy.Spider) -> dict[str, str]:
        html = item.pop("html")
        found = self.extract(html, url=item["url"], with_metadata=True)
        if found is None:
            item.update(title="", body="")
        elif isinstance(found, dict):  # trafilatura < 1.9
            item.update(title=found.get("title") or "", body=found.get("text") or "")
        else:
            item.update(title=found.title or "", body=found.text or "")
        return item


class SqlitePipeline:
    """Items into SQLite, BATCH rows per transaction."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.rows: list[tuple[str, str, str]] = []
        self.stored = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> SqlitePipeline:
        return cls(crawler.settings["BASELINE_DB"])

    def open_spider(self, spider: scrapy.Spider) -> None:
        self.conn = sqlite3.connect(self.path)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS articles (url TEXT PRIMARY KEY, title TEXT, body TEXT)"
        )

    def process_item(self, item: dict[str, str], spider: scrapy.Spider) -> dict[str, str]:
        self.rows.append((item["url"], item["title"], item["body"]))
        if len(self.rows) >= BATCH:
            self.flush()
        return item

    def flush(self) -> None:
        with self.conn:
            self.conn.executemany("INSERT OR IGNORE INTO articles VALUES (?, ?, ?)", self.rows)
        self.rows.clear()

    def close_spider(self, spider: scrapy.Spider) -> None:
        self.flush()
        self.stored = self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        self.conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sites", type=Path)
    parser.add_argument("db", type=Path)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--extract", choices=["selectolax", "trafilatura"], default="selectolax")
    args = parser.parse_args()
    sites = json.loads(args.sites.read_text())
    pipelines: dict[Any, int] = {SqlitePipeline: 300}
    if args.extract == "trafilatura":
        pipelines[TrafilaturaPipeline] = 200
    slots = {
        urlsplit(site["base"]).hostname: {
            "concurrency": args.concurrency,
            "delay": site["delay"],
            "randomize_delay": False,
        }
        for site in sites
        if site.get("delay")
    }
    process = CrawlerProcess(
        {
            "TWISTED_REACTOR": "twisted.internet.epollreactor.EPollReactor",
            "ROBOTSTXT_OBEY": True,
            "CONCURRENT_REQUESTS": args.concurrency * len(sites),
            "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
            "DOWNLOAD_DELAY": 0,
            "CONCURRENT_ITEMS": 4,
            "DOWNLOAD_TIMEOUT": args.timeout,
            "USER_AGENT": "citydigest-bench-scrapy/1.0",
            "TELNETCONSOLE_ENABLED": False,
            "LOG_LEVEL": "WARNING",
            "ITEM_PIPELINES": pipelines,
            "DOWNLOAD_SLOTS": slots,
            "BASELINE_DB": str(args.db),
        }
    )
    crawler = process.create_crawler(FarmSpider)
    process.crawl(crawler, sites=sites, raw_html=args.extract == "trafilatura")
    process.start()
    stats = crawler.stats.get_stats()
    with sqlite3.connect(args.db) as conn:
        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    print(json.dumps({"responses": stats.get("downloader/response_count", 0), "items": stored}))


if __name__ == "__main__":
    main()
