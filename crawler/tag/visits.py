"""Exchange visits (visitor -> host) from visit frames, one sentence at a time.

Frames that give a direction:

* movement: ``X(党政)代表团 赴/前往/来到/抵达/莅临 Y(、Z) 考察/学习/调研``,
  ``X市委书记率团赴Y``, ``在Y考察期间``, ``结束对Y的考察``, ``Y之行``, and the
  abbreviations ``来青``/``抵穗``/``在渝期间``; several hosts in one list give one visit each;
* reception: ``Y(市委书记) 会见/接待/欢迎/陪同 X 代表团``, with the host from ``在Y``, the leader's
  place, an abbreviation (会见来深考察的…) or, failing those, the publisher (the host's own media);
* a meeting in the host's city (在南宁与…举行会见), and one party's cooperation meeting held in
  another place (嘉兴南湖区文化旅游对接会在马鞍山举行; not a promotion: 推介会, 招商会).

The visitor is the place attached to a delegation or an official (代表团, 考察团, 市委, 一行...),
else the place or office that opens the verb's clause (宿迁市农业农村局…一行来我市, 北京大兴区赴…),
else ``来自X``, else the delegation the article is about, else the publisher for its own officials
(市委书记率团赴…, 我市代表团, 李海渊在潮州市考察), or the publisher's province for a provincial
office (省党政代表团, 代省长叶建春). Not visits: tourists (游客赴深圳旅游), online signings, an
official touring their own city or province, secondments (挂职, 体悟实训), a place with itself.
Meetings (座谈) give no direction and make no visit.

A place may open the sentence and the party follow it (在黄山区，考察组一行来到…); a sentence
that opens with its verb (先后赴…考察学习) travels as the home's body the paragraph named last
(市工信局…, 省市场监管局…), and so does one that opens by organising or sending people
(并组织人员赴…, 派人先后到…; not companies, pupils or village cadres as trainees), as does an
unnamed team (局代表团全体成员赴…) or a title that opens with its trip when no guest came
before; the home travelling with its province's delegation (随省政府代表团赴广东) gives both
pairs; a speaker for a place (…代表江苏省委、省政府…他说，…我们赴青海…) makes 我们 that place.

Several parties: the places named together before 两市/两地 (福州安庆两市…来通) and the clauses
of a place's people right before the visitor's (福州市…负责人，安庆市…负责人一行来通) visit
together; a list of places before a stay (先后在北京、天津、河北学习考察) hosts each, as does a
list of villages of several places (绵竹年画村、崇州五星村); the party met at a venue (在乌鲁木齐与
青海省委书记…一行举行会谈) is the guest, not a second host. An autonomous region's offices
(自治区党政代表团) on a city's site are the home's province, which then stays the story's party
(考察组一行在…). Not delegations either: a central leader's inspection recalled with its 座谈会,
the Youth League (团市委, 青联), one member travelling with another body's team (作为…成员，随团赴),
a party its own clause shows to be a chamber or businessmen, a county-level unit directly under
its province (潜江市住建局来我市: no end below the province).
"""

from __future__ import annotations

__all__ = ["Found", "find_visits", "home_mentions"]

import functools
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from datetime import date

from crawler.tag.details import is_name
from crawler.tag.gazetteer import (
    DATA_DIR,
    TAIWAN,
    Place,
    Strength,
    abbreviation_chars,
    directly_under_province,
    province_of,
)
from crawler.tag.places import Mention
from crawler.tag.text import Sentence, date_in

