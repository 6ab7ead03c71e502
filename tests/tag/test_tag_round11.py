"""Classes of error met on the eleventh and twelfth batches of the visits dev set (issue 19), each
with sentences shaped like city-government news (written for these tests) and the negatives that
must keep working."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger
from tests.tag import first_leader, pairs

# --- a stay in a place's new area or zone, over places summed up, by provincial heads ------


@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        (
            "南宁代表团在成都市天府新区学习考察",
            "代表团一行参观了规划馆和科创中心，详细了解新区建设情况。",
            "南宁",
            {("南宁", "成都")},
        ),
        (
            "宜宾市考察组在南京市江北新区考察学习",
            "考察组先后走进研创园和集成电路产业基地，学习新区建设经验。",
            "宜宾",
            {("宜宾", "南京")},
        ),
        (
            "安康市考察团在西安市西咸新区调研",
            "考察团一行深入秦创原总窗口，了解科技成果转化情况。",
            "安康",
            {("安康", "西安")},
        ),
        (
            "刘建军在苏州等地学习考察开放型经济",
            "5月8日至9日，市委书记刘建军在江苏苏州、无锡两地考察学习开放型经济发展经验。",
            "宜宾",
            {("宜宾", "苏州"), ("宜宾", "无锡")},
        ),
        (
            "市长带队在杭州等地考察数字经济",
            "6月2日，市长张明在杭州等地考察数字经济，市领导随同考察。",
            "泸州",
            {("泸州", "杭州")},
        ),
        # provincial heads named before their lead verb travel for the province, to the city
        # their stay names after its province
        (
            "王立新李文华率队在浙江学习考察",
            "4月9日，省委书记王立新、省长李文华率队在浙江省杭州市学习考察，共谋合作。",
            "赣州",
            {("江西", "杭州")},
        ),
        (
            "张国强刘东率队在广东学习考察",
            "3月6日，省委书记张国强、省长刘东率队在广东省深圳市考察学习。",
            "遵义",
            {("贵州", "深圳")},
        ),
        # (worked before, must keep) city heads stay the city's; a provincial party across a
        # province keeps the province pair
        (
            "王立新李文华率队在浙江学习考察",
            "4月9日，市委书记王立新、市长李文华率队在浙江省杭州市学习考察，共谋合作。",
            "赣州",
            {("赣州", "杭州")},
        ),
        (
            "省党政代表团赴江苏学习考察",
            "4月9日，省委书记王立新率队赴江苏学习考察。代表团先后到南京、苏州考察。",
            "赣州",
            {("江西", "江苏")},
        ),
    ],
)
def test_stays_and_their_parties(
    tagger: Tagger, title: str, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == expected


@pytest.mark.parametrize(
    ("title", "body"),
    [
        # no stay after the zone: a meeting held there
        ("成都市天府新区召开招商推介会", "会上，南宁等地企业家代表发言。"),
        # 等地 with no stay verb: a list of markets
        ("我市特产销往杭州等地", "今年以来，我市茶叶销往杭州等地，销量同比增长。"),
    ],
)
def test_a_zone_or_a_summed_list_without_a_stay_is_no_visit(
    tagger: Tagger, title: str, body: str
) -> None:
    assert pairs(tagger.tag(title, body, home="南宁")) == set()


# --- explanations and revisions of documents as policy ------------------------------------


_DOC_BODY = "为便于社会公众了解有关内容，现将有关情况说明如下。"


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("某市农村人居环境整治实施方案解读", "policy"),
        ("关于某县推行证明事项告知承诺制实施方案相关政策的解读", "policy"),
        ("某市城市绿化管理办法已修订", "policy"),
        ("某市养犬管理条例已修改", "policy"),
        ("市领导解读政府工作报告", "other"),  # a report, no document by its title
        ("专家解读当前经济形势", "other"),
        ("关于某市经济形势的解读", "other"),  # 关于…的解读 of no document
    ],
)
def test_explanations_and_revisions_of_documents_are_policy(
    tagger: Tagger, title: str, kind: str
) -> None:
    assert tagger.tag(title, _DOC_BODY, home="绵阳").kind == kind


# --- names a prefecture shares with another, resolved on the home's site ------------------


def test_a_district_the_home_merged_away_is_the_homes(tagger: Tagger) -> None:
    body = "近日，市城管局副局长王明带领清河区政府、市环卫处人员赴浙江宁波考察学习垃圾处理项目。"
    tags = tagger.tag("市城管局赴宁波考察", body, home="淮安")
    assert pairs(tags) == {("淮安", "宁波")}
    assert "铁岭" not in tags.cities
    # on another site the name is 铁岭's district still
    assert "铁岭" in tagger.tag("清河区召开会议", "清河区召开经济工作会议。", home="沈阳").cities


@pytest.mark.parametrize(
    ("body", "home", "absent"),
    [
        ("考察组一行来到宜阳小区，察看了垃圾分类投放点。", "宜春", "洛阳"),
        ("考察团一行来到昆山小区，了解物业管理情况。", "南通", "苏州"),
        ("考察团详细听取了我区广安代表站活动开展情况。", "邯郸", "广安"),
        ("代表们参观了我市杭州湾新区的产业园。", "宁波", "杭州"),  # worked before, must keep
    ],
)
def test_local_names_of_the_home_are_not_other_places(
    tagger: Tagger, body: str, home: str, absent: str
) -> None:
    assert absent not in tagger.tag("考察组来我市学习", body, home=home).cities


def test_a_place_named_for_a_facility_is_no_stay(tagger: Tagger) -> None:
    body = "在广安代表站，考察团一行听取了代表站建设情况介绍。"
    tags = tagger.tag("晋中考察团来我区考察", body, home="邯郸")
    assert ("晋中", "广安") not in pairs(tags)
    # a place named as such opening the sentence still places the party's stay
    body = "在深圳市，考察团一行与当地部门座谈交流。"
    assert ("邯郸", "深圳") in pairs(tagger.tag("我市考察团赴广东考察", body, home="邯郸"))


# --- the body whose order a trip follows is not its party ---------------------------------


def test_the_body_that_orders_a_trip_is_not_its_party(tagger: Tagger) -> None:
    body = (
        "按照河南省人民政府办公厅《关于推进营商环境优化的通知》要求，5月6日至9日，由县政管办牵头，"
        "带领县发改局等部门负责人组成考察组，赴浙江省嘉兴市、湖州市等地考察学习。"
    )
    tags = tagger.tag("某县考察组赴浙江考察学习", body, home="周口")
    assert pairs(tags) == {("周口", "嘉兴"), ("周口", "湖州")}


# --- parties reaching their hosts: a place named in full before its institution (赴沁源县…
# 学院), a city's state-level zone (国家高新区…分局) as no central body, 至 before a stay in a
# work report's subjectless clause ---------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "body", "home", "pair"),
    [
        (
            "我县赴外地学习考察",
            "5月7日，县委书记李明带领县委组织部相关人员赴沁源县太岳干部学院进行学习考察。",
            "晋中",
            ("晋中", "长治"),
        ),
        (
            "我县赴外地学习考察",
            "4月5日，副县长张华及县卫健局有关同志赴东莞市人民医院学习考察。",
            "张家口",
            ("张家口", "东莞"),
        ),
        (
            "考察组来我市考察",
            "3月31日，保定国家高新区市场监管分局局长刘军辉等一行6人来我区交流学习。",
            "连云港",
            ("保定", "连云港"),
        ),
        (
            "考察组来我市考察",
            "6月2日，南昌国家经开区管委会副主任王强等一行来我市考察学习。",
            "九江",
            ("南昌", "九江"),
        ),
        (
            "县司法局多措并举推进工作",
            "县司法局成立工作专班，研究制定工作计划。广泛开展调研活动，至泰兴、昆山等地考察学习先进经验。",
            "盐城",
            ("盐城", "苏州"),
        ),
        (
            "市农业农村局多措并举推进工作",
            "市农业农村局制定工作方案。积极组织骨干力量，至寿光考察学习蔬菜产业经验。",
            "邯郸",
            ("邯郸", "潍坊"),
        ),
    ],
)
def test_parties_reach_their_hosts(
    tagger: Tagger, title: str, body: str, home: str, pair: tuple[str, str]
) -> None:
    assert pair in pairs(tagger.tag(title, body, home=home))


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("国家发展改革委调研组来我市调研", "6月2日，国家发展改革委调研组一行来我市调研。"),
        ("有关工作动态", "5月29日至30日，市里召开经济工作会议。"),  # a date range
        ("有关工作动态", "从南京至上海的高铁今日开通，沿线城市交流更便捷。"),  # a route
    ],
)
def test_central_bodies_ranges_and_routes_give_no_pair(
    tagger: Tagger, title: str, body: str
) -> None:
    assert pairs(tagger.tag(title, body, home="九江")) == set()


@pytest.mark.parametrize(
    ("body", "absent"),
    [
        ("宣讲团走进漳州卫生职业学院，开展专题辅导报告会。", "漳州"),
        ("习近平回信勉励安徽省潜山野寨中学的同学们。", "安庆"),
        ("区委书记对贵州省温州总商会的到来表示欢迎。", "温州"),
        ("副区长会见了云南省宁波商会一行。", "宁波"),  # worked before, must keep
    ],
)
def test_places_inside_institutions_and_chambers_are_not_counted(
    tagger: Tagger, body: str, absent: str
) -> None:
    assert absent not in tagger.tag("有关活动举行", body, home="安顺").cities


# --- inspections by central bodies --------------------------------------------------------


def test_a_central_inspection_team_is_no_city_delegation(tagger: Tagger) -> None:
    body = (
        "全国人大常委会副委员长王某率执法检查组在山西进行执法检查。"
        "执法检查组在太原听取省政府工作汇报，赴运城、临汾进行实地检查。"
    )
    assert pairs(tagger.tag("推动法律深入贯彻实施", body, home="吕梁")) == set()


def test_a_city_inspection_of_its_own_is_still_no_pair_but_a_delegation_is(tagger: Tagger) -> None:
    body = "6月5日，太原市人大常委会副主任王强带领考察组赴运城考察学习。"
    assert pairs(tagger.tag("太原市人大考察组赴运城考察", body, home="吕梁")) == {("太原", "运城")}


# --- a bare 省厅 on a city's site ---------------------------------------------------------


def test_a_bare_provincial_department_travels_for_the_homes_province(tagger: Tagger) -> None:
    body = "3月14日至15日，省厅组织调研组先后赴浙江、安徽开展专题调研。"
    assert pairs(tagger.tag("省厅赴浙江安徽开展专题调研", body, home="无锡")) == {
        ("江苏", "浙江"),
        ("江苏", "安徽"),
    }


# --- heads of a party --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "home", "leader"),
    [
        (
            "6月13日，宿迁市住房和城乡建设局局长张伟明，带领相关工作人员一行5人来我市考察学习。",
            "连云港",
            "张伟明",
        ),
        ("7月21日，海口市卫生健康委员会主任陈立来等一行5人赴南宁市考察学习。", "海口", "陈立来"),
        (
            "9月9日，沛县水务局党委委员、副主任科员王海东带领业务骨干赴江都考察学习。",
            "徐州",
            "王海东",
        ),
        (
            "5月9日，市行政审批局副局长赵德明，副局长钱小平，各区分管领导及相关负责同志赴常熟市学习。",
            "淮安",
            "赵德明",
        ),
    ],
)
def test_heads_of_a_party(tagger: Tagger, body: str, home: str, leader: str) -> None:
    assert first_leader(tagger, "考察学习", body, home) == leader


def test_a_name_ending_in_lai_before_a_verb_keeps_two_characters(tagger: Tagger) -> None:
    body = "7月21日，市卫健委主任王刚来到南宁市考察学习。"
    assert first_leader(tagger, "考察学习", body, "海口") == "王刚"
