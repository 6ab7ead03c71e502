"""The distributed runner: procrastinate 3.x on the PostgreSQL database citydigest uses.

``citydigest run --engine procrastinate`` is the dispatcher and ``citydigest worker`` does the
work; any number of each may run, on any machines. The same schedule tables, the same runtime
(config reload, host index: :class:`~crawler.app.runtime.Runtime`) and the same crawl and digest
jobs (:mod:`crawler.app.jobs`) as the embedded runner are used:

- ``dispatch`` is a periodic task (every ``dispatch_every`` seconds); procrastinate defers it
  once per period however many processes run its periodic deferrer. It claims due sources,
  with them the sources of their hosts due within their jitter (so that a host's sources go in
  one job a round, not one each as they fall due: :meth:`~crawler.app.schedule.Schedule.
  claim_sources`), and subscribers (leased rows, ``FOR UPDATE SKIP LOCKED``), groups the
  sources into host batches (:func:`host_batches`: sources joined by a shared host, however
  indirectly) and defers one crawl job per batch (all in one statement,
  :func:`_defer_crawls`), so that a pass's costs (lease, fetch-log and cache reads, the job's
  queue round trips) are paid once per host;
- a crawl job holds every host its batch touches (feed, list pages, sitemap), so one host is
  crawled by one job at a time across the cluster. A procrastinate job takes one lock string,
  which cannot exclude overlapping host sets (``{a, b}`` and ``{b}``), so the exclusion is
  PostgreSQL's: the job takes a session advisory lock per host (:class:`HostLocks`,
  ``pg_try_advisory_lock`` on the worker's one lock connection, released when it ends or its
  worker dies) and, if a host is held by another crawl, hands its sources back due a dispatch
  period later. The job is retried when it fails with an error (``crawl_attempts``); one
  aborted by a shutdown past its grace is not: it hands its unfinished sources back due at
  once, for the next dispatch. Sources this worker's config lacks are handed back for the
  next dispatch too. ``lock="host:<first host>"`` stays on the job as well: it keeps a host's
  next batch waiting in the queue rather than on a worker, and the dispatch leaves the due
  sources of a host whose job waits unclaimed, for its next batch. Crawl jobs carry no
  queueing lock: a retry of a failed job would collide with a batch of its host deferred
  meanwhile (procrastinate could not store the retry, and the failed job stayed "doing",
  holding its host's lock, for ever); dispatches run one at a time (``lock="dispatch"``), so
  two of them do not defer one host's batch twice;
- politeness holds across the workers for *every* host a request goes to, article hosts of
  other sources' batches and redirect targets included: each worker's fetcher takes each
  request's turn in PostgreSQL (:meth:`HostLocks.take`, the fetcher's
  :class:`~crawler.fetch.hosts.SharedTurns`): one of the host's ``per_host_concurrency``
  places (advisory locks ``(turn_key(host), i)`` on the lock connection, freed if the worker
  dies) and its turn in ``host_turns`` (``next_at`` moved by the spacing under the row's lock,
  or past a back-off), in one statement, and frees the place when the request ends (a second).
  Robots.txt is read by each worker once a day and obeyed; its Crawl-delay and the throttled
  delay are the spacing each worker asks for;
- ``digest`` jobs carry ``lock="subscriber:<id>"`` and ``queueing_lock="digest:<id>"``; the
  deliveries table makes each digest go out once even if a job runs twice;
- ``maintain`` (periodic, hourly, once across the cluster) deletes old articles and fetch-log
  rows (:func:`crawler.app.jobs.maintain`), which every crawl job did before;
- ``retry_stalled`` (periodic) retries the jobs of workers whose heartbeat stopped for
  ``stalled_after`` seconds (above the heartbeat interval): without it a killed worker's jobs
  stay "doing" and keep their host locks for ever.

Workers get the config and database through procrastinate's ``additional_context`` (a
:class:`~crawler.app.runtime.Runtime`, which also holds the process's fetcher), never through a
global; each job reloads the config first if a file of it changed or SIGHUP asked for it. A
process holds at most five connections, whatever its concurrency: LISTEN, the queue pool
(:data:`QUEUE_CONNECTIONS`; in autocommit, a connection checked only after :data:`IDLE_CHECK`
seconds unused, so that each of procrastinate's queries is one round trip), the host locks'
(and turns') and SQLAlchemy's.

A database that cannot be reached or goes away ends the process with status 3 and one line
(:class:`~crawler.base.errors.DatabaseUnavailable`, the URL's password masked), for its supervisor
to restart it, as the embedded runner does: procrastinate would otherwise log a traceback per side
task and job, wait out its pool's timeout at every query of its shutdown and exit 1. The
connector (:class:`_Connector`) is the one edge where procrastinate's ``ConnectorException`` and
psycopg's ``OperationalError`` of a lost connection become ``DatabaseUnavailable``, as the
engine's ``handle_error`` hook is for SQLAlchemy; a job that meets either stops the worker at
once (in-flight jobs abandoned, as after a second signal: their status could not be stored, and
the schedule's leases make their sources due again), every later query fails at once instead of
waiting for a connection, and the tracebacks and the pool's connection warnings of the loss stay
out of the log unless debug logging (``-vv``) asks for them.
"""

from __future__ import annotations

__all__ = [
    "QUEUES",
    "HostBatch",
    "HostLocks",
    "WorkerSettings",
    "conninfo",
    "ensure_queue_schema",
    "host_batches",
    "host_lock_key",
    "host_locks",
    "make_app",
    "queue_depth",
    "run_dispatcher",
    "run_worker",
    "turn_key",
]

