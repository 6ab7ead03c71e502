"""The deliveries ledger: one row per (subscriber, period), the guard that sends each digest at
most once unless an operator (or a configured wait) asks for another copy.

SMTP cannot give exactly once: after the message's final ``.`` is on the wire, only the server's
250 says it was taken, and a timeout, a dropped connection or our own crash can come between.
The ledger therefore records *when* that moment is reached, so that no copy is sent again
blindly::

    (none) --create: attempts=1--> pending
    pending --MAIL, RCPT accepted--> mark_sending: sending (committed), then DATA
    pending --4xx, unreachable, timeout before DATA (record_error)--> pending
    pending --5xx to MAIL or RCPT (mark_failed)--> failed
    sending --250 to the message (mark_sent)--> sent
    sending --4xx to DATA or to the message, no 354 within smtp.timeout (record_error)--> pending
    sending --5xx to DATA or to the message (mark_failed)--> failed
    sending --message written, no reply to it within smtp.data_timeout (mark_unknown)--> unknown
    sending --the run died (kill, crash); found by a later run (stale_sending)--> unknown
    pending (a later run of the same period: begin_attempt, attempts+1) --> as pending above
    unknown (`digest resend`, or smtp.unknown_resend_after since attempted_at: resend,
            attempts+1) --> as pending above, but a failure before DATA leaves it unknown

- ``pending``: no copy can have been delivered; the next run of the same period retries it.
- ``sending`` is committed after the server accepted MAIL and RCPT and before DATA; its
  ``attempted_at`` says when. A run that dies between that commit and DATA leaves a row that
  looks the same as one that died after DATA: it is treated as ``unknown`` too (conservative:
  one digest may wait for an operator rather than arrive twice).
- A later run leaves a ``sending`` row alone while its attempt may still be alive
  (``smtp.timeout`` + ``smtp.data_timeout`` and a minute: the two replies DATA waits for, and
  the commits around them); after that :func:`stale_sending` makes it ``unknown``.
- ``unknown``: the server may or may not have the message (it was written, no reply to it was
  read; a timeout waiting for the ``354`` is not this: the message was never written, and the
  row goes back to ``pending``). No run sends it again until
  :func:`resend` claims it (the ``digest resend`` command, or a send run once
  ``smtp.unknown_resend_after`` has passed since ``attempted_at``). ``citydigest status`` lists
  every ``sending`` and ``unknown`` row.
- ``sent`` and ``failed`` are final.
- A resend carries the same window and ``Message-ID``, so a digest that did arrive twice is one
  message to mail clients that fold by ``Message-ID``.
- Every change after the claim is a compare-and-set on ``attempts``: of two runs racing for a
  row, one claims it; a run whose claim was overtaken before DATA (:func:`mark_sending` returns
  False) withdraws without sending.
"""

from __future__ import annotations

__all__ = [
    "FAILED",
    "IN_DOUBT",
    "PENDING",
    "SENDING",
    "SENT",
    "UNKNOWN",
    "DeliveryRow",
    "begin_attempt",
    "create",
    "existing",
    "in_doubt",
    "last_sent_ends",
    "mark_failed",
    "mark_sending",
    "mark_sent",
    "mark_unknown",
    "record_error",
    "resend",
    "stale_sending",
    "unsubscribed",
]

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, tuple_, update
from sqlalchemy.exc import IntegrityError

from crawler.base.db import Database
from crawler.base.models import Delivery, SubscriberState
from digests import subscribers

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
UNKNOWN = "unknown"
FAILED = "failed"
IN_DOUBT = (SENDING, UNKNOWN)  # the server may have the message: never resent blindly
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
    attempted_at: datetime | None = None

    @classmethod
    def of(cls, row: Delivery) -> DeliveryRow:
        return cls(
            row.id,
            row.subscriber_id,
            row.period,
            row.status,
            row.window_start,
            row.window_end,
            row.attempts,
            row.message_id,
            row.error,
            row.sent_at,
            row.attempted_at,
        )