_MOTION = re.compile(
    r"(?:专程赴|率团赴|率队赴|带队至|率队至|率团至|到位于|赴位于|前往位于|深入|考察学习|学习考察|前往|抵达|到达|来到|前来|莅临|走进|奔赴|赶赴|飞赴|转赴|再赴|再次赴|到访"
    r"|访问|造访|考察观摩|观摩|考察|走访|拜访|赴|到|抵|来)了?$"
)
_NOT_MOTION_BEFORE = {
    "到": frozenset("受得达感遇提想看找听收接说见办做回识意直"),
    "来": frozenset("以带迎未从原本将后起出看近引招回归"),
    "考察": frozenset("的"),
}
_STRONG_VERBS = (
    "莅临",
    "到访",
    "造访",
    "走访",
    "拜访",
    "访问",
    "考察",
    "学习考察",
    "率团赴",
    "率队赴",
    "抵达",
)
_PURPOSE = re.compile(
    r"考察|学习|调研|交流|访问|参观|洽谈|对接|招商|推介|座谈|会谈|拜访|走访|观摩|出席|参加|期间|开展"
    r"|进行|签约|会见|对口|协作|合作|指导|慰问|取经|经贸|考查|看望|活动|回访|拜会"
)
_STAY_BEFORE = re.compile(r"(?:结束了?对|结束了?在|结束了?|完成了?对|对|在)$")
_STAY_AFTER = re.compile(
    r"(?:的(?:学习|考察|访问|调研|参观|交流)|进行考察|进行访问|进行调研|开展考察|考察|调研|访问|学习|参观"
    r"|取经|招商(?:洽谈|考察|推介|引资)"
    r"|交流|期间|市考察|市调研|市期间|洽谈|对接|拜会|拜访|走访|观摩|参加|出席|签署|签订|签约)"
    r"(?![团组])"  # 对巴州考察团一行的到来表示欢迎: the party's name, not a stay
)
# A delegation word right before the verb makes the frame (代表团赴浙江绍兴、杭州…, 就…进行考察
# far behind; 考察团先后赴洛阳市、许昌市…深入了解).
_PARTY_BEFORE = re.compile(
    r"(?:代表团|考察团|学习团|访问团|交流团|调研组|考察组|调研团|学习组|观摩团|观摩组|一行|率团|率队|带队)"
    r"(?:（[^（）]{0,16}）|\([^()]{0,16}\))?(?:先后|分别|一同|专程|首先|随后|还|又)?$"
)
# 赴晋城市泽州县山耳东村、南山村、…及高平市…考察学习: the purpose after a long list of sites.
_SITES_PURPOSE = re.compile(
    r"[^，。；;]{0,150}?[、及和][^，。；;]{0,30}?(?:考察|学习|调研|参观|观摩)"
)
_MEET_GAPS = frozenset({"与", "同", "跟", "市与", "省与"})
_TALKS_AFTER = re.compile(
    r"[^，。；]{0,30}?一行(?:举行|进行)?(?:工作)?(?:会谈|座谈|会见|交流|座谈交流|见面)"
)
_ZONE_AFTER = re.compile(r"(?:工业|产业|科技|物流)?(?:园区|园|开发区|经开区|高新区|新区|片区)")
_VILLAGE_AFTER = re.compile(r"(?:社区|村|街道|镇|乡)")
_NAMED_SITE = re.compile(r"[^，。；;、]{0,6}?(?:馆|学校|小学|中学|校区|医院|公园)")
# 书记朱远刚带领社区两委班子成员及年轻干部来到江阴市: a led party's movement.
_LED_BEFORE = re.compile(r"(?:带领|率领)[^，。；;]{1,30}$")
# 赴山东省威海市、青岛市，广东省珠海市等地，就城市建设、产业转型…等内容进行实地考察: the purpose
# told after a long 就… topic in the same sentence.
_TOPIC_PURPOSE = re.compile(
    r"[^。；;]{0,6}?就[^。；;]{0,60}?"
    # (就…规划、建设…等方面，交流经验做法: the topic's 方面, then the purpose)
    r"(?:(?:进行|开展)(?:了)?(?:为期[^，。；;]{1,6}的)?|方面[，,]?)"
    r"(?:(?:实地|深入|认真|集中)地?)?(?:考察|调研|学习|交流|对接|洽谈)"
)
# 在南宁与…南宁市委书记农生文举行会见: a meeting with the host's officials in their city.
_MEETING_AFTER = re.compile(r"与[^，。；]{2,40}?(?:举行)?(?:会见|会谈|座谈|工作交流)")
# What may stand between two hosts of one list: 、/和/及, after a name's own suffix
# (湟中县、张掖市).
# 在广东省潮州市考察: the province's city between 在 and the stay.
# 先后在北京、天津、河北学习考察: a list of places, then the stay
# 在安徽省合肥市、湖北省襄阳市学习考察: each item may be a city after its province.
_STAY_LIST = re.compile(
    r"(?:[、和及](?:[\u4e00-\u9fff]{2,3}省)?[\u4e00-\u9fff]{2,5}?(?:省|市)?){1,4}?(?="
    + _STAY_AFTER.pattern
    + ")"
)
# …the list opening with a province and its city (在安徽省合肥市、湖北省襄阳市): from the province.
_PROVINCE_STAY_LIST = re.compile(r"省?[\u4e00-\u9fff]{2,5}?[市州]?" + _STAY_LIST.pattern)
_CITY_STAY_AFTER = re.compile(r"[\u4e00-\u9fff]{2,5}?[市州县区](?:" + _STAY_AFTER.pattern + ")")
_LED_JUST_BEFORE = re.compile(
    r"(?:率队|率团|带队)(?:一行)?(?:[0-9]+(?:人|名))?(?:先后|分别|一同|专程)?$"
)
# A clause of officials ending on their number (…主任…局长…等一行5人，), the party of the next.
_OFFICIALS_CLAUSE = re.compile(
    r"(?:局长|主任|书记|部长|区长|县长|镇长|市长|科长|处长|主席|委员)[^，,。；]{0,16}?"
    r"(?:(?:一行|等)[0-9]*(?:人|名)?|率队|带队|率团)[，,]$"  # (由…副局长陈乐华率队，局…一行6人到)
)
_DISTRICT_STAY_AFTER = re.compile(r"[\u4e00-\u9fff]{1,4}?[区县](?:" + _STAY_AFTER.pattern + ")")
# 在北京三一重工集团考察, 在新疆乌鲁木齐市新疆特变电工股份有限公司、…公司考察对接: a stay at
# the place's enterprises or parks.
_SITE_END = r"(?:公司|集团|企业|园区|园|基地|中心|工厂|厂|馆|经开区|开发区|高新区|现场|工地)"
_SITE = r"[^，。；;在、]{0,30}?" + _SITE_END
# 在文县中庙镇考察学习: a town of the county named in full, then the stay.
_TOWN_STAY_AFTER = re.compile(
    r"[^，。；;在、\d]{1,6}?(?:镇|乡|街道)(?:[^，。；;在、]{0,12}?村)?(?:进行了?)?(?:考察|调研|参观|学习|观摩)"
)
# 在西宁市住房保障和房地产管理局进行了为期一天的学习交流: a stay at the place's own bureau.
_BUREAU_STAY_AFTER = re.compile(
    r"[市县区][^，。；;在、]{2,16}?局(?:进行了?|开展了?)(?:为期[^，。；;]{1,4}的)?(?:学习|考察|调研|交流)"
)
# (after a first site, an institute or a university may follow: 在北京集创北方科技股份有限公司、
# 中石化石油化工科学研究院考察)
_SITE_STAY_AFTER = re.compile(
    r"(?:[\u4e00-\u9fff]{2,5}?[市县区])?"
    + _SITE
    + r"(?:[、和及](?:"
    + _SITE
    + r"|[^，。；;在、]{0,30}?(?:院|所|大学)))*(?:等地)?(?:进行了?)?(?:考察|调研|参观|洽谈|对接)"
)
# 在南昌市赣江新区学习考察, 在晋中国家农高区考察学习: a stay in one of the place's new areas or
# zones (the place is the host; a zone is no unit of the codes).
_ZONE_STAY_AFTER = re.compile(
    r"[市州]?(?:国家)?[\u4e00-\u9fff]{0,6}?(?:新区|农高区|高新区|开发区|经开区|示范区|试验区)"
    r"(?:进行了?)?(?:学习考察|考察学习|考察|调研|参观|观摩)"
)
# 在西安等地学习考察, 在陕西西安、咸阳两地考察: the places of a stay summed up before it.
_PLACES_STAY_AFTER = re.compile(
    r"(?:[\u4e00-\u9fff]{2,5}?(?:[、和及][\u4e00-\u9fff]{2,5}?){0,4})?(?:等地|[两三四五]地)(?:"
    + _STAY_AFTER.pattern
    + ")"
)
# 先后对哈尔滨经开区、绥化经开区…进行考察: a list of sites, each after its place.
_SITE = (
    r"[^，。；;、]{0,24}?(?:经开区|开发区|高新区|园区|产业园|工业园|公司|集团|基地|中心|工厂|小镇|馆|企业|市场"
    # 绵竹年画村、崇州五星村: villages of the places; 响水县公安局、浙江省诸暨市…: their offices,
    # each place's own body of one kind (天津市西青区机关事务管理局、江苏省宿迁市…管理局)
    r"|村|社区|局|委|办|厅|派出所|法院|检察院|政府)"
)
# (a place's sites, one or a few: 到成都市…产业园园区、天府源…集团以及乐山市)
_SITE_GAP = re.compile(rf"(?:{_SITE}[、和及]){{0,2}}{_SITE}(?:[、和及]|以及)")
_CHAMBER_AFTER = re.compile(r"[省市]?(?:企业|籍)?(?:总)?(?:商会|同乡会|联谊会)")
# 赴延安、梁家河、庆阳等地: an item the gazetteer does not hold (a village, a scenic area) between
# two places of a list that ends in 等地
_ITEM_GAP = re.compile(r"[市县区]?、[\u4e00-\u9fff]{2,4}、")
_PLACES_END = re.compile(r"[市县区]?(?:、[\u4e00-\u9fff]{2,6}?)*等(?:地|市|县|城市|地区)")
# 先后深入…公司、…中心、无锡市国家高新技术产业园…进行考察: a place heading a later item of a
# list of sites after the movement, the items joined by 、 和 及; the sites a place's companies and
# parks, and its hospitals, colleges and bureaus' units (赴四川大学华西医院和成都市成华区中医医院,
# 赴张家港…大队、…无锡市滨湖区…大队).
_LISTED_END = (
    r"(?:公司|集团|企业|园区|园|基地|中心|工厂|厂|馆|经开区|开发区|高新区|现场|工地"
    r"|新区|院|所|学校|大学|大队|支队|管理处|管理局)"
)
_LIST_MOTION = re.compile(
    r"(?:先后|分别)?(?:深入|走进|来到|前往|赴|到)(?:[^，。；;、和及]{2,30}?"
    + _LISTED_END
    + r"(?:、|和|及|以及)){1,6}$"
)
_LISTED_ITEM = re.compile(
    r"[^，。；;、]{0,24}?" + _LISTED_END + r"(?:、|和|及|等|进行|考察|调研|参观|学习|交流|观摩)"
)
# 赴江西省林科院、兴国县开展…考察学习, 赴河北雄安新区、山东济南考察学习: a place itself as the
# last item of such a list (a province's city, a city's county after it), right before the purpose.
_LISTED_PLACE = re.compile(
    r"[省市州县区]?(?:[\u4e00-\u9fff]{2,4}?[市县区])?(?:等地)?(?:开展|进行|考察|调研|学习|参观|交流|观摩)"
)
_LISTED_PROVINCE = re.compile(
    r"省?[\u4e00-\u9fff]{2,4}?[市县区]?(?:等地)?(?:开展|进行|考察|调研|学习|参观|交流|观摩)"
)
_TO_COMPANY = re.compile(r"(?:赴|到|前往|来到)[^，。；;、]{1,12}?(?:公司|集团)$")
_SITE_ITEM = re.compile(r"[^，。；;、]{0,24}?" + _SITE_END + r"(?:、|和|及|等|进行|考察|调研|参观)")
# 在庆阳市水务局副局长柴世伟…陪同下考察学习: the hosts' officials escort the stay.
_ESCORTED = re.compile(
    r"[^，。；;]{0,40}?陪同下(?:先后|一同|共同)?(?:实地)?(?:考察|调研|参观|学习|走访|察看)"
)
# 对铁力市、宝清县幸福河湖建设进行了集体考察学习: a topic between the places and the stay.
# 对唐山市遵化市、迁西县，承德市宽城县、兴隆县…进行了考察观摩: a list of places may run across
# commas, each item a place and its counties.
# 在我县就特色小镇建设、乡村振兴工作进行考察学习: the place, then the topic of the stay.
_ON_TOPIC_STAY = re.compile(
    r"[市县区]?就[^，。；;]{1,30}?(?:进行|开展)了?(?:实地|深入|集中)?(?:考察|调研|学习|交流|座谈)"
)
_TOPIC_STAY = re.compile(
    r"(?:[\u4e00-\u9fff]{0,8}?[、和及，,][\u4e00-\u9fff]{2,6}?[市县区])*"
    r"(?:[、和及][^，。；;、]{2,6}?)*[^，。；;]{0,24}?进行了?(?:集体|实地|深入)?(?:考察|调研|学习)"
)
# 在黄山区，考察组一行来到…, 在深圳市，马军一行与…座谈交流: a place opening the sentence, then the
# party whose stay it is (the verb position is the party's end, its clause the party).
_TOPIC_PARTY = re.compile(
    r"[^，。；;]{0,8}?[，,][^，。；;]{0,12}?(?:一行|(?:代表团|考察团|学习团|考察组|调研组|访问团|调研团)(?:一行)?)"
)
# 按照…省人民政府办公厅《…》要求: the body whose order a trip follows is not its party.
_PER_ORDER = re.compile(r"(?:按照|根据|依据|依照|遵照)")
_ORDER_END = re.compile(r"要求|部署|安排|精神|规定")
# 在广安代表站，考察团一行…: the place names a facility there, not the stay's place.
_FACILITY_END = re.compile(r"(?:站|馆|所|村|社区|镇|街道|中心|基地|公司|学校|医院)$")
# The place a party left (离开临沂后，考察组来到…) is not the party.
# 赴藏东明珠——昌都市考察: a verb, an epithet of the place and a dash, then the place.
_EPITHET = re.compile(r"(?:赴|前往|来到|到)[^，。；;、—\s]{2,8}(?:——|—|－－)$")
_EPITHET_REACH = 14
# 赴省内兰州、张掖及山东威海, 赴对标城市湖州市吴兴区: the verb, a word for where the place lies or
# what it is to the party, then the place.
_DESCRIBED = re.compile(
    r"(?:赴|前往|来到|到)(?:省内|省外|区内|区外|市外|外省|外市|对标城市|对标地区|友好城市|兄弟城市|结对城市"
    r"|帮扶城市|对口城市|合作城市|先进城市|标杆城市)$"
)
_DESCRIBED_REACH = 7
# 赴全省南北共建园区考核排名第一方阵的宿迁、淮安等地…考察学习: places after a long description of
# them, when a list of places or their stay follows
_MODIFIED = re.compile(r"(?:赴|前往|来到)[^，。；;、“”《》（）()\d]{2,30}?的$")
_MODIFIED_REACH = 33
_MODIFIED_AFTER = re.compile(r"[市县区]?(?:、|和|及|等地|等市|等城市)")
_LEFT = re.compile(r"(?:离开|告别|辞别|结束了?在|结束了?对)$")
# 河北雄安新区, 贵州贵安新区: a state-level new area under the province, not the province.
_NEW_AREA = re.compile(r"[\u4e00-\u9fff]{2}新区")
# A sentence that opens with its verb (先后赴…, 赴…): its party is the paragraph's subject.
_NO_SUBJECT = re.compile(r"(?:先后|还|并|曾|曾经|多次|分别|专程|同时|随后|又|再|也|此前)*")
_ANTECEDENT = re.compile(
    r"(?<![^，。；\n])(?:[市县区省]|我市|我省|我县|我区)[^，。、；]{0,8}?"
    r"(?:局|委员会|委|办公室|办|厅|政府)(?![长])"
)
_ANTECEDENT_REACH = 300
# A party that came to the home, named before (省政协考察团来我市调研。考察团一行先后到海口、三亚):
# a later unnamed 考察团一行 is that guest going on, not the home's own delegation.
_GUEST_ARRIVES = re.compile(
    r"(?:代表团|考察团|学习团|访问团|交流团|调研组|考察组|调研团|观摩团)(?:一行)?[^，。；]{0,12}?"
    r"(?:来|莅临|来到|到)(?:我市|我县|我区|我州|本市|本县|本区)"
)
# A clause that opens with organising or sending people, its organiser unnamed (并组织人员赴…,
# 先后组织各层面党员干部1230人次，分赴…, 派人先后到…): on the home's site, the home's body.
_ORGANISED_TRIP = re.compile(
    r"(?:[0-9]{1,4}年(?:[0-9]{1,2}月)?(?:[0-9]{1,2}日)?|今年|去年|近年来|近期|此前|其间|期间"
    r"|利用[^，。；,]{0,8}?|先后|多次|并|还|同时|重点|积极|主动|曾|也|又|分批次|分批)*"
    r"(?:组织|派出|派|安排|抽调)(?:了)?[^，。；]{0,24}?"
    r"(?:先后|分别|分|一同|专程)?"
)
# …unless the people are not a government party (组织企业赴…参展, 组织学生赴…研学).
_ORGANISED_PEOPLE = re.compile(
    r"企业|公司|员工|职工|学生|学员|师生|农户|种植户|养殖户|村民|群众|游客|会员|家长|志愿者"
    r"|运动员|选手|演员|客商|专家|学校|协会|商会|大户"
    # village cadres sent as trainees (组织村“两委”主干到胶州…考察学习, 选派100名村干部…)
    r"|村"
)
_UNNAMED_PARTY = re.compile(r"(?:代表团|考察团|学习团|访问团|交流团|调研组|考察组|调研团|观摩团)")
# A subjectless opening clause of a work report (广泛开展调研活动，至建湖…考察学习): the paragraph's
# body is still the party.
_BARE_OPENING = re.compile(
    r"(?:广泛|积极|主动|多次|先后|深入|认真)?(?:开展|组织)[^，。；,]{0,12}[，,]"
    # a topic opening the next leg (同时就提升农村电商工作，考察了沧州…)
    r"|(?:同时|随后|另外|此外|并)?(?:就|围绕|针对)[^，。；,]{2,20}[，,]"
    # a date or a day opening the sentence, and the place of the leg (4月9日下午，局代表团…;
    # 次日，在临猗县，考察组考察了…)
    r"|(?:(?:[0-9]{4}年)?[0-9]{1,2}月[0-9]{1,2}日|次日|当天|当日|随后|之后|其间)"
    r"(?:上午|下午|晚上|晚)?[，,](?:在[^，。；,]{2,12}[，,])?"
    r"|在[^，。；,]{2,12}[，,]"
    # the party's head before it (4月末，在办党组书记、主任于淑芬的带领下，办考察小组一行5人…)
    r"|(?:[0-9]{1,2}月(?:[0-9]{1,2}日|初|中旬|下旬|末|底)?[，,])?在[^，。；,]{2,24}?(?:带领|率领)下[，,]"
)
# A team named only by what it does, opening its sentence (考察学习组分别到, 考察组一行先后赴):
# the party of the body the paragraph is about.
_BARE_TEAM = re.compile(
    r"(?:局|委|办)?(?:(?:考察|学习|调研|观摩|交流|参观|访问){1,2}(?:小组|组|团)|(?:党政)?代表团)"
    r"(?:一行)?(?:[0-9]+(?:人|名))?(?:全体)?(?:成员)?" + _NO_SUBJECT.pattern
)
# The home's own delegation, unnamed (省党政代表团, 市代表团, 我市考察团).
_HOME_PARTY = re.compile(r"(?<![^，,。；\n])(?:省|市|我省|我市)(?:党政)?(?:代表团|考察团)")
# The home travelling with its province's delegation (随省政府代表团赴…, 随同省党政代表团…,
# 随黑龙江省代表团, 随自治区党政代表团).
_ALONG = re.compile(
    r"(?:跟)?随(?:同)?(?:[\u4e00-\u9fff]{2,3}(?:省|自治区)|省|我省|自治区)[^，。；]{0,6}?"
    r"(?:代表团|考察团)(?:一起|一同)?$"
)
# A speaker's side: 代表江苏省委、省政府 (before the place), then 我们 opening the trip's clause.
_SPEAKS_FOR = re.compile(r"代表")
_SPEAKER_REACH = 200
_ORGAN_AFTER = re.compile(r"[省市区县州]?(?:委|政府|人民政府|党委|人大|政协)")
_WE = re.compile(r"(?<![^，,：:“])(?:[^，。；]{0,8}?)我们(?:先后|曾|也|还|专程|一行)?$")
_LIST_GAP = re.compile(
    r"[市县区省]?(?:[、，,]?以及|[、和及与，,])?"
)  # 新会、以及广州市: 以及 joins too
_MARKER = re.compile(
    r"党政代表团|代表团|考察团|学习团|访问团|交流团|调研组|考察组|工作组|调研团|经贸团|招商团|客商|企业家"
    r"|党政|市委|省委|区委|县委|州委|市政府|省政府|人民政府|区政府|县政府|市长|省长|区长|县长|州长|书记"
    r"|主席|主任|人大|政协|一行|率团|率队|率领|带队|组团|组队|领导|干部|党委|政府|局长|厅长|客人|嘉宾"
    r"|有关部门|相关部门|负责同志|(?:局|委|办|厅|系统|部门)(?:相关|有关|主要)?负责人"
    # 如东县财政局、自然资源和规划局相关人员来我市, 句容市监察局等单位来我中心
    r"|相关人员|有关人员|工作人员|等单位|相关单位|有关单位|全体成员"
    # a public institute's or office's head (青海省动物卫生监督所副所长唐国盛率…一行4人，来宝应县)
    r"|所长|站长|处长"
)
_DELEGATION = re.compile(
    r"代表团|考察团|学习团|访问团|交流团|调研组|考察组|工作组|调研团|经贸团|招商团|一行|率团|率队|党政"
    r"|书记|市长|省长|区长|县长|领导|干部|客商|企业家"
)
# The publisher's own officials or departments as the subject (市委书记率团赴…, 8月10日，副市长X
# 带队赴…, 市城管局…前往…, 县政府副县长X带队赴…): the visitor is the home city.
_OWN_OFFICIAL = re.compile(
    r"(?<!省)(?:市委|市政府|市长|市领导|市人大|市政协|我市|市党政|县委|县政府|县长|区委|区政府|区长"
    # (【解放思想大讨论】市民政局赴杭州: after a column's bracketed name too)
    r"|(?<![^，,。\n—】])(?:根据|按照)?[^，。、省】]{0,3}?[市县区][^，。、省]{0,8}?"
    r"(?:局|委员会|委|办公室|办|处|中心|站|支队|大队|供销(?:总|合作|联)?社|档案馆|检察院|法院)"
    r"|(?<![^，,。\n—])[市县区](?:党工委|管委会)"
    # the home's park or zone organising its cadres' trip (陶瓷工业园区组织…三级干部…奔赴)
    r"|(?<![^，,。\n—])(?:[0-9]{1,2}月[0-9]{1,2}(?:日|至[0-9]{1,2}日)[，,]?)?[^，。、；\d]{0,8}?"
    r"(?:园区|开发区|经开区|高新区|新区)(?:党工委|管委会)?(?:组织|选派)[^，。；]{0,24}?干部"
    # a bare bureau or office of the home opening the sentence, perhaps after its date, with the
    # bodies it goes with (12月16日行政审批局会同发改委、商务局…赴苏州; 社会事业处赴上海)
    r"|(?<![^，,。\n—])(?:[0-9]{1,2}月[0-9]{1,2}日[，,]?)?[^，。、；省市县区\d]{2,8}?[局处]"
    r"(?:(?:会同|联合|携)[^，。；]{1,24}?)?$"
    # a class of the home's own bodies travelling (读书班赴温州…开展现场教学, as a 委员读书班)
    r"|(?<![^，,。\n—])(?:[^，。、\n]{0,12}?)(?:读书班|研修班|培训班|专题班)(?:一行)?$"
    # the home's cadres, unnamed, opening the clause (30余名领导干部来到…成都)
    r"|(?<![^，,。\n—])[^，。、\n村镇乡]{0,8}?(?:领导干部|处级干部|科级干部)(?:一行)?$"
    r"|(?:一行|率队|带队|率团)[，,]?(?:先后|专程|首先|还|又|也|随后|再|一同|接着|继续|先)?$"
    r"|(?:带领|率领|率(?=[市县区]))[^，。；;]{1,30}$"  # 副局长杨文亮带领…赴, 邹志华率县发改委…到
    r"|(?<![^，,。\n—])(?:高新区|开发区|经开区|新区|港区)$"  # 新区赴合阳县考察
    r"|(?<![^，,。\n—])(?:高新区|开发区|经开区|高新技术产业开发区|新区)(?:党工委|管委会|领导)"
    r"|(?<![^，,。\n—])[^，。、]{2,8}?(?:街道|镇|乡)(?:党工委|党委|办事处|政府)?(?=在|赴|前往|到|组织|一行|，)"
    # a sub-district, town, village or community of the home and its party bodies (暖泉镇赴广灵县,
    # 西墅村党委组织…赴, 社区党总支部书记…带领社区两委班子…来到江阴市)
    r"|[^，。、\n个]{2,8}?(?:街道|镇|乡|村|社区)(?:组队|组团)?$"
    r"|(?:街道|镇|乡|村|社区)(?:党工委|党委|党总支部?|党支部|两委|办事处|政府|居委会|村委会|人大)"
    # the home's own unit in its statements and reports (本局领导…赴广东, 本院干警)
    r"|本局|我局|本院|我院|本委|我委|本单位|我单位"
    # an unnamed delegation (“党政企”代表考察团第一站走进…): the home's, when no place precedes
    r"|(?:代表团|考察团|学习团)(?:一行)?(?:第一站|首站|先后|分别|专程)?$"
    r"|(?:代表团|考察团|学习团|考察组|调研组)一行)"
)
# A delegation going to a site with no place named (一行八人到众创金融街进行实地考察调研).
_TO_SITE = re.compile(
    r"(?:一行|代表团|考察团|调研组|考察组|学习团|人大|政协)[，,]?[^，。；]{0,4}?"
    r"(?:在[^，。；]{1,24}?陪同下[，,]?)?"  # 代表团在王永副区长陪同下，来区…考察
    r"(?:(?P<verb>到|来到|前往|莅临|赴|(?<![以带迎未从原本将后起出看近引招回归])来)[^，。；]{2,14}?"
    # 随州市考察团前来考察学习: coming to the publisher, nowhere named
    r"|(?P<here>前来|(?<![以带迎未从原本将后起出看近引招回归])来))"
    # (一行到玄武湖街道板仓社区，参观考察社区…: the stay after a comma)
    r"[，,]?(?:进行|开展)?(?:实地)?(?:参观)?(?:考察|调研|参观|学习|交流)"
)
# …等一行33人到访“中心”，学习交流…: a visit to an unnamed site of the publisher's.
_CALL_AT_SITE = re.compile(
    # (not 对…考察团的到访表示欢迎: the visit named as a thing, in its host's words)
    r"(?:一行|代表团|考察团|调研组|考察组|学习团)[^，。；]{0,4}?(?<!的)(?P<verb>到访|莅临)[^，。；]{0,12}"
)
# A place that organises or sends the party (古交市组织…赴朔州, 我区选派…前往).
_ORGANISER = re.compile(
    r"(?:市委|区委|县委|市政府|区政府|县政府|[^，。]{0,6}?(?:局|办|中心))?(?:组织|选派|派出|安排)"
)
_RECEPTION = re.compile(r"会见|会晤|接待|欢迎|迎接(?!党的|新)|迎来(?!了?新)|陪同|宴请|接见")
_LEADER = re.compile(
    r"市委|省委|区委|县委|州委|市政府|省政府|人民政府|市长|省长|区长|县长|州长|书记|领导|人大|政协|党委|主任"
)
_NEGATIVE = re.compile(
    r"挂职|体悟实训|跟班学习|跟岗|交流任职|实训锻炼|云签约|线上签约|网上签约|视频连线|视频方式|视频会议"
    r"|云端签约|远程签约|云洽谈|线上洽谈"
)
# A finished leg opening the sentence, before its party is named (在结束对合肥的学习考察后，
# 刚结束在…的考察): the party of the sentence's next trip.
_FINISHED_LEG = re.compile(r"(?:在|于)?(?:刚刚|刚)?结束")
_SPEECH_AFTER = re.compile(r"[省市]?(?:时的?|期间的?)?(?:重要)?(?:讲话|指示)")
_CROWD = re.compile(
    r"游客|旅客|市民(?![宗政族])|网友|球迷|观众|乘客|驴友|旅行团|游人|考生|学生|家长|选手|民众"
    r"|居民(?![族委])"
    # goods, weighed or counted (2500斤来自水城区…的樱桃抵达广东省中山市)
    r"|[0-9]+(?:多|余)?(?:斤|吨|公斤|千克|箱|车|批)"
)
# A central leader or body (习近平在湖南考察, 国务院调研组赴…) is not a city delegation.
# The central leaders by name, past and present: the Standing Committee of the Politburo, the
# premiers and vice-premiers, the state's presidents and vice-presidents (温家宝来到…,
# 李克强在福建考察).
_CENTRAL_LEADERS = (
    "习近平|李强|赵乐际|王沪宁|蔡奇|丁薛祥|李希|李克强|栗战书|汪洋|王岐山|韩正|张德江|俞正声|刘云山"
    "|张高丽|胡锦涛|温家宝|吴邦国|贾庆林|李长春|贺国强|周永康|江泽民|朱镕基|李鹏|李瑞环|曾庆红|黄菊"
    "|吴官正|罗干|尉健行|李岚清|回良玉|王兆国|刘延东|马凯|孙春兰|胡春华|刘鹤|何立峰|张国清|刘国中"
    "|吴仪|曾培炎|钱其琛|姜春云|邹家华|吴政隆|谌贻琴|王毅|杨洁篪"
)
_CENTRAL = re.compile(
    # a name after a local title is that official then (市委副书记张国清率天津市党政代表团)
    r"(?<!书记)(?<!市长)(?<!省长)(?<!区长)(?<!主任)(?:" + _CENTRAL_LEADERS + r")"
    # (nor one with a local post after it: 王毅政委主持召开, a county police force's commissar)
    r"(?!政委|局长|所长|县长|区长|镇长|乡长|队长|科长|站长|校长)"
    # (a city's 中央商务区 is its business district)
    r"|总书记|国家主席|国务院|总理|委员长|中央(?!商务区)|中共中央"
    # (not a city's 国家高新区, 国家级经开区, 国家农高区 and its bureaus)
    r"|国家(?!级|高新|农高|农业高新|经开|经济技术|自主创新)[^，。；]{1,8}(?:部|委|局|署|院)|[^，。；省市区县]{1,6}部(?:调研组|工作组|督导组|考察组)"
    r"|中国社科院|中国科学院|督导组|巡视组|部委|全国人大|全国政协"
)
# A clause that opens on its verb or a stay (在福州、泉州考察, 先后赴…, 来到…), taking the
# sentence's subject.
_SUBJECTLESS = re.compile(
    r"(?:又|还|随后|先后|并|再|接着|之后|此后)?(?:在|赴|到|来到|前往|深入|走进|考察)"
)
# A clause naming someone (a title or a name before the verb): the subject of the ones after it.
_CLAUSE_SUBJECT = re.compile(
    _CENTRAL_LEADERS
    + r"|书记|市长|省长|区长|县长|主任|主席|总理|委员长|常委|部长|一行|代表团|考察团|考察组|调研组"
)
_CENTRAL_SUBJECT = re.compile(
    _CENTRAL_LEADERS
    + r"|总书记|国家主席|国务院(?:总理|副总理)|(?<!副)总理|委员长|中央政治局|国家领导人|国务委员"
)
# A university or research institute as the site a party comes to: not the publisher's own.
_ACADEMIC_SITE = re.compile(
    r"大学|学院|研究[所院]|科学院|[农林牧渔水茶蚕果]研所|[农林牧渔]科[所院]"
)
# The city's liaison office in another place and its head (南通市人民政府驻深圳办事处主任邱爱军).
_LIAISON = re.compile(r"[^，。、；]{0,12}?驻[^，。、；]{2,8}?办事处(?:主任|副主任|负责人)?")
_COMPANY_TITLE = re.compile(
    r"(?:集团|公司|企业)(?:党委|党组|纪委|工会)?(?:常务)?副?(?:书记|董事长|总经理|经理|主任|总裁)"
)
# A team named for where it goes (赴赣考察团, 赴浙学习组, 赴京代表团): the name, not a movement.
_PARTY_NAMED_FOR = re.compile(
    r"[省市县区]?(?:考察|学习|调研|访问|交流|参观|招商|经贸)?(?:考察团|学习团|代表团|团|组)(?:一行|成员)?"
)
# A place opening the clause that holds a report-back meeting on its trip (铁力市召开赴贵阳考察学习
# 座谈会, 某县举行赴浙江学习考察汇报会): the place's trip there.
_REPORT_OPENING = re.compile(r"[市县区州]?[^，。；;赴到]{0,10}?(?:召开|举行|举办|组织召开)了?$")
_REPORT_MEETING = re.compile(
    r"[市省]?[^，。；;]{0,12}?(?:考察|学习|调研|参观|观摩)[^，。；;]{0,8}?"
    r"(?:座谈会|汇报会|总结会|交流会|分享会|报告会)"
)
# A trip heard of at a meeting (会议听取了同江市赴兰考学习考察情况的汇报, 听取了关于赴浙江考察…的
# 情况报告, 主持召开赴赣州五县学习考察座谈会): the party named before the movement, else the
# meeting's own place, made it.
_REPORT_HEARD = re.compile(
    r"[^，。；]{0,16}?(?P<verb>听取|传达|通报|审议|研究|介绍|召开|举行|举办)了?(?:关于)?"
    r"(?P<party>[^，。；“”《》]{0,12}?)$"
)
_REPORT_HELD = frozenset({"召开", "举行", "举办"})  # …赴赣州五县学习考察座谈会: the meeting itself
_REPORT_AFTER = re.compile(
    r"[^，。；]{0,30}?(?:考察|学习|调研|观摩|参观)[^，。；]{0,16}?(?:情况|报告|汇报|成果|体会)"
)
_BARE_BODY = re.compile(r"[我本]?[市区县州]")
# An inspection team opening the sentence (执法检查组在太原听取…汇报，赴运城、临汾…检查): a
# central or provincial body's inspection, no city delegation.
_INSPECTORS = re.compile(r"(?:执法检查组|督察组|督查组|督导组|巡视组|巡察组|检查组)")
# Business associations, companies, schools, rescue and medical teams: not a city delegation
# unless officials lead them (市长率企业家代表团).
_NOT_GOVERNMENT = re.compile(
    r"商会|协会|联合会|促进会|研究会|基金会|企业家|企业代表团|公司|集团|大学|学院|学校|师生|学生|救援队|医疗队|医疗团队"
    r"|救援|志愿者|校友|专家|防治|红十字会|红会|残联"
    # traders: 广东客商 (not the 客商 a 市长 leads)
    r"|客商|投资商|侨商"
    # principals and teachers as the party (名校长工作坊, 一行26名校长, 名师工作室), not a bureau's
    r"|名校长|校长(?:工作坊|工作室|基地|代表团|考察团)|名师工作室|名(?:教师|老师)"
)
# Never a government delegation, whatever its head's other titles (仪征市委党校常务副校长…一行,
# 县总工会党组书记…一行, 市政协副主席、市知联会会长…一行): party schools, model workers, religious
# figures; the people's organisations and mass bodies (工会, 共青团, 妇联, 科协, 侨联, 台联, 文联,
# 社科联, 工商联, 知联会, 残联, 红十字会, 关工委, 计生协…); public research institutes (市林科所,
# 农科所, 研究院); posted village work teams (驻村工作队). Only an official who leads such a body
# on the trip (市委常委、统战部长…率领市工商联…) makes it the city's party: see _government.
_NEVER_GOVERNMENT = re.compile(
    r"党校|总工会|工会|模范(?![城县市区镇村单位机关（(])|劳模|宗教界|宗教人士|红十字会|红会|残联|妇联"
    r"|团[市县区州]委|共青团|青联|青企协|少工委"
    # (not 学科协同, 合作协议, 平台联动, 人文联系)
    r"|(?<!学)科协(?![同调作助议])|科学技术协会|侨联|台胞联谊会|(?<!平)台联(?![动合系手通])"
    r"|(?<![人图])文联(?![系动播合])|文学艺术界联合会|社科联|社会科学界联合会|(?<!合)作协(?![议调作同助商])"
    r"|作家协会|工商联|总商会|知联会|知识分子联谊会|新联会|欧美同学会|关工委|关心下一代"
    r"|计生协|计划生育协会|法学会|老年体协|老体协|老科协"
    r"|[农林牧渔水茶蚕果畜草药]科[所院]|[农林牧渔茶]业科学研究[所院]|研究所|研究院|科学院|设计院"
    r"|驻村工作队|驻村工作组|工作队(?!伍)|驻[^，。；、]{1,10}?村工作组"
    # a county's or city's media centre, station or paper (融媒体中心, 广播电视台): an outlet
    r"|融媒体中心|融媒中心|广播电视台|电视台|日报社|报社"
)
# A public service unit (事业单位: funeral homes, blood stations, hospitals, libraries, museums,
# cultural halls) or a group of retired cadres (not the 老干部局 that serves them) as the party
# itself, opening it (萧山区殡仪馆来…, 仁怀市中心血库一行, 定西市地级退休干部来我市): no
# government delegation. In a list of bodies an office sends (市政府办组织…市人民医院…) they go
# along.
_SERVICE_UNIT = (
    r"殡仪馆|殡葬|火葬场|血站|血库|医院|卫生院|图书馆|博物馆|文化馆|美术馆"
    r"|退休干部|老干部(?!局|工作)|老同志|离退休"
)
_SERVICE_PARTY = re.compile(r"[^，。、；和与及率带]{0,12}?(?:" + _SERVICE_UNIT + ")")
_WHERE_TO = re.compile(r"在|赴|到|前往|走进|莅临")
# The head of one of the home's own offices leading, later in the text (市民政局主要领导…多次带领
# 社会事务处、殡仪馆工作人员…赴重庆、西安…): that office's trip, not the title's body's.
_OFFICE_HEAD = re.compile(
    r"(?<![团青妇])(?:[市县区]|我市|我县|我区)(?:委|政府|人大|政协|[^，。、；\d]{1,8}?(?:局|委|办))"
    # (市人大常委会副主任带领市工商联负责人…赴宝鸡市)
    r"(?:常委会)?(?:党组|党委)?(?:主要|分管|有关|相关)?副?(?:领导|负责人|负责同志|局长|主任|书记)"
)
_NEVER_PARTY = re.compile(
    r"(?:" + _NEVER_GOVERNMENT.pattern + "|" + _SERVICE_UNIT + r")[^，。；]{0,16}?"
    r"(?:赴|到|前往|来|抵|考察|学习)"
)
# Entrepreneurs or non-party figures a body organises and sends with no official at their head
# (市委统战部组织党外代表人士赴林芝, 组织南京市37名企业家赴青岛): trainees or a business tour, not
# the city's party; with a head (市长率企业家, 在主任…带领下，我委组织…企业家到) it is one. A bureau
# sending companies or growers (组织…家政服务企业赴, 组织葡萄种植户赴) keeps its pairs.
_ORGANISED = re.compile(r"(?:组织|选派|召集)[^，。；]{0,30}?(?:企业家|党外|人士)")
_HEADED = re.compile(r"率领|率队|率团|带领|带队|(?<![效频比速利概汇税功])率(?!先)")
# A clause that opens on the organising verb has the sentence's subject (我市基层协会完成了…，
# 组织全体理事前往浏阳).
_BARE_ORGANISING = re.compile(r"组织|选派|安排")
_GOVERNMENT = re.compile(
    r"党政|市委|省委|区委|县委|州委|政府|人大|政协|市长|省长|区长|县长|州长|书记|厅长|局长|主任"
    r"|[^公]局(?!限)|厅|干部|我委|我局|我办"
    r"|[市县区州][^，。、；\d]{1,4}?委(?![员会])"  # 衡阳市国资委陈书伟及中核25公司…一行
)
# A government office listed right before a body that is none (市侨办、市侨联, 市侨办市侨联考察组,
# 市科技局和市科协).
_JOINT_BODY = re.compile(
    r"[市县区州][^，。、；\d]{1,8}?(?:(?:局|办|委|厅)(?:副?(?:局长|主任|书记))?"
    # (市委宣传部副部长、市融媒体中心主任廖义华带队: one official heading both; not a bare
    # 区委统战部区工商联 organising a chamber's tour)
    r"|部副?部长)(?:[、和及与]+[市县区州]?|[市县区州])$"
)
_CLAUSE_BREAK = re.compile(r"[，,；;。]")
_LEAD_VERB = re.compile(r"率领|率|带领|带队|一行")
_CHAIN_REACH = 30  # how far a guest's title chain may run to the city it names
# A provincial office before the verb, or in an official's title (省委副书记、代省长叶建春).
_PROVINCIAL = re.compile(
    r"省委|省政府|代省长|副省长|省长|省人大|省政协|省党政|我省|本省"
    r"|(?<![\u4e00-\u9fff])省[\u4e00-\u9fff]{0,10}?厅"  # a bare 省林业厅, 省厅 on a city's site
    r"|自治区(?:党委|人民政府|政府|主席|党政|人大|政协|代表团)"  # 新疆, 西藏… on a city's site
)
# A company's own heads leading a party (集团领导李军…带队, 公司总经理王某率队).
_COMPANY_HEAD = re.compile(
    r"(?:集团|公司|企业)(?:领导|负责人|党委书记|董事长|总经理|副总经理|高管)[^，。；]{0,16}?"
    r"(?:带队|率队|率领|带领|率团)"
)
_COMPANY_REACH = 40
# 由市国资委调研员李长青、…: a city's body heading the list of leaders
_CITY_BODY_FIRST = re.compile(
    r"(?:^|(?<=[由，,]))[市县区][^，。；、\d]{1,8}?(?:局|委|办)[^，。；]{0,12}?、"
)
# A school that organises or leads the trip of its trainees or pupils (武原成校组织…学员, 市职校
# 带领…学生): the school's trip, not the home city's delegation.
_SCHOOL_LED = re.compile(
    r"(?:成校|成人学校|社区学校|职校|技校|职业学校|职业技术学校|中学|小学|学校"
    # a school's or academy's own heads leading its staff (院校领导带队, 由我院副院（校）长…带队)
    r"|院校|我院|我校|学院|职院)(?:[（(]校[）)])?(?:[^，。；]{0,12}?(?:领导|院长|校长|书记)[^，。；]{0,6}?)?"
    r"(?:组织|带领|组队|选派|带队|率队)"
)
_SCHOOL_TRIP = re.compile(_SCHOOL_LED.pattern + r"[^，。；]{0,16}?(?:赴|到|前往)")
_CITY_OFFICE = re.compile(r"市委|市长|市政府|市人大|市政协|州委|州长|市党政|市代表团")
_TITLE_REACH = 12  # how far before a name its title may start
# A place's meeting held elsewhere (…对接会在马鞍山举行, …交流协作会在宁夏圆满举行).
_HELD_BEFORE = re.compile(
    r"(?:对接|交流|协作|合作|洽谈)[^，。；在]{0,6}?(?:会|活动)[^，。；在]{0,4}?在$"
)
_HELD_AFTER = re.compile(r"[^，。；]{0,6}?(?:圆满|隆重|成功)?(?:举行|举办|召开)")
_HELD_REACH = 16
_SUFFIX_GAP = re.compile(r"[市县区省]?")
# What ends a list item in a visit frame (杭州新昌|考察, 苏州、|无锡, 赴杭州义乌|两地), not a
# name going on.
_ENDS_ITEM = re.compile(
    r"[市县区]?(?:[、和及与，,。；]|考察|调研|学习|参观|交流|访问|[两三四]地|等地|$)"
)
_CLAUSE_REACH = 40  # how far before its verb a clause's subject may stand
# A team named by what it does (考察学习组, 学习考察团, 观摩交流组), as a body's travelling party.
_TEAM = r"(?:考察|学习|调研|观摩|交流|参观|访问){2}(?:组|团)(?:一行)?"
# A government body of the place as the travelling party (宁夏公路管理局来扬, 江宁区民宗局赴…),
# or a unit of one (城市管理综合行政执法局直属大队来我局).
_BODY = re.compile(
    r"[^，。、；]{0,12}?(?:局|厅|委|办公室|办|署|站|所|中心|分局|支队|大队|执法队|专班|部门|系统|档案馆|法院|检察院"
    r"|供销(?:总|合作|联)?社|(?:推进|领导|协调)小?组|指挥部)"
    r"(?:[^，。、；]{0,6}?(?:分局|支队|大队|中队|中心|站|所|办公室))?"
    r"(?:成员)?(?:一行|组队|组团|组织|" + _TEAM + r")?"
)
# A development zone or administrative area of a city as the travelling party (无锡高新区来我区).
_ZONE = re.compile(
    r"[^，。、；]{0,6}?(?:高新区|开发区|经开区|高新技术产业开发区|新区|园区|管委会|管理区|示范区|试验区)"
)
_FROM = "来自"
_THEY = re.compile(r"(?<![^，。\n])(?:他们|该院|该局|该委|该中心)")
_INSPECTION_SPEECH = re.compile(
    r"[^，。；;]{0,6}?(?:考察|视察|调研)(?:[^，。；;]{0,30}?(?:座谈会|会议)上|时|期间)的?(?:重要)?"
    r"(?:讲话|指示)"
)
# Places named together before 两市/两地 (福州安庆两市人社部门来通).
_JOINT_AFTER = re.compile(r"[市]?(?:[两三四]|几)(?:市|地|县|区|城)")
_JOINT_GAP = re.compile(r"[市县区]?[、和与及]?")
# A clause naming a place's people and nothing they do (福州市财政局…相关负责人，…来通考察).
_PARALLEL_PARTY = re.compile(r"(?:负责人|负责同志|工作人员|人员|领导|干部|代表)$")
_PARALLEL_VERB = re.compile(r"[率带赴到来在与和向对]|陪同|组织|召开|举行|会见")
_ALONE = re.compile(r"(?:一人|独自|只身|成员[，,]?随团)$")  # 作为…考察团成员，随团赴: one member
# A trip still to come, its verb right after the future (首批教师将赴江苏, 拟于下月组织…赴深圳):
# no visit made. Not the next leg of a stay under way (还将赴, 随后将前往).
_FUTURE = re.compile(
    r"(?<![还又也并后])(?:即将|将要|将|拟|计划|准备)(?:于[^，。；]{1,10}?)?"
    r"(?:(?:组织|选派|安排|派出|带领)[^，。；]{0,30}?)?$"
)
# A city's own head leading the party in the verb's clause (市委副书记、市长朱晓东率团赴): the party
# is a city's, never a province named in an earlier clause.
_CITY_HEAD = re.compile(r"(?<![省区县])(?:市委(?:副)?书记|市长|副市长|市委常委)")
# A meeting held before the party leaves (赴浙学习行前动员会, 赴深圳考察行前培训会): a trip still
# to come.
_BEFORE_LEAVING = re.compile(
    r"[^，。；;]{0,16}?(?:行前|出发前|启程前)(?:动员|培训|教育|准备|会|座谈)"
)
# An invitation to come (邀请上海电缆所到河间考察, 邀请新兴县各级领导…到任泽参观考察): the guests
# are asked, not yet there. Not a trip made at someone's invitation (应…邀请, 受邀, 在…邀请下).
_INVITING = re.compile(r"邀请[^，。；]{1,30}?$")
_INVITED_BY = re.compile(r"[应受]邀|[应受][^，。；]{0,20}?邀请|在[^，。；]{0,20}?邀请下")
# Posted there to work (赴尉犁县工作, 到林芝市支教, 赴对口地区任职): no visit.
_POSTED = re.compile(r"[省市县区州旗]?(?:工作|任职|支教|支医|挂职|援建)(?=[，,。；;、]|$)")
_COUNTERPART = frozenset("与同和跟及")  # 与青岛…部门座谈: the other side of a meeting
_CITED = re.compile(r"指示|批示|讲话|要求|部署")
_LED_BY = re.compile(r"在([^，。；]{1,30}?)(?:带领|率领)下")
_ESCORT = re.compile(r"在[^，。；]{1,30}?(?:陪同|陪伴)下")
_CALLED_ON = re.compile(r"(?:拜访|拜会|会见|会晤|看望|走访)了?$")
MAX_MENTIONS = 40  # a sentence naming more places is a list, not a visit report