import asyncio
import contextlib
import hashlib
import logging
import signal
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import psycopg
import psycopg_pool
from procrastinate import App, JobContext, PsycopgConnector, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued, ConnectorException, JobAborted
from procrastinate.jobs import Job, JobDeferrer
from procrastinate.retry import RetryDecision
from procrastinate.tasks import Task
from procrastinate.worker import Worker
from sqlalchemy.engine import make_url

from crawler.app.jobs import DIGEST_LEASE, crawl_sources, maintain, send_due_digests
from crawler.app.runtime import Runtime
from crawler.base.db import CONNECT_TIMEOUT, Database, connection_lost, unavailable
from crawler.base.errors import DatabaseUnavailable, FetchError
from crawler.base.models import utcnow
from crawler.fetch.hosts import LATE_TURN, MAX_POLITE_WAIT

log = logging.getLogger("citydigest.worker")

QUEUES = ("dispatch", "crawl", "digest", "maintenance")
_SCHEMA_LOCK = 7_245_117  # pg_advisory_lock key while installing procrastinate's schema
# Seconds a query waits for a pooled connection (procrastinate's pool waits 30): past it, with
# every connection attempt failing, the database is gone. Above CONNECT_TIMEOUT, so that one
# slow connection attempt is not taken for a loss.
POOL_TIMEOUT = 2 * CONNECT_TIMEOUT
# Connections of a process's queue pool at most (psycopg_pool's default is 4 kept open, which
# with the LISTEN connection, the host locks' and SQLAlchemy's made ~6 a process): procrastinate
# sends one short statement at a time per job start, end and heartbeat, which two serve.
QUEUE_CONNECTIONS = 2
# SQLSTATEs of a server that ended the connection or refuses it (the classes SQLAlchemy calls a
# disconnect); an OperationalError without one is the client's: no connection, or it broke.
_GONE_STATES = ("08", "57P01", "57P02", "57P03", "57P04", "57P05")
T = TypeVar("T")


