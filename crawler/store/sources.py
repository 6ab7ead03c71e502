"""The one writer of the ``sources`` table (:class:`~crawler.base.models.SourceState`).

A source's row holds its health (when it was last checked, succeeded, failed and how often in a
row, found something new), its schedule (``next_check_at``: when it is due, or until when a
running crawl holds it) and the pass over its list pages that an interruption left owing. Every
change a row can see is made here and nowhere else (``tests/store/test_sources.py`` holds
the code to it); anything may read it:

- :func:`ensure` / :meth:`Sources.ensure_sources`: a row for every configured source, its name
  kept current (the schedule's sync, the crawl's start);
- :meth:`Sources.record_source_result`: one refresh's outcome, its health and, when the caller
  passes its cadence, its next check, in one transaction;
- :meth:`Sources.claim_due`: due rows leased (``next_check_at`` moves a lease ahead) in the
  transaction that reads them, ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two dispatchers
  never hand out one crawl twice; :meth:`Sources.renew` (the running crawl's heartbeat) and
  :meth:`Sources.release` (handed back unfinished);
- :meth:`Sources.begin_list_pass`, :meth:`Sources.owe_list_depth`, :meth:`Sources.end_list_pass`.

When a source is checked next is the app's cadence maths (``crawler.app.cadence``), which this
floor does not import: it is passed in as a function of the health recorded here
(:class:`SourceHealth`). Mixed into :class:`~crawler.store.store.Store`; the schedule uses
:class:`Sources` alone.
"""

from __future__ import annotations

__all__ = ["SourceHealth", "Sources", "ensure"]

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from crawler.base.db import Database
from crawler.base.models import SourceState, utcnow
from crawler.store.fetchlog import insert_fetches

if TYPE_CHECKING:  # the analysis worker that writes imports the store, not the config loader
    from crawler.base.config import Source
    from crawler.fetch.response import FetchRecord


@dataclass(frozen=True)
class SourceHealth:
    """What the cadence needs of a source's stored health."""

    consecutive_failures: int = 0
    last_new_at: datetime | None = None


def ensure(session: Session, sources: Iterable[Source], *, due: datetime | None = None) -> None:
    """Give each of these configured sources a row, in ``session``'s transaction (names follow
    the config). ``due``: the time a new row, or one without a time, is due (the schedule's
    sync); None leaves times alone (a crawl outside the schedule)."""
    wanted = {source.id: source for source in sources}
    ids = list(wanted)
    existing: dict[str, SourceState] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for found in session.scalars(select(SourceState).where(SourceState.id.in_(chunk))):
            existing[found.id] = found
    for source_id, source in wanted.items():
        row = existing.get(source_id)
        if row is None:
            session.add(
                SourceState(
                    id=source.id, name=source.name, consecutive_failures=0, next_check_at=due
                )
            )
            continue
        if row.name != source.name:
            row.name = source.name
        if due is not None and row.next_check_at is None:
            row.next_check_at = due


def _row(session: Session, source_id: str) -> SourceState:
    row = session.get(SourceState, source_id)
    if row is None:
        row = SourceState(id=source_id, name=source_id, consecutive_failures=0)
        session.add(row)
    return row


