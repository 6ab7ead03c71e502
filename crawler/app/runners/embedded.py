"""``citydigest run``: the embedded runner. One process, one database (SQLite by default).

An APScheduler 3.11 :class:`~apscheduler.schedulers.asyncio.AsyncIOScheduler` fires the
dispatch tick every ``tick`` seconds; the tick only asks the schedule tables what is due
(:class:`~crawler.app.schedule.Schedule`) and starts it here, never two sources sharing a host
at once (every host a source touches: its :class:`~crawler.app.runtime.Runtime`'s host index).

The runner scales up before anyone reaches for workers: it starts with at most ``concurrency``
sources in flight, and while a tick finds more due than it may start (a backlog) it doubles
that, up to ``max_concurrency``, and claims again at once; and each crawl that finishes
dispatches again at once instead of waiting for the next ``tick``. Once a dispatch finds fewer
due than it may start, the limit drops back to what is in flight (never under
``concurrency``). Politeness is the fetcher's either way: one source per host, each host's
spacing and concurrency.

The schedule itself is data, so a restart resumes where the last run stopped. The config, its
reload, the host index and the hosts' politeness are the :class:`~crawler.app.runtime.Runtime`'s,
as in the distributed runner; the jobs are :mod:`crawler.app.jobs`'. Every
:data:`~crawler.app.jobs.MAINTAIN_EVERY` (not in every crawl) retention deletes old articles and
fetch-log rows (:func:`~crawler.app.jobs.maintain`).

Signals:

- SIGTERM / SIGINT: stop dispatching, let in-flight crawls and digests finish for up to
  ``grace`` seconds, then cancel what is left (each article and each delivery is written in its
  own transaction, so nothing is half-written) and hand its sources back as due; exit 0;
- a second SIGTERM / SIGINT: hand claimed sources back and exit at once (status 130); the
  handler runs between database transactions, so the database stays consistent;
- SIGHUP, or any change to a file of the config directory: reload the config after validating
  it; an invalid edit is logged and the running config kept.

A database that cannot be reached, or goes away, is logged in one line and ends the run with
status 3 (in-flight work abandoned, as after a second signal): a supervisor (systemd
``Restart=on-failure``, compose ``restart: unless-stopped``) starts it again, and the schedule
in the database resumes where it stopped.
"""

from __future__ import annotations

__all__ = ["Daemon", "DaemonStats"]

import asyncio
import contextlib
import logging
import os
import signal
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from crawler.app.cadence import PollPolicy
from crawler.app.jobs import (
    DIGEST_LEASE,
    DIGEST_RETRY,
    MAINTAIN_EVERY,
    crawl_sources,
    maintain,
    send_due_digests,
)
from crawler.app.runtime import Runtime
from crawler.app.schedule import Schedule
from crawler.base.config import Config
from crawler.base.db import Database
from crawler.base.errors import DatabaseUnavailable
from crawler.base.models import utcnow
from crawler.fetch.hosts import HostStates

log = logging.getLogger("citydigest.daemon")

EXIT_IMMEDIATE = 130
STATS_KEPT = 10_000
EXIT_UNAVAILABLE = 3  # as crawler.app.context's: the database could not be reached or went away


@dataclass
class DaemonStats:
    """What the daemon did since it started (for logs and tests)."""

    ticks: int = 0
    crawls: int = 0
    crawl_failures: int = 0
    digest_runs: int = 0
    reloads: int = 0
    rejected_reloads: int = 0
    max_lag: float = 0.0
    # The latest (a daemon runs for months): each claimed source's lag, and per dispatch that
    # claimed some (sources in flight before it, sources claimed, the limit after it).
    lags: deque[float] = field(default_factory=lambda: deque(maxlen=STATS_KEPT))
    peak_concurrency: int = 0
    dispatches: deque[tuple[int, int, int]] = field(
        default_factory=lambda: deque(maxlen=STATS_KEPT)
    )


