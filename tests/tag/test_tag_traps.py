"""One test per precision trap and visit frame named in issue 4."""

from __future__ import annotations

import pytest

from crawler.base.taxonomy import Aliases, Taxonomy, default_taxonomy
from crawler.tag import Tagger
from tests.tag import pairs

# --- places -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "county_city"),
    [
        ("自治区自然资源厅要求各市加大资源保护力度，优化资源配置。", "桂林"),  # 资源县
        ("比如，我们可以进一步扩大合作，打通物流通道，兴业富民。", "那曲"),  # 比如县
        ("两地将深化合作，共建合作平台。", "甘南"),  # 合作市
        ("新开通一条海运通道，打造开放通道。", "怀化"),  # 通道侗族自治县
        ("兴业银行发布年报，兴业证券同步公告。", "玉林"),  # 兴业县
    ],
    ids=["资源", "比如", "合作", "通道", "兴业"],
)
def test_county_names_that_are_common_words(tagger: Tagger, text: str, county_city: str) -> None:
    tags = tagger.tag("广西西藏甘肃湖南新闻", text)
    assert county_city not in tags.cities


def test_common_word_county_counts_with_its_suffix(tagger: Tagger) -> None:
    tags = tagger.tag("资源县发展乡村旅游", "广西桂林市资源县依托资江发展乡村旅游。")
    assert tags.cities == ("桂林",)
    assert tagger.tag("比如县开展宣传", "西藏比如县开展生态保护宣传。").cities == ("那曲",)


def test_jinping_inside_fund_average(tagger: Tagger) -> None:
    tags = tagger.tag(
        "基金收益率回升", "云南地区股票型基金平均收益率为3.2%，红河州基金平均规模扩大。"
    )
    assert "汕头" not in tags.cities  # 金平区
    assert tags.cities == ("红河",)  # only the 红河州 mention


def test_bama_inside_obama(tagger: Tagger) -> None:
    tags = tagger.tag("奥巴马访问广西", "美国前总统奥巴马在广西河池参观。")
    assert tags.cities == ("河池",)  # not 巴马瑶族自治县 from 奥巴马
    assert tagger.tag("奥巴马出席论坛", "奥巴马在芝加哥发表演讲。").cities == ()


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        ("青岛中山路街区改造", "青岛市中山路历史街区城市更新项目启动。", ("青岛",)),
        ("南京路步行街客流高峰", "上海南京路步行街日均客流超过50万人次。", ("上海",)),
        ("孙中山故居纪念馆推出新展", "孙中山故居纪念馆推出辛亥革命主题展览。", ()),
        ("上合组织论坛", "上海合作组织经贸论坛在青岛举办。", ("青岛",)),
    ],
    ids=["中山路", "南京路", "孙中山", "上海合作组织"],
)
def test_streets_and_people_names(
    tagger: Tagger, title: str, body: str, expected: tuple[str, ...]
) -> None:
    assert tagger.tag(title, body).cities == expected


def test_roadshow_is_not_a_street(tagger: Tagger) -> None:
    assert tagger.tag("青岛路演活动举行", "项目路演吸引投资机构。").cities == ("青岛",)


def test_jilin_province_versus_jilin_city(tagger: Tagger) -> None:
    province = tagger.tag("吉林省出台措施", "吉林省人民政府办公厅印发若干措施。")
    assert province.provinces == ("吉林",) and province.cities == ()
    city = tagger.tag("吉林市代表团赴长春", "吉林市市长率吉林市代表团赴长春对接项目。")
    assert city.cities == ("吉林", "长春") and city.provinces == ()
    assert pairs(city) == {("吉林", "长春")}


def test_county_short_names_need_their_city_or_province_nearby(tagger: Tagger) -> None:
    alone = tagger.tag("崂山风景区迎客", "崂山风景区今天接待游客两万人次。")
    assert alone.cities == ()
    with_city = tagger.tag("青岛崂山风景区迎客", "青岛崂山风景区今天接待游客两万人次。")
    assert with_city.cities == ("青岛",)
    by_publisher = tagger.tag("崂山风景区迎客", "崂山风景区今天接待游客。", publisher_city="青岛")
    assert by_publisher.cities == ("青岛",)


