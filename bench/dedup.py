"""Benchmark for crawler.dedup: quality on syndication variants and hard negatives, cost at scale.

Everything is generated deterministically (``--seed``) from the real article bodies of the
extraction corpus (``zh-gne`` and ``zh-163-2015``, 137 bodies):

* **Clusters** (true duplicates): each body plus its variants ``repost`` (same text, different
  whitespace and punctuation width), ``s2t``/``s2tw``/``s2hk``/``s2twp`` (OpenCC; s2twp also swaps
  vocabulary), ``header_footer`` (portal header and footer lines), ``title_line`` (an added
  原标题 line), ``cut_last`` (last paragraph dropped), ``edit5``/``edit10``/``edit15`` (that share
  of characters substituted, deleted or inserted in 2–6-character spans, numbers included), and
  two combinations: ``combo_tw`` (s2twp + header/footer + 原标题) and ``combo_edit`` (s2hk +
  header/footer + cut last paragraph + 8 % edits).
* **Hard negatives** (never duplicates): ``sibling`` stories that keep 40–60 % of a body's
  sentences and take the rest from another body, and ``template`` notices: six recurring
  municipal notices (常务会议, 停水通知, 任前公示, 交通管制, 人大常委会, 安全检查) in three cities,
  whose instances differ only in names and dates.
* **Filler** articles for the scale runs: sentences of the corpus recombined and perturbed
  (each character replaced with probability 0.25 by a corpus character), so they read like
  Chinese news text but are distinct from each other.

Quality is measured twice: pair by pair with ``compare`` (per variant kind), and streaming: the
labelled documents arrive in a seeded random order after the filler, each is looked up with
``DuplicateIndex.find`` among all earlier ones and then added. A match to a document of the same
cluster is a true positive, anything else a false positive; recall counts the documents that
had an earlier cluster member.

Run::

    python bench/dedup.py --sizes 10000 100000 1000000
"""

from __future__ import annotations

import argparse
import glob
import json
import multiprocessing
import os
import random
import re
import time
import tracemalloc
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import opencc

from crawler.dedup import SKETCH_BYTES, DuplicateIndex, Sketch, compare, sketch

CORPUS = Path("/work/shared/corpus")
SETS = ("zh-gne", "zh-163-2015")
DAY = 86400.0
T0 = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
WINDOW_DAYS = 30

_CONVERTERS = {name: opencc.OpenCC(name) for name in ("s2t", "s2tw", "s2hk", "s2twp")}
_SENTENCE_RE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]*")


@dataclass(frozen=True)
class Article:
    title: str
    body: str


@dataclass(frozen=True)
class Doc:
    key: str
    cluster: int | None  # documents of one cluster are duplicates of each other
    kind: str
    text: str


def load_corpus(root: Path = CORPUS) -> list[Article]:
    articles = []
    for name in SETS:
        for path in sorted(glob.glob(str(root / name / "*.json"))):
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            body = data["body"].strip()
            title = data.get("title") or body.split("\n", 1)[0][:30]
            articles.append(Article(title, body))
    return articles


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_RE.findall(text) if s.strip()]


# -- variants ---------------------------------------------------------------------------------

_SITES = ("人民网", "新华网", "中国新闻网", "央广网", "澎湃新闻", "网易新闻", "搜狐", "凤凰网",
          "腾讯新闻", "今日头条", "北京日报", "南方日报", "市政府网站", "东方网")  # fmt: skip
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬斌宇浩凯健俊帆帅旭宁龙林欣瑶怡婷雪慧建国志海波辉鹏飞峰晨阳东亮"


def name(rng: random.Random) -> str:
    given = "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(_SURNAMES) + given


def stamp(rng: random.Random) -> str:
    day = datetime.fromtimestamp(T0 + rng.randrange(0, 400) * DAY, UTC)
    return f"{day:%Y-%m-%d} {rng.randrange(6, 23):02d}:{rng.randrange(60):02d}"


