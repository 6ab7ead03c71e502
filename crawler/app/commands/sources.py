"""``citydigest sources test`` and ``sources suggest``: writing a source without guessing.

``test ID`` tries a configured source now, nothing stored (:func:`crawler.probe.trial.
try_source`): robots.txt, the links its feed, list page and sitemap give, and what extraction,
tagging and the visit finder make of its first article. ``suggest URL`` finds a site's feeds,
sitemaps and list selectors from one of its pages (:func:`crawler.probe.suggest.suggest_source`)
and prints a ``sources.yaml`` entry (:func:`crawler.probe.entry.render_entry`) on stdout, the
rest on stderr. Both fetch through the crawler's own fetcher, as a crawl would. Exit 0 when the
source worked (or an entry was found), 1 when a step failed (or nothing was found), 2 for an
unknown source id.
"""

from __future__ import annotations

__all__ = ["sources_group"]

import asyncio
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.text import Text

from crawler.app.context import EXIT_FAILED, Context, err, pass_ctx
from crawler.app.terminal import shown
from crawler.base.errors import BlockedAddress, FetchError

if TYPE_CHECKING:
    from crawler.analyze import Analysis
    from crawler.base.config import Config, Source
    from crawler.discover import Link
    from crawler.probe.trial import Discovery, Trial

out = Console(highlight=False, soft_wrap=True)


@click.group("sources")
def sources_group() -> None:
    """Try a configured source now, or suggest one for a site."""


# --------------------------------------------------------------------------- test


@sources_group.command("test")
@click.argument("source_id", metavar="ID")
@click.option(
    "--max-links",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Links shown per feed, list page and sitemap.",
)
@pass_ctx
def test_cmd(ctx: Context, source_id: str, max_links: int) -> None:
    """Fetch source ID's feed, list page and sitemap now and show the links found,
    robots.txt, and what extraction, tagging and the visit finder make of its first article.
    Nothing is stored. Exit 0 when every step worked, 1 when one failed, 2 for an unknown ID.

    \b
    Example:
      citydigest sources test gov-cn-zuixin --max-links 5
    """
    from crawler.fetch.client import Fetcher
    from crawler.probe.trial import try_source

    config = ctx.config
    source = _configured(config, source_id)

    async def run() -> Trial:
        async with Fetcher(config.default_profile) as fetcher:
            return await try_source(config, source, fetcher)

    trial = asyncio.run(run())
    _print_trial(trial, max_links)
    if not trial.ok:
        raise SystemExit(EXIT_FAILED)


def _configured(config: Config, source_id: str) -> Source:
    try:
        return config.source(source_id)
    except KeyError:
        known = ", ".join(sorted(s.id for s in config.sources)) or "none"
        raise click.BadParameter(
            f"unknown source {source_id!r} (known: {known})", param_hint="ID"
        ) from None


def _line(*parts: object) -> None:
    """One line of untrusted text (titles, URLs, server messages) printed literally."""
    text = Text()
    for part in parts:
        text.append(part if isinstance(part, Text) else shown(part))
    out.print(text)


def _print_trial(trial: Trial, max_links: int) -> None:
    source = trial.source
    _line(Text(f"source {source.id}", style="bold"), f" ({source.name})")
    for robots in trial.robots:
        delay = f", Crawl-delay {robots.crawl_delay:g} s" if robots.crawl_delay else ""
        _line("robots.txt ", robots.url, f": {robots.state}{delay}")
        for sitemap in robots.sitemaps:
            _line("  Sitemap: ", sitemap)
    for discovery in trial.discoveries:
        _print_discovery(discovery, trial, max_links)
    _print_article(trial)


def _print_discovery(discovery: Discovery, trial: Trial, max_links: int) -> None:
    head = f"{discovery.kind} {discovery.url}"
    if discovery.selector:
        head += f"  links: {discovery.selector}"
    _line(Text(head, style="bold"))
    if discovery.error and not discovery.links:
        _line(Text("  error: ", style="red"), discovery.error)
        return
    index = f", an index of {discovery.children} sitemaps" if discovery.children else ""
    _line(f"  {len(discovery.links)} links{index}")
    for number, link in enumerate(discovery.links[:max_links], 1):
        _print_link(number, link, trial)
    if len(discovery.links) > max_links:
        _line(f"  … and {len(discovery.links) - max_links} more")
    if discovery.kind == "list":
        if discovery.next_selector is None:
            _line("  next: no selector configured: only this page is read")
        else:
            where = discovery.next_url or "nothing matched: the paging ends here"
            _line(f"  next ({discovery.next_selector}): ", where)
    if discovery.error:
        _line(Text("  error: ", style="red"), discovery.error)


def _print_link(number: int, link: Link, trial: Trial) -> None:
    allowed = all(r.allows(link.url) for r in trial.robots)
    date = f" {link.published:%Y-%m-%d %H:%M}" if link.published else ""
    mark = "" if allowed else "  [robots.txt disallows]"
    _line(f"  {number:>3}.{date} ", link.title or "(no title)", "  ", link.url, mark)


