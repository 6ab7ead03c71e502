"""Place mentions: match names with Aho-Corasick, drop the traps, resolve homonyms by context.

Precision rules (on real news, naive substring matching of short names is wrong half the time):

* leftmost-longest matching, with phrases that are never places (孙中山, 奥巴马, 基金, 上海合作组织)
  in the same automaton so they swallow the name inside them (中山, 巴马, 金平, 上海);
* a short name followed by 路/大道/东路... is a street (中山路, 南京路);
* county and district names (崂山, 鼓楼区) and city names that are common words (朝阳, 安康) count
  only with their city or province within a few sentences' reach, or the publisher's own place;
  county short names that are everyday words (资源, 比如, 合作, 通道, 兴业) need their suffix;
* province and city homonyms go to the province unless the city's suffix is there (吉林 -> the
  province, 吉林市 -> the city);
* nicknames that several places use (江城, 山城) count only when the city is also named, or in a
  visit frame; one-character abbreviations (青, 沪, 穗) count only in visit frames (来青考察,
  赴沪, 抵穗, 在渝期间) and, when a character is shared (宁: 南京, 宁波), only if the publisher or
  another mention decides;
* a match must sit on word boundaries: a jieba segmentation (rjieba) of a window around each short
  candidate rejects names that cut a word (介绍兴安 ⊅ 绍兴, 亚运城市 ⊅ 运城, 在巴中国 ⊅ 巴中), names
  inside a person's name (李长春, 王桂林, 市委书记宁波), an institution (深圳大学, 广州日报) or a
  landmark, river or lake (中山纪念堂, 伊通河, 尖山湖); the name after it is tried again
  (介绍兴安盟 -> 兴安盟);
* city short names that are also a mountain range or region (大兴安岭) count only with 地区 or a
  polity right after them (大兴安岭地委);
* a jieba word that is a province or prefecture followed by places in it (福建厦门, 辽宁大连)
  cuts nothing: each name stands;
* games, summits, offices, utility branches, markets, theatres and bridges named after a place
  are not it (北京冬奥会, 上合组织青岛峰会, 驻上海办事处, 国网鹤岗供电公司, 龙井市场, 南通大剧院,
  中山桥), nor is a county's short name right before 集团/公司 (赴海兴集团: the company);
* a name jieba reads as a person's given name after a surname or a name's first part, with an act
  or a title after it, is the person (会议张安顺主持, 斯朗尼玛常务副市长带队);
* 京津冀 after a visit verb is a region, not three abbreviations (赴京津冀学习考察: no host);
* a run of three or four characters, each naming one city of a province the article names, is
  those cities (取经龙泉厦 with 赴闽, 走进苏锡常 with 江苏);
* a dateline (本报泸州专电, 新华社北京6月11日电, 中国经济网北京讯) is not a mention;
* a unit below a county named after its own area (广安代表联络站, 阳江中心社, …派出所), a group's
  short name (上海钜成集团), a university's (上海交大), a village's after its town (沙柳河镇果洛…村)
  and games with their edition (成都第三十一届…运动会) hold no place; a venue after 在 where
  something is held (在北京人民大会堂开幕) and a county in full after 来自 before its school do;
* a bare county short name that needs context also counts in a strong frame of its own: a
  polity after it (临淄区委 is suffixed already; 青州党政代表团) or a visit verb around it
  (赴青州考察, 在临淄调研期间).
"""

from __future__ import annotations

__all__ = ["Mention", "PlaceMatcher"]

import functools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Container
from dataclasses import dataclass

import ahocorasick_rs
import rjieba

from crawler.tag.details import is_surname
from crawler.tag.gazetteer import Gazetteer, Place, Strength

# jieba's (start, end, word, tag) in the folded text
Token = tuple[int, int, str, str]

WINDOW = 60  # characters around a context-needing name in which its city/province must appear

# (天津新村社区, 吴兴花园小区: a residential estate named after the place)
_STREET_2 = frozenset(
    {"大道", "大街", "东路", "西路", "南路", "北路", "中路", "一路", "二路", "新村", "花园", "小区"}
)
_ROAD_OK = frozenset({"路演", "路径", "路线", "路子", "路上", "路过"})
_STREET_OK = frozenset("头区坊")

# Districts a city has merged away whose names another prefecture still has (淮安's 清河区, now
# 清江浦区; 铁岭 has one too): on the city's own site they are its own.
_FORMER = {"淮安": frozenset({"清河区"})}
# A new area's name that other cities give their own zones (绍兴, 南通 and 烟台 have a 滨海新区):
# written bare on another city's site, the home's zone; 天津's only with 天津 before it.
_ZONE_NAMES = {"滨海新区": "天津"}
# The home's own unit right before a name (我区广安代表站): the name is a local one.
_HOME_OWN = ("我区", "我县", "我市", "本区", "本县", "本市")

