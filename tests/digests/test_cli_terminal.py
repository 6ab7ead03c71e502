"""Stored and received text never reaches an operator's terminal raw: the tables and lines of
``visits``, ``stories``, ``status`` and ``digest send`` (and their JSON) show a hostile title,
source error, delivery error and SMTP reply without their escape sequences and bidi overrides,
and rich markup in them as the brackets it is (no terminal: rich adds no styling of its own)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from crawler.app.cli import cli
from crawler.app.terminal import json_text, shown
from crawler.base.db import Database
from crawler.base.models import Delivery, SourceState
from tests.digests.digestkit import NOW, seed, visit_item
from tests.mailserver import Recorder

pytestmark = pytest.mark.usefixtures("secret")

ESC = "\x1b"
MARKUP = "[red]x[/red]"
# A colour, a window title (OSC ... BEL), a screen clear, a right-to-left override, markup.
HOSTILE = f"青岛{ESC}[31m代表团{ESC}]0;pwned\x07赴深圳{ESC}[2J\u202e考察 {MARKUP} [link=file:///x]y[/link]"
RAW = (ESC, "\x07", "\u202e", "\x9b")


def _config(folder: Path, database_url: str, port: int) -> Path:
    folder.mkdir()
    (folder / "citydigest.yaml").write_text(
        f"database: {json.dumps(database_url)}\ntimezone: Asia/Shanghai\n"
        f"smtp: {{host: 127.0.0.1, port: {port}, security: none, max_attempts: 1,"
        " from: 'digest <digest@example.org>'}\n"
        f"archive: {{dir: {json.dumps(str(folder.parent / 'archive'))},"
        " base_url: 'https://digest.example.org/archive/'}\n",
        encoding="utf-8",
    )
    (folder / "sources.yaml").write_text(
        "sources:\n  - {id: xinhua, name: 新华网, feed: 'https://xinhua.example.cn/rss.xml'}\n",
        encoding="utf-8",
    )
    (folder / "subscribers.yaml").write_text(
        "subscribers:\n  - {id: s00, email: s00@example.org, send_at: '00:00', empty: send}\n",
        encoding="utf-8",
    )
    return folder


def _cli(folder: Path, database_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner(env={"COLUMNS": "400"}).invoke(
        cli, ["--config", str(folder), "--database", database_url, *args]
    )
    return result.exit_code, result.output


def _clean(output: str) -> None:
    for char in RAW:
        assert char not in output, (char, output)


def test_hostile_stored_text_is_shown_cleaned_and_literally(
    database_url: str, tmp_path: Path, smtp_server: tuple[Recorder, int]
) -> None:
    recorder, port = smtp_server
    folder = _config(tmp_path / "config", database_url, port)
    db = Database(database_url, upgrade=True)
    seed(db, [visit_item("青岛", "深圳", NOW - timedelta(hours=3), title=HOSTILE)])
    with db.session() as session:
        session.execute(
            update(SourceState)
            .where(SourceState.id == "xinhua")
            .values(
                last_error=f"HTTP 503 {ESC}[31mService{ESC}[0m Unavailable {MARKUP}\u202e",
                last_error_at=NOW,
                consecutive_failures=3,
            )
        )
    db.dispose()

    for command in (["visits"], ["stories"]):
        code, output = _cli(folder, database_url, *command)
        assert code == 0, output
        _clean(output)
        assert MARKUP in output and "[link=file:///x]y[/link]" in output
        assert "代表团" in output and "pwned" not in output

        code, output = _cli(folder, database_url, *command, "--format", "json")
        assert code == 0, output
        _clean(output)
        assert json.loads(output.splitlines()[0])["title"] == HOSTILE  # the same data

    code, output = _cli(folder, database_url, "status")
    _clean(output)
    assert "Service Unavailable" in output and MARKUP in output

    # A delivery error and the report of a send quote what an SMTP server said.
    recorder.data_replies = [f"452 4.3.1 full {ESC}[2J{MARKUP}\u202e"]
    code, output = _cli(folder, database_url, "digest", "send")
    assert code == 1
    _clean(output)
    assert f"full {MARKUP}" in output
    db = Database(database_url)
    with db.session() as session:
        session.execute(
            update(Delivery).values(
                status="unknown", attempted_at=NOW, error=f"timeout {ESC}[31m{MARKUP}\u202e"
            )
        )
    db.dispose()
    code, output = _cli(folder, database_url, "status")
    _clean(output)
    assert f"timeout {MARKUP}" in output and "digests in doubt" in output
    code, output = _cli(folder, database_url, "status", "--format", "json")
    _clean(output)
    report = json.loads(output)
    assert report["sources"][0]["last_error"].startswith(f"HTTP 503 {ESC}[31m")
    assert report["deliveries_in_doubt"][0]["error"] == f"timeout {ESC}[31m{MARKUP}\u202e"


def test_shown_and_json_text() -> None:
    assert shown(None).plain == ""
    assert shown(f"a{ESC}[1mb{MARKUP} :smile:").plain == f"ab{MARKUP} :smile:"
    odd = "a\x7f\x9b\u202e\u2028\ufeff\ud800\U0001fffe\U00020000b"
    text = json_text({"t": odd})
    assert json.loads(text) == {"t": odd}
    assert text == '{"t": "a\\u007f\\u009b\\u202e\\u2028\\ufeff\\ud800\\ud83f\\udffe\U00020000b"}'
