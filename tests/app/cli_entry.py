"""`citydigest` with the service commands registered, as the lead's cli will have them; the
subprocess tests run ``python tests/app/cli_entry.py …``."""

from __future__ import annotations

from crawler.app.cli import cli, main
from crawler.app.service import run_cmd, serve_cmd, status_cmd, subscribers_group, worker_cmd

for command in (run_cmd, worker_cmd, status_cmd, serve_cmd, subscribers_group):
    if command.name not in cli.commands:
        cli.add_command(command)

if __name__ == "__main__":
    main()