# One-character abbreviations: the verb before them and what must follow.
_ABBR_VERBS = "来赴抵到莅访在往临达进"
_VISIT_VERBS = ("赴", "前往", "来到", "到访", "走进", "莅临", "在")
_GOING_VERBS = _VISIT_VERBS[:-1]  # 赴遵义市…学院, not 在遵义市党校 (someone just in it)
_PROVINCE_PREFIX = re.compile(
    r"(?:[\u4e00-\u9fff]{2,3}(?:省|自治区)|新疆|西藏|内蒙古|广西|宁夏|河北|山西|辽宁|吉林|黑龙江|江苏"
    r"|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|贵州|云南|陕西|甘肃|青海)$"
)
# a visit verb, then perhaps the province (来到河南省|郑州市…集团: 到 is no part of a province)
_VISITED = re.compile(
    "(?:" + "|".join(_VISIT_VERBS) + ")(?:" + _PROVINCE_PREFIX.pattern.removesuffix("$") + ")?$"
)
# The sites a party went to, listed (not schools: a party of schools goes to schools).
_LISTED_VISIT = re.compile(
    r"(?:赴|前往|来到|走进|深入)(?:[^，。；;、]{2,30}?"
    r"(?:馆|公司|集团|企业|园区|基地|中心|厂|景区|村|社区|示范点)[、和及]){1,4}$"
)
_LISTED_REACH = 90
_MAX_CHAIN = 3
# A run of city characters where a place is sought or compared (取经龙泉厦，对标苏锡常等地).
_CHAIN_RUN = re.compile(
    r"(?:赴|到|取经|对标|学习|走进|来自|前往|考察|借鉴|对比)(?P<run>[\u4e00-\u9fff]{3,4}?)"
    r"(?=[，。、；]|等地|地区|三市|四市|的|学习|考察|两地|一带)"
)
_OFFICE_AHEAD = re.compile(r"[^，。；、]{0,4}?(?:办事处|联络处|办)")
_UTILITY = re.compile(r"(?:供电|供水|燃气|移动|电信|联通)(?:有限责任|有限)?(?:分公司|公司|局)")
# Games and expos named after their city (北京冬奥会, 上海世博会): the event, not the place.
# (北京2022年冬奥会 with its year; 北京冬奥组委, 杭州亚组委: the games' organising committees)
_EVENT = re.compile(
    r"(?:[0-9]{4}年)?(?:(?:冬奥|奥运|冬残奥|残奥|亚运|亚残运|世博|园博|世园|大运|全运|青奥)会|峰会"
    r"|(?:冬奥|奥|亚|亚残|大运|冬残奥)组委"
    # the games with their edition between (成都第三十一届世界大学生夏季运动会, 杭州第19届亚运会)
    r"|第[一二三四五六七八九十百0-9]+届[^，。、；]{0,12}?(?:运动会|运会))"
)
# A county's short name right before 集团/公司 names the company (赴海兴集团考察: 海兴集团 of 盐城,
# not 沧州's 海兴县); a company with its place in full (赴深圳市索佳集团) still places the trip.
# A county's name in a regional product brand listed as such (怀仁羊肉、偏关小米、岚县土豆,
# 南丰蜜桔): the brand, not a place of the story.
_PRODUCT_NEXT = re.compile(
    r"(?:[\u4e00-\u9fff]{0,2}(?:羊肉|牛肉|猪肉|小米|大米|香米|土豆|马铃薯|蜂蜜|苹果|香梨|蜜桔|脐橙|柑橘|蜜柚"
    r"|红枣|大枣|核桃|板栗|香醋|陈醋|黄酒|白酒|茶叶|绿茶|红茶|毛尖|花椒|辣椒|木耳|香菇|粉条|挂面|腊肉|烤鸭"
    r"|大闸蟹|葡萄|茶))(?=[、，,和及与等的]|品牌)"
)
# A platform or centre branded with the place (智慧安福中心, 数字吉安平台, 掌上邯郸APP): a name.
_BRAND_BEFORE = ("智慧", "数字", "掌上", "云上")
_BRAND_AFTER = re.compile(r"(?:服务|指挥|运营|政务)?(?:中心|平台|大厅|APP|app)")
_QUOTE_REACH = 4  # characters of a quoted term on either side of the name
_BOUNDARY_CHARS = re.compile(r"[，,。；;、：:\s]")
_BRANCH = ("分校", "校区")
_SCHOOLS = ("学校", "中学", "小学", "学院", "大学")
_COMPANY_NEXT = re.compile(r"(?:集团|股份|控股|实业|公司)")
# Units below a county named after their town or community (广安代表联络站, 惠安联络站, 阳江中心社,
# …派出所): the local name, not a prefecture or county.
_LOCAL_UNIT = re.compile(
    r"(?:人大)?(?:代表)?(?:联络站|之家|工作站)|中心社|中心供销社|派出所|卫生院|司法所|财政所"
)
# The rest of a company's registered name after the place it heads (嘉兴|爱德曼氢能源装备有限公司):
# one run of characters with no list break, particle or visit word in it.
_REGISTERED = re.compile(
    r"[^\s，,。；;、：:“”（）()的和与及等在赴到]{1,14}?(?:股份有限公司|有限责任公司|有限公司)"
    r"|[^\s，,。；;、：:“”（）()的和与及等在赴到市县区省]{2,4}?集团"  # 上海|钜成集团
)
_VISIT_WORD = re.compile(r"考察|调研|参观|学习|交流|座谈|走访|对接|洽谈|观摩|来到|前往|进行")
# Region compounds that read as a chain of abbreviations (赴京津冀学习考察 names no host).
_REGION_COMPOUNDS = ("京津冀",)
# What a person does or is right after the name (会议张安顺主持, 斯朗尼玛常务副市长带队).
_PERSON_NEXT = re.compile(
    r"(?:主持|讲话|出席|强调|指出|表示|同志|说|介绍|参加|陪同|会见|一行|等|常务|副|书记|市长|县长|区长|带领|带队|率"
    r"|主任|局长|部长|委员)"
)
# Surname characters that are far more often a word of their own before a place (和, 于, 向, 时).
_NOT_SURNAME = frozenset("和于向时区党及与同")
# One-character words for a built thing named after a place (中山|桥, 安国|寺, 文峰|塔): the thing.
_BRIDGE = frozenset("桥寺庙庵塔")
# Carrying on a spirit named for a place (弘扬右玉精神, 传承延安精神).
_CARRIED_ON = re.compile(r"(?:弘扬|传承|发扬|践行|秉承|赓续|继承)(?:好|了)?$")
_REGION_NEXT = re.compile(r"(?:珠三角|长三角|粤港澳|京津冀|等地|两地|三地)")
# The verb, then the abbreviation (searched from the verb: a lookbehind tried at every character
# of the text is several times slower).
_PLAIN_ABBR = re.compile(
    r"(?:返[京沪津渝]|进京)"
    r"(?![津冀沪港])"  # 推进京津冀: a compound, not 进京
)
_MUNICIPALITIES = frozenset({"北京", "上海", "天津", "重庆"})
_TOWN = frozenset("镇乡")  # a county's short name before 镇/乡 names a town (锦屏镇)
_VILLAGE_AHEAD = re.compile(r"[\u4e00-\u9fff]{1,3}?村(?![镇级])")
_NOT_MOTION_BEFORE = {
    "来": frozenset("以带迎未从原本将后起出看近引招回归"),
    "到": frozenset("受得达感遇提想看找听收接说见办做回识意"),
    "达": frozenset("表传转下发送"),
    "往": frozenset("以过交来"),
    "临": frozenset("面光降"),
    "进": frozenset("推促引先增改跟演精"),
}
_ABBR_NEXT = (
    "考察",
    "调研",
    "访问",
    "交流",
    "学习",
    "参观",
    "洽谈",
    "对接",
    "出席",
    "参加",
    "招商",
    "推介",
    "拜访",
    "走访",
    "观摩",
    "座谈",
    "会谈",
    "期间",
    "指导",
    "慰问",
    "开展",
    "进行",
    "签约",
    "取经",
    "看望",
    "考查",
)
_ARRIVE = frozenset("抵莅")
_LIST_NEXT = frozenset("、等和及")  # a place listed on: 赴永康、宁波

