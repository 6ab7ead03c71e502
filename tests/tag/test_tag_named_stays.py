"""Classes of real city-government text the tagger missed or misread on the visits dev set's sixth
blind batch (and the open classes of the earlier ones): a province and its city that jieba keeps as
one word (福建厦门); a place opening the sentence and the party after it (在黄山区，考察组一行…); the
party's next move after an adverb (一行还赴); the place a party left, and the stay it finished
(在结束了苏州市的学习考察后); games, markets, offices, utility
branches, hospitals, theatres, temples and rivers named after a place; a state-level new area under a
province; a province host whose city only a county names; autonomous prefectures by short name and
州; a sentence opening with its verb whose party is the paragraph's body; an escorted party; the
home's delegation meeting elsewhere or travelling with its province's; a run of city characters
(龙泉厦); a trip recalled by a speaker for a place; leaders named right before 率队; recruitment
notices of bodies and of institutions; a stay in a place's new area or zone (在成都市天府新区), over
places summed up (在苏州等地) and by provincial heads. Every sentence here is written for the test,
shaped like the sentences of each class."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger
from tests.tag import pairs


@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        (
            "",
            "11月3日至6日，市人大常委会副主任李明带领考察组一行赴福建厦门、泉州考察学习。",
            "三沙",
            {("三沙", "厦门"), ("三沙", "泉州")},
        ),
        ("市商务局赴辽宁大连考察港口物流", "", "鹤岗", {("鹤岗", "大连")}),
        (
            "",
            "6月12日，县委书记张伟率队赴云南昆明学习考察高原特色农业。",
            "临夏",
            {("临夏", "昆明")},
        ),
        ("我市代表团赴广西南宁对接东盟经贸合作", "", "贵阳", {("贵阳", "南宁")}),
    ],
)
def test_a_province_and_its_city_jieba_joins_are_both_places(
    tagger: Tagger, title: str, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    tags = tagger.tag(title, body, home=home)
    assert pairs(tags) == expected
    assert {host for _visitor, host in expected} <= set(tags.cities)


@pytest.mark.parametrize(
    ("text", "not_city"),
    [
        ("为荆门建设江汉平原中心城市、建成全省高质量发展增长极而努力。", "武汉"),  # a plain
        ("我们要把握成渝地区双城经济圈建设机遇，做好川东北文章。", "成都"),
    ],
)
def test_a_word_that_only_looks_like_two_places_stays_a_word(
    tagger: Tagger, text: str, not_city: str
) -> None:
    assert not_city not in tagger.tag("", text).cities


@pytest.mark.parametrize(
    ("body", "home", "expected"),
    [
        (
            "在黄山区，考察组一行来到龙西社区综合文化活动中心，听取创建工作介绍。",
            "景德镇",
            {("景德镇", "黄山")},
        ),
        (
            "在迎江区，考察组一行先后实地考察了人民路商业步行街、红旗小区农贸市场等地。",
            "景德镇",
            {("景德镇", "安庆")},
        ),
        (
            "在深圳市，王刚一行与食品有限公司负责人开展座谈交流，了解公司主营业务。",
            "陇南",
            {("陇南", "深圳")},
        ),
        (
            "在苏州，宝山区党政代表团在苏州市委书记陪同下先后考察了工业园区。",
            "上海",
            {("上海", "苏州")},  # the party's district is no second host
        ),
        (
            "在宁波期间，我市代表团一行考察了港口和跨境电商园区。",
            "丽水",
            {("丽水", "宁波")},
        ),
    ],
)
def test_a_place_opening_the_sentence_is_the_stay_of_the_party_after_it(
    tagger: Tagger, body: str, home: str | None, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag("", body, home=home)) == expected


@pytest.mark.parametrize(
    "body",
    [
        "在黄山区，游客一行来到屯溪老街，品尝徽州美食。",
        "在深圳市，企业家一行参观了华为总部。",
        "在南京，市民一行游览了中山陵。",
        "国庆期间，游客一行来到黄山市屯溪老街参观。",  # 一行 alone makes no delegation
    ],
)
def test_a_place_opening_the_sentence_before_tourists_or_businesses_is_no_visit(
    tagger: Tagger, body: str
) -> None:
    assert pairs(tagger.tag("", body, home="景德镇")) == set()


@pytest.mark.parametrize(
    ("body", "home", "expected"),
    [
        (
            "近日，市委常委王刚带队赴深圳考察。王刚一行还赴四川汉源县考察了花椒加工企业。",
            "陇南",
            {("陇南", "深圳"), ("陇南", "雅安")},
        ),
        (
            "考察组一行首先来到杭州市。考察组一行随后赴嘉兴市南湖区学习基层治理经验。",
            "宿迁",
            {("宿迁", "杭州"), ("宿迁", "嘉兴")},
        ),
        (
            "代表团一行来到苏州工业园区参观。代表团一行又赴无锡市考察物联网产业发展。",
            "盐城",
            {("盐城", "苏州"), ("盐城", "无锡")},
        ),
    ],
)
def test_the_partys_next_move_after_an_adverb(
    tagger: Tagger, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag("", body, home=home)) == expected


@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        (
            "市民宗局组织赴临沂考察学习",
            "离开临沂后，考察组来到赣榆区基督教中心堂，召开座谈会交流考察情况。",
            "连云港",
            {("连云港", "临沂")},
        ),
        (
            "市发改委赴南通学习考察",
            "结束在南通的考察后，考察组回到海安市，参观了企业展厅。",
            "泰州",
            {("泰州", "南通")},
        ),
    ],
)
def test_the_place_a_party_left_is_not_the_party(
    tagger: Tagger, title: str, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == expected


@pytest.mark.parametrize(
    ("body", "home", "expected"),
    [
        (
            "在结束了无锡市的学习考察后，唐山市学习考察团5月9日启程返回，继续学习产业发展经验。",
            "唐山",
            {("唐山", "无锡")},
        ),
        # (worked before, must keep) 对 alone names the stay
        (
            "结束了对嘉兴市的考察后，淮安市考察团一行返回。",
            "淮安",
            {("淮安", "嘉兴")},
        ),
    ],
    ids=["结束了…的学习考察", "结束了对"],
)
def test_a_stay_the_party_finished_is_its_visit(
    tagger: Tagger, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    """结束了X的学习考察 (with 了) names the stay as 结束 does."""
    assert pairs(tagger.tag("", body, home=home)) == expected


@pytest.mark.parametrize(
    ("body", "home", "event_city", "expected"),
    [
        (
            "8月24日，市委书记率廊坊市党政考察团赴张家口市，考察了北京冬奥会张家口赛区规划展厅。",
            "廊坊",
            "北京",
            {("廊坊", "张家口")},
        ),
        (
            "市体育局代表团赴温州市学习借鉴杭州亚运会场馆赛后利用经验。",
            "衢州",
            "杭州",
            {("衢州", "温州")},
        ),
        (
            "代表团赴嘉兴考察，参观了上海世博会中国馆的设计单位。",
            "湖州",
            "上海",
            {("湖州", "嘉兴")},
        ),
    ],
)
def test_games_named_after_a_city_are_not_the_city(
    tagger: Tagger, body: str, home: str, event_city: str, expected: set[tuple[str, str]]
) -> None:
    tags = tagger.tag("", body, home=home)
    assert pairs(tags) == expected
    assert event_city not in tags.cities


@pytest.mark.parametrize(
    ("body", "not_city"),
    [
        ("考察组参观了公检法小区、龙井市场、耿城沟村美丽乡村建设情况。", "延边"),
        ("执法人员对义乌市场周边的流动摊贩进行了劝导。", "金华"),
    ],
)
def test_a_market_named_after_a_place_is_not_the_place(
    tagger: Tagger, body: str, not_city: str
) -> None:
    assert not_city not in tagger.tag("", body, home="景德镇").cities


def test_a_county_level_city_with_its_suffix_still_counts_before_its_own_bodies(
    tagger: Tagger,
) -> None:
    assert "延边" in tagger.tag("", "龙井市委书记率队来我市考察。", home="延边").cities


@pytest.mark.parametrize(
    "body",
    [
        "6月4日，市委书记率徐州市考察团赴河北雄安新区考察学习。",
        "市委副书记率队赴贵州贵安新区学习大数据产业发展经验。",
    ],
)
def test_a_new_area_under_a_province_is_not_the_province(tagger: Tagger, body: str) -> None:
    assert pairs(tagger.tag("", body, home="徐州")) == set()


@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        (
            "县长率党政考察团赴浙江考察学习",
            "6月20日上午，考察团一行先后参观了西湖艺创小镇和余杭梦想小镇。",
            "秦皇岛",
            {("秦皇岛", "杭州")},
        ),
        (
            "区委书记带队赴江苏学习考察",
            "考察团先后来到江阴、张家港的两家纺织企业，学习转型升级经验。",
            "泉州",
            {("泉州", "无锡"), ("泉州", "苏州")},
        ),
    ],
)
def test_a_province_host_goes_to_the_city_of_the_county_named(
    tagger: Tagger, title: str, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    tags = tagger.tag(title, body, home=home)
    assert pairs(tags) == expected
    assert {host for _visitor, host in expected} <= set(tags.cities)


@pytest.mark.parametrize(
    ("body", "home", "city", "expected"),
    [
        ("8月2日，海南州党政代表团来海东考察学习。", "海东", "海南", {("海南", "海东")}),
        ("黔东南州代表团一行来我市考察文旅融合发展。", "杭州", "黔东南", {("黔东南", "杭州")}),
        ("我市代表团赴延边州学习边境经济合作区建设经验。", "绍兴", "延边", {("绍兴", "延边")}),
    ],
)
def test_an_autonomous_prefecture_by_its_short_name_and_zhou(
    tagger: Tagger, body: str, home: str, city: str, expected: set[tuple[str, str]]
) -> None:
    tags = tagger.tag("", body, home=home)
    assert city in tags.cities
    assert pairs(tags) == expected


@pytest.mark.parametrize(
    ("body", "city"),
    [
        ("要主动履行好三沙使命任务，学在先，行在先。", "三沙"),
        ("各级干部要讲好深圳故事，传播好深圳声音。", "深圳"),
    ],
)
def test_a_place_after_a_verbs_complement_hao(tagger: Tagger, body: str, city: str) -> None:
    assert city in tagger.tag("", body).cities


@pytest.mark.parametrize(
    ("body", "not_cities"),
    [
        ("市长与省政府驻上海办事处主任、天津办事处主任一行座谈。", {"上海", "天津"}),
        ("市长与省政府驻上海天津办事处主任一行座谈。", {"上海", "天津"}),
        ("省驻京办主任一行来我市调研。", {"北京"}),
        ("国网鹤岗供电公司党委理论学习中心组进行集中学习。", {"鹤岗"}),
        ("安顺市中医院2023年面向社会公开招聘合同制专业技术人员。", {"安顺"}),
    ],
)
def test_offices_utilities_and_hospitals_named_after_a_place_are_not_it(
    tagger: Tagger, body: str, not_cities: set[str]
) -> None:
    assert not (set(tagger.tag("", body, home="朔州").cities) & not_cities)


def test_a_utility_a_party_goes_to_still_places_it(tagger: Tagger) -> None:
    tags = tagger.tag("", "市发改委一行赴深圳供电局考察智能电网建设。", home="南宁")
    assert pairs(tags) == {("南宁", "深圳")}


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("安顺市中医院2023年面向社会公开招聘合同制专业技术人员公告", "other"),
        ("市人民医院2024年公开招聘编外工作人员公告", "other"),
        # a public school's own posts are a public recruitment (the dev set's later batches)
        ("某某职业学院2023年公开招聘教师公告", "policy"),
        ("齐齐哈尔市财政局2022年择优调入工作人员公告", "policy"),
        ("市人社局2023年公开遴选公务员公告", "policy"),
        ("房县2023年面向医学院校公开招聘卫生专业技术人员公告", "policy"),
        ("市委组织部2022年公务员转任公告", "policy"),
    ],
)
def test_a_governments_recruitment_is_policy_an_institutions_is_not(
    tagger: Tagger, title: str, kind: str
) -> None:
    assert tagger.tag(title, "现将有关事项公告如下。").kind == kind


@pytest.mark.parametrize(
    ("body", "home", "expected"),
    [
        (
            "为推动锂电产业发展，市工信局起草了指导意见。先后赴四川遂宁、山东青岛等地考察学习。",
            "宜春",
            {("宜春", "遂宁"), ("宜春", "青岛")},
        ),
        (
            "近日，省市场监管局召开新闻发布会。该局深入网站开展指导。赴浙江、江苏省市场监管局考察学习。",
            "忻州",
            {("山西", "浙江"), ("山西", "江苏")},
        ),
        (
            "今年以来，县农业农村局着力发展设施农业。专程赴寿光市学习蔬菜大棚建设经验。",
            "邢台",
            {("邢台", "潍坊")},
        ),
        # no body of the home before: nobody to travel
        ("今年以来，我市设施农业发展迅速。先后赴四川遂宁、山东青岛等地考察学习。", "宜春", set()),
        (
            "某某锂电有限公司扩大产能。先后赴四川遂宁、山东青岛等地考察学习。",
            "宜春",
            set(),
        ),
    ],
)
def test_a_sentence_opening_with_its_verb_travels_as_the_paragraphs_body(
    tagger: Tagger, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag("", body, home=home)) == expected


@pytest.mark.parametrize(
    ("body", "home", "expected"),
    [
        (
            "12月14日下午，衢州江山市政府代表团在副区长王永陪同下，来区（街）卧龙控股集团有限公司开展考察调研。",
            "绍兴",
            {("衢州", "绍兴")},
        ),
        (
            "5月8日，金华市考察团在市发改委主任陪同下，来我市产业园区进行考察交流。",
            "丽水",
            {("金华", "丽水")},
        ),
    ],
)
def test_an_escorted_party_coming_to_an_unnamed_site_of_the_home(
    tagger: Tagger, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag("", body, home=home)) == expected


@pytest.mark.parametrize(
    ("body", "home", "expected"),
    [
        (
            "7月22日下午，省党政代表团长三角地区学习考察交流总结座谈会在合肥召开。",
            "黑河",
            {("黑龙江", "合肥")},
        ),
        ("9月5日，市党政代表团经贸合作交流座谈会在宁波举行。", "遵义", {("遵义", "宁波")}),
        # no delegation of the home: a meeting somewhere else, nobody's visit
        ("7月22日下午，全省学习交流座谈会在哈尔滨召开。", "黑河", set()),
    ],
)
def test_the_homes_delegation_holding_its_meeting_elsewhere(
    tagger: Tagger, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag("", body, home=home)) == expected


@pytest.mark.parametrize(
    ("title", "home", "leader"),
    [
        (
            "推动工作上台阶谋求明年大变样蒋斌犹王莹率队到景德镇市学习考察城市双修工作",
            "新余",
            "蒋斌犹",
        ),
        ("我市党政代表团赴南昌学习考察李红军会见王少玄罗文江率队", "吉安", "王少玄"),
        ("聚焦产业发展刘洋带队赴宁波学习考察港口经济", "金华", "刘洋"),
        ("昌黎县委副书记县长狄莎率党政考察团赴浙江考察学习", "秦皇岛", "狄莎"),
    ],
)
def test_the_leader_named_right_before_the_leading_verb(
    tagger: Tagger, title: str, home: str, leader: str
) -> None:
    tags = tagger.tag(title, "", home=home)
    assert tags.visits
    assert {v.details.leader.name if v.details.leader else None for v in tags.visits} == {leader}


@pytest.mark.parametrize(
    ("body", "home", "expected"),
    [
        (
            "随省政府代表团赴广东省学习考察交流期间，大庆签约12个重点项目。",
            "大庆",
            {("黑龙江", "广东"), ("大庆", "广东")},
        ),
        (
            "3月，我市随同省党政代表团赴浙江学习考察，签约项目8个。",
            "绥化",
            {("黑龙江", "浙江"), ("绥化", "浙江")},
        ),
    ],
)
def test_the_home_travelling_with_its_provinces_delegation(
    tagger: Tagger, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag("", body, home=home)) == expected


@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        (
            "我市党政代表团赴闽学习考察系列评论",
            "取经龙泉厦，问道快发展，福建三市都坚持在创新中谋发展。",
            "赣州",
            {("赣州", "龙岩"), ("赣州", "泉州"), ("赣州", "厦门")},
        ),
        (
            "市党政代表团赴江苏学习考察",
            "代表团一行走进苏锡常，学习先进制造业集群发展经验。",
            "芜湖",
            {("芜湖", "苏州"), ("芜湖", "无锡"), ("芜湖", "常州")},
        ),
        (
            "我市考察团赴湖南学习考察",
            "考察团赴长株潭等地学习城市群协同发展经验。",
            "九江",
            {("九江", "长沙"), ("九江", "株洲"), ("九江", "湘潭")},
        ),
    ],
)
def test_a_run_of_city_characters_in_a_named_province(
    tagger: Tagger, title: str, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    tags = tagger.tag(title, body, home=home)
    assert pairs(tags) == expected
    assert {host for _visitor, host in expected} <= set(tags.cities)


@pytest.mark.parametrize(
    "body",
    [
        "代表团赴江苏学习考察，对标先进找差距，学习好经验。",
        "考察团赴湖南学习考察，借鉴新经验，走进新时代。",
    ],
)
def test_ordinary_words_after_such_verbs_are_no_city_run(tagger: Tagger, body: str) -> None:
    tags = tagger.tag("", body, home="九江")
    assert set(tags.cities) <= {"九江"}


@pytest.mark.parametrize(
    ("body", "home", "expected"),
    [
        (
            "11月11日，青海省党政代表团在江苏省学习考察。娄勤俭代表江苏省委、省政府对代表团来访表示"
            "欢迎。他说，今年8月我们赴青海学习考察，深感青海发展欣欣向荣。",
            "西宁",
            {("青海", "江苏"), ("江苏", "青海")},
        ),
        (
            "3月5日，遵义市党政代表团来宁波考察。座谈会上，宁波市委书记代表宁波市委、市政府致辞。"
            "他表示，去年我们专程赴遵义考察，看到了遵义的巨大变化。",
            "遵义",
            {("遵义", "宁波"), ("宁波", "遵义")},
        ),
        # 我们 with nobody speaking for a place: no pair of its own
        (
            "3月5日，遵义市党政代表团来宁波考察。团员们说，我们赴宁波学到了很多。",
            "遵义",
            {("遵义", "宁波")},
        ),
    ],
)
def test_a_trip_recalled_by_a_speaker_for_a_place(
    tagger: Tagger, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag("", body, home=home)) == expected


@pytest.mark.parametrize(
    ("body", "not_city"),
    [
        ("省委政法委书记张安顺到鸡西调研政法队伍教育整顿工作。", "安顺"),  # a person
        ("考察团一路向南，跨越东阳江、大盘山、永安溪，来到永嘉县。", "金华"),  # a river
        ("定林寺的恢复重建对天宁寺极具借鉴意义。", "常州"),  # a temple
        ("集团即将承建的南通大剧院的建设和运营模式。", "南通"),  # a theatre
    ],
)
def test_people_rivers_temples_and_theatres_named_like_a_place(
    tagger: Tagger, body: str, not_city: str
) -> None:
    assert not_city not in tagger.tag("", body, home="扬州").cities


@pytest.mark.parametrize(
    ("body", "city"),
    [
        ("代表团先后赴东阳、义乌考察学习。", "金华"),
        ("代表团赴东阳江山两地考察木雕和竹木产业。", "衢州"),
    ],
)
def test_the_county_before_a_word_that_is_no_river_stays(
    tagger: Tagger, body: str, city: str
) -> None:
    tags = tagger.tag("", body, home="金华")
    assert city in tags.cities
    assert "金华" in tags.cities


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
