"""The one writer of the ``subscribers`` table (:class:`~crawler.base.models.SubscriberState`).

What the database knows of a subscriber beyond subscribers.yaml (their next and last digest,
their unsubscribe) is changed here and nowhere else (``tests/digests/test_subscribers.py`` holds
the code to it); anything may read it. Every change a subscriber's row can see:

- :func:`sync`: a row for every configured subscriber, its e-mail kept current, its next digest
  moved to a slot of its (edited) schedule (the schedule's sync, in its transaction);
- :func:`claim_due`: due rows leased (``next_digest_at`` moves a lease ahead) in the transaction
  that reads them, ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two dispatchers never hand out
  one digest twice;
- :func:`set_next_digest` (after a digest went out, or was found sent) and :func:`retry_at`
  (one that could not go out now);
- :func:`record_sent`: the ledger's 250, in the ledger's transaction;
- :func:`unsubscribe` (the web's one-click link and form) and :func:`resubscribe`
  (``citydigest subscribers resubscribe``).

When a digest falls due is the app's cadence maths (``crawler.app.cadence``), which this floor
does not import: the times, and the slot test :func:`sync` needs, are passed in.
"""

from __future__ import annotations

__all__ = [
    "Resubscribed",
    "claim_due",
    "record_sent",
    "resubscribe",
    "retry_at",
    "set_next_digest",
    "sync",
    "unsubscribe",
]

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.base.config import Subscriber
from crawler.base.db import Database
from crawler.base.models import SubscriberState, utcnow


def sync(
    session: Session,
    subscribers: Sequence[Subscriber],
    *,
    now: datetime,
    next_slot: Callable[[Subscriber], datetime],
    is_slot: Callable[[Subscriber, datetime], bool],
) -> None:
    """Give every configured subscriber a row, in ``session``'s transaction: a new one due at
    ``next_slot(subscriber)``; a known one gets its current e-mail, and ``next_slot`` when it has
    no time or its future time is no longer a slot of its (edited) schedule."""
    rows = {s.id: s for s in session.scalars(select(SubscriberState))}
    for subscriber in subscribers:
        row = rows.get(subscriber.id)
        if row is None:
            session.add(
                SubscriberState(
                    id=subscriber.id,
                    email=subscriber.email,
                    unsubscribed=False,
                    next_digest_at=next_slot(subscriber),
                )
            )
            continue
        row.email = subscriber.email
        due = row.next_digest_at
        if due is None or (due > now and not is_slot(subscriber, due)):
            row.next_digest_at = next_slot(subscriber)


def claim_due(
    db: Database, configured: Collection[str], *, lease: timedelta, now: datetime
) -> list[tuple[str, datetime]]:
    """Lease the subscribed rows among ``configured`` whose digest is due (``next_digest_at``
    moves ``lease`` past ``now``) until :func:`set_next_digest` or :func:`retry_at`.
    Returns ``(subscriber id, when it was due)``, most overdue first."""
    claimed: list[tuple[str, datetime]] = []
    with db.session() as session:
        query = (
            select(SubscriberState)
            .where(SubscriberState.next_digest_at <= now)
            .where(SubscriberState.unsubscribed.is_(False))
            .order_by(SubscriberState.next_digest_at)
        )
        if not db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        for row in session.scalars(query):
            if row.id not in configured or row.next_digest_at is None:
                continue
            claimed.append((row.id, row.next_digest_at))
            row.next_digest_at = now + lease
    return claimed


def set_next_digest(db: Database, subscriber: Subscriber, at: datetime) -> None:
    """``subscriber``'s next digest is due ``at`` (a row made if it has none)."""
    with db.session() as session:
        row = session.get(SubscriberState, subscriber.id)
        if row is None:
            row = SubscriberState(id=subscriber.id, email=subscriber.email, unsubscribed=False)
            session.add(row)
        row.next_digest_at = at


def retry_at(db: Database, subscriber_id: str, at: datetime) -> None:
    """A digest that could not go out now (or was abandoned): due again ``at``; a subscriber
    without a row is left without one."""
    with db.session() as session:
        row = session.get(SubscriberState, subscriber_id)
        if row is not None:
            row.next_digest_at = at


def record_sent(
    session: Session,
    subscriber_id: str,
    *,
    email: str,
    sent_at: datetime,
    next_digest_at: datetime | None,
) -> None:
    """A digest to ``email`` was accepted at ``sent_at``, in ``session``'s transaction (the
    ledger's, which closes the delivery row in it): noted on the subscriber's row (made if
    missing), with the next digest's time when given."""
    row = session.get(SubscriberState, subscriber_id)
    if row is None:
        row = SubscriberState(id=subscriber_id, unsubscribed=False)
        session.add(row)
    row.email = email
    row.last_digest_at = sent_at
    if next_digest_at is not None:
        row.next_digest_at = next_digest_at


def unsubscribe(db: Database, subscriber_id: str, *, at: datetime | None = None) -> bool:
    """Store the unsubscribe of ``subscriber_id`` at ``at`` (now by default; it wins over
    subscribers.yaml until the operator re-subscribes it). False if it was unsubscribed
    already."""
    at = at or utcnow()
    with db.session() as session:
        row = session.get(SubscriberState, subscriber_id)
        if row is None:
            row = SubscriberState(id=subscriber_id, unsubscribed=False)
            session.add(row)
        if row.unsubscribed:
            return False
        row.unsubscribed = True
        row.unsubscribed_at = at
        return True


@dataclass(frozen=True)
class Resubscribed:
    """A stored unsubscribe undone; when it had been made (None if the row does not say)."""

    unsubscribed_at: datetime | None


def resubscribe(
    db: Database, subscriber_id: str, *, next_digest_at: datetime
) -> Resubscribed | None:
    """Undo the stored unsubscribe of ``subscriber_id``: it gets digests again from
    ``next_digest_at`` (its next slot: no burst of a digest that fell due while it was
    unsubscribed). None if it was not unsubscribed."""
    with db.session() as session:
        row = session.get(SubscriberState, subscriber_id)
        if row is None or not row.unsubscribed:
            return None
        done = Resubscribed(row.unsubscribed_at)
        row.unsubscribed = False
        row.unsubscribed_at = None
        row.next_digest_at = next_digest_at
        return done
