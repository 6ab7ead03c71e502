"""Levels on real-text-like sentences: 香港/澳门 and the 兵团 cities count at province level,
大兴安岭 the range is no prefecture, a province's own bodies in its own cities make no visit,
a home city's districts and counties travel as the home city (annotation rules of the
real-text sets); a bare provincial department on a city's site (省交通运输厅, 省厅) travels for the
home's province, the city's own bureau for the city; a county-level unit directly under its province
(潜江, 济源) is no visitor at all, while a 兵团 city visits for 新疆."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger
from tests.tag import pairs


@pytest.mark.parametrize(
    ("title", "body", "cities", "provinces"),
    [
        (
            "十五运会赛事服务保障等工作准备就绪",
            "第十五届全国运动会将于11月9日在广东、香港、澳门三地举行，各项准备工作已经就绪。",
            set(),
            {"广东", "香港", "澳门"},
        ),
        (
            "人民币对美元中间价调升",
            "澳门金融管理局公布，澳门元汇率保持稳定，深圳外汇市场交易平稳。",
            {"深圳"},
            {"澳门"},
        ),
        (
            "中央代表团在新疆多地看望慰问各族干部群众",
            "中央代表团分赴北屯市、铁门关市、石河子市看望慰问兵团干部职工。",
            set(),
            {"新疆"},
        ),
        (
            "2023中国（阿尔山）旅游大会今天开幕",
            "阿尔山地处大兴安岭西南麓，森林覆盖率超过80%。兴安盟将以大会为契机推介文旅资源。",
            {"兴安"},
            set(),
        ),
        (
            "大兴安岭地区加快林下经济发展",
            "大兴安岭地委、行署近日召开会议，部署林下经济产业发展工作。",
            {"大兴安岭"},
            set(),
        ),
    ],
)
def test_province_level_units_are_not_cities(
    tagger: Tagger, title: str, body: str, cities: set[str], provinces: set[str]
) -> None:
    tags = tagger.tag(title, body)
    assert set(tags.cities) == cities
    assert provinces <= set(tags.provinces)


def test_sar_and_bingtuan_are_province_level_visit_ends(tagger: Tagger) -> None:
    tags = tagger.tag(
        "广州市代表团抵港访问",
        "广州市代表团昨日抵达香港，展开为期三天的访问，将与香港特区政府商讨深化合作。",
    )
    assert pairs(tags) == {("广州", "香港")}
    assert "香港" not in tags.cities
    tags = tagger.tag(
        "新疆生产建设兵团第十师北屯市卫生健康委考察学习西宁市医联体建设工作",
        "10月14日至15日，新疆生产建设兵团第十师北屯市卫生健康委一行10人来我市考察医联体改革工作。",
        home="西宁",
    )
    assert pairs(tags) == {("新疆", "西宁")}
    assert "北屯" not in tags.cities


@pytest.mark.parametrize(
    ("title", "body", "home"),
    [
        (
            "省农村住房条件改善工作专题调研组来淮调研",
            "7月21日上午，省农村住房条件改善工作专题调研组来淮调研。调研组先后实地察看了金湖县"
            "幸福湾社区。市委副书记出席座谈会并讲话。",
            "淮安",
        ),
        (
            "省人大常委会调研组来我市开展执法检查",
            "6月5日至6日，省人大常委会副主任率调研组来我市开展执法检查。市人大常委会主任陪同。",
            "淮安",
        ),
        (
            "省财政厅调研组到我市调研",
            "日前，省财政厅党组书记、厅长一行到我市调研财政工作。市委书记会见调研组一行。",
            "淮安",
        ),
        (
            "江苏省科技厅考察团赴淮安考察学习",
            "江苏省科技厅考察团赴淮安考察学习科技创新工作。",
            None,
        ),
    ],
)
def test_province_bodies_in_their_own_cities_are_no_visit(
    tagger: Tagger, title: str, body: str, home: str | None
) -> None:
    tags = tagger.tag(title, body, home=home)
    assert not tags.visits
    assert tags.kind == "other"


def test_a_province_delegation_to_another_province_city_stays_a_visit(tagger: Tagger) -> None:
    tags = tagger.tag("湖北省党政代表团赴淮安考察", "湖北省党政代表团赴淮安考察学习产业发展经验。")
    assert pairs(tags) == {("湖北", "淮安")}
    assert tags.kind == "visit"


@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        # a county-level city of the home organises the trip
        (
            "古交市组织农技人员赴朔州市考察学习",
            "为学习借鉴朔州市先进经验，9月11日-12日，古交市组织农业农村局农技推广中心、"
            "各乡镇农技人员共81人赴朔州市考察学习。",
            "太原",
            {("太原", "朔州")},
        ),
        (
            "即墨区选派干部赴上海考察学习",
            "即墨区选派30名年轻干部赴上海考察学习城市管理经验。",
            "青岛",
            {("青岛", "上海")},
        ),
        # a sub-district of the home, unnamed as a place, is the home; 上城区湖滨 is no 三门峡
        (
            "湖南路街道赴杭州市上城区考察",
            "日，湖南路街道在办事处主任的带领下，赴杭州市上城区湖滨、望江、南星等街道考察学习。",
            "南京",
            {("南京", "杭州")},
        ),
        # a district delegation counts for its city; the host is the publisher
        (
            "顺德区大良街道一行到众创金融街开展调研工作",
            "2月27日下午，佛山顺德区大良街道党工委委员、街道经济和科技促进局局长一行八人到"
            "众创金融街进行实地考察调研，市金融局副局长陪同调研。",
            "中山",
            {("佛山", "中山")},
        ),
        (
            "常州市商务局来我区考察",
            "常州市商务局副局长带队来我区考察学习外贸工作。",
            "南京",
            {("常州", "南京")},
        ),
    ],
)
def test_home_districts_and_the_publisher_as_ends(
    tagger: Tagger, title: str, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == expected


@pytest.mark.parametrize(
    ("title", "body", "home"),
    [
        ("市委书记一行到开发区调研", "市委书记一行到经济开发区企业调研。", "中山"),
        ("青岛市代表团到腾讯公司参观", "青岛市党政代表团一行到腾讯公司参观考察。", "青岛"),
        ("企业家代表团到工业园参观", "青岛市企业家代表团一行到工业园参观考察。", "深圳"),
        ("街道居民赴深圳旅游", "街道居民赴深圳旅游观光。", "佛山"),
    ],
)
def test_no_publisher_host_for_own_officials_companies_or_tourists(
    tagger: Tagger, title: str, body: str, home: str
) -> None:
    assert not tagger.tag(title, body, home=home).visits


@pytest.mark.parametrize(
    ("body", "home", "pair"),
    [
        (
            "为深入贯彻习近平总书记视察山西重要讲话精神，近日，市委副书记、市长朱晓东率团赴上海考察。",
            "忻州",
            ("忻州", "上海"),
        ),
        (
            "为落实河南省委经济工作会议精神，5月6日，市委书记李明率团赴苏州市学习考察。",
            "洛阳",
            ("洛阳", "苏州"),
        ),
        (
            "按照江西省政府部署，副市长王刚带队赴深圳市对接产业转移工作。",
            "赣州",
            ("赣州", "深圳"),
        ),
    ],
)
def test_a_city_head_leads_a_city_party_not_the_province_named_before(
    tagger: Tagger, body: str, home: str, pair: tuple[str, str]
) -> None:
    found = pairs(tagger.tag("", body, home=home))
    assert pair in found
    assert not any(visitor != home for visitor, _host in found)


def test_a_province_party_in_the_verbs_own_clause_stays(tagger: Tagger) -> None:
    found = pairs(tagger.tag("", "5月6日，山西省党政代表团赴上海市学习考察。", home="忻州"))
    assert ("山西", "上海") in found


# --- a bare provincial department (省林业厅) on a city's site: the home's province ------------


@pytest.mark.parametrize(
    ("body", "home", "pair"),
    [
        ("6月3日，省交通运输厅厅长李明率队赴云南考察学习公路建设经验。", "绵阳", ("四川", "云南")),
        (
            "省住房和城乡建设厅副厅长王强带领考察组赴浙江学习考察老旧小区改造工作。",
            "南充",
            ("四川", "浙江"),
        ),
        (
            "5月9日，省商务厅党组书记、厅长赵刚率省商务厅有关处室负责人赴广东学习考察外贸工作。",
            "宜宾",
            ("四川", "广东"),
        ),
    ],
)
def test_a_bare_provincial_department_travels_for_the_province(
    tagger: Tagger, body: str, home: str, pair: tuple[str, str]
) -> None:
    assert pair in pairs(tagger.tag("考察组赴外省学习考察", body, home=home))


@pytest.mark.parametrize(
    ("body", "home", "pair"),
    [
        # the city's own bureau is the city's
        ("6月3日，市交通运输局局长李明率队赴昆明考察学习公路建设经验。", "绵阳", ("绵阳", "昆明")),
        # a named province's department is that province's
        ("7月2日，云南省林业厅厅长张华一行来我市考察林业工作。", "绵阳", ("云南", "绵阳")),
    ],
)
def test_city_bureaus_and_named_provinces_keep_their_place(
    tagger: Tagger, body: str, home: str, pair: tuple[str, str]
) -> None:
    assert pairs(tagger.tag("考察组学习考察", body, home=home)) == {pair}


# --- a bare 省厅 on a city's site ---------------------------------------------------------


def test_a_bare_provincial_department_travels_for_the_homes_province(tagger: Tagger) -> None:
    body = "3月14日至15日，省厅组织调研组先后赴浙江、安徽开展专题调研。"
    assert pairs(tagger.tag("省厅赴浙江安徽开展专题调研", body, home="无锡")) == {
        ("江苏", "浙江"),
        ("江苏", "安徽"),
    }


# --- a county-level unit directly under its province as the visitor -------------------------------


@pytest.mark.parametrize(
    ("body", "home", "expected"),
    [
        # no end below the province, and not the province's delegation: no pair
        ("湖北省潜江市住建局一行4人来到我市学习考察。", "南通", set()),
        ("济源市法制办考察团来我市考察。", "邢台", set()),
        # a 兵团 city stands for 新疆
        ("石河子市代表团来我市考察学习。", "南通", {("新疆", "南通")}),
        # as the host it is still its province
        ("市政协考察团赴琼海市考察学习。", "南通", {("南通", "海南")}),
    ],
)
def test_a_unit_directly_under_its_province_as_the_visitor(
    tagger: Tagger, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert {(v.visitor, v.host) for v in tagger.tag("考察", body, home=home).visits} == expected
