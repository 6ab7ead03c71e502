"""Visit frames, kind and heads met on batches 99-106 of the visits dev set (issue 19): a visit
named as a thing in its host's words (对…考察团的到访表示欢迎) is no second trip; the home's own
co-op (来我社) or a bare 市 unit (到市图书馆考察学习) as the host; 一行，赴… with a comma; goods
(2500斤…樱桃抵达…) are no party; a province a central leader inspected (视察江苏重要讲话精神) is
no party; a leg finished before the sentence's party is named (在结束对合肥的学习考察后，…赴苏州);
a place after a few of the previous place's sites (…园区、…集团以及乐山市); places glued before
两地 (赴杭州义乌两地); a bare bureau after a column's bracketed name (【…】市民政局赴…); a
暂行办法 and a plan whose brackets were lost (…实施意见试行, …行动计划年) are policies; and posts
the heads carry (局长助理, 总统计师, 总指挥长, 产业链链长). Sentences written for these tests."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger
from tests.tag import pairs


@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        (
            "",
            "日前，淮安市外侨办党组书记周洪兵带领干部职工到湖北省十堰市进行考察学习。十堰市外侨办"
            "主任王静对淮安市外侨办考察团的到访表示热烈欢迎。",
            "淮安",
            {("淮安", "十堰")},
        ),
        (
            "",
            "4月11日，贵州省贵阳市供销社李阳副主任带队一行20余人，来我社参观考察。",
            "绍兴",
            {("贵阳", "绍兴")},
        ),
        (
            "",
            "9月27日下午，射阳县文广新局副局长张红霞带领县图书馆馆长到市图书馆考察学习自助图书馆"
            "建设经验。",
            "宿迁",
            {("盐城", "宿迁")},
        ),
        (
            "宁波市河道管理中心赴曹娥江大闸考察交流",
            "3月8日，宁波市河道管理中心党委书记孙春奇带领文明创建工作组一行，赴曹娥江大闸考察交流"
            "文明单位创建工作经验。",
            "绍兴",
            {("宁波", "绍兴")},
        ),
        (
            "",
            "全面落实习近平总书记视察江苏重要讲话指示精神，市水利局局长吴晓春带领全市水利系统40余人，"
            "赴上海、苏州开展考察学习。",
            "南通",
            {("南通", "上海"), ("南通", "苏州")},
        ),
        (
            "",
            "在结束对合肥的学习考察后，昨天，市委书记张兵带领市党政代表团一行赴苏州学习考察。",
            "嘉兴",
            {("嘉兴", "合肥"), ("嘉兴", "苏州")},
        ),
        (
            "",
            "考察组一行先后到成都市人力资源服务产业园园区、天府源人力资源集团以及乐山市、犍为县"
            "人力资源和社会保障局等地学习参观。",
            "南通",
            {("南通", "成都"), ("南通", "乐山")},
        ),
        ("市民政局赴杭州义乌两地学习考察", "", "上饶", {("上饶", "杭州"), ("上饶", "金华")}),
        (
            "",
            "【解放思想大讨论】市民政局赴杭州、义乌两地学习考察工作。",
            "上饶",
            {("上饶", "杭州"), ("上饶", "金华")},
        ),
    ],
)
def test_hosts_parties_and_legs(
    tagger: Tagger, title: str, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == expected


def test_goods_are_no_party(tagger: Tagger) -> None:
    body = "2022年4月10日晚，2500斤来自水城区发耳镇的樱桃抵达广东省中山市。"
    assert not pairs(tagger.tag("", body, home="六盘水"))


@pytest.mark.parametrize(
    "title",
    [
        "嘉兴市公务用车使用管理暂行办法",
        "余干县人民政府余干县加快农村电子商务发展实施意见试行干府发号",
        "南昌高新区加快推进企业股份制改造上市三年行动计划年",
    ],
)
def test_documents_by_their_forms_are_policies(tagger: Tagger, title: str) -> None:
    assert tagger.tag(title, "").kind == "policy"


@pytest.mark.parametrize(
    ("body", "home", "name"),
    [
        (
            "5月18日，市水利局党组成员、局长助理曹华带领管理所班子赴盐城市水利局考察学习。",
            "南通",
            "曹华",
        ),
        (
            "9月28日，南通市统计局总统计师王建带领统计局主要负责人等一行5人赴淮安市统计局考察学习。",
            "南通",
            "王建",
        ),
        (
            "9月5日至7日，新疆昌吉州党委副书记、福建省对口援疆前方指挥部总指挥长谢毅泰带领昌吉州政府"
            "代表团一行到漳考察。",
            "漳州",
            "谢毅泰",
        ),
        (
            "5月23日，德州市政协主席、市食品加工产业链链长卜祥联率考察组来邢考察学习。",
            "邢台",
            "卜祥联",
        ),
    ],
)
def test_posts_heads_carry(tagger: Tagger, body: str, home: str, name: str) -> None:
    visits = tagger.tag("", body, home=home).visits
    assert visits
    assert all(v.details.leader and v.details.leader.name == name for v in visits)
