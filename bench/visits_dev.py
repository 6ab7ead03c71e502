"""Rebuild the texts of the local visits dev set from a snapshot of its source repository.

Usage::

    python bench/visits_dev.py [--git-dir DIR]      # writes bench/data/visits-dev/texts.jsonl

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
"""

from __future__ import annotations

__all__ = ["ALLOWED", "clean", "cut", "load_annotations", "rebuild", "row_text", "sha1"]

import argparse
import csv
import hashlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent / "data" / "visits-dev"
ANNOTATIONS = HERE / "annotations.jsonl"
TEXTS = HERE / "texts.jsonl"
REPO = "SuperJJ2333/Information_Extraction"
GIT_DIR = Path("/work/.mirror/SuperJJ2333+Information_Extraction/repo")
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
    args = parser.parse_args(argv)
    written, bad = rebuild(args.git_dir)
    print(f"{written} texts written to {TEXTS}")
    if bad:
        print(f"{len(bad)} hashes differ: {' '.join(bad)}")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
