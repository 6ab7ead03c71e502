"""Trip frames met on the fifteenth batch of the visits dev set (issue 19): a municipality's
abbreviation right before the place of the stay (率队赴京在…研究院考察); a bare bureau of the home
(12月16日行政审批局会同发改委…赴苏州), the home's procuratorate or court (市检察院组织人员前往…)
and its unnamed leading cadres (30余名领导干部来到…) as the party, after a half-width comma too;
a town of a county named in full, or the host's own bureau, before the stay (在文县中庙镇考察,
在西宁市…管理局进行了学习交流); a place after a description of it and a dash (来到…示范区——成都，);
an investment trip as the stay (在山东省招商洽谈考察); an institute in the title that is the place
visited, not a travelling body (姜四清在…研究院考察调研); a place after an epithet and a dash
(赴藏东明珠——昌都市); a place named in full before its institution (赴沁源县太岳干部学院), a
city's state-level zone as the party (保定国家高新区市场监管分局), 至 before a stay in a work
report's subjectless clause, while a central body, a date range or a route give no pair; hosts after
a long description of them (赴…排名第一方阵的宿迁、淮安等地) and parties listed with their province
or district (河南省郑州市、南京市江宁区代表团). Sentences written for these tests, shaped like city news."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger
from tests.tag import pairs


@pytest.mark.parametrize(
    ("title", "body", "home", "pair"),
    [
        (
            "",
            "3月9日，市委书记姜四清率队赴京在中国华能集团清洁能源技术研究院考察调研。",
            "朔州",
            ("朔州", "北京"),
        ),
        ("", "市长王强带队赴沪在上海交通大学洽谈校地合作。", "盐城", ("盐城", "上海")),
        # the institute in the title is where the party went; the text's party is the home's
        (
            "姜四清在中国华能集团清洁能源技术研究院考察调研",
            "3月9日，市委书记姜四清率队赴京在中国华能集团清洁能源技术研究院考察调研。",
            "朔州",
            ("朔州", "北京"),
        ),
        (
            "行政审批局赴苏州自由贸易区考察学习",
            "12月16日行政审批局会同发改委、商务局、市场监管局赴苏州工业园区行政审批局考察学习。",
            "南京",
            ("南京", "苏州"),
        ),
        ("", "自然资源和规划局赴嘉兴市学习考察国土空间规划工作。", "湖州", ("湖州", "嘉兴")),
        # the home's procuratorate or court, like its bureaus
        (
            "",
            "3月25日，市检察院组织人员前往贵州省黔南州贵定县人民检察院考察学习数字检察工作。",
            "儋州",
            ("儋州", "黔南"),
        ),
        ("", "区法院组织干警赴苏州市中级人民法院考察学习。", "无锡", ("无锡", "苏州")),
        # a town of the county named in full before the stay
        ("", "青川县委常委仲满成带领考察团在文县中庙镇考察学习。", "陇南", ("广元", "陇南")),
        ("", "台州市考察团在宁海县前童镇进行考察。", "宁波", ("台州", "宁波")),
        # the host's own bureau as the place of the stay
        (
            "",
            "近日，海东市各县（区）房产局主管局长等30余人在西宁市住房保障和房地产管理局进行了"
            "为期一天的学习交流。",
            "海东",
            ("海东", "西宁"),
        ),
        ("", "张掖市自然资源局一行在酒泉市自然资源局开展了学习交流。", "酒泉", ("张掖", "酒泉")),
        # the home's bureau after a half-width comma, as after a full-width one
        (
            "",
            "研修班一行58人,由市教育局副局长程永清带队，赴青岛进行为期7天的学习交流考察。",
            "淮安",
            ("淮安", "青岛"),
        ),
        ("", "考察组一行12人,县发改局局长王涛带队，赴苏州市考察学习。", "宿迁", ("宿迁", "苏州")),
        # the place after a description of it and a dash; the home's unnamed leading cadres
        (
            "",
            "4月22日，30余名领导干部来到践行新发展理念的公园城市示范区——成都，学习城市发展经验。",
            "秦皇岛",
            ("秦皇岛", "成都"),
        ),
        (
            "",
            "区考察团赴习近平总书记点赞的千万工程发源地——湖州，学习考察。",
            "宜春",
            ("宜春", "湖州"),
        ),
        # an investment trip as the stay (在山东省招商洽谈考察)
        ("", "市长王立伟率队在山东省招商洽谈考察。", "吕梁", ("吕梁", "山东")),
        ("", "县委书记李明带队在深圳市招商推介。", "赣州", ("赣州", "深圳")),
    ],
)
def test_trip_frames_give_the_pair(
    tagger: Tagger, title: str, body: str, home: str, pair: tuple[str, str]
) -> None:
    assert pair in pairs(tagger.tag(title, body, home=home))


@pytest.mark.parametrize(
    ("body", "home"),
    [
        # a province's bureau is not the home's; a named city's bureau is that city's
        ("省自然资源厅会同省林业局赴嘉兴市调研。", "湖州"),
        # 赴 + a word that is no abbreviation before 在
        ("市长王强赴会在上海交通大学作报告。", "盐城"),
    ],
)
def test_no_home_party_from_other_bodies(tagger: Tagger, body: str, home: str) -> None:
    assert (home, "嘉兴") not in pairs(tagger.tag("", body, home=home))
    assert (home, "上海") not in pairs(tagger.tag("", body, home=home))


@pytest.mark.parametrize(
    "body",
    [
        "海东市房产局局长在西宁市住房保障和房地产管理局工作多年。",
        "海东市房产局局长在西宁市召开的会议上发言。",
    ],
)
def test_a_bureau_named_with_no_stay_gives_no_pair(tagger: Tagger, body: str) -> None:
    assert pairs(tagger.tag("", body, home="海东")) == set()


@pytest.mark.parametrize(
    "body",
    [
        # a dash with no trip before it, and a village's cadres
        "座谈会上，专家介绍了公园城市示范区——成都，这一城市发展的新模式。",
        "4月22日，30余名村干部来到践行新发展理念的示范村——成都郫都区战旗村，学习乡村振兴经验。",
    ],
)
def test_no_home_trip_from_a_dash_alone_or_village_cadres(tagger: Tagger, body: str) -> None:
    assert ("秦皇岛", "成都") not in pairs(tagger.tag("", body, home="秦皇岛"))


def test_towns_named_like_counties_give_no_host(tagger: Tagger) -> None:
    # 新城|镇, 池江|镇: towns whose names a county elsewhere has, not the county's
    body = "学习团一行先后来到黄龙镇旱田村、池江镇兰溪村、新城镇鱼仙村等地进行实地考察。"
    assert pairs(tagger.tag("", body, home="赣州")) == set()


def test_a_named_citys_bureau_stays_that_citys(tagger: Tagger) -> None:
    body = "12月16日，无锡市行政审批局会同发改委赴苏州工业园区考察学习。"
    assert pairs(tagger.tag("", body, home="南京")) == {("无锡", "苏州")}


# Round eleven (the sixteenth and seventeenth batches): who travels when the trip's frame names
# no place for its party.


@pytest.mark.parametrize(
    ("body", "home", "expected"),
    [
        # the home travelling with its province's delegation, the province named
        (
            "5月5日至11日，哈尔滨市代表团随黑龙江省代表团赴广东开展学习考察。",
            "哈尔滨",
            {("黑龙江", "广东")},
        ),
        (
            "市党政代表团随四川省党政代表团赴浙江省杭州市学习考察。",
            "绵阳",
            {("绵阳", "杭州")},
        ),
        ("我市代表团跟随省代表团赴江苏苏州考察。", "淮北", {("淮北", "苏州")}),
    ],
)
def test_the_home_with_its_provinces_delegation(
    tagger: Tagger, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert expected <= pairs(tagger.tag("", body, home=home))


@pytest.mark.parametrize(
    ("title", "body", "home", "pair"),
    [
        # an unnamed team led by a named person, on the home's site
        ("郑志明率考察组赴兴化市考察学习", "", "扬州", ("扬州", "泰州")),
        ("", "6月2日，王立新带领调研组到如皋市调研。", "盐城", ("盐城", "南通")),
        ("", "李东率领考察团赴昆山考察学习营商环境。", "宿迁", ("宿迁", "苏州")),
        # a trip known from its report-back meeting
        ("铁力市召开赴贵阳考察学习座谈会", "", "伊春", ("伊春", "贵阳")),
        ("", "8月26日，新沂市召开赴昆山学习考察汇报会。", "徐州", ("徐州", "苏州")),
        ("", "沭阳县举行赴浙江义乌考察学习交流会，谈体会。", "宿迁", ("宿迁", "金华")),
        # a trip a meeting hears of: the party named before the movement, else the home
        ("", "会议听取了同江市赴兰考县学习考察扶贫工作情况的汇报。", "佳木斯", ("佳木斯", "开封")),
        ("", "会议听取了市发改委赴德州考察学习报告。", "衡水", ("衡水", "德州")),
        ("", "会议听取了关于赴浙江考察优化营商环境工作的情况报告。", "上饶", ("上饶", "浙江")),
        ("", "常委会通报了县考察团到苏州学习考察的情况。", "淮安", ("淮安", "苏州")),
        ("", "会上介绍了赴苏州镇江两地考察学习情况。", "宿迁", ("宿迁", "镇江")),
        # the meeting on the trip, chaired by a person (a commissar who shares a central name)
        ("", "近日，王毅政委主持召开赴赣州五县学习考察工作座谈会。", "上饶", ("上饶", "赣州")),
        # a task force, an enforcement team as the party
        ("", "近日，崆峒区招商专班赴陕西省府谷县开展招商考察。", "平凉", ("平凉", "榆林")),
        ("", "近日，绍兴市卫生健康行政执法队赴宁波考察学习。", "绍兴", ("绍兴", "宁波")),
        # a stay with its topic between place and verb
        (
            "",
            "清徐县县长李福贵带领考察团在我县就特色小镇建设、乡村振兴工作进行考察学习。",
            "临汾",
            ("太原", "临汾"),
        ),
        ("", "考察团在乡宁县就乡村振兴工作开展实地调研。", "太原", ("太原", "临汾")),
        # a long topic, and a stay told 深入地
        (
            "",
            "市局局长张兵带领相关处室负责人，赴南京、常州等四地，就医保管理体制机制和机构设置、"
            "市辖区医保经办机构管理模式、医保经办服务体系建设及乡镇赋权等内容进行了深入地考察学习。",
            "南通",
            ("南通", "常州"),
        ),
        # a court, a procuratorate as the party; a system's officials
        ("万载县法院来余干县法院学习考察", "", "上饶", ("宜春", "上饶")),
        ("", "万载县人民检察院赴余干县检察院学习考察。", "宜春", ("宜春", "上饶")),
        (
            "",
            "近日，茅箭区教育系统相关负责人赴北京市大兴区教委考察学习。",
            "十堰",
            ("十堰", "北京"),
        ),
        # the home's bureau as host with the topic before the verb; a 州 by its short name
        (
            "",
            "12月13日，沧州市政府副秘书长陈瑞龙带队一行5人来我局就政务服务中心建设等方面进行考察学习。",
            "邢台",
            ("沧州", "邢台"),
        ),
        ("", "4月28日至29日，新疆克州党政代表团在南昌考察学习。", "南昌", ("克孜勒苏", "南昌")),
        # a mass body led by a city official (its 人大常委会副主任), under a title naming the body
        (
            "华亭市工商联赴宝鸡市开展考察学习及招商引资工作",
            "近日，市人大常委会副主任带领市工商联负责人及部分民营企业家代表赴宝鸡市开展考察学习。",
            "平凉",
            ("平凉", "宝鸡"),
        ),
        # a stay after a comma at a site the text does not place: the publisher's
        (
            "",
            "7月13日上午，武汉市民政局处长孙国武、副调研员桂丽霞一行到玄武湖街道板仓社区，参观考察社区"
            "治理工作。",
            "南京",
            ("武汉", "南京"),
        ),
        # an institute's head leading, the party's clause before its movement's
        (
            "",
            "5月9日，青海省动物卫生监督所副所长唐国盛率畜禽屠宰管理科等相关人员一行4人，来宝应县考察"
            "学习生猪集中定点屠宰管理工作。",
            "扬州",
            ("青海", "扬州"),
        ),
        # a county named in full as a later item of the sites visited
        (
            "",
            "泾明乡党委组织乡村干部70多人赴南梁革命烈士纪念馆、宁县海升集团现代果品示范园区学习考察。",
            "平凉",
            ("平凉", "庆阳"),
        ),
        # adverbs between the party and its movement
        (
            "",
            "近日，广宗经济开发区分别赴鸡泽、清河两地经济开发区对标学习。",
            "邢台",
            ("邢台", "邯郸"),
        ),
        # one official heading a party department and a media centre leads the centre's party
        (
            "",
            "9月1日，松滋市委宣传部副部长、市融媒体中心主任廖义华带队来东宝区考察交流。",
            "荆门",
            ("荆州", "荆门"),
        ),
        # a task group as the party; the place that welcomes a team as its host
        ("大同市绿色金融试验区推进组成员赴江西深圳考察绿色金融工作", "", "大同", ("大同", "深圳")),
        ("桦川县迎来山西临汾志愿服务学习考察组", "", "佳木斯", ("临汾", "佳木斯")),
        # a stay at a company, then at an institute, of the place
        (
            "",
            "3月10日，市委书记姜四清在北京集创北方科技股份有限公司、中石化石油化工科学研究院考察。",
            "朔州",
            ("朔州", "北京"),
        ),
        # the home's park organising its cadres' trip
        (
            "",
            "11月11至12日，陶瓷工业园区组织园区、乡、村三级干部共50余人奔赴九江市共青城、武宁"
            "进行考察学习活动。",
            "景德镇",
            ("景德镇", "九江"),
        ),
        ("", "高新区组织机关干部赴合肥高新区学习考察。", "芜湖", ("芜湖", "合肥")),
        # a team named for its trip is the party; the place after its movement the host
        (
            "",
            "5月16日，海南省政协副主席张海国带领海南省政协赴赣考察团到靖安县考察林改工作。",
            "宜春",
            ("海南", "宜春"),
        ),
        ("", "江苏省赴黔学习考察团一行到遵义市考察。", "遵义", ("江苏", "遵义")),
    ],
)
def test_parties_named_by_their_frame(
    tagger: Tagger, title: str, body: str, home: str, pair: tuple[str, str]
) -> None:
    assert pair in pairs(tagger.tag(title, body, home=home))


@pytest.mark.parametrize(
    ("body", "home", "wrong"),
    [
        # a team named for a province is not a trip to the province
        ("海南省政协赴赣考察团到靖安县考察林改工作。", "宜春", ("海南", "江西")),
        ("江苏省赴黔学习考察团一行到遵义市考察。", "遵义", ("江苏", "贵州")),
        # a meeting that is no report-back on a trip
        ("新沂市召开招商引资座谈会，邀请昆山客商参加。", "徐州", ("徐州", "苏州")),
        # a university's institute visited, no place named: not the publisher's
        (
            "海南琼中县赴江苏考察团一行8人日前来到江苏科技大学蚕研所考察学习。",
            "镇江",
            ("海南", "镇江"),
        ),
        ("考察组一行来到市农科院考察学习育种技术。", "镇江", ("镇江", "镇江")),
        # a park's enterprises, not its cadres
        ("高新区组织企业赴合肥参加展会。", "芜湖", ("芜湖", "合肥")),
    ],
)
def test_frames_that_name_no_such_trip(
    tagger: Tagger, body: str, home: str, wrong: tuple[str, str]
) -> None:
    assert wrong not in pairs(tagger.tag("", body, home=home))


# --- hosts: an epithet before the place ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        ("今年7月，天津市委书记率天津市党政代表团赴藏东明珠——昌都市考察调研。", ("天津", "昌都")),
        ("5月，我市代表团前往千年瓷都——景德镇市学习考察陶瓷产业。", ("南昌", "景德镇")),
    ],
)
def test_an_epithet_before_the_host(tagger: Tagger, text: str, pair: tuple[str, str]) -> None:
    assert pair in pairs(tagger.tag("两地交流合作", text, home="南昌"))


def test_a_dash_without_a_visit_verb_gives_no_host(tagger: Tagger) -> None:
    tags = tagger.tag("城市印象", "瓷都——景德镇市的陶瓷文化源远流长。", home="南昌")
    assert not tags.visits


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


# --- hosts after a long description; parties listed with a province or a district ----------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "5月3日，县委副书记徐志豪带领园区班子成员赴全省共建园区考核排名第一方阵的宿迁、淮安等地"
            "共建园区考察学习。",
            {("连云港", "宿迁"), ("连云港", "淮安")},
        ),
        (
            "市商务局组织人员前往有着世界小商品之都美誉的义乌等地考察学习。",
            {("连云港", "金华")},
        ),
    ],
)
def test_hosts_after_a_description_of_them(
    tagger: Tagger, body: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag("考察学习", body, home="连云港")) == expected


def test_a_description_with_no_list_or_stay_after_gives_no_host(tagger: Tagger) -> None:
    # the place ends the phrase with nothing of a trip after it
    assert (
        pairs(tagger.tag("会议", "会议前往县里最具代表性的南京路口开展执勤。", home="连云港"))
        == set()
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # a province before its city, a city before its district: one listed party each
        (
            "上周，河南省郑州市、南京市江宁区代表团来通考察学习共享单车治理模式。",
            {("郑州", "南通"), ("南京", "南通")},
        ),
        ("昌吉市、阿克苏市代表团来我市考察学习。", {("昌吉", "南通"), ("阿克苏", "南通")}),
    ],
)
def test_listed_parties_named_with_their_province_or_district(
    tagger: Tagger, body: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag("来通考察", body, home="南通")) == expected


def test_the_economic_circle_of_two_cities_is_no_district(tagger: Tagger) -> None:
    # 双城 is a district of 哈尔滨; 成渝地区双城经济圈 is a region, 双城记 a tale
    body = "陇南市党政代表团到成都市考察学习双城经济圈建设、公园城市建设等工作，讲好双城记。"
    tags = tagger.tag("考察学习", body, home="陇南")
    assert "哈尔滨" not in tags.cities
    assert pairs(tags) == {("陇南", "成都")}


@pytest.mark.parametrize(
    "body",
    [
        # a place in the name of a site visited, then the host's official in the next clause
        "市委书记带队赴上海考察，参观了国家超级计算无锡中心，专程拜访了无锡市委书记。",
        # the host's official the party met after the trip's verb
        "市委书记带队赴上海考察，会见了无锡市委书记杜小刚。",
    ],
)
def test_the_hosts_official_after_the_verb_is_no_guest(tagger: Tagger, body: str) -> None:
    assert ("无锡", "上海") not in pairs(tagger.tag("考察招商", body, home="武威"))


@pytest.mark.parametrize(
    "body",
    [
        "会议听取了省农业厅赴浙江考察情况的汇报。",  # another body's trip, not the home's
        "会议听取了赴浙江挂职干部的工作情况汇报。",  # cadres posted there
        "会议传达学习了习近平总书记在浙江考察时的重要讲话精神。",  # a central leader's inspection
    ],
)
def test_a_meeting_that_hears_of_no_trip_of_the_home(tagger: Tagger, body: str) -> None:
    assert not pairs(tagger.tag("", body, home="上饶"))


def test_staff_of_a_research_academy_led_to_a_place_are_no_delegation(tagger: Tagger) -> None:
    """Its stations' heads (崆峒、高平试验站…主要负责人) do not make a county the party."""
    body = (
        "院党委书记孙智清带领相关科室、崆峒、高平试验站、蔬菜、作物研究所主要负责人和专业技术"
        "人员赴武威市天祝藏族自治县、武威市农业科学研究院考察学习。"
    )
    assert not pairs(tagger.tag("市农科院赴武威考察学习藜麦产业发展情况", body, home="平凉"))


