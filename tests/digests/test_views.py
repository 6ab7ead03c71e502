"""The archive as the mail links into it: "还有N条" opens the reader's own filtered view of the day
(one page per distinct filter, named by a hash, shared, naming nobody, answered by `serve` too);
city chips link to the city pages; archive pages say time honestly; a return visit marks the
earlier visit's day page when the new day is written (on SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx
import pytest
from sqlalchemy import delete

from crawler.app.web import create_app
from crawler.base.config.subscribers import SubscriberFilter
from crawler.base.db import Database
from crawler.base.models import Article, Story
from digests import build_digests
from digests.archive import normal_filter, view_key
from tests.digests.digestkit import NOW, Item, hours, make_config, seed, subscriber, visit_item

ARTICLE = re.compile(r'<article id="s(\d+)">')


def _more_link(html: str, n: int) -> str:
    found = re.search(rf'<a href="([^"]+)"[^>]*>还有{n}条', html)
    assert found is not None, f"no 还有{n}条 link"
    return found.group(1).replace("&amp;", "&")


def _local(url: str, archive: Path) -> tuple[Path, str]:
    """The file a public archive URL names, and its fragment."""
    parts = urlsplit(url)
    assert parts.path.startswith("/archive/") and not parts.query
    return archive / unquote(parts.path.removeprefix("/archive/")), parts.fragment


def _ids(page: Path) -> set[int]:
    return {int(x) for x in ARTICLE.findall(page.read_text(encoding="utf-8"))}


# Day 2026-11-26 (Shanghai) holds most of the window [11-26 08:30, 11-27 08:30): the cut stories
# are there, not on the day the digest is sent.
QINGDAO = [Item(f"青岛消息{i}", NOW - hours(10 + i), cities=["青岛"]) for i in range(6)]
QINGDAO_TODAY = [Item("青岛今晨消息", NOW - hours(1), cities=["青岛"])]
SHENZHEN = [Item(f"深圳消息{i}", NOW - hours(11 + i), cities=["深圳"]) for i in range(5)]
ELSEWHERE = [Item("成都消息", NOW - hours(12), cities=["成都"])]
READERS = [
    subscriber(filter={"cities": ["青岛"]}),
    # The same filter written otherwise: Traditional, repeated, padded. One page for both.
    subscriber(id="bob", email="bob@example.org", filter={"cities": [" 青島", "青岛"]}),
    subscriber(id="carol", email="carol@example.net", filter={"cities": ["深圳"]}),
    subscriber(id="dave", email="dave@example.com"),  # everything: the day page is the view
]


def test_more_opens_the_readers_own_filtered_view(
    db: Database, tmp_path: Path, secret: str
) -> None:
    seed(db, QINGDAO + QINGDAO_TODAY + SHENZHEN + ELSEWHERE)
    config = make_config(tmp_path, READERS)
    build_digests(config, db, out_dir=tmp_path / "o", now=NOW)
    archive = tmp_path / "archive"
    mails = {r.id: (tmp_path / "o" / f"{r.id}.html").read_text(encoding="utf-8") for r in READERS}
    texts = {r.id: (tmp_path / "o" / f"{r.id}.txt").read_text(encoding="utf-8") for r in READERS}

    # alice: 7 stories of 青岛, 3 shown (per_section), 4 cut, all on 11-26.
    link = _more_link(mails["alice"], 4)
    assert link in texts["alice"]  # the plain text carries the same link
    page, fragment = _local(link, archive)
    assert page.parent.name == "view" and page.name.startswith("2026-11-26-")
    assert fragment == "other"
    assert page.exists()
    assert f'<h2 id="{fragment}">' in page.read_text(encoding="utf-8")
    assert _ids(page) == {i.story_id for i in QINGDAO}  # exactly her stories of that day
    # bob's filter is the same once normalised: the same page.
    assert _more_link(mails["bob"], 4) == link
    # carol's is her own page, with only 深圳's stories.
    other = _more_link(mails["carol"], 2)
    other_page, _ = _local(other, archive)
    assert other_page != page and _ids(other_page) == {i.story_id for i in SHENZHEN}
    # dave lets everything through: his view is the day page itself.
    day_page, _ = _local(_more_link(mails["dave"], 10), archive)
    assert day_page == archive / "2026-11-26.html"
    # The day of the send (11-27) has its view too, for alice's filter: its one story.
    assert _ids(page.with_name(page.name.replace("2026-11-26", "2026-11-27"))) == {
        QINGDAO_TODAY[0].story_id
    }
    # The view says what it filters, and links back to the whole day.
    html = page.read_text(encoding="utf-8")
    assert "城市：青岛" in html and 'href="../2026-11-26.html"' in html
    assert 'href="2026-11-27-' in html  # its next day, the same filter

    # Nobody is named: no address or subscriber id in any path or page of the archive.
    for path in archive.rglob("*"):
        rel = str(path.relative_to(archive))
        assert not any(r.id in rel or r.email in rel for r in READERS), rel
        if path.is_file():
            body = path.read_text(encoding="utf-8")
            assert "@example." not in body, rel


async def test_serve_answers_the_filtered_view(db: Database, tmp_path: Path, secret: str) -> None:
    seed(db, QINGDAO + SHENZHEN)
    config = make_config(tmp_path, READERS[:1])
    build_digests(config, db, out_dir=tmp_path / "o", now=NOW)
    link = _more_link((tmp_path / "o" / "alice.html").read_text(encoding="utf-8"), 3)
    page, _ = _local(link, tmp_path / "archive")
    app = create_app(config, db, secret=secret)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        response = await client.get(urlsplit(link).path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert {int(x) for x in ARTICLE.findall(response.text)} == {i.story_id for i in QINGDAO}
    assert response.text == page.read_text(encoding="utf-8")


def test_a_day_written_again_rewrites_every_view_of_it(
    db: Database, tmp_path: Path, secret: str
) -> None:
    """alice's run writes her view; carol's later run (another filter) rewrites the day, and
    alice's view with it, so it holds the story that came in between."""
    seed(db, QINGDAO[:4])
    build_digests(make_config(tmp_path, READERS[:1]), db, out_dir=tmp_path / "o", now=NOW)
    late = seed(db, [Item("青岛晚到消息", NOW - hours(9), cities=["青岛"])])
    build_digests(
        make_config(tmp_path, READERS[2:3]), db, out_dir=tmp_path / "o", now=NOW + hours(1)
    )
    key = view_key(SubscriberFilter(cities=("青岛",)))
    view = tmp_path / "archive" / "view" / f"2026-11-26-{key}.html"
    assert _ids(view) == {i.story_id for i in QINGDAO[:4] + late}


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ({"cities": ["青岛", "深圳"]}, {"cities": ["深圳", "青岛"]}, True),
        ({"cities": ["青島"]}, {"cities": ["青岛"]}, True),
        ({"keywords": ["  智慧城市 "]}, {"keywords": ["智慧城市"]}, True),
        ({"kinds": ["policy", "visit"]}, {"kinds": ["visit", "policy"]}, True),
        ({"cities": ["青岛"]}, {"provinces": ["青岛"]}, False),
        ({"cities": ["青岛"]}, {"cities": ["青岛"], "kinds": ["visit"]}, False),
        ({"keywords": ["青岛"]}, {"exclude": ["青岛"]}, False),
    ],
)
def test_view_keys_are_stable_per_normalised_filter(
    a: dict[str, list[str]], b: dict[str, list[str]], same: bool
) -> None:
    ka, kb = (view_key(SubscriberFilter.model_validate(x)) for x in (a, b))
    assert ka is not None and re.fullmatch(r"[0-9a-f]{12}", ka)
    assert (ka == kb) is same
    assert normal_filter(normal_filter(SubscriberFilter.model_validate(a))) == normal_filter(
        SubscriberFilter.model_validate(a)
    )


