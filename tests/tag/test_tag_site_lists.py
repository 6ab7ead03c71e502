"""A place heading a later site of the list after the movement (赴四川大学华西医院和成都市成华区
中医医院学习考察, 赴张家港水政监察大队、无锡市滨湖区水政监察大队): the list's place is a host,
whatever joins the items (、 和 及) and whatever the sites are (companies, parks, hospitals,
colleges, a bureau's units); a list that is no trip of a government party gives none. Sentences
written for these tests, shaped like city news."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger
from tests.tag import pairs


@pytest.mark.parametrize(
    ("body", "home", "expected"),
    [
        (
            "3月22日，市卫生健康委副主任带领老龄健康处赴华西医院和成都市成华区中医医院学习考察。",
            "邯郸",
            {("邯郸", "成都")},
        ),
        (
            "5月8日，市教育局组织校长赴某某师范大学及南京市某某学校考察学习。",
            "淮安",
            {("淮安", "南京")},
        ),
        (
            "3月8日，我局组织全市执法骨干赴张家港水政监察大队、无锡市滨湖区水政监察大队进行考察学习。",
            "连云港",
            {("连云港", "苏州"), ("连云港", "无锡")},
        ),
        (
            "6月2日，市发改委组织企业赴某某科技公司和杭州市某某集团考察学习。",
            "衢州",
            {("衢州", "杭州")},
        ),
        (
            "9月1日，市农业农村局带队赴省农科院、合肥市某某研究所和芜湖市某某产业园调研交流。",
            "六安",
            {("六安", "合肥"), ("六安", "芜湖")},
        ),
    ],
)
def test_a_place_heading_a_later_site_is_a_host(
    tagger: Tagger, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag("", body, home=home)) == expected


@pytest.mark.parametrize(
    ("body", "home"),
    [
        # patients, not a party on a study trip
        ("3月8日，市民赴市中医院和南京市儿童医院挂号就诊。", "淮安"),
        # a site list where no one travels: a report of the home's works
        ("全市建成某某医院和南京市某某医院合作的医联体。", "淮安"),
        # a town named by a later site (桥头镇卫生院) is no host elsewhere
        (
            "考察组一行先后赴湟源县第一医共体总院、大华镇卫生院、桥头镇卫生院及向阳堡村卫生室实地考察。",
            "西宁",
        ),
        # the list's place is the home itself
        ("3月8日，市卫健委组织人员赴市一院和淮安市妇幼保健院督导检查。", "淮安"),
    ],
)
def test_lists_without_a_trip_elsewhere_give_none(tagger: Tagger, body: str, home: str) -> None:
    assert pairs(tagger.tag("", body, home=home)) == set()
