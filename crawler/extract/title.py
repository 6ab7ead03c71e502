"""The headline: the candidate that the page's own title sources agree on.

Sources: ``<h1>`` (then elements whose id/class says "title", then ``<h2>``), the meta titles
(og:title, twitter:title, ArticleTitle, ...) and ``<title>``. A heading wins when a meta title
or ``<title>`` agrees with it (equal 2 votes, one starts the other 1, contained 0.5), which
rejects logo ``<h1>``s and section names; otherwise the heading right above the byline,
otherwise a meta title, otherwise ``<title>`` without the site-name suffix ("标题_网易财经",
"标题 - 新浪新闻", "标题|人民网").
"""

from __future__ import annotations

__all__ = ["choose_title", "strip_site_suffix", "title_segments"]

import re
from collections.abc import Sequence
from functools import lru_cache

from crawler.extract.vocabulary import clean_space, text_key

_SEPARATORS_RE = re.compile(r"\s*(?:_|\||｜|\s-\s|\s–\s|\s—\s|--|——)\s*")


@lru_cache(maxsize=64)
def _parts(title: str) -> tuple[str, ...]:
    """The non-blank parts of ``title`` between separators (cached: a page asks several times)."""
    return tuple(p for p in _SEPARATORS_RE.split(title) if p and p.strip())


def title_segments(title: str) -> list[str]:
    """The parts of a ``<title>`` between site-name separators."""
    return [clean_space(p) for p in _parts(title)]


def strip_site_suffix(title: str) -> str:
    """``"标题_频道_网站"`` → ``"标题"`` (the first long segment)."""
    parts = list(_parts(title))
    if len(parts) == 1 and "-" in title:
        head, _, tail = title.rpartition("-")
        if len(head) >= 8 and 2 <= len(tail.strip()) <= 16 and not tail.strip()[0].isdigit():
            parts = [head]
    if not parts:
        return clean_space(title)
    first = clean_space(parts[0])
    if len(first) < 5:
        longest = max(parts, key=len)
        if len(longest) > len(first) * 2:
            return clean_space(longest)
    return first


def _agreement(candidate: str, reference: str) -> float:
    """How strongly two title keys agree: equal 2, one starts the other 1, contained 0.5."""
    if not candidate or not reference:
        return 0.0
    if candidate == reference:
        return 2.0
    if reference.startswith(candidate) and len(candidate) >= 4:
        return 1.0
    if candidate.startswith(reference) and len(reference) >= 6:
        return 1.0
    return 0.5 if len(candidate) >= 8 and candidate in reference else 0.0


def choose_title(
    headings: Sequence[str],
    metas: Sequence[str],
    document_title: str | None,
    *,
    above_byline: str | None = None,
    site_names: Sequence[str] = (),
) -> str | None:
    """Pick the headline (see the module docstring); ``headings`` in order of preference.

    ``above_byline`` is the heading line right above the article's byline, used when no heading
    agrees with the meta titles or ``<title>`` (pages whose ``<title>`` is the section name).
    ``site_names`` (SiteName, og:site_name): a heading that is only the site's name is no
    headline, though a ``<title>`` that is only the site's name agrees with it.
    """
    sites = {text_key(name) for name in site_names} - {""}
    refs: list[str] = []
    for meta in metas:
        refs.append(text_key(meta))
        refs.append(text_key(strip_site_suffix(meta)))
    if document_title:
        refs.append(text_key(document_title))
        refs.append(text_key(strip_site_suffix(document_title)))
        # The head of "夜雨_原文、翻译及赏析_白居易诗词_读古诗词网": a short headline the suffix
        # rule passes over for the longer segment after it. Only the head: later segments are
        # section and site names, which an <h1> of the page's chrome may repeat.
        segments = title_segments(document_title)
        if len(segments) > 1:
            refs.append(text_key(segments[0]))
    refs = [r for r in dict.fromkeys(refs) if r]
    best: tuple[float, int] | None = None
    chosen: str | None = None
    for rank, heading in enumerate(headings):
        text = clean_space(heading)
        key = text_key(text)
        if len(key) < 2 or len(text) > 200 or key in sites:
            continue
        votes = sum(_agreement(key, ref) for ref in refs)
        if votes and (best is None or (votes, -rank) > best):
            best, chosen = (votes, -rank), text
    if chosen is not None:
        return chosen
    if above_byline and len(text_key(above_byline)) >= 4 and len(above_byline) <= 120:
        return clean_space(above_byline)
    for meta in metas:
        text = strip_site_suffix(meta)
        if len(text_key(text)) >= 2:
            return text
    if document_title and len(text_key(strip_site_suffix(document_title))) >= 2:
        return strip_site_suffix(document_title)
    for heading in headings:
        if len(text_key(heading)) >= 2 and len(heading) <= 200:
            return clean_space(heading)
    return None
