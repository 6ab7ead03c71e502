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
  (``citydigest subscribers resubscribe``);
- :func:`save_preferences` (the reader's "manage subscription" page: cities, provinces,
  themes, kinds, frequency, send time, script, the Monday network, pause) and
  :func:`reset_preferences` (``citydigest subscribers reset``), in the
  ``subscriber_preferences`` table. A stored choice wins over subscribers.yaml as a stored
  unsubscribe does: :func:`with_preferences` is the subscriber every digest job, the schedule
  and ``status`` see.

When a digest falls due is the app's cadence maths (``crawler.app.cadence``), which this floor
does not import: the times, and the slot test :func:`sync` needs, are passed in.
"""

from __future__ import annotations

__all__ = [
    "Preferences",
    "Resubscribed",
    "apply",
    "claim_due",
    "load_preferences",
    "paused",
    "record_sent",
    "reset_preferences",
    "resubscribe",
    "retry_at",
    "save_preferences",
    "set_next_digest",
    "sync",
    "unsubscribe",
    "with_preferences",
]

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.base.config import Subscriber
from crawler.base.db import Database
from crawler.base.models import SubscriberPreferences, SubscriberState, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Preferences:
    """A reader's own choices (the "manage subscription" page), validated before they get here
    (:mod:`digests.preferences`). ``paused``: no digest until they resume; not an unsubscribe."""

    cities: tuple[str, ...]
    provinces: tuple[str, ...]
    themes: tuple[str, ...]
    kinds: tuple[str, ...]
    frequency: str
    weekday: str
    send_at: str
    script: str
    paused: bool = False
    updated_at: datetime | None = None
    monday_network: bool = False  # the Monday daily ends with last week's visit network

    @classmethod
    def of(cls, subscriber: Subscriber) -> Preferences:
        """What subscribers.yaml says, as the page's starting point."""
        flt = subscriber.filter
        return cls(
            cities=flt.cities,
            provinces=flt.provinces,
            themes=flt.themes,
            kinds=tuple(flt.kinds),
            frequency=subscriber.frequency,
            weekday=subscriber.weekday,
            send_at=subscriber.send_at,
            script=subscriber.script,
            monday_network=subscriber.monday_network,
        )

    @classmethod
    def _from_row(cls, row: SubscriberPreferences) -> Preferences:
        return cls(
            cities=tuple(row.cities or ()),
            provinces=tuple(row.provinces or ()),
            themes=tuple(row.themes or ()),
            kinds=tuple(row.kinds or ()),
            frequency=row.frequency,
            weekday=row.weekday,
            send_at=row.send_at,
            script=row.script,
            paused=bool(row.paused),
            updated_at=row.updated_at,
            monday_network=bool(row.monday_network),
        )


def apply(subscriber: Subscriber, prefs: Preferences | None) -> Subscriber:
    """``subscriber`` as the reader set it: their choices over subscribers.yaml's (keywords,
    exclusions, address, zone and the empty-digest rule stay the operator's)."""
    if prefs is None:
        return subscriber
    flt = subscriber.filter.model_copy(
        update={
            "cities": prefs.cities,
            "provinces": prefs.provinces,
            "themes": prefs.themes,
            "kinds": prefs.kinds,
        }
    )
    # Validated again, so a value the config no longer allows (a script or frequency dropped
    # from the model) is an error here rather than a surprise in a template.
    return Subscriber.model_validate(
        subscriber.model_dump()
        | {
            "frequency": prefs.frequency,
            "weekday": prefs.weekday,
            "send_at": prefs.send_at,
            "script": prefs.script,
            "monday_network": prefs.monday_network,
            "filter": flt.model_dump(),
        }
    )


def _applied(subscriber: Subscriber, prefs: Preferences | None) -> Subscriber:
    """:func:`apply`, except that a stored row the subscriber model refuses (edited by hand, or
    a value this version no longer knows) leaves subscribers.yaml in force, with a warning that
    names the row and the way out, rather than stopping every subscriber's digest."""
    try:
        return apply(subscriber, prefs)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        log.warning(
            "subscriber_preferences row of %s is not usable (%s): subscribers.yaml holds for "
            "it; `citydigest subscribers reset %s` clears the row",
            subscriber.id,
            problems,
            subscriber.id,
        )
        return subscriber


