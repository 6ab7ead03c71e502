"""Trips still to come are no visits (issue 19, batches 19 and 20 of the visits dev set): a party
that will go (将赴, 拟于…组织…前往, 即将赴) gives no pair, while the next leg of a stay under way
(还将赴, 随后将前往) and a trip made keep theirs; a notice about a trip (关于赴…的通知) whose body
puts it ahead without a time (将于近期组织) is a plan, policy without a pair, and so is a notice
organising a trip (关于组织赴…的通知) published before its date; published after it, or in a notice
of something else, the trip is made. Sentences written for these tests, shaped like city news."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.tag import Tagger
from tests.tag import pairs


@pytest.mark.parametrize(
    ("title", "body", "home"),
    [
        (
            "首批基层教师将赴江苏考察学习",
            "昨日下午，我市基层专业技术人员考察学习项目启动，首批45名基层教师将赴江苏考察学习。",
            "拉萨",
        ),
        (
            "市农业农村局拟组织赴浙江考察",
            "为借鉴先进经验，市农业农村局拟于下月组织各县区农业部门负责同志赴杭州市考察学习。",
            "庆阳",
        ),
        (
            "县商务局即将赴深圳招商",
            "记者从县商务局获悉，县商务局招商小分队即将赴深圳市开展招商活动。",
            "赣州",
        ),
        (
            "我区计划组织干部赴上海学习",
            "区委组织部计划于九月选派一批年轻干部赴上海市学习城市管理经验。",
            "淮安",
        ),
    ],
)
def test_trip_to_come(tagger: Tagger, title: str, body: str, home: str) -> None:
    tags = tagger.tag(title, body, home=home)
    assert not pairs(tags)
    assert tags.kind != "visit"


@pytest.mark.parametrize(
    ("title", "body", "home", "pair"),
    [
        # the trip under way goes on to its next leg
        (
            "市党政代表团赴苏州考察",
            "5月8日，市委书记王明率市党政代表团赴苏州市考察学习，还将赴无锡市考察。",
            "庆阳",
            ("庆阳", "无锡"),
        ),
        (
            "市长率团赴宁波考察",
            "市长李华率团赴宁波市考察港口建设，随后将前往舟山市对接合作。",
            "忻州",
            ("忻州", "宁波"),
        ),
        # 将 in another sense before a trip made (将…作为, 将学到的)
        (
            "县考察团赴浙江学习",
            "为将乡村振兴经验学到手，县委副书记张军带队赴湖州市考察学习。",
            "平凉",
            ("平凉", "湖州"),
        ),
    ],
)
def test_trip_made_or_under_way(
    tagger: Tagger, title: str, body: str, home: str, pair: tuple[str, str]
) -> None:
    assert pair in pairs(tagger.tag(title, body, home=home))


@pytest.mark.parametrize(
    "body",
    [
        "各县（区）人民政府：经市政府同意，我委将于近期组织相关人员赴浙江学习考察。一、考察时间：2017年2月15日。"
        "二、考察地点：浙江省杭州、宁波等地。",
        "各有关单位：近期拟组织市直部门赴浙江杭州市考察学习，现将有关事项通知如下。",
        "各县区：市旅游委即将组织赴浙江湖州市学习考察，请各单位报送名单。",
    ],
)
def test_notice_about_a_trip_ahead(tagger: Tagger, body: str) -> None:
    tags = tagger.tag(
        "关于赴浙江学习考察旅游工作的通知", body, home="抚州", published=date(2017, 12, 19)
    )
    assert not tags.visits
    assert tags.kind == "policy"


def test_report_titled_about_a_trip_made(tagger: Tagger) -> None:
    """Not a notice: a report on a trip made keeps its pair."""
    tags = tagger.tag(
        "市党政代表团赴浙江学习考察",
        "3月5日至8日，市委书记刘强率市党政代表团赴杭州市学习考察数字经济。",
        home="抚州",
        published=date(2017, 3, 10),
    )
    assert ("抚州", "杭州") in pairs(tags)


@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        # a meeting held before the party leaves: the trip is still to come
        ("召开那曲市人大机关干部第二批赴浙学习行前动员会", "", "那曲", set()),
        ("我市召开赴深圳考察学习团出发前动员会", "", "赣州", set()),
        ("", "3月5日，县委组织部召开赴上海跟班学习干部行前培训会。", "六安", set()),
        # the trip itself, and a meeting after it, keep the pair
        ("", "3月5日，市委书记率团赴深圳考察学习。", "赣州", {("赣州", "深圳")}),
        ("岢岚县召开赴杭州考察学习汇报会", "", "忻州", {("忻州", "杭州")}),
    ],
)
def test_a_meeting_before_leaving(
    tagger: Tagger, title: str, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == expected


# --- a notice organising a trip still to come ------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "body", "home"),
    [
        (
            "关于组织我市企业赴青岛智能制造标杆企业考察学习的通知",
            "各区县经信局：为学习先进经验，定于7月组织我市企业赴青岛市考察学习，现将有关事项通知如下。",
            "荆门",
        ),
        (
            "关于组织赴福建省南平市顺昌县学习考察林木良种培育推广的通知",
            "各县区林业局：经研究，决定组织赴南平市顺昌县学习考察，请各单位选派一名同志参加。",
            "抚州",
        ),
        (
            "关于选派干部赴深圳参加营商环境专题培训的通知",
            "各单位：市委组织部定于9月选派干部赴深圳市参加专题培训，请按要求报送名单。",
            "赣州",
        ),
    ],
)
def test_notice_organising_a_trip(tagger: Tagger, title: str, body: str, home: str) -> None:
    tags = tagger.tag(title, body, home=home)
    assert not tags.visits
    assert tags.kind == "policy"


@pytest.mark.parametrize(
    ("title", "body", "home", "pair"),
    [
        # the trip made, reported: a visit
        (
            "我市企业赴青岛智能制造标杆企业考察学习",
            "7月10日，市经信局组织我市企业赴青岛市考察学习智能制造经验。",
            "荆门",
            ("荆门", "青岛"),
        ),
        # a notice of something else: the visit in it stays
        (
            "关于表彰优秀考察报告的通知",
            "6月，市党政代表团赴深圳市学习考察，形成了考察报告。",
            "赣州",
            ("赣州", "深圳"),
        ),
    ],
)
def test_trip_made_is_a_visit(
    tagger: Tagger, title: str, body: str, home: str, pair: tuple[str, str]
) -> None:
    tags = tagger.tag(title, body, home=home)
    assert pair in pairs(tags)
    assert tags.kind == "visit"


_NOTICE = "关于组织赴南平市学习考察林木良种培育推广的通知"


_NOTICE_BODY = "各县区林业局：经研究，定于{when}组织有关单位负责同志赴南平市学习考察，请按时集合。"


@pytest.mark.parametrize(
    ("when", "published"),
    [
        ("9月下旬", date(2016, 9, 12)),
        ("10月15日", date(2016, 9, 30)),
        ("11月初", date(2016, 10, 20)),
    ],
)
def test_notice_published_before_the_trip(tagger: Tagger, when: str, published: date) -> None:
    tags = tagger.tag(_NOTICE, _NOTICE_BODY.format(when=when), home="抚州", published=published)
    assert not tags.visits
    assert tags.kind == "policy"


@pytest.mark.parametrize(
    ("when", "published"),
    [
        ("8月上旬", date(2014, 9, 17)),
        ("5月10日", date(2016, 5, 20)),
    ],
)
def test_notice_published_after_the_trip(tagger: Tagger, when: str, published: date) -> None:
    tags = tagger.tag(_NOTICE, _NOTICE_BODY.format(when=when), home="抚州", published=published)
    assert ("抚州", "南平") in pairs(tags)