def test_homonym_districts_resolve_by_context(tagger: Tagger) -> None:
    assert tagger.tag("鼓楼区召开会议", "鼓楼区召开会议。").cities == ()
    assert tagger.tag("福州鼓楼区召开会议", "福州市鼓楼区召开会议。").cities == ("福州",)
    assert tagger.tag("南京鼓楼区召开会议", "南京市鼓楼区召开会议。").cities == ("南京",)


def test_city_that_is_a_common_word_needs_context(tagger: Tagger) -> None:
    assert tagger.tag("数字经济成为朝阳产业", "数字经济已成为朝阳产业。").cities == ()
    assert tagger.tag("健康安康", "祝大家新春快乐、幸福安康。").cities == ()
    assert tagger.tag("沈大同城化", "推进沈大同城化发展。").cities == ()
    assert tagger.tag("陕西安康市发展富硒产业", "安康市推进富硒产业。").cities == ("安康",)


def test_county_level_city_inside_a_word(tagger: Tagger) -> None:
    tags = tagger.tag("前海城市功能", "前海国际会议中心服务前海城市功能，监测多项城市指标。")
    assert tags.cities == ()  # 海城市 (鞍山), 项城市 (周口)


def test_nicknames(tagger: Tagger) -> None:
    assert tagger.tag("鹏城再添新地标", "鹏城天际线再添新地标。").cities == ("深圳",)
    assert tagger.tag("岛城新增高企", "岛城新增高新技术企业。").cities == ("青岛",)
    # A nickname several places use counts only when the city is also named.
    assert tagger.tag("山城雾气", "山城的雾气很美。").cities == ()
    assert tagger.tag("山城重庆", "山城重庆夜景迷人。").cities == ("重庆",)


@pytest.mark.parametrize(
    ("text", "publisher", "pair"),
    [
        ("成都市代表团来青考察，双方签署协议。", "青岛", ("成都", "青岛")),
        ("杭州市党政代表团赴沪考察学习。", None, ("杭州", "上海")),
        ("香港特区政府代表团昨日抵穗，开始访问。", None, ("香港", "广州")),
        ("贵州省党政代表团在渝期间考察了两江新区。", None, ("贵州", "重庆")),
        ("青岛市党政代表团赴深考察学习。", None, ("青岛", "深圳")),
    ],
    ids=["来青", "赴沪", "抵穗", "在渝期间", "赴深"],
)
def test_one_character_abbreviations_in_visit_frames(
    tagger: Tagger, text: str, publisher: str | None, pair: tuple[str, str]
) -> None:
    tags = tagger.tag("", text, publisher_city=publisher)
    assert pair in pairs(tags)
    assert pair[1] in tags.cities or pair[1] in tags.provinces


@pytest.mark.parametrize(
    "text",
    [
        "沪指今日上涨1.2%，深成指下跌。",
        "未来青年人才将成为主力，带来青春活力。",
        "会议在京召开，在沪举行分会。",
        "今年已有5家企业赴港上市。",
    ],
    ids=["沪指", "未来青年", "在京召开", "赴港上市"],
)
def test_one_character_abbreviations_outside_frames_are_not_places(
    tagger: Tagger, text: str
) -> None:
    tags = tagger.tag("", text)
    assert tags.cities == () and tags.visits == ()


def test_ambiguous_abbreviation_resolved_by_publisher_or_left_out(tagger: Tagger) -> None:
    text = "合肥市党政代表团来宁考察，双方签署合作协议。"
    assert pairs(tagger.tag("", text, publisher_city="南京")) == {("合肥", "南京")}
    assert pairs(tagger.tag("", text, publisher_city="宁波")) == {("合肥", "宁波")}
    assert pairs(tagger.tag("", text, publisher_city="青岛")) == set()
    assert pairs(tagger.tag("", text)) == set()


def test_traditional_text_is_folded_and_evidence_kept(tagger: Tagger) -> None:
    tags = tagger.tag("", "廣州市代表團昨日抵港，展開為期三天的訪問。")
    assert pairs(tags) == {("广州", "香港")}
    assert tags.visits[0].evidence == "廣州市代表團昨日抵港，展開為期三天的訪問。"


# --- visit frames ---------------------------------------------------------------------------


def test_delegation_goes_to_host_to_study(tagger: Tagger) -> None:
    tags = tagger.tag("", "青岛市党政考察团到深圳考察学习。")
    assert pairs(tags) == {("青岛", "深圳")}
    tags = tagger.tag("", "长沙市党政代表团抵达武汉，开始为期两天的考察。")
    assert pairs(tags) == {("长沙", "武汉")}


