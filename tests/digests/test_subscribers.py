"""``digests/subscribers.py``, the one writer of the subscribers table: each change on SQLite and
PostgreSQL, and (by reading the code) that no other module writes the table."""

from __future__ import annotations

import ast
import re
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.base.config import Subscriber
from crawler.base.db import Database
from crawler.base.models import SubscriberState
from digests import subscribers
from tests.digests.digestkit import NOW, hours, subscriber

ROOT = Path(__file__).resolve().parents[2]
WRITER = ROOT / "digests" / "subscribers.py"
ALICE = subscriber()
BOB = subscriber(id="bob", email="bob@example.org")


def _row(db: Database, subscriber_id: str) -> SubscriberState | None:
    with db.session() as session:
        return session.get(SubscriberState, subscriber_id)


def _sync(db: Database, people: list[Subscriber], *, now: datetime = NOW) -> None:
    """Sync with a schedule whose slots are the whole hours."""

    def next_slot(_subscriber: Subscriber) -> datetime:
        return now.replace(minute=0, second=0, microsecond=0) + hours(1)

    with db.session() as session:
        subscribers.sync(
            session,
            people,
            now=now,
            next_slot=next_slot,
            is_slot=lambda _subscriber, at: at.minute == 0 and at.second == 0,
        )


# --------------------------------------------------------------------------- the writes


def test_sync_creates_rows_and_keeps_email_and_slot_current(db: Database) -> None:
    _sync(db, [ALICE])
    alice = _row(db, "alice")
    assert alice is not None
    assert (alice.email, alice.unsubscribed) == ("alice@example.org", False)
    assert alice.next_digest_at == NOW.replace(minute=0) + hours(1)

    moved = subscriber(email="alice@example.net")
    subscribers.set_next_digest(db, moved, NOW + timedelta(hours=5, minutes=7))  # not a slot
    _sync(db, [moved, BOB])
    alice = _row(db, "alice")
    assert alice is not None and alice.email == "alice@example.net"
    assert alice.next_digest_at == NOW.replace(minute=0) + hours(1)
    bob = _row(db, "bob")
    assert bob is not None and bob.next_digest_at == NOW.replace(minute=0) + hours(1)

    subscribers.set_next_digest(db, moved, NOW + hours(5) - timedelta(minutes=30))  # a slot
    _sync(db, [moved])
    alice = _row(db, "alice")
    assert alice is not None and alice.next_digest_at == NOW + hours(5) - timedelta(minutes=30)

    subscribers.set_next_digest(db, moved, NOW - timedelta(minutes=7))  # overdue: left due
    _sync(db, [moved])
    alice = _row(db, "alice")
    assert alice is not None and alice.next_digest_at == NOW - timedelta(minutes=7)


def test_claim_leases_due_subscribed_configured_rows(db: Database) -> None:
    _sync(db, [ALICE, BOB, subscriber(id="carol", email="carol@example.org")])
    subscribers.set_next_digest(db, ALICE, NOW - hours(2))
    subscribers.set_next_digest(db, BOB, NOW - hours(1))
    subscribers.retry_at(db, "carol", NOW - hours(3))
    assert subscribers.unsubscribe(db, "bob", at=NOW)

    claimed = subscribers.claim_due(db, {"alice", "bob"}, lease=timedelta(minutes=10), now=NOW)
    assert claimed == [("alice", NOW - hours(2))]  # bob unsubscribed, carol not configured
    alice = _row(db, "alice")
    assert alice is not None and alice.next_digest_at == NOW + timedelta(minutes=10)
    assert subscribers.claim_due(db, {"alice"}, lease=timedelta(minutes=10), now=NOW) == []
    carol = _row(db, "carol")
    assert carol is not None and carol.next_digest_at == NOW - hours(3)


