"""The words and patterns of page furniture on Chinese news and government sites.

These are the structural signals of boilerplate (editor lines, share bars, related-news blocks,
print bars, comment headers, copyright footers), not rules for any one site, and the labels the
other modules look for (bylines, dates, credits, policy interpretation links). Every pattern that
must match Traditional-script pages too is written here in Simplified script and widened with
OpenCC; the widened forms are stored in ``crawler/data/traditional-patterns.json``, so importing
this module loads no converter. After editing a pattern, store them again (a test fails until
then)::

    python -c "from crawler.extract.vocabulary import store_widened; store_widened()"

``first_chars`` and ``search_at`` keep the searches cheap.
"""

from __future__ import annotations

__all__ = [
    "AUTHOR_RE",
    "BOILERPLATE_LINE_RE",
    "BYLINE_LABEL_RE",
    "BYLINE_RE",
    "CUT_MARKER_RE",
    "DATE_LABEL_RE",
    "INTERPRETATION_RE",
    "NEGATIVE_ATTR_RE",
    "ORIGINAL_LINK_RE",
    "OUTLET_RE",
    "POSITIVE_ATTR_RE",
    "PUNCTUATION",
    "TRAILING_LABEL_RE",
    "clean_line",
    "clean_space",
    "first_chars",
    "is_furniture",
    "punctuation_count",
    "search_at",
    "text_key",
    "visible_len",
]

import contextlib
import importlib
import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

log = logging.getLogger("citydigest.extract")

_CONVERSIONS = ("s2t", "s2tw", "s2hk")


_STORED = Path(__file__).resolve().parent.parent / "data" / "traditional-patterns.json"


