"""The politeness state of each host (``host:port``): a :class:`Slot` per host, kept in
:class:`HostStates`.

A slot holds what the fetcher (:mod:`crawler.fetch.client`, whose docstring gives the rules) knows
of a host: its concurrency bound, the spacing of its requests and the throttled delay, its back-off
after 429/503 or after requests it did not answer, and its parsed robots.txt. A long-running
process (the daemon, a distributed worker) keeps one :class:`HostStates` across its crawl
passes, so that all of this holds from one pass to the next; a host no request asked for in
:data:`SLOT_IDLE_SECONDS` is dropped.
"""

from __future__ import annotations

__all__ = [
    "HOST_DOWN_AFTER",
    "HOST_DOWN_SECONDS",
    "MAX_THROTTLE_DELAY",
    "ROBOTS_TTL",
    "SLOT_IDLE_SECONDS",
    "SLOT_SWEEP_SECONDS",
    "HostStates",
    "Slot",
    "slot_key",
]

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from protego import Protego

    from crawler.base.config import FetchSettings

ROBOTS_TTL = 24 * 3600.0  # seconds a parsed robots.txt is trusted
MAX_THROTTLE_DELAY = 60.0  # the throttled delay never grows past this
SLOT_IDLE_SECONDS = ROBOTS_TTL  # a host's state unused this long is dropped
SLOT_SWEEP_SECONDS = 3600.0  # how often HostStates looks for such hosts
# A host that did not answer this many requests in a row (no connection, or no whole response
# within the deadline) is not asked again for HOST_DOWN_SECONDS: its other requests fail at once,
# where each would wait for the deadline in turn (minutes, on a backfill of a host that died
# mid-crawl), and a struggling server gets a rest.
HOST_DOWN_AFTER = 5
HOST_DOWN_SECONDS = 300.0


def slot_key(url: str) -> str:
    """Politeness is per server: host, plus the port when it is not the scheme's default."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port else host


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
    retune: bool = False  # take concurrency and floor afresh from the next request's settings
    used: float = field(default_factory=time.monotonic)  # when a request last asked for it
    unanswered: int = 0  # requests in a row that got no answer
    down_until: float = 0.0  # not asked before this (see HOST_DOWN_AFTER)
    down_because: str = ""

    def __post_init__(self) -> None:
        self.delay = max(self.delay, self.floor)

    def down_for(self) -> float:
        """Seconds the host is still not asked (0: it is)."""
        return max(0.0, self.down_until - time.monotonic())

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

    def throttle(self, latency: float, *, ok: bool) -> None:
        """AutoThrottle: move the delay halfway towards latency / concurrency (module docstring)."""
        target = latency / self.concurrency
        new = min(max((self.delay + target) / 2, self.floor), MAX_THROTTLE_DELAY)
        if ok or new > self.delay:
            self.delay = new


class HostStates:
    """The politeness state of each host (:class:`Slot`), shared by the fetchers that use it.

    Its slots hold asyncio primitives, which belong to one event loop: used from another loop
    (a new ``asyncio.run``), it starts afresh rather than fail."""

    def __init__(self) -> None:
        self._slots: dict[str, Slot] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._next_sweep = time.monotonic() + SLOT_SWEEP_SECONDS

    def __len__(self) -> int:
        return len(self._slots)

    def get(self, host: str) -> Slot | None:
        return self._slots.get(host)

    def reconfigure(self) -> None:
        """The fetch settings changed (a config reload): each host's concurrency bound and delay
        floor are taken afresh from its next request's settings, a lower floor included (the
        throttled delay then comes down with the responses). Robots.txt and back-off stay."""
        for slot in self._slots.values():
            slot.retune = True

    def slot(self, host: str, settings: FetchSettings) -> Slot:
        """The host's slot, created with ``settings`` the first time; sources sharing a host
        share its slot, and the most polite delay floor wins."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._slots, self._loop = {}, loop
        now = time.monotonic()
        if now >= self._next_sweep:
            self._forget_idle(now)
        slot = self._slots.get(host)
        if slot is None:
            slot = Slot(
                concurrency=settings.per_host_concurrency,
                floor=settings.per_host_delay,
                semaphore=asyncio.Semaphore(settings.per_host_concurrency),
            )
            self._slots[host] = slot
        elif slot.retune:
            slot.retune = False
            if settings.per_host_concurrency != slot.concurrency:
                # Requests in flight release the old semaphore; new ones take the new bound.
                slot.concurrency = settings.per_host_concurrency
                slot.semaphore = asyncio.Semaphore(settings.per_host_concurrency)
            slot.floor = settings.per_host_delay
            slot.delay = max(slot.delay, slot.floor)
        elif settings.per_host_delay > slot.floor:
            slot.floor = settings.per_host_delay
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