@dataclass(frozen=True, slots=True)
class Found:
    """One visit found in one sentence."""

    visitor: str
    host: str
    date: date | None
    sentence: Sentence
    background: bool  # the sentence is dated in another year than the article
    inferred: bool = False  # an end is the publisher or 我市, not a place the text names
    provinces: tuple[str, ...] = ()  # the ends that are provinces (海南 the province, not 青海's)


def find_visits(
    text: str,
    sentences: list[Sentence],
    mentions: list[Mention],
    *,
    published: date | None,
    publisher_city: str | None,
) -> list[Found]:
    """Every (visitor, host) pair found, in text order, duplicates included. ``mentions`` have
    been through :func:`home_mentions` when the site's home is known."""
    starts = [m.start for m in mentions]
    found: list[Found] = []
    # 庄浪县总工会赴临夏市考察学习 in the title: the later 考察组一行 is that union, not the home's
    # (武原成校组织葡萄种植户赴金华…: the school's trainees, whom the later 学员 are too)
    never = bool(sentences) and _never_party(text, sentences[0])
    # …and its place's later party (萧山区殡仪馆来市殡仪馆 in the title: 萧山区考察组 is its staff)
    never_party = _never_party_words(text, sentences[0]) if never else ""
    story_visitor: Mention | None = None
    previous_dated: tuple[int, date | None] = (-1, None)
    home_went = -1  # the last paragraph where the home's own party travelled
    for sentence in sentences:
        ms = mentions[bisect_left(starts, sentence.start) : bisect_left(starts, sentence.end)]
        if not ms or len(ms) > MAX_MENTIONS or _NEGATIVE.search(text, sentence.start, sentence.end):
            continue
        speaker = (
            _speaker(text, sentence, mentions, starts)
            if "我们" in text[sentence.start : sentence.end]
            else None
        )
        pairs = _sentence_pairs(
            text,
            sentence,
            ms,
            story_visitor,
            publisher_city,
            speaker,
            home_went=home_went == sentence.paragraph,
        )
        if not pairs:
            continue
        when, background = date_in(text[sentence.start : sentence.end], published)
        if when is None and previous_dated[0] == sentence.paragraph and sentence.index > 0:
            when = previous_dated[1]
        if when is not None:
            previous_dated = (sentence.paragraph, when)
        along = len({visitor.name for visitor, _host in pairs}) > 1  # 随省代表团: both travel
        for visitor, host in pairs:
            if _under_province(text, visitor):
                continue  # 湖北省潜江市住建局来我市: no visitor end below its province
            surface = text[visitor.start : visitor.end].rstrip("市区县")
            if never and (
                (visitor.self_ref and not _office_led(text, sentence))
                or (
                    surface
                    and surface in never_party
                    and not _HEADED.search(text, sentence.start, sentence.end)
                )
            ):
                continue
            # the home's province named by its offices (省委常委…率队) is the story's party too
            if story_visitor is None and (
                not visitor.self_ref or (visitor.place.level == "province" and not along)
            ):
                story_visitor = visitor
            inferred = visitor.self_ref or host.self_ref
            if visitor.self_ref and visitor.place.city == publisher_city:
                home_went = sentence.paragraph
            provinces = tuple(m.name for m in (visitor, host) if m.place.city is None)
            found.append(
                Found(visitor.name, host.name, when, sentence, background, inferred, provinces)
            )
    return found


