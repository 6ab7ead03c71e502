"""The words and patterns of page furniture on Chinese news and government sites.

These are the structural signals of boilerplate (editor lines, share bars, related-news blocks,
print bars, comment headers, copyright footers), not rules for any one site.
"""

from __future__ import annotations

__all__ = [
    "BOILERPLATE_LINE_RE",
    "CUT_MARKER_RE",
    "NEGATIVE_ATTR_RE",
    "POSITIVE_ATTR_RE",
    "PUNCTUATION",
    "both_scripts",
    "clean_space",
    "is_furniture",
    "punctuation_count",
    "text_key",
    "visible_len",
]

import re
import unicodedata

import opencc

_CONVERTERS = tuple(opencc.OpenCC(name) for name in ("s2t", "s2tw", "s2hk"))


def both_scripts(pattern: str) -> str:
    """``pattern`` extended to match Traditional-script pages too (编辑 → 編輯, 来源 → 來源)."""
    variants = [pattern]
    for converter in _CONVERTERS:
        for variant in (converter.convert(pattern), converter.convert(pattern).replace("佈", "布")):
            if variant not in variants:
                variants.append(variant)
    return "|".join(f"(?:{v})" for v in variants) if len(variants) > 1 else pattern


PUNCTUATION = frozenset("，。！？；：、“”‘’「」『』（）《》…,.!?;:")
_SPACE_RE = re.compile(r"[\s\u00a0\u3000\u200b\u200c\u200d\u2028\u2029\ufeff]+")

# A whole line that is page furniture, whatever the site: editor/source credits, share bars,
# print/font-size bars, comment headers, copyright and ICP footers, app promotions.
BOILERPLATE_LINE_RE = re.compile(
    both_scripts(
        r"""^[\s(（\[【]*(?:
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
      | 长按识别 | (?:Copyright|版权所有|©)
    )"""
    ),
    re.VERBOSE | re.IGNORECASE,
)
# Also furniture wherever it sits in a short line.
_FURNITURE_ANYWHERE_RE = re.compile(
    both_scripts(
        r"ICP[备证]|版权所有|Copyright|扫描.{0,8}二维码|仅代表.{0,12}(?:观点|立场)|点.?在看|"
        r"下载.{0,10}客户端|回复【.{1,10}】|转载请注明|不代表.{0,12}(?:观点|立场)|"
        r"【\s*(?:详细|詳細)\s*】$|\[\s*(?:详细|詳細)\s*\]$|[（(]\s*(?:责任编辑|责编|编辑)[:：]"
    )
)
# A heading after which the rest of the container is a related-news block.
CUT_MARKER_RE = re.compile(
    both_scripts(
        r"^[\s【\[(（]*(?:延伸阅读|此前报道|相关新闻|相关阅读|相关链接|相关报道|相关文章|相关稿件|推荐阅读|"
        r"热点推荐|猜你喜欢|精彩推荐|更多阅读|往期回顾|往期推荐|热门推荐|为您推荐|热门评论|跟贴热词|"
        r"相关附件|点击进入专题)"
    )
)
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
    return _SPACE_RE.sub(" ", text).strip()


def visible_len(text: str) -> int:
    """Number of characters that are not whitespace."""
    return len(text) - text.count(" ")


_DROP_PUNCTUATION = str.maketrans("", "", "".join(PUNCTUATION))


def punctuation_count(text: str) -> int:
    return len(text) - len(text.translate(_DROP_PUNCTUATION))


def is_furniture(line: str) -> bool:
    """A short line that is page furniture rather than article text."""
    if len(line) > 120:
        return False
    if BOILERPLATE_LINE_RE.match(line):
        return True
    return bool(_FURNITURE_ANYWHERE_RE.search(line))


_KEY_DROP_RE = re.compile(r"[\s\W_]+", re.UNICODE)


def text_key(text: str) -> str:
    """``text`` reduced for comparison: NFKC, no whitespace or punctuation, lower case."""
    return _KEY_DROP_RE.sub("", unicodedata.normalize("NFKC", text)).lower()
