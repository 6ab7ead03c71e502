"""Mechanisms of error met on the thirteenth batch of the visits dev set (issue 19), each with
sentences shaped like city-government news (written for these tests) and the negatives that must
keep working: a place inside a name (bracketed places, built things, a name the segmenter keeps
whole), lists of hosts' bodies and of places across commas, teams named by what they do, leaders
whose names end like an organ, a document by its own title, and the Eight Banners."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger
from tests.tag import first_leader, pairs

# --- a place inside a name: in brackets, before a built thing, across a name kept whole ----------


@pytest.mark.parametrize(
    ("body", "absent", "present"),
    [
        # a place in brackets inside a company's or a park's name, and the name before them
        ("座谈会上，恒远资产管理（上海）有限公司负责人介绍了项目进展。", "上海", set()),
        ("双方就华信科技（杭州）有限公司落户事宜进行了洽谈。", "杭州", set()),
        ("考察组参观了苏州（宿迁）工业园区和市规划馆。", "苏州", {"宿迁"}),
        ("代表团实地察看了无锡（淮安）产业园区项目建设情况。", "无锡", {"淮安"}),
        ("考察团参观了华晨电子（常州）股份有限公司的生产车间。", "常州", set()),
        # a name the segmenter keeps whole heads a company: no name across its end
        ("考察组参观了陕西安康瑞达服饰有限公司。", "西安", set()),
        ("企业负责人介绍了陕西安康富硒茶业公司的发展情况。", "西安", set()),
        ("双方签约建设陕西安康恒达制衣公司二期项目。", "西安", set()),
    ],
)
def test_places_inside_names(tagger: Tagger, body: str, absent: str, present: set[str]) -> None:
    cities = set(tagger.tag("", body).cities)
    assert absent not in cities
    assert present <= cities


@pytest.mark.parametrize(
    "body",
    [
        # a county's short name before a one-character built thing (兴国|寺, 兴国|塔): the temple
        # or the pagoda the home's officials go to, not a trip to the county
        "市领导先后到兴国寺进行考察。",
        "县委书记到宁国寺考察调研。",
        "市政协领导到永济寺考察文物保护工作。",
        "考察团来到崇仁寺参观考察。",
        "市领导到兴国塔考察。",
    ],
)
def test_built_things_named_after_places(tagger: Tagger, body: str) -> None:
    tags = tagger.tag("", body, home="黄冈")
    assert pairs(tags) == set()
    assert set(tags.cities) <= {"黄冈"}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # (worked before, must keep) a place explained in brackets, a hall in a place, a county
        # in a visit frame, a name cut on its left that another name starts in
        ("4月3日，考察团赴深圳（南山区）考察学习。", {"深圳"}),
        ("展会在北京（中国）国际展览中心举行。", {"北京"}),
        # a park's, a base's or an institute's place in brackets is where it lies
        ("会上，宏达（南京）研究院院长作了发言。", {"南京"}),
        ("代表团参观了长三角（湖州）科创服务基地。", {"湖州"}),
        ("考察组走进宁波高新区（镇海）内的一家科技集团。", {"宁波"}),
        ("5月6日，县委书记率队赴安国考察中药材产业。", {"保定"}),
        ("他向来宾介绍兴安盟的发展情况。", {"兴安"}),
        ("考察组赴陕西安康学习考察毛绒玩具产业。", {"安康"}),
        ("考察组来到陕西安康瑞达服饰有限公司参观生产线。", {"安康"}),
    ],
)
def test_places_beside_names_still_count(tagger: Tagger, body: str, expected: set[str]) -> None:
    assert expected <= set(tagger.tag("", body).cities)


# --- hosts: each place's own body in a list, places across commas, a team named by its work ------


@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        (
            "市财政局赴外地学习考察",
            "5月8日至10日，市财政局副局长王立带队赴河北省廊坊市财政局、山东省德州市财政局学习考察"
            "预算绩效管理工作。",
            "邯郸",
            {("邯郸", "廊坊"), ("邯郸", "德州")},
        ),
        (
            "市医保局赴外省考察学习",
            "6月2日，市医保局局长刘明带队赴重庆市江北区医疗保障局、四川省绵阳市医疗保障局、"
            "四川省德阳市医疗保障局考察学习。",
            "遵义",
            {("遵义", "重庆"), ("遵义", "绵阳"), ("遵义", "德阳")},
        ),
        (
            "市农业农村局赴外地考察",
            "9月6日，市农业农村局副局长陈平带领考察组，对潍坊市寿光市、青州市，临沂市兰陵县"
            "蔬菜产业发展进行了考察学习。",
            "邢台",
            {("邢台", "潍坊"), ("邢台", "临沂")},
        ),
        (
            "我局组团考察观摩潍坊临沂两市蔬菜产业",
            "",
            "邢台",
            {("邢台", "潍坊"), ("邢台", "临沂")},
        ),
        (
            "湖南岳阳市商务局考察学习组赴常州市考察学习",
            "",
            "常州",
            {("岳阳", "常州")},
        ),
        (
            "襄阳市文旅局观摩学习组赴芜湖市考察",
            "",
            "芜湖",
            {("襄阳", "芜湖")},
        ),
        # (worked before, must keep) a team named as such; one host's body; a list of places
        (
            "淮北市住建局学习考察团赴芜湖市开展交流",
            "",
            "芜湖",
            {("淮北", "芜湖")},
        ),
        (
            "市财政局赴廊坊学习考察",
            "5月8日，市财政局副局长王立带队赴廊坊市财政局学习考察。",
            "邯郸",
            {("邯郸", "廊坊")},
        ),
        (
            "市农业农村局赴外地考察",
            "9月6日，市农业农村局副局长陈平带领考察组，对潍坊市寿光市、青州市蔬菜产业发展进行了"
            "考察学习。",
            "邢台",
            {("邢台", "潍坊")},
        ),
    ],
)
def test_hosts_in_lists_and_named_teams(
    tagger: Tagger, title: str, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == expected


@pytest.mark.parametrize(
    ("title", "body", "home"),
    [
        # a school's team is no government delegation, whatever its team is called
        ("岳阳市第一中学考察学习组赴常州市考察学习", "", "常州"),
        # 观摩 with nothing of a trip: an exhibition of a place's experience
        ("全市干部观摩潍坊经验交流会", "", "邢台"),
        ("市农业局组织观摩潍坊现代农业园区视频", "", "邢台"),
    ],
)
def test_not_visits(tagger: Tagger, title: str, body: str, home: str) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == set()


# --- leaders: a three-character name after a title that ends like an organ's name --------------


@pytest.mark.parametrize(
    ("body", "home", "leader"),
    [
        (
            "3月2日，市委常委、副市长吴建会带领市直部门负责同志，赴保定市考察学习。",
            "邢台",
            "吴建会",
        ),
        ("4月8日，市发改委主任孙立局率队赴沧州市学习考察园区建设。", "衡水", "孙立局"),
        ("5月9日，副市长郑海委带队赴唐山市考察学习。", "承德", "郑海委"),
        # (worked before, must keep) an organ leading its party names no person
        ("5月9日，市人大常委会带领部分代表赴唐山市考察学习。", "承德", None),
        ("5月9日，副市长王刚带领相关部门负责同志，赴唐山市考察学习。", "承德", "王刚"),
    ],
)
def test_leaders_named_like_organs(tagger: Tagger, body: str, home: str, leader: str) -> None:
    assert first_leader(tagger, "", body, home) == leader


# --- kind: a document by its own title ------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("省直机关年度考试录用公务员报考指南", "policy"),
        ("全省选调优秀大学毕业生招考简章", "policy"),
        ("某市国民经济和社会发展第十四个五年规划纲要", "policy"),
        ("市城乡建设发展规划纲要", "policy"),
        # (must keep) a 公开 recruitment's guide; a company's guide, news about a plan
        ("市级机关公开遴选公务员报考指南", "policy"),
        ("某集团有限公司校园招聘报考指南", "other"),
        ("市委召开会议研究十四五规划编制", "other"),
    ],
)
def test_documents_by_title(tagger: Tagger, title: str, kind: str) -> None:
    assert tagger.tag(title, "").kind == kind


# --- the Eight Banners ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("他姓富察氏，满洲镶黄旗人，生于吉林。", set()),
        ("将军出身汉军正蓝旗，早年随军驻防。", set()),
        # (must keep) the banner counties of 内蒙古
        ("考察团赴内蒙古正蓝旗考察草原生态。", {"锡林郭勒"}),
        ("5月3日，考察团赴镶黄旗考察牧业。", {"锡林郭勒"}),
    ],
)
def test_eight_banners(tagger: Tagger, body: str, expected: set[str]) -> None:
    assert set(tagger.tag("", body).cities) == expected
