"""Nicknames and outlets on a known home's site (issue 19, the sixteenth and seventeenth batches
of the visits dev set): another city's nickname (泉城, 申城) in a slogan or an epithet is weak
there, counting only with the city named or in a visit frame; a nickname several cities share
(鹤城, 江城) is the home's on the home's own site; an outlet's byline (福鼎新闻网讯, 拉萨融媒南京电)
and a body's site name glued before the repeated headline (…委员会政务要闻中荆集团赴…) are not the
story's places; nor are an outlet's place in its byline (宜宾日报讯, 郴州市融媒体中心消息), a site's
column in the title or closing the repeated headline (--今日儋州--, -金华要闻), a site's name glued
to the headline the body repeats (沙洋县人民政府今日沙洋…, with a column or two between:
武威市人民政府市政府其他会议…), while the home's office after a dash there is the party, or after it
without 市 (…_沧州仲裁委员会). Sentences written for these tests, shaped like city news."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger
from crawler.tag.text import glued_site_span
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


# --- the outlet's own place in its byline, a site's 今日X column ----------------------------


@pytest.mark.parametrize(
    ("text", "outlet"),
    [
        ("郴州市融媒体中心消息 近日，全市开展安全生产大检查。", "郴州"),
        ("宜宾日报讯 3月2日，全市安全生产会议召开。", "宜宾"),
        ("曲靖广播电视台记者李明报道 会议要求各地抓好落实。", "曲靖"),
    ],
    ids=["融媒体中心", "日报讯", "电视台记者"],
)
def test_outlet_byline_is_not_a_mention(tagger: Tagger, text: str, outlet: str) -> None:
    assert outlet not in tagger.tag("工作动态", text).cities


def test_outlet_named_elsewhere_still_counts(tagger: Tagger) -> None:
    tags = tagger.tag("郴州代表团来我市", "郴州市代表团来我市考察学习。", home="赣州")
    assert ("郴州", "赣州") in pairs(tags)


def test_site_column_in_the_title(tagger: Tagger) -> None:
    tags = tagger.tag(
        "儋州市那大镇组织干部到白沙考察学习--今日儋州--儋州市人民政府", "那大镇组织干部开展学习。"
    )
    assert "儋州" in tags.cities  # the headline names 儋州 (its town 那大镇 alone would not)
    tags = tagger.tag("组织干部考察学习--今日儋州--儋州市人民政府", "近日组织干部开展学习。")
    assert "儋州" not in tags.cities
    tags = tagger.tag("今日儋州召开全市招商大会", "今日儋州召开全市招商大会。")
    assert "儋州" in tags.cities  # the headline itself


# --- the site's name glued to the headline the body repeats --------------------------------


@pytest.mark.parametrize(
    ("body", "headline", "span"),
    [
        (
            "衡水市人民政府宣传阐释中国式现代化的文化内涵。",
            "宣传阐释中国式现代化的文化内涵",
            (0, 7),
        ),
        (
            "沙洋县人民政府今日沙洋全县领导干部专题研讨班开班。",
            "全县领导干部专题研讨班开班",
            (0, 11),
        ),
        ("某某区人民政府网全区安全生产会议召开。", "全区安全生产会议召开", (0, 8)),
        # a column or two between the site and the headline
        ("抚州市人民政府政府重点工作市公安局召开党委会议。", "市公安局召开党委会议", (0, 13)),
        (
            "武威市人民政府市政府其他会议市政府党组召开第4次会议。",
            "市政府党组召开第4次会议",
            (0, 14),
        ),
    ],
)
def test_a_glued_site_name_is_found(body: str, headline: str, span: tuple[int, int]) -> None:
    assert glued_site_span(body, headline) == span


@pytest.mark.parametrize(
    ("body", "headline"),
    [
        # more than a column's words between the site and the headline
        (
            "抚州市人民政府政府重点工作今年全市重点项目建设推进会议精神传达市公安局召开党委会议。",
            "市公安局召开党委会议",
        ),
        # the government is the story's subject, not glued to the headline
        ("衡水市人民政府召开常务会议，研究部署有关工作。", "市政府召开常务会议"),
        ("近日，衡水市人民政府宣传阐释中国式现代化。", "宣传阐释中国式现代化"),
    ],
)
def test_no_glued_site_name(body: str, headline: str) -> None:
    assert glued_site_span(body, headline) is None


def test_the_glued_site_holds_no_place_of_the_story(tagger: Tagger) -> None:
    title = "全县领导干部专题研讨班开班"
    tags = tagger.tag(title, f"沙洋县人民政府今日沙洋{title}。9月28日，研讨班开班。", home="荆门")
    assert "荆门" not in tags.cities
    tags = tagger.tag(title, f"沙洋县人民政府今日沙洋{title}。沙洋县委书记出席。", home="荆门")
    assert "荆门" in tags.cities  # named again in the story


def test_a_subject_after_a_dash_behind_the_glued_site(tagger: Tagger) -> None:
    # the site's name is no place of the story, and the party after the dash is the home's
    title = "集众家之长谋改革良策全市公安机关改革办赴贵阳昆明丽江考察学习"
    body = (
        "抚州市人民政府政府重点工作集众家之长谋改革良策——全市公安机关改革办赴贵阳、昆明、丽江"
        "考察学习。在贵阳市公安局，考察团一行参观了大数据指挥中心。"
    )
    tags = tagger.tag(title, body, home="抚州")
    assert {(v.visitor, v.host) for v in tags.visits} == {
        ("抚州", "贵阳"),
        ("抚州", "昆明"),
        ("抚州", "丽江"),
    }
    # the same without the site's name: the home's office after the dash is the party
    body = "集众家之长谋改革良策——全市公安机关改革办赴贵阳、昆明、丽江考察学习。"
    assert ("抚州", "昆明") in {
        (v.visitor, v.host) for v in tagger.tag("考察", body, home="抚州").visits
    }


# --- the site's name and its columns around a repeated headline ---------------------------


@pytest.mark.parametrize(
    ("body", "home"),
    [
        ("区政协召开主席会议研究近期重点工作-金华要闻。3月5日，区政协召开主席会议。", "金华"),
        ("县卫健委部署秋冬季疫情防控工作-丽水动态。会议要求各单位落实。", "丽水"),
        ("市科协举办青少年科普讲座进校园活动-衢州新闻。讲座吸引了三百余名学生。", "衢州"),
    ],
)
def test_a_column_closing_the_repeated_headline_is_the_sites(
    tagger: Tagger, body: str, home: str
) -> None:
    title = body.split("-", 1)[0]
    assert home not in tagger.tag(title, body).cities


def test_a_named_place_beside_a_column_still_counts(tagger: Tagger) -> None:
    body = "区政协召开主席会议研究近期重点工作-金华要闻。会议听取了赴温州考察情况的汇报。"
    assert "温州" in tagger.tag(body.split("-", 1)[0], body).cities


# --- a body's site name after the headline, named after its city without 市 -----------------------


@pytest.mark.parametrize(
    ("title", "body", "absent"),
    [
        (
            "学习纲要合集全",
            "学习纲要合集（全）_沧州仲裁委员会。为深入学习贯彻全会精神，现将全文刊发如下。",
            "沧州",
        ),
        (
            "安全生产月活动启动",
            "安全生产月活动启动_廊坊应急管理局。6月1日，全市安全生产月活动正式启动。",
            "廊坊",
        ),
        (
            "多措并举优化全市营商环境新举措",
            "多措并举优化全市营商环境新举措_邢台发展改革委员会。近日，我委出台多项举措。",
            "邢台",
        ),
    ],
)
def test_site_name_without_shi(tagger: Tagger, title: str, body: str, absent: str) -> None:
    assert absent not in tagger.tag(title, body).cities


def test_headline_naming_a_place_still_counts(tagger: Tagger) -> None:
    body = "沧州考察团赴天津学习考察_新闻中心。6月1日，沧州市考察团赴天津市学习考察。"
    assert {"沧州", "天津"} <= set(tagger.tag("沧州考察团赴天津学习考察", body).cities)


def test_a_site_segment_longer_than_the_headlines_parts_is_the_sites(tagger: Tagger) -> None:
    """The repeated headline cut by a dash into two short parts: the site's name after it is the
    longest segment, yet holds nothing of the title (batch 27)."""
    title = "国控集团对标提升专项行动走进诺达物流斯通物联"
    body = (
        "国控集团对标提升专项行动——走进诺达物流、斯通物联|镇江市人民政府国有资产监督管理委员会。"
        "6月5日，国控集团组织考察组走进诺达物流、斯通物联两家企业。"
    )
    assert "镇江" not in tagger.tag(title, body).cities
    story = body + "考察组还参观了镇江市物流园区。"
    assert "镇江" in tagger.tag(title, story).cities


@pytest.mark.parametrize(
    ("body", "city"),
    [
        ("会议审议了《齐齐哈尔市2023年外事工作要点》等文件。", "齐齐哈尔"),
        ("会议传达了《陇南市市直单位科级干部选拔任用操作规程（试行）》文件精神。", "陇南"),
        ("会议学习了《天水市机关事务管理规则》。", "天水"),
    ],
)
def test_a_document_in_brackets_names_its_city(tagger: Tagger, body: str, city: str) -> None:
    """A body's rules and work plans (规程, 要点, 规则) are documents, not works (batches 27-28)."""
    assert city in tagger.tag("", body, home="哈尔滨").cities


def test_a_work_in_brackets_still_holds_no_place(tagger: Tagger) -> None:
    body = "会议观看了纪录片《我在天水的日子》。"
    assert "天水" not in tagger.tag("", body, home="哈尔滨").cities
