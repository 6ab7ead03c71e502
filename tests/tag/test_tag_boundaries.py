"""Word boundaries, county lifts and datelines on real-text-like sentences (issue: visits and
places on real published text, causes 3, 4 and 5's dateline)."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger
from tests.tag import pairs


@pytest.mark.parametrize(
    ("text", "not_city"),
    [
        # a name that cuts an ordinary word
        ("会上，他详细介绍兴安盟文旅融合发展情况。", "绍兴"),
        ("加快建设东北海陆大通道，打通出海口。", "北海"),
        ("全市四大园区累计引进项目120个。", "桃园"),  # 大园区 (桃园)
        ("各地积极推进创新社区建设，完善服务功能。", "台中"),  # 新社区 (台中)
        ("已经有超过148万名市民报名成为亚运城市志愿者。", "运城"),
        ("世界入海口城市合作发展大会今天举行。", "海口"),
        ("在巴中国企业积极履行社会责任。", "巴中"),
        ("广东自贸区南沙湾区块位于大湾区核心。", "乐山"),  # 沙湾区 inside 南沙湾
        ("市民和游客在东北虎林园观赏老虎。", "鸡西"),  # 虎林 inside 东北虎林园
        # a person's name
        ("李长春同志的讲话精神在会上得到传达。", "长春"),
        ("会议由市委书记宁波主持，市长作报告。", "宁波"),
        ("王桂林在调研时强调，要抓好安全生产。", "桂林"),
        ("赵武安表示，将继续推进项目建设。", "邯郸"),  # 武安市
        # a head's title ending in 长, glued to a given name that begins like a place
        ("大庆市萨尔图区委常委、统战部长沙琳，副区长李文章一行到向阳区考察。", "长沙"),
        ("副市长春华同志出席会议。", "长春"),
        # streets, rivers, lakes, landmarks
        ("白杨街道组织志愿者开展环境整治。", "白杨"),
        ("尖山湖景区迎来赏花游客。", "双鸭山"),
        ("伊通河畔的樱花竞相开放。", "四平"),
        ("嫩江流域降水偏多，防汛形势严峻。", "黑河"),
        ("游客在中山纪念堂前合影留念。", "中山"),
        ("考察组一行来到天津新村社区参观。", "天津"),  # a residential estate
        ("王涛一行先后到吴兴花园小区实地参观。", "湖州"),  # a residential estate
        ("考察团走访了七星名果庄园、奉源食品科技有限公司等。", "桂林"),  # a farm's name
        # a brand that begins with a county's short name, listed among the companies visited
        (
            "考察团一行先后来到湖南省长康实业有限责任公司、盐津铺子食品股份有限公司等地参观。",
            "昭通",
        ),
        ("代表团赴山东信发集团、东阿阿胶股份有限公司进行考察学习。", "聊城"),
        ("12月22日，黄冈市武汉商会年会召开。", "武汉"),  # a chamber of 武汉's people
        ("全市上下大力弘扬右玉精神和改革开放精神。", "朔州"),  # a spirit named for 右玉
        # institutions and companies
        ("深圳大学与多家企业签署合作协议。", "深圳"),
        ("兰州大学团队取得重要进展。", "兰州"),
        ("北京证券交易所实行专人对接服务。", "北京"),
        ("北京福盛德经济咨询有限公司研究员表示。", "北京"),
        ("重庆师范大学地理与旅游学院承办。", "重庆"),
        ("广州日报记者从会上获悉。", "广州"),
        # a research institute named after a city, even where a party goes to it
        ("市林科所技术人员赴郑州市果树研究所考察学习。", "郑州"),
        ("考察组一行前往兰州市畜牧兽医研究所学习交流。", "兰州"),
        ("市农科院赴南京市蔬菜科学研究院考察学习育种技术。", "南京"),
        # one character more makes another place's name (a gate, an island)
        ("考察组一行先后来到南城门广场、市博物馆等地。", "抚州"),  # 南城县
        ("考察团来到长兴岛参观船舶制造基地。", "湖州"),  # 长兴县
    ],
)
def test_names_must_sit_on_word_boundaries(tagger: Tagger, text: str, not_city: str) -> None:
    assert not_city not in tagger.tag("", text).cities


def test_the_name_after_a_cutting_match_is_found(tagger: Tagger) -> None:
    assert tagger.tag("", "会上，他详细介绍兴安盟文旅融合发展情况。").cities == ("兴安",)


@pytest.mark.parametrize(
    ("text", "cities"),
    [
        ("青岛市委书记率团赴深圳考察。", {"青岛", "深圳"}),
        ("北京市政府与天津港集团座谈。", {"北京", "天津"}),
        ("旅客从深圳北站出发前往上海虹桥。", {"深圳", "上海"}),
        ("《深圳经济特区数字经济产业促进条例》解读", {"深圳"}),
        ("第七届博览会在云南昆明开幕。", {"昆明"}),
        ("在山西太原，非遗传承人敲响威风锣鼓。", {"太原"}),
        ("青海省海东市民和县人大常委会原主任接受审查。", {"海东"}),
        # a party going to a place named in full, to its school or office there
        ("青岛市考察团赴武乡县太行干部学院学习。", {"青岛", "长治"}),
        ("青岛市考察团赴郑州市农业农村局考察。", {"青岛", "郑州"}),
        ("游客目的地城市北京、杭州热度不减。", {"北京", "杭州"}),
        # a place's own port and a bare county name before the stay still count
        ("考察团赴青岛港开展考察学习。", {"青岛"}),
        ("代表团来到江阴考察。", {"无锡"}),
        ("代表团赴溧阳参观。", {"常州"}),
        # a prefecture before one of its towns stands (嘉兴|乌镇), as a county's name before a
        # township's (大田洼乡) does not
        ("代表团赴嘉兴乌镇考察互联网产业。", {"嘉兴"}),
        ("考察团赴苏州周庄镇考察古镇保护。", {"苏州"}),
        ("大田洼乡召开产业发展会议。", set()),
    ],
)
def test_places_next_to_words_still_count(tagger: Tagger, text: str, cities: set[str]) -> None:
    assert set(tagger.tag("", text).cities) == cities


@pytest.mark.parametrize(
    ("text", "city"),
    [
        ("淄博市临淄区党政代表团赴青岛考察学习。", "淄博"),
        ("临淄区委书记率队参观。", "淄博"),
        ("青州市党政代表团到青岛考察。", "潍坊"),
        ("青州党政代表团到深圳考察。", "潍坊"),
        ("陆丰市委书记率团到深圳考察。", "汕尾"),
        ("代表团赴陆丰考察学习乡村振兴经验。", "汕尾"),
        ("前郭县党政代表团到长春考察。", "松原"),
        ("察右前旗代表团赴北京对接。", "乌兰察布"),
        ("长阳县党政代表团到武汉考察。", "宜昌"),
        ("在临淄考察期间，代表团参观了齐文化博物院。", "淄博"),
    ],
)
def test_counties_lift_to_their_prefecture(tagger: Tagger, text: str, city: str) -> None:
    assert city in tagger.tag("", text).cities


def test_bare_county_name_without_a_frame_is_not_lifted(tagger: Tagger) -> None:
    assert tagger.tag("", "临淄齐文化节今天开幕，吸引众多游客。").cities == ()


def test_ambiguous_district_needs_its_city(tagger: Tagger) -> None:
    assert tagger.tag("", "上海宝山区代表团来访。").cities == ("上海",)
    assert "上海" not in tagger.tag("", "黑龙江双鸭山宝山区召开会议。").cities


@pytest.mark.parametrize(
    "text",
    [
        "本报泸州专电 当地举行招商推介会。",
        "新华社北京6月11日电 两部门约谈汽车生产企业。",
        "科技日报兰州6月11日电 锂同位素分析技术取得进展。",
        "中国经济网北京6月12日讯 人民币对美元中间价上调。",
        "央广网成都3月2日消息 当地发布新规。",
    ],
)
def test_a_dateline_alone_is_not_a_place(tagger: Tagger, text: str) -> None:
    assert tagger.tag("", text).cities == ()


def test_dateline_city_is_not_the_visitor(tagger: Tagger) -> None:
    tags = tagger.tag("", "本报泸州专电 青岛市党政代表团日前赴深圳考察学习。")
    assert {(v.visitor, v.host) for v in tags.visits} == {("青岛", "深圳")}
    assert set(tags.cities) == {"青岛", "深圳"}


def test_dateline_city_named_again_counts(tagger: Tagger) -> None:
    tags = tagger.tag("", "新华社北京6月11日电 北京市发布促进消费若干措施。")
    assert tags.cities == ("北京",)


@pytest.mark.parametrize(
    "title",
    ["岢岚县召开赴浙江乌镇考察学习汇报会", "代表团赴浙江西塘镇考察", "考察团赴江苏周庄镇考察"],
)
def test_a_province_before_one_of_its_towns_stands(tagger: Tagger, title: str) -> None:
    assert len(tagger.tag(title, "", home="忻州").provinces) == 1


@pytest.mark.parametrize(
    "body",
    [
        "市总工会一级调研员尼玛次仁介绍了有关情况。",
        "市总工会党组成员、二级巡视员尼玛潘多向大家介绍选树工作开展情况。",
    ],
)
def test_a_name_after_a_rank_is_a_person(tagger: Tagger, body: str) -> None:
    """一级调研员|尼玛…: a rank before a name as a title is (batch 29); 尼玛 is no 那曲 county."""
    assert "那曲" not in tagger.tag("", body, home="拉萨").cities


def test_a_county_after_a_rank_word_elsewhere_stays(tagger: Tagger) -> None:
    body = "市总工会调研员赴那曲市尼玛县开展调研。"
    assert "那曲" in tagger.tag("", body, home="拉萨").cities


def test_a_name_listed_after_another_stands(tagger: Tagger) -> None:
    """以太原、大|同等…: jieba joins the listed name's last character with 等 (batch 27)."""
    body = "建议以太原、大同等人口基数大的城市为试点，推进基层治理模式创新。"
    assert set(tagger.tag("", body, home="太原").cities) == {"太原", "大同"}


