"""Classes of error met on the ninth batch of the visits dev set (issue 19), each with sentences
shaped like city-government news (written for these tests) and the negatives that must keep
working."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger
from crawler.tag.details import find_officials, is_name
from crawler.tag.text import glued_site_span
from tests.tag import pairs

# --- recruitment and talent-introduction announcements; a reposted document ---------------


@pytest.mark.parametrize(
    "title",
    [
        "红旗区年补充招聘大学毕业生到村工作及公开招聘社区工作者体检考察公告",
        "某某师范学院年面向社会公开引进高层次人才公告",
        "市第一职业中学引进急需紧缺人才公告",
    ],
)
def test_recruitment_and_talent_announcements_are_policy(tagger: Tagger, title: str) -> None:
    body = "根据有关规定，现将有关事项公告如下。请考生按时到指定地点集合。"
    assert tagger.tag(title, body, home="新乡").kind == "policy"


@pytest.mark.parametrize(
    "title",
    [
        "某某建设工程有限公司招聘技术人员公告",  # a company's
        "市人民医院年面向社会公开招聘合同制护士公告",  # an institution's own contract staff
        "我市引进先进污水处理技术成效明显",  # 引进 a technique, no announcement
    ],
)
def test_other_recruitment_stays_other(tagger: Tagger, title: str) -> None:
    body = "报名时间为3月1日至3月10日，符合条件者均可报名参加。"
    assert tagger.tag(title, body, home="新乡").kind == "other"


def test_a_document_issued_under_its_own_subject_is_policy(tagger: Tagger) -> None:
    tags = tagger.tag(
        "在全省开展安全生产大检查",
        "要压实各方责任，做到横向到边、纵向到底。各地要抓好落实。新华社北京3月2日电近日，"
        "中共中央办公厅印发了《关于在全省开展安全生产大检查的通知》，对有关工作作出部署。",
        home="沧州",
    )
    assert tags.kind == "policy"


_LONG_LEAD = (
    "会议强调，各级各部门要以高度的政治责任感抓好安全生产工作，压实属地管理责任、部门监管责任和"
    "企业主体责任，全面排查整治各类风险隐患，坚决遏制重特大事故发生，确保人民群众生命财产安全和"
    "社会大局持续稳定，为全市高质量发展营造良好环境。"
)


@pytest.mark.parametrize(
    ("title", "body"),
    [
        # the document issued is not the title's subject: the story reports on it
        (
            "安全生产大检查取得实效",
            _LONG_LEAD + "省委办公厅印发了《关于在全省开展安全生产大检查的通知》。",
        ),
        # the subject named without being issued
        (
            "在全省开展安全生产大检查",
            "会议学习了《关于在全省开展安全生产大检查的通知》精神并作部署。",
        ),
    ],
)
def test_a_document_not_the_titles_stays_other(tagger: Tagger, title: str, body: str) -> None:
    assert tagger.tag(title, body, home="沧州").kind == "other"


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
    ],
)
def test_a_glued_site_name_is_found(body: str, headline: str, span: tuple[int, int]) -> None:
    assert glued_site_span(body, headline) == span


@pytest.mark.parametrize(
    ("body", "headline"),
    [
        # another column between the site and the headline: not this rule's
        ("抚州市人民政府政府重点工作市公安局召开党委会议。", "市公安局召开党委会议"),
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


# --- hosts: a park of the host named after a place elsewhere, offices as list items, -------
# --- an epithet before the place --------------------------------------------------------


def test_a_weak_name_heading_a_park_of_another_province_is_the_hosts(tagger: Tagger) -> None:
    tags = tagger.tag(
        "海东党政代表团赴西宁市考察学习",
        "当日，海东市党政代表团一行先后深入西宁市甘河工业园区某某碳纤维有限公司、南川工业园区"
        "某某光伏科技有限公司等地考察。",
        home="海东",
    )
    assert pairs(tags) == {("海东", "西宁")}
    assert "重庆" not in tags.cities


def test_a_park_of_the_same_province_stays_a_host(tagger: Tagger) -> None:
    tags = tagger.tag(
        "我市代表团赴重庆考察",
        "代表团先后深入重庆市两江新区某某汽车有限公司、南川工业园区某某材料有限公司考察。",
        home="遵义",
    )
    assert ("遵义", "重庆") in pairs(tags)


@pytest.mark.parametrize(
    ("text", "hosts"),
    [
        (
            "近日，磁县公安局组织到江苏省盐城市响水县公安局、浙江省诸暨市枫桥派出所考察学习。",
            {"盐城", "绍兴"},
        ),
        ("县法院一行到江苏省南通市海安市法院、浙江省湖州市安吉县法院考察学习。", {"南通", "湖州"}),
    ],
)
def test_offices_between_listed_hosts(tagger: Tagger, text: str, hosts: set[str]) -> None:
    tags = tagger.tag("赴外省考察学习先进经验", text, home="邯郸")
    assert {host for _visitor, host in pairs(tags)} == hosts


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        ("今年7月，天津市委书记率天津市党政代表团赴藏东明珠——昌都市考察调研。", ("天津", "昌都")),
        ("5月，我市代表团前往千年瓷都——景德镇市学习考察陶瓷产业。", ("南昌", "景德镇")),
    ],
)
def test_an_epithet_before_the_host(tagger: Tagger, text: str, pair: tuple[str, str]) -> None:
    assert pair in pairs(tagger.tag("两地交流合作", text, home="南昌"))


def test_a_dash_without_a_visit_verb_gives_no_host(tagger: Tagger) -> None:
    tags = tagger.tag("城市印象", "瓷都——景德镇市的陶瓷文化源远流长。", home="南昌")
    assert not tags.visits


# --- a guest province whose own city its head's title names --------------------------------


@pytest.mark.parametrize(
    ("title", "text", "pair"),
    [
        (
            "市领导陪同贵州省遵义市党政代表团考察",
            "市领导陪同贵州省遵义市率团来我市学习考察乡村振兴工作。",
            ("遵义", "吉安"),
        ),
        (
            "赣州市党政考察团在福州学习考察",
            "其间，福建省委书记会见了江西省委副书记、赣州市委书记刘某某率领的党政考察团一行。",
            ("赣州", "福州"),
        ),
    ],
)
def test_the_guest_province_is_lifted_to_its_city(
    tagger: Tagger, title: str, text: str, pair: tuple[str, str]
) -> None:
    home = pair[1] if pair[1] == "吉安" else "赣州"
    found = pairs(tagger.tag(title, text, home=home))
    assert pair in found
    assert not {p for p in found if p[0] in ("贵州", "江西")}


def test_a_provincial_guest_stays_the_province(tagger: Tagger) -> None:
    tags = tagger.tag(
        "新疆党政代表团来赣考察",
        "6日，省委书记在南昌会见了新疆维吾尔自治区党委副书记王某某率领的新疆党政代表团一行。",
        home="南昌",
    )
    assert ("新疆", "江西") in pairs(tags)


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
    ],
    ids=["携", "等有关领导", "会见-率领的", "tibetan-村", "body-name-title"],
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
