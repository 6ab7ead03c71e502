"""Digest mail at most once, and exactly once where SMTP allows: what a server that is slower than
``smtp.data_timeout`` (or only than ``smtp.timeout``), a failure before DATA and a sender killed
with SIGKILL at random moments do to the ledger and to what subscribers receive (aiosmtpd on
127.0.0.1, SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPProtocol
from aiosmtpd.smtp import Envelope, Session
from click.testing import CliRunner
from sqlalchemy import select, update

from crawler.app.cli import cli
from crawler.app.status import status_report
from crawler.base.config import Config, load_config
from crawler.base.db import Database
from crawler.base.errors import ConfigError
from crawler.base.models import Delivery
from digests import send_digests
from tests.digests.digestkit import NOW, hours, seed, visit_item
from tests.mailserver import Recorder, free_port

pytestmark = pytest.mark.usefixtures("secret")
ROOT = Path(__file__).resolve().parents[2]


class SlowRecorder(Recorder):
    """Keeps each message as soon as it has it (as a real server queues it), then waits
    ``data_delay`` seconds (a number, or a callable giving one) before its 250; ``rcpt_delay``
    slows the answer to RCPT (before any message exists)."""

    def __init__(self) -> None:
        super().__init__()
        self.data_delay: float | object = 0.0
        self.rcpt_delay = 0.0
        self.unanswered: list[str] = []  # recipients of kept messages not (yet) answered

    async def handle_RCPT(
        self,
        server: SMTPProtocol,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if self.rcpt_delay:
            await asyncio.sleep(self.rcpt_delay)
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server: SMTPProtocol, session: Session, envelope: Envelope) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        if not reply.startswith("250"):
            return reply
        recipient = str(self.messages[-1]["To"].addresses[0].username)
        self.unanswered.append(recipient)
        delay = self.data_delay() if callable(self.data_delay) else self.data_delay
        if delay:
            await asyncio.sleep(float(delay))  # a client gone meanwhile: never answered
        self.unanswered.remove(recipient)
        return reply

    def copies(self) -> Counter[str]:
        return Counter(str(m["To"].addresses[0].addr_spec) for m in self.messages)


class _Slow354(SMTPProtocol):
    """aiosmtpd's session, waiting ``go_ahead_delay`` seconds before its 354 to DATA."""

    go_ahead_delay = 0.0

    async def smtp_DATA(self, arg: str) -> None:
        if self.go_ahead_delay:
            await asyncio.sleep(self.go_ahead_delay)
        await super().smtp_DATA(arg)


class _SlowController(Controller):
    def factory(self) -> SMTPProtocol:
        return _Slow354(self.handler, **self.SMTP_kwargs)


@contextmanager
def slow_server() -> Iterator[tuple[SlowRecorder, int]]:
    recorder = SlowRecorder()
    port = free_port()
    controller = _SlowController(recorder, hostname="127.0.0.1", port=port, decode_data=False)
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()