def test_a_filter_that_lets_everything_through_has_no_view() -> None:
    assert view_key(SubscriberFilter()) is None
    assert view_key(SubscriberFilter(kinds=("other", "visit", "policy"))) is None
    assert view_key(SubscriberFilter(kinds=("visit",))) is not None


# --------------------------------------------------------------------------- city links


def test_city_chips_in_the_mail_link_to_the_city_pages(
    db: Database, tmp_path: Path, secret: str
) -> None:
    seed(
        db,
        [
            Item("青岛深圳合作消息", NOW - hours(2), cities=["青岛", "深圳"]),
            Item("某地消息", NOW - hours(3), cities=["不存在的城市"]),  # no page: a plain chip
        ],
    )
    readers = [subscriber(), subscriber(id="tw", email="tw@example.org", script="traditional")]
    build_digests(make_config(tmp_path, readers), db, out_dir=tmp_path / "o", now=NOW)
    archive = tmp_path / "archive"
    for reader in ("alice", "tw"):
        html = (tmp_path / "o" / f"{reader}.html").read_text(encoding="utf-8")
        chips = re.findall(r'<a class="chip" href="([^"]+)"[^>]*>([^<]+)</a>', html)
        assert [name for _, name in chips] == (
            ["青岛", "深圳"] if reader == "alice" else ["青島", "深圳"]
        )
        for url, _name in chips:  # ASCII links to pages that exist
            assert url.isascii()
            path, _ = _local(url, archive)
            assert path.parent.name == "city" and path.exists()
        assert re.search(r'<span class="chip"[^>]*>不存在的城市</span>', html)
    text = (tmp_path / "o" / "alice.txt").read_text(encoding="utf-8")
    listed = text[text.index("城市页：") :].splitlines()[1:3]
    assert listed == [
        "  青岛：https://digest.example.org/archive/city/%E9%9D%92%E5%B2%9B.html",
        "  深圳：https://digest.example.org/archive/city/%E6%B7%B1%E5%9C%B3.html",
    ]
    assert text.count("city/%E9%9D%92%E5%B2%9B.html") == 1  # once per city


# --------------------------------------------------------------------------- honest time


