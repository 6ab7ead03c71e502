"""``crawler/store/sources.py``, the one writer of the sources table: a refresh's health and
next check in one transaction, claims and leases, and (by reading the code) that no other module
writes the table."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crawler.base.config import Source
from crawler.base.db import Database
from crawler.base.models import SourceState
from crawler.store.sources import SourceHealth, Sources

ROOT = Path(__file__).resolve().parents[2]
WRITER = ROOT / "crawler" / "store" / "sources.py"
NOW = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)


def source(source_id: str, host: str) -> Source:
    return Source(id=source_id, name=source_id, feed=f"http://{host}/feed")


def _row(db: Database, source_id: str) -> SourceState:
    with db.session() as session:
        row = session.get(SourceState, source_id)
        assert row is not None
        return row


# --------------------------------------------------------------------------- the writes


def test_a_refresh_records_health_and_next_check_together(database_url: str) -> None:
    db = Database(database_url, upgrade=True)
    sources = Sources(db)
    sources.ensure_sources([source("a", "a.example")], due=NOW)
    seen: list[SourceHealth] = []

    def cadence(health: SourceHealth) -> datetime:
        seen.append(health)
        return NOW + timedelta(minutes=10 * (1 + health.consecutive_failures))

    nxt = sources.record_source_result(
        "a", error="HTTP 500", new_articles=0, at=NOW, next_check=cadence
    )
    assert nxt == NOW + timedelta(minutes=20)  # the cadence saw the failure just recorded
    row = _row(db, "a")
    assert (row.consecutive_failures, row.last_error, row.next_check_at) == (1, "HTTP 500", nxt)
    later = NOW + timedelta(hours=1)
    nxt = sources.record_source_result(
        "a", error=None, new_articles=2, at=later, next_check=cadence
    )
    assert seen[-1] == SourceHealth(0, later) and nxt == NOW + timedelta(minutes=10)
    # Without a cadence (``crawl once``): health only, the schedule left alone.
    assert sources.record_source_result("a", error=None, new_articles=0) is None
    assert _row(db, "a").next_check_at == nxt
    db.dispose()


def test_claims_lease_renew_and_release(database_url: str) -> None:
    db = Database(database_url, upgrade=True)
    sources = Sources(db)
    sources.ensure_sources(
        [source("a", "h.example"), source("b", "h.example"), source("c", "c.example")], due=NOW
    )
    hosts = {"a": {"h.example"}, "b": {"h.example"}, "c": {"c.example", "h.example"}}
    lease = timedelta(minutes=1)
    first = sources.claim_due({"a", "b", "c"}, hosts, limit=5, lease=lease, now=NOW)
    assert len(first) == 1  # every host of a source counts: one of the three
    ((taken, _),) = first
    assert _row(db, taken).next_check_at == NOW + lease
    sources.renew([taken], until=NOW + 2 * lease)
    assert _row(db, taken).next_check_at == NOW + 2 * lease
    rest = sources.claim_due(
        {"a", "b", "c"}, hosts, limit=5, lease=lease, now=NOW, one_per_host=False
    )
    assert sorted(i for i, _ in rest) == sorted({"a", "b", "c"} - {taken})
    sources.release([taken], at=NOW)
    assert [i for i, _ in sources.claim_due({taken}, hosts, limit=5, lease=lease, now=NOW)] == [
        taken
    ]
    db.dispose()


# --------------------------------------------------------------------------- the one writer

_COLUMNS = {c.key for c in SourceState.__table__.columns}
OWN_COLUMNS = (
    _COLUMNS
    - {
        c.key
        for table in SourceState.metadata.tables.values()
        if table.name != SourceState.__tablename__
        for c in table.columns
    }
    - {"name"}
)  # a word too common to be this table's: it counts on a row loaded from it
RAW_WRITE = re.compile(
    r"\b(update\s+\"?sources\"?\s+set|insert\s+into\s+\"?sources|delete\s+from\s+\"?sources)\b",
    re.IGNORECASE,
)
CODE = sorted(
    p
    for package in ("crawler", "digests")
    for p in (ROOT / package).rglob("*.py")
    if "migrations" not in p.parts
)


def _called(node: ast.Call) -> str:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return ""


def _mentions_model(node: ast.AST) -> bool:
    return any(
        (isinstance(n, ast.Name) and n.id == "SourceState")
        or (isinstance(n, ast.Attribute) and n.attr == "SourceState")
        for n in ast.walk(node)
    )


def _loads_rows(value: ast.AST) -> bool:
    """``session.get(SourceState, …)``, ``select(SourceState)`` and the like: whole rows."""
    return any(
        isinstance(n, ast.Call)
        and _called(n) in ("get", "select", "query", "merge")
        and n.args
        and isinstance(n.args[0], ast.Name)
        and n.args[0].id == "SourceState"
        for n in ast.walk(value)
    )


def writes(path: Path) -> list[str]:
    """Where ``path`` writes the sources table, as ``line: what`` strings: a ``SourceState(…)``
    made, an ``update``/``insert``/``delete`` of the model or its table, a column of a row loaded
    from it set, a column only this table has set on anything, SQL writing it."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    rows: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            if _loads_rows(node.value):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                rows |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        elif isinstance(node, ast.For | ast.comprehension) and _loads_rows(node.iter):
            rows |= {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            verb = _called(node).rsplit("_", 1)[-1]
            if _called(node) == "SourceState":
                found.add(f"{node.lineno}: SourceState(...) constructed")
            elif verb in ("update", "insert", "delete") and (
                (node.args and _mentions_model(node.args[0]))
                or (isinstance(node.func, ast.Attribute) and _mentions_model(node.func.value))
                or (
                    verb == "delete"
                    and any(isinstance(a, ast.Name) and a.id in rows for a in node.args)
                )
            ):
                found.add(f"{node.lineno}: {_called(node)}() of the table")
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for attribute in (n for t in targets for n in ast.walk(t)):
                if not isinstance(attribute, ast.Attribute):
                    continue
                owner = attribute.value
                if isinstance(owner, ast.Name) and owner.id in rows and attribute.attr in _COLUMNS:
                    found.add(f"{attribute.lineno}: {owner.id}.{attribute.attr} of a loaded row")
                elif attribute.attr in OWN_COLUMNS:
                    found.add(f"{attribute.lineno}: .{attribute.attr} set")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and RAW_WRITE.search(node.value)
        ):
            found.add(f"{node.lineno}: SQL writing the sources table")
    return sorted(found, key=lambda f: int(f.split(":")[0]))