def _sentence_pairs(
    text: str,
    sentence: Sentence,
    ms: list[Mention],
    story_visitor: Mention | None,
    publisher_city: str | None,
    speaker: Mention | None = None,
    *,
    home_went: bool = False,
) -> list[tuple[Mention, Mention]]:
    pairs: list[tuple[Mention, Mention]] = []
    finished: list[list[Mention]] = []
    groups = _host_groups(text, sentence, ms)
    hosts = {id(m) for _verb, group in groups for m in group}
    for verb, group in groups:
        guest = _talks_guest(text, ms, group[-1])
        if guest is not None and _valid(guest, group[-1]):
            pairs.append((guest, group[-1]))  # 在乌鲁木齐与青海省委书记…陈刚一行举行工作会谈
        before = text[sentence.start : verb]
        if _INSPECTION_SPEECH.match(text, group[-1].end):
            continue  # …和在重庆考察时的重要讲话精神: the central leader's inspection
        if _ALONE.search(before):
            continue  # 副局长一人赴台湾: one person's trip, not a delegation
        if _POSTED.match(text, group[-1].end):
            continue  # 选派多名优秀干部人才赴尉犁县工作: cadres posted there, not a trip
        if _BEFORE_LEAVING.match(text, group[-1].end):
            continue  # 召开…赴浙学习行前动员会: the trip is still to come
        if _FUTURE.search(text, _clause_start(text, sentence.start, verb), verb):
            continue  # 首批45名基层教师将赴江苏考察学习: a trip still to come
        if _invited(text, _clause_start(text, sentence.start, verb), verb):
            continue  # 并诚挚邀请上海电缆所到河间考察调研: an invitation, no trip made
        # the crowd in the party's own clause, or the clause before a subjectless one (not
        # 根据…居民健康档案信息化的要求，…卫生局组织…一行11人前往)
        party_from = _clause_start(text, sentence.start, verb)
        if _NO_SUBJECT.fullmatch(text, party_from, verb) and party_from > sentence.start:
            party_from = _clause_start(text, sentence.start, party_from - 1)
        if _CROWD.search(text, party_from, verb) and not any(  # 游客一行 are tourists still
            d.group() != "一行" for d in _DELEGATION.finditer(text, sentence.start, sentence.end)
        ):
            continue
        clause = _clause_start(text, sentence.start, verb)
        # …巡视组…动员会精神、…和徐州市党政代表团赴常州: each 精神 is its own party's
        spirit = text.rfind("精神", clause, verb)
        if _CENTRAL.search(text, max(clause, spirit), verb) or _INSPECTORS.match(
            text, sentence.start, verb
        ):
            continue
        if _central_subject(text, sentence.start, clause, ms):
            continue  # 国务院总理李克强在…陪同下，在福州、泉州考察: the leader's clause goes on
        if not _sends_party(text, sentence.start, clause, verb):
            continue
        if publisher_city and _ALONG.search(text, sentence.start, verb):
            # 随省政府代表团赴广东省学习考察期间，大庆签约…: the province's delegation, and the
            # home travelling with it
            for own in (_province_mention(publisher_city), _publisher_mention(ms, publisher_city)):
                if own is not None:
                    pairs.extend((own, host) for host in group if _valid(own, host))
            continue
        candidates = _visitors(
            text,
            sentence,
            ms,
            hosts,
            verb,
            group,
            story_visitor,
            publisher_city,
            home_went=home_went,
        )
        reported = _reported_trip(text, sentence, ms, clause, verb, group, publisher_city)
        if reported is not None:
            candidates.insert(0, reported)
        if speaker is not None and _WE.search(text, clause, verb):
            candidates.insert(0, speaker)  # 他说，今年8月我们赴青海学习考察: the speaker's side
        if not candidates and _FINISHED_LEG.fullmatch(text, clause, verb + 2):
            finished.append(group)  # 在结束对合肥的学习考察后，…代表团赴苏州: the party comes later
            continue
        for visitor in candidates:
            valid = [
                host
                for host in group
                if _valid(visitor, host) and not _own_province_errand(text, sentence, visitor, host)
            ]
            if valid:
                pairs.extend((visitor, host) for host in valid)
                others = _joint_visitors(text, ms, visitor)
                others += _like_bodies(text, ms, visitor, clause)
                if visitor.start == clause:
                    others += _parallel_subjects(text, sentence, ms, clause, visitor)
                listed = _listed_run(text, clause, [m for m in ms if m.end <= verb])
                if listed and listed[-1].place.city == visitor.place.city:
                    others += listed[:-1]  # 昌吉市、阿克苏市代表团来我市: each place of the list
                for other in others:
                    pairs.extend((other, host) for host in group if _valid(other, host))
                break
    for group in finished:
        # the leg finished before the sentence's trip: that trip's party made it too
        later = [v for v, h in pairs if v.start > group[-1].end or h.start > group[-1].end]
        if later:
            pairs.extend((later[0], host) for host in group if _valid(later[0], host))
    if not groups and publisher_city:
        pairs.extend(_to_publisher(text, sentence, ms, story_visitor, publisher_city))
    if not groups:
        pairs.extend(_held_in(text, sentence, ms, publisher_city))
    for r in _RECEPTION.finditer(text, sentence.start, sentence.end):
        pair = _reception(text, sentence, ms, hosts, r.start(), r.end(), publisher_city)
        if pair and _valid(*pair):
            pairs.append(pair)
    return pairs