def database_loss(error: BaseException | None) -> BaseException | None:
    """The error in ``error``'s chain that says the database is unreachable or the connection
    was lost (a DatabaseUnavailable, or psycopg's OperationalError of one), or None."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, DatabaseUnavailable):
            return error
        if isinstance(error, psycopg.OperationalError):
            state = error.sqlstate
            if state is None or state.startswith(_GONE_STATES):
                return error
        error = error.__cause__ or error.__context__
    return None


def _unavailable(database_url: str, error: BaseException) -> DatabaseUnavailable:
    """The typed error for a loss :func:`database_loss` found."""
    if isinstance(error, DatabaseUnavailable):
        return error
    if str(error).startswith("connection failed"):  # could not connect: say why, with a hint
        return unavailable(database_url, error)
    return connection_lost(database_url, error)


# A pooled connection unused for this many seconds is checked (an empty query) before it is
# handed out, as procrastinate's pool checks every one: replaced seamlessly if the server
# closed it meanwhile (an idle timeout, a firewall). One used more recently is not: the check
# was a round trip before each of procrastinate's queries, at every job's start and end.
IDLE_CHECK = 2.0


class _IdleCheck:
    """The queue pool's ``configure``, ``check`` and ``reset`` callbacks: its connections are
    in autocommit, and one is checked when it comes out of the pool only if it went back more
    than :data:`IDLE_CHECK` seconds ago."""

    @staticmethod
    async def configure(conn: psycopg.AsyncConnection[Any]) -> None:
        # Each of procrastinate's queries is one statement (a function call): in autocommit it
        # is its own transaction, without the COMMIT round trip that the pool's connection
        # context sends after every query otherwise.
        await conn.set_autocommit(True)

    def __init__(self) -> None:
        self.returned: weakref.WeakKeyDictionary[psycopg.AsyncConnection[Any], float] = (
            weakref.WeakKeyDictionary()
        )

    async def check(self, conn: psycopg.AsyncConnection[Any]) -> None:
        if conn.broken or conn.closed:
            raise psycopg.OperationalError("the connection is closed")
        returned = self.returned.get(conn)
        if returned is None or time.monotonic() - returned > IDLE_CHECK:
            await psycopg_pool.AsyncConnectionPool.check_connection(conn)

    async def reset(self, conn: psycopg.AsyncConnection[Any]) -> None:
        self.returned[conn] = time.monotonic()


def _queue_pool(**arguments: Any) -> psycopg_pool.AsyncConnectionPool:
    """procrastinate's pool, with :class:`_IdleCheck` in place of its check of every
    connection handed out."""
    idle = _IdleCheck()
    arguments.update(configure=idle.configure, check=idle.check, reset=idle.reset)
    return psycopg_pool.AsyncConnectionPool(**arguments)


class _Connector(PsycopgConnector):
    """procrastinate's connector, translating a lost database into DatabaseUnavailable (see the
    module's docstring). Once lost, it stays lost: every query fails at once, and ``on_lost``
    (the worker's stop) is called the first time."""

    def __init__(self, database_url: str) -> None:
        timeout = (
            {}
            if "connect_timeout" in make_url(database_url).query
            else {"connect_timeout": CONNECT_TIMEOUT}
        )
        super().__init__(
            conninfo=conninfo(database_url),
            kwargs=timeout,
            timeout=POOL_TIMEOUT,
            min_size=1,
            max_size=QUEUE_CONNECTIONS,
            pool_factory=_queue_pool,
        )
        self.database_url = database_url
        self.lost: DatabaseUnavailable | None = None
        self.on_lost: Callable[[DatabaseUnavailable], None] = lambda _exc: None

    def lose(self, exc: DatabaseUnavailable) -> DatabaseUnavailable:
        if self.lost is None:
            self.lost = exc
            self.on_lost(exc)
        return exc

    def gone(self) -> DatabaseUnavailable | None:
        """A fresh copy of the loss (each raise has its own traceback), or None."""
        return None if self.lost is None else DatabaseUnavailable(*self.lost.args)

    async def _explain(self, error: BaseException) -> DatabaseUnavailable:
        if isinstance(error, psycopg_pool.PoolTimeout):  # "no connection in N s": ask why
            try:
                probe = await psycopg.AsyncConnection.connect(
                    conninfo(self.database_url), connect_timeout=CONNECT_TIMEOUT
                )
            except psycopg.OperationalError as exc:
                return unavailable(self.database_url, exc)
            await probe.close()
        return _unavailable(self.database_url, error)

    async def _guard(self, call: Awaitable[T]) -> T:
        lost = self.gone()
        if lost is not None:
            with contextlib.suppress(BaseException):
                call.close()  # type: ignore[attr-defined]  # never awaited: no warning
            raise lost
        try:
            return await call
        except (ConnectorException, psycopg.OperationalError) as exc:
            loss = database_loss(exc)
            if loss is None:
                raise
            raise self.lose(await self._explain(loss)) from exc

    async def open_async(self, pool: Any = None) -> None:
        await self._guard(super().open_async(pool))

    async def execute_query_async(self, query: Any, **arguments: Any) -> None:
        await self._guard(super().execute_query_async(query, **arguments))

    async def execute_query_one_async(self, query: Any, **arguments: Any) -> dict[str, Any]:
        return await self._guard(super().execute_query_one_async(query, **arguments))

    async def execute_query_all_async(self, query: Any, **arguments: Any) -> list[dict[str, Any]]:
        return await self._guard(super().execute_query_all_async(query, **arguments))

    async def listen_notify(self, on_notification: Any, channels: Any) -> None:
        await self._guard(super().listen_notify(on_notification=on_notification, channels=channels))


class _QuietLoss(logging.Filter):
    """Keeps a lost database's tracebacks (procrastinate's side tasks and jobs, asyncio's) and
    psycopg's pool warnings about connections it could not open out of the log: the loss is
    reported once, in one line, by the command. Debug logging (``-vv``) keeps them all."""

    def filter(self, record: logging.LogRecord) -> bool:
        if logging.getLogger().isEnabledFor(logging.DEBUG):
            return True
        if record.name.startswith("psycopg.pool") and record.levelno <= logging.WARNING:
            return False
        return not (record.exc_info and database_loss(record.exc_info[1]) is not None)


@contextlib.contextmanager
def _quiet_database_loss() -> Iterator[None]:
    handlers = list(logging.getLogger().handlers)
    quiet = _QuietLoss()
    for handler in handlers:
        handler.addFilter(quiet)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(quiet)


@dataclass(frozen=True)
class WorkerSettings:
    """Timings of the distributed runner (the defaults suit production; tests shorten them)."""

    dispatch_every: int = 10  # seconds between dispatch ticks
    heartbeat: float = 10.0  # worker heartbeat interval
    stalled_after: float = 30.0  # no heartbeat for this long: the worker's jobs are retried
    retry_stalled_every: int = 10  # seconds between checks for stalled jobs
    claim_limit: int = 1000  # sources deferred per dispatch tick at most
    maintain_cron: str = "17 * * * *"  # retention (crawler.app.jobs.maintain): hourly
    # A crawl job that failed (an error no source's report took, an abort at shutdown) runs
    # again after dispatch_every, then twice that, up to this many runs in all.
    crawl_attempts: int = 3

    def __post_init__(self) -> None:
        if self.stalled_after <= self.heartbeat:
            raise ValueError(
                f"stalled_after ({self.stalled_after} s) must be above the heartbeat interval "
                f"({self.heartbeat} s), or live workers' jobs would be retried"
            )
        if not 1 <= self.dispatch_every <= 59 or not 1 <= self.retry_stalled_every <= 59:
            raise ValueError("dispatch_every and retry_stalled_every must be 1..59 seconds")


def conninfo(database_url: str) -> str:
    """The libpq connection string of a SQLAlchemy PostgreSQL URL."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError(
            f"the distributed runner needs PostgreSQL, the database is {url.get_backend_name()}"
            " (set database: postgresql://… or --database)"
        )
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def host_lock_key(host: str) -> int:
    """The PostgreSQL advisory-lock key (a signed 64-bit number) of crawling ``host``."""
    digest = hashlib.blake2b(f"citydigest host:{host}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


# Seconds between two tries for a place at a host whose places are all taken (at least: its
# spacing, when longer, as no turn comes sooner).
TURN_POLL = 0.05
# A request woken for its turn later than LATE_TURN of the spacing restarts its turn
# (:meth:`HostLocks.late`; up to LATE_TURNS new turns in a row), so that late starts do not
# shorten the gap to the next request.
LATE_TURNS = 3
# One request's place and turn at its host (HostLocks.take). The place: the first free advisory
# lock (key, i), i < places, of those this process does not hold already (-1 for places = 0: a
# hop keeps spacing only); the CASE keeps the planner from trying the lock before the test of
# `mine` (PostgreSQL orders a filter's conditions by cost, and with `AND` it tried the cheaper
# lock first: a place this process held already was taken again, its lock count went to two,
# and the request's end left it held, for the life of the worker's connection). The turn:
# next_at moves to max(next_at, now) + spacing under the row's lock, so concurrent takers queue
# up one spacing apart, unless next_at is more than max_wait away (a back-off: no turn, next_at
# is NULL). Returns (place, the new next_at as a Unix time, seconds to the old one); the
# clock's time, not the statement's start, as a taker may wait for the row (in UTC:
# host_turns.next_at is a naive UTC timestamp, as every timestamp of the schema, and epoch of a
# naive timestamp reads it as UTC).
_NOW = "(clock_timestamp() AT TIME ZONE 'UTC')"  # utc_now in the statements below
_TAKE_TURN = """
WITH place AS MATERIALIZED (
    SELECT -1 AS i WHERE %(places)s = 0
    UNION ALL (
        SELECT i FROM generate_series(0, %(places)s - 1) AS i
        WHERE CASE WHEN i = ANY(%(mine)s::int[]) THEN false
            ELSE pg_try_advisory_lock(%(key)s, i) END
        LIMIT 1
    )
), turn AS (
    INSERT INTO host_turns AS t (host, next_at)
    SELECT %(host)s, utc_now + %(spacing)s * interval '1 second' FROM place
    ON CONFLICT (host) DO UPDATE
    SET next_at = greatest(t.next_at, utc_now) + %(spacing)s * interval '1 second'
    WHERE t.next_at < utc_now + %(max_wait)s * interval '1 second'
    RETURNING extract(epoch FROM t.next_at)::float8 AS next_at
)
SELECT (SELECT i FROM place), (SELECT next_at FROM turn),
    (SELECT extract(epoch FROM next_at - utc_now)::float8
     FROM host_turns WHERE host = %(host)s)
""".replace("utc_now", _NOW)
# A late request's turn restarted now: the host's next turn moves to a spacing from now, if no
# turn was handed out after this request's (next_at is still where its turn left it, no
# back-off moved it): the next request is then a spacing behind it, however late it went.
# Returns the new next_at (Unix time), no row if a later turn was handed out.
_RESTART_TURN = """
UPDATE host_turns SET next_at = greatest(next_at, utc_now + %(spacing)s * interval '1 second')
WHERE host = %(host)s AND extract(epoch FROM next_at)::float8 <= %(until)s
RETURNING extract(epoch FROM next_at)::float8
""".replace("utc_now", _NOW)
# A request's end: its place freed, and with a back-off the host's next_at moved past it.
_GIVE_TURN = """
WITH held AS (
    UPDATE host_turns SET next_at = utc_now + %(hold)s * interval '1 second'
    WHERE host = %(host)s AND %(hold)s > 0
    AND next_at < utc_now + %(hold)s * interval '1 second'
)
SELECT CASE WHEN %(place)s >= 0 THEN pg_advisory_unlock(%(key)s, %(place)s) END
""".replace("utc_now", _NOW)


def turn_key(host: str) -> int:
    """The first half of the advisory-lock keys ``(key, i)`` of ``host``'s places (a signed
    32-bit number; two hosts sharing one share their places, which only costs waiting)."""
    digest = hashlib.blake2b(f"citydigest turn:{host}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


@dataclass
class _Ticket:
    key: int
    place: int
    host: str
    until: float  # the host's next_at (Unix time) that this request's turn left


class HostLocks:
    """The hosts one process's crawls hold, as PostgreSQL session advisory locks (one key per
    host, :func:`host_lock_key`) on one connection of the process's own, opened at the first
    crawl: however many jobs a worker runs at once, it holds one connection for them, not one
    per job (a connection per job was a PostgreSQL backend started and ended per crawl). An
    advisory lock taken twice in one session is taken, so the process keeps its own jobs apart
    itself (:attr:`_held`). The locks go with the connection: at :meth:`aclose`, or when the
    worker dies (keep-alives tell the server within half a minute, as the stalled-job check
    retries its job). A connection lost while jobs hold hosts is a lost database: the job's
    DatabaseUnavailable stops the worker."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self._conn: psycopg.AsyncConnection[Any] | None = None
        self._held: set[int] = set()  # keys this process's running crawls hold
        # The places (turn_key(host), i) this process's requests hold: an advisory lock taken
        # twice in one session is taken, so take() asks only for the others.
        self._places: dict[int, set[int]] = {}
        self._lock = asyncio.Lock()  # one statement at a time on the connection

    @contextlib.asynccontextmanager
    async def hold(self, hosts: Iterable[str]) -> AsyncIterator[bool]:
        """Hold every host of ``hosts`` for a crawl, tried, never waited for. Yields whether
        all were taken; when one is held by another crawl (of this process or another), none
        is kept."""
        keys = sorted({host_lock_key(host) for host in hosts})
        taken = await self._take(keys)
        try:
            yield taken
        finally:
            if taken:
                await self._give(keys)

    async def _take(self, keys: list[int]) -> bool:
        async with self._lock:
            if self._held.intersection(keys):
                return False
            rows = await self._query(
                "SELECT k, pg_try_advisory_lock(k) FROM unnest(%s::bigint[]) AS k", keys
            )
            got = [key for key, ok in rows if ok]
            if len(got) == len(keys):
                self._held.update(keys)
                return True
            if got:
                await self._query(
                    "SELECT pg_advisory_unlock(k) FROM unnest(%s::bigint[]) AS k", got
                )
            return False

    async def _give(self, keys: list[int]) -> None:
        async with self._lock:
            self._held.difference_update(keys)
            if self._conn is None or self._conn.closed:
                return  # the locks went with the connection
            await self._query("SELECT pg_advisory_unlock(k) FROM unnest(%s::bigint[]) AS k", keys)

    async def _query(self, sql: str, keys: list[int]) -> list[tuple[Any, ...]]:
        return await self._execute(sql, (keys,))

    async def _execute(self, sql: str, params: Any) -> list[tuple[Any, ...]]:
        try:
            conn = await self._connection()
            cursor = await conn.execute(sql, params)
            return await cursor.fetchall()
        except psycopg.OperationalError as exc:
            raise _unavailable(self.database_url, exc) from exc

    # ------------------------------------------------------------------ turns (SharedTurns)

    async def take(self, host: str, *, places: int, spacing: float, url: str) -> _Ticket:
        """One of ``host``'s ``places`` (none for 0) and its turn, shared by every worker
        (:class:`~crawler.fetch.hosts.SharedTurns`): the place is a session advisory lock
        ``(key, i)`` for ``i < places``, the turn ``spacing`` after the host's ``next_at`` in
        ``host_turns``, both in one statement (:data:`_TAKE_TURN`); no free place: tried again
        shortly, up to :data:`~crawler.fetch.hosts.MAX_POLITE_WAIT` seconds. Woken late for
        the turn, the turn restarts (:meth:`late`)."""
        key = turn_key(host)
        deadline = time.monotonic() + MAX_POLITE_WAIT
        while True:
            async with self._lock:
                mine = sorted(self._places.get(key, ()))
                ((place, next_at, ahead),) = await self._turn(
                    host, key, places=places, mine=mine, spacing=spacing
                )
                if place is not None and place >= 0:
                    self._places.setdefault(key, set()).add(place)
            if place is not None:
                break
            # every place taken (by other workers, or this one's)
            if time.monotonic() >= deadline:
                raise FetchError(
                    f"no free place at the host in {MAX_POLITE_WAIT:.0f} s (its {places} are "
                    "taken across the workers); try later",
                    url=url,
                )
            await asyncio.sleep(min(max(spacing, TURN_POLL), 1.0))
        ticket = _Ticket(key, place, host, until=0.0)
        try:
            if not await self._wait_for(ticket, next_at, ahead, spacing, url):
                await self.late(ticket, spacing=spacing, url=url)
        except BaseException:
            await self.give(ticket, hold=0.0)
            raise
        return ticket

    async def late(self, ticket: object, *, spacing: float, url: str) -> None:
        """The ticket's request goes out later than :data:`~crawler.fetch.hosts.LATE_TURN`
        of the spacing after its turn (a busy loop or machine held it): sent so, it would
        start closer than the spacing to the next turn, another worker's maybe. Its turn
        restarts now, the host's next turn a spacing from now, when no turn was handed out
        after it (:data:`_RESTART_TURN`: one statement, no wait); else it waits for a new turn
        keeping its place (up to :data:`LATE_TURNS` in a row)."""
        assert isinstance(ticket, _Ticket)
        for _ in range(LATE_TURNS):
            async with self._lock:
                rows = await self._execute(
                    _RESTART_TURN, {"host": ticket.host, "spacing": spacing, "until": ticket.until}
                )
            if rows:
                ticket.until = float(rows[0][0])
                return
            async with self._lock:
                ((_place, next_at, ahead),) = await self._turn(
                    ticket.host, ticket.key, places=0, mine=[], spacing=spacing
                )
            if await self._wait_for(ticket, next_at, ahead, spacing, url):
                return

    async def _turn(
        self, host: str, key: int, *, places: int, mine: list[int], spacing: float
    ) -> list[tuple[Any, ...]]:
        return await self._execute(
            _TAKE_TURN,
            {
                "host": host,
                "key": key,
                "places": places,
                "mine": mine,
                "spacing": spacing,
                "max_wait": MAX_POLITE_WAIT,
            },
        )

    async def _wait_for(
        self, ticket: _Ticket, next_at: float | None, ahead: float | None, spacing: float, url: str
    ) -> bool:
        """Sleep until the turn that left the host's ``next_at``; whether it was woken in time.
        FetchError when there was no turn (the host holds every request back for longer)."""
        if next_at is None:
            raise FetchError(
                f"the server asked us to wait {float(ahead or 0):.0f} s more (Retry-After "
                "after 429/503); try later",
                url=url,
            )
        ticket.until = float(next_at)
        # The turn is a time on the database's clock, which the workers' clocks follow
        # (NTP): a late answer must not make this request start later than its turn.
        turn = ticket.until - spacing
        if (pause := turn - time.time()) > 0:
            await asyncio.sleep(pause)
        return time.time() - turn <= LATE_TURN * spacing

    async def give(self, ticket: object, *, hold: float) -> None:
        """Free the ticket's place; ``hold``: the host's next request waits that long at
        least (a back-off)."""
        assert isinstance(ticket, _Ticket)
        if ticket.place < 0 and hold <= 0:  # a hop's turn, no back-off: nothing to free
            return
        async with self._lock:
            if ticket.place >= 0:
                self._places.get(ticket.key, set()).discard(ticket.place)
                if not self._places.get(ticket.key):
                    self._places.pop(ticket.key, None)
            if self._conn is None or self._conn.closed:
                return  # the places went with the connection
            await self._execute(
                _GIVE_TURN,
                {"host": ticket.host, "key": ticket.key, "place": ticket.place, "hold": hold},
            )

    async def _connection(self) -> psycopg.AsyncConnection[Any]:
        if self._conn is not None and not self._conn.closed:
            return self._conn
        if self._held or self._places:  # the connection, and with it these locks, went away
            raise connection_lost(self.database_url, RuntimeError("host-lock connection closed"))
        conn = await psycopg.AsyncConnection.connect(
            conninfo(self.database_url), autocommit=True, connect_timeout=CONNECT_TIMEOUT
        )
        # A worker machine that dies without closing the connection: the server notices (and
        # frees the locks) within half a minute.
        for setting in ("idle = 10", "interval = 5", "count = 3"):
            await conn.execute(f"SET tcp_keepalives_{setting}")
        self._conn = conn
        return conn

    async def aclose(self) -> None:
        conn, self._conn = self._conn, None
        self._held.clear()
        self._places.clear()
        if conn is not None:
            await conn.close()


