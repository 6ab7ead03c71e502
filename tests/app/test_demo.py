"""`citydigest demo`: the offline demo works from any folder and shows the pipeline's results."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.app.demo import DEMO_SNAPSHOT

ROOT = Path(__file__).resolve().parents[2]


def test_demo_from_an_empty_folder(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITYDIGEST_")}
    result = subprocess.run(
        [sys.executable, "-m", "crawler.app.cli", "demo"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "citydigest-demo"
    assert f"open {folder / 'demo.html'}" in result.stdout.replace("\n", "")
    html = (folder / "demo.html").read_text(encoding="utf-8")
    assert "青岛市党政考察团赴深圳考察学习" in html
    assert "城市考察交流" in html and "政策发布" in html
    text = (folder / "demo.txt").read_text(encoding="utf-8")
    assert "青岛 → 深圳" in text
    eml = (folder / "demo.eml").read_bytes()
    assert b"Subject:" in eml and b"multipart/alternative" in eml
    assert (folder / "archive" / "index.html").exists()

    stories = subprocess.run(
        [
            sys.executable,
            "-m",
            "crawler.app.cli",
            "--config",
            str(folder / "config"),
            "stories",
            "--format",
            "json",
            "--min-outlets",
            "2",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert stories.returncode == 0, stories.stderr
    # The seed article (Traditional, Big5) and its Simplified syndications are one story.
    assert "香港時報" in stories.stdout and "大众网" in stories.stdout

    config = ["--config", str(folder / "config")]
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "crawler.app.cli",
            *config,
            "digest",
            "build",
            "--out",
            str(tmp_path / "out"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert built.returncode == 0, built.stderr
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"demo.html", "demo.txt", "demo.eml"}
    dry = subprocess.run(
        [sys.executable, "-m", "crawler.app.cli", *config, "digest", "send", "--dry-run"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert dry.returncode == 0, dry.stderr
    assert "would send (dry run): 1" in dry.stdout.replace("\n", " ")


def test_shipped_snapshot_holds_every_page_of_the_demo_sites() -> None:
    from tests.demo_snapshot import routes

    with DEMO_SNAPSHOT.open("rb") as fh:
        archived = {
            r.rec_headers.get_header("WARC-Target-URI")
            for r in ArchiveIterator(fh)
            if r.rec_type == "response"
        }
    if (ROOT.parent / "shared" / "seed").exists():
        assert archived == set(routes())
    assert len(archived) >= 19
