"""The archive's policy page (``policies.html``), on SQLite and PostgreSQL: one section per
document, read from the database, with its 文号, issuer, dates, validity, copies and the
articles around it; page text escaped and links made safe."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from selectolax.lexbor import LexborHTMLParser

from crawler.base.config import Source
from crawler.base.config.settings import ArchiveSettings
from crawler.base.db import Database
from crawler.base.documents import DocLink, PolicyDocument
from crawler.base.errors import DigestError
from crawler.store.store import Store
from crawler.store.write import ArticleWriter, IndexCache
from digests.archive import POLICY_PAGE, policy_entry, update_policy_page
from digests.render import environment
from tests.store.test_policies import corpus, page

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2024, 7, 1, tzinfo=UTC)


@pytest.fixture
def db(database_url: str) -> Database:
    database = Database(database_url, upgrade=True)
    store = Store(database)
    store.ensure_sources(
        [Source(id=s, name=f"{s}网", feed=f"https://{s}.example/rss") for s in
         ("sz-gov", "gz-gov", "sznews", "hk")]
    )  # fmt: skip
    hostile = page(
        "sznews",
        9,
        "<script>alert(1)</script>解读：《关于做好2024年城镇燃气安全专项整治工作的通知》",
        "解读正文。",
        interpretation_of="https://www.sz-gov.example/zwgk/1.html",
    )
    ArticleWriter(store, IndexCache()).write([*corpus(), hostile])
    yield database
    database.dispose()


def write(db: Database, tmp_path: Path, now: datetime = NOW) -> LexborHTMLParser:
    settings = ArchiveSettings(dir=tmp_path / "archive")
    path = update_policy_page(environment(), settings, db, zone=ZONE, brand="城市简报", now=now)
    assert path == settings.dir / POLICY_PAGE
    return LexborHTMLParser(path.read_text(encoding="utf-8"))


def test_each_document_has_its_section_with_what_is_around_it(db: Database, tmp_path: Path) -> None:
    tree = write(db, tmp_path)
    sections = {node.attributes["id"]: node for node in tree.css("article")}
    assert set(sections) == {
        "深府办函〔2024〕5号", "穗府办函〔2024〕12号", "深府办函〔2023〕31号", "深府办规〔2024〕2号",
        "深府〔2024〕30号",
    }  # fmt: skip
    notice = sections["深府办函〔2024〕5号"]
    text = notice.text()
    assert (
        "发文机关：深圳市人民政府办公室" in text and "成文日期：3月5日 · 发布日期：3月6日" in text
    )
    assert "有效性：有效" in text
    assert [a.text() for a in notice.css("p.meta a")] == ["sz-gov网", "sznews网", "hk网"]
    links = [a.attributes["href"] for a in notice.css("li a")]
    assert "https://www.sz-gov.example/zwgk/3.html" in links  # the 解读
    assert "https://www.sznews.example/zwgk/2.html" in links  # the report
    repealed = sections["深府办函〔2023〕31号"].text()
    assert (
        "有效性：已废止" in repealed and "废止：" in repealed and "深府办规〔2024〕2号" in repealed
    )
    assert "修订：" in sections["深府办规〔2024〕2号"].text()
    # a stored title's markup never becomes markup, nor text (titles are text: issue 20)
    assert not tree.css("script")
    assert "<script" not in notice.html and "<script" not in notice.text()
    assert "解读：《关于做好2024年城镇燃气安全专项整治工作的通知》" in notice.text()


def test_old_documents_leave_the_page_and_an_empty_page_says_so(
    db: Database, tmp_path: Path
) -> None:
    tree = write(db, tmp_path, now=NOW + timedelta(days=800))
    assert not tree.css("article")
    assert "没有收录政策文件" in tree.body.text()  # type: ignore[union-attr]


def test_an_unwritable_archive_is_one_clear_error(db: Database, tmp_path: Path) -> None:
    blocker = tmp_path / "archive"
    blocker.write_text("a file where the directory should be")
    with pytest.raises(DigestError, match="archive: cannot write"):
        write(db, tmp_path)


def test_the_index_links_the_policy_page() -> None:
    index = (Path(__file__).parents[2] / "digests" / "templates" / "index.html").read_text()
    assert 'href="policies.html"' in index


def test_dates_print_as_the_rest_of_the_archive_does(db: Database, tmp_path: Path) -> None:
    """Dates as the ``stamp`` filter prints them (issue 21): a day, the time only where the page
    gave one, the year only when it is not the page's; never an ISO string."""
    tree = write(db, tmp_path)
    sections = {node.attributes["id"]: node.text() for node in tree.css("article")}
    text = tree.body.text()  # type: ignore[union-attr]
    assert not re.search(r"\d{4}-\d{2}-\d{2}|T\d{2}:", text)
    assert "成文日期：2023年3月5日 · 发布日期：2023年3月6日" in sections["深府办函〔2023〕31号"]
    assert "sz-gov网 · 3月6日 09:00" in sections["深府办函〔2024〕5号"]  # its 解读, this year
    # The next year's page gives every date its year.
    later = write(db, tmp_path, now=NOW + timedelta(days=200)).body.text()  # type: ignore[union-attr]
    assert "成文日期：2024年3月5日" in later and "sz-gov网 · 2024年3月6日 09:00" in later


CST = timezone(timedelta(hours=8))


@pytest.mark.parametrize(
    ("published", "fetched", "shown"),
    [
        (datetime(2024, 3, 6, 9, 5, tzinfo=CST), None, "3月6日 09:05"),
        (datetime(2024, 3, 6, tzinfo=CST), None, "3月6日"),  # a date only: no fake 00:00
        (datetime(2023, 12, 30, tzinfo=CST), None, "2023年12月30日"),
        (None, datetime(2024, 3, 7, 10, tzinfo=CST), "未注明日期（3月7日首次收录）"),
    ],
)
def test_a_links_stamp(published: datetime | None, fetched: datetime | None, shown: str) -> None:
    link = DocLink(1, "interprets", "解读", "https://x.example/1", "x网", published,
                   fetched or datetime(2024, 3, 8, tzinfo=CST))  # fmt: skip
    document = PolicyDocument(
        key="深府〔2024〕1号", doc_no="深府〔2024〕1号", issuer=None, title="通知",
        url="https://x.example/0", written_date="2024年3月5日", published_date=None,
        validity=None, copies=(link,), interpretations=(link,),
    )  # fmt: skip
    html = (
        environment()
        .get_template(POLICY_PAGE)
        .render(entries=[policy_entry(document, ZONE)], brand="b", days=365, zone=ZONE,
                year=2024, lang="zh", fonts="serif")
    )  # fmt: skip
    assert f"x网 · {shown}</li>" in html
    assert "成文日期：2024年3月5日" in html  # not an ISO date: as the page wrote it