# Word boundaries (jieba): the segmented window around a candidate and the rules on it.
_SEG_PAD = 6
_SEG_AHEAD = 12
_FULL_SUFFIX = frozenset("省市县区旗盟州")
_GLUE = frozenset("与和及在赴到至对向从于来抵好")  # 履行|好三沙: a verb's complement
_NAME_TAGS = frozenset({"nr", "nrfg", "nrt"})
_SURNAME_TAGS = _NAME_TAGS | {"zg"}  # jieba tags a lone surname 刘 as zg
_ORG_TAGS = frozenset({"nt", "nz"})
# jieba's tags for the first part of a two-part name (斯朗 nr, 次仁 ng, 扎西 ns)
_NAME_PART_TAGS = _NAME_TAGS | {"ng", "ns", "nz"}
# The tail of a word that begins with a place name and still means the place (北京市政府,
# 深圳经济特区, 天津港).
_POLITY_TAIL = re.compile(
    r"(政府|党委|市委|县委|区委|人大|政协|委员会|局|厅|办|海关|代表团|考察团|特区|新区|园区|兵团|"
    r"自贸区|港|站|机场)$"
)
# The tail of a word that makes it an institution, a landmark or water (深圳大学, 中山纪念堂).
_THING_TAIL = re.compile(
    r"(大学|学院|学校|中学|小学|高中|[一二三四五六七八九十]中|医院|公司|集团|银行|交易所|研究院|研究所|日报|晚报|电视台|"
    r"纪念堂|纪念馆|博物馆|血站|园|河|江|湖|湾|溪|山|岭|峰|瀑布|水库|街道|大街|日报社|报社|平原|商会|寺|庙|庵|桥"
    r"|(?:交|财|师|农|医|工|科|政|林|海)大)$"  # a university's short name (上海交大, 南京农大)
)
# A run of nouns after the name that ends in an institution (北京|证券|交易所,
# 北京|福|盛德|…|有限公司).
_INSTITUTION = re.compile(
    r"(交易所|有限公司|股份公司|集团|大学|学院|银行|分院|研究所|研究院|中学|小学|学校|高中|日报社|报社|团校|党校"
    r"|医院|公司|剧院|博物馆|纪念馆|陵园|日报|晚报|联盟|血站|福利院|支行"
    r"|庄园|农庄|果园|茶园"  # 七星名果庄园: a farm's name, not 桂林's 七星区
    r"|[一二三四五六七八九十]+中|[一二三四五六七八九十]+小)$"
)
_RESEARCH = re.compile(r"研究所|研究院|分院")
# Institutions that stand in the place they are named after when a party goes there.
_HALLS = ("博物馆", "纪念馆", "陵园")
# A landmark named after a county (丹凤|公园, 东湖|广场): the landmark, not the county.
_LANDMARKS = frozenset(
    {
        "公园",
        "广场",
        "大道",
        "大街",
        "大桥",
        "小区",
        "景区",
        "古镇",
        "花园",
        "平原",
        "流域",
        "盆地",
        "街道",
        "商会",
    }
)
# adjectives, idioms and distinguishing words inside an institution's name
# (太原|孤残|儿童|特殊教育|学校)
_MODIFIER_TAGS = frozenset({"an", "a", "l", "b"})
_NOUN_TAGS = frozenset({"n", "nz", "nt", "nr", "nrfg", "nrt", "ns", "vn", "j", "ng", "zg", "l"})
_WATER = frozenset("湖河江溪")
# A head's title ending in 长 glued to a given name that begins like a place (统战部长沙琳,
# 副市长春华): 部长, 局长, 副市长…, then one or two characters and the name's end.
_HEAD_OF = re.compile(r"(?:[部局厅处科站队组]|副[省市县区])$")
_GIVEN_NAME = re.compile(r"([\u4e00-\u9fff]{0,2}?)(?:[，,、。；）)]|同志|等|一行|主持|带队|率)")
_BODY_END = tuple("局所行处站院校部区县市州省镇乡村")
# A place whose name begins with a town's character, right after another place's name and then
# ending the item (苏州镇江两地, 扬州镇江等市; not 柳林镇安置点).
_NEXT_PLACE = re.compile(r"[镇乡][\u4e00-\u9fff](?:[市县区两三、和及与等，,。；]|地区)")
_TITLES = (
    "书记",
    "市长",
    "县长",
    "区长",
    "省长",
    "主任",
    "局长",
    "部长",
    "厅长",
    "主席",
    "委员",
    "同志",
    "秘书长",
    "董事长",
    "总经理",
    # ranks before a name (一级调研员尼玛潘多, 二级巡视员…)
    "调研员",
    "巡视员",
)
# Datelines: 本报泸州专电, 新华社北京6月11日电, 中国经济网北京6月12日讯, 央广网北京1月2日消息,
# 黑龙江日报新疆阿勒泰12日电, 新华社北京/河北保定11月10日电, 记者李玲玉北京报道.
_DATELINE_BEFORE = re.compile(
    r"(?:新华社|中新社|本报|日报|晚报|时报|网|台|电视台|通讯社|记者[\u4e00-\u9fff]{0,3})"
    r"(?:[\u4e00-\u9fff]{2,3}/)?(?:[\u4e00-\u9fff]{2,3}?(?:省|自治区)?)?$"
)
_DATELINE_AFTER = re.compile(
    r"(?:/[\u4e00-\u9fff]{2,6})?[0-9０-９]{0,2}月?[0-9０-９]{0,2}日?(专电|电|讯|消息|报道)"
)
# An outlet named after its place and the word that opens its report: 儋州市融媒体中心消息.
_OUTLET_BYLINE = re.compile(
    r"(?:融媒体中心|融媒中心|新闻中心|广播电视台|电视台|日报|晚报|新闻网|政府网)"
    r"(?:记者[\u4e00-\u9fff]{2,3})?[0-9０-９]{0,2}月?[0-9０-９]{0,2}日?(?:讯|消息|报道)"
    # 拉萨融媒南京电: the outlet's place, then where the report was filed
    r"|(?:融媒|融媒体)[\u4e00-\u9fff]{0,3}?[0-9０-９]{0,2}月?[0-9０-９]{0,2}日?(?:电|讯)"
)
# What follows a bracketed place in an organisation's or a park's name (…（北京）有限公司,
# 深圳（哈尔滨）产业园区, 中国长城（黑龙江）计算机智能制造基地).
_BRACKET_TAIL = re.compile(
    r"[\u4e00-\u9fff]{0,10}?(?:有限公司|有限责任公司|股份公司|公司|集团|产业园区|产业园|园区|工业园|基地"
    r"|研究院|研究所|实验室|中心|科技|实业|控股)"
)
_BRACKET_REACH = 8  # characters a bracketed place may take
# Brackets, full- or half-width: a company's place is written (上海) as often as （上海）.
_OPEN = frozenset("（(")
_CLOSE = frozenset("）)")
_CLOSE_RE = re.compile(r"[）)]")
# A company's form right after its bracketed place (…（北京）有限公司, …（天津）股份有限公司,
# …（宿迁）科技有限公司), not words that go on to another name (杭州高新区（滨江）内的…集团).
_BRACKET_COMPANY = re.compile(
    r"(?:(?!的)[\u4e00-\u9fff]){0,4}?(?:股份有限公司|有限责任公司|有限公司|股份公司|公司|集团)"
)
# The Eight Banners (满洲镶黄旗, 汉军正白旗): a Qing affiliation, not a banner county; not
# 内蒙古正蓝旗, the county.
_BANNER = re.compile(r"[正镶][黄白红蓝]旗")
_BANNER_ARMY = re.compile(r"(?:满洲|汉军|(?<!内)蒙古|八旗)$")
_BANNER_REACH = 4
_CJK = re.compile(r"[\u4e00-\u9fff]")
_DATELINE_REACH = 14  # characters before a dateline's place that may hold the outlet
# A bare county short name in a frame that makes it a place (青州党政代表团, 赴临淄考察).
_POLITY_AFTER = re.compile(r"(党政|代表团|考察团|县委|区委|市委|县政府|区政府|市政府|人大|政协)")
# What makes a suffix-only name (大兴安岭) the prefecture: 地区 or a polity right after it.
_SUFFIX_FRAME = re.compile(
    r"地区|地委|行署|行政公署|党政|代表团|考察团|人大|政协|委员会|政府|市委|区委|县委|纪委|组织部|宣传部"
)
_ARRIVE_NEXT = frozenset("，,。后时当参考调访开出")
_ABBR_NEXT_STAY = ("期间", "考察", "调研", "访问", "参观", "学习", "交流", "洽谈", "对接", "走访")


@dataclass(slots=True)
class Mention:
    """A place named in the folded text at ``start:end``."""

    start: int
    end: int
    place: Place
    strength: Strength
    abbr: bool = False  # a one-character abbreviation in a visit frame (the verb precedes it)
    self_ref: bool = False  # 我市, 本市, 我省
    # a town of a city without counties (儋州's 南丰镇): not lifted to the city, which it names
    # only as the party of a visit (雅星镇村干部赴贵州省…)
    town: bool = False

    @property
    def name(self) -> str:
        return self.place.city or self.place.province


