"""Score article extractors on the shared corpus: ours, readability-lxml and trafilatura.

Usage (from the repository root)::

    python bench/extraction.py [CORPUS] [--dev-only | --held-out-only] [--json] [--pages]
                               [--extractor ours --extractor readability ...]

``CORPUS`` defaults to ``../shared/corpus`` relative to the repository. The sets scored are the
Chinese ones (``zh-gne``, ``zh-163-2015``; ``--set`` to choose). readability-lxml and trafilatura
are the optional ``[bench]`` extras; an extractor that is not importable prints
"not installed".

Besides the shared corpus, the **unseen** corpus ``bench/data/zh-unseen`` (57 pages from sites
in neither shared set; see its README) is scored on its own, by kind of page: all, news and
government, and forums/blogs/wikis/other (``--no-unseen`` to skip it, ``--unseen-only`` for it
alone). It is a development set for unseen sites (its errors were read and fixed by class); see
its README.

**Markup-free invariant**: over every page of every corpus scored, the pages where a text field
of ours (title, outlet, author, or the body beyond what the truth itself holds) contains
markup (``crawler.extract.markup_free.holds_markup``: a tag, or an attribute such as
``size="20"``). It must be 0.

Metrics (per page, then over the pages of a split):

* **F1**: character-level, bag-of-characters. Both texts are NFKC-normalised and all whitespace is
  removed; ``overlap`` is the size of the multiset intersection of their characters.
  ``precision = overlap / len(predicted)``, ``recall = overlap / len(truth)``. The table's F1 is
  *pooled*: precision and recall from the sums of ``overlap``, ``len(predicted)`` and
  ``len(truth)`` over all pages, then their harmonic mean. A page the extractor fails on
  (exception, nothing found) counts with an empty prediction.
* **pages F1<0.5**: pages whose own F1 is below 0.5.
* **mean F1**: the mean of the per-page F1 (the unseen corpus's headline figure: a short page
  weighs as much as a long one).
* **title exact**: over pages with an annotated title, the share whose predicted title equals it
  after collapsing whitespace runs and trimming.
* **date right**: over all pages, the share where the predicted publication date
  (``YYYY-MM-DD``) equals the annotated one; where the annotation is null, only a null
  prediction is right (we must not guess); pages annotated ``"date_known": false`` (a thread
  whose date we could not tell) are left out. "–" for extractors that return no date.
* **median ms/page**: median CPU time of one extraction call on the calling thread
  (``time.thread_time``: parsing included, decoding not; one process, one core), so that other
  load on the machine does not inflate it. ``--json`` also gives the median wall time. With
  ``--repeat N`` each page is timed N times and its fastest run counts (as ``timeit`` advises),
  which takes the noise of a shared machine out of the comparison.

Splits: a page is **held out** when the first byte of ``sha1("<set>/<NNN>")`` is divisible by 4
(about 25% of each set). The extractor was tuned on the dev pages only; the held-out figures are
for reporting. The held-out page ids are printed with every run.
"""

from __future__ import annotations

__all__ = ["Page", "Prediction", "Score", "load_pages", "main", "score"]

import argparse
import gzip
import hashlib
import json
import statistics
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from crawler.fetch.encoding import decode_bytes  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
DEFAULT_SETS = ("zh-gne", "zh-163-2015")
UNSEEN_CORPUS = REPO / "bench" / "data"
UNSEEN_SETS = ("zh-unseen",)
NEWS_KINDS = frozenset({"news", "gov"})


@dataclass(frozen=True)
class Page:
    set: str
    id: str
    url: str
    html: str
    title: str | None
    date: str | None
    body: str
    kind: str = "news"
    date_known: bool = True

    @property
    def name(self) -> str:
        return f"{self.set}/{self.id}"

    @property
    def held_out(self) -> bool:
        return hashlib.sha1(self.name.encode()).digest()[0] % 4 == 0


@dataclass(frozen=True)
class Prediction:
    title: str | None
    body: str
    date: str | None
    credits: tuple[str | None, ...] = ()  # outlet, author: checked for markup with the title


@dataclass(frozen=True)
class Score:
    extractor: str
    pages: int
    f1: float
    mean_f1: float
    precision: float
    recall: float
    low_pages: int
    title_exact: float | None
    date_right: float | None
    median_ms: float
    median_wall_ms: float
    per_page: dict[str, float]
    markup_pages: tuple[str, ...] = ()


def load_pages(corpus: Path, sets: Sequence[str]) -> list[Page]:
    pages: list[Page] = []
    for name in sets:
        folder = corpus / name
        for truth_file in sorted(folder.glob("*.json")):
            truth = json.loads(truth_file.read_text(encoding="utf-8"))
            page_file = folder / f"{truth_file.stem}.html"
            if page_file.exists():
                raw = page_file.read_bytes()
            else:
                raw = gzip.decompress((folder / f"{truth_file.stem}.html.gz").read_bytes())
            pages.append(
                Page(
                    set=name,
                    id=truth_file.stem,
                    url=truth.get("url") or "",
                    html=decode_bytes(raw).text,
                    title=truth.get("title"),
                    date=truth.get("date"),
                    body=truth.get("body") or "",
                    kind=truth.get("kind") or "news",
                    date_known=truth.get("date_known", True),
                )
            )
    return pages


