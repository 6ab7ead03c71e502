"""Themes by weighted keywords, and the article's kind (visit, policy, other)."""

from __future__ import annotations

__all__ = ["ThemeScorer", "kind_of", "plans_trip"]

import math
import re
from dataclasses import dataclass
from datetime import date

import ahocorasick_rs

from crawler.base.taxonomy import Theme
from crawler.tag.text import fold

BODY_UNIT = 400  # characters; a longer body needs proportionally (sqrt) more evidence


@dataclass(frozen=True, slots=True)
class _Keyword:
    theme: int
    weight: float  # negative for negative keywords


class ThemeScorer:
    """Scores every theme on one article with a single automaton pass."""

    def __init__(self, themes: tuple[Theme, ...]) -> None:
        self.themes = themes
        table: dict[str, list[_Keyword]] = {}
        for t, theme in enumerate(themes):
            for phrase, weight in theme.keywords.items():
                table.setdefault(fold(phrase), []).append(_Keyword(t, weight))
            for phrase, weight in theme.negative.items():
                table.setdefault(fold(phrase), []).append(_Keyword(t, -weight))
        self._patterns = list(table)
        self._keywords = [tuple(table[p]) for p in self._patterns]
        self._ac = (
            ahocorasick_rs.AhoCorasick(
                self._patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
            )
            if self._patterns
            else None
        )

    def score(self, text: str, title_end: int) -> list[tuple[str, int, int]]:
        """Themes that pass, as (id, start, end) of their best evidence match, in theme order."""
        if self._ac is None:
            return []
        counts: dict[int, list[float]] = {}  # pattern -> [title hits, body hits, first start]
        for idx, start, _end in self._ac.find_matches_as_indexes(text):
            c = counts.get(idx)
            if c is None:
                c = counts[idx] = [0.0, 0.0, float(start)]
            c[0 if start < title_end else 1] += 1
        n = len(self.themes)
        scores = [0.0] * n
        best: list[tuple[float, int, int]] = [(0.0, -1, -1)] * n
        for idx, (title_hits, body_hits, first) in counts.items():
            for kw in self._keywords[idx]:
                theme = self.themes[kw.theme]
                if kw.weight < 0:
                    scores[kw.theme] += kw.weight * (title_hits + body_hits)
                    continue
                hits = title_hits * theme.title_weight + body_hits
                gain = kw.weight * (1 + math.log2(hits))
                scores[kw.theme] += gain
                if gain > best[kw.theme][0]:
                    start = int(first)
                    best[kw.theme] = (gain, start, start + len(self._patterns[idx]))
        body_len = max(0, len(text) - title_end)
        scale = max(1.0, math.sqrt(body_len / BODY_UNIT))
        return [
            (theme.id, best[t][1], best[t][2])
            for t, theme in enumerate(self.themes)
            if scores[t] >= theme.threshold * scale and best[t][1] >= 0
        ]


