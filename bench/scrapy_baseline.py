"""The crawl benchmark's Scrapy baseline: issue 6's "polite Scrapy" crawler, run against the same
farm in the same run as ``citydigest crawl once``, so that the speed and memory goals compare
two measurements of this machine rather than one measurement with a figure from another.

What it does, as the issue describes it: Scrapy with the epoll reactor, robots.txt obeyed, at
most ``--concurrency`` requests per host and no delay, ``CONCURRENT_ITEMS`` 4; each site's RSS or
Atom feed and its list pages followed back through their pagination (no sitemaps); each article
page parsed with selectolax for its title and paragraphs; items written to SQLite in batched
transactions. It does less than the pipeline: no date or outlet extraction, no tagging, no
dedup of near-copies, no conditional GET or fetch log.

Usage (from bench/crawl.py, which measures it as a child process)::

    python bench/scrapy_baseline.py SITES.json DB.sqlite --concurrency 4

``SITES.json`` lists ``{"base": "http://127.0.0.2:PORT", "feed": "rss" | "atom" | "none"}``.
The last line printed is JSON: responses received and items stored.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response
from selectolax.lexbor import LexborHTMLParser

BATCH = 200


class FarmSpider(scrapy.Spider):
    name = "farm"

    def __init__(self, sites: list[dict[str, str]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sites = sites

    async def start(self) -> Any:
        for site in self.sites:
            if site["feed"] != "none":
                yield scrapy.Request(f"{site['base']}/feed.xml", callback=self.parse_feed)
            yield scrapy.Request(f"{site['base']}/list/1.html", callback=self.parse_list)

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        response.selector.remove_namespaces()
        links = response.xpath("//item/link/text()").getall()
        links += response.xpath("//entry/link/@href").getall()
        for link in links:
            yield response.follow(link.strip(), callback=self.parse_article)

    def parse_list(self, response: Response) -> Iterator[scrapy.Request]:
        tree = LexborHTMLParser(response.text)
        for anchor in tree.css("ul.news-list a"):
            if href := anchor.attributes.get("href"):
                yield response.follow(href, callback=self.parse_article)
        following = tree.css_first("a.next")
        if following is not None and (href := following.attributes.get("href")):
            yield response.follow(href, callback=self.parse_list)

    def parse_article(self, response: Response) -> Iterator[dict[str, str]]:
        tree = LexborHTMLParser(response.text)
        heading = tree.css_first("h1") or tree.css_first("title")
        body = "\n".join(p.text(strip=True) for p in tree.css("div.article p, article p"))
        yield {
            "url": response.url,
            "title": heading.text(strip=True) if heading is not None else "",
            "body": body,
        }


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
    args = parser.parse_args()
    sites = json.loads(args.sites.read_text())
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
            "ITEM_PIPELINES": {SqlitePipeline: 300},
            "BASELINE_DB": str(args.db),
        }
    )
    crawler = process.create_crawler(FarmSpider)
    process.crawl(crawler, sites=sites)
    process.start()
    stats = crawler.stats.get_stats()
    with sqlite3.connect(args.db) as conn:
        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    print(json.dumps({"responses": stats.get("downloader/response_count", 0), "items": stored}))


if __name__ == "__main__":
    main()
