"""The details of one exchange visit: who led it, when, who received it, what for, where.

Pure functions over the folded (Simplified) article text, its sentences, the visit's visitor
and host and the article's publication date; :class:`~crawler.tag.Tagger` calls
:func:`visit_details` for every visit it keeps.

* **Officials** are a title chain and a name: ``青岛市委副书记、市长赵豪志`` gives
  ``Official("赵豪志", "市委副书记、市长")`` (the visitor's or host's place is dropped from the
  title). The name is 2-4 characters after a title word (书记, 市长, 秘书长, 局长...), starting
  with a common surname and followed by a word that ends a name (率领, 一行, 会见, 、, 在...).
* **Leader** of the visiting side: an official followed by 率领/率/带领/带队/率队/率团, or
  ``以…为团长``, ``在…的带领下``, ``…一行``, ``…赴/到/来到`` (the movement itself). Several
  officials chained by 、/和 before the verb are co-leaders. A leader named only by title
  (市委书记率队赴深圳) has ``name`` None. A name may stand before its title (贸促会刘学军会长带队,
  李德县长带队: a bare 县长/市长 only with nothing before the name); ``以…为首的``, ``由…任团长``
  and ``由…组成考察小组`` name the head too. A 党政代表团 named without its head is led by its
  party secretary (市委书记李军杰…) in the visit's sentences or the few after, not on the host's
  site (来我市), not a deputy's or the host's; a city's party is not led by a province's official
  (省商务厅…书记率相关地市…) when its own head is named (…副局长孔雪辉带队随团).
* **Host officials**: officials before 会见/会晤/接待/欢迎/迎接/宴请/接见 or 陪同, or after
  ``在…陪同下``.
* **Dates**: ``12月5日至6日``, ``12月30日至1月2日``, ``2024年3月5日``, ``5日`` (month and year
  from the publication date), ``2024年3月`` (``2024-03``). A month-day without a year takes the
  publication year, or the year before when that would put it more than a week after
  publication (an article of 3 January about 30 December). 近日/日前 give no date.
* **Purpose**: the phrase after the movement (考察学习数字政府…, 开展招商引资活动), at most
  24 characters; **sites**: parks, zones and enterprises listed after 考察了/参观了/走访了/先后到
  and 第一站: headings.
"""

from __future__ import annotations

__all__ = [
    "Details",
    "Official",
    "find_officials",
    "is_name",
    "is_surname",
    "visit_dates",
    "visit_details",
]

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from crawler.tag.text import Sentence, resolve_day

_TITLE = re.compile(
    r"秘书长|副书记|书记|副市长|市长|副区长|区长|副县长|县长|副州长|州长|副省长|省长|副主席|主席"
    r"|副主任|主任|常委(?!会)|委员|部长|局长|厅长|处长|司长|组长|团长|镇长|乡长|旗长|盟长|专员|会长"
    r"|董事长|总经理|总裁|院长|巡视员|调研员|负责人|行长|署长|政委|主任委员|党组成员"
    r"|支队长|大队长|队长|站长|所长|领导|领队|总工程师|总经济师|总规划师|总审计师|总会计师"
    r"|科员|科长"  # 副主任科员刘卫东带领, 公证工作科科长王敏妍带队
    r"|指挥长|总指挥长|总指挥"  # 产业园指挥部指挥长李东河，带队
    # 局长助理曹华, 总统计师王建, 食品加工产业链链长卜祥联
    r"|助理|总统计师|链长"
    r"|总农艺师|总畜牧师|总兽医师|总建筑师|总督学|督学"  # 市农委总农艺师肖虎善带领
)
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
    "万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘"
    "祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾门"
    "尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师"
    "和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢"
    "劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阎练腾逄廉揭晁訾毋亢郦雍宓阚逯暴井亓植宦弓牧隗邰鄂索咸籍"
    "赖屠阴苍莘贡扶堵宰璩濮寿扈郏浦晏茹习鱼容慎戈庾暨衡弘禄阙殳沃蔚夔隆厍勾融那乜养须丰巢蒯竺权盖"
    "桓覃傅萧禹邸郗綦郄狄贲计禤操代占敬鲜"
    "摆妥冶喇"  # Hui surnames of the north-west (临夏市人大常委会主任摆瑞瑄)
)
# A name of three or four characters without a common surname (松吉扎西, 热苏力汗) counts only
# before a word that says a person acts (率, 一行...).
_STRONG_AFTER = re.compile(r"率|带领|带队|一行|同志|等一行")
_LONG_NAME_AFTER = re.compile(r"率|带领|带队|等一行|一行")
# Words that are no part of a long name (主任王某某亲自率: the name stops before 亲自).
_NOT_IN_LONG_NAME = re.compile(r"亲自|同志|专程|一同|等|率|带|的|了")  # (…负责人组成的一行)
_DOTTED = re.compile(r"[一-鿿]{1,8}·[一-鿿]{1,8}")
_NAMED_FIRST = re.compile(
    r"副|书记|主任|局长|秘书长|常委|委员|部长|主席|调研员|巡视员|厅长|处长|支队长|大队长|队长|站长|所长"
    r"|会长|团长|组长|院长|行长"  # 贸促会刘学军会长带队
)
# A head's title that may follow the bare name (李德县长带队), only when nothing stands before it.
_NAMED_FIRST_BARE = re.compile(r"(?:副|常务副)?(?:市长|县长|区长|州长|省长|旗长|镇长|乡长)")
_COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "令狐",
    "司徒",
    "慕容",
    "尉迟",
)
# The common two-character parts of Tibetan names, which have no surname (次仁, 普琼, 次仁多吉).
_TIBETAN_PARTS = frozenset(
    {
        "次仁",
        "扎西",
        "多吉",
        "尼玛",
        "达瓦",
        "格桑",
        "旦增",
        "丹增",
        "洛桑",
        "平措",
        "白玛",
        "拉巴",
        "边巴",
        "普布",
        "普琼",
        "央金",
        "卓玛",
        "德吉",
        "索朗",
        "顿珠",
        "强巴",
        "益西",
        "贡嘎",
        "桑珠",
        "巴桑",
        "罗布",
        "次旦",
        "米玛",
        "曲珍",
        "琼达",
        "加措",
        "嘉措",
        "土登",
        "阿旺",
        "群培",
        "赤列",
        "晋美",
        "德庆",
        "拉姆",
        "措姆",
        "仓决",
        "旺堆",
        "旺姆",
        "欧珠",
        "朗杰",
        "索南",
        "才旦",
        "才让",
        "多杰",
        "扎巴",
        "格列",
        "公保",
        "坚参",
        "坚赞",
        "江村",
        "次珠",
    }
)
# Words after a title that a surname starts (领导班子, 党员同志): a group, not a person.
_NOT_NAMES = frozenset(
    {"班子", "成员", "同志", "干部", "人员", "代表", "群众", "安排", "安全", "安置", "安装"}
)
_NAME_CHAR = re.compile(r"[\u4e00-\u9fff]")
# What may follow a name: the next word of the sentence.
_AFTER_NAME = re.compile(
    r"率领|率|带领|带队|带组|带团|领队|一行|等|同志|、|，|,|和|与|及|在|会见|会晤|接待|陪同|参加|出席|为|以|主持|携(?!手)"
    r"|表示|指出|说|强调|介绍|致辞|分别|先后|一同|共同|专程|赴|前往|来到|到|来|抵|考察|调研|莅临"
    r"|走访|的|向|对|就|也|代表|热情|亲切|委托|。|；|;|（|\(|\s|$"
    r"|讲话|召集|突然|认真|详细|听取|仔细|首先|随后|亲自|任团长|任组长|紧接着|接着|还|又|沿途"
    r"|会同|偕同"  # 主任张卫高会同市财政局…一行赴
    r"|亲率|带一行"  # 书记贡琦亲率…团队, 主任叶亚堂带一行来扬
)
_NOT_NAME_START = frozenset("率在会带等一和与及的为以陪参出分共先专赴到来考调莅走向对就也代热亲")
_HEADLINE_SEPARATOR = re.compile(r"[|｜]")
_BOUNDARY = re.compile(r"[，,。；;：:\n“”\"「」（）()！？!?]")
_PREFIX = re.compile(
    r"^(?:由|以|经|在|受|据|应|向(?!阳)|和|与|及|、|了|并|同|陪同|会见|会晤|会见了|接待了|率领|带领|等|中共"
    r"|我市|本市|我省|我区|我县|我州"
    r"|(?:来|到)[^，。；]{1,8}?的)+"  # 与来朔考察的甘肃省临夏州委书记: the guest, described
)
_CUT = re.compile(
    r".*(?:在|由|以|受|应|会见了?|会晤|接待了?|陪同|率领|带领|团(?!长)|一行|组(?![组长]|成员))"
)  # 团: 党政代表团在 (not 组长, 团长, 党组成员)
_PLACE_SUFFIX = re.compile(
    r"^(?:特别行政区|壮族自治区|回族自治区|维吾尔自治区|自治区|自治州|地区|省|市|区|县|州|盟)"
)

