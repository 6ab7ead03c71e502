"""Classes of error met on the tenth batch of the visits dev set (issue 19), each with sentences
shaped like city-government news (written for these tests) and the negatives that must keep
working."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger
from tests.tag import first_leader, pairs

# --- a body's own rules and a recruitment's application guide as policy -------------------


_RULES_BODY = "为规范有关工作，结合本单位实际，制定如下规定。请有关人员认真遵照执行。"


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("某县财政局公务用车使用管理制度", "policy"),
        ("市人力资源和社会保障局内部审计工作制度", "policy"),
        ("区委员会办公室值班值守制度", "policy"),
        ("四川省年度考试录用公务员公开招录报考指南", "policy"),
        ("某省县乡两级机关公开招考公务员报考指南", "policy"),
        ("县教育局建立健全财务管理制度", "other"),  # news of making rules
        ("市交通运输局完善节假日值班制度", "other"),
        ("市民政局深化养老服务制度改革", "other"),
        ("某某科技有限公司员工考勤制度", "other"),  # a company's rules
        ("某某公司公开招聘员工报考指南", "other"),  # a company's recruitment
        ("我国的基本政治制度", "other"),  # no body's own title
    ],
)
def test_own_rules_and_guides_are_policy_news_of_rules_is_not(
    tagger: Tagger, title: str, kind: str
) -> None:
    assert tagger.tag(title, _RULES_BODY, home="绵阳").kind == kind


# --- names as a Simplified article writes them (folding reads 乾 as 干, 昇 as 升) -------------


@pytest.mark.parametrize(
    ("body", "leader"),
    [
        ("近日，副市长王乾带队赴杭州考察数字经济，参观了多家企业。", "王乾"),
        ("5月8日，市委副书记宋昇华率我市党政代表团赴苏州考察学习开发区建设经验。", "宋昇华"),
        ("近日，副市长陈乾明带队赴无锡考察集成电路产业，参观了多家企业。", "陈乾明"),
    ],
)
def test_leader_names_keep_their_written_characters(tagger: Tagger, body: str, leader: str) -> None:
    assert first_leader(tagger, "我市代表团赴外地考察学习", body, "南通") == leader


def test_a_traditional_article_keeps_folded_names(tagger: Tagger) -> None:
    body = "近日，副市長陳乾明帶隊赴無錫考察集成電路產業，參觀了多家企業，並與當地部門座談交流。"
    assert first_leader(tagger, "我市代表團赴無錫考察", body, "南通") == "陈干明"


# --- the site's name and its columns around a repeated headline ---------------------------


@pytest.mark.parametrize(
    ("body", "home"),
    [
        ("区政协召开主席会议研究近期重点工作-金华要闻。3月5日，区政协召开主席会议。", "金华"),
        ("县卫健委部署秋冬季疫情防控工作-丽水动态。会议要求各单位落实。", "丽水"),
        ("市科协举办青少年科普讲座进校园活动-衢州新闻。讲座吸引了三百余名学生。", "衢州"),
    ],
)
def test_a_column_closing_the_repeated_headline_is_the_sites(
    tagger: Tagger, body: str, home: str
) -> None:
    title = body.split("-", 1)[0]
    assert home not in tagger.tag(title, body).cities


def test_a_named_place_beside_a_column_still_counts(tagger: Tagger) -> None:
    body = "区政协召开主席会议研究近期重点工作-金华要闻。会议听取了赴温州考察情况的汇报。"
    assert "温州" in tagger.tag(body.split("-", 1)[0], body).cities


# --- a bare provincial department (省林业厅) on a city's site: the home's province ------------


@pytest.mark.parametrize(
    ("body", "home", "pair"),
    [
        ("6月3日，省交通运输厅厅长李明率队赴云南考察学习公路建设经验。", "绵阳", ("四川", "云南")),
        (
            "省住房和城乡建设厅副厅长王强带领考察组赴浙江学习考察老旧小区改造工作。",
            "南充",
            ("四川", "浙江"),
        ),
        (
            "5月9日，省商务厅党组书记、厅长赵刚率省商务厅有关处室负责人赴广东学习考察外贸工作。",
            "宜宾",
            ("四川", "广东"),
        ),
    ],
)
def test_a_bare_provincial_department_travels_for_the_province(
    tagger: Tagger, body: str, home: str, pair: tuple[str, str]
) -> None:
    assert pair in pairs(tagger.tag("考察组赴外省学习考察", body, home=home))


@pytest.mark.parametrize(
    ("body", "home", "pair"),
    [
        # the city's own bureau is the city's
        ("6月3日，市交通运输局局长李明率队赴昆明考察学习公路建设经验。", "绵阳", ("绵阳", "昆明")),
        # a named province's department is that province's
        ("7月2日，云南省林业厅厅长张华一行来我市考察林业工作。", "绵阳", ("云南", "绵阳")),
    ],
)
def test_city_bureaus_and_named_provinces_keep_their_place(
    tagger: Tagger, body: str, home: str, pair: tuple[str, str]
) -> None:
    assert pairs(tagger.tag("考察组学习考察", body, home=home)) == {pair}


# --- a banner's or county's wing short form (喀喇沁左翼…自治县 -> 喀左县) --------------------


@pytest.mark.parametrize(
    ("title", "body", "pair"),
    [
        ("喀左县考察团来我市考察学习", "近日，喀左县考察团一行来我市考察学习。", ("朝阳", "镇江")),
        (
            "我市代表团赴喀左县考察",
            "5月6日，我市代表团赴喀左县考察紫砂产业发展。",
            ("镇江", "朝阳"),
        ),
        (
            "辽宁喀左县党政代表团来镇考察",
            "10月12日，喀左县委书记率喀左县党政代表团来我市考察学习文旅融合经验。",
            ("朝阳", "镇江"),
        ),
    ],
)
def test_a_wing_short_form_names_its_county(
    tagger: Tagger, title: str, body: str, pair: tuple[str, str]
) -> None:
    tags = tagger.tag(title, body, home="镇江")
    assert pair in pairs(tags)
    assert "朝阳" in tags.cities


@pytest.mark.parametrize(
    ("body", "city"),
    [
        ("内蒙古科右前旗考察团来我市考察学习。", "兴安"),  # a curated form keeps its place
        ("察右后旗代表团来我市考察学习。", "乌兰察布"),
    ],
)
def test_curated_wing_forms_keep_their_city(tagger: Tagger, body: str, city: str) -> None:
    assert city in tagger.tag(body, body, home="镇江").cities


@pytest.mark.parametrize(
    "body",
    [
        "会议批判了左翼冒险主义错误。",  # 左翼 in ordinary words
        "喀什地区考察团来我市考察学习。",  # 喀 starting another place
    ],
)
def test_wing_words_name_no_wing_county(tagger: Tagger, body: str) -> None:
    assert "朝阳" not in tagger.tag(body, body, home="镇江").cities


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


# --- a titleless head with 一行 after a sentence's short setting (在…现场，周大臣一行观看…) -----


@pytest.mark.parametrize(
    ("body", "leader"),
    [
        ("在展厅现场，刘振华一行观看了宣传片，听取了平台建设介绍。", "刘振华"),
        ("当天下午，孙立新一行来到产业园区，实地察看了项目建设情况。", "孙立新"),
        ("在污水处理厂，郭明远一行详细了解了提标改造工程进展。", "郭明远"),
    ],
)
def test_a_titleless_head_after_a_setting_leads(tagger: Tagger, body: str, leader: str) -> None:
    assert first_leader(tagger, "营口市生态环境局考察组来泰考察学习", body, "泰州") == leader


@pytest.mark.parametrize(
    "body",
    [
        "在展厅现场，副市长刘振华介绍了平台建设情况。",  # a host's official, no 一行
        "在展厅现场，刘振华介绍了平台建设情况。",  # a name without 一行
        "考察组在我市先后参观了多家企业和园区，刘振华一行表示收获很大。",  # no short setting
    ],
)
def test_other_names_after_a_setting_lead_nothing(tagger: Tagger, body: str) -> None:
    assert first_leader(tagger, "营口市生态环境局考察组来泰考察学习", body, "泰州") is None


@pytest.mark.parametrize(
    "body",
    [
        "在丽水考察期间，韩立军一行在某某实业有限公司董事长陈志华等陪同下参观了生产车间。",
        "韩立军一行在某某实业有限公司董事长陈志华等陪同下参观了生产车间。",
    ],
)
def test_the_guests_head_is_no_host_of_the_accompanying_chain(tagger: Tagger, body: str) -> None:
    visits = tagger.tag("邯郸市代表团赴丽水考察学习", body, home="邯郸").visits
    assert visits
    hosts = [o.name for o in visits[0].details.host_officials]
    assert "陈志华" in hosts
    assert "韩立军" not in hosts
