"""The command line: exit codes, readable config errors, crawl once + export through the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.app.cli import cli
from tests.sitefarm import SETTINGS_YAML, Site, farm, serve, sources_yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sites() -> Iterator[list[Site]]:
    with serve(farm(3, 12)) as running:
        yield running


def config_dir(tmp_path: Path, sites: list[Site], extra: str = "") -> Path:
    folder = tmp_path / "cfg"
    folder.mkdir()
    db = tmp_path / "data" / "test.db"
    (folder / "citydigest.yaml").write_text(
        SETTINGS_YAML.format(db=db, concurrency=2, delay=0, timeout=3)
    )
    (folder / "sources.yaml").write_text(sources_yaml(sites) + extra)
    return folder


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CITYDIGEST_DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-m", "crawler.app.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_check_passes_on_the_shipped_config() -> None:
    result = CliRunner().invoke(cli, ["--config", str(ROOT / "config"), "check"])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_check_prints_every_problem_and_exits_2(tmp_path: Path) -> None:
    (tmp_path / "sources.yaml").write_text(
        "sources:\n  - id: a\n    name: A\n    feed: nope\n  - id: a\n    name: B\n    lst: {}\n"
    )
    result = run("--config", str(tmp_path), "check")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "sources.yaml:4: sources[0].feed: expected an absolute http" in result.stderr
    assert "sources.yaml:5: sources[1].id: duplicate id 'a'" in result.stderr
    assert (
        "sources.yaml:7: sources[1].lst: unknown key 'lst'; did you mean 'list'?" in result.stderr
    )


def test_other_commands_refuse_invalid_config(tmp_path: Path) -> None:
    (tmp_path / "sources.yaml").write_text("sources:\n  - id: a\n")
    result = run("--config", str(tmp_path), "crawl", "once")
    assert result.returncode == 2
    assert "invalid configuration" in result.stderr and "Traceback" not in result.stderr


def test_unknown_source_is_a_usage_error(tmp_path: Path, sites: list[Site]) -> None:
    result = CliRunner().invoke(
        cli, ["--config", str(config_dir(tmp_path, sites)), "crawl", "once", "--source", "nope"]
    )
    assert result.exit_code == 2
    assert "unknown source 'nope'" in result.output


def test_crawl_once_then_export(tmp_path: Path, sites: list[Site]) -> None:
    folder = config_dir(tmp_path, sites)
    result = run("--config", str(folder), "crawl", "once")
    assert result.returncode == 0, result.stderr
    assert "site00" in result.stdout and "total" in result.stdout
    exported = run("--config", str(folder), "export")
    assert exported.returncode == 0, exported.stderr
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    assert len(records) == 3 * 12
    assert {r["source"] for r in records} == {"site00", "site01", "site02"}

    csv_out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        cli,
        [
            "--config",
            str(folder),
            "export",
            "--format",
            "csv",
            "--source",
            "site01",
            "-o",
            str(csv_out),
        ],
    )
    assert result.exit_code == 0, result.output
    lines = csv_out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("id,url,canonical_url,source,title,published")
    assert len([row for row in lines[1:] if ",site01," in row]) == 12


def test_crawl_once_exits_1_when_a_source_fails(tmp_path: Path, sites: list[Site]) -> None:
    folder = config_dir(
        tmp_path,
        sites,
        extra="  - id: dead\n    name: dead\n    feed: http://127.0.0.1:9/feed.xml\n",
    )
    result = run("--config", str(folder), "crawl", "once")
    assert result.returncode == 1
    assert "dead" in result.stdout and "failed" in result.stdout
    exported = run("--config", str(folder), "export")
    assert len(exported.stdout.splitlines()) == 3 * 12


def test_database_url_from_the_environment(tmp_path: Path, sites: list[Site]) -> None:
    folder = config_dir(tmp_path, sites)
    other = tmp_path / "elsewhere.db"
    result = CliRunner().invoke(
        cli,
        ["--config", str(folder), "crawl", "once", "--source", "site00"],
        env={"CITYDIGEST_DATABASE_URL": f"sqlite:///{other}"},
    )
    assert result.exit_code == 0, result.output
    assert other.exists()
    assert not (tmp_path / "data" / "test.db").exists()


def test_analyze_plain_text() -> None:
    text = "青岛市党政考察团赴深圳考察学习\n5月11日，青岛市党政考察团来到深圳市考察学习智慧城市建设。".encode()
    result = CliRunner().invoke(cli, ["--config", str(ROOT / "config"), "analyze", "-"], input=text)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["title"] == "青岛市党政考察团赴深圳考察学习"
    assert "青岛" in data["cities"] and "深圳" in data["cities"]
    assert {"visitor": "青岛", "host": "深圳"} in [
        {k: v[k] for k in ("visitor", "host")} for v in data["visits"]
    ]


def test_every_command_has_help() -> None:
    def walk(group, prefix=()):  # type: ignore[no-untyped-def]
        for name, command in group.commands.items():
            yield (*prefix, name), command
            if hasattr(command, "commands"):
                yield from walk(command, (*prefix, name))

    for path, command in walk(cli):
        assert command.help, f"`citydigest {' '.join(path)}` has no help"
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        assert f"citydigest {' '.join(path)}" in readme, (
            f"`citydigest {' '.join(path)}` is not in the README"
        )


def test_analyze_batch_with_home() -> None:
    lines = [
        {
            "id": "a",
            "title": "我市党政代表团赴深圳考察学习",
            "text": "我市党政代表团赴深圳考察学习。",
            "home": "青岛",
        },
        {
            "id": "b",
            "title": "我市党政代表团赴深圳考察学习",
            "text": "我市党政代表团赴深圳考察学习。",
        },
        {
            "id": "c",
            "html": "<html><body><h1>烟台市代表团来平考察</h1><p>5月10日，烟台市代表团来平考察现代农业发展情况，双方举行座谈。</p></body></html>",
            "url": "http://127.0.0.1/a.html",
            "home": "青岛",
        },
        {"id": "d", "title": "x", "text": "y", "home": "青岛市"},
    ]
    data = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines).encode()
    result = CliRunner().invoke(
        cli, ["--config", str(ROOT / "config"), "analyze", "--batch", "-"], input=data
    )
    assert result.exit_code == 0, result.output
    out = {d["id"]: d for d in map(json.loads, result.output.splitlines())}
    visits = {k: [(v["visitor"], v["host"]) for v in d.get("visits", [])] for k, d in out.items()}
    assert visits["a"] == [("青岛", "深圳")]
    assert visits["b"] == []
    assert visits["c"] == [("烟台", "青岛")]
    assert "unknown home" in out["d"]["error"]


def test_analyze_batch_published_dates_the_visits() -> None:
    """A batch line's "published" gives the year to visits told by month and day; a page's own
    date wins over it; a value that is not an ISO date is an error for that line only."""
    text = "3月5日至7日，市委书记张三率市党政代表团赴深圳市考察学习营商环境。"
    page = (
        "<html><head><meta name='PubDate' content='2023-03-09 10:00'></head><body>"
        f"<h1>市党政代表团赴深圳考察学习</h1><p>{text}</p></body></html>"
    )
    undated = page.replace("<meta name='PubDate' content='2023-03-09 10:00'>", "")
    lines = [
        {"id": "a", "title": "市党政代表团赴深圳考察", "text": text, "home": "青岛"},
        {**_line_a(text), "id": "b", "published": "2024-03-08"},
        {**_line_a(text), "id": "c", "published": "2024-03-08T09:30:00+08:00"},
        {"id": "d", "html": page, "url": "http://127.0.0.1/d.html", "home": "青岛"},
        {
            "id": "e",
            "html": page,
            "url": "http://127.0.0.1/e.html",
            "home": "青岛",
            "published": "2024-03-08",
        },
        {
            "id": "h",
            "html": undated,
            "url": "http://127.0.0.1/h.html",
            "home": "青岛",
            "published": "2024-03-08",
        },
        {**_line_a(text), "id": "f", "published": "2024-3-8"},
        {**_line_a(text), "id": "g", "published": 20240308},
    ]
    data = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines).encode()
    result = CliRunner().invoke(
        cli, ["--config", str(ROOT / "config"), "analyze", "--batch", "-"], input=data
    )
    assert result.exit_code == 0, result.output
    out = {d["id"]: d for d in map(json.loads, result.output.splitlines())}

    def dates(key: str) -> list[tuple[str | None, str | None]]:
        return [(v["date_start"], v["date_end"]) for v in out[key]["visits"]]

    assert out["a"]["published"] is None and dates("a") == [(None, None)]
    assert out["b"]["published"].startswith("2024-03-08T00:00:00")
    assert dates("b") == dates("c") == [("2024-03-05", "2024-03-07")]
    assert dates("d") == dates("e") == [("2023-03-05", "2023-03-07")]  # the page's own date
    assert dates("h") == [("2024-03-05", "2024-03-07")]  # the page shows none
    for key in "fg":
        assert "not an ISO date" in out[key]["error"] and "visits" not in out[key]


def _line_a(text: str) -> dict[str, str]:
    return {"title": "市党政代表团赴深圳考察", "text": text, "home": "青岛"}
