"""Classes of real city-government text the tagger first got wrong on the visits dev set's
seventh blind batch: place names inside an event's, a company's, a bridge's or a person's name;
京津冀 as a region; a list of places before a stay; a central leader's inspection recalled with
its 座谈会; mass organisations and one member travelling with another body's team; an autonomous
region's own delegation on a city's site; the province as the story's party; a recruitment plan
as policy; a body's site name at the end of the first line. Several parties: the clauses of
places' people before the verb, and a list of places of one level opening the clause (昌吉市、
阿克苏市来我市考察学习), each travel."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger
from tests.tag import pairs

# --- names that hold a place name ------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "absent", "present"),
    [
        ("全力做好上合组织青岛峰会服务保障工作，确保各项活动安全顺利。", "青岛", ()),
        ("会议传达学习了习近平总书记在世界互联网大会乌镇峰会上的致辞精神。", "嘉兴", ()),
        ("博鳌亚洲论坛期间，三亚峰会筹备组召开会议。", "三亚", ()),
        # the place where a summit is held still counts
        ("中国—中亚峰会在西安举行，扬州市代表团出席相关活动。", "", ("西安", "扬州")),
    ],
    ids=["青岛峰会", "乌镇峰会", "三亚峰会", "在西安举行的峰会"],
)
def test_a_summit_named_after_its_city_is_an_event(
    tagger: Tagger, body: str, absent: str, present: tuple[str, ...]
) -> None:
    cities = tagger.tag("", body).cities
    if absent:
        assert absent not in cities
    for city in present:
        assert city in cities


@pytest.mark.parametrize(
    ("body", "home", "expected_pairs", "absent"),
    [
        (
            "9月28日，县长王强率队赴海兴集团考察学习，集团董事长陪同考察了港区项目。",
            "盐城",
            set(),
            "沧州",
        ),
        (
            "5月6日，副县长李明带队前往青田公司调研，详细了解企业生产情况。",
            "金华",
            set(),
            "丽水",
        ),
        (
            "3月12日，区长赵刚一行赴宁海股份有限公司参观，听取企业发展情况介绍。",
            "绍兴",
            set(),
            "宁波",
        ),
    ],
    ids=["海兴集团", "青田公司", "宁海股份"],
)
def test_a_county_name_inside_a_company_name_is_no_host(
    tagger: Tagger, body: str, home: str, expected_pairs: set[tuple[str, str]], absent: str
) -> None:
    tags = tagger.tag("", body, home=home)
    assert pairs(tags) == expected_pairs
    assert absent not in tags.cities


def test_a_county_or_a_company_with_its_place_in_full_still_hosts(tagger: Tagger) -> None:
    tags = tagger.tag(
        "", "9月28日，市长王强率队赴海兴县考察学习，详细了解盐业发展情况。", home="盐城"
    )
    assert pairs(tags) == {("盐城", "沧州")}
    tags = tagger.tag("", "4月2日，副市长张华率队赴深圳市华强集团考察，洽谈项目合作。", home="鹤岗")
    assert pairs(tags) == {("鹤岗", "深圳")}


@pytest.mark.parametrize(
    ("title", "body", "home", "expected_pairs", "absent"),
    [
        ("市委常委会召开会议王安顺主持", "会议强调，要压实安全生产责任。", "大连", set(), "安顺"),
        ("", "市政府常务会议召开，市长刘丽江出席并讲话。", "南宁", set(), "丽江"),
        (
            "",
            "10月10日，市委常委、副市长次仁尼玛带领考察组赴成都市考察学习城市园林工作。",
            "拉萨",
            {("拉萨", "成都")},
            "那曲",
        ),
        (
            "",
            "扎西尼玛副市长带队赴西宁市考察学习林业工作，了解山地造林经验。",
            "拉萨",
            {("拉萨", "西宁")},
            "那曲",
        ),
    ],
    ids=["王安顺主持", "刘丽江出席", "次仁尼玛带领", "扎西尼玛副市长"],
)
def test_a_place_name_that_is_a_persons_given_name(
    tagger: Tagger,
    title: str,
    body: str,
    home: str,
    expected_pairs: set[tuple[str, str]],
    absent: str,
) -> None:
    tags = tagger.tag(title, body, home=home)
    assert pairs(tags) == expected_pairs
    assert absent not in tags.cities


def test_a_place_name_inside_a_listed_leaders_name(tagger: Tagger) -> None:
    """市领导田金昌、刘…: the names 领导 heads are people, not 金昌; a place after 领导 and a verb
    stays a place."""
    body = "8月2日，市委书记周某率代表团赴保定市学习考察。保定市领导马丽水、刘某出席相关活动。"
    tags = tagger.tag("", body, home="承德")
    assert pairs(tags) == {("承德", "保定")}
    assert "丽水" not in tags.cities
    tags = tagger.tag("", "8月2日，市领导赴丽水考察生态工作。", home="承德")
    assert pairs(tags) == {("承德", "丽水")}


def test_a_place_after_a_surname_like_word_that_is_no_name_stays(tagger: Tagger) -> None:
    tags = tagger.tag("", "6月3日，张书记率队赴安顺考察学习旅游产业。", home="贵阳")
    assert pairs(tags) == {("贵阳", "安顺")}
    assert "丽江" in tagger.tag("", "会议期间，代表们前往丽江考察古城保护。").cities


@pytest.mark.parametrize(
    ("body", "absent"),
    [
        ("考察团先后来到市规划馆、中山桥、滨河公园，了解城市建设情况。", "中山"),
        ("游客纷纷在洛阳桥前合影留念。", "洛阳"),
    ],
    ids=["中山桥", "洛阳桥"],
)
def test_a_bridge_named_after_a_place_is_no_place(tagger: Tagger, body: str, absent: str) -> None:
    assert absent not in tagger.tag("", body).cities


def test_the_city_before_a_bridge_word_that_goes_on_is_the_place(tagger: Tagger) -> None:
    assert "中山" in tagger.tag("", "中山市桥头镇举办荔枝节。").cities


# --- regions and lists -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "会议指出，省党政代表团日前赴京津冀学习考察，要把学习成果转化为发展动力。",
        "随省党政代表团赴京津冀学习考察后，市委书记一行拜会了国家有关部委。",
        "5月下旬，我市组织部门负责人赴京津冀地区学习考察人才工作。",
    ],
    ids=["省代表团", "随省代表团", "我市"],
)
def test_jing_jin_ji_is_a_region_not_three_hosts(tagger: Tagger, body: str) -> None:
    tags = tagger.tag("", body, home="大庆")
    assert pairs(tags) == set()
    assert "北京" not in tags.cities and "天津" not in tags.cities


def test_abbreviations_short_of_the_region_still_name_places(tagger: Tagger) -> None:
    tags = tagger.tag("", "6月5日，市党政代表团赴京津学习考察，拜访有关企业。", home="承德")
    assert pairs(tags) == {("承德", "北京"), ("承德", "天津")}


@pytest.mark.parametrize(
    ("body", "home", "expected"),
    [
        (
            "2月26日至27日，山西省学习考察团先后在北京、天津、河北学习考察，并召开座谈会。",
            "晋中",
            {("山西", "北京"), ("山西", "天津"), ("山西", "河北")},
        ),
        (
            "4月8日，市党政代表团在苏州、无锡考察学习产业园区建设经验。",
            "淮安",
            {("淮安", "苏州"), ("淮安", "无锡")},
        ),
        (
            "考察组一行在杭州和宁波调研数字经济发展情况。",
            "六盘水",
            {("六盘水", "杭州"), ("六盘水", "宁波")},
        ),
        # each item a city after its province (round sixteen)
        (
            "5月10日至12日，市政府研究室调研组在浙江省嘉兴市、江苏省常州市学习考察，各县区研究室"
            "负责同志参加。",
            "赣州",
            {("赣州", "嘉兴"), ("赣州", "常州")},
        ),
        # (worked before, must keep) a province's city second only
        (
            "市发改委考察组在湖州市、安徽省芜湖市考察学习。",
            "赣州",
            {("赣州", "湖州"), ("赣州", "芜湖")},
        ),
    ],
    ids=["北京天津河北", "苏州无锡", "杭州和宁波", "省市、省市", "市、省市"],
)
def test_a_list_of_places_before_a_stay_hosts_each(
    tagger: Tagger, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag("", body, home=home)) == expected


@pytest.mark.parametrize(
    "body",
    [
        "他曾在北京、天津等地工作多年，熟悉城市管理。",
        "公司在广州、深圳设有分支机构。",
        "公司在浙江省嘉兴市、江苏省常州市设有分支机构。",
    ],
    ids=["工作多年", "设有分支机构", "省市设有分支机构"],
)
def test_a_list_of_places_without_a_stay_is_no_visit(tagger: Tagger, body: str) -> None:
    assert pairs(tagger.tag("", body, home="兰州")) == set()


# --- who travels -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "为深入学习贯彻习近平总书记在参加全国人大会议甘肃代表团审议时的重要讲话精神和在重庆考察"
        "并主持召开解决“两不愁三保障”突出问题座谈会上的重要讲话精神，市商务局召开推进会。",
        "会议传达学习了习近平总书记在江西考察并主持召开推动中部地区崛起工作座谈会时的重要讲话精神。",
        "全市上下深入学习总书记在陕西考察并主持召开座谈会上的重要讲话精神，推动工作落实。",
    ],
    ids=["审议和重庆考察", "江西考察座谈会时", "陕西考察座谈会上"],
)
def test_a_central_leaders_inspection_with_its_meeting_is_no_visit(
    tagger: Tagger, body: str
) -> None:
    tags = tagger.tag("", body, home="兰州")
    assert pairs(tags) == set()
    assert tags.kind != "visit"


def test_a_city_delegation_after_a_central_inspection_still_visits(tagger: Tagger) -> None:
    body = (
        "为贯彻总书记在重庆考察时的重要讲话精神，5月8日，市委书记李伟率兰州市党政代表团赴重庆"
        "学习考察。"
    )
    assert pairs(tagger.tag("", body, home="兰州")) == {("兰州", "重庆")}


@pytest.mark.parametrize(
    "body",
    [
        "10月30日至11月11日，团市委、市青联、青企协相关人员赴上海、杭州等地学习考察招商。",
        "7月5日，团县委组织青年干部赴井冈山、赣州学习考察。",
        "共青团牡丹江市委带领青年企业家赴深圳考察交流。",
    ],
    ids=["团市委", "团县委", "共青团"],
)
def test_a_youth_league_party_is_a_mass_organisation(tagger: Tagger, body: str) -> None:
    assert pairs(tagger.tag("", body, home="牡丹江")) == set()


def test_a_city_party_committee_body_still_travels(tagger: Tagger) -> None:
    body = "10月30日，市委组织部、市人社局相关负责人赴杭州学习考察人才工作。"
    assert pairs(tagger.tag("", body, home="牡丹江")) == {("牡丹江", "杭州")}


@pytest.mark.parametrize(
    "body",
    [
        "10月13日至19日，宜春市供销社主任张华作为江西省供销社考察团成员，随团赴浙江学习考察。",
        "7月，市农业农村局副局长作为省农业厅考察团成员随团赴福建考察。",
    ],
    ids=["供销社成员", "农业局成员"],
)
def test_one_member_travelling_with_another_bodys_team_is_no_delegation(
    tagger: Tagger, body: str
) -> None:
    assert pairs(tagger.tag("", body, home="宜春")) == set()


def test_a_member_leading_the_homes_team_travels(tagger: Tagger) -> None:
    body = "10月13日，宜春市供销社主任张华率考察团赴浙江学习考察农民合作社建设。"
    assert pairs(tagger.tag("", body, home="宜春")) == {("宜春", "浙江")}


@pytest.mark.parametrize(
    ("body", "home", "expected"),
    [
        (
            "5月28日至29日，自治区党委副书记、自治区主席率自治区党政代表团到江苏学习考察。",
            "乌鲁木齐",
            {("新疆", "江苏")},
        ),
        (
            "6月10日，自治区党委书记率自治区党政代表团赴广东学习考察。",
            "拉萨",
            {("西藏", "广东")},
        ),
        (
            "9月3日，自治区政府副主席带领自治区代表团赴浙江考察交流。",
            "银川",
            {("宁夏", "浙江")},
        ),
    ],
    ids=["新疆", "西藏", "宁夏"],
)
def test_an_autonomous_regions_own_delegation_on_a_citys_site(
    tagger: Tagger, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    tags = tagger.tag("", body, home=home)
    assert pairs(tags) == expected
    assert home not in tags.cities


def test_a_citys_delegation_in_an_autonomous_region_is_the_city(tagger: Tagger) -> None:
    body = "5月28日，市委书记率乌鲁木齐市党政代表团到江苏学习考察。"
    assert pairs(tagger.tag("", body, home="乌鲁木齐")) == {("乌鲁木齐", "江苏")}


def test_the_homes_province_stays_the_storys_party(tagger: Tagger) -> None:
    body = (
        "3月10日至14日，省委常委、副省长率队赴河南、江苏学习考察农业产业化工作。"
        "考察组一行在河南、江苏考察了农产品精深加工企业。"
    )
    assert pairs(tagger.tag("", body, home="赣州")) == {("江西", "河南"), ("江西", "江苏")}
    city = "3月10日，市委书记率队赴河南学习考察。考察组一行在郑州考察了农业科创机构。"
    assert pairs(tagger.tag("", city, home="赣州")) == {("赣州", "郑州")}


# --- kind and site names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("贵州省重点人才蓄水池第四批岗位专项简化程序公开招聘方案", "policy"),
        ("市人力资源和社会保障局2023年公开招录公务员简章", "policy"),
        ("市人民医院2023年公开招聘工作人员方案", "policy"),  # a public hospital's posts
        ("市人民医院2023年招聘合同制护士方案", "other"),  # its contract hires
        ("某某科技有限公司公开招聘方案", "other"),
    ],
    ids=["省招聘方案", "局招录简章", "医院", "医院合同制", "公司"],
)
def test_a_governments_recruitment_plan_is_policy(tagger: Tagger, title: str, kind: str) -> None:
    body = "根据有关规定，结合工作需要，特制定本方案。招聘岗位及人数见附件。"
    assert tagger.tag(title, body).kind == kind


@pytest.mark.parametrize(
    "first_line",
    [
        "关于做好春季农业生产工作的意见_沧州市供销社。",
        "关于推进乡村振兴的实施意见_衡水市供销合作联社。",
    ],
    ids=["供销社", "供销合作联社"],
)
def test_a_bodys_site_name_ending_the_first_line_is_no_place(
    tagger: Tagger, first_line: str
) -> None:
    tags = tagger.tag("关于推进乡村振兴的意见", first_line + "各地要认真贯彻落实。")
    assert tags.cities == ()


def test_the_same_body_named_in_the_story_is_its_place(tagger: Tagger) -> None:
    tags = tagger.tag("供销社赴外地考察", "4月3日，沧州市供销社主任率队赴潍坊考察学习。")
    assert pairs(tags) == {("沧州", "潍坊")}


@pytest.mark.parametrize(
    "body",
    [
        "今年全市新建5G基站300个，新建改建农村公路120公里。",
        "学校附近将新建一座污水处理厂。",
        "我县新建联动指挥平台，打通部门数据壁垒。",
    ],
    ids=["新建基站", "将新建", "我县新建"],
)
def test_xinjian_newly_built_is_no_district(tagger: Tagger, body: str) -> None:
    assert "南昌" not in tagger.tag("", body, home="宜春").cities


def test_xinjian_district_by_its_full_name_still_counts(tagger: Tagger) -> None:
    tags = tagger.tag("", "4月6日，新建区党政代表团来我市考察学习。", home="宜春")
    assert pairs(tags) == {("南昌", "宜春")}


# --- several parties in one sentence ---------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "3月30日上午，福州市财政局、医保局相关负责人，安庆市人社局、医保中心等相关负责人一行"
            "来通考察学习长期护理保险制度。",
            {("福州", "南通"), ("安庆", "南通")},
        ),
        (
            "5月8日，苏州市医保局相关负责人，无锡市医保局相关负责人，常州市医保局工作人员一行到我市"
            "考察交流。",
            {("苏州", "南通"), ("无锡", "南通"), ("常州", "南通")},
        ),
        # a list of places of one level opening the clause (round sixteen): each place travels
        (
            "新疆克拉玛依市、哈密市来我市考察学习数字政府建设经验。",
            {("克拉玛依", "南通"), ("哈密", "南通")},
        ),
        (
            "4月2日，宿迁市和淮安市考察团一行来通考察学习。",
            {("宿迁", "南通"), ("淮安", "南通")},
        ),
    ],
    ids=["福州安庆", "苏锡常", "新疆两市来我市", "两市考察团和"],
)
def test_parallel_parties_before_the_verb_each_visit(
    tagger: Tagger, body: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag("", body, home="南通")) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # the listed places' own officials escort another party: not parties of the visit
        ("泰州市、扬州市领导陪同无锡市代表团来我市考察。", ("泰州", "南通")),
        # a list ended by 与: the other side of talks
        ("盐城市与宿迁市代表团来我市考察。", ("盐城", "南通")),
    ],
    ids=["领导陪同", "与"],
)
def test_a_list_that_is_not_the_party_adds_no_visitor(
    tagger: Tagger, body: str, expected: tuple[str, str]
) -> None:
    assert expected not in pairs(tagger.tag("", body, home="南通"))


@pytest.mark.parametrize(
    "body",
    [
        "3月30日上午，扬州市医保局相关负责人陪同，安庆市医保局负责人一行来通考察。",
        "为学习福州市先进经验，安庆市医保局负责人一行来通考察。",
    ],
    ids=["陪同", "为学习"],
)
def test_a_clause_doing_something_else_is_no_parallel_party(tagger: Tagger, body: str) -> None:
    assert pairs(tagger.tag("", body, home="南通")) == {("安庆", "南通")}


@pytest.mark.parametrize(
    ("body", "home", "expected"),
    [
        (
            "9月8日至12日，副区长刘涛带领区直部门、镇村干部一行赴四川省绵竹年画村、崇州五星村、"
            "浙江省安吉县考察学习美丽乡村建设经验。",
            "荆门",
            {("荆门", "德阳"), ("荆门", "成都"), ("荆门", "湖州")},
        ),
        (
            "6月2日，副县长王军带队赴浙江省桐庐县环溪村、德清县五四村考察乡村旅游。",
            "黄冈",
            {("黄冈", "杭州"), ("黄冈", "湖州")},
        ),
    ],
    ids=["年画村五星村安吉县", "环溪村五四村"],
)
def test_each_place_of_a_list_of_villages_hosts(
    tagger: Tagger, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag("", body, home=home)) == expected


def test_a_community_named_like_a_district_is_no_host(tagger: Tagger) -> None:
    body = "4月12日，罗田县组织村党组织书记到蕲春县李山村和雨湖社区考察学习基层党建。"
    tags = tagger.tag("", body, home="黄冈")
    assert pairs(tags) == set()
    assert "湘潭" not in tags.cities


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("福州安庆两市医保部门来通考察学习长期护理保险", {("福州", "南通"), ("安庆", "南通")}),
        ("苏州、无锡两地医保局一行到我市考察交流", {("苏州", "南通"), ("无锡", "南通")}),
        (
            "扬州泰州盐城三市人社局来通考察学习",
            {("扬州", "南通"), ("泰州", "南通"), ("盐城", "南通")},
        ),
    ],
    ids=["福州安庆两市", "苏州无锡两地", "三市"],
)
def test_places_named_together_before_liang_shi_each_visit(
    tagger: Tagger, title: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, "", home="南通")) == expected


def test_the_home_named_with_the_visitor_before_liang_di_does_not_visit(tagger: Tagger) -> None:
    body = "扬州与我市两地医保局座谈交流，随后扬州医保局一行来通考察。"
    assert pairs(tagger.tag("", body, home="南通")) == {("扬州", "南通")}


@pytest.mark.parametrize(
    ("body", "home", "expected"),
    [
        (
            "11月24日，自治区党委书记在乌鲁木齐与青海省委书记、省人大常委会主任一行举行工作会谈。",
            "乌鲁木齐",
            {("青海", "乌鲁木齐")},
        ),
        (
            "6月5日，省委书记在广州与四川省委副书记、省长一行座谈交流。",
            "广州",
            {("四川", "广州")},
        ),
        (
            "3月2日，市委书记在昆明与大理州委书记一行举行会谈。",
            "昆明",
            {("大理", "昆明")},
        ),
    ],
    ids=["乌鲁木齐与青海", "广州与四川", "昆明与大理"],
)
def test_the_party_met_at_the_venue_is_the_guest(
    tagger: Tagger, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag("", body, home=home)) == expected


def test_two_places_joined_by_yu_in_a_trip_both_host(tagger: Tagger) -> None:
    body = "5月8日，市委书记王五率队赴苏州与无锡考察学习园区建设。"
    assert pairs(tagger.tag("", body, home="广州")) == {("广州", "苏州"), ("广州", "无锡")}


@pytest.mark.parametrize(
    ("body", "home", "leader", "receivers"),
    [
        (
            "11月24日，自治区党委书记马兴华在乌鲁木齐与青海省委书记、省人大常委会主任陈立刚一行举行"
            "工作会谈。",
            "乌鲁木齐",
            "陈立刚",
            ("马兴华",),
        ),
        (
            "6月5日，省委书记黄建国，省委副书记、省长王志明在广州与四川省委副书记、省长李德华等一行"
            "座谈交流。",
            "广州",
            "李德华",
            ("黄建国", "王志明"),
        ),
    ],
    ids=["陈立刚一行会谈", "李德华等一行座谈"],
)
def test_the_head_of_the_party_met_leads_and_the_venues_officials_receive(
    tagger: Tagger, body: str, home: str, leader: str, receivers: tuple[str, ...]
) -> None:
    (visit,) = tagger.tag("", body, home=home).visits
    assert visit.details.leader is not None
    assert visit.details.leader.name == leader
    assert "与" not in visit.details.leader.title
    assert tuple(o.name for o in visit.details.host_officials) == receivers