def test_leader_leads_delegation(tagger: Tagger) -> None:
    tags = tagger.tag("", "郑州市委书记率郑州市党政代表团赴武汉考察学习。")
    assert pairs(tags) == {("郑州", "武汉")}
    own = tagger.tag("", "市委书记率队赴深圳开展招商引资活动。", publisher_city="烟台")
    assert pairs(own) == {("烟台", "深圳")}
    assert "烟台" in own.cities


def test_reception_by_host(tagger: Tagger) -> None:
    tags = tagger.tag("", "深圳市委书记在市民中心会见了青岛市党政代表团一行。")
    assert pairs(tags) == {("青岛", "深圳")}
    tags = tagger.tag("", "我市接待了西安市党政考察团一行。", publisher_city="青岛")
    assert pairs(tags) == {("西安", "青岛")}
    tags = tagger.tag("", "市委书记会见了前来考察的常州市党政代表团。", publisher_city="无锡")
    assert pairs(tags) == {("常州", "无锡")}


def test_reception_of_a_delegation_that_came_by_abbreviation(tagger: Tagger) -> None:
    tags = tagger.tag("", "深圳市领导会见了来深考察的青岛市党政代表团一行。")
    assert pairs(tags) == {("青岛", "深圳")}


def test_several_hosts_in_one_frame(tagger: Tagger) -> None:
    tags = tagger.tag("", "青岛市党政代表团赴苏州、无锡考察学习。")
    assert pairs(tags) == {("青岛", "苏州"), ("青岛", "无锡")}
    tags = tagger.tag("", "青岛市代表团先后赴杭州、宁波和温州三地考察。")
    assert pairs(tags) == {("青岛", "杭州"), ("青岛", "宁波"), ("青岛", "温州")}


def test_provincial_delegation(tagger: Tagger) -> None:
    tags = tagger.tag("广西党政代表团赴广东学习考察", "广西党政代表团赴广东学习考察。")
    assert pairs(tags) == {("广西", "广东")}
    assert tags.provinces == ("广西", "广东")
    # a province's delegation to a province: the province pair; the cities on the way are places
    tags = tagger.tag("", "山东省党政代表团赴江苏学习考察，先后到南京、苏州等地学习。")
    assert pairs(tags) == {("山东", "江苏")}
    assert {"南京", "苏州"} <= set(tags.cities)
    # a province's delegation to named cities: province -> city pairs
    tags = tagger.tag("", "浙江省党政代表团赴四川成都、重庆考察学习。")
    assert pairs(tags) == {("浙江", "成都"), ("浙江", "重庆")}


def test_city_delegation_to_a_province_named_city_by_city(tagger: Tagger) -> None:
    """The headline's province is the summary of the cities the text names (visits-dev vd080)."""
    tags = tagger.tag(
        "吕梁市党政代表团赴浙江江苏学习考察",
        "5月21日至25日，市委书记李正印率吕梁市党政代表团赴浙江绍兴、杭州和江苏苏州、南京，"
        "就枫桥经验、生态文明建设、电子商务和大数据产业发展等进行学习考察。",
    )
    assert pairs(tags) == {("吕梁", "绍兴"), ("吕梁", "杭州"), ("吕梁", "苏州"), ("吕梁", "南京")}
    tags = tagger.tag(
        "哈密市宣传文化系统组团赴河南省学习考察",
        "哈密市委常委率哈密市宣传文化系统领导干部赴河南省学习考察。考察团先后赴洛阳市、许昌市、"
        "郑州市深入了解文旅文创融合发展。",
    )
    assert pairs(tags) == {("哈密", "洛阳"), ("哈密", "许昌"), ("哈密", "郑州")}
    # a province named alone stays the host
    tags = tagger.tag("", "平凉市党政代表团赴安徽等地开展考察学习和招商活动。")
    assert pairs(tags) == {("平凉", "安徽")}


def test_finished_a_stop_before_the_next(tagger: Tagger) -> None:
    tags = tagger.tag("", "结束对成都的考察后，青岛市党政考察团又来到深圳市考察学习。")
    assert pairs(tags) == {("青岛", "成都"), ("青岛", "深圳")}