def header_footer(text: str, rng: random.Random) -> str:
    site = rng.choice(_SITES)
    head = rng.choice(
        (
            f"来源：{site}  {stamp(rng)}",
            f"{stamp(rng)}  来源：{site}  作者：{name(rng)}",
            f"发布时间：{stamp(rng)} 信息来源：{site} 浏览次数：{rng.randrange(50, 9000)}",
            f"【字体：大 中 小】 {stamp(rng)} {site}",
        )
    )
    foot = rng.sample(
        (
            f"（责任编辑：{name(rng)}）",
            f"编辑：{name(rng)} 校对：{name(rng)}",
            f"本文转载自{rng.choice(_SITES)}，版权归原作者所有，如有侵权请联系删除。",
            "【纠错】 【打印本页】 【关闭窗口】",
            "分享到：微信 微博 QQ空间",
            "扫一扫在手机打开当前页",
            f"声明：转载此文是出于传递更多信息之目的。{site}不对其真实性负责。",
        ),
        k=rng.randint(1, 3),
    )
    return "\n".join((head, text, *foot))


def title_line(text: str, title: str) -> str:
    return f"原标题：{title}\n{text}"


def cut_last(text: str) -> str:
    paragraphs = [p for p in text.split("\n") if p.strip()]
    if len(paragraphs) >= 2:
        return "\n".join(paragraphs[:-1])
    parts = sentences(text)
    drop = max(1, len(parts) // 4)
    return "".join(parts[:-drop]) if len(parts) > drop else text


def edit(text: str, fraction: float, donor: str, rng: random.Random) -> str:
    """Substitute, delete or insert 2–6-character spans until *fraction* of the text is touched."""
    chars = list(text)
    budget = fraction * len(text)
    touched = 0
    while touched < budget and len(chars) > 10:
        span = rng.randint(2, 6)
        at = rng.randrange(0, len(chars) - span)
        start = rng.randrange(0, max(1, len(donor) - span))
        piece = list(donor[start : start + span])
        op = rng.random()
        if op < 0.5:
            chars[at : at + span] = piece
        elif op < 0.75:
            del chars[at : at + span]
        else:
            chars[at:at] = piece
        touched += span
    return "".join(chars)


def repost(text: str) -> str:
    half = str.maketrans("，。：；！？（）", ",.:;!?()")
    return "\n\n".join("　　" + p.strip().translate(half) for p in text.split("\n") if p.strip())


def variants(article: Article, donor: str, rng: random.Random) -> Iterator[tuple[str, str]]:
    body, title = article.body, article.title
    yield "repost", repost(body)
    for config, converter in _CONVERTERS.items():
        yield config, converter.convert(body)
    yield "header_footer", header_footer(body, rng)
    yield "title_line", title_line(body, title)
    yield "cut_last", cut_last(body)
    for percent in (5, 10, 15):
        yield f"edit{percent}", edit(body, percent / 100, donor, rng)
    tw = _CONVERTERS["s2twp"]
    yield "combo_tw", tw.convert(header_footer(title_line(body, title), rng))
    yield (
        "combo_edit",
        _CONVERTERS["s2hk"].convert(header_footer(edit(cut_last(body), 0.08, donor, rng), rng)),
    )


def sibling(
    article: Article, others: list[Article], rng: random.Random
) -> tuple[str, float] | None:
    """Another story on the same event: keeps 40–60 % of *article*'s text (whole sentences, in
    order, the share counted in characters) and fills the rest with sentences of *others*
    (consecutive, never repeated)."""
    own = sentences(article.body)
    if len(own) < 3:
        return None
    total = sum(len(s) for s in own)
    target = rng.uniform(0.4, 0.6) * total
    keep: set[int] = set()
    kept = 0
    for i in rng.sample(range(len(own)), len(own)):
        if abs(kept + len(own[i]) - target) < abs(kept - target):
            keep.add(i)
            kept += len(own[i])
    if not 0.35 * total <= kept <= 0.65 * total:
        return None
    fill: list[str] = []
    for other in others:  # at most 40 % of any donor: the sibling contains no other story
        donor = sentences(other.body)
        start = rng.randrange(len(donor))
        taken = 0
        for k in range(len(donor)):
            piece = donor[(start + k) % len(donor)]
            if (taken + len(piece)) > 0.4 * len(other.body):
                break
            fill.append(piece)
            taken += len(piece)
            if sum(len(s) for s in fill) >= total - kept:
                break
        if sum(len(s) for s in fill) >= total - kept:
            break
    gaps = [i for i in range(len(own)) if i not in keep]
    out: list[str] = []
    for i, sentence in enumerate(own):
        if i in keep:
            out.append(sentence)
        else:  # the donor sentences, spread evenly over the dropped sentences' places
            k = gaps.index(i)
            out.extend(fill[k * len(fill) // len(gaps) : (k + 1) * len(fill) // len(gaps)])
    paragraphs = ["".join(out[i : i + 3]) for i in range(0, len(out), 3)]
    return "\n".join(paragraphs), kept / total


# -- recurring template notices ---------------------------------------------------------------

_CITIES = ("江州", "临川", "青阳")
_TEMPLATES = (
    "{m}月{d}日，市长{a}主持召开市政府第{k}次常务会议，传达学习中央和省有关会议精神，研究部署"
    "近期重点工作。会议听取了全市经济运行情况汇报，指出，今年以来全市上下坚持稳中求进工作总基调，"
    "经济运行总体平稳、稳中有进。会议强调，各地各部门要紧盯全年目标任务，抓好项目建设、招商引资"
    "和民生保障，确保各项工作落地见效。会议还研究了城市更新、安全生产等事项。\n副市长{b}、{c}，"
    "市政府秘书长{e}出席会议，各有关部门主要负责同志列席会议。",
    "停水通知\n尊敬的用户：\n因供水管网改造施工需要，{y}年{m}月{d}日{h}时至{m}月{d2}日{h2}时，"
    "城东片区将暂停供水，涉及和平路、解放路沿线小区及商户。请各用户提前做好储水准备，"
    "施工期间如有疑问，请拨打供水服务热线。给您带来的不便，敬请谅解。\n联系人：{a}\n"
    "{city}市自来水有限公司\n{y}年{m}月{d0}日",
    "干部任前公示\n根据《党政领导干部选拔任用工作条例》有关规定，经市委研究，拟提名{a}同志为"
    "市直单位正职人选，现予以公示。{a}，男，汉族，{by}年{bm}月生，大学学历，中共党员，"
    "现任市发展和改革委员会副主任。公示期间，任何单位和个人均可通过来电、来信、来访等方式，"
    "向市委组织部反映公示对象在德、能、勤、绩、廉等方面的情况和问题。反映问题要实事求是，"
    "以真实姓名反映的，我们将严格保密。\n公示时间：{y}年{m}月{d}日至{m}月{d2}日\n联系人：{b}\n"
    "中共{city}市委组织部",
    "关于实施临时交通管制的通告\n因城市道路施工需要，{city}市公安局交通警察支队决定于{y}年{m}月"
    "{d}日{h}时至{y}年{m}月{d2}日{h2}时，对滨江大道实施临时交通管制。管制期间，禁止机动车通行，"
    "过往车辆请提前绕行。请广大交通参与者自觉遵守交通法规，服从现场民警指挥。\n特此通告。\n"
    "现场负责人：{a}\n{city}市公安局交通警察支队\n{y}年{m}月{d0}日",
    "{m}月{d}日，市第十七届人大常委会第{k}次会议在市人民会堂举行，市人大常委会主任{a}主持会议。"
    "会议审议了市人民政府关于生态环境保护工作情况的报告，审议了人事任免事项。会议表决通过了有关"
    "决议决定，任命{b}为市人民政府副市长，任命{c}为市中级人民法院审判员。\n市人大常委会副主任"
    "{e}、{f}，秘书长{g}出席会议。市人民政府、市监察委员会、市中级人民法院、市人民检察院有关负责"
    "同志列席会议。",
    "{m}月{d}日，副市长{a}带队深入全市重点企业开展安全生产检查，市应急管理局局长{b}陪同检查。"
    "检查组一行先后来到化工园区、建筑工地和人员密集场所，详细查看了企业安全生产责任制落实、"
    "隐患排查整治和应急预案演练等情况。{a}强调，要始终坚持人民至上、生命至上，以“时时放心不下”"
    "的责任感抓好安全生产各项工作，坚决防范和遏制重特大事故发生。",
)


def template_notices(rng: random.Random, per_series: int) -> Iterator[tuple[int, str]]:
    series = 0
    for city in _CITIES:
        for template in _TEMPLATES:
            base = T0 + rng.randrange(0, 200) * DAY
            for week in range(per_series):
                day = datetime.fromtimestamp(base + week * 7 * DAY, UTC)
                later = datetime.fromtimestamp(base + week * 7 * DAY + 2 * DAY, UTC)
                earlier = datetime.fromtimestamp(base + week * 7 * DAY - 3 * DAY, UTC)
                slots = {
                    "city": city, "y": day.year, "m": day.month, "d": day.day,
                    "d2": later.day, "d0": earlier.day, "h": rng.choice((8, 9, 20, 22)),
                    "h2": rng.choice((6, 12, 18)), "k": 10 + week, "by": rng.randint(1970, 1985),
                    "bm": rng.randint(1, 12),
                    **{slot: name(rng) for slot in "abcefg"},
                }  # fmt: skip
                yield series, f"{city}市" + template.format(**slots)
            series += 1


def labelled_docs(articles: list[Article], seed: int) -> list[Doc]:
    rng = random.Random(seed)
    docs: list[Doc] = []
    for i, article in enumerate(articles):
        donor = articles[(i + 1 + rng.randrange(len(articles) - 1)) % len(articles)].body
        docs.append(Doc(f"a{i}", i, "original", article.body))
        docs.extend(
            Doc(f"a{i}-{kind}", i, kind, text) for kind, text in variants(article, donor, rng)
        )
        for j in range(2):
            others = [a for a in rng.sample(articles, 12) if a is not article]
            made = sibling(article, others, rng)
            if made is not None:
                docs.append(Doc(f"a{i}-sib{j}", None, "sibling", made[0]))
    for series, text in template_notices(rng, per_series=6):
        docs.append(
            Doc(f"t{series}-{len(docs)}", None, f"template{series % len(_TEMPLATES)}", text)
        )
    return docs


# -- filler -----------------------------------------------------------------------------------


class Filler:
    """Distinct article-like texts: recombined corpus sentences with perturbed characters."""

    def __init__(self, articles: list[Article], seed: int, noise: float = 0.25) -> None:
        self.sentences = [s for a in articles for s in sentences(a.body) if len(s) >= 8]
        text = "".join(a.body for a in articles)
        cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        self.cjk = cps[(cps >= 0x4E00) & (cps <= 0x9FFF)]
        self.lengths = [len(a.body) for a in articles]
        self.seed = seed
        self.noise = noise

    def text(self, i: int) -> str:
        rng = random.Random(self.seed * 1_000_003 + i)
        target = rng.choice(self.lengths) * rng.uniform(0.7, 1.3)
        parts: list[str] = []
        size = 0
        while size < target:
            sentence = rng.choice(self.sentences)
            parts.append(sentence)
            size += len(sentence)
        raw = "\n".join("".join(parts[k : k + 4]) for k in range(0, len(parts), 4))
        cps = np.frombuffer(raw.encode("utf-32-le"), dtype=np.uint32).copy()
        noise = np.random.default_rng(self.seed * 7919 + i)
        roll = noise.random(cps.size) < self.noise
        hit = roll & (cps >= 0x4E00) & (cps <= 0x9FFF)
        cps[hit] = self.cjk[noise.integers(0, self.cjk.size, int(hit.sum()))]
        latin = roll & (
            ((cps >= 0x30) & (cps <= 0x39)) | ((cps | 0x20) >= 0x61) & ((cps | 0x20) <= 0x7A)
        )
        cps[latin] = _LATIN[noise.integers(0, _LATIN.size, int(latin.sum()))]
        return cps.tobytes().decode("utf-32-le")


_LATIN = np.frombuffer("abcdefghijklmnopqrstuvwxyz0123456789".encode("utf-32-le"), dtype=np.uint32)
_FILLER: Filler | None = None


def _init_worker(seed: int) -> None:
    global _FILLER
    _FILLER = Filler(load_corpus(), seed)


def _filler_sketches(bounds: tuple[int, int]) -> bytes:
    assert _FILLER is not None
    return b"".join(sketch(_FILLER.text(i)).to_bytes() for i in range(*bounds))


def filler_sketches(count: int, seed: int, workers: int, cache: Path | None) -> list[bytes]:
    """Sketch *count* filler articles on *workers* processes (not part of the timed path);
    with *cache*, keep the sketches in ``cache/filler-SEED-COUNT.bin`` for the next run."""
    size = SKETCH_BYTES
    path = cache / f"filler-{seed}-{count}.bin" if cache else None
    if cache is not None:  # filler i is the same in every run: a larger set's prefix will do
        for stored in sorted(cache.glob(f"filler-{seed}-*.bin")):
            if int(stored.stem.rsplit("-", 1)[1]) >= count:
                data = stored.read_bytes()[: count * size]
                return [data[k : k + size] for k in range(0, len(data), size)]
    chunk = 5000
    bounds = [(s, min(count, s + chunk)) for s in range(0, count, chunk)]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers, initializer=_init_worker, initargs=(seed,)) as pool:
        blobs = pool.map(_filler_sketches, bounds)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"".join(blobs))
    return [blob[k : k + size] for blob in blobs for k in range(0, len(blob), size)]


# -- measurements -----------------------------------------------------------------------------


@dataclass
class Quality:
    precision: float
    recall: float
    true_pos: int
    false_pos: int
    positives: int
    negative_docs_matched: int
    negative_docs: int
    missed: Counter[str]
    wrong: Counter[str]


def pair_quality(
    docs: list[Doc], sketches: list[Sketch]
) -> tuple[dict[str, float], dict[str, float]]:
    """Per variant kind: share of (original, variant) pairs judged duplicate; per negative kind:
    share of (sibling, its sources) and (template, same-series template) pairs judged duplicate."""
    originals = {d.cluster: s for d, s in zip(docs, sketches, strict=True) if d.kind == "original"}
    hits: dict[str, list[bool]] = defaultdict(list)
    for d, s in zip(docs, sketches, strict=True):
        if d.cluster is not None and d.kind != "original":
            hits[d.kind].append(compare(originals[d.cluster], s).duplicate)
    recall = {kind: sum(v) / len(v) for kind, v in hits.items()}
    negatives: dict[str, list[bool]] = defaultdict(list)
    by_cluster_all = defaultdict(list)
    for d, s in zip(docs, sketches, strict=True):
        if d.cluster is not None:
            by_cluster_all[d.cluster].append(s)
    series: dict[str, list[Sketch]] = defaultdict(list)
    for d, s in zip(docs, sketches, strict=True):
        if d.kind == "sibling":
            source = int(d.key[1:].split("-")[0])
            negatives["sibling~cluster"].extend(
                compare(s, other).duplicate for other in by_cluster_all[source]
            )
        elif d.kind.startswith("template"):
            series[d.key.split("-")[0]].append(s)
    for group in series.values():
        for i in range(len(group)):
            for j in range(i + 1, len(group)):
                negatives["template~series"].append(compare(group[i], group[j]).duplicate)
    rate = {kind: sum(v) / len(v) for kind, v in negatives.items()}
    return recall, rate


def stream_quality(
    index: DuplicateIndex, docs: list[Doc], sketches: list[Sketch], first_id: int, t: float
) -> tuple[Quality, list[float]]:
    """Find-then-add each labelled doc in order; returns quality and per-doc timings (s)."""
    cluster_of: dict[int, int | None] = {}
    seen: set[int] = set()
    tp = fp = positives = neg_matched = neg_docs = 0
    missed: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    times: list[float] = []
    for k, (doc, sk) in enumerate(zip(docs, sketches, strict=True)):
        doc_id = first_id + k
        started = time.perf_counter()
        match = index.find(sk)
        index.add(doc_id, sk, t + k, group=match.group if match else None)  # as the writer
        times.append(time.perf_counter() - started)
        has_earlier = doc.cluster is not None and doc.cluster in seen
        positives += has_earlier
        if doc.cluster is None:
            neg_docs += 1
            neg_matched += match is not None
        if match is not None:
            if doc.cluster is not None and cluster_of.get(match.doc_id) == doc.cluster:
                tp += 1
            else:
                fp += 1
                wrong[doc.kind] += 1
        elif has_earlier:
            missed[doc.kind] += 1
        cluster_of[doc_id] = doc.cluster
        if doc.cluster is not None:
            seen.add(doc.cluster)
    quality = Quality(
        precision=tp / max(1, tp + fp),
        recall=tp / max(1, positives),
        true_pos=tp,
        false_pos=fp,
        positives=positives,
        negative_docs_matched=neg_matched,
        negative_docs=neg_docs,
        missed=missed,
        wrong=wrong,
    )
    return quality, times


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def run_size(
    size: int, docs: list[Doc], sketches: list[Sketch], seed: int, workers: int, cache: Path | None
) -> dict[str, float]:
    fill = max(0, size - len(docs))
    started = time.perf_counter()
    blobs = filler_sketches(fill, seed, workers, cache) if fill else []
    generated = time.perf_counter() - started
    step = WINDOW_DAYS * DAY / max(1, size)
    index = DuplicateIndex()
    filler_matches = 0
    filler = [Sketch.from_bytes(blob) for blob in blobs]
    started, cpu = time.perf_counter(), time.process_time()
    for i, sk in enumerate(filler):
        filler_matches += index.find(sk) is not None
        index.add(i, sk, T0 + i * step)
    fill_seconds, fill_cpu = time.perf_counter() - started, time.process_time() - cpu
    del filler
    order = list(range(len(docs)))
    random.Random(seed + 1).shuffle(order)
    stream_docs = [docs[k] for k in order]
    stream_sketches = [sketches[k] for k in order]
    cpu = time.process_time()
    quality, times = stream_quality(index, stream_docs, stream_sketches, fill, T0 + fill * step)
    stream_cpu = time.process_time() - cpu
    per_add = (fill_seconds + sum(times)) / (fill + len(docs))
    per_add_cpu = (fill_cpu + stream_cpu) / (fill + len(docs))
    rows = [
        (i, blob, datetime.fromtimestamp(T0 + i * step, UTC)) for i, blob in enumerate(blobs)
    ] + [
        (fill + k, sk.to_bytes(), datetime.fromtimestamp(T0 + fill * step + k, UTC))
        for k, sk in enumerate(stream_sketches)
    ]
    rss0 = rss_bytes()
    started, cpu = time.perf_counter(), time.process_time()
    rebuilt = DuplicateIndex.build(rows)
    rebuild_seconds, rebuild_cpu = time.perf_counter() - started, time.process_time() - cpu
    rss_delta = rss_bytes() - rss0
    tracemalloc.start()  # a second build, measured: tracemalloc slows the first one down 4x
    before = tracemalloc.get_traced_memory()[0]
    traced_index = DuplicateIndex.build(rows)
    traced = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del traced_index
    same = sum(
        index.find(sk, exclude=fill + k) == rebuilt.find(sk, exclude=fill + k)
        for k, sk in enumerate(stream_sketches)
    )
    started = time.perf_counter()
    expired = rebuilt.remove_before(T0 + DAY)
    expire_seconds = time.perf_counter() - started
    return {
        "size": len(index),
        "filler_sketch_s": generated,
        "query_add_ms": per_add * 1000,
        "query_add_cpu_ms": per_add_cpu * 1000,
        "labelled_query_add_ms": float(np.mean(times)) * 1000,
        "labelled_query_add_p99_ms": float(np.percentile(times, 99)) * 1000,
        "index_mb": index.memory_bytes() / 1e6,
        "rebuilt_mb": rebuilt.memory_bytes() / 1e6,
        "tracemalloc_mb": traced / 1e6,
        "rss_delta_mb": rss_delta / 1e6,
        "rebuild_s": rebuild_seconds,
        "rebuild_cpu_s": rebuild_cpu,
        "rebuild_same": same / len(stream_sketches),
        "expire_s": expire_seconds,
        "expired": expired,
        "filler_matches": filler_matches,
        "precision": quality.precision,
        "recall": quality.recall,
        "fp": quality.false_pos,
        "tp": quality.true_pos,
        "positives": quality.positives,
        "neg_matched": quality.negative_docs_matched / max(1, quality.negative_docs),
        "missed": dict(quality.missed),  # type: ignore[dict-item]
        "wrong": dict(quality.wrong),  # type: ignore[dict-item]
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10000, 100000])
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument(
        "--cache", type=Path, default=None, help="keep filler sketches here between runs"
    )
    args = parser.parse_args()

    articles = load_corpus(args.corpus)
    docs = labelled_docs(articles, args.seed)
    kinds = Counter(d.kind if not d.kind.startswith("template") else "template" for d in docs)
    print(f"labelled documents: {len(docs)} from {len(articles)} bodies: {dict(kinds)}")

    started, cpu = time.perf_counter(), time.process_time()
    sketches = [sketch(d.text) for d in docs]
    labelled_ms = (time.perf_counter() - started) / len(docs) * 1000
    labelled_cpu = (time.process_time() - cpu) / len(docs) * 1000
    filler = Filler(articles, args.seed)
    texts = [filler.text(10_000_000 + i) for i in range(5000)]
    started, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        sketch(text)
    filler_ms = (time.perf_counter() - started) / len(texts) * 1000
    filler_cpu = (time.process_time() - cpu) / len(texts) * 1000
    chars = sum(len(d.text) for d in docs) / len(docs)
    filler_chars = sum(len(t) for t in texts) / len(texts)
    print(f"sketch ms/article (wall / CPU): labelled {labelled_ms:.3f} / {labelled_cpu:.3f} "
          f"(mean {chars:.0f} chars, a quarter Traditional), filler {filler_ms:.3f} / "
          f"{filler_cpu:.3f} (mean {filler_chars:.0f} chars)")  # fmt: skip

    recall, negative = pair_quality(docs, sketches)
    print("\npair recall by variant (original vs variant, compare()):")
    for kind, value in recall.items():
        print(f"  {kind:14s} {value:.3f}")
    print("pair match rate of hard negatives:")
    for kind, value in negative.items():
        print(f"  {kind:16s} {value:.4f}")

    if args.cache is not None and args.sizes:  # sketch the largest filler set once, up front
        filler_sketches(max(args.sizes) - len(docs), args.seed, args.workers, args.cache)
    results = []
    for size in args.sizes:
        result = run_size(size, docs, sketches, args.seed, args.workers, args.cache)
        results.append(result)
        print(f"\nsize {size}: " + ", ".join(
            f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in result.items()
        ))  # fmt: skip

    print("\nwall / CPU (this 2-core machine is shared, so CPU time is the steadier figure)")
    print("| articles | sketch ms | query+add ms | index MB | rebuild s | precision | recall "
          "| hard negatives matched |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['size']:,} | {filler_ms:.3f} / {filler_cpu:.3f} "
            f"| {r['query_add_ms']:.3f} / {r['query_add_cpu_ms']:.3f} | {r['index_mb']:.0f} "
            f"| {r['rebuild_s']:.2f} / {r['rebuild_cpu_s']:.2f} | {r['precision']:.4f} "
            f"| {r['recall']:.4f} | {r['neg_matched']:.4f} |"
        )


if __name__ == "__main__":
    main()