_LEAD_AFTER = re.compile(
    r"(?:[（(][^（）()]{1,12}[）)])?"  # 黄守林副主任(副局长)带队
    # (…书记贡琦亲率, 叶亚堂带一行来扬)
    r"(?:等(?:同志)?|同志)?[，,]?(?:(?:亲自|亲)?(?:率领|带领|率队|率团|带队|带组|带团|领队|率|挂帅|组织|偕"
    r"|携(?!手)|带(?=一行))|为团长|为组长"
    r"|为首|任团长|任组长"  # 以…局长曹俊良为首的考察团, 由宋长瑞任团长
    r"|的带领下|带领下|的率领下|率领下"  # 在…桂晓华同志的带领下
    # 由我委邹建春副调研员牵头, 主任李志杰分批带领, 市委书记邱强、市长安熠辉分别带队
    r"|牵头|分批带领|分批带队|分别带队|分别率队|分别带领|分别率领)"
)
_GO_AFTER = re.compile(
    r"(?:等(?:同志)?|同志)?(?:一行\d*人?)"
    r"|(?:等(?:有关|相关)(?:领导|负责同志))?(?:专程|一行)?(?:赴|前往|来到|莅临|抵达|到访|到)"
    # 市长李海渊在广东省潮州市考察, 市委书记姜四清在北京…公司、…研究院考察
    r"|在(?=[^，。；]{2,36}?(?:考察|调研|学习|参观|访问))"
)
_RECEIVE_AFTER = re.compile(
    r"[^，。；]{0,12}?(?:会见|会晤|接待|欢迎|迎接|宴请|接见|陪同|参加会见|参加座谈)"
)
_RECEIVES = re.compile(r"会见|会晤|接待|欢迎|迎接|宴请|接见|陪同")
_MADE_OF = re.compile(r"[^。；;]{0,60}?组成(?:的|了?[^，。；;]{0,6}?[团组])")  # 组成考察小组
# (副局长丁永祥，副局长王宏平，五个区分管领导及相关负责同志赴…: the first named leads the party)
_LONG_AFTER = re.compile(
    r"([^。；;]{0,40}?)(陪同|等一行|一行|(?:负责同志|负责人|工作人员)(?=赴|前往|到))"
)
_BODY_NAME = re.compile(
    r"(?:人大|政协|党委|党工委|管委会|[局委办]|中心)(?P<name>[\u4e00-\u9fff]{2,3}?)"
    # …国资委陈书伟及中核25公司…于晓华一行: the first named with another before 一行
    r"(?=(?:等)?(?:一行|率|带队)|[及、和][^，。；;]{2,30}?一行)"
)
_RELATIVE_GUEST = re.compile(r"(?:来|到)[^，。；]{1,8}?的")
_LISTED_NAMES = re.compile(r"[、和及][\u4e00-\u9fff]{2,3}(?=[、和及，,]|$)")
# A name between its body and its post (市场监管局刘泉平二级调研员, 科技局邹郁纪检组长,
# 农机局木合塔尔﹒艾沙局长, 市农业农村局姚静总畜牧兽医师): the body's end, then name and post.
_NAME_POST = (
    # (市社陈恒斌主任: a 供销社's; 市经信局姚中华、马成副局长: names listed before one post)
    r"(?:局|委|办|中心|厅|社)(?P<rest>[\u4e00-\u9fff·﹒、]{3,16}?"
    r"(?:师|局长|主任|书记|调研员|巡视员|组长))"
)
_NAME_IN_TITLE = re.compile(_NAME_POST + "$")  # in the title of an official found unnamed
# Untitled names listed after the first, then the party (张金锁、江伟等一行).
_LISTED_PARTY = re.compile(r"(?P<names>(?:[、和及][\u4e00-\u9fff]{2,3}?)+)(?:等)?(?:同志)?一行")
# A second post right after a titled name, before the party's words (党组书记陈建龙局长一行).
_POST_LEADS = re.compile(
    r"副?(?:局长|主任|书记|部长|处长|科长|所长|站长|会长|主席|院长|县长|区长|市长)"
    r"(?=(?:等)?(?:同志)?(?:一行|带队|率|带领))"
)
_NAME_POST_LEADS = re.compile(_NAME_POST + r"(?=(?:等)?(?:一行|率|带队|带领))")  # before 带队
_POST_OPENING = re.compile(r"副|总|首席|[一二三四]级|纪检|党组|党委")