_DOC = (
    r"方案|规划|条例|办法|意见|措施|细则|规定|计划|纲要|通知|通告|公告|决定|指引|清单|政策|规范|标准"
    r"|导则|批复"
)
_BODY = (
    r"政府|办公厅|办公室|国务院|委员会|常委会|管委会|省委|市委|区委|县委|部门|总局|海关|央行|人民银行"
    r"|会议|监会|部|厅|局|委|署|办"
)
# The title names a document as such: policy even when it also says 通报 or 约谈.
_DOC_TITLE = re.compile(
    # 关于…的 + a document's form, with its usual qualifier (的安排意见, 的补充通知, 的暂行办法)
    # (not a 决定书, a licence or penalty served on one party: 关于准予设立…的决定书)
    # (not a commendation: 关于表彰…先进单位的决定 names people, it sets no rule)
    # (…的若干意见, …的几点意见: a body's numbered measures)
    r"印发|关于(?!表彰|表扬|授予|追授)[^。]{2,80}的(?:安排|实施|指导|工作|补充|紧急|暂行|管理|具体|行动"
    r"|若干|几点)?(?:通知|意见|办法"
    r"|方案|规划|决定(?!书)|批复|公告|通告|规定|若干措施|细则)"
    # a 公示 of what a body decided (…重点民生项目的公示), not of how it rectified (整改情况的公示)
    r"|关于(?![^。]*整改)[^。]{2,80}的公示"
    # a document's title cut before its form (关于调整…任务分解表的)
    r"|^(?:[^。，]{0,30}(?:政府|办公室|委员会|局|委|办|厅|部|院|中心))?关于[^。，]{2,80}的$"
    # a body's periodic working note to its units (月份学习和工作提示)
    r"|工作提示$"
)
# 《…》 naming a policy document (not a list of names, a resolution on a report or a report).
_NAMED = rf"《(?![^》]*名单)[^》]{{2,80}}(?:{_DOC})(?![^》]{{0,8}}(?:决议|报告)》)[^》]{{0,8}}》"
_POLICY_TITLE = re.compile(
    r"政策解读|》解读|解读《|答记者问|(?:出台|发布|公布|颁布|施行|实施|正式实施|通过|批准|批复同意)[^。]{0,20}《"
    r"|》[^。，]{0,12}?(?:出台|发布|公布|施行|实施|正式实施|印发|获批|通过|批复)"
    r"|(?:条例|管理办法|暂行办法|暂行规定|实施办法|实施方案|行动方案|行动计划|若干措施|若干政策|实施意见"
    r"|指导意见|专项规划|发展规划|总体规划|中长期规划|实施细则|(?<!征求)(?<!听取)工作意见)[》”]?"
    # (…实施意见试行干府发号, …三年行动计划年: the brackets lost, 试行 or the years' 年 after)
    r"(?:$|\s|[（(\d]|试行|暂行|年$|出台|发布|公布|施行|实施|正式|通过|全文"
    r"|(?:新闻)?发布会|(?:政策)?解读|(?:已|被)(?:修改|修订|修正))"
    # a document's drafting explanation by its title (…实施方案（试行）起草说明, …规划编制说明), its
    # brackets lost as titles often lose them (…实施方案试行起草说明)
    rf"|(?:{_DOC})[》”]?[（(]?(?:试行|暂行|草案|征求意见稿|修订稿)?[）)]?(?:的)?(?:起草|编制|制定)说明$"
    # a plan by its own title (…局思想解放大讨论活动方案, …总工会…年度活动方案, …专项整治工作方案)
    r"|(?:活动|工作)方案$"
    # 关于…实施方案相关政策的解读: an explanation of a document, by its title
    r"|^关于[^。]{2,80}(?:方案|办法|条例|意见|规划|细则|规定|政策)[^。，]{0,8}?的解读$"
    r"|(?:规划|方案|条例|办法|标准)[^，。]{0,4}(?:获批|获[^，。]{0,4}批复)|(?:规范|标准)》?(?:新闻)?发布会"
    # a release of policies (人才政策集中发布会, 惠企政策发布会), not a press conference on work
    r"|政策[^，。]{0,4}发布(?:会|活动)"
    r"|(?:延续|继续实施|继续执行|延长)[^。，：]{0,20}(?:政策|措施|办法)"
    rf"|(?:{_BODY})(?:联合)?(?:印发|下发|发布|发出)(?:了)?(?:紧急)?(?:通知|通告|公告)"
    r"|(?:印发|下发|发出)(?:了)?(?:紧急)?(?:通知|通告)"
    # a document's explanation by its title (…实施方案的解读, …工作方案解读), a policy's public
    # explanation (科改20条政策宣讲)
    rf"|(?:{_DOC})[》”]?(?:的)?(?:政策)?解读$|政策宣讲"
)
# A document's own title (大庆市人民政府规章制定办法, …局公务接待管理制度) and a government's
# recruitment or vetting announcement (…公开选调工作人员公告, 人民监督员候选人考察公告), read like
# 招生计划.
_DOC_NAME_TITLE = re.compile(
    r"(?:人民政府|政府|委员会|办公室|办公厅|局|厅)[^，。、]{2,30}(?:办法|规定|细则|规则)$"
    # a body's or area's plan by its own title (…局党组中心组学习计划, …地区科技事业发展十二五规划,
    # …厅所属事业单位公开招聘工作人员方案)
    r"|(?:局|厅|委员会|党组|地区)(?![^，。、]*(?:总结|报告|汇报|加强|推进|完成))[^，。、]{2,30}"
    r"(?:规划|计划|方案|工作要点)$"  # not 工作总结及工作计划, 加强…规划 (a report, news)
    # a periodic plan by its own title, whoever issues it (承德市年商贸流通工作要点, 年海洋与渔业
    # 工作计划, …局年工作计划定稿, 安顺市十四五应急体系建设规划)
    # (not a summary with it: 上半年工作总结与下半年工作计划)
    r"|^(?![^，。、]*(?:总结|报告|汇报|完成|情况))[^，。、]{0,30}?(?:年度?|十[一二三四五六]五)"
    r"[^，。、]{0,30}?(?:工作要点|工作计划|规划|实施方案|推进方案|工作方案)(?:定稿)?$"
    # a recruitment notice of a government, not a company's (…有限公司招聘…公告)
    r"|(?:招聘|招录|招募|选调|遴选|录用|候选人|调入|转任)[^，。]{0,24}?(?:公告|公示)"
    # a law's own text by its title (中华人民共和国公务员法)
    r"|^中华人民共和国[^，。、]{1,20}法$"
    # a government's recruitment plan by its own title (贵州省…岗位专项简化程序公开招聘方案)
    r"|(?<![司团])公开(?:招聘|招录|招考|选调|遴选)[^，。、]{0,12}?(?:方案|简章|报考指南)$"
    # a government's recruitment guide or brochure by its own title, however the recruitment is
    # named (…年度考试录用公务员报考指南, …选调生招考简章)
    r"|(?<![司团])(?:招聘|招录|招考|选调|遴选|录用)[^，。、]{0,12}?(?:报考指南|招考简章|招录简章)$"
    # a plan document by its own title (…国民经济和社会发展第十三个五年规划纲要, …规划纲要)
    r"|国民经济和社会发展[^，。、]{0,14}?规划(?:纲要)?$|规划纲要$"
    # a body's own rules by their title (…局公务接待管理制度), not news of making them (建立…制度)
    r"|(?:人民政府|政府|委员会|办公室|办公厅|局|厅)(?![^，。、]*(?:建立|健全|完善|落实|加强|推行|严格|执行"
    r"|改革|创新|建设))[^，。、]{2,30}制度$"
    # a public body's talent-introduction announcement (…学院…公开引进人才公告)
    r"|(?:引进|引才)[^，。、]{0,12}?人才[^，。、]{0,6}?(?:公告|公示)$"
    r"|人才(?:引进|招聘|招引)[^，。、]{0,6}?(?:公告|公示)$"  # 急需紧缺人才引进公告
)
# A company's own recruitment (…建设工程有限公司招聘…公告) is no government's; a public school's or
# hospital's is (安顺市民族中学…公开招聘…公告), and so is a state-owned platform's (…资本运营集团…);
# 房县…面向医学院校公开招聘…: the county recruits.
_COMPANY_RECRUITS = re.compile(
    r"^(?:(?!面向|国有|国资|资本运营|城投|城市建设投资)[^，。]){0,20}?(?:公司|集团|银行)"
    r"[^，。]{0,30}?(?:招聘|招录|人才引进|引进人才)"
)
# A school's or hospital's contract or agency hires are its own employment, not posts it fills for
# the state (安顺市中医院…招聘合同制专业技术人员公告).
_CONTRACT_HIRES = re.compile(
    r"^(?:(?!面向)[^，。]){0,20}?(?:医院|卫生院|保健院|学校|中学|小学|大学(?!毕业|生)|学院|幼儿园)[^，。]{0,30}?"
    r"(?:招聘|招录)[^，。]{0,6}?(?:合同制|劳务派遣|临聘|临时|编外)"
)
# A public recruitment at its vetting stage (…特殊教育学校公开招聘体检和考察公告): a public
# recruitment's step, as a government's (not a company's), whoever's contract hires they are.
_PUBLIC_STAGE = re.compile(
    r"(?<![司团])(?:公开)?(?:招聘|招录)[^，。]{0,8}?(?:体检|考察|拟聘|聘用)[^，。]{0,8}?"
    r"(?:公告|公示|通知)(?:补充公告)?$"
    # however the hiring is named (…招募…聘用为事业单位工作人员体检及考察公告), and its later
    # notices (…拟递补进入体检考察人员通知, …考察公告补充公告)
    r"|(?:招聘|招录|招募|聘用|录用|选调|遴选|调入|引进)[^。]*?(?:体检|考察)(?:和|及|与|、)?(?:体检|考察)?"
    r"(?:工作)?(?:事宜|(?:人员|对象|人选)(?:名单)?)?(?:公告|公示|通知)(?:补充公告)?$"
)
_POLICY_ISSUED = re.compile(
    r"(?:印发|出台|发布|公布|颁布|推出)[^。，]{0,24}(?:政策|措施|举措|方案|规划|办法|意见|条例|细则|规定|计划"
    r"|纲要|指引|清单|新政|新规|规范|标准|招生计划)"
    rf"|(?:{_BODY})出[^。，：]{{0,8}}(?:指引|新规|新政|细则|办法|意见|措施|政策)"
)
# 印发了《关于在全党开展党纪学习教育的通知》 under the title 在全党开展党纪学习教育: the item is
# that document, issued (a reposted central 通知), not a story citing it.
_ISSUED_DOC = re.compile(
    r"(?:印发|下发|发出|发布|公布)(?:了)?《关于(?P<subject>[^》]{4,60})的(?:通知|意见|决定|实施意见|指导意见"
    r"|办法|规定|实施方案|工作方案|方案)》"
)
_VISIT_TITLE = re.compile(
    r"(?:代表团|考察团|学习团|访问团|调研组|考察组|率团|率队|一行)[^，。]{0,12}?(?:赴|到|来|抵|莅临|访问"
    r"|考察|前往)|(?:会见|会晤|接待|欢迎)[^，。]{0,20}?(?:代表团|考察团|学习团|访问团)"
)
# A province's own body as the title's subject (省人大调研组来淮, 江苏省科技厅考察团赴淮安): in a
# city of its own province that is no visit, so the title alone does not make one.
_PROVINCE_BODY = re.compile(r"(?:[一-龥]{2,3}省|省)(?!会)")
_POLICY_LEAD = re.compile(
    rf"(?:{_BODY})[^。，]{{0,20}}(?:印发|出台|发布|公布|颁布|下发|审议通过|表决通过|批准通过|批复同意)"
    rf"[^。]{{0,30}}{_NAMED}"
    rf"|(?:{_BODY})[^。，《》]{{0,10}}(?:印发|下发|发布|发出)(?:了)?(?:紧急)?(?:通知|通告|公告)"
    rf"|(?:{_BODY})[^。，《》]{{0,12}}(?:印发|出台|发布|公布|下达)[^。，《》]{{0,30}}(?:招生计划|行动计划"
    r"|实施方案|若干措施|管理办法|实施意见|指导意见|实施细则)"
    rf"|(?:{_BODY})[^。，《》]{{0,12}}(?:延续|继续实施|继续执行|延长)[^。，《》]{{0,30}}(?:政策|措施)"
    rf"|发布会(?:上)?[^。]{{0,30}}?(?:发布|公布|解读|介绍)[^。]{{0,30}}{_NAMED}"
    r"|《[^》]{2,80}(?:规划|方案|条例|办法)[^》]{0,12}》(?:已)?获(?:得)?[^。，]{0,6}(?:批复|批准)"
)
# Not policy whatever the lead says: discipline notices, talks, framework agreements, 倡议书.
_NOT_POLICY_TITLE = re.compile(r"通报|约谈|框架协议|合作协议|倡议")
# A title about studying a regulation is not its issuing (组织学习《…实施细则》); 学习型, 学习教育
# and 学习实践 name campaigns whose 实施方案 are documents.
_STUDY_TITLE = re.compile(r"学习(?!型|教育|实践)[^，。]{0,40}(?:条例|办法|规定|细则|准则|意见)》?$")
_ISSUING = re.compile(r"出台|印发|发布|颁布|下发|制定|出炉")
# A document cited in passing (根据《…》要求, 传达学习…印发的《…》): not the item's subject.
_CITING = re.compile(r"贯彻|落实|学习|传达|遵守|结合")
_CITING_SENTENCE = re.compile(r"根据|按照|依据")
# The body says it is the document (…结合实际，特制定本方案。 现就《方案（试行）》…解读如下：):
# the item is that document or its explanation, however its title was cut.
_SELF_DOC = re.compile(
    r"制定本(?![校院单部])[^，。；：、《》]{0,16}?(?:规则|规划|办法|方案|公告|计划|条例|意见|细则|规定|简章"
    r"|制度|指引|标准)(?:[（(]以下简称[^）)]{0,20}[）)])?[。：:]"
    r"|就《[^》]{2,80}》[^。，]{0,12}?解读如下"
    # a notice speaking (现将有关事项公告如下, 现将…活动安排如下, 现将有关事项通知如下)
    r"|现将[^。]{0,40}?(?:公告|通知|安排)如下"
)
_SELF_REACH = 600  # characters of the body that may say so
_CLAUSE = re.compile(r"[。；，,]")
_LEAD_CHARS = 120
_SHORT_SENTENCE = 20  # a first sentence this short is a caption or heading: the lead runs on


