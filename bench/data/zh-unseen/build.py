"""Rebuild the ``zh-unseen`` set from a clone of opendatalab/magic-html at the pinned commit.

Usage (from the repository root)::

    git clone https://github.com/opendatalab/magic-html /tmp/magic-html
    python bench/data/zh-unseen/build.py /tmp/magic-html

Why a script beside the pages: the pages and the body truth are magic-html's (Apache-2.0), the
title, date and kind of page are ours (``annotations.jsonl``). The script shows exactly which
upstream file each page is and how its truth was derived, and rebuilds the set byte for byte.
A work tree or a bare git directory both do: files are read with ``git show COMMIT:PATH``.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

COMMIT = "47d4a7fed12030e906a093b074637f178cb46ef2"
HERE = Path(__file__).resolve().parent


def _show(repo: Path, path: str) -> bytes:
    return subprocess.run(
        ["git", f"--git-dir={_git_dir(repo)}", "show", f"{COMMIT}:{path}"],
        check=True,
        capture_output=True,
    ).stdout


def _git_dir(repo: Path) -> Path:
    return repo / ".git" if (repo / ".git").exists() else repo


def _body(content: str, title: str | None) -> str:
    """magic-html's main content, less a leading headline (our bodies never hold the title)."""
    lines = [line.strip() for line in content.split("\n") if line.strip()]
    key = " ".join((title or "").split())
    while lines and key and " ".join(lines[0].split()) == key:
        lines.pop(0)
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    repo = Path(argv[0])
    truth = {
        name: json.loads(_show(repo, f"benchmark/data/{name}/base.json"))
        for name in ("article", "forum")
    }
    for line in (HERE / "annotations.jsonl").read_text(encoding="utf-8").splitlines():
        note = json.loads(line)
        key = Path(note["upstream"]).stem
        raw = _show(repo, note["upstream"])
        (HERE / f"{note['id']}.html.gz").write_bytes(gzip.compress(raw, mtime=0))
        page = {
            "id": note["upstream"],
            "url": note["url"],
            "lang": "zh",
            "kind": note["kind"],
            "title": note["title"],
            "date": note["date"],
            "body": _body(truth[note["upstream_set"]][key]["content"], note["title"]),
            "source": f"opendatalab/magic-html@{COMMIT}",
        }
        if "first_post" in note:  # a thread: the body is its first post, read off the page
            start, end = note["first_post"]
            thread = page["body"]
            page["body"] = "\n".join(thread.split("\n")[start:end])
            page["thread"], page["first_post"] = thread, [start, end]
        for flag in ("date_known", "title_known"):
            if flag in note:
                page[flag] = note[flag]
        (HERE / f"{note['id']}.json").write_text(
            json.dumps(page, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
