"""Government policy pages: the metadata table, and the policy a 解读 page explains.

Government CMSs print a table above a policy document (索引号, 主题分类, 发文机关/发布机构,
成文日期, 发文字号/文号, 发布日期, 有效性), as ``<table>`` cells, ``<li>``s or one line of
label：value pairs, often with spaces inside the labels (``索 引 号``). The smallest box that
holds at least three distinct labels is the table; its text is cut at every known label.
"""

from __future__ import annotations

__all__ = [
    "DocNumber",
    "DocumentIdentity",
    "Mention",
    "document_identity",
    "find_doc_numbers",
    "find_interpreted_policy",
    "find_mentions",
    "find_policy_table",
    "parse_doc_no",
    "parse_policy_text",
    "title_key",
]

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import tzinfo
from urllib.parse import urljoin

from selectolax.lexbor import LexborNode

from crawler.extract.dates import find_date
from crawler.extract.layout import Box, Layout
from crawler.extract.model import PolicyMeta
from crawler.extract.vocabulary import INTERPRETATION_RE as _INTERPRETATION_RE
from crawler.extract.vocabulary import ORIGINAL_LINK_RE as _ORIGINAL_LINK_RE
from crawler.extract.vocabulary import clean_space

# field -> labels (longest first where one label contains another)
_FIELDS: dict[str, tuple[str, ...]] = {
    "index_no": ("索引号",),
    "subject": ("主题分类", "主题类别", "信息分类", "分类"),
    "issuer": ("发文机关", "发布机构", "发布机关", "发文单位", "制发机关", "发文机构", "公开主体"),
    "written_date": ("成文日期", "成文时间", "印发日期"),
    "doc_no": ("发文字号", "发文文号", "发文号", "文号"),
    "published_date": ("发布日期", "发布时间", "公开日期"),
    "validity": ("有效性", "时效性", "效力状态", "有效期"),
}
# Labels that end a value without being stored.
_OTHER_LABELS = (
    "标题",
    "名称",
    "主题词",
    "关键词",
    "体裁分类",
    "组配分类",
    "服务对象",
    "公文种类",
    "信息来源",
    "生成日期",
    "废止日期",
    "失效日期",
    "所属机构",
    "内容概述",
    "文件编号",
    "统一编号",
    "登记号",
)
_DATE_FIELDS = ("written_date", "published_date")


def _label_pattern(label: str) -> str:
    return r"\s*".join(re.escape(ch) for ch in label)


_LABEL_TO_FIELD: dict[str, str | None] = {}
for _field, _labels in _FIELDS.items():
    for _label in _labels:
        _LABEL_TO_FIELD[_label] = _field
for _label in _OTHER_LABELS:
    _LABEL_TO_FIELD[_label] = None
_LABEL_RE = re.compile(
    r"(?P<label>"
    + "|".join(_label_pattern(lb) for lb in sorted(_LABEL_TO_FIELD, key=len, reverse=True))
    + r")\s*[:：]?"
)
_TABLE_LABEL_RE = re.compile(
    "|".join(_label_pattern(lb) for labels in _FIELDS.values() for lb in labels if len(lb) >= 3)
)
# The labels of three characters or more, the ones that mark a table (分类, 文号 are too common).
_TABLE_LABELS = {lb: field for field, labels in _FIELDS.items() for lb in labels if len(lb) >= 3}
_ANY_TABLE_LABEL_RE = re.compile("|".join(re.escape(lb) for lb in _TABLE_LABELS))
_COMPACT_RE = re.compile(r"[\s\u00a0\u3000]+")


def _overlap_free(words: Iterable[str]) -> bool:
    """No word inside another and no word's end the start of another: then one left-to-right
    scan for their alternation reports every occurrence of every word."""
    words = list(words)
    return not any(
        a != b and (a in b or any(a.endswith(b[:k]) for k in range(1, len(b))))
        for a in words
        for b in words
    )


_ONE_SCAN = _overlap_free(_TABLE_LABELS)


def _kinds(text: str) -> set[str]:
    return _compact_kinds(_COMPACT_RE.sub("", text))


