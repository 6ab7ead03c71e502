"""Visit frames on real-news-like text: the right visitor (the leader's city, the publisher's own
departments), bodies that are not city delegations, receptions across clauses, signings during a
delegation's stay; a guest province lifted to the city its head's title names, the body whose order
a trip follows is not its party, the counterpart of talks before a later trip is no visitor."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger
from tests.tag import pairs


# (5) wrong end or level: the city, not the province in the leader's title; the publisher's own
# officials and departments when no city is named before the verb.
@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        (
            "洛阳市党政代表团赴宁波考察学习",
            "3月5日，河南省委常委、洛阳市委书记江凌率洛阳市党政代表团赴宁波考察学习。",
            None,
            {("洛阳", "宁波")},
        ),
        (
            "市党政代表团赴浙江湖州考察",
            "4月8日至9日，市党政代表团赴浙江省湖州市学习考察。浙江省委常委、湖州市委书记会见代表团一行。",
            "赣州",
            {("赣州", "湖州")},
        ),
        (
            "省委常委、市委书记率团赴广州学习",
            "6月3日至5日，省委常委、市委书记王明率遵义市有关部门赴广州市学习考察。",
            None,
            {("遵义", "广州")},
        ),
        (
            "副市长带队赴合肥考察",
            "9月2日，副市长李强华带队赴合肥市就新能源汽车产业链招商等工作考察学习。",
            "芜湖",
            {("芜湖", "合肥")},
        ),
        (
            "市住建局赴苏州考察老旧小区改造",
            "11月6日下午，由市住建局党组成员、副局长张敏带队，相关科室负责人组成考察组，"
            "前往苏州市住建局考察学习。",
            "盐城",
            {("盐城", "苏州")},
        ),
        (
            "县政府副县长带队赴外地招商",
            "10月20日至22日，县政府副县长王芳带队赴湖北省襄阳、宜昌等市开展学习考察、对接交流活动。",
            "南阳",
            {("南阳", "襄阳"), ("南阳", "宜昌")},
        ),
    ],
)
def test_visitor_end(
    tagger: Tagger, title: str, body: str, home: str | None, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == expected


# (6) not city delegations: associations, companies, schools, rescue and medical teams, central
# leaders and bodies, a province's own bodies in its own city, a city's leaders in their own city.
@pytest.mark.parametrize(
    ("title", "body", "home"),
    [
        ("温州市总商会赴杭州考察", "5月12日，温州市总商会代表团一行赴杭州考察交流。", None),
        ("宁波市企业家协会赴嘉兴交流", "宁波市企业家协会组织会员企业赴嘉兴参观学习。", None),
        ("浙江大学师生赴丽水开展社会实践", "7月，浙江大学师生赴丽水开展暑期社会实践调研。", None),
        ("四川救援队驰援西宁", "8月3日，四川省救援队赴西宁开展救援。", None),
        (
            "国务院国资委调研组赴青岛调研",
            "5月10日，国务院国资委调研组赴青岛调研国企改革工作。",
            None,
        ),
        ("中央督导组进驻", "中央第三生态环境保护督察组赴广州开展督察。", None),
        (
            "习近平在湖南考察",
            "济宁市人民政府要闻习近平在湖南考察时强调，坚持改革创新、求真务实。",
            "济宁",
        ),
        (
            "省委常委会召开扩大会议",
            "2月5日，省委常委会召开扩大会议，传达学习习近平总书记春节前夕赴天津看望慰问基层干部群众时的重要讲话精神。",
            "唐山",
        ),
        ("省住建厅调研组来韶调研", "6月2日，广东省住房和城乡建设厅调研组赴韶关调研。", None),
        ("市委书记赴黄岛区调研", "4月1日，市委书记赴黄岛区调研重点项目建设。", "青岛"),
    ],
)
def test_not_delegations(tagger: Tagger, title: str, body: str, home: str | None) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == set()


def test_officials_lead_a_business_delegation(tagger: Tagger) -> None:
    tags = tagger.tag("青岛市企业家代表团赴深圳", "青岛市市长率青岛企业家代表团赴深圳考察洽谈。")
    assert pairs(tags) == {("青岛", "深圳")}


# A reception verb's guest sits in its own clause: 陪同考察，长沙市领导… is the host side.
def test_reception_does_not_cross_clauses(tagger: Tagger) -> None:
    body = (
        "12月10日至11日，市党政代表团赴湖南省长沙市学习考察。市领导王红、李明参加会见和考察，"
        "长沙市领导张伟、刘强参加会见或陪同考察。"
    )
    assert pairs(tagger.tag("市党政代表团赴长沙学习考察", body, home="九江")) == {("九江", "长沙")}


def test_company_in_next_clause_is_no_guest(tagger: Tagger) -> None:
    body = (
        "7月12日上午，区委书记张华到研究所学习考察，所长王涛陪同接待，下属北京雷生公司教授李军，"
        "区政府副区长谢晖等陪同。"
    )
    assert pairs(tagger.tag("区委书记赴研究所学习考察", body, home="萍乡")) == set()


# (7) signings: a delegation that signs during its stay visits; two cities signing with no trip
# stated do not.
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("4月2日，青岛市党政代表团在深圳考察期间，两市签署战略合作框架协议。", {("青岛", "深圳")}),
        (
            "淄博市人民政府与西安市人民政府签署战略合作协议。淄博市党政代表团一行在西安签约。",
            {("淄博", "西安")},
        ),
        ("青岛市党政代表团在深圳签署战略合作协议。", {("青岛", "深圳")}),
        ("青岛市与深圳市签署战略合作协议。", set()),
    ],
)
def test_signings(tagger: Tagger, body: str, expected: set[tuple[str, str]]) -> None:
    assert pairs(tagger.tag("两市签署战略合作协议", body)) == expected


@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        # 学习考察 right before the host, as 考察学习 and 考察 are: the compound names the stay
        (
            "丹东市司法局学习考察我市人民调解工作",
            "考察组一行参观了矛盾纠纷化解中心。",
            "嘉兴",
            {("丹东", "嘉兴")},
        ),
        ("", "近日，丹东市司法局学习考察嘉兴市人民调解工作。", "上海", {("丹东", "嘉兴")}),
        ("", "6月3日，铜仁市发改委学习考察我县乡村振兴工作。", "遵义", {("铜仁", "遵义")}),
        ("", "5月20日，淮安市商务局学习考察苏州工业园区。", "南京", {("淮安", "苏州")}),
        # a study of a leader's inspection is no stay; a stay of the home's own body is none
        ("", "市委理论学习中心组学习习近平总书记考察浙江重要讲话精神。", "嘉兴", set()),
        ("", "近日，市司法局学习考察我市各县区人民调解工作。", "嘉兴", set()),
    ],
)
def test_study_visit_compound_before_the_host(
    tagger: Tagger, title: str, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == expected


@pytest.mark.parametrize(
    ("body", "home", "expected"),
    [
        # a team named only by what it does, opening its sentence, is the paragraph's body's party
        (
            "近日，市医疗保障局赴兄弟市县考察学习。考察学习组分别到文昌、海口、琼海、三亚共4个市县。",
            "儋州",
            {("儋州", "海口"), ("儋州", "三亚")},
        ),
        (
            "3月，市教育局赴外地学习办学经验。观摩团先后到杭州、宁波。",
            "温州",
            {("温州", "杭州"), ("温州", "宁波")},
        ),
        (
            "4月，县商务局赴外地开展招商工作。考察组一行先后赴苏州、无锡考察企业。",
            "宿迁",
            {("宿迁", "苏州"), ("宿迁", "无锡")},
        ),
        # no body before the team, or a team inside the home: none
        ("考察学习组分别到海口、三亚。", "儋州", set()),
        ("近日，市委组织部召开会议。调研组分别到各县区调研。", "儋州", set()),
    ],
)
def test_an_unnamed_team_is_the_paragraphs_body(
    tagger: Tagger, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag("", body, home=home)) == expected


# --- a guest province whose own city its head's title names --------------------------------


@pytest.mark.parametrize(
    ("title", "text", "pair"),
    [
        (
            "市领导陪同贵州省遵义市党政代表团考察",
            "市领导陪同贵州省遵义市率团来我市学习考察乡村振兴工作。",
            ("遵义", "吉安"),
        ),
        (
            "赣州市党政考察团在福州学习考察",
            "其间，福建省委书记会见了江西省委副书记、赣州市委书记刘某某率领的党政考察团一行。",
            ("赣州", "福州"),
        ),
    ],
)
def test_the_guest_province_is_lifted_to_its_city(
    tagger: Tagger, title: str, text: str, pair: tuple[str, str]
) -> None:
    home = pair[1] if pair[1] == "吉安" else "赣州"
    found = pairs(tagger.tag(title, text, home=home))
    assert pair in found
    assert not {p for p in found if p[0] in ("贵州", "江西")}


def test_a_provincial_guest_stays_the_province(tagger: Tagger) -> None:
    tags = tagger.tag(
        "新疆党政代表团来赣考察",
        "6日，省委书记在南昌会见了新疆维吾尔自治区党委副书记王某某率领的新疆党政代表团一行。",
        home="南昌",
    )
    assert ("新疆", "江西") in pairs(tags)


# --- the body whose order a trip follows is not its party ---------------------------------


def test_the_body_that_orders_a_trip_is_not_its_party(tagger: Tagger) -> None:
    body = (
        "按照河南省人民政府办公厅《关于推进营商环境优化的通知》要求，5月6日至9日，由县政管办牵头，"
        "带领县发改局等部门负责人组成考察组，赴浙江省嘉兴市、湖州市等地考察学习。"
    )
    tags = tagger.tag("某县考察组赴浙江考察学习", body, home="周口")
    assert pairs(tags) == {("周口", "嘉兴"), ("周口", "湖州")}


# --- the counterpart of talks before a later trip in the same sentence ------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "调研组先后与广州市人大常委会、深圳市人大常委会负责同志座谈，并到广州市黄埔区实地调研。",
            {("哈尔滨", "广州")},
        ),
        ("考察团与深圳市政府有关负责同志座谈后，又到广州市考察。", {("哈尔滨", "广州")}),
        # the party named before the talks is the visitor
        ("长春市考察团与深圳市领导座谈后，又到广州市考察。", {("长春", "广州")}),
    ],
)
def test_talks_counterpart_is_no_visitor(
    tagger: Tagger, body: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag("", body, home="哈尔滨")) == expected


@pytest.mark.parametrize(
    ("body", "pair"),
    [
        # no talks with anyone: the place before stays the visitor
        ("深圳市考察团在座谈后到广州市考察。", ("深圳", "广州")),
        ("深圳市考察团与广州市签署合作协议后到佛山市考察。", ("深圳", "佛山")),
    ],
)
def test_party_before_talks_stays(tagger: Tagger, body: str, pair: tuple[str, str]) -> None:
    assert pair in pairs(tagger.tag("", body, home="哈尔滨"))


# A word for what the place is to the party, or where it lies, between the verb and the place
# (赴省内…, 赴对标城市…); a list joined by 以及; a subjectless next leg of the home's own trip.
@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        (
            "市商务局赴外市考察学习",
            "6月3日至8日，由市商务局分管领导组成考察组，赴省内天水、酒泉及浙江湖州考察学习。",
            "庆阳",
            {("庆阳", "天水"), ("庆阳", "酒泉"), ("庆阳", "湖州")},
        ),
        (
            "某区党政代表团赴对标城市嘉兴市南湖区考察学习",
            "座谈会上，南湖区负责同志对代表团一行的到来表示欢迎。",
            "荆门",
            {("荆门", "嘉兴")},
        ),
        (
            "某县考察团赴浙江学习",
            "5月6日至8日，考察团一行9人赴浙江省台州市温岭、玉环、以及宁波市北仑区等地学习考察。",
            "赣州",
            {("赣州", "台州"), ("赣州", "宁波")},
        ),
        (
            "副市长带队赴河南考察项目",
            "4月2日至4月5日，副市长王某率市工信局等部门负责同志一行8人，赴河南郑州进行考察对接。"
            "同时就发展冷链物流，考察了新乡长垣的物流园区。",
            "承德",
            {("承德", "郑州"), ("承德", "新乡")},
        ),
        (
            "副市长带队赴河南考察项目",
            "4月2日，副市长王某率市工信局负责同志赴郑州考察对接。随后赴洛阳考察。",
            "承德",
            {("承德", "郑州"), ("承德", "洛阳")},
        ),
        # a guest's next stop is not the home's leg; a new paragraph does not go on the trip;
        # a bare 省内 with no place after it names no host
        (
            "",
            "5月4日，廊坊市政协一行来我市考察。随后赴唐山考察。",
            "承德",
            {("廊坊", "承德")},
        ),
        (
            "",
            "4月2日，副市长王某率市工信局负责同志赴郑州考察对接。\n随后赴洛阳考察。",
            "承德",
            {("承德", "郑州")},
        ),
        ("", "今年以来，全市游客赴省内各景区旅游人数增长。", "庆阳", set()),
    ],
)
def test_described_places_joined_lists_and_next_legs(
    tagger: Tagger, title: str, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == expected
