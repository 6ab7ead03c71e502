"""A sub-district (街道) named like a county elsewhere (青岛's 台东街道, 上海's 嘉兴路街道) is an area of
the city the party is in, not that county (issue 19, the fifteenth batch of the visits dev set);
the county or city named in full before its own sub-district stays. A town listed for a city
without counties (儋州's 那大镇, 东莞's 虎门镇) is not lifted to the city either, unless its party
travels as the home's (batches 25-27). Sentences written for these tests, shaped like city news."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger
from tests.tag import pairs


@pytest.mark.parametrize(
    ("body", "absent"),
    [
        ("在青岛考察学习期间，代表团到台东街道黄县路参观了楼体美化。", "台东"),
        ("考察组来到宜兴街道便民服务中心参观。", "无锡"),
        ("随后，代表团到常熟街道新时代文明实践站考察。", "苏州"),
        ("考察团一行走进平阳街道社区服务中心。", "温州"),
    ],
)
def test_a_subdistrict_named_like_a_county_is_not_it(
    tagger: Tagger, body: str, absent: str
) -> None:
    assert absent not in tagger.tag("", body, home="佳木斯").cities


def test_a_subdistrict_gives_no_host_beside_the_city(tagger: Tagger) -> None:
    body = (
        "6月25日，向阳区副区长王东峰带领向阳区代表团一行6人赴青岛考察学习特色街区打造。"
        "在青岛考察学习期间，代表团到台东街道黄县路参观了楼体美化。"
    )
    assert pairs(tagger.tag("", body, home="佳木斯")) == {("佳木斯", "青岛")}


@pytest.mark.parametrize(
    ("body", "present"),
    [
        ("考察团赴江阴市澄江街道考察基层治理。", "无锡"),
        ("考察团赴江阴澄江街道考察基层治理。", "无锡"),
        ("代表团到宜兴市宜城街道考察。", "无锡"),
    ],
)
def test_a_county_before_its_subdistrict_stays(tagger: Tagger, body: str, present: str) -> None:
    assert present in tagger.tag("", body, home="佳木斯").cities


@pytest.mark.parametrize(
    ("body", "home", "absent"),
    [
        ("4月10日，那大镇召开乡村振兴工作推进会，传达学习全省会议精神。", "儋州", "儋州"),
        ("虎门镇组织机关干部开展专题学习，镇党委书记主持会议。", "东莞", "东莞"),
        ("新城镇党委中心组集中学习习近平总书记在河北考察时的重要讲话精神。", "嘉峪关", "嘉峪关"),
    ],
)
def test_a_town_of_a_city_without_counties_is_not_lifted(
    tagger: Tagger, body: str, home: str, absent: str
) -> None:
    """A town listed for a city without counties (儋州's towns) is no more the city than any
    other town is."""
    assert absent not in tagger.tag("", body, home=home).cities


def test_a_town_of_the_home_still_travels_as_the_home(tagger: Tagger) -> None:
    body = "5月8日，雅星镇党委书记带领各村党支部书记赴贵州省安顺市平坝区考察学习乡村治理经验。"
    tags = tagger.tag("", body, home="儋州")
    assert pairs(tags) == {("儋州", "安顺")}
    assert "儋州" in tags.cities


def test_the_city_named_beside_its_town_stays(tagger: Tagger) -> None:
    body = "儋州市那大镇召开乡村振兴工作推进会。"
    assert "儋州" in tagger.tag("", body, home="儋州").cities
