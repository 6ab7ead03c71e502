"""A district's short name that is an everyday word (牡丹, the peony, as 芙蓉) is no place on its
own: not in a brand or company list (尧舜牡丹), a flower show or a song; the district named in full
(菏泽市牡丹区) and the city 牡丹江 stay places (issue 19, the fifteenth batch of the visits dev set).
Likewise a banner of the Eight Banners in a person's origin (满洲镶黄旗人, 汉军正蓝旗) is no banner
county of 内蒙古, while a trip to one is."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger


@pytest.mark.parametrize(
    "body",
    [
        "考察团深入山东省科瑞集团、魏桥创业、尧舜牡丹、保龄宝生物等企业进行考察调研。",
        "山东省第三十届牡丹文化旅游节开幕，游客纷纷前来赏花。",
        "在山东期间，代表团参观了牡丹产业园的加工车间。",
    ],
)
def test_an_everyday_word_is_no_district(tagger: Tagger, body: str) -> None:
    assert "菏泽" not in tagger.tag("", body, home="吕梁").cities


@pytest.mark.parametrize(
    ("body", "city"),
    [
        ("代表团赴菏泽市牡丹区考察学习。", "菏泽"),
        ("代表团赴山东牡丹区考察学习。", "菏泽"),
        ("代表团赴牡丹江市考察学习。", "牡丹江"),
    ],
)
def test_the_district_in_full_and_the_city_stay(tagger: Tagger, body: str, city: str) -> None:
    assert city in tagger.tag("", body, home="吕梁").cities


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


def test_a_large_community_is_no_district(tagger: Tagger) -> None:
    """大社区 (a large community), not 高雄's 大社区 (batch 29)."""
    body = "办事处赴三亚市学习考察大社区运营工作，了解各大社区整体组织架构。"
    assert "高雄" not in tagger.tag("", body, home="儋州").cities