def _print_article(trial: Trial) -> None:
    article = trial.article
    if article is None:
        _line(Text("article: none to try (no link found that robots.txt allows)", style="red"))
        return
    _line(Text("first article ", style="bold"), article.url)
    if article.error or article.analysis is None:
        _line(Text("  error: ", style="red"), article.error or "no analysis")
        return
    if article.final_url != article.url:
        _line("  redirected to ", article.final_url)
    _print_analysis(article.analysis, article.charset)
    for rule in article.rules:
        head = f"  rule       {rule.whose} {rule.field} {rule.group!r}: "
        if rule.field == "drop":
            _line(head, f"drops {rule.text}")
        elif rule.matched is None:
            _line(head, Text("matched nothing: the heuristics decide", style="yellow"))
        else:
            text = rule.text or ""
            via = f"({rule.matched}) " if rule.matched != rule.group else ""
            _line(head, f"{via}{text[:100]}{'…' if len(text) > 100 else ''}")


def _print_analysis(analysis: Analysis, charset: str | None) -> None:
    e, t = analysis.extracted, analysis.tags
    body = " ".join(e.body.split())
    rows: list[tuple[str, object]] = [
        ("charset", charset),
        ("title", e.title),
        ("published", e.published.isoformat() if e.published else "not found"),
        ("outlet", e.outlet),
        ("author", e.author),
        ("body", f"{len(e.body)} characters: {body[:120]}{'…' if len(body) > 120 else ''}"),
        ("policy", e.policy.to_dict() if e.policy else None),
        ("kind", t.kind),
        ("cities", ", ".join(t.cities) or "none"),
        ("provinces", ", ".join(t.provinces) or "none"),
        ("themes", ", ".join(t.themes) or "none"),
    ]
    for name, value in rows:
        if value is not None:
            _line(f"  {name:<10} ", value)
    if not t.visits:
        _line("  visits     none found")
    for visit in t.visits:
        when = f" ({visit.date.isoformat()})" if visit.date else ""
        _line(f"  visit      {visit.visitor} -> {visit.host}{when}: ", visit.evidence)


# --------------------------------------------------------------------------- suggest


@sources_group.command("suggest")
@click.argument("url")
@click.option(
    "--id", "source_id", metavar="ID", help="The new source's id (default: from the URL)."
)
@click.option(
    "--allow-private-networks",
    is_flag=True,
    help="Fetch from private and loopback addresses (an intranet site, a test server).",
)
@pass_ctx
def suggest_cmd(
    ctx: Context, url: str, source_id: str | None, allow_private_networks: bool
) -> None:
    """Find the feeds, sitemaps and list-page selectors of the site at URL (a home or section
    page) and print a sources.yaml entry, with what was found as comments. Obeys robots.txt and
    refuses private addresses, as a crawl does. Exit 0 when something to crawl was found, 1 when
    the page cannot be read or nothing was found, 2 for a URL or ID the config would refuse.

    \b
    Example (paste the entry under sources: in sources.yaml):
      citydigest sources suggest https://www.example.gov.cn/xwzx/ > new-source.yaml
    """
    from crawler.base.config.values import Ident, Url
    from crawler.fetch.client import Fetcher
    from crawler.probe.entry import render_entry
    from crawler.probe.suggest import Suggestion, suggest_source

    config = ctx.config
    _check(url, Url, "URL")
    if source_id is not None:
        explain = f"{source_id!r} is no id: lowercase letters, digits and '-', at most 64"
        _check(source_id, Ident, "--id", explain)
    profile = config.default_profile
    if allow_private_networks:
        profile = replace(profile, allow_private_networks=True)

    async def run() -> Suggestion:
        async with Fetcher(profile) as fetcher:
            return await suggest_source(fetcher, profile, url, source_id=source_id)

    try:
        suggestion = asyncio.run(run())
    except BlockedAddress as exc:
        err.print(
            shown(
                f"citydigest: {exc}; for an intranet or a test server, "
                "pass --allow-private-networks"
            ),
            soft_wrap=True,
        )
        raise SystemExit(EXIT_FAILED) from None
    except FetchError as exc:
        err.print(shown(f"citydigest: cannot read the page: {exc}"), soft_wrap=True)
        raise SystemExit(EXIT_FAILED) from None
    taken = any(s.id == suggestion.source_id for s in config.sources)
    if taken:
        err.print(
            shown(f"citydigest: the id {suggestion.source_id} is taken; choose one with --id"),
            soft_wrap=True,
        )
    click.echo(render_entry(suggestion, taken=taken), nl=False)
    if not (suggestion.feeds or suggestion.listing or suggestion.sitemaps):
        raise SystemExit(EXIT_FAILED)


def _check(value: str, kind: Any, hint: str, explain: str | None = None) -> None:
    """``value`` as the config would take it (a source's URL or id), else a usage error."""
    from pydantic import TypeAdapter, ValidationError

    try:
        TypeAdapter(kind).validate_python(value)
    except ValidationError as exc:
        message = explain or str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        raise click.BadParameter(message, param_hint=hint) from None
