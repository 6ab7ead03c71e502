"""A place heading a later site of the list after the movement (赴四川大学华西医院和成都市成华区
中医医院学习考察, 赴张家港水政监察大队、无锡市滨湖区水政监察大队): the list's place is a host,
whatever joins the items (、 和 及) and whatever the sites are (companies, parks, hospitals,
colleges, a bureau's units); a list that is no trip of a government party gives none. Hosts in
lists besides: offices of places in other provinces, each place's own body (…廊坊市财政局、山东省
德州市财政局), places across commas, a park of the host named after a place elsewhere; a team named
by its work (考察学习组, 观摩学习组) as the party, a school's team or 观摩 of an exhibition as none.
A place itself as the last item after such sites (赴省林科院、兴国县开展…考察, 赴河北雄安新区、
山东济南考察学习: an institute or a new area first, then the place, a province's city or a city's
county, right before the purpose) is a host too. Sentences written for these tests, shaped like
city news."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger
from tests.tag import pairs


@pytest.mark.parametrize(
    ("body", "home", "expected"),
    [
        (
            "3月22日，市卫生健康委副主任带领老龄健康处赴华西医院和成都市成华区中医医院学习考察。",
            "邯郸",
            {("邯郸", "成都")},
        ),
        (
            "5月8日，市教育局组织校长赴某某师范大学及南京市某某学校考察学习。",
            "淮安",
            {("淮安", "南京")},
        ),
        (
            "3月8日，我局组织全市执法骨干赴张家港水政监察大队、无锡市滨湖区水政监察大队进行考察学习。",
            "连云港",
            {("连云港", "苏州"), ("连云港", "无锡")},
        ),
        (
            "6月2日，市发改委组织企业赴某某科技公司和杭州市某某集团考察学习。",
            "衢州",
            {("衢州", "杭州")},
        ),
        (
            "9月1日，市农业农村局带队赴省农科院、合肥市某某研究所和芜湖市某某产业园调研交流。",
            "六安",
            {("六安", "合肥"), ("六安", "芜湖")},
        ),
    ],
)
def test_a_place_heading_a_later_site_is_a_host(
    tagger: Tagger, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag("", body, home=home)) == expected


@pytest.mark.parametrize(
    ("body", "home"),
    [
        # patients, not a party on a study trip
        ("3月8日，市民赴市中医院和南京市儿童医院挂号就诊。", "淮安"),
        # a site list where no one travels: a report of the home's works
        ("全市建成某某医院和南京市某某医院合作的医联体。", "淮安"),
        # a town named by a later site (桥头镇卫生院) is no host elsewhere
        (
            "考察组一行先后赴湟源县第一医共体总院、大华镇卫生院、桥头镇卫生院及向阳堡村卫生室实地考察。",
            "西宁",
        ),
        # the list's place is the home itself
        ("3月8日，市卫健委组织人员赴市一院和淮安市妇幼保健院督导检查。", "淮安"),
    ],
)
def test_lists_without_a_trip_elsewhere_give_none(tagger: Tagger, body: str, home: str) -> None:
    assert pairs(tagger.tag("", body, home=home)) == set()


# --- hosts: a park of the host named after a place elsewhere, offices as list items ------


def test_a_weak_name_heading_a_park_of_another_province_is_the_hosts(tagger: Tagger) -> None:
    tags = tagger.tag(
        "海东党政代表团赴西宁市考察学习",
        "当日，海东市党政代表团一行先后深入西宁市甘河工业园区某某碳纤维有限公司、南川工业园区"
        "某某光伏科技有限公司等地考察。",
        home="海东",
    )
    assert pairs(tags) == {("海东", "西宁")}
    assert "重庆" not in tags.cities


def test_a_park_of_the_same_province_stays_a_host(tagger: Tagger) -> None:
    tags = tagger.tag(
        "我市代表团赴重庆考察",
        "代表团先后深入重庆市两江新区某某汽车有限公司、南川工业园区某某材料有限公司考察。",
        home="遵义",
    )
    assert ("遵义", "重庆") in pairs(tags)


@pytest.mark.parametrize(
    ("text", "hosts"),
    [
        (
            "近日，磁县公安局组织到江苏省盐城市响水县公安局、浙江省诸暨市枫桥派出所考察学习。",
            {"盐城", "绍兴"},
        ),
        ("县法院一行到江苏省南通市海安市法院、浙江省湖州市安吉县法院考察学习。", {"南通", "湖州"}),
    ],
)
def test_offices_between_listed_hosts(tagger: Tagger, text: str, hosts: set[str]) -> None:
    tags = tagger.tag("赴外省考察学习先进经验", text, home="邯郸")
    assert {host for _visitor, host in pairs(tags)} == hosts


# --- hosts: each place's own body in a list, places across commas, a team named by its work ------


@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        (
            "市财政局赴外地学习考察",
            "5月8日至10日，市财政局副局长王立带队赴河北省廊坊市财政局、山东省德州市财政局学习考察"
            "预算绩效管理工作。",
            "邯郸",
            {("邯郸", "廊坊"), ("邯郸", "德州")},
        ),
        (
            "市医保局赴外省考察学习",
            "6月2日，市医保局局长刘明带队赴重庆市江北区医疗保障局、四川省绵阳市医疗保障局、"
            "四川省德阳市医疗保障局考察学习。",
            "遵义",
            {("遵义", "重庆"), ("遵义", "绵阳"), ("遵义", "德阳")},
        ),
        (
            "市农业农村局赴外地考察",
            "9月6日，市农业农村局副局长陈平带领考察组，对潍坊市寿光市、青州市，临沂市兰陵县"
            "蔬菜产业发展进行了考察学习。",
            "邢台",
            {("邢台", "潍坊"), ("邢台", "临沂")},
        ),
        (
            "我局组团考察观摩潍坊临沂两市蔬菜产业",
            "",
            "邢台",
            {("邢台", "潍坊"), ("邢台", "临沂")},
        ),
        (
            "湖南岳阳市商务局考察学习组赴常州市考察学习",
            "",
            "常州",
            {("岳阳", "常州")},
        ),
        (
            "襄阳市文旅局观摩学习组赴芜湖市考察",
            "",
            "芜湖",
            {("襄阳", "芜湖")},
        ),
        # (worked before, must keep) a team named as such; one host's body; a list of places
        (
            "淮北市住建局学习考察团赴芜湖市开展交流",
            "",
            "芜湖",
            {("淮北", "芜湖")},
        ),
        (
            "市财政局赴廊坊学习考察",
            "5月8日，市财政局副局长王立带队赴廊坊市财政局学习考察。",
            "邯郸",
            {("邯郸", "廊坊")},
        ),
        (
            "市农业农村局赴外地考察",
            "9月6日，市农业农村局副局长陈平带领考察组，对潍坊市寿光市、青州市蔬菜产业发展进行了"
            "考察学习。",
            "邢台",
            {("邢台", "潍坊")},
        ),
    ],
)
def test_hosts_in_lists_and_named_teams(
    tagger: Tagger, title: str, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == expected


@pytest.mark.parametrize(
    ("title", "body", "home"),
    [
        # a school's team is no government delegation, whatever its team is called
        ("岳阳市第一中学考察学习组赴常州市考察学习", "", "常州"),
        # 观摩 with nothing of a trip: an exhibition of a place's experience
        ("全市干部观摩潍坊经验交流会", "", "邢台"),
        ("市农业局组织观摩潍坊现代农业园区视频", "", "邢台"),
    ],
)
def test_not_visits(tagger: Tagger, title: str, body: str, home: str) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == set()


@pytest.mark.parametrize(
    ("body", "home", "expected"),
    [
        (
            "5月6日至7日，市林业局组织各县区林业局分管负责人赴省林业科学院、井冈山市开展森林防火"
            "考察学习。",
            "宜春",
            {("宜春", "吉安")},
        ),
        (
            "县委副书记、县长王明带队赴河北雄安新区、浙江湖州考察学习城市更新工作。",
            "陇南",
            {("陇南", "湖州")},
        ),
        (
            "9月3日，市水务局组织技术骨干赴河海大学、常州市武进区进行考察交流。",
            "淮安",
            {("淮安", "常州")},
        ),
        (
            "市农业农村局带队赴省农科院和安徽省宿州市考察学习。",
            "淮北",
            {("淮北", "宿州")},
        ),
    ],
    ids=["institute-county", "new-area-province-city", "university-city-county", "province-city"],
)
def test_a_place_itself_after_listed_sites_is_a_host(
    tagger: Tagger, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag("", body, home=home)) == expected


@pytest.mark.parametrize(
    ("body", "home"),
    [
        # the place names no trip's end: the sites are the home's own, the place a topic
        ("市林业局组织干部到市林科院、湿地公园开展巡查，学习井冈山精神。", "宜春"),
        # patients and students, no party on a trip
        ("市民赴省人民医院、南京市儿童医院就诊。", "淮安"),
    ],
    ids=["topic", "patients"],
)
def test_a_place_after_sites_without_a_trip_gives_none(
    tagger: Tagger, body: str, home: str
) -> None:
    assert pairs(tagger.tag("", body, home=home)) == set()
