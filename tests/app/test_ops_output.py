"""What operators read from commands: a crawl's failures once (piped, on a terminal, as JSON
lines), ``status`` compact when piped (dispatch lag only once a daemon has scheduled the
sources), ``export --source`` checked like ``crawl once``, ``visits --city`` by province and in
Traditional script."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from rich.console import Console
from rich.text import Text

from crawler.app.cli import cli
from crawler.app.schedule import Schedule
from crawler.app.terminal import print_table
from crawler.app.web import create_app
from crawler.base.config import load_config
from crawler.base.db import Database
from crawler.base.models import SourceState
from tests.digests.digestkit import NOW, seed, visit_item
from tests.sitefarm import SETTINGS_YAML, Site, farm, serve, sources_yaml

ROOT = Path(__file__).resolve().parents[2]
DEAD = {  # a source per way to fail before any article: refused feed, refused list, bad sitemap
    "dead-feed": (
        "feed: http://127.0.0.1:9/feed.xml",
        "('127.0.0.1', 9) (http://127.0.0.1:9/feed.xml)",
    ),
    "dead-list": (
        "list: {url: 'http://127.0.0.2:9/list.html', links: a}",
        "('127.0.0.2', 9) (http://127.0.0.2:9/list.html)",
    ),
    "dead-map": ("sitemap: http://127.0.0.3:9/sitemap.xml", "(http://127.0.0.3:9/sitemap.xml)"),
}


@pytest.fixture
def sites() -> Iterator[list[Site]]:
    with serve(farm(1, 6)) as running:
        yield running


def _crawl_config(tmp_path: Path, sites: list[Site]) -> Path:
    folder = tmp_path / "cfg"
    folder.mkdir()
    (folder / "citydigest.yaml").write_text(
        SETTINGS_YAML.format(db=tmp_path / "db.sqlite", concurrency=2, delay=0, timeout=3)
    )
    dead = "".join(f"  - {{id: {sid}, name: 坏, {spec}}}\n" for sid, (spec, _) in DEAD.items())
    (folder / "sources.yaml").write_text(sources_yaml(sites) + dead)
    return folder


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITYDIGEST_")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler.app.cli", *args],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=180,
    )


def _run_on_a_terminal(*args: str) -> tuple[int, str, str]:
    """Exit status, stdout (a pipe) and what stderr (a pseudo-terminal) showed."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.app.cli", *args],
        stdout=subprocess.PIPE,
        stderr=follower,
        env={**_env(), "COLUMNS": "200"},
    )
    os.close(follower)
    shown = bytearray()
    try:
        while True:  # read as it is written: a full terminal buffer would block the crawl
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: every writer is gone
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
    stdout = proc.stdout.read().decode() if proc.stdout else ""
    return proc.wait(60), stdout, shown.decode("utf-8", "replace").replace("\r\n", "\n")


def _each_failure_once(output: str) -> None:
    for source_id, (_spec, where) in DEAD.items():
        assert output.count(where) == 1, (source_id, output)


@pytest.mark.parametrize("verbose", [(), ("-v",)])
def test_a_piped_crawl_prints_each_failure_once_with_its_source(
    verbose: tuple[str, ...], tmp_path: Path, sites: list[Site]
) -> None:
    result = _run(*verbose, "--config", str(_crawl_config(tmp_path, sites)), "crawl", "once")
    assert result.returncode == 1
    output = result.stdout + result.stderr
    _each_failure_once(output)
    assert "citydigest.crawl:" not in result.stderr  # the crawl's own lines of them are gone
    lines = result.stderr.splitlines()
    for source_id, (_spec, where) in DEAD.items():  # under its source's line, as it finished
        head = next(i for i, line in enumerate(lines) if f"crawl {source_id}: FAILED" in line)
        assert "WARNING citydigest.report" in lines[head] and where in lines[head + 1]
    ok = next(line for line in lines if f"crawl {sites[0].id}: ok" in line)
    assert "INFO citydigest.report" in ok and " 6 new" in ok
    assert "crawl finished" in result.stdout  # the summary table is still printed


def test_a_crawl_on_a_terminal_lists_each_failure_once_after_the_table(
    tmp_path: Path, sites: list[Site]
) -> None:
    folder = _crawl_config(tmp_path, sites)
    status, stdout, terminal = _run_on_a_terminal("--config", str(folder), "crawl", "once")
    assert status == 1
    _each_failure_once(terminal + stdout)
    assert "citydigest.crawl" not in terminal and "citydigest.report" not in terminal
    assert "  dead-feed: fetch:" in terminal


