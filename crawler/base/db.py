"""Opening the database: engine, sessions and schema migrations (Alembic).

SQLite (the embedded default) is created and upgraded on first use; PostgreSQL is upgraded with
``citydigest db upgrade`` (or ``upgrade=True``), and refuses to start on an outdated schema.

A database that cannot be reached, or a connection lost while in use, is one error wherever it
happens: the engine's ``handle_error`` hook turns the driver's error into
:class:`~crawler.base.errors.DatabaseUnavailable` (the URL with its password masked, the driver's
first line, what to try), so that every command and runner can report it in one line instead of
a driver traceback. Errors of a working connection (a constraint, a bad statement) stay
SQLAlchemy's own.
"""

from __future__ import annotations

__all__ = [
    "CONNECT_TIMEOUT",
    "SCHEMA_HEAD",
    "Database",
    "SchemaOutdated",
    "connection_lost",
    "current_head",
    "masked_url",
    "unavailable",
]

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.orm import Session, sessionmaker

from crawler.base.errors import DatabaseUnavailable, SchemaOutdated

MIGRATIONS = Path(__file__).parent / "migrations"


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


SCHEMA_HEAD = "0008"
"""The newest migration's revision (a test checks it against Alembic's own view), so that
opening a database that is up to date needs no Alembic import (about 12 MB)."""


def current_head() -> str:
    """The head revision as Alembic reads it from the migration scripts."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    head = script.get_current_head()
    assert head is not None
    return head


CONNECT_TIMEOUT = 10
"""Seconds a PostgreSQL connection attempt may take (libpq waits for ever by default: a
firewalled host would hang a command instead of failing it)."""

# SQLite's messages for a file it cannot open or write, at whatever statement they come.
_SQLITE_UNAVAILABLE = ("unable to open database file", "readonly database", "disk i/o error")


def masked_url(url: str) -> str:
    """The URL as it may be shown: its password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy can parse: show none of it
        return "<unparsable database URL>"


def _hint(reason: str, url: str) -> str | None:
    """What to try for the common failures (None: the general hint)."""
    lowered = reason.lower()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        folder = Path(parsed.database or ".").expanduser().parent
        return f"check that {folder} is a writable directory and the file a SQLite database"
    where = "`database:` in citydigest.yaml or CITYDIGEST_DATABASE_URL"
    if "does not exist" in lowered and lowered.count("database") > lowered.count("role"):
        return f"create it (createdb {parsed.database}) or check {where}"
    if "does not exist" in lowered or "authentication failed" in lowered:
        return f"check the user and password in {where}"
    return None


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def unavailable(url: str, exc: BaseException) -> DatabaseUnavailable:
    """The typed error for ``exc``, a driver's or the file system's, on the database at ``url``."""
    reason = _first_line(exc)
    return DatabaseUnavailable(masked_url(url), reason, _hint(reason, url))


def connection_lost(url: str, exc: BaseException) -> DatabaseUnavailable:
    """The typed error for a connection to ``url`` that worked and was lost in use."""
    return DatabaseUnavailable(
        masked_url(url),
        f"connection lost: {_first_line(exc)}",
        "what was stored is kept; run it again once the database is back (is the server running?)",
    )


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
                try:
                    Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise unavailable(url, exc) from exc
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        elif parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in (
            "",
            "psycopg2",
        ):
            # psycopg (3) is the driver we install; a plain postgresql:// URL means it.
            parsed = parsed.set(drivername="postgresql+psycopg")
            kwargs["pool_pre_ping"] = True
        if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
            kwargs["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT}
        self.engine = create_engine(parsed, **kwargs)
        event.listen(self.engine, "handle_error", self._handle_error)
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

    def _handle_error(self, context: ExceptionContext) -> None:
        """Raise DatabaseUnavailable for a connection that could not be opened or was lost; let
        every other error through. A lost pooled connection found by the pre-ping is the pool's
        to replace, not an error."""
        if context.is_pre_ping:
            return
        error = context.original_exception
        lost = context.connection is None or context.is_disconnect
        if self.is_sqlite:
            lost = lost or any(m in str(error).lower() for m in _SQLITE_UNAVAILABLE)
        if not lost or not isinstance(error, Exception):
            return
        if context.connection is not None:  # it worked until now
            raise connection_lost(self.url, error)
        raise unavailable(self.url, error)

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