def test_the_own_columns_are_the_schedule_and_health() -> None:
    assert {"next_check_at", "consecutive_failures", "last_success_at", "pass_depth"} <= OWN_COLUMNS


def test_only_crawler_store_sources_writes_the_table() -> None:
    assert writes(WRITER)  # the scan does see the writer's writes
    others = {
        str(path.relative_to(ROOT)): found
        for path in CODE
        if path != WRITER and (found := writes(path))
    }
    assert others == {}, "write the sources table through crawler/store/sources.py"


def test_the_scan_finds_every_kind_of_write(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f(session, ids, other):\n"
        "    session.add(SourceState(id='a'))\n"
        "    session.execute(update(SourceState).values(next_check_at=None))\n"
        "    session.execute(pg_insert(SourceState.__table__).values(id='a'))\n"
        "    session.execute(delete(SourceState).where(SourceState.id.in_(ids)))\n"
        "    row = session.get(SourceState, 'a')\n"
        "    row.name = 'x'\n"
        "    for r in session.scalars(select(SourceState)):\n"
        "        r.name = 'y'\n"
        "    other.next_check_at = None\n"
        "    session.execute(text('UPDATE sources SET name = NULL'))\n"
        "    session.execute(models.SourceState.__table__.delete())\n"
        "    session.delete(row)\n"
        "    session.execute(select(SourceState.id).where(SourceState.name == 'a'))\n"
        "    '''We update sources as their config changes.'''\n",
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
    ]  # reads (14) and prose (15) are not writes
