"""Honest about time: a story reaches a digest when it is new to us *and* recent; a backfill of
old articles reaches nobody (or only a labelled 旧闻补录 section); dates say their year when it
is not the digest's, no fake 00:00, undated stories say so; a digest is labelled with its
period's day; ranking puts importance and freshness before outlet count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crawler.base.config.settings import DigestLimits
from crawler.base.config.subscribers import SubscriberFilter
from crawler.base.db import Database
from crawler.base.taxonomy import default_taxonomy
from digests import build_digests
from digests.digest import Digest, Entry, PolicyInfo
from digests.select import _issuer_level, _leader_level, load_pool, select_digest
from digests.text import fold
from tests.digests.digestkit import NOW, Item, hours, make_config, seed, subscriber, visit_item

SHANGHAI = ZoneInfo("Asia/Shanghai")
LABELS = {t.id: t.label for t in default_taxonomy().themes}
DAY = timedelta(days=1)


def _digest(db: Database, *, grace: timedelta = 3 * DAY, old_news: bool = False) -> Digest:
    pool = load_pool(db, NOW - DAY, NOW, LABELS, SHANGHAI)
    return select_digest(
        pool,
        subscriber_id="t",
        flt=SubscriberFilter(),
        period="p",
        start=NOW - DAY,
        end=NOW,
        limits=DigestLimits(per_section=50, total=100),
        grace=grace,
        old_news=old_news,
    )


def _titles(digest: Digest) -> dict[str, list[str]]:
    return {s.id: [e.title for e in s.entries] for s in digest.sections}


BACKFILL = [
    # First crawled an hour ago, published long before: years, months, a week, four days.
    Item("二〇二一年的旧报道", NOW - hours(1), published=datetime(2021, 5, 12, 0, 10, tzinfo=UTC)),
    Item("去年的旧通知", NOW - hours(2), kind="policy", published=NOW - 300 * DAY),
    Item("一周前的考察", NOW - hours(3), kind="visit", published=NOW - 7 * DAY),
    Item("四天前的消息", NOW - hours(4), published=NOW - DAY - 4 * DAY),
]
FRESH = [
    Item("今天的消息", NOW - hours(1)),
    Item("晚发现两天的消息", NOW - hours(2), published=NOW - DAY - 2 * DAY),
    Item("未注明日期的消息", NOW - hours(5), undated=True),
    Item("明天发布的消息（时钟偏差）", NOW - hours(1), published=NOW + hours(3)),
]


def test_grace_decides_news_from_old(db: Database) -> None:
    seed(db, BACKFILL + FRESH)
    shown = {t for ts in _titles(_digest(db)).values() for t in ts}
    assert shown == {i.title for i in FRESH}
    # A grace of zero keeps only what was published in the window itself (and the undated).
    strict = {t for ts in _titles(_digest(db, grace=timedelta(0))).values() for t in ts}
    assert strict == {"今天的消息", "未注明日期的消息", "明天发布的消息（时钟偏差）"}
    # Asked for, the old finds come last, in their own labelled section.
    sections = _titles(_digest(db, old_news=True))
    assert list(sections)[-1] == "old"
    assert set(sections["old"]) == {i.title for i in BACKFILL}
    assert not set(sections["old"]) & {t for k, ts in sections.items() if k != "old" for t in ts}


def test_a_backfill_reaches_no_ones_digest(db: Database, tmp_path: Path, secret: str) -> None:
    """A first crawl or backfill of old articles floods nobody, whatever their filter, script,
    zone or frequency; a subscriber who asks sees them under 旧闻补录 only."""
    backfill = [
        visit_item(
            v, h, NOW - hours(1 + i), published=NOW - (30 + i) * DAY, provinces=["山东", "广东"]
        )
        for i, (v, h) in enumerate([("青岛", "深圳"), ("济南", "广州"), ("深圳", "青岛")])
    ] + [
        Item(
            "深圳市人民政府关于印发旧规划的通知",
            NOW - hours(2),
            kind="policy",
            source="sz-gov",
            cities=["深圳"],
            themes=["smart_city"],
            published=datetime(2020, 3, 1, 2, tzinfo=UTC),
        )
    ]
    seed(db, backfill)
    people = [
        subscriber(id="all", email="all@example.org", empty="send"),
        subscriber(id="qd", email="qd@example.org", filter={"cities": ["青岛"]}, empty="send"),
        subscriber(id="tw", email="tw@example.org", script="traditional-tw", empty="send"),
        subscriber(id="ny", email="ny@example.org", timezone="America/New_York", send_at="19:00"),
        subscriber(id="wk", email="wk@example.org", frequency="weekly", weekday="fri"),
        subscriber(id="old", email="old@example.org", old_news=True),
    ]
    config = make_config(tmp_path, people)
    build_digests(config, db, out_dir=tmp_path / "o", now=NOW)
    for sid in ("all", "qd", "tw"):
        text = fold((tmp_path / "o" / f"{sid}.txt").read_text(encoding="utf-8"))
        assert all(i.title not in text for i in backfill), sid
        assert "本期无新" in fold(_subject(tmp_path / "o" / f"{sid}.eml")), sid
    for sid in ("ny", "wk"):  # empty: skip, so nothing is written at all
        assert not (tmp_path / "o" / f"{sid}.txt").exists(), sid
    old = (tmp_path / "o" / "old.txt").read_text(encoding="utf-8")
    assert "== 旧闻补录（4条）" in old
    head, _, tail = old.partition("旧闻补录")
    assert sum(i.title in tail for i in backfill) == 3  # per_section is 3 in make_config
    assert "还有1条" in tail and not any(i.title in head for i in backfill)
    assert "2020年3月1日" in old  # not the digest's year: the year is shown


def _subject(eml: Path) -> str:
    return str(message_from_bytes(eml.read_bytes(), policy=policy.default)["Subject"])


@pytest.mark.parametrize(
    ("published", "undated", "stamp"),
    [
        # A date-only page is stored at its local midnight: no fake 00:00.
        (datetime(2026, 11, 26, 16, 0, tzinfo=UTC), False, "11月27日"),
        (datetime(2026, 11, 26, 23, 15, tzinfo=UTC), False, "11月27日 07:15"),
        # Another year says so (here in the 旧闻补录 section).
        (datetime(2025, 12, 30, 23, 15, tzinfo=UTC), False, "2025年12月31日 07:15"),
        (datetime(2021, 5, 11, 16, 0, tzinfo=UTC), False, "2021年5月12日"),
        # No date at all: dated by our first crawl, and saying so.
        (None, True, "未注明日期（11月27日首次收录）"),
    ],
)
def test_dates_say_what_the_page_said(
    db: Database,
    tmp_path: Path,
    secret: str,
    published: datetime | None,
    undated: bool,
    stamp: str,
) -> None:
    seed(db, [Item("青岛日期测试", NOW - hours(1), published=published, undated=undated)])
    config = make_config(tmp_path, [subscriber(old_news=True)])
    build_digests(config, db, out_dir=tmp_path / "o", now=NOW)
    text = (tmp_path / "o" / "alice.txt").read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith("  新华网"))
    assert line == f"  新华网 · {stamp}"
    html = (tmp_path / "o" / "alice.html").read_text(encoding="utf-8")
    assert f" · {stamp}</p>" in html


def test_label_is_the_periods_day_not_the_build_day(
    db: Database, tmp_path: Path, secret: str
) -> None:
    """Built at 07:30 on 12月7日, before the 08:00 slot: the due period is 2026-12-06 and the
    digest says 12月6日 everywhere."""
    now = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)  # 07:30 on the 7th in Shanghai
    seed(db, [visit_item("青岛", "深圳", now - hours(2))])
    report = build_digests(
        make_config(tmp_path, [subscriber()]), db, out_dir=tmp_path / "o", now=now
    )
    assert report.rows()[0][1] == "2026-12-06"
    subject = _subject(tmp_path / "o" / "alice.eml")
    assert "12月6日" in subject and "12月7日" not in subject
    text = (tmp_path / "o" / "alice.txt").read_text(encoding="utf-8")
    assert text.splitlines()[0].endswith("2026年12月6日")


def _visit(
    visitor: str, host: str, at: datetime, title: str, details: dict[str, object], **kw: object
) -> Item:
    data = {"visitor": visitor, "host": host, "date": at.date().isoformat(), **details}
    return visit_item(visitor, host, at, title=title, visits=[data], **kw)


def test_ranking_puts_importance_and_freshness_before_outlets(db: Database) -> None:
    seed(
        db,
        [
            _visit(
                "烟台",
                "苏州",
                NOW - hours(1),
                "烟台市商务局考察团赴苏州",
                {"leader": {"name": "王强", "title": "商务局局长"}},
                also=["dazhong", "qingdao-news"],
            ),
            _visit(
                "青岛",
                "深圳",
                NOW - hours(5),
                "青岛市党政代表团赴深圳考察",
                {"leader": {"name": "赵豪志", "title": "市委副书记、市长"}},
            ),
            _visit(
                "济南",
                "杭州",
                NOW - hours(2),
                "济南市代表团赴杭州",
                {"leader": {"name": "李明", "title": "副市长"}},
            ),
            Item(
                "某区人民政府关于印发方案的通知",
                NOW - hours(1),
                kind="policy",
                policy={"issuer": "青岛市市南区人民政府"},
                also=["dazhong", "xinhua"],
            ),
            Item(
                "国务院关于推进城市更新的意见",
                NOW - hours(6),
                kind="policy",
                policy={"issuer": "国务院"},
            ),
            Item(
                "山东省人民政府关于印发规划的通知",
                NOW - hours(3),
                kind="policy",
                policy={"issuer": "山东省人民政府"},
            ),
        ],
    )
    sections = _titles(_digest(db))
    assert sections["visit"] == [
        "青岛市党政代表团赴深圳考察",  # a mayor outranks a deputy mayor and a bureau chief
        "济南市代表团赴杭州",
        "烟台市商务局考察团赴苏州",  # three outlets do not lift a 局长 over them
    ]
    assert sections["policy"] == [
        "国务院关于推进城市更新的意见",
        "山东省人民政府关于印发规划的通知",
        "某区人民政府关于印发方案的通知",
    ]


def test_freshness_orders_equals(db: Database) -> None:
    seed(
        db,
        [
            Item("前天的消息", NOW - hours(1), published=NOW - 2 * DAY),
            Item("今天的消息", NOW - hours(3)),
            Item("昨天的消息", NOW - hours(2), published=NOW - DAY - hours(1)),
        ],
    )
    assert _titles(_digest(db))["other"] == ["今天的消息", "昨天的消息", "前天的消息"]


def test_the_visitors_and_the_hosts_report_are_one_row(db: Database) -> None:
    """Dedup may keep the visitor's report and the host's reception apart (different words);
    the digest shows one visit with both links, the details merged from both."""
    at = NOW - hours(4)
    seed(
        db,
        [
            _visit(
                "青岛",
                "深圳",
                at,
                "青岛市党政代表团赴深圳考察学习",
                {"leader": {"name": "赵豪志", "title": "市委副书记、市长"}},
                source="qingdao-news",
            ),
            _visit(
                "青岛",
                "深圳",
                at + hours(2),
                "深圳市领导会见青岛市党政代表团",
                {"sites": ["前海国际会议中心"], "purpose": "考察学习"},
                source="sz-gov",
            ),
            # Same route a month apart: another visit.
            _visit(
                "青岛", "深圳", at, "青岛市再次赴深圳", {"date": (at - 30 * DAY).date().isoformat()}
            ),
        ],
    )
    # The third item's date says a month ago: it stays a row of its own.
    visits = next(s for s in _digest(db).sections if s.id == "visit").entries
    assert len(visits) == 2
    row = visits[0]
    assert row.title == "青岛市党政代表团赴深圳考察学习"
    assert [c.outlet for c in row.copies] == ["青岛新闻网", "深圳市人民政府"]
    v = row.visits[0]
    assert (v.leader, v.leader_title, v.purpose, v.sites) == (
        "赵豪志",
        "市委副书记、市长",
        "考察学习",
        ("前海国际会议中心",),
    )


@pytest.mark.parametrize(
    ("issuer", "level"),
    [
        ("国务院办公厅", 4),
        ("商务部", 4),
        ("国家发展改革委", 4),
        ("山东省人民政府", 3),
        ("广西壮族自治区人民政府", 3),
        ("北京市人民政府", 3),
        ("深圳市人民政府办公厅", 2),
        ("中共青岛市委宣传部", 2),  # a 部 of a city is not a ministry
        ("北京市朝阳区人民政府", 1),
        ("青岛市市南区人民政府", 1),
        ("某县人民政府", 1),
    ],
)
def test_issuer_levels(issuer: str, level: int) -> None:
    entry = Entry(
        1, "policy", "通知", None, (), 1, NOW, NOW, "", (), (), (), (), policy=PolicyInfo(issuer)
    )
    assert _issuer_level(entry) == level


@pytest.mark.parametrize(
    ("title", "level"),
    [
        ("市委书记", 3),
        ("市委副书记、市长", 3),
        ("省委书记、省人大常委会主任", 3),
        ("党委书记", 3),
        ("副市长", 2),
        ("市委常委、秘书长", 2),
        ("区长", 2),
        ("商务局局长", 1),
        ("主任", 1),
        (None, 0),
    ],
)
def test_leader_levels(title: str | None, level: int) -> None:
    assert _leader_level(title) == level
