"""Central leaders, past and present, are no city's delegation (issue 19, the sixteenth batch of
the visits dev set): a Politburo Standing Committee member, a premier or vice-premier, named or
by title, whose inspection goes on in a clause of its own (…李克强在省委书记…陪同下，在福州、泉州
考察) gives no pair from the publishing city; a name after a local title is that local official
(市委副书记张国清率天津市党政代表团, before he went to Beijing); a central body's inspection team
(全国人大常委会…执法检查组) is no city's delegation either, nor the place of an inspection whose
speech a meeting studied. Sentences written for these tests, shaped like city news."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger
from tests.tag import pairs


@pytest.mark.parametrize(
    ("title", "body", "home"),
    [
        (
            "李克强在福建考察",
            "7月7日至8日，中共中央政治局常委、国务院总理李克强在福建省委书记尹力、省长赵龙陪同下，"
            "在福州、泉州考察。",
            "那曲",
        ),
        (
            "",
            "4月9日，国务院副总理刘鹤在省长陪同下，先后到苏州、无锡调研。",
            "昌都",
        ),
        ("", "温家宝总理在四川省委书记刘奇葆陪同下，来到绵阳、德阳考察灾后重建。", "拉萨"),
        ("", "5月，中央政治局常委、全国政协主席汪洋在云南调研，深入昆明、大理考察。", "喀什"),
        ("温家宝在天津考察", "温家宝来到天津滨海新区考察。", "那曲"),
        ("", "胡春华副总理一行赴海口、三亚考察。", "林芝"),
    ],
)
def test_central_leaders_inspections_give_no_pair(
    tagger: Tagger, title: str, body: str, home: str
) -> None:
    assert not pairs(tagger.tag(title, body, home=home))


@pytest.mark.parametrize(
    ("body", "home", "pair"),
    [
        # the name after a local title is that official's, then
        (
            "中共中央政治局委员、天津市委书记李鸿忠，市委副书记张国清率天津市党政代表团赴昌都市学习考察。",
            "昌都",
            ("天津", "昌都"),
        ),
        ("上海市委书记李强率上海市党政代表团赴遵义考察。", "遵义", ("上海", "遵义")),
        # a city's own officials after a central leader's sentence keep their trip
        (
            "会议传达了李克强总理讲话精神。市长王强率队赴苏州、无锡考察学习。",
            "盐城",
            ("盐城", "苏州"),
        ),
        # the city's party opening the clause after a central title in the sentence
        (
            "学习贯彻国务院总理重要讲话精神之后，市委书记李明率党政代表团赴杭州考察。",
            "衢州",
            ("衢州", "杭州"),
        ),
    ],
)
def test_local_officials_keep_their_pairs(
    tagger: Tagger, body: str, home: str, pair: tuple[str, str]
) -> None:
    assert pair in pairs(tagger.tag("", body, home=home))


# --- inspections by central bodies --------------------------------------------------------


def test_a_central_inspection_team_is_no_city_delegation(tagger: Tagger) -> None:
    body = (
        "全国人大常委会副委员长王某率执法检查组在山西进行执法检查。"
        "执法检查组在太原听取省政府工作汇报，赴运城、临汾进行实地检查。"
    )
    assert pairs(tagger.tag("推动法律深入贯彻实施", body, home="吕梁")) == set()


def test_a_city_inspection_of_its_own_is_still_no_pair_but_a_delegation_is(tagger: Tagger) -> None:
    body = "6月5日，太原市人大常委会副主任王强带领考察组赴运城考察学习。"
    assert pairs(tagger.tag("太原市人大考察组赴运城考察", body, home="吕梁")) == {("太原", "运城")}


def test_a_place_of_a_central_leaders_inspection_is_no_party(tagger: Tagger) -> None:
    body = (
        "会议认真学习习近平总书记在陕西榆林考察时的重要讲话精神，传达市党政代表团赴苏州市、"
        "无锡市考察学习精神。"
    )
    tags = tagger.tag("会议", body, home="徐州")
    assert {(v.visitor, v.host) for v in tags.visits} == {("徐州", "苏州"), ("徐州", "无锡")}