# A notice that organises a trip still to come (关于组织我市企业赴青岛…考察学习的通知, 关于选派…
# 赴…培训的通知): a plan issued as a document, not a visit made.
_PLANNED_TRIP = re.compile(
    r"关于(?:(?:组织|选派|派出|安排|做好)[^。]{0,40}?)?(?:赴|到|前往)[^。]{1,40}?"
    r"(?:考察|学习|调研|培训|参观|交流|对接)[^。]{0,20}?的(?:通知|公告|通告)"
    # a trip's plan by its own title (…孵化平台赴武汉考察学习…建设活动方案)
    # (not 赴长荡湖考察学习退养还湖实施方案: the plan the party went to learn)
    r"|(?:赴|到|前往)[^。，]{1,40}?(?:考察|学习|调研|培训)[^。，]{0,20}?(?:活动|工作)方案$"
)


# When the notice sets the trip: 9月下旬, 8月上旬, 10月15日, 11月初.
_TRIP_WHEN = re.compile(r"(?<![0-9])([0-9]{1,2})月(上旬|中旬|下旬|初|中|底|末|([0-9]{1,2})日)?")
_PART_DAY = {"上旬": 1, "初": 1, "中旬": 11, "中": 11, "下旬": 21, "底": 21, "末": 21}
_WHEN_REACH = 300  # characters of the body that may set the trip's time
# The body puts the trip ahead without a time (我委将于近期组织…赴浙江, 近期拟组织…): still to come,
# whatever dates an agenda further down copies.
_SOON = re.compile(r"(?:将|拟)于?近期|近期(?:将|拟)|即将(?:组织|赴|前往)")