def _names_only(gap: str) -> bool:
    """``gap`` is untitled names joined by 、/和/及 (and a closing comma)."""
    return (
        bool(gap)
        and not _LISTED_NAMES.sub("", gap).strip("，, ")
        and all(is_name(m.group()[1:]) for m in _LISTED_NAMES.finditer(gap))
    )


_NAMES_LEAD = re.compile(
    r"(?<![长记任员席])(?:同志)?(?:率队|带队|率团|率领|任团长|任组长)"  # 孙伏生同志和邱岩同志带队
)
_PARTY_HEAD = re.compile(r"(?:等(?:同志)?)?一行|等(?:有关|相关)(?:领导|负责同志)")
_VERB = re.compile(r"率|带领|带队|赴|到|来|会见|会晤|接待|在|前往|考察(?!员)|调研(?!员)")
_ACCOMPANY_BEFORE = re.compile(r"在$|由$")
_ACCOMPANY_AFTER = re.compile(r"(?:等(?:同志)?|同志)?(?:的)?陪同")

_D = r"(\d{1,2})"
_YEAR = r"(?:(\d{4})\s*年\s*)"
_RANGE = re.compile(
    _YEAR + r"?" + _D + r"\s*月\s*" + _D + r"\s*[日号]?\s*(?:[至到—~～\-－–、]|——)+\s*"
    r"(?:" + _YEAR + r"?" + _D + r"\s*月\s*)?" + _D + r"\s*[日号]"
)
_DAY = re.compile(_YEAR + r"?" + _D + r"\s*月\s*" + _D + r"\s*[日号]")
_DAY_RANGE = re.compile(
    r"(?:^|[，,\s）)])" + _D + r"\s*[日号]?\s*(?:[至到—~～\-－–、]|——)+\s*" + _D + r"\s*[日号]"
)
_DAY_ONLY = re.compile(r"(?:^|[，,\s）)])" + _D + r"\s*[日号](?=[上下中早晚傍凌，,]|$)")
_MONTH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?!\s*\d)")
_RELATIVE = {"今天": 0, "今日": 0, "昨天": -1, "昨日": -1, "前天": -2}
_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

_PURPOSE_START = re.compile(
    r"(?:学习考察|考察学习|考察调研|调研考察|参观考察|考察交流|交流考察|学习交流|考察|调研|学习|对接|洽谈"
    r"|招商|推介|开展|进行|访问|交流|参加|出席|签署|签约|慰问"
    r")(?![团组])"
)
_MOTION = re.compile(r"赴|前往|来到|抵达|莅临|到访|走进|来|到|抵|在")
_SITE_LEAD = re.compile(
    r"考察了|参观了|走访了|调研了|察看了|观摩了|先后到|先后来到|先后赴|实地察看|实地考察|实地参观|深入|来到"
    r"|走进|参观|考察|调研|走访|观摩"
)
_SITE_END = re.compile(
    r"(?:公司|集团|产业园|科技园|园区|工业园|新区|开发区|高新区|保税区|保税港区|综保区|自贸区|片区|合作区"
    r"|示范区|港区|港|码头|中心|基地|企业|工厂|大厦|博物馆|展览馆|馆|实验室|研究院|研究所|大学|学院"
    r"|小镇|街区|社区|村|医院|银行|科学城|科技城|金融街|广场|工地|项目|园)$"
)
_STOP = re.compile(r"^第[一二三四五六七八九十\d、]+站[：:]\s*([^\n。]{2,24})", re.MULTILINE)
_MAX_PURPOSE = 24
_ORGAN_END = frozenset("委府会局厅办部组团院市省区县州镇乡村处室")
_BODY_END = _ORGAN_END | frozenset("队站所心协")  # what a body's name ends in (执法支队, 服务中心)
_TRIP_DAYS = timedelta(days=7)  # how much earlier the lead may start the trip
_DATED_LEAD = 3  # body sentences that may date a visit told elsewhere
_ORGANS = ("市委", "市政", "市人", "省委", "区委", "县委")  # 市委书记: the 市 stays
_STOP_WINDOW = 400
_PARTY_SENTENCES = 4  # sentences after the visit's own that may name a 党政代表团's secretary
# A 党政代表团 is headed by its place's party secretary (市委书记, 省委书记), not a deputy.
_SECRETARY = re.compile(r"(?<!副)(?:[省市县区州旗盟]委|党委|党工委)书记")
_PARTY_TEAM = re.compile(r"党政代表团")
_TO_HOME = re.compile(r"(?:来|到|在|莅临|抵|抵达|来到)(?:我|本)[省市县区州旗]")
# A provincial official's title (省委书记, 省商务厅书记), not a city's.
_PROVINCIAL = re.compile(r"^(?:[^、市县区州]{0,6})?省(?:委|政府|人大|政协|长|[^、市县区州]{1,8}厅)")
_SETTING = 12  # how long a sentence's opening setting (在指挥中心现场，) may be
_PLACE_SETTING = re.compile(r"(?:在|来到|走进|抵达|到达)[^，。；]{2,}?，")
_PLACE_SETTING_REACH = 24


@dataclass(frozen=True, slots=True)
class Official:
    """An official named in the text: ``name`` (None when only the title is given), ``title``."""

    name: str | None
    title: str
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)

    def to_dict(self) -> dict[str, str | None]:
        return {"name": self.name, "title": self.title}


@dataclass(frozen=True, slots=True)
class Details:
    leader: Official | None = None
    co_leaders: tuple[Official, ...] = ()
    date_start: str | None = None  # ISO date, or YYYY-MM when the text gives only the month
    date_end: str | None = None
    host_officials: tuple[Official, ...] = ()
    purpose: str | None = None
    sites: tuple[str, ...] = ()


def is_surname(char: str) -> bool:
    """``char`` is a common one-character surname (张, 王)."""
    return char in _SURNAMES


def _tibetan(name: str) -> bool:
    """A Tibetan name: one or two common two-character parts, no surname (普琼, 次仁多吉)."""
    return len(name) in (2, 4) and all(
        name[i : i + 2] in _TIBETAN_PARTS for i in (0, len(name) - 2)
    )


def is_name(name: str) -> bool:
    """``name`` looks like a person's name: 2-4 characters, a common surname, no organ's end."""
    if not 2 <= len(name) <= 4 or not all(_NAME_CHAR.match(c) for c in name):
        return False
    if _tibetan(name):  # 洛桑江村: 江村 a name's part, not a village
        return True
    if name[-1] in _ORGAN_END or name in _NOT_NAMES:  # 党委, 领导班子: not a person
        return False
    if "副" in name or "常务" in name:  # 常务副(主任): a title's head, not a person
        return False
    if len(name) == 4 and _TITLE.fullmatch(name[2:]):  # 李德县长: a name and its title
        return False
    if name.startswith(_COMPOUND_SURNAMES) or _tibetan(name):
        return True
    return name[0] in _SURNAMES and name[0] not in _NOT_NAME_START and not _TITLE.match(name[1:])


