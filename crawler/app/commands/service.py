"""The service commands: ``run`` (embedded, or dispatching to procrastinate), ``worker``,
``status``, ``serve`` and ``subscribers resubscribe|reset``: what keeps running, or looks at the
running service's state, rather than doing one piece of work now. Thin, like every command:
parse, load config, call one runner, map errors to exit codes (0 success, 1 failure, 2 bad config
or usage).
"""

from __future__ import annotations

__all__ = ["run_cmd", "serve_cmd", "status_cmd", "subscribers_group", "worker_cmd"]

import asyncio
import dataclasses
from datetime import datetime
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from crawler.app.context import EXIT_CONFIG, EXIT_FAILED, Context, err, pass_ctx
from crawler.app.terminal import json_text, shown
from crawler.base.models import utcnow

_timing = [
    click.option(
        "--dispatch-every",
        type=click.IntRange(1, 59),
        default=10,
        show_default=True,
        help="Procrastinate: seconds between dispatch ticks.",
    ),
    click.option(
        "--heartbeat",
        type=click.FloatRange(min=0.1),
        default=10.0,
        show_default=True,
        help="Procrastinate: worker heartbeat interval (s).",
    ),
    click.option(
        "--stalled-after",
        type=click.FloatRange(min=0.2),
        default=30.0,
        show_default=True,
        help="Procrastinate: retry a worker's jobs after this long without a heartbeat (s).",
    ),
    click.option(
        "--lease",
        type=click.FloatRange(min=1),
        default=60.0,
        show_default=True,
        help="Seconds a claimed crawl is held without a heartbeat from the process crawling it "
        "(renewed every third): a crawl whose process died is due again this long after.",
    ),
]


def _timing_options(f: Any) -> Any:
    for option in reversed(_timing):
        f = option(f)
    return f