def _invited(text: str, clause: int, verb: int) -> bool:
    """The clause before ``verb`` invites its party (…邀请X到): no trip made yet."""
    return bool(_INVITING.search(text, clause, verb)) and not _INVITED_BY.search(text, clause, verb)


def _reported_trip(
    text: str,
    sentence: Sentence,
    ms: list[Mention],
    clause: int,
    verb: int,
    group: list[Mention],
    publisher_city: str | None,
) -> Mention | None:
    """The party of a trip a meeting hears of (会议听取了同江市赴兰考…情况的汇报) or holds its
    report-back on (主持召开赴赣州五县学习考察座谈会): the place named before the movement, else the
    place opening the sentence, else the home; None when the clause is no such report."""
    heard = _REPORT_HEARD.fullmatch(text, clause, verb)
    if heard is None:
        return None
    after = _REPORT_MEETING if heard.group("verb") in _REPORT_HELD else _REPORT_AFTER
    if not after.match(text, group[-1].end):
        return None
    party = heard.start("party")
    named = [m for m in ms if party <= m.start and m.end <= verb]
    if named:
        return named[-1]
    if party < verb and not _BARE_BODY.match(text, party):
        return None  # 听取了省农业厅赴…: another body's trip
    opening = [m for m in ms if m.end <= verb and m.start - sentence.start <= 2]
    if opening:
        return opening[0]
    return _publisher_mention(ms, publisher_city) if publisher_city else None


def _own_province_errand(text: str, sentence: Sentence, visitor: Mention, host: Mention) -> bool:
    """A city's party in its own province's capital to work with the province's bodies (到石家庄
    与省级宣传、旅游部门进行…对接): an errand to its own province, not a visit to the city."""
    return (
        visitor.place.city is not None
        and host.place.city is not None
        and visitor.place.province == host.place.province
        and _PROVINCIAL_COUNTERPART.search(text, host.end, sentence.end) is not None
    )


def _speaker(
    text: str, sentence: Sentence, mentions: list[Mention], starts: list[int]
) -> Mention | None:
    """The place a speaker represents (娄勤俭代表江苏省委、省政府…表示欢迎。他说，…我们…), named
    in the sentence or a little before it."""
    found = None
    for m in _SPEAKS_FOR.finditer(text, max(0, sentence.start - _SPEAKER_REACH), sentence.end):
        i = bisect_left(starts, m.end())
        if (
            i < len(mentions)
            and mentions[i].start == m.end()
            and not mentions[i].self_ref
            and _ORGAN_AFTER.match(text, _tail(text, mentions[i]))
        ):
            found = mentions[i]
    return found


def _to_publisher(
    text: str,
    sentence: Sentence,
    ms: list[Mention],
    story_visitor: Mention | None,
    publisher_city: str,
) -> list[tuple[Mention, Mention]]:
    """佛山顺德区…一行到众创金融街进行考察调研 on 中山's site: a delegation goes to a site the
    text does not place; the host is the publisher (the host's own media)."""
    found = _TO_SITE.search(text, sentence.start, sentence.end) or _CALL_AT_SITE.search(
        text, sentence.start, sentence.end
    )
    if found is None or any(found.start() < m.start < found.end() for m in ms):
        return []
    if _ACADEMIC_SITE.search(text, found.start(), found.end()):
        return []  # …一行来到江苏科技大学蚕研所考察学习: a university's, not the publisher's
    if "雄安新区" in found.group():
        return []  # a state-level new area under the province, not the publisher's (on 保定's site)
    verb = found.start("verb") if found.group("verb") else found.start("here")
    clause = _clause_start(text, sentence.start, verb)
    if _CENTRAL.search(text, clause, verb) or not _government(text[clause:verb]):
        return []
    host = _publisher_mention([], publisher_city)
    if host is None:
        return []
    for visitor in _visitors(text, sentence, ms, set(), verb, [host], story_visitor, None):
        if not visitor.self_ref and _valid(visitor, host):
            return [(visitor, host)]
    return []


def _held_in(
    text: str, sentence: Sentence, ms: list[Mention], publisher_city: str | None = None
) -> list[tuple[Mention, Mention]]:
    """嘉兴南湖区文化旅游对接会在马鞍山举行: a place's own promotion or cooperation meeting held
    in another place is its visit there (the nearest place before the meeting that can visit)."""
    for i, host in enumerate(ms):
        before = text[max(sentence.start, host.start - _HELD_REACH) : host.start]
        meeting = _HELD_BEFORE.search(before)
        if meeting is None or not _HELD_AFTER.match(text, host.end):
            continue
        at = host.start - len(before) + meeting.start()
        clause = _clause_start(text, sentence.start, at)
        parties = {m.name: m for m in ms[:i] if clause <= m.start and m.end <= at}
        own = _HOME_PARTY.search(text, clause, at) if publisher_city else None
        if not parties and own and publisher_city:
            # 省党政代表团长三角地区学习考察交流总结座谈会在合肥召开: the home's own delegation
            mention = (
                _province_mention(publisher_city)
                if own.group().startswith(("省", "我省"))
                else _publisher_mention([], publisher_city)
            )
            if mention is not None and _valid(mention, host):
                return [(mention, host)]
            continue
        if len(parties) == 1:
            (visitor,) = parties.values()  # 嘉兴南湖区文化旅游对接会在马鞍山举行
        elif len(parties) == 2:
            # 厦门思明区·中卫沙坡头区…交流协作会在宁夏举行: the party not at home is the visitor
            inside = [m for m in parties.values() if not _valid(m, host)]
            if len(inside) != 1:
                continue  # 青岛·烟台…对接会在济南举行: whose visit is it? none
            (visitor,) = [m for m in parties.values() if m is not inside[0]]
            host = inside[0]
        else:
            continue
        if not visitor.self_ref and _valid(visitor, host):
            return [(visitor, host)]
    return []


def _host_groups(
    text: str, sentence: Sentence, ms: list[Mention]
) -> list[tuple[int, list[Mention]]]:
    """Hosts in movement frames, as (verb position, [host, host...]) groups."""
    groups: list[tuple[int, list[Mention]]] = []
    i = 0
    while i < len(ms):
        m = ms[i]
        verb = _verb_before(text, sentence.start, m)
        if verb >= 0 and m.place.level == "province" and _NEW_AREA.match(text, m.end):
            verb = -1  # 赴河北雄安新区: the new area is the host, a unit the codes do not have
        if verb < 0 or (m.strength is Strength.WEAK and _NAMED_SITE.match(text, m.end)):
            i += 1  # 到宁蒗支教展馆: a weak county name inside a hall's or school's name
            continue
        if _foreign_zone(text, ms, verb, m):
            i += 1  # 深入西宁市…公司、南川工业园区: the host's park, not 重庆's 南川区
            continue
        group = [m]
        j = i + 1
        while j < len(ms):
            gap = text[group[-1].end : ms[j].start]
            if (
                not _LIST_GAP.fullmatch(gap)
                and not _SITE_GAP.fullmatch(gap)
                and not (_ITEM_GAP.fullmatch(gap) and _PLACES_END.match(text, ms[j].end))
            ):
                break
            if verb > m.start and ms[j].start < verb:
                break  # 在苏州，宝山区党政代表团…: the party after the place, not a second host
            if gap in _MEET_GAPS and _LEADER.match(text, _tail(text, ms[j])):
                break  # 在乌鲁木齐与青海省委书记…一行会谈: the other side of the talks, no host
            if not gap and _CHAMBER_AFTER.match(text, ms[j].end):
                break  # 赴北京福建企业总商会: the chamber's members' home, not a second host
            if ms[j].strength is Strength.WEAK and _VILLAGE_AFTER.match(text, ms[j].end):
                break  # 蕲春县李山村和雨湖社区: a community's name, not 湘潭's 雨湖区
            if _foreign_zone(text, ms, verb, ms[j]):
                break  # 西宁市甘河工业园区…公司、南川工业园区: the host's park, not 重庆's 南川区
            if not gap and group[-1].place.level == "county" and ms[j].strength is Strength.WEAK:
                break  # 上城区湖滨(街道): a place inside the district, not 三门峡's 湖滨区
            if (
                not gap
                and group[-1].place.level == "city"
                and ms[j].place.level == "county"
                and ms[j].place.city != group[-1].place.city
                and not _ENDS_ITEM.match(text, ms[j].end)
            ):
                break  # 合肥滨湖(金融小镇) is inside 合肥, not 无锡's 滨湖区; 杭州新昌考察 is two
            if (
                group[-1].place.level == "province"
                and ms[j].place.province == group[-1].place.province
                and _LIST_GAP.fullmatch(gap)  # not across a site (吉林省长春市…基地、吉林省四平市)
            ):
                group[-1] = ms[j]  # 广东深圳: the city, not the province
            else:
                group.append(ms[j])
            j += 1
        if _TOWN_LIST_AFTER.match(text, group[-1].end):
            i = j  # 考察了淳化、湖熟等街道的…: sub-districts of the place, not 咸阳's 淳化县
            continue
        tail = text[group[-1].end : min(sentence.end, group[-1].end + 32)]
        verb_text = text[verb : m.start]
        if (
            m.abbr
            or verb_text.startswith(_STRONG_VERBS)
            or _PARTY_BEFORE.search(text, max(sentence.start, verb - 8), verb)
            or _STAY_AFTER.match(text, group[-1].end)
            or _PURPOSE.search(tail)
            or _TOPIC_PURPOSE.match(text, group[-1].end, sentence.end)
            or _SITES_PURPOSE.match(text, group[-1].end, sentence.end)
            or _LED_BEFORE.search(text, max(sentence.start, verb - 40), verb)
        ):
            groups.append((verb, group))
        i = j
    return groups


