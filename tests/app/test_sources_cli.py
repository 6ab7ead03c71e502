"""``citydigest sources test`` and ``sources suggest`` through the command line: the suggested
entry passes ``check`` beside the shipped example files and, crawled, finds every article of the
site; loopback is refused without the flag; ``test`` shows links, robots.txt and the analysis."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from crawler.app.cli import cli
from tests.crawl.listsites import (
    BUILDS,
    EXPECTED_LINKS,
    EXPECTED_NEXT,
    LOADED_MACHINE_TIMEOUT,
    list_site,
)
from tests.sitefarm import SETTINGS_YAML, farm, serve, sources_yaml

ROOT = Path(__file__).resolve().parents[2]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def example_config(folder: Path, sources: str) -> Path:
    """The shipped example config with ``sources`` as its sources.yaml."""
    shutil.copytree(ROOT / "config", folder)
    (folder / "sources.yaml").write_text(sources, encoding="utf-8")
    return folder


def farm_config(folder: Path, sources: str) -> Path:
    """A config that crawls loopback sites into a SQLite file beside it."""
    folder.mkdir(parents=True)
    settings = SETTINGS_YAML.format(
        db=folder / "test.db", concurrency=2, delay=0, timeout=LOADED_MACHINE_TIMEOUT
    )
    (folder / "citydigest.yaml").write_text(settings)
    (folder / "sources.yaml").write_text(sources, encoding="utf-8")
    return folder


@pytest.mark.parametrize("build", BUILDS)
def test_the_suggested_entry_passes_check_and_crawls_the_whole_site(
    tmp_path: Path, build: str
) -> None:
    site = list_site(build, feed_path="/nofeed", sitemap_path="/nomap")  # the list alone
    examples = example_config(tmp_path / "examples", "sources: []\n")
    with serve([site]):
        suggested = invoke(
            "--config", str(examples), "sources", "suggest", site.list_url,
            "--id", "suggested", "--allow-private-networks",
        )  # fmt: skip
        assert suggested.exit_code == 0, suggested.output
        entry = suggested.stdout
        assert f"links: {json.dumps(EXPECTED_LINKS[build])}" in entry
        assert f"next: {json.dumps(EXPECTED_NEXT[build], ensure_ascii=False)}" in entry
        assert "# 10 links, 10 to article-like addresses, e.g. 「" in entry
        assert "checked: page 2" in entry and "10 new links" in entry

        sources = "sources:\n" + entry
        (examples / "sources.yaml").write_text(sources, encoding="utf-8")
        checked = invoke("--config", str(examples), "check")
        assert checked.exit_code == 0, checked.output
        assert "OK (1 sources" in checked.output

        crawl_dir = farm_config(tmp_path / "crawl", sources)
        crawled = invoke("--config", str(crawl_dir), "crawl", "once")
        assert crawled.exit_code == 0, crawled.output
        exported = invoke("--config", str(crawl_dir), "export", "--source", "suggested")
    urls = {json.loads(line)["url"] for line in exported.stdout.splitlines()}
    assert urls == {site.article_url(a.number) for a in site.articles}


def test_feed_and_sitemap_go_into_the_entry(tmp_path: Path) -> None:
    with serve(farm(1, 25)) as (site,):
        config = farm_config(tmp_path / "cfg", sources_yaml([site]))
        result = invoke("--config", str(config), "sources", "suggest", f"{site.base}/list/1.html")
    assert result.exit_code == 0, result.output
    assert f'    feed: "{site.base}/feed.xml"' in result.stdout
    assert "# feed (well-known path): 20 entries" in result.stdout
    # A sitemap beside a feed and a list is offered, commented out.
    assert f'    # sitemap: "{site.base}/sitemap.xml"' in result.stdout
    assert "# robots.txt disallows 1 of them: the crawl skips those" in result.stdout


def test_a_page_with_nothing_to_crawl_exits_1(tmp_path: Path) -> None:
    site = list_site("ul", feed_path="/nofeed", sitemap_path="/nomap")
    config = example_config(tmp_path / "cfg", "sources: []\n")
    with serve([site]):
        result = invoke(
            "--config", str(config), "sources", "suggest", site.article_url(0),
            "--allow-private-networks",
        )  # fmt: skip
    assert result.exit_code == 1
    assert "# nothing found: no feed, no list of article links, no sitemap" in result.stdout


def test_loopback_is_refused_without_the_flag(tmp_path: Path) -> None:
    site = list_site("ul")
    config = example_config(tmp_path / "cfg", "sources: []\n")
    with serve([site]):
        result = invoke("--config", str(config), "sources", "suggest", site.list_url)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "resolves to a private address" in result.stderr
    assert "pass --allow-private-networks" in result.stderr
    assert "Traceback" not in result.stderr
    assert site.requests == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["notaurl"], "expected an absolute http"),
        (["http://127.0.0.1/", "--id", "Not An Id"], "'Not An Id' is no id"),
    ],
)
def test_bad_arguments_are_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    config = example_config(tmp_path / "cfg", "sources: []\n")
    result = invoke("--config", str(config), "sources", "suggest", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_taken_id_is_flagged(tmp_path: Path) -> None:
    with serve(farm(1, 12)) as (site,):
        config = farm_config(tmp_path / "cfg", sources_yaml([site]))
        result = invoke(
            "--config", str(config), "sources", "suggest", f"{site.base}/list/1.html",
            "--id", site.id,
        )  # fmt: skip
    assert result.exit_code == 0
    assert f"the id {site.id} is taken; choose one with --id" in result.stderr
    assert f"# the id {site.id} is taken in sources.yaml: pick another" in result.stdout


# --------------------------------------------------------------------------- sources test


def test_sources_test_shows_links_robots_and_the_first_article(tmp_path: Path) -> None:
    with serve(farm(1, 25)) as (site,):
        ruled = sources_yaml([site]) + '    extract: {title: "div.gone", body: "div.article"}\n'
        config = farm_config(tmp_path / "cfg", ruled)
        result = invoke("--config", str(config), "sources", "test", site.id, "--max-links", "2")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"robots.txt {site.base}/robots.txt: read" in out
    assert f"feed {site.base}/feed.xml" in out and "  20 links" in out
    assert f"list {site.base}/list/1.html  links: ul.news-list a" in out and "  11 links" in out
    assert "  … and 18 more" in out and "  … and 9 more" in out  # --max-links 2
    assert f"  next (a.next): {site.base}/list/2.html" in out
    assert f"first article {site.article_url(0)}" in out
    assert f"  title      {site.articles[0].title}" in out
    assert "  kind       visit" in out
    assert "  visit      " in out and " -> " in out
    assert "  rule       sources.yaml title 'div.gone': matched nothing: the heuristics" in out
    assert f"  rule       sources.yaml body 'div.article': {site.articles[0].paragraphs[0]}" in out


def test_sources_test_exits_1_on_a_broken_source_and_2_on_an_unknown_one(tmp_path: Path) -> None:
    with serve(farm(1, 12)) as (site,):
        broken = f"  - id: broken\n    name: 坏\n    feed: {site.base}/nofeed.xml\n"
        config = farm_config(tmp_path / "cfg", sources_yaml([site]) + broken)
        failed = invoke("--config", str(config), "sources", "test", "broken")
        unknown = invoke("--config", str(config), "sources", "test", "nope")
    assert failed.exit_code == 1
    assert "  error: fetch: HTTP 404" in failed.stdout
    assert "article: none to try" in failed.stdout
    assert unknown.exit_code == 2
    assert "unknown source 'nope' (known: broken, site00)" in unknown.stderr
