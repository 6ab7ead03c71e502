"""Text helpers shared by the digest stages: script folding, safe links, snippets.

- :func:`fold` turns Traditional into Simplified (OpenCC ``t2s``) for matching keywords.
- :func:`convert` shows text in the subscriber's script: ``t2s`` for ``simplified``; ``s2t``
  (characters only, OpenCC's standard forms) for ``traditional``; ``s2twp`` for
  ``traditional-tw`` (Taiwan's forms and phrases: 爲 -> 為, 软件 -> 軟體) and ``s2hk`` for
  ``traditional-hk`` (Hong Kong's forms: 衆 -> 眾), whose readers find the standard forms odd.
- :func:`is_traditional` tells a copy written in Traditional characters (to give each reader the
  copy in their own script).
- :func:`snippet` is the start of an article's own text: the lines every outlet adds before it
  (原标题, 转自, datelines such as 新华网苏州12月6日电, 记者 X 报道, a notice's addressees) are
  skipped, and paragraphs are joined without a space between Chinese sentences.
- :func:`safe_url` keeps only absolute http(s) links and makes them ASCII (IDNA host,
  percent-encoded path), so a link survives script conversion and cannot carry ``javascript:``.
"""

from __future__ import annotations

__all__ = [
    "SCRIPTS",
    "Script",
    "convert",
    "first_sentence",
    "fold",
    "is_traditional",
    "safe_url",
    "snippet",
]

import functools
import re
from typing import Literal
from urllib.parse import quote, urlsplit, urlunsplit

import opencc

Script = Literal["simplified", "traditional", "traditional-tw", "traditional-hk"]
SCRIPTS: dict[str, str] = {
    "simplified": "t2s",
    "traditional": "s2t",
    "traditional-tw": "s2twp",
    "traditional-hk": "s2hk",
}


@functools.cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def fold(text: str) -> str:
    """Traditional -> Simplified, for matching (keywords, exclusions)."""
    return _converter("t2s").convert(text) if text else text


def convert(text: str, script: Script) -> str:
    """``text`` as a subscriber reading ``script`` should see it."""
    if not text:
        return text
    return _converter(SCRIPTS[script]).convert(text)


def is_traditional(text: str) -> bool:
    """Whether ``text`` is written in Traditional characters (folding it changes it)."""
    return bool(text) and fold(text) != text


_UNSAFE = re.compile(r"[\x00-\x20\x7f]")
_SAFE_CHARS = "/:@!$&'()*+,;=-._~%?#[]"


