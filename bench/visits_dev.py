"""Rebuild the texts of the local visits dev set from a snapshot of its source repository.

Usage::

    python bench/visits_dev.py [--git-dir DIR]      # writes bench/data/visits-dev/texts.jsonl
    python bench/visits_dev.py --draw SEED [--per-file N] [--first ID]   # new rows' provenance

The source is SuperJJ2333/Information_Extraction (city-government 学习考察 news, one CSV per
city). It has no licence, so only the annotations and provenance are committed
(``bench/data/visits-dev/annotations.jsonl``: repo, commit, path, row, a <=30-character anchor,
the SHA-1 of the text); this script rebuilds the texts into the git-ignored ``texts.jsonl`` and
checks every hash. Bring the snapshot with ``git clone https://github.com/SuperJJ2333/Information_Extraction``
(or the project's mirror) and pass its git directory.

Only the seventeen province folders listed in ``ALLOWED`` may be read: the others hold the
project's held-out evaluation and must never be opened (see
/work/shared/data/tagging-real-dev/README.md).

Text rule: ``row`` is the 0-based data row of the CSV (header excluded); title = ``topic``;
text = ``content`` with all whitespace deleted (ASCII, U+3000, NBSP, zero-width), then cut to the
leading whole sentences of at most 300 characters (cut after 。！？, a closing quote or bracket
right after the mark stays).

``--draw`` picks new rows for a further batch: for every readable city file of the allowed
folders (sorted by path; files the snapshot lists but does not hold are skipped),
``random.Random(SEED)`` samples ``N`` rows not yet used by an item and with a non-empty text. It
prints one JSON line of provenance per row (ids from ``--first`` on) with the gold left to the
annotator; nothing is chosen by content.
"""

from __future__ import annotations

__all__ = [
    "ALLOWED",
    "clean",
    "cut",
    "draw",
    "load_annotations",
    "provenance",
    "readable",
    "rebuild",
    "row_text",
    "sha1",
]

import argparse
import csv
import hashlib
import io
import json
import random
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent / "data" / "visits-dev"
ANNOTATIONS = HERE / "annotations.jsonl"
TEXTS = HERE / "texts.jsonl"
REPO = "SuperJJ2333/Information_Extraction"
GIT_DIR = Path("/work/.mirror/SuperJJ2333+Information_Extraction/repo")
COMMIT = "99fd6338108689b6b6f08ba3b401d04ee11e19a3"
ROOT = "all_processed_data/Total_time_classified_data/"
ALLOWED = frozenset(
    (
        "上海市",
        "天津市",
        "山西省",
        "新疆省",
        "江苏省",
        "江西省",
        "河北省",
        "浙江省",
        "海南省",
        "湖北省",
        "甘肃省",
        "福建省",
        "西藏省",
        "贵州省",
        "重庆市",
        "青海省",
        "黑龙江省",
    )
)
LIMIT = 300
_SPACE = re.compile(r"[\s\u3000\u00a0\u200b\u200c\u200d\u2060\ufeff]+")
_SENTENCE = re.compile(r"[。！？][”’」』）)】]*")


def allowed(path: str) -> bool:
    """Whether ``path`` lies in one of the seventeen folders this set may use."""
    if not path.startswith(ROOT):
        return False
    return path[len(ROOT) :].split("/", 1)[0] in ALLOWED


def clean(text: str) -> str:
    return _SPACE.sub("", text)


def cut(text: str, limit: int = LIMIT) -> str:
    """The leading whole sentences of ``text``, at most ``limit`` characters."""
    end = 0
    for m in _SENTENCE.finditer(text):
        if m.end() > limit:
            break
        end = m.end()
    return text[:end]


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def read_rows(git_dir: Path, commit: str, path: str) -> list[dict[str, str]]:
    if not allowed(path):
        raise ValueError(f"not an allowed folder: {path}")
    raw = subprocess.run(
        ["git", f"--git-dir={git_dir}", "show", f"{commit}:{path}"],
        check=True,
        capture_output=True,
    ).stdout.decode("utf-8-sig")
    csv.field_size_limit(sys.maxsize)
    return list(csv.DictReader(io.StringIO(raw)))


