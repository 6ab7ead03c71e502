"""Visit frames, kind and heads met on batches 91-98 of the visits dev set (issue 19): a bare
office (处) of the home as the party (市环卫处赴南通, 社会事业处赴上海); 先 before the movement
(一行先到浙江金华…); like bodies of two places listed as one party (芜湖市政务服务中心、吴忠市
政务服务中心赴我办); an item the gazetteer lacks inside a list of hosts that ends in 等地
(赴延安、梁家河、庆阳等地); the topic's 方面 before the stay (就…等方面，交流经验); a central
leader's escorts listed across a comma (习近平在…张高丽，北京市委书记…、市长蔡奇陪同下，到北京市
考察: the bare 市长 is Beijing's, not the home's); a 关于…的几点意见 is a policy; and heads written
around their names (市社陈恒斌主任带队, 市经信局姚中华、马成副局长带队, 党组书记陈建龙局长一行,
主任摆瑞瑄、副主任马小明一行, 张金锁、江伟等一行). Sentences written for these tests."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger
from tests.tag import pairs


@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        ("市环卫处赴南通学习考察垃圾填埋场封场工作", "", "镇江", {("镇江", "南通")}),
        ("社会事业处赴上海考察学习", "", "扬州", {("扬州", "上海")}),
        ("", "徐莉一行先到金华市某特色小镇，参观古民居。", "荆门", {("荆门", "金华")}),
        (
            "",
            "7月11日，芜湖市政务服务中心、吴忠市政务服务中心赴我办考察学习交流。",
            "镇江",
            {("芜湖", "镇江"), ("吴忠", "镇江")},
        ),
        (
            "",
            "近日，市政协组织政协委员赴延安、梁家河、庆阳等地，考察学习当地好做法。",
            "兰州",
            {("兰州", "延安"), ("兰州", "庆阳")},
        ),
        (
            "",
            "10月31日，11月1日两天，县委书记郭广福,县人大常委会主任方振海,县委副书记、县长姜宇峰"
            "等四个班子领导率考察团深入到宁安市、吉林省延吉市，就朝鲜族民俗文化旅游项目规划、"
            "建设、运营、城市布局、文化建设等方面，交流经验做法，为推进全县旅游发展蓄力取经。",
            "佳木斯",
            {("佳木斯", "牡丹江"), ("佳木斯", "延边")},
        ),
    ],
)
def test_offices_adverbs_like_bodies_list_items_and_topics(
    tagger: Tagger, title: str, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == expected


@pytest.mark.parametrize(
    "body",
    [
        "2月23日至24日，习近平在中共中央政治局常委、国务院副总理张高丽，北京市委书记郭金龙、"
        "市长蔡奇陪同下，到北京市考察城市规划建设。",
        "李克强在省委书记尤权、市长于伟国陪同下，到福州考察。",
    ],
)
def test_a_central_leaders_escorts_are_no_party_of_the_home(tagger: Tagger, body: str) -> None:
    assert not pairs(tagger.tag("", body, home="阳泉"))


def test_numbered_opinions_are_a_policy(tagger: Tagger) -> None:
    assert tagger.tag("关于加强社有企业财务管理工作的几点意见", "").kind == "policy"
    assert tagger.tag("关于加快发展现代农业的若干意见", "").kind == "policy"


@pytest.mark.parametrize(
    ("body", "home", "name"),
    [
        ("7月30日，市社陈恒斌主任带队赴陕西商洛市考察学习。", "南京", "陈恒斌"),
        (
            "4月22日，由市经信局姚中华、马成副局长带队，率全市经信系统分管领导等一行27人"
            "赴湖州学习考察。",
            "嘉兴",
            "姚中华",
        ),
        (
            "2017年6月8日，江阴机关事务管理局党组书记陈建龙局长一行8人赴临沂市机关事务管理局"
            "考察学习。",
            "无锡",
            "陈建龙",
        ),
        (
            "11月9日，临夏市人大常委会主任摆瑞瑄、副主任马小明一行来我县考察学习人大工作。",
            "平凉",
            "摆瑞瑄",
        ),
        ("3月5日，张金锁、江伟等一行赴任丘市考察学习信访工作。", "邢台", "张金锁"),
        # names before their posts: the first leads (not the second, before 一行)
        ("陈勇副书记孙晓南副市长一行赴江苏苏州考察学习智慧城市建设。", "宿迁", "陈勇"),
    ],
)
def test_heads_written_around_their_names(tagger: Tagger, body: str, home: str, name: str) -> None:
    visits = tagger.tag("", body, home=home).visits
    assert visits
    assert all(v.details.leader and v.details.leader.name == name for v in visits)
