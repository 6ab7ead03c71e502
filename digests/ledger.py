"""The deliveries ledger: one row per (subscriber, period), the guard that sends each digest once.

Life of a row::

    (none) --create: pending, attempts=1--> SMTP --accepted--> mark_sent: sent
                                              |--refused (5xx)--> mark_failed: failed
                                              '--4xx, down------> record_error: pending
    pending (a later run) --begin_attempt: attempts+1--> SMTP --> ... as above

- The row is written (committed) before the SMTP transaction and marked ``sent`` after, so a
  rerun never sends a ``sent`` period again, and resends a ``pending`` one (never skipped).
- A resend carries the same window and ``Message-ID``. The one unavoidable gap (the server
  accepted, we crashed before committing ``sent``) therefore shows up as a duplicate with the
  same ``Message-ID``, which mail clients fold together.
- ``begin_attempt`` is a compare-and-set on ``attempts``: of two senders racing for one row,
  one wins.
"""

from __future__ import annotations

__all__ = [
    "FAILED",
    "PENDING",
    "SENT",
    "DeliveryRow",
    "begin_attempt",
    "create",
    "existing",
    "last_sent_ends",
    "mark_failed",
    "mark_sent",
    "record_error",
    "unsubscribed",
]

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, tuple_, update
from sqlalchemy.exc import IntegrityError

from crawler.db import Database
from crawler.models import Delivery, SubscriberState

PENDING = "pending"
SENT = "sent"
FAILED = "failed"
_ERROR_LIMIT = 2000


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    id: int
    subscriber_id: str
    period: str
    status: str
    window_start: datetime
    window_end: datetime
    attempts: int
    message_id: str | None
    error: str | None
    sent_at: datetime | None

    @classmethod
    def of(cls, row: Delivery) -> DeliveryRow:
        return cls(row.id, row.subscriber_id, row.period, row.status, row.window_start,
                   row.window_end, row.attempts, row.message_id, row.error, row.sent_at)


def existing(db: Database, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], DeliveryRow]:
    """The rows for these (subscriber id, period) pairs that exist."""
    keys = list(keys)
    found: dict[tuple[str, str], DeliveryRow] = {}
    with db.session() as session:
        for chunk in range(0, len(keys), 500):
            part = keys[chunk:chunk + 500]
            pair = tuple_(Delivery.subscriber_id, Delivery.period)
            query = select(Delivery).where(pair.in_(part))
            for row in session.scalars(query):
                found[(row.subscriber_id, row.period)] = DeliveryRow.of(row)
    return found


def last_sent_ends(db: Database, ids: Iterable[str]) -> dict[str, list[datetime]]:
    """Per subscriber, the window ends of their sent digests, ascending."""
    out: dict[str, list[datetime]] = {}
    ids = list(ids)
    with db.session() as session:
        for chunk in range(0, len(ids), 500):
            query = (
                select(Delivery.subscriber_id, Delivery.window_end)
                .where(Delivery.subscriber_id.in_(ids[chunk:chunk + 500]),
                       Delivery.status == SENT)
                .order_by(Delivery.subscriber_id, Delivery.window_end)
            )
            for sid, end in session.execute(query):
                out.setdefault(sid, []).append(end)
    return out


def unsubscribed(db: Database, ids: Iterable[str]) -> set[str]:
    ids = list(ids)
    found: set[str] = set()
    with db.session() as session:
        for chunk in range(0, len(ids), 500):
            query = select(SubscriberState.id).where(
                SubscriberState.id.in_(ids[chunk:chunk + 500]),
                SubscriberState.unsubscribed.is_(True),
            )
            found.update(session.scalars(query))
    return found


def create(
    db: Database, *, subscriber_id: str, period: str, window_start: datetime,
    window_end: datetime, message_id: str, story_count: int, now: datetime,
) -> tuple[DeliveryRow, bool]:
    """Insert the pending row with its first attempt claimed: ``(row, True)``; or, if another
    run inserted it first, ``(that row, False)`` (claim an attempt with :func:`begin_attempt`)."""
    try:
        with db.session() as session:
            row = Delivery(
                subscriber_id=subscriber_id, period=period, window_start=window_start,
                window_end=window_end, status=PENDING, message_id=message_id,
                story_count=story_count, attempts=1, created_at=now,
            )
            session.add(row)
            session.flush()
            return DeliveryRow.of(row), True
    except IntegrityError:
        with db.session() as session:
            found = session.scalars(
                select(Delivery).where(Delivery.subscriber_id == subscriber_id,
                                       Delivery.period == period)
            ).one()
            return DeliveryRow.of(found), False


def begin_attempt(db: Database, row: DeliveryRow) -> bool:
    """Claim the next attempt at ``row``; False if another sender changed it meanwhile."""
    with db.session() as session:
        result = session.execute(
            update(Delivery)
            .where(Delivery.id == row.id, Delivery.attempts == row.attempts,
                   Delivery.status == PENDING)
            .values(attempts=Delivery.attempts + 1)
        )
        return result.rowcount == 1


def mark_sent(
    db: Database, row: DeliveryRow, *, sent_at: datetime, email: str,
    next_digest_at: datetime | None,
) -> None:
    """The server accepted the digest: close the row, note it on the subscriber."""
    with db.session() as session:
        session.execute(
            update(Delivery).where(Delivery.id == row.id)
            .values(status=SENT, sent_at=sent_at, error=None)
        )
        state = session.get(SubscriberState, row.subscriber_id)
        if state is None:
            state = SubscriberState(id=row.subscriber_id, unsubscribed=False)
            session.add(state)
        state.email = email
        state.last_digest_at = sent_at
        state.next_digest_at = next_digest_at


def record_error(db: Database, row: DeliveryRow, error: str) -> None:
    """A transient failure: keep the row pending (the next run retries), remember why."""
    with db.session() as session:
        session.execute(
            update(Delivery).where(Delivery.id == row.id, Delivery.status == PENDING)
            .values(error=error[:_ERROR_LIMIT])
        )


def mark_failed(db: Database, row: DeliveryRow, error: str) -> None:
    """The server refused for good: the period is closed as failed (not retried)."""
    with db.session() as session:
        session.execute(
            update(Delivery).where(Delivery.id == row.id)
            .values(status=FAILED, error=error[:_ERROR_LIMIT])
        )