def _name_at(text: str, pos: int, limit: int, titled: bool = False) -> str | None:
    """The name starting at ``pos`` (2-4 characters, shortest that a name-ending word follows).
    ``titled``: a title ends at ``pos``, so three characters from a surname that lead a party
    are a name even when the last one may end an organ's name (常务副市长周永会带领, 局长李建国
    率队; an organ never stands between a title and 带领)."""
    dotted = _DOTTED.match(text, pos, limit)
    dot = text.find("·", pos)
    # 吾尔叶提·吾守尔率…: the shortest second part that a name-ending word follows (not from
    # inside a title: 常委会主任努素甫·…)
    if dotted and not _TITLE.search(text, pos, dot):
        for end in range(dot + 2, dotted.end() + 1):
            if _AFTER_NAME.match(text, end):
                return text[pos:end]
    three = text[pos : pos + 3]
    if three[-1:] in "来到" and is_name(three) and _STRONG_AFTER.match(text, pos + 3, limit):
        return three  # 方玉来等一行: the name ends in 来, the party's words follow
    if (
        titled
        and pos + 3 <= limit
        and three[-1:] in _ORGAN_END
        and is_surname(three[0])
        and three[0] not in _NOT_NAME_START
        and all(_NAME_CHAR.match(c) for c in three)
        and not _TITLE.search(three)
        and _LEAD_AFTER.match(text, pos + 3)
    ):
        return three  # 常务副市长周永会带领: the name ends in 会, a party's lead follows
    for k in (2, 3, 4):
        end = pos + k
        if end > limit:
            break
        name = text[pos:end]
        if is_name(name) and (
            (_AFTER_NAME.match(text, end) and not _TITLE.match(text, end))
            or (titled and _POST_LEADS.match(text, end))
        ):
            if k == 2 and _name_ends_in_and(text, pos, limit):
                continue  # 顾胜和到赴: 和 ends the name, no partner follows
            if k == 4 and is_name(name[:2]) and is_name(name[2:]) and not _tibetan(name):
                return name[:2]  # 江文孙颖带队: two names, the first leads
            return name
    two = text[pos : pos + 2]
    if (
        titled
        and pos + 2 <= limit
        and _plain_name(two)
        and not is_surname(two[0])
        and _LONG_NAME_AFTER.match(text, pos + 2)
    ):
        return two  # 政协副秘书长岱沁一行: a rarer surname right after the title, the party after
    for k in (3, 4, 5, 6):
        name = text[pos : pos + k]
        if k < 5:
            strong = bool(_STRONG_AFTER.match(text, pos + k))
        else:  # 政协主席苏雅勒其其格率考察团: a long name only right after a title
            strong = (k == 5 and text.startswith("一行", pos + k)) or (
                titled and k == 6 and bool(_LONG_NAME_AFTER.match(text, pos + k))
            )
        if (
            pos + k <= limit
            and all(_NAME_CHAR.match(c) for c in name)
            and name[0] not in _NOT_NAME_START
            and name[-1] not in _ORGAN_END  # 市国资委率团: an organ, not a person
            and strong
            and not _TITLE.search(name)
            and not _NOT_IN_LONG_NAME.search(name)
        ):
            return name  # 松吉扎西率…, 副主席斯琴格日勒一行
    return None


def _name_ends_in_and(text: str, pos: int, limit: int) -> bool:
    """The third character of the name at ``pos`` is 和/与/及 and no partner's name follows it:
    顾胜和到赴 (one name), not 江文和孙颖带队 (two)."""
    end = pos + 3
    if end > limit or text[end - 1] not in "和与及" or not is_name(text[pos:end]):
        return False
    if not _AFTER_NAME.match(text, end) or _TITLE.match(text, end):
        return False
    if _RELATIVE_GUEST.match(text, end):
        return False  # 市长高键与来朔考察的…考察团座谈: 与 joins the guests, described
    return not any(is_name(text[end : end + j]) for j in (2, 3))


def _plain_name(name: str) -> bool:
    """Three characters that may be a name: no title, organ's end or leading function word."""
    return (
        all(_NAME_CHAR.match(c) for c in name)
        and name[0] not in _NOT_NAME_START
        and name[-1] not in _ORGAN_END
        and not _TITLE.search(name)
        and name not in _NOT_NAMES
        and "副" not in name
        and "常务" not in name
    )


def _name_first(title: str) -> tuple[str, str] | None:
    """``胡晓刚副市长`` -> (胡晓刚, 副市长); of a chain (陈勇副书记、孙晓南副市长) the first."""
    if "、" in title:
        first = _name_first_one(title.split("、", 1)[0])
        if first:
            return first
    return _name_first_one(title)


def _name_first_one(title: str) -> tuple[str, str] | None:
    """``胡晓刚副市长`` -> (胡晓刚, 副市长), ``执法支队薛玉龙支队长`` -> (薛玉龙, 执法支队支队长):
    a name before a title (not 市长/区长 after a place), after its body's name if any."""
    for split in range(len(title) - 2, 1, -1):
        rest = title[split:]
        bare = rest.removeprefix("副")  # 副局长: 局长 with its deputy's 副
        if not (_TITLE.fullmatch(bare) and _NAMED_FIRST.match(rest)):
            continue
        for k in (2, 3):
            start = split - k
            name = title[start:split]
            if start < 0:
                continue
            # 食药监局平志明局长: three characters between a body and its head's title are the
            # head's name even with a rarer surname (平)
            bodied = k == 3 and start > 0 and title[start - 1] in _BODY_END and _plain_name(name)
            if not (is_name(name) or bodied):
                continue
            if start == 0 or title[start - 1] in _BODY_END:
                return name, title[:start] + rest
            if _TITLE.search(title[:start]) and (first := _name_first_one(title[:start])):
                return first  # 陈勇副书记孙晓南副市长: the first named
    # 李德县长带队: a bare name and a head's title with nothing before them
    for k in (2, 3):
        name, rest = title[:k], title[k:]
        if is_name(name) and _NAMED_FIRST_BARE.fullmatch(rest) and not _TITLE.search(name):
            return name, rest
    return None


def _clean_title(raw: str, places: tuple[str, ...]) -> str:
    title = _CUT.sub("", raw, count=1)
    while True:
        stripped = _PREFIX.sub("", title)
        for place in places:
            if place and stripped.startswith(place):
                stripped = stripped[len(place) :]
                m = _PLACE_SUFFIX.match(stripped)
                if m and not _TITLE.match(stripped) and not stripped.startswith(_ORGANS):
                    stripped = stripped[m.end() :]
        if stripped == title:
            return title.strip("、， ")
        title = stripped


