"""Who heads the visiting party (issue 19, the fifteenth to seventeenth batches of the visits dev
set): a head who leads a team (带组, 带团) as one who leads a delegation (带队); a head titled by
a command post (指挥部指挥长, 总指挥) even with a comma before 带队; the party's head named in the
visit's own sentence (曲学武一行6人来我局) over someone who leads people in a later one, often
the host's official (市局副局长崔璨带领…进行了交流座谈); a titleless head with 一行 after a
sentence's short setting (在展厅现场，刘振华一行观看…), the guest's head being no host of the
accompanying chain; a head's name before a comma or ending in 来 (陈立来等一行); a three-character
name after a title that ends like an organ's name (副市长吴建会). Round sixteen: a chief
agronomist's title (总农艺师); a head who goes with other bodies (主任张某会同市财政局…一行赴); a
two-character name of a rarer surname right after its title, then the party (副秘书长岱某一行); an
untitled first name right after its body, then 、 and the next official (…担保中心刘某、副主任李某
一行), or 及 and another body's member before 一行 (市国资委陈某及…公司…于某一行); a section
chief (科长) as a title in a list of heads; the first of officials listed with commas before the
movement or stay, an escort's 在…陪同下 after them being no part of the list; the official whose
stay opens the sentence going on in a later clause (市委书记X在广州参加…期间，…，并赴Y考察学习).
Later: a name stops before 亲率 and 带一行; a head by a form that gives no title (胡忠雄在呼和浩特
与…举行会见, 对袁月一行的到来表示欢迎, 由…邹建春副调研员牵头), and 安排 is no name.
Sentences written for these tests, shaped like city news."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger
from tests.tag import first_leader


@pytest.mark.parametrize(
    ("body", "home", "leader"),
    [
        (
            "1月26日上午，石城县行政审批局党组书记、局长熊运发带组赴福建省宁化县行管委学习考察。",
            "赣州",
            "熊运发",
        ),
        ("副市长王强带团赴深圳考察。", "赣州", "王强"),
        ("区商务局局长李明带组到苏州工业园区考察学习。", "南通", "李明"),
        (
            "9月23日，市人大常委会主任、南湖产业园指挥部指挥长李东河，带队前往厦门开展产业招商活动。",
            "漳州",
            "李东河",
        ),
        ("项目建设总指挥刘海，率队赴合肥考察。", "芜湖", "刘海"),
        # a name glued before its head's title, after a bureau's long chain
        (
            "4月25日，晋中市商务局党组成员、贸促会刘学军会长带队，赴河南自贸区郑州片区考察学习。",
            "晋中",
            "刘学军",
        ),
        ("近日，市贸促会王芳会长带队赴泉州考察学习。", "漳州", "王芳"),
        # a bare name before a head's title with nothing before it
        ("近日，李德县长带队赴沧州市东光县考察学习。", "张家口", "李德"),
        ("日前，王建国副市长带队赴苏州考察。", "南通", "王建国"),
        # 以…为首的, 由…任团长
        (
            "2月8号，以九江市市政府副秘书长、市城管执法局局长曹俊良为首的九江市数字城管考察团"
            "一行来我市学习考察。",
            "新余",
            "曹俊良",
        ),
        (
            "9月6日至15日，由宋长瑞任团长，王志欣、马誉峰为副团长的我市学习考察团一行赴山东考察。",
            "秦皇岛",
            "宋长瑞",
        ),
        # names with 同志 joined by 和: the first named heads
        (
            "9月27日，我局派出由孙伏生同志和邱岩同志带队的考察组赴南昌市学习考察。",
            "吉安",
            "孙伏生",
        ),
        # 由…组成考察小组 (not only 组成的)
        (
            "近日，由园区纪工委书记计发新、管委会副主任梁亮泉及有关部门负责人组成考察小组，"
            "先后赴苏州工业园区考察学习。",
            "景德镇",
            "计发新",
        ),
        # a long (Mongolian) name right after a title, before 率
        (
            "4月25日，赤峰市政协主席苏雅勒其其格率考察团到我市开展学习考察。",
            "承德",
            "苏雅勒其其格",
        ),
        # a name ending in 和 with no partner after it
        (
            "8月6日，市科技局局长顾胜和到苏州工业园区考察学习。",
            "抚州",
            "顾胜和",
        ),
        # a surname read before as a word (门, 计)
        (
            "4月8日，庆城县委常委、统战部长门杜娟，副县长常文洲带领各部门负责人赴临夏州考察学习。",
            "庆阳",
            "门杜娟",
        ),
        # a name opening a headline's segment after its separator
        ("学经验抓落实推动振兴发展|孙喆率市政府代表团赴广东开展学习考察。", "哈尔滨", "孙喆"),
        ("深化合作｜副市长李强率队赴深圳考察。", "赣州", "李强"),
        # name forms that must not grow or shrink
        ("近日，副市长王强和李明带队赴深圳考察。", "赣州", "王强"),  # two names: the first
        ("近日，市委书记王和平率队赴深圳考察。", "赣州", "王和平"),  # 和 inside, 平 follows
        ("近日，市长王某某亲自率队赴深圳考察。", "赣州", "王某某"),  # no long name with 亲自
        ("近日，崇礼区区长李强带队赴沧州考察。", "张家口", "李强"),
    ],
)
def test_heads_by_lead_verb_command_title_or_how_the_name_is_written(
    tagger: Tagger, body: str, home: str, leader: str
) -> None:
    assert first_leader(tagger, "", body, home) == leader


@pytest.mark.parametrize(
    ("body", "home", "leader"),
    [
        (
            "7月28日下午，连云港市城管局副局长曲学武一行6人来我局考察学习窗口建设。"
            "市局党组成员、副局长崔璨带领政策法规处人员进行了交流座谈。",
            "淮安",
            "曲学武",
        ),
        (
            "5月8日，盐城市发改委副主任张伟一行来我市考察学习。"
            "市发改委主任王刚带领相关科室负责人陪同考察并座谈交流。",
            "南通",
            "张伟",
        ),
    ],
)
def test_the_head_in_the_visits_own_sentence_beats_a_later_leader(
    tagger: Tagger, body: str, home: str, leader: str
) -> None:
    assert first_leader(tagger, "", body, home) == leader


def test_a_later_leader_stays_when_the_visits_sentence_names_nobody(tagger: Tagger) -> None:
    body = (
        "近日，市发改委考察组一行赴苏州考察学习。考察组由市发改委主任王刚带领，"
        "先后考察了苏州工业园区。"
    )
    assert first_leader(tagger, "", body, "南通") == "王刚"


def test_a_team_named_like_a_person_is_no_head(tagger: Tagger) -> None:
    body = (
        "近日，华亭市政协主席李锋带领相关负责同志组成招商小分队赴陕西、安徽等地考察学习。"
        "小分队一行首先赴陕西省铜川市，考察学习了陈炉古镇建设运营情况。"
    )
    tags = tagger.tag("", body, home="平凉")
    assert {v.details.leader.name for v in tags.visits if v.details.leader} <= {"李锋"}


# Round fourteen (batch 18): how the head's name and title are written, and whose head it is.


@pytest.mark.parametrize(
    ("title", "body", "home", "leader"),
    [
        (
            "小砖头大治理：我市党政代表团走出去学习考察",
            "9月16日，我市党政代表团到江苏省常州市考察学习。在一户村民家路边，"
            "市委书记李军杰突然停下脚步抛出了问题。",
            "黄冈",
            "李军杰",
        ),
        (
            "",
            "6月12日至13日，我省党政代表团赴河北学习考察。13日下午，两省召开工作交流座谈会，"
            "省委书记、省人大常委会主任许勤讲话，河北省委书记倪岳峰主持会议并讲话。",
            "黑龙江",
            "许勤",
        ),
        (
            "",
            "10月31日，吉安党政代表团在赣州市学习考察，市委书记、市委应对疫情工作领导小组组长"
            "王少玄召集代表团全体成员，传达学习省委书记易炼红的要求。",
            "吉安",
            "王少玄",
        ),
    ],
)
def test_a_party_delegation_without_a_named_head_is_led_by_its_secretary(
    tagger: Tagger, title: str, body: str, home: str, leader: str
) -> None:
    assert first_leader(tagger, title, body, home) == leader


@pytest.mark.parametrize(
    ("body", "home"),
    [
        # on the host's site the bare 市委书记 is the host's
        (
            "9月16日，黄冈市党政代表团来我市考察学习。市委书记李强主持座谈会并讲话。",
            "常州",
        ),
        # on the host's site naming itself, the bare 市委书记 is still the host's
        ("9月16日，黄冈市党政代表团莅临常州考察。市委书记李强主持座谈会。", "常州"),
        # a deputy secretary does not head a 党政代表团
        ("9月16日，我市党政代表团赴常州考察学习。市委副书记李强讲话。", "黄冈"),
        # the province's secretary does not head a city's party
        ("9月16日，我市党政代表团赴常州考察学习。会议传达了省委书记李强的讲话。", "黄冈"),
        # the host's secretary, named with the host
        ("9月16日，我市党政代表团赴常州考察学习。常州市委书记李强讲话。", "黄冈"),
        # no 党政代表团: a work team is not headed by whoever speaks
        ("9月16日，我市商务局考察组赴常州考察学习。市委书记李强讲话。", "黄冈"),
    ],
)
def test_no_secretary_heads_the_party_where_the_rule_does_not_hold(
    tagger: Tagger, body: str, home: str
) -> None:
    assert first_leader(tagger, "", body, home) is None


def _leader(tagger: Tagger, title: str, body: str, home: str, pair: tuple[str, str]) -> str | None:
    visits = {(v.visitor, v.host): v for v in tagger.tag(title, body, home=home).visits}
    leader = visits[pair].details.leader
    return leader.name if leader else None


@pytest.mark.parametrize(
    ("title", "body", "home", "pair", "leader"),
    [
        (
            "市企业和投资服务局随省商务厅赴深圳开展招商引资工作",
            "3月7日-10日，省商务厅刘海城书记率相关地市招商部门赴广东开展招商引资活动。"
            "哈尔滨市企业和投资服务局副局长孔雪辉带队随团参加深圳相关活动。",
            "哈尔滨",
            ("哈尔滨", "深圳"),
            "孔雪辉",
        ),
        (
            "市发改委随省发改委赴深圳考察",
            "5月9日，省委常委、副省长李明率全省各市发改委负责人赴深圳考察。"
            "市发改委主任王刚带队随团参加考察。",
            "赣州",
            ("赣州", "深圳"),
            "王刚",
        ),
        # the province's own visit keeps the province's head
        (
            "市发改委随省发改委赴深圳考察",
            "5月9日，省委常委、副省长李明率全省各市发改委负责人赴深圳考察。"
            "市发改委主任王刚带队随团参加考察。",
            "赣州",
            ("江西", "深圳"),
            "李明",
        ),
        (
            "",
            "3月7日，省委书记刘海城率黑龙江省党政代表团赴广东学习考察。哈尔滨市市长孔雪辉随团参加。",
            "黑龙江",
            ("黑龙江", "广东"),
            "刘海城",
        ),
        # two parties told under one title: the head whose title names the visitor's place
        (
            "阜宁县宝应县考察团来射阳考察学习",
            "近日，阜宁县文广旅局副局长掌文献带领相关人员一行19人来我县考察学习。"
            "之后，宝应县文体广电和旅游局副局长朱雪梅带领的6人考察团来我县取经。",
            "盐城",
            ("扬州", "盐城"),
            "朱雪梅",
        ),
        (
            "滨海县如皋市考察团来海安考察",
            "近日，滨海县商务局局长王刚带领考察组来我县考察。"
            "随后，如皋市商务局副局长李明带领的考察团来我县交流。",
            "南通",
            ("盐城", "南通"),
            "王刚",
        ),
        # a head whose title names another place stays when no head of the visitor's is named
        (
            "",
            "5月8日，省委常委、南京市委书记张强率江苏省代表团赴深圳考察。",
            "江苏",
            ("江苏", "深圳"),
            "张强",
        ),
    ],
)
def test_the_visitors_own_head_leads_not_the_provinces_or_another_partys(
    tagger: Tagger, title: str, body: str, home: str, pair: tuple[str, str], leader: str
) -> None:
    assert _leader(tagger, title, body, home, pair) == leader


# --- a titleless head with 一行 after a sentence's short setting (在…现场，周大臣一行观看…) -----


@pytest.mark.parametrize(
    ("body", "leader"),
    [
        ("在展厅现场，刘振华一行观看了宣传片，听取了平台建设介绍。", "刘振华"),
        ("当天下午，孙立新一行来到产业园区，实地察看了项目建设情况。", "孙立新"),
        ("在污水处理厂，郭明远一行详细了解了提标改造工程进展。", "郭明远"),
    ],
)
def test_a_titleless_head_after_a_setting_leads(tagger: Tagger, body: str, leader: str) -> None:
    assert first_leader(tagger, "营口市生态环境局考察组来泰考察学习", body, "泰州") == leader


@pytest.mark.parametrize(
    "body",
    [
        "在展厅现场，副市长刘振华介绍了平台建设情况。",  # a host's official, no 一行
        "在展厅现场，刘振华介绍了平台建设情况。",  # a name without 一行
        "考察组在我市先后参观了多家企业和园区，刘振华一行表示收获很大。",  # no short setting
    ],
)
def test_other_names_after_a_setting_lead_nothing(tagger: Tagger, body: str) -> None:
    assert first_leader(tagger, "营口市生态环境局考察组来泰考察学习", body, "泰州") is None


@pytest.mark.parametrize(
    "body",
    [
        "在丽水考察期间，韩立军一行在某某实业有限公司董事长陈志华等陪同下参观了生产车间。",
        "韩立军一行在某某实业有限公司董事长陈志华等陪同下参观了生产车间。",
    ],
)
def test_the_guests_head_is_no_host_of_the_accompanying_chain(tagger: Tagger, body: str) -> None:
    visits = tagger.tag("邯郸市代表团赴丽水考察学习", body, home="邯郸").visits
    assert visits
    hosts = [o.name for o in visits[0].details.host_officials]
    assert "陈志华" in hosts
    assert "韩立军" not in hosts


# --- heads of a party --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "home", "leader"),
    [
        (
            "6月13日，宿迁市住房和城乡建设局局长张伟明，带领相关工作人员一行5人来我市考察学习。",
            "连云港",
            "张伟明",
        ),
        ("7月21日，海口市卫生健康委员会主任陈立来等一行5人赴南宁市考察学习。", "海口", "陈立来"),
        (
            "9月9日，沛县水务局党委委员、副主任科员王海东带领业务骨干赴江都考察学习。",
            "徐州",
            "王海东",
        ),
        (
            "5月9日，市行政审批局副局长赵德明，副局长钱小平，各区分管领导及相关负责同志赴常熟市学习。",
            "淮安",
            "赵德明",
        ),
    ],
)
def test_heads_of_a_party(tagger: Tagger, body: str, home: str, leader: str) -> None:
    assert first_leader(tagger, "考察学习", body, home) == leader


def test_a_name_ending_in_lai_before_a_verb_keeps_two_characters(tagger: Tagger) -> None:
    body = "7月21日，市卫健委主任王刚来到南宁市考察学习。"
    assert first_leader(tagger, "考察学习", body, "海口") == "王刚"


# --- leaders: a three-character name after a title that ends like an organ's name --------------


@pytest.mark.parametrize(
    ("body", "home", "leader"),
    [
        (
            "3月2日，市委常委、副市长吴建会带领市直部门负责同志，赴保定市考察学习。",
            "邢台",
            "吴建会",
        ),
        ("4月8日，市发改委主任孙立局率队赴沧州市学习考察园区建设。", "衡水", "孙立局"),
        ("5月9日，副市长郑海委带队赴唐山市考察学习。", "承德", "郑海委"),
        # (worked before, must keep) an organ leading its party names no person
        ("5月9日，市人大常委会带领部分代表赴唐山市考察学习。", "承德", None),
        ("5月9日，副市长王刚带领相关部门负责同志，赴唐山市考察学习。", "承德", "王刚"),
    ],
)
def test_leaders_named_like_organs(tagger: Tagger, body: str, home: str, leader: str) -> None:
    assert first_leader(tagger, "", body, home) == leader


@pytest.mark.parametrize(
    ("title", "body", "home", "leader"),
    [
        (
            "",
            "5月3日至7日，由市农委总农艺师钱立新带领我市县、乡、村三农干部考察团赴浙江省湖州市考察。",
            "晋中",
            "钱立新",
        ),
        (
            "",
            "近日，市住房公积金管理中心党组书记、主任许国平会同市财政局等相关人员一行赴杭州学习考察。",
            "嘉兴",
            "许国平",
        ),
        ("", "4月2日下午，包头市政协副秘书长岱林一行来通考察学习养老服务工作。", "南通", "岱林"),
        (
            "",
            "5月8日，吉安市永丰县就业服务中心赵立平、副主任孙红一行4人来我市学习考察。",
            "新余",
            "赵立平",
        ),
        (
            "株洲市国资委来我市学习考察",
            "8月3日，湖南省株洲市国资委郑明远及某某公司社区总部黄立一行来我市考察。",
            "新余",
            "郑明远",
        ),
    ],
    ids=["总农艺师", "会同", "rare-surname", "untitled-first-then-titled", "body-name-及"],
)
def test_heads_named_in_less_common_forms(
    tagger: Tagger, title: str, body: str, home: str, leader: str
) -> None:
    assert first_leader(tagger, title, body, home) == leader


@pytest.mark.parametrize(
    ("body", "home", "leader"),
    [
        # a titled chain keeps its first titled head
        ("市委书记王立、市长李强率队赴杭州考察。", "嘉兴", "王立"),
        # a body's whole name with a title in its first item is no untitled name
        ("市住房保障中心主任刘平、副主任陈东一行赴杭州考察。", "嘉兴", "刘平"),
    ],
    ids=["titled-chain", "titled-first"],
)
def test_titled_heads_stay(tagger: Tagger, body: str, home: str, leader: str) -> None:
    assert first_leader(tagger, "", body, home) == leader


@pytest.mark.parametrize(
    ("body", "home", "leader"),
    [
        (
            "5月15日至21日，市律师协会组织各县区律师事务所主任，由市司法局副局长周海林、律师工作科"
            "科长吴丽带队，一行十二人赴浙江省杭州市进行考察学习。",
            "抚州",
            "周海林",
        ),
        (
            "10月8日至12日，受邢台市援疆前指邀请，邢台市农业农村局副局长马志强，邢台市财政局二级"
            "调研员赵明，沙河市农业农村局局长钱亮，在邢台市驻且末援疆指挥长李伟的陪同下，对且末县"
            "进行考察交流。",
            "邢台",
            "马志强",
        ),
    ],
    ids=["科长-in-list", "comma-list-then-escort"],
)
def test_the_first_of_listed_heads_leads(tagger: Tagger, body: str, home: str, leader: str) -> None:
    assert first_leader(tagger, "", body, home) == leader


def test_officials_listed_with_commas_without_a_trip_lead_nothing(tagger: Tagger) -> None:
    """Officials listed with commas who meet or attend (no movement after them) head no party;
    the party's own head still leads."""
    body = "6月3日，杭州市考察团一行来我市考察。市委副书记王立，副市长李强，出席座谈会并介绍情况。"
    assert first_leader(tagger, "", body, "嘉兴") is None


