"""The operator's commands around the config: ``check`` (warnings, ``--strict``, ``--connect``
against SQLite, PostgreSQL and an SMTP server), ``config show``, ``init``, and ``--set`` and
``CITYDIGEST__*`` overrides on any command."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from crawler.app.cli import cli
from tests.mailserver import Recorder, free_port

ROOT = Path(__file__).resolve().parents[2]
SOURCES = "sources:\n  - id: qdnews\n    name: 青岛新闻网\n    feed: https://example.org/rss.xml\n"


def folder_with(tmp_path: Path, settings: str = "") -> Path:
    folder = tmp_path / "cfg"
    folder.mkdir(exist_ok=True)
    (folder / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    (folder / "citydigest.yaml").write_text(settings, encoding="utf-8")
    return folder


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    clean = {k: None for k in os.environ if k.startswith("CITYDIGEST")}
    return CliRunner().invoke(cli, list(args), env={**clean, **(env or {})})


def smtp_settings(port: int, security: str = "none") -> str:
    return f"smtp:\n  host: 127.0.0.1\n  port: {port}\n  security: {security}\n  timeout: 5\n"


# --- check: today's format, warnings, --strict ------------------------------------------------


def test_check_prints_todays_ok_line_and_nothing_else(tmp_path: Path) -> None:
    folder = folder_with(tmp_path)
    result = invoke("--config", str(folder), "check")
    assert result.exit_code == 0
    assert result.stdout == f"{folder}: OK (1 sources, 0 subscribers, 9 themes, 0 domain rules)\n"
    assert result.stderr == ""


def test_check_reports_new_problems_in_todays_format(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "database: postgres://u@db/x\n")
    (folder / "subscribers.yaml").write_text(
        "subscribers:\n  - id: a\n    email: a@example.org\n"
        "    filter: {cities: [深证], themes: [smart-city]}\n",
        encoding="utf-8",
    )
    result = invoke("--config", str(folder), "check")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "citydigest: invalid configuration (3 problems):",
        f"  {folder / 'citydigest.yaml'}:1: database: SQLAlchemy does not accept the scheme "
        "'postgres://'; write 'postgresql://u@db/x'",
        f"  {folder / 'subscribers.yaml'}:4: subscribers[0].filter.cities[0]: unknown city or "
        "province '深证'; did you mean 深圳?",
        f"  {folder / 'subscribers.yaml'}:4: subscribers[0].filter.themes[0]: unknown theme "
        "'smart-city'; did you mean smart_city?",
    ]


def test_check_prints_warnings_apart_and_fails_on_them_only_when_strict(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "archive:\n  base_url: http://digest.example.org/a/\n")
    result = invoke("--config", str(folder), "check")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{folder}: OK (")
    (warning,) = result.stderr.splitlines()
    assert warning.startswith(
        f"citydigest: warning: {folder / 'citydigest.yaml'}:2: archive.base_url: "
        "http://digest.example.org/a/ is not https"
    )
    strict = invoke("--config", str(folder), "check", "--strict")
    assert strict.exit_code == 2
    assert strict.stdout == ""
    assert strict.stderr.splitlines() == [warning, "citydigest: 1 warning, refused by --strict"]
    https = folder_with(tmp_path, "archive:\n  base_url: https://digest.example.org/a/\n")
    assert invoke("--config", str(https), "check", "--strict").exit_code == 0


def test_other_commands_log_warnings_and_go_on(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "archive:\n  base_url: http://digest.example.org/a/\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITYDIGEST")}
    result = subprocess.run(
        [sys.executable, "-m", "crawler.app.cli", "--config", str(folder), "config", "show"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0
    assert "archive.base_url: http://digest.example.org/a/ is not https" in result.stderr
    assert "citydigest: warning:" not in result.stderr  # a log line, not check's


# --- check --connect --------------------------------------------------------------------------


def test_connect_opens_sqlite_and_smtp(tmp_path: Path, smtp: tuple[Recorder, int]) -> None:
    _, port = smtp
    folder = folder_with(tmp_path, smtp_settings(port))
    missing = invoke("--config", str(folder), "check", "--connect")
    assert missing.exit_code == 0, missing.output
    db_file = folder / "data" / "citydigest.db"
    lines = missing.stdout.splitlines()
    assert lines[1] == (
        f"database sqlite:///{db_file}: no file yet at {db_file}; "
        "created with its schema on first use"
    )
    assert not db_file.exists()  # a check creates nothing
    assert lines[2].startswith(f"smtp 127.0.0.1:{port} (none): answered: 220 ")
    assert invoke("--config", str(folder), "db", "upgrade").exit_code == 0
    present = invoke("--config", str(folder), "check", "--connect")
    assert present.exit_code == 0
    assert present.stdout.splitlines()[1] == (
        f"database sqlite:///{db_file}: answered: SQLite {sqlite3.sqlite_version}, "
        "schema up to date"
    )


def test_connect_says_which_server_did_not_answer(
    tmp_path: Path, smtp: tuple[Recorder, int]
) -> None:
    _, port = smtp
    closed = free_port()
    folder = folder_with(tmp_path, smtp_settings(closed))
    no_smtp = invoke("--config", str(folder), "check", "--connect")
    assert no_smtp.exit_code == 1
    assert no_smtp.stdout.splitlines()[2].startswith(f"smtp 127.0.0.1:{closed} (none): no answer: ")
    # A server that answers but not as configured (no STARTTLS on it) fails the same way.
    folder = folder_with(tmp_path, smtp_settings(port, "starttls"))
    no_tls = invoke("--config", str(folder), "check", "--connect")
    assert no_tls.exit_code == 1
    assert "(starttls): no answer: " in no_tls.stdout
    assert "STARTTLS" in no_tls.stdout.splitlines()[2].upper()


@pytest.mark.postgres
def test_connect_opens_postgresql(
    tmp_path: Path, postgres_url: str, smtp: tuple[Recorder, int]
) -> None:
    _, port = smtp
    folder = folder_with(tmp_path, smtp_settings(port))
    url = postgres_url
    fresh = invoke("--config", str(folder), "--database", url, "check", "--connect")
    assert fresh.exit_code == 0, fresh.output
    assert "answered; the database at" in fresh.stdout
    assert "run `citydigest db upgrade`" in fresh.stdout
    assert invoke("--config", str(folder), "--database", url, "db", "upgrade").exit_code == 0
    ready = invoke("--config", str(folder), "--database", url, "check", "--connect")
    assert ready.exit_code == 0
    assert ": answered: PostgreSQL 1" in ready.stdout and "schema up to date" in ready.stdout
    head, _, _ = url.rpartition("@")
    gone = f"{head}@127.0.0.1:{free_port()}/nowhere"
    down = invoke("--config", str(folder), "--database", gone, "check", "--connect")
    assert down.exit_code == 3
    assert ": no answer: " in down.stdout.splitlines()[1]
    assert down.stdout.splitlines()[2].startswith(f"smtp 127.0.0.1:{port} (none): answered: 220")


# --- config show ------------------------------------------------------------------------------


def test_config_show_gives_each_value_with_its_origin(tmp_path: Path) -> None:
    folder = folder_with(
        tmp_path, "database: postgresql://cd:hunter2@db/cd\nfetch:\n  timeout: 11\n"
    )
    env = {"CITYDIGEST__FETCH__PER_HOST_DELAY": "3", "CD_KEY": "k" * 20}
    args = [
        "--config",
        str(folder),
        "--set",
        "fetch.timeout=30",
        "--set",
        "unsubscribe_secret_env=CD_KEY",
    ]
    shown = invoke(*args, "config", "show", env=env)
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    assert 'database: "postgresql://cd:***@db/cd"  # ' + f"{folder / 'citydigest.yaml'}:1" in lines
    assert "  timeout: 30.0  # --set" in lines
    assert "  per_host_delay: 3.0  # env CITYDIGEST__FETCH__PER_HOST_DELAY" in lines
    assert "  max_redirects: 5  # default" in lines
    assert 'unsubscribe_secret_env: "CD_KEY"  # --set; $CD_KEY set (***)' in lines
    assert (
        '  password_env: "CITYDIGEST_SMTP_PASSWORD"  # default; $CITYDIGEST_SMTP_PASSWORD not set'
        in lines
    )
    assert "hunter2" not in shown.stdout and "k" * 20 not in shown.stdout
    as_json = json.loads(invoke(*args, "config", "show", "--format", "json", env=env).stdout)
    settings = as_json["settings"]
    assert settings["fetch.timeout"] == {"value": 30.0, "origin": "--set"}
    assert settings["database"]["value"] == "postgresql://cd:***@db/cd"
    assert settings["archive.dir"] == {
        "value": str(folder.resolve() / "archive"),
        "origin": "default",
    }
    assert settings["unsubscribe_secret_env"]["secret"] == "set"
    assert settings["smtp.password_env"]["secret"] == "unset"
    assert as_json["config_dir"] == str(folder.resolve())


def test_config_show_yaml_reads_back_as_the_same_values(tmp_path: Path) -> None:
    from ruamel.yaml import YAML

    folder = folder_with(tmp_path, "smtp:\n  unknown_resend_after: 1d6h\n")
    shown = invoke("--config", str(folder), "config", "show")
    doc = YAML(typ="safe").load(shown.stdout)
    as_json = json.loads(
        invoke("--config", str(folder), "config", "show", "--format", "json").stdout
    )
    flat: dict[str, object] = {}
    for key, value in doc.items():
        if isinstance(value, dict):
            flat.update({f"{key}.{inner}": v for inner, v in value.items()})
        else:
            flat[key] = value
    assert flat == {name: row["value"] for name, row in as_json["settings"].items()}
    assert flat["smtp.unknown_resend_after"] == "1d6h"


# --- --set and variables on any command -------------------------------------------------------


def test_set_applies_to_any_command(tmp_path: Path) -> None:
    folder = folder_with(tmp_path)
    target = tmp_path / "elsewhere.db"
    result = invoke(
        "--config", str(folder), "--set", f"database=sqlite:///{target}", "db", "upgrade"
    )
    assert result.exit_code == 0, result.output
    assert target.is_file()
    env = {"CITYDIGEST__DATABASE": f"sqlite:///{tmp_path / 'env.db'}"}
    assert invoke("--config", str(folder), "db", "upgrade", env=env).exit_code == 0
    assert (tmp_path / "env.db").is_file()


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (
            ["--set", "fetch.timeout=soon"],
            {},
            "  --set: fetch.timeout: input should be a valid number",
        ),
        (
            [],
            {"CITYDIGEST__FETCH__TIMEOUT": "soon"},
            "  env CITYDIGEST__FETCH__TIMEOUT: fetch.timeout: ",
        ),
        (
            ["--set", "fetch.timout=3"],
            {},
            "  --set: fetch.timout: unknown key 'timout'; did you mean 'timeout'?",
        ),
        (["--database", "notaurl"], {}, "  --database: database: expected a database URL"),
        (
            [],
            {"CITYDIGEST_DATABASE_URL": "postgres://db/x"},
            "  env CITYDIGEST_DATABASE_URL: database: ",
        ),
    ],
)
def test_a_bad_override_stops_any_command_naming_it(
    tmp_path: Path, args: list[str], env: dict[str, str], expected: str
) -> None:
    folder = folder_with(tmp_path)
    for command in (["export"], ["status"], ["check"]):
        result = invoke("--config", str(folder), *args, *command, env=env)
        assert result.exit_code == 2
        assert result.stderr.splitlines()[1].startswith(expected)
        assert not (folder / "data").exists()  # nothing was opened


# --- init and the missing directory -----------------------------------------------------------


def test_init_writes_the_starter_config_which_passes_check(tmp_path: Path) -> None:
    target = tmp_path / "site" / "config"
    result = invoke("init", str(target))
    assert result.exit_code == 0, result.output
    written = sorted(str(p.relative_to(target)) for p in target.rglob("*.yaml"))
    assert written == [
        "citydigest.yaml",
        "extract-rules.yaml",
        "sources.yaml",
        "subscribers.yaml",
        "taxonomy/aliases.yaml",
        "taxonomy/themes.yaml",
    ]
    assert (target / "sources.yaml").read_bytes() == (ROOT / "config" / "sources.yaml").read_bytes()
    check = invoke("--config", str(target), "check", "--strict")
    assert check.exit_code == 0, check.output
    assert "OK (38 sources, 2 subscribers" in check.stdout


def test_init_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    target = tmp_path / "config"
    target.mkdir()
    (target / "sources.yaml").write_text("mine\n", encoding="utf-8")
    refused = invoke("init", str(target))
    assert refused.exit_code == 2
    assert f"not overwriting {target / 'sources.yaml'}" in refused.stderr
    assert (target / "sources.yaml").read_text(encoding="utf-8") == "mine\n"
    assert not (target / "citydigest.yaml").exists()  # all or nothing
    assert invoke("init", "--force", str(target)).exit_code == 0
    assert (target / "sources.yaml").read_text(encoding="utf-8") != "mine\n"


def test_init_writes_where_config_points(tmp_path: Path) -> None:
    target = tmp_path / "from-option"
    assert invoke("--config", str(target), "init").exit_code == 0
    assert (target / "citydigest.yaml").is_file()
    env_target = tmp_path / "from-env"
    assert invoke("init", env={"CITYDIGEST_CONFIG": str(env_target)}).exit_code == 0
    assert (env_target / "citydigest.yaml").is_file()


def test_a_missing_config_directory_tells_how_to_point_elsewhere(tmp_path: Path) -> None:
    result = invoke("--config", str(tmp_path / "nope"), "check")
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert f"config directory not found (looked for {tmp_path / 'nope'}, given)" in message
    assert "--config DIR or $CITYDIGEST_CONFIG" in message
    assert f"citydigest init {tmp_path / 'nope'}" in message


def test_a_service_reload_applies_the_overrides_again(tmp_path: Path) -> None:
    from crawler.app.runtime import Runtime
    from crawler.base.config import load_config, overrides_from
    from crawler.base.db import Database

    folder = folder_with(tmp_path, "fetch:\n  timeout: 11\n")
    overrides, _ = overrides_from({"CITYDIGEST__RETENTION_DAYS": "7"}, ("fetch.timeout=30",))
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    runtime = Runtime(load_config(folder, overrides), db)
    (folder / "citydigest.yaml").write_text("fetch:\n  timeout: 12\n  max_redirects: 2\n")
    assert runtime.reload()
    settings = runtime.config.settings
    assert (settings.fetch.timeout, settings.retention_days) == (30, 7)
    assert settings.fetch.max_redirects == 2  # the edit is read
    db.dispose()
