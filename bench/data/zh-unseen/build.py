"""Rebuild the ``zh-unseen`` set from clones of its source repositories at the pinned commits.

Usage (from the repository root)::

    git clone https://github.com/opendatalab/magic-html /tmp/magic-html
    git clone https://github.com/Yuhamixli/nfra.gov.cn /tmp/nfra
    python bench/data/zh-unseen/build.py /tmp/magic-html Yuhamixli/nfra.gov.cn=/tmp/nfra

The first argument is the magic-html clone; each further ``OWNER/NAME=PATH`` names the clone of
another source repository. Pages of a repository not given are left as they are.

Why a script beside the pages: it shows exactly which upstream file each page is and how its
truth was derived, and rebuilds the set byte for byte. For magic-html pages the body truth is
magic-html's (Apache-2.0), less a leading headline; for a thread (``first_post``) it is the lines
``[start, end)`` of that truth that make the first post, read off the page (the whole thread is
kept as ``thread``). Pages of other repositories carry their body truth, written by reading the
page, in ``annotations.jsonl``. Titles, dates and the kind of page are ours throughout. A work
tree or a bare git directory both do: files are read with ``git show COMMIT:PATH``.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

MAGIC_HTML = "opendatalab/magic-html"
COMMIT = "47d4a7fed12030e906a093b074637f178cb46ef2"  # magic-html's
HERE = Path(__file__).resolve().parent


def _show(repo: Path, path: str, commit: str = COMMIT) -> bytes:
    return subprocess.run(
        ["git", f"--git-dir={_git_dir(repo)}", "show", f"{commit}:{path}"],
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


def _magic_html_page(repo: Path, note: dict[str, Any], truth: dict[str, Any]) -> dict[str, Any]:
    key = Path(note["upstream"]).stem
    page = {
        "id": note["upstream"],
        "url": note["url"],
        "lang": "zh",
        "kind": note["kind"],
        "title": note["title"],
        "date": note["date"],
        "body": _body(truth[note["upstream_set"]][key]["content"], note["title"]),
        "source": f"{MAGIC_HTML}@{COMMIT}",
    }
    if "first_post" in note:  # a thread: the body is its first post, read off the page
        start, end = note["first_post"]
        thread = page["body"]
        page["body"] = "\n".join(thread.split("\n")[start:end])
        page["thread"], page["first_post"] = thread, [start, end]
    return page


def _other_page(note: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"{note['repo']}:{note['upstream']}",
        "url": note["url"],
        "lang": "zh",
        "kind": note["kind"],
        "title": note["title"],
        "date": note["date"],
        "body": note["body"],
        "source": f"{note['repo']}@{note['commit']}",
    }


def main(argv: list[str]) -> int:
    if not argv or any("=" not in a for a in argv[1:]):
        print(__doc__)
        return 2
    clones = {MAGIC_HTML: Path(argv[0])}
    clones.update({k: Path(v) for k, v in (a.split("=", 1) for a in argv[1:])})
    magic = clones[MAGIC_HTML]
    truth = {
        name: json.loads(_show(magic, f"benchmark/data/{name}/base.json"))
        for name in ("article", "forum")
    }
    for line in (HERE / "annotations.jsonl").read_text(encoding="utf-8").splitlines():
        note = json.loads(line)
        repo_name = note.get("repo", MAGIC_HTML)
        if repo_name not in clones:
            continue
        repo = clones[repo_name]
        raw = _show(repo, note["upstream"], note.get("commit", COMMIT))
        (HERE / f"{note['id']}.html.gz").write_bytes(gzip.compress(raw, mtime=0))
        magic_page = repo_name == MAGIC_HTML
        page = _magic_html_page(repo, note, truth) if magic_page else _other_page(note)
        for flag in ("date_known", "title_known"):
            if flag in note:
                page[flag] = note[flag]
        (HERE / f"{note['id']}.json").write_text(
            json.dumps(page, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
