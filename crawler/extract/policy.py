"""Government policy pages: the metadata table, and the policy a 解读 page explains.

Government CMSs print a table above a policy document (索引号, 主题分类, 发文机关/发布机构,
成文日期, 发文字号/文号, 发布日期, 有效性), as ``<table>`` cells, ``<li>``s or one line of
label：value pairs, often with spaces inside the labels (``索 引 号``). The smallest box that
holds at least three distinct labels is the table; its text is cut at every known label.
"""

from __future__ import annotations

__all__ = ["find_interpreted_policy", "find_policy_table", "parse_policy_text"]

import re
from collections.abc import Iterable
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
