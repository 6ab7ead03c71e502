"""``citydigest serve``: the operator's and the subscriber's web side, as one Starlette app.

- ``/healthz``: 200 when the database answers, 503 when it does not;
- ``/metrics``: Prometheus text, read from the database at each scrape (fetches by status,
  fetch errors, failing sources, articles, stories, digests by status, dispatch lag, queue
  depth), so it is right whichever process did the work;
- the digest archive (``archive.dir``) at the path of ``archive.base_url``;
- ``unsubscribe?token=…`` beside the archive (where :func:`digests.unsubscribe.unsubscribe_url`
  points): GET shows a confirm page, POST (RFC 8058 ``List-Unsubscribe=One-Click``, or the
  confirm page's button) stores the unsubscribe (:func:`digests.subscribers.unsubscribe`); the
  token is checked with :func:`digests.unsubscribe.verify_token`;
- ``preferences?token=…`` beside it: the reader's "manage subscription" page
  (:mod:`crawler.app.manage`);
- ``/``: a read-only status page.

``/metrics`` and the status page answer loopback clients only (403 to others) unless
``serve.public_metrics`` is true; ``/healthz`` answers everyone but names a database error to
loopback only. The client is the one uvicorn saw, or, when the connection comes from a proxy on
loopback (:data:`FORWARDED_ALLOW_IPS`, which ``serve`` passes to uvicorn), the last address its
``X-Forwarded-For`` names: a client that connects directly cannot claim loopback in that header.
A reverse proxy on this host that does not set ``X-Forwarded-For`` makes every request look
local, so behind one the proxy itself must keep ``/metrics`` and ``/`` private.

Every response, error pages included, carries :data:`SECURITY_HEADERS`: a Content-Security-Policy
derived from what the pages use (inline ``<style>`` and the visit graph's inline SVG ``style``
attributes; no script, image, font or frame; forms post to this origin), ``nosniff``,
``frame-ancestors 'none'`` and ``no-referrer`` (unsubscribe URLs carry a token). A redirect
(Starlette's trailing-slash and directory redirects) names the origin of ``archive.base_url``,
never the request's ``Host`` header, which the client chooses.

A database that goes away while ``serve`` runs is not a server error: the pages that read it
(the status page, ``/metrics``, the unsubscribe POST; ``/healthz`` says so itself) answer 503
with one short plain line, naming no host or user, and ``serve`` logs one line per failed request
(its traceback only with debug logging, ``-vv``); the archive, plain files, is still served. The
engine's pool replaces the lost connections at the next request, so the pages come back by
themselves when the database does: nothing to restart.

Every request is logged in one line when its response is complete (:class:`_AccessLog`: client,
request line without its query, status, bytes, duration, referer, agent; structured fields with
``--log-format json``), unless ``serve --no-access-log``.

The app owns no global state: :func:`create_app` takes the config and an open database.
"""

from __future__ import annotations

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "FORWARDED_ALLOW_IPS",
    "SECURITY_HEADERS",
    "create_app",
    "is_loopback",
    "metrics_text",
]

import ipaddress
import logging
import os
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from jinja2 import DictLoader, Environment, StrictUndefined, select_autoescape
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crawler.app.logs import ACCESS_LOGGER
from crawler.app.manage import preferences_endpoint
from crawler.app.status import StatusReport, dispatch_lag, status_report
from crawler.base.config import Config
from crawler.base.db import Database
from crawler.base.errors import CitydigestError, DatabaseUnavailable
from crawler.base.models import Article, Delivery, SourceState, Story, SubscriberState
from crawler.store.store import Store
from digests.subscribers import load_preferences, unsubscribe
from digests.unsubscribe import InvalidToken, verify_token

log = logging.getLogger("citydigest.web")
access = logging.getLogger(ACCESS_LOGGER)

PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8"
UNAVAILABLE_TEXT = "503 Service Unavailable: the database cannot be reached; try again later"
RETRY_AFTER = "30"  # seconds: a client (a mail provider's one-click POST) may try again then