class PlaceMatcher:
    """Finds and resolves place mentions in folded text."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        patterns = list(gazetteer.entries)
        self._entries = [gazetteer.entries[p] for p in patterns]
        self._index = {p: i for i, p in enumerate(patterns)}
        self._ac = ahocorasick_rs.AhoCorasick(
            patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
        )
        self._framed_places = list(gazetteer.framed_shorts.values())
        self._framed_ac = ahocorasick_rs.AhoCorasick(
            list(gazetteer.framed_shorts), matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
        )
        abbr_patterns = [v + c for c in gazetteer.abbreviations for v in _ABBR_VERBS]
        self._abbr_places = [gazetteer.abbreviations[p[1]] for p in abbr_patterns]
        self._abbr_ac = ahocorasick_rs.AhoCorasick(
            abbr_patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
        )

    def find(
        self, text: str, publisher_city: str | None, publisher_province: str | None
    ) -> list[Mention]:
        """All mentions in ``text``, sorted by position, weak ones included (caller decides)."""
        gaz = self.gazetteer
        if publisher_city and not publisher_province:
            publisher_province = gaz.province_of_city.get(publisher_city)
        raw: list[tuple[int, int, int]] = self._ac.find_matches_as_indexes(text)
        covered: list[tuple[int, int]] = []
        strong: list[Mention] = []
        pending: list[tuple[int, int, int]] = []
        weak: list[Mention] = []
        queue = list(reversed(raw))

        # jieba's words around a name, each window segmented once in this text (a name that cuts
        # a word is asked again whether it is a word of its own)
        @functools.cache
        def segment(start: int, end: int) -> list[Token]:
            return _tokens(text, start, end)

        while queue:
            idx, start, end = queue.pop()
            if covered and start < covered[-1][1]:
                continue  # overlaps a name found again after a word-cutting match (below)
            entry = self._entries[idx]
            if not entry.short and text.startswith("市场", end - 1):
                short = self._index.get(text[start : end - 1])
                if short is not None:  # 龙井|市场, 义乌|市场: a market; the name alone is short
                    idx, end, entry = short, end - 1, self._entries[short]
            covered.append((start, end))
            if entry.block:
                continue
            prev_end = covered[-2][1] if len(covered) > 1 else -1
            if not entry.self_ref and _cuts_word(
                text, start, end, entry.short, prev_end, segment, self._known, self._head
            ):
                covered.pop()
                # 介绍兴安盟: 绍兴 cuts 介绍; look again for a name starting inside it, but not
                # one across the end of a name the segmenter reads as a word of its own
                # (陕西|安康恒安…公司 heads a company's name: 西安 is no name there).
                nxt = queue[-1][1] if queue else len(text)
                again = self._ac.find_matches_as_indexes(text[start + 1 : max(nxt, end) + 16])
                whole = _own_word(segment(start, end), start, end)
                queue.extend(
                    (i, start + 1 + s, start + 1 + e)
                    for i, s, e in reversed(again)
                    if s + start + 1 < end and not (whole and start + 1 + e > end)
                )
                queue.sort(key=lambda m: -m[1])
                continue
            if _dateline(text, start, end):
                continue
            if entry.self_ref:
                if text.startswith("场", end) and text[start] == "本":
                    continue  # 资本|市场, 日本|市场: a market, not 本市
                place = self._self_place(entry.self_ref, publisher_city, publisher_province)
                if place is not None:
                    strong.append(Mention(start, end, place, Strength.STRONG, self_ref=True))
                continue
            if entry.short and _is_street(text, end):
                continue
            if (
                entry.short
                and all(p.level == "county" for p in entry.places)
                and _town_named(text, end, queue[-1][1] if queue else len(text))
            ):
                continue  # 来到东河乡, 赴临江铺镇: a town named like a county, not the county
            if entry.short and text.startswith("小区", end):
                continue  # 宜阳小区: a housing estate's name
            if publisher_city and _homes_own_name(text, start, end, publisher_city):
                # 清河区 on 淮安's site, a bare 滨海新区 on 绍兴's: the home's own
                home = Place(publisher_city, gaz.province_of_city[publisher_city], "county")
                strong.append(Mention(start, end, home, Strength.STRONG))
                continue
            if (
                publisher_city
                and entry.short
                and text.endswith(_HOME_OWN, 0, start)
                and all(p.city != publisher_city for p in entry.places)
            ):
                continue  # 我区广安代表站, 我市杭州湾新区: a local name of the home's
            if entry.short and _COMPANY_NEXT.match(text, end):
                continue  # 赴海兴集团: the company's name
            if entry.short and text.startswith(_BRANCH, end) and text.endswith(_SCHOOLS, 0, start):
                continue  # 实验学校|天水|分校: a school's branch, named after its own area
            if entry.short and _LOCAL_UNIT.match(text, end) and not _visited(text, start):
                continue  # 广安代表联络站, 阳江中心社: a local unit named after its own area
            if entry.short and _registered_name(text, end) and not _visited(text, start):
                continue  # 考察了…、浙江嘉兴爱德曼氢能源装备有限公司: where it is registered
            if text.endswith(_BRAND_BEFORE, 0, start) and _BRAND_AFTER.match(text, end):
                continue  # 在智慧安福中心: a branded centre's name
            if _quoted_term(text, start, end) and all(p.level == "county" for p in entry.places):
                continue  # “大城管”: a coined term in quotes that a county's name starts
            if _PRODUCT_NEXT.match(text, end) and all(p.level == "county" for p in entry.places):
                continue  # 怀仁羊肉、偏关小米: a county's product brand in a list
            if _EVENT.match(text, end):
                continue  # 北京冬奥会, 杭州亚运会: an event's name
            if _BANNER.fullmatch(text, start, end) and _BANNER_ARMY.search(
                text, max(0, start - _BANNER_REACH), start
            ):
                continue  # 满洲镶黄旗人: one of the Eight Banners, not 锡林郭勒's 镶黄旗
            if _bracketed_name(text, start, end, prev_end, self.gazetteer.entries):
                continue  # 阳光资产管理（北京）有限公司, 深圳（哈尔滨）产业园区: parts of a name
            if text.startswith(("办事处", "联络处"), end) or (
                text[start - 1 : start] == "驻" and _OFFICE_AHEAD.match(text, end)
            ):
                continue  # 省政府驻上海(天津)办事处, 驻京办: an office's name
            if _UTILITY.match(text, end) and not _visited(text, start):
                continue  # 国网鹤岗供电公司: a utility's branch, named after its city
            if text[start:end] in gaz.suffix_only and not _SUFFIX_FRAME.match(text, end):
                continue  # 大兴安岭 the range; 大兴安岭地区, 大兴安岭地委 are the prefecture
            if (
                entry.strength is Strength.STRONG
                and publisher_city
                and entry.places[0].city != publisher_city
                and text[start:end] in gaz.nicknames
            ):
                # “共建多彩泉城” on 邢台's site: another city's nickname on a home's site is a
                # slogan or an epithet another city shares, unless the city is named or visited
                weak.append(Mention(start, end, entry.places[0], Strength.WEAK))
            elif entry.strength is Strength.STRONG or (
                # 推进中国式现代化鹤城实践 on 齐齐哈尔's site: the home's own nickname
                publisher_city
                and entry.places[0].city == publisher_city
                and text[start:end] in gaz.weak_nicknames
            ):
                strong.append(Mention(start, end, entry.places[0], Strength.STRONG))
            elif entry.strength is Strength.WEAK:
                weak.append(Mention(start, end, entry.places[0], Strength.WEAK))
            else:
                pending.append((idx, start, end))
        if strong or pending or weak:
            persons = _PersonNames(text, {e for _s, e in covered})
            strong = [m for m in strong if not persons.holds(m.start, m.end)]
            pending = [p for p in pending if not persons.holds(p[1], p[2])]
            weak = [m for m in weak if not persons.holds(m.start, m.end)]
        starts = [m.start for m in strong]
        resolved = []
        for idx, start, end in pending:
            lo = bisect_left(starts, start - WINDOW - 16)
            hi = bisect_right(starts, end + WINDOW)
            near = strong[lo:hi]
            m = self._resolve(idx, start, end, near, publisher_city, publisher_province)
            if m is not None:
                resolved.append(m)
            elif len(places := self._entries[idx].places) == 1 and places[0].city:
                # 青州党政代表团, 赴临淄考察: the frame makes a unique county name a place;
                # 赴昆山考察 without a polity or a visit word still serves in a visit frame.
                framed = places[0].level == "county" and _framed(text, start, end)
                level = Strength.CONTEXT if framed else Strength.WEAK
                (resolved if framed else weak).append(Mention(start, end, places[0], level))
        mentions = strong + resolved
        everyday = self._framed_shorts(text, covered, mentions)
        if everyday:
            persons = _PersonNames(text, {e for _s, e in covered})
            mentions.extend(m for m in everyday if not persons.holds(m.start, m.end))
        mentions.extend(
            self._abbreviations(text, covered, mentions, publisher_city, publisher_province)
        )
        mentions.extend(self._plain_abbreviations(text, covered, mentions))
        mentions.extend(self._home_districts(text, covered, publisher_city))
        mentions.extend(weak)
        mentions.sort(key=lambda m: m.start)
        mentions = self._prefecture_abbreviations(text, mentions)
        for m in mentions:
            m.town = text[m.start : m.end] in gaz.towns
        return self._city_chains(text, mentions)

    def _city_chains(self, text: str, mentions: list[Mention]) -> list[Mention]:
        """取经龙泉厦, 对标苏锡常: a run of three or four characters, each naming one city of a
        province the article names (福建, 赴闽), one city per character (龙岩, 泉州, 厦门)."""
        provinces = {m.place.province for m in mentions if m.place.level == "province"}
        if not provinces:
            return mentions
        taken = {m.start for m in mentions if m.strength is not Strength.WEAK}
        added: list[Mention] = []
        for run in _CHAIN_RUN.finditer(text):
            word = run.group("run")
            if run.start("run") in taken or len(set(word)) < len(word):
                continue
            for province in provinces:
                cities = [self._chain_city(province, char) for char in word]
                if all(cities) and len(set(cities)) == len(cities):
                    at = run.start("run")
                    added += [
                        Mention(at + i, at + i + 1, Place(city, province, "city"), Strength.STRONG)
                        for i, city in enumerate(cities)
                        if city
                    ]
                    break
        if not added:
            return mentions
        spans = {m.start for m in added}
        kept = [m for m in mentions if not spans & set(range(m.start, m.end))]  # 龙泉 (丽水)
        return sorted([*kept, *added], key=lambda m: (m.start, m.end))

    def _chain_city(self, province: str, char: str) -> str | None:
        """The one city of ``province`` whose short name holds ``char`` (锡 -> 无锡), or None."""
        found = [
            c for c in self.gazetteer.cities_in.get(province, ()) if char in c and c != province
        ]
        return found[0] if len(found) == 1 else None

    def _prefecture_abbreviations(self, text: str, mentions: list[Mention]) -> list[Mention]:
        """巴州考察团 beside 巴音郭楞蒙古自治州: an autonomous prefecture the text names, called by
        its first character and 州, not the county 巴州区 of 巴中; so is one right after the name of
        its own province (新疆巴州学习考察团), when that province has one such prefecture."""
        gaz = self.gazetteer
        named = {m.place.city for m in mentions if m.place.city in gaz.autonomous}
        out: list[Mention] = []
        for m in mentions:
            word = text[m.start : m.end]
            if len(word) == 2 and word[1] == "州" and m.place.level == "county":
                prev = out[-1].place if out and out[-1].end == m.start else None
                own = [city for city in named if city and city[0] == word[0]]
                if prev and prev.level == "province" and prev.province != m.place.province:
                    own = [  # 新疆巴州: 新疆's 巴音郭楞, not 四川's 巴州区
                        c
                        for c in gaz.autonomous
                        if c[0] == word[0] and gaz.province_of_city[c] == prev.province
                    ]
                    named.update(own)  # the same 巴州 further on (…带队的巴州考察团)
                if len(own) == 1:
                    province = self.gazetteer.province_of_city[own[0]]
                    m = Mention(m.start, m.end, Place(own[0], province, "city"), Strength.STRONG)
            out.append(m)
        return out

    def _self_place(
        self, kind: str, publisher_city: str | None, publisher_province: str | None
    ) -> Place | None:
        if kind == "city" and publisher_city in self.gazetteer.province_of_city:
            assert publisher_city is not None
            return Place(publisher_city, self.gazetteer.province_of_city[publisher_city], "city")
        if kind == "province" and publisher_province:
            return Place(None, publisher_province, "province")
        return None

    def _resolve(
        self,
        idx: int,
        start: int,
        end: int,
        strong: list[Mention],
        publisher_city: str | None,
        publisher_province: str | None,
    ) -> Mention | None:
        """Pick the candidate whose city (best) or province is named nearby, or the publisher's."""
        entry = self._entries[idx]
        best: tuple[int, Place] | None = None
        tie = False
        for place in entry.places:
            score = 0
            for m in strong:
                if m.end < start - WINDOW or m.start > end + WINDOW or m.self_ref:
                    continue
                if place.city and m.place.city == place.city:
                    score = max(score, 3)
                elif m.place.level == "province" and m.place.province == place.province:
                    score = max(score, 2)
            if score == 0 and place.city and place.city == publisher_city:
                score = 2
            elif score == 0 and place.province == publisher_province:
                score = 1
            if score == 0:
                continue
            if best is None or score > best[0]:
                best, tie = (score, place), False
            elif score == best[0] and place != best[1]:
                tie = True
        if best is None or tie:
            return None
        return Mention(start, end, best[1], Strength.CONTEXT)

    def _abbreviations(
        self,
        text: str,
        covered: list[tuple[int, int]],
        mentions: list[Mention],
        publisher_city: str | None,
        publisher_province: str | None,
    ) -> list[Mention]:
        found: list[Mention] = []
        covered_starts = [s for s, _e in covered]
        named = {m.name for m in mentions}
        for idx, start, end in self._abbr_ac.find_matches_as_indexes(text):
            verb = text[start]
            pos = end - 1
            i = bisect_right(covered_starts, pos) - 1
            if i >= 0 and covered[i][1] > pos:
                continue  # part of a longer name (来青岛) or of a phrase that is not a place
            banned = _NOT_MOTION_BEFORE.get(verb)
            if banned and start > 0 and text[start - 1] in banned:
                continue
            follow = text[end : end + 2]
            chain = self._abbr_chain(text, end)  # 赴鲁粤考察, 赴苏浙沪学习: several at once
            if chain:
                follow = text[chain[-1] + 1 : chain[-1] + 3]
            arrived = verb in _ARRIVE and follow[:1] in _ARRIVE_NEXT  # 抵京，拜访…
            # 率团访港的江西省省长, 晤访港江西省省长: 访 and the abbreviation name the trip
            arrived = arrived or (verb == "访" and (follow[:1] == "的" or follow in named))
            # 赴京津珠三角考察: a chain of abbreviations, then a region of the same trip
            arrived = arrived or bool(chain and _REGION_NEXT.match(text, chain[-1] + 1))
            # 率队赴京在…研究院考察调研: the stay's place follows the trip
            arrived = arrived or (verb == "赴" and follow[:1] == "在")
            if not arrived and follow not in (_ABBR_NEXT_STAY if verb == "在" else _ABBR_NEXT):
                continue
            if text.startswith(_REGION_COMPOUNDS, pos):
                continue  # 赴京津冀学习考察: a region, not three places
            place = self._pick(self._abbr_places[idx], named, publisher_city, publisher_province)
            if place is not None:
                found.append(Mention(pos, end, place, Strength.STRONG, abbr=True))
            for at in chain:
                places = self.gazetteer.abbreviations[text[at]]
                more = self._pick(places, named, publisher_city, publisher_province)
                if more is not None:
                    found.append(Mention(at, at + 1, more, Strength.STRONG, abbr=True))
        return found

    def _framed_shorts(
        self, text: str, covered: list[tuple[int, int]], mentions: list[Mention]
    ) -> list[Mention]:
        """赴永康、宁波、泉州学习考察, 到宝应考察: a county whose short name is also an everyday
        word, named right after a verb of going with the visit or a list of places going on, or
        listed after another place of the trip (赴宁波、永康考察)."""
        found: list[Mention] = []
        covered_starts = [s for s, _e in covered]
        ends = {m.end for m in mentions if m.strength is not Strength.WEAK}
        ends |= {e + 1 for e in ends if text[e : e + 1] in ("市", "县", "区")}
        for idx, start, end in self._framed_ac.find_matches_as_indexes(text):
            i = bisect_right(covered_starts, end - 1) - 1
            if i >= 0 and covered[i][1] > start:
                continue  # inside a longer name or a phrase (大兴安岭, 平遥古城 is 平遥's)
            follow = text[end : end + 2]
            going = text.endswith(_GOING_VERBS, 0, start) or text.endswith("到", 0, start)
            listed = text[start - 1 : start] == "、" and start - 1 in ends
            if not (going or listed):
                continue
            if follow in _ABBR_NEXT or follow[:1] in _LIST_NEXT or follow == "古城":
                found.append(Mention(start, end, self._framed_places[idx], Strength.CONTEXT))
                ends.add(end)
        return found

    def _plain_abbreviations(
        self, text: str, covered: list[tuple[int, int]], mentions: list[Mention]
    ) -> list[Mention]:
        """返京, 进京: a municipality's abbreviation the verb makes plain (not 在京召开, which
        names no trip), a place rather than a visit frame's end."""
        covered_starts = [s for s, _e in covered]
        taken = {m.start for m in mentions if m.strength is not Strength.WEAK}
        found = []
        for m in _PLAIN_ABBR.finditer(text):
            pos = m.start() + 1  # the abbreviation after its verb
            i = bisect_right(covered_starts, pos) - 1
            if pos in taken or (i >= 0 and covered[i][1] > pos):
                continue
            places = self.gazetteer.abbreviations.get(text[pos], ())
            if len(places) == 1:
                found.append(Mention(pos, pos + 1, places[0], Strength.STRONG))
        return found

    def _home_districts(
        self, text: str, covered: list[tuple[int, int]], publisher_city: str | None
    ) -> list[Mention]:
        """桥东区 on 张家口's site: a district name several cities share, too plain to match
        anywhere (the gazetteer leaves it out), is the home's own on the home's site; not after
        another place (石家庄市桥东区) or inside a longer word."""
        names = self.gazetteer.home_generic.get(publisher_city or "", ())
        if not names or publisher_city is None:
            return []
        province = self.gazetteer.province_of_city[publisher_city]
        found = []
        for name in names:
            for at in _occurrences(text, name):
                if any(s < at + len(name) and at < e for s, e in covered):
                    continue
                # right after a place, only the home's name (张家口市桥东区) leaves it the home's
                before = [text[s:e] for s, e in covered if e == at]
                if before and before[0].removesuffix("市") != publisher_city:
                    continue
                place = Place(publisher_city, province, "county")
                found.append(Mention(at, at + len(name), place, Strength.STRONG))
        return found

    def _abbr_chain(self, text: str, at: int) -> list[int]:
        """Positions of the province abbreviations that follow one at ``at - 1`` (赴鲁|粤考察):
        up to three, each a province's (湘, 渝, 粤, 苏, 浙, 沪...), not any city's first
        character."""
        chain: list[int] = []
        while len(chain) < _MAX_CHAIN and at < len(text):
            places = self.gazetteer.abbreviations.get(text[at], ())
            if not places or not all(
                p.level == "province" or p.city in _MUNICIPALITIES for p in places
            ):
                break
            chain.append(at)
            at += 1
        return chain

    def _known(self, word: str) -> bool:
        """A gazetteer name (not a blocking phrase)."""
        entry = self.gazetteer.entries.get(word)
        return entry is not None and not entry.block

    def _head(self, word: str) -> bool:
        """A province or prefecture by a name that stands alone."""
        e = self.gazetteer.entries.get(word)
        return bool(
            e and e.strength is Strength.STRONG and e.places[0].level in ("province", "city")
        )

    @staticmethod
    def _pick(
        places: tuple[Place, ...],
        named: set[str],
        publisher_city: str | None,
        publisher_province: str | None,
    ) -> Place | None:
        if len(places) == 1:
            return places[0]
        for place in places:
            if place.city and place.city == publisher_city:
                return place
            if place.level == "province" and place.province == publisher_province:
                return place
        hits = [p for p in places if (p.city or p.province) in named]
        return hits[0] if len(hits) == 1 else None


