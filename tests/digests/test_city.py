"""The network over time: return visits, city pages, provinces as groups in the graph, per-story
permalinks, and each subscriber's own Atom feed (on SQLite and PostgreSQL where a database is
involved)."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import feedparser
import pytest

from crawler.base.db import Database
from digests import build_digests
from digests.digest import Visit, VisitCount
from digests.graph import visit_graph
from digests.network import StoryRef, city_pages, return_visits, visits_of
from digests.unsubscribe import feed_name
from tests.digests.digestkit import NOW, Item, hours, make_config, seed, subscriber, visit_item

ZONE = ZoneInfo("Asia/Shanghai")
SHANDONG = {"cities": ["青岛", "济南", "烟台"]}


def ref(
    story_id: int,
    visits: list[tuple[str, str, date | None]],
    published: datetime = NOW,
    kind: str = "visit",
    cities: tuple[str, ...] = (),
) -> StoryRef:
    return StoryRef(
        day=published.astimezone(ZONE).date(),
        story_id=story_id,
        kind=kind,
        title=f"story {story_id}",
        url=f"https://example.cn/{story_id}.html",
        published=published,
        outlets=("新华网",),
        cities=cities or tuple(dict.fromkeys(p for v, h, _ in visits for p in (v, h))),
        visits=tuple(Visit(v, h, d) for v, h, d in visits),
    )


def labels(stories: list[StoryRef]) -> dict[int, list[tuple[str, int]]]:
    marks = return_visits(visits_of(stories, ZONE))
    return {k[0]: [(m.label, m.other.story.story_id) for m in v] for k, v in marks.items()}


D = date(2026, 11, 1)


def day(n: int) -> date:
    return date.fromordinal(D.toordinal() + n)


# --------------------------------------------------------------------------- return visits


def test_a_later_visit_the_other_way_returns_the_earlier_one() -> None:
    stories = [ref(1, [("青岛", "深圳", day(0))]), ref(2, [("深圳", "青岛", day(20))])]
    assert labels(stories) == {1: [("已回访", 2)], 2: [("回访", 1)]}


@pytest.mark.parametrize(
    "stories",
    [
        # One day, both directions: one exchange reported from both sides.
        [ref(1, [("青岛", "深圳", day(3))]), ref(2, [("深圳", "青岛", day(3))])],
        # The "return" came first: nothing to return yet.
        [ref(1, [("深圳", "青岛", day(1))]), ref(2, [("深圳", "青岛", day(5))])],
        # A third city in between is not a return.
        [ref(1, [("青岛", "深圳", day(1))]), ref(2, [("深圳", "广州", day(5))])],
        # Same direction twice is a second visit, not a return.
        [ref(1, [("青岛", "深圳", day(1))]), ref(2, [("青岛", "深圳", day(9))])],
    ],
)
def test_what_is_not_a_return_visit(stories: list[StoryRef]) -> None:
    assert labels(stories) == {}


def test_a_return_can_itself_be_returned_and_pairs_with_the_latest_earlier_visit() -> None:
    stories = [
        ref(1, [("青岛", "深圳", day(0))]),
        ref(2, [("青岛", "深圳", day(4))]),
        ref(3, [("深圳", "青岛", day(9))]),  # returns story 2, the latest before it
        ref(4, [("青岛", "深圳", day(30))]),  # returns story 3
    ]
    assert labels(stories) == {
        2: [("已回访", 3)],
        3: [("回访", 2), ("已回访", 4)],
        4: [("回访", 3)],
    }


def test_an_undated_visit_counts_by_its_publication_day() -> None:
    early = datetime(2026, 11, 2, 2, tzinfo=UTC)
    later = datetime(2026, 11, 20, 2, tzinfo=UTC)
    stories = [ref(1, [("青岛", "深圳", None)], early), ref(2, [("深圳", "青岛", None)], later)]
    (first, second) = visits_of(stories, ZONE)
    assert (first.when, second.when) == (date(2026, 11, 2), date(2026, 11, 20))
    assert labels(stories) == {1: [("已回访", 2)], 2: [("回访", 1)]}


# --------------------------------------------------------------------------- city pages


def test_city_pages_gather_sent_hosted_partners_and_policies() -> None:
    stories = [
        ref(1, [("青岛", "深圳", day(0))]),
        ref(2, [("青岛", "深圳", day(2))]),
        ref(3, [("青岛", "杭州", day(3))]),
        ref(4, [("成都", "青岛", day(4))]),
        ref(5, [("山东", "深圳", day(5))]),  # a province is not a city page
        ref(6, [], kind="policy", cities=("青岛",)),
        ref(7, [], kind="other", cities=("青岛",)),
        ref(8, [("../../etc", "<b>", day(6))]),  # not gazetteer names: no page
    ]
    names = {"青岛", "深圳", "杭州", "成都", "广州"}
    pages = {p.name: p for p in city_pages(stories, names, ZONE)}
    assert set(pages) == {"青岛", "深圳", "杭州", "成都"}  # 广州 is mentioned nowhere
    qd = pages["青岛"]
    assert (qd.sent_total, qd.hosted_total, qd.policies_total) == (3, 1, 1)
    assert [v.story.story_id for v in qd.sent] == [3, 2, 1]  # newest first
    assert qd.learns_from == (("深圳", 2), ("杭州", 1))
    assert qd.learned_by == (("成都", 1),)
    assert [s.story_id for s in qd.policies] == [6]
    assert qd.province == "山东"
    assert sorted((c.visitor, c.host, c.count) for c in qd.network) == [
        ("成都", "青岛", 1),
        ("青岛", "杭州", 1),
        ("青岛", "深圳", 2),
    ]
    assert pages["深圳"].hosted_total == 3  # 山东's delegation too
    assert pages["深圳"].learned_by[0] == ("青岛", 2)


def test_story_records_survive_the_manifest_and_are_cleaned_on_the_way_back() -> None:
    story = ref(9, [("青岛", "深圳", day(1)), ("青岛", "广州", None)])
    data = json.loads(json.dumps(story.to_json()))
    assert StoryRef.from_json(story.day, data) == story
    data.update(title="标题\x1b[31m红", url="javascript:alert(1)", issuer="\u202e机关")
    back = StoryRef.from_json(story.day, data)
    assert back.title == "标题红" and back.url is None and back.issuer == "机关"
    assert back.permalink == f"{story.day.isoformat()}.html#s9"


# --------------------------------------------------------------------------- the graph


def test_a_province_named_in_a_visit_is_its_group_not_a_node() -> None:
    graph = visit_graph(
        [
            VisitCount("山东", "深圳", 2),
            VisitCount("青岛", "深圳", 1),
            VisitCount("济南", "广州", 1),
            VisitCount("四川", "青岛", 1),  # no city of 四川 drawn: the province is a ring
        ]
    )
    assert {n.name for n in graph.nodes} == {"深圳", "青岛", "济南", "广州"}
    groups = {g.province: g for g in graph.groups}
    assert groups["山东"].endpoint and groups["山东"].arc  # the arrow meets its arc
    assert groups["四川"].endpoint and not groups["四川"].arc
    assert not groups["广东"].endpoint
    assert len(graph.edges) == 4  # every visit drawn
    start = re.match(
        r"M([\d.]+),([\d.]+)", next(e for e in graph.edges if e.visitor == "山东").path
    )
    assert start is not None
    x, y = map(float, start.groups())
    assert (round(x, 1), round(y, 1)) == (
        round(groups["山东"].anchor_x, 1),
        round(groups["山东"].anchor_y, 1),
    )
    assert len(graph.rows) == 4 and graph.omitted == 0


# --------------------------------------------------------------------------- in the archive


def _build(db: Database, tmp_path: Path, at: datetime, **sub: object) -> Path:
    config = make_config(tmp_path, [subscriber(**sub)])
    build_digests(config, db, out_dir=tmp_path / "out", now=at)
    return tmp_path / "archive"


def test_the_archive_writes_city_pages_permalinks_and_return_marks(
    db: Database, tmp_path: Path, secret: str
) -> None:
    early = NOW - hours(24 * 10)
    seed(
        db,
        [
            visit_item("青岛", "深圳", early - hours(2), provinces=["山东", "广东"]),
            Item(
                "青岛市人民政府关于印发规划的通知",
                early - hours(3),
                kind="policy",
                cities=["青岛"],
                policy={"issuer": "青岛市人民政府", "doc_no": "青政发〔2026〕8号"},
            ),
            Item("恶意城市", early - hours(4), cities=["../../x", "<b>青岛</b>"]),
        ],
    )
    archive = _build(db, tmp_path, early)
    first_day = (early - hours(2)).astimezone(ZONE).date()
    assert sorted(p.name for p in (archive / "city").iterdir()) == ["深圳.html", "青岛.html"]
    assert not (tmp_path / "x.html").exists() and not (archive / "x.html").exists()

    seed(db, [visit_item("深圳", "青岛", NOW - hours(2), provinces=["广东", "山东"])])
    archive = _build(db, tmp_path, NOW)
    later_day = (NOW - hours(2)).astimezone(ZONE).date()
    page = (archive / f"{later_day.isoformat()}.html").read_text(encoding="utf-8")
    ids = re.findall(r'<article id="s(\d+)">', page)
    assert len(ids) == 1
    # The return visit links its earlier visit's permalink, which exists on its day page.
    match = re.search(r'<span class="tag">回访</span>[^<]*<a href="([^"]+)"', page)
    assert match is not None
    target, anchor = match.group(1).split("#")
    assert target == f"{first_day.isoformat()}.html"
    assert f'<article id="{anchor}">' in (archive / target).read_text(encoding="utf-8")
    # City chips link to the city pages that exist, and only to them.
    links = re.findall(r'href="city/([^"]+)\.html"', page)
    assert {unquote(x) for x in links} == {"深圳", "青岛"}
    qd = (archive / "city" / "青岛.html").read_text(encoding="utf-8")
    assert qd.count('<span class="tag">') == 2  # both visits marked on the city page
    assert "已回访" in qd and "回访" in qd
    assert "青政发〔2026〕8号" in qd and "青岛市人民政府关于印发规划的通知" in qd
    assert f'href="../{first_day.isoformat()}.html#s' in qd
    assert "<b>" not in qd.replace("<b>1</b>", "").replace("<b>2</b>", "").replace("<b>0</b>", "")
    index = (archive / "index.html").read_text(encoding="utf-8")
    assert 'href="city/%E9%9D%92%E5%B2%9B.html"' in index  # 青岛, percent-encoded
    manifest = json.loads((archive / "archive.json").read_text(encoding="utf-8"))
    assert all("stories" in d for d in manifest["days"].values())


def test_each_subscriber_has_an_atom_feed_with_one_entry_per_story(
    db: Database, tmp_path: Path, secret: str
) -> None:
    seed(
        db,
        [visit_item("青岛", "深圳", NOW - hours(30)), visit_item("济南", "广州", NOW - hours(28))],
    )
    archive = _build(db, tmp_path, NOW - hours(24), filter=SHANDONG)
    name = feed_name(secret, "alice")
    assert "alice" not in name and len(name) == 32
    path = archive / "feeds" / f"{name}.xml"
    first = feedparser.parse(path.read_bytes())
    assert not first.bozo and len(first.entries) == 2
    seed(
        db, [visit_item("烟台", "深圳", NOW - hours(3)), visit_item("西安", "成都", NOW - hours(2))]
    )
    _build(db, tmp_path, NOW, filter=SHANDONG)
    _build(db, tmp_path, NOW, filter=SHANDONG)  # a second run adds no copies
    feed = feedparser.parse(path.read_bytes())
    titles = [e.title for e in feed.entries]
    assert titles == [
        "烟台市党政代表团赴深圳考察交流",
        "济南市党政代表团赴广州考察交流",
        "青岛市党政代表团赴深圳考察交流",
    ]
    entry = feed.entries[0]
    assert entry.id.startswith("https://digest.example.org/archive/") and "#s" in entry.id
    assert {link.rel for link in entry.links} == {"alternate", "related"}
    assert [t.term for t in entry.tags] == ["烟台", "深圳"]
    # A Traditional reader's feed is in Traditional.
    _build(db, tmp_path, NOW, filter=SHANDONG, script="traditional")
    assert "煙臺市黨政代表團" in path.read_text(encoding="utf-8")


def test_a_weekly_edition_carries_the_weeks_network(
    db: Database, tmp_path: Path, secret: str
) -> None:
    seed(
        db,
        [
            visit_item("青岛", "深圳", NOW - hours(24 * 5)),
            visit_item("青岛", "深圳", NOW - hours(24 * 3)),
            visit_item("烟台", "杭州", NOW - hours(24 * 2)),
            visit_item("山东", "广州", NOW - hours(30)),  # a provincial delegation
            visit_item("成都", "西安", NOW - hours(20)),  # outside the reader's filter: still in
        ],
    )
    weekly = {"frequency": "weekly", "weekday": "fri", "filter": SHANDONG}
    _build(db, tmp_path, NOW, **weekly)
    html = (tmp_path / "out" / "alice.html").read_text(encoding="utf-8")
    text = (tmp_path / "out" / "alice.txt").read_text(encoding="utf-8")
    assert "本周考察交流网络" in html and "4条路线" in html
    network = html[html.index("本周考察交流网络") : html.index("在存档中查看考察交流图")]
    assert network.index(">山东<") < network.index(">四川<")  # the busier province first
    assert "青岛 → 深圳 ×2" in network and "山东 → 广州" in network and "成都 → 西安" in network
    (line,) = [x for x in text.splitlines() if x.startswith("山东：")]
    assert line.startswith("山东：青岛 → 深圳 ×2；")  # the busiest route first
    assert "烟台 → 杭州" in line and "山东 → 广州" in line and "成都" not in line
    (tmp_path / "out" / "alice.html").unlink()
    _build(db, tmp_path, NOW, filter={"cities": ["成都"]})  # a daily edition does not
    assert "本周考察交流网络" not in (tmp_path / "out" / "alice.html").read_text(encoding="utf-8")