def find_officials(text: str, start: int, end: int, places: tuple[str, ...] = ()) -> list[Official]:
    """Officials named in ``text[start:end]``, in text order (name None for title only when a
    leading verb follows: 市委书记率队)."""
    out: list[Official] = []
    floor = start
    lead = _name_at(text, start, end)  # a name that opens the sentence: 松吉扎西率那曲党政代表团
    at = start
    setting = text.find("，", start, min(end, start + _SETTING))
    if setting < 0 and _PLACE_SETTING.match(text, start):
        # a longer setting, a place the party reached (来到…新区城市之窗，胡忠雄一行)
        setting = text.find("，", start, min(end, start + _PLACE_SETTING_REACH))
    if not lead and setting > 0:
        # after a short setting (在指挥中心现场，周大臣一行观看…): a name with 一行 opens the clause
        named = _name_at(text, setting + 1, end)
        after = setting + 1 + len(named) if named else 0
        if named and (text.startswith("一行", after) or _listed_party(text, after, end)):
            lead, at = named, setting + 1
    if not lead:
        # 赴南粤取真经…发展|孙喆率市政府代表团赴广东: a name opening a headline's segment
        for sep in _HEADLINE_SEPARATOR.finditer(text, start, end):
            named = _name_at(text, sep.end(), end)
            if named and _LEAD_AFTER.match(text, sep.end() + len(named)):
                lead, at = named, sep.end()
                break
    if lead:
        lead_end = at + len(lead)
        second = _name_at(text, lead_end, end)  # 江文孙颖带队: two names, both lead
        second_end = lead_end + len(second) if second else lead_end
        if _LEAD_AFTER.match(text, lead_end) or _GO_AFTER.match(text, lead_end):
            out.append(Official(lead, "", at, lead_end))  # 杜冰一行先后到…
            floor = lead_end
        elif second and _LEAD_AFTER.match(text, second_end):
            out += [Official(lead, "", at, lead_end), Official(second, "", lead_end, second_end)]
            floor = second_end
        elif listed := _listed_party(text, lead_end, end):
            out.append(Official(lead, "", at, lead_end))  # 张金锁、江伟等一行先后…: the first
            floor = listed
    for m in _TITLE.finditer(text, start, end):
        if m.start() < floor:
            continue
        if _TITLE.match(text, m.end()) or text.startswith("、", m.end()):
            continue  # the chain goes on: 市委副书记、市长
        name = _name_at(text, m.end(), end, titled=True)
        if (
            name is None
            and not _LEAD_AFTER.match(text, m.end())
            and not _GO_AFTER.match(text, m.end())
        ):
            continue
        lo = floor
        for b in _BOUNDARY.finditer(text, floor, m.start()):
            lo = b.end()
        title = _clean_title(text[lo : m.end()], places)
        if not title:
            continue
        if name and _POST_LEADS.match(text, m.end() + len(name)) and _name_first(title):
            name = None  # 陈勇副书记孙晓南副市长一行: names before their posts, the first leads
        if name is None and (first := _name_first(title)):
            name, title = first
            out.append(Official(name, title, lo, m.end()))
            floor = m.end()
            continue
        if name and (bare := _bare_first(text, lo, m.start(), places)):
            # …担保中心刘金生、副主任李四儿一行: the untitled first named, after its body
            out.append(bare)
            lo = bare.end + 1
            title = _clean_title(text[lo : m.end()], places)
        name_end = m.end() + len(name) if name else m.end()
        if name and (post := _POST_LEADS.match(text, name_end)):
            name_end = post.end()  # 党组书记陈建龙局长一行: his second post, then the party
        out.append(Official(name, title, lo, name_end))
        floor = name_end
    out = _with_partners(text, out, end)
    out = [_named_from_title(o, places) for o in out]
    if not out:
        out = _names_leading(text, start, end)
    if not out:
        # 海门市人大管云山一行来虞: a name right after its body, with no title
        for m in _BODY_NAME.finditer(text, start, end):
            if is_name(m.group("name")):
                lo = max([start, *(b.end() for b in _BOUNDARY.finditer(text, start, m.start()))])
                organ = _clean_title(text[lo : m.start("name")], places)
                out.append(Official(m.group("name"), organ, lo, m.end("name")))
                break
    if not out:
        # 市农业农村局姚静总畜牧兽医师带队: the name after its body, then its post
        for m in _NAME_POST_LEADS.finditer(text, start, end):
            if split := _name_and_post(m.group("rest")):
                lo = max([start, *(b.end() for b in _BOUNDARY.finditer(text, start, m.start()))])
                organ = text[lo : m.start("rest")] + split[1]
                out.append(Official(split[0], _clean_title(organ, places), lo, m.end()))
                break
    return out


def _listed_party(text: str, pos: int, end: int) -> int:
    """Where the party's 一行 ends when untitled names listed at ``pos`` lead up to it
    (、江伟等一行), else 0."""
    listed = _LISTED_PARTY.match(text, pos, end)
    return listed.end() if listed and _names_only(listed["names"]) else 0


def _named_from_title(o: Official, places: tuple[str, ...]) -> Official:
    """``o`` with its name taken out of its title where the title holds it (市场监管局刘泉平二级
    调研员带队: the name sits between the body and the post)."""
    if o.name or not (m := _NAME_IN_TITLE.search(o.title)):
        return o
    if not (split := _name_and_post(m.group("rest"))):
        return o
    title = o.title[: m.start("rest")] + split[1]
    return replace(o, name=split[0], title=_clean_title(title, places))


def _name_and_post(rest: str) -> tuple[str, str] | None:
    """``rest`` (刘泉平二级调研员) cut into a name and the post after it, or None: the post opens
    with a rank or is a title of its own. Names listed before one post (姚中华、马成副局长): the
    first, who heads them."""
    first, listed, others = rest.partition("、")
    if listed:
        split = _name_and_post(others)
        return (first, split[1]) if split and is_name(first) else None
    dot = max(rest.find("·"), rest.find("﹒"))
    for k in range(dot + 2, len(rest)) if dot > 0 else (2, 3):
        name, post = rest[:k], rest[k:]
        if (dot > 0 or is_name(name)) and (_POST_OPENING.match(post) or _TITLE.fullmatch(post)):
            return name, post
    return None


def _bare_first(text: str, lo: int, title_at: int, places: tuple[str, ...]) -> Official | None:
    """A name with no title right after its body's name, then 、 and the next official's title
    (…创业贷款担保中心刘金生、副主任李四儿): the first named, or None."""
    cut = text.find("、", lo, title_at)
    if cut < 0 or _TITLE.search(text, lo, cut):
        return None
    for k in (3, 2):
        name = text[cut - k : cut]
        if cut - k - 1 >= lo and text[cut - k - 1] in _BODY_END and is_name(name):
            return Official(name, _clean_title(text[lo : cut - k], places), lo, cut)
    return None