@contextlib.asynccontextmanager
async def host_locks(database_url: str, hosts: Iterable[str]) -> AsyncIterator[bool]:
    """Hold every host of ``hosts`` on a connection of its own (:class:`HostLocks` for one
    crawl): yields whether all were taken; all are released at the end of the block."""
    locks = HostLocks(database_url)
    try:
        async with locks.hold(hosts) as held:
            yield held
    finally:
        await locks.aclose()


@dataclass(frozen=True)
class HostBatch:
    """Due sources that one crawl job takes together: every source sharing a host with another
    of them (feed, list pages, sitemap: :meth:`~crawler.app.runtime.Runtime.hosts_of`), so that
    no two jobs crawl one host at once and a pass's costs (the lease, the fetch-log and
    cache reads, the job's own queue round trips) are paid once per host, not once per source."""

    host: str  # the batch's first host by name: its job's lock and queueing lock
    source_ids: tuple[str, ...]
    due: datetime  # the most overdue source's due time


def host_batches(
    claimed: Iterable[tuple[str, datetime]], hosts: Mapping[str, Iterable[str]]
) -> list[HostBatch]:
    """The claimed sources ``(id, due)`` grouped into :class:`HostBatch` es: sources joined by
    a shared host, however indirectly (``{a, b}``, ``{b, c}``, ``{c}``: one batch), most
    overdue batch first. A source without hosts is a batch of its own."""
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    due_of: dict[str, datetime] = {}
    for source_id, due in claimed:
        due_of[source_id] = due
        own = f"source:{source_id}"  # a source's own node joins its hosts
        for host in hosts.get(source_id, ()):
            a, b = root(own), root(f"host:{host}")
            if a != b:
                parent[max(a, b)] = min(a, b)
        root(own)
    groups: dict[str, list[str]] = {}
    for source_id in due_of:
        groups.setdefault(root(f"source:{source_id}"), []).append(source_id)
    batches = []
    for members in groups.values():
        batch_hosts = {h for i in members for h in hosts.get(i, ())}
        batches.append(
            HostBatch(
                host=min(batch_hosts, default=members[0]),
                source_ids=tuple(members),
                due=min(due_of[i] for i in members),
            )
        )
    return sorted(batches, key=lambda b: (b.due, b.host))


