"""Text fields are text: markup that leaked into a title, outlet or author is found and cut.

Broken pages put markup where text belongs: a ``<title>`` never closed swallows the scripts and
tables after it (lexbor reads a title as raw text up to ``</title>``), a byline cell with an
unclosed ``<font`` leaves ``size="20"`` as the outlet. Seen on real pages: titles
``<script language='javascript' src="/js.js"></script>``, ``<table width="760" border="0">``,
``…凝聚强大智慧和力量<div>``.

What counts as markup: a tag (``<div>``, ``</td>``, ``<!-- … -->``, ``<br/>``), the opening of
a tag cut off by the end of the text (``<table width="760"``), and an attribute assignment
(``size="20"``, ``class='x'``). Text that merely uses angle brackets (``1<2``, ``《书名》``,
``a < b > c``) is not markup.
"""

from __future__ import annotations

__all__ = ["holds_markup", "markup_spans", "text_only"]

import re

_NAME = r"[A-Za-z][A-Za-z0-9:-]{0,20}"
_ATTR_VALUE = r"(?:\"[^\"<>]{0,400}\"|'[^'<>]{0,400}'|[^\s\"'<>=`]{1,100})"
_MARKUP_RE = re.compile(
    rf"""
      <!--.*?(?:-->|$)                                  # a comment (unclosed: to the end)
    | <![A-Za-z][^<>]{{0,200}}>?                        # <!DOCTYPE …>
    | </?{_NAME}(?:\s+[^<>]{{0,400}}?)?\s*/?>           # a whole tag
    | </?{_NAME}(?:\s+{_NAME}(?:\s*=\s*{_ATTR_VALUE})?)*\s*/?$  # a tag cut off by the end
    | (?<![\w.-]){_NAME}\s*=\s*(?:"[^"<>\n]{{0,400}}"|'[^'<>\n]{{0,400}}')  # size="20"
    """,
    re.VERBOSE | re.DOTALL,
)
# "a < b" and "x<3" are text: a tag name starts right after "<" and the tag closes.
_TAG_START_RE = re.compile(r"<(?:!--|[/!]?[A-Za-z])|=\s*[\"']")
_SCRIPT_RE = re.compile(r"<(?P<close>/?)(?:script|style)\b", re.IGNORECASE)


def markup_spans(text: str | None) -> list[str]:
    """The pieces of markup in ``text``, in order (empty for plain text)."""
    if not text or _TAG_START_RE.search(text) is None:  # the common case: no regex pass
        return []
    return [m.group(0) for m in _MARKUP_RE.finditer(text)]


def holds_markup(text: str | None) -> bool:
    """Whether ``text`` contains a tag, a cut-off tag or an attribute assignment."""
    return bool(markup_spans(text))


def text_only(text: str | None, *, head: bool = False) -> str | None:
    """``text`` with its markup removed, or None when no text is left.

    With ``head`` (for a ``<title>`` that swallowed the page after it), only the first run of
    text between pieces of markup is kept, and never the inside of a script or style: what
    follows it is page furniture, not title.
    """
    if not text or not holds_markup(text):
        return text
    if head:
        kept = next((run for run in _text_runs(text) if _has_words(run)), "")
    else:
        kept = _MARKUP_RE.sub(" ", text)
    kept = " ".join(kept.split())
    return kept if _has_words(kept) else None


def _text_runs(text: str) -> list[str]:
    """The runs of text between pieces of markup, less those inside script or style."""
    runs: list[str] = []
    at = 0
    hidden = False
    for m in _MARKUP_RE.finditer(text):
        if not hidden:
            runs.append(text[at : m.start()])
        tag = _SCRIPT_RE.match(m.group(0))
        if tag is not None:
            hidden = not tag["close"]
        at = m.end()
    if not hidden:
        runs.append(text[at:])
    return runs


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)
