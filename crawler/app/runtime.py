"""What both runners' work shares in one process: :class:`Runtime`.

The embedded runner (:class:`~crawler.app.runners.embedded.Daemon`) holds one, and so does every
process of the distributed runner (handed to its tasks through procrastinate's
``additional_context``, never a global). It decides, once for both:

- the config: loaded again when a file of the config directory changed (or when asked, as on
  SIGHUP); an invalid edit is logged and the running config kept; a new database setting needs
  a restart;
- the host index: every host a source touches (its feed's, list pages' and sitemap's,
  :func:`crawler.pipeline.hosts_of`), which the runners keep apart: the embedded runner claims
  no two sources sharing a host at once, the distributed runner locks every host of a crawl;
- the schedule rows of new sources and subscribers (:meth:`Runtime.sync`, once per config);
- the hosts' politeness state (robots.txt, back-off, throttling), kept across the process's
  crawls and retuned when the config changes; a distributed worker shares each host's turns
  and concurrency bound with the other workers (:attr:`HostStates.shared
  <crawler.fetch.hosts.HostStates>`, set by the runner);
- the process's fetcher (:attr:`Runtime.fetcher`: the connection pools per host and their one
  TLS context), built at its first crawl and lent to every later one
  (:meth:`crawler.fetch.client.Fetcher.borrow`) until :meth:`Runtime.aclose`: built per job, its
  TLS context alone was half of a distributed worker's CPU.
"""

from __future__ import annotations

__all__ = ["Runtime", "config_files_state"]

import contextlib
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

import httpx

from crawler.app.cadence import PollPolicy
from crawler.app.schedule import Schedule
from crawler.base.config import Config, load_config
from crawler.base.db import Database
from crawler.base.errors import ConfigError
from crawler.base.models import utcnow
from crawler.fetch.client import Fetcher
from crawler.fetch.hosts import HostStates

log = logging.getLogger("citydigest.runtime")


def config_files_state(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """A fingerprint of the config directory's YAML files (name, size, mtime), to see edits."""
    files = sorted([*directory.glob("*.yaml"), *directory.glob("taxonomy/*.yaml")])
    state = []
    for path in files:
        with contextlib.suppress(OSError):
            stat = path.stat()
            state.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(state)


class Runtime:
    """The config (reloaded on change), database, schedule, host index, politeness and fetcher
    of one process's runner."""

    def __init__(
        self,
        config: Config,
        db: Database,
        policy: PollPolicy | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.config = config
        self.db = db
        self.policy = policy or PollPolicy()
        self.schedule = Schedule(db, self.policy, clock=clock)
        # Robots.txt, back-off and throttling per host, kept across this process's crawls.
        self.politeness = HostStates()
        self.transport = transport  # replaces the network (tests, a replay)
        self._fetcher: Fetcher | None = None
        self._files = config_files_state(config.dir)
        self._hosts: dict[str, frozenset[str]] = {}
        self._synced = False
        self._reload_requested = False
        self._index()

    # ------------------------------------------------------------------ hosts

    def _index(self) -> None:
        from crawler.pipeline import hosts_of

        self._hosts = {s.id: frozenset(hosts_of(s)) for s in self.config.sources}

    @property
    def hosts(self) -> Mapping[str, frozenset[str]]:
        """Every host each configured source touches (feed, list pages, sitemap), by id."""
        return self._hosts

    def hosts_of(self, source_id: str) -> frozenset[str]:
        """Every host a crawl of ``source_id`` touches (none for an unknown source)."""
        return self._hosts.get(source_id, frozenset())

    # ------------------------------------------------------------------ the fetcher

    @property
    def fetcher(self) -> Fetcher:
        """This process's fetcher, built at first use (in the event loop its crawls run in)
        and kept until :meth:`aclose`; each crawl borrows it. A reload keeps it: a pass
        borrows it with the new config's default profile, and a host's pool follows a new
        per-host limit once it was idle (closed after
        :data:`~crawler.fetch.routes.IDLE_ROUTE_SECONDS`)."""
        if self._fetcher is None:
            self._fetcher = Fetcher(
                self.config.default_profile, transport=self.transport, hosts=self.politeness
            )
        return self._fetcher

    async def aclose(self) -> None:
        """Close the fetcher's connections (the process is ending)."""
        fetcher, self._fetcher = self._fetcher, None
        if fetcher is not None:
            await fetcher.aclose()

    # ------------------------------------------------------------------ config

    def changed(self) -> bool:
        """Whether a file of the config directory changed since it was last read."""
        return config_files_state(self.config.dir) != self._files

    def request_reload(self) -> None:
        """Reload at the next :meth:`refresh` whether or not a file changed (SIGHUP: a file
        edited in place within the file system's time resolution, or put back as it was)."""
        log.info("SIGHUP: reloading the config before the next job")
        self._reload_requested = True

    def refresh(self) -> bool:
        """Reload the config if a file changed or a reload was requested (:meth:`reload`);
        False if neither."""
        if self._reload_requested:
            self._reload_requested = False
            return self.reload()
        return self.changed() and self.reload()

    def reload(self) -> bool:
        """Load and validate the config directory again; keep the running config if invalid
        (False). On success the hosts are indexed and retuned afresh, and the schedule rows of
        the new config made at the next :meth:`sync`."""
        self._files = config_files_state(self.config.dir)  # a rejected edit is not retried
        try:
            fresh = load_config(self.config.dir, self.config.overrides)
        except ConfigError as exc:
            log.error("config reload rejected, keeping the running config: %s", exc)
            return False
        if fresh.settings.database != self.config.settings.database:
            log.warning("config reload: a new database setting needs a restart; ignored")
        self.config = fresh
        self.politeness.reconfigure()
        self._index()
        self._synced = False
        log.info(
            "config reloaded: %d sources, %d subscribers",
            len(fresh.sources),
            len(fresh.subscribers),
        )
        return True

    def sync(self) -> None:
        """Give the config's new sources and subscribers their schedule rows (once per
        config)."""
        if not self._synced:
            self.schedule.sync(self.config)
            self._synced = True