def _compact_kinds(compact: str) -> set[str]:
    """The fields whose table labels occur in ``compact`` (text without whitespace)."""
    if _ONE_SCAN:
        return {_TABLE_LABELS[label] for label in _ANY_TABLE_LABEL_RE.findall(compact)}
    return {field for label, field in _TABLE_LABELS.items() if label in compact}


def parse_policy_text(text: str, tz: tzinfo) -> PolicyMeta | None:
    """Read ``label：value`` pairs out of the table's text (lines joined by ``\\n``)."""
    found: dict[str, str] = {}
    matches = list(_LABEL_RE.finditer(text))
    for i, m in enumerate(matches):
        field = _LABEL_TO_FIELD.get(_COMPACT_RE.sub("", m["label"]))
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        value = clean_space(text[m.end() : end]).strip("：: ")
        if field is None or field in found or not value:
            continue
        if field in _DATE_FIELDS:
            date = find_date(value, tz)
            if date is None:
                continue
            value = date.value.date().isoformat()
        found[field] = value[:200]
    if len(found) < 2:
        return None
    return PolicyMeta(**found)


def find_policy_table(layout: Layout, tz: tzinfo) -> tuple[PolicyMeta, Box] | None:
    """The metadata table of a policy page and its box, or None when the page has none."""
    # A box's text is a run of the page's lines, so a page whose whole text has labels of fewer
    # than three fields holds no table: most pages, told apart at the cost of one pass. (Line
    # texts have single spaces for whitespace, which is all ``_kinds`` would remove.)
    if len(_compact_kinds("".join(x.text for x in layout.lines).replace(" ", ""))) < 3:
        return None
    best: Box | None = None
    kinds_of: dict[int, int | None] = {}  # box index -> kinds of labels (None: text too long)
    for line in layout.lines:
        if not _TABLE_LABEL_RE.search(line.text):
            continue
        box: Box | None = line.box
        for _ in range(6):
            if box is None or (best is not None and box.contains(best)):
                break
            if box.index not in kinds_of:
                text = " ".join(x.text for x in layout.lines[box.first_line : box.end_line])
                kinds_of[box.index] = len(_kinds(text)) if len(text) <= 3000 else None
            kinds = kinds_of[box.index]
            if kinds is None:
                break
            if kinds >= 3:
                if best is None or box.end_line - box.first_line < best.end_line - best.first_line:
                    best = box
                break
            box = box.parent
    if best is None:
        return None
    text = "\n".join(x.text for x in layout.lines[best.first_line : best.end_line])
    meta = parse_policy_text(text, tz)
    return (meta, best) if meta is not None else None


_POLICY_TITLE_RE = re.compile(
    r"《[^》]{4,80}(?:通知|意见|办法|规定|方案|决定|条例|细则|规划|措施|公告|通告|批复|函|法|纲要|计划)》"
    r"|^[^《》]{4,80}(?:的通知|的意见|办法|规定|实施方案|的决定|条例|实施细则|若干措施)$"
)


