"""Selection: windows since the last delivery, time zones, filters, sections, caps, scripts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crawler.base.config.settings import DigestLimits
from crawler.base.config.subscribers import SubscriberFilter
from crawler.base.db import Database
from crawler.base.taxonomy import default_taxonomy
from digests import build_digests, send_digests
from digests.select import load_pool, select_digest
from tests.digests.digestkit import NOW, Item, hours, make_config, seed, subscriber, visit_item
from tests.mailserver import Recorder

SHANGHAI = ZoneInfo("Asia/Shanghai")
LABELS = {t.id: t.label for t in default_taxonomy().themes}


DAY_BEFORE = NOW - timedelta(hours=24)


def _titles(
    db: Database,
    flt: SubscriberFilter,
    start: datetime = DAY_BEFORE,
    end: datetime = NOW,
    limits: DigestLimits | None = None,
) -> list[list[str]]:
    pool = load_pool(db, start, end, LABELS, SHANGHAI)
    digest = select_digest(
        pool,
        subscriber_id="t",
        flt=flt,
        period="p",
        start=start,
        end=end,
        limits=limits or DigestLimits(per_section=50, total=100),
    )
    return [[s.id, *(e.title for e in s.entries)] for s in digest.sections]


def _flat(sections: list[list[str]]) -> set[str]:
    return {title for section in sections for title in section[1:]}


@pytest.fixture
def news(db: Database) -> Database:
    seed(
        db,
        [
            visit_item(
                "青岛",
                "深圳",
                NOW - hours(3),
                provinces=["山东", "广东"],
                also=["qingdao-news", "dazhong"],
            ),
            visit_item("成都", "济南", NOW - hours(4), provinces=["四川", "山东"]),
            Item(
                "深圳发布数字政府建设规划",
                NOW - hours(2),
                kind="policy",
                source="sz-gov",
                cities=["深圳"],
                provinces=["广东"],
                themes=["smart_city"],
                body="深圳市人民政府印发数字政府建设规划，推进政务服务一网通办。",
                policy={"issuer": "深圳市人民政府", "doc_no": "深府〔2026〕12号"},
            ),
            Item(
                "青岛金融科技产业园开园",
                NOW - hours(6),
                cities=["青岛"],
                provinces=["山东"],
                themes=["fintech"],
                body="产业园首批入驻企业四十家。",
            ),
            Item(
                "香港特區推動智慧城市發展",
                NOW - hours(5),
                source="hk-gov",
                cities=["香港"],
                provinces=["香港"],
                themes=["smart_city"],
                body="香港特區政府公布數字經濟藍圖。",
            ),
            Item(
                "青岛某公司招聘启事",
                NOW - hours(1),
                cities=["青岛"],
                provinces=["山东"],
                themes=["fintech"],
                body="诚聘金融科技工程师。",
            ),
            Item("昨天以前的旧闻：青岛港", NOW - hours(30), cities=["青岛"], provinces=["山东"]),
        ],
    )
    return db


def test_sections_order_and_ranking(news: Database) -> None:
    sections = _titles(news, SubscriberFilter())
    assert [s[0] for s in sections] == ["visit", "policy", "smart_city", "fintech"]
    # More outlets first, then recency.
    assert sections[0][1:] == ["青岛市党政代表团赴深圳考察交流", "成都市党政代表团赴济南考察交流"]
    assert sections[3][1:] == ["青岛某公司招聘启事", "青岛金融科技产业园开园"]
    assert "昨天以前的旧闻：青岛港" not in _flat(sections)


def test_place_filters_province_includes_its_cities(news: Database) -> None:
    only_qd = _flat(_titles(news, SubscriberFilter(cities=("青岛",))))
    assert only_qd == {
        "青岛市党政代表团赴深圳考察交流",
        "青岛金融科技产业园开园",
        "青岛某公司招聘启事",
    }
    # A province name under `cities` (or under `provinces`) takes every city in it.
    shandong = _flat(_titles(news, SubscriberFilter(cities=("山东",))))
    assert shandong == only_qd | {"成都市党政代表团赴济南考察交流"}
    assert _flat(_titles(news, SubscriberFilter(provinces=("山东",)))) == shandong
    # A Traditional name is folded before matching.
    assert _flat(_titles(news, SubscriberFilter(cities=("青島",)))) == only_qd


def test_topics_keywords_exclude_and_kinds(news: Database) -> None:
    # Places AND (themes OR keywords).
    got = _flat(_titles(news, SubscriberFilter(cities=("青岛", "深圳"), themes=("fintech",))))
    assert got == {"青岛金融科技产业园开园", "青岛某公司招聘启事"}
    got = _flat(
        _titles(
            news, SubscriberFilter(cities=("青岛", "深圳"), themes=("fintech",), keywords=("考察",))
        )
    )
    assert got == {"青岛金融科技产业园开园", "青岛某公司招聘启事", "青岛市党政代表团赴深圳考察交流"}
    # Keywords match Traditional text and Traditional keywords match Simplified text.
    # (Entries carry display text folded to Simplified; the original stays in the database.)
    assert _flat(_titles(news, SubscriberFilter(keywords=("数字经济",)))) == {
        "香港特区推动智慧城市发展"
    }
    assert _flat(_titles(news, SubscriberFilter(keywords=("數字政府",)))) == {
        "深圳发布数字政府建设规划"
    }
    got = _flat(_titles(news, SubscriberFilter(cities=("青岛",), exclude=("招聘",))))
    assert "青岛某公司招聘启事" not in got and "青岛金融科技产业园开园" in got
    only_visits = _titles(news, SubscriberFilter(kinds=("visit",)))
    assert [s[0] for s in only_visits] == ["visit"]
    no_other = _titles(news, SubscriberFilter(kinds=("visit", "policy")))
    assert [s[0] for s in no_other] == ["visit", "policy"]


def test_caps_per_section_and_total(news: Database) -> None:
    pool = load_pool(news, NOW - hours(24), NOW, LABELS, SHANGHAI)
    digest = select_digest(
        pool,
        subscriber_id="t",
        flt=SubscriberFilter(),
        period="p",
        start=NOW - hours(24),
        end=NOW,
        limits=DigestLimits(per_section=1, total=3),
    )
    assert [(s.id, len(s.entries), s.hidden) for s in digest.sections] == [
        ("visit", 1, 1),
        ("policy", 1, 0),
        ("smart_city", 1, 0),
        ("fintech", 0, 2),
    ]
    assert (digest.shown, digest.total, digest.hidden) == (3, 6, 3)


def test_reasons_and_outlets(news: Database) -> None:
    pool = load_pool(news, NOW - hours(24), NOW, LABELS, SHANGHAI)
    flt = SubscriberFilter(cities=("青島",), themes=("fintech",), keywords=("产业园",))
    digest = select_digest(
        pool,
        subscriber_id="t",
        flt=flt,
        period="p",
        start=NOW - hours(24),
        end=NOW,
        limits=DigestLimits(),
    )
    entry = next(
        e for s in digest.sections for e in s.entries if e.title == "青岛金融科技产业园开园"
    )
    assert entry.reasons == ("青島", "金融科技", "产业园")
    everything = select_digest(
        pool,
        subscriber_id="t",
        flt=SubscriberFilter(),
        period="p",
        start=NOW - hours(24),
        end=NOW,
        limits=DigestLimits(),
    )
    visit = everything.sections[0].entries[0]
    assert visit.reasons == ()
    assert visit.outlets == ("新华网", "大众网", "青岛新闻网") and visit.outlet_count == 3
    assert [(v.visitor, v.host) for v in visit.visits] == [("青岛", "深圳")]


async def test_window_runs_from_the_last_delivery_across_downtime(
    db: Database, smtp_server: tuple[Recorder, int], tmp_path: Path, secret: str
) -> None:
    recorder, port = smtp_server
    seed(
        db,
        [
            Item("三十小时前：不在首期", NOW - hours(30), cities=["青岛"]),
            Item("首期新闻", NOW - hours(3), cities=["青岛"]),
        ],
    )
    config = make_config(tmp_path, [subscriber()], port=port)
    first = await send_digests(config, db, now=NOW)
    assert first.sent == 1
    # Three days of downtime; stories keep arriving (one exactly at the previous window end).
    seed(
        db,
        [
            Item("停机第一天", NOW, cities=["青岛"]),
            Item("停机第二天", NOW + timedelta(days=1, hours=5), cities=["青岛"]),
            Item("停机第三天", NOW + timedelta(days=2, hours=20), cities=["青岛"]),
        ],
    )
    later = NOW + timedelta(days=3)
    second = await send_digests(config, db, now=later)
    assert second.sent == 1 and second.rows()[0][1] == "2026-11-30"
    bodies = [m.get_body(("plain",)).get_content() for m in recorder.messages]  # type: ignore[union-attr]
    assert "首期新闻" in bodies[0] and "三十小时前" not in bodies[0]
    assert all(t in bodies[1] for t in ("停机第一天", "停机第二天", "停机第三天"))
    assert "首期新闻" not in bodies[1]
    assert "本期3条" in bodies[1]


def test_time_zones_new_york_and_shanghai(db: Database, tmp_path: Path, secret: str) -> None:
    seed(db, [Item("深夜新闻", datetime(2026, 11, 26, 22, 0, tzinfo=UTC), cities=["青岛"])])
    subs = [
        subscriber(id="sh", email="sh@example.org", timezone="Asia/Shanghai"),
        subscriber(id="ny", email="ny@example.org", timezone="America/New_York", name=None),
    ]
    config = make_config(tmp_path, subs)
    report = build_digests(config, db, out_dir=tmp_path / "out", now=NOW)
    # 00:30 UTC is 08:30 in Shanghai (today's 08:00 slot is due) and 19:30 yesterday in NY.
    assert {r[0]: r[1] for r in report.rows()} == {"sh": "2026-11-27", "ny": "2026-11-26"}
    sh = (tmp_path / "out" / "sh.txt").read_text(encoding="utf-8")
    ny = (tmp_path / "out" / "ny.txt").read_text(encoding="utf-8")
    assert "11月27日 06:00" in sh and "11月26日 17:00" in ny
    assert sh.startswith("城市考察快讯｜2026年11月27日") and ny.startswith(
        "城市考察快讯｜2026年11月26日"
    )
    # The .eml is the very message send would deliver.
    mail = message_from_bytes((tmp_path / "out" / "ny.eml").read_bytes(), policy=policy.default)
    assert str(mail["Message-ID"]) == "<digest.2026-11-26.ny@example.org>"


def test_weekly_first_digest_covers_seven_days(db: Database, tmp_path: Path, secret: str) -> None:
    seed(
        db,
        [
            Item("六天前", NOW - timedelta(days=6), cities=["青岛"]),
            Item("八天前", NOW - timedelta(days=8), cities=["青岛"]),
        ],
    )
    weekly = subscriber(frequency="weekly", weekday="thu")
    report = build_digests(make_config(tmp_path, [weekly]), db, out_dir=tmp_path / "o", now=NOW)
    assert report.rows()[0][1] == "2026-W48"
    text = (tmp_path / "o" / "alice.txt").read_text(encoding="utf-8")
    assert "六天前" in text and "八天前" not in text
    assert "11月20日至11月27日" in text


def test_traditional_display_and_simplified_folding(
    db: Database, tmp_path: Path, secret: str
) -> None:
    seed(
        db,
        [
            visit_item("青岛", "深圳", NOW - hours(3)),
            Item(
                "香港特區推動智慧城市發展",
                NOW - hours(5),
                source="hk-gov",
                cities=["香港"],
                themes=["smart_city"],
                body="香港特區政府公布數字經濟藍圖。",
            ),
        ],
    )
    subs = [
        subscriber(id="jian", email="j@example.org"),
        subscriber(id="fan", email="f@example.org", script="traditional", name="陳大文"),
    ]
    build_digests(make_config(tmp_path, subs), db, out_dir=tmp_path / "o", now=NOW)
    jian = (tmp_path / "o" / "jian.html").read_text(encoding="utf-8")
    fan = (tmp_path / "o" / "fan.html").read_text(encoding="utf-8")
    assert 'lang="zh-Hans"' in jian and 'lang="zh-Hant"' in fan
    assert "香港特区推动智慧城市发展" in jian and "青岛市党政代表团" in jian
    assert "香港特區推動智慧城市發展" in fan and "青島市黨政代表團" in fan
    assert "城市考察快訊" in fan and "因為您關注" not in fan  # no filter: no reasons shown
    assert "PingFang TC" in fan and "PingFang SC" in jian
    fan_text = (tmp_path / "o" / "fan.txt").read_text(encoding="utf-8")
    assert "陳大文，您好" in fan_text and "一鍵退訂" in fan_text


def test_build_for_a_given_day_ends_at_that_days_slot(
    db: Database, tmp_path: Path, secret: str
) -> None:
    seed(
        db,
        [
            Item("前天的消息", datetime(2026, 11, 25, 12, 0, tzinfo=UTC), cities=["青岛"]),
            Item("今天早上的消息", NOW - hours(3), cities=["青岛"]),
        ],
    )
    report = build_digests(
        make_config(tmp_path, [subscriber()]),
        db,
        out_dir=tmp_path / "o",
        now=NOW,
        day=date(2026, 11, 26),
    )
    # The 26th's slot is 08:00 Shanghai = 00:00 UTC: the window is the 24 hours before it.
    assert report.rows()[0][:4] == ("alice", "2026-11-26", "built", "1")
    text = (tmp_path / "o" / "alice.txt").read_text(encoding="utf-8")
    assert "前天的消息" in text and "今天早上的消息" not in text
