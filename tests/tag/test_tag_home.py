"""The source's home (``home:``) resolves 我市/本市/我区/来我市 and abbreviations of the home
city and its counties; an abbreviation that stays ambiguous makes no pair. The home's own unit
receives a guest (来我局, 来中心, while 中心城区 is no unit), a branch too and with 进行 before the
purpose (来到我分局进行考察交流), and the home city's bureau named by a bare 市 after the coming
verb (来到市住房保障局考察学习); names a prefecture shares with
another are the home's on the home's site (a district it merged away, 宜阳小区, 广安代表站).
A trip the home's body organised with no organiser named, an unnamed team (局代表团全体成员赴…,
在临猗县，考察组…) under a title naming the home or its officials, and a title that opens with its
trip are the home's when no guest came before;
a party named by its bodies' people (…局相关人员来我市, …等单位来我中心) is its place's; the home's
officials leading (局长汤振率队一行5人先后赴) or listed in the clause before the verb's (…主任…局长等一行5人，
赴苏州) are the home's party, a crowd word in an earlier clause is not the party's, and a stay in
the city's district named in full (在上海市杨浦区学习考察) is in the city."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger
from tests.tag import pairs


@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        # 我市 as the visitor
        (
            "我市党政代表团赴深圳考察学习",
            "5月10日至12日，我市党政代表团赴深圳考察学习，市委书记带队。",
            "青岛",
            {("青岛", "深圳")},
        ),
        # 本市 as the visitor, on a municipality's site
        ("本市代表团赴成都考察", "本市代表团赴成都考察交流。", "重庆", {("重庆", "成都")}),
        # 市党政代表团 with no city named
        (
            "市党政代表团赴杭州考察",
            "5月10日，市党政代表团赴杭州考察学习数字经济发展经验。",
            "淄博",
            {("淄博", "杭州")},
        ),
        # 来我市 / 我市 as the host
        (
            "深圳市党政代表团来我市考察",
            "5月10日，深圳市党政代表团来我市考察，市委书记会见了代表团一行。",
            "青岛",
            {("深圳", "青岛")},
        ),
        # 我区 / 我县 on a city's site: a district or county of the home city
        (
            "潍坊市考察团来我区考察",
            "近日，潍坊市考察团来我区考察交流。",
            "淄博",
            {("潍坊", "淄博")},
        ),
        (
            "嘉兴市党政代表团来我县考察",
            "嘉兴市党政代表团来我县考察对口合作工作。",
            "丽水",
            {("嘉兴", "丽水")},
        ),
        # one-character abbreviations of the home's counties: 平度 (青岛), 桓台 (淄博)
        ("烟台市代表团来平考察", "烟台市代表团来平考察现代农业。", "青岛", {("烟台", "青岛")}),
        ("济南市考察团来桓考察", "济南市考察团来桓考察学习。", "淄博", {("济南", "淄博")}),
    ],
)
def test_home_resolves_own_references(
    tagger: Tagger, title: str, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, body)) == set()
    assert pairs(tagger.tag(title, body, home=home)) == expected


def test_home_county_abbreviation_wins_over_the_gazetteer(tagger: Tagger) -> None:
    # 来青 on 潍坊's site is 青州 (潍坊), not 青岛: a 寿光 party is 潍坊's own, so no pair.
    title, body = "寿光市代表团来青考察", "寿光市代表团来青考察学习。"
    assert pairs(tagger.tag(title, body)) == {("潍坊", "青岛")}
    tags = tagger.tag(title, body, home="潍坊")
    assert pairs(tags) == set()
    assert "青岛" not in tags.cities
    # and from elsewhere: 济南 → 潍坊
    assert pairs(tagger.tag("济南市代表团来青考察", "济南市代表团来青考察。", home="潍坊")) == {
        ("济南", "潍坊")
    }


def test_ambiguous_abbreviation_not_the_homes_makes_no_pair(tagger: Tagger) -> None:
    # 铜 (铜陵/铜川/铜仁) is none of 上海's: no pair is invented.
    tags = tagger.tag("某市代表团来铜考察", "某市代表团来铜考察。", home="上海")
    assert pairs(tags) == set()


def test_home_as_province_and_as_publisher_city_agree(tagger: Tagger) -> None:
    title, body = "我市党政代表团赴深圳考察学习", "我市党政代表团赴深圳考察学习。"
    assert pairs(tagger.tag(title, body, home="青岛")) == pairs(
        tagger.tag(title, body, publisher_city="青岛")
    )
    # a province as home gives no city for 我市
    assert pairs(tagger.tag(title, body, home="山东")) == set()


def test_home_words_that_are_not_visits(tagger: Tagger) -> None:
    # 本来/以来 are not 来 + abbreviation; 我区 without a frame is no visit
    tags = tagger.tag(
        "我区召开会议", "本来平时工作就多，近年来平度调研不断。我区召开经济工作会议。", home="青岛"
    )
    assert pairs(tags) == set()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # a provincial party came to the home, then went on: its own province, no pair
        ("省政协考察团来我市调研。考察团一行先后到海口、三亚考察。", set()),
        ("近日，省人大调研组来我市调研。调研组一行还到海口考察。", set()),
        # a city's party came to the home and went on: that city's stops, never the home's
        (
            "青岛市考察团来我市考察。考察团一行先后到海口、三亚考察。",
            {("青岛", "儋州"), ("青岛", "海口"), ("青岛", "三亚")},
        ),
    ],
)
def test_an_unnamed_party_after_a_guest_is_the_guest(
    tagger: Tagger, body: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag("考察调研", body, home="儋州")) == expected


@pytest.mark.parametrize(
    "body",
    [
        # the home's own delegation, named after the guest: the unnamed party is the home's
        "省人大调研组来我市调研后，市党政代表团赴海口考察。代表团一行先后到三亚考察。",
        # no guest before: an unnamed 考察团 on the home's site is the home's
        "市党政代表团赴海口考察学习。代表团一行先后到三亚考察。",
    ],
)
def test_an_unnamed_party_with_no_guest_before_is_the_homes(tagger: Tagger, body: str) -> None:
    assert ("儋州", "三亚") in pairs(tagger.tag("考察学习", body, home="儋州"))


# --- a trip the home's body organised, its organiser unnamed (a work report, a feature) ----------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "各相关部门组建工作专班，邀请专家开展业务培训，并组织人员赴大理、西安等地考察学习。",
            {("邢台", "大理"), ("邢台", "西安")},
        ),
        (
            "一是强化技术拦截。组织警力先后到厦门、大庆等地学习考察精准预警经验做法。",
            {("邢台", "厦门"), ("邢台", "大庆")},
        ),
        (
            "北戴河区着手基地建设，派人先后到北京、天津进行走访调查。",
            {("邢台", "北京"), ("邢台", "天津")},
        ),
        (
            "利用国庆节假日组织三个考察组赴合肥、长沙等地学习考察。",
            {("邢台", "合肥"), ("邢台", "长沙")},
        ),
        # the paragraph's body is the province's: the home's province went
        ("省商务厅牵头推进。今年组织人员赴广东学习考察。", {("河北", "广东")}),
    ],
)
def test_an_organised_trip_with_no_organiser_named_is_the_homes(
    tagger: Tagger, body: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag("工作综述", body, home="邢台")) == expected


@pytest.mark.parametrize(
    "body",
    [
        # people who are no government party: companies, pupils, growers, village cadres as trainees
        "今年组织企业赴上海参加进博会。",
        "暑期组织学生赴北京开展研学活动。",
        "重点组织村“两委”主干到胶州、崇礼等地考察学习，开阔眼界。",
        "分批次选派100名村干部、种养大户到浙江、福建等地考察学习。",
        # a named organiser is not the home's: the party is that place's, found as before
        "集团组织各党支部书记赴上海港开展考察学习。",
    ],
)
def test_an_organised_trip_of_others_is_no_home_visit(tagger: Tagger, body: str) -> None:
    assert not {
        pair for pair in pairs(tagger.tag("工作综述", body, home="邢台")) if pair[0] == "邢台"
    }


# --- a long office name as the party; a service centre's own site calls itself 中心 ----------


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (
            "桂林市政务服务监督管理办公室来中心考察学习",
            "近日，客人来“中心”，考察学习我市审批改革。",
        ),
        ("柳州市商务办公室来我局考察学习", "双方就招商工作进行了交流。"),
        ("南宁市行政审批办公室一行来中心调研", "双方座谈交流。"),
    ],
    ids=["long-office", "office-我局", "office-中心"],
)
def test_office_coming_to_the_homes_unit(tagger: Tagger, title: str, body: str) -> None:
    visitor = title[:2]
    assert pairs(tagger.tag(title, body, home="嘉兴")) == {(visitor, "嘉兴")}


@pytest.mark.parametrize(
    "title",
    ["市长到中心城区考察", "市领导到中心调研"],
    ids=["中心城区", "own-leader"],
)
def test_centre_without_a_visiting_place(tagger: Tagger, title: str) -> None:
    assert pairs(tagger.tag(title, "有关情况。", home="嘉兴")) == set()


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


@pytest.mark.parametrize(
    ("body", "visitor"),
    [
        (
            "5月9日上午，江苏省盐城市自然资源局亭湖分局副局长李华率队共6人来到我分局进行考察交流。",
            "盐城",
        ),
        (
            "近日，由绍兴市柯桥区副区长张明带队的考察组一行8人，来到市住房保障局考察学习棚户区改造工作。",
            "绍兴",
        ),
        # (worked before, must keep) an 一行 coming to the bureau
        ("湖州市市场监管局一行莅临市市场监督管理局开展调研交流。", "湖州"),
    ],
    ids=["我分局进行", "来到市…局", "莅临市…局开展"],
)
def test_the_homes_own_unit_as_the_host(tagger: Tagger, body: str, visitor: str) -> None:
    assert pairs(tagger.tag("", body, home="嘉兴")) == {(visitor, "嘉兴")}


@pytest.mark.parametrize(
    ("title", "body"),
    [
        # the home's own party in another city: that city's 市…局 is no home unit
        ("市代表团赴杭州考察", "4月2日，市代表团赴杭州考察，来到市规划局学习规划管理经验。"),
        # the home's own staff going to their own bureau
        ("市领导调研", "市长王明来到市住房保障局调研保障房建设。"),
    ],
    ids=["own-party-away", "own-leader"],
)
def test_the_homes_unit_without_a_guest(tagger: Tagger, title: str, body: str) -> None:
    assert not {p for p in pairs(tagger.tag(title, body, home="嘉兴")) if p[1] == "嘉兴"}


@pytest.mark.parametrize(
    "body",
    [
        "代表团深入了解北京在发展金融业和资本市场等方面的经验做法。",
        "报告分析了日本市场对本地农产品的需求。",
    ],
)
def test_a_market_is_no_benshi(tagger: Tagger, body: str) -> None:
    """资本|市场, 日本|市场: 本 ends a word before 市场, no 本市 of the home (batch 25)."""
    assert "三亚" not in tagger.tag("", body, home="三亚").cities


def test_benshi_before_other_words_stays_the_home(tagger: Tagger) -> None:
    assert "三亚" in tagger.tag("", "本市企业代表参加了推介会。", home="三亚").cities
    assert "三亚" in tagger.tag("", "本市市场监管部门开展检查。", home="三亚").cities


@pytest.mark.parametrize(
    ("body", "home"),
    [
        ("桥东区食品和市场监管局驻村工作组深入农户走访。", "张家口"),
        ("和平区召开营商环境优化推进会。", "天津"),
        ("会议在市中区政务服务中心召开。", "济南"),
    ],
)
def test_a_plain_district_name_is_the_homes_on_its_site(
    tagger: Tagger, body: str, home: str
) -> None:
    """A district name several cities share (桥东区) is left out of matching anywhere; on the site of
    a city that has one it is the home's own (batch 30)."""
    assert home in tagger.tag("", body, home=home).cities


