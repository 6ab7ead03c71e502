"""crawler.tag: the public API, the seed article, places, visits, themes and kind."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from crawler.tag import Tagger, Tags, Visit, cities_of, province_of
from tests.tag import pairs

SEED = Path(__file__).parent / "testdata" / "tag" / "qingdao-delegation-shenzhen.txt"


def seed_body() -> str:
    lines = SEED.read_text("utf-8").splitlines()
    return "\n".join(lines[:-3])  # the last three lines are the page's related-news sidebar


def test_seed_article_tags_as_its_readme_says(tagger: Tagger) -> None:
    tags = tagger.tag("", seed_body())
    assert tags.cities == ("青岛", "深圳", "成都")
    assert pairs(tags) == {("青岛", "深圳"), ("青岛", "成都")}
    assert set(tags.themes) == {"smart_city", "fintech", "culture_tourism", "innovation"}
    assert tags.kind == "visit"


def test_seed_visit_is_the_2021_trip_dated_from_publication(tagger: Tagger) -> None:
    tags = tagger.tag("", seed_body(), published=date(2021, 5, 12))
    by_host = {v.host: v for v in tags.visits}
    assert by_host["深圳"].date == date(2021, 5, 11)
    # Evidence is the original (Traditional) sentence, not the 2019 background one.
    assert by_host["深圳"].evidence.startswith("5月11日傍晚")
    assert "青島市黨政考察團" in by_host["深圳"].evidence
    assert by_host["成都"].date == date(2021, 5, 11)


def test_seed_without_publication_date_leaves_dates_null(tagger: Tagger) -> None:
    tags = tagger.tag("", seed_body())
    assert all(v.date is None for v in tags.visits)


def test_visit_to_dict() -> None:
    visit = Visit("青岛", "深圳", date(2021, 5, 11), "青岛市党政代表团来到深圳考察。")
    assert visit.to_dict() == {
        "visitor": "青岛",
        "host": "深圳",
        "date": "2021-05-11",
        "date_start": "2021-05-11",
        "date_end": "2021-05-11",
        "leader": None,
        "co_leaders": [],
        "host_officials": [],
        "purpose": None,
        "sites": [],
        "evidence": "青岛市党政代表团来到深圳考察。",
    }
    assert Visit("青岛", "深圳", None, "x").to_dict()["date"] is None


def test_every_tag_has_evidence_from_the_original_text(tagger: Tagger) -> None:
    tags = tagger.tag(
        "廈門市黨政代表團赴杭州考察數字經濟", "廈門市委書記率團赴杭州考察城市大腦建設。"
    )
    assert tags.cities == ("厦门", "杭州")
    assert pairs(tags) == {("厦门", "杭州")}
    for key in ("city:厦门", "city:杭州", "visit:厦门->杭州", "theme:smart_city", "kind:visit"):
        assert key in tags.evidence
    assert "廈門" in tags.evidence["city:厦门"]
    assert (
        "數字經濟" in tags.evidence["theme:smart_city"]
        or "城市大腦" in tags.evidence["theme:smart_city"]
    )


def test_province_of_and_cities_of() -> None:
    assert province_of("青岛") == "山东"
    assert province_of("哈尔滨") == "黑龙江"
    assert province_of("北京") == "北京"
    assert province_of("香港") == "香港"
    assert province_of("不存在") is None
    assert cities_of("山东")[:2] == ("济南", "青岛")
    assert len(cities_of("山东")) == 16
    assert "南宁" in cities_of("广西")
    assert cities_of("火星") == ()


def test_names_are_short_names_without_suffix(tagger: Tagger) -> None:
    tags = tagger.tag(
        "内蒙古自治区党政代表团赴黑龙江省哈尔滨市考察",
        "内蒙古自治区党政代表团赴哈尔滨市考察冰雪经济。广西壮族自治区、新疆维吾尔自治区代表出席。",
    )
    assert tags.cities == ("哈尔滨",)
    assert tags.provinces == ("内蒙古", "黑龙江", "广西", "新疆")
    assert pairs(tags) == {("内蒙古", "哈尔滨")}


def test_districts_and_counties_map_to_their_city(tagger: Tagger) -> None:
    tags = tagger.tag("浦东新区发布金融科技行动方案", "浦东新区和崂山区、胶州市企业参加。")
    assert tags.cities == ("上海", "青岛")


def test_publisher_resolves_my_city_and_come_to_my_city(tagger: Tagger) -> None:
    tags = tagger.tag(
        "成都市党政代表团来我市考察",
        "成都市党政代表团来我市考察。我市党政代表团此前已赴成都考察。",
        publisher_city="青岛",
    )
    assert pairs(tags) == {("成都", "青岛"), ("青岛", "成都")}
    assert set(tags.cities) == {"成都", "青岛"}
    no_publisher = tagger.tag("成都市党政代表团来我市考察", "成都市党政代表团来我市考察。")
    assert pairs(no_publisher) == set()


def test_unknown_publisher_city_is_ignored(tagger: Tagger) -> None:
    tags = tagger.tag("代表团来我市考察", "成都市党政代表团来我市考察。", publisher_city="Atlantis")
    assert pairs(tags) == set()


def test_kind_policy_from_title_lead_or_metadata(tagger: Tagger) -> None:
    title = "青岛市人民政府关于印发青岛市数字经济发展规划的通知"
    assert tagger.tag(title, "各区、市人民政府：现将规划印发给你们。").kind == "policy"
    lead = "近日，成都市人民政府办公厅印发《成都市促进文化旅游产业发展的若干措施》。"
    assert tagger.tag("成都支持文旅产业发展", lead).kind == "policy"
    plain = "成都市召开文旅产业发展大会"
    assert tagger.tag(plain, "会议总结了去年工作。").kind == "other"
    assert tagger.tag(plain, "会议总结了去年工作。", policy=True).kind == "policy"
    assert tagger.tag("专家解读股市走势", "专家认为市场将企稳。").kind == "other"


def test_kind_visit_beats_policy_when_the_title_reports_a_visit(tagger: Tagger) -> None:
    tags = tagger.tag(
        "青岛市党政代表团赴深圳考察", "代表团学习深圳出台《数字政府建设方案》的经验。"
    )
    assert tags.kind == "visit"


def test_tags_are_tuples_and_frozen(tagger: Tagger) -> None:
    tags = tagger.tag("青岛", "深圳")
    assert isinstance(tags.cities, tuple) and isinstance(tags.visits, tuple)
    with pytest.raises(AttributeError):
        tags.kind = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        tags.evidence["city:x"] = "y"  # type: ignore[index]


def test_empty_input(tagger: Tagger) -> None:
    tags = tagger.tag("", "")
    assert tags == Tags((), (), (), (), "other", tags.evidence)


def test_themes_need_enough_evidence_and_long_bodies_need_more(tagger: Tagger) -> None:
    one_word = tagger.tag("青岛召开工作会议", "会议还提到投资。")
    assert "investment" not in one_word.themes
    lead = tagger.tag("青岛举行招商引资项目集中签约", "现场签约项目32个，总投资586亿元。")
    assert "investment" in lead.themes
    padding = "会议听取了各部门工作汇报，研究部署下一阶段重点任务。" * 200
    long_body = tagger.tag("青岛召开工作会议", padding + "会议提到招商引资。")
    assert "investment" not in long_body.themes


def test_title_counts_more_than_body(tagger: Tagger) -> None:
    body = "会议听取了各部门工作汇报，研究部署下一阶段重点任务。" * 20
    in_body = tagger.tag("青岛召开工作会议", body + "持续优化营商环境。")
    in_title = tagger.tag("青岛持续优化营商环境", body)
    assert "business_env" not in in_body.themes
    assert "business_env" in in_title.themes


def test_negative_keywords_hide_and_subtract(tagger: Tagger) -> None:
    tags = tagger.tag("市场观察", "投资者投资者投资者关注投资者教育，投资理财需谨慎。")
    assert "investment" not in tags.themes