def write_config(folder: Path, database_url: str, port: int, count: int, **smtp: object) -> Config:
    """A config directory the CLI reads too: ``count`` daily subscribers ``s00``…, an SMTP
    server on loopback that gives up after ``smtp.timeout`` (default 0.5 s) per reply, and after
    ``smtp.data_timeout`` (default: the same) on the reply to the message."""
    folder.mkdir(parents=True, exist_ok=True)
    settings = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "timeout": 0.5,
        "max_attempts": 3,
        "retry_backoff": 0.01,
        "from": "城市考察快讯 <digest@example.org>",
        **smtp,
    }
    settings.setdefault("data_timeout", settings["timeout"])
    lines = [f"database: {json.dumps(database_url)}", "timezone: Asia/Shanghai", "smtp:"]
    lines += [
        f"  {key}: {json.dumps(value, ensure_ascii=False)}"
        for key, value in settings.items()
        if value is not None
    ]
    lines += [
        "archive:",
        f"  dir: {json.dumps(str(folder.parent / 'archive'))}",
        "  base_url: https://digest.example.org/archive/",
    ]
    (folder / "citydigest.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "sources.yaml").write_text("sources: []\n", encoding="utf-8")
    subs = ["subscribers:"] + [
        f"  - {{id: s{i:02d}, email: s{i:02d}@example.org, send_at: '00:00', empty: send}}"
        for i in range(count)
    ]
    (folder / "subscribers.yaml").write_text("\n".join(subs) + "\n", encoding="utf-8")
    return load_config(folder)


def _stories(db: Database, at: datetime) -> None:
    seed(
        db,
        [
            visit_item("青岛", "深圳", at - hours(3), also=["qingdao-news"]),
            visit_item("成都", "重庆", at - hours(2)),
        ],
    )


def _rows(db: Database) -> dict[str, Delivery]:
    with db.session() as session:
        return {
            f"{r.subscriber_id} {r.period}": r
            for r in session.scalars(select(Delivery).order_by(Delivery.subscriber_id))
        }


def _cli(folder: Path, database_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--config", str(folder), "--database", database_url, *args])
    return result.exit_code, result.output


def _in_doubt(folder: Path, database_url: str) -> list[dict[str, object]]:
    code, output = _cli(folder, database_url, "status", "--format", "json")
    assert code == 0, output
    return list(json.loads(output).get("deliveries_in_doubt", []))


# --------------------------------------------------------------------------- (a) slow server


def test_a_reply_slower_than_the_timeout_is_one_copy_then_unknown_until_resent(
    database_url: str, tmp_path: Path
) -> None:
    with slow_server() as (recorder, port):
        config = write_config(tmp_path / "config", database_url, port, 3)
        db = Database(database_url, upgrade=True)
        _stories(db, NOW)
        recorder.data_delay = 1.2  # the server takes every message, answers after the timeout

        first = asyncio.run(send_digests(config, db, now=NOW))
        assert recorder.copies() == {f"s{i:02d}@example.org": 1 for i in range(3)}
        assert first.unknown == 3 and first.sent == 0 and not first.ok
        assert all("may have been delivered" in row[4] for row in first.rows())
        rows = _rows(db)
        assert {(r.status, r.attempts) for r in rows.values()} == {("unknown", 1)}
        assert all(r.attempted_at == NOW for r in rows.values())

        recorder.data_delay = 0.0
        second = asyncio.run(send_digests(config, db, now=NOW + timedelta(minutes=30)))
        assert (second.unknown, second.sent) == (3, 0)
        assert "not sent again automatically" in second.rows()[0][4]
        assert sum(recorder.copies().values()) == 3
        report = status_report(config, db)
        assert [(d.subscriber_id, d.status) for d in report.deliveries] == [
            ("s00", "unknown"),
            ("s01", "unknown"),
            ("s02", "unknown"),
        ]
        doubt = _in_doubt(config.dir, database_url)
        assert [(d["subscriber"], d["period"], d["status"]) for d in doubt] == [
            (f"s{i:02d}", "2026-11-27", "unknown") for i in range(3)
        ]
        code, table = _cli(config.dir, database_url, "status")
        assert "digests in doubt" in table and "s02" in table

        code, output = _cli(config.dir, database_url, "digest", "resend")
        assert code == 2 and "--unknown" in output  # never a resend of everything by accident
        code, output = _cli(
            config.dir,
            database_url,
            "digest",
            "resend",
            "--subscriber",
            "s01",
            "--period",
            "2026-11-27",
        )
        assert code == 0, output
        assert recorder.copies()["s01@example.org"] == 2
        code, output = _cli(config.dir, database_url, "digest", "resend", "--unknown")
        assert code == 0, output
        assert recorder.copies() == {f"s{i:02d}@example.org": 2 for i in range(3)}
        ids = {str(m["Message-ID"]) for m in recorder.messages}
        assert len(ids) == 3  # a resend keeps its Message-ID
        assert {(r.status, r.attempts) for r in _rows(db).values()} == {("sent", 2)}
        assert _in_doubt(config.dir, database_url) == []
        code, output = _cli(config.dir, database_url, "digest", "resend", "--unknown")
        assert code == 0 and "nothing to resend" in output
        third = asyncio.run(send_digests(config, db, now=NOW + timedelta(hours=1)))
        assert third.already_sent == 3 and sum(recorder.copies().values()) == 6
        db.dispose()


@pytest.mark.parametrize("data_timeout", [5, 1])
def test_the_reply_to_the_message_is_awaited_data_timeout_not_timeout(
    database_url: str, tmp_path: Path, data_timeout: float
) -> None:
    """A server that scans the message for 1.5 s before its 250 (RFC 5321 gives it 10 minutes)
    is a delivery, not a digest in doubt, though each other reply is awaited 1 s."""
    with slow_server() as (recorder, port):
        config = write_config(
            tmp_path / "config", database_url, port, 1, timeout=1, data_timeout=data_timeout
        )
        db = Database(database_url, upgrade=True)
        _stories(db, NOW)
        recorder.data_delay = 1.5
        result = asyncio.run(send_digests(config, db, now=NOW))
        assert recorder.copies() == {"s00@example.org": 1}
        (row,) = _rows(db).values()
        if data_timeout > 1.5:
            assert (result.sent, result.unknown) == (1, 0) and result.ok
            assert (row.status, row.attempts) == ("sent", 1)
        else:
            assert (result.sent, result.unknown) == (0, 1) and not result.ok
            assert (row.status, row.attempts) == ("unknown", 1)
        db.dispose()


def test_data_timeout_defaults_to_rfc_5321s_ten_minutes_and_must_be_positive(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path / "ok", "sqlite://", 1, 1, data_timeout=None)
    assert config.settings.smtp.data_timeout == 600
    for bad in (0, -1, "soon"):
        with pytest.raises(ConfigError, match="data_timeout"):
            write_config(tmp_path / "bad", "sqlite://", 1, 1, data_timeout=bad)


def test_a_sending_row_is_left_alone_while_its_attempt_may_still_await_the_data_reply(
    database_url: str, tmp_path: Path
) -> None:
    """An attempt may wait ``smtp.data_timeout`` for the reply to its message: a later run does
    not call its row a dead run's before that (and a minute) has passed."""
    with slow_server() as (_, port):
        config = write_config(tmp_path / "config", database_url, port, 1, data_timeout=300)
        db = Database(database_url, upgrade=True)
        _stories(db, NOW)
        assert asyncio.run(send_digests(config, db, now=NOW)).sent == 1
        with db.session() as session:
            session.execute(update(Delivery).values(status="sending", attempted_at=NOW))
        asyncio.run(send_digests(config, db, now=NOW + timedelta(minutes=5)))
        assert [r.status for r in _rows(db).values()] == ["sending"]
        asyncio.run(send_digests(config, db, now=NOW + timedelta(minutes=6, seconds=1)))
        assert [r.status for r in _rows(db).values()] == ["unknown"]
        db.dispose()


def test_no_go_ahead_to_data_within_the_timeout_is_not_a_digest_in_doubt(
    database_url: str, tmp_path: Path
) -> None:
    """No 354 in ``smtp.timeout``: the message was never written, so the server cannot have it;
    the digest stays pending and the next run sends it (once)."""
    with slow_server() as (recorder, port):
        config = write_config(
            tmp_path / "config", database_url, port, 1, timeout=0.5, data_timeout=30, max_attempts=1
        )
        db = Database(database_url, upgrade=True)
        _stories(db, NOW)
        _Slow354.go_ahead_delay = 1.2
        try:
            first = asyncio.run(send_digests(config, db, now=NOW))
        finally:
            _Slow354.go_ahead_delay = 0.0
        assert (first.sent, first.unknown, first.failed) == (0, 0, 1)
        assert recorder.messages == []
        (row,) = _rows(db).values()
        assert row.status == "pending" and "Timed out" in (row.error or "")
        again = asyncio.run(send_digests(config, db, now=NOW + timedelta(minutes=5)))
        assert again.sent == 1 and recorder.copies() == {"s00@example.org": 1}
        db.dispose()


# --------------------------------------------------------------------------- (c) before DATA


@pytest.mark.parametrize(
    "failure",
    [
        "451 to RCPT",
        "421 to MAIL",
        "RCPT slower than the timeout",
        "452 to the message",
        "nothing listening",
    ],
)
def test_a_failure_before_the_server_has_the_message_stays_pending_and_is_retried(
    database_url: str, tmp_path: Path, failure: str
) -> None:
    with slow_server() as (recorder, port):
        config = write_config(
            tmp_path / "config",
            database_url,
            1 if failure == "nothing listening" else port,
            2,
            max_attempts=2,
        )
        db = Database(database_url, upgrade=True)
        _stories(db, NOW)
        if failure == "451 to RCPT":
            for i in range(2):
                recorder.rcpt_replies[f"s{i:02d}@example.org"] = ["451 4.7.1 Greylisted"] * 2
        elif failure == "421 to MAIL":
            recorder.mail_replies = ["421 4.3.2 System not accepting network messages"] * 4
        elif failure == "RCPT slower than the timeout":
            recorder.rcpt_delay = 0.8
        elif failure == "452 to the message":
            recorder.data_replies = ["452 4.3.1 Insufficient system storage"] * 4

        first = asyncio.run(send_digests(config, db, now=NOW))
        assert first.failed >= 1 and first.sent == 0 and first.unknown == 0
        assert recorder.messages == []
        rows = _rows(db)
        assert {r.status for r in rows.values()} == {"pending"}
        assert status_report(config, db).deliveries == ()

        recorder.rcpt_delay, recorder.rcpt_replies, recorder.mail_replies = 0.0, {}, []
        recorder.data_replies = []
        working = write_config(tmp_path / "config", database_url, port, 2)
        again = asyncio.run(send_digests(working, db, now=NOW + timedelta(minutes=5)))
        assert again.sent == 2 and again.ok
        assert recorder.copies() == {"s00@example.org": 1, "s01@example.org": 1}
        db.dispose()


# --------------------------------------------------------------------------- (d) after a wait


def test_an_unknown_digest_is_sent_again_once_the_configured_wait_has_passed(
    database_url: str, tmp_path: Path
) -> None:
    with slow_server() as (recorder, port):
        config = write_config(tmp_path / "config", database_url, port, 2, unknown_resend_after="1h")
        db = Database(database_url, upgrade=True)
        _stories(db, NOW)
        recorder.data_delay = 1.2
        first = asyncio.run(send_digests(config, db, now=NOW, subscriber_ids=["s00"]))
        assert recorder.copies() == {"s00@example.org": 1} and first.unknown == 1
        recorder.data_delay = 0.0

        early = asyncio.run(
            send_digests(config, db, now=NOW + timedelta(minutes=59), subscriber_ids=["s00"])
        )
        assert early.unknown == 1 and "first run 1:00:00 after the attempt" in early.rows()[0][4]
        assert recorder.copies() == {"s00@example.org": 1}

        due = asyncio.run(
            send_digests(config, db, now=NOW + timedelta(minutes=61), subscriber_ids=["s00"])
        )
        assert due.sent == 1 and "sent again" in due.rows()[0][4]
        assert recorder.copies() == {"s00@example.org": 2}
        assert len({str(m["Message-ID"]) for m in recorder.messages}) == 1
        assert [(r.status, r.attempts) for r in _rows(db).values()] == [("sent", 2)]
        after = asyncio.run(
            send_digests(config, db, now=NOW + timedelta(hours=3), subscriber_ids=["s00"])
        )
        assert after.sent == 0 and recorder.copies() == {"s00@example.org": 2}

        # An unknown digest of an earlier period goes out with the next period's digest, and
        # the next window starts where the one in doubt ended (no story twice).
        recorder.data_delay = 1.2
        asyncio.run(send_digests(config, db, now=NOW, subscriber_ids=["s01"]))
        recorder.data_delay = 0.0
        tomorrow = NOW + timedelta(days=1)
        _stories(db, tomorrow)
        next_day = asyncio.run(send_digests(config, db, now=tomorrow, subscriber_ids=["s01"]))
        assert sorted(row[1] for row in next_day.rows() if row[2] == "sent") == [
            "2026-11-27",
            "2026-11-28",
        ]
        assert recorder.copies()["s01@example.org"] == 3
        rows = _rows(db)
        assert rows["s01 2026-11-27"].status == "sent"
        assert rows["s01 2026-11-28"].window_start == rows["s01 2026-11-27"].window_end
        db.dispose()


# --------------------------------------------------------------------------- (b) kill -9


def _send_process(folder: Path, database_url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with log.open("ab") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "crawler.app.cli",
                "--config",
                str(folder),
                "--database",
                database_url,
                "digest",
                "send",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def test_a_sender_killed_at_random_moments_never_sends_a_copy_twice_unreported(
    database_url: str, tmp_path: Path
) -> None:
    rng = random.Random(os.environ.get("CITYDIGEST_KILL_SEED", "5"))
    count = 24
    with slow_server() as (recorder, port):
        config = write_config(tmp_path / "config", database_url, port, count, timeout=5)
        db = Database(database_url, upgrade=True)
        _stories(db, datetime.now(UTC))
        # The server keeps each message, then takes 50-150 ms to say so: the moment a kill
        # turns into a second copy, unless the ledger knows DATA had begun.
        recorder.data_delay = lambda: rng.uniform(0.05, 0.15)
        log = tmp_path / "send.log"
        kills = 0
        held: set[str] = set()  # subscribers whose message the server had, unanswered, at a kill
        for _ in range(8):
            before = len(recorder.messages)
            proc = _send_process(config.dir, database_url, log)
            deadline = time.monotonic() + 60
            target = before + rng.randint(1, 3)
            while len(recorder.messages) < target and proc.poll() is None:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.005)
            time.sleep(rng.choice([0.0, 0.02, 0.06, rng.uniform(0, 0.3)]))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
                held |= set(recorder.unanswered)
            proc.wait(30)
        assert kills >= 5 and held, log.read_text()

        done = _send_process(config.dir, database_url, log)
        assert done.wait(120) in (0, 1), log.read_text()
        doubt = {str(d["subscriber"]) for d in _in_doubt(config.dir, database_url)}
        copies = recorder.copies()
        # Without an operator, nobody has two copies, and only those in doubt may have none.
        assert max(copies.values()) == 1, copies
        everyone = {f"s{i:02d}" for i in range(count)}
        missing = everyone - {address.split("@")[0] for address in copies}
        assert missing <= doubt, (missing, doubt)
        assert held <= doubt, (held, doubt)  # the server had them, no answer was read: reported

        # The operator sends the digests in doubt again (the killed runs are long gone: their
        # rows are aged past the time a live attempt can hold ``sending``).
        with db.session() as session:
            session.execute(
                update(Delivery)
                .where(Delivery.status == "sending")
                .values(attempted_at=datetime.now(UTC) - timedelta(hours=1))
            )
        code, output = _cli(config.dir, database_url, "digest", "resend", "--unknown")
        assert code == 0, output
        copies = recorder.copies()
        assert {address.split("@")[0] for address in copies} == everyone
        twice = {address.split("@")[0] for address, n in copies.items() if n > 1}
        assert max(copies.values()) <= 2
        assert twice <= doubt and len(twice) <= len(doubt), (twice, doubt)
        assert _in_doubt(config.dir, database_url) == []
        assert {r.status for r in _rows(db).values()} == {"sent"}
        db.dispose()
