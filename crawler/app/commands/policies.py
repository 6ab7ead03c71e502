"""``citydigest policies``: the stored policy documents, each with its 文号, issuer, dates and
validity, and the 解读, news reports, 配套细则 and later documents (amending, repealing) around
it, as :mod:`crawler.base.documents` reads them. Text from pages is printed through
:mod:`crawler.app.terminal`."""

from __future__ import annotations

__all__ = ["policies_cmd"]

from datetime import UTC, date, datetime, time

import click
from rich.console import Console
from rich.table import Table

from crawler.app.context import Context, date_option, err, pass_ctx
from crawler.app.terminal import json_text, shown
from crawler.base.documents import DocLink, PolicyDocument


@click.command("policies")
@date_option("--since", "Only documents published (else first stored) on or after this date.")
@click.option(
    "--issuer",
    metavar="TEXT",
    help="Only documents whose issuer or 文号 contains TEXT (e.g. 深圳, 深府办; either script).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--rescan",
    is_flag=True,
    help="First derive again every stored article's document and the documents it names "
    "(articles stored before documents were kept).",
)
@pass_ctx
def policies_cmd(
    ctx: Context, since: date | None, issuer: str | None, fmt: str, rescan: bool
) -> None:
    """List policy documents (one per 文号, however many sites reprint it) with their 解读 and
    reports, and the later documents that amend or repeal them."""
    from crawler.dedup.folding import simplify
    from crawler.store.store import Store
    from crawler.store.write import document_of

    config = ctx.config
    zone = config.settings.zone
    start = datetime.combine(since, time.min, zone).astimezone(UTC) if since else None
    db = ctx.open_db()
    try:
        store = Store(db)
        if rescan:
            carrying = store.redocument(document_of)
            err.print(f"rescanned the stored articles: {carrying} carry a policy document")
        documents = store.policies(since=start, issuer=simplify(issuer) if issuer else None)
    finally:
        db.dispose()
    if fmt == "json":
        for document in documents:
            first_seen = document.first_seen.astimezone(zone).isoformat()
            click.echo(json_text({**document.to_dict(), "first_seen": first_seen}))
        return
    Console().print(_table(documents))


def _table(documents: list[PolicyDocument]) -> Table:
    table = Table(title=f"{len(documents)} policy documents")
    for name in ("文号", "issuer", "dates", "validity", "title", "around it"):
        table.add_column(name, overflow="fold")
    for d in documents:
        dates = " / ".join(x for x in (d.written_date, d.published_date) if x)
        table.add_row(
            shown(d.doc_no),
            shown(d.issuer),
            shown(dates),
            shown(d.status),
            shown(d.title),
            shown(_around(d)),
        )
    return table


def _around(d: PolicyDocument) -> str:
    """``解读 1 · 报道 2 · 废止：深府办规〔2024〕2号``: what the stored articles say of it."""
    parts = [
        f"{label} {len(links)}"
        for label, links in (
            ("转载", d.copies[1:]),
            ("解读", d.interpretations),
            ("报道", d.reports),
            ("配套", d.implementations),
        )
        if links
    ]
    parts += [
        f"{label}：{'、'.join(_name(x) for x in links)}"
        for label, links in (("修订", d.amendments), ("废止", d.repeals))
        if links
    ]
    return " · ".join(parts)


def _name(link: DocLink) -> str:
    return link.doc_no or link.title or link.url