class _PersonNames:
    """A person whose given name is a place name (张安顺, 王丽江): once the text shows the three
    characters as a person (市委书记张安顺, 张安顺率…代表团, 张安顺主持), every place reading
    of them in the text is the person too (张安顺代表市委…, 张安顺在座谈会上)."""

    def __init__(self, text: str, name_ends: Container[int]) -> None:
        self.text = text
        self.name_ends = name_ends  # 江苏|南京, 上海|江苏: a name's last character, no surname
        self.seen: dict[str, bool] = {}

    def holds(self, start: int, end: int) -> bool:
        """The two-character name at ``start:end`` is the given name of a person."""
        text = self.text
        if end - start != 2 or start == 0 or text[start - 1] in _NOT_SURNAME:
            return False
        if start in self.name_ends:
            return False
        if not is_surname(text[start - 1]):
            return False
        name = text[start - 1 : end]
        known = self.seen.get(name)
        if known is None:
            known = self.seen[name] = any(
                _PERSON_NEXT.match(text, at + 3) or text.endswith(_TITLES, 0, at)
                for at in _occurrences(text, name)
            )
        return known


def _occurrences(text: str, word: str) -> list[int]:
    found = []
    at = text.find(word)
    while at >= 0:
        found.append(at)
        at = text.find(word, at + 1)
    return found