def _worker_settings(dispatch_every: int, heartbeat: float, stalled_after: float) -> Any:
    from crawler.app.runners.distributed import WorkerSettings

    try:
        return WorkerSettings(
            dispatch_every=dispatch_every,
            heartbeat=heartbeat,
            stalled_after=stalled_after,
            retry_stalled_every=max(1, min(59, int(stalled_after // 2) or 1)),
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def _policy(lease: float) -> Any:
    from datetime import timedelta

    from crawler.app.cadence import PollPolicy

    return PollPolicy(lease=timedelta(seconds=lease))


def _runtime(ctx: Context, lease: float) -> tuple[Any, str]:
    from crawler.app.runners.distributed import conninfo
    from crawler.app.runtime import Runtime

    url = ctx.database_url()
    try:
        conninfo(url)
    except ValueError as exc:
        err.print(f"citydigest: {exc}")
        raise SystemExit(EXIT_CONFIG) from None
    return Runtime(ctx.config, ctx.open_db(), _policy(lease)), url


@click.command("run")
@click.option(
    "--engine",
    type=click.Choice(["embedded", "procrastinate"]),
    default="embedded",
    show_default=True,
    help="embedded: crawl and send in this process (SQLite or PostgreSQL); procrastinate: "
    "dispatch jobs to `citydigest worker` processes (PostgreSQL).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=8,
    show_default=True,
    help="Embedded: sources crawled at once (never two of one host).",
)
@click.option(
    "--tick",
    type=click.FloatRange(min=0.1),
    default=5.0,
    show_default=True,
    help="Embedded: seconds between dispatch ticks.",
)
@click.option(
    "--grace",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="Seconds to let in-flight work finish after SIGTERM before abandoning it.",
)
@click.option("--no-watch", is_flag=True, help="Reload the config on SIGHUP only.")
@_timing_options
@pass_ctx
def run_cmd(
    ctx: Context,
    engine: str,
    concurrency: int,
    tick: float,
    grace: float,
    no_watch: bool,
    dispatch_every: int,
    heartbeat: float,
    stalled_after: float,
    lease: float,
) -> None:
    """Run as a service: check each source on its schedule, send each digest at its time.

    SIGTERM/SIGINT finish in-flight work and exit 0 (a second one exits at once); SIGHUP or an
    edited config file reloads the config once it validates.
    """
    if engine == "procrastinate":
        from crawler.app.runners.distributed import run_dispatcher

        runtime, url = _runtime(ctx, lease)
        settings = _worker_settings(dispatch_every, heartbeat, stalled_after)
        try:
            run_dispatcher(runtime, url, settings=settings, grace=grace)
        finally:
            runtime.db.dispose()
        return
    from crawler.app.runners.embedded import Daemon

    config = ctx.config
    db = ctx.open_db()
    daemon = Daemon(
        config,
        db,
        concurrency=concurrency,
        tick=tick,
        grace=grace,
        policy=_policy(lease),
        watch=not no_watch,
    )
    try:
        status = asyncio.run(daemon.run())
    finally:
        db.dispose()
    raise SystemExit(status)


@click.command("worker")
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=8,
    show_default=True,
    help="Jobs run at once by this worker.",
)
@click.option(
    "--grace",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="Seconds to let running jobs finish after SIGTERM.",
)
@click.option("--name", default="citydigest-worker", show_default=True, help="Worker name.")
@_timing_options
@pass_ctx
def worker_cmd(
    ctx: Context,
    concurrency: int,
    grace: float,
    name: str,
    dispatch_every: int,
    heartbeat: float,
    stalled_after: float,
    lease: float,
) -> None:
    """Work on crawl and digest jobs from the PostgreSQL queue (with `run --engine
    procrastinate` dispatching). Run as many as needed, on any machines."""
    from crawler.app.runners.distributed import run_worker

    runtime, url = _runtime(ctx, lease)
    settings = _worker_settings(dispatch_every, heartbeat, stalled_after)
    try:
        run_worker(runtime, url, settings=settings, concurrency=concurrency, grace=grace, name=name)
    finally:
        runtime.db.dispose()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@click.command("status")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@pass_ctx
def status_cmd(ctx: Context, fmt: str) -> None:
    """Per source: last success, last error, failures, next check, articles in 24 h; per
    subscriber: last and next digest, unsubscribes; digests whose delivery is in doubt (sending,
    or outcome unknown: see `digest resend`); queue depth (distributed). Exit 1 when a source is
    failing."""
    from crawler.app.runners.distributed import queue_depth
    from crawler.app.status import status_report
    from digests.subscribers import load_preferences

    config = ctx.config
    db = ctx.open_db()
    try:
        report = status_report(config, db, queue_depth=queue_depth(db))
        chosen = load_preferences(db)  # the readers' own choices (preferences page)
    finally:
        db.dispose()
    if fmt == "json":
        data = {
            "generated_at": report.generated_at.isoformat(),
            "dispatch_lag_seconds": round(report.lag.total_seconds(), 3),
            "queue_depth": report.queue_depth,
            "sources": [
                {
                    "id": s.id,
                    "name": s.name,
                    "last_success_at": _iso(s.last_success_at),
                    "last_error": s.last_error,
                    "last_error_at": _iso(s.last_error_at),
                    "consecutive_failures": s.consecutive_failures,
                    "failing": s.failing,
                    "next_check_at": _iso(s.next_check_at),
                    "articles_24h": s.articles_24h,
                }
                for s in report.sources
            ],
            "subscribers": [
                {
                    "id": s.id,
                    "email": s.email,
                    "last_digest_at": _iso(s.last_digest_at),
                    "next_digest_at": _iso(s.next_digest_at),
                    "unsubscribed": s.unsubscribed,
                    "unsubscribed_at": _iso(s.unsubscribed_at),
                    "paused": bool(s.id in chosen and chosen[s.id].paused),
                    "preferences": _preferences_json(chosen.get(s.id)),
                }
                for s in report.subscribers
            ],
            "deliveries_in_doubt": [
                {
                    "subscriber": d.subscriber_id,
                    "period": d.period,
                    "status": d.status,
                    "attempted_at": _iso(d.attempted_at),
                    "attempts": d.attempts,
                    "error": d.error,
                }
                for d in report.deliveries
            ],
        }
        click.echo(json_text(data, indent=2))
    else:
        zone = config.settings.zone

        def local(value: datetime | None) -> str:
            return f"{value.astimezone(zone):%Y-%m-%d %H:%M}" if value else "—"

        out = Console()
        sources = Table(
            title=f"{len(report.sources)} sources, {report.failing} failing, "
            f"dispatch lag {report.lag.total_seconds():.0f} s"
            + (f", queue {report.queue_depth}" if report.queue_depth is not None else "")
        )
        for name in ("source", "last success", "failures", "next check", "24 h", "last error"):
            sources.add_column(name, overflow="fold")
        for s in report.sources:
            sources.add_row(
                s.id,
                local(s.last_success_at),
                f"[red]{s.consecutive_failures}[/]" if s.failing else "0",
                local(s.next_check_at),
                str(s.articles_24h),
                shown(s.last_error),  # quotes servers' reason phrases
            )
        out.print(sources)
        if report.subscribers:
            subs = Table(title=f"{len(report.subscribers)} subscribers")
            for name in ("subscriber", "last digest", "next digest", "state"):
                subs.add_column(name)
            for sub in report.subscribers:
                prefs = chosen.get(sub.id)
                state = "paused" if prefs and prefs.paused else "active"
                if sub.unsubscribed:
                    state = f"unsubscribed {local(sub.unsubscribed_at)}"
                subs.add_row(
                    shown(sub.id), local(sub.last_digest_at), local(sub.next_digest_at), state
                )
            out.print(subs)
            _print_preferences(out, report.subscribers, chosen, local)
        if report.deliveries:
            doubt = Table(
                title=f"{len(report.deliveries)} digests in doubt (the server may have them): "
                "`citydigest digest resend --unknown` sends the unknown ones again"
            )
            for name in ("subscriber", "period", "state", "since", "attempts", "why"):
                doubt.add_column(name, overflow="fold")
            for d in report.deliveries:
                doubt.add_row(
                    shown(d.subscriber_id),
                    shown(d.period),
                    shown(d.status),
                    local(d.attempted_at),
                    str(d.attempts),
                    shown(d.error),
                )
            out.print(doubt)
    if report.failing:
        raise SystemExit(EXIT_FAILED)


def _preferences_json(prefs: Any) -> dict[str, Any] | None:
    """A reader's stored choices for ``status --format json`` (None: subscribers.yaml's)."""
    if prefs is None:
        return None
    data = dataclasses.asdict(prefs)
    data["updated_at"] = _iso(prefs.updated_at)
    return data


def _print_preferences(out: Console, subscribers: Any, chosen: Any, local: Any) -> None:
    """The readers' own choices (preferences page), which win over subscribers.yaml: one row
    per subscriber who saved some; nothing when nobody did."""
    rows = [(s.id, chosen[s.id]) for s in subscribers if s.id in chosen]
    if not rows:
        return
    table = Table(
        title=f"{len(rows)} readers' own choices (win over subscribers.yaml; "
        "`citydigest subscribers reset ID` undoes)"
    )
    for name in ("subscriber", "schedule", "script", "kinds", "places", "themes", "set"):
        table.add_column(name, overflow="fold")
    for subscriber_id, prefs in rows:
        when = prefs.frequency + (f" {prefs.weekday}" if prefs.frequency == "weekly" else "")
        table.add_row(
            shown(subscriber_id),
            f"{when} {prefs.send_at}" + (" (paused)" if prefs.paused else ""),
            prefs.script,
            ",".join(prefs.kinds),
            Text("、".join((*prefs.provinces, *prefs.cities)) or "all"),
            Text(",".join(prefs.themes) or "all"),
            local(prefs.updated_at),
        )
    out.print(table)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@pass_ctx
def serve_cmd(ctx: Context, host: str, port: int) -> None:
    """Serve /healthz, /metrics, the digest archive, one-click unsubscribe and a status page."""
    import uvicorn

    from crawler.app.runners.distributed import queue_depth
    from crawler.app.web import FORWARDED_ALLOW_IPS, create_app

    config = ctx.config
    db = ctx.open_db()
    app = create_app(config, db, queue_depth=lambda: queue_depth(db))
    try:
        # X-Forwarded-For is believed from a proxy on loopback only, whatever the environment
        # says: the loopback-only pages judge the client it names (see crawler/app/web.py).
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level="info",
            access_log=False,
            proxy_headers=True,
            forwarded_allow_ips=FORWARDED_ALLOW_IPS,
        )
    finally:
        db.dispose()


@click.group("subscribers")
def subscribers_group() -> None:
    """Subscribers' state in the database."""


@subscribers_group.command("resubscribe")
@click.argument("subscriber_id", metavar="ID")
@pass_ctx
def resubscribe_cmd(ctx: Context, subscriber_id: str) -> None:
    """Undo a stored unsubscribe: ID gets digests again (the operator's explicit choice)."""
    config = ctx.config
    if subscriber_id not in {s.id for s in config.subscribers}:
        raise click.BadParameter(
            f"no subscriber {subscriber_id!r} in subscribers.yaml", param_hint="ID"
        )
    # From the next slot on: no burst of a digest that fell due while unsubscribed.
    from crawler.app.cadence import next_digest_at  # the scheduler's imports, only here
    from digests.subscribers import resubscribe, with_preferences

    db = ctx.open_db()
    try:
        (subscriber,) = with_preferences(
            db, [s for s in config.subscribers if s.id == subscriber_id]
        )
        done = resubscribe(
            db,
            subscriber_id,
            next_digest_at=next_digest_at(subscriber, config.settings.timezone, utcnow()),
        )
    finally:
        db.dispose()
    if done is None:
        click.echo(f"{subscriber_id} is subscribed already")
        return
    when = done.unsubscribed_at
    click.echo(
        f"{subscriber_id} re-subscribed (had unsubscribed {_iso(when) or 'at an unknown time'})"
    )


@subscribers_group.command("reset")
@click.argument("who", metavar="ID|EMAIL")
@pass_ctx
def reset_cmd(ctx: Context, who: str) -> None:
    """Forget what the reader chose on their preferences page (and a pause): subscribers.yaml
    holds again, from its next slot. A stored unsubscribe stays (see `resubscribe`)."""
    config = ctx.config
    matches = [s for s in config.subscribers if who in (s.id, s.email)]
    if len(matches) != 1:
        problem = "no subscriber" if not matches else "more than one subscriber has"
        raise click.BadParameter(
            f"{problem} id or e-mail {who!r} in subscribers.yaml", param_hint="ID|EMAIL"
        )
    (subscriber,) = matches
    from crawler.app.cadence import next_digest_at  # the scheduler's imports, only here
    from digests.subscribers import reset_preferences

    db = ctx.open_db()
    try:
        gone = reset_preferences(
            db,
            subscriber.id,
            next_digest_at=next_digest_at(subscriber, config.settings.timezone, utcnow()),
        )
    finally:
        db.dispose()
    if gone is None:
        click.echo(f"{subscriber.id} has no stored preferences: subscribers.yaml holds already")
        return
    paused = " (it was paused)" if gone.paused else ""
    click.echo(
        f"{subscriber.id}: preferences of {_iso(gone.updated_at) or 'an unknown time'} "
        f"forgotten{paused}; subscribers.yaml holds again"
    )