@pytest.mark.parametrize(
    ("body", "home", "absent"),
    [
        ("桥东区食品和市场监管局驻村工作组深入农户走访。", "保定", "保定"),  # no 桥东区 of its own
        ("石家庄市桥东区召开营商环境推进会。", "张家口", "张家口"),  # another city's, named
    ],
)
def test_a_plain_district_name_elsewhere_is_no_home(
    tagger: Tagger, body: str, home: str, absent: str
) -> None:
    assert absent not in tagger.tag("", body, home=home).cities


# --- parties named by their bodies' people; unnamed teams and titles with no guest before --------


@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        (
            "考察学习",
            "如东县财政局、自然资源和规划局相关人员来我市考察学习。",
            "扬州",
            {("南通", "扬州")},
        ),
        ("考察学习", "句容市监察局等单位来我中心考察学习。", "连云港", {("镇江", "连云港")}),
        # an unnamed team when the title names the home or its officials
        (
            "大同市促进外来投资局开展学习考察",
            "4月9日下午，局代表团全体成员赴郑州市金水区参观学习。",
            "大同",
            {("大同", "郑州")},
        ),
        (
            "副市长带队赴外地考察学习",
            "次日，在临猗县，考察组考察了电商服务中心。",
            "大同",
            {("大同", "运城")},
        ),
        # …and none when nothing names the home's party
        ("考察学习", "次日，在临猗县，考察组考察了电商服务中心。", "大同", set()),
    ],
)
def test_parties_named_by_their_people_or_unnamed_on_the_homes_site(
    tagger: Tagger, title: str, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == expected


def test_an_unnamed_team_after_a_guest_is_the_guests(tagger: Tagger) -> None:
    body = "郑州市代表团来我市考察。次日，在临猗县，考察组考察了电商服务中心。"
    assert pairs(tagger.tag("副市长陪同考察", body, home="大同")) == {
        ("郑州", "大同"),
        ("郑州", "运城"),
    }


def test_a_title_that_opens_with_its_trip_is_the_homes(tagger: Tagger) -> None:
    tags = tagger.tag(
        "赴广元市利州区开展科技创新工作的考察学习", "结合我局年度科技培训计划。", home="陇南"
    )
    assert pairs(tags) == {("陇南", "广元")}
    # with another place's party named first, the title's trip is not the home's
    tags = tagger.tag("成都市考察团赴广元市利州区考察学习", "考察团一行参观了园区。", home="陇南")
    assert ("陇南", "广元") not in pairs(tags)


# --- the home's party told by its officials: leading, listed before the verb's clause -----------


@pytest.mark.parametrize(
    ("body", "home", "expected"),
    [
        (
            "3月24日，局党组书记、局长汤振率队一行5人先后赴张家港市应急局、苏州高新区应急局考察学习。",
            "扬州",
            {("扬州", "苏州")},
        ),
        (
            "洪武路街道严伟主任、周姝函副主任及商务局雷明局长等一行5人，赴苏州常熟经济开发区考察学习。",
            "南京",
            {("南京", "苏州")},
        ),
        # a crowd word in an earlier clause is not the party's
        (
            "根据区委今年居民健康档案信息化的要求，区卫生局组织局机关相关人员一行11人前往上海市闵行区"
            "进行实地考察。",
            "淮安",
            {("淮安", "上海")},
        ),
        ("省委常委、市委书记胡忠雄率队在上海市杨浦区学习考察。", "贵阳", {("贵阳", "上海")}),
    ],
)
def test_the_homes_party_told_by_its_officials(
    tagger: Tagger, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag("考察学习", body, home=home)) == expected


@pytest.mark.parametrize(
    "body",
    [
        # tourists in the party's own clause stay tourists
        "暑期，游客一行20人前往上海市闵行区参观游览。",
        # companies' heads listed before the verb's clause are no officials
        "扬州电力设备修造厂有限公司总经理等一行5人，赴苏州常熟经济开发区考察学习。",
    ],
)
def test_no_home_party_from_crowds_or_companies_before_the_verb(tagger: Tagger, body: str) -> None:
    assert not {
        pair for pair in pairs(tagger.tag("考察学习", body, home="扬州")) if pair[0] == "扬州"
    }


@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        # the head leading in the clause before, the home's bodies in the verb's clause
        (
            "局领导率队赴外地学习考察",
            "5月13日，由民政局党组成员、副局长陈乐华率队，局养老服务科、市社会福利中心一行6人到吉安市、"
            "抚州市学习考察。",
            "景德镇",
            {("景德镇", "吉安"), ("景德镇", "抚州")},
        ),
        # an unnamed small team after its head, the purpose told after a long topic
        (
            "佳木斯市人防办赴外学习考察人防工作",
            "4月末，在办党组书记、主任于淑芬的带领下，办考察小组一行5人先后赴牡丹江、齐齐哈尔人防办，"
            "就人防机构设置、人员编制、工程开发利用等方面进行了为期两天的考察学习。",
            "佳木斯",
            {("佳木斯", "牡丹江"), ("佳木斯", "齐齐哈尔")},
        ),
        # a city's CBD is no central body
        (
            "新区中央商务区领导赴上海拜访企业",
            "近日，江北新区中央商务区党工委书记、管办主任陈建鹏带队赴上海拜访成为资本。",
            "南京",
            {("南京", "上海")},
        ),
        # a zone's site calls itself 园区
        (
            "湖南衡东经济开发区来园区考察学习",
            "5月30日，衡东县人大常委会二级调研员李上峰分批带队来园区调研考察。",
            "淮安",
            {("衡阳", "淮安")},
        ),
    ],
)
def test_the_homes_party_and_units_in_more_forms(
    tagger: Tagger, title: str, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == expected


def test_the_home_named_with_another_place_before_two_places_words(tagger: Tagger) -> None:
    # 海口儋州两地 on 儋州's site: the home's own mention may head a joint party (this had
    # raised ValueError: the home's copy of the mention was not in the sentence's list)
    body = (
        "据《今日儋州》消息为加强海口儋州两地党办工作交流，促进党办工作交流提升，5月17日，"
        "市委常委、秘书长肖发宣率市委办公室干部职工到海口就党办工作进行交流考察学习。"
    )
    assert pairs(tagger.tag("市委办率队到海口学习考察", body, home="儋州")) == {("儋州", "海口")}