def _quoted_term(text: str, start: int, end: int) -> bool:
    """The name is part of a short quoted term, one character more than the name (“大城管”):
    a coined word, not the name alone or with its suffix (“大城县”), nor a named model or spirit
    of the place (“晋江经验”, “井冈山精神”)."""
    open_at = text.rfind("“", max(0, start - _QUOTE_REACH), start + 1)
    if open_at < 0 or "”" in text[open_at:start]:
        return False
    close_at = text.find("”", end, end + _QUOTE_REACH + 1)
    if close_at < 0 or "“" in text[end:close_at]:
        return False
    term = text[open_at + 1 : close_at]
    rest = term.replace(text[start:end], "", 1)
    return len(rest) == 1 and rest not in _FULL_SUFFIX and not _BOUNDARY_CHARS.search(term)


_TOWN_AFTER = re.compile(r"([\u4e00-\u9fff]?)([乡镇])")


def _town_named(text: str, end: int, next_name: int) -> bool:
    """A county's short name ending at ``end`` is a town's own name: 乡 or 镇 right after it, or
    after one more character (临江铺镇), and no other name starting at that 乡/镇 (江阴镇江,
    宁波镇海, 乡宁)."""
    town = _TOWN_AFTER.match(text, end)
    if town is None or town.group(1) in ("市", "县", "区", "旗", "州", "省", "盟"):
        return False
    if town.group(2) == "乡" and text.startswith(("乡村", "乡镇"), town.start(2)):
        return False  # 平度乡村振兴
    return next_name > town.start(2)


def _homes_own_name(text: str, start: int, end: int, home: str) -> bool:
    """The name at ``start:end`` is the home's own on its site: a district it has merged away
    whose name another prefecture still has, or a zone's name another city owns, written bare."""
    name = text[start:end]
    owner = _ZONE_NAMES.get(name)
    if owner and owner != home:
        return not text.endswith((owner, owner + "市", "津"), 0, start)
    return name in _FORMER.get(home, ())


def _is_street(text: str, end: int) -> bool:
    nxt = text[end : end + 1]
    if nxt == "路":
        return text[end : end + 2] not in _ROAD_OK
    if nxt == "街":
        return text[end + 1 : end + 2] not in _STREET_OK
    # 紫阳北大道, 人民东大街: a direction between the name and the avenue
    return text[end : end + 2] in _STREET_2 or (
        nxt in "东南西北中" and text[end + 1 : end + 3] in ("大道", "大街")
    )


