"""Operators' logs: ``--log-format json``, what each ``-v`` shows (APScheduler's routine only at
``-vvv``), the startup line of ``run``, ``worker`` and ``serve`` at every verbosity, and
``serve``'s access log."""

from __future__ import annotations

import json
import logging
import re
import signal
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from crawler.app.cli import cli
from crawler.app.logs import ANNOUNCED, CHATTY, configure_logging
from crawler.app.web import create_app
from crawler.base.config import load_config
from crawler.base.db import Database
from tests.app.servicekit import Proc, wait_for
from tests.mailserver import free_port

ESC = "\x1b"


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """Each test configures the process's logging; the next one finds it as it was."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in (*CHATTY, *ANNOUNCED)}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, value in levels.items():
        logging.getLogger(name).setLevel(value)


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


# --------------------------------------------------------------------------- formats and levels


def test_json_lines_carry_time_level_logger_message_extras_and_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(0, "json")
    log = logging.getLogger("citydigest.test")
    when = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
    log.warning(
        "青島 %s\nsecond line %s", "代表团", f"{ESC}[31mred", extra={"source": "qd", "n": 3}
    )
    log.warning("no JSON type", extra={"when": when, "ids": ("a", "b"), "path": Path("/x")})
    try:
        raise ValueError("boom")
    except ValueError:
        log.error("failed", exc_info=True)
    lines = _lines(capsys.readouterr().err)
    assert len(lines) == 3  # one line per record, a newline in a message included
    first, second, third = map(json.loads, lines)
    assert first["level"] == "WARNING" and first["logger"] == "citydigest.test"
    assert first["message"] == f"青島 代表团\nsecond line {ESC}[31mred"  # the same text
    assert ESC not in lines[0] and "青島" in lines[0]  # escaped, and readable UTF-8
    assert (first["source"], first["n"]) == ("qd", 3)
    stamp = datetime.fromisoformat(first["time"])
    assert stamp.utcoffset() is not None and stamp.utcoffset().total_seconds() == 0
    assert abs((datetime.now(UTC) - stamp).total_seconds()) < 600
    assert second["when"] == str(when) and second["ids"] == ["a", "b"] and second["path"] == "/x"
    assert "exception" not in second
    assert third["message"] == "failed" and third["level"] == "ERROR"
    assert "Traceback" in third["exception"] and "ValueError: boom" in third["exception"]
    for record in (first, second, third):  # nothing of LogRecord's own but the four fields
        assert not {"args", "msg", "levelno", "pathname", "exc_info"} & set(record)


def test_text_lines_and_configuring_twice_logs_once(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(0, "json")
    configure_logging(0, "text")
    logging.getLogger("citydigest.test").warning("only %s", "once")
    lines = _lines(capsys.readouterr().err)
    assert len(lines) == 1
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} WARNING citydigest.test: only once", lines[0]
    )


# verbose count -> (logger, level) pairs that print, and those that do not
LEVELS = [
    (
        0,
        {
            ("citydigest.service", "INFO"),
            ("citydigest.access", "INFO"),
            ("citydigest.daemon", "WARNING"),
            ("apscheduler.scheduler", "WARNING"),
        },
        {("citydigest.daemon", "INFO"), ("apscheduler.executors.default", "INFO")},
    ),
    (
        1,
        {("citydigest.daemon", "INFO"), ("citydigest.service", "INFO")},
        {
            ("citydigest.daemon", "DEBUG"),
            ("apscheduler.executors.default", "INFO"),
            ("apscheduler.scheduler", "INFO"),
        },
    ),
    (
        2,
        {
            ("citydigest.daemon", "DEBUG"),
            ("citydigest.access", "INFO"),
            ("apscheduler.executors.default", "WARNING"),
        },
        {("apscheduler.executors.default", "INFO"), ("apscheduler.scheduler", "DEBUG")},
    ),
    (
        3,
        {
            ("apscheduler.executors.default", "INFO"),
            ("apscheduler.scheduler", "DEBUG"),
            ("citydigest.daemon", "DEBUG"),
        },
        set(),
    ),
]


@pytest.mark.parametrize(("verbose", "shown", "hidden"), LEVELS)
def test_each_verbosity_prints_what_it_promises(
    verbose: int,
    shown: set[tuple[str, str]],
    hidden: set[tuple[str, str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(verbose, "text")
    for name, level in sorted(shown | hidden):
        logging.getLogger(name).log(logging.getLevelName(level), "probe %s %s", name, level)
    err = capsys.readouterr().err
    for name, level in shown:
        assert f"probe {name} {level}" in err, (verbose, name, level)
    for name, level in hidden:
        assert f"probe {name} {level}" not in err, (verbose, name, level)


@pytest.mark.parametrize("value", ["xml", "JSONL", ""])
def test_an_unknown_log_format_is_a_usage_error(value: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--config", str(tmp_path), "check"], env={"CITYDIGEST_LOG_FORMAT": value}
    )
    if value == "":  # an empty variable is no choice: the default
        assert "log-format" not in result.output
        return
    assert result.exit_code == 2
    assert "--log-format" in result.output and "'text', 'json'" in result.output


def test_a_command_that_cannot_start_says_why_in_one_json_record(tmp_path: Path) -> None:
    """Under --log-format json the error a command stops on is a log record too, not a line
    of text a log shipper cannot parse; in text it stays the plain line."""
    (tmp_path / "sources.yaml").write_text("sources:\n  - {id: x}\n", encoding="utf-8")
    bad_config = ["--config", str(tmp_path), "crawl", "once"]
    closed = f"postgresql://postgres@127.0.0.1:{free_port()}/test"
    no_database = ["--config", str(_service_config(tmp_path)), "--database", closed, "status"]
    for args, code, logger, words in (
        (bad_config, 2, "citydigest.config", "sources[0].name: required key is missing"),
        (no_database, 3, "citydigest.db", "database unavailable"),
    ):
        result = CliRunner().invoke(cli, ["--log-format", "json", *args])
        assert result.exit_code == code
        lines = _lines(result.stderr)
        assert len(lines) == 1, lines
        record = json.loads(lines[0])
        assert (record["level"], record["logger"], record["exit_code"]) == ("ERROR", logger, code)
        assert words in record["message"]
        text = CliRunner().invoke(cli, args)
        assert text.exit_code == code
        assert text.stderr.startswith("citydigest: ") and words in text.stderr


# --------------------------------------------------------------------------- services


def _service_config(tmp_path: Path, database: str = "") -> Path:
    folder = tmp_path / "cfg"
    folder.mkdir()
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "index.html").write_text("<h1>archive</h1>", encoding="utf-8")
    database = database or f"sqlite:///{tmp_path / 'db.sqlite'}"
    (folder / "citydigest.yaml").write_text(
        f"database: {json.dumps(database)}\n"
        "fetch: {allow_private_networks: true, per_host_delay: 0, timeout: 3}\n"
        f"archive: {{dir: {json.dumps(str(archive))}, base_url: 'http://127.0.0.1/archive/'}}\n",
        encoding="utf-8",
    )
    (folder / "sources.yaml").write_text(
        "sources:\n"  # port 9 (discard) is closed on loopback: each check fails at once
        "  - {id: dead, name: 死源, interval: 1h, feed: 'http://127.0.0.1:9/feed.xml'}\n"
        "  - {id: dead2, name: 死源二, interval: 1h, feed: 'http://127.0.0.2:9/feed.xml'}\n",
        encoding="utf-8",
    )
    (folder / "subscribers.yaml").write_text(
        "subscribers:\n  - {id: alice, email: alice@example.org}\n", encoding="utf-8"
    )
    return folder


STARTUP = re.compile(
    r"INFO citydigest\.service: citydigest (?P<version>\d+\.\d+\S*) (?P<command>\w+): "
    r"engine (?P<engine>\w+), config (?P<config>\S+), database (?P<database>\S+), "
    r"(?P<sources>\d+) sources, (?P<subscribers>\d+) subscribers(?P<more>.*)"
)


def _stopped(proc: Proc, statuses: tuple[int, ...] = (0,)) -> str:
    """SIGTERM, the exit status checked, the whole output."""
    proc.signal(signal.SIGTERM)
    assert proc.wait(30) in statuses, proc.output()
    return proc.output()


def _startup(output: str) -> re.Match[str]:
    found = [m for line in output.splitlines() if (m := STARTUP.search(line))]
    assert len(found) == 1, output
    return found[0]


@pytest.mark.parametrize("verbose", [0, 1, 2, 3])
def test_run_says_what_it_runs_once_and_apscheduler_only_at_vvv(
    verbose: int, tmp_path: Path, spawn: Callable[..., Proc]
) -> None:
    folder = _service_config(tmp_path)
    flags = ["-" + "v" * verbose] if verbose else []
    proc = spawn(*flags, "--config", str(folder), "run", "--tick", "0.2", "--concurrency", "3")
    wait_for(lambda: "citydigest.service" in proc.output(), 60, "the startup line")
    if verbose:  # the first tick has run: APScheduler logs before and after a job runs
        wait_for(lambda: proc.output().count("crawled dead") == 2, 60, "both crawls")
    output = _stopped(proc)
    line = _startup(output)
    assert line["command"] == "run" and line["engine"] == "embedded"
    assert Path(line["config"]) == folder.resolve()
    assert line["database"] == f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert (line["sources"], line["subscribers"]) == ("2", "1")
    assert line["more"] == ", concurrency 3"
    assert ("apscheduler" in output) == (verbose >= 3), output
    assert ("INFO citydigest.daemon" in output) == (verbose >= 1)  # its warnings always


@pytest.mark.postgres
@pytest.mark.parametrize(
    "command", [("worker", "--name", "w7"), ("run", "--engine", "procrastinate")]
)
def test_the_distributed_startup_line_masks_the_password(
    command: tuple[str, ...], tmp_path: Path, spawn: Callable[..., Proc], postgres_url: str
) -> None:
    # The test server trusts loopback: a password in the URL is accepted and ignored.
    url = postgres_url.replace("postgresql://postgres@", "postgresql://postgres:s3cret-pw@", 1)
    assert "s3cret-pw" in url
    Database(url, upgrade=True).dispose()
    folder = _service_config(tmp_path, url)
    proc = spawn("--config", str(folder), *command, "--dispatch-every", "1")
    wait_for(lambda: "citydigest.service" in proc.output(), 90, "the startup line")
    output = _stopped(proc)
    line = _startup(output)
    assert "s3cret-pw" not in output
    assert line["database"] == url.replace("s3cret-pw", "***")
    assert line["engine"] == "procrastinate" and line["command"] == command[0]
    if command[0] == "worker":
        assert line["more"] == ", worker w7, concurrency 8"


ACCESS = re.compile(
    r'INFO citydigest\.access: (?P<client>\S+) "(?P<method>\w+) (?P<path>\S+) HTTP/1\.1" '
    r'(?P<status>\d{3}) (?P<bytes>\d+|-) (?P<ms>\d+\.\d)ms "(?P<referer>(?:[^"\\]|\\.)*)" '
    r'"(?P<agent>(?:[^"\\]|\\.)*)"$'
)
TOKEN = "tok3n-of-a-subscriber"


def _serve(
    tmp_path: Path, spawn: Callable[..., Proc], *root: str, options: tuple[str, ...] = ()
) -> tuple[Proc, int, list[httpx.Response]]:
    """``serve`` on a free port, four requests, stopped."""
    folder = _service_config(tmp_path)
    Database(load_config(folder).settings.database).dispose()  # the schema, before serve reads it
    port = free_port()
    proc = spawn("--config", str(folder), *root, "serve", "--port", str(port), *options)
    wait_for(lambda: "Uvicorn running" in proc.output(), 60, "serve to listen")
    base = f"http://127.0.0.1:{port}"
    agent = 'probe "quoted" \\ agent'
    with httpx.Client(base_url=base, headers={"User-Agent": agent}) as client:
        responses = [
            client.get("/healthz"),
            client.get("/archive/", headers={"Referer": "https://mail.example.org/x"}),
            client.get("/archive/missing.html"),
            client.get(f"/unsubscribe?token={TOKEN}"),
        ]
    _stopped(proc, (0, -signal.SIGTERM))  # uvicorn raises the signal again once it has stopped
    return proc, port, responses


def test_serve_logs_a_line_per_request_in_the_common_style(
    tmp_path: Path, spawn: Callable[..., Proc]
) -> None:
    proc, port, responses = _serve(tmp_path, spawn)
    output = proc.output()
    line = _startup(output)
    assert line["command"] == "serve" and line["more"] == f", listening on 127.0.0.1:{port}"
    found = [m for row in output.splitlines() if (m := ACCESS.search(row))]
    assert [(m["method"], m["path"], int(m["status"])) for m in found] == [
        ("GET", "/healthz", 200),
        ("GET", "/archive/", 200),
        ("GET", "/archive/missing.html", 404),
        ("GET", "/unsubscribe", responses[3].status_code),  # the query (a token) left out
    ]
    for match, response in zip(found, responses, strict=True):
        assert match["client"] == "127.0.0.1"
        assert int(match["bytes"]) == len(response.content)
        assert match["agent"] == 'probe \\"quoted\\" \\\\ agent'  # escaped, one field
    assert found[1]["referer"] == "https://mail.example.org/x" and found[0]["referer"] == "-"
    assert TOKEN not in output
    assert output.count("citydigest.access") == 4


def test_serve_logs_json_lines_and_can_keep_quiet(
    tmp_path: Path, spawn: Callable[..., Proc]
) -> None:
    (tmp_path / "json").mkdir()
    (tmp_path / "quiet").mkdir()
    proc, _port, responses = _serve(tmp_path / "json", spawn, "--log-format", "json")
    records = [json.loads(line) for line in _lines(proc.output())]  # every line is JSON
    assert any(r["logger"] == "uvicorn.error" for r in records)  # uvicorn's own lines too
    startup = [r for r in records if r["logger"] == "citydigest.service"]
    assert len(startup) == 1 and startup[0]["command"] == "serve" and startup[0]["sources"] == 2
    access = [r for r in records if r["logger"] == "citydigest.access"]
    assert [(r["method"], r["path"], r["status"], r["bytes"]) for r in access] == [
        ("GET", p, resp.status_code, len(resp.content))
        for p, resp in zip(
            ["/healthz", "/archive/", "/archive/missing.html", "/unsubscribe"],
            responses,
            strict=True,
        )
    ]
    assert all(r["duration_ms"] >= 0 and r["client"] == "127.0.0.1" for r in access)
    assert TOKEN not in proc.output()

    quiet, _port, _ = _serve(tmp_path / "quiet", spawn, options=("--no-access-log",))
    assert "citydigest.access" not in quiet.output() and "citydigest.service" in quiet.output()


async def test_a_request_that_raises_is_logged_as_500(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = _service_config(tmp_path)
    config = load_config(folder)
    db = Database(config.settings.database)

    def broken() -> int:
        raise RuntimeError("a bug")

    app = create_app(config, db, queue_depth=broken)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=("127.0.0.1", 5))
    caplog.set_level(logging.INFO, logger="citydigest.access")
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        assert (await client.get("/")).status_code == 500
        assert (await client.get("/healthz")).status_code == 200
    db.dispose()
    records = [r for r in caplog.records if r.name == "citydigest.access"]
    assert [(r.path, r.status) for r in records] == [("/", 500), ("/healthz", 200)]  # type: ignore[attr-defined]
    quiet = create_app(config, db, access_log=False)
    caplog.clear()
    transport = httpx.ASGITransport(app=quiet, client=("127.0.0.1", 5))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        assert (await client.get("/healthz")).status_code == 200
    assert not [r for r in caplog.records if r.name == "citydigest.access"]
