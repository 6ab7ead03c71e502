"""Suggesting a source (crawler.probe.suggest) and trying one (crawler.probe.trial) against
sites served on loopback, through the crawler's own fetcher."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from crawler.base.config import Config, load_config
from crawler.base.config.profile import FetchProfile
from crawler.base.errors import BlockedAddress, RobotsDisallowed
from crawler.fetch.client import Fetcher
from crawler.probe.suggest import Suggestion, suggest_source
from crawler.probe.trial import Trial, try_source
from tests.crawl.listsites import (
    BUILDS,
    EXPECTED_LINKS,
    EXPECTED_NEXT,
    LOADED_MACHINE_TIMEOUT,
    list_site,
)
from tests.sitefarm import SETTINGS_YAML, Site, farm, serve, sources_yaml


def _config(tmp_path: Path, sites: list[Site], extra: str = "") -> Config:
    folder = tmp_path / "cfg"
    folder.mkdir(exist_ok=True)
    settings = SETTINGS_YAML.format(
        db=tmp_path / "t.db", concurrency=2, delay=0, timeout=LOADED_MACHINE_TIMEOUT
    )
    (folder / "citydigest.yaml").write_text(settings)
    (folder / "sources.yaml").write_text(sources_yaml(sites) + extra)
    return load_config(folder)


async def _suggest(profile: FetchProfile, url: str) -> Suggestion:
    async with Fetcher(profile) as fetcher:
        return await suggest_source(fetcher, profile, url)


@pytest.mark.parametrize("build", BUILDS)
async def test_each_build_is_suggested_and_its_paging_checked(tmp_path: Path, build: str) -> None:
    site = list_site(build)
    with serve([site]):
        config = _config(tmp_path, [site])
        suggestion = await _suggest(config.default_profile, site.list_url)
    listing = suggestion.listing
    assert listing is not None and listing.next is not None
    assert listing.group.selector == EXPECTED_LINKS[build]
    assert listing.next.selector == EXPECTED_NEXT[build]
    # Page 2 was fetched and bore both selectors out.
    assert listing.second_page == (
        f"page 2 ({site.page_url(2)}): 10 new links, its next page {site.page_url(3)}"
    )
    assert (site.page_url(2).removeprefix(site.base)) in [path for _, path in site.requests]
    # Named after the page's title up to its separator, the id after the host and section.
    assert suggestion.name == "政务要闻"
    assert suggestion.source_id == f"127-0-0-40-{build}"


async def test_feeds_named_in_link_tags_come_first(tmp_path: Path) -> None:
    site = list_site("ul", feed_path="/rss/zwyw.xml", feed_link=True)
    with serve([site]):
        suggestion = await _suggest(_config(tmp_path, [site]).default_profile, site.list_url)
        paths = [path for _, path in site.requests]
    assert [(f.url, f.how, len(f.links)) for f in suggestion.feeds] == [
        (f"{site.base}/rss/zwyw.xml", "<link rel=alternate>", 20)
    ]
    assert "/rss.xml" not in paths and "/feed" not in paths  # no guessing when the page says


async def test_feeds_at_well_known_paths(tmp_path: Path) -> None:
    site = list_site("table", feed_path="/index.xml")
    with serve([site]):
        suggestion = await _suggest(_config(tmp_path, [site]).default_profile, site.list_url)
    assert [(f.url, f.how) for f in suggestion.feeds] == [
        (f"{site.base}/index.xml", "well-known path")
    ]
    assert f"{site.base}/rss.xml: HTTP 404" in suggestion.tried


async def test_sitemaps_from_robots_txt_and_the_well_known_path(tmp_path: Path) -> None:
    named = list_site("ul", 0, sitemap_path="/maps/all.xml", robots_sitemap=True)
    guessed = list_site("ul", 1)
    with serve([named, guessed]):
        profile = _config(tmp_path, [named, guessed]).default_profile
        by_robots = await _suggest(profile, named.list_url)
        by_path = await _suggest(profile, guessed.list_url)
    assert [(s.url, s.how, s.links) for s in by_robots.sitemaps] == [
        (f"{named.base}/maps/all.xml", "robots.txt Sitemap:", 35)
    ]
    assert by_robots.robots.sitemaps == (f"{named.base}/maps/all.xml",)
    assert [(s.url, s.how) for s in by_path.sitemaps] == [
        (f"{guessed.base}/sitemap.xml", "well-known path")
    ]


async def test_the_farm_sites(tmp_path: Path) -> None:
    """The test farm's own sites, in each of its charsets: feed at /feed.xml, sitemap index at
    /sitemap.xml, list pages with ``a.next``; the link robots.txt disallows is counted."""
    with serve(farm(5, 25)) as sites:
        profile = _config(tmp_path, sites).default_profile
        suggestions = [await _suggest(profile, f"{s.base}/list/1.html") for s in sites]
    for site, suggestion in zip(sites, suggestions, strict=True):
        assert [f.url for f in suggestion.feeds] == (
            [f"{site.base}/feed.xml"] if site.feed != "none" else []
        )
        assert [(s.children, s.links) for s in suggestion.sitemaps] == [(1, 25)]
        assert suggestion.listing is not None and suggestion.listing.next is not None
        assert suggestion.listing.group.selector == "ul.news-list a"
        assert suggestion.listing.next.selector == "a.next"
        assert suggestion.listing.disallowed == 1  # /private/secret.html
        # Titles read right in every charset; a page whose declarations lie gets one pinned.
        assert suggestion.listing.group.links[0].title == site.articles[0].title
        assert suggestion.encoding == ("gb18030" if site.encoding == "gbk-wrong" else None)


async def test_loopback_is_refused_unless_private_networks_are_allowed(tmp_path: Path) -> None:
    site = list_site("ul")
    with serve([site]):
        profile = _config(tmp_path, [site]).default_profile
        with pytest.raises(BlockedAddress, match="private address"):
            await _suggest(replace(profile, allow_private_networks=False), site.list_url)
        assert site.requests == []  # refused before anything was sent


async def test_robots_txt_is_obeyed(tmp_path: Path) -> None:
    site = list_site("ul")
    with serve([site]):
        profile = _config(tmp_path, [site]).default_profile
        with pytest.raises(RobotsDisallowed):
            await _suggest(profile, f"{site.base}/private/list.html")
        assert [path for _, path in site.requests] == ["/robots.txt"]


# --------------------------------------------------------------------------- sources test


async def test_a_source_tried_shows_its_links_and_first_article(tmp_path: Path) -> None:
    with serve(farm(4, 25)) as sites:
        config = _config(tmp_path, sites)
        async with Fetcher(config.default_profile) as fetcher:
            trials = [await try_source(config, s, fetcher) for s in config.sources]
    for site, trial in zip(sites, trials, strict=True):
        assert trial.ok
        assert [r.state for r in trial.robots] == ["read"]
        kinds = [d.kind for d in trial.discoveries]
        assert kinds == [
            *(["feed"] if site.feed != "none" else []),
            "list",
            *(["sitemap"] if site.id == "site03" else []),
        ]
        listed = next(d for d in trial.discoveries if d.kind == "list")
        assert len(listed.links) == 11 and listed.next_url == f"{site.base}/list/2.html"
        assert trial.article is not None and trial.article.analysis is not None
        assert trial.article.url == site.article_url(0)
        analysis = trial.article.analysis
        assert analysis.extracted.title == site.articles[0].title
        assert analysis.tags.kind == "visit" and analysis.tags.visits


async def _trial(tmp_path: Path, extra: str, source_id: str) -> Trial:
    """``source_id``, one of the sources ``extra`` adds (``{base}``: the farm site's address),
    tried against a farm site."""
    with serve(farm(1, 12)) as sites:
        config = _config(tmp_path, sites, extra.format(base=sites[0].base))
        async with Fetcher(config.default_profile) as fetcher:
            return await try_source(config, config.source(source_id), fetcher)


async def test_a_broken_source_says_where(tmp_path: Path) -> None:
    extra = (
        "  - id: broken\n    name: 坏\n    list:\n      url: {base}/list/1.html\n"
        '      links: "div.gone a"\n    feed: {base}/nofeed.xml\n'
    )
    trial = await _trial(tmp_path, extra, "broken")
    assert not trial.ok
    feed, listed = trial.discoveries
    assert feed.error is not None and "HTTP 404" in feed.error
    assert listed.error == "the selector 'div.gone a' matched no links"
    assert trial.article is None


async def test_the_first_article_is_one_robots_txt_allows(tmp_path: Path) -> None:
    extra = (
        "  - id: private-first\n    name: 内部\n    list:\n      url: {base}/list/1.html\n"
        '      links: "ul.news-list li:last-child a, a.next"\n'
    )
    trial = await _trial(tmp_path, extra, "private-first")
    listed = trial.discoveries[0]
    assert not trial.robots[0].allows(listed.links[0].url)  # the first link is disallowed
    assert trial.article is not None and trial.article.url == listed.links[1].url


async def test_each_extraction_selector_is_shown_with_what_it_matched(tmp_path: Path) -> None:
    extra = (
        "  - id: ruled\n    name: 规则\n    list:\n      url: {base}/list/1.html\n"
        '      links: "ul.news-list a"\n'
        '    extract: {{title: "div.gone, h1", body: "div.absent", drop: [".share", ".none"]}}\n'
    )
    folder = tmp_path / "cfg"
    folder.mkdir()
    (folder / "extract-rules.yaml").write_text(
        'domains:\n  "127.0.0.2": {date: "div.info"}\n', encoding="utf-8"
    )
    trial = await _trial(tmp_path, extra, "ruled")
    assert trial.article is not None and trial.article.analysis is not None
    title = trial.article.analysis.extracted.title
    assert [(r.whose, r.field, r.group, r.matched) for r in trial.article.rules] == [
        ("sources.yaml", "title", "div.gone, h1", "h1"),
        ("sources.yaml", "body", "div.absent", None),  # the heuristics decide
        ("sources.yaml", "drop", ".share", ".share"),
        ("sources.yaml", "drop", ".none", None),
        ("extract-rules.yaml", "date", "div.info", "div.info"),
    ]
    assert trial.article.rules[0].text == title
    assert trial.article.rules[4].text and trial.article.rules[4].text.startswith("发布时间：")


async def test_a_feed_or_sitemap_given_is_taken_as_it_is(tmp_path: Path) -> None:
    site = list_site("ul", feed_path="/rss/news.xml", sitemap_path="/maps/all.xml")
    with serve([site]):
        profile = _config(tmp_path, [site]).default_profile
        feed = await _suggest(profile, f"{site.base}/rss/news.xml")
        sitemap = await _suggest(profile, f"{site.base}/maps/all.xml")
    assert [(f.url, f.how, len(f.links)) for f in feed.feeds] == [
        (f"{site.base}/rss/news.xml", "the page itself", 20)
    ]
    assert feed.listing is None
    assert [(s.url, s.how, s.links) for s in sitemap.sitemaps] == [
        (f"{site.base}/maps/all.xml", "the page itself", 35)
    ]
    assert sitemap.feeds == () and sitemap.listing is None
