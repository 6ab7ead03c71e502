"""docker/: the image runs `citydigest run` as a non-root user; the compose file has the app, a
worker, PostgreSQL and Mailpit with health checks and named volumes, and its commands exist."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from crawler.app.cli import cli

DOCKER = Path(__file__).parents[2] / "docker"


def compose() -> dict:
    return YAML(typ="safe").load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))


def test_dockerfile_is_slim_non_root_and_runs_the_daemon() -> None:
    text = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    assert "FROM python:3.11-slim" in text
    users = [line.split()[1] for line in text.splitlines() if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert 'ENTRYPOINT ["citydigest"]' in text and 'CMD ["run"]' in text
    assert "HEALTHCHECK" in text


def test_compose_services_health_checks_and_volumes() -> None:
    spec = compose()
    services = spec["services"]
    assert {"app", "worker", "db", "mailpit", "web"} <= set(services)
    for name in ("app", "worker", "db", "mailpit", "web"):
        check = services[name].get("healthcheck", {})
        assert check.get("test") and not check.get("disable"), f"{name} has no health check"
    assert services["app"]["command"][:3] == ["run", "--engine", "procrastinate"]
    assert services["worker"]["command"][0] == "worker"
    assert set(spec["volumes"]) == {"pgdata", "data"}
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    for name in ("app", "worker", "web"):
        assert "data:/data" in services[name]["volumes"]
        assert services[name]["environment"]["CITYDIGEST_DATABASE_URL"].startswith("postgresql://")
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    assert services["migrate"]["command"] == ["db", "upgrade"]


def test_compose_commands_exist() -> None:
    spec = compose()
    runner = CliRunner()
    for name in ("app", "worker", "web", "migrate"):
        command = spec["services"][name]["command"]
        words = [w for w in command if not w.startswith("-")][:2]
        group = cli.commands[words[0]]
        if len(words) > 1 and hasattr(group, "commands"):
            assert words[1] in group.commands, command
        result = runner.invoke(cli, [*command, "--help"])
        assert result.exit_code == 0, (command, result.output)


def test_docker_compose_config_validates() -> None:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("no docker client installed")
    probe = subprocess.run([docker, "compose", "version"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"the docker client has no compose plugin: {probe.stderr.strip()[:120]}")
    result = subprocess.run(
        [docker, "compose", "-f", str(DOCKER / "compose.yaml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        env={**os.environ, "CITYDIGEST_SECRET": "compose-config-check-secret"},
    )
    assert result.returncode == 0, result.stderr