# (not 昆山、常州等镇街、部门: the places, then their towns and offices)
_TOWN_LIST_AFTER = re.compile(
    r"(?:[、和及][\u4e00-\u9fff]{2,3}?)*等(?:街道|镇|乡|社区|村)(?![街区县市])"
)
# The counterpart of an errand to the province's own bodies (到石家庄与省级宣传、旅游部门…对接).
_PROVINCIAL_COUNTERPART = re.compile(r"与省(?:级|委|政府|[^，。；、]{1,8}?(?:厅|局|委|办|部门))")


def _foreign_zone(text: str, ms: list[Mention], verb: int, m: Mention) -> bool:
    """``m`` is a weak name (no context) heading a park or zone (南川工业园区) after a place of
    another province named since the verb (深入西宁市…): a site of that place, not a host."""
    return (
        m.strength is Strength.WEAK
        and bool(_ZONE_AFTER.match(text, m.end))
        and any(
            x.strength is not Strength.WEAK
            and verb <= x.start < m.start
            and x.place.province != m.place.province
            for x in ms
        )
    )


_APPOSITION_REACH = 30  # how long a description of the place between the verb and ——
_APPOSITION_MOTION = re.compile(r"来到|前往|奔赴|赶赴|走进|抵达|到达|赴")


def _verb_before(text: str, floor: int, m: Mention) -> int:
    """Where the verb that makes ``m`` a host starts, or -1."""
    if _PARTY_NAMED_FOR.match(text, m.end) and text[m.start - 1 : m.start] == "赴":
        return -1  # 海南省政协赴赣考察团到靖安县: the team is named for its trip, not a movement
    if m.abbr:
        return m.start - 1
    lo = max(floor, m.start - 4)
    window = text[lo : m.start]
    found = _MOTION.search(window)
    if found:
        verb = found.group().rstrip("了")
        start = lo + found.start()
        banned = _NOT_MOTION_BEFORE.get(verb)
        if not (banned and start > floor and text[start - 1] in banned):
            return start
    dash = m.start - 2 if text.endswith("——", floor, m.start) else -1
    if dash > floor and text[m.end : m.end + 1] in "，,。；":
        # 来到践行新发展理念的公园城市示范区——成都，学习…: the place after a description of it
        lo = max(floor, dash - _APPOSITION_REACH)
        moves = [
            g
            for g in _APPOSITION_MOTION.finditer(text, lo, dash)
            if not _CLAUSE_BREAK.search(text, g.end(), dash)
        ]
        if moves:
            return moves[-1].start()
    if (
        text[m.start - 1 : m.start] == "至"
        and m.start - 1 >= floor
        and (
            _STAY_AFTER.match(text, m.end)
            or _STAY_LIST.match(text, m.end)
            or _PLACES_STAY_AFTER.match(text, m.end)
        )
    ):
        return m.start - 1  # 至建湖、太仓等地考察学习: 至 as the movement, right before a stay
    stay = _STAY_BEFORE.search(window)
    if stay and (
        _STAY_AFTER.match(text, m.end)
        or _STAY_LIST.match(text, m.end)
        or _MEETING_AFTER.match(text, m.end)
        or (
            m.place.level == "province"
            and (_CITY_STAY_AFTER.match(text, m.end) or _PROVINCE_STAY_LIST.match(text, m.end))
        )
        # 率队在上海市杨浦区学习考察: the city's district named in full, then the stay
        or (m.place.level == "city" and _DISTRICT_STAY_AFTER.match(text, m.end))
        or _SITE_STAY_AFTER.match(text, m.end)
        or (text[m.end - 1] in "县区" and _TOWN_STAY_AFTER.match(text, m.end))
        or _BUREAU_STAY_AFTER.match(text, _tail(text, m))
        or (
            text[lo + stay.start()] == "在"
            and (_ZONE_STAY_AFTER.match(text, m.end) or _PLACES_STAY_AFTER.match(text, m.end))
        )
        or (text[lo + stay.start()] == "在" and _ESCORTED.match(text, m.end))
        or (text[lo + stay.start()] == "在" and _ON_TOPIC_STAY.match(text, m.end))
        or (text[lo + stay.start()] == "对" and _TOPIC_STAY.match(text, m.end))
    ):
        return lo + stay.start()
    at = lo + stay.start() if stay else -1
    if at >= 0 and text[at] == "在" and (at == floor or text[at - 1] in "，,。；;\n"):
        topic = _TOPIC_PARTY.match(text, m.end)
        if (
            topic
            and not _CROWD.search(topic.group())
            and not _FACILITY_END.search(text, m.end, text.find("，", m.end, topic.end()))
        ):  # 在深圳市，马军一行与…座谈: the party after the place names the stay
            return topic.end()
    if text.startswith("之行", m.end):
        return m.start
    epithet = _EPITHET.search(text, max(floor, m.start - _EPITHET_REACH), m.start)
    if epithet:
        return epithet.start()  # 赴藏东明珠——昌都市: the place after its epithet
    described = _DESCRIBED.search(text, max(floor, m.start - _DESCRIBED_REACH), m.start)
    if described:
        return described.start()  # 赴省内兰州, 赴对标城市湖州市: the place after what it is
    modified = _MODIFIED.search(text, max(floor, m.start - _MODIFIED_REACH), m.start)
    if modified and _MODIFIED_AFTER.match(text, m.end):
        return modified.start()
    company = _TO_COMPANY.search(text, max(floor, m.start - 16), m.start)
    if company and _SITE_ITEM.match(text, m.end):
        return company.start()  # 到装备公司深圳双轮铣施工现场考察: the company's site in 深圳
    if (
        text[m.start - 1 : m.start] in ("、", "和", "及")
        # a town's name (桥头镇卫生院) is no place of its own, a county written in full (宁县) is
        and (m.strength is not Strength.WEAK or text[m.end - 1] in "市县区旗")
        and (
            _LISTED_ITEM.match(text, m.end)
            or _LISTED_PLACE.match(text, m.end)
            or (m.place.level == "province" and _LISTED_PROVINCE.match(text, m.end))
        )
        and (listed := _LIST_MOTION.search(text, max(floor, m.start - 200), m.start))
    ):
        return listed.start()
    return -1


# A party's counterpart in talks (与深圳市人大常委会负责同志座谈), before the place's name and
# after it: the host the party met, not the party.
_TALKS_WITH = re.compile(r"[与同跟][^，。；与同跟]{0,40}$")
_TALKS = re.compile(r"座谈|会谈|会见|洽谈")


def _visitors(
    text: str,
    sentence: Sentence,
    ms: list[Mention],
    hosts: set[int],
    verb: int,
    group: list[Mention],
    story_visitor: Mention | None,
    publisher_city: str | None,
    *,
    home_went: bool = False,
) -> list[Mention]:
    """Visitor candidates for one host group, best first. ``home_went``: the home's own party
    travelled earlier in the paragraph, so a subjectless next leg (随后赴沧州) is still its."""
    out: list[Mention] = []
    # A weak name (no context: 昆山, 江城) may be a host in a frame, never the visitor.
    others = [m for m in ms if id(m) not in hosts and m.strength is not Strength.WEAK]
    before = [m for m in others if m.end <= verb]
    verb_clause = _clause_start(text, sentence.start, verb)
    city_head = _CITY_HEAD.search(text, verb_clause, verb) is not None and not any(
        m.start >= verb_clause for m in before
    )
    for m in reversed(before):
        if city_head and m.place.city is None and m.start < verb_clause:
            continue  # 视察山西…，近日，市长朱晓东率团赴上海: a city head, no province
        if _LEFT.search(text, max(sentence.start, m.start - 4), m.start):
            continue  # 离开临沂后，考察组来到…: the place the party left
        if text.startswith("途中", m.end):
            continue  # 在前往陕西途中考察了山西运城: where the party was going
        if text.endswith(("听取", "听取了"), sentence.start, m.start):
            continue  # 听取了陕西省委和省政府工作汇报并…考察了山西运城: who reported, not the party
        if _TALKS_WITH.search(text, _clause_start(text, sentence.start, m.start), m.start) and (
            _TALKS.search(text, m.end, verb)
        ):
            continue  # 调研组与深圳市人大常委会负责同志座谈，并到广州: whom the party met
        if _PER_ORDER.match(text, _clause_start(text, sentence.start, m.start), m.start) and (
            _ORDER_END.search(text, m.end, verb)
        ):
            continue  # 按照甘肃省人民政府办公厅《…》要求，…赴上海: who ordered it, not the party
        if _INSPECTION_SPEECH.match(text, m.end):
            continue  # 学习习近平总书记在陕西榆林考察时的重要讲话精神，传达市党政代表团赴…
        if text.endswith(("视察", "考察"), 0, m.start) and _SPEECH_AFTER.match(text, m.end):
            continue  # 落实总书记视察江苏重要讲话指示精神，市水利局…赴上海: where he inspected
        if not m.self_ref and not _government(_party_words(text, m.start, verb)):
            continue  # 宁夏湖北商会考察团来我县 in a clause the host's 县委、县政府 open
        marked = _MARKER.search(text, _tail(text, m), min(verb, m.end + 20))
        if m.self_ref or marked or _clause_subject(text, m, verb):
            out.append(m)
    for m in before:
        if (
            m.start - _clause_start(text, sentence.start, m.start) <= 1
            and _REPORT_OPENING.fullmatch(text, m.end, verb)
            and _REPORT_MEETING.match(text, group[-1].end)
        ):
            out.append(m)  # 铁力市召开赴贵阳考察学习座谈会: the trip it reports back on
    for m in others:
        if text[max(sentence.start, m.start - 2) : m.start] == _FROM and _government(
            _party_words(text, m.start, verb)
        ):
            out.append(m)  # (not 来自…中山市汕尾商会的企业家们在副市长…陪同下)
    after = group[-1].end
    host_names = {h.name for h in group}
    for m in others:
        # 赴青岛、济南考察，并与青岛、济南两市相关部门座谈: the hosts' own officials, not a visitor
        if (
            m.start >= after
            and m.name not in host_names
            and text[m.start - 1] not in _COUNTERPART
            # 专程拜访了无锡市委书记杜小刚: the host's official the party called on
            and not _CALLED_ON.search(text, max(sentence.start, m.start - 3), m.start)
            and _MARKER.search(text, _tail(text, m), _clause_end(text, m.end, sentence.end, 12))
            # 会见来鸡西考察的广东客商: a business party named after the verb is no delegation
            and _government(text[_tail(text, m) : min(sentence.end, m.end + 12)])
        ):
            out.append(m)
    if story_visitor is not None and _DELEGATION.search(text, sentence.start, sentence.end):
        out.append(story_visitor)
    if before and before[0].start - sentence.start <= 2 and verb == before[0].end:
        out.append(before[0])  # "青岛赴深圳考察"
    if (run := _leading_run(text, _clause_start(text, sentence.start, verb), before)) and run[
        -1
    ].end == verb:
        out.append(run[-1])  # 北京大兴区赴察右前旗调研
    listed = _listed_run(text, _clause_start(text, sentence.start, verb), before)
    if listed and _SUFFIX_GAP.fullmatch(text, listed[-1].end, verb):
        out.append(listed[-1])  # 昌吉市、阿克苏市来我市考察学习: the list's last (the rest with it)
    for m in before:
        # 古交市组织…农技人员赴朔州市: the place that organises the trip at the clause start.
        if m.start - _clause_start(text, sentence.start, m.start) <= 1 and _ORGANISER.match(
            text, m.end
        ):
            out.append(m)
    clause = _clause_start(text, sentence.start, verb)
    # a place of the home in the clause (县政府副县长…带领墨脱县…培训班到) keeps it the home
    if publisher_city and not any(
        m.start >= clause and m.place.city != publisher_city for m in before
    ):
        # 儋州新闻中心消息…，市委宣传部组织…赴三亚: the publisher's own people, or its province's
        # (省委副书记、代省长叶建春在广州学习考察, 省党政代表团赴安徽 on a city's site)
        named = _named_subject(text, clause, verb)
        last = named or _name_before(text, clause, verb)  # …农业产业化梁桂率队赴河南
        if _provincial(text, clause, verb) or (last and _provincial_name(text, last)):
            own = _province_mention(publisher_city)
        elif _company_led(text, sentence.start, verb) or _SCHOOL_LED.search(text, clause, verb + 2):
            # 分别由集团领导李军…带队，赶赴深圳…: a company's own study trip; 武原成校组织…培训班
            # 学员赴金华: a school's trainees, not a delegation
            own = None
        elif not named and _UNNAMED_PARTY.match(text, clause) and _guest_goes_on(text, clause):
            own = None  # the guest that came to the home goes on to its next stops
        elif (
            named
            or _OWN_OFFICIAL.search(text, sentence.start, verb)
            or text.startswith(("率队", "率团", "带队"), verb)  # 李俊明郑连生率队赴山东
            # 局党组书记、局长汤振率队一行5人先后赴张家港市应急局
            or _LED_JUST_BEFORE.search(text, clause, verb) is not None
        ):
            own = _publisher_mention(ms, publisher_city)
        elif _ORGANISED_TRIP.fullmatch(text, clause, verb) and not _ORGANISED_PEOPLE.search(
            text, clause, verb
        ):
            # 并组织人员赴大理、西安等地考察学习, 组织警力先后到厦门: a trip the home's body
            # organised, told without its name (a work report, a feature on the home's site)
            body = _antecedent(text, sentence.start)
            if body is not None and body.startswith(("省", "我省")):
                own = _province_mention(publisher_city)
            else:
                own = _publisher_mention(ms, publisher_city)
        elif _THEY.search(text, sentence.start, verb):
            # 半年多来，他们组建…，并到苏州…考察学习: the story's party, else the home's own
            own = story_visitor or _publisher_mention(ms, publisher_city)
        elif (
            clause > sentence.start
            and _OFFICIALS_CLAUSE.search(text, sentence.start, clause) is not None
            and _government(text[sentence.start : verb])
        ):
            # 洪武路街道严伟主任…及商务局雷明局长…等一行5人，赴苏州: the officials of the clause
            # before, with no other place named, are the home's
            own = _publisher_mention(ms, publisher_city)
        elif (
            _NO_SUBJECT.fullmatch(text, clause, verb) or _BARE_TEAM.fullmatch(text, clause, verb)
        ) and (clause == sentence.start or _BARE_OPENING.fullmatch(text, sentence.start, clause)):
            # 市工信局草拟《…》。先后赴青海西宁…考察学习: the body the paragraph is about; so is
            # the team it sent, unnamed (市医保局赴兄弟市县考察学习。考察学习组分别到海口、三亚)
            body = _antecedent(text, sentence.start)
            if body is None:
                # 副市长率…赴山东聊城考察。同时…考察了沧州肃宁: the home's party goes on; an
                # unnamed team with no guest's party before it (局代表团全体成员赴…) is the home's
                # when the title names the home or its officials (大同市促进外来投资局…; 赵学斌
                # 副市长带队…), and so is a title that opens with its verb (赴广元市…考察学习)
                title = text[: max(0, text.find("\n"))]
                team = story_visitor is None and (
                    sentence.index == 0
                    or (
                        _BARE_TEAM.fullmatch(text, clause, verb) is not None
                        and (publisher_city in title or _OWN_OFFICIAL.search(title) is not None)
                        # (not a title whose party is none: 统战部组织党外代表人士赴…)
                        and _government(title)
                        and _ORGANISED.search(title) is None
                    )
                )
                own = _publisher_mention(ms, publisher_city) if home_went or team else None
            elif body.startswith(("省", "我省")):
                own = _province_mention(publisher_city)
            else:
                own = _publisher_mention(ms, publisher_city)
        else:
            own = None
        if own is not None:
            out.append(own)
    return out