def test_announcement_of_departure_is_the_same_trip(tagger: Tagger) -> None:
    tags = tagger.tag(
        "我市党政代表团启程赴深圳学习考察",
        "我市党政代表团启程赴深圳学习考察。代表团抵达深圳后，考察了前海。",
        publisher_city="青岛",
    )
    assert pairs(tags) == {("青岛", "深圳")}  # one visit, not two


def test_not_a_visit_tourists(tagger: Tagger) -> None:
    tags = tagger.tag("游客赴深圳旅游热度上涨", "国庆假期，大批游客赴深圳旅游。")
    assert pairs(tags) == set() and tags.kind == "other"
    assert pairs(tagger.tag("", "不少成都市民赴重庆旅游。")) == set()


def test_not_a_visit_online_signing(tagger: Tagger) -> None:
    tags = tagger.tag(
        "", "青岛市与成都市通过视频连线方式举行项目云签约仪式，成都市代表团在线参加。"
    )
    assert pairs(tags) == set()


def test_not_a_visit_official_touring_own_city_or_province(tagger: Tagger) -> None:
    own_city = tagger.tag("", "市委书记到崂山区调研科技创新工作。", publisher_city="青岛")
    assert pairs(own_city) == set()
    named = tagger.tag("", "青岛市委书记到崂山区调研。")
    assert pairs(named) == set()
    province = tagger.tag("", "山东省委书记到青岛调研，察看重点项目。")
    assert pairs(province) == set()


@pytest.mark.parametrize(
    "text",
    [
        "青岛先后派出6批干部赴深圳体悟实训，学习深圳经验。",
        "青岛市选派30名干部赴上海挂职锻炼，学习先进理念。",
        "多年来，青岛市先后选派多名优秀干部人才赴安顺市工作，对口帮扶取得成效。",
        "青岛市选派20名骨干教师到日喀则市支教，为期一年。",
        "青岛市卫健委选派医生赴陇南市支医。",
        "青岛市3名干部赴菏泽市任职，开展东西部协作。",
    ],
    ids=["体悟实训", "挂职", "工作", "支教", "支医", "任职"],
)
def test_not_a_visit_secondment(tagger: Tagger, text: str) -> None:
    assert pairs(tagger.tag("", text)) == set()


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        ("青岛市党政代表团赴安顺市考察，对接协作工作。", ("青岛", "安顺")),
        ("青岛市长率团赴日喀则市工作调研，看望援藏干部。", ("青岛", "日喀则")),
        ("青岛市代表团赴菏泽市开展对口协作工作。", ("青岛", "菏泽")),
    ],
)
def test_a_trip_that_speaks_of_work_stays_a_visit(
    tagger: Tagger, text: str, pair: tuple[str, str]
) -> None:
    assert pair in pairs(tagger.tag("", text))


def test_not_a_visit_city_mentioned_twice(tagger: Tagger) -> None:
    assert pairs(tagger.tag("", "青岛市党政代表团在青岛考察调研。")) == set()


def test_meeting_alone_gives_no_direction(tagger: Tagger) -> None:
    tags = tagger.tag("", "青岛、深圳两地举行金融科技合作座谈会，交流经验。")
    assert pairs(tags) == set()


def test_visit_date_from_published_year(tagger: Tagger) -> None:
    from datetime import date

    tags = tagger.tag("", "12月30日，青岛市党政代表团赴深圳考察。", published=date(2022, 1, 2))
    assert tags.visits[0].date == date(2021, 12, 30)
    tags = tagger.tag("", "昨天，青岛市党政代表团赴深圳考察。", published=date(2022, 1, 2))
    assert tags.visits[0].date == date(2022, 1, 1)


# --- operator aliases -------------------------------------------------------------------------


def test_operator_aliases_extend_the_gazetteer() -> None:
    taxonomy = Taxonomy(
        themes=default_taxonomy().themes,
        aliases=Aliases(
            cities={"青岛": ("琴岛新城",)},
            abbreviations={"温州": ("温",)},
            not_places=("青岛啤酒",),
        ),
    )
    tagger = Tagger(taxonomy)
    assert tagger.tag("琴岛新城发布", "").cities == ("青岛",)
    assert pairs(tagger.tag("", "宁波市代表团来温考察学习。")) == {("宁波", "温州")}
    assert tagger.tag("青岛啤酒发布年报", "青岛啤酒营收增长。").cities == ()
