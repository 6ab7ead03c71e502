"""Where the relative paths of the settings lead: the config directory, never the working one.

A cron job or a service manager starts citydigest in whatever directory it likes; a SQLite file
or an archive folder taken from there would silently be a new, empty one. So a relative path in
a setting (``database: sqlite:///data/citydigest.db``, ``archive.dir: ./archive``) is taken
from ``data_dir``, which is the config directory unless set (a relative ``data_dir`` is taken
from the config directory too; the container image sets it to its volume). The loader resolves
them once (:func:`resolve_paths`); every stage then reads absolute paths. Paths given as
command-line arguments (``--warc-out``, ``--out``) are the shell's, from the working directory.
"""

from __future__ import annotations

__all__ = ["moved_database", "resolve_paths", "sqlite_file"]

from pathlib import Path

from sqlalchemy.engine import make_url

from crawler.base.config.settings import Settings


def resolve_paths(settings: Settings, config_dir: Path) -> Settings:
    """``settings`` with ``data_dir``, a SQLite database file and ``archive.dir`` made absolute
    (a ``~`` expanded) against ``data_dir``, itself against ``config_dir``."""
    base = _under(config_dir.resolve(), settings.data_dir or Path(".")).resolve()
    archive = settings.archive.model_copy(update={"dir": _under(base, settings.archive.dir)})
    return settings.model_copy(
        update={
            "data_dir": base,
            "database": _sqlite_under(base, settings.database),
            "archive": archive,
        }
    )


def moved_database(given: str, resolved: str, cwd: Path) -> tuple[Path, Path] | None:
    """The SQLite file that ``given`` (relative) named when it was taken from the working
    directory ``cwd``, and the one it names now, when the old one exists and the new one does
    not: the operator's data, which the rule of this module no longer finds there."""
    before, after = sqlite_file(given), sqlite_file(resolved)
    if before is None or after is None or before.expanduser().is_absolute():
        return None
    old = cwd / before
    if old.resolve() == after or not old.is_file() or after.exists():
        return None
    return old, after


def _under(base: Path, path: Path) -> Path:
    path = path.expanduser()
    return path if path.is_absolute() else base / path


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None: another database, memory, or a ``file:`` URI)."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):  # a URI (uri=true): the operator spelled it out
        return None
    return Path(database)


def _sqlite_under(base: Path, url: str) -> str:
    file = sqlite_file(url)
    if file is None:
        return url
    resolved = _under(base, file)
    return make_url(url).set(database=str(resolved)).render_as_string(hide_password=False)
