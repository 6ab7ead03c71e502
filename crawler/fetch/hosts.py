"""The politeness state of each host (``host:port``): a :class:`Slot` per host, kept in
:class:`HostStates`.

A slot holds what the fetcher (:mod:`crawler.fetch.client`, whose docstring gives the rules) knows
of a host: its concurrency bound, the spacing of its requests and the throttled delay, its back-off
after 429/503 or after requests it did not answer, and its parsed robots.txt
(:mod:`crawler.fetch.robots` reads it). The fetcher tells the slot what happened (a response and
its latency, a 429, a request unanswered, robots.txt read or not) and asks it for a turn; only the
slot changes its state. A long-running
process (the daemon, a distributed worker) keeps one :class:`HostStates` across its crawl
passes, so that all of this holds from one pass to the next; a host no request asked for in
:data:`SLOT_IDLE_SECONDS` is dropped.
"""

from __future__ import annotations

__all__ = [
    "HOST_DOWN_AFTER",
    "HOST_DOWN_SECONDS",
    "LATE_TURN",
    "MAX_POLITE_WAIT",
    "MAX_THROTTLE_DELAY",
    "ROBOTS_RETRY",
    "ROBOTS_TTL",
    "SLOT_IDLE_SECONDS",
    "SLOT_SWEEP_SECONDS",
    "HostStates",
    "SharedTurns",
    "Slot",
    "slot_key",
]

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from crawler.base.errors import FetchError, HostUnreachable

if TYPE_CHECKING:
    from protego import Protego

    from crawler.base.config.profile import FetchProfile

ROBOTS_TTL = 24 * 3600.0  # seconds a parsed robots.txt is trusted
ROBOTS_RETRY = 600.0  # seconds before retrying an unreadable robots.txt
MAX_POLITE_WAIT = 60.0  # a host that asks to wait longer fails its requests instead
MAX_THROTTLE_DELAY = 60.0  # the throttled delay never grows past this
SLOT_IDLE_SECONDS = ROBOTS_TTL  # a host's state unused this long is dropped
SLOT_SWEEP_SECONDS = 3600.0  # how often HostStates looks for such hosts
# A host that did not answer this many requests in a row (no connection, or no whole response
# within the deadline) is not asked again for HOST_DOWN_SECONDS: its other requests fail at once,
# where each would wait for the deadline in turn (minutes, on a backfill of a host that died
# mid-crawl), and a struggling server gets a rest.
HOST_DOWN_AFTER = 5
HOST_DOWN_SECONDS = 300.0
# A request that reaches its send later than this fraction of the spacing after its turn (a busy
# event loop or machine held it) takes a new turn first: sent late, it would start closer to the
# next request's turn than the spacing.
LATE_TURN = 0.05