def test_a_crawl_logs_json_lines_with_each_failure_once(tmp_path: Path, sites: list[Site]) -> None:
    folder = _crawl_config(tmp_path, sites)
    result = _run("--config", str(folder), "--log-format", "json", "crawl", "once")
    records = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    reports = {r["source"]: r for r in records if r["logger"] == "citydigest.report"}
    assert set(reports) == {*DEAD, sites[0].id}
    for source_id, (_spec, where) in DEAD.items():
        record = reports[source_id]
        assert record["level"] == "WARNING" and record["status"] == "failed"
        assert len(record["errors"]) == 1 and where in record["errors"][0]
    assert reports[sites[0].id]["status"] == "ok" and reports[sites[0].id]["new"] == 6
    assert all(r["logger"] != "citydigest.crawl" for r in records)
    # each error in its source's record only (in its message and its list of errors)
    assert (
        sum(where in line for line in result.stderr.splitlines() for _s, where in DEAD.values())
        == 3
    )


# --------------------------------------------------------------------------- status


def _status_config(tmp_path: Path) -> tuple[Path, Database]:
    folder = tmp_path / "cfg"
    folder.mkdir()
    (folder / "citydigest.yaml").write_text(f"database: sqlite:///{tmp_path / 'db.sqlite'}\n")
    (folder / "sources.yaml").write_text(
        "sources:\n"
        "  - {id: good, name: 好, feed: 'http://a.example.org/f.xml'}\n"
        "  - {id: bad, name: 坏, feed: 'http://b.example.org/f.xml'}\n"
    )
    (folder / "subscribers.yaml").write_text(
        "subscribers:\n  - {id: alice, email: alice@example.org}\n"
    )
    db = Database(load_config(folder).settings.database)
    return folder, db


LONG_ERROR = (
    "fetch: HTTP 503 Service Unavailable\tfrom the upstream proxy "
    + "x" * 150
    + " (http://b.example.org/f.xml)"
)


def test_status_piped_is_one_line_per_row_and_lag_only_after_a_daemon(tmp_path: Path) -> None:
    folder, db = _status_config(tmp_path)
    with db.session() as session:  # as a crawl once leaves them: health, no schedule
        session.add(SourceState(id="good", name="好", consecutive_failures=0))
        session.add(SourceState(id="bad", name="坏", consecutive_failures=2, last_error=LONG_ERROR))
    runner = CliRunner()
    table = runner.invoke(cli, ["--config", str(folder), "status"])
    assert table.exit_code == 1  # a source is failing
    lines = table.stdout.splitlines()
    assert lines[0] == "2 sources, 1 failing"  # no dispatch lag: nothing scheduled, nothing late
    assert lines[1].split("\t") == [
        "source",
        "last success",
        "failures",
        "next check",
        "24 h",
        "last error",
    ]
    bad = next(line.split("\t") for line in lines if line.startswith("bad\t"))
    assert bad[2] == "2" and bad[5] == LONG_ERROR.replace("\t", " ")  # whole, on its line
    assert not set("│┃━─┏") & set(table.stdout)
    assert all(line == line.rstrip() for line in lines)  # no padding
    assert "subscriber\tlast digest\tnext digest\tstate" in lines

    compact = runner.invoke(cli, ["--config", str(folder), "status", "--format", "json"])
    assert compact.stdout.count("\n") == 1  # one JSON document on one line
    assert json.loads(compact.stdout)["dispatch_lag_seconds"] is None

    Schedule(db).sync(load_config(folder), NOW)  # as `run` does first: the lag means something
    table = runner.invoke(cli, ["--config", str(folder), "status"])
    assert table.stdout.splitlines()[0].startswith("2 sources, 1 failing, dispatch lag ")
    data = json.loads(
        runner.invoke(cli, ["--config", str(folder), "status", "--format", "json"]).stdout
    )
    assert data["dispatch_lag_seconds"] > 0  # due since NOW, in the past
    db.dispose()


async def test_the_status_page_shows_the_lag_only_after_a_daemon(tmp_path: Path) -> None:
    folder, db = _status_config(tmp_path)
    config = load_config(folder)
    transport = httpx.ASGITransport(app=create_app(config, db), client=("127.0.0.1", 5))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        before = (await client.get("/")).text
        Schedule(db).sync(config, NOW)
        after = (await client.get("/")).text
    db.dispose()
    assert "2 sources" in before and "dispatch lag" not in before
    assert re.search(r"dispatch lag \d+(\.\d)? s", after)