def batch_job(crawl: Task[Any, Any, Any], batch: HostBatch) -> tuple[JobDeferrer, dict[str, Any]]:
    """The crawl job of a host batch, configured as the dispatch defers it, and its arguments."""
    arguments = {"source_ids": list(batch.source_ids), "due": batch.due.isoformat()}
    return crawl.configure(lock=f"host:{batch.host}"), arguments


async def _defer_crawls(crawls: list[tuple[JobDeferrer, dict[str, Any]]]) -> None:
    """Defer a dispatch's crawl jobs in one statement (procrastinate's batch defer: one round
    trip for a thousand claims, not one each)."""
    if crawls:
        manager = crawls[0][0].job_manager
        await manager.batch_defer_jobs_async([job.make_new_job(**args) for job, args in crawls])


async def _waiting_hosts(app: App) -> set[str]:
    """The first hosts of the crawl jobs waiting in the queue (their ``lock``)."""
    rows = await app.connector.execute_query_all_async(
        "SELECT lock FROM procrastinate_jobs WHERE status = 'todo' "
        "AND task_name = 'citydigest.crawl' AND lock LIKE 'host:%%'"
    )
    return {row["lock"].removeprefix("host:") for row in rows}


class _CrawlRetry(RetryStrategy):
    """A failed crawl job runs again after a wait; one aborted (a shutdown past its grace) does
    not: it handed its unfinished sources back, due at once, and the next dispatch batches them
    again (a retry as well would crawl them twice)."""

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if isinstance(exception, (asyncio.CancelledError, JobAborted)):
            return None
        return super().get_retry_decision(exception=exception, job=job)