# What the pages need, no more: the archive (digests/templates) and the pages below style
# themselves with inline <style> and the visit graph's SVG with style="" attributes, hence
# 'unsafe-inline' for styles only; no script, font, frame or remote image anywhere; the
# unsubscribe form posts back to this origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers without CSP 2
    "Referrer-Policy": "no-referrer",  # unsubscribe URLs carry a token
}
# Whose X-Forwarded-For ``serve`` believes: a proxy on this host only (not uvicorn's
# $FORWARDED_ALLOW_IPS, which an environment could widen to "*", letting anyone claim loopback).
FORWARDED_ALLOW_IPS = ["127.0.0.1", "::1"]

_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{% block title %}{% endblock %} · citydigest</title>
<style>
body{font-family:-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;
margin:0 auto;padding:1rem;max-width:60rem;line-height:1.5;color:#1d1d1f;background:#fff}
@media (prefers-color-scheme: dark){body{color:#e8e8e8;background:#141414}
a{color:#8ab4f8}th{background:#222!important}}
.wrap{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #8884;vertical-align:top}
th{background:#f3f3f3}td.err{color:#c62828;word-break:break-word}.ok{color:#2e7d32}
button{font-size:1rem;padding:.6rem 1.2rem;border-radius:.4rem;border:0;background:#c62828;
color:#fff;cursor:pointer}
</style></head>
<body>{% block body %}{% endblock %}</body></html>
"""

_STATUS = """{% extends "page" %}{% block title %}状态 status{% endblock %}{% block body %}
<h1>citydigest 状态</h1>
<p>Generated {{ when(report.generated_at) }} ·
{{ report.sources|length }} sources, {{ report.failing }} failing ·
{% if report.lag is not none %}dispatch lag {{ report.lag.total_seconds()|round(1) }} s{% endif %}
{% if report.queue_depth is not none %}· queue {{ report.queue_depth }}{% endif %}</p>
<h2>Sources</h2>
<div class="wrap"><table id="sources">
<tr><th>source</th><th>last success</th><th>failures</th><th>next check</th>
<th>24 h</th><th>last error</th></tr>
{% for s in report.sources %}<tr class="{{ 'failing' if s.failing else 'healthy' }}">
<td>{{ s.id }}<br><small>{{ s.name }}</small></td><td>{{ when(s.last_success_at) }}</td>
<td>{{ s.consecutive_failures }}</td><td>{{ when(s.next_check_at) }}</td>
<td>{{ s.articles_24h }}</td><td class="err">{{ s.last_error or "" }}</td></tr>
{% endfor %}</table></div>
<h2>Subscribers</h2>
<div class="wrap"><table id="subscribers">
<tr><th>subscriber</th><th>last digest</th><th>next digest</th><th>state</th>
<th>reader's choices</th></tr>
{% for s in report.subscribers %}{% set p = chosen.get(s.id) %}<tr>
<td>{{ s.id }}</td><td>{{ when(s.last_digest_at) }}</td><td>{{ when(s.next_digest_at) }}</td>
<td>{% if s.unsubscribed %}unsubscribed {{ when(s.unsubscribed_at) }}{% elif p and p.paused %}
paused{% else %}<span class="ok">active</span>{% endif %}</td>
<td class="prefs">{% if p %}
{{ p.frequency }}{% if p.frequency == "weekly" %} {{ p.weekday }}{% endif %}
{{ p.send_at }}{% if p.frequency == "daily" and p.monday_network %} + Monday network
{%- endif %} · {{ p.script }} · {{ p.kinds|join(",") }} ·
{{ (p.provinces + p.cities)|join("、") or "all places" }} · {{ p.themes|join(",") or "all themes" }}
<br><small>set {{ when(p.updated_at) }}</small>{% else %}subscribers.yaml{% endif %}</td></tr>
{% endfor %}</table></div>
{% if report.deliveries %}<h2>Digests in doubt</h2>
<p>The server may have these: <code>citydigest digest resend --unknown</code> sends the
unknown ones again.</p>
<div class="wrap"><table id="deliveries">
<tr><th>subscriber</th><th>period</th><th>state</th><th>since</th><th>why</th></tr>
{% for d in report.deliveries %}<tr><td>{{ d.subscriber_id }}</td><td>{{ d.period }}</td>
<td>{{ d.status }}</td><td>{{ when(d.attempted_at) }}</td><td class="err">{{ d.error or "" }}</td>
</tr>{% endfor %}</table></div>{% endif %}
{% endblock %}"""

_CONFIRM = """{% extends "page" %}{% block title %}退订 unsubscribe{% endblock %}
{% block body %}<h1>退订 Unsubscribe</h1>
<p>停止向 <strong>{{ subscriber }}</strong> 发送每日摘要？<br>
Stop sending the digest to <strong>{{ subscriber }}</strong>?</p>
<form method="post" action="{{ action }}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit" id="confirm">确认退订 · Unsubscribe</button></form>
{% endblock %}"""

_DONE = """{% extends "page" %}{% block title %}已退订 unsubscribed{% endblock %}
{% block body %}<h1 id="done">已退订 Unsubscribed</h1>
<p><strong>{{ subscriber }}</strong> 将不再收到摘要。 No further digests will be sent.</p>
{% endblock %}"""

_INVALID = """{% extends "page" %}{% block title %}无效链接 invalid link{% endblock %}
{% block body %}<h1>无效的退订链接 · Invalid unsubscribe link</h1><p>{{ reason }}</p>
{% endblock %}"""


def _environment() -> Environment:
    return Environment(
        loader=DictLoader(
            {
                "page": _PAGE,
                "status": _STATUS,
                "confirm": _CONFIRM,
                "done": _DONE,
                "invalid": _INVALID,
            }
        ),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
    )


# --------------------------------------------------------------------------- metrics


class _DatabaseCollector(Collector):
    """Reads the figures from the database at each scrape."""

    def __init__(self, config: Config, db: Database, queue_depth: Callable[[], int | None]):
        self.config = config
        self.db = db
        self.queue_depth = queue_depth

    def collect(self) -> Iterator[Metric]:
        fetches, fetch_errors = Store(self.db).fetch_counts()
        with self.db.session() as session:
            failing = session.scalar(
                select(func.count())
                .select_from(SourceState)
                .where(SourceState.consecutive_failures > 0)
            )
            articles = session.scalar(select(func.count()).select_from(Article))
            stories = session.scalar(select(func.count()).select_from(Story))
            digests = session.execute(
                select(Delivery.status, func.count()).group_by(Delivery.status)
            ).all()
            unsubscribed = session.scalar(
                select(func.count())
                .select_from(SubscriberState)
                .where(SubscriberState.unsubscribed.is_(True))
            )
        by_status = CounterMetricFamily(
            "citydigest_fetches", "HTTP fetches by response status", labels=["status"]
        )
        for code, count in sorted(fetches.items(), key=lambda item: item[0] or 0):
            by_status.add_metric([str(code) if code is not None else "none"], count)
        yield by_status
        yield CounterMetricFamily(
            "citydigest_fetch_errors", "Fetches that ended in an error", value=fetch_errors
        )
        yield GaugeMetricFamily(
            "citydigest_sources_failing", "Sources whose last check failed", value=failing or 0
        )
        yield GaugeMetricFamily(
            "citydigest_sources", "Configured sources", value=len(self.config.sources)
        )
        yield GaugeMetricFamily("citydigest_articles", "Articles stored", value=articles or 0)
        yield GaugeMetricFamily("citydigest_stories", "Stories stored", value=stories or 0)
        by_delivery = CounterMetricFamily(
            "citydigest_digests", "Digest deliveries by status", labels=["status"]
        )
        counts = {str(state): int(count) for state, count in digests}
        for state in sorted({"sent", "failed", "pending", "sending", "unknown"} | set(counts)):
            by_delivery.add_metric([state], counts.get(state, 0))
        yield by_delivery
        yield GaugeMetricFamily(
            "citydigest_subscribers_unsubscribed",
            "Subscribers who unsubscribed",
            value=unsubscribed or 0,
        )
        yield GaugeMetricFamily(
            "citydigest_dispatch_lag_seconds",
            "How late the most overdue source check is",
            value=dispatch_lag(self.config, self.db).total_seconds(),
        )
        depth = self.queue_depth()
        if depth is not None:
            yield GaugeMetricFamily(
                "citydigest_queue_depth", "Jobs waiting or running (distributed)", value=depth
            )


def metrics_text(
    config: Config, db: Database, queue_depth: Callable[[], int | None] | None = None
) -> bytes:
    """The Prometheus exposition of the database's figures."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_DatabaseCollector(config, db, queue_depth or (lambda: None)))
    return generate_latest(registry)


# --------------------------------------------------------------------------- middleware


def is_loopback(scope: Scope) -> bool:
    """Whether the request's client (after uvicorn's proxy-header handling) is this host."""
    client = scope.get("client")
    if not client:
        return False
    try:
        address = ipaddress.ip_address(str(client[0]).split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 from a dual-stack socket
    return address.is_loopback


class _LoopbackOnly:
    """Route middleware: 403 unless the client is on loopback (``serve.public_metrics``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not is_loopback(scope):
            response = PlainTextResponse(
                "403 Forbidden: served to loopback clients only (serve.public_metrics)", 403
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class _SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every response, and points every redirect at
    ``origin`` (the configured archive's scheme and host) instead of the ``Host`` header that
    Starlette's slash and directory redirects are built from."""

    def __init__(self, app: ASGIApp, origin: str) -> None:
        self.app = app
        self.origin = origin

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                location = headers.get("location")
                if location is not None and 300 <= message["status"] < 400:
                    headers["location"] = self.canonical(location, scope)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def canonical(self, location: str, scope: Scope) -> str:
        """``location``'s path, query and fragment under the configured origin."""
        here = scope.get("root_path", "") + scope.get("path", "/")
        target = urlsplit(urljoin(here, location))
        path = target.path if target.path.startswith("/") else "/" + target.path
        query = f"?{target.query}" if target.query else ""
        fragment = f"#{target.fragment}" if target.fragment else ""
        return f"{self.origin}{path}{query}{fragment}"


class _AccessLog:
    """One log line per request, when its response is complete, in the combined style of web
    servers less the timestamp (the log line has one): client, request line, status, body bytes
    (``-`` for none), duration, referer and user agent::

        127.0.0.1 "GET /archive/ HTTP/1.1" 200 1534 3.2ms "-" "curl/8.5.0"

    The same values are the record's extras (``client``, ``method``, ``path``, ``status``,
    ``bytes``, ``duration_ms``, ``referer``, ``user_agent``) for ``--log-format json``. The query
    string is left out: an unsubscribe link's carries the subscriber's token. What the client
    sent (path, referer, agent) is quoted with its quotes, backslashes and controls escaped, so
    no request can forge a log line. A request that raises is logged as 500 before Starlette
    answers it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        sent = {"status": 500, "bytes": 0}

        async def counting(message: Message) -> None:
            if message["type"] == "http.response.start":
                sent["status"] = message["status"]
            elif message["type"] == "http.response.body":
                sent["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, counting)
        finally:
            _log_access(scope, sent["status"], sent["bytes"], time.perf_counter() - started)


def _quoted(value: str) -> str:
    """``value`` for a quoted field of the access log: controls, backslashes, non-ASCII and
    quotes escaped, so a client's header can neither end the field nor start a new line."""
    return value.encode("unicode_escape").decode("ascii").replace('"', '\\"')


def _log_access(scope: Scope, status: int, size: int, seconds: float) -> None:
    client = scope.get("client")
    headers = dict(scope.get("headers") or [])
    values = {
        "client": str(client[0]) if client else "-",
        "method": str(scope.get("method", "")),
        "path": (scope.get("raw_path") or scope.get("path", "").encode()).decode("latin-1"),
        "http_version": str(scope.get("http_version", "1.1")),
        "status": status,
        "bytes": size,
        "duration_ms": round(seconds * 1000, 1),
        "referer": headers.get(b"referer", b"-").decode("latin-1"),
        "user_agent": headers.get(b"user-agent", b"-").decode("latin-1"),
    }
    access.info(
        '%s "%s %s HTTP/%s" %d %s %.1fms "%s" "%s"',
        values["client"],
        _quoted(values["method"]),
        _quoted(values["path"]),
        _quoted(values["http_version"]),
        status,
        size or "-",
        values["duration_ms"],
        _quoted(values["referer"]),
        _quoted(values["user_agent"]),
        extra=values,
    )


def _database_unavailable(request: Request, exc: Exception) -> Response:
    # The URL and the driver's line name hosts and users: the log has them, the client does not.
    log.error(
        "%s %s: 503: %s",
        request.method,
        request.url.path,
        exc,
        exc_info=exc if log.isEnabledFor(logging.DEBUG) else None,
    )
    return PlainTextResponse(UNAVAILABLE_TEXT, 503, headers={"Retry-After": RETRY_AFTER})


def _server_error(_request: Request, _exc: Exception) -> Response:
    # Starlette answers an unhandled exception outside the app's middleware: name the headers.
    return PlainTextResponse("Internal Server Error", 500, headers=SECURITY_HEADERS)


# --------------------------------------------------------------------------- the app


EMPTY_ARCHIVE = """<!doctype html>
<html lang="zh-Hans"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>citydigest 归档 · archive</title>
<style>body{font:16px/1.6 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;
color:#222}h1{font-size:1.4rem;color:#b3261e}code{background:#f3f3f3;padding:0 .2em}</style>
</head><body>
<h1>归档还没有内容</h1>
<p>第一期摘要生成后，这里会列出每一期。摘要由服务按订阅者的发送时间生成，也可以手动运行
<code>citydigest digest build</code>。</p>
<p lang="en">No digest has been archived yet. The archive fills when the first digest is built:
by the service at a subscriber's send time, or now with <code>citydigest digest build</code>.</p>
</body></html>
"""


class _Archive(StaticFiles):
    """The archive's files; before the first digest (no folder, or no ``index.html`` yet) its
    index is a friendly page that says why it is empty, not a 500 or a bare 404."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory=directory, html=True, check_dir=False)
        self.folder = directory

    async def check_config(self) -> None:
        if self.folder.is_dir():
            await super().check_config()

    async def get_response(self, path: str, scope: Scope) -> Response:
        if path in ("", ".", "index.html") and not (self.folder / "index.html").is_file():
            return HTMLResponse(EMPTY_ARCHIVE)
        if not self.folder.is_dir():
            return PlainTextResponse("Not Found", 404)
        return await super().get_response(path, scope)


def _archive_prefix(base_url: str) -> str:
    """The path the archive is served under: the path of ``archive.base_url``."""
    path = urlsplit(base_url).path.rstrip("/")
    return path


def create_app(
    config: Config,
    db: Database,
    *,
    queue_depth: Callable[[], int | None] | None = None,
    secret: str | None = None,
    access_log: bool = True,
) -> Starlette:
    """The web app over ``db``; ``secret`` defaults to the variable ``unsubscribe_secret_env``
    names (without one, unsubscribe links are refused with 503); ``access_log``: a line per
    request (:class:`_AccessLog`)."""
    env = _environment()
    depth = queue_depth or (lambda: None)
    secret = secret or os.environ.get(config.settings.unsubscribe_secret_env)
    known = {s.id for s in config.subscribers}
    public = config.settings.serve.public_metrics

    def page(name: str, status: int = 200, **context: object) -> HTMLResponse:
        return HTMLResponse(env.get_template(name).render(**context), status_code=status)

    def when(value: datetime | None) -> str:
        if value is None:
            return "—"
        return f"{value.astimezone(config.settings.zone):%Y-%m-%d %H:%M}"

    async def healthz(request: Request) -> Response:
        try:
            with db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except (SQLAlchemyError, CitydigestError) as exc:  # DatabaseUnavailable, the driver's
            body = {"status": "error"}
            if public or is_loopback(request.scope):  # the error names hosts and users
                body["database"] = str(exc)[:200]
            return JSONResponse(body, 503)
        return JSONResponse({"status": "ok"})

    async def metrics(_request: Request) -> Response:
        return Response(metrics_text(config, db, depth), media_type=PROMETHEUS_TYPE)

    async def status_page(_request: Request) -> Response:
        report: StatusReport = status_report(config, db, queue_depth=depth())
        chosen = load_preferences(db)  # the readers' own (preferences page)
        return page("status", report=report, when=when, chosen=chosen)

    def check(request: Request) -> str | HTMLResponse:
        if not secret:
            return page(
                "invalid",
                503,
                reason=f"unsubscribe is not configured: "
                f"${config.settings.unsubscribe_secret_env} is not set",
            )
        try:
            subscriber_id = verify_token(secret, request.query_params.get("token", ""))
        except InvalidToken as exc:
            return page("invalid", 400, reason=str(exc))
        if subscriber_id not in known:
            return page("invalid", 404, reason=f"no subscriber {subscriber_id!r}")
        return subscriber_id

    async def unsubscribe_endpoint(request: Request) -> Response:
        checked = check(request)
        if isinstance(checked, HTMLResponse):
            return checked
        if request.method == "GET":
            action = f"{request.url.path}?{request.url.query}"  # relative: right behind proxies
            return page("confirm", subscriber=checked, action=action)
        form = await request.form()
        if form.get("List-Unsubscribe") != "One-Click":
            return PlainTextResponse("expected List-Unsubscribe=One-Click", 400)
        unsubscribe(db, checked)
        return page("done", subscriber=checked)

    base = urlsplit(config.settings.archive.base_url)
    origin = f"{base.scheme}://{base.netloc.rpartition('@')[2]}"  # no user:password@
    preferences = preferences_endpoint(
        config,
        db,
        secret=secret,
        origin=origin,
        invalid=lambda status, reason: page("invalid", status, reason=reason),
    )
    prefix = _archive_prefix(config.settings.archive.base_url)
    private = [] if public else [Middleware(_LoopbackOnly)]
    routes: list[BaseRoute] = [
        Route("/", status_page, middleware=private),
        Route("/healthz", healthz),
        Route("/metrics", metrics, middleware=private),
    ]
    for root in dict.fromkeys(("", prefix)):  # beside the archive, and at the root
        routes.append(Route(f"{root}/unsubscribe", unsubscribe_endpoint, methods=["GET", "POST"]))
        routes.append(Route(f"{root}/preferences", preferences, methods=["GET", "POST"]))
    archive = Path(config.settings.archive.dir)
    if not archive.is_absolute():
        archive = (Path.cwd() / archive).resolve()
    routes.append(Mount(prefix or "/archive", _Archive(archive)))
    if not prefix:
        routes.append(Mount("/", _Archive(archive)))
    logged = [Middleware(_AccessLog)] if access_log else []
    return Starlette(
        routes=routes,
        middleware=[*logged, Middleware(_SecurityHeaders, origin=origin)],
        exception_handlers={500: _server_error, DatabaseUnavailable: _database_unavailable},
    )
