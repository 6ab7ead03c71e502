"""``sources test``: a configured source tried now, nothing stored.

:func:`try_source` tells the story, with the crawl's own parts: the source's fetch profile and
the crawler's :class:`~crawler.fetch.client.Fetcher` (robots.txt, the private-network guard,
politeness), the discover parsers (:mod:`crawler.discover`), the charset memory of a crawl and
the analysis of a stored article (:class:`crawler.analyze.Analyzer`: extraction, tagging, the
visit finder). It reads robots.txt for each host the source names, then its feed, its first list
page and its sitemap (each a :class:`Discovery`: the links found, the list's next page, or the
error), and analyses the first article found that robots.txt allows, showing beside the analysis
what each configured extraction selector (the source's ``extract:``, extract-rules.yaml's for
the article's domain) matched on it, or that it matched nothing and the heuristics decided.
Every failure is kept on the step it belongs to; none ends the trial.
"""

from __future__ import annotations

__all__ = ["ArticleTrial", "Discovery", "RuleMatch", "Trial", "rule_matches", "try_source"]

import asyncio
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from crawler.analyze import Analysis, Analyzer
from crawler.base.config import Config, Source
from crawler.base.errors import CrawlError
from crawler.discover import Link, parse_feed, parse_list_page, parse_sitemap
from crawler.extract.rules import (
    ExtractRules,
    rules_for_host,
    rules_from_spec,
    split_selector_group,
)
from crawler.fetch.client import Fetcher
from crawler.fetch.encoding import SiteCharsets
from crawler.fetch.urls import host_of
from crawler.markup import defuse
from crawler.probe.robots import RobotsView, read_robots

MAX_SITEMAP_CHILDREN = 3  # children of a sitemap index read to show its links


@dataclass(frozen=True)
class Discovery:
    """One way of finding links (``kind``: feed, list or sitemap) as tried now."""

    kind: str
    url: str
    selector: str | None = None  # the list's links selector
    links: tuple[Link, ...] = ()
    next_selector: str | None = None
    next_url: str | None = None
    children: int = 0  # a sitemap index's child sitemaps
    error: str | None = None


@dataclass(frozen=True)
class RuleMatch:
    """What one configured extraction selector group matched on the article: ``whose`` rule
    (the source's, or extract-rules.yaml's for a domain), the field, the group as written, the
    selector of it that matched (the first whose node has text, as the extractor takes it) and
    that text; for ``drop``, how many nodes each selector removes."""

    whose: str
    field: str
    group: str
    matched: str | None
    text: str | None = None


@dataclass(frozen=True)
class ArticleTrial:
    url: str
    final_url: str | None = None
    analysis: Analysis | None = None
    error: str | None = None
    charset: str | None = None  # the charset the page was read in, and how it was chosen
    rules: tuple[RuleMatch, ...] = ()


@dataclass
class Trial:
    source: Source
    robots: list[RobotsView] = field(default_factory=list)
    discoveries: list[Discovery] = field(default_factory=list)
    article: ArticleTrial | None = None

    @property
    def ok(self) -> bool:
        """Every step worked and an article was read."""
        return (
            all(d.error is None for d in self.discoveries)
            and self.article is not None
            and self.article.error is None
        )


async def try_source(config: Config, source: Source, fetcher: Fetcher) -> Trial:
    """The source's discovery and first article, tried now (see the module docstring)."""
    profile = config.profile(source)
    charsets = SiteCharsets()
    trial = Trial(source)
    for url in _host_roots(source):
        trial.robots.append(await read_robots(fetcher, profile, url))
    if source.feed:
        trial.discoveries.append(await _feed(fetcher, config, source, source.feed))
    if source.list:
        trial.discoveries.append(await _list(fetcher, config, source, charsets))
    if source.sitemap:
        trial.discoveries.append(await _sitemap(fetcher, config, source, source.sitemap))
    first = _first_allowed(trial)
    if first is not None:
        trial.article = await _article(fetcher, config, source, charsets, first)
    return trial


def _host_roots(source: Source) -> list[str]:
    urls = [source.feed, source.list.url if source.list else None, source.sitemap]
    by_host: dict[str, str] = {}
    for url in urls:
        if url:
            by_host.setdefault(host_of(url), url)
    return list(by_host.values())


def _first_allowed(trial: Trial) -> str | None:
    """The first link found, in the crawl's order (feed, list, sitemap), that robots.txt
    allows: the article a crawl would fetch first."""
    for discovery in trial.discoveries:
        for link in discovery.links:
            if all(r.allows(link.url) for r in trial.robots if host_of(r.url) == host_of(link.url)):
                return link.url
    return None