def _with_partners(text: str, officials: list[Official], limit: int) -> list[Official]:
    """Officials with the names that follow them under the same title before a leading verb
    (副主席袁文辉、贾剑临带领…: both lead, the first named heads)."""
    out: list[Official] = []
    for i, o in enumerate(officials):
        out.append(o)
        pos = o.end
        nxt = officials[i + 1].start if i + 1 < len(officials) else limit
        partners: list[Official] = []
        while o.name and pos < nxt and text[pos] in "、和及与":
            name = _name_at(text, pos + 1, nxt)
            if not name:
                break
            partners.append(Official(name, o.title, pos + 1, pos + 1 + len(name)))
            pos += 1 + len(name)
        if partners and _LEAD_AFTER.match(text, pos):
            out += partners
    return out


def _names_leading(text: str, start: int, end: int) -> list[Official]:
    """…谋求明年大变样蒋斌犹王莹率队到…: one or two names right before 率队/带队, the
    sentence's other words running into them without a title or a stop."""
    for m in _NAMES_LEAD.finditer(text, start, end):
        at = m.start()
        for k in (3, 2):
            second = text[at - k : at]
            if at - k < start or not is_name(second):
                continue
            # 孙伏生同志和邱岩同志带队: the first named, joined by 和/、 and a 同志 of its own
            joined = re.search(r"(?:同志)?[和与及、]$", text[max(start, at - k - 3) : at - k])
            gap = len(joined.group()) if joined else 0
            for j in (3, 2):
                first = text[at - k - gap - j : at - k - gap]
                if at - k - gap - j >= start and is_name(first) and (gap or joined is None):
                    return [
                        Official(first, "", at - k - gap - j, at - k - gap),
                        Official(second, "", at - k, at),
                    ]
            return [Official(second, "", at - k, at)]
    return []


def _chain(text: str, officials: list[Official], i: int) -> list[Official]:
    """Officials ``i`` and those right before it joined by 、/和/与/及."""
    group = [officials[i]]
    j = i
    while j > 0:
        if text.startswith("在", officials[j].start):
            break  # …站长孙勇，在…指挥长苑博的陪同下: the escort's phrase, not the list going on
        gap = text[officials[j - 1].end : officials[j].start].replace("同志", "")
        # (…副局长谭三国、余建明，进贤县委副书记李林: untitled names listed after a titled one)
        gap = _LISTED_NAMES.sub("", gap) if _names_only(gap) else gap
        if gap.strip("、，,和与及 ") or len(gap) > 2:  # 孙伏生同志和邱岩同志带队
            break
        if _RECEIVES.search(text, officials[j - 1].end, officials[j].end):
            break  # 尹力亲切会见了…吴忠琼率领的: the host, then the guest's head
        if text.startswith(("与", "同"), officials[j].start) and _RELATIVE_GUEST.match(
            text, officials[j].start + 1
        ):
            break  # 市长高键与来朔考察的…州委书记郭鹤立带队的考察团: the hosts, then the guests'

        j -= 1
        group.insert(0, officials[j])
    return group


# Hosts meeting a guest party at a venue: 在乌鲁木齐与青海省委书记…陈刚一行举行工作会谈.
_HEAD_FORMS = (
    # the party's head meets the host's at the host's place, opening the sentence
    re.compile(
        r"(?:^|(?<=[，,。\n]))(?P<name>[\u4e00-\u9fff]{2,4}?)在[^，。；与]{1,10}与[^，。；]{2,40}?"
        r"(?:举行|进行)?(?:工作)?(?:会谈|座谈|会见|交流|见面)"
    ),
    # the host welcomes the guests by their head's name
    re.compile(r"对(?P<name>[\u4e00-\u9fff]{2,4}?)(?:同志)?一行的(?:到来|来访|考察|调研)"),
    # the head chairs the delegation's summing-up (王少玄主持召开党政代表团学习考察小结座谈会)
    re.compile(
        r"(?:^|(?<=[，,。\n_]))(?P<name>[\u4e00-\u9fff]{2,4}?)(?:就地)?主持召开[^，。；]{0,16}?"
        r"(?:考察|学习)[^，。；]{0,8}?(?:小结|总结|汇报)"
    ),
)
_TALKS = re.compile(
    r"在[^，。；与]{1,10}与(?P<guest>[^，。；]{2,40}?)(?:等)?一行(?:举行|进行)?(?:工作)?"
    r"(?:会谈|座谈|会见|交流|见面)"
)


def _roles(
    text: str, sentence: Sentence, places: tuple[str, ...]
) -> tuple[list[Official], list[Official], list[Official]]:
    """(leaders, movers, hosts) in one sentence."""
    officials = find_officials(text, sentence.start, sentence.end, places)
    talks = _TALKS.search(text, sentence.start, sentence.end)
    if talks:  # 马兴瑞…在乌鲁木齐与青海省委书记…陈刚一行举行工作会谈: hosts, then the guests' head
        guests = [o for o in officials if talks.start("guest") < o.end and o.name]
        received = [o for o in officials if o.end <= talks.start() and o.name]
        if guests:
            head = guests[0]
            title = head.title.rpartition("与")[2]  # 乌鲁木齐与|青海省委书记
            return [replace(head, title=_clean_title(title, places))], [], received
    leaders: list[Official] = []
    movers: list[Official] = []
    hosts: list[Official] = []
    for i, o in enumerate(officials):
        if _LEAD_AFTER.match(text, o.end):
            if not leaders:
                leaders = _chain(text, officials, i)
        elif "由" in text[o.start - 1 : o.start + 1] and _MADE_OF.match(text, o.end, sentence.end):
            if not leaders:
                leaders = [o]  # 由审计局副局长刘秋凤、…组成的考察组
        elif (
            _ACCOMPANY_AFTER.match(text, o.end)
            and _ACCOMPANY_BEFORE.search(text, sentence.start, o.start)
        ) or ((r := _RECEIVE_AFTER.match(text, o.end)) and "率" not in r.group()):
            # not the guests' head just before (马洪广一行在…董事长陈鹤辉等陪同下)
            hosts.extend(
                x for x in _chain(text, officials, i) if x not in hosts and x not in movers
            )
        elif o.name and _GO_AFTER.match(text, o.end) and not movers:
            movers = _chain(text, officials, i)
        elif (r := _LONG_AFTER.match(text, o.end, sentence.end)) and not _VERB.search(r.group(1)):
            if r.group(2) == "陪同":  # 副局长刘东升，区党工委副书记蓝海斌…陪同调研
                hosts.append(o)
            elif o.name and not movers:  # 局长潘卓辉，…秘书长等一行八人到
                movers = [o]
    if not leaders and not movers:
        movers = _listed_movers(text, officials)
    if not leaders and not movers:
        # 胡忠雄在呼和浩特与…市委书记…举行会见, 魏伟对袁月一行的到来表示欢迎, 王少玄主持召开
        # 党政代表团学习考察小结座谈会: the party's head by a form that names no title
        for form in _HEAD_FORMS:
            found = form.search(text, sentence.start, sentence.end)
            if found and is_name(found.group("name")):
                name = found.group("name")
                movers = [Official(name, "", found.start("name"), found.end("name"))]
                break
    if not leaders and not movers:
        # 市委书记常书铭在广州参加…期间，参观展馆…，并赴广州市和韶关市考察学习: the stay's
        # subject goes on in a later clause
        movers = [
            o
            for o in officials[:1]
            if o.name and o not in hosts and _STAY_THEN_GO.match(text, o.end, sentence.end)
        ]
    # an official inside "在…陪同下" sits between 在 and 陪同
    for o in officials:
        if o in hosts or o in leaders:
            continue
        after = text[o.end : min(sentence.end, o.end + 30)]
        if re.match(r"[^，。；在]{0,24}陪同(?:下|考察|调研|参观)", after) and re.search(
            r"在[^，。；]{0,4}$", text[max(sentence.start, o.start - 6) : o.start]
        ):
            hosts.append(o)
    return leaders, movers, [h for h in hosts if h.name]