def slot_key(url: str) -> str:
    """Politeness is per server: host, plus the port when it is not the scheme's default."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port else host


class SharedTurns(Protocol):
    """The turns of hosts shared by several processes (the distributed runner's workers, whose
    implementation keeps them in PostgreSQL): when a :class:`HostStates` has one, every request
    takes its turn there instead of in its :class:`Slot`, so that the spacing (throttled delay,
    Crawl-delay), a back-off and the concurrency bound of a host hold across the processes, not
    only within each."""

    async def take(self, host: str, *, places: int, spacing: float, url: str) -> object:
        """Wait for one of the host's ``places`` (0: none is taken, as for a redirect hop) and
        for its turn, ``spacing`` seconds after the last request any process started there and
        not before a back-off has passed. Returns the ticket :meth:`give` takes; FetchError
        when the host asks for more than :data:`MAX_POLITE_WAIT` seconds or no place frees in
        as long."""
        ...

    async def late(self, ticket: object, *, spacing: float, url: str) -> None:
        """The request of ``ticket`` is about to go out later than :data:`LATE_TURN` of the
        spacing after its turn: its turn restarts now (the host's next one moves to
        ``spacing`` from now) if no later turn was handed out meanwhile, else it waits for a
        new turn, keeping its place."""
        ...

    async def give(self, ticket: object, *, hold: float) -> None:
        """The request of ``ticket`` ended: its place is free, and the host is not asked again
        for ``hold`` seconds (a back-off this request met; 0: none)."""
        ...


@dataclass
class Slot:
    """Politeness state of one host."""

    concurrency: int
    floor: float
    semaphore: asyncio.Semaphore
    delay: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_at: float = 0.0
    robots: Protego | None = None
    robots_error: str | None = None
    robots_until: float = 0.0
    robots_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    crawl_delay: float = 0.0
    retune: bool = False  # take concurrency and floor afresh from the next request's profile
    used: float = field(default_factory=time.monotonic)  # when a request last asked for it
    unanswered: int = 0  # requests in a row that got no answer
    down_until: float = 0.0  # not asked before this (see HOST_DOWN_AFTER)
    down_because: str = ""
    host: str = ""  # its key (slot_key), for the turns shared with other processes

    def __post_init__(self) -> None:
        self.delay = max(self.delay, self.floor)

    @property
    def spacing(self) -> float:
        """The least time between two request starts: the throttled delay or Crawl-delay."""
        return max(self.delay, self.crawl_delay)

    def down_for(self) -> float:
        """Seconds the host is still not asked (0: it is)."""
        return max(0.0, self.down_until - time.monotonic())

    def check_answering(self, url: str) -> None:
        """Raise HostUnreachable while the host is not asked (see :data:`HOST_DOWN_AFTER`)."""
        if (wait := self.down_for()) > 0:
            raise HostUnreachable(
                f"not asked: the host did not answer {HOST_DOWN_AFTER} requests in a row (the "
                f"last: {self.down_because}); it is asked again in {wait:.0f} s",
                url=url,
            )

    async def wait_turn(self, url: str) -> None:
        """Wait until a request to ``url`` may start, :attr:`spacing` after the one before and
        not before a back-off has passed; FetchError when that is more than
        :data:`MAX_POLITE_WAIT` away (the next run tries again)."""
        async with self.lock:
            now = time.monotonic()
            wait = self.next_at - now
            if wait > MAX_POLITE_WAIT:
                raise FetchError(
                    f"the server asked us to wait {wait:.0f} s more (Retry-After after 429/503); "
                    "try later",
                    url=url,
                )
            if wait > 0:
                await asyncio.sleep(wait)
                now = time.monotonic()
            self.next_at = now + self.spacing

    def held_for(self) -> float:
        """Seconds a back-off still holds the host's next request (0: none), where the turns
        are shared (:class:`SharedTurns`: only :meth:`back_off` moves :attr:`next_at` then)."""
        return max(0.0, self.next_at - time.monotonic())

    def back_off(self, retry_after: float | None) -> None:
        """After a 429 or 503: hold the next request back for ``retry_after`` seconds (the
        server's ``Retry-After``) or, without one, 4 × max(delay, 5 s)."""
        seconds = max(self.delay, 5.0) * 4 if retry_after is None else retry_after
        self.next_at = max(self.next_at, time.monotonic() + seconds)

    def answered(self) -> None:
        self.unanswered = 0

    def not_answered(self, reason: str) -> None:
        """A request got no answer; after :data:`HOST_DOWN_AFTER` in a row the host is left
        alone for :data:`HOST_DOWN_SECONDS`."""
        self.unanswered += 1
        if self.unanswered >= HOST_DOWN_AFTER:
            self.unanswered = 0
            self.down_until = time.monotonic() + HOST_DOWN_SECONDS
            self.down_because = reason

    def robots_due(self) -> bool:
        """Whether robots.txt is to be read (again): not yet known, expired or to be retried."""
        return time.monotonic() >= self.robots_until

    def forget_robots(self) -> None:
        """robots.txt is being read afresh: what was known of it no longer holds."""
        self.robots, self.robots_error, self.crawl_delay = None, None, 0.0

    def robots_read(self, robots: Protego | None, crawl_delay: float) -> None:
        """robots.txt was read (None: there is none, everything is allowed); trusted for
        :data:`ROBOTS_TTL`."""
        self.robots, self.robots_error, self.crawl_delay = robots, None, crawl_delay
        self.robots_until = time.monotonic() + ROBOTS_TTL

    def robots_unreadable(self, reason: str) -> None:
        """robots.txt could not be read: every URL on the host waits for it, and it is tried
        again after :data:`ROBOTS_RETRY`."""
        self.robots, self.robots_error = None, reason
        self.robots_until = time.monotonic() + ROBOTS_RETRY

    def throttle(self, latency: float, *, ok: bool) -> None:
        """AutoThrottle: move the delay halfway towards latency / concurrency (module docstring)."""
        target = latency / self.concurrency
        new = min(max((self.delay + target) / 2, self.floor), MAX_THROTTLE_DELAY)
        if ok or new > self.delay:
            self.delay = new


class HostStates:
    """The politeness state of each host (:class:`Slot`), shared by the fetchers that use it.

    Its slots hold asyncio primitives, which belong to one event loop: used from another loop
    (a new ``asyncio.run``), it starts afresh rather than fail. ``shared``: the turns this
    process shares with others (:class:`SharedTurns`; None: the process is alone)."""

    def __init__(self, shared: SharedTurns | None = None) -> None:
        self.shared = shared
        self._slots: dict[str, Slot] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._next_sweep = time.monotonic() + SLOT_SWEEP_SECONDS

    def __len__(self) -> int:
        return len(self._slots)

    def get(self, host: str) -> Slot | None:
        return self._slots.get(host)

    def reconfigure(self) -> None:
        """The fetch settings changed (a config reload): each host's concurrency bound and delay
        floor are taken afresh from its next request's profile, a lower floor included (the
        throttled delay then comes down with the responses). Robots.txt and back-off stay."""
        for slot in self._slots.values():
            slot.retune = True

    def slot(self, host: str, profile: FetchProfile) -> Slot:
        """The host's slot, created with ``profile``'s concurrency bound and delay floor the
        first time; sources sharing a host share its slot, and the most polite floor wins."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._slots, self._loop = {}, loop
        now = time.monotonic()
        if now >= self._next_sweep:
            self._forget_idle(now)
        slot = self._slots.get(host)
        if slot is None:
            slot = Slot(
                concurrency=profile.per_host_concurrency,
                floor=profile.per_host_delay,
                semaphore=asyncio.Semaphore(profile.per_host_concurrency),
                host=host,
            )
            self._slots[host] = slot
        elif slot.retune:
            slot.retune = False
            if profile.per_host_concurrency != slot.concurrency:
                # Requests in flight release the old semaphore; new ones take the new bound.
                slot.concurrency = profile.per_host_concurrency
                slot.semaphore = asyncio.Semaphore(profile.per_host_concurrency)
            slot.floor = profile.per_host_delay
            slot.delay = max(slot.delay, slot.floor)
        elif profile.per_host_delay > slot.floor:
            slot.floor = profile.per_host_delay
            slot.delay = max(slot.delay, slot.floor)
        slot.used = now
        return slot

    def _forget_idle(self, now: float) -> None:
        """Drop the slots of hosts no request asked for in :data:`SLOT_IDLE_SECONDS`: a daemon
        that runs for months meets hosts it never sees again (articles linked elsewhere,
        redirects), and each slot holds a parsed robots.txt. Such a slot's robots.txt has
        expired and its back-off has passed; a later request starts the host afresh."""
        self._next_sweep = now + SLOT_SWEEP_SECONDS
        for host, slot in list(self._slots.items()):
            if now - slot.used > SLOT_IDLE_SECONDS and now >= max(slot.next_at, slot.down_until):
                del self._slots[host]
