"""A place's name inside the name of something else is no place of the story (issue 19, the
eighth to fourteenth batches of the visits dev set): a museum, a cemetery, a paper, a company (its
place in full- or half-width brackets too), a school, an institution, a chamber of commerce, a
product brand, a branded centre, a village, a temple or a pagoda, an alliance, a short coined term
in quotes. The place named apart, with its suffix, in a visit frame, or explained in brackets
after it stays. Sentences written for these tests, shaped like city news."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger
from tests.tag import pairs

# --- a place inside the name of a museum, a cemetery, a paper, a company -------------------


@pytest.mark.parametrize(
    ("text", "city"),
    [
        ("市委书记在保定宴饮食博物馆听取设计思路介绍。", "保定"),
        ("考察团参观了晋冀鲁豫烈士陵园，民政局及湖南革命陵园管理处派员陪同。", "湖南"),
        ("图为活动现场。绵阳日报记者王强摄。", "绵阳"),
        ("李旭同志在政府二楼会见吉林电力股份有限公司长春热电公司领导。", "长春"),
    ],
    ids=["museum", "cemetery", "paper", "company"],
)
def test_place_in_an_institution_name(tagger: Tagger, text: str, city: str) -> None:
    tags = tagger.tag("工作动态", text)
    assert city not in tags.cities and city not in tags.provinces


@pytest.mark.parametrize(
    ("title", "body", "home", "expected"),
    [
        (  # a party going to a memorial goes to its place
            "我市干部赴延安学习",
            "9月5日，我市组织党员干部赴延安革命纪念馆参观学习。",
            "榆林",
            {("榆林", "延安")},
        ),
        (  # and to a company's
            "考察团赴深圳",
            "考察团一行前往深圳市华强电子有限公司考察。",
            "赣州",
            {("赣州", "深圳")},
        ),
        (  # a province's cemetery in the party is no second visitor
            "长沙市到我市考察学习光荣院建设",
            "长沙市、浏阳市民政局及湖南革命陵园管理处一行9人，到我市考察学习光荣院建设工作。",
            "邯郸",
            {("长沙", "邯郸")},
        ),
    ],
    ids=["memorial", "company", "cemetery"],
)
def test_institutions_in_visit_frames(
    tagger: Tagger, title: str, body: str, home: str, expected: set[tuple[str, str]]
) -> None:
    assert pairs(tagger.tag(title, body, home=home)) == expected


# --- a village named like a city ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "随后来到萧山区横一村、佛山村考察乡村治理。",
        "代表团走访了长沙村和郴州村两个行政村。",
    ],
)
def test_village_named_like_a_city(tagger: Tagger, text: str) -> None:
    tags = tagger.tag("乡村振兴考察", text)
    assert not set(tags.cities) & {"佛山", "长沙", "郴州"}


def test_city_before_a_village_word_still_counts(tagger: Tagger) -> None:
    assert "佛山" in tagger.tag("村级工业园", "佛山村级工业园改造提速。").cities
    assert "佛山" in tagger.tag("村级工业园改造", "佛山市村级工业园改造提速。").cities


# --- a county's name in a product brand, a branded centre, a school of a youth league ------


@pytest.mark.parametrize(
    ("text", "home", "absent"),
    [
        (
            "公司帮助各县将怀仁羊肉、偏关小米、岚县土豆等区域品牌销往全国。",
            "大同",
            {"朔州", "忻州", "吕梁"},
        ),
        ("座谈会上介绍了与赣南脐橙、南丰蜜桔的技术合作情况。", "南昌", {"抚州"}),
        ("展销会上，平陆苹果和沁水蜂蜜等产品广受欢迎。", "大同", {"运城", "晋城"}),
    ],
)
def test_county_names_in_product_brands_are_no_places(
    tagger: Tagger, text: str, home: str, absent: set[str]
) -> None:
    tags = tagger.tag("农产品展销会开幕", text, home=home)
    assert not absent & set(tags.cities)


def test_a_county_visited_beside_its_product_stays(tagger: Tagger) -> None:
    tags = tagger.tag(
        "我市考察团赴沁水县考察",
        "1月29日，市商务局带队赴沁水县考察蜂蜜产业，学习沁水蜂蜜品牌建设经验。",
        home="大同",
    )
    assert "晋城" in tags.cities
    assert ("大同", "晋城") in pairs(tags)


@pytest.mark.parametrize(
    ("text", "home"),
    [
        ("在智慧安福中心，省领导走访了政务服务窗口。", "南昌"),
        ("企业可通过掌上永丰APP办理有关事项。", "南昌"),
        ("当天，交流团到广州市团校上团课。", "林芝"),
        ("学员们在遵义市党校参加了专题培训。", "林芝"),
    ],
)
def test_places_in_branded_centres_and_schools_are_no_places(
    tagger: Tagger, text: str, home: str
) -> None:
    tags = tagger.tag("有关工作简报", text, home=home)
    assert not {"吉安", "广州", "遵义"} & set(tags.cities)


@pytest.mark.parametrize(
    ("text", "city"),
    [
        ("邢台市数字化城市管理服务中心一行到我市考察。", "邢台"),  # a government body's centre
        ("青海省贵南县行政服务中心主任一行来我办学习。", "海南"),
        ("代表团赴广州市考察交流。", "广州"),
    ],
)
def test_government_centres_and_plain_names_stay(tagger: Tagger, text: str, city: str) -> None:
    assert city in tagger.tag("考察交流", text, home="秦皇岛").cities


# --- a county's name starting a short coined term in quotes ---------------------------------


@pytest.mark.parametrize(
    ("text", "home", "absent"),
    [
        ("双方肯定了“数字城管”在“大城管”格局中的作用。", "秦皇岛", "廊坊"),
        ("各地推广“永丰式”服务，群众满意度提高。", "南昌", "吉安"),
    ],
)
def test_a_county_name_inside_a_quoted_coinage_is_no_place(
    tagger: Tagger, text: str, home: str, absent: str
) -> None:
    assert absent not in tagger.tag("城市管理简报", text, home=home).cities


@pytest.mark.parametrize(
    ("text", "home", "city"),
    [
        ("代表团赴“大城县”考察城市管理。", "沧州", "廊坊"),  # the name and its suffix
        ("大力弘扬“井冈山精神”，传承红色基因。", "吉安", "吉安"),  # a named spirit of the place
        ("深入学习“晋江经验”，推动民营经济发展。", "泉州", "泉州"),
    ],
)
def test_quoted_names_and_named_models_stay(
    tagger: Tagger, text: str, home: str, city: str
) -> None:
    assert city in tagger.tag("工作简报", text, home=home).cities


# --- places inside the names of institutions and chambers ---------------------------------


@pytest.mark.parametrize(
    ("body", "absent"),
    [
        ("宣讲团走进漳州卫生职业学院，开展专题辅导报告会。", "漳州"),
        ("习近平回信勉励安徽省潜山野寨中学的同学们。", "安庆"),
        ("区委书记对贵州省温州总商会的到来表示欢迎。", "温州"),
        ("副区长会见了云南省宁波商会一行。", "宁波"),  # worked before, must keep
    ],
)
def test_places_inside_institutions_and_chambers_are_not_counted(
    tagger: Tagger, body: str, absent: str
) -> None:
    assert absent not in tagger.tag("有关活动举行", body, home="安顺").cities


# --- a place inside a name: in brackets, before a built thing, across a name kept whole ----------


@pytest.mark.parametrize(
    ("body", "absent", "present"),
    [
        # a place in brackets inside a company's or a park's name, and the name before them
        ("座谈会上，恒远资产管理（上海）有限公司负责人介绍了项目进展。", "上海", set()),
        ("双方就华信科技（杭州）有限公司落户事宜进行了洽谈。", "杭州", set()),
        ("考察组参观了苏州（宿迁）工业园区和市规划馆。", "苏州", {"宿迁"}),
        ("代表团实地察看了无锡（淮安）产业园区项目建设情况。", "无锡", {"淮安"}),
        ("考察团参观了华晨电子（常州）股份有限公司的生产车间。", "常州", set()),
        # a name the segmenter keeps whole heads a company: no name across its end
        ("考察组参观了陕西安康瑞达服饰有限公司。", "西安", set()),
        ("企业负责人介绍了陕西安康富硒茶业公司的发展情况。", "西安", set()),
        ("双方签约建设陕西安康恒达制衣公司二期项目。", "西安", set()),
    ],
)
def test_places_inside_names(tagger: Tagger, body: str, absent: str, present: set[str]) -> None:
    cities = set(tagger.tag("", body).cities)
    assert absent not in cities
    assert present <= cities


@pytest.mark.parametrize(
    "body",
    [
        # a county's short name before a one-character built thing (兴国|寺, 兴国|塔): the temple
        # or the pagoda the home's officials go to, not a trip to the county
        "市领导先后到兴国寺进行考察。",
        "县委书记到宁国寺考察调研。",
        "市政协领导到永济寺考察文物保护工作。",
        "考察团来到崇仁寺参观考察。",
        "市领导到兴国塔考察。",
    ],
)
def test_built_things_named_after_places(tagger: Tagger, body: str) -> None:
    tags = tagger.tag("", body, home="黄冈")
    assert pairs(tags) == set()
    assert set(tags.cities) <= {"黄冈"}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # (worked before, must keep) a place explained in brackets, a hall in a place, a county
        # in a visit frame, a name cut on its left that another name starts in
        ("4月3日，考察团赴深圳（南山区）考察学习。", {"深圳"}),
        ("展会在北京（中国）国际展览中心举行。", {"北京"}),
        # a park's, a base's or an institute's place in brackets is where it lies
        ("会上，宏达（南京）研究院院长作了发言。", {"南京"}),
        ("代表团参观了长三角（湖州）科创服务基地。", {"湖州"}),
        ("考察组走进宁波高新区（镇海）内的一家科技集团。", {"宁波"}),
        ("5月6日，县委书记率队赴安国考察中药材产业。", {"保定"}),
        ("他向来宾介绍兴安盟的发展情况。", {"兴安"}),
        ("考察组赴陕西安康学习考察毛绒玩具产业。", {"安康"}),
        ("考察组来到陕西安康瑞达服饰有限公司参观生产线。", {"安康"}),
    ],
)
def test_places_beside_names_still_count(tagger: Tagger, body: str, expected: set[str]) -> None:
    assert expected <= set(tagger.tag("", body).cities)


# --- a company's place in half-width brackets ----------------------------------------------------


@pytest.mark.parametrize(
    ("body", "absent", "present"),
    [
        ("考察团在嘉兴参观了伟达车顶系统(上海)有限公司的生产线。", "上海", {"嘉兴"}),
        ("座谈会上，恒丰资产管理(北京)有限公司负责人介绍了项目进展。", "北京", set()),
        ("双方就华信电子(苏州)股份有限公司扩产事宜进行了洽谈。", "苏州", set()),
        ("代表团实地察看了无锡(淮安)产业园区项目建设情况。", "无锡", {"淮安"}),
    ],
)
def test_half_width_brackets_in_names(
    tagger: Tagger, body: str, absent: str, present: set[str]
) -> None:
    cities = set(tagger.tag("", body).cities)
    assert absent not in cities
    assert present <= cities


@pytest.mark.parametrize(
    ("body", "city"),
    [
        # a place explained in half-width brackets after it stays
        ("市考察团赴深圳(南山区)考察学习营商环境工作。", "深圳"),
        ("考察组来到杭州(余杭区)参观数字经济产业园。", "杭州"),
    ],
)
def test_half_width_brackets_explaining_a_place(tagger: Tagger, body: str, city: str) -> None:
    assert city in tagger.tag("", body).cities


# --- an alliance named after a place ---------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "考察组在北京科创联盟负责人的陪同下参观了产业园。",
        "会上，上海数字产业联盟秘书长介绍了合作情况。",
    ],
)
def test_alliance_named_after_a_place(tagger: Tagger, body: str) -> None:
    cities = set(tagger.tag("", body).cities)
    assert not cities & {"北京", "上海", "广州"}


def test_alliance_city_named_elsewhere_counts(tagger: Tagger) -> None:
    body = "市考察团赴上海市学习考察，与上海数字产业联盟进行了座谈。"
    assert ("宁波", "上海") in pairs(tagger.tag("", body, home="宁波"))


# --- batches 25-30 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "absent"),
    [
        # a university's short name inside an institute's (海安|上海交大|…研究院)
        ("考察组走访了海安上海交大智能装备研究院、图灵机器人等企业。", "上海"),
        # units below a county named after their own area (广安代表联络站, 阳江中心社)
        ("考察团一行考察了广安代表联络站、惠安联络站和代表之家。", "广安"),
        ("组织社务科、阳江中心社相关负责人赴外地参观学习。", "阳江"),
        ("考察组参观了德阳派出所的智慧警务平台。", "德阳"),
        # a school's branch named after its own area (实验学校天水分校)
        ("我市考察组先后参观了靖江市实验学校天水分校和幼儿园食堂。", "天水"),
        # a village's name after its town (沙柳河镇果洛藏贡麻村)
        ("随后，领导来到沙柳河镇果洛藏贡麻村看望群众。", "果洛"),
        ("考察组到城关镇南京屯村参观。", "南京"),
    ],
)
def test_places_inside_local_names_batches_25_30(tagger: Tagger, body: str, absent: str) -> None:
    assert absent not in tagger.tag("", body, home="邯郸").cities


@pytest.mark.parametrize(
    ("body", "present"),
    [
        # a venue after 在 where something is held stands in its place
        ("大会在北京人民大会堂开幕。", "北京"),
        ("论坛在上海国际会议中心举行。", "上海"),
        # a county in full after 来自, before its school
        ("此批学生来自上栗县金山中学，前来参加研学。", "萍乡"),
        # a party going to a station or a unit named after the place
        ("考察团赴广安代表联络站考察学习。", "广安"),
        # a village's name not after a town
        ("考察团赴上海考察新村建设。", "上海"),
    ],
)
def test_places_beside_local_names_stay_batches_25_30(
    tagger: Tagger, body: str, present: str
) -> None:
    assert present in tagger.tag("", body, home="邯郸").cities