def _pause(settings: WorkerSettings) -> timedelta:
    """How long a crawl handed back waits: a dispatch period, so it goes to the next batch."""
    return timedelta(seconds=settings.dispatch_every)


def _locks(context: JobContext) -> HostLocks:
    """The process's :class:`HostLocks` (the worker's, made at its first crawl)."""
    extra = context.additional_context
    locks = extra.get("locks")
    if not isinstance(locks, HostLocks):
        locks = extra["locks"] = HostLocks(_runtime(context).db.url)
    return locks


def _runtime(context: JobContext) -> Runtime:
    runtime = context.additional_context.get("runtime")
    if not isinstance(runtime, Runtime):
        raise RuntimeError("citydigest tasks need a Runtime in the worker's additional_context")
    return runtime


def make_app(database_url: str, settings: WorkerSettings | None = None) -> App:
    """The procrastinate app with citydigest's tasks, on the database at ``database_url``."""
    settings = settings or WorkerSettings()
    app = App(connector=_Connector(database_url))

    @app.task(
        name="citydigest.crawl",
        queue="crawl",
        pass_context=True,
        retry=_CrawlRetry(
            max_attempts=settings.crawl_attempts,
            wait=settings.dispatch_every,
            linear_wait=settings.dispatch_every,
        ),
    )
    async def crawl(
        context: JobContext,
        source_ids: list[str] | None = None,
        due: str | None = None,
        source_id: str | None = None,  # a job of one source (deferred before batches)
    ) -> dict[str, Any]:
        runtime = _runtime(context)
        runtime.refresh()
        asked = [*(source_ids or ()), *([source_id] if source_id else [])]
        unknown = [i for i in asked if i not in runtime.hosts]
        if unknown:  # the dispatcher's config has them, this one not yet
            runtime.schedule.release(unknown, at=utcnow() + _pause(settings))
            log.warning("crawl %s: not in this worker's config; handed back", ", ".join(unknown))
        known = [i for i in asked if i in runtime.hosts]
        if not known:
            return {"sources": [], "results": [], "unknown": unknown}
        hosts = frozenset().union(*(runtime.hosts_of(i) for i in known))
        label = f"{len(known)} of {min(hosts, default='?')}"
        started = False
        try:
            async with _locks(context).hold(hosts) as held:
                if not held:  # a crawl of other sources holds one of these hosts: try later
                    runtime.schedule.release(known, at=utcnow() + _pause(settings))
                    log.info("crawl %s: a host of it is being crawled; handed back", label)
                    return {"sources": known, "results": [], "busy": True}
                if due is not None:
                    late = (utcnow() - datetime.fromisoformat(due)).total_seconds()
                    log.info("crawl %s: started %.1f s after due", label, late)
                started = True  # from here on, the crawl hands back what it did not finish
                results = await crawl_sources(
                    runtime.config,
                    runtime.db,
                    known,
                    schedule=runtime.schedule,
                    fetcher=runtime.fetcher,
                )
        except asyncio.CancelledError:  # aborted (a shutdown past its grace): due at once
            if not started:
                with contextlib.suppress(Exception):
                    runtime.schedule.release(known)
            raise
        for crawled, failed, new in results:
            log.info("crawled %s: %s, %d new", crawled, "FAILED" if failed else "ok", new)
        return {"sources": known, "results": [list(r) for r in results]}

    @app.task(name="citydigest.digest", queue="digest", pass_context=True)
    async def digest(context: JobContext, subscriber_id: str) -> None:
        runtime = _runtime(context)
        runtime.refresh()
        # Its rendering and database calls are synchronous, and CPU for a big digest: in a
        # thread (with a loop of its own for the SMTP exchange), the worker's loop keeps its
        # heartbeat and other jobs going meanwhile.
        await asyncio.to_thread(
            asyncio.run,
            send_due_digests(
                runtime.config, runtime.db, [subscriber_id], schedule=runtime.schedule
            ),
        )

    @app.periodic(cron=f"* * * * * */{settings.dispatch_every}", periodic_id="dispatch")
    @app.task(
        name="citydigest.dispatch",
        queue="dispatch",
        queueing_lock="dispatch",
        lock="dispatch",
        pass_context=True,
    )
    async def dispatch(context: JobContext, timestamp: int) -> dict[str, int]:
        runtime = _runtime(context)
        runtime.refresh()
        runtime.sync()
        config, schedule = runtime.config, runtime.schedule
        now = utcnow()
        claimed = schedule.claim_sources(
            config,
            runtime.hosts,
            limit=settings.claim_limit,
            # A host whose batch waits in the queue already: its due sources stay unclaimed
            # and go with its next batch (claimed, refused and handed back each dispatch, they
            # cost statements and made batches of one as sources fell due one by one).
            busy_hosts=await _waiting_hosts(context.app),
            one_per_host=False,
            together=True,
            now=now,
        )
        batches = host_batches(claimed, runtime.hosts)
        await _defer_crawls([batch_job(crawl, batch) for batch in batches])
        deferred = len(claimed)
        digests = schedule.claim_subscribers(config, lease=DIGEST_LEASE, now=now)
        for pending in digests:
            with contextlib.suppress(AlreadyEnqueued):
                await digest.configure(
                    lock=f"subscriber:{pending.subscriber_id}",
                    queueing_lock=f"digest:{pending.subscriber_id}",
                ).defer_async(subscriber_id=pending.subscriber_id)
        lag = max(((now - d).total_seconds() for _, d in claimed), default=0.0)
        log.info(
            "dispatch: %d crawls in %d jobs, %d digests, lag %.1f s",
            deferred,
            len(batches),
            len(digests),
            lag,
        )
        return {
            "crawls": deferred,
            "jobs": len(batches),
            "digests": len(digests),
            "lag_ms": int(lag * 1000),
        }

    @app.periodic(cron=settings.maintain_cron, periodic_id="maintain")
    @app.task(
        name="citydigest.maintain",
        queue="maintenance",
        queueing_lock="maintain",
        pass_context=True,
    )
    async def maintenance(context: JobContext, timestamp: int) -> None:
        runtime = _runtime(context)
        runtime.refresh()
        await asyncio.to_thread(maintain, runtime.config, runtime.db)

    @app.periodic(cron=f"* * * * * */{settings.retry_stalled_every}", periodic_id="retry-stalled")
    @app.task(
        name="citydigest.retry_stalled",
        queue="maintenance",
        queueing_lock="retry_stalled",
        pass_context=True,
    )
    async def retry_stalled(context: JobContext, timestamp: int) -> int:
        stalled = await context.app.job_manager.get_stalled_jobs(
            seconds_since_heartbeat=settings.stalled_after
        )
        count = 0
        for job in stalled:
            await context.app.job_manager.retry_job(job)
            count += 1
            log.warning("retrying stalled job %s (%s)", job.id, job.task_name)
        if count:
            await context.app.job_manager.prune_stalled_workers(settings.stalled_after)
        return count

    return app