def test_the_subject_of_a_stay_going_on_leads(tagger: Tagger) -> None:
    body = (
        "10月15日至16日，市委书记郑立新在广州参加中国进出口商品交易会期间，参观展馆看望我市参展"
        "企业，并赴佛山市和肇庆市考察学习，实地感受两市产业园区建设成效。"
    )
    assert first_leader(tagger, "", body, "晋中") == "郑立新"
    # the host's official receiving the party stays no head of it
    body = "10月15日，市委书记郑立新在市行政中心会见了佛山市考察团一行，随后陪同到园区考察。"
    assert first_leader(tagger, "", body, "晋中") != "郑立新"


@pytest.mark.parametrize(
    ("body", "home", "leader"),
    [
        # 亲率: the name stops before 亲
        (
            "10月28日，晋中市委常委、政法委书记贡琦亲率市检察院团队赴北京市海淀区考察学习。",
            "晋中",
            "贡琦",
        ),
        # 带一行: the name stops before 带
        ("5月30日，淮安市洪泽区人才办主任叶亚堂带一行来扬考察调研。", "扬州", "叶亚堂"),
    ],
)
def test_a_name_stops_before_how_the_head_leads(
    tagger: Tagger, body: str, home: str, leader: str
) -> None:
    assert first_leader(tagger, "", body, home) == leader


