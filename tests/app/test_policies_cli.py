"""``citydigest policies`` on SQLite and PostgreSQL: documents with 文号, issuer, dates and
validity, their 解读 and reports, filtered by date and issuer (in either script)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.app.cli import cli
from crawler.base.config import Source
from crawler.base.db import Database
from crawler.store.store import Store
from crawler.store.write import ArticleWriter, IndexCache
from tests.store.test_policies import corpus

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def stored(database_url: str, tmp_path: Path) -> list[str]:
    """The global options for a config and a database that holds the policy corpus."""
    with Database(database_url, upgrade=True) as db:
        store = Store(db)
        store.ensure_sources(
            [Source(id=s, name=s, feed=f"https://{s}.example/rss") for s in
             ("sz-gov", "gz-gov", "sznews", "hk")]
        )  # fmt: skip
        ArticleWriter(store, IndexCache()).write(corpus())
    folder = tmp_path / "cfg"
    shutil.copytree(ROOT / "config", folder)
    return ["--config", str(folder), "--database", database_url]


def invoke(stored: list[str], *args: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(cli, [*stored, "policies", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    # (the runner mixes in what goes to stderr: --rescan's one line)
    return [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]


def test_json_lists_each_document_once_with_what_is_around_it(stored: list[str]) -> None:
    documents = {d["doc_no"]: d for d in invoke(stored)}
    assert len(documents) == 5
    notice = documents["深府办函〔2024〕5号"]
    assert notice["issuer"] == "深圳市人民政府办公室"
    assert (notice["written_date"], notice["published_date"]) == ("2024-03-05", "2024-03-06")
    assert notice["validity"] == notice["status"] == "有效"
    assert len(notice["copies"]) == 3  # type: ignore[arg-type]
    assert [x["url"] for x in notice["interpretations"]] == [  # type: ignore[attr-defined]
        "https://www.sz-gov.example/zwgk/3.html"
    ]
    assert [x["url"] for x in notice["reports"]] == [  # type: ignore[attr-defined]
        "https://www.sznews.example/zwgk/2.html"
    ]
    assert documents["深府办函〔2023〕31号"]["status"] == "已废止"
    assert str(notice["first_seen"]).startswith("2024-03-06T09:00:00+08:00")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--issuer", "广州"), {"穗府办函〔2024〕12号"}),
        (("--issuer", "廣州"), {"穗府办函〔2024〕12号"}),  # Traditional input
        (("--issuer", "深府办规"), {"深府办规〔2024〕2号"}),  # part of a 文号
        (("--since", "2024-03-10"), {"深府办规〔2024〕2号", "深府〔2024〕30号"}),
        (("--issuer", "杭州"), set()),
    ],
)
def test_filters(stored: list[str], args: tuple[str, ...], expected: set[str]) -> None:
    assert {d["doc_no"] for d in invoke(stored, *args)} == expected


def test_table_shows_numbers_validity_and_links(stored: list[str]) -> None:
    result = CliRunner().invoke(cli, [*stored, "policies"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert "5 policy documents" in result.output
    assert "深府办函〔2024〕5号" in result.output and "已废止" in result.output
    assert "解读 1 · 报道 1" in result.output
    assert "废止：深府办规〔2024〕2号" in result.output


def test_a_bad_date_is_a_usage_error(stored: list[str]) -> None:
    result = CliRunner().invoke(cli, [*stored, "policies", "--since", "2024-13-01"])
    assert result.exit_code == 2 and "2024-13-01" in result.output


def test_rescan_derives_documents_of_articles_stored_before_they_were_kept(
    stored: list[str], database_url: str
) -> None:
    """Articles stored before this revision have no 文号 or names: ``--rescan`` derives them
    from the stored title, body and metadata table, as the writer would have."""
    from sqlalchemy import delete, update

    from crawler.base.models import Article, PolicyRef

    with Database(database_url) as db, db.session() as session:
        session.execute(delete(PolicyRef))
        session.execute(update(Article).values(doc_no=None, doc_issuer=None))
    assert invoke(stored) == []
    before = {d["doc_no"] for d in invoke(stored, "--rescan")}
    assert before == {d["doc_no"] for d in invoke(stored)} and len(before) == 5
    documents = {d["doc_no"]: d for d in invoke(stored)}
    assert [x["url"] for x in documents["深府办函〔2024〕5号"]["reports"]] == [  # type: ignore[attr-defined]
        "https://www.sznews.example/zwgk/2.html"
    ]
    assert documents["深府办函〔2023〕31号"]["status"] == "已废止"
    twice = {d["doc_no"] for d in invoke(stored, "--rescan")}  # no row doubled
    assert twice == before
    result = CliRunner().invoke(cli, [*stored, "policies", "--rescan", "--format", "json"])
    assert "rescanned the stored articles: " in result.output