async def ensure_queue_schema(app: App, database_url: str) -> bool:
    """Install procrastinate's tables once (under an advisory lock, so concurrent starters
    do not race). True if it was installed now."""
    try:
        conn = await psycopg.AsyncConnection.connect(
            conninfo(database_url), connect_timeout=CONNECT_TIMEOUT
        )
    except psycopg.OperationalError as exc:
        raise _unavailable(database_url, exc) from exc
    async with conn:
        await conn.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK,))
        try:
            cur = await conn.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")
            row = await cur.fetchone()
            if row and row[0]:
                return False
            await app.schema_manager.apply_schema_async()
            return True
        finally:
            await conn.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK,))


def queue_depth(db: Database) -> int | None:
    """Jobs waiting or running in the queue; ``None`` without a procrastinate schema."""
    if db.is_sqlite:
        return None
    from sqlalchemy import text

    with db.engine.connect() as conn:
        exists = conn.execute(text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL"))
        if not exists.scalar():
            return None
        return int(
            conn.execute(
                text("SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')")
            ).scalar()
            or 0
        )


async def _serve(
    runtime: Runtime,
    database_url: str,
    settings: WorkerSettings,
    *,
    queues: list[str],
    concurrency: int,
    grace: float,
    name: str,
    on_started: Callable[[], None] | None,
) -> None:
    app = make_app(database_url, settings)
    connector = app.connector
    assert isinstance(connector, _Connector)

    def collect(task: asyncio.Task[Any]) -> None:
        # A job whose status could not be stored fails its task, which procrastinate never
        # awaits: take the error here, or asyncio logs it with a traceback when collected.
        if not task.cancelled() and database_loss(task.exception()) is None and task.exception():
            log.error("job task failed", exc_info=task.exception())

    async def guard(call_next: Callable[[], Awaitable[Any]], _context: Any, _worker: Any) -> Any:
        task = asyncio.current_task()
        if task is not None:
            task.add_done_callback(collect)
        try:
            return await call_next()
        except Exception as exc:
            loss = database_loss(exc)  # the job's own database (SQLAlchemy), or the queue's
            if loss is not None:
                connector.lose(_unavailable(database_url, loss))
            raise

    locks = HostLocks(database_url)
    runtime.politeness.shared = locks  # every host's turns, shared with the other workers
    worker = Worker(
        app=app,
        queues=queues,
        concurrency=concurrency,
        name=name,
        additional_context={"runtime": runtime, "locks": locks},
        install_signal_handlers=False,  # ours, below: from before the startup line
        shutdown_graceful_timeout=grace,
        update_heartbeat_interval=settings.heartbeat,
        stalled_worker_timeout=settings.stalled_after,
        delete_jobs="successful",
        worker_middleware=[guard],
    )

    def stop_now(_exc: DatabaseUnavailable) -> None:
        worker.shutdown_graceful_timeout = 0  # nothing a job does now could be stored
        worker.stop()

    connector.on_lost = stop_now
    loop = asyncio.get_running_loop()
    # SIGTERM and SIGINT stop the worker gracefully, and a second one ends the process at once
    # (the first restores the defaults), as procrastinate's own handlers do; but those are
    # installed only once its run loop starts, and a signal after the startup line and before
    # then killed the process with status -15. SIGHUP (whose default ends the process) reloads
    # the config before the next job, as in the embedded runner.
    stopping = False

    def stop_gracefully() -> None:
        nonlocal stopping
        stopping = True
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        worker.stop()

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop_gracefully)
    loop.add_signal_handler(signal.SIGHUP, runtime.request_reload)
    try:
        async with app.open_async():
            await ensure_queue_schema(app, database_url)
            if on_started is not None:  # the database has answered: the startup line
                on_started()
            app.perform_import_paths()
            try:
                # No await between this test and run()'s reset of its stop request, so a
                # signal is either seen here or stops the running worker.
                if not stopping:
                    await worker.run()
            finally:
                await locks.aclose()
                await runtime.aclose()
    except Exception as exc:
        lost = connector.gone()
        if lost is not None:
            raise lost from exc
        loss = database_loss(exc)
        if loss is not None:
            raise _unavailable(database_url, loss) from exc
        raise
    finally:
        for signum in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
    lost = connector.gone()
    if lost is not None:
        raise lost


