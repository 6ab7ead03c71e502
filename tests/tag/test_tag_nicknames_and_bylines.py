"""Nicknames and outlets on a known home's site (issue 19, the sixteenth and seventeenth batches
of the visits dev set): another city's nickname (泉城, 申城) in a slogan or an epithet is weak
there, counting only with the city named or in a visit frame; a nickname several cities share
(鹤城, 江城) is the home's on the home's own site; an outlet's byline (福鼎新闻网讯, 拉萨融媒南京电)
and a body's site name glued before the repeated headline (…委员会政务要闻中荆集团赴…) are not the
story's places. Sentences written for these tests, shaped like city news."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger
from tests.tag import pairs


@pytest.mark.parametrize(
    ("body", "home", "absent"),
    [
        ("“激发创新活力、共建多彩泉城”主题演讲比赛举行。", "邢台", "济南"),
        ("全市上下奋力谱写申城发展新篇章。", "宁德", "上海"),
        ("冰城夏都的美誉让游客流连。", "伊春", "哈尔滨"),
    ],
)
def test_another_citys_nickname_alone_is_not_counted(
    tagger: Tagger, body: str, home: str, absent: str
) -> None:
    assert absent not in tagger.tag("", body, home=home).cities


@pytest.mark.parametrize(
    ("body", "home", "present"),
    [
        # the home's own nickname, strong or shared
        ("共建多彩泉城，建设美丽家园。", "济南", "济南"),
        ("坚定自觉地推进中国式现代化鹤城实践。", "齐齐哈尔", "齐齐哈尔"),
        ("奋力打造江城发展新高地。", "武汉", "武汉"),
        # another city's nickname with the city named, or in a visit frame
        ("市代表团赴泉城济南考察学习。", "邢台", "济南"),
        ("市党政代表团赴蓉城考察。", "遵义", "成都"),
    ],
)
def test_nicknames_that_count(tagger: Tagger, body: str, home: str, present: str) -> None:
    assert present in tagger.tag("", body, home=home).cities


def test_a_nickname_in_a_visit_frame_is_the_host(tagger: Tagger) -> None:
    assert ("遵义", "成都") in pairs(tagger.tag("", "市党政代表团赴蓉城考察。", home="遵义"))


@pytest.mark.parametrize(
    ("title", "body", "home", "absent"),
    [
        ("", "福鼎新闻网讯（夏岩缘）6月16日，市委书记林青主持召开专题学习研讨会。", "三明", "宁德"),
        ("", "拉萨融媒南京电（记者德吉措姆）活动在南京启动。", "那曲", "拉萨"),
        (
            "中荆集团赴厦门金圆集团考察学习薪酬制度改革情况",
            "荆门市国有资产监督管理委员会政务要闻中荆集团赴厦门金圆集团考察学习薪酬制度改革情况。",
            "厦门",
            "荆门",
        ),
        (
            "市卫健委召开专题会议研究部署工作",
            "宜昌市卫生健康委员会工作动态市卫健委召开专题会议研究部署工作。",
            "襄阳",
            "宜昌",
        ),
    ],
)
def test_bylines_and_glued_site_names_are_not_the_storys(
    tagger: Tagger, title: str, body: str, home: str, absent: str
) -> None:
    assert absent not in tagger.tag(title, body, home=home).cities


def test_a_report_filed_from_a_place_keeps_that_place(tagger: Tagger) -> None:
    body = "拉萨融媒南京电（记者德吉措姆）活动在南京启动。"
    assert "南京" in tagger.tag("", body, home="那曲").cities


# A segment beside the headline made only of place names is the site's signature; a work's title
# in 《》 that names no document (a book, a film) holds the work's places, not the story's, and so
# does a headline repeating it without the 《》.


@pytest.mark.parametrize(
    ("title", "body", "home", "absent", "kept"),
    [
        (
            "山西党政代表团赴陕西学习考察签订合作框架协议",
            "山西党政代表团赴陕西学习考察签订合作框架协议-山西忻州。7月20日，代表团在西安考察。",
            "忻州",
            "忻州",
            "西安",
        ),
        (
            "市农业农村局召开半年工作会议",
            "市农业农村局召开半年工作会议_江西吉安。会议部署了下半年工作。",
            "吉安",
            "吉安",
            None,
        ),
        (
            "市委理论学习中心组学习研讨习近平在厦门习近平在宁德两部采访实录",
            "3月5日，市委理论学习中心组召开学习会，学习研讨《习近平在厦门》《习近平在宁德》两部采访实录。",
            "漳州",
            "厦门",
            None,
        ),
        (
            "全市干部观看电影",
            "6月1日，全市干部集中观看电影《长沙保卫战》。",
            "湘潭",
            "长沙",
            None,
        ),
    ],
)
def test_site_signatures_and_works_titles_hold_no_story_place(
    tagger: Tagger, title: str, body: str, home: str, absent: str, kept: str | None
) -> None:
    cities = tagger.tag(title, body, home=home).cities
    assert absent not in cities
    if kept:
        assert kept in cities


@pytest.mark.parametrize(
    ("body", "city"),
    [
        ("会议传达学习了《习近平总书记在承德考察时的重要讲话精神》。", "承德"),  # a speech
        ("区政府印发《南通市促进消费若干措施》。", "南通"),  # a document
        ("会议审议了《关于支持厦门建设国际航运中心的意见》。", "厦门"),
        ("山西党政代表团赴忻州考察-助力发展。", "忻州"),  # a place inside the headline itself
    ],
)
def test_places_in_documents_speeches_and_headlines_still_count(
    tagger: Tagger, body: str, city: str
) -> None:
    assert city in tagger.tag("", body, home="太原").cities
