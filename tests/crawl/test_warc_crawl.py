"""`crawl once --warc-out` then `crawl warc`: an archive replays through the same pipeline."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.app.cli import cli
from crawler.base.config import load_config
from crawler.base.db import Database
from crawler.base.models import Article
from tests.sitefarm import SETTINGS_YAML, Site, farm, serve, sources_yaml


@pytest.fixture
def sites() -> Iterator[list[Site]]:
    with serve(farm(2, 8)) as running:
        yield running


def articles(db_path: Path) -> dict[str, tuple[str, str | None, str]]:
    db = Database(f"sqlite:///{db_path}")
    with db.session() as session:
        rows = session.execute(
            select(Article.canonical_url, Article.source_id, Article.title, Article.body)
        )
        out = {r.canonical_url: (r.source_id, r.title, r.body) for r in rows}
    db.dispose()
    return out


def recorded_crawl(tmp_path: Path, sites: list[Site]) -> tuple[Path, Path]:
    """`crawl once --warc-out` of the farm into live.db: (its config folder, the WARC file)."""
    live = tmp_path / "live"
    live.mkdir()
    (live / "citydigest.yaml").write_text(
        SETTINGS_YAML.format(db=tmp_path / "live.db", concurrency=2, delay=0, timeout=3)
    )
    (live / "sources.yaml").write_text(sources_yaml(sites))
    warc = tmp_path / "crawl.warc.gz"
    result = CliRunner().invoke(
        cli, ["--config", str(live), "crawl", "once", "--warc-out", str(warc)]
    )
    assert result.exit_code == 0, result.output
    assert warc.exists() and warc.stat().st_size > 1000
    return live, warc


def test_crawl_to_warc_then_import_it_elsewhere(tmp_path: Path, sites: list[Site]) -> None:
    live, warc = recorded_crawl(tmp_path, sites)

    # Replay into a fresh database with the same sources: same articles, same sources.
    result = CliRunner().invoke(
        cli,
        [
            "--config",
            str(live),
            "--database",
            f"sqlite:///{tmp_path / 'replay.db'}",
            "crawl",
            "warc",
            str(warc),
        ],
    )
    assert result.exit_code == 0, result.output
    original, replayed = articles(tmp_path / "live.db"), articles(tmp_path / "replay.db")
    assert len(original) == 16
    assert replayed == original

    # Into a config that knows none of the hosts: everything lands in `warc-import`.
    other = tmp_path / "other"
    other.mkdir()
    (other / "sources.yaml").write_text(
        "sources:\n  - id: unrelated\n    name: x\n    feed: https://example.org/rss\n"
    )
    db_url = f"sqlite:///{tmp_path / 'other.db'}"
    result = CliRunner().invoke(
        cli, ["--config", str(other), "--database", db_url, "crawl", "warc", str(warc)]
    )
    assert result.exit_code == 0, result.output
    imported = articles(tmp_path / "other.db")
    assert set(imported) == set(original)
    assert {source for source, _, _ in imported.values()} == {"warc-import"}
    assert load_config(other).sources[0].id == "unrelated"


def test_a_cut_archive_imports_what_is_whole_and_says_what_is_not(
    tmp_path: Path, sites: list[Site]
) -> None:
    """An archive cut inside its fifth record (a download broken off): the four before it are
    imported whole, the summary names the damaged file, the exit code is 1. A file that is not
    a WARC file at all is one clean line, no traceback."""
    live, warc = recorded_crawl(tmp_path, sites)
    with warc.open("rb") as stream:
        archive = ArchiveIterator(stream)
        offsets = [archive.get_record_offset() for _ in archive]
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(warc.read_bytes()[: offsets[len(offsets) // 2] + 25])
    db_url = f"sqlite:///{tmp_path / 'cut.db'}"
    result = CliRunner().invoke(
        cli, ["--config", str(live), "--database", db_url, "crawl", "warc", str(cut)]
    )
    assert result.exit_code == 1, result.output
    assert "cut.warc.gz: damaged or cut short after" in " ".join(result.output.split())
    original, imported = articles(tmp_path / "live.db"), articles(tmp_path / "cut.db")
    assert imported and len(imported) < len(original)
    assert all(original[url] == row for url, row in imported.items())  # whole pages only

    bogus = tmp_path / "bogus.warc"
    bogus.write_text("not a WARC file\n")
    result = CliRunner().invoke(
        cli, ["--config", str(live), "--database", db_url, "crawl", "warc", str(bogus)]
    )
    assert result.exit_code == 1
    assert "bogus.warc: not a readable WARC file" in result.output
    assert "Traceback" not in result.output


def test_an_archived_url_that_cannot_be_read_is_an_error_not_a_failed_batch(tmp_path: Path) -> None:
    """A WARC-Target-URI with a port that is not a number: that link is reported, the page
    beside it is imported (canonical_url raising on it had failed the whole batch)."""
    live = tmp_path / "cfg"
    live.mkdir()
    (live / "sources.yaml").write_text(
        "sources:\n  - id: unrelated\n    name: x\n    feed: https://example.org/rss\n"
    )
    page = "<html><head><title>青岛市代表团赴深圳考察学习</title></head><body><article><p>{}</p></article></body></html>"
    warc = tmp_path / "odd.warc.gz"
    with warc.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url in ["http://news.example.cn:abc/1.html", "http://news.example.cn/2.html"]:
            body = page.format("2024年5月1日，青岛市党政代表团赴深圳考察学习。" * 20).encode()
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            writer.write_record(
                writer.create_warc_record(
                    url, "response", payload=io.BytesIO(body), http_headers=headers
                )
            )
    db_url = f"sqlite:///{tmp_path / 'odd.db'}"
    result = CliRunner().invoke(
        cli, ["--config", str(live), "--database", db_url, "crawl", "warc", str(warc)]
    )
    assert result.exit_code == 0, result.output
    assert "unusable link 'http://news.example.cn:abc/1.html'" in " ".join(result.output.split())
    assert list(articles(tmp_path / "odd.db")) == ["http://news.example.cn/2.html"]
