"""Levels on real-text-like sentences: 香港/澳门 and the 兵团 cities count at province level,
大兴安岭 the range is no prefecture, a province's own bodies in its own cities make no visit,
a home city's districts and counties travel as the home city (annotation rules of the
real-text sets)."""

from __future__ import annotations

import pytest

from crawler.base.taxonomy import default_taxonomy
from crawler.tag import Tagger, Tags


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger(default_taxonomy())


def pairs(tags: Tags) -> set[tuple[str, str]]:
    return {(v.visitor, v.host) for v in tags.visits}


@pytest.mark.parametrize(
    ("title", "body", "cities", "provinces"),
    [
        (
            "十五运会赛事服务保障等工作准备就绪",
            "第十五届全国运动会将于11月9日在广东、香港、澳门三地举行，各项准备工作已经就绪。",
            set(),
            {"广东", "香港", "澳门"},
        ),
        (
            "人民币对美元中间价调升",
            "澳门金融管理局公布，澳门元汇率保持稳定，深圳外汇市场交易平稳。",
            {"深圳"},
            {"澳门"},
        ),
        (
            "中央代表团在新疆多地看望慰问各族干部群众",
            "中央代表团分赴北屯市、铁门关市、石河子市看望慰问兵团干部职工。",
            set(),
            {"新疆"},
        ),
        (
            "2023中国（阿尔山）旅游大会今天开幕",
            "阿尔山地处大兴安岭西南麓，森林覆盖率超过80%。兴安盟将以大会为契机推介文旅资源。",
            {"兴安"},
            set(),
        ),
        (
            "大兴安岭地区加快林下经济发展",
            "大兴安岭地委、行署近日召开会议，部署林下经济产业发展工作。",
            {"大兴安岭"},
            set(),
        ),
    ],
)
def test_province_level_units_are_not_cities(
    tagger: Tagger, title: str, body: str, cities: set[str], provinces: set[str]
) -> None:
    tags = tagger.tag(title, body)
    assert set(tags.cities) == cities
    assert provinces <= set(tags.provinces)


def test_sar_and_bingtuan_are_province_level_visit_ends(tagger: Tagger) -> None:
    tags = tagger.tag(
        "广州市代表团抵港访问",
        "广州市代表团昨日抵达香港，展开为期三天的访问，将与香港特区政府商讨深化合作。",
    )
    assert pairs(tags) == {("广州", "香港")}
    assert "香港" not in tags.cities
    tags = tagger.tag(
        "新疆生产建设兵团第十师北屯市卫生健康委考察学习西宁市医联体建设工作",
        "10月14日至15日，新疆生产建设兵团第十师北屯市卫生健康委一行10人来我市考察医联体改革工作。",
        home="西宁",
    )
    assert pairs(tags) == {("新疆", "西宁")}
    assert "北屯" not in tags.cities