class Sources:
    """The sources table; mixed into :class:`~crawler.store.store.Store`."""

    db: Database

    def __init__(self, db: Database) -> None:
        self.db = db

    def ensure_sources(self, sources: Iterable[Source], *, due: datetime | None = None) -> None:
        """:func:`ensure` in a transaction of its own."""
        with self.db.session() as session:
            ensure(session, sources, due=due)

    # ------------------------------------------------------------------ one refresh

    def record_source_result(
        self,
        source_id: str,
        *,
        error: str | None,
        new_articles: int,
        at: datetime | None = None,
        next_check: Callable[[SourceHealth], datetime] | None = None,
        fetches: Sequence[FetchRecord] = (),
    ) -> datetime | None:
        """Record one refresh of the source that ended at ``at``: its health, and, given
        ``next_check`` (the cadence, a function of the health just recorded), its next check,
        in one transaction, with ``fetches`` (the fetch log of its pages not logged yet: a
        routine check's whole log, in the same commit). Returns that next check (None without
        ``next_check``: a crawl outside the schedule leaves the schedule alone)."""
        at = at or utcnow()
        with self.db.session() as session:
            insert_fetches(session, fetches)
            row = _row(session, source_id)
            row.last_checked_at = at
            if error is None:
                row.last_success_at = at
                row.consecutive_failures = 0
            else:
                row.last_error = error
                row.last_error_at = at
                row.consecutive_failures = (row.consecutive_failures or 0) + 1
            if new_articles:
                row.last_new_at = at
            if next_check is None:
                return None
            health = SourceHealth(row.consecutive_failures or 0, row.last_new_at)
            row.next_check_at = next_check(health)
            return row.next_check_at

    # ------------------------------------------------------------------ claims and leases

    def claim_due(
        self,
        configured: Collection[str],
        hosts: Mapping[str, Iterable[str]],
        *,
        limit: int,
        lease: timedelta,
        now: datetime,
        busy_hosts: Iterable[str] = (),
        one_per_host: bool = True,
        early: Mapping[str, timedelta] | None = None,
    ) -> list[tuple[str, datetime]]:
        """Lease up to ``limit`` due rows among ``configured`` (``next_check_at`` moves ``lease``
        past ``now``), at most one per host (``one_per_host``) and none on ``busy_hosts``.
        ``early`` (with ``one_per_host`` off): a source not due yet is leased too, within the
        limit, when it shares a host with one claimed and is due within its ``early[id]`` of
        ``now`` (the host's sources go in one job, not one each as they fall due). Returns
        ``(source id, when it was due)``, most overdue first, those claimed early last."""
        if limit <= 0:
            return []
        taken = set(busy_hosts)
        claimed: list[tuple[str, datetime]] = []
        with self.db.session() as session:
            query = (
                select(SourceState)
                .where(or_(SourceState.next_check_at.is_(None), SourceState.next_check_at <= now))
                .order_by(SourceState.next_check_at)
                .limit(limit * 8 if one_per_host else limit)
            )
            if not self.db.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            for row in session.scalars(query):
                if row.id not in configured:
                    continue
                source_hosts = set(hosts.get(row.id, ()))
                if source_hosts & taken:
                    continue
                if one_per_host:
                    taken |= source_hosts
                claimed.append((row.id, row.next_check_at or now))
                row.next_check_at = now + lease
                if len(claimed) >= limit:
                    break
            if early and claimed and not one_per_host and len(claimed) < limit:
                claimed += self._claim_early(
                    session, configured, hosts, claimed, early, limit, lease, now, taken
                )
        return claimed

    def _claim_early(
        self,
        session: Session,
        configured: Collection[str],
        hosts: Mapping[str, Iterable[str]],
        claimed: list[tuple[str, datetime]],
        early: Mapping[str, timedelta],
        limit: int,
        lease: timedelta,
        now: datetime,
        busy: set[str],
    ) -> list[tuple[str, datetime]]:
        """The rows not due yet that :meth:`claim_due` takes with those ``claimed`` (see its
        ``early``), leased in its transaction."""
        joined = {h for source_id, _ in claimed for h in hosts.get(source_id, ())}
        horizon = now + max(early.values(), default=timedelta(0))
        if not joined or horizon <= now:
            return []
        query = (
            select(SourceState)
            .where(SourceState.next_check_at > now, SourceState.next_check_at <= horizon)
            .where(SourceState.id.not_in([source_id for source_id, _ in claimed]))  # leased
            .order_by(SourceState.next_check_at)
            .limit(limit - len(claimed))
        )
        if not self.db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        extra: list[tuple[str, datetime]] = []
        for row in session.scalars(query):
            source_hosts = set(hosts.get(row.id, ()))
            due = row.next_check_at
            if (
                row.id not in configured
                or due is None
                or due > now + early.get(row.id, timedelta(0))
                or not source_hosts & joined
                or source_hosts & busy
            ):
                continue
            extra.append((row.id, due))
            row.next_check_at = now + lease
        return extra

    def renew(self, source_ids: Sequence[str], *, until: datetime) -> set[str]:
        """The heartbeat of a running crawl: its sources stay leased until ``until``. Returns
        those among them that were ever crawled to the end (``last_success_at`` set): the
        crawl's first beat tells it which sources get a full pass, in the same statement."""
        if not source_ids:
            return set()
        with self.db.session() as session:
            rows = session.execute(
                update(SourceState)
                .where(SourceState.id.in_(source_ids))
                .values(next_check_at=until)
                .returning(SourceState.id, SourceState.last_success_at)
            )
            return {source_id for source_id, succeeded in rows if succeeded is not None}

    def release(self, source_ids: Sequence[str], *, at: datetime) -> None:
        """Hand claimed sources back unfinished: due again at ``at``."""
        if not source_ids:
            return
        with self.db.session() as session:
            session.execute(
                update(SourceState).where(SourceState.id.in_(source_ids)).values(next_check_at=at)
            )

    # ------------------------------------------------------------------ list passes

    def begin_list_pass(
        self, source_id: str, *, at: datetime | None = None
    ) -> tuple[datetime | None, int]:
        """Mark a pass over the source's list pages as begun, committed before its first page
        is read. Returns ``(since, depth)`` of the last pass if it never reached its end
        (killed, cancelled, a list page or an article that failed): when its unfinished stretch
        began (kept as it is, so passes that die one after another owe from the first) and the
        deepest list page whose articles it may have stored; ``(None, 0)`` if nothing is owed."""
        with self.db.session() as session:
            row = _row(session, source_id)
            if row.pass_started_at is not None:
                return row.pass_started_at, row.pass_depth or 0
            row.pass_started_at = at or utcnow()
            row.pass_depth = 0  # nothing of this pass stored yet
            return None, 0

    def owe_list_depth(self, source_id: str, depth: int) -> None:
        """Commit the deepest list page whose articles the running pass fetches, before it
        fetches them: a pass that dies after storing some leaves that much owing."""
        with self.db.session() as session:
            session.execute(
                update(SourceState).where(SourceState.id == source_id).values(pass_depth=depth)
            )

    def end_list_pass(
        self, source_id: str, *, depth: int, owing_since: datetime | None = None
    ) -> None:
        """The pass reached the end of its paging. ``owing_since`` None: nothing is owed
        (``depth``: the list pages it read). Else some of its articles failed and are owed
        from ``owing_since`` (the pass's own start) down to page ``depth``."""
        with self.db.session() as session:
            session.execute(
                update(SourceState)
                .where(SourceState.id == source_id)
                .values(pass_started_at=owing_since, pass_depth=depth)
            )