class Daemon:
    """The embedded runner over one database."""

    def __init__(
        self,
        config: Config,
        db: Database,
        *,
        concurrency: int = 8,
        max_concurrency: int | None = None,
        tick: float = 5.0,
        grace: float = 30.0,
        policy: PollPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        watch: bool = True,
        on_reload: Callable[[Config], None] | None = None,
        on_started: Callable[[], None] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, found {concurrency}")
        if max_concurrency is not None and max_concurrency < concurrency:
            raise ValueError(
                f"max_concurrency ({max_concurrency}) must be at least concurrency ({concurrency})"
            )
        self.runtime = Runtime(config, db, policy, clock=clock, transport=transport)
        self.db = db
        self.concurrency = concurrency
        self.max_concurrency = max_concurrency or concurrency
        self.limit = concurrency  # sources in flight at most, now (see the module docstring)
        self._kick: asyncio.Task[None] | None = None  # a dispatch after a crawl finished
        self._redispatch = False
        self.tick_seconds = tick
        self.grace = grace
        self.clock = clock
        self.transport = transport
        self.watch = watch
        self.on_reload = on_reload
        self.on_started = on_started  # once the database has answered: the startup line
        self.stats = DaemonStats()
        self._crawls: dict[asyncio.Task[object], list[str]] = {}
        self._digests: asyncio.Task[object] | None = None
        self._stopping = asyncio.Event()
        self._signals = 0
        self._reload_requested = False
        self._tick_lock = asyncio.Lock()
        # The scheduler's jobs running now (a tick, maintenance): a stop lets them end before the
        # scheduler shuts down, which would cancel them and log each as a failed job.
        self._jobs: set[asyncio.Task[object]] = set()
        self.lost: DatabaseUnavailable | None = None

    def _database_lost(self, exc: DatabaseUnavailable) -> None:
        """Log the database going away once and stop: the supervisor restarts the run."""
        if self.lost is None:
            self.lost = exc
            log.error("%s; stopping (exit %d)", exc, EXIT_UNAVAILABLE)
        self._stopping.set()

    # ------------------------------------------------------------------ config

    @property
    def config(self) -> Config:
        return self.runtime.config

    @property
    def schedule(self) -> Schedule:
        return self.runtime.schedule

    @property
    def politeness(self) -> HostStates:
        """Robots.txt, back-off and throttling per host, kept across this process's passes."""
        return self.runtime.politeness

    def reload(self) -> bool:
        """Load and validate the config directory again (:meth:`Runtime.reload`) and give the
        new sources and subscribers their rows; keep the running config if invalid."""
        if not self.runtime.reload():
            self.stats.rejected_reloads += 1
            return False
        self.runtime.sync()
        self.stats.reloads += 1
        if self.on_reload:
            self.on_reload(self.config)
        return True

    # ------------------------------------------------------------------ the tick

    async def tick(self) -> None:
        """Find due work and start it (never waits for the work itself)."""
        if self._stopping.is_set():
            return
        with self._running_job():
            try:
                await self._tick()
            except DatabaseUnavailable as exc:
                self._database_lost(exc)

    @contextlib.contextmanager
    def _running_job(self) -> Iterator[None]:
        task = asyncio.current_task()
        if task is None:  # not in a task (a direct call): nothing to wait for at a stop
            yield
            return
        self._jobs.add(task)
        try:
            yield
        finally:
            self._jobs.discard(task)

    async def _tick(self) -> None:
        async with self._tick_lock:
            self.stats.ticks += 1
            if self._reload_requested or (self.watch and self.runtime.changed()):
                self._reload_requested = False
                self.reload()
            now = self.clock()
            self._start_digests(now)
            while self._dispatch(now):  # a backlog: raised the limit; claim again at once
                pass

    def _dispatch(self, now: datetime) -> bool:
        """Claim due sources up to the limit and start them; follow the backlog with the limit.
        True when the limit was raised and there is room to claim more."""
        hosts = self.runtime.hosts
        busy = {h for ids in self._crawls.values() for i in ids for h in hosts.get(i, ())}
        in_flight = sum(len(ids) for ids in self._crawls.values())
        room = self.limit - in_flight
        if room <= 0:  # at the limit: whether sources wait is known once a crawl finishes
            return False
        claimed = self.schedule.claim_sources(
            self.config, hosts, limit=room, busy_hosts=busy, now=now
        )
        # Every slot taken: more may be due than the limit lets start (a backlog). Otherwise
        # (room left, or nothing was due) the limit follows what is in flight back down.
        backlog = len(claimed) == room
        raised = False
        if backlog and self.limit < self.max_concurrency:
            self.limit = min(self.max_concurrency, 2 * self.limit)
            raised = True
        elif not backlog:
            self.limit = max(self.concurrency, min(self.limit, in_flight + len(claimed)))
        if not claimed:
            return raised
        self.stats.peak_concurrency = max(self.stats.peak_concurrency, in_flight + len(claimed))
        self.stats.dispatches.append((in_flight, len(claimed), self.limit))
        lags = [max((now - due).total_seconds(), 0.0) for _, due in claimed]
        self.stats.lags.extend(lags)
        self.stats.max_lag = max(self.stats.max_lag, *lags)
        log.info(
            "dispatch: %d crawls, lag %.1f s, in flight %d, limit %d",
            len(claimed),
            max(lags),
            in_flight + len(claimed),
            self.limit,
        )
        ids = [source_id for source_id, _ in claimed]
        task = asyncio.create_task(self._crawl(ids), name=f"crawl {','.join(ids[:3])}")
        self._crawls[task] = ids
        task.add_done_callback(self._crawl_done)
        return raised

    def _dispatch_soon(self) -> None:
        """A crawl finished, freeing a slot and its hosts: dispatch now, not at the next tick
        (one such dispatch at a time, repeated while crawls keep finishing during it; the tick
        lock orders it with the ticks). Costs one claim query per finished crawl."""
        self._redispatch = True
        if self._stopping.is_set() or (self._kick is not None and not self._kick.done()):
            return
        self._kick = asyncio.get_running_loop().create_task(self._dispatch_now(), name="dispatch")

    async def _dispatch_now(self) -> None:
        try:
            while self._redispatch and not self._stopping.is_set():
                self._redispatch = False
                async with self._tick_lock:
                    now = self.clock()
                    while self._dispatch(now):
                        pass
        except DatabaseUnavailable as exc:
            self._database_lost(exc)

    async def _crawl(self, ids: list[str]) -> object:
        results = await crawl_sources(
            self.config,
            self.db,
            ids,
            schedule=self.schedule,
            fetcher=self.runtime.fetcher,
        )
        for source_id, failed, new in results:
            self.stats.crawls += 1
            self.stats.crawl_failures += int(failed)
            log.info("crawled %s: %s, %d new", source_id, "FAILED" if failed else "ok", new)
        return results

    def _crawl_done(self, task: asyncio.Task[object]) -> None:
        ids = self._crawls.pop(task, [])
        self._dispatch_soon()
        if task.cancelled():
            with contextlib.suppress(DatabaseUnavailable):  # logged already; due when back
                self.schedule.release(ids)
            return
        exc = task.exception()
        if isinstance(exc, DatabaseUnavailable):
            self._database_lost(exc)
        elif exc is not None:
            log.error("crawl of %s crashed: %r; retrying later", ", ".join(ids), exc)
            try:
                self.schedule.release(ids, at=self.clock() + timedelta(minutes=1))
            except DatabaseUnavailable as lost:
                self._database_lost(lost)

    async def _maintain(self) -> None:
        """Retention (:func:`crawler.app.jobs.maintain`), off the event loop."""
        if self._stopping.is_set():
            return
        with self._running_job():
            try:
                await asyncio.to_thread(maintain, self.config, self.db)
            except DatabaseUnavailable as exc:
                self._database_lost(exc)
            except Exception as exc:  # the next hour tries again
                log.error("maintenance failed: %r", exc)

    def _start_digests(self, now: datetime) -> None:
        if self._digests is not None and not self._digests.done():
            return
        if not self.config.subscribers:
            return
        due = self.schedule.claim_subscribers(self.config, lease=DIGEST_LEASE, now=now)
        if not due:
            return
        ids = [d.subscriber_id for d in due]
        self._digests = asyncio.create_task(self._send(ids), name="digests")

    async def _send(self, ids: list[str]) -> object:
        self.stats.digest_runs += 1
        try:
            report = await send_due_digests(
                self.config, self.db, ids, schedule=self.schedule, retry_after=DIGEST_RETRY
            )
        except asyncio.CancelledError:
            with contextlib.suppress(DatabaseUnavailable):
                self._retry_digests(ids, timedelta(0))
            raise
        except DatabaseUnavailable as exc:
            self._database_lost(exc)
            return None
        except Exception as exc:
            log.error("sending digests to %s failed: %r; retrying later", ", ".join(ids), exc)
            self._retry_digests(ids, DIGEST_RETRY)
            return None
        if report is not None:
            log.info("digests: %s", report.totals())
        return report

    def _retry_digests(self, ids: list[str], after: timedelta) -> None:
        for subscriber_id in ids:
            self.schedule.retry_digest(subscriber_id, at=self.clock() + after)

    # ------------------------------------------------------------------ signals

    def _on_stop_signal(self, signum: int) -> None:
        self._signals += 1
        if self._signals == 1:
            log.warning(
                "%s: finishing in-flight work (up to %.0f s); signal again to exit at once",
                signal.Signals(signum).name,
                self.grace,
            )
            self._stopping.set()
            return
        log.warning("second signal: exiting now")
        with contextlib.suppress(Exception):
            self.schedule.release([i for ids in self._crawls.values() for i in ids])
        logging.shutdown()
        os._exit(EXIT_IMMEDIATE)

    def _on_hup(self) -> None:
        log.info("SIGHUP: reloading the config at the next tick")
        self._reload_requested = True

    def request_stop(self) -> None:
        """Stop as the first SIGTERM would (for embedding and tests)."""
        self._stopping.set()

    # ------------------------------------------------------------------ the run

    async def run(self, *, install_signals: bool = True) -> int:
        """Run until stopped; return the exit status (0; 3 when the database went away)."""
        loop = asyncio.get_running_loop()
        self.runtime.sync()  # DatabaseUnavailable at start: the caller's to report
        if self.on_started is not None:
            self.on_started()
        if install_signals:
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, self._on_stop_signal, signum)
            loop.add_signal_handler(signal.SIGHUP, self._on_hup)
        scheduler = AsyncIOScheduler(event_loop=loop, timezone="UTC")
        scheduler.add_job(
            self.tick,
            IntervalTrigger(seconds=self.tick_seconds, timezone="UTC"),
            id="dispatch",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            next_run_time=utcnow(),
        )
        scheduler.add_job(
            self._maintain,
            IntervalTrigger(seconds=MAINTAIN_EVERY.total_seconds(), timezone="UTC"),
            id="maintain",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            # A minute in, then hourly: a daemon restarted more often than hourly still prunes.
            next_run_time=utcnow() + timedelta(minutes=1),
        )
        scheduler.start()
        log.info(
            "running: %d sources, %d subscribers, tick %.1f s, concurrency %d (up to %d)",
            len(self.config.sources),
            len(self.config.subscribers),
            self.tick_seconds,
            self.concurrency,
            self.max_concurrency,
        )
        try:
            await self._stopping.wait()
        finally:
            await self._end_jobs(scheduler)
            scheduler.shutdown(wait=False)
            await self._drain()
            if self._kick is not None:
                await asyncio.wait([self._kick], timeout=5)
            await self.runtime.aclose()
            if install_signals:
                for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                    loop.remove_signal_handler(signum)
        if self.lost is not None:
            return EXIT_UNAVAILABLE
        log.info("stopped")
        return 0

    async def _end_jobs(self, scheduler: AsyncIOScheduler) -> None:
        """No new job starts; a job submitted just before the stop starts (and sees it), and
        the jobs running end within ``grace``, so the scheduler's shutdown cancels none."""
        scheduler.pause()
        await asyncio.sleep(0)
        if self._jobs:
            await asyncio.wait(set(self._jobs), timeout=self.grace)

    async def _drain(self) -> None:
        """Let in-flight work finish within ``grace``; cancel and hand back the rest."""
        pending: set[asyncio.Task[object]] = set(self._crawls)
        if self._digests is not None and not self._digests.done():
            pending.add(self._digests)
        if not pending:
            return
        _, late = await asyncio.wait(pending, timeout=self.grace)
        for task in late:
            task.cancel()
        if late:
            log.warning("abandoned %d unfinished jobs; they are due again", len(late))
            await asyncio.wait(late, timeout=5)
