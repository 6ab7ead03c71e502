"""Opening the database: engine, sessions and schema migrations (Alembic).

SQLite (the embedded default) is created and upgraded on first use; PostgreSQL is upgraded with
``citydigest db upgrade`` (or ``upgrade=True``), and refuses to start on an outdated schema.
"""

from __future__ import annotations

__all__ = ["SCHEMA_HEAD", "Database", "SchemaOutdated", "current_head"]

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from crawler.errors import CitydigestError

MIGRATIONS = Path(__file__).parent / "migrations"


class SchemaOutdated(CitydigestError):
    """The database schema is older than this version of citydigest."""


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


SCHEMA_HEAD = "0004"
"""The newest migration's revision (a test checks it against Alembic's own view), so that
opening a database that is up to date needs no Alembic import (about 12 MB)."""


def current_head() -> str:
    """The head revision as Alembic reads it from the migration scripts."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    head = script.get_current_head()
    assert head is not None
    return head


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class Database:
    """One engine and its session factory, opened once per command and disposed with it."""

    def __init__(self, url: str, *, upgrade: bool | None = None) -> None:
        parsed = make_url(url)
        self.url = url
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        # A database only this process can open: another process opening the URL gets its own.
        self.in_memory = self.is_sqlite and (
            parsed.database in (None, "", ":memory:") or "mode=memory" in (parsed.database or "")
        )
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            database = parsed.database
            if database and database != ":memory:" and not database.startswith("file:"):
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        elif parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in (
            "",
            "psycopg2",
        ):
            # psycopg (3) is the driver we install; a plain postgresql:// URL means it.
            parsed = parsed.set(drivername="postgresql+psycopg")
            kwargs["pool_pre_ping"] = True
        self.engine = create_engine(parsed, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        if upgrade is None:
            upgrade = self.is_sqlite
        if upgrade:
            if self.revision() != SCHEMA_HEAD:
                self.upgrade()
        else:
            self.check_schema()

    def revision(self) -> str | None:
        """The schema revision the database is at (None: no schema yet)."""
        if not inspect(self.engine).has_table("alembic_version"):
            return None
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def upgrade(self, revision: str = "head") -> None:
        from alembic import command

        command.upgrade(_alembic_config(self.engine), revision)

    def check_schema(self) -> None:
        found = self.revision()
        if found != SCHEMA_HEAD:
            raise SchemaOutdated(
                f"the database at {make_url(self.url).render_as_string(hide_password=True)} is at "
                f"schema revision {found or 'none'}, this citydigest needs {SCHEMA_HEAD}: "
                "run `citydigest db upgrade`"
            )

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        with self.sessions.begin() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.dispose()
