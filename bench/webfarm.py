"""Article pages shaped like the real web, for the crawl benchmark's farm (``--pages corpus``).

The test farm's article pages are 5–10 KB of plain markup; real Chinese news and government
pages are 30–180 KB (navigation, sidebars, scripts, inline styles, comments), and on them
extraction is most of the analysis. Here every page of the shared extraction corpus
(``../shared/corpus``: ``zh-gne`` and ``zh-163-2015``) is made a template **at run time**: its
body container (the element the corpus's truth was taken from, ``gt_selector``) is emptied, its
title and publication date are replaced by markers, and its charset declarations are removed;
everything else (the page's own chrome, byte for byte as the parser serialises it) stays. A
farm article is then rendered into one of these templates: the farm's title, date and
paragraphs in the real page's layout, declared in the farm site's charset. The corpus pages are
third-party content redistributed for evaluation only: nothing derived from them is written to
disk or committed.

The farm knows each page's true body (the article's paragraphs), so a crawl's stored bodies can
be scored per page with the extraction bench's bag-of-characters F1 (:func:`body_scores`).
"""

from __future__ import annotations

__all__ = ["BodyScores", "CorpusSite", "Template", "body_scores", "corpus_shaped", "templates"]

import json
import random
import re
import statistics
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from extraction import DEFAULT_CORPUS, _chars, _f1, load_pages  # noqa: E402

from tests.sitefarm import _CST, Article, Site  # noqa: E402

SETS = ("zh-gne", "zh-163-2015")
MAX_BYTES = 200_000  # leaves out 20 zh-gne pages of 220–770 KB (portals, long comment threads)
# Markers the serialised template carries where the farm's values go.
_CHARSET, _TITLE, _BODY = "@@CHARSET@@", "@@TITLE@@", "@@BODY@@"
_DATE = re.compile(r"@@DATE(\d)@@")
_META_CHARSET = re.compile(
    r"<meta[^>]*(?:charset\s*=|http-equiv\s*=\s*[\"']?content-type)[^>]*>", re.I
)
# What would name the corpus page's own address (every farm article rendered into one layout
# would be one article to a crawler that believes it): canonical links, og:url, <base>.
_OWN_ADDRESS = re.compile(
    r"<link[^>]*rel\s*=\s*[\"']?canonical[^>]*>|<meta[^>]*og:url[^>]*>|<base\s[^>]*>", re.I
)
# The forms a page writes its publication date in, by marker number.
_DATE_FORMS = (
    lambda d: f"{d.year}-{d.month:02d}-{d.day:02d}",
    lambda d: f"{d.year}年{d.month:02d}月{d.day:02d}日",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d.year}/{d.month:02d}/{d.day:02d}",
    lambda d: f"{d.year}.{d.month:02d}.{d.day:02d}",
)


@dataclass(frozen=True)
class Template:
    """A corpus page with its body, title, date and charset declarations taken out."""

    name: str  # set/id of the corpus page
    parts: tuple[str, ...]  # text, marker, text, marker, ...: split on the markers
    original_bytes: int  # the corpus page's size as stored
    paragraphs: tuple[int, ...] = ()  # the lengths of the true body's paragraphs

    def render(self, title: str, body_html: str, published: date, meta_charset: str) -> str:
        out = []
        for i, part in enumerate(self.parts):
            if i % 2 == 0:
                out.append(part)
            elif part == _TITLE:
                out.append(escape(title, quote=False))
            elif part == _BODY:
                out.append(body_html)
            elif part == _CHARSET:
                out.append(meta_charset)
            elif (m := _DATE.fullmatch(part)) is not None:
                out.append(_DATE_FORMS[int(m.group(1))](published))
        return "".join(out)


def _template(
    name: str, html: str, selector: str, title: str | None, day: str | None, size: int, body: str
):
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    node = tree.css_first(selector)
    if node is None:
        return None
    for child in list(node.iter(include_text=True)):
        child.decompose()
    node.insert_child(_BODY)
    text = tree.html or ""
    text = _OWN_ADDRESS.sub("", _META_CHARSET.sub("", text))
    text = re.sub(r"<head(\s[^>]*)?>", lambda m: m.group(0) + _CHARSET, text, count=1, flags=re.I)
    if _CHARSET not in text:
        return None
    if title:
        for form in dict.fromkeys((title, escape(title, quote=False), escape(title))):
            text = text.replace(form, _TITLE)
    if day:
        d = date.fromisoformat(day)
        for number, form in enumerate(_DATE_FORMS):
            text = text.replace(form(d), f"@@DATE{number}@@")
    parts = re.split(r"(@@CHARSET@@|@@TITLE@@|@@BODY@@|@@DATE\d@@)", text)
    lengths = tuple(len(line.strip()) for line in body.splitlines() if line.strip())
    return Template(name, tuple(parts), size, lengths)


def templates(
    corpus: Path = DEFAULT_CORPUS, sets: Iterable[str] = SETS, max_bytes: int = MAX_BYTES
) -> list[Template]:
    """Every corpus page of at most ``max_bytes`` whose body container a CSS selector names,
    as a template (the few whose truth came from an XPath are left out)."""
    out = []
    for page in load_pages(corpus, tuple(sets)):
        folder = corpus / page.set
        truth = json.loads((folder / f"{page.id}.json").read_text(encoding="utf-8"))
        selector = (truth.get("gt_selector") or {}).get("sel") or ""
        raw = folder / f"{page.id}.html"
        if not selector or selector.startswith("xpath:") or not raw.exists():
            continue
        if raw.stat().st_size > max_bytes:
            continue
        made = _template(
            page.name, page.html, selector, page.title, page.date, raw.stat().st_size, page.body
        )
        if made is not None:
            out.append(made)
    if not out:
        raise SystemExit(f"no corpus pages to shape the farm's articles on in {corpus}")
    return out


