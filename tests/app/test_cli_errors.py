"""Operational errors are one line: a database that cannot be reached (closed port, unknown
database, unknown role, a SQLite path that cannot be opened) or that goes away mid-crawl ends
every command with one line naming the URL (password masked) and what to try, exit 3, the
summary of what was done still printed, and no traceback unless ``-vv``.

Commands run in subprocesses, as an operator runs them, so that what is asserted is the real
stderr and exit status.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from crawler.app.context import EXIT_UNAVAILABLE
from digests.unsubscribe import make_token
from tests.sitefarm import SETTINGS_YAML, farm, serve, sources_yaml

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = os.environ.get("CITYDIGEST_TEST_POSTGRES_URL")
needs_postgres = pytest.mark.skipif(not POSTGRES, reason="needs CITYDIGEST_TEST_POSTGRES_URL")
PASSWORD = "s3cret-Pw"

COMMANDS = [
    ("status",),
    ("export",),
    ("crawl", "once", "--max-pages", "1"),
    ("digest", "build", "--out", "{tmp}/out"),
    ("digest", "send", "--dry-run"),
    ("db", "upgrade"),
    ("visits",),
]


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CITYDIGEST_DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-m", "crawler.app.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def config_copy(tmp_path: Path) -> Path:
    """The shipped config (its subscribers too) with one source, on a closed loopback port:
    nothing here may reach the internet, even if the database opened."""
    folder = tmp_path / "cfg"
    shutil.copytree(ROOT / "config", folder)
    (folder / "sources.yaml").write_text(
        f"sources:\n  - id: local\n    name: 本地\n    feed: http://127.0.0.1:{closed_port()}/feed.xml\n"
    )
    return folder


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres(**parts: str) -> str:
    assert POSTGRES
    url = make_url(POSTGRES).set(password=PASSWORD, **parts)
    return url.render_as_string(hide_password=False)


def bad_url(kind: str, tmp_path: Path) -> str:
    """A database URL of each class that cannot be opened."""
    if kind == "closed port":
        return f"postgresql://citydigest:{PASSWORD}@127.0.0.1:{closed_port()}/citydigest"
    if kind == "missing database":
        return postgres(database=f"citydigest_missing_{uuid.uuid4().hex[:8]}")
    if kind == "unknown role":  # trust authentication admits any password, not any role
        return postgres(username=f"citydigest_nobody_{uuid.uuid4().hex[:8]}")
    if kind == "sqlite under a file":
        (tmp_path / "plain-file").write_text("")
        return f"sqlite:///{tmp_path / 'plain-file' / 'data' / 'citydigest.db'}"
    assert kind == "sqlite path is a directory"
    (tmp_path / "a-directory").mkdir()
    return f"sqlite:///{tmp_path / 'a-directory'}"


KINDS = [
    "closed port",
    pytest.param("missing database", marks=needs_postgres),
    pytest.param("unknown role", marks=needs_postgres),
    "sqlite under a file",
    "sqlite path is a directory",
]


def assert_one_line(result: subprocess.CompletedProcess[str], url: str) -> str:
    """Exit 3, and exactly one line naming the database, its password masked."""
    output = result.stdout + result.stderr
    assert result.returncode == EXIT_UNAVAILABLE, output
    assert "Traceback" not in output
    assert PASSWORD not in output
    lines = [line for line in result.stderr.splitlines() if "database unavailable" in line]
    assert len(lines) == 1, result.stderr
    masked = make_url(url).render_as_string(hide_password=True)
    assert lines[0].startswith(f"citydigest: database unavailable at {masked}: "), lines[0]
    return lines[0]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_an_unreachable_database_is_one_line_and_exit_3(
    kind: str, command: tuple[str, ...], tmp_path: Path
) -> None:
    url = bad_url(kind, tmp_path)
    args = [part.format(tmp=tmp_path) for part in command]
    result = run("--config", str(config_copy(tmp_path)), "--database", url, *args)
    line = assert_one_line(result, url)
    assert result.stderr.strip() == line  # nothing else on stderr: no summary to give
    hints = {
        "closed port": "is the server running?",
        "missing database": "create it (createdb citydigest_missing_",
        "unknown role": "check the user and password",
        "sqlite under a file": "is a writable directory",
        "sqlite path is a directory": "is a writable directory",
    }
    assert hints[kind] in line


def test_vv_shows_the_traceback_before_the_line(tmp_path: Path) -> None:
    url = bad_url("closed port", tmp_path)
    result = run("-vv", "--config", str(config_copy(tmp_path)), "--database", url, "status")
    assert result.returncode == EXIT_UNAVAILABLE
    assert "Traceback" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("citydigest: database unavailable")
    assert PASSWORD not in result.stderr


# --------------------------------------------------------------------------- lost mid-crawl


def admin(sql: str, **params: str) -> None:
    """Run ``sql`` on the test server's own database, outside a transaction."""
    assert POSTGRES
    engine = create_engine(
        POSTGRES.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    try:
        with engine.connect() as conn:
            conn.execute(text(sql), params)
    finally:
        engine.dispose()


@pytest.fixture
def own_database() -> Iterator[tuple[str, str]]:
    """A PostgreSQL database of this test's own (it is cut off while the crawl runs): its name
    and a URL to it with a password in it."""
    if not POSTGRES:
        pytest.skip("needs CITYDIGEST_TEST_POSTGRES_URL")
    name = f"citydigest_lost_{uuid.uuid4().hex[:8]}"
    admin(f'CREATE DATABASE "{name}"')
    try:
        yield name, postgres(database=name)
    finally:
        admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        admin(f'DROP DATABASE "{name}" WITH (FORCE)')


def go_away(name: str) -> None:
    """The database goes away: new connections refused, the open ones ended."""
    admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    admin(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = :name AND pid <> pg_backend_pid()",
        name=name,
    )


def articles_in(url: str) -> int:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM articles")).scalar() or 0)
    finally:
        engine.dispose()


@pytest.mark.parametrize("workers", [0, 1])
def test_a_database_lost_mid_crawl_stops_it_with_the_summary(
    own_database: tuple[str, str], tmp_path: Path, workers: int
) -> None:
    name, url = own_database
    sites = farm(3, 120, latency=0.02)
    with serve(sites):
        folder = tmp_path / "cfg"
        folder.mkdir()
        (folder / "citydigest.yaml").write_text(
            SETTINGS_YAML.format(db=tmp_path / "unused.db", concurrency=2, delay=0.02, timeout=5)
        )
        (folder / "sources.yaml").write_text(sources_yaml(sites))
        assert run("--config", str(folder), "--database", url, "db", "upgrade").returncode == 0
        env = {k: v for k, v in os.environ.items() if k != "CITYDIGEST_DATABASE_URL"}
        args = ["--config", str(folder), "--database", url, "crawl", "once"]
        crawl = subprocess.Popen(
            [sys.executable, "-m", "crawler.app.cli", *args, "--workers", str(workers)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            deadline = time.monotonic() + 60
            stored = 0
            while stored == 0 and crawl.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
                stored = articles_in(url)
            assert crawl.poll() is None, "the crawl ended before the database went away"
            assert stored > 0
            go_away(name)
            stdout, stderr = crawl.communicate(timeout=120)
        finally:
            admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            if crawl.poll() is None:
                crawl.kill()
                crawl.communicate()
    result = subprocess.CompletedProcess(crawl.args, crawl.returncode, stdout, stderr)
    assert_one_line(result, url)
    assert "crawl finished in" in stdout  # the summary of what was done until then
    assert "stopped" in stdout
    after = articles_in(url)
    assert after >= stored  # nothing committed before the database went away is lost
    assert after < 3 * 120  # and the crawl stopped


def test_run_exits_3_in_one_line_when_the_database_goes_away(
    own_database: tuple[str, str], tmp_path: Path
) -> None:
    name, url = own_database
    sites = farm(2, 20)
    with serve(sites):
        folder = tmp_path / "cfg"
        folder.mkdir()
        (folder / "citydigest.yaml").write_text(
            SETTINGS_YAML.format(db=tmp_path / "unused.db", concurrency=2, delay=0, timeout=5)
        )
        (folder / "sources.yaml").write_text(sources_yaml(sites))
        assert run("--config", str(folder), "--database", url, "db", "upgrade").returncode == 0
        env = {k: v for k, v in os.environ.items() if k != "CITYDIGEST_DATABASE_URL"}
        args = ["--config", str(folder), "--database", url, "run", "--tick", "0.2"]
        runner = subprocess.Popen(
            [sys.executable, "-m", "crawler.app.cli", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            deadline = time.monotonic() + 60
            while articles_in(url) == 0 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert runner.poll() is None
            go_away(name)
            stdout, stderr = runner.communicate(timeout=120)
        finally:
            admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            if runner.poll() is None:
                runner.kill()
                runner.communicate()
    assert runner.returncode == EXIT_UNAVAILABLE, stdout + stderr
    assert "Traceback" not in stderr and PASSWORD not in stderr
    lines = [line for line in stderr.splitlines() if "database unavailable" in line]
    assert len(lines) == 1, stderr


# --------------------------------------------------------------------------- serve and the queue

SECRET = "cli-errors-test-secret-0123456789"
SECURITY_HEADER_NAMES = ("content-security-policy", "x-content-type-options", "referrer-policy")
_loopback = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def request(url: str, data: bytes | None = None) -> tuple[int, dict[str, str], str]:
    """Status, headers (lower case) and body of a request to ``serve`` (an error status is an answer too)."""
    try:
        with _loopback.open(urllib.request.Request(url, data=data), timeout=30) as response:
            headers = {k.lower(): v for k, v in response.headers.items()}
            return response.status, headers, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read().decode()


@pytest.mark.parametrize("kind", ["closed port", *KINDS[1:3]])
@pytest.mark.parametrize(
    "command",
    [("worker",), ("run", "--engine", "procrastinate"), ("serve", "--port", "0")],
    ids=" ".join,
)
def test_the_runners_and_serve_refuse_to_start_in_one_line(
    kind: str, command: tuple[str, ...], tmp_path: Path
) -> None:
    url = bad_url(kind, tmp_path)
    result = run("--config", str(config_copy(tmp_path)), "--database", url, *command, timeout=60)
    line = assert_one_line(result, url)
    assert result.stderr.strip() == line


def test_serve_answers_503_while_the_database_is_away_and_recovers(
    own_database: tuple[str, str], tmp_path: Path
) -> None:
    name, url = own_database
    folder = config_copy(tmp_path)
    assert run("--config", str(folder), "--database", url, "db", "upgrade").returncode == 0
    port = closed_port()
    env = {k: v for k, v in os.environ.items() if k != "CITYDIGEST_DATABASE_URL"}
    env["CITYDIGEST_SECRET"] = SECRET
    args = ["--config", str(folder), "--database", url, "serve", "--port", str(port)]
    server = subprocess.Popen(
        [sys.executable, "-m", "crawler.app.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    token = make_token(SECRET, "alice")
    one_click = b"List-Unsubscribe=One-Click"
    reading = {  # the pages that read the database, and how they are asked
        "/": None,
        "/metrics": None,
        f"/unsubscribe?token={token}": one_click,
    }
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if request(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)
        assert request(f"{base}/")[0] == 200
        assert request(f"{base}/metrics")[0] == 200

        go_away(name)
        for path, data in reading.items():
            status, headers, body = request(base + path, data)
            assert status == 503, (path, body)
            assert body.startswith("503 Service Unavailable: the database cannot be reached")
            assert "\n" not in body.strip() and "Traceback" not in body
            assert PASSWORD not in body and "127.0.0.1" not in body and name not in body
            assert headers.get("retry-after")
            for header in SECURITY_HEADER_NAMES:  # the security middleware still runs
                assert header in headers, (path, header)
        assert request(f"{base}/healthz")[0] == 503
        assert server.poll() is None  # still serving

        admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')  # the database is back
        for path, data in reading.items():
            status, _, body = request(base + path, data)
            assert status == 200, (path, body)
        assert request(f"{base}/healthz")[0] == 200
    finally:
        if server.poll() is None:
            server.terminate()
        stdout, stderr = server.communicate(timeout=30)
    output = stdout + stderr
    assert "Traceback" not in output and PASSWORD not in output
    lines = [line for line in output.splitlines() if "database unavailable" in line]
    assert len(lines) == len(reading), output  # one line per failed request
    assert all(": 503: database unavailable at " in line for line in lines), lines


def test_the_distributed_runner_exits_3_in_one_line_when_the_database_goes_away(
    own_database: tuple[str, str], tmp_path: Path
) -> None:
    """A dispatcher and a worker with crawls in flight: each ends in one line and exit 3, soon
    (not after procrastinate's pool timeout at every query of its shutdown)."""
    name, url = own_database
    sites = farm(2, 60, latency=0.05)
    with serve(sites):
        folder = tmp_path / "cfg"
        folder.mkdir()
        (folder / "citydigest.yaml").write_text(
            SETTINGS_YAML.format(db=tmp_path / "unused.db", concurrency=2, delay=0.05, timeout=5)
        )
        (folder / "sources.yaml").write_text(sources_yaml(sites))
        assert run("--config", str(folder), "--database", url, "db", "upgrade").returncode == 0
        env = {k: v for k, v in os.environ.items() if k != "CITYDIGEST_DATABASE_URL"}
        base = [sys.executable, "-m", "crawler.app.cli", "--config", str(folder), "--database", url]
        commands = {
            "dispatcher": ["run", "--engine", "procrastinate", "--dispatch-every", "1"],
            "worker": ["worker", "--concurrency", "4"],
        }
        procs = {
            role: subprocess.Popen(
                [*base, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
            )
            for role, args in commands.items()
        }
        outputs: dict[str, tuple[str, str]] = {}
        try:
            deadline = time.monotonic() + 90
            while articles_in(url) == 0 and time.monotonic() < deadline:
                assert all(p.poll() is None for p in procs.values()), "a runner ended early"
                time.sleep(0.2)
            assert articles_in(url) > 0, "no crawl got under way"
            go_away(name)
            gone = time.monotonic()
            for role, proc in procs.items():
                outputs[role] = proc.communicate(timeout=60)
            took = time.monotonic() - gone
        finally:
            admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            for proc in procs.values():
                if proc.poll() is None:
                    proc.kill()
                    proc.communicate()
    for role, proc in procs.items():
        stdout, stderr = outputs[role]
        result = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
        assert_one_line(result, url)
        assert stderr.strip().splitlines()[-1].startswith("citydigest: database unavailable")
        assert "ConnectorException" not in stderr and "PoolTimeout" not in stderr, role
    assert took < 25, f"the runners took {took:.0f} s to stop"
