"""Shared fixtures: databases (SQLite file and PostgreSQL), the loopback site farm, configs."""

from __future__ import annotations

import gc
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

POSTGRES_ENV = "CITYDIGEST_TEST_POSTGRES_URL"
POSTGRES_HELP = (
    f"PostgreSQL tests need a server: set {POSTGRES_ENV}, "
    "e.g. postgresql://postgres@127.0.0.1:5432/test (CI sets it; .ci/run starts a server if needed)"
)


def _postgres_url() -> str | None:
    return os.environ.get(POSTGRES_ENV)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database on each backend: a SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'citydigest.db'}"
        return
    base = _postgres_url()
    if not base:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL tests. {POSTGRES_HELP}")
        pytest.skip(POSTGRES_HELP)
    with postgres_schema(base) as url:
        yield url


@contextmanager
def postgres_schema(base: str, prefix: str = "t") -> Iterator[str]:
    """The URL of a new, empty schema of the PostgreSQL database ``base``, dropped afterwards
    (also for the benchmarks)."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def steady_heap() -> Iterator[None]:
    """For a test that times something to a fraction of a second: the objects earlier tests left
    in this process (up to 1.7 million by the end of a run) are frozen out of the collector, so a
    full collection walks only what the test itself allocates. Unfrozen, such a collection took
    0.7-3.2 s under load, in whichever thread allocated: one was a CI failure of the feed-stall
    test, which measured the collector instead of the parse."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
