"""crawler.tag.details: leader, co-leaders, dates, host officials, purpose and sites of a visit.

``ANNOTATED`` is the hand-annotated set (leader name and dates per visit pair) from real text: the
seed article, the visit items of /work/shared/data/tagging-real-dev/items.jsonl (dv060, dv077)
and the visit items of the dev part of bench/data/tagging-eval.jsonl; the class tests below use
real-text-like sentences, among them several heads under one title leading together, a head named
before the title (向…主任一行), names without a surname (Tibetan names, 阿不都·热合曼), leaders
after 携 or before 等有关领导, the guest's head after a host's 会见, a name between a body and its
title, and names as a Simplified article writes them (王乾, not the folded 王干).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from crawler.tag import Tagger, Visit
from crawler.tag.details import (
    Details,
    Official,
    find_officials,
    is_name,
    visit_dates,
    visit_details,
)
from crawler.tag.text import fold, sentences
from tests.tag import first_leader

SEED = Path(__file__).parent / "testdata" / "tag" / "qingdao-delegation-shenzhen.txt"


def seed_body() -> str:
    return "\n".join(SEED.read_text("utf-8").splitlines()[:-3])


def one(
    tagger: Tagger,
    body: str,
    published: date | None = None,
    title: str = "",
    home: str | None = None,
) -> Visit:
    tags = tagger.tag(title, body, published=published, publisher_city=home)
    assert len(tags.visits) == 1, tags.visits
    return tags.visits[0]


def name(o: Official | None) -> str | None:
    return o.name if o else None


# --- the annotated set --------------------------------------------------------------------------
# (id, title, text, published, visitor, host, leader name, date_start, date_end); None = the text
# names none. dv060's leader is "他" (a pronoun): no name in the text of the visit.
DV060 = (
    "2003年，他将“提高对内对外开放水平”纳入引领浙江长远发展的“八八战略”中，提出要主动接轨上海，"
    "积极参与长江三角洲地区合作与交流。2004年5月，他率领浙江省党政代表团赴四川、重庆、武汉考察，"
    "学各地之长，补浙江之短。"
)
DV077 = (
    "2019年2月27日下午，佛山顺德区大良街道党工委委员、街道经济和科技促进局局长潘卓辉，顺德区金融业"
    "联合会陈伊芬秘书长等一行八人到众创金融街进行实地考察调研，市金融局副局长刘东升，区党工委副书记"
    "蓝海斌，区发改局和区招商办负责人及相关部门人员陪同调研。"
)
S = "2021-05-11"
ANNOTATED: list[tuple[str, str, str, str | None, str, str, str | None, str | None, str | None]] = [
    ("seed", "", "SEED", "2021-05-12", "青岛", "深圳", "赵豪志", S, S),
    ("seed", "", "SEED", "2021-05-12", "青岛", "成都", "赵豪志", S, S),
    ("dv060", "跳出浙江发展浙江", DV060, None, "浙江", "四川", None, "2004-05", "2004-05"),
    ("dv060", "跳出浙江发展浙江", DV060, None, "浙江", "重庆", None, "2004-05", "2004-05"),
    ("dv060", "跳出浙江发展浙江", DV060, None, "浙江", "武汉", None, "2004-05", "2004-05"),
    (
        "dv077",
        "顺德区大良街道党工委委员潘卓辉一行到众创金融街开展调研工作",
        DV077,
        None,
        "佛山",
        "中山",
        "潘卓辉",
        "2019-02-27",
        "2019-02-27",
    ),
    (
        "t001",
        "青岛市党政代表团赴深圳考察学习",
        "5月11日，青岛市委副书记、市长赵豪志率领青岛市党政代表团来到深圳，考察学习数字政府、金融科技等"
        "领域先进经验。",
        "2021-05-12",
        "青岛",
        "深圳",
        "赵豪志",
        S,
        S,
    ),
    (
        "t002",
        "广西党政代表团赴广东学习考察",
        "6月3日至5日，广西壮族自治区党委书记率广西党政代表团赴广东学习考察。",
        None,
        "广西",
        "广东",
        None,
        None,
        None,
    ),
    (
        "t003",
        "深圳市领导会见青岛市党政代表团",
        "昨天下午，深圳市委书记王伟中在市民中心会见了来深考察的青岛市党政代表团一行。",
        "2021-05-12",
        "青岛",
        "深圳",
        None,
        S,
        S,
    ),
    (
        "t021",
        "青岛市党政代表团赴苏州、无锡考察学习",
        "9月15日至17日，青岛市党政代表团赴苏州、无锡考察学习，重点学习先进制造业和开放型经济发展经验。",
        "2021-09-18",
        "青岛",
        "苏州",
        None,
        "2021-09-15",
        "2021-09-17",
    ),
    (
        "t021",
        "青岛市党政代表团赴苏州、无锡考察学习",
        "9月15日至17日，青岛市党政代表团赴苏州、无锡考察学习，重点学习先进制造业和开放型经济发展经验。",
        "2021-09-18",
        "青岛",
        "无锡",
        None,
        "2021-09-15",
        "2021-09-17",
    ),
    (
        "t022",
        "成都市代表团来青考察",
        "11月2日，成都市副市长率成都市代表团来青考察，市长赵豪志会见代表团一行。",
        None,
        "成都",
        "青岛",
        None,
        None,
        None,
    ),
    (
        "t029",
        "我市党政代表团启程赴深圳成都学习考察",
        "5月10日，我市党政代表团启程赴深圳、成都学习考察。",
        "2021-05-10",
        "青岛",
        "深圳",
        None,
        "2021-05-10",
        "2021-05-10",
    ),
    (
        "t069",
        "銀川市黨政代表團赴廈門考察學習",
        "11月8日，銀川市黨政代表團赴廈門考察學習，重點考察自貿試驗區建設。",
        "2022-11-10",
        "银川",
        "厦门",
        None,
        "2022-11-08",
        "2022-11-08",
    ),
    (
        "t098",
        "郑州市党政代表团赴武汉考察学习",
        "郑州市委书记率郑州市党政代表团赴武汉考察学习，两市签署战略合作协议。",
        None,
        "郑州",
        "武汉",
        None,
        None,
        None,
    ),
    (
        "t041",
        "廈門市黨政代表團赴杭州考察數字經濟",
        "廈門市委書記率廈門市黨政代表團赴杭州考察，學習杭州發展數字經濟的經驗。",
        None,
        "厦门",
        "杭州",
        None,
        None,
        None,
    ),
    (
        "t047",
        "温州市党政考察团来甬考察学习",
        "温州市党政考察团一行来甬考察学习，实地参观了前湾新区和梅山保税港区。",
        None,
        "温州",
        "宁波",
        None,
        None,
        None,
    ),
    (
        "t089",
        "沈阳市领导会见大连市代表团",
        "沈阳市委书记在沈会见大连市党政代表团一行，双方就推进沈大同城化发展深入交流。",
        None,
        "大连",
        "沈阳",
        None,
        None,
        None,
    ),
]


def details_of(tagger: Tagger, item: tuple[Any, ...]) -> Details:
    _id, title, text, published, visitor, host, *_ = item
    body = seed_body() if text == "SEED" else text
    pub = date.fromisoformat(published) if published else None
    tags = tagger.tag(title, body, published=pub, publisher_city="青岛" if _id == "t029" else None)
    for v in tags.visits:
        if (v.visitor, v.host) == (visitor, host):
            return v.details
    # the pair itself is visits.py's part: read the details from the body's visit sentence
    folded = fold(f"{title}\n{body}")
    sents = sentences(folded, len(title))
    return visit_details(folded, sents, sents[1:2], visitor=visitor, host=host, published=pub)


def test_annotated_set_leader_and_dates(tagger: Tagger) -> None:
    leaders = [0, 0]  # right, of the pairs whose text names a leader
    dates = [0, 0]
    false_leaders = 0
    for item in ANNOTATED:
        d = details_of(tagger, item)
        gold_leader, start, end = item[6], item[7], item[8]
        if gold_leader:
            leaders[1] += 1
            leaders[0] += name(d.leader) == gold_leader
        elif name(d.leader):
            false_leaders += 1
        if start:
            dates[1] += 1
            dates[0] += (d.date_start, d.date_end or d.date_start) == (start, end)
    assert leaders[0] / leaders[1] >= 0.9, leaders
    assert dates[0] / dates[1] >= 0.9, dates
    assert false_leaders == 0


def test_seed_article_details(tagger: Tagger) -> None:
    tags = tagger.tag("", seed_body(), published=date(2021, 5, 12))
    shenzhen = next(v for v in tags.visits if v.host == "深圳")
    assert shenzhen.details.leader == Official("赵豪志", "市委副书记、市长")
    assert shenzhen.details.date_start == "2021-05-11"
    assert "前海国际会议中心" in shenzhen.details.sites
    chengdu = next(v for v in tags.visits if v.host == "成都")
    assert "前海国际会议中心" not in chengdu.details.sites  # the stops are Shenzhen's


# --- leader before the verb, after it, several, none ---------------------------------------------


def test_leader_before_the_verb(tagger: Tagger) -> None:
    v = one(
        tagger, "5日，烟台市委副书记、市长郑德雁率队赴深圳开展招商引资活动。", date(2024, 12, 8)
    )
    assert v.to_dict()["leader"] == {"name": "郑德雁", "title": "市委副书记、市长"}
    v = one(tagger, "青岛市委书记陆治原一行赴淄博考察学习。")
    assert name(v.details.leader) == "陆治原"


def test_leader_after_the_verb_or_around_the_delegation(tagger: Tagger) -> None:
    v = one(tagger, "深圳市党政代表团在市委书记孟凡利的带领下赴青岛考察学习。")
    assert v.details.leader == Official("孟凡利", "市委书记")
    v = one(tagger, "由市委书记王清宪带队的青岛市党政代表团赴上海学习考察营商环境。")
    assert name(v.details.leader) == "王清宪"
    v = one(tagger, "以市委常委、秘书长刘东为团长的泉州市考察团一行来厦考察。")
    assert v.details.leader == Official("刘东", "市委常委、秘书长")


def test_several_leaders(tagger: Tagger) -> None:
    v = one(tagger, "成都市委书记施小琳、市长王凤朝率领成都市党政代表团赴重庆考察。")
    assert name(v.details.leader) == "施小琳"
    assert [o.to_dict() for o in v.details.co_leaders] == [{"name": "王凤朝", "title": "市长"}]
    assert v.to_dict()["co_leaders"] == [{"name": "王凤朝", "title": "市长"}]


def test_no_leader_and_title_only(tagger: Tagger) -> None:
    v = one(tagger, "日前，杭州市党政代表团赴沪考察，学习上海推进城市数字化转型经验。")
    assert v.details.leader is None and v.to_dict()["leader"] is None
    v = one(tagger, "吉林市市长率吉林市代表团赴长春，与长春新区对接汽车产业协作项目。")
    assert v.details.leader == Official(None, "市长")


def test_host_officials_are_not_leaders(tagger: Tagger) -> None:
    v = one(
        tagger,
        "11月2日，成都市副市长刘玉泉率成都市代表团来青考察，市长赵豪志会见代表团一行，"
        "市委常委、秘书长张三参加会见。",
    )
    assert name(v.details.leader) == "刘玉泉"
    assert [o.name for o in v.details.host_officials] == ["赵豪志", "张三"]
    v = one(tagger, "杭州市党政代表团赴上海考察，在上海市副市长华源陪同下参观了张江科学城。")
    assert v.details.host_officials == (Official("华源", "副市长"),)
    assert v.details.leader is None
    v = one(tagger, "泉州市考察团来厦考察，我市副市长黄晓舟陪同。")
    assert v.details.host_officials == (Official("黄晓舟", "副市长"),)


def test_officials_need_a_surname_and_a_name_end() -> None:
    text = "市长期关注民生，书记处工作，市委书记王伟中在会上讲话。"
    assert [o.name for o in find_officials(text, 0, len(text))] == ["王伟中"]


# --- dates -------------------------------------------------------------------------------------


def test_date_ranges() -> None:
    assert visit_dates("12月5日至6日，青岛市党政代表团赴上海", date(2024, 12, 8)) == (
        "2024-12-05",
        "2024-12-06",
    )
    assert visit_dates("2023年6月28日—7月1日，代表团赴深圳", None) == ("2023-06-28", "2023-07-01")
    assert visit_dates("5日至7日，代表团赴深圳", date(2024, 3, 9)) == ("2024-03-05", "2024-03-07")


def test_month_day_takes_the_year_from_the_article() -> None:
    assert visit_dates("5月11日傍晚，代表团来到深圳", date(2021, 5, 12)) == (S, S)
    assert visit_dates("5月11日，代表团来到深圳", None) == (None, None)
    assert visit_dates("5日，代表团赴深圳", date(2024, 12, 8)) == ("2024-12-05", "2024-12-05")
    assert visit_dates("28日，代表团赴深圳", date(2024, 12, 3)) == ("2024-11-28", "2024-11-28")
    assert visit_dates("2024年3月，代表团赴上海", date(2024, 4, 1)) == ("2024-03", "2024-03")


def test_dates_across_the_year_end(tagger: Tagger) -> None:
    assert visit_dates("12月30日，代表团赴深圳", date(2022, 1, 2)) == ("2021-12-30", "2021-12-30")
    assert visit_dates("12月30日至1月2日，代表团赴宁波", date(2025, 1, 3)) == (
        "2024-12-30",
        "2025-01-02",
    )
    v = one(tagger, "12月30日至1月2日，温州市党政代表团赴宁波考察。", date(2025, 1, 3))
    assert (v.date, v.to_dict()["date_start"], v.to_dict()["date_end"]) == (
        date(2024, 12, 30),
        "2024-12-30",
        "2025-01-02",
    )


def test_recent_gives_no_date() -> None:
    assert visit_dates("近日，代表团赴深圳", date(2024, 3, 9)) == (None, None)
    assert visit_dates("日前，代表团赴深圳", date(2024, 3, 9)) == (None, None)
    assert visit_dates("昨天，代表团赴深圳", date(2024, 3, 9)) == ("2024-03-08", "2024-03-08")


# --- purpose and sites ---------------------------------------------------------------------------


def test_purpose_and_sites(tagger: Tagger) -> None:
    v = one(
        tagger,
        "烟台市委副书记、市长郑德雁率队赴深圳开展招商引资活动，先后考察了华为技术有限公司、"
        "比亚迪股份有限公司和深圳湾科技生态园。",
    )
    assert v.details.purpose == "开展招商引资活动"
    assert v.details.sites == ("华为技术有限公司", "比亚迪股份有限公司", "深圳湾科技生态园")
    v = one(tagger, "2024年3月，遵义市委书记率遵义市党政代表团赴上海对接东西部协作。")
    assert v.details.purpose == "对接东西部协作"
    v = one(tagger, "温州市党政考察团一行来甬考察学习，实地参观了前湾新区和梅山保税港区。")
    assert v.details.purpose == "考察学习"
    assert v.details.sites == ("前湾新区", "梅山保税港区")


def test_visit_dict_has_every_field() -> None:
    visit = Visit("青岛", "深圳", date(2021, 5, 11), "青岛市党政代表团来到深圳考察。")
    d = visit.to_dict()
    assert d["date"] == d["date_start"] == d["date_end"] == "2021-05-11"
    assert d["leader"] is None and d["co_leaders"] == [] and d["host_officials"] == []
    assert d["purpose"] is None and d["sites"] == []


def test_visits_command_columns() -> None:
    from crawler.app.commands.data import _leader, _visit_dates

    details = {
        "date_start": "2024-12-30",
        "date_end": "2025-01-02",
        "leader": {"name": "施小琳", "title": "市委书记"},
        "co_leaders": [{"name": "王凤朝", "title": "市长"}],
    }
    assert _visit_dates("2024-12-30", details) == "2024-12-30 – 2025-01-02"
    assert _visit_dates("2021-05-11", {}) == "2021-05-11"  # stored before details existed
    assert _leader(details) == "市委书记 施小琳；市长 王凤朝"
    assert _leader({"leader": {"name": None, "title": "市委书记"}}) == "市委书记"
    assert _leader({}) == ""


# --- forms from city-government news (bench/data/visits-dev) -------------------------------------


def test_name_before_the_title(tagger: Tagger) -> None:
    v = one(
        tagger, "4月11日，副市长廉茹艳带领市教育局相关负责同志，赴邢台市学习考察。", home="秦皇岛"
    )
    assert v.details.leader == Official("廉茹艳", "副市长")
    v = one(tagger, "5月21日-22日，胡晓刚副市长带队赴晋城市考察学习开发区建设。", home="临汾")
    assert v.details.leader == Official("胡晓刚", "副市长")
    # an organ is not a name: 党委书记 stays a title
    v = one(tagger, "广西壮族自治区党委书记率广西党政代表团赴广东学习考察。")
    assert v.details.leader == Official(None, "党委书记")


def test_names_without_a_common_surname(tagger: Tagger) -> None:
    v = one(
        tagger,
        "日前，市委书记乌拉孜别克·热苏力汗，市委副书记、市长王华杰率海东市党政代表团赴无锡市学习考察。",
    )
    assert name(v.details.leader) == "乌拉孜别克·热苏力汗"
    assert [o.name for o in v.details.co_leaders] == ["王华杰"]
    v = one(tagger, "那曲市委书记松吉扎西一行赴温州考察。")
    assert name(v.details.leader) == "松吉扎西"


def test_leader_of_a_group_made_of_officials(tagger: Tagger) -> None:
    v = one(
        tagger,
        "2016年1月19日至22日，由盐城市审计局副局长刘秋凤、副调研员蔡青林组成的学习考察组赴南通考察学习。",
        date(2016, 1, 29),
    )
    assert v.details.leader == Official("刘秋凤", "审计局副局长")
    assert (v.details.date_start, v.details.date_end) == ("2016-01-19", "2016-01-22")


def test_the_lead_dates_a_visit_told_in_the_title(tagger: Tagger) -> None:
    v = one(
        tagger,
        "12月10日至11日，市党政代表团赴湖南省长沙市学习考察文旅产业。",
        date(2023, 12, 12),
        title="市党政代表团赴湖南长沙学习考察",
        home="景德镇",
    )
    assert (v.details.date_start, v.details.date_end) == ("2023-12-10", "2023-12-11")


# --- several heads under one title lead together, the first named heads -------------------


@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        ("6月3日，宜兴市政协副主席黄立新、周国平带领政协委员来我市考察。", ["黄立新", "周国平"]),
        (
            "5月12日，溧阳市审计局副局长陈海东和党组成员、总审计师吴卫带领相关人员赴常州考察。",
            ["陈海东", "吴卫"],
        ),
        ("昨日，海安县人大常委会副主任许明、李建和王强率队到我县考察。", ["许明", "李建", "王强"]),
    ],
    ids=["顿号", "和-two-titles", "three-names"],
)
def test_co_heads_before_a_leading_verb(sentence: str, names: list[str]) -> None:
    found = [o.name for o in find_officials(sentence, 0, len(sentence))]
    assert found == names


def test_co_heads_lead_the_visit(tagger: Tagger) -> None:
    tags = tagger.tag(
        "宜兴市政协来我市考察",
        "6月3日，宜兴市政协副主席黄立新、周国平带领政协委员来我市考察乡村振兴工作。",
        home="湖州",
    )
    (visit,) = tags.visits
    assert (visit.visitor, visit.host) == ("无锡", "湖州")
    assert visit.details.leader is not None and visit.details.leader.name == "黄立新"
    assert [o.name for o in visit.details.co_leaders] == ["周国平"]


@pytest.mark.parametrize(
    "sentence",
    [
        "市长张伟和李明会见了代表团一行。",  # no leading verb after the second name
        "副市长王刚、市政府秘书长赵磊陪同考察。",  # each has its own title: nothing added
    ],
)
def test_no_partner_without_a_leading_verb(sentence: str) -> None:
    found = find_officials(sentence, 0, len(sentence))
    assert "李明" not in [o.name for o in found]
    assert len({o.title for o in found if o.name}) == len([o for o in found if o.name])


# --- a head named before the title (向…主任一行介绍) ---------------------------------------


def test_head_named_before_the_title() -> None:
    sentence = "沈晓华副主任接待来访领导，向贲黄文主任一行介绍了并联审批等工作。"
    found = find_officials(sentence, 0, len(sentence))
    assert [(o.name, o.title) for o in found][-1] == ("贲黄文", "主任")
    assert find_officials("向市长汇报了工作。", 0, 9) == []
    sentence = "向阳区区长张伟率队赴佳木斯考察。"  # 向阳区 is a district, not 向 + 阳区
    assert [(o.name, o.title) for o in find_officials(sentence, 0, len(sentence))] == [
        ("张伟", "向阳区区长")
    ]


# --- Tibetan names have no surname ----------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("5月8日，拉萨市教育局党组副书记、局长、二级巡视员普琼带队前往常州考察。", "普琼"),
        ("日喀则市副市长次仁多吉一行来我市考察。", "次仁多吉"),
        ("山南市商务局局长扎西率队赴成都考察。", "扎西"),
    ],
)
def test_tibetan_name_after_a_title(sentence: str, name: str) -> None:
    assert next(o.name for o in find_officials(sentence, 0, len(sentence))) == name


@pytest.mark.parametrize(
    "sentence",
    ["副局长亲自带队赴上海考察。", "市长江文孙颖带队赴上海考察。"],
)
def test_no_tibetan_name_from_ordinary_words(sentence: str) -> None:
    names = [o.name for o in find_officials(sentence, 0, len(sentence))]
    assert "亲自" not in names and "江文孙颖" not in names


# --- leaders: 携, 等有关领导, the guest's head after a host's 会见, Tibetan names, ---------
# --- a name between a body and its title ---------------------------------------------------


def _leader(tagger: Tagger, title: str, text: str, home: str) -> str | None:
    tags = tagger.tag(title, text, home=home)
    assert tags.visits, "no visit found"
    leader = tags.visits[0].details.leader
    return leader.name if leader else None


@pytest.mark.parametrize(
    ("title", "text", "home", "name"),
    [
        (
            "如皋市人大来邮调研",
            "3月20日下午，如皋市人大常委会副主任陈建国携市人大农工委一行来我市考察学习。",
            "扬州",
            "陈建国",
        ),
        (
            "萧县考察团到我市考察学习",
            "5月8日，安徽省萧县县委宣传部副部长、县城管局局长刘冬梅等有关领导到我市考察学习。",
            "秦皇岛",
            "刘冬梅",
        ),
        (
            "省领导会见新疆党政代表团",
            "6日，省委书记李某某、省长赵某某在南昌会见了新疆维吾尔自治区政协主席"
            "阿不都·热合曼率领的代表团一行。",
            "南昌",
            "阿不都·热合曼",
        ),
        (
            "西藏自治区党政代表团到重庆考察",
            "1月2日，自治区人大常委会主任洛桑江村率西藏自治区党政代表团到重庆市回访考察学习。",
            "拉萨",
            "洛桑江村",
        ),
        (
            "扬州市食药监局到海东考察",
            "7月15日，扬州市食药监局平志明局长一行9人到海东考察学习。",
            "海东",
            "平志明",
        ),
        (
            "",
            "23日，广东省乳源瑶族自治县人大常委会主任张军，副主任禤继文、吴衍雄带队来邮，考察学习我市乡村振兴工作。",
            "扬州",
            "张军",
        ),
        (
            "",
            "市农业农村局姚静总畜牧兽医师带队赴南通考察学习畜牧业生产。",
            "泰州",
            "姚静",
        ),
        (
            "",
            "高碑店市委书记邱强、市长安熠辉分别带队组团赴浙江、河南和广东，实地考察和对接企业。",
            "保定",
            "邱强",
        ),
        (
            "",
            "10月29日，市委书记陈振亮，市委副书记、市长高键与来朔考察的甘肃省临夏州委书记郭鹤立"
            "带队的考察团一行就脱贫攻坚等工作进行座谈。",
            "朔州",
            "郭鹤立",
        ),
        (
            "",
            "11月21日，我市党政代表团结束在南昌的学习考察行程后，市委书记王少玄紧接着在南昌主持"
            "召开小结座谈会。",
            "吉安",
            "王少玄",
        ),
        (
            "",
            "3月10日，市委书记姜四清在北京集创北方科技股份有限公司、中石化石油化工科学研究院考察。",
            "朔州",
            "姜四清",
        ),
        (
            "贵阳贵安代表团在青岛市青岛西海岸新区学习考察",
            "青岛市是我国沿海重要中心城市。来到青岛西海岸新区城市之窗，胡忠雄一行认真听取新区规划、"
            "建设、发展情况介绍。",
            "青岛",
            "胡忠雄",
        ),
        (
            "",
            "3月11日-14日，抚州市科技局邹郁纪检组长率市地震办等单位负责地震工作的同志赴赣州考察学习。",
            "抚州",
            "邹郁",
        ),
        (
            "",
            "4月19日-21日，吕梁市市场监管局刘泉平二级调研员带队赴晋中市、太原市考察学习。",
            "吕梁",
            "刘泉平",
        ),
        (
            "",
            "月31日，以新疆农机局木合塔尔﹒艾沙局长带队的考察团一行17人来我市考察农机化工作。",
            "镇江",
            "木合塔尔﹒艾沙",
        ),
        (
            "",
            "8月23日到29日，市政协主席操学诚、副主席李军分别带队赴武汉、合肥、芜湖考察学习都市圈建设。",
            "黄冈",
            "操学诚",
        ),
        (
            "",
            "3月11日至15日，市委统战部副部长、市民宗局长梁超伟，市民宗局副局长谭三国、余建明，进贤县委"
            "副书记李林等同志，带领我市民族部门赴浙江丽水考察学习。",
            "九江",
            "梁超伟",
        ),
        (
            "",
            "29日-30日，九江市文广新局、财政局、九江部分县市文化部门负责人组成的一行11人考察组在文广新局"
            "党委书记石峰带领下来我市学习考察。",
            "景德镇",
            "石峰",
        ),
        (
            "",
            "3月14日，南通市统计局许德华总统计师一行来我局考察学习高质量发展监测、综合统计工作。",
            "南京",
            "许德华",
        ),
    ],
    ids=[
        "携",
        "等有关领导",
        "会见-率领的",
        "tibetan-村",
        "body-name-title",
        "heads-listed-rare-surname",
        "body-name-then-title",
        "分别带队",
        "hosts-with-the-guests-head",
        "secretary-紧接着",
        "stay-at-two-sites",
        "name-一行-in-the-lead",
        "name-inside-the-title",
        "name-inside-the-title-rank",
        "dotted-name-inside-the-title",
        "rare-surname-分别带队",
        "untitled-names-in-the-list",
        "no-name-from-组成的",
        "name-then-post-before-一行",
    ],
)
def test_leader_forms(tagger: Tagger, title: str, text: str, home: str, name: str) -> None:
    assert _leader(tagger, title, text, home) == name


def test_the_host_who_receives_is_not_the_leader(tagger: Tagger) -> None:
    text = (
        "其间，福建省委书记、省人大常委会主任王某某亲切会见了江西省委副书记、"
        "赣州市委书记吴某某率领的党政考察团一行。"
    )
    found = find_officials(text, 0, len(text))
    assert [o.name for o in found] == ["王某某", "吴某某"]
    assert _leader(tagger, "赣州市党政考察团在福州学习考察", text, "赣州") == "吴某某"


@pytest.mark.parametrize(
    ("title", "text", "home"),
    [
        # 携手: together, not leading
        ("两市携手推进合作", "3月2日，如皋市副市长陈建国携手我市有关部门来我市考察。", "扬州"),
        # 等领导赴 (no 有关/相关): not stated as the head
        ("市领导赴广东学习考察", "市委书记杨某等领导赴广东省深圳市进行学习考察。", "承德"),
    ],
)
def test_no_leader_from_weaker_forms(tagger: Tagger, title: str, text: str, home: str) -> None:
    assert _leader(tagger, title, text, home) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [("洛桑江村", True), ("次仁多吉", True), ("江村", True), ("李家村", False), ("某某村", False)],
)
def test_tibetan_names_ending_in_a_village_word(name: str, expected: bool) -> None:
    assert is_name(name) is expected


# --- names as a Simplified article writes them (folding reads 乾 as 干, 昇 as 升) -------------


@pytest.mark.parametrize(
    ("body", "leader"),
    [
        ("近日，副市长王乾带队赴杭州考察数字经济，参观了多家企业。", "王乾"),
        ("5月8日，市委副书记宋昇华率我市党政代表团赴苏州考察学习开发区建设经验。", "宋昇华"),
        ("近日，副市长陈乾明带队赴无锡考察集成电路产业，参观了多家企业。", "陈乾明"),
    ],
)
def test_leader_names_keep_their_written_characters(tagger: Tagger, body: str, leader: str) -> None:
    assert first_leader(tagger, "我市代表团赴外地考察学习", body, "南通") == leader


def test_a_traditional_article_keeps_folded_names(tagger: Tagger) -> None:
    body = "近日，副市長陳乾明帶隊赴無錫考察集成電路產業，參觀了多家企業，並與當地部門座談交流。"
    assert first_leader(tagger, "我市代表團赴無錫考察", body, "南通") == "陈干明"