def plans_trip(text: str, title_end: int, published: date | None) -> bool:
    """Whether the title is a notice organising a trip (关于组织…赴…考察学习的通知) that is still
    to come when it is published: the first month the body names (定于9月下旬) falls after the
    publication date, or either is unknown. A notice published after the trip it set (8月上旬,
    published in September) reports a trip made."""
    if not _PLANNED_TRIP.search(_compact(text[:title_end])):
        return False
    if _SOON.search(text, title_end, title_end + _WHEN_REACH):
        return True
    when = _TRIP_WHEN.search(text, title_end, title_end + _WHEN_REACH)
    if when is None or published is None:
        return True
    month, part, day = int(when.group(1)), when.group(2), when.group(3)
    start = int(day) if day else _PART_DAY.get(part or "", 1)
    try:
        return date(published.year, month, start) > published
    except ValueError:
        return True


def _compact(title: str) -> str:
    """The title without the spaces between Chinese characters (通　知, 条例　全文)."""
    return _CJK_SPACE.sub("", title)


_GLUED_SITE = re.compile(r"\s*[-_|｜]\s*")
_CJK_SPACE = re.compile(
    r"(?<=[\u3400-\u9fff《》“”（）])[\s\u3000\u00a0]+(?=[\u3400-\u9fff《》“”（）])"
)


