"""Mechanisms of error met on the fourteenth batch of the visits dev set (issue 19), each with
sentences shaped like city-government news (written for these tests) and the negatives that must
keep working: a company's place in half-width brackets, a body's site name after the headline
without 市, an alliance named after a place, a notice organising a trip still to come, the
counterpart of talks before a later trip, an autonomous prefecture's short name after its province,
and a school's trainees (each positive fails on the tagger before this round)."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.tag import Tagger
from tests.tag import pairs

# --- a company's place in half-width brackets ----------------------------------------------------


@pytest.mark.parametrize(
    ("body", "absent", "present"),
    [
        ("考察团在嘉兴参观了伟达车顶系统(上海)有限公司的生产线。", "上海", {"嘉兴"}),
        ("座谈会上，恒丰资产管理(北京)有限公司负责人介绍了项目进展。", "北京", set()),
        ("双方就华信电子(苏州)股份有限公司扩产事宜进行了洽谈。", "苏州", set()),
        ("代表团实地察看了无锡(淮安)产业园区项目建设情况。", "无锡", {"淮安"}),
    ],
)
def test_half_width_brackets_in_names(
    tagger: Tagger, body: str, absent: str, present: set[str]
) -> None:
    cities = set(tagger.tag("", body).cities)
    assert absent not in cities
    assert present <= cities


@pytest.mark.parametrize(
    ("body", "city"),
    [
        # a place explained in half-width brackets after it stays
        ("市考察团赴深圳(南山区)考察学习营商环境工作。", "深圳"),
        ("考察组来到杭州(余杭区)参观数字经济产业园。", "杭州"),
    ],
)
def test_half_width_brackets_explaining_a_place(tagger: Tagger, body: str, city: str) -> None:
    assert city in tagger.tag("", body).cities


# --- a body's site name after the headline, named after its city without 市 -----------------------


@pytest.mark.parametrize(
    ("title", "body", "absent"),
    [
        (
            "学习纲要合集全",
            "学习纲要合集（全）_沧州仲裁委员会。为深入学习贯彻全会精神，现将全文刊发如下。",
            "沧州",
        ),
        (
            "安全生产月活动启动",
            "安全生产月活动启动_廊坊应急管理局。6月1日，全市安全生产月活动正式启动。",
            "廊坊",
        ),
        (
            "多措并举优化全市营商环境新举措",
            "多措并举优化全市营商环境新举措_邢台发展改革委员会。近日，我委出台多项举措。",
            "邢台",
        ),
    ],
)
def test_site_name_without_shi(tagger: Tagger, title: str, body: str, absent: str) -> None:
    assert absent not in tagger.tag(title, body).cities


def test_headline_naming_a_place_still_counts(tagger: Tagger) -> None:
    body = "沧州考察团赴天津学习考察_新闻中心。6月1日，沧州市考察团赴天津市学习考察。"
    assert {"沧州", "天津"} <= set(tagger.tag("沧州考察团赴天津学习考察", body).cities)


# --- an alliance named after a place ---------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "考察组在北京科创联盟负责人的陪同下参观了产业园。",
        "会上，上海数字产业联盟秘书长介绍了合作情况。",
    ],
)
def test_alliance_named_after_a_place(tagger: Tagger, body: str) -> None:
    cities = set(tagger.tag("", body).cities)
    assert not cities & {"北京", "上海", "广州"}


def test_alliance_city_named_elsewhere_counts(tagger: Tagger) -> None:
    body = "市考察团赴上海市学习考察，与上海数字产业联盟进行了座谈。"
    assert ("宁波", "上海") in pairs(tagger.tag("", body, home="宁波"))


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


# --- the counterpart of talks before a later trip in the same sentence ------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "调研组先后与广州市人大常委会、深圳市人大常委会负责同志座谈，并到广州市黄埔区实地调研。",
            {("哈尔滨", "广州")},
        ),
        ("考察团与深圳市政府有关负责同志座谈后，又到广州市考察。", {("哈尔滨", "广州")}),
        # the party named before the talks is the visitor
        ("长春市考察团与深圳市领导座谈后，又到广州市考察。", {("长春", "广州")}),
    ],
)
def test_talks_counterpart_is_no_visitor(
    tagger: Tagger, body: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag("", body, home="哈尔滨")) == expected


@pytest.mark.parametrize(
    ("body", "pair"),
    [
        # no talks with anyone: the place before stays the visitor
        ("深圳市考察团在座谈后到广州市考察。", ("深圳", "广州")),
        ("深圳市考察团与广州市签署合作协议后到佛山市考察。", ("深圳", "佛山")),
    ],
)
def test_party_before_talks_stays(tagger: Tagger, body: str, pair: tuple[str, str]) -> None:
    assert pair in pairs(tagger.tag("", body, home="哈尔滨"))


# --- an autonomous prefecture by its short name right after its province ---------------------------


@pytest.mark.parametrize(
    ("body", "home", "pair"),
    [
        ("新疆巴州学习考察团来我市考察。", "石家庄", ("巴音郭楞", "石家庄")),
        ("由新疆巴州党委副书记带队的巴州考察团来我市考察学习。", "青岛", ("巴音郭楞", "青岛")),
        ("新疆巴州党政代表团赴杭州市学习考察。", "杭州", ("巴音郭楞", "杭州")),
    ],
)
def test_prefecture_short_name_after_its_province(
    tagger: Tagger, body: str, home: str, pair: tuple[str, str]
) -> None:
    assert pairs(tagger.tag("", body, home=home)) == {pair}


def test_prefecture_short_name_without_county_clash(tagger: Tagger) -> None:
    # 博州 is no county's name: the prefecture as before
    assert pairs(tagger.tag("", "新疆博州党政代表团来我市考察学习。", home="青岛")) == {
        ("博尔塔拉", "青岛")
    }


def test_county_after_its_own_province_stays(tagger: Tagger) -> None:
    # 四川巴州区 is 巴中's district: the province is its own, no prefecture of another
    assert pairs(tagger.tag("", "四川巴州区考察团来我市考察。", home="石家庄")) == {
        ("巴中", "石家庄")
    }


# --- a school's trainees ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "body"),
    [
        # a school's trip in the title: its trainees further on are no home party either
        ("县职业技术学校组织电商学员赴义乌考察", "全体学员考察了义乌市的电商产业园。"),
        (
            "东城成校组织茶农赴湖州安吉考察学习",
            "全体学员考察了安吉县的白茶基地，听取了当地茶叶产业发展情况介绍。",
        ),
    ],
)
def test_school_trainees_no_delegation(tagger: Tagger, title: str, body: str) -> None:
    assert not pairs(tagger.tag(title, body, home="嘉兴"))


@pytest.mark.parametrize(
    "body",
    [
        "市农业农村局组织葡萄种植户30人赴金华市浦江县考察学习。",
        "市教育局局长带队赴金华市考察职业学校建设。",
    ],
)
def test_office_led_trip_stays(tagger: Tagger, body: str) -> None:
    assert ("嘉兴", "金华") in pairs(tagger.tag("", body, home="嘉兴"))