@pytest.mark.parametrize("body", ["我县迎来新一轮降雨。", "我县迎来浙江客商考察团。"])
def test_what_a_place_welcomes_is_no_delegation_unless_it_is_one(tagger: Tagger, body: str) -> None:
    assert not pairs(tagger.tag("", body, home="佳木斯"))


@pytest.mark.parametrize(
    ("body", "home"),
    [
        # a state-level new area under the province is not the publisher's site
        ("今天，北京市党政代表团到雄安新区考察。", "保定"),
        # who reported to the leader, and where the leader was going, are not the party
        ("专门听取了陕西省委和省政府工作汇报并在前往陕西途中考察了山西运城。", "运城"),
    ],
)
def test_no_party_from_a_new_area_a_report_or_a_destination(
    tagger: Tagger, body: str, home: str
) -> None:
    assert not any(v.visitor in ("北京", "陕西") for v in tagger.tag("", body, home=home).visits)


@pytest.mark.parametrize(
    ("title", "body", "home"),
    [
        # a media centre alone is an outlet, not a delegation
        ("", "4月13日，丰宁满族自治县融媒体中心主任崔兴带队到我县融媒体中心参观考察。", "邢台"),
        # places listed before 等街道 are sub-districts of the host, not counties elsewhere
        ("", "考察组先后考察了淳化、湖熟等街道的农产品质量安全智慧监管工作。", "南京"),
        # an errand to the province's own bodies in its capital
        ("", "张建军带领市委宣传部相关同志，到石家庄与省级宣传、旅游部门进行工作对接。", "秦皇岛"),
        # a trip's plan by its own title
        ("掇刀区双创孵化平台赴武汉考察学习双创孵化平台建设活动方案", "特拟定此方案。", "荆门"),
        # a chamber's tour a party department organises, no official named travelling
        (
            "榆次区委统战部区工商联组织民营企业家代表赴浙江考察学习",
            "区工商联主席、副主席及部分民营企业家等近20余人，赴浙江杭州、湖州等地进行考察学习。",
            "晋中",
        ),
    ],
)
def test_outlets_towns_provincial_errands_plans_and_chambers_make_no_pair(
    tagger: Tagger, title: str, body: str, home: str
) -> None:
    assert not pairs(tagger.tag(title, body, home=home))


def test_a_plan_to_learn_a_plan_is_still_a_trip(tagger: Tagger) -> None:
    title = "宝应县水产局赴长荡湖考察学习退养还湖实施方案"
    body = "日上午，宝应县水产局华伯仙局长带队赴常州市金坛区长荡湖水产管委会管理处考察学习。"
    assert ("扬州", "常州") in pairs(tagger.tag(title, body, home="扬州"))
