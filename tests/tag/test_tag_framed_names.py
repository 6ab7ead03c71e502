"""Names met on batches 91-98 of the visits dev set (issue 19), by class: a county whose short
name is an everyday word (永康, 平遥, 宝应) counts where a verb of going or a list of places frames
it; a county's short name that opens a town's name (东河乡, 临江铺镇) is the town; Taiwan's cities
count as the province 台湾 and a trip across the strait is read as one abroad (no pair); a bare
滨海新区 on another city's site is that city's own zone; a province right before a chamber's name
(北京福建企业总商会) is the chamber's members' home, not a host; an invitation to come
(邀请…到…考察) is no trip made. Sentences written for these tests, shaped like city news."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger
from tests.tag import pairs


@pytest.mark.parametrize(
    ("body", "home", "expected"),
    [
        (
            "4月17日，市政协副主席邹基云带队赴永康、宁波、泉州学习考察产业集群公共服务平台。",
            "新余",
            {("新余", "金华"), ("新余", "宁波"), ("新余", "泉州")},
        ),
        ("副市长王强带队赴宁波、永康考察智能制造。", "新余", {("新余", "宁波"), ("新余", "金华")}),
        ("县政府主要领导带队赴平遥古城考察学习。", "临汾", {("临汾", "晋中")}),
        ("县长李明带队到宝应考察学习荷藕产业。", "南通", {("南通", "扬州")}),
    ],
)
def test_an_everyday_county_name_counts_in_a_visit_frame(
    tagger: Tagger, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag("", body, home=home)) == expected


@pytest.mark.parametrize(
    "body",
    [
        "双方在合作交流中取得了丰硕成果。",  # 合作 (甘南's county) is the word
        "他说，永康的事业需要大家共同努力。",  # no verb of going before it
        "我们要到港口考察物流园区建设。",  # 港口 (防城港's district) is a port
    ],
)
def test_an_everyday_county_name_alone_is_no_place(tagger: Tagger, body: str) -> None:
    assert not tagger.tag("", body).cities


@pytest.mark.parametrize(
    ("body", "home"),
    [
        ("4月21日，沙湾镇副镇长赵神虎深入临江铺镇白杨坝村考察学习厕所革命经验。", "陇南"),
        ("考察组一行先后来到东河乡东方红村光伏发电扶贫项目现场考察。", "佳木斯"),
    ],
)
def test_a_town_named_like_a_county_is_no_host(tagger: Tagger, body: str, home: str) -> None:
    tags = tagger.tag("", body, home=home)
    assert not pairs(tags)
    assert tags.cities == ()


@pytest.mark.parametrize(
    ("title", "body", "home"),
    [
        ("台北市健康照护参访团来我市考察", "台北市健康照护参访团一行来我市考察养老服务。", "扬州"),
        ("", "副市长黎堂斌率团赴台湾台中、彰化考察现代农业。", "扬州"),
    ],
)
def test_a_trip_across_the_strait_is_no_pair_and_taiwan_no_city(
    tagger: Tagger, title: str, body: str, home: str
) -> None:
    tags = tagger.tag(title, body, home=home)
    assert not pairs(tags)
    assert not {"台北", "台中", "彰化"} & set(tags.cities)
    assert "台湾" in tags.provinces


def test_a_bare_binhai_new_area_is_the_homes_own_zone(tagger: Tagger) -> None:
    title = "眉山市党政代表团来滨海新区考察"
    body = "2月22日下午，由四川省眉山市委书记胡元坤率领的眉山市党政代表团来滨海新区考察。"
    assert pairs(tagger.tag(title, body, home="绍兴")) == {("眉山", "绍兴")}
    # 天津's, where 天津 names it
    body = "市长王强率团赴天津滨海新区考察学习。"
    assert pairs(tagger.tag("", body, home="绍兴")) == {("绍兴", "天津")}


def test_a_province_before_a_chambers_name_is_no_host(tagger: Tagger) -> None:
    tags = tagger.tag("市领导带队赴北京福建企业总商会考察交流", "", home="武威")
    assert pairs(tags) == {("武威", "北京")}


@pytest.mark.parametrize(
    "body",
    [
        "王丙林介绍了河间市基本情况，并诚挚邀请上海电缆研究所到河间考察调研。",
        "她诚挚邀请新兴县各级领导及各界朋友到任泽参观考察、投资兴业。",
    ],
)
def test_an_invitation_to_come_is_no_trip(tagger: Tagger, body: str) -> None:
    assert not pairs(tagger.tag("", body, home="沧州"))


@pytest.mark.parametrize(
    "body",
    [
        "应沧州市政府邀请，上海市代表团到沧州考察调研。",
        "上海市代表团受邀到沧州考察。",
        "在沧州市政府的邀请下，上海市代表团到沧州考察。",
    ],
)
def test_a_trip_made_at_an_invitation_keeps_its_pair(tagger: Tagger, body: str) -> None:
    assert pairs(tagger.tag("", body, home="沧州")) == {("上海", "沧州")}
