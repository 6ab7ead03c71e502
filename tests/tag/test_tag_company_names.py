"""A place that heads a company's registered name (浙江嘉兴爱德曼氢能源装备有限公司) in a list of
sites is where the company is registered, not a place of the story (issue 19, the fifteenth batch of
the visits dev set: hosts named as provinces, cities only inside company names); a party going
to such a company (赴嘉兴…有限公司) still goes to the place, and a place before a trip's words or
with its suffix stays. An address before a company's name (盐城市东台市中粮集团) names its place;
a place inside a school's name (济南三中) is no address. Sentences written for these tests, shaped
like city news."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger
from tests.tag import pairs


@pytest.mark.parametrize(
    ("body", "absent"),
    [
        (
            "考察团先后考察了山东如意科技集团、浙江嘉兴爱德曼氢能源装备有限公司等企业。",
            "嘉兴",
        ),
        ("座谈会上，无锡斯贝尔磁性材料有限公司负责人介绍了企业情况。", "无锡"),
        ("双方与芜湖长信新型显示器件股份有限公司进行了对接。", "芜湖"),
        ("考察组参观了江苏常州天合光能有限责任公司的生产车间。", "常州"),
    ],
)
def test_a_place_heading_a_registered_name_is_not_counted(
    tagger: Tagger, body: str, absent: str
) -> None:
    assert absent not in tagger.tag("", body, home="阳泉").cities


def test_province_hosts_keep_no_city_from_company_names(tagger: Tagger) -> None:
    body = (
        "7月13日至18日，市长雷健坤赴山东、浙江考察产业项目。考察团一行先后考察了山东如意科技集团、"
        "浙江嘉兴爱德曼氢能源装备有限公司等企业。"
    )
    assert pairs(tagger.tag("", body, home="阳泉")) == {("阳泉", "山东"), ("阳泉", "浙江")}


@pytest.mark.parametrize(
    ("body", "present"),
    [
        # a party going to the company goes to its place
        ("市长率队赴嘉兴爱德曼氢能源装备有限公司考察。", "嘉兴"),
        ("代表团前往浙江嘉兴爱德曼氢能源装备有限公司考察。", "嘉兴"),
        # a trip's words after the place: the place of the trip
        ("代表团来嘉兴考察了爱德曼氢能源装备有限公司。", "嘉兴"),
        ("代表团在嘉兴参观了爱德曼氢能源装备有限公司。", "嘉兴"),
        # the place with its suffix: an address, as before
        ("考察团参观了嘉兴市爱德曼氢能源装备有限公司。", "嘉兴"),
    ],
)
def test_places_before_trips_and_addresses_stay(tagger: Tagger, body: str, present: str) -> None:
    assert present in tagger.tag("", body, home="阳泉").cities


@pytest.mark.parametrize(
    ("body", "absent"),
    [
        # a place heading a blood station's name, as a hospital's
        ("镇江血站站长吴晓晖介绍了业务大楼的设计理念。", "镇江"),
        ("双方在苏州血站会议室进行座谈。", "苏州"),
    ],
)
def test_a_place_heading_a_blood_stations_name_is_not_counted(
    tagger: Tagger, body: str, absent: str
) -> None:
    assert absent not in tagger.tag("", body, home="南通").cities


@pytest.mark.parametrize(
    ("body", "absent"),
    [
        # a verb or an adjective jieba reads inside the institution's name
        ("招生院校有铁道警察学院、南京森林警察学院、贵州警察学院。", "南京"),
        ("邀请上海应用技术大学副校长毛祥东现场授课。", "上海"),
        ("7月22日，太原孤残儿童特殊教育学校开展专题学习。", "太原"),
        ("太原市儿童福利院开展党史学习教育。", "太原"),
        # a bank's branch named after its county-level city
        ("考察组来到人民银行乐平市支行。", "景德镇"),
        ("农业银行昆山市支行召开会议。", "苏州"),
    ],
)
def test_a_place_heading_an_institution_with_verbs_inside_is_not_counted(
    tagger: Tagger, body: str, absent: str
) -> None:
    assert absent not in tagger.tag("", body, home="六盘水").cities


@pytest.mark.parametrize(
    ("body", "present"),
    [
        # a party going to a city and studying there: the verb is the trip's, the place stands
        ("代表团赴南京考察学习产业发展。", "南京"),
        ("市长率队赴上海应用氢能技术企业考察。", "上海"),
        ("考察组到苏州调研学校建设。", "苏州"),
        # a bank's city branch stands in its city (the project's own set counts it)
        ("兴业银行深圳分行日前发布新一代供应链金融平台。", "深圳"),
    ],
)
def test_places_before_visit_verbs_stay(tagger: Tagger, body: str, present: str) -> None:
    assert present in tagger.tag("", body, home="六盘水").cities


# --- an address before a company's name names the place ------------------------------------


def test_address_before_a_company_names_its_place(tagger: Tagger) -> None:
    tags = tagger.tag(
        "县领导赴江苏省考察学习",
        "学习考察组先后与盐城市东台市中粮集团、苏州市吴江区恒力集团进行了对接洽谈。",
        home="张家口",
    )
    assert {"盐城", "苏州"} <= set(tags.cities)


@pytest.mark.parametrize(
    ("text", "city"),
    [
        ("习近平首先来到果洛西宁民族中学考察。", "果洛"),  # a place in a school's name
        ("绍兴市北海小学教育集团组织党员开展活动。", "北海"),
        ("先后深入历城二中和济南三中两所学校调研。", "济南"),
    ],
)
def test_place_inside_a_school_name_is_no_address(tagger: Tagger, text: str, city: str) -> None:
    assert city not in tagger.tag("调研", text).cities


@pytest.mark.parametrize(
    "body",
    [
        "6月12日，市长会见上海钜成集团董事长一行，双方就新能源项目进行交流。",
        "市委书记会见了深圳华腾集团总裁一行。",
    ],
)
def test_a_place_heading_a_groups_short_name_is_no_place(tagger: Tagger, body: str) -> None:
    """上海|钜成集团: a group's name, two to four characters after its place (batch 30)."""
    tags = tagger.tag("", body, home="安顺")
    assert not {"上海", "深圳"} & set(tags.cities)


@pytest.mark.parametrize(
    ("body", "city"),
    [
        ("考察团赴深圳华腾集团考察学习。", "深圳"),  # a party going there
        ("会议邀请上海、深圳等集团企业参加。", "上海"),  # a list, not a name
        ("市长会见上海市钜成集团董事长一行。", "上海"),  # the city with its suffix
    ],
)
def test_a_place_before_a_group_still_counts(tagger: Tagger, body: str, city: str) -> None:
    assert city in tagger.tag("", body, home="安顺").cities
