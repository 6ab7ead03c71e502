"""Sending through a real SMTP server (aiosmtpd on 127.0.0.1): what arrives, and exactly once."""

from __future__ import annotations

import time
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from crawler.base.db import Database
from crawler.base.errors import DigestError
from crawler.base.models import Delivery, SubscriberState
from digests import send_digests, verify_token
from digests.deliver import DataGuard, Mailer, Outgoing
from tests.digests.digestkit import (
    NOW,
    SECRET,
    Item,
    hours,
    make_config,
    seed,
    subscriber,
    visit_item,
)
from tests.mailserver import Recorder

pytestmark = pytest.mark.usefixtures("secret")


def _stories(db: Database) -> None:
    seed(
        db,
        [
            visit_item("青岛", "深圳", NOW - hours(3), also=["qingdao-news", "dazhong"]),
            Item(
                "深圳发布数字政府建设规划",
                NOW - hours(2),
                kind="policy",
                source="sz-gov",
                cities=["深圳"],
                provinces=["广东"],
                themes=["smart_city"],
                policy={"issuer": "深圳市人民政府", "doc_no": "深府〔2026〕12号"},
            ),
            Item(
                "香港特區推動智慧城市發展",
                NOW - hours(5),
                source="hk-gov",
                cities=["香港"],
                themes=["smart_city"],
                body="香港特區政府公布智慧城市藍圖。",
            ),
        ],
    )


def _rows(db: Database) -> list[Delivery]:
    with db.session() as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.subscriber_id)))


def _addr(message: EmailMessage) -> str:
    return str(message["To"].addresses[0].addr_spec)


def _parts(message: EmailMessage) -> dict[str, str]:
    return {part.get_content_type(): part.get_content() for part in message.iter_parts()}


