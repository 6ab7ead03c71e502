"""A :class:`~crawler.probe.suggest.Suggestion` as a ``sources.yaml`` entry: the keys ``check``
accepts, and what was found as comments above them (how many links, sample titles, how the
next page was found and whether page 2 bore it out), so the operator can judge before pasting.

The feed and the list page go in as keys: the crawl uses each (the feed for what is new, the
list for backfill). A sitemap goes in as a key only when there is neither; otherwise it is a
commented-out line (a site's sitemap often lists its whole history). Strings are written as
JSON strings, which are YAML double-quoted scalars: selectors with quotes, colons or ``#`` and
titles of any script stay as they are.
"""

from __future__ import annotations

__all__ = ["render_entry"]

import json
import re

from crawler.base.sanitize import clean_text
from crawler.discover import Link
from crawler.probe.suggest import CheckedList, FoundSitemap, Suggestion

_SAMPLES = 3
_TRIED = 12  # attempts that found nothing, listed
_BREAKS = re.compile(r"[\r\n\x0b\x0c\x85\u2028\u2029]+")


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _titles(links: tuple[Link, ...]) -> str:
    titles = [link.title or link.url for link in links[:_SAMPLES]]
    return ", ".join(f"「{_one_line(t)[:60]}」" for t in titles)


def _one_line(text: str) -> str:
    """A server's text as one line of a comment: no line breaks, nothing a terminal acts on."""
    return " ".join(clean_text(text).split())


def render_entry(suggestion: Suggestion, *, taken: bool = False) -> str:
    """The entry, indented as an item of ``sources:`` (paste it under that key). ``taken``:
    the id is already a configured source's (a comment says to pick another)."""
    s = suggestion
    lines = [f"  # suggested by `citydigest sources suggest {s.url}`"]
    if s.final_url != s.url:
        lines.append(f"  # (redirected to {s.final_url})")
    lines.append(f"  # robots.txt: {s.robots.state}")
    if s.robots.crawl_delay:
        lines.append(f"  #   Crawl-delay {s.robots.crawl_delay:g} s: the crawl keeps it")
    if taken:
        lines.append(f"  # the id {s.source_id} is taken in sources.yaml: pick another")
    lines += [f"  - id: {s.source_id}", f"    name: {_q(_one_line(s.name))}"]
    if s.encoding:
        lines.append("    # no charset the page declares reads it; detected as this one")
        lines.append(f"    encoding: {s.encoding}")
    lines += _feed_lines(s)
    lines += _list_lines(s.listing)
    lines += [
        f"    # another block of links: {_q(g.selector)}, {len(g.links)} links, "
        f"{g.articles} article-like, e.g. {_titles(g.links)}"
        for g in s.other_groups[:2]
    ]
    lines += _sitemap_lines(s.sitemaps, keyed=not s.feeds and s.listing is None)
    if s.tried:
        lines.append("    # looked for, not found:")
        lines += [f"    #   {attempt}" for attempt in s.tried[:_TRIED]]
        if len(s.tried) > _TRIED:
            lines.append(f"    #   … and {len(s.tried) - _TRIED} more")
    if not s.feeds and s.listing is None and not s.sitemaps:
        lines.insert(0, "  # nothing found: no feed, no list of article links, no sitemap")
    # Server text (titles, URLs, error reasons) fills the comments: each stays on its line.
    return "\n".join(_BREAKS.sub(" ", clean_text(line)) for line in lines) + "\n"


def _feed_lines(s: Suggestion) -> list[str]:
    if not s.feeds:
        return ["    # no feed: none named in the page, none at the well-known paths"]
    best = max(s.feeds, key=lambda f: len(f.links))
    lines = [
        f"    # feed ({best.how}): {len(best.links)} entries, e.g. {_titles(best.links)}",
        f"    feed: {_q(best.url)}",
    ]
    lines += [
        f"    # other feed ({f.how}, {len(f.links)} entries): {f.url}"
        for f in s.feeds
        if f is not best
    ]
    return lines


def _list_lines(listing: CheckedList | None) -> list[str]:
    if listing is None:
        return ["    # no list: no repeated block of article links on the page"]
    group = listing.group
    lines = [
        "    list:",
        f"      # {len(group.links)} links, {group.articles} to article-like addresses, "
        f"e.g. {_titles(group.links)}",
    ]
    if listing.disallowed:
        lines.append(
            f"      # robots.txt disallows {listing.disallowed} of them: the crawl skips those"
        )
    lines += [f"      url: {_q(listing.url)}", f"      links: {_q(group.selector)}"]
    if listing.next is None:
        if listing.script_pager:
            lines.append(
                f"      # the pager ({listing.script_pager}) is written by a script, which the "
                "crawl does not run: only this page is read (the sitemap, if any, goes deeper)"
            )
        else:
            lines.append("      # no next-page link found: only this page is read")
        return lines
    lines.append(f"      # next page: {listing.next.how} -> {listing.next.url}")
    if listing.second_page:
        lines.append(f"      #   checked: {listing.second_page}")
    lines.append(f"      next: {_q(listing.next.selector)}")
    return lines


def _sitemap_lines(sitemaps: tuple[FoundSitemap, ...], *, keyed: bool) -> list[str]:
    lines = []
    for i, sitemap in enumerate(sitemaps):
        what = f"an index of {sitemap.children} sitemaps, " if sitemap.children else ""
        lines.append(
            f"    # sitemap ({sitemap.how}): {what}{sitemap.links} links, e.g. "
            + ", ".join(sitemap.samples)
        )
        key = "sitemap" if keyed and i == 0 else "# sitemap"
        lines.append(f"    {key}: {_q(sitemap.url)}")
    return lines