@dataclass
class CorpusSite(Site):
    """A farm site whose article pages are rendered into real pages' layouts."""

    layouts: list[Template] = field(default_factory=list)

    def layout_of(self, a: Article) -> Template:
        return self.layouts[(a.number * 7 + int(self.id[-2:] or 0)) % len(self.layouts)]

    def render_lazily(self, path: str) -> bool:
        """Article pages are rendered per request (bench/staticfarm.py): 20,000 of them would
        hold gigabytes."""
        return path.startswith("/news/")

    def article_page(self, a: Article) -> str:
        layout = self.layout_of(a)
        paragraphs = "\n".join(f'<p style="text-indent:2em;">{escape(p)}</p>' for p in a.paragraphs)
        return layout.render(
            a.title, paragraphs, a.published.astimezone(_CST).date(), self.meta_charset()
        )


# Characters of ordinary news prose, for bodies as long as the real pages' ones.
_PROSE = sorted(
    set(
        "考察团一行先后来到产业园区企业研发中心政务服务大厅现场察看项目建设情况双方表示将进一步加强在"
        "产业协作人才交流和营商环境等方面的合作座谈会上与会人员围绕城市更新科技创新对外开放议题深入"
        "近年来该市坚持驱动发展持续推动升级取得了显著成效成员纷纷此行收获满满要把学到好经验做法转化为"
        "实际行动会议强调对标先进补齐短板加快现代化国际大都市据介绍今年以来全新签约重大百余个总投资超"
    )
)


def _paragraph(rng: random.Random, length: int) -> str:
    clauses, size = [], 0
    while size < length:
        clause = "".join(rng.choices(_PROSE, k=rng.randint(4, 14)))
        clauses.append(clause)
        size += len(clause) + 1
    return "，".join(clauses) + "。"


def corpus_shaped(sites: list[Site], layouts: list[Template]) -> list[Site]:
    """The same sites (addresses, charsets, feeds, article titles, dates and lead sentences),
    each article page in a corpus page's layout with a body of that page's paragraph count and
    lengths (the lead, then distinct prose)."""
    names = [f.name for f in fields(Site) if f.init]
    out: list[Site] = []
    for site in sites:
        shaped = CorpusSite(**{n: getattr(site, n) for n in names}, layouts=layouts)
        rng = random.Random(f"corpus-{site.id}")
        articles = []
        for a in site.articles:
            lengths = shaped.layout_of(a).paragraphs[1:60] or (60,)
            body = (a.paragraphs[0], *(_paragraph(rng, n) for n in lengths))
            articles.append(Article(a.number, a.title, body, a.published, a.outlet))
        shaped.articles = articles
        out.append(shaped)
    return out


def truths(sites: Iterable[Site]) -> dict[str, str]:
    """The true body of every article page the sites serve, by URL (site.base set)."""
    return {s.article_url(a.number): "\n".join(a.paragraphs) for s in sites for a in s.articles}


@dataclass(frozen=True)
class BodyScores:
    pages: int  # pages with a truth that the crawler stored
    pooled_f1: float
    mean_f1: float
    low_pages: int  # stored pages whose F1 < 0.5
    low: tuple[str, ...] = ()  # their URLs

    def row(self) -> str:
        return (
            f"{self.pages:,} pages: body F1 {self.pooled_f1:.3f} pooled, "
            f"{self.mean_f1:.3f} mean, {self.low_pages} under 0.5"
        )


def body_scores(stored: Mapping[str, str], truth: Mapping[str, str]) -> BodyScores:
    """Bag-of-characters body F1 (bench/extraction.py's) of every stored page that has a
    truth: pooled over the pages and their mean."""
    overlap = predicted = expected = 0
    per_page = []
    low = []
    for url, body in stored.items():
        if url not in truth:
            continue
        got, want = _chars(body or ""), _chars(truth[url])
        common = sum((got & want).values())
        n_got, n_want = sum(got.values()), sum(want.values())
        overlap, predicted, expected = overlap + common, predicted + n_got, expected + n_want
        per_page.append(_f1(common / n_got if n_got else 0.0, common / n_want if n_want else 0.0))
    pooled = _f1(overlap / predicted if predicted else 0.0, overlap / expected if expected else 0.0)
    return BodyScores(
        len(per_page),
        pooled,
        statistics.fmean(per_page) if per_page else 0.0,
        len(low),
        tuple(low),
    )


def layouts_by_url(sites: Iterable[Site]) -> dict[str, str]:
    """The corpus page each article page of corpus-shaped sites was laid out on, by URL."""
    return {
        s.article_url(a.number): s.layout_of(a).name
        for s in sites
        if isinstance(s, CorpusSite)
        for a in s.articles
    }


def sizes(sites: Iterable[Site], sample: int = 200) -> tuple[int, int, int]:
    """Smallest, median and largest article page in bytes, over the first ``sample`` pages."""
    found = []
    for site in sites:
        for a in site.articles[: max(1, sample // 10)]:
            found.append(len(site.encode(site.article_page(a))))
        if len(found) >= sample:
            break
    return min(found), int(statistics.median(found)), max(found)
