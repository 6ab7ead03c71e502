"""Evaluate the tagger on the annotated set and measure its throughput.

Usage::

    python bench/tagging.py                 # dev and held-out tables, throughput
    python bench/tagging.py --errors dev    # also list the dev items the tagger gets wrong
    python bench/tagging.py --corpus DIR    # throughput on other *.json articles ({"title","body"})
    python bench/tagging.py --errors real   # the real-text sets' wrong items

Besides the project's set, the real-text sets: /work/shared/data/tagging-real-dev/items.jsonl
(scored as its README says, with and without ``publisher_city`` given as the home) and the local
visits dev set ``bench/data/visits-dev`` (its texts rebuilt by ``bench/visits_dev.py``; each
item's ``home`` is given), by batch: batch 1 (vd001-vd141) and its blind subset, then each later
batch (annotated blind) alone, and all blind items together; the README says which batches the
tagger was tuned on. For these: city and ordered visit-pair P/R/F1, kind accuracy, and
leader-name and date accuracy over the found gold pairs whose gold names them.

The set is ``bench/data/tagging-eval.jsonl``; the held-out part is the last 30% of its lines
(a fixed split): look at its figures, not at its items, when changing rules.
Scores are micro-averaged precision/recall/F1 over (item, label) pairs; visits are ordered
(visitor, host) pairs. Throughput is single-core CPU time (process time, so other load on the machine does not
count), whole tagger, over UTF-8 bytes of Chinese text.
"""

from __future__ import annotations

__all__ = ["RealReport", "Score", "evaluate", "evaluate_real", "main", "real_sets", "throughput"]

import argparse
import json
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from crawler.base.taxonomy import default_taxonomy
from crawler.tag import Tagger, Tags, Visit

EVAL = Path(__file__).resolve().parent / "data" / "tagging-eval.jsonl"
CORPORA = [Path("/work/shared/corpus/zh-gne"), Path("/work/shared/corpus/zh-163-2015")]
HELD_OUT = 0.3
REAL_DEV = Path("/work/shared/data/tagging-real-dev/items.jsonl")
REAL_DEV_PROVENANCE = REAL_DEV.with_name("provenance-only.jsonl")
REAL_DEV_TEXTS = Path(__file__).resolve().parent / "data" / "real-dev" / "texts.jsonl"
VISITS_DEV = Path(__file__).resolve().parent / "data" / "visits-dev"


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: Iterable[object], found: Iterable[object]) -> None:
        g, f = set(gold), set(found)
        self.tp += len(g & f)
        self.fp += len(f - g)
        self.fn += len(g - f)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    items: int = 0
    kind_right: int = 0
    scores: dict[str, Score] = field(
        default_factory=lambda: {k: Score() for k in ("cities", "provinces", "visits", "themes")}
    )
    errors: list[str] = field(default_factory=list)


def load(path: Path = EVAL) -> tuple[list[dict], list[dict]]:
    """The dev and held-out items (held-out: the last 30% of lines)."""
    items = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    cut = len(items) - math.ceil(len(items) * HELD_OUT)
    return items[:cut], items[cut:]


def run(tagger: Tagger, item: dict) -> Tags:
    published = date.fromisoformat(item["published"]) if item.get("published") else None
    return tagger.tag(
        item["title"],
        item["text"],
        published=published,
        publisher_city=item.get("publisher_city"),
        publisher_province=item.get("publisher_province"),
        policy=bool(item.get("policy", False)),
    )


def evaluate(tagger: Tagger, items: list[dict]) -> Report:
    report = Report()
    for item in items:
        tags = run(tagger, item)
        report.items += 1
        found: dict[str, set[Any]] = {
            "cities": set(tags.cities),
            "provinces": set(tags.provinces),
            "themes": set(tags.themes),
            "visits": {(v.visitor, v.host) for v in tags.visits},
        }
        gold: dict[str, set[Any]] = {
            "cities": set(item["cities"]),
            "provinces": set(item["provinces"]),
            "themes": set(item["themes"]),
            "visits": {(v["visitor"], v["host"]) for v in item["visits"]},
        }
        for key, score in report.scores.items():
            score.add(gold[key], found[key])
        report.kind_right += tags.kind == item["kind"]
        wrong = [
            f"{k}: -{sorted(gold[k] - found[k])} +{sorted(found[k] - gold[k])}"
            for k in gold
            if gold[k] != found[k]
        ]
        if tags.kind != item["kind"]:
            wrong.append(f"kind: {item['kind']} -> {tags.kind}")
        if wrong:
            report.errors.append(f"{item['id']} {item['title']}\n    " + "\n    ".join(wrong))
    return report