def existing(db: Database, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], DeliveryRow]:
    """The rows for these (subscriber id, period) pairs that exist."""
    keys = list(keys)
    found: dict[tuple[str, str], DeliveryRow] = {}
    with db.session() as session:
        for chunk in range(0, len(keys), 500):
            part = keys[chunk : chunk + 500]
            pair = tuple_(Delivery.subscriber_id, Delivery.period)
            query = select(Delivery).where(pair.in_(part))
            for row in session.scalars(query):
                found[(row.subscriber_id, row.period)] = DeliveryRow.of(row)
    return found


def in_doubt(db: Database, ids: Iterable[str] | None = None) -> list[DeliveryRow]:
    """The ``sending`` and ``unknown`` rows (of these subscribers), oldest attempt first."""
    query = select(Delivery).where(Delivery.status.in_(IN_DOUBT))
    with db.session() as session:
        if ids is None:
            rows = [DeliveryRow.of(r) for r in session.scalars(query)]
        else:
            ids = list(ids)
            rows = []
            for chunk in range(0, len(ids), 500):
                part = query.where(Delivery.subscriber_id.in_(ids[chunk : chunk + 500]))
                rows.extend(DeliveryRow.of(r) for r in session.scalars(part))
    return sorted(rows, key=lambda r: (r.attempted_at or r.window_end, r.subscriber_id, r.period))


def last_sent_ends(db: Database, ids: Iterable[str]) -> dict[str, list[datetime]]:
    """Per subscriber, the window ends of their digests that were or may have been delivered
    (``sent``, ``sending``, ``unknown``), ascending: the next window starts at the last one, so
    a digest in doubt is not repeated inside the next (it is re-sent with its own window)."""
    out: dict[str, list[datetime]] = {}
    ids = list(ids)
    with db.session() as session:
        for chunk in range(0, len(ids), 500):
            query = (
                select(Delivery.subscriber_id, Delivery.window_end)
                .where(
                    Delivery.subscriber_id.in_(ids[chunk : chunk + 500]),
                    Delivery.status.in_((SENT, *IN_DOUBT)),
                )
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
                SubscriberState.id.in_(ids[chunk : chunk + 500]),
                SubscriberState.unsubscribed.is_(True),
            )
            found.update(session.scalars(query))
    return found


def create(
    db: Database,
    *,
    subscriber_id: str,
    period: str,
    window_start: datetime,
    window_end: datetime,
    message_id: str,
    story_count: int,
    now: datetime,
) -> tuple[DeliveryRow, bool]:
    """Insert the pending row with its first attempt claimed: ``(row, True)``; or, if another
    run inserted it first, ``(that row, False)`` (claim an attempt with :func:`begin_attempt`)."""
    try:
        with db.session() as session:
            row = Delivery(
                subscriber_id=subscriber_id,
                period=period,
                window_start=window_start,
                window_end=window_end,
                status=PENDING,
                message_id=message_id,
                story_count=story_count,
                attempts=1,
                created_at=now,
            )
            session.add(row)
            session.flush()
            return DeliveryRow.of(row), True
    except IntegrityError:
        with db.session() as session:
            found = session.scalars(
                select(Delivery).where(
                    Delivery.subscriber_id == subscriber_id, Delivery.period == period
                )
            ).one()
            return DeliveryRow.of(found), False


def _claim(db: Database, row: DeliveryRow, status: str) -> DeliveryRow | None:
    """Compare-and-set: the next attempt at ``row`` if it is still ``status`` with ``attempts``
    as read; the claimed row keeps its status until :func:`mark_sending`."""
    with db.session() as session:
        result = session.execute(
            update(Delivery)
            .where(
                Delivery.id == row.id, Delivery.attempts == row.attempts, Delivery.status == status
            )
            .values(attempts=Delivery.attempts + 1)
        )
        if cast("CursorResult[Any]", result).rowcount != 1:
            return None
    return replace(row, attempts=row.attempts + 1, status=status)