def find_interpreted_policy(root: LexborNode, title: str | None, url: str) -> str | None:
    """For a 解读 page, the absolute URL of the policy it explains, when the page links it."""
    if not title or not _INTERPRETATION_RE.search(title):
        return None
    labelled: str | None = None
    titled: str | None = None
    for anchor in root.css("a[href]"):
        href = (anchor.attributes.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        text = clean_space(anchor.text())
        context = clean_space(anchor.parent.text()) if anchor.parent is not None else ""
        if labelled is None and (
            _ORIGINAL_LINK_RE.search(text)
            or (
                len(context) <= 80
                and _ORIGINAL_LINK_RE.search(context)
                and _POLICY_TITLE_RE.search(text)
            )
        ):
            labelled = href
        elif titled is None and _POLICY_TITLE_RE.search(text) and "解读" not in text:
            titled = href
    chosen = labelled or titled
    if chosen is None:
        return None
    try:
        return urljoin(url, chosen)
    except ValueError:
        return None


# --------------------------------------------------------------------------- document identity
#
# A policy document is known by its 发文字号 (文号): the issuer's abbreviation, the year in
# brackets and a serial number, 深府办〔2021〕5号. Pages write it with any bracket (〔〕 [] ［］
# () （） 【】), full-width digits, spaces, a 第 before the number, no 号 at all, or in Traditional
# script (深府辦〔2021〕5號); an order (令) has no year: 深圳市人民政府令第315号. One normal form,
# ``prefix〔year〕number号`` (``prefix第number号`` for orders), makes reprints of one document
# equal and tells a template notice of one city from another's.

_OPEN = "〔[(【〈{<"  # after NFKC: ［ → [, （ → (, ｛ → {, ＜ → <
_CLOSE = "〕])】〉}>"
_CN_DIGITS = str.maketrans("〇零○Ｏ一二三四五六七八九", "000012345678" + "9")
_YEAR = r"(?:19|20)\d\d|[〇零○Ｏ一二三四五六七八九]{4}"
# A 文号's prefix: the issuer's abbreviation (深府办, 粤府函, 国办发, 深发改规), CJK only.
_PREFIX = r"[\u4e00-\u9fff]{1,16}?"
_DOC_NO_RE = re.compile(
    rf"(?P<prefix>{_PREFIX})\s*[{re.escape(_OPEN)}]\s*(?P<year>{_YEAR})\s*年?\s*"
    rf"[{re.escape(_CLOSE)}]\s*第?\s*(?P<number>\d{{1,5}})(?!\d)\s*号?"
    rf"|(?P<order>[\u4e00-\u9fff]{{2,24}}?令)\s*[(]?\s*第\s*(?P<order_number>\d{{1,5}})\s*号"
)
# Where a 文号 can be: a bracket before a year, or 令第. Searched first: the full pattern tries a
# prefix of up to 16 characters at every character, which most text never needs.
_DOC_NO_HINT_RE = re.compile(
    rf"[{re.escape(_OPEN)}（［｛]\s*(?:19|20|[〇零○Ｏ一二]|[１２][０９])|令\s*[(（]?\s*第"
)
# Words that run into a 文号's prefix in running text: 根据深府办〔2021〕5号 names 深府办's.
_LEAD_WORDS_RE = re.compile(
    r"^.*(?:根据|依据|按照|参照|对照|执行|印发|转发|贯彻|落实|废止|修订|修改|的|即|见)"
)
_NO_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class DocNumber:
    """A parsed 文号: ``prefix〔year〕number号``, or ``prefix第number号`` for an order (令)."""

    prefix: str
    year: int | None
    number: int

    def __str__(self) -> str:
        if self.year is None:
            return f"{self.prefix}第{self.number}号"
        return f"{self.prefix}〔{self.year}〕{self.number}号"


# What NFKC does to the characters of a 文号 (full-width digits and brackets to ASCII), and only
# to them: NFKC itself, or a table over all full-width forms, costs more than everything else
# here on Chinese text, whose punctuation (，：；) is full-width.
_WIDE_RE = re.compile("[０-９（）［］｛｝＜＞\u3000]")


def _narrow(m: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", m[0])


def _simplified(text: str) -> str:
    # Imported here: folding loads OpenCC's dictionaries, which only pages with a 文号 need.
    from crawler.dedup.folding import simplify

    return simplify(_WIDE_RE.sub(_narrow, text))


def _doc_number(m: re.Match[str]) -> DocNumber:
    if m["order"]:
        return DocNumber(_trim_prefix(m["order"]), None, int(m["order_number"]))
    return DocNumber(
        _trim_prefix(m["prefix"]), int(m["year"].translate(_CN_DIGITS)), int(m["number"])
    )


def _trim_prefix(prefix: str) -> str:
    trimmed = _LEAD_WORDS_RE.sub("", prefix)
    return trimmed if len(trimmed) >= 2 else prefix


def parse_doc_no(text: str | None) -> DocNumber | None:
    """The first 文号 in ``text`` (a 发文字号 cell, a title, a line), or None.

    >>> str(parse_doc_no("深府办［２０２１］ 5"))
    '深府办〔2021〕5号'
    """
    if not text or not _DOC_NO_HINT_RE.search(text):
        return None
    m = _DOC_NO_RE.search(_NO_SPACE_RE.sub("", _simplified(text)))
    return _doc_number(m) if m else None


def find_doc_numbers(text: str) -> list[tuple[DocNumber, int, int]]:
    """Every 文号 in running text with its span (of the NFKC, Simplified text, whose length is
    that of ``text`` for CJK text), in order."""
    return _numbers_in(_simplified(text))


def _numbers_in(simplified: str) -> list[tuple[DocNumber, int, int]]:
    if not _DOC_NO_HINT_RE.search(simplified):
        return []
    return [(_doc_number(m), m.start(), m.end()) for m in _DOC_NO_RE.finditer(simplified)]


# An issuing body: a government, its general office, a department (委, 局, 厅, 办), a committee.
_BODY_END = (
    r"(?:人民政府|政府|办公厅|办公室|委员会|管理委员会|管委会|工作领导小组|领导小组|"
    r"厅|局|委|办|署|院|中心|集团|人民代表大会常务委员会|常委会)"
)
_ISSUER_TITLE_RE = re.compile(rf"^(?P<issuer>[\u4e00-\u9fff、]{{3,60}}?{_BODY_END})关于")
_SIGNATURE_RE = re.compile(rf"^[\u4e00-\u9fff、\s]{{2,60}}{_BODY_END}$")
_DATE_LINE_RE = re.compile(
    r"^\s*(?:(?:19|20)\d\d|[〇零○一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月"
    r"\s*[\d一二三四五六七八九十]{1,3}\s*日\s*$"
)
_BOOK_TITLE_RE = re.compile(r"《([^《》]{4,80})》")
_TITLE_KEY_DROP_RE = re.compile(r"[^\w]+|_")
_MIN_TITLE = 6  # shorter names (《若干措施》, 《通知》) name no document in particular


@dataclass(frozen=True, slots=True)
class DocumentIdentity:
    """Who issued a document and under which number, as far as its page says.

    ``doc_no`` is the normal form of the 文号 (None when the page shows none), ``issuer`` the
    issuing body as shown (Simplified; None when unknown), ``titles`` the keys a report would
    name the document by: its title without the issuer (关于印发…的通知) and the 《…》 names in
    it (the 办法 it issues), each :func:`title_key`-folded.
    """

    doc_no: str | None
    issuer: str | None
    titles: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        return self.doc_no is not None or self.issuer is not None


def title_key(title: str) -> str:
    """A title as reports name it: Simplified, NFKC, without punctuation, spaces and the issuer
    in front of 关于 (深圳市人民政府办公厅关于印发…的通知 and 关于印发…的通知 are one)."""
    simplified = _simplified(title)
    m = _ISSUER_TITLE_RE.match(_NO_SPACE_RE.sub("", simplified))
    core = _NO_SPACE_RE.sub("", simplified)[m.end("issuer") :] if m else simplified
    return _TITLE_KEY_DROP_RE.sub("", core)[:200]


def document_identity(title: str | None, body: str, policy: PolicyMeta | None) -> DocumentIdentity:
    """The identity of the document a page carries: its 文号 from the metadata table, else from
    the title, else from a line of its own among the body's first lines (where official text
    prints it); its issuer from the table, else the title (…办公厅关于…), else the signature
    above the date at the end of the body."""
    if title and _INTERPRETATION_RE.search(title):  # a 解读 names its document, is not it
        return DocumentIdentity(None, None)
    lines = [line.strip() for line in body.split("\n") if line.strip()]
    number = (
        parse_doc_no(policy.doc_no if policy else None)
        or parse_doc_no(title)
        or next((n for line in lines[:4] if (n := _line_doc_no(line))), None)
    )
    issuer = (policy.issuer if policy else None) or _title_issuer(title) or _signature(lines)
    titles: list[str] = []
    if title and (number is not None or issuer is not None or policy is not None):
        titles.append(title_key(title))
        titles.extend(title_key(name) for name in _BOOK_TITLE_RE.findall(_simplified(title)))
    return DocumentIdentity(
        str(number) if number else None,
        _simplified(issuer).strip() if issuer else None,
        tuple(dict.fromkeys(t for t in titles if len(t) >= _MIN_TITLE)),
    )


def _line_doc_no(line: str) -> DocNumber | None:
    """A body line that is a 文号 and little else (深府办〔2021〕5号, or with 签发人：…), not a
    sentence that names one (印发《…》（深府办〔2021〕5号）)."""
    if not _DOC_NO_HINT_RE.search(line):
        return None
    compact = _NO_SPACE_RE.sub("", _simplified(line))
    m = _DOC_NO_RE.match(compact)
    if m is None or len(compact) - m.end() > 16:
        return None
    return _doc_number(m)


def _title_issuer(title: str | None) -> str | None:
    if not title:
        return None
    m = _ISSUER_TITLE_RE.match(_NO_SPACE_RE.sub("", _simplified(title)))
    return m["issuer"] if m else None


def _signature(lines: list[str]) -> str | None:
    """The issuing body signed above the date at the end of an official text."""
    tail = lines[-5:]
    for i, line in enumerate(tail):
        if _DATE_LINE_RE.match(_simplified(line)) and i > 0:
            above = _simplified(tail[i - 1]).strip()
            if _SIGNATURE_RE.match(above):
                return above.split()[-1] if " " in above else above
    return None


# --------------------------------------------------------------------------- mentions
#
# Around a document: its 解读, the news that reports it, later documents that implement (配套
# 细则), amend (修订, 修改) or repeal (废止, …同时废止) it. A page names the document by 文号 or
# by title (《…》); the sentence it does so in says how it relates.

_SENTENCE_RE = re.compile(r"[^。！？；\n]+[。！？；]?")
_REPEALS_RE = re.compile(r"废止|停止执行|不再执行|同时失效|予以撤销|宣布失效")
_AMENDS_RE = re.compile(r"修订|修改|修正|调整")
_IMPLEMENTS_TITLE_RE = re.compile(r"实施细则|实施办法|实施意见|实施方案|配套|操作规程|工作指引")
_CITING_RE = re.compile(r"根据|按照|依据|贯彻|落实|为做好|为进一步")


@dataclass(frozen=True, slots=True)
class Mention:
    """A page naming a document: how it relates (``interprets``, ``reports``, ``implements``,
    ``amends``, ``repeals``) and the document's 文号 (normal form) or :func:`title_key`."""

    relation: str
    doc_no: str | None = None
    title: str | None = None


def find_mentions(title: str | None, body: str, identity: DocumentIdentity) -> tuple[Mention, ...]:
    """The documents a page names, each with its relation to the page.

    A 解读 (its title says so) interprets what it names; a document (``identity`` known) amends
    or repeals what its sentence says it does and implements what a 细则 or 实施办法 cites, and
    names others in passing, which is not kept; any other page reports what it names.
    """
    is_document = identity.known
    is_interpretation = bool(title and _INTERPRETATION_RE.search(title))
    own = set(identity.titles) | {identity.doc_no}
    found: dict[tuple[str, str | None, str | None], None] = {}
    text = "\n".join(x for x in (title or "", body) if x)
    if "《" not in text and not _DOC_NO_HINT_RE.search(text):
        return ()  # names no document (in either script): most pages
    simplified = _simplified(text)
    for sentence in _SENTENCE_RE.findall(simplified):
        if "《" not in sentence and not _DOC_NO_HINT_RE.search(sentence):
            continue
        numbers = _numbers_in(sentence)
        named: list[tuple[str | None, str | None]] = [(str(n), None) for n, _s, _e in numbers]
        named += [
            (None, title_key(m[1]))
            for m in _BOOK_TITLE_RE.finditer(sentence)
            # 《…》（深府办〔2021〕5号）: the 文号 names it, the title would name the template
            if not any(0 <= start - m.end() <= 2 for _n, start, _e in numbers)
        ]
        named = [
            (n, t) for n, t in named if (n or t) not in own and (n or len(t or "") >= _MIN_TITLE)
        ]
        if not named:
            continue
        relation = _relation(sentence, title, is_document, is_interpretation)
        for doc_no, key in named:
            if relation is not None:
                found[(relation, doc_no, key)] = None
    return tuple(Mention(r, n, t) for r, n, t in found)


def _relation(
    sentence: str, title: str | None, is_document: bool, is_interpretation: bool
) -> str | None:
    if is_interpretation:
        return "interprets"
    if _REPEALS_RE.search(sentence):
        return "repeals" if is_document else "reports"
    if is_document:
        if _AMENDS_RE.search(sentence) and not _CITING_RE.search(sentence):
            return "amends"
        if title and _IMPLEMENTS_TITLE_RE.search(title) and _CITING_RE.search(sentence):
            return "implements"
        return None
    return "reports"
