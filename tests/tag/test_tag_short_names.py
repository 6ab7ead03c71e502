"""Short forms of place names (issue 19, the eighth, tenth and fourteenth batches of the visits
dev set): an autonomous prefecture by its short name (博州, and 巴州 right after its province
新疆, while 四川巴州区 stays 巴中's district); a banner's or county's wing short form (喀左县 for
喀喇沁左翼蒙古族自治县) names its county, curated wing forms (科右前旗, 察右后旗) keep their
city, and 左翼 in ordinary words or 喀 starting another place names none. Sentences written for
these tests, shaped like city news."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger
from tests.tag import pairs

# --- short names of prefectures ---------------------------------------------------------


def test_prefecture_short_form(tagger: Tagger) -> None:
    tags = tagger.tag("培训班开班", "来自新疆博州和西藏山南的学员参加培训。")
    assert "博尔塔拉" in tags.cities


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


# --- an autonomous prefecture by its short name right after its province ---------------------------


@pytest.mark.parametrize(
    ("body", "home", "pair"),
    [
        ("新疆巴州学习考察团来我市考察。", "石家庄", ("巴音郭楞", "石家庄")),
        ("由新疆巴州党委副书记带队的巴州考察团来我市考察学习。", "青岛", ("巴音郭楞", "青岛")),
        ("新疆巴州党政代表团赴杭州市学习考察。", "杭州", ("巴音郭楞", "杭州")),
    ],
)
def test_prefecture_short_name_after_its_province(
    tagger: Tagger, body: str, home: str, pair: tuple[str, str]
) -> None:
    assert pairs(tagger.tag("", body, home=home)) == {pair}


def test_prefecture_short_name_without_county_clash(tagger: Tagger) -> None:
    # 博州 is no county's name: the prefecture as before
    assert pairs(tagger.tag("", "新疆博州党政代表团来我市考察学习。", home="青岛")) == {
        ("博尔塔拉", "青岛")
    }


def test_county_after_its_own_province_stays(tagger: Tagger) -> None:
    # 四川巴州区 is 巴中's district: the province is its own, no prefecture of another
    assert pairs(tagger.tag("", "四川巴州区考察团来我市考察。", home="石家庄")) == {
        ("巴中", "石家庄")
    }