def _tokens(text: str, start: int, end: int) -> list[Token]:
    """jieba's (start, end, word, tag) for a window of ``text`` around ``start:end``."""
    lo = max(0, start - _SEG_PAD)
    pos = lo
    out = []
    for word, tag in rjieba.tag(text[lo : min(len(text), end + _SEG_AHEAD)]):
        out.append((pos, pos + len(word), word, tag))
        pos += len(word)
    return out


def _own_word(tokens: list[Token], start: int, end: int) -> bool:
    """jieba (``tokens`` around the name) reads ``start:end`` as one word (陕西|安康, not
    介|绍兴|安)."""
    return any((s, e) == (start, end) for s, e, _word, _tag in tokens)


def _cuts_word(
    text: str,
    start: int,
    end: int,
    short: bool,
    prev_end: int,
    segment: Callable[[int, int], list[Token]],
    known: Callable[[str], bool],
    head: Callable[[str], bool] = lambda _word: False,
) -> bool:
    """True when the name at ``start:end`` is not a word of its own (see the module doc).

    ``prev_end`` is where the place name before it ends (山西|太原, 海东市|民和县 are fine
    whatever jieba joins); ``segment`` gives jieba's words around a name (``_tokens``);
    ``known`` tells a gazetteer name (南|沙湾区 does not cut 南沙).
    """
    if end - start > 3 and not short:
        return False
    full = not short and text[end - 1] in _FULL_SUFFIX
    before: Token | None = None
    after: Token | None = None
    own = ""  # jieba's tag of the name when it is a word of its own
    tokens = segment(start, end)
    for i, tok in enumerate(tokens):
        s, e, word, tag = tok
        if e < start:
            continue  # a word wholly before the name (the rules below look at none)
        if s > end:
            break  # nor at one wholly after it (an institution ahead starts right at its end)
        if (s, e) == (start, end):
            own = tag
        # 与康|县委: a one-character function word jieba glued to the name's first character
        glued = start - s == 1 and text[s] in _GLUE
        if (
            e - s > 3
            and s <= start
            and end <= e
            and (start - s, end - s) in _chain_cuts(word, known, head)
        ):
            continue  # 福建厦门, 辽宁大连: jieba's word is a chain of names, each one stands
        if s < start < e and prev_end != start and not known(word) and not glued:
            return True  # 介绍|兴安, 亚运|城市, 李长春, 入海口
        if e == start:
            before = tok
        elif s == end:
            after = tok
            if word.endswith("商会"):
                return True  # 贵州省温州|总商会: a chamber of a place's people elsewhere
            # 盐城市|东台市|中粮|集团: an address, place by place, before the company's name
            ahead = "" if _address_on(text, end, known) else _institution_ahead(tokens[i:])
            if ahead and not (
                # 赴武乡县太行干部学院: a party going to a place named in full, to its institution
                (ahead.endswith(("公司", "集团")) and _visited(text, start, listed=full))
                # (not a research institute: 赴郑州市果树研究所 is the central academy's, whose
                # name holds the city)
                or (
                    full
                    and text.endswith((*_GOING_VERBS, "来自"), 0, start)
                    and not _RESEARCH.search(ahead)
                )
                or (ahead.endswith(_HALLS) and _visited(text, start, strict=True))
            ):
                return True  # 北京|证券|交易所, but 赴深圳市|索佳|集团 goes to 深圳
        elif s < end < e and not full:
            if s > start:
                # 在巴|中国; but 浙江|建|德寿: a name right after another (its province) stands,
                # unless an institution's name runs on (安徽省潜|山野|寨|中学); so does a name
                # listed right after another (以太原、大|同等…城市为试点)
                if prev_end == start or (prev_end == start - 1 and text[start - 1] == "、"):
                    return bool(_institution_ahead(tokens[i + 1 :])) and not _visited(text, start)
                return not known(word)
            if e == end + 1 and word[-1] in _FULL_SUFFIX:
                continue  # 洪泽县 (now 洪泽区), whatever jieba tags it: the place, an old suffix
            tail = word[end - s :]
            if (
                short
                and s == start
                and e == end + 1
                and tag == "ns"
                and not known(word)
                and not _POLITY_TAIL.search(tail)  # 日照港, 青岛港: the place's own port
            ):
                return True  # 南城门, 长兴岛: one more character makes another place's name
            if _held_at(text, start, word, e):
                continue  # 在北京人民大会堂开幕: the venue stands in the place
            if _THING_TAIL.search(word) and not _POLITY_TAIL.search(tail):
                return True  # 深圳大学, 中山纪念堂, 伊通河, 上海交大
            if tag in _ORG_TAGS and not _POLITY_TAIL.search(word):
                return True  # 广州日报
            if tag in _NAME_TAGS:
                return True
    if (
        full
        and end - start == 2
        and before is not None
        and before[3] in _NAME_TAGS
        and len(before[2]) >= 2
    ):
        return True  # 书记刘宝武|随县考察团: 随 (with) after a person, not 随州's 随县
    if full:
        return False
    if text.startswith("长", start) and _HEAD_OF.search(text, max(0, start - 2), start):
        given = _GIVEN_NAME.match(text, end)
        if given and not given.group(1).endswith(_BODY_END):
            return True  # 统战部长|沙琳，: a head's title, then the name (长沙 is not there)
    if before is not None:
        if len(before[2]) == 1 and before[3] in _NAME_TAGS and end - start == 2:
            return True  # 王|桂林
        if before[2].endswith(_TITLES):
            return True  # 市委书记|宁波
        if len(before[2]) == 1 and end - start == 2 and _titled_surname(tokens, before):
            return True  # 副市长|刘|新余
        if _named_person(text, end, before, own, known):
            return True  # 会议张|安顺|主持, 斯朗|尼玛|常务副市长
    if short and text.startswith(("商会", "总商会"), end):
        return True  # 黄冈市武汉商会: a chamber of 武汉's people
    if (
        short
        and text.startswith("精神", end)
        and _CARRIED_ON.search(text, max(0, start - 6), start)
    ):
        return True  # 大力弘扬右玉精神: a spirit named for the place (not 景德镇精神提炼…小组)
    if after is not None and after[2] in _BRIDGE:
        return True  # 中山|桥, 安国|寺: a bridge or a temple named after the place
    if (
        short
        and text[end : end + 1] in _TOWN
        and not text.startswith("镇政府", end + 1)
        and not (_NEXT_PLACE.match(text, end) and known(text[end : end + 2]))
    ):
        return True  # 锦屏镇 is a town, not 黔东南's 锦屏县 (but 赴苏州镇江两地: two cities)
    if short and text[end : end + 1] == "村" and text[end + 1 : end + 2] not in "镇级":
        return True  # 萧山区佛山村 is a village, not the city 佛山
    if short and text[start - 1 : start] in _TOWN and _VILLAGE_AHEAD.match(text, end):
        return True  # 沙柳河镇|果洛藏贡麻村: a village's name after its town
    if (
        short
        and text[end + 1 : end + 2] in _TOWN
        and "\u4e00" <= text[end] <= "\u9fff"
        and text[end] not in _FULL_SUFFIX
        and text[end] not in "和及与至到"
        and not head(text[start:end])  # 浙江乌镇: a province's or prefecture's town, named after it
    ):
        return True  # 大田洼乡 is a township, not 三明's 大田县
    if after is not None and after[2] in _LANDMARKS and short and text[start - 1] not in "来赴到抵":
        return True  # 丹凤|公园, but 来阿尔山景区考察 goes to 阿尔山
    if (
        short
        and text[end : end + 1] in _WATER
        and not known(text[end : end + 2])
        and not known(text[end : end + 3])
    ):
        return True  # 跨越东阳江 (jieba: 东|阳江): a river named after the county, not 江山/江苏
    return after is not None and after[2] in _WATER  # 尖山|湖