def table(reports: dict[str, Report]) -> str:
    lines = [
        "| set | items | cities P/R/F1 | visit pairs P/R/F1 | themes P/R/F1 | provinces F1 | kind acc |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in reports.items():
        cells = [
            f"{s.precision:.3f}/{s.recall:.3f}/**{s.f1:.3f}**"
            for s in (r.scores["cities"], r.scores["visits"], r.scores["themes"])
        ]
        lines.append(
            f"| {name} | {r.items} | {' | '.join(cells)} | {r.scores['provinces'].f1:.3f} "
            f"| {r.kind_right / max(1, r.items):.3f} |"
        )
    return "\n".join(lines)


@dataclass
class RealReport:
    items: int = 0
    kind_right: int = 0
    cities: Score = field(default_factory=Score)
    visits: Score = field(default_factory=Score)
    leader: list[int] = field(default_factory=lambda: [0, 0])  # right, of found gold pairs
    dates: list[int] = field(default_factory=lambda: [0, 0])
    size: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


def _leader_of(visit: Visit) -> str | None:
    leader = visit.details.leader
    return leader.name if leader else None


def _date_of(visit: Visit) -> str | None:
    start = visit.to_dict()["date_start"]
    return str(start) if start else None


def evaluate_real(tagger: Tagger, items: list[dict], home_key: str | None) -> RealReport:
    """Score ``items`` ({title, text, cities, visits: [[visitor, host]], kind, optional leader,
    date_start, published}); ``home_key`` names the field given to the tagger as the home."""
    report = RealReport()
    for item in items:
        home = item.get(home_key) if home_key else None
        published = date.fromisoformat(item["published"]) if item.get("published") else None
        title, text = item.get("title") or "", item.get("text") or ""
        tags = tagger.tag(title, text, home=home, published=published)
        start = time.process_time()  # timed on a second call: the first may warm caches
        tagger.tag(title, text, home=home, published=published)
        report.seconds += time.process_time() - start
        report.size += len(title.encode()) + len(text.encode())
        report.items += 1
        gold_c, found_c = set(item["cities"]), set(tags.cities)
        gold_v = {tuple(pair) for pair in item["visits"]}
        found = {(v.visitor, v.host): v for v in tags.visits}
        report.cities.add(gold_c, found_c)
        report.visits.add(gold_v, found)
        report.kind_right += tags.kind == item["kind"]
        for pair in gold_v & set(found):
            if item.get("leader"):
                report.leader[1] += 1
                report.leader[0] += _leader_of(found[pair]) == item["leader"]
            if item.get("date_start"):
                report.dates[1] += 1
                report.dates[0] += _date_of(found[pair]) == item["date_start"]
        wrong = []
        if gold_c != found_c:
            wrong.append(f"cities: -{sorted(gold_c - found_c)} +{sorted(found_c - gold_c)}")
        if gold_v != set(found):
            wrong.append(f"visits: -{sorted(gold_v - set(found))} +{sorted(set(found) - gold_v)}")
        if tags.kind != item["kind"]:
            wrong.append(f"kind: {item['kind']} -> {tags.kind}")
        if wrong:
            report.errors.append(f"{item['id']} {title[:60]}\n    " + "\n    ".join(wrong))
    return report


def real_sets() -> tuple[dict[str, tuple[list[dict], str | None]], list[str]]:
    """The real-text sets that are present: name -> (items, home field); and hints for the rest.

    real-dev is items.jsonl plus the provenance-only items whose texts ``bench/real_dev.py``
    rebuilt into ``bench/data/real-dev/texts.jsonl``; title-only items are scored on the title.
    """
    sets: dict[str, tuple[list[dict], str | None]] = {}
    hints = []
    if REAL_DEV.is_file():
        items = [json.loads(x) for x in REAL_DEV.read_text("utf-8").splitlines() if x.strip()]
        if REAL_DEV_TEXTS.is_file():
            # the provenance-only items whose texts bench/real_dev.py rebuilt (hashes checked)
            gold = [json.loads(x) for x in REAL_DEV_PROVENANCE.read_text("utf-8").splitlines()]
            rebuilt = {
                d["id"]: d for d in map(json.loads, REAL_DEV_TEXTS.read_text("utf-8").splitlines())
            }
            items += [{**g, **rebuilt[g["id"]]} for g in gold if g["id"] in rebuilt]
            missing = [g["id"] for g in gold if g["id"] not in rebuilt]
            hints.append(
                f"real-dev: {len(gold) - len(missing)} of {len(gold)} provenance-only items rebuilt, "
                f"{len(missing)} missing{': ' + ' '.join(missing) if missing else ''}"
            )
        else:
            hints.append(
                "real-dev: provenance-only texts not rebuilt (run python bench/real_dev.py)"
            )
        for item in items:
            if "title_only" in item.get("flags", []):
                item["text"] = ""
        sets["real-dev"] = (items, None)
        sets["real-dev +home"] = (items, "publisher_city")
    else:
        hints.append(f"real-dev: {REAL_DEV} not found")
    texts = VISITS_DEV / "texts.jsonl"
    if texts.is_file():
        rebuilt = {d["id"]: d for d in map(json.loads, texts.read_text("utf-8").splitlines())}
        gold = [
            json.loads(x)
            for x in (VISITS_DEV / "annotations.jsonl").read_text("utf-8").splitlines()
        ]
        items = [{**g, **rebuilt[g["id"]]} for g in gold if g["id"] in rebuilt]
        batch1 = [i for i in items if i.get("batch", 1) == 1]
        sets["visits-dev 1 +home"] = (batch1, "home")
        # batch 1's items annotated without the tagger's proposals on screen: the tagger was
        # since tuned on their errors, so they are development data now
        sets["visits-dev 1 blind +home"] = ([i for i in batch1 if i.get("blind")], "home")
        # later batches: annotated blind, each scored alone (the newest one not yet tuned on is
        # the honest figure; README says which)
        for batch in sorted({i["batch"] for i in items if i.get("batch", 1) > 1}):
            chosen = [i for i in items if i.get("batch") == batch]
            sets[f"visits-dev {batch} blind +home"] = (chosen, "home")
        # every item annotated blind (vd079 on), the row the set's README counts
        sets["visits-dev blind +home"] = ([i for i in items if i.get("blind")], "home")
    else:
        hints.append("visits-dev: texts not rebuilt (run python bench/visits_dev.py)")
    return sets, hints


def real_table(reports: dict[str, RealReport]) -> str:
    lines = [
        "| set | items | cities P/R/F1 | visit pairs P/R/F1 | kind acc | leader acc | date acc | MB/s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, r in reports.items():
        cells = [f"{s.precision:.3f}/{s.recall:.3f}/**{s.f1:.3f}**" for s in (r.cities, r.visits)]
        acc = [f"{a / n:.3f} ({a}/{n})" if n else "n/a" for a, n in (r.leader, r.dates)]
        rate = r.size / r.seconds / 1e6 if r.seconds else 0.0
        lines.append(
            f"| {name} | {r.items} | {' | '.join(cells)} | {r.kind_right / max(1, r.items):.3f} "
            f"| {' | '.join(acc)} | {rate:.1f} |"
        )
    return "\n".join(lines)


def corpus_texts(dirs: list[Path]) -> list[tuple[str, str]]:
    texts = []
    for folder in dirs:
        for path in sorted(folder.glob("*.json")):
            data = json.loads(path.read_text("utf-8"))
            if data.get("lang", "zh") == "zh" and data.get("body"):
                texts.append((data.get("title") or "", data["body"]))
    return texts


def throughput(tagger: Tagger, texts: list[tuple[str, str]], seconds: float = 3.0) -> str:
    """Single-core throughput of ``Tagger.tag`` over ``texts``, repeated for ``seconds``."""
    size = sum(len(t.encode()) + len(b.encode()) for t, b in texts)
    for title, body in texts[:20]:
        tagger.tag(title, body)  # warm up
    rounds, start = 0, time.process_time()
    while time.process_time() - start < seconds:
        for title, body in texts:
            tagger.tag(title, body)
        rounds += 1
    elapsed = time.process_time() - start
    rate = size * rounds / elapsed
    # A 3 KB article: the first 3,000 UTF-8 bytes of the bodies, timed alone.
    body = "\n".join(b for _t, b in texts)
    chunk = body.encode()[:3000].decode("utf-8", errors="ignore")
    n, start = 0, time.process_time()
    while time.process_time() - start < 1.0:
        tagger.tag("", chunk)
        n += 1
    per = (time.process_time() - start) / n
    return (
        f"throughput: {rate / 1e6:.1f} MB/s over {len(texts)} articles ({size / 1e6:.2f} MB), "
        f"{per * 1e3:.3f} ms per {len(chunk.encode()) / 1024:.1f} KB article (one core)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", choices=["dev", "heldout", "real"], help="list wrong items")
    parser.add_argument("--corpus", type=Path, action="append", help="folders of *.json")
    parser.add_argument("--no-speed", action="store_true", help="skip the throughput run")
    args = parser.parse_args(argv)
    tagger = Tagger(default_taxonomy())
    dev, held = load()
    reports = {"dev": evaluate(tagger, dev), "held-out": evaluate(tagger, held)}
    print(table(reports))
    sets, hints = real_sets()
    real = {name: evaluate_real(tagger, items, key) for name, (items, key) in sets.items()}
    print("\nReal text (+home: the item's publisher city given to the tagger as `home=`):")
    print(real_table(real))
    for hint in hints:
        print(hint)
    if args.errors == "real":
        for name, r in real.items():
            print(f"\n{name}: {len(r.errors)} items with errors:")
            print("\n".join(r.errors))
    elif args.errors:
        report = reports["dev" if args.errors == "dev" else "held-out"]
        print(f"\n{len(report.errors)} items with errors:")
        print("\n".join(report.errors))
    if not args.no_speed:
        dirs = args.corpus or [d for d in CORPORA if d.is_dir()]
        texts = corpus_texts(dirs) or [(i["title"], i["text"]) for i in dev + held]
        print(throughput(tagger, texts))


if __name__ == "__main__":
    main()