def _both_scripts(patterns: Mapping[str, str]) -> dict[str, str]:
    """Each of ``patterns`` (by name) extended to match Traditional-script pages too
    (编辑 → 編輯, 来源 → 來源): the alternation of its OpenCC s2t, s2tw and s2hk conversions.

    Read from :data:`_STORED` where the stored Simplified pattern is the current one. A pattern
    edited since (or a missing file) is widened here, one converter at a time, each dropped and
    its memory handed back: the dictionaries take some 45 MB and would otherwise stay for the
    life of the process.
    """
    try:
        stored = json.loads(_STORED.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stored = {}
    if not isinstance(stored, dict):
        stored = {}
    widened: dict[str, str] = {}
    stale: list[str] = []
    for name, pattern in patterns.items():
        entry = stored.get(name)
        if isinstance(entry, dict) and entry.get("simplified") == pattern:
            widened[name] = str(entry["widened"])
        else:
            stale.append(name)
    if stale:
        log.warning(
            "%s: no stored Traditional form of %s; widening at import "
            "(store them: see crawler/extract/vocabulary.py)",
            _STORED.name,
            ", ".join(stale),
        )
        fresh = _widen([patterns[name] for name in stale], release=True)
        widened.update(zip(stale, fresh, strict=True))
    return widened


def _widen(patterns: Sequence[str], *, release: bool) -> list[str]:
    """The work of ``_both_scripts``; with ``release`` each converter is freed before the next
    is built (without, they are left for the process's exit)."""
    import opencc  # only needed while the patterns are built

    variants = [[pattern] for pattern in patterns]
    kept = []
    for name in _CONVERSIONS:
        converter = opencc.OpenCC(name)
        for found in variants:
            converted = converter.convert(found[0])
            for variant in (converted, converted.replace("佈", "布")):
                if variant not in found:
                    found.append(variant)
        if release:
            del converter
            _return_freed_memory()
        else:
            kept.append(converter)
    return [
        "|".join(f"(?:{v})" for v in found) if len(found) > 1 else found[0] for found in variants
    ]


def _return_freed_memory() -> None:
    """Hand the memory of a dropped converter back to the system: glibc keeps freed heap pages
    of the C++ dictionaries mapped (the process would stay ~45 MB larger) unless asked."""
    import ctypes  # only on this path

    with contextlib.suppress(OSError, AttributeError, TypeError):  # not glibc: nothing to ask
        ctypes.CDLL(None).malloc_trim(0)


PUNCTUATION = frozenset("，。！？；：、“”‘’「」『』（）《》…,.!?;:")
_SPACE_RE = re.compile(r"[\s\u00a0\u3000\u200b\u200c\u200d\u2028\u2029\ufeff]+")

# The patterns that must match Traditional-script pages too, written in Simplified script and
# widened together (``_both_scripts``); each module compiles none of its own.
_SIMPLIFIED: dict[str, str] = {
    # A whole line that is page furniture, whatever the site: editor/source credits, share bars,
    # print/font-size bars, comment headers, copyright and ICP footers, app promotions.
    "boilerplate_line": r"""^[\s(（\[【]*(?:
        (?:责任编辑|责编|编辑|校对|审核|审校|初审|复审|终审|监制|值班编辑|美编|编审|排版|作者|
           本文来源|文章来源|稿件来源|来源|出处|原文链接|本文链接)\s*[:：|丨/]
      | 【?纠错】? | 【?打印】? | 【?关闭】? | 【?关闭窗口】? | 关闭窗口 | 打印本页 | 打印 | 列印
      | 收藏 | 返回顶部 | 字号\s*[:：] | 字号\s*$ | 【?字体[:：] | 已收藏 | 我要跟帖 | 我要纠错
      | 已输入\d+字 | (?:Notice|Disclaimer)\s*: | 关注公众号 | 点击菜单栏 | 作者(?:系|为|是|简介)
      | 微信公众号\s*$ | 分享到 | 分享至 | 扫一扫 | 扫描二维码 | 微信扫一扫 | 用微信扫描
      | 跟贴热词 | 网友评论 | 我要评论 | 发表评论 | 评论\s*[（(]?\d*[)）]?\s*$
      | 免责声明 | 特别声明 | 版权声明 | 上一篇 | 下一篇 | 标签\s*[:：] | 关键词\s*[:：]
      | 相关关键词 | Tags\s*[:：] | 本文来自 | 本文转自 | 更多精彩资讯请 | 点击进入专题 | 进入专题
      | 返回.{0,8}首页 | 下载.{0,12}客户端 | 投稿邮箱 | 举报电话 | 违法和不良信息举报 | 扫码关注
      | 长按识别 | (?:Copyright|版权所有|©) | 平台声明 | IP属地 | 发布于\s*[:：]
      | 播报\s*$ | 编辑\s*$
    )""",
    # Also furniture wherever it sits in a short line.
    "furniture_anywhere": (
        r"ICP[备证]|版权所有|Copyright|扫描.{0,8}二维码|仅代表.{0,12}(?:观点|立场)|点.?在看|"
        r"下载.{0,10}客户端|回复【.{1,10}】|转载(?:请|必须|须)注明|不代表.{0,12}(?:观点|立场)|"
        r"【\s*(?:详细|詳細)\s*】$|\[\s*(?:详细|詳細)\s*\]$|[（(]\s*(?:责任编辑|责编|编辑)[:：]|"
        r"仅提供信息存储(?:空间)?服务"
    ),
    # A heading after which the rest of the container is a related-news block.
    "cut_marker": (
        r"^[\s【\[(（]*(?:延伸阅读|此前报道|相关新闻|相关阅读|相关链接|相关报道|相关文章|相关稿件|推荐阅读|"
        r"热点推荐|猜你喜欢|精彩推荐|更多阅读|往期回顾|往期推荐|热门推荐|为您推荐|热门评论|跟贴热词|"
        r"相关附件|点击进入专题)"
    ),
    # A dateline/credit line above or below the article (body): its labels, or a label or date.
    "byline_label": r"来源[:：]|作者[:：]|发布时间|浏览次数|点击[数率量]|阅读[数量:：]|字号[:：]",
    "byline": (
        r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|来源[:：]|作者[:：]|发布时间|"
        r"浏览次数|点击[数率量]|阅读[数量:：]|字号[:：]"
    ),
    # The label in front of a publication date (dates); in a key-value form (a 留言板's
    # 留言时间 | 2024-03-01) the label's own line.
    "date_label": (
        r"(?:发布时间|发布日期|发表时间|发表日期|发稿时间|发文日期|印发日期|公开日期|信息提供日期|"
        r"更新时间|上传时间|录入时间|时间|日期|Date|日　期|时　间)\s*[:：]|"
        r"(?:发布于|发表于|编辑于)\s*|(?:留言|提问|来信|发布|发表)(?:时间|日期)[ \t]*\n"
    ),
    # The outlet and author credits, and a label left at the end of a credit (extractor).
    "outlet": r"(?:来源|稿源|出处)\s*[:：]\s*([^\s|丨:：/　]{2,30})",
    "author": r"(?:作者|撰文|记者)\s*[:：]\s*([^\s|丨:：/　，,]{2,20})",
    "trailing_label": r"(?:作者|编辑|责任编辑|发布时间|时间|日期|浏览|点击|字号)$",
    # A page that explains a policy, and the words of a link to the policy itself (policy).
    "interpretation": r"解读|答记者问|问答|图解|一图读懂|一图看懂",
    "original_link": r"原文|相关文件|相关政策|政策文件|文件链接|全文",
}
_WIDENED = _both_scripts(_SIMPLIFIED)

BOILERPLATE_LINE_RE = re.compile(_WIDENED["boilerplate_line"], re.VERBOSE | re.IGNORECASE)
_FURNITURE_ANYWHERE_RE = re.compile(_WIDENED["furniture_anywhere"])
CUT_MARKER_RE = re.compile(_WIDENED["cut_marker"])
BYLINE_LABEL_RE = re.compile(_WIDENED["byline_label"])
BYLINE_RE = re.compile(_WIDENED["byline"])
DATE_LABEL_RE = re.compile(_WIDENED["date_label"])
OUTLET_RE = re.compile(_WIDENED["outlet"])
AUTHOR_RE = re.compile(_WIDENED["author"])
TRAILING_LABEL_RE = re.compile(_WIDENED["trailing_label"])
INTERPRETATION_RE = re.compile(_WIDENED["interpretation"])
ORIGINAL_LINK_RE = re.compile(_WIDENED["original_link"])
del _WIDENED

NEGATIVE_ATTR_RE = re.compile(
    r"comment|share|related|relate|recommend|breadcrumb|crumb|copyright|footer|foot|"
    r"toolbar|print|advert|sponsor|sidebar|side-|nav|menu|hotnews|rank|tags?\b|keyword|"
    r"jiathis|bdshare|qrcode|ewm|login|\bgg\d",
    re.IGNORECASE,
)
POSITIVE_ATTR_RE = re.compile(
    r"article|content|text|main|body|detail|zoom|endtext|trs_|ucap|artibody|js_content|"
    r"zhengwen|zw|cont|news_txt|post",
    re.IGNORECASE,
)


def clean_space(text: str) -> str:
    """Collapse every run of whitespace (ideographic space, nbsp, zero-width) to one space."""
    if "\u200b" in text or "\u200c" in text or "\u200d" in text or "\ufeff" in text:
        return _SPACE_RE.sub(" ", text).strip()
    # Without zero-width characters, ``_SPACE_RE`` matches exactly what ``str.split`` splits on
    # (``str.isspace``): the same result, a few times faster than the regex.
    return " ".join(text.split())


def clean_line(text: str) -> tuple[str, int]:
    """``clean_space(text)`` and its ``visible_len`` together (the layout needs both per line)."""
    if "\u200b" in text or "\u200c" in text or "\u200d" in text or "\ufeff" in text:
        cleaned = _SPACE_RE.sub(" ", text).strip()
        return cleaned, visible_len(cleaned)
    words = text.split()
    # ``words`` hold no whitespace, so the spaces of the joined line are the len(words)-1 joints.
    line = " ".join(words)
    return line, len(line) - len(words) + 1 if words else 0


def visible_len(text: str) -> int:
    """Number of characters that are not whitespace."""
    return len(text) - text.count(" ")


def first_chars(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """A one-character pattern that matches the first character of every match of ``pattern``.

    ``first_chars(p).search(s)`` (``.match`` for ``p.match``) failing proves that ``p`` finds
    nothing in ``s``, for a fraction of the cost: one character class instead of an alternation
    of dozens of words in both scripts tried at every position. Read from the parsed pattern;
    when the pattern can match an empty string, starts with ``.`` or uses syntax not handled
    here, the result matches everything (no shortcut, never a wrong one).
    """
    starts: list[str] = []
    try:
        parser: Any = importlib.import_module("re._parser")  # the standard library's (3.11+)
        nullable = _first_of(parser.parse(pattern.pattern, pattern.flags), starts)
    except Exception:  # syntax this reading does not know: no shortcut
        nullable = True
    if nullable or not starts:
        return re.compile("")
    return re.compile("[" + "".join(dict.fromkeys(starts)) + "]", pattern.flags)


def search_at(pattern: re.Pattern[str], starts: re.Pattern[str], text: str) -> re.Match[str] | None:
    """``pattern.search(text)``, begun at the first place ``starts`` (``first_chars(pattern)``)
    matches, or None at once when there is none.

    No match begins before that place, so the result is the match the plain search finds (its
    ``pos`` aside); the alternation is not tried at the positions skipped.
    """
    first = starts.search(text)
    return pattern.search(text, first.start()) if first is not None else None


_CATEGORIES = {
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}
_ZERO_WIDTH = ("AT_BEGINNING", "AT_BEGINNING_STRING", "AT_BOUNDARY", "AT_NON_BOUNDARY")


def _first_of(sequence: Iterable[tuple[Any, Any]], starts: list[str]) -> bool:
    """Add to ``starts`` (class items) every character that can begin a match of the parsed
    ``sequence``; True when the sequence can match the empty string. Raises on anything else."""
    for op, arg in sequence:
        name = str(op)
        if name == "AT" and str(arg) in _ZERO_WIDTH:  # ^, \A, \b, \B: the next item starts
            continue
        if name == "LITERAL":
            starts.append(re.escape(chr(arg)))
            return False
        if name == "IN":
            starts.extend(_class_item(str(item_op), item_arg) for item_op, item_arg in arg)
            return False
        if name == "BRANCH":
            branches = [_first_of(alternative, starts) for alternative in arg[1]]
            if not any(branches):
                return False
        elif name == "SUBPATTERN" and not arg[1] and not arg[2]:  # a group without flags
            if not _first_of(arg[3], starts):
                return False
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            least, _, item = arg
            if not _first_of(item, starts) and least > 0:
                return False
        else:
            raise ValueError(f"not handled: {name}")
    return True


def _class_item(op: str, arg: Any) -> str:
    if op == "LITERAL":
        return re.escape(chr(arg))
    if op == "RANGE":
        return f"{re.escape(chr(arg[0]))}-{re.escape(chr(arg[1]))}"
    if op == "CATEGORY":
        return _CATEGORIES[str(arg)]
    raise ValueError(f"not handled in a class: {op}")  # NEGATE


_PUNCTUATION_RE = re.compile("[" + "".join(re.escape(ch) for ch in sorted(PUNCTUATION)) + "]")


def punctuation_count(text: str) -> int:
    """Number of characters of ``text`` in ``PUNCTUATION``."""
    return len(_PUNCTUATION_RE.findall(text))


_BOILERPLATE_LINE_START = first_chars(BOILERPLATE_LINE_RE)
_FURNITURE_ANYWHERE_START = first_chars(_FURNITURE_ANYWHERE_RE)


def is_furniture(line: str) -> bool:
    """A short line that is page furniture rather than article text."""
    if len(line) > 120:
        return False
    if _BOILERPLATE_LINE_START.match(line) and BOILERPLATE_LINE_RE.match(line):
        return True
    return search_at(_FURNITURE_ANYWHERE_RE, _FURNITURE_ANYWHERE_START, line) is not None


_KEY_DROP_RE = re.compile(r"[\s\W_]+", re.UNICODE)
# Characters whose NFKC form is ASCII punctuation or space (fullwidth ，：（）！？, nbsp, the
# ideographic space, …): a key drops that form, and a space in their place gives the same key
# (NFKC composes nothing with either), without NFKC's slow path for most Chinese lines.
_KEY_SPACE_RE = re.compile(
    "[\u00a0\u2026\u3000\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff5e]"
)


@lru_cache(maxsize=256)
def text_key(text: str) -> str:
    """``text`` reduced for comparison: NFKC, no whitespace or punctuation, lower case.

    Cached: one page asks for the key of its title and of the lines around it several times
    (title candidates, header lines, the title's position).
    """
    text = unicodedata.normalize("NFKC", _KEY_SPACE_RE.sub(" ", text))
    return _KEY_DROP_RE.sub("", text).lower()


def store_widened() -> Path:
    """Widen every pattern with OpenCC and write them to :data:`_STORED`."""
    names = list(_SIMPLIFIED)
    widened = _widen([_SIMPLIFIED[name] for name in names], release=False)
    entries = {
        name: {"simplified": _SIMPLIFIED[name], "widened": form}
        for name, form in zip(names, widened, strict=True)
    }
    _STORED.write_text(json.dumps(entries, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return _STORED
