"""crawler.tag.themes.kind_of: policy items the title or lead gives away, and the look-alikes
that stay ``other`` (examples written in the style of government news): among them a rule by its
own title (实施办法, a body's own 制度), recruitment and talent announcements and application
guides, explanations and revisions of documents, plans and 纲要 by their title (a year's 工作要点 or
工作计划, a 十四五 规划, not a summary with its plan), a document issued under the title's own
subject; news of making or studying rules, a company's recruitment and a
document the story only reports on stay ``other``."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger
from crawler.tag.themes import kind_of


def kind(title: str, body: str = "") -> str:
    return kind_of(
        f"{title}\n{body}", len(title), policy=False, visit_in_lead=False, any_visit=False
    )


@pytest.mark.parametrize(
    "title",
    [
        "《哈尔滨市文明行为促进条例》　10月1日起施行",
        "淄博市物业管理条例　（2023年修订）",
        "长春市城市供水条例 全文",
        "关于印发《青岛市城市更新专项规划》的　通　知",
        "《泸州市养犬管理条例》　正式施行",
        "潍坊市农村生活污水治理管理办法(试行)",
    ],
)
def test_document_titles_with_ideographic_spaces(title: str, tagger: Tagger) -> None:
    assert kind(title) == "policy"
    assert tagger.tag(title, "").kind == "policy"


@pytest.mark.parametrize(
    ("title", "lead"),
    [
        ("市政府办公室发布通知 做好春节期间烟花爆竹安全管理", ""),
        ("省教育厅下发紧急通知部署防汛期间校园安全工作", ""),
        (
            "高温津贴怎么发？",
            "各地高温津贴一览。夏季高温期来临，人社部等四部门日前下发通知，要求各地按时足额发放"
            "高温津贴。",
        ),
        ("我市进一步规范共享单车停放", "市城管局近日发布通告，中心城区主干道禁止停放共享单车。"),
        ("全市中小学秋季学期开学时间确定", "市教育局日前印发通知，明确全市中小学9月1日开学。"),
    ],
)
def test_notices_without_guillemets(title: str, lead: str) -> None:
    assert kind(title, lead) == "policy"


@pytest.mark.parametrize(
    ("title", "lead"),
    [
        ("财政部 税务总局：延续实施小微企业和个体工商户所得税优惠政策", ""),
        ("我市继续实施稳岗返还政策", "记者从市人社局获悉，今年符合条件的企业可申领稳岗返还。"),
        (
            "新能源汽车购置税减免政策延续",
            "财政部、税务总局、工业和信息化部近日发布公告，延续和优化"
            "新能源汽车车辆购置税减免政策。",
        ),
        ("惠企政策再延长", "市发改委近日决定延长阶段性减免房租政策至年底，惠及中小微企业。"),
    ],
)
def test_policies_extended(title: str, lead: str) -> None:
    assert kind(title, lead) == "policy"


@pytest.mark.parametrize(
    ("title", "lead"),
    [
        (
            "我市召开新闻发布会",
            "12月5日，市政府新闻办召开新闻发布会，发布《淄博市公共场所双语标识设置规范》地方标准。",
        ),
        (
            "《城市道路桥梁养护技术规范》新闻发布会召开",
            "市市场监管局今天召开新闻发布会，介绍这项地方标准的主要内容。",
        ),
        (
            "我市优化营商环境再出实招",
            "今天上午，市政府新闻办举行新闻发布会，市发改委负责同志解读《泸州市优化营商环境若干措施》。",
        ),
    ],
)
def test_documents_released_at_a_press_conference(title: str, lead: str) -> None:
    assert kind(title, lead) == "policy"


@pytest.mark.parametrize(
    ("title", "lead"),
    [
        ("超大特大城市国土空间总体规划全部获批", ""),
        (
            "国土空间规划获批",
            "记者近日从市自然资源局获悉，《松原市国土空间总体规划（2021—2035年）》获得省政府批复。",
        ),
        (
            "2024年退役大学生士兵专项硕士研究生拟招收8000人",
            "教育部日前发布2024年退役大学生士兵专项硕士研究生招生计划。",
        ),
        ("发改委出债券指引：放宽城投债", ""),
        ("我市发布十条人才新政进一步加大引才力度", ""),
        ("证监会出新规 规范上市公司减持", ""),
    ],
)
def test_approvals_plans_and_headline_verbs(title: str, lead: str) -> None:
    assert kind(title, lead) == "policy"


@pytest.mark.parametrize(
    ("title", "lead"),
    [
        (
            "市纪委监委通报3起违反中央八项规定精神典型问题",
            "近日，市纪委监委对3起典型问题进行通报，要求严格执行《关于进一步加强作风建设的通知》。",
        ),
        (
            "两部门约谈提醒涉嫌非理性竞争汽车生产企业",
            "工业和信息化部、市场监管总局11日对汽车生产企业进行约谈提醒，要求企业严格遵守《中华人民共和国价格法》。",
        ),
        ("京津冀签署深化口岸合作框架协议", "三地共同签署了《京津冀深化口岸合作框架协议》。"),
        ("深圳基金业发布救市倡议书", "深圳市投资基金同业公会发布倡议书，呼吁会员理性投资。"),
        (
            "李克强：培育长期稳定健康发展的资本市场",
            "李克强总理2日表示，中国经济需要在稳定宏观经济政策、继续实施积极的财政政策和稳健的货币政策。",
        ),
        (
            "十五运会赛事服务保障等工作准备就绪",
            "今天下午，第十五届全国运动会主新闻中心举行新闻发布会，介绍粤港澳三地赛事筹备情况。",
        ),
        ("世界入海口城市合作发展大会开幕", "大会发布了《世界入海口城市发展研究报告（2022）》。"),
        ("某股份发布公告称拟回购股份", "公司董事会发布公告，拟以自有资金回购股份。"),
        ("十城市入选数字经济创新发展试点", "工信部公布第一批试点城市名单，10个城市入选。"),
        ("全市重点项目建设现场推进会召开", "会议通报了一季度重点项目建设情况。"),
        ("新建小学项目获批立项", "市发改委近日批复该项目可行性研究报告。"),
    ],
)
def test_look_alikes_stay_other(title: str, lead: str) -> None:
    assert kind(title, lead) == "other"


def test_visit_still_wins_and_metadata_still_counts() -> None:
    title = "青岛市党政代表团赴深圳考察"
    text = f"{title}\n市政府办公厅近日下发通知。"
    assert kind_of(text, len(title), policy=False, visit_in_lead=False, any_visit=True) == "visit"
    plain = "全市安全生产工作会议召开"
    assert kind_of(plain, len(plain), policy=True, visit_in_lead=False, any_visit=False) == "policy"


@pytest.mark.parametrize(
    ("title", "lead"),
    [
        (
            "市审计局强化工会经费监督管理",
            "近日，市审计局根据市总工会下发的《在全市基层开展工会经费使用管理专项督查的通知》要求，"
            "组织审计小组开展检查。",
        ),
        (
            "市政协召开党组扩大会议",
            "会上，传达学习了中央办公厅印发《党委（党组）落实全面从严治党主体责任规定》。",
        ),
        (
            "区财政局开展业务培训",
            "按照市财政局印发的《关于加强预算绩效管理的实施意见》要求，区财政局举办业务培训班。",
        ),
        (
            "区第七届人民代表大会第四次会议胜利闭幕",
            "会议表决通过《关于2023年国民经济和社会发展计划的决议》。",
        ),
        (
            "我市两家养殖场通过省级动物疫病净化评估",
            "日前，省农业农村厅下发了《关于公布2023年通过省级动物疫病净化评估养殖场名单的通知》。",
        ),
        ("市外事办集体学习中华人民共和国政府信息公开条例", ""),
        ("市司法局专题学习审计现场管理办法", "近日，市司法局组织专题学习。"),
    ],
)
def test_documents_cited_or_studied_are_not_issued(title: str, lead: str) -> None:
    assert kind(title, lead) == "other"


@pytest.mark.parametrize(
    ("title", "lead"),
    [
        ("市行政审批局关于开展党史学习教育的实施方案", ""),
        ("市机关事务管理局干部教育培训实施方案", ""),
        (
            "市食药监局出台外出学习考察活动管理规定",
            "为推进反腐倡廉各项任务的落实，近日，市食品药品监督管理局出台了《关于进一步规范外出学习"
            "考察活动的管理规定》。",
        ),
        (
            "市人大常委会就市容和环境卫生管理条例实施举行新闻发布会",
            "市人大常委会今天举行新闻发布会，解读《吉安市城市市容和环境卫生管理条例》。",
        ),
    ],
)
def test_documents_about_study_campaigns_are_still_documents(title: str, lead: str) -> None:
    assert kind(title, lead) == "policy"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # a document's explanation by its title, wherever 关于 stands
        ("市教体局关于宜春市推进学前教育普及普惠实施方案的解读", "policy"),
        ("贵州省普通高等学校招生考试和录取工作方案解读", "policy"),
        ("《南通市促进消费若干措施》的政策解读", "policy"),
        ("市发改委关于稳增长政策的解读", "policy"),
        ("专家解读当前经济形势", "other"),
        ("解读中国经济的韧性", "other"),
        # a policy's public explanation
        ("淮阴区举办市科改条政策宣讲暨高新技术企业申报培训班", "policy"),
        ("党的二十大精神宣讲走进社区", "other"),
        # talent recruitment named 人才引进, and a public recruitment's vetting stage
        ("竹山县事业单位高层次和急需紧缺人才引进公告", "policy"),
        ("十堰市特殊教育学校公开招聘体检和考察公告", "policy"),
        ("市第一人民医院公开招聘拟聘用人员公示", "policy"),
        ("某某科技有限公司招聘体检公告", "other"),
        ("市中医院招聘合同制护理人员公告", "other"),  # an institution's contract hires
        ("人才引进成效显著", "other"),
        # a document's drafting explanation by its title, brackets kept or lost
        ("某市城区重点项目服务保障实施方案试行起草说明", "policy"),
        ("某县养老服务体系建设规划（草案）编制说明", "policy"),
        ("关于某区农村人居环境整治办法的起草说明", "policy"),
        ("市政府召开会议听取规划编制情况说明", "other"),  # a meeting, not the explanation
        ("起草说明会在我县召开", "other"),
        # a plan by its own title
        ("某市妇联第三片区年度联谊活动方案", "policy"),
        ("某区商务局营商环境提升专项整治工作方案", "policy"),
        ("某县开展活动方案评审", "other"),
        ("方案落地见效", "other"),
        # a public recruitment at its vetting stage, naming the people
        ("某市年度事业单位人才引进第二批次拟进入体检考察人员公告", "policy"),
        ("某县年公开招聘教师考察对象名单公示", "policy"),
        ("某公司招聘拟进入体检人员公告", "other"),  # a company's own hiring
        ("体检考察人员工作经验交流", "other"),
    ],
)
def test_explanations_talent_calls_and_vetting_stages(title: str, expected: str) -> None:
    assert kind(title) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # a public school's, hospital's or state-owned firm's recruitment is a public one
        ("安顺市民族中学公开招聘公费师范生公告", "policy"),
        ("某某县人民医院招聘公告", "policy"),
        ("市第三中学参加人才博览会引才后续招聘公告", "policy"),
        ("某某市城投集团有限公司公开招聘工作人员公告", "policy"),
        ("某某县国有资本运营集团有限公司招聘公告", "policy"),
        # a private company's recruitment, an institution's contract or agency hires stay other
        ("某某建设工程有限公司招聘专业技术人员公告", "other"),
        ("某某银行招聘公告", "other"),
        ("市妇幼保健院招聘劳务派遣人员公告", "other"),
        ("某某大学招聘临时工作人员公告", "other"),
        ("市人才中心举办专场招聘会", "other"),
        # the vetting stage of a public hiring, however the hiring is named
        ("某县招募三支一扶高校毕业生聘用为事业单位工作人员体检及考察公告", "policy"),
        ("市直机关公开遴选公务员考察公示", "policy"),
        ("某某区选调生考察和体检事宜公告", "policy"),
        ("某某科技有限公司招聘体检公告", "other"),
        ("市纪委监委赴某地考察学习", "other"),
    ],
)
def test_public_recruitment_by_who_hires(title: str, expected: str) -> None:
    assert kind(title) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # 关于…的 + a qualified document form
        ("关于开展解放思想大讨论活动的安排意见", "policy"),
        ("关于做好防汛工作的补充通知", "policy"),
        ("关于加强校外培训管理的暂行办法", "policy"),
        ("关于开展安全生产大检查的紧急通知", "policy"),
        ("关于某某提案的答复", "other"),
        ("关于全市经济运行情况的调研报告", "other"),
        # a 公示 of what a body decided, not of how it rectified
        ("县委办公室关于我为群众办实事重点民生项目的公示", "policy"),
        ("关于拟命名市级文明单位的公示", "policy"),
        ("市城管局关于环保督察交办信访件整改情况的公示", "other"),
        # a document's title cut before its form
        ("某区交通运输局关于调整创建工作任务分解表的", "policy"),
        ("关于印发某某方案的", "policy"),
        ("我市有关于食品安全的", "other"),  # no 关于 heading a title cut short
        ("关于的", "other"),
        # a body's periodic working note
        ("月份学习和工作提示", "policy"),
        ("机关党委十月工作提示", "policy"),
        ("夏季出行安全提示", "other"),
        ("温馨提示", "other"),
        # a release of policies, not a press conference on work
        ("我市参加全省人才政策集中发布会", "policy"),
        ("某区举行惠企政策发布活动", "policy"),
        ("我市召开我为群众办实事新闻发布会", "other"),
        ("市政府新闻办召开食品安全提升工程新闻发布会", "other"),
        ("政策发布后企业反响热烈", "other"),
    ],
)
def test_document_forms_by_title(title: str, expected: str) -> None:
    assert kind(title) == expected


# --- a provincial or city rule by its own title -------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "江西省典当管理实施办法",
        "湖州市农村宅基地管理实施办法",
        "四川省地方标准管理实施办法（试行）",
    ],
)
def test_implementing_rules_title_is_policy(tagger: Tagger, title: str) -> None:
    tags = tagger.tag(title, "为加强管理，特制定本办法，现印发给你们，请遵照执行。")
    assert tags.kind == "policy"


def test_studying_implementing_rules_is_not_policy(tagger: Tagger) -> None:
    tags = tagger.tag(
        "市局组织干部学习《农村宅基地管理实施办法》",
        "市局组织全体干部集中学习《农村宅基地管理实施办法》，并开展交流座谈。",
    )
    assert tags.kind != "policy"


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


# --- a body's own rules and a recruitment's application guide as policy -------------------


_RULES_BODY = "为规范有关工作，结合本单位实际，制定如下规定。请有关人员认真遵照执行。"


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("某县财政局公务用车使用管理制度", "policy"),
        ("市人力资源和社会保障局内部审计工作制度", "policy"),
        ("区委员会办公室值班值守制度", "policy"),
        ("四川省年度考试录用公务员公开招录报考指南", "policy"),
        ("某省县乡两级机关公开招考公务员报考指南", "policy"),
        ("县教育局建立健全财务管理制度", "other"),  # news of making rules
        ("市交通运输局完善节假日值班制度", "other"),
        ("市民政局深化养老服务制度改革", "other"),
        ("某某科技有限公司员工考勤制度", "other"),  # a company's rules
        ("某某公司公开招聘员工报考指南", "other"),  # a company's recruitment
        ("我国的基本政治制度", "other"),  # no body's own title
    ],
)
def test_own_rules_and_guides_are_policy_news_of_rules_is_not(
    tagger: Tagger, title: str, kind: str
) -> None:
    assert tagger.tag(title, _RULES_BODY, home="绵阳").kind == kind


# --- explanations and revisions of documents as policy ------------------------------------


_DOC_BODY = "为便于社会公众了解有关内容，现将有关情况说明如下。"


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("某市农村人居环境整治实施方案解读", "policy"),
        ("关于某县推行证明事项告知承诺制实施方案相关政策的解读", "policy"),
        ("某市城市绿化管理办法已修订", "policy"),
        ("某市养犬管理条例已修改", "policy"),
        ("市领导解读政府工作报告", "other"),  # a report, no document by its title
        ("专家解读当前经济形势", "other"),
        ("关于某市经济形势的解读", "other"),  # 关于…的解读 of no document
    ],
)
def test_explanations_and_revisions_of_documents_are_policy(
    tagger: Tagger, title: str, kind: str
) -> None:
    assert tagger.tag(title, _DOC_BODY, home="绵阳").kind == kind


# --- a document by its own title ------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("省直机关年度考试录用公务员报考指南", "policy"),
        ("全省选调优秀大学毕业生招考简章", "policy"),
        ("某市国民经济和社会发展第十四个五年规划纲要", "policy"),
        ("市城乡建设发展规划纲要", "policy"),
        # (must keep) a 公开 recruitment's guide; a company's guide, news about a plan
        ("市级机关公开遴选公务员报考指南", "policy"),
        ("某集团有限公司校园招聘报考指南", "other"),
        ("市委召开会议研究十四五规划编制", "other"),
    ],
)
def test_documents_by_title(tagger: Tagger, title: str, kind: str) -> None:
    assert tagger.tag(title, "").kind == kind


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        # the body says it is the document, its title cut short
        (
            "某省重点人才引进第二批岗位专项简化程序公开",
            "为推动产业升级，根据有关规定，结合实际，特制定本专项简化程序公开招聘方案。"
            "具体岗位见附件。",
            "policy",
        ),
        ("某区关于加强招商队伍建设的", "经研究，特制定本意见。一、总体要求。", "policy"),
        (
            "某市区重点项目落地服务",
            "经市委常务会审定，印发了《某市区重点项目落地服务方案（试行）》，现就《方案（试行）》"
            "有关内容解读如下：一、背景。",
            "policy",
        ),
        # a story about a school's own plan, a plan cited, a plan drafted elsewhere
        ("某县委党校举行办学经验交流会", "会议要求制定本校特色的办学方案，乘势而上。", "other"),
        ("某某建材有限公司公开招聘", "结合公司发展需要，特制定本招聘方案。", "other"),
        ("某局召开党组会议", "会议研究决定制定本部门年度工作计划，下一步抓好落实。", "other"),
        ("某市召开专题会议", "会议要求各部门解读好相关政策，加快项目落地。", "other"),
    ],
)
def test_bodies_that_say_they_are_the_document(title: str, body: str, expected: str) -> None:
    assert kind(title, body) == expected


# --- classes of documents met on batches 25-30 ------------------------------------------------


@pytest.mark.parametrize(
    ("title", "body"),
    [
        # a document by its own title: a work plan's 工作要点, a 工作意见, a 中长期规划
        ("某某市市场监管局年度工作要点", "1.认真学习贯彻党的会议精神。2.深入开展为民服务活动。"),
        ("年某某市教育督导工作意见", "一、指导思想。教育督导工作将坚持以新思想为指导。"),
        ("某某市粮食安全中长期规划", "第一章现状形势。第一节发展现状。"),
        # a notice speaking of itself, whatever its title says
        (
            "省考公告发布笔试时间确定",
            "根据公务员法有关规定，省公务员局决定组织实施考试录用工作。现将有关事项公告如下：",
        ),
        (
            "支部主题党日活动工作安排",
            "结合我局工作实际，现将本月“支部主题党日”活动安排如下：1．学习党的二十大精神。",
        ),
        ("市实验中学年面试公告", "根据有关规定，现将我校公开引进人才面试工作公告如下："),
    ],
)
def test_documents_by_their_title_or_their_own_words(title: str, body: str) -> None:
    assert kind(title, body) == "policy"


@pytest.mark.parametrize(
    ("title", "body"),
    [
        # an administrative licence served on one party: no policy
        (
            "区教育局关于准予设立某某培训中心的决定书",
            "经我局材料审核，该申请符合法律规定的条件，决定准予行政许可。",
        ),
        # a title about studying a rule: the lead's issuing is the rule's story, not this item's
        (
            "我县粮食系统认真组织学习粮油储存安全责任暂行规定",
            "近日，国家粮食局下发了《粮油储存安全责任暂行规定》，明确了储粮责任。",
        ),
        # news that asks for views on work, a report of a situation
        ("市政协召开座谈会征求工作意见", "会议听取了各界代表的意见建议。"),
        ("市审计局关于整改情况的说明", "现将有关情况报告如下：一是加强组织领导。"),
    ],
)
def test_licences_studies_and_reports_stay_other(title: str, body: str) -> None:
    assert kind(title, body) == "other"


def test_a_decision_is_still_a_document() -> None:
    """A 决定 that sets something is a document; one that commends units and people is not a
    policy announcement (the visits dev set's gold, vd2962, vd4649, vd6711, vd7018)."""
    assert kind("市人民政府关于调整最低工资标准的决定", "市政府决定。") == "policy"
    assert kind("市人民政府关于表彰先进集体的决定", "为表彰先进，市政府决定。") == "other"


def test_the_lead_starts_after_the_title_repeated() -> None:
    """The body opens with the site's column and the headline, then the headline again: the lead
    is what follows (10月20日，省委组织部发出通知…, batch 30)."""
    title = "省委组织部号召全体党员干部坚决打赢疫情防控阻击战"
    body = (
        f"某某市人民政府通知公告{title}。{title}。"
        "10月20日，省委组织部发出通知，要求全省各级党组织和广大党员干部落实防控措施。"
    )
    assert kind(title, body) == "policy"


def test_a_paraphrase_of_the_title_is_the_lead() -> None:
    """A first sentence that tells the title's news in other words is the lead itself: a document
    cited in the next one is background."""
    title = "市供销社农村产权流转交易工作跃居全省第二"
    body = (
        "近日，记者获悉，市供销社农村产权流转交易工作由上一年度的全省末位跃居第二，取得跨越式发展。"
        "2019年，省政府办公厅印发了《农村产权流转交易管理办法》，提出建立交易中心。"
    )
    assert kind(title, body) == "other"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # a periodic plan by its own title, whoever issues it, is a document
        ("承德市2022年商贸流通工作要点", "policy"),
        ("2023年全市民政工作要点", "policy"),
        ("淮安市科技局2019年工作计划定稿", "policy"),
        ("2018年海洋与渔业工作计划", "policy"),
        ("安顺市十四五应急体系建设规划", "policy"),
        # a summary with its plan, or a report on one, is not
        ("上半年工作总结与下半年工作计划", "other"),
        ("市体育局2023年上半年工作总结及下半年工作计划", "other"),
        ("关于2022年度工作计划完成情况的汇报", "other"),
    ],
)
def test_periodic_plans_by_their_own_title(title: str, expected: str) -> None:
    assert kind(title) == expected


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        # a commendation names people and units, it sets no rule
        ("关于表彰村级计生管理员岗位教育培训工作先进单位和学习积极分子的决定", "", "other"),
        ("关于表扬2019学年先进班集体的决定", "", "other"),
        ("关于调整城乡居民医疗保险缴费标准的决定", "", "policy"),
        # a law's own text by its title; a story about one is not
        ("中华人民共和国公务员法", "", "policy"),
        ("市残联集中学习中华人民共和国公职人员政务处分法", "", "other"),
        # recruitment by any name, and the later notices of its vetting stage
        ("2022年贵州省高校毕业生三支一扶计划招募公告", "", "policy"),
        (
            "2020年鸡西市部分事业单位公开招聘工作人员个别岗位拟递补进入体检考察人员通知",
            "",
            "policy",
        ),
        ("大同市第五人民医院2021年度公开招聘编外聘用制工作人员考察公告补充公告", "", "policy"),
        # a rule a standing committee approved, presented at a press conference
        (
            "10月1日实行黄冈立法保障老有所养",
            "省十三届人民代表大会常务委员会于2021年7月30日第25次会议批准通过《黄冈市养老服务"
            "促进条例》，10月8日，黄冈市人大常委会召开新闻发布会。",
            "policy",
        ),
        # no title: the body's first sentence, without the site's name glued to it, stands in
        (
            "",
            "关于《十堰市全域旅游发展规划》编制考察工作的通知-其他主动公开文件-十堰市文化和旅游局。",
            "policy",
        ),
        ("", "4月1日，县长吴丁顺到芦溪镇开展调研。", "other"),
    ],
)
def test_commendations_laws_later_recruitment_notices_and_untitled_pages(
    title: str, body: str, expected: str
) -> None:
    assert kind(title, body) == expected
