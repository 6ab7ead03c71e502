"""Fixtures for the digest tests: the secret, a migrated database, a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from digestkit import SECRET, Recorder, free_port

from crawler.db import Database


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CITYDIGEST_SECRET", SECRET)
    return SECRET


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url, upgrade=True)
    yield database
    database.dispose()


@pytest.fixture
def smtp_server() -> Iterator[tuple[Recorder, int]]:
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, decode_data=False)
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()
