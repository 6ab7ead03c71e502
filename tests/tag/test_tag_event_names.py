"""Games named after their city with the year between (北京2022年冬奥会) and the games' organising
committees (北京冬奥组委, 杭州亚组委) are the event, not a place of the story (issue 19, the
fifteenth batch of the visits dev set); the city itself, named apart, stays."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger


@pytest.mark.parametrize(
    ("body", "absent"),
    [
        ("省委宣传部下发《关于选拔少年合唱团参与北京2022年冬奥会的通知》。", "北京"),
        ("北京冬奥组委将到阜平县考察选拔一支少年合唱团。", "北京"),
        ("杭州亚组委工作人员到我市指导场馆运行。", "杭州"),
        ("志愿者参加了杭州2022年亚运会的服务保障工作。", "杭州"),
    ],
)
def test_games_and_their_committees_are_no_place(tagger: Tagger, body: str, absent: str) -> None:
    assert absent not in tagger.tag("", body, home="保定").cities


@pytest.mark.parametrize(
    "body",
    [
        "2022年，市长率队赴北京考察冬奥场馆建设。",
        "代表团赴北京，2022年冬奥会场馆是考察的第一站。",
    ],
)
def test_the_city_named_apart_stays(tagger: Tagger, body: str) -> None:
    assert "北京" in tagger.tag("", body, home="保定").cities


@pytest.mark.parametrize(
    "body",
    [
        "会议传达学习了总书记在成都第三十一届世界大学生夏季运动会开幕式欢迎宴会上的致辞。",
        "全力做好杭州第19届亚运会服务保障工作。",
    ],
)
def test_games_with_their_edition_are_the_event(tagger: Tagger, body: str) -> None:
    """成都|第三十一届…运动会: the games with their edition between (batch 26)."""
    tags = tagger.tag("", body, home="吉安")
    assert not {"成都", "杭州"} & set(tags.cities)


def test_a_city_before_another_edition_stays(tagger: Tagger) -> None:
    body = "代表团赴成都第三届中国国际商品交易会参展。"
    assert "成都" in tagger.tag("", body, home="吉安").cities