# 我区/我县 on a city's site: one of its districts or counties, lifted to the city. (我市/本市
# come from the gazetteer.)
_HOME_REF = re.compile(r"我区|我县|我州|我盟|我旗|本区|本县")
# 来我局考察, 到我委调研: the home's own unit as the host, a visit's end only
_HOME_UNIT = re.compile(
    r"(?<=[来到临访赴])我(?:局|分局|委|办|院|中心|单位|社)"
    r"(?=(?:就[^，。；]{1,40}?)?(?:进行|开展)?(?:考察|调研|学习|交流|参观|指导))"
    # 一行来到市住房保障局考察学习: the home city's own bureau, named by an unqualified 市
    r"|(?<=来到|莅临|到访)市[^，。；;、\d市]{2,10}?局(?=(?:进行|开展)?(?:考察|调研|学习|交流|参观|指导))"
    # (带领…到市图书馆考察学习: the home's library, museum or centre, named by a bare 市)
    r"|(?<=[来到])市[^，。；;、\d市]{1,8}?(?:馆|中心)(?=(?:进行|开展)?(?:考察|调研|学习|交流|参观))"
    # a service centre's site calls itself 中心 (…办公室来中心考察学习, 来“中心”，考察学习)
    r"|(?<=[来到临访])[“\"]?中心[”\"]?(?=，?(?:考察|调研|学习|交流|参观|指导))"
    # a development zone's site calls itself 园区 (…分批带队来园区调研考察)
    r"|(?<=[来到临访])园区(?=(?:进行|开展)?(?:考察|调研|学习|交流|参观|指导))"
)
# An abbreviation of the home city or one of its counties: 来桓 (桓台) on 淄博's site.
_HOME_VERBS = "来莅抵到"
_HOME_NEXT = re.compile(
    r"考察|调研|访问|交流|学习|参观|洽谈|对接|招商|推介|拜访|走访|观摩|开展|进行|指导|检查|慰问"
    r"|出席|参加|签约|回访|期间"
)