_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?:[/?#][A-Za-z0-9/?#&=%+:;,._~!$()*@-]*)?")


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL, made ASCII; else None."""
    if not url:
        return None
    url = url.strip()
    if _PLAIN_URL.fullmatch(url):
        return url  # the common case: already plain ASCII, nothing to quote
    if _UNSAFE.search(url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return None
    if ":" in ascii_host:  # an IPv6 literal
        ascii_host = f"[{ascii_host}]"
    netloc = ascii_host if port is None else f"{ascii_host}:{port}"
    if parts.username or parts.password:
        return None  # credentials in a link are a phishing trick, never a news article
    return urlunsplit(
        (
            parts.scheme.lower(),
            netloc,
            quote(parts.path, safe=_SAFE_CHARS),
            quote(parts.query, safe=_SAFE_CHARS),
            quote(parts.fragment, safe=_SAFE_CHARS),
        )
    )


_SPACE = re.compile(r"[ \t\r\f\v\u3000\xa0]+")
_CJK_END = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’]$")
_CJK_PUNCT_END = re.compile(r"[。！？；：，、”」』）]$")
_CJK_START = re.compile(r"^[\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’]")
# Lines outlets put before the article's own text, whole (a line of its own) or as its start.
_ROLE = r"(?:记者|通讯员|实习生|编辑|责任编辑|摄影|图/文|文/图)"
_NAMES = r"[\u4e00-\u9fff·]{2,4}(?:[\s、]+[\u4e00-\u9fff·]{2,4})*"  # 王丽, 王丽 张三
_BOILERPLATE_LINES = (
    re.compile(r"^[（(【\[]?\s*(?:原标题|原題|题目|转自|來源|来源|转载自)\s*[:：].*$"),
    re.compile(rf"^[（(]?\s*(?:{_ROLE}[\s:：]*{_NAMES}\s*)+[）)]?$"),
)
_BOILERPLATE_PREFIXES = (
    re.compile(r"^[（(【]\s*原标题\s*[:：][^）)】]{0,80}[）)】]\s*"),
    # datelines: 新华网苏州12月6日电, 本报北京5月3日讯, 中新网上海电, 本报讯
    re.compile(
        r"^(?:[\u4e00-\u9fff·]{1,14}?(?:\d{4}年)?\d{1,2}月\d{1,2}日"
        r"|(?:新华社|新华网|中新社|中新网|人民网|央视网|央广网|国际在线|本报|本网)[\u4e00-\u9fff]{0,6})"
        r"[电讯](?=[\s（(：:，,]|$)\s*[:：，,]?\s*"
    ),
    re.compile(r"^本[报网台刊]讯\s*[:：，,]?\s*"),
    # (记者 王丽 通讯员 张三) and 记者 王丽 报道
    re.compile(r"^[（(](?:[^（）()]{0,6}?)(?:记者|通讯员)[^（）()]{1,40}[）)]\s*[:：，,]?\s*"),
    re.compile(rf"^(?:{_ROLE}\s*{_NAMES}\s*)+报道\s*[:：，,]?\s*"),
)
# The addressees of a notice: a short list of organs (各…, or several joined by ，/、) that ends
# with an organ and a colon: 各区人民政府，市政府直属各单位：
_ADDRESSEES = re.compile(
    r"^(?=[^：:]*(?:各|、|，|,))[^。！？；\n：:]{2,80}?"
    r"(?:政府|单位|部门|机构|委员会|委|局|厅|办|处|公司|企业|院|所|学校|组织)[：:]\s*"
)


def _join(lines: list[str]) -> str:
    """Paragraphs on one line: nothing between Chinese ones (a half-width space after 。 looks
    like a typo), one space between Latin ones."""
    out = ""
    for line in lines:
        if out and not (
            _CJK_PUNCT_END.search(out) or (_CJK_END.search(out) and _CJK_START.search(line))
        ):
            out += " "
        out += line
    return out


def _strip_boilerplate(line: str) -> str:
    changed = True
    while changed and line:
        changed = False
        for pattern in _BOILERPLATE_PREFIXES:
            cut = pattern.sub("", line, count=1)
            if cut != line:
                line, changed = cut.lstrip(), True
    return line


def _own_lines(body: str, limit: int) -> list[str]:
    """The article's own lines: leading boilerplate lines and prefixes dropped."""
    lines: list[str] = []
    size = 0
    for raw in (body or "")[: limit * 8].splitlines():
        line = _SPACE.sub(" ", raw).strip()
        if not lines:  # still at the start: skip what outlets add
            if any(p.match(line) for p in _BOILERPLATE_LINES):
                continue
            line = _strip_boilerplate(line)
            if m := _ADDRESSEES.match(line):
                line = line[m.end() :]
        if line:
            lines.append(line)
            size += len(line)
            if size > limit * 2:
                break
    return lines


def snippet(body: str, limit: int = 60) -> str:
    """The start of the article's own text on one line, cut at ``limit`` characters (two lines
    on a phone)."""
    text = _join(_own_lines(body, limit))
    if len(text) <= limit:
        return text
    cut = text[:limit]
    # End on a sentence or clause boundary when one is near the end.
    for mark in ("。", "；", "，"):
        pos = cut.rfind(mark)
        if pos >= limit * 2 // 3:
            return cut[: pos + 1] + "…" if mark != "。" else cut[: pos + 1]
    return cut.rstrip() + "…"


_SENTENCE_END = re.compile(r"[。！？!?]")


def first_sentence(body: str, limit: int = 120) -> str:
    """A document's one-line summary: the first sentence of its own text (after the addressees
    and the outlet's boilerplate), cut at ``limit`` characters as :func:`snippet` cuts."""
    text = _join(_own_lines(body, limit))
    if m := _SENTENCE_END.search(text):
        text = text[: m.end()]
    return text if len(text) <= limit else snippet(text, limit)