def test_tables_are_rich_on_a_terminal_and_tab_separated_elsewhere() -> None:
    rows = [("a", Text("1", style="red"), "x\ty\nz"), ("b", "[red]markup[/red]", "")]
    terminal = Console(force_terminal=True, width=100, color_system=None, record=True)
    print_table(terminal, "title", ("id", "n", "text"), rows)
    drawn = terminal.export_text()
    assert "┃" in drawn and "[red]markup[/red]" in drawn  # a table; markup shown, not read
    written = StringIO()
    print_table(Console(file=written, force_terminal=False), "title", ("id", "n", "text"), rows)
    assert written.getvalue().splitlines() == [
        "title",
        "id\tn\ttext",
        "a\t1\tx y z",
        "b\t[red]markup[/red]\t-",
    ]


# --------------------------------------------------------------------------- export, visits


def test_export_refuses_an_unknown_source_like_crawl_once(tmp_path: Path) -> None:
    folder, db = _status_config(tmp_path)
    db.dispose()
    runner = CliRunner()
    for command in (
        ["export", "--source", "nope"],
        ["export", "--source", "good", "--source", "nope"],
        ["crawl", "once", "--source", "nope"],
    ):
        result = runner.invoke(cli, ["--config", str(folder), *command])
        assert result.exit_code == 2, command
        assert "unknown source 'nope'" in result.output and "known: bad, good" in result.output
    assert (
        runner.invoke(cli, ["--config", str(folder), "export", "--source", "good"]).exit_code == 0
    )


def _with_visits(tmp_path: Path, database_url: str) -> Path:
    """A config directory, and :data:`VISITS` stored in ``database_url``."""
    folder, sqlite = _status_config(tmp_path)
    sqlite.dispose()
    db = Database(database_url, upgrade=True)
    seed(db, [visit_item(visitor, host, NOW) for visitor, host in VISITS])
    db.dispose()
    return folder


VISITS = [("青岛", "深圳"), ("济南", "北京"), ("广州", "上海"), ("烟台", "青岛"), ("山东", "广东")]


@pytest.mark.parametrize(
    ("name", "pairs"),
    [
        ("青岛", {("青岛", "深圳"), ("烟台", "青岛")}),
        ("青島", {("青岛", "深圳"), ("烟台", "青岛")}),  # Traditional
        ("青岛市", {("青岛", "深圳"), ("烟台", "青岛")}),  # full name
        ("山东", {("青岛", "深圳"), ("济南", "北京"), ("烟台", "青岛"), ("山东", "广东")}),
        ("山東省", {("青岛", "深圳"), ("济南", "北京"), ("烟台", "青岛"), ("山东", "广东")}),
        ("广东", {("青岛", "深圳"), ("广州", "上海"), ("山东", "广东")}),
        ("北京", {("济南", "北京")}),  # a municipality: city and province at once
        ("拉萨", set()),  # known, no visit
    ],
)
def test_visits_by_city_province_or_traditional_name(
    name: str, pairs: set[tuple[str, str]], tmp_path: Path, database_url: str
) -> None:
    folder = _with_visits(tmp_path, database_url)
    result = CliRunner().invoke(
        cli,
        [
            "--config",
            str(folder),
            "--database",
            database_url,
            "visits",
            "--city",
            name,
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    found = {(r["visitor"], r["host"]) for r in map(json.loads, result.stdout.splitlines())}
    assert found == pairs


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("深证", "did you mean 深圳"),
        ("山栋", "did you mean 山东"),
        ("即墨", "county or district (of 青岛)"),
        ("鼓楼区", "county or district"),
        ("nowhere", "is not a city or province"),
    ],
)
def test_visits_by_an_unknown_place_is_a_usage_error(name: str, says: str, tmp_path: Path) -> None:
    folder, db = _status_config(tmp_path)
    db.dispose()
    result = CliRunner().invoke(cli, ["--config", str(folder), "visits", "--city", name])
    assert result.exit_code == 2
    assert "--city" in result.output and says in result.output


def test_visits_and_stories_piped_are_tab_separated_lines(
    tmp_path: Path, database_url: str
) -> None:
    folder = _with_visits(tmp_path, database_url)
    runner = CliRunner()
    base = ["--config", str(folder), "--database", database_url]
    visits = runner.invoke(cli, [*base, "visits", "--city", "山东"]).stdout.splitlines()
    assert visits[:2] == ["4 visits", "dates\tvisitor → host\tleader\tstory\ttitle"]
    assert {tuple(line.split("\t")[1:2]) for line in visits[2:]} == {
        ("青岛 → 深圳",),
        ("济南 → 北京",),
        ("烟台 → 青岛",),
        ("山东 → 广东",),
    }
    assert all(line.count("\t") == 4 for line in visits[1:])
    stories = runner.invoke(cli, [*base, "stories"]).stdout.splitlines()
    assert stories[:2] == ["5 stories", "id\tfirst seen\tkind\toutlets\ttitle"]
    assert len(stories) == 7 and all(line.split("\t")[2] == "visit" for line in stories[2:])