def test_a_name_cut_by_a_word_outside_a_list_is_still_no_name(tagger: Tagger) -> None:
    body = "推进世界大同等理念深入人心。"
    assert "大同" not in tagger.tag("", body, home="太原").cities


def test_sui_after_a_person_is_with_not_suixian(tagger: Tagger) -> None:
    """书记刘某某|随县考察团: 随 (with) after a person's name, not 随州's 随县 (batch 27)."""
    body = "镇党委书记和村书记张宝山随县考察团先后赴四川、贵州的南部县、湄潭县学习考察。"
    tags = tagger.tag("", body, home="张家口")
    assert "随州" not in tags.cities
    assert ("随州", "遵义") not in pairs(tags)


def test_suixian_as_the_party_stays(tagger: Tagger) -> None:
    body = "5月8日，随县考察团一行来我市考察学习乡村振兴工作。"
    assert "随州" in tagger.tag("", body, home="张家口").cities


def test_a_road_named_with_a_direction_is_no_county(tagger: Tagger) -> None:
    # 紫阳 is a county of 安康; 紫阳北大道 is a road of the host city
    body = (
        "南平市调研组一行先后现场考察了紫阳北大道暨高速东出口、人民东大街等城市出入口景观改造道路。"
    )
    tags = tagger.tag("考察", body, home="上饶")
    assert "安康" not in tags.cities
    assert ("南平", "安康") not in {(v.visitor, v.host) for v in tags.visits}


@pytest.mark.parametrize(
    ("text", "cities"),
    [
        # a place whose name begins with 镇 or 乡 right after another: two places, no town
        ("会上介绍了赴苏州镇江两地考察学习情况。", {"苏州", "镇江"}),
        ("代表团赴扬州镇江等市考察。", {"扬州", "镇江"}),
        # a head's title and then an institution of the place: the place stays
        ("国家税务总局长沙市税务局召开会议。", {"长沙"}),
    ],
)
def test_a_place_right_after_a_town_or_title_character_stays(
    tagger: Tagger, text: str, cities: set[str]
) -> None:
    assert cities <= set(tagger.tag("", text).cities)


@pytest.mark.parametrize("text", ["他到苏州镇参观。", "他到柳林镇安置点参观。"])
def test_a_town_named_after_a_place_stays_a_town(tagger: Tagger, text: str) -> None:
    assert not tagger.tag("", text).cities


def test_a_place_heading_its_own_spirit_body_stays(tagger: Tagger) -> None:
    body = "日前，“景德镇精神”提炼培育领导小组一行前往安徽省马鞍山市进行学习考察。"
    assert ("景德镇", "马鞍山") in pairs(tagger.tag("", body, home="景德镇"))