# 局副书记王九生，…局长郭万民，…站长孙勇，在…陪同下，对轮台县进行考察交流: the end of a list of
# officials joined by commas, then the party's movement or stay.
_LIST_MOVES = re.compile(
    r"[，,](?:在[^，。；;]{2,40}?陪同下[，,]?)?(?:先后|一同|专程)?"
    r"(?:赴|前往|来到|到|莅临|对[^，。；;]{2,12}?进行(?:了)?(?:考察|调研|学习))"
)


_STAY_THEN_GO = re.compile(r"在[^。；;]{2,60}?(?:并|随后|还|又|后)(?:赴|前往|到)")


def _listed_movers(text: str, officials: list[Official]) -> list[Official]:
    """The first of two or more named officials listed with commas right before the movement
    (…副书记王九生，…调研员王炳华，…，在…陪同下，对轮台县进行考察交流): the party's head."""
    run: list[Official] = []
    for o in officials:
        if not o.name:
            run = []
            continue
        if run and text[run[-1].end : o.start] not in ("，", ","):
            run = []
        run.append(o)
        if len(run) > 1 and _LIST_MOVES.match(text, o.end):
            return [run[0]]
    return []


def _provincial(official: Official) -> bool:
    """A province's official (省委书记, 省商务厅书记), by the last title of the chain."""
    return bool(_PROVINCIAL.search(official.title.rpartition("、")[2]))


def _head_where(
    text: str, order: list[Sentence], places: tuple[str, ...], keep: Callable[[Official], bool]
) -> list[Official] | None:
    """The first named leaders of the sentences ``order`` whose head ``keep`` accepts."""
    for s in order:
        leaders, _movers, _hosts = _roles(text, s, places)
        if leaders and leaders[0].name and keep(leaders[0]):
            return leaders
    return None


def _party_secretary(
    text: str,
    sents: list[Sentence],
    told: Sequence[Sentence],
    places: tuple[str, ...],
    hosts: list[Official],
    city_visitor: bool,
) -> Official | None:
    """The party secretary heading a 党政代表团 named without its head: a named 市委书记 (not a
    deputy, not the host's) in the visit's sentences or the few after, when the party went out
    (not 来我市: on the host's site the bare 市委书记 is the host's)."""
    host = places[1]
    own = "".join(text[s.start : s.end] for s in told)
    if not _PARTY_TEAM.search(own) or _TO_HOME.search(own):
        return None
    first = min(s.index for s in told)
    near = [*told, *(s for s in sents if first < s.index <= first + _PARTY_SENTENCES)]
    for s in sorted(set(near), key=lambda s: s.index):
        if s.index == 0 and len(near) > 1:
            continue  # the title: a headline's name is in the body too
        for o in find_officials(text, s.start, s.end, places):
            raw = text[o.start : o.end]
            secretary = _SECRETARY.search(raw)
            if (
                o.name
                and secretary
                and o not in hosts
                and not (host and host in raw)  # 河北省委书记倪岳峰 on 黑龙江's visit to 河北
                and not (city_visitor and secretary.group().startswith("省"))
            ):
                return replace(o, title=_clean_title(raw[: len(raw) - len(o.name)], places))
    return None


def _unnamed(officials: list[Official]) -> bool:
    return all(x.name is None for x in officials)


def _month_of(day: int, published: date) -> date | None:
    """``5日`` in an article of ``published``: this month, or the month before when later."""
    year, month = published.year, published.month
    for _ in range(2):
        try:
            found = date(year, month, day)
        except ValueError:
            found = None
        if found and found <= published + timedelta(days=1):
            return found
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return None


def visit_dates(sentence_text: str, published: date | None) -> tuple[str | None, str | None]:
    """(start, end) of a visit told in one sentence, ISO; end = start for one day."""
    text = sentence_text.translate(_DIGITS)
    m = _RANGE.search(text)
    if m:
        y1, m1, d1, y2, m2, d2 = m.groups()
        start = resolve_day(int(y1) if y1 else None, int(m1), int(d1), published)
        if start is None:
            return None, None
        year2 = int(y2) if y2 else start.year
        month2 = int(m2) if m2 else start.month
        try:
            end = date(year2, month2, int(d2))
        except ValueError:
            return start.isoformat(), None
        if end < start and not y2:
            try:
                end = end.replace(year=end.year + 1)
            except ValueError:
                return start.isoformat(), None
        return start.isoformat(), end.isoformat()
    m = _DAY.search(text)
    if m:
        y, mo, d = m.groups()
        found = resolve_day(int(y) if y else None, int(mo), int(d), published)
        iso = found.isoformat() if found else None
        return iso, iso
    m = _MONTH.search(text)
    if m:
        iso = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
        return iso, iso
    if published:
        m = _DAY_RANGE.search(text)
        if m:
            first = _month_of(int(m.group(1)), published)
            if first:
                try:
                    last = first.replace(day=int(m.group(2)))
                except ValueError:
                    return first.isoformat(), None
                return first.isoformat(), last.isoformat()
        m = _DAY_ONLY.search(text)
        if m:
            found = _month_of(int(m.group(1)), published)
            iso = found.isoformat() if found else None
            return iso, iso
        for word, delta in _RELATIVE.items():
            if word in text:
                iso = (published + timedelta(days=delta)).isoformat()
                return iso, iso
    return None, None


