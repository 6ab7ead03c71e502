"""Classes of real city-government text the visit finder missed on the visits dev set's third
and fourth blind batches: the home's own sub-districts, towns, villages and units travelling;
trips told in passing (a statement of expenses, a work report, a meeting conveying a trip); a
stay at a place's enterprises or parks and lists of sites each headed by its place; the topic
told before the purpose; abbreviations of the home's counties by their second character and
county names under an old suffix; and the leader's name in forms the details missed. Every
sentence here is written for the test, shaped like the sentences of each class."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.tag import Tagger
from crawler.tag.details import visit_dates
from tests.tag import pairs


@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        # a sub-district, town, village or community of the home travels for the home
        ("对标先进丨红山街道赴鼓楼区学习社区治理", "", "南京", set()),  # 鼓楼区 is 南京's own
        ("城南街道赴宁波市海曙区考察学习", "", "杭州", {("杭州", "宁波")}),
        ("桃源镇赴大同市云冈区开展学习观摩活动", "", "张家口", {("张家口", "大同")}),
        (
            "",
            "近日，前进村党委组织村两委成员和种植大户赴南通市海门区考察学习。",
            "连云港",
            {("连云港", "南通")},
        ),
        (
            "",
            "活动当天，社区党支部书记王红梅带领社区两委班子成员来到常州市武进区湖塘镇。",
            "南京",
            {("南京", "常州")},
        ),
        # an unnamed delegation on its own city's site
        (
            "",
            "党政考察团第一站走进绥化市安达市，就乳业发展开展考察交流。",
            "黑河",
            {("黑河", "绥化")},
        ),
        # a unit's own report or statement: 本局, 根据市局安排
        (
            "",
            "2023年，因公出差费用主要用于本局领导和两位科长赴合肥、南昌等地学习考察营商环境工作。",
            "海东",
            {("海东", "合肥"), ("海东", "南昌")},
        ),
        (
            "",
            "4月12日，根据市局统一安排到湖北宜昌考察河湖长制工作开展情况。",
            "淮安",
            {("淮安", "宜昌")},
        ),
        # a county of the home named in the clause leaves the party the home's
        (
            "",
            "10月8日至15日，县政府副县长、培训班领队李红带领定日县乡村振兴培训班学员到浙江省湖州市安吉县开展学习交流。",
            "日喀则",
            {("日喀则", "湖州")},
        ),
        # a supply cooperative and an office that organises the trip are government bodies
        ("九江市供销社赴赣州市供销社学习调研", "", None, {("九江", "赣州")}),
        (
            "",
            "近日，涟水县政务办组织窗口骨干，分别前往丹阳市、江都区等地考察学习。",
            "淮安",
            {("淮安", "镇江"), ("淮安", "扬州")},
        ),
    ],
)
def test_the_homes_own_units_travel(
    tagger: Tagger, title: str, body: str, home: str | None, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == expected


@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        # a stay at a place's enterprises or parks
        (
            "",
            "6月3日，市委书记王强带队在北京京东方科技集团考察并座谈。",
            "朔州",
            {("朔州", "北京")},
        ),
        (
            "",
            "3月8日，市长李明带领我市代表团在新疆乌鲁木齐市特变电工股份有限公司、金风科技股份有限公司考察对接项目。",
            "武威",
            {("武威", "乌鲁木齐")},
        ),
        # a list of sites after the movement, each headed by its place
        (
            "",
            "区长张伟带队赴江浙地区招商，先后深入中科新材料有限公司、国家检测中心、无锡市高新技术产业园、"
            "嘉兴市秀洲工业园区进行考察。",
            "鸡西",
            {("鸡西", "无锡"), ("鸡西", "嘉兴")},
        ),
        (
            "",
            "3月7日至8日，市商务局副局长刘洋带队，先后对大庆经开区、绥化经开区、安达经开区等地进行了考察学习。",
            "伊春",
            {("伊春", "大庆"), ("伊春", "绥化")},
        ),
        # the topic told before the purpose, a bracket after the party
        (
            "",
            "5月6日至9日，市委书记周明率领三亚市考察团（以下简称“考察团”）赴山东省烟台市、威海市，"
            "就港口建设、海洋经济、文旅融合、招商引资、科技创新等内容进行实地考察。",
            "三亚",
            {("三亚", "烟台"), ("三亚", "威海")},
        ),
        # a trip conveyed at a meeting, after another body's 精神
        (
            "",
            "会议传达学习了省委巡视组工作动员会精神和我市党政代表团赴苏州市、无锡市考察学习精神。",
            "徐州",
            {("徐州", "苏州"), ("徐州", "无锡")},
        ),
        # the hosts' own departments after 与 are not a visitor
        (
            "",
            "副市长张华带领相关部门负责人赴青岛、烟台考察学习，并与青岛、烟台两市相关部门召开座谈会。",
            "吕梁",
            {("吕梁", "青岛"), ("吕梁", "烟台")},
        ),
        # a party at an unnamed site of the home
        (
            "",
            "5月20日，南京市江宁区政务服务中心主任王刚等一行20人到访市民中心，学习交流审批改革经验。",
            "嘉兴",
            {("南京", "嘉兴")},
        ),
    ],
)
def test_stays_at_sites_and_trips_told_in_passing(
    tagger: Tagger, title: str, body: str, home: str | None, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == expected


@pytest.mark.parametrize(
    ("title", "body", "home"),
    [
        # one person alone is no delegation
        ("", "5月，本局副局长一人赴台湾学习考察，费用1万元。", "海东"),
        ("", "7月，市文旅局一名干部独自赴杭州学习考察。", "丽水"),
        # 迎接党的二十大 is no reception, a central leader's inspections are cited
        (
            "",
            "会议学习了习近平总书记在中央党校的讲话，“迎接党的二十大”专题研讨班上和湖北、四川考察时的重要讲话精神。",
            "武威",
        ),
        # mass organisations and a numbered list of villages are no city delegation
        ("", "市红十字会带四个乡镇五个重点村前往义乌红会考察学习。", "绍兴"),
        ("", "市残联组织残疾人代表赴苏州考察学习。", "南通"),
    ],
)
def test_not_a_delegations_visit(tagger: Tagger, title: str, body: str, home: str) -> None:
    tags = tagger.tag(title, body, home=home)
    assert pairs(tags) == set()
    assert tags.kind != "visit"


def test_an_autonomous_prefectures_short_form_beside_its_name(tagger: Tagger) -> None:
    # 巴州 is 巴音郭楞 when the text names it, not 巴中's 巴州区; 伊州, 昌州 alike
    body = (
        "9月5日，新疆巴音郭楞蒙古自治州人大常委会副主任王平率巴州考察团一行15人到我市考察交流。"
        "座谈会上，市人大常委会副主任对巴州考察团一行的到来表示欢迎。"
    )
    tags = tagger.tag("", body, home="廊坊")
    assert pairs(tags) == {("巴音郭楞", "廊坊")}
    assert "巴中" not in tags.cities
    # without the prefecture named, 巴州 stays 巴中's district
    assert "巴中" in tagger.tag("", "巴州区委书记率队赴成都考察。").cities


@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        # 来虞 = 上虞 (绍兴), 来浔 = 南浔 (湖州): a second character after a direction
        ("", "5月9日，金华市政协副主席李军一行来虞考察调研。", "绍兴", {("金华", "绍兴")}),
        ("", "6月2日，嘉兴市人大常委会副主任陈东一行来浔考察交流。", "湖州", {("嘉兴", "湖州")}),
        # any county's second character, unless the gazetteer has it (来邮 = 高邮, 来皋 = 如皋)
        ("", "5月9日，新疆昭苏县党政代表团来邮考察。", "扬州", {("伊犁", "扬州")}),
        ("", "6月2日，苏州市吴中区人大一行来皋考察交流。", "南通", {("苏州", "南通")}),
        # a first character still works as before (来平 = 平度 on 青岛's site)
        ("", "5月9日，潍坊市商务局一行来平考察。", "青岛", {("潍坊", "青岛")}),
    ],
)
def test_second_character_abbreviations_of_the_homes_counties(
    tagger: Tagger, title: str, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == expected


def test_a_second_character_abbreviation_is_no_city_without_a_visit(tagger: Tagger) -> None:
    # 团市委 of the home visiting its own district: no pair, and 浔 alone does not name 湖州
    tags = tagger.tag("团市委书记王丽一行来浔调研", "", home="湖州")
    assert pairs(tags) == set()
    assert "湖州" not in tags.cities


@pytest.mark.parametrize(
    ("text", "home", "city"),
    [
        ("近日，洪泽县政务办组织人员外出考察学习。", "淮安", "淮安"),  # now 洪泽区
        ("万全县组织社区干部赴石家庄考察学习。", "张家口", "张家口"),  # now 万全区
        ("江都市委书记率队赴上海考察。", None, "扬州"),  # now 江都区
    ],
)
def test_county_names_under_an_old_suffix(
    tagger: Tagger, text: str, home: str | None, city: str
) -> None:
    assert city in tagger.tag("", text, home=home).cities


@pytest.mark.parametrize(
    ("title", "body", "home", "leader", "title_of"),
    [
        # 在…的率领下
        (
            "",
            "市交通运输局、市财政局组成学习考察组，在市交通运输局党委委员、副局长张宜民的率领下，"
            "于10月14日至20日赴河南省许昌市考察学习。",
            "景德镇",
            "张宜民",
            "市交通运输局党委委员、副局长",
        ),
        (
            "",
            "8月初，一组考察团在局四级调研员李晓华同志的带领下赴鹰潭、景德镇参观学习。",
            "抚州",
            "李晓华",
            "局四级调研员",
        ),
        # a name before a deputy's title, after its body; the first of a name-first chain
        (
            "",
            "6月18日，仪征市民宗局周金龙副局长偕局相关科室人员一行，赴南京江宁区考察学习。",
            "扬州",
            "周金龙",
            None,
        ),
        ("", "3月25日，杨文亮副局长带领相关处室人员赴常州市考察学习。", "无锡", "杨文亮", None),
        ("", "刘勇副书记、孙晓东副市长一行赴江苏、福建考察学习。", "拉萨", "刘勇", "副书记"),
        # a title in brackets before 带队
        (
            "",
            "市食药监局派出由黄林副主任(副局长)带队的学习考察组，于8月8日赴太原市考察。",
            "张家口",
            "黄林",
            None,
        ),
        # a five-character name before 一行; 领队, 总工程师
        (
            "",
            "9月23日，阿拉善左旗政协副主席巴特孟和日一行10人来我县考察学习。",
            "酒泉",
            "巴特孟和日",
            None,
        ),
        (
            "",
            "10月21日，县政府副县长、培训班领队王翠红带领培训班学员到陕西省汉中市开展学习交流。",
            "林芝",
            "王翠红",
            None,
        ),
        (
            "",
            "5月16日，南昌市林业局总工程师杨文宁率领湿地保护区领导班子到九江永修考察学习。",
            "南昌",
            "杨文宁",
            None,
        ),
        # an organ before 率团 is no name; its head is named in the body
        (
            "市国资委率团到深圳市开展招商合作交流",
            "6月15日至17日，市国资委主任、党委副书记刘明志率建设集团、城投集团到深圳市开展学习考察。",
            "哈尔滨",
            "刘明志",
            None,
        ),
        # a name right after its body, no title
        ("", "3月19日下午，江苏省海门市人大管云海一行来虞考察交流。", "绍兴", "管云海", None),
        # the head named with 一行 in the sentence after the title's visit
        (
            "柳州市柳北区来溧调研交流社区治理工作",
            "杜兵一行先后到荷花社区、区城市展览中心进行实地考察学习。",
            "南京",
            "杜兵",
            None,
        ),
    ],
)
def test_leaders_in_more_forms(
    tagger: Tagger, title: str, body: str, home: str, leader: str, title_of: str | None
) -> None:
    tags = tagger.tag(title, body, home=home)
    assert tags.visits, "the visit is found"
    found = tags.visits[0].details.leader
    assert found is not None and found.name == leader
    if title_of is not None:
        assert found.title == title_of


@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        # the end of a stay told as 结束在Y的学习考察, 在Y取经, 在Y…陪同下考察, 对X、Y…进行了考察
        (
            "",
            "5月8日，我市党政代表团结束在杭州的学习考察行程后，召开小结座谈会。",
            "吉安",
            {("吉安", "杭州")},
        ),
        ("我县党政考察团在浙江省安吉县取经", "", "萍乡", {("萍乡", "湖州")}),
        (
            "",
            "3月1日，陕西省汉中市水务局局长李刚一行在庆阳市水务局副局长王伟陪同下考察学习水库清淤经验。",
            "庆阳",
            {("汉中", "庆阳")},
        ),
        (
            "",
            "黑河市河湖长办组织工作人员，于7月10日对铁力市、宝清县幸福河湖建设进行了集体考察学习。",
            "黑河",
            {("黑河", "伊春"), ("黑河", "双鸭山")},
        ),
        # the purpose after a long list of sites
        (
            "",
            "5月23日，柳林镇组织村两委主干60人，赴晋城市泽州县东村、南村、西村、大阳古镇及高平市河西镇"
            "苏庄村考察学习先进经验。",
            "太原",
            {("太原", "晋城")},
        ),
        # a list of sites named after small towns (小镇) goes on to the next host
        (
            "",
            "考察团一行先后赴浙江建德航空小镇、新昌万丰航空小镇以及湖北荆门爱飞客航空小镇学习考察。",
            "景德镇",
            {("景德镇", "杭州"), ("景德镇", "绍兴"), ("景德镇", "荆门")},
        ),
        # the home's bureau and work committee by their bare names; the home's unit received a party
        ("县卫健委赴盐城市亭湖区考察学习健康教育工作", "", "扬州", {("扬州", "盐城")}),
        (
            "",
            "11月7日，区党工委书记王东率相关部门负责人赴浙江杭州学习特色小镇建设经验。",
            "景德镇",
            {("景德镇", "杭州")},
        ),
        ("", "5月11日，保定市自然资源局来我局考察地价管理工作。", "无锡", {("保定", "无锡")}),
        # 苏州市民宗局 is a bureau, not a crowd of 市民
        ("苏州市民宗局组织人员来海安考察学习", "", "南通", {("苏州", "南通")}),
    ],
)
def test_stays_and_home_units_of_batch_five(
    tagger: Tagger, title: str, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == expected


@pytest.mark.parametrize(
    ("title", "body", "home"),
    [
        # party schools, trade unions, model workers and religious figures: never a delegation
        ("", "3月28日，仪征市委党校常务副校长李明一行来区委党校开展工作交流。", "南京"),
        ("", "7月3日，庄浪县总工会党组书记王庚一行赴临夏市总工会交流学习。", "平凉"),
        ("", "10月9日，曲水县民族团结模范代表团20名成员抵达泰州考察学习。", "泰州"),
        ("", "10月14日，由林周县20名各界民族团结模范组成的代表团赴兴化市考察学习。", "泰州"),
        ("", "在圆满完成宗教界代表人士赴北京、四川成都等地的交流学习后，召开总结会。", "林芝"),
        # a weak county name inside a hall's or school's name is no host
        ("", "考察组一行先后到宁蒗支教展馆、明道小学考察学习。", "南通"),
    ],
)
def test_never_a_delegation_and_names_inside_sites(
    tagger: Tagger, title: str, body: str, home: str
) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == set()


@pytest.mark.parametrize(
    ("text", "home", "absent"),
    [
        (
            "考察组先后深入山东省宁阳一中、历城二中和济南三中四所学校交流。",
            "邢台",
            {"泰安", "济南"},
        ),
        ("社区干部赴高平市东城街道沟北村学习。", "太原", {"东莞"}),
        ("考察团先后到樟树镇、新城镇鱼仙村考察。", "赣州", {"嘉峪关"}),
        ("为荆门建设江汉平原中心城市贡献力量。", "荆门", {"武汉"}),
        ("对指导龙江振兴发展同样具有重要意义。", "牡丹江", {"齐齐哈尔"}),
        ("省委宣传部调研组到廊坊日报社调研。", "保定", {"廊坊"}),
        ("12月3日，该乡组织党员干部到大田洼乡学习考察。", "张家口", {"三明"}),
        ("会议强调，要深入推进京津冀协同发展。", "廊坊", {"北京"}),
    ],
)
def test_words_and_sites_that_hold_a_place_name(
    tagger: Tagger, text: str, home: str, absent: set[str]
) -> None:
    assert not absent & set(tagger.tag("", text, home=home).cities)


@pytest.mark.parametrize(
    ("title", "body", "home", "city"),
    [
        # 返京/进京: the verb makes the abbreviation plain
        ("", "总书记在浙江考察后，返京途中在山东枣庄考察。", None, "北京"),
        ("", "代表团进京汇报工作。", None, "北京"),
        # 浙江建德: a county right after its province, whatever jieba joins
        ("", "考察团赴浙江建德寿昌航空小镇考察。", None, "杭州"),
        # 与康县委: a function word jieba glued to the county's first character
        ("", "清华大学书院与康县委组织部举行签约仪式。", "陇南", "陇南"),
    ],
)
def test_places_the_words_make_plain(
    tagger: Tagger, title: str, body: str, home: str | None, city: str
) -> None:
    assert city in tagger.tag(title, body, home=home).cities


@pytest.mark.parametrize(
    ("title", "body", "home", "site_city"),
    [
        # the publishing body's site closing the repeated title line
        (
            "市信访局召开学习会",
            "市信访局召开学习会-工作要闻_1082-运城市信访局。5月2日，市信访局召开学习会。",
            "运城",
            "运城",
        ),
        # X市人民政府X要闻 before the headline
        (
            "全市宣传系统召开学习研讨会",
            "白银市人民政府白银要闻全市宣传系统召开学习研讨会。12月2日下午，全市宣传系统召开学习研讨会。",
            "白银",
            "白银",
        ),
    ],
)
def test_the_sites_own_name_is_no_place_of_the_story(
    tagger: Tagger, title: str, body: str, home: str, site_city: str
) -> None:
    assert site_city not in tagger.tag(title, body, home=home).cities


def test_a_never_delegations_story_keeps_its_later_party(tagger: Tagger) -> None:
    # the union of the title is the 考察组一行 of the body: no home delegation is made of it
    tags = tagger.tag(
        "华池县总工会赴定西市考察学习工会工作",
        "7月3日，华池县总工会党组书记刘东一行赴定西市总工会交流学习。"
        "考察组一行先后到定西市职工服务中心、定西市融媒体中心考察。",
        home="庆阳",
    )
    assert pairs(tags) == set()
    assert tags.kind != "visit"


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        # a body's or area's plan by its own title
        ("2015年临泽县国土资源局党组中心组学习计划", "policy"),
        ("玉树地区农业农村发展十三五规划", "policy"),
        ("青海省水利厅所属事业单位2022年公开招聘工作人员方案", "policy"),
        # a bureau answering reporters on a measure explains it
        ("市住建局负责人就老旧小区改造答记者问", "policy"),
        # a company's recruitment notice is a company's, not a government's
        ("湖北长江建设工程有限公司招聘专业技术人员公告", "other"),
        ("市交通投资集团招聘工作人员公告", "other"),
        # news about a plan is not the plan, a work report with next year's plan is a report
        ("我市召开国土空间规划编制工作推进会", "other"),
        ("县档案局2022年工作总结及2023年工作计划", "other"),
        ("滨海县城管局加强新建小区店招店牌规划", "other"),
    ],
)
def test_kind_of_document_titles(tagger: Tagger, title: str, kind: str) -> None:
    assert tagger.tag(title, "").kind == kind


@pytest.mark.parametrize(
    ("body", "home", "expected"),
    [
        # 他们/该局 opening an earlier clause: the home's unit the story is about
        (
            "今年以来，黄梅县检察院推进案件管理改革。半年多来，他们组建改革领导小组，完善工作制度，"
            "并到南京市江宁区检察院考察学习。",
            "黄冈",
            {("黄冈", "南京")},
        ),
        (
            "该局完善窗口服务制度，并组织骨干赴苏州市吴中区政务服务中心考察学习。",
            "淮安",
            {("淮安", "苏州")},
        ),
        # the story's named party when there is one
        (
            "5月9日，宁波市北仑区党政代表团来我市考察。他们还将赴舟山市普陀区考察港口建设。",
            "台州",
            {("宁波", "台州"), ("宁波", "舟山")},
        ),
    ],
)
def test_a_pronoun_opening_the_story_s_clause(
    tagger: Tagger, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag("", body, home=home)) == expected


def test_a_dotted_name_after_a_standing_committees_title(tagger: Tagger) -> None:
    tags = tagger.tag(
        "", "9月14日，伊宁县人大常委会主任艾买提·买买提一行来到我区考察学习。", home="泰州"
    )
    leader = tags.visits[0].details.leader
    assert leader is not None and leader.name == "艾买提·买买提"


def test_a_hosts_leading_group_is_no_official(tagger: Tagger) -> None:
    # 领导班子陪同下: the hosts' group, not a person chaining the guest's head into the hosts
    tags = tagger.tag(
        "",
        "3月1日，陕西省汉中市水库管理局局长王新弟一行18人在庆阳市水务局副局长柴伟及"
        "庆阳市水库管理所领导班子陪同下考察学习清淤工程建设经验。",
        home="庆阳",
    )
    (visit,) = tags.visits
    assert visit.details.leader is not None and visit.details.leader.name == "王新弟"
    assert [o.name for o in visit.details.host_officials] == ["柴伟"]


@pytest.mark.parametrize(
    ("title", "home", "expected"),
    [
        # a company named first, then the place of its site
        ("江宁区领导和企业代表到建工公司合肥地铁施工现场考察指导", None, {("南京", "合肥")}),
        ("王海东赴绿源公司昆明宜良示范基地进行学习考察", "张家口", {("张家口", "昆明")}),
    ],
)
def test_a_companys_site_in_another_place(
    tagger: Tagger, title: str, home: str | None, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, "", home=home)) == expected


@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        # a central leader's inspection after another meeting's 精神 is still no city visit
        (
            "",
            "4月27日，市委常委会召开会议，传达学习习近平总书记在座谈会上的重要讲话精神和在成都考察时的"
            "重要讲话重要指示精神。",
            "兰州",
            set(),
        ),
        # a model city's award (双拥模范城) beside a provincial trip conveyed at the meeting
        (
            "",
            "市委常委会召开扩大会议，传达学习全国双拥模范城命名表彰大会精神、河北省援疆工作考察团到新疆"
            "学习考察精神。",
            "保定",
            {("河北", "新疆")},
        ),
        # a women's federation is a mass organisation
        ("", "11月11日，南京浦口区妇联副主席王月率队来我市考察。", "南通", set()),
        # a list across sites keeps each province's city (no collapse onto the last one)
        (
            "",
            "考察组一行先后来到河南省郑州市牧原集团养殖基地、河南省南阳市卧龙区养殖企业等地实地观摩。",
            "平凉",
            {("平凉", "郑州"), ("平凉", "南阳")},
        ),
        # 到泰州、镇江: a city before a list's next city (镇江) is no township of it
        (
            "",
            "扬州市信访局局长苏根带队到泰州、镇江、盐城三市，重点就信访问题处置工作进行了考察学习。",
            "扬州",
            {("扬州", "泰州"), ("扬州", "镇江"), ("扬州", "盐城")},
        ),
        # a bay, a sub-district and a chamber named after a place are not the place
        ("", "考察组一行现场考察了杭州湾日出观景平台项目。", "嘉兴", set()),
        ("", "考察组一行先后来到了新安街道居家养老服务中心进行调研。", "无锡", set()),
        # non-party figures a 统战部 sends with no official at their head: trainees (vd1017)
        (
            "拉萨市委统战部组织党外代表人士赴林芝市考察",
            "考察组先后前往林芝市经开区产业园、林芝市福建商会进行参观考察。",
            "拉萨",
            set(),
        ),
    ],
)
def test_precision_classes_of_the_unannotated_rows(
    tagger: Tagger, title: str, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == expected


@pytest.mark.parametrize(
    ("sentence", "published", "expected"),
    [
        # two days joined by 、
        (
            "3月20、21日，市医保局局长带队赴苏州考察学习。",
            "2024-03-25",
            ("2024-03-20", "2024-03-21"),
        ),
        ("5月8、9日，考察团赴杭州考察。", "2023-05-12", ("2023-05-08", "2023-05-09")),
        # a day right after a byline's bracket
        ("日报讯（记者王红）7日，镇江市考察团来我县考察学习。", "2023-02-09", ("2023-02-07",) * 2),
        (
            "（通讯员李明）12日至13日，考察团来我市考察。",
            "2023-06-15",
            ("2023-06-12", "2023-06-13"),
        ),
    ],
)
def test_dates_in_more_forms(sentence: str, published: str, expected: tuple[str, str]) -> None:
    assert visit_dates(sentence, date.fromisoformat(published)) == expected


@pytest.mark.parametrize(
    ("title", "home", "expected"),
    [
        # coming to an unnamed site or a town of the home: 来 says the host is the publisher's
        ("陕西省延安市宝塔区人大考察团来邵伯镇考察学习", "扬州", {("延安", "扬州")}),
        ("苏州市行政服务中心一行来中心考察学习", "扬州", {("苏州", "扬州")}),
        ("在全省率先实现城乡供水一体化襄阳市考察团前来考察学习", "荆门", {("襄阳", "荆门")}),
        ("考察团一行带来了学习资料", "荆门", set()),
        # a town's people's congress travels for the home
        ("店口镇人大到湖州市学习人大代表联络站建设工作", "绍兴", {("绍兴", "湖州")}),
        # a sub-district's team, a county's health system, a 兵团 regiment's delegation
        ("洪武路街道组队赴杭州恒生科技园总部考察学习", "南京", {("南京", "杭州")}),
        ("山西隰县卫计系统来我县考察学习", "嘉兴", {("临汾", "嘉兴")}),
        ("新疆生产建设兵团第十师一八四团代表团来我市考察调研", "鸡西", {("新疆", "鸡西")}),
        # bodies and zones of the home by their bare names, however the party is formed
        ("港区城管执法局组织人员赴杭州学习考察城市管理工作", "嘉兴", {("嘉兴", "杭州")}),
        ("九江市审计局市财政局组队赴成都市审计局考察大数据审计工作", None, {("九江", "成都")}),
        ("新区赴合阳县考察学习", "镇江", {("镇江", "渭南")}),
        ("市供销总社组织监事会成员赴苏州考察学习", "南通", {("南通", "苏州")}),
        ("浙江省衢江区档案馆赴新吴区考察学习", "无锡", {("衢州", "无锡")}),
        ("镇江句容市农委组织来扬考察特色渔业", "扬州", {("镇江", "扬州")}),
        ("嘉兴组团赴沪考察学习智慧教育", None, {("嘉兴", "上海")}),
        ("邹华率县发改委财政局商务局等部门到厦门学习考察总部经济", "赣州", {("赣州", "厦门")}),
        ("我委组织企业赴上海市金山区学习考察", "嘉兴", {("嘉兴", "上海")}),
        # the home's unit and the home city's own second character as the host
        ("济南市政务服务中心主任高东赴我办考察交流", "镇江", {("济南", "镇江")}),
        ("遵义市党政代表团来饶考察", "上饶", {("遵义", "上饶")}),
        # 来秀洲: jieba glues 来 to the district's name
        ("南京市六合区来秀洲考察学习市场监管相关工作", "嘉兴", {("南京", "嘉兴")}),
        # a city's departments named by their number
        ("无锡市三部门赴扬州考察学习宗教院校发展情况", None, {("无锡", "扬州")}),
        # 赴京津 followed by a region of the same trip
        (
            "我市党政代表团赴京津珠三角考察招商系列报道",
            "承德",
            {("承德", "北京"), ("承德", "天津")},
        ),
    ],
)
def test_coming_to_the_home_and_more_parties(
    tagger: Tagger, title: str, home: str | None, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, "", home=home)) == expected
