"""Classes of error met on the eighth batch of the visits dev set (issue 19), each with
sentences shaped like city-government news (written for these tests) and the negatives that
must keep working."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger
from crawler.tag.details import find_officials
from tests.tag import pairs

# --- several heads under one title lead together, the first named heads -------------------


@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        ("6月3日，宜兴市政协副主席黄立新、周国平带领政协委员来我市考察。", ["黄立新", "周国平"]),
        (
            "5月12日，溧阳市审计局副局长陈海东和党组成员、总审计师吴卫带领相关人员赴常州考察。",
            ["陈海东", "吴卫"],
        ),
        ("昨日，海安县人大常委会副主任许明、李建和王强率队到我县考察。", ["许明", "李建", "王强"]),
    ],
    ids=["顿号", "和-two-titles", "three-names"],
)
def test_co_heads_before_a_leading_verb(sentence: str, names: list[str]) -> None:
    found = [o.name for o in find_officials(sentence, 0, len(sentence))]
    assert found == names


def test_co_heads_lead_the_visit(tagger: Tagger) -> None:
    tags = tagger.tag(
        "宜兴市政协来我市考察",
        "6月3日，宜兴市政协副主席黄立新、周国平带领政协委员来我市考察乡村振兴工作。",
        home="湖州",
    )
    (visit,) = tags.visits
    assert (visit.visitor, visit.host) == ("无锡", "湖州")
    assert visit.details.leader is not None and visit.details.leader.name == "黄立新"
    assert [o.name for o in visit.details.co_leaders] == ["周国平"]


@pytest.mark.parametrize(
    "sentence",
    [
        "市长张伟和李明会见了代表团一行。",  # no leading verb after the second name
        "副市长王刚、市政府秘书长赵磊陪同考察。",  # each has its own title: nothing added
    ],
)
def test_no_partner_without_a_leading_verb(sentence: str) -> None:
    found = find_officials(sentence, 0, len(sentence))
    assert "李明" not in [o.name for o in found]
    assert len({o.title for o in found if o.name}) == len([o for o in found if o.name])


# --- a place inside the name of a museum, a cemetery, a paper, a company -------------------


@pytest.mark.parametrize(
    ("text", "city"),
    [
        ("市委书记在保定宴饮食博物馆听取设计思路介绍。", "保定"),
        ("考察团参观了晋冀鲁豫烈士陵园，民政局及湖南革命陵园管理处派员陪同。", "湖南"),
        ("图为活动现场。绵阳日报记者王强摄。", "绵阳"),
        ("李旭同志在政府二楼会见吉林电力股份有限公司长春热电公司领导。", "长春"),
    ],
    ids=["museum", "cemetery", "paper", "company"],
)
def test_place_in_an_institution_name(tagger: Tagger, text: str, city: str) -> None:
    tags = tagger.tag("工作动态", text)
    assert city not in tags.cities and city not in tags.provinces


@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        (  # a party going to a memorial goes to its place
            "我市干部赴延安学习",
            "9月5日，我市组织党员干部赴延安革命纪念馆参观学习。",
            "榆林",
            {("榆林", "延安")},
        ),
        (  # and to a company's
            "考察团赴深圳",
            "考察团一行前往深圳市华强电子有限公司考察。",
            "赣州",
            {("赣州", "深圳")},
        ),
        (  # a province's cemetery in the party is no second visitor
            "长沙市到我市考察学习光荣院建设",
            "长沙市、浏阳市民政局及湖南革命陵园管理处一行9人，到我市考察学习光荣院建设工作。",
            "邯郸",
            {("长沙", "邯郸")},
        ),
    ],
    ids=["memorial", "company", "cemetery"],
)
def test_institutions_in_visit_frames(
    tagger: Tagger, title: str, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == expected


# --- the outlet's own place in its byline, a site's 今日X column ----------------------------


@pytest.mark.parametrize(
    ("text", "outlet"),
    [
        ("郴州市融媒体中心消息 近日，全市开展安全生产大检查。", "郴州"),
        ("宜宾日报讯 3月2日，全市安全生产会议召开。", "宜宾"),
        ("曲靖广播电视台记者李明报道 会议要求各地抓好落实。", "曲靖"),
    ],
    ids=["融媒体中心", "日报讯", "电视台记者"],
)
def test_outlet_byline_is_not_a_mention(tagger: Tagger, text: str, outlet: str) -> None:
    assert outlet not in tagger.tag("工作动态", text).cities


def test_outlet_named_elsewhere_still_counts(tagger: Tagger) -> None:
    tags = tagger.tag("郴州代表团来我市", "郴州市代表团来我市考察学习。", home="赣州")
    assert ("郴州", "赣州") in pairs(tags)


def test_site_column_in_the_title(tagger: Tagger) -> None:
    tags = tagger.tag(
        "那大镇组织干部到白沙考察学习--今日儋州--儋州市人民政府", "那大镇组织干部开展学习。"
    )
    assert "儋州" in tags.cities  # 那大镇 is a town of 儋州
    tags = tagger.tag("组织干部考察学习--今日儋州--儋州市人民政府", "近日组织干部开展学习。")
    assert "儋州" not in tags.cities
    tags = tagger.tag("今日儋州召开全市招商大会", "今日儋州召开全市招商大会。")
    assert "儋州" in tags.cities  # the headline itself


# --- a village named like a city ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "随后来到萧山区横一村、佛山村考察乡村治理。",
        "代表团走访了长沙村和郴州村两个行政村。",
    ],
)
def test_village_named_like_a_city(tagger: Tagger, text: str) -> None:
    tags = tagger.tag("乡村振兴考察", text)
    assert not set(tags.cities) & {"佛山", "长沙", "郴州"}


def test_city_before_a_village_word_still_counts(tagger: Tagger) -> None:
    assert "佛山" in tagger.tag("村级工业园", "佛山村级工业园改造提速。").cities
    assert "佛山" in tagger.tag("村级工业园改造", "佛山市村级工业园改造提速。").cities


# --- a provincial or city rule by its own title; short names of prefectures ----------------


@pytest.mark.parametrize(
    "title",
    [
        "江西省典当管理实施办法",
        "湖州市农村宅基地管理实施办法",
        "四川省地方标准管理实施办法（试行）",
    ],
)
def test_implementing_rules_title_is_policy(tagger: Tagger, title: str) -> None:
    tags = tagger.tag(title, "为加强管理，特制定本办法，现印发给你们，请遵照执行。")
    assert tags.kind == "policy"


def test_studying_implementing_rules_is_not_policy(tagger: Tagger) -> None:
    tags = tagger.tag(
        "市局组织干部学习《农村宅基地管理实施办法》",
        "市局组织全体干部集中学习《农村宅基地管理实施办法》，并开展交流座谈。",
    )
    assert tags.kind != "policy"


def test_prefecture_short_form(tagger: Tagger) -> None:
    tags = tagger.tag("培训班开班", "来自新疆博州和西藏山南的学员参加培训。")
    assert "博尔塔拉" in tags.cities


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


# --- an address before a company's name names the place ------------------------------------


def test_address_before_a_company_names_its_place(tagger: Tagger) -> None:
    tags = tagger.tag(
        "县领导赴江苏省考察学习",
        "学习考察组先后与盐城市东台市中粮集团、苏州市吴江区恒力集团进行了对接洽谈。",
        home="张家口",
    )
    assert {"盐城", "苏州"} <= set(tags.cities)


@pytest.mark.parametrize(
    ("text", "city"),
    [
        ("习近平首先来到果洛西宁民族中学考察。", "果洛"),  # a place in a school's name
        ("绍兴市北海小学教育集团组织党员开展活动。", "北海"),
        ("先后深入历城二中和济南三中两所学校调研。", "济南"),
    ],
)
def test_place_inside_a_school_name_is_no_address(tagger: Tagger, text: str, city: str) -> None:
    assert city not in tagger.tag("调研", text).cities


# --- a head named before the title (向…主任一行介绍) ---------------------------------------


def test_head_named_before_the_title() -> None:
    sentence = "沈晓华副主任接待来访领导，向贲黄文主任一行介绍了并联审批等工作。"
    found = find_officials(sentence, 0, len(sentence))
    assert [(o.name, o.title) for o in found][-1] == ("贲黄文", "主任")
    assert find_officials("向市长汇报了工作。", 0, 9) == []
    sentence = "向阳区区长张伟率队赴佳木斯考察。"  # 向阳区 is a district, not 向 + 阳区
    assert [(o.name, o.title) for o in find_officials(sentence, 0, len(sentence))] == [
        ("张伟", "向阳区区长")
    ]


# --- a company's own study trip is not the home city's ---------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "会议要求成立考察小组，分别由集团领导李军、王强带队，赶赴深圳、广州等地学习考察。",
        "5月8日，公司总经理陈立带队前往苏州学习考察园区运营经验。",
        "集团党委书记、董事长刘伟率队赴杭州考察数字化转型。",
    ],
    ids=["集团领导", "公司总经理", "集团董事长"],
)
def test_company_heads_lead_no_city_visit(tagger: Tagger, body: str) -> None:
    assert pairs(tagger.tag("集团召开部署会议", body, home="南昌")) == set()


@pytest.mark.parametrize(
    ("body", "host"),
    [
        ("5月8日，市长王刚带领集团领导和企业家赴苏州考察学习。", "苏州"),
        ("9月2日，市委副书记李军率队赴杭州考察数字经济。", "杭州"),
    ],
    ids=["mayor-with-company", "official"],
)
def test_officials_lead_a_city_visit(tagger: Tagger, body: str, host: str) -> None:
    assert pairs(tagger.tag("考察学习", body, home="南昌")) == {("南昌", host)}


# --- Tibetan names have no surname ----------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("5月8日，拉萨市教育局党组副书记、局长、二级巡视员普琼带队前往常州考察。", "普琼"),
        ("日喀则市副市长次仁多吉一行来我市考察。", "次仁多吉"),
        ("山南市商务局局长扎西率队赴成都考察。", "扎西"),
    ],
)
def test_tibetan_name_after_a_title(sentence: str, name: str) -> None:
    assert next(o.name for o in find_officials(sentence, 0, len(sentence))) == name


@pytest.mark.parametrize(
    "sentence",
    ["副局长亲自带队赴上海考察。", "市长江文孙颖带队赴上海考察。"],
)
def test_no_tibetan_name_from_ordinary_words(sentence: str) -> None:
    names = [o.name for o in find_officials(sentence, 0, len(sentence))]
    assert "亲自" not in names and "江文孙颖" not in names
