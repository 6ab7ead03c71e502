"""Helpers and fixtures of the service tests: a loopback farm with two sources per host, a real
SMTP server, config directories, fresh PostgreSQL databases, and the CLI in a subprocess.
(``conftest.py`` exposes the fixtures; tests import the helpers from here.)"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import create_engine, text

from tests.mailserver import Recorder, free_port, smtp_server
from tests.sitefarm import SETTINGS_YAML, Site, farm, serve

HERE = Path(__file__).parent
ENTRY = ("-m", "crawler.app.cli")  # the console script, as `python -m` runs it
SECRET = "service-test-secret-0123456789"
POSTGRES_ENV = "CITYDIGEST_TEST_POSTGRES_URL"


@contextlib.contextmanager
def served(app: Any) -> Iterator[str]:
    """``app`` (the ``serve`` ASGI app) under uvicorn on a free loopback port, in a thread,
    until the block ends; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def smtp() -> Iterator[tuple[Recorder, int]]:
    with smtp_server() as running:
        yield running


def two_sources_per_host(sites: list[Site], interval: str, *, feeds: bool = True) -> str:
    """Two sources per site (its feed, its list pages): host locks matter. Without ``feeds``,
    only the list sources."""
    lines = ["sources:"]
    for site in sites:
        lines += [
            f"  - id: {site.id}-list",
            f"    name: {site.id}要闻",
            f"    interval: {interval}",
            "    list:",
            f"      url: {site.base}/list/1.html",
            '      links: "ul.news-list a"',
            '      next: "a.next"',
            "      max_pages: 50",
        ]
        if feeds and site.feed != "none":
            lines += [
                f"  - id: {site.id}-feed",
                f"    name: {site.id}订阅",
                f"    interval: {interval}",
                f"    feed: {site.base}/feed.xml",
            ]
    return "\n".join(lines) + "\n"


SUBSCRIBERS = """\
subscribers:
  - id: alice
    email: alice@example.org
    name: 王丽
    timezone: Asia/Shanghai
    send_at: "08:00"
    empty: send
  - id: bob
    email: bob@example.org
    timezone: America/New_York
    send_at: "07:30"
    empty: send
"""


def write_config(
    folder: Path,
    sites: list[Site],
    database_url: str,
    smtp_port: int,
    *,
    interval: str = "3s",
    delay: float = 0,
    feeds: bool = True,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    settings = SETTINGS_YAML.format(db="unused", concurrency=1, delay=delay, timeout=5)
    settings = settings.replace("sqlite:///unused", database_url)
    settings += (
        f"smtp:\n  host: 127.0.0.1\n  port: {smtp_port}\n  security: none\n"
        '  from: "城市考察快讯 <digest@example.org>"\n'
        f"archive:\n  dir: {folder.parent / 'archive'}\n"
        "  base_url: http://127.0.0.1:8000/archive/\n"
    )
    (folder / "citydigest.yaml").write_text(settings, encoding="utf-8")
    (folder / "sources.yaml").write_text(
        two_sources_per_host(sites, interval, feeds=feeds), encoding="utf-8"
    )
    (folder / "subscribers.yaml").write_text(SUBSCRIBERS, encoding="utf-8")
    return folder


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database (the distributed runner installs its own tables in it)."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        message = (
            f"the distributed runner needs PostgreSQL: set {POSTGRES_ENV}, "
            "e.g. postgresql://postgres@127.0.0.1:5432/test"
        )
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL tests. {message}")
        pytest.skip(message)
    name = f"cd_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        base.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    head, _, _ = base.rpartition("/")
    try:
        yield f"{head}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Proc:
    """A ``citydigest`` subprocess whose output goes to a log file."""

    args: list[str]
    log: Path
    popen: subprocess.Popen[bytes] = field(init=False)

    def __post_init__(self) -> None:
        env = {
            **os.environ,
            "CITYDIGEST_SECRET": SECRET,
            "PYTHONPATH": os.pathsep.join([str(HERE.parents[1]), os.environ.get("PYTHONPATH", "")]),
        }
        self.handle = self.log.open("wb")
        self.popen = subprocess.Popen(
            [sys.executable, *ENTRY, *self.args],
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            env=env,
        )

    def signal(self, signum: int) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signum)

    def wait(self, timeout: float) -> int:
        try:
            return self.popen.wait(timeout)
        finally:
            self.handle.flush()

    def stop(self, timeout: float = 20) -> int | None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
        self.handle.close()
        return self.popen.returncode

    def output(self) -> str:
        if not self.handle.closed:
            self.handle.flush()
        return self.log.read_text(errors="replace")


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., Proc]]:
    procs: list[Proc] = []

    def start(*args: str, name: str = "proc") -> Proc:
        proc = Proc(list(args), tmp_path / f"{name}-{len(procs)}.log")
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        proc.stop(5)
    # Shown by pytest only when the test failed: what each process said last.
    for proc in procs:
        print(f"---- {proc.log.name} (last 60 lines)")
        print("\n".join(proc.output().splitlines()[-60:]))


def wait_for(check: Callable[[], object], timeout: float, what: str, step: float = 0.25) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture
def slow_farm() -> Iterator[list[Site]]:
    with serve(farm(3, 10, first_address=60, latency=0.04)) as sites:
        yield sites
