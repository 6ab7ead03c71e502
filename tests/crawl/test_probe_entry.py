"""The suggested sources.yaml entry (crawler.probe.entry): the keys as the config reads them,
whatever the site's titles and URLs hold."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from crawler.base.config import Source, load_config
from crawler.discover import Link
from crawler.probe.entry import render_entry
from crawler.probe.listpage import LinkGroup, NextGuess
from crawler.probe.robots import RobotsView
from crawler.probe.suggest import CheckedList, FoundFeed, FoundSitemap, Suggestion

HOSTILE = '要闻\n    feed: "http://evil.example/"\r\x1b[2J\u202e#: "x'


def _suggestion(**changes: object) -> Suggestion:
    links = tuple(Link(f"https://ex.cn/2024/{n}.html", f"{HOSTILE}{n}") for n in range(12))
    group = LinkGroup('div.list a[title*=":"]', links, 12, 30.0)
    fields: dict[str, object] = {
        "url": "https://ex.cn/list/",
        "final_url": "https://ex.cn/list/",
        "source_id": "ex-cn-list",
        "name": HOSTILE,
        "feeds": (FoundFeed("https://ex.cn/rss.xml", "well-known path", links[:5]),),
        "sitemaps": (FoundSitemap("https://ex.cn/sitemap.xml", "well-known path", 9, 0, ()),),
        "listing": CheckedList(
            "https://ex.cn/list/",
            group,
            NextGuess('div.page a:lexbor-contains("下一页")', "the link that says '下一页'", "x"),
            f"page 2: {HOSTILE}",
            0,
        ),
        "other_groups": (LinkGroup("div.side a", links[:4], 4, 2.0),),
        "robots": RobotsView("https://ex.cn/robots.txt", f"unreadable ({HOSTILE})", "agent"),
        "tried": ("https://ex.cn/feed: HTTP 404", f"https://ex.cn/atom.xml: {HOSTILE}"),
        "encoding": "gb18030",
    }
    fields.update(changes)
    return Suggestion(**fields)  # type: ignore[arg-type]


def _loaded(tmp_path: Path, entry: str) -> Source:
    """The entry as ``check`` reads it: the one source of a config's sources.yaml."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "sources.yaml").write_text("sources:\n" + entry, encoding="utf-8")
    (source,) = load_config(tmp_path).sources
    return source


def test_the_keys_survive_hostile_titles_and_messages(tmp_path: Path) -> None:
    entry = render_entry(_suggestion())
    source = _loaded(tmp_path, entry)
    assert source.model_dump(include={"id", "name", "encoding", "feed", "list", "sitemap"}) == {
        "id": "ex-cn-list",
        "name": " ".join(HOSTILE.replace("\x1b[2J", "").replace("\u202e", "").split()),
        "encoding": "gb18030",
        "feed": "https://ex.cn/rss.xml",
        "list": {
            "url": "https://ex.cn/list/",
            "links": 'div.list a[title*=":"]',
            "next": 'div.page a:lexbor-contains("下一页")',
            "max_pages": 5,
        },
        "sitemap": None,
    }
    assert "\x1b" not in entry and "\u202e" not in entry
    assert '    # sitemap: "https://ex.cn/sitemap.xml"' in entry
    assert '    # another block of links: "div.side a", 4 links' in entry
    assert "    # looked for, not found:\n    #   https://ex.cn/feed: HTTP 404\n" in entry


def test_a_sitemap_alone_is_a_key(tmp_path: Path) -> None:
    source = _loaded(tmp_path, render_entry(_suggestion(feeds=(), listing=None)))
    assert (source.sitemap, source.list, source.feed) == ("https://ex.cn/sitemap.xml", None, None)


def test_a_taken_id_is_said_in_a_comment(tmp_path: Path) -> None:
    entry = render_entry(_suggestion(), taken=True)
    assert "# the id ex-cn-list is taken in sources.yaml: pick another" in entry
    assert _loaded(tmp_path, entry).id == "ex-cn-list"


def test_a_pager_written_by_a_script_is_said(tmp_path: Path) -> None:
    listing = _suggestion().listing
    assert listing is not None
    scripted = replace(listing, next=None, second_page=None, script_pager="div.page")
    entry = render_entry(_suggestion(listing=scripted))
    assert "# the pager (div.page) is written by a script, which the crawl does not run" in entry
    loaded = _loaded(tmp_path, entry).list
    assert loaded is not None and loaded.next is None