def _chars(text: str) -> Counter[str]:
    text = unicodedata.normalize("NFKC", text)
    return Counter(ch for ch in text if not ch.isspace())


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _same_title(a: str | None, b: str) -> bool:
    return a is not None and " ".join(a.split()) == " ".join(b.split())


def score(
    name: str,
    run: Callable[[Page], Prediction],
    pages: Sequence[Page],
    has_date: bool,
    repeat: int = 1,
) -> Score:
    """Run ``run`` on every page and score it (see the module docstring for the metrics)."""
    overlap_sum = pred_sum = truth_sum = 0
    low = 0
    titles = titles_right = dates_right = dated = 0
    markup: list[str] = []
    times: list[float] = []
    walls: list[float] = []
    per_page: dict[str, float] = {}
    for page in pages:
        cpu_ms: list[float] = []
        wall_ms: list[float] = []
        for _ in range(max(1, repeat)):
            start, wall = time.thread_time(), time.perf_counter()
            try:
                pred = run(page)
            except Exception:
                pred = Prediction(None, "", None)
            cpu_ms.append((time.thread_time() - start) * 1000)
            wall_ms.append((time.perf_counter() - wall) * 1000)
        times.append(min(cpu_ms))
        walls.append(min(wall_ms))
        got, want = _chars(pred.body), _chars(page.body)
        overlap = sum((got & want).values())
        n_got, n_want = sum(got.values()), sum(want.values())
        overlap_sum, pred_sum, truth_sum = (
            overlap_sum + overlap,
            pred_sum + n_got,
            truth_sum + n_want,
        )
        page_f1 = _f1(overlap / n_got if n_got else 0.0, overlap / n_want if n_want else 0.0)
        per_page[page.name] = page_f1
        low += page_f1 < 0.5
        if page.title is not None:
            titles += 1
            titles_right += _same_title(pred.title, page.title)
        if page.date_known:
            dated += 1
            dates_right += pred.date == page.date
        if _holds_markup(pred, page):
            markup.append(page.name)
    precision = overlap_sum / pred_sum if pred_sum else 0.0
    recall = overlap_sum / truth_sum if truth_sum else 0.0
    return Score(
        extractor=name,
        pages=len(pages),
        f1=_f1(precision, recall),
        mean_f1=statistics.fmean(per_page.values()) if per_page else 0.0,
        precision=precision,
        recall=recall,
        low_pages=low,
        title_exact=titles_right / titles if titles else None,
        date_right=dates_right / dated if has_date and dated else None,
        median_ms=statistics.median(times) if times else 0.0,
        median_wall_ms=statistics.median(walls) if walls else 0.0,
        per_page=per_page,
        markup_pages=tuple(markup),
    )


def _holds_markup(pred: Prediction, page: Page) -> bool:
    """A short field with markup, or body markup the page's own text does not have."""
    from crawler.extract.markup_free import holds_markup, markup_spans

    if any(holds_markup(v) for v in (pred.title, *pred.credits) if v):
        return True
    return bool(set(markup_spans(pred.body)) - set(markup_spans(page.body)))


def _ours() -> Callable[[Page], Prediction]:
    from crawler.base.errors import ExtractError
    from crawler.extract import extract

    def run(page: Page) -> Prediction:
        try:
            result = extract(page.html, page.url)
        except ExtractError:
            return Prediction(None, "", None)
        date = result.published.date().isoformat() if result.published else None
        return Prediction(result.title, result.body, date, (result.outlet, result.author))

    return run


def _readability() -> Callable[[Page], Prediction]:
    import lxml.html
    from readability import Document

    def run(page: Page) -> Prediction:
        doc = Document(page.html)
        summary = doc.summary(html_partial=True)
        text = lxml.html.fromstring(summary).text_content() if summary.strip() else ""
        return Prediction(doc.short_title(), text, None)

    return run


def _trafilatura() -> Callable[[Page], Prediction]:
    import trafilatura

    def run(page: Page) -> Prediction:
        doc = trafilatura.bare_extraction(
            page.html, url=page.url or None, favor_precision=True, with_metadata=True
        )
        if doc is None:
            return Prediction(None, "", None)
        get = doc.get if isinstance(doc, dict) else lambda k: getattr(doc, k, None)
        date = get("date")
        return Prediction(get("title"), get("text") or "", date[:10] if date else None)

    return run


EXTRACTORS: dict[str, tuple[str, Callable[[], Callable[[Page], Prediction]], bool]] = {
    "ours": ("citydigest", _ours, True),
    "readability": ("readability-lxml", _readability, False),
    "trafilatura": ("trafilatura (favor_precision)", _trafilatura, True),
}