def row_text(row: dict[str, str]) -> tuple[str, str]:
    """(title, text) of one CSV row by the text rule."""
    return clean(row.get("topic") or ""), cut(clean(row.get("content") or ""))


def _git(git_dir: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", f"--git-dir={git_dir}", *args], capture_output=True)


def readable(git_dir: Path = GIT_DIR, commit: str = COMMIT) -> list[str]:
    """The city files of the allowed folders whose blobs the snapshot holds, sorted by path.

    Each allowed folder is listed by name, so no other folder is ever listed or read.
    """
    paths = []
    for folder in sorted(ALLOWED):
        listing = _git(git_dir, "ls-tree", "-z", commit, f"{ROOT}{folder}/").stdout.decode()
        for entry in filter(None, listing.split("\0")):
            meta, path = entry.split("\t", 1)
            if allowed(path) and _git(git_dir, "cat-file", "-e", meta.split()[2]).returncode == 0:
                paths.append(path)
    return sorted(paths)


def provenance(
    item_id: str, path: str, row: int, record: dict[str, str], commit: str = COMMIT
) -> dict:
    """An item's provenance fields for ``record`` (data row ``row`` of ``path``), without gold;
    ``published`` is null where the source row has no date, as in the first items."""
    title, text = row_text(record)
    return {
        "id": item_id,
        "repo": REPO,
        "commit": commit,
        "path": path,
        "row": row,
        "anchor": text[:30],
        "text_sha1": sha1(text),
        "text_chars": len(text),
        "title_sha1": sha1(title),
        "home": path.rsplit("/", 1)[1].split("_", 1)[0].removesuffix("市"),
        "published": (record.get("date") or "").strip()[:10] or None,
    }


def draw(
    seed: int, per_file: int, first: int, git_dir: Path = GIT_DIR, commit: str = COMMIT
) -> list[dict]:
    """``per_file`` new random rows of every readable file, numbered from ``vd{first}``.

    A row qualifies when no item uses it yet and its text is not empty; the rows are taken
    as they come, so visits and non-visits keep the source's proportions.
    """
    used = {(item["path"], item["row"]) for item in load_annotations()}
    rng = random.Random(seed)
    drawn: list[dict] = []
    for path in readable(git_dir, commit):
        rows = read_rows(git_dir, commit, path)
        free = [i for i, r in enumerate(rows) if (path, i) not in used and row_text(r)[1]]
        for row in rng.sample(free, min(per_file, len(free))):
            drawn.append(provenance(f"vd{first + len(drawn):03d}", path, row, rows[row], commit))
    return drawn


def load_annotations(path: Path = ANNOTATIONS) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def rebuild(git_dir: Path = GIT_DIR, out: Path = TEXTS) -> tuple[int, list[str]]:
    """Write ``texts.jsonl`` (id, title, text); returns (written, ids whose hash differs)."""
    cache: dict[tuple[str, str], list[dict[str, str]]] = {}
    bad: list[str] = []
    lines = []
    for item in load_annotations():
        key = (item["commit"], item["path"])
        if key not in cache:
            cache[key] = read_rows(git_dir, *key)
        title, text = row_text(cache[key][item["row"]])
        if (
            sha1(text) != item["text_sha1"]
            or sha1(title) != item.get("title_sha1", sha1(title))
            or not text.startswith(item["anchor"])
        ):
            bad.append(item["id"])
            continue
        lines.append(
            json.dumps({"id": item["id"], "title": title, "text": text}, ensure_ascii=False)
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(line + "\n" for line in lines), "utf-8")
    return len(lines), bad


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--git-dir", type=Path, default=GIT_DIR, help="the snapshot's git directory"
    )
    parser.add_argument("--draw", type=int, metavar="SEED", help="print new rows to annotate")
    parser.add_argument("--per-file", type=int, default=2, help="rows per file with --draw")
    parser.add_argument("--first", type=int, default=1, help="number of the first --draw id")
    args = parser.parse_args(argv)
    if args.draw is not None:
        for item in draw(args.draw, args.per_file, args.first, args.git_dir):
            print(json.dumps(item, ensure_ascii=False))
        return
    written, bad = rebuild(args.git_dir)
    print(f"{written} texts written to {TEXTS}")
    if bad:
        print(f"{len(bad)} hashes differ: {' '.join(bad)}")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