async def test_messages_are_well_formed_and_rerun_sends_nothing(
    db: Database, smtp_server: tuple[Recorder, int], tmp_path
) -> None:
    recorder, port = smtp_server
    _stories(db)
    alice = subscriber()
    bob = subscriber(
        id="bob",
        email="bob@example.org",
        name="陳大文",
        script="traditional",
        timezone="America/New_York",
    )
    config = make_config(tmp_path, [alice, bob], port=port, reply_to="editor@example.org")

    report = await send_digests(config, db, now=NOW)

    assert (report.sent, report.failed, report.already_sent) == (2, 0, 0)
    assert len(recorder.messages) == 2
    mail = recorder.to("alice@example.org")[0]
    assert mail.get_content_type() == "multipart/alternative"
    parts = _parts(mail)
    assert list(parts) == ["text/plain", "text/html"]
    for part in mail.iter_parts():
        assert part.get_content_charset() == "utf-8"
    # The Chinese subject travels as an RFC 2047 encoded word and decodes back exactly.
    raw = recorder.envelopes[[str(m["To"]) for m in recorder.messages].index(str(mail["To"]))]
    raw_bytes = raw.original_content or b""
    raw_subject = next(line for line in raw_bytes.split(b"\r\n") if line.startswith(b"Subject:"))
    assert b"=?utf-8?" in raw_subject.lower()
    assert str(mail["Subject"]) == "青岛市党政代表团赴深圳考察交流｜城市考察快讯 11月27日 · 3条"
    assert raw_bytes.isascii()  # 7-bit clean on the wire: base64 bodies, encoded words
    # List-Unsubscribe must reach clients as plain URLs, never as RFC 2047 encoded words.
    assert (
        b"\r\nList-Unsubscribe: <https://digest.example.org/archive/unsubscribe?token=alice."
        in raw_bytes
    )
    assert b"\r\nContent-Transfer-Encoding: base64\r\n" in raw_bytes
    assert mail["To"].addresses[0].display_name == "王丽"
    assert str(mail["Reply-To"]) == "editor@example.org"
    assert str(mail["Message-ID"]) == "<digest.2026-11-27.alice@example.org>"
    # RFC 8058 one-click unsubscribe: https link + mailto, and the POST marker.
    assert str(mail["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    links = [part.strip().strip("<>") for part in str(mail["List-Unsubscribe"]).split(",")]
    https = next(link for link in links if link.startswith("https://"))
    assert any(link.startswith("mailto:digest@example.org?subject=") for link in links)
    token = parse_qs(urlsplit(https).query)["token"][0]
    assert verify_token(SECRET, token) == "alice"
    assert https in parts["text/html"] and https in parts["text/plain"]
    # Same content in both parts.
    for title in (
        "青岛市党政代表团赴深圳考察交流",
        "深圳发布数字政府建设规划",
        "香港特区推动智慧城市发展",
    ):
        assert title in parts["text/plain"] and title in parts["text/html"]

    bob_mail = recorder.to("bob@example.org")[0]
    assert str(bob_mail["Subject"]) == "青島市黨政代表團赴深圳考察交流｜城市考察快訊 11月26日 · 3條"
    assert "青島市黨政代表團赴深圳考察交流" in _parts(bob_mail)["text/plain"]
    assert str(bob_mail["Message-ID"]) == "<digest.2026-11-26.bob@example.org>"

    rows = _rows(db)
    assert [(r.subscriber_id, r.period, r.status, r.attempts) for r in rows] == [
        ("alice", "2026-11-27", "sent", 1),
        ("bob", "2026-11-26", "sent", 1),
    ]
    with db.session() as session:
        state = session.get(SubscriberState, "alice")
        assert state is not None and state.last_digest_at == NOW
        assert state.next_digest_at is not None
        assert state.next_digest_at - NOW == timedelta(hours=23, minutes=30)

    again = await send_digests(config, db, now=NOW + timedelta(hours=2))
    assert (again.sent, again.already_sent) == (0, 2)
    assert len(recorder.messages) == 2
    assert again.rows()[0][:3] == ("alice", "2026-11-27", "already_sent")


async def test_crash_mid_batch_then_rerun_sends_each_digest_exactly_once(
    db: Database, smtp_server: tuple[Recorder, int], tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder, port = smtp_server
    _stories(db)
    subs = [subscriber(id=f"s{i}", email=f"s{i}@example.org") for i in range(5)]
    config = make_config(tmp_path, subs, port=port)
    real_send = Mailer.send
    calls = 0

    class Crash(Exception):
        pass

    async def crashing_send(
        self: Mailer, message: Outgoing, guard: DataGuard | None = None
    ) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise Crash("the process died here")
        await real_send(self, message, guard)

    monkeypatch.setattr(Mailer, "send", crashing_send)
    with pytest.raises(Crash):
        await send_digests(config, db, now=NOW)
    assert len(recorder.messages) == 2
    statuses = {r.subscriber_id: r.status for r in _rows(db)}
    assert statuses == {"s0": "sent", "s1": "sent", "s2": "pending"}

    monkeypatch.setattr(Mailer, "send", real_send)
    report = await send_digests(config, db, now=NOW + timedelta(minutes=10))
    assert (report.sent, report.already_sent, report.failed) == (3, 2, 0)
    received = sorted(_addr(m) for m in recorder.messages)
    assert received == [f"s{i}@example.org" for i in range(5)]
    # The resent digest kept its window: the crash changed nothing a reader could see.
    rows = {r.subscriber_id: r for r in _rows(db)}
    assert rows["s2"].window_end == NOW and rows["s2"].attempts == 2
    assert len({m["Message-ID"] for m in recorder.messages}) == 5

    third = await send_digests(config, db, now=NOW + timedelta(minutes=20))
    assert third.sent == 0 and len(recorder.messages) == 5


async def test_transient_4xx_is_retried_then_succeeds(
    db: Database, smtp_server: tuple[Recorder, int], tmp_path
) -> None:
    recorder, port = smtp_server
    _stories(db)
    recorder.rcpt_replies["alice@example.org"] = ["451 4.7.1 Greylisted, try again later"]
    recorder.data_replies = []
    config = make_config(tmp_path, [subscriber()], port=port)
    report = await send_digests(config, db, now=NOW)
    assert report.sent == 1
    assert len(recorder.messages) == 1
    assert [(r.status, r.attempts) for r in _rows(db)] == [("sent", 1)]


async def test_transient_failures_exhausted_stay_pending_and_rerun_delivers(
    db: Database, smtp_server: tuple[Recorder, int], tmp_path
) -> None:
    recorder, port = smtp_server
    _stories(db)
    recorder.data_replies = ["421 4.3.0 Temporary system problem"] * 3
    config = make_config(tmp_path, [subscriber()], port=port, max_attempts=3)
    report = await send_digests(config, db, now=NOW)
    assert report.failed == 1 and report.sent == 0
    assert "421" in report.rows()[0][4]
    [row] = _rows(db)
    assert row.status == "pending" and row.error and "421" in row.error
    assert recorder.messages == []

    again = await send_digests(config, db, now=NOW + timedelta(hours=1))
    assert again.sent == 1 and len(recorder.messages) == 1


async def test_permanent_5xx_is_recorded_and_the_batch_continues(
    db: Database, smtp_server: tuple[Recorder, int], tmp_path
) -> None:
    recorder, port = smtp_server
    _stories(db)
    recorder.rcpt_replies["bob@example.org"] = ["550 5.1.1 No such user here"]
    subs = [
        subscriber(id="bob", email="bob@example.org"),
        subscriber(id="carol", email="carol@example.org"),
    ]
    config = make_config(tmp_path, subs, port=port)
    report = await send_digests(config, db, now=NOW)
    assert (report.sent, report.failed) == (1, 1)
    bob_row = next(r for r in report.rows() if r[0] == "bob")
    assert bob_row[2] == "failed" and "550" in bob_row[4] and "bob@example.org" in bob_row[4]
    assert [_addr(m) for m in recorder.messages] == ["carol@example.org"]
    rows = {r.subscriber_id: r for r in _rows(db)}
    assert rows["bob"].status == "failed" and "550 5.1.1" in (rows["bob"].error or "")
    assert rows["bob"].attempts == 1  # a permanent refusal is not retried

    again = await send_digests(config, db, now=NOW + timedelta(hours=1))
    assert (again.sent, again.failed, again.already_sent) == (0, 1, 1)
    assert len(recorder.messages) == 1


async def test_unreachable_server_fails_the_batch_without_closing_periods(
    db: Database, smtp_server: tuple[Recorder, int], tmp_path
) -> None:
    recorder, port = smtp_server
    _stories(db)
    subs = [subscriber(id=f"s{i}", email=f"s{i}@example.org") for i in range(3)]
    closed = make_config(tmp_path, subs, port=1, max_attempts=2)  # nothing listens on port 1
    report = await send_digests(closed, db, now=NOW)
    assert report.failed == 3 and report.sent == 0
    assert "not attempted" in report.rows()[2][4]
    assert [r.status for r in _rows(db)] == ["pending"]  # only the first one was tried

    working = make_config(tmp_path, subs, port=port)
    again = await send_digests(working, db, now=NOW + timedelta(minutes=5))
    assert again.sent == 3 and len(recorder.messages) == 3


async def test_a_refused_sender_stops_the_batch_and_closes_no_period(
    db: Database, smtp_server: tuple[Recorder, int], tmp_path
) -> None:
    recorder, port = smtp_server
    _stories(db)
    recorder.mail_replies = ["553 5.7.1 Sender address not allowed"]
    subs = [subscriber(id=f"s{i}", email=f"s{i}@example.org") for i in range(3)]
    config = make_config(tmp_path, subs, port=port)
    report = await send_digests(config, db, now=NOW)
    assert report.failed == 3 and report.sent == 0
    assert "refuses the sender digest@example.org" in report.rows()[0][4]
    assert [r.status for r in _rows(db)] == ["pending"]
    again = await send_digests(config, db, now=NOW + timedelta(minutes=5))
    assert again.sent == 3 and len(recorder.messages) == 3


async def test_unsubscribed_dry_run_and_missing_secret(
    db: Database, smtp_server: tuple[Recorder, int], tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder, port = smtp_server
    _stories(db)
    with db.session() as session:
        session.add(SubscriberState(id="bob", email="bob@example.org", unsubscribed=True))
    subs = [subscriber(), subscriber(id="bob", email="bob@example.org")]
    config = make_config(tmp_path, subs, port=port)

    dry = await send_digests(config, db, now=NOW, dry_run=True)
    assert [(r[0], r[2]) for r in dry.rows()] == [("bob", "unsubscribed"), ("alice", "dry_run")]
    assert recorder.messages == [] and _rows(db) == []
    assert not (tmp_path / "archive").exists()

    report = await send_digests(config, db, now=NOW, subscriber_ids=["bob", "alice"])
    assert report.sent == 1 and report.count("unsubscribed") == 1
    assert [str(m["To"]) for m in recorder.messages] == ["王丽 <alice@example.org>"]

    with pytest.raises(DigestError, match="no subscriber 'zed'"):
        await send_digests(config, db, now=NOW, subscriber_ids=["zed"])
    monkeypatch.delenv("CITYDIGEST_SECRET")
    with pytest.raises(DigestError, match=r"\$CITYDIGEST_SECRET is not set"):
        await send_digests(config, db, now=NOW)


async def test_rate_limit_spaces_messages(
    db: Database, smtp_server: tuple[Recorder, int], tmp_path
) -> None:
    recorder, port = smtp_server
    _stories(db)
    subs = [subscriber(id=f"s{i}", email=f"s{i}@example.org") for i in range(4)]
    config = make_config(tmp_path, subs, port=port, rate_per_second=10)
    started = time.monotonic()
    report = await send_digests(config, db, now=NOW)
    elapsed = time.monotonic() - started
    assert report.sent == 4 and len(recorder.messages) == 4
    assert elapsed >= 0.3  # four starts at most ten a second: three gaps of 0.1 s


async def test_empty_digest_skip_or_send(
    db: Database, smtp_server: tuple[Recorder, int], tmp_path
) -> None:
    recorder, port = smtp_server
    _stories(db)
    nothing = {"cities": ["拉萨"]}
    subs = [
        subscriber(id="quiet", email="quiet@example.org", filter=nothing),
        subscriber(id="loud", email="loud@example.org", filter=nothing, empty="send"),
    ]
    config = make_config(tmp_path, subs, port=port)
    report = await send_digests(config, db, now=NOW)
    assert report.skipped_empty == 1 and report.sent == 1
    [mail] = recorder.messages
    assert str(mail["To"]) == "王丽 <loud@example.org>"
    assert "本期无新消息" in str(mail["Subject"])
    assert "本期没有符合您订阅条件的新消息" in _parts(mail)["text/plain"]
    assert {r.subscriber_id for r in _rows(db)} == {"loud"}