def test_claim_skips_rows_another_transaction_holds(db: Database) -> None:
    """On PostgreSQL a row another dispatcher is claiming (``FOR UPDATE``) is skipped, not
    waited for; SQLite serialises whole transactions, so the test holds a row there only."""
    _sync(db, [ALICE, BOB])
    subscribers.set_next_digest(db, ALICE, NOW - hours(2))
    subscribers.set_next_digest(db, BOB, NOW - hours(1))
    if db.is_sqlite:
        claimed = subscribers.claim_due(db, {"alice", "bob"}, lease=hours(1), now=NOW)
        assert [i for i, _ in claimed] == ["alice", "bob"]
        return
    with Session(db.engine) as other, other.begin():
        held = other.scalars(
            select(SubscriberState).where(SubscriberState.id == "alice").with_for_update()
        ).one()
        claimed = subscribers.claim_due(db, {"alice", "bob"}, lease=hours(1), now=NOW)
        assert claimed == [("bob", NOW - hours(1))]
        assert held.next_digest_at == NOW - hours(2)
    claimed = subscribers.claim_due(db, {"alice", "bob"}, lease=hours(1), now=NOW)
    assert claimed == [("alice", NOW - hours(2))]


def test_set_next_digest_and_retry(db: Database) -> None:
    subscribers.retry_at(db, "alice", NOW)  # no row: none made
    assert _row(db, "alice") is None
    subscribers.set_next_digest(db, ALICE, NOW + hours(24))
    alice = _row(db, "alice")
    assert alice is not None
    assert (alice.email, alice.unsubscribed, alice.next_digest_at) == (
        "alice@example.org",
        False,
        NOW + hours(24),
    )
    subscribers.retry_at(db, "alice", NOW + timedelta(minutes=5))
    alice = _row(db, "alice")
    assert alice is not None and alice.next_digest_at == NOW + timedelta(minutes=5)


def test_record_sent_in_the_callers_transaction(db: Database) -> None:
    with db.session() as session:
        subscribers.record_sent(
            session, "alice", email="alice@example.org", sent_at=NOW, next_digest_at=None
        )
    alice = _row(db, "alice")
    assert alice is not None
    assert (alice.email, alice.last_digest_at, alice.next_digest_at) == (
        "alice@example.org",
        NOW,
        None,
    )
    try:
        with db.session() as session:
            subscribers.record_sent(
                session, "alice", email="a@example.net", sent_at=NOW + hours(1), next_digest_at=NOW
            )
            raise RuntimeError("the ledger's transaction fails")
    except RuntimeError:
        pass
    alice = _row(db, "alice")
    assert alice is not None and alice.last_digest_at == NOW  # rolled back with the caller's
    with db.session() as session:
        subscribers.record_sent(
            session,
            "alice",
            email="a@example.net",
            sent_at=NOW + hours(1),
            next_digest_at=NOW + hours(24),
        )
    alice = _row(db, "alice")
    assert alice is not None
    assert (alice.email, alice.last_digest_at, alice.next_digest_at) == (
        "a@example.net",
        NOW + hours(1),
        NOW + hours(24),
    )


def test_unsubscribe_and_resubscribe(db: Database) -> None:
    assert subscribers.resubscribe(db, "alice", next_digest_at=NOW) is None  # no row
    assert subscribers.unsubscribe(db, "alice", at=NOW)  # a row made for an unknown one
    assert not subscribers.unsubscribe(db, "alice", at=NOW + hours(1))
    alice = _row(db, "alice")
    assert alice is not None and (alice.unsubscribed, alice.unsubscribed_at) == (True, NOW)

    done = subscribers.resubscribe(db, "alice", next_digest_at=NOW + hours(24))
    assert done == subscribers.Resubscribed(unsubscribed_at=NOW)
    alice = _row(db, "alice")
    assert alice is not None
    assert (alice.unsubscribed, alice.unsubscribed_at, alice.next_digest_at) == (
        False,
        None,
        NOW + hours(24),
    )
    assert subscribers.resubscribe(db, "alice", next_digest_at=NOW) is None  # subscribed already
    alice = _row(db, "alice")
    assert alice is not None and alice.next_digest_at == NOW + hours(24)


# --------------------------------------------------------------------------- the one writer

_TABLE = SubscriberState.__tablename__
_COLUMNS = {c.key for c in SubscriberState.__table__.columns}


def _other_tables_columns() -> set[str]:
    return {
        c.key
        for table in SubscriberState.metadata.tables.values()
        if table.name != _TABLE
        for c in table.columns
    }