async def _feed(fetcher: Fetcher, config: Config, source: Source, url: str) -> Discovery:
    try:
        result = await fetcher.get(url, config.profile(source), source_id=source.id)
        links = await asyncio.to_thread(
            parse_feed,
            result.content,
            result.final_url,
            content_type=result.headers.get("content-type"),
            encoding=source.encoding,
        )
    except CrawlError as exc:
        return Discovery("feed", url, error=str(exc))
    return Discovery("feed", url, links=links)


async def _list(
    fetcher: Fetcher, config: Config, source: Source, charsets: SiteCharsets
) -> Discovery:
    assert source.list is not None
    spec = source.list
    try:
        result = await fetcher.get(spec.url, config.profile(source), source_id=source.id)
        html = charsets.decode(
            result.final_url, result.content, header_charset=result.charset, forced=source.encoding
        ).text
        page = parse_list_page(html, result.final_url, links=spec.links, next_selector=spec.next)
    except CrawlError as exc:
        return Discovery("list", spec.url, spec.links, next_selector=spec.next, error=str(exc))
    error = None if page.links else f"the selector {spec.links!r} matched no links"
    return Discovery(
        "list", spec.url, spec.links, page.links, spec.next, page.next_url, error=error
    )


async def _sitemap(fetcher: Fetcher, config: Config, source: Source, url: str) -> Discovery:
    profile = config.profile(source)
    try:
        result = await fetcher.get(url, profile, source_id=source.id)
        sitemap = await asyncio.to_thread(parse_sitemap, result.content, result.final_url)
        links = list(sitemap.links)
        for child in sitemap.sitemaps[:MAX_SITEMAP_CHILDREN]:
            found = await fetcher.get(child, profile, source_id=source.id)
            links += (await asyncio.to_thread(parse_sitemap, found.content, found.final_url)).links
    except CrawlError as exc:
        return Discovery("sitemap", url, error=str(exc))
    return Discovery("sitemap", url, links=tuple(links), children=len(sitemap.sitemaps))


async def _article(
    fetcher: Fetcher, config: Config, source: Source, charsets: SiteCharsets, url: str
) -> ArticleTrial:
    """The article as a crawl reads it (decoded with the crawl's charset memory, analysed as
    :class:`crawler.pool.LocalStages` analyses it), not stored."""
    try:
        result = await fetcher.get(url, config.profile(source), source_id=source.id)
        decoded = charsets.decode(
            result.final_url, result.content, header_charset=result.charset, forced=source.encoding
        )
        analyzer = Analyzer.from_config(config)
        analysis = await asyncio.to_thread(
            analyzer.analyze_html, decoded.text, result.final_url, source=source
        )
    except CrawlError as exc:
        return ArticleTrial(url, error=str(exc))
    charset = f"{decoded.encoding} ({decoded.via})"
    rules = rule_matches(
        decoded.text, result.final_url, _rule_chain(config, source, result.final_url)
    )
    return ArticleTrial(url, result.final_url, analysis, charset=charset, rules=rules)


def _rule_chain(config: Config, source: Source, url: str) -> list[tuple[str, ExtractRules]]:
    """The extraction rules the extractor applies to ``url``, in its order: the source's
    ``extract:``, then extract-rules.yaml's for the page's domain."""
    chain = []
    if source.extract is not None:
        chain.append(("sources.yaml", rules_from_spec(source.extract)))
    domains = {host: rules_from_spec(spec) for host, spec in config.domain_rules.items()}
    if (domain := rules_for_host(host_of(url), domains)) is not None:
        chain.append(("extract-rules.yaml", domain))
    return chain


def rule_matches(
    html: str, url: str, chain: list[tuple[str, ExtractRules]]
) -> tuple[RuleMatch, ...]:
    """What each selector group of ``chain`` matches in ``html`` (see :class:`RuleMatch`)."""
    tree = LexborHTMLParser(defuse(html))
    found: list[RuleMatch] = []
    for whose, rules in chain:
        for field_name in ("title", "body", "date"):
            group = getattr(rules, field_name)
            if group:
                found.append(_first_match(tree, whose, field_name, group))
        for selector in rules.drop:
            count = len(_nodes(tree, selector))
            found.append(
                RuleMatch(whose, "drop", selector, selector if count else None, f"{count} nodes")
            )
    return tuple(found)


def _first_match(tree: LexborHTMLParser, whose: str, field_name: str, group: str) -> RuleMatch:
    for selector in split_selector_group(group):
        for node in _nodes(tree, selector):
            text = (
                node.attributes.get("content") if node.tag == "meta" else node.text(separator=" ")
            )
            if text and text.strip():
                return RuleMatch(whose, field_name, group, selector, " ".join(text.split()))
    return RuleMatch(whose, field_name, group, None)


def _nodes(tree: LexborHTMLParser, selector: str) -> list[LexborNode]:
    try:
        return list(tree.css(selector))
    except Exception:  # selectolax raises several types; `check` reports a bad selector
        return []
