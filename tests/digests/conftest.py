"""Fixtures for the digest tests: the secret, a migrated database, a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crawler.base.db import Database
from tests import mailserver
from tests.digests.digestkit import SECRET
from tests.mailserver import Recorder


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
    with mailserver.smtp_server() as running:
        yield running