def begin_attempt(db: Database, row: DeliveryRow) -> DeliveryRow | None:
    """Claim the next attempt at a ``pending`` row: the claimed row, or None if another sender
    changed it meanwhile."""
    return _claim(db, row, PENDING)


def resend(db: Database, row: DeliveryRow) -> DeliveryRow | None:
    """Claim an attempt to send an ``unknown`` row again (same window, same ``Message-ID``):
    the claimed row, or None if it is no longer ``unknown`` as ``row`` saw it. Until DATA the
    row stays ``unknown``, so a resend that fails before DATA (or dies) leaves it as it was."""
    return _claim(db, row, UNKNOWN)


def mark_sending(db: Database, row: DeliveryRow, *, now: datetime) -> bool:
    """Commit, just before DATA, that this claim is about to hand the message over; False if
    another run claimed the row since (then send nothing)."""
    with db.session() as session:
        result = session.execute(
            update(Delivery)
            .where(
                Delivery.id == row.id,
                Delivery.attempts == row.attempts,
                Delivery.status.in_((PENDING, SENDING, UNKNOWN)),
            )
            .values(status=SENDING, attempted_at=now)
        )
        return cast("CursorResult[Any]", result).rowcount == 1


def mark_sent(
    db: Database,
    row: DeliveryRow,
    *,
    sent_at: datetime,
    email: str,
    next_digest_at: datetime | None,
) -> None:
    """The server accepted the digest (250): close the row, note it on the subscriber (and its
    next digest, if given). The 250 is the truth whatever the row says now (e.g. a later run
    judged it stale)."""
    with db.session() as session:
        session.execute(
            update(Delivery)
            .where(Delivery.id == row.id)
            .values(status=SENT, sent_at=sent_at, error=None)
        )
        subscribers.record_sent(
            session,
            row.subscriber_id,
            email=email,
            sent_at=sent_at,
            next_digest_at=next_digest_at,
        )


def record_error(db: Database, row: DeliveryRow, error: str) -> None:
    """A failure that delivered nothing (before DATA, or a 4xx reply to it): the row goes back
    to the status the claim found (``pending``: the next run of the period retries it;
    ``unknown`` for a resend: the earlier copy is still in doubt), with why."""
    with db.session() as session:
        session.execute(
            update(Delivery)
            .where(
                Delivery.id == row.id,
                Delivery.attempts == row.attempts,
                Delivery.status.in_((PENDING, SENDING, UNKNOWN)),
            )
            .values(status=row.status, error=error[:_ERROR_LIMIT])
        )


def mark_unknown(db: Database, row: DeliveryRow, error: str) -> None:
    """DATA was sent but no answer read (timeout, connection lost): the server may have it."""
    with db.session() as session:
        session.execute(
            update(Delivery)
            .where(
                Delivery.id == row.id, Delivery.attempts == row.attempts, Delivery.status == SENDING
            )
            .values(status=UNKNOWN, error=error[:_ERROR_LIMIT])
        )


def mark_failed(db: Database, row: DeliveryRow, error: str) -> None:
    """The server refused for good: the period is closed as failed (not retried)."""
    with db.session() as session:
        session.execute(
            update(Delivery)
            .where(
                Delivery.id == row.id,
                Delivery.attempts == row.attempts,
                Delivery.status.in_((PENDING, SENDING, UNKNOWN)),
            )
            .values(status=FAILED, error=error[:_ERROR_LIMIT])
        )


def stale_sending(db: Database, *, before: datetime) -> int:
    """Rows still ``sending`` from an attempt that began before ``before`` (so long ago that no
    live run can still be in its DATA exchange) belong to a run that died: ``unknown``. Returns
    how many were changed."""
    with db.session() as session:
        result = session.execute(
            update(Delivery)
            .where(Delivery.status == SENDING, Delivery.attempted_at < before)
            .values(
                status=UNKNOWN,
                error=(
                    "the run that was sending it stopped (killed or crashed) after committing "
                    "'sending' and before recording the server's answer"
                ),
            )
        )
        return int(cast("CursorResult[Any]", result).rowcount or 0)