def _held_at(text: str, start: int, word: str, end: int) -> bool:
    """``word`` (from ``start`` to ``end``) is a venue after 在 where something is held
    (在北京人民大会堂开幕, 在上海国际会议中心举行): it stands in the place it is named after."""
    return (
        text[start - 1 : start] == "在"
        and _VENUE.search(word) is not None
        and _HELD.match(text, end) is not None
    )


_VENUE = re.compile(r"(?:大会堂|会议中心|会展中心|博览中心|展览中心|体育中心|体育馆|大礼堂)$")
_HELD = re.compile(r"[^，。；]{0,12}?(?:举行|召开|开幕|闭幕|举办)")


def _address_on(text: str, end: int, known: Callable[[str], bool]) -> bool:
    """A county or district with its suffix right after the name (盐城市|东台市…集团):
    an address read place by place, not the first word of an institution's name."""
    return any(
        text[end + k - 1 : end + k] in ("市", "县", "区") and known(text[end : end + k])
        for k in (3, 4, 5)
    )


def _chain_cuts(
    word: str, known: Callable[[str], bool], head: Callable[[str], bool]
) -> set[tuple[int, int]]:
    """The spans of ``word`` when it is a province or prefecture followed by the names of places
    in it (福建|厦门, 辽宁|大连, 云南|昆明), else none (江汉|平原 is a plain, not two counties)."""
    if len(word) < 4:
        return set()

    def split(at: int) -> list[list[tuple[int, int]]]:
        if at == len(word):
            return [[]]
        out = []
        for stop in range(at + 2, min(len(word), at + 5) + 1):
            if known(word[at:stop]):
                out += [[(at, stop), *rest] for rest in split(stop)]
        return out

    return {
        span for parts in split(0) if len(parts) > 1 and head(word[: parts[0][1]]) for span in parts
    }


def _titled_surname(tokens: list[Token], surname: Token) -> bool:
    """A one-character surname-like token right after a title: a name that goes on."""
    i = tokens.index(surname)
    # 书记|张|安顺: jieba may tag the surname as a measure word (q)
    named = surname[3] in _SURNAME_TAGS or is_surname(surname[2])
    # a list of leaders too (市领导|田|金昌、刘…): 领导 heads names, not a place
    return named and i > 0 and tokens[i - 1][2].endswith((*_TITLES, "领导"))


def _named_person(
    text: str,
    end: int,
    before: Token,
    own: str,
    known: Callable[[str], bool],
) -> bool:
    """The name is the given name of a person: jieba reads it as a name (张|安顺 nr, 斯朗|尼玛 nrt,
    扎西|尼玛) after a surname or the first part of a name, and an act or title follows (主持,
    常务副市长)."""
    if own not in _NAME_TAGS or not _PERSON_NEXT.match(text, end):
        return False
    if before[3] in _NAME_PART_TAGS and len(before[2]) == 2 and not known(before[2]):
        return True
    return len(before[2]) == 1 and (before[3] in _SURNAME_TAGS or is_surname(before[2]))


def _registered_name(text: str, end: int) -> bool:
    """A company's registered name runs on right after the place name (嘉兴|爱德曼…有限公司), not
    a trip's words (嘉兴|考察了…有限公司) nor an address with its suffix (嘉兴市…)."""
    if text[end : end + 1] in _FULL_SUFFIX:
        return False
    found = _REGISTERED.match(text, end)
    return found is not None and not _VISIT_WORD.search(found.group())


def _visited(text: str, start: int, strict: bool = False, listed: bool = False) -> bool:
    """A visit verb right before the name: 赴山东信发集团 and 前往深圳市爱索佳公司 name where the
    party went (a company carries the place it is registered in; a school or an institute named
    after a place may stand elsewhere: 果洛西宁民族中学 is in 西宁)."""
    before = text[max(0, start - 12) : start]
    found = _VISITED.search(before)
    if found is None and listed:
        # a later item of the sites a party went to, a county named in full (赴南梁革命烈士纪念馆、
        # 宁县海升集团…; not a brand that begins with a county's short name: 盐津铺子, 东阿阿胶)
        return _LISTED_VISIT.search(text, max(0, start - _LISTED_REACH), start) is not None
    # a museum or a memorial stands in its place when a party goes there (赴延安革命纪念馆), not
    # when someone is just in it (在保定宴饮食博物馆听取…: the museum's name)
    # (在新疆|乌鲁木齐市…公司, 来到河南省|郑州市…集团)
    return found is not None and not (strict and found.group().startswith("在"))


def _institution_ahead(tokens: list[Token]) -> str:
    """The institution word that ends the run of nouns starting at ``tokens[0]``, or ''."""
    for _s, _e, word, tag in tokens[:6]:
        if _INSTITUTION.search(word):
            return word
        if _VISIT_WORD.search(word):
            return ""  # 到苏州|调研|学校建设: the trip's words, not a name's
        if (
            tag not in _NOUN_TAGS
            and tag not in _MODIFIER_TAGS
            and (tag, len(word)) != ("a", 1)
            and not (tag == "v" and len(word) > 1)
        ) or _POLITY_TAIL.search(word):  # (漳州|卫生|职业|学院: an adjectival noun goes on)
            return ""  # (南通|大|剧院: a one-character adjective goes on; 南京|森林|警察|学院,
            # 上海|应用|技术|大学: a verb jieba reads inside the name, not a visit's)
    return ""


def _bracketed_name(text: str, start: int, end: int, prev_end: int, places: Container[str]) -> bool:
    """The name is part of a company's name that carries its place in brackets
    (首建阳光资产管理（北京）有限公司, 参观长电科技（宿迁）有限公司: the place it is registered
    in, like any place inside a company's name), or it is the name right before a bracketed place
    in a park's or an organisation's name (深圳（哈尔滨）产业园区: a partner's name; the park lies
    in 哈尔滨). Not a place explained in brackets after it (赴深圳（南山区）考察), a park's or a
    centre's place in brackets (长三角（嘉兴）…服务基地 lies in 嘉兴), or a name before brackets
    that hold no place (北京（中国）国际展览中心 stands in 北京)."""
    if text[end : end + 1] in _OPEN:
        close = _close(text, end + 1, end + 1 + _BRACKET_REACH)
        return (
            close > 0
            and text[end + 1 : close] in places
            and bool(_BRACKET_TAIL.match(text, close + 1))
        )
    return (
        text[start - 1 : start] in _OPEN
        and text[end : end + 1] in _CLOSE
        and _CJK.match(text[start - 2 : start - 1]) is not None
        and prev_end != start - 1
        and bool(_BRACKET_COMPANY.match(text, end + 1))
    )


def _close(text: str, start: int, end: int) -> int:
    """Where the first closing bracket, full- or half-width, lies in ``text[start:end]``, or -1."""
    m = _CLOSE_RE.search(text, start, end)
    return m.start() if m else -1


def _dateline(text: str, start: int, end: int) -> bool:
    """本报泸州专电, 新华社北京6月11日电: the place a report was filed from is not a mention; nor
    is the outlet's own place in its byline (儋州市融媒体中心消息, 保定日报讯)."""
    return bool(
        _DATELINE_AFTER.match(text, end)
        and _DATELINE_BEFORE.search(text, max(0, start - _DATELINE_REACH), start)
    ) or bool(_OUTLET_BYLINE.match(text, end))


def _framed(text: str, start: int, end: int) -> bool:
    """A polity right after the name (青州党政代表团) or a visit verb around it (赴临淄考察)."""
    if _POLITY_AFTER.match(text, end):
        return True
    if start == 0 or text[start - 1] not in _ABBR_VERBS:
        return False
    follow = text[end : end + 2]
    return follow in _ABBR_NEXT or follow in _ABBR_NEXT_STAY