def _load(session: Session, ids: Collection[str] | None = None) -> dict[str, Preferences]:
    query = select(SubscriberPreferences)
    if ids is not None:
        query = query.where(SubscriberPreferences.subscriber_id.in_(list(ids)))
    return {row.subscriber_id: Preferences._from_row(row) for row in session.scalars(query)}


def load_preferences(db: Database, ids: Collection[str] | None = None) -> dict[str, Preferences]:
    """The stored choices of ``ids`` (everyone's by default), by subscriber id."""
    with db.session() as session:
        return _load(session, ids)


def with_preferences(db: Database, subscribers: Sequence[Subscriber]) -> list[Subscriber]:
    """``subscribers`` as their readers set them (:func:`apply`)."""
    stored = load_preferences(db, [s.id for s in subscribers])
    return [_applied(s, stored.get(s.id)) for s in subscribers]


def paused(db: Database, ids: Collection[str]) -> set[str]:
    """Which of ``ids`` paused their digest on the preferences page."""
    return {i for i, p in load_preferences(db, ids).items() if p.paused}


def save_preferences(
    db: Database,
    subscriber_id: str,
    prefs: Preferences,
    *,
    next_digest_at: datetime | None,
    at: datetime | None = None,
) -> None:
    """Store the reader's choices (the whole form at once), and their next digest's time when
    the schedule changed (``next_digest_at``: the next slot of the new schedule)."""
    at = at or utcnow()
    with db.session() as session:
        row = session.get(SubscriberPreferences, subscriber_id)
        if row is None:
            row = SubscriberPreferences(subscriber_id=subscriber_id)
            session.add(row)
        row.cities = list(prefs.cities)
        row.provinces = list(prefs.provinces)
        row.themes = list(prefs.themes)
        row.kinds = list(prefs.kinds)
        row.frequency = prefs.frequency
        row.weekday = prefs.weekday
        row.send_at = prefs.send_at
        row.script = prefs.script
        row.paused = prefs.paused
        row.monday_network = prefs.monday_network
        row.updated_at = at
        if next_digest_at is not None:
            state = session.get(SubscriberState, subscriber_id)
            if state is None:
                state = SubscriberState(id=subscriber_id, unsubscribed=False)
                session.add(state)
            state.next_digest_at = next_digest_at


def reset_preferences(
    db: Database, subscriber_id: str, *, next_digest_at: datetime
) -> Preferences | None:
    """Forget the reader's choices: subscribers.yaml holds again, from ``next_digest_at`` (the
    next slot of the configured schedule). Returns what was forgotten, None if nothing was
    stored. A stored unsubscribe is not touched (``resubscribe`` undoes that)."""
    with db.session() as session:
        row = session.get(SubscriberPreferences, subscriber_id)
        if row is None:
            return None
        gone = Preferences._from_row(row)
        session.delete(row)
        state = session.get(SubscriberState, subscriber_id)
        if state is not None:
            state.next_digest_at = next_digest_at
        return gone


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
    no time or its future time is no longer a slot of its (edited) schedule. The schedule is
    the reader's where they set one (:func:`apply`)."""
    rows = {s.id: s for s in session.scalars(select(SubscriberState))}
    stored = _load(session)
    for subscriber in (_applied(s, stored.get(s.id)) for s in subscribers):
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
    """Lease the subscribed, unpaused rows among ``configured`` whose digest is due
    (``next_digest_at`` moves ``lease`` past ``now``) until :func:`set_next_digest` or
    :func:`retry_at`. Returns ``(subscriber id, when it was due)``, most overdue first."""
    claimed: list[tuple[str, datetime]] = []
    with db.session() as session:
        on_hold = {i for i, p in _load(session).items() if p.paused}
        query = (
            select(SubscriberState)
            .where(SubscriberState.next_digest_at <= now)
            .where(SubscriberState.unsubscribed.is_(False))
            .order_by(SubscriberState.next_digest_at)
        )
        if not db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        for row in session.scalars(query):
            if row.id not in configured or row.id in on_hold or row.next_digest_at is None:
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