@functools.cache
def _home_abbr(city: str) -> tuple[frozenset[str], re.Pattern[str]]:
    """The first characters of ``city``'s and its counties' short names, and 来X考察 with X one
    of them or a second character where the first is a direction (上虞 -> 虞)."""
    chars = {city[0]}
    firsts = {city[0]}
    if len(city) == 2 and city[1] not in abbreviation_chars():
        chars.add(city[1])  # 来饶 = 上饶
    with (DATA_DIR / "places.tsv").open(encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            _code, level, _name, short, parent, *_rest = line.rstrip("\n").split("\t")
            if level == "county" and parent == city and short:
                chars.add(short[0])
                firsts.add(short[0])
                if len(short) == 2 and short[1] not in abbreviation_chars():
                    chars.add(short[1])  # 来虞 = 上虞, 来邮 = 高邮: a visit's end only
    alternatives = re.escape("".join(sorted(chars)))
    pattern = re.compile(f"[{_HOME_VERBS}][{alternatives}](?={_HOME_NEXT.pattern})")
    return frozenset(firsts), pattern


def home_mentions(text: str, mentions: list[Mention], home: str) -> list[Mention]:
    """``mentions`` with the home city's own references resolved: an abbreviation of the home
    city or one of its counties (来平 = 平度 on 青岛's site) points at the home city whatever
    the gazetteer picked; 我区/我县 and such abbreviations the gazetteer does not know are added.
    Abbreviations that are not the home's keep the gazetteer's reading (or none, if ambiguous)."""
    province = province_of(home)
    if province is None:
        return mentions
    place = Place(home, province, "city")
    firsts, abbr = _home_abbr(home)
    out = [replace(m, place=place) if m.abbr and text[m.start] in firsts else m for m in mentions]
    spans = sorted((m.start, m.end) for m in out)
    span_starts = [s for s, _e in spans]

    def covered(start: int, end: int) -> bool:
        i = bisect_right(span_starts, end - 1) - 1
        return i >= 0 and spans[i][1] > start

    added: list[Mention] = []
    for ref in _HOME_REF.finditer(text):
        if not covered(ref.start(), ref.end()):
            added.append(Mention(ref.start(), ref.end(), place, Strength.STRONG, self_ref=True))
    for ref in _HOME_UNIT.finditer(text):
        if not covered(ref.start(), ref.end()):
            added.append(Mention(ref.start(), ref.end(), place, Strength.WEAK, self_ref=True))
    for found in abbr.finditer(text):
        i = found.start()
        banned = _NOT_MOTION_BEFORE.get(text[i])
        if (banned and i > 0 and text[i - 1] in banned) or covered(i + 1, i + 2):
            continue
        # a second character (来浔 = 南浔) names the home only as a visit's end
        level = Strength.STRONG if text[i + 1] in firsts else Strength.WEAK
        added.append(Mention(i + 1, i + 2, place, level, abbr=True))
    if not added:
        return out
    return sorted([*out, *added], key=lambda m: (m.start, m.end))


def _antecedent(text: str, start: int) -> str | None:
    """The last government body of the home's city or province opening a clause in the
    paragraph before ``start`` (省市场监管局…。该局…。赴浙江…), within a few sentences."""
    floor = max(text.rfind("\n", 0, start) + 1, start - _ANTECEDENT_REACH)
    bodies = [m.group() for m in _ANTECEDENT.finditer(text, floor, start)]
    return bodies[-1] if bodies else None


def _guest_goes_on(text: str, clause: int) -> bool:
    """The last party named before ``clause`` is one that came to the home (省政协考察团来我市调研。
    考察团一行…), so an unnamed 考察团 opening ``clause`` is that guest."""
    floor = max(0, clause - _ANTECEDENT_REACH)
    guests = list(_GUEST_ARRIVES.finditer(text, floor, clause))
    if not guests:
        return False
    last_party = [m.start() for m in _UNNAMED_PARTY.finditer(text, floor, clause)][-1]
    return guests[-1].start() <= last_party < guests[-1].end()


def _publisher_mention(ms: list[Mention], publisher_city: str) -> Mention | None:
    for m in ms:
        if m.place.city == publisher_city:
            return Mention(m.start, m.end, m.place, m.strength, self_ref=True)
    province = province_of(publisher_city)
    if province is None:
        return None
    return Mention(0, 0, Place(publisher_city, province, "city"), Strength.STRONG, self_ref=True)


def _reception(
    text: str,
    sentence: Sentence,
    ms: list[Mention],
    hosts: set[int],
    start: int,
    end: int,
    publisher_city: str | None,
) -> tuple[Mention, Mention] | None:
    visitor = next(
        (
            m
            for m in ms
            if m.start >= end
            and id(m) not in hosts
            and not m.abbr
            and m.strength is not Strength.WEAK
            and _MARKER.search(text, _tail(text, m), min(sentence.end, m.end + 15))
        ),
        None,
    )
    if visitor is None or _CLAUSE_BREAK.search(text, end, visitor.start):
        return None  # 陪同接待，…北京雷生公司…: the next clause's subject, not the guest
    party = text[visitor.end : min(sentence.end, visitor.end + 15)]
    if not _government(party):
        return None  # 接待南京企业家一行: a business party, not a delegation
    visitor = _own_city(text, ms, visitor, sentence.end)
    host = next((m for m in ms if end <= m.start < visitor.start and id(m) in hosts), None)
    if host is None:
        for m in reversed([m for m in ms if m.end <= start]):
            if (
                text[max(sentence.start, m.start - 1) : m.start] == "在"
                or m.self_ref
                or (_LEADER.search(text, _tail(text, m), min(start, m.end + 15)))
                # 桦川县迎来山西临汾考察组: the place that welcomes them, as its subject
                or (m.end == start and text.startswith("迎来", start))
            ):
                host = m
                break
    if host is None and publisher_city and not any(m.end <= start for m in ms):
        host = _publisher_mention([], publisher_city)
    if host is None:
        return None
    return visitor, host


def _own_city(text: str, ms: list[Mention], m: Mention, limit: int) -> Mention:
    """A guest province whose own city follows in the same title chain (贵州省六盘水市委书记,
    江西省委副书记、赣州市委书记…率领的): that city, the party's place; else ``m``."""
    if m.place.level != "province":
        return m
    lead = _LEAD_VERB.search(text, m.end, min(limit, m.end + _CHAIN_REACH))
    stop = lead.start() if lead else min(limit, m.end + _CHAIN_REACH)
    for n in ms:
        if n.start < m.end or n.start >= stop or _CLAUSE_BREAK.search(text, m.end, n.start):
            continue
        if n.place.city and n.place.province == m.place.province and not n.self_ref:
            return n
    return m


def _sends_party(text: str, start: int, clause: int, verb: int) -> bool:
    """The words before the travel verb ``verb`` (its clause, or the sentence from ``start``
    when the clause has no subject of its own or opens on 组织) may send a government
    delegation."""
    # (上海市红十字会副会长李江英一行10人，到我市考察: the party in the clause before)
    bare = _BARE_ORGANISING.match(text, clause) or _NO_SUBJECT.fullmatch(text, clause, verb)
    party_start = start if bare else clause
    if not _government(text[party_start:verb]):
        return False
    return not (_ORGANISED.search(text, start, verb) and not _HEADED.search(text, start, verb))


def _never_party(text: str, title: Sentence) -> bool:
    """The first sentence (the title) sends a body that is no government delegation
    (庄浪县总工会赴临夏市, 榆次区委统战部区工商联…组织民营企业家代表赴浙江, 武原成校组织…赴金华)
    and no official of the city leads it: the later 考察组一行 is that body too."""
    if _SCHOOL_TRIP.search(text, title.start, title.end):
        return True
    found = _NEVER_PARTY.search(text, title.start, title.end)
    if found is None or _WHERE_TO.search(text, title.start, found.start()):
        return False  # 姜四清在中国华能集团…研究院考察调研: the place visited, not the party
    return not _government(text[title.start : found.end()])


def _office_led(text: str, sentence: Sentence) -> bool:
    """The sentence's trip is led by the head of one of the home's own offices (市民政局主要领导…
    带领…赴), no body that is no delegation among its words: the office's trip, whatever body the
    title sends."""
    for head in _OFFICE_HEAD.finditer(text, sentence.start, sentence.end):
        # a head cited for its instructions leads nothing (落实市委、市政府主要领导…在我院调研时
        # 指示精神，…院党委书记带领)
        end = _clause_end(text, head.end(), sentence.end, sentence.end - head.end())
        if _CITED.search(text, head.end(), end):
            continue
        if not _NEVER_GOVERNMENT.search(head.group()) and _HEADED.search(
            text, head.end(), sentence.end
        ):
            return True
    return False


def _never_party_words(text: str, title: Sentence) -> str:
    """The words of the title's party that is no government delegation, up to its body
    (萧山区殡仪馆, 定西市地级退休干部): a later party of the same place is that body."""
    found = _NEVER_PARTY.search(text, title.start, title.end)
    return text[title.start : found.start() + 2] if found else ""


def _company_led(text: str, start: int, verb: int) -> bool:
    """The heads named just before the verb are a company's (集团领导…带队，赶赴, 公司总经理…率队
    前往) and no city office joins them: the trip is the company's, not the home city's."""
    lo = max(start, verb - _COMPANY_REACH)
    # the verb may be the leading one itself (…董事长刘伟|率队赴)
    head = _COMPANY_HEAD.search(text, lo, verb + 2)
    if head is None or _CITY_OFFICE.search(text, lo, verb):
        return False
    # 由市国资委调研员李长青、…、交投集团董事长孙健男…等领导带队: the city's bodies named first lead
    lo = max(start, head.start() - _COMPANY_REACH)
    return not _CITY_BODY_FIRST.search(text, lo, head.start())


def _government(party: str) -> bool:
    """``party`` (the words before the verb, or after a guest's place) may be a government
    delegation: not a business, school or mass organisation unless officials lead it. The head
    of the city's liaison office in the host (驻深圳办事处主任) joining a company's trip there
    does not make it one."""
    party = _LIAISON.sub("", party)
    led = _LED_BY.search(party)
    if led and _GOVERNMENT.search(led.group(1)) and not _NOT_GOVERNMENT.search(led.group(1)):
        return True  # 汕头市殡葬协会一行30人在汕头市民政局一级调研员…带领下: an official leads
    if _SERVICE_PARTY.match(party):
        return False
    never = _NEVER_GOVERNMENT.search(party)
    if never is not None and _JOINT_BODY.search(party, 0, never.start()):
        return True  # 市侨办、市侨联负责同志带队: a government office travels with the body
    if never is not None:
        # 副市长…率领市科协…: an official of the city at the head of the body, before it
        lead = _LEAD_VERB.search(party, 0, never.start())
        if lead is None or _NEVER_GOVERNMENT.search(party, 0, lead.start()):
            return False
        head = party[: lead.start()]
        return bool(_GOVERNMENT.search(head)) and not _NOT_GOVERNMENT.search(head)
    # a company's own 党委副书记 or 主任 is no official (房投集团党委副书记、总经理王春一行)
    return not _NOT_GOVERNMENT.search(party) or bool(
        _GOVERNMENT.search(_COMPANY_TITLE.sub("", party))
    )


def _clause_subject(text: str, m: Mention, verb: int) -> bool:
    """``m`` opens the verb's own clause as its party, however long its title
    (宿迁市农业农村局种植业条线及相关县区农业农村局领导等一行来我市), or a zone of its is the
    party (无锡高新区来我区)."""
    if m.end + _CLAUSE_REACH < verb or _CLAUSE_BREAK.search(text, m.end, verb):
        return False
    # (广宗经济开发区分别赴…, 广宗县分别赴…: the adverbs before the verb are no party's words)
    adverbs = _ADVERBS_BEFORE.search(text, m.end, verb)
    if adverbs and adverbs.start() < verb:
        verb = adverbs.start()
        if verb == m.end and (m.start == 0 or text[m.start - 1] in "，,。；;\n"):
            return True
    return bool(
        _MARKER.search(text, _tail(text, m), verb)
        or _ZONE.fullmatch(text, m.end, verb)
        or _BODY.fullmatch(text, m.end, verb)
    )


_ADVERBS_BEFORE = re.compile(r"(?:分别|先后|专程|一同|共同)+$")


_LISTED_GAP = re.compile(r"(?:[市县区州]?[、和及])?")


def _listed_run(text: str, start: int, before: list[Mention]) -> list[Mention]:
    """The places of one level listed by 、/和/及 that open the clause at ``start`` (昌吉市、
    阿克苏市来我市; a province right before its first city, 新疆昌吉市, is left out): parties
    travelling together, or [] when the opening is no such list."""
    run: list[Mention] = []
    for m in _leading_run(text, start, before, _LISTED_GAP):
        if run and run[-1].end == m.start:
            # 新疆|昌吉市, 南京市|江宁区: one item, its most specific place (河南省郑州市、南京市
            # 江宁区代表团 lists two parties); two cities glued together are no list
            if run[-1].place.level != "province" and run[-1].place.city != m.place.city:
                return []
            run[-1] = m
        else:
            run.append(m)
    if (
        len(run) < 2
        or len({m.place.city is None for m in run}) > 1  # cities (or their districts) only
        or run[0].place.level == "province"
        or any(m.self_ref for m in run)
    ):
        return []
    return run


def _leading_run(
    text: str, start: int, before: list[Mention], joined: re.Pattern[str] = _SUFFIX_GAP
) -> list[Mention]:
    """The places that open the clause at ``start`` one right after the other (北京|大兴区), or
    with what ``joined`` allows between them."""
    run: list[Mention] = []
    at = start
    for m in before:
        if m.start < start:
            continue
        gap = text[at : m.start]
        if len(gap) > 2 if not run else not joined.fullmatch(gap):
            break  # 中山市与珠海市在中山签署: two parties, not one place
        run.append(m)
        at = m.end
    return run


# 率队, or leading an unnamed team (郑志明率考察组赴兴化市, 王某带领调研组到…): the home's own.
_LEAD_SUFFIX = re.compile(
    r"(?:率队|率团|带队|(?:率领?|带领)(?:党政)?(?:考察组|考察团|代表团|调研组|调研团|学习团|工作组))?"
    r"(?:一行)?等?$"
)


def _named_subject(text: str, start: int, verb: int) -> str:
    """The person's name that alone opens the clause (李海渊在潮州市考察; the first of two:
    江文孙颖带队到…), or '': on a city's site, one of its officials."""
    # 尹弘、叶建春率队在广东…: the names before their lead verb
    words = _LEAD_SUFFIX.sub("", text[start:verb])
    if is_name(words):
        return words
    for k in (2, 3):
        if len(words) - k in (2, 3) and is_name(words[:k]) and is_name(words[k:]):
            return words[:k]
    return ""


def _name_before(text: str, start: int, verb: int) -> str:
    """The person's name that ends right before the verb (…大力推进农业产业化梁桂|率队), or ''."""
    for k in (3, 2):
        if verb - k >= start and is_name(text[verb - k : verb]):
            return text[verb - k : verb]
    return ""


def _provincial_name(text: str, name: str) -> bool:
    """The article gives ``name`` a provincial title somewhere (省委副书记、代省长叶建春)."""
    return any(
        _provincial(text, _clause_start(text, max(0, at - _TITLE_REACH), at), at)
        for at in _occurrences(text, name)
    )


def _provincial(text: str, start: int, end: int) -> bool:
    """A provincial office in ``text[start:end]`` and no city office (省委常委、市委书记周红波 is
    the city's)."""
    return bool(_PROVINCIAL.search(text, start, end) and not _CITY_OFFICE.search(text, start, end))


def _occurrences(text: str, word: str) -> list[int]:
    out, at = [], text.find(word)
    while at >= 0:
        out.append(at)
        at = text.find(word, at + 1)
    return out


def _province_mention(publisher_city: str) -> Mention | None:
    province = province_of(publisher_city)
    if province is None or province == publisher_city:
        return None
    return Mention(0, 0, Place(None, province, "province"), Strength.STRONG, self_ref=True)


def _talks_guest(text: str, ms: list[Mention], venue: Mention) -> Mention | None:
    """在乌鲁木齐与青海省委书记…陈刚一行举行工作会谈: the party met at the venue is a guest."""
    nxt = next((m for m in ms if m.start >= venue.end), None)
    if (
        nxt is None
        or nxt.self_ref
        or text[venue.end : nxt.start] not in _MEET_GAPS
        or not _LEADER.match(text, _tail(text, nxt))
        or not _TALKS_AFTER.match(text, nxt.end)
    ):
        return None
    return nxt


def _joint_visitors(text: str, ms: list[Mention], visitor: Mention) -> list[Mention]:
    """福州安庆两市人社部门来通, 苏州、无锡两地…赴: the places named with the visitor before
    两市/两地/三市 travel together."""
    if not _JOINT_AFTER.match(text, visitor.end):
        return []
    out: list[Mention] = []
    at = _index_of(ms, visitor)
    while at > 0 and _JOINT_GAP.fullmatch(text, ms[at - 1].end, ms[at].start):
        at -= 1
        if ms[at].name != visitor.name and not ms[at].self_ref:
            out.append(ms[at])
    return out


def _index_of(ms: list[Mention], m: Mention) -> int:
    """Where ``m``'s span stands in ``ms`` (the visitor may be the home's own copy of a mention,
    儋州 as 我市), or -1."""
    return next((i for i, x in enumerate(ms) if (x.start, x.end) == (m.start, m.end)), -1)


def _like_bodies(text: str, ms: list[Mention], visitor: Mention, clause: int) -> list[Mention]:
    """芜湖市政务服务中心、吴忠市政务服务中心赴我办: the places listed before the visitor in the
    clause, each with the same body as the visitor's, travel with it."""
    out: list[Mention] = []
    at = _index_of(ms, visitor)
    while at > 0 and ms[at - 1].start >= clause:
        gap = text[ms[at - 1].end : ms[at].start]
        body = gap[:-1]
        if gap[-1:] not in ("、", "和", "及") or not _BODY.fullmatch(body):
            break
        if not text.startswith(body, visitor.end) or ms[at - 1].self_ref:
            break
        at -= 1
        if ms[at].name != visitor.name:
            out.append(ms[at])
    return out


def _parallel_subjects(
    text: str, sentence: Sentence, ms: list[Mention], clause: int, visitor: Mention
) -> list[Mention]:
    """福州市财政局…相关负责人，安庆市人社局…等相关负责人来通考察: the clauses right before the
    visitor's, each a place's people with no verb of their own, travel with it."""
    out: list[Mention] = []
    end = clause - 1
    while end > sentence.start and text[end] in "，,":
        start = _clause_start(text, sentence.start, end)
        first = next((m for m in ms if m.start == start), None)
        if (
            first is None
            or first.self_ref
            or first.place.level == "province"
            or not _PARALLEL_PARTY.search(text, start, end)
            or _PARALLEL_VERB.search(text, start, end)
        ):
            break
        if first.name != visitor.name:
            out.append(first)
        end = start - 1
    return out


def _central_subject(text: str, floor: int, clause: int, ms: list[Mention]) -> bool:
    """The clause has no party of its own (it opens on 在/赴/到…) and the sentence's subject,
    before it, is a central leader or body: 中共中央政治局常委、国务院总理李克强在省委书记…陪同下，
    在福州、泉州考察."""
    if clause <= floor:
        return False
    # (…市长蔡奇陪同下，到北京市考察: after the escorts the clause opens on its verb and host)
    escorted = _ESCORTED_BEFORE.search(text, _clause_start(text, floor, clause - 1), clause)
    if any(clause <= m.start < clause + (1 if escorted else 2) for m in ms):
        return False
    if not _SUBJECTLESS.match(text, clause):
        return False
    opening = _clause_start(text, floor, clause - 1)
    while opening > floor and (
        not _CLAUSE_SUBJECT.search(text, opening, clause)
        # (…国务院副总理张高丽，北京市委书记郭金龙、市长蔡奇陪同下，到北京市考察: the escorts
        # listed across a comma, their 在 and the leader before it)
        or _ESCORT_TAIL.match(text, opening, clause)
    ):
        opening = _clause_start(text, floor, opening - 1)
    return bool(_CENTRAL_SUBJECT.search(text, opening, clause))


_ESCORT_TAIL = re.compile(r"[^在，,。；;]{1,40}?(?:陪同|陪伴)下[，,]?$")
_ESCORTED_BEFORE = re.compile(r"(?:陪同|陪伴)下[，,]?$")


def _party_words(text: str, start: int, verb: int) -> str:
    """The words from ``start`` (a place's name) to the verb in that place's clause, without the
    host's officials escorting the party (在副市长谢殿才的陪同下): what the party is."""
    brk = _CLAUSE_BREAK.search(text, start, verb)
    clause = _clause_start(text, max(0, start - _CLAUSE_REACH), start)
    if _LEAD_VERB.search(text, clause, start):
        start = clause  # 市政协副主席…姚华带领民革承德市委主委…: the head leads its people
    return _ESCORT.sub("", text[start : brk.start() if brk else verb])


def _clause_end(text: str, start: int, ceiling: int, reach: int) -> int:
    """Where the clause going on at ``start`` ends, at most ``reach`` characters on (国家超级计算
    无锡中心，专程拜访了…市委书记: the next clause's words are not the place's)."""
    end = min(ceiling, start + reach)
    brk = _CLAUSE_BREAK.search(text, start, end)
    return brk.start() if brk else end


def _clause_start(text: str, floor: int, at: int) -> int:
    """Where the clause holding ``at`` starts (after the last ，；before it)."""
    for i in range(at - 1, floor - 1, -1):
        if text[i] in "，,；;":
            return i + 1
    return floor


def _tail(text: str, m: Mention) -> int:
    """Where to look for a marker after ``m``: 青岛市 + 委书记 is 青岛 + 市委书记."""
    return m.end - 1 if text[m.end - 1] in "市省区县州" else m.end


def _under_province(text: str, m: Mention) -> bool:
    """``m`` names a county-level unit directly under its province (潜江, 济源, 琼海, 陵水), not
    the province itself: as a visitor it is no city and not its province's delegation. (The
    兵团 cities stand for 新疆, whose delegations they are.)"""
    return m.place.level == "province" and directly_under_province(text[m.start : m.end])


def _valid(visitor: Mention, host: Mention) -> bool:
    """A visit goes between two different places, neither inside the other, and not across
    the strait: a trip to or from 台湾 (赴台, 台北市…参访团) is read as one abroad."""
    v, h = visitor.place, host.place
    if visitor.name == host.name or TAIWAN in (v.province, h.province):
        return False
    if v.city is None and h.province == v.province:
        return False  # a province, or a county directly under it (陵水 -> 海南)
    return not (h.city is None and v.province == h.province)