def test_archive_pages_say_time_as_the_page_did(db: Database, tmp_path: Path, secret: str) -> None:
    shanghai_midnight = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)  # 11-26 00:00 in Shanghai
    items = seed(
        db,
        [
            Item("有时间的消息", NOW - hours(12), cities=["青岛"], published=NOW - hours(13)),
            Item("只有日期的消息", NOW - hours(11), cities=["青岛"], published=shanghai_midnight),
            Item(
                "二〇二一年的旧报道",
                NOW - hours(10),
                cities=["青岛"],
                published=datetime(2021, 5, 11, 16, 0, tzinfo=UTC),  # 2021-05-12, a date only
            ),
            Item("未注明日期的消息", NOW - hours(9), cities=["青岛"], undated=True),
        ],
    )
    build_digests(
        make_config(tmp_path, [subscriber(filter={"cities": ["青岛"]})]),
        db,
        out_dir=tmp_path / "o",
        now=NOW,
    )
    key = view_key(SubscriberFilter(cities=("青岛",)))
    archive = tmp_path / "archive"
    for page in (archive / "2026-11-26.html", archive / "view" / f"2026-11-26-{key}.html"):
        html = page.read_text(encoding="utf-8")
        metas = {}
        for item in items:
            block = html[html.index(f'id="s{item.story_id}"') :]
            metas[item.title] = re.search(r'<p class="meta">([^<]*)</p>', block).group(1)  # type: ignore[union-attr]
        assert metas == {
            "有时间的消息": "新华网 · 11月26日 19:30",
            "只有日期的消息": "新华网 · 11月26日",
            "二〇二一年的旧报道": "新华网 · 2021年5月12日",
            "未注明日期的消息": "新华网 · 未注明日期（11月26日首次收录）",
        }, page.name
        assert "00:00" not in html


# --------------------------------------------------------------------------- return visits


def _marks(page: Path) -> list[tuple[str, str]]:
    return re.findall(
        r'<span class="tag">(回访|已回访)</span>[^<]*<a href="([^"]+)"',
        page.read_text(encoding="utf-8"),
    )


def test_a_return_visit_marks_the_earlier_day_page_when_it_is_written(
    db: Database, tmp_path: Path, secret: str
) -> None:
    early = NOW - hours(24 * 10)
    (first,) = seed(db, [visit_item("青岛", "深圳", early - hours(2))])
    reader = [subscriber(filter={"cities": ["青岛"]})]
    build_digests(make_config(tmp_path, reader), db, out_dir=tmp_path / "o", now=early)
    archive = tmp_path / "archive"
    first_day = archive / "2026-11-17.html"
    key = view_key(SubscriberFilter(cities=("青岛",)))
    first_view = archive / "view" / f"2026-11-17-{key}.html"
    assert _marks(first_day) == [] and _marks(first_view) == []

    (back,) = seed(db, [visit_item("深圳", "青岛", NOW - hours(2))])
    build_digests(make_config(tmp_path, reader), db, out_dir=tmp_path / "o", now=NOW)
    permalink = f"2026-11-27.html#s{back.story_id}"
    assert _marks(archive / "2026-11-27.html") == [("回访", f"2026-11-17.html#s{first.story_id}")]
    # The earlier day page, not written by this run's window, now links its return.
    assert _marks(first_day) == [("已回访", permalink)]
    assert _marks(first_view) == [("已回访", f"../{permalink}")]
    assert f'<article id="s{first.story_id}">' in first_day.read_text(encoding="utf-8")
    for city in ("青岛", "深圳"):
        page = (archive / "city" / f"{city}.html").read_text(encoding="utf-8")
        assert "已回访" in page and "回访" in page
    # A later run whose days change no earlier mark leaves the earlier pages alone.
    stamp = first_day.stat().st_mtime_ns
    seed(db, [Item("青岛又一条消息", NOW + hours(1), cities=["青岛"])])
    build_digests(make_config(tmp_path, reader), db, out_dir=tmp_path / "o", now=NOW + hours(2))
    assert first_day.stat().st_mtime_ns == stamp


def test_an_earlier_day_whose_stories_are_gone_is_left_as_it_was(
    db: Database, tmp_path: Path, secret: str
) -> None:
    early = NOW - hours(24 * 10)
    first, _ = seed(
        db,
        [visit_item("青岛", "深圳", early - hours(2)), Item("同日消息", early - hours(3))],
    )
    build_digests(make_config(tmp_path, [subscriber()]), db, out_dir=tmp_path / "o", now=early)
    first_day = tmp_path / "archive" / "2026-11-17.html"
    before = first_day.read_text(encoding="utf-8")
    assert len(ARTICLE.findall(before)) == 2
    with db.session() as session:  # retention deleted the earlier visit's articles
        session.execute(delete(Article).where(Article.story_id == first.story_id))
        session.execute(delete(Story).where(Story.id == first.story_id))
    seed(db, [visit_item("深圳", "青岛", NOW - hours(2))])
    build_digests(make_config(tmp_path, [subscriber()]), db, out_dir=tmp_path / "o", now=NOW)
    assert first_day.read_text(encoding="utf-8") == before  # not rewritten without its visit
    assert "已回访" in (tmp_path / "archive" / "city" / "青岛.html").read_text(encoding="utf-8")