def _table(title: str, scores: Sequence[Score | str], pages: int) -> str:
    rows = [
        f"### {title} ({pages} pages)",
        "",
        "| extractor | F1 | mean F1 | pages with F1 < 0.5 | title exact | date right "
        "| median ms/page |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        if isinstance(s, str):
            rows.append(f"| {s} | not installed | | | | | |")
            continue
        date = f"{s.date_right:.2f}" if s.date_right is not None else "–"
        title = f"{s.title_exact:.2f}" if s.title_exact is not None else "–"
        rows.append(
            f"| {s.extractor} | {s.f1:.3f} | {s.mean_f1:.3f} | {s.low_pages} | {title} | {date} "
            f"| {s.median_ms:.1f} |"
        )
    return "\n".join(rows)


def _splits(args: argparse.Namespace, parser: argparse.ArgumentParser) -> dict[str, list[Page]]:
    """The page sets to score: the shared corpus's dev/held-out/pooled, the unseen corpus's kinds."""
    chosen: dict[str, list[Page]] = {}
    if not args.unseen_only:
        pages = load_pages(args.corpus, args.sets or DEFAULT_SETS)
        if not pages:
            parser.error(f"no pages found in {args.corpus}")
        dev = [p for p in pages if not p.held_out]
        held = [p for p in pages if p.held_out]
        if args.dev_only:
            chosen["dev"] = dev
        elif args.held_out_only:
            chosen["held-out"] = held
        else:
            chosen.update({"dev": dev, "held-out": held, "pooled": pages})
    if not args.no_unseen:
        unseen = load_pages(args.unseen, UNSEEN_SETS)
        if not unseen:
            parser.error(f"no pages found in {args.unseen}")
        chosen["unseen"] = unseen
        chosen["unseen: news and government"] = [p for p in unseen if p.kind in NEWS_KINDS]
        chosen["unseen: forums, blogs, wikis, other"] = [
            p for p in unseen if p.kind not in NEWS_KINDS
        ]
    return chosen


def _markup_report(results: dict[str, list[Score | str]], chosen: dict[str, list[Page]]) -> str:
    """The markup-free invariant over every page scored once (the pooled and unseen splits)."""
    seen: set[str] = set()
    offenders: list[str] = []
    for name, scores in results.items():
        for s in scores:
            if isinstance(s, Score) and s.extractor == "citydigest":
                seen.update(p.name for p in chosen[name])
                offenders.extend(p for p in s.markup_pages if p not in offenders)
    listed = f": {' '.join(offenders)}" if offenders else ""
    return (
        f"markup-free invariant (citydigest): {len(offenders)} of {len(seen)} pages hold markup "
        f"in a text field{listed}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--set", action="append", dest="sets", help="corpus set (repeatable)")
    split = parser.add_mutually_exclusive_group()
    split.add_argument("--dev-only", action="store_true", help="score only the dev pages")
    split.add_argument("--held-out-only", action="store_true", help="score only held-out pages")
    unseen = parser.add_mutually_exclusive_group()
    unseen.add_argument("--no-unseen", action="store_true", help="skip the unseen corpus")
    unseen.add_argument("--unseen-only", action="store_true", help="score the unseen corpus only")
    parser.add_argument(
        "--unseen", type=Path, default=UNSEEN_CORPUS, help="folder holding zh-unseen/"
    )
    parser.add_argument(
        "--extractor", action="append", choices=sorted(EXTRACTORS), help="default: all three"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--pages", action="store_true", help="also list per-page F1 (ours)")
    parser.add_argument(
        "--repeat", type=int, default=1, help="time each page N times and keep the fastest"
    )
    args = parser.parse_args(argv)

    chosen = _splits(args, parser)
    held_out = [p.name for p in chosen.get("pooled", chosen.get("held-out", [])) if p.held_out]
    results: dict[str, list[Score | str]] = {name: [] for name in chosen}
    for key in args.extractor or list(EXTRACTORS):
        label, factory, has_date = EXTRACTORS[key]
        try:
            run = factory()
        except ImportError:
            for name in chosen:
                results[name].append(label)
            continue
        for name, subset in chosen.items():
            results[name].append(score(label, run, subset, has_date, args.repeat))
    scored = {
        name: scores
        for name, scores in results.items()
        if name not in ("dev", "held-out") or "pooled" not in results
    }
    scored = {k: v for k, v in scored.items() if not k.startswith("unseen: ")}

    if args.json:
        payload = {
            "held_out_pages": held_out,
            "splits": {
                name: [
                    {"extractor": s, "installed": False}
                    if isinstance(s, str)
                    else {k: v for k, v in asdict(s).items() if k != "per_page" or args.pages}
                    for s in scores
                ]
                for name, scores in results.items()
            },
            "markup_free": _markup_report(scored, chosen),
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0
    if not args.unseen_only:
        print(f"corpus: {args.corpus} sets: {', '.join(args.sets or DEFAULT_SETS)}")
        print(f"held-out pages ({len(held_out)}): {' '.join(held_out)}\n")
    for name, scores in results.items():
        print(_table(name, scores, len(chosen[name])))
        print()
    print(_markup_report(scored, chosen))
    if args.pages:
        for name, scores in scored.items():
            for s in scores:
                if isinstance(s, Score) and s.extractor == "citydigest":
                    for page, f1 in sorted(s.per_page.items(), key=lambda kv: kv[1]):
                        print(f"{name}\t{page}\t{f1:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