def run_worker(
    runtime: Runtime,
    database_url: str,
    *,
    settings: WorkerSettings | None = None,
    concurrency: int = 8,
    grace: float = 30.0,
    name: str = "citydigest-worker",
    on_started: Callable[[], None] | None = None,
) -> None:
    """Work on crawl, digest and maintenance jobs until SIGTERM/SIGINT; DatabaseUnavailable
    when the database cannot be reached or goes away. ``on_started`` is called once the
    database has answered."""
    with _quiet_database_loss():
        asyncio.run(
            _serve(
                runtime,
                database_url,
                settings or WorkerSettings(),
                queues=["crawl", "digest", "maintenance"],
                concurrency=concurrency,
                grace=grace,
                name=name,
                on_started=on_started,
            )
        )


def run_dispatcher(
    runtime: Runtime,
    database_url: str,
    *,
    settings: WorkerSettings | None = None,
    grace: float = 30.0,
    on_started: Callable[[], None] | None = None,
) -> None:
    """Defer the periodic dispatch and run it (and the stalled-job check) until stopped;
    DatabaseUnavailable when the database cannot be reached or goes away. ``on_started`` is
    called once the database has answered."""
    with _quiet_database_loss():
        asyncio.run(
            _serve(
                runtime,
                database_url,
                settings or WorkerSettings(),
                queues=["dispatch", "maintenance"],
                concurrency=1,
                grace=grace,
                name="citydigest-dispatcher",
                on_started=on_started,
            )
        )