@pytest.mark.parametrize(
    ("title", "body", "home", "leader"),
    [
        # the head meets the host's secretary at the host's place, no title given
        (
            "胡忠雄在呼和浩特与内蒙古自治区党委常委呼和浩特市委书记包钢举行会见",
            "贵阳贵安党政代表团在呼和浩特学习考察。",
            "贵阳",
            "胡忠雄",
        ),
        # the host welcomes the guests by their head's name
        (
            "四川省夹江县考察团到浮梁县考察学习",
            "魏伟对袁月一行的到来表示欢迎，并陪同参观了名坊园。",
            "景德镇",
            "袁月",
        ),
        # a head who 牵头 the party
        (
            "赴外地考察学习",
            "3月6日，由我委邹建春副调研员牵头，市工信委、市商务局相关人员赴合肥市考察学习开发区改革。",
            "芜湖",
            "邹建春",
        ),
        # 安排 is no name: the head is the one who 带队
        (
            "赴外地考察",
            "25日，按照市委、市政府领导安排，我局由局党组成员、总农艺师肖虎善带队赴寿光市考察学习。",
            "晋中",
            "肖虎善",
        ),
    ],
)
def test_heads_by_forms_that_name_no_title(
    tagger: Tagger, title: str, body: str, home: str, leader: str
) -> None:
    assert first_leader(tagger, title, body, home) == leader