def _lead_start(text: str, title_end: int) -> int:
    """Where the lead starts: after the sentences at the body's head that repeat the whole title
    (the site's column and the headline, then the headline again), whose 。 would end it early."""
    title = _NOT_LETTER.sub("", text[:title_end])
    start = title_end + 1
    if len(title) < _TITLE_SHORT:
        return start
    for _ in range(_REPEATS):
        end = text.find("。", start, start + _LEAD_CHARS)
        if end < 0 or title not in _NOT_LETTER.sub("", text[start:end]):
            break
        start = end + 1
    return start


_NOT_LETTER = re.compile(r"[^\u4e00-\u9fff0-9A-Za-z]+")
_TITLE_SHORT = 8  # a title this short may stand in any sentence
_REPEATS = 2


def _lead_end(text: str, title_end: int, start: int = -1) -> int:
    start = title_end + 1 if start < 0 else start
    end = text.find("。", start, start + _LEAD_CHARS)
    if 0 < end < start + _SHORT_SENTENCE:
        end = text.find("。", end + 1, start + _LEAD_CHARS)
    return end if end > 0 else min(len(text), start + _LEAD_CHARS)


def kind_of(
    text: str, title_end: int, *, policy: bool, visit_in_lead: bool, any_visit: bool
) -> str:
    """``visit`` when the title or lead reports a visit; else ``policy`` when a government body
    issues, adopts, approves or explains a policy document (metadata table; or in the title or
    lead: 印发/发布/下发 a 通知/意见/办法/方案/规划/条例/规范/标准, 《…》获批, 延续…政策, 解读,
    发布《…》 at a press conference, a 政策发布会; a title ending in a document's 解读, a 政策宣讲,
    关于…的安排意见/补充通知/公示 or a title cut after its 的, a 工作提示, a document's 起草说明,
    an …活动方案/工作方案, 工作要点, 工作意见 or 中长期规划 by its own title, a year's plan or a
    十四五 规划 by its own title (not a summary with it), a body saying
    特制定本方案 or 现将…公告如下 of itself; a public body's,
    public
    school's, hospital's or state-owned firm's recruitment, 人才引进 or vetting-stage 公告, not a
    private company's nor an institution's contract hires), unless the title is a 通报, 约谈,
    agreement or 倡议;
    else ``visit`` for a visit further down; else ``other``."""
    title = text[:title_end]
    compact = _compact(title)
    if visit_in_lead or (_VISIT_TITLE.search(title) and any_visit):
        return "visit"
    if not compact.strip():
        # no title (lost in extraction): the body's first sentence, without the site's name a
        # page glues to it (关于…的通知-其他主动公开文件-十堰市文化和旅游局), stands in for it
        end = text.find("。", title_end)
        first = text[title_end : end if end > 0 else len(text)]
        compact = _compact(_GLUED_SITE.split(first.strip(), maxsplit=1)[0])
    if policy or _DOC_TITLE.search(compact):
        return "policy"
    if not _NOT_POLICY_TITLE.search(compact) and (
        (
            not _STUDY_TITLE.search(compact)
            and (
                _POLICY_TITLE.search(compact)
                or _POLICY_ISSUED.search(compact)
                or (
                    not _COMPANY_RECRUITS.search(compact)
                    and (
                        _PUBLIC_STAGE.search(compact)
                        or (_DOC_NAME_TITLE.search(compact) and not _CONTRACT_HIRES.search(compact))
                    )
                )
            )
        )
        # (a title about studying a rule is no issuing, whatever the lead says of its issuing;
        # one that issues a rule on study trips is: 出台外出学习考察活动管理规定)
        or (
            not (_STUDY_TITLE.search(compact) and not _ISSUING.search(compact))
            and _issued_in_lead(text, title_end)
        )
        or _issued_as_titled(text, title_end, compact)
        or (
            # a company's own hiring plan or an institution's contract hires say so too
            _SELF_DOC.search(text, title_end, title_end + _SELF_REACH) is not None
            and not _COMPANY_RECRUITS.search(compact)
            and not _CONTRACT_HIRES.search(compact)
        )
    ):
        return "policy"
    return "visit" if any_visit else "other"


def _issued_in_lead(text: str, title_end: int) -> bool:
    """Whether the lead reports a policy being issued, not merely citing one."""
    lead = _lead_start(text, title_end)
    for m in _POLICY_LEAD.finditer(text, lead, _lead_end(text, title_end, lead)):
        start = max(title_end, text.rfind("。", title_end, m.start()) + 1)
        before = text[start : m.start()] + m.group().split("《", 1)[0]
        clause = _CLAUSE.split(before)[-1]
        if (
            before.count("《") <= before.count("》")
            and not _CITING_SENTENCE.search(before)
            and not _CITING.search(clause)
        ):
            return True
    return False


def _issued_as_titled(text: str, title_end: int, title: str) -> bool:
    """The body reports issuing a document whose subject is the title (印发了《关于在全党开展
    党纪学习教育的通知》 under 在全党开展党纪学习教育): the item is the document itself."""
    if len(title) < 4 or "《关于" not in text:
        return False
    return any(_compact(m.group("subject")) == title for m in _ISSUED_DOC.finditer(text, title_end))
