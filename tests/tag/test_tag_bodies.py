"""Which travelling bodies are a city's delegation (issue 19, the fifteenth batch of the visits dev
set): the people's organisations and mass bodies, public research institutes and posted village
work teams are not, whatever their heads' other titles; non-officials a body organises and sends
with nobody at their head are not; an official of the city at the head of any of them, a bureau
leading companies, a 供销社 and a class of the city's own leaders (读书班赴温州…现场教学) are.
A company's own study trip led by its heads is not the city's (an official leading company people
is, as are the city's bodies' officials named before a company's heads in one list of leaders); a
unit of a government body (…执法局直属大队来我局) travels for its place; a school's trainees, and
principals or teachers as the party (名校长工作坊, 一行20名校长, 名师工作室) with no bureau, are no
delegation (an office's trip is); a government office listed with a mass body (市侨办、市侨联) makes it a
delegation, and 工作协助 holds no 作协; the named party is read in its own clause (a chamber's team
welcomed by the host's 县委, businessmen escorted by a vice-mayor), an official leading an
association (在…民政局调研员带领下) makes it a delegation, and leaders cited for their instructions
lead nothing. Sentences written for these tests, shaped like city news."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger
from tests.tag import pairs

# --- the people's organisations, research institutes, village work teams ------------------------


@pytest.mark.parametrize(
    ("title", "body", "home"),
    [
        (
            "市科协赴上海市金山区科协学习考察",
            "近日，市科协主席王明一行4人赴上海市金山区科协学习考察。",
            "嘉兴",
        ),
        ("市侨联赴厦门考察", "5月8日，市侨联党组书记、主席李红一行赴厦门市考察侨务工作。", "泉州"),
        ("县文联赴桐乡考察学习", "县文联主席赵志刚带队赴桐乡市学习考察文艺工作。", "温州"),
        (
            "区工商联主席一行赴我市考察",
            "唐山市丰南区工商联主席马振生一行赴我市学习考察电商工作。",
            "张家口",
        ),
        (
            "市知联会赴南京考察学习",
            "市政协副主席、市知联会会长史晓莲一行赴南京市考察学习。",
            "景德镇",
        ),
        (
            "市社科联来我市考察",
            "6月3日，南昌市社科联党组书记刘军一行来我市考察学习社科普及工作。",
            "九江",
        ),
        (
            "团市委赴杭州学习",
            "团市委书记周倩带领青年干部赴杭州市学习考察青年发展型城市建设。",
            "湖州",
        ),
        (
            "市林科所赴浙江考察",
            "4月25日，市林科所所长陈文带领科研人员赴浙江金华考察学习良种基地建设。",
            "抚州",
        ),
        ("九江市林科所到抚州考察", "九江市林科所总支书记丁健一行到抚州市林科所考察学习。", "抚州"),
        (
            "市农业科学研究院赴寿光学习",
            "市农业科学研究院院长孙强带队赴寿光市考察设施蔬菜。",
            "聊城",
        ),
        ("驻村工作队赴郑州学习", "3月5日，市乡村振兴局驻村工作队一行3人赴开封市学习考察。", "邯郸"),
        # the body is named in the title; the text's 考察团 is that body, not the city
        (
            "区工商联组织民营企业家代表赴浙江考察学习",
            "区工商联主席、副主席及部分民营企业家等20余人赴浙江杭州、湖州等地考察学习。"
            "考察团一行实地参观考察了余杭经济技术开发区和安吉县田园综合体。",
            "晋中",
        ),
        (
            "县妇联赴常州考察学习",
            "考察组一行先后参观了常州市武进区妇女儿童活动中心和溧阳市巾帼创业基地。",
            "南通",
        ),
    ],
)
def test_mass_bodies_institutes_and_work_teams_give_no_pair(
    tagger: Tagger, title: str, body: str, home: str
) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == set()


@pytest.mark.parametrize(
    ("body", "home", "pair"),
    [
        # an official of the city at the head of the body: the city's party
        (
            "11月6日，市委常委、统战部长李宁，率领市工商联有关负责同志及民营企业家等一行50多人，"
            "赴长沙工业园学习考察。",
            "萍乡",
            ("萍乡", "长沙"),
        ),
        (
            "副市长张华率市科协、市科技局负责同志赴合肥市考察科技创新工作。",
            "芜湖",
            ("芜湖", "合肥"),
        ),
        # a 供销社 and a bureau leading companies keep their pairs
        (
            "邯郸市供销社党组书记、理事会主任张军带队，赴信阳市供销社对接考察学习。",
            "邯郸",
            ("邯郸", "信阳"),
        ),
        (
            "7月3日，市商务局副局长郝昌林带队，组织我市30余家家政服务企业赴朔州市学习考察。",
            "晋中",
            ("晋中", "朔州"),
        ),
        (
            "在委党组书记、主任李宏伟带领下，我委组织60名企业负责人到武汉市东西湖区学习考察。",
            "荆门",
            ("荆门", "武汉"),
        ),
        # a bureau sending growers with nobody named at their head: the bureau's trip
        ("县农业农村局选派20名种植户赴寿光市学习蔬菜种植技术。", "德州", ("德州", "潍坊")),
        # a government body whose name holds 所 or 站 is not a research institute
        ("市场监管局城南所所长刘勇一行赴宁波市学习考察。", "台州", ("台州", "宁波")),
    ],
)
def test_official_heads_bureaus_and_coops_keep_their_pairs(
    tagger: Tagger, body: str, home: str, pair: tuple[str, str]
) -> None:
    assert pair in pairs(tagger.tag("", body, home=home))


@pytest.mark.parametrize(
    ("body", "home", "expected"),
    [
        # the body named in the clause before the trip's own (…一行10人，到我市考察)
        (
            "9月25日，上海市红十字会党组成员、副会长李江英一行10人，到我市考察红十字工作。",
            "绍兴",
            set(),
        ),
        ("山西省左权县核桃协会会长一行12人，来我县考察学习土地托管。", "邢台", set()),
        # associations of every kind (促进会, 研究会, 基金会)
        ("10月14日，南通市老区发展促进会理事长秦厚德率队来我市考察学习。", "徐州", set()),
        ("6月3日，苏州市慈善基金会秘书长一行到我市交流。", "南通", set()),
        # a government body in the clause before stays the party
        (
            "9月25日，上海市发改委副主任李江一行10人，到我市考察长三角一体化工作。",
            "绍兴",
            {("上海", "绍兴")},
        ),
    ],
)
def test_the_party_in_the_clause_before_the_trip(
    tagger: Tagger, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag("", body, home=home)) == expected


# --- non-officials organised and sent, nobody at their head -------------------------------------


@pytest.mark.parametrize(
    ("body", "home"),
    [
        (
            "11月23日，市委统战部组织党外知识分子、新的社会阶层人士组成考察学习团，赴林芝市开展考察。",
            "拉萨",
        ),
        ("为提升经营水平，市工信局组织37名企业家赴青岛考察学习标杆企业。", "南京"),
        ("今年六月，我市基层法律服务协会完成了换届，组织全体理事前往浏阳学习考察。", "萍乡"),
        ("区委统战部组织新的社会阶层人士赴嘉兴市考察学习。", "杭州"),
    ],
)
def test_organised_non_officials_with_no_head_give_no_pair(
    tagger: Tagger, body: str, home: str
) -> None:
    assert pairs(tagger.tag("", body, home=home)) == set()


# --- a person's given name that is a place's -----------------------------------------------------


@pytest.mark.parametrize(
    ("title", "body", "absent"),
    [
        (
            "张安顺率哈尔滨市党政代表团赴深圳市学习考察",
            "4月23日下午，哈尔滨市与深商企业家座谈会在深圳市举行。张安顺代表市委市政府对企业家表示感谢。",
            "安顺",
        ),
        (
            "",
            "市委书记王丽江主持召开会议。会后，王丽江在调研中要求各部门抓好落实。",
            "丽江",
        ),
        (
            "陈宁波一行来我市考察",
            "座谈会上，陈宁波对我市的发展成就给予高度评价。",
            "宁波",
        ),
    ],
)
def test_a_name_shown_as_a_person_is_one_throughout(
    tagger: Tagger, title: str, body: str, absent: str
) -> None:
    assert absent not in tagger.tag(title, body).cities


@pytest.mark.parametrize(
    ("body", "present"),
    [
        # a place right after another place (苏 is a surname, 等 may follow a name) stays
        ("借鉴山东青岛、江苏南京等地新能源产业发展经验。", "南京"),
        ("考察团先后赴上海、浙江宁波等地考察学习棚户区改造工作。", "宁波"),
        # the same characters with no person reading anywhere stay a place
        ("代表团赴张家港、安顺等地考察。", "安顺"),
    ],
)
def test_places_beside_names_stay(tagger: Tagger, body: str, present: str) -> None:
    assert present in tagger.tag("", body).cities


def test_a_province_after_a_place_stays_beside_a_surname(tagger: Tagger) -> None:
    # 海|江苏等: 江 is a surname and 等 may follow a name, but 江 ends 上海
    tags = tagger.tag("", "张乾飞副市长带队赴上海江苏等地考察学习棚户区改造工作。", home="六盘水")
    assert "江苏" in tags.provinces


# --- a class of the home's own bodies as the travelling party ------------------------------------


@pytest.mark.parametrize(
    ("body", "home", "expected"),
    [
        # a 读书班 or 研修班 of the city's own leaders or bureaus: the home's party
        (
            "11月23日，读书班赴浙江温州市洞头区开展现场教学，学习千万工程经验。",
            "宁德",
            {("宁德", "温州")},
        ),
        ("6月5日，全市人大代表履职研修班赴嘉兴市开展现场教学。", "湖州", {("湖州", "嘉兴")}),
        # a party school's class or a mass body's class stays no delegation
        ("4月10日，市委党校春季主体班赴湖州开展异地培训。", "吉安", set()),
        ("5月8日，市妇联基层妇女干部培训班赴嘉兴开展实地考察。", "镇江", set()),
    ],
)
def test_a_class_of_the_homes_bodies_is_its_party(
    tagger: Tagger, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag("", body, home=home)) == expected


# --- public service units, retired cadres, companies and traders ------------------------------


@pytest.mark.parametrize(
    ("title", "body", "home"),
    [
        # a service unit (事业单位) as the party, in the title and in the text
        ("萧山区殡仪馆来市殡仪馆考察交流", "市殡仪馆主任陪同萧山区考察组进行了实地考察。", "绍兴"),
        ("", "贵州仁怀市中心血库一行6人来市中心血站学习考察采供血业务。", "镇江"),
        ("", "海宁市人民医院一行赴杭州市第一人民医院考察学习智慧医院建设。", "嘉兴"),
        ("", "吴江区图书馆一行到苏州市图书馆考察交流总分馆建设。", "无锡"),
        ("县博物馆赴西安考察学习", "考察组一行参观了陕西历史博物馆。", "天水"),
        # retired cadres' groups
        ("定西市地级退休干部来我市参观考察", "8月4日，定西市地级退休干部来我市参观考察。", "武威"),
        ("", "6月5日，部分离退休老干部赴延安参观学习。", "榆林"),
        ("", "临沂市老干部一行来我市参观考察乡村振兴工作。", "日照"),
        # a company's trip with the head of the city's liaison office in the host
        (
            "",
            "5月23日，南通市人民政府驻深圳办事处主任邱爱军、房投集团党委副书记、总经理王春"
            "一行赴深圳市深业集团考察学习。",
            "南通",
        ),
        ("", "城投公司党委书记、董事长李强一行赴合肥市建投集团考察学习。", "芜湖"),
        # a school's or academy's own heads leading its staff
        (
            "院校领导带队赴韶山考察学习",
            "11月26日，由我院副院（校）长翁为平带队，我院（校）教务处相关人员前往韶山干部学院考察学习。",
            "嘉兴",
        ),
        ("", "5月9日，我校校长王平带队赴杭州市第二中学考察交流。", "衢州"),
        ("", "市职业技术学院党委书记李强率队赴苏州市工业园区职业技术学院考察学习。", "宿迁"),
        # traders named after the verb
        (
            "于洪涛会见来鸡西考察的广东客商",
            "5月15日晚，市长于洪涛会见了来鸡西考察的客商一行。",
            "鸡西",
        ),
        # the title's body's people, again, and a mass body's own head: no office of the home
        (
            "市殡仪馆赴天津考察",
            "市殡仪馆班子成员一行赴天津市考察。考察组一行还到唐山市殡仪馆学习交流。",
            "连云港",
        ),
        ("团市委赴杭州考察", "团市委书记李明带领青年干部赴杭州市考察学习。", "嘉兴"),
        ("市长会见来我市考察的温州客商", "6月2日，市长李明会见温州客商代表。", "衢州"),
        ("副市长会见来庆阳考察的浙江企业家", "副市长王刚会见浙江企业家一行并座谈。", "庆阳"),
    ],
)
def test_service_units_retired_cadres_and_companies_give_no_pair(
    tagger: Tagger, title: str, body: str, home: str
) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == set()


@pytest.mark.parametrize(
    ("title", "body", "home", "pair"),
    [
        # an official of the city leading the body, or the bureau that serves retired cadres
        (
            "",
            "市卫健委主任王刚带领市人民医院负责人赴杭州市第一人民医院考察学习。",
            "嘉兴",
            ("嘉兴", "杭州"),
        ),
        ("", "市委老干部局一行赴延安考察学习老干部工作。", "榆林", ("榆林", "延安")),
        # a service unit among the bodies an office sends
        (
            "",
            "6月26日，市政府办组织市住建局、市国土局、市人民医院、袁州区政府等相关部门前往"
            "南昌市考察学习。",
            "宜春",
            ("宜春", "南昌"),
        ),
        # a unit of the party's place in the title, but the text's trip led by the city's head
        (
            "昔阳县委党校赴武乡太行干部学院学习考察",
            "5月7日，昔阳县委书记王根元带领县委党校和县委组织部相关人员一行6人，赴武乡县"
            "太行干部学院进行学习考察。",
            "晋中",
            ("晋中", "长治"),
        ),
        # a liaison office's head, but the city's officials leading
        (
            "",
            "副市长张华、市政府驻深圳办事处主任邱爱军一行赴深圳市考察招商。",
            "南通",
            ("南通", "深圳"),
        ),
        # officials leading heads of colleges
        (
            "",
            "副市长张华带领市教育局和各学院负责同志赴苏州市考察职业教育。",
            "宿迁",
            ("宿迁", "苏州"),
        ),
        # the title's body travels, and the text tells a trip its office's head led
        (
            "市殡仪馆到天津唐山等地考察学习",
            "9月13日，市殡仪馆班子成员一行3人前往天津市殡仪馆考察学习。2017年，市民政局主要领导"
            "高度重视搬迁工作，多次带领殡仪馆工作人员赴重庆、西安等地考察学习先进经验。",
            "连云港",
            ("连云港", "重庆"),
        ),
        (
            "县人民医院赴杭州考察",
            "县人民医院一行赴杭州市考察学习。此前，县卫健局局长张明带领医院负责人赴宁波市"
            "考察了医共体建设。",
            "台州",
            ("台州", "宁波"),
        ),
        # officials named after the verb
        (
            "市长会见来鸡西考察的牡丹江市党政代表团",
            "5月15日，市长于洪涛会见来鸡西考察的牡丹江市党政代表团一行。",
            "鸡西",
            ("牡丹江", "鸡西"),
        ),
    ],
)
def test_officials_leading_or_sending_such_bodies_keep_their_pairs(
    tagger: Tagger, title: str, body: str, home: str, pair: tuple[str, str]
) -> None:
    assert pair in pairs(tagger.tag(title, body, home=home))


# --- a company's own study trip is not the home city's ---------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "会议要求成立考察小组，分别由集团领导李军、王强带队，赶赴深圳、广州等地学习考察。",
        "5月8日，公司总经理陈立带队前往苏州学习考察园区运营经验。",
        "集团党委书记、董事长刘伟率队赴杭州考察数字化转型。",
        # the company's heads first, a city body only mentioned after them
        "近日，由城投集团董事长赵亮、总经理孙伟等领导带队，赴杭州市考察，市国资委派员参加。",
    ],
    ids=["集团领导", "公司总经理", "集团董事长", "company-first"],
)
def test_company_heads_lead_no_city_visit(tagger: Tagger, body: str) -> None:
    assert pairs(tagger.tag("集团召开部署会议", body, home="南昌")) == set()


@pytest.mark.parametrize(
    ("body", "host"),
    [
        ("5月8日，市长王刚带领集团领导和企业家赴苏州考察学习。", "苏州"),
        ("9月2日，市委副书记李军率队赴杭州考察数字经济。", "杭州"),
        # the city's bodies' officials named first, a company's heads after them (round sixteen)
        (
            "近日，由市国资委副主任王明、市发改委调研员李强、城投集团董事长赵亮、总经理孙伟等领导"
            "带队，赴苏州市某某实业集团有限公司进行学习考察。",
            "苏州",
        ),
    ],
    ids=["mayor-with-company", "official", "city-bodies-then-company"],
)
def test_officials_lead_a_city_visit(tagger: Tagger, body: str, host: str) -> None:
    assert pairs(tagger.tag("考察学习", body, home="南昌")) == {("南昌", host)}


# --- a unit of a government body as the travelling party (…执法局直属大队来我局) ------------


@pytest.mark.parametrize(
    ("title", "pair"),
    [
        ("湖州市城市管理综合行政执法局直属大队来我局考察学习", ("湖州", "镇江")),
        ("台州市综合行政执法局城东执法中队来我局交流学习", ("台州", "镇江")),
        ("舟山市城市管理综合行政执法局直属一中队来我局考察调研", ("舟山", "镇江")),
    ],
)
def test_a_unit_of_a_body_travels_for_its_place(
    tagger: Tagger, title: str, pair: tuple[str, str]
) -> None:
    body = "座谈中，双方就执法工作进行了深入交流。"
    assert pairs(tagger.tag(title, body, home="镇江")) == {pair}


@pytest.mark.parametrize(
    "title",
    [
        "湖州市城市管理综合行政执法局直属大队召开年度工作会议",  # no visit
        "湖州市城市管理综合行政执法局直属大队开展夜间巡查行动",
    ],
)
def test_a_unit_at_home_makes_no_visit(tagger: Tagger, title: str) -> None:
    body = "会议总结了上年工作，部署了今年重点任务。"
    assert pairs(tagger.tag(title, body, home="镇江")) == set()


# --- a school's trainees ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "body"),
    [
        # a school's trip in the title: its trainees further on are no home party either
        ("县职业技术学校组织电商学员赴义乌考察", "全体学员考察了义乌市的电商产业园。"),
        (
            "东城成校组织茶农赴湖州安吉考察学习",
            "全体学员考察了安吉县的白茶基地，听取了当地茶叶产业发展情况介绍。",
        ),
    ],
)
def test_school_trainees_no_delegation(tagger: Tagger, title: str, body: str) -> None:
    assert not pairs(tagger.tag(title, body, home="嘉兴"))


@pytest.mark.parametrize(
    "body",
    [
        "市农业农村局组织葡萄种植户30人赴金华市浦江县考察学习。",
        "市教育局局长带队赴金华市考察职业学校建设。",
    ],
)
def test_office_led_trip_stays(tagger: Tagger, body: str) -> None:
    assert ("嘉兴", "金华") in pairs(tagger.tag("", body, home="嘉兴"))


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("贵州省王某某名校长工作坊考察团赴我市学习交流", ""),
        (
            "",
            "5月6日至7日，四川省“国培计划”李某名校长工作坊、成都市名校长基地一行20名校长，赴我市"
            "开展名校研讨交流活动。",
        ),
        ("", "绵阳市张某名师工作室一行来我市考察交流。"),
    ],
    ids=["名校长工作坊", "一行20名校长", "名师工作室"],
)
def test_principals_and_teachers_are_no_delegation(tagger: Tagger, title: str, body: str) -> None:
    assert not pairs(tagger.tag(title, body, home="嘉兴"))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("市教育局副局长王明带领全市20名校长赴金华市考察学习。", ("嘉兴", "金华")),
        ("含山县教育局校长考察团一行来我市考察学习。", ("马鞍山", "嘉兴")),
    ],
    ids=["bureau-leads-principals", "bureau-principals-team"],
)
def test_a_bureau_with_its_principals_stays_a_delegation(
    tagger: Tagger, body: str, expected: tuple[str, str]
) -> None:
    assert pairs(tagger.tag("", body, home="嘉兴")) == {expected}


def test_a_city_commission_with_a_companys_member_is_a_delegation(tagger: Tagger) -> None:
    """市国资委 (a 委 of the city) named first, a company's member after 及: the city's party."""
    body = "8月3日，湖南省株洲市国资委郑明远及某某公司社区总部黄立一行来我市考察。"
    assert pairs(tagger.tag("", body, home="新余")) == {("株洲", "新余")}
    # a company alone stays no delegation
    body = "8月3日，株洲某某公司社区总部黄立一行来我市考察。"
    assert pairs(tagger.tag("", body, home="新余")) == set()


# --- a government office with a body that is none; 作协 inside 工作协助 ----------------------------


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (
            "市侨办市侨联考察组赴武汉市交流学习",
            "5月15日，市侨办、市侨联负责同志带队赴武汉市考察交流学习。",
        ),
        ("赴武汉考察", "5月15日，市科技局和市科协负责同志带队赴武汉市考察交流学习。"),
    ],
)
def test_an_office_travelling_with_a_mass_body_is_a_delegation(
    tagger: Tagger, title: str, body: str
) -> None:
    assert pairs(tagger.tag(title, body, home="大同")) == {("大同", "武汉")}


def test_a_mass_body_alone_is_still_none(tagger: Tagger) -> None:
    tags = tagger.tag(
        "市侨联考察组赴武汉市交流学习",
        "5月15日，市侨联负责同志带队赴武汉市考察交流学习。",
        home="大同",
    )
    assert pairs(tags) == set()


def test_work_assistance_is_no_writers_association(tagger: Tagger) -> None:
    body = (
        "2018年11月2日至7日，宿迁市节约用水办公室组织各区负责人及迎查工作协助单位一行9人分别赴山东潍坊、"
        "江苏扬州学习。"
    )
    assert pairs(tagger.tag("赴外地学习", body, home="宿迁")) == {
        ("宿迁", "潍坊"),
        ("宿迁", "扬州"),
    }


# --- what the named party is, read in its own clause ----------------------------------------------


@pytest.mark.parametrize(
    ("body", "home"),
    [
        # a chamber's team, in a clause the host's 县委、县政府 open
        ("会上，柯尊勇代表县委、县政府对宁夏湖北商会考察团来我县考察表示热烈欢迎。", "十堰"),
        # businessmen 来自 a chamber, escorted by the host's vice-mayor
        (
            "19日下午，来自广东国信通集团、中山市汕尾商会的企业家们在副市长谢殿才的陪同下，"
            "深入我市物流园参观考察。",
            "鹤岗",
        ),
        ("山东省潍坊市侨商考察团来我市考察。", "武威"),
        # a village work team posted by a bureau, and its village cadres
        ("市科技局驻青龙镇平顶山村工作组组织部分村干部赴唐山市迁西县学习考察。", "秦皇岛"),
    ],
)
def test_parties_that_are_no_delegation_in_their_own_clause(
    tagger: Tagger, body: str, home: str
) -> None:
    assert pairs(tagger.tag("考察学习", body, home=home)) == set()


def test_an_association_led_by_an_official_is_a_delegation(tagger: Tagger) -> None:
    led = "广东省汕头市殡葬协会一行30人在汕头市民政局一级调研员陈镇坤带领下，来我市乐平市考察学习。"
    assert pairs(tagger.tag("考察学习", led, home="景德镇")) == {("汕头", "景德镇")}
    alone = "汕头市殡葬协会一行30人来我市考察学习。"
    assert pairs(tagger.tag("考察学习", alone, home="景德镇")) == set()


def test_leaders_cited_for_their_instructions_lead_nothing(tagger: Tagger) -> None:
    # an academy's own heads go; the city's leaders are only cited for their instructions
    body = (
        "为了落实市委、市政府主要领导在我院调研时指示精神，院党委书记孙智清带领科研人员"
        "赴武威市考察学习。"
    )
    assert pairs(tagger.tag("市农科院赴武威考察学习", body, home="平凉")) == set()


def test_an_official_leading_bodies_that_are_none_keeps_their_place(tagger: Tagger) -> None:
    # the 统战部长 leads the parties' city committees and the 工商联: the city's delegation
    body = (
        "11月3日至4日，市政协副主席、市委统战部长姚华带领民革承德市委主委胡晓红、民盟承德市委主委"
        "曹凯、市工商联主席段晓岩赴唐山对口交流学习考察。"
    )
    title = "市委统战部组织民主党派工商联负责人赴唐山对口交流考察"
    assert pairs(tagger.tag(title, body, home="承德")) == {("承德", "唐山")}


def test_a_design_institute_is_no_delegation(tagger: Tagger) -> None:
    body = "七月底，设计院考察团在杨建国院长的带领下赴南昌安义森湖苗圃及古村群参观学习。"
    assert pairs(tagger.tag("设计院赴南昌安义考察学习", body, home="抚州")) == set()