OWN_COLUMNS = _COLUMNS - _other_tables_columns()
RAW_WRITE = re.compile(rf"\b(update|insert\s+into|delete\s+from)\s+\"?{_TABLE}\b", re.IGNORECASE)
SOURCES = sorted(
    p
    for package in ("crawler", "digests")
    for p in (ROOT / package).rglob("*.py")
    if "migrations" not in p.parts
)


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)
    }


def _called(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _is_statement(node: ast.Call, rows: set[str]) -> bool:
    """``update``/``insert``/``delete`` (a dialect's ``insert`` too) of the table, as
    ``update(SubscriberState)`` or ``SubscriberState.__table__.update()``; ``session.delete``
    of a loaded row."""
    verb = _called(node).rsplit("_", 1)[-1]
    if verb not in ("update", "insert", "delete"):
        return False
    if node.args and "SubscriberState" in _names(node.args[0]):
        return True
    if isinstance(node.func, ast.Attribute) and "SubscriberState" in _names(node.func.value):
        return True
    return verb == "delete" and any(isinstance(a, ast.Name) and a.id in rows for a in node.args)


def _loaded_from_table(value: ast.AST) -> bool:
    """Whether ``value`` (what a name is bound to) yields rows of the table: ``session.get`` of
    it, or a query selecting the whole entity (``select(SubscriberState)``)."""
    for node in ast.walk(value):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        first = node.args[0]
        if (
            _called(node) in ("get", "select", "query", "merge")
            and isinstance(first, ast.Name)
            and first.id == "SubscriberState"
        ):
            return True
    return False


def writes(path: Path) -> list[str]:
    """Where ``path`` writes the subscribers table, as ``line: what`` strings."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[str] = []
    rows: set[str] = set()  # names bound to rows of the table, anywhere in the module
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            if _loaded_from_table(node.value):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                rows |= {t.id for t in targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.For | ast.comprehension) and _loaded_from_table(node.iter):
            rows |= {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if _called(node) == "SubscriberState":
                found.append(f"{node.lineno}: SubscriberState(...) constructed")
            elif _is_statement(node, rows):
                found.append(f"{node.lineno}: {_called(node)}() of the table")
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for t in ast.walk(target):
                    if not isinstance(t, ast.Attribute):
                        continue
                    owner = t.value
                    if isinstance(owner, ast.Name) and owner.id in rows and t.attr in _COLUMNS:
                        found.append(f"{t.lineno}: {owner.id}.{t.attr} of a loaded row set")
                    elif t.attr in OWN_COLUMNS:
                        found.append(f"{t.lineno}: .{t.attr} set")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and RAW_WRITE.search(node.value)
        ):
            found.append(f"{node.lineno}: SQL writing {_TABLE}")
    return sorted(set(found), key=lambda f: int(f.split(":")[0]))


def test_the_checks_own_columns_are_the_tables_own() -> None:
    assert {"next_digest_at", "last_digest_at", "unsubscribed", "unsubscribed_at"} <= OWN_COLUMNS


def test_only_digests_subscribers_writes_the_table() -> None:
    assert writes(WRITER)  # the scan does see the writer's writes
    others = {
        str(path.relative_to(ROOT)): found
        for path in SOURCES
        if path != WRITER and (found := writes(path))
    }
    assert others == {}, "write the subscribers table through digests/subscribers.py"


def test_the_scan_finds_every_kind_of_write(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f(session, ids):\n"
        "    session.add(SubscriberState(id='a'))\n"
        "    session.execute(update(SubscriberState).values(unsubscribed=True))\n"
        "    session.execute(pg_insert(SubscriberState.__table__).values(id='a'))\n"
        "    session.execute(delete(SubscriberState).where(SubscriberState.id.in_(ids)))\n"
        "    row = session.get(SubscriberState, 'a')\n"
        "    row.email = 'x'\n"
        "    for r in session.scalars(select(SubscriberState)):\n"
        "        r.email = 'y'\n"
        "    other.next_digest_at = None\n"
        "    session.execute(text('UPDATE subscribers SET email = NULL'))\n"
        "    session.execute(SubscriberState.__table__.delete())\n"
        "    session.delete(row)\n"
        "    session.delete(other)\n",
        encoding="utf-8",
    )
    assert [line.split(":")[0] for line in writes(sample)] == [
        "2",
        "3",
        "4",
        "5",
        "7",
        "9",
        "10",
        "11",
        "12",
        "13",
    ]
