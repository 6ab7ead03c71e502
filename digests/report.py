"""What a digest job reports: one :class:`SubscriberResult` per subscriber, with its status,
gathered in a :class:`BuildReport` (``digest build``) or a :class:`SendReport` (``digest send``
and ``digest resend``), whose ``rows()`` and ``summary_rows()`` feed the CLI's tables and whose
counts the scheduler logs.

The values every step of the jobs produces (:mod:`digests.pipeline`, :mod:`digests.sending`,
:mod:`digests.resend`), kept apart from the steps so each can import them without a cycle.
"""

from __future__ import annotations

__all__ = [
    "ALREADY_SENT",
    "BUILT",
    "DRY_RUN",
    "FAILED",
    "PAUSED",
    "SENT",
    "SKIPPED_EMPTY",
    "UNKNOWN",
    "UNSUBSCRIBED",
    "BuildReport",
    "SendReport",
    "SubscriberResult",
]

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

SENT = "sent"
SKIPPED_EMPTY = "skipped_empty"
ALREADY_SENT = "already_sent"
FAILED = "failed"
UNKNOWN = "unknown"  # the outcome of a delivery is in doubt (sending, or unknown in the ledger)
UNSUBSCRIBED = "unsubscribed"
PAUSED = "paused"  # the reader paused their digest on the preferences page
DRY_RUN = "dry_run"
BUILT = "built"
_HEADERS = ("subscriber", "period", "status", "stories", "detail")


@dataclass(frozen=True, slots=True)
class SubscriberResult:
    """What happened to one subscriber in a run."""

    subscriber_id: str
    period: str
    # built | sent | dry_run | skipped_empty | already_sent | failed | unknown | unsubscribed
    # | paused
    status: str
    stories: int = 0
    detail: str = ""  # error text, file names, or a note

    def row(self) -> tuple[str, str, str, str, str]:
        return (self.subscriber_id, self.period, self.status, str(self.stories), self.detail)


@dataclass
class _Report:
    results: list[SubscriberResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    archive_dir: Path | None = None

    headers = _HEADERS

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    def rows(self) -> list[tuple[str, str, str, str, str]]:
        """One row per subscriber: subscriber, period, status, stories, detail."""
        return [r.row() for r in self.results]

    def totals(self) -> dict[str, int]:
        return dict(Counter(r.status for r in self.results))


@dataclass
class BuildReport(_Report):
    out_dir: Path | None = None

    @property
    def built(self) -> int:
        return self.count(BUILT)

    def summary_rows(self) -> list[tuple[str, int]]:
        return [
            ("built", self.built),
            ("skipped empty", self.count(SKIPPED_EMPTY)),
            ("unsubscribed", self.count(UNSUBSCRIBED)),
            ("paused", self.count(PAUSED)),
        ]


@dataclass
class SendReport(_Report):
    dry_run: bool = False

    @property
    def sent(self) -> int:
        return self.count(SENT)

    @property
    def skipped_empty(self) -> int:
        return self.count(SKIPPED_EMPTY)

    @property
    def already_sent(self) -> int:
        return self.count(ALREADY_SENT)

    @property
    def failed(self) -> int:
        return self.count(FAILED)

    @property
    def unknown(self) -> int:
        return self.count(UNKNOWN)

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.unknown == 0

    def summary_rows(self) -> list[tuple[str, int]]:
        rows = [
            ("sent", self.sent),
            ("skipped empty", self.skipped_empty),
            ("already sent", self.already_sent),
            ("failed", self.failed),
            ("outcome unknown", self.unknown),
            ("unsubscribed", self.count(UNSUBSCRIBED)),
            ("paused", self.count(PAUSED)),
        ]
        if self.dry_run:
            rows.insert(0, ("would send (dry run)", self.count(DRY_RUN)))
        return rows
