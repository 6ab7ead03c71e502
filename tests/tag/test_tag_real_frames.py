"""Classes of real city-government text the visit finder first missed (the visits dev set's
blind subset): the clause's subject as the visitor however long its title, a development zone
as the party, an unnamed party of the publisher's, a company named after its city as the
host, a delegation word that makes the frame although the purpose comes late; the site's name
in a title, datelines with a province or a second place, institutes; and the leader's name in
forms the details first missed."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.tag import Tagger, Tags
from crawler.tag.text import site_name_spans
from tests.tag import pairs


@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        # the subject of the verb's own clause, whatever stands between it and the verb
        (
            "宿迁市农业农村局来我市考察学习",
            "9月14日，宿迁市农业农村局种植业条线及相关县区农业农村局领导等一行来我市考察学习。",
            "泰州",
            {("宿迁", "泰州")},
        ),
        (
            "",
            "张家口市塞北管理区管理委员会常务副主任带队考察宁夏固原市马铃薯产业。",
            None,
            {("张家口", "固原")},
        ),
        # a development zone or administrative area as the party
        ("无锡高新区来我区考察学习", "", "南京", {("无锡", "南京")}),
        ("苏州工业园区赴我市考察", "", "青岛", {("苏州", "青岛")}),
        # an unnamed party on its own city's site
        ("韩自安李文双一行到沧州渤海新区进行学习考察", "", "唐山", {("唐山", "沧州")}),
        ("李俊明郑连生率队赴山东考察对接项目", "", "忻州", {("忻州", "山东")}),
        # a company named after its place is where the party went
        ("我市党政考察团赴深圳市索佳集团考察学习", "", "酒泉", {("酒泉", "深圳")}),
        ("", "我市党政代表团赴山东信发集团考察学习、对接项目。", "忻州", {("忻州", "山东")}),
        # a delegation word before the verb makes the frame, the purpose may come late
        (
            "",
            "考察团先后赴洛阳市、许昌市、郑州市深入了解文旅融合发展。哈密市考察团表示感谢。",
            None,
            set(),  # no visitor named before or in the sentence: no pair is invented
        ),
        (
            "",
            "哈密市考察团先后赴洛阳市、许昌市深入了解文旅融合发展。",
            None,
            {("哈密", "洛阳"), ("哈密", "许昌")},
        ),
    ],
)
def test_visit_frames_of_real_text(
    tagger: Tagger, title: str, body: str, home: str | None, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == expected


@pytest.mark.parametrize(
    ("title", "body"),
    [
        # a company or institute in a sentence without a visit verb stays the company's
        ("", "我市与北京中广国际传媒有限公司签约。"),
        ("", "我市代表团与中国科学院兰州化学物理研究所专家座谈。"),
    ],
)
def test_companies_and_institutes_without_a_visit_are_not_hosts(
    tagger: Tagger, title: str, body: str
) -> None:
    tags = tagger.tag(title, body, home="张家口")
    assert not tags.visits


@pytest.mark.parametrize(
    ("title", "site"),
    [
        ("保定市人民政府网——省委常委会召开扩大会议", "保定"),
        ("习近平在河北承德考察时强调努力完成全年任务_陇南市人民政府", "陇南"),
        ("市科协召开传达学习专题会--科协动态--儋州市科协技术协会", "儋州"),
        ("市人民检察院传达学习重要讲话精神_三沙动态_三沙市人民政府网", "三沙"),
        ("衡水市人民政府图片新闻习近平在湖南考察时强调", "衡水"),
    ],
)
def test_the_sites_name_in_a_title_is_no_place_of_the_story(
    tagger: Tagger, title: str, site: str
) -> None:
    assert site not in tagger.tag(title, "").cities
    # nor when the body repeats the title as its first line
    assert site not in tagger.tag("", title + "。会议强调，要抓好落实。").cities


@pytest.mark.parametrize(
    ("title", "city"),
    [
        ("青岛市人民政府关于印发青岛市数字经济发展规划的通知", "青岛"),
        ("青岛市人民政府办公厅关于加强安全生产的意见", "青岛"),
        ("济南-青岛两市签署合作协议", "青岛"),
    ],
)
def test_a_title_about_a_city_keeps_it(tagger: Tagger, title: str, city: str) -> None:
    assert city in tagger.tag(title, "").cities
    assert not site_name_spans(title)


@pytest.mark.parametrize(
    ("text", "not_city"),
    [
        (
            "黑龙江日报新疆阿勒泰12日电（记者李国玉）省委书记率我省党政代表团赴新疆学习考察。",
            "阿勒泰",
        ),
        ("新华社北京/河北保定11月10日电 习近平10日在北京、河北考察灾后恢复重建工作。", "保定"),
        ("中国环境报讯记者李玲玉北京报道5月7日，生态环境部召开部党组会议。", "北京"),
    ],
)
def test_datelines_with_a_province_or_a_second_place(
    tagger: Tagger, text: str, not_city: str
) -> None:
    assert not_city not in tagger.tag("", text).cities


def _leader(tags: Tags) -> str | None:
    leader = tags.visits[0].details.leader
    return leader.name if leader else None


def test_leader_with_a_dotted_name(tagger: Tagger) -> None:
    tags = tagger.tag(
        "",
        "2月17日至21日，哈密市委常委、宣传部长吾尔叶提·吾守尔率哈密市宣传文化系统领导干部赴"
        "洛阳市学习考察。",
        published=date(2023, 3, 1),
    )
    assert pairs(tags) == {("哈密", "洛阳")}
    assert _leader(tags) == "吾尔叶提·吾守尔"
    assert tags.visits[0].to_dict()["date_start"] == "2023-02-17"


def test_a_named_leader_later_replaces_a_title_only_one(tagger: Tagger) -> None:
    tags = tagger.tag(
        "塞北管理区常务副主任带队考察宁夏固原市马铃薯产业",
        "张家口市塞北管理区常务副主任带队考察宁夏固原市马铃薯产业。区常务副主任聂明带领相关人员"
        "前往宁夏回族自治区固原市，学习考察马铃薯产业发展工作。",
    )
    assert pairs(tags) == {("张家口", "固原")}
    assert _leader(tags) == "聂明"


def test_a_date_in_the_third_sentence_of_the_lead(tagger: Tagger) -> None:
    tags = tagger.tag(
        "我市学习考察团赴天水考察学习",
        "学习先进典型带领百姓致富。我市学习考察团赴天水考察学习。11月20日、21日，市委副书记"
        "李森洙带领有关部门负责人组成的学习考察团赴天水，学习考察当地先进经验。",
        home="兰州",
        published=date(2015, 11, 24),
    )
    assert pairs(tags) == {("兰州", "天水")}
    assert tags.visits[0].to_dict()["date_start"] == "2015-11-20"
    assert _leader(tags) == "李森洙"


@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        # the headline's province stands for the cities the body names (one pair per host city)
        (
            "朱晓东率团赴江苏上海招商考察学习",
            "考察团在无锡市考察了集萃药康公司。",
            "忻州",
            {("忻州", "上海"), ("忻州", "无锡")},
        ),
        (
            "江文孙颖带队到浙江学习考察",
            "考察组一行来到遂昌县，学习生态建设经验。",
            "上饶",
            {("上饶", "丽水")},
        ),
        # a province named alone stays the host
        ("江文孙颖带队到浙江学习考察", "考察组学习了生态建设经验。", "上饶", {("上饶", "浙江")}),
        # a bare name, or two, opening the clause on its city's site
        ("李海渊在潮州市考察陶瓷产业", "", "朔州", {("朔州", "潮州")}),
        # a government body of a place as the party
        ("宁夏公路管理局来扬考察交流公路养护管理工作", "", "扬州", {("宁夏", "扬州")}),
        ("江宁区民宗局赴浙江省湖州市考察学习", "", "南京", {("南京", "湖州")}),
        # a county directly under its province is the province's: no visit to one's own province
        ("刘红建带队赴陵水学习考察", "", "三沙", set()),
    ],
)
def test_hosts_and_parties_of_real_text(
    tagger: Tagger, title: str, body: str, home: str | None, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == expected


def test_a_bare_word_opening_the_clause_is_no_official(tagger: Tagger) -> None:
    assert not tagger.tag("会议在潮州市考察", "", home="朔州").visits
    assert not tagger.tag("专家在潮州市考察陶瓷产业", "", home="朔州").visits


def test_a_meeting_in_the_hosts_city_is_a_visit(tagger: Tagger) -> None:
    tags = tagger.tag(
        "胡忠雄在南宁与广西壮族自治区党委常委南宁市委书记农生文举行会见", "", home="贵阳"
    )
    assert pairs(tags) == {("贵阳", "南宁")}


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("东莞市长率团赴日本招商", "东莞市长率东莞市经贸代表团赴日本开展招商引资活动。"),
        (
            "我市考察团赴宁学习先进制造业经验",
            "日前，我市考察团一行赴宁考察学习先进制造业发展经验。",
        ),
        ("全省侨商考察团来武威考察侧记", "侨商们参观了武威的企业。"),
    ],
)
def test_kind_is_visit_only_with_a_pair(tagger: Tagger, title: str, body: str) -> None:
    """By the annotation rules, ``visit`` iff a (visitor, host) pair is found: a trip abroad, an
    unresolved abbreviation or a business party is no city visit, however the title reads."""
    tags = tagger.tag(title, body)
    assert not tags.visits
    assert tags.kind == "other"


@pytest.mark.parametrize(
    ("text", "not_city"),
    [
        ("18日下午，习近平首先来到果洛西宁民族中学考察。", "果洛"),
        ("考察团实地考察了丹凤公园、机场北线高速施工现场。", "商洛"),
        ("太原市人民政府-太原史志-市委党史研究室举行主题活动", "太原"),
        ("市委组织部召开主题教育工作会议-漳州要闻", "漳州"),
    ],
)
def test_schools_landmarks_and_site_names(tagger: Tagger, text: str, not_city: str) -> None:
    assert not_city not in tagger.tag(text, "").cities


@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        # the home's province when a provincial office or title leads the party
        (
            "叶建春在广州学习考察努力开创江西高质量跨越式发展新境界",
            "10月24日，省委副书记、代省长叶建春在广州学习考察，广东省委副书记、省长马兴瑞陪同考察。",
            "赣州",
            {("江西", "广州")},
        ),
        ("", "会议传达学习省党政代表团赴安徽考察学习总结会精神。", "南昌", {("江西", "安徽")}),
        # the publisher's people in the verb's clause, whatever place an earlier clause names
        (
            "",
            "儋州新闻中心消息，4月18日至22日，市委宣传部组织宣传干部赴三亚、琼海等市县考察学习。",
            "儋州",
            {("儋州", "三亚")},  # 琼海 sits directly under 海南: a visit to its own province
        ),
        # a county's station of the home; a list whose names drop their own suffix
        (
            "",
            "近日，县经管站组织人员，先后赴定西市陇西县、青海省湟中县、张掖市高台县考察学习。",
            "平凉",
            {("平凉", "定西"), ("平凉", "西宁"), ("平凉", "张掖")},
        ),
        ("", "分管副局长带队至宜兴考察学习，综合先进地区经验。", "盐城", {("盐城", "无锡")}),
        # the home's led party ending in 一行 before a comma, then the movement (round sixteen)
        (
            "",
            "5月8日、9日，区领导带领有关镇(街道)、区民政局一行，赴德清县就养老服务进行学习考察。",
            "绍兴",
            {("绍兴", "湖州")},
        ),
        # a guest's party before the comma stays the visitor
        (
            "",
            "5月8日，苏州市民政局一行，赴德清县就养老服务进行学习考察。",
            "绍兴",
            {("苏州", "湖州")},
        ),
    ],
)
def test_whose_party_on_a_citys_site(
    tagger: Tagger, title: str, body: str, home: str | None, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == expected


def test_a_city_office_beside_a_provincial_one_is_the_citys(tagger: Tagger) -> None:
    tags = tagger.tag(
        "周红波率队赴上海市学习考察",
        "6月7日至9日，省委常委、市委书记周红波率三亚市有关部门赴上海市学习考察。",
        home="三亚",
    )
    assert pairs(tags) == {("三亚", "上海")}


@pytest.mark.parametrize(
    ("title", "body", "home", "leader"),
    [
        # an official in the host's city (在…考察), a province's city between 在 and the stay
        (
            "李海渊在潮州市考察陶瓷产业",
            "11月11日，市委副书记、市长李海渊在广东省潮州市考察陶瓷产业发展情况。",
            "朔州",
            "李海渊",
        ),
        # a name before its title, after its body's name
        (
            "",
            "8月18日，市文化市场综合执法支队薛玉龙支队长带领班子成员赴南通市文化执法支队考察学习。",
            "镇江",
            "薛玉龙",
        ),
        ("", "11月17日，罗小云厅长率江西水利系统考察团赴贵州省考察学习水利工作。", None, "罗小云"),
        # two names, the first leads
        ("江文孙颖带队到丽水学习考察", "", "上饶", "江文"),
        # 受…委托: the one who sent the party does not lead it
        (
            "",
            "受省委常委、西宁市委书记王晓委托，西宁市委副书记、市长张晓容率西宁市代表团赴南京开展交流考察活动。",
            None,
            "张晓容",
        ),
        (
            "",
            "9月1日，局领导张继祥、王友田一行赴邢台考察学习大气污染防治有关工作。",
            "邯郸",
            "张继祥",
        ),
    ],
)
def test_leaders_of_real_text(
    tagger: Tagger, title: str, body: str, home: str | None, leader: str
) -> None:
    tags = tagger.tag(title, body, home=home)
    assert tags.visits
    assert _leader(tags) == leader


@pytest.mark.parametrize(
    ("title", "home", "expected"),
    [
        ("北京市延庆区考察团深入兴和考察调研京蒙对口帮扶工作", "乌兰察布", {("北京", "乌兰察布")}),
        ("北京大兴区赴察右前旗调研京蒙帮扶事宜", "乌兰察布", {("北京", "乌兰察布")}),
        ("中山市与珠海市在中山签署合作协议", None, set()),  # two parties, no direction
        ("参观接待丨南京企业家一行到产业园参观调研", "盐城", set()),  # a business party
        ("安徽省财政厅厅长罗建国一行赴合肥滨湖金融小镇调研", "合肥", set()),  # 合肥's 滨湖
        ("乌拉盖管理区党工委来阿尔山景区考察交流", "兴安", set()),  # 乌拉盖 is not in the gazetteer
        # one party's cooperation meeting held in another place is its visit there
        ("2020嘉兴南湖区文化旅游对接会在马鞍山举行", None, {("嘉兴", "马鞍山")}),
        ("“厦门思明区·中卫沙坡头区”文旅交流协作会在宁夏圆满举行", None, {("厦门", "中卫")}),
        ("青岛·烟台产业协作对接会在济南举行", None, set()),  # whose visit? none
        ("山东文化旅游推介会在香港举行", None, set()),  # a promotion, not a delegation's visit
    ],
)
def test_frames_of_the_real_dev_set(
    tagger: Tagger, title: str, home: str | None, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, "", home=home)) == expected


def test_the_county_a_party_comes_to_is_no_landmark(tagger: Tagger) -> None:
    assert "兴安" in tagger.tag("乌拉盖管理区党工委来阿尔山景区考察交流", "", home="兴安").cities


def test_a_delegation_received_in_hong_kong(tagger: Tagger) -> None:
    tags = tagger.tag(
        "李家超晤訪港江西省省長　商討加強贛港合作",
        "行政長官李家超在禮賓府與率團訪港的江西省省長葉建春會面，就加強贛港合作交流意見。",
    )
    assert pairs(tags) == {("江西", "香港")}


def test_the_trip_starts_on_the_leads_earlier_day(tagger: Tagger) -> None:
    tags = tagger.tag(
        "山西党政代表团赴陕西学习考察",
        "7月20日，山西党政代表团在中国西部科技创新港考察。7月21日，山西省·陕西省工作交流座谈会在"
        "西安市举行，签订战略合作框架协议。",
        published=date(2023, 7, 22),
    )
    visit = tags.visits[0].to_dict()
    assert (visit["date_start"], visit["date_end"]) == ("2023-07-20", "2023-07-21")


@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        # province abbreviations one after the other
        ("三亚市考察团赴鲁粤考察学习", "", "三亚", {("三亚", "山东"), ("三亚", "广东")}),
        (
            "三亚市考察团赴鲁粤考察学习",
            "考察团先后到青岛、威海、珠海学习港口建设经验。",
            "三亚",
            {("三亚", "青岛"), ("三亚", "威海"), ("三亚", "珠海")},
        ),
        # a provincial official's name right before 率队 makes the party the province's
        (
            "学习借鉴先进经验大力推进农业产业化梁桂率队赴河南江苏学习考察",
            "3月10日至14日，省委常委梁桂、副省长卢小青率队赴河南、江苏学习考察农业产业化工作。",
            "赣州",
            {("江西", "河南"), ("江西", "江苏")},
        ),
        # a person's name holding a city (刘新余), a town named like a county (锦屏镇)
        (
            "咸阳市考察团来我市考察林果业发展",
            "6月2日至3日，陕西咸阳市副市长刘新余率考察团到内丘县岗底村学习交流。考察团一行先后深入"
            "锦屏镇铜城塬子苹果园参观。",
            "邢台",
            {("咸阳", "邢台")},
        ),
        # a named city beats its province named only in a zone's name
        (
            "晋中市组织部分县区领导干部赴酒泉市等地考察学习高标准农田项目建设",
            "由市农业农村局党组成员肖虎善带队，太谷和祁县分管副县长以及山西农谷管委会有关领导等组成的"
            "考察团赴甘肃省酒泉市等地考察学习。",
            "晋中",
            {("晋中", "酒泉")},
        ),
        # experts of an institution received are no delegation
        ("尹恒斌会见上海市眼病防治中心专家组一行", "", "安顺", set()),
    ],
)
def test_frames_of_batch_three(
    tagger: Tagger, title: str, body: str, home: str | None, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == expected


def test_a_group_leaders_title_is_whole(tagger: Tagger) -> None:
    tags = tagger.tag(
        "",
        "10月21日至25日，市委副书记、护工培训就业领导组组长张广勇带领有关负责人赴青岛考察学习。",
        home="吕梁",
    )
    leader = tags.visits[0].details.leader
    assert leader is not None and leader.name == "张广勇"
    assert leader.title.endswith("领导组组长")


@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        # a county-level city directly under its province is the province's (琼海 -> 海南)
        ("王海明带队赴琼海市考察学习会展产业发展", "", "酒泉", {("酒泉", "海南")}),
        # a city and a county of another city, one after the other, are two hosts
        (
            "市科技局赴杭州新昌考察学习科技创新工作",
            "",
            "泰州",
            {("泰州", "杭州"), ("泰州", "绍兴")},
        ),
        # 海南 the province, refined by the city the report names
        (
            "县长龙萍在海南考察现代农业",
            "龙萍先后来到大茅远洋生态村、三亚崖州湾科技城产业促进中心等地。",
            "萍乡",
            {("萍乡", "三亚")},
        ),
    ],
)
def test_province_level_ends(
    tagger: Tagger, title: str, body: str, home: str | None, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == expected
    assert "琼海" not in tagger.tag(title, body, home=home).cities


@pytest.mark.parametrize(
    "title",
    [
        "大庆市人民政府规章制定办法",
        "2023年齐齐哈尔市政府投资项目审查监督中心公开选调工作人员公告",
        "鸡西市市级人民监督员候选人考察公告",
    ],
)
def test_a_documents_own_title_and_recruitment_notices_are_policy(
    tagger: Tagger, title: str
) -> None:
    assert tagger.tag(title, "").kind == "policy"


def test_a_report_on_rules_is_no_policy(tagger: Tagger) -> None:
    assert tagger.tag("市民热议垃圾分类新规定", "").kind == "other"


@pytest.mark.parametrize(
    ("title", "home", "expected"),
    [
        # the home's development zone as the party; 京津 one after the other
        ("高新区领导赴京津考察学习", "景德镇", {("景德镇", "北京"), ("景德镇", "天津")}),
        # 到位于X的…: where the site is
        (
            "南昌市林业局党委委员杨馥宁率领南矶湿地保护区领导班子到位于九江永修的鄱阳湖国家级自然保护区考察学习",
            "南昌",
            {("南昌", "九江")},
        ),
    ],
)
def test_zones_and_sites_located(
    tagger: Tagger, title: str, home: str | None, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, "", home=home)) == expected