def _purpose(text: str, sentence: Sentence, host: str) -> str | None:
    """The phrase of what the visit was for, after the host (or the movement) in the sentence."""
    seg = text[sentence.start : sentence.end]
    at = seg.find(host) if host else -1
    if at >= 0:
        from_ = at + len(host)
    else:
        motion = _MOTION.search(seg)
        from_ = motion.end() if motion else 0
    m = _PURPOSE_START.search(seg, from_)
    if m is None:
        return None
    rest = re.split(r"[，,。；;！？!?]", seg[m.start() :], maxsplit=1)[0]
    rest = re.split(r"的(?=[^，。]*(?:团|组|一行))", rest, maxsplit=1)[0]
    rest = re.sub(r"(?:期间|时|之际|之机|后|以后|之后)$", "", rest)
    if not rest or rest in ("进行", "开展"):
        return None
    return rest[:_MAX_PURPOSE]


def _sites(text: str, sents: list[Sentence], sentence: Sentence, host: str) -> tuple[str, ...]:
    out: list[str] = []
    near = [s for s in sents if sentence.index <= s.index <= sentence.index + 3 and s.index > 0]
    for s in near:
        for lead in _SITE_LEAD.finditer(text, s.start, s.end):
            clause = re.split(r"[，,。；;！？!?]", text[lead.end() : s.end], maxsplit=1)[0]
            for item in re.split(r"、|和|及|与|以及", clause):
                item = re.sub(r"^(?:了|到|的|等|位于|了解)+", "", item)
                item = re.sub(r"(?:等地|等\d*家?|等)$", "", item)
                if 2 < len(item) <= 24 and _SITE_END.search(item) and item not in out:
                    out.append(item)
    for m in _STOP.finditer(text):  # 第一站：… headings of a report on one host
        if host and host not in text[m.end() : m.end() + _STOP_WINDOW]:
            continue
        for name in re.split(r"[/、]", m.group(1).strip()):
            if len(name) >= 2 and name not in out:
                out.append(name)
    return tuple(out[:12])


def visit_details(
    text: str,
    sents: list[Sentence],
    told: Sequence[Sentence],
    *,
    visitor: str,
    host: str,
    published: date | None,
    city_visitor: bool = True,
    away: bool = False,
    place_of: Callable[[Official], str | None] | None = None,
) -> Details:
    """The details of the visit ``visitor -> host`` told in the sentences ``told`` of ``text``
    (the current ones, best first); body sentences are read before the title. ``city_visitor``:
    the visitor is a city, whose party a province's official does not lead; ``away``: the site
    is not the visitor's (its bare 市委书记 is another's); ``place_of``: the city (or province)
    an official's title names first, None when it names none."""
    places = (visitor, host)
    told = sorted(told, key=lambda s: s.index == 0) or sents[:1]
    sentence = told[0]
    seen = {s.index for s in told}
    after = [s for s in sents if s.index == sentence.index + 1 and s.index not in seen]
    lead = [s for s in sents if s.index <= 3 and s.index not in seen]
    order = [*told, *after, *lead]
    leaders: list[Official] = []
    movers: list[Official] = []
    hosts: list[Official] = []
    heads: list[Official] = []  # 杜冰一行先后到… in a sentence next to the visit's own
    led_in_told = False  # the leaders come from the visit's own sentences
    for s in order:
        ls, ms, hs = _roles(text, s, places)
        if ls and (not leaders or (_unnamed(leaders) and not _unnamed(ls))):
            leaders = ls  # 常务副主任带队… in the title, 区常务副主任聂明带领… in the text
            led_in_told = s in told
        if not movers and ms and s in told:
            movers = ms
        elif (
            not heads
            and ms
            and ms[0].name
            and (
                _PARTY_HEAD.match(text, ms[0].end)
                # 市科技局局长顾胜和到赴…考察 in the lead, a later sentence the visit's own
                or (ms[0].title and s.index < sentence.index)
            )
        ):
            heads = ms
        for h in hs:
            if h not in hosts and h not in leaders:
                hosts.append(h)
        if leaders and s not in told:
            break
    named = [m for m in movers or heads if m.name and m not in hosts]
    # (曲学武一行6人来我局… 市局副局长崔璨带领…进行了交流座谈: the party's head in the visit's
    # own sentence, not whoever leads in a later one, often the host)
    if named and (
        _unnamed(leaders)
        or (movers and not led_in_told and all(is_name(m.name or "") for m in named))
    ):
        leaders = named
    leaders = [x for x in leaders if x not in hosts]
    if city_visitor and leaders and _provincial(leaders[0]):
        # 省商务厅刘海城书记率相关地市…。哈尔滨市…副局长孔雪辉带队随团: the city's own head
        own = _head_where(text, order, places, lambda o: not _provincial(o))
        if own:
            leaders = own
    if leaders and place_of and place_of(leaders[0]) not in (None, visitor):
        # a title (阜宁县宝应县考察团来射阳) told by two parties' sentences: the head whose title
        # names the visitor's place (宝应县…副局长朱雪梅带领), not the other party's (阜宁县…掌文献)
        nearby = [s for s in sents if s.index <= sentence.index + _PARTY_SENTENCES]
        own = _head_where(text, [*order, *nearby], places, lambda o: place_of(o) == visitor)
        if own:
            leaders = own
    if _unnamed(leaders) and not away:
        # 我市党政代表团到…考察。…市委书记李军杰突然停下脚步: the party's secretary
        secretary = _party_secretary(text, sents, told, places, hosts, city_visitor)
        if secretary:
            leaders = [secretary]
    # the visit's own sentences, else the lead (5月21日-22日，…带队赴晋城); a day of the lead a
    # little earlier is the trip's first (7月20日 in the lead, a 7月21日 meeting told later)
    spans = [
        visit_dates(text[s.start : s.end], published)
        for s in [*told, *(s for s in sents if 0 < s.index <= _DATED_LEAD and s not in told)]
    ]
    days = [(a, b) for a, b in spans if a and len(a) == 10]
    start, end = next(((a, b) for a, b in spans if a), (None, None))
    if start and len(start) == 10:
        first = date.fromisoformat(start)
        for a, b in days:
            if timedelta(0) < first - date.fromisoformat(a) <= _TRIP_DAYS:
                start, end = a, max(end or start, b or a)
                first = date.fromisoformat(a)
    purpose = None
    for s in told:
        purpose = _purpose(text, s, host)
        if purpose:
            break
    return Details(
        leader=leaders[0] if leaders else None,
        co_leaders=tuple(leaders[1:]),
        date_start=start,
        date_end=end,
        host_officials=tuple(hosts),
        purpose=purpose,
        sites=_sites(text, sents, sentence, host),
    )
