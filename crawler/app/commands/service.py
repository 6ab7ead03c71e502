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
import logging
from datetime import datetime, tzinfo
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.text import Text

from crawler.app.context import EXIT_CONFIG, EXIT_FAILED, Context, err, pass_ctx
from crawler.app.logs import SERVICE_LOGGER
from crawler.app.terminal import json_text, print_table, shown
from crawler.base.db import masked_url
from crawler.base.models import utcnow

if TYPE_CHECKING:
    from crawler.app.status import StatusReport

announce = logging.getLogger(SERVICE_LOGGER)

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


def _announce(ctx: Context, command: str, engine: str, more: str = "") -> None:
    """The service's startup line, at every verbosity, once its database has answered (a
    service that cannot start says so in one line instead): which build runs on which config
    and database (its password masked), what it will work on and how. The first thing to read
    in a service's log when it does something unexpected."""
    config = ctx.config
    try:
        release = version("citydigest")
    except PackageNotFoundError:  # run from a checkout that was never installed
        release = "unknown"
    database = masked_url(ctx.database_url())
    announce.info(
        "citydigest %s %s: engine %s, config %s, database %s, %d sources, %d subscribers%s",
        release,
        command,
        engine,
        config.dir,
        database,
        len(config.sources),
        len(config.subscribers),
        more,
        extra={
            "version": release,
            "command": command,
            "engine": engine,
            "config_dir": str(config.dir),
            "database": database,
            "sources": len(config.sources),
            "subscribers": len(config.subscribers),
        },
    )


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
    help="Embedded: sources crawled at once (never two of one host) while few are due.",
)
@click.option(
    "--max-concurrency",
    type=click.IntRange(min=1),
    default=64,
    show_default=True,
    help="Embedded: while more sources are due than it may start, the runner doubles its "
    "concurrency up to this and ticks as crawls finish; it drops back once few are due.",
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
    max_concurrency: int,
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
            run_dispatcher(
                runtime,
                url,
                settings=settings,
                grace=grace,
                on_started=lambda: _announce(ctx, "run", engine),
            )
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
        max_concurrency=max(concurrency, max_concurrency),
        tick=tick,
        grace=grace,
        policy=_policy(lease),
        watch=not no_watch,
        on_started=lambda: _announce(ctx, "run", engine, f", concurrency {concurrency}"),
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
        run_worker(
            runtime,
            url,
            settings=settings,
            concurrency=concurrency,
            grace=grace,
            name=name,
            on_started=lambda: _announce(
                ctx, "worker", "procrastinate", f", worker {name}, concurrency {concurrency}"
            ),
        )
    finally:
        runtime.db.dispose()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _status_data(report: StatusReport, chosen: dict[str, Any]) -> dict[str, Any]:
    """``status --format json``: the report as plain values (times ISO 8601 UTC)."""
    lag = report.lag
    return {
        "generated_at": report.generated_at.isoformat(),
        # null until a daemon has scheduled the sources (crawl once only: nothing is late)
        "dispatch_lag_seconds": None if lag is None else round(lag.total_seconds(), 3),
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


def _print_status(out: Console, report: StatusReport, zone: tzinfo, chosen: dict[str, Any]) -> None:
    """The report as tables: rich on a terminal, tab-separated lines when piped."""

    def local(value: datetime | None) -> str:
        return f"{value.astimezone(zone):%Y-%m-%d %H:%M}" if value else "—"

    title = f"{len(report.sources)} sources, {report.failing} failing"
    if report.lag is not None:  # a daemon has scheduled the sources
        title += f", dispatch lag {report.lag.total_seconds():.0f} s"
    if report.queue_depth is not None:
        title += f", queue {report.queue_depth}"
    print_table(
        out,
        title,
        ("source", "last success", "failures", "next check", "24 h", "last error"),
        [
            (
                s.id,
                local(s.last_success_at),
                Text(str(s.consecutive_failures), style="red" if s.failing else ""),
                local(s.next_check_at),
                str(s.articles_24h),
                shown(s.last_error),  # quotes servers' reason phrases
            )
            for s in report.sources
        ],
    )
    if report.subscribers:
        print_table(
            out,
            f"{len(report.subscribers)} subscribers",
            ("subscriber", "last digest", "next digest", "state"),
            [
                (
                    shown(sub.id),
                    local(sub.last_digest_at),
                    local(sub.next_digest_at),
                    _state(sub, chosen, local),
                )
                for sub in report.subscribers
            ],
        )
        _print_preferences(out, report.subscribers, chosen, local)
    if report.deliveries:
        print_table(
            out,
            f"{len(report.deliveries)} digests in doubt (the server may have them): "
            "`citydigest digest resend --unknown` sends the unknown ones again",
            ("subscriber", "period", "state", "since", "attempts", "why"),
            [
                (
                    shown(d.subscriber_id),
                    shown(d.period),
                    shown(d.status),
                    local(d.attempted_at),
                    str(d.attempts),
                    shown(d.error),
                )
                for d in report.deliveries
            ],
        )


@click.command("status")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@pass_ctx
def status_cmd(ctx: Context, fmt: str) -> None:
    """Per source: last success, last error, failures, next check, articles in 24 h; per
    subscriber: last and next digest, unsubscribes; digests whose delivery is in doubt (sending,
    or outcome unknown: see `digest resend`); queue depth (distributed); dispatch lag (once a
    daemon has scheduled the sources). Piped: tab-separated lines, and JSON on one line. Exit 1
    when a source is failing."""
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
    out = Console()
    if fmt == "json":
        # Indented for a reader on a terminal, one line for a program (jq, a log shipper).
        click.echo(json_text(_status_data(report, chosen), indent=2 if out.is_terminal else None))
    else:
        _print_status(out, report, config.settings.zone, chosen)
    if report.failing:
        raise SystemExit(EXIT_FAILED)


def _state(sub: Any, chosen: dict[str, Any], local: Any) -> str:
    """A subscriber's state: unsubscribed (since when), paused on the preferences page, or
    active."""
    if sub.unsubscribed:
        return f"unsubscribed {local(sub.unsubscribed_at)}"
    prefs = chosen.get(sub.id)
    return "paused" if prefs and prefs.paused else "active"


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
    print_table(
        out,
        f"{len(rows)} readers' own choices (win over subscribers.yaml; "
        "`citydigest subscribers reset ID` undoes)",
        ("subscriber", "schedule", "script", "kinds", "places", "themes", "set"),
        [
            (
                shown(subscriber_id),
                _when(prefs) + (" (paused)" if prefs.paused else ""),
                prefs.script,
                ",".join(prefs.kinds),
                "、".join((*prefs.provinces, *prefs.cities)) or "all",
                ",".join(prefs.themes) or "all",
                local(prefs.updated_at),
            )
            for subscriber_id, prefs in rows
        ],
    )


def _when(prefs: Any) -> str:
    """A reader's schedule: ``weekly fri 08:00``, ``daily 08:00 + Monday network``."""
    if prefs.frequency == "weekly":
        return f"weekly {prefs.weekday} {prefs.send_at}"
    network = " + Monday network" if prefs.monday_network else ""
    return f"{prefs.frequency} {prefs.send_at}{network}"


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--no-access-log",
    is_flag=True,
    help="No line per request in the log (a proxy in front may keep its own).",
)
@pass_ctx
def serve_cmd(ctx: Context, host: str, port: int, no_access_log: bool) -> None:
    """Serve /healthz, /metrics, the digest archive, one-click unsubscribe and a status page.

    Logs a line per request (client, request, status, bytes, duration, referer, user agent)
    unless --no-access-log."""
    import uvicorn

    from crawler.app.runners.distributed import queue_depth
    from crawler.app.web import FORWARDED_ALLOW_IPS, create_app

    config = ctx.config
    db = ctx.open_db()
    depth = queue_depth(db)
    _announce(
        ctx,
        "serve",
        "embedded" if depth is None else "procrastinate",
        f", listening on {host}:{port}",
    )
    app = create_app(config, db, queue_depth=lambda: queue_depth(db), access_log=not no_access_log)
    try:
        # X-Forwarded-For is believed from a proxy on loopback only, whatever the environment
        # says: the loopback-only pages judge the client it names (see crawler/app/web.py).
        # uvicorn's own lines (started, listening, stopped) go to citydigest's log, in its
        # format (log_config=None: uvicorn installs no handlers of its own).
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_config=None,
            log_level="debug" if logging.getLogger().isEnabledFor(logging.DEBUG) else "info",
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
