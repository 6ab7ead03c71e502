"""Crawl benchmark: a full ``citydigest crawl once`` against a local farm, with a raw httpx
ceiling measured in the same run.

The farm (``tests/sitefarm.py``) serves N sites, each on its own loopback address (127.0.0.2,
127.0.0.3, … so per-host limits apply as between real sites), with an RSS or Atom feed,
paginated list pages, a gzipped sitemap for every fourth site, robots.txt with a disallowed
path, article pages in UTF-8, GBK and Big5, and optional injected latency per request. By
default the farm is served from memory by a child process (``bench/staticfarm.py``;
``--farm threaded`` runs the test farm's threads in this process instead). Everything measured
runs in a child process of its own:

1. **pipeline**: ``citydigest --config DIR crawl once`` (fetch, discover, extract, tag, dedup,
   store into a fresh SQLite file): CPU seconds of the whole tree from ``os.wait4``; memory
   from ``/proc`` (each process's own peak, ``VmHWM``, and the tree's summed RSS every 50 ms,
   its summed PSS once a second: the crawl runs analysis worker processes); pages = rows in ``fetches``;
   articles = rows in ``articles``, checked against the number the farm serves;
2. **raw httpx**: the very URLs the pipeline fetched (read back from ``fetches``), one
   ``AsyncClient`` per host and at most ``--concurrency`` requests per host, bodies read, no
   parsing: the ceiling for this machine.

Pages/s is pages over wall-clock seconds of the child; pages per CPU second is the per-core
rate. Results are the median of ``--runs``.

Usage (repository root, project virtualenv)::

    python bench/crawl.py                             # 50 sites, 20,000 articles, 50 ms, 4/host
    python bench/crawl.py --scale 5000 20000 50000    # is the rate flat as the database grows?
    python bench/crawl.py --latency 0 --profile       # per-core rate and where the time goes
    python bench/crawl.py --pin 1                     # the crawler on one core (CPU 1)
    python bench/crawl.py --json results.json         # also write the figures as JSON
    python bench/crawl.py --workers 2                 # the crawl with two analysis workers
    python bench/crawl.py --text farm                 # the test farm's repetitive filler text
    python bench/crawl.py --pages corpus              # article pages shaped like real ones
    python bench/crawl.py --site-farm news            # the second farm (bench/newsfarm.py)
    python bench/crawl.py --baseline scrapy scrapy-trafilatura   # both Scrapy crawlers
    python bench/crawl.py --stages                    # one more run: CPU per page by stage

``--pages corpus`` renders each article into the layout of a page of the shared extraction
corpus (``../shared/corpus``, ``--corpus``; derived at run time, see ``bench/webfarm.py``): 30–200
KB pages with the real sites' navigation, sidebars, scripts and styles, the body as long as the
real one. ``--site-farm news`` is a farm built apart from the test farm (``bench/newsfarm.py``:
three other layouts, 20–40 links a list page behind numbered pagination, feeds of 50 items, a
Crawl-delay site, 30–150 KB pages). On both the farm knows every page's true body, and each
crawler's stored bodies are scored with the extraction bench's body F1.

The Scrapy baselines run in the interpreter that has Scrapy: ``--scrapy-python``, this one, or a
separate virtualenv at ``/work/venv-bench`` (``$CITYDIGEST_BENCH_VENV``; ``python -m venv
/work/venv-bench && /work/venv-bench/bin/pip install scrapy trafilatura lxml_html_clean
selectolax``), so that neither is a dependency of the project. ``scrapy-trafilatura`` is the
recipe a user reaches for to crawl news with main-text extraction (trafilatura in an item
pipeline, as news-please runs its extractors), same farm, same politeness.

``--stages`` times one more pipeline run by stage (``bench/stagehook/sitecustomize.py``, loaded
by the crawl's processes through ``PYTHONPATH``): start-up, fetch (the crawl's process outside
discovery), discover, decode, extract, tag, dedup, store, and the worker's remainder (pipes,
unpickling), in ms per page fetched and per article stored.

By default each article's body is distinct prose-like text (``--text diverse``): the test
farm's own bodies are drawn from eight shared sentences, which makes every article a near
duplicate of thousands of others, so the dedup stage's candidate lists (and its cost per page)
grow with the database in a way real news does not.

The reference (issue 6): polite Scrapy 2.19 does 579 pages/s, 36 CPU s, 140 MB peak RSS on the
50-site / 20,000-article / 50 ms farm; the goal is ≥ 1.5x its pages/s with no more memory.
"""

from __future__ import annotations

__all__ = ["Figures", "main", "raw_fetch"]

import argparse
import asyncio
import importlib.util
import json
import os
import pstats
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

# The sampler reads each process's RSS and peak every SAMPLE_SECONDS and the tree's PSS every
# PSS_EVERY samples: PSS is dear to read, and the sampler's CPU is taken from the crawl's cores.
SAMPLE_SECONDS = 0.05
PSS_EVERY = 20
SCRAPY_POLITE = {"pages_per_s": 579.0, "cpu_s": 36.0, "rss_mb": 140.0}
RAW_HTTPX_REFERENCE = 1499.0  # the raw httpx (one client per host, sniffio) on its machine


@dataclass(frozen=True)
class Figures:
    """One measured child process."""

    kind: str  # pipeline | raw
    articles_served: int
    pages: int
    articles: int
    wall_s: float
    cpu_s: float
    rss_mb: float  # peak RSS of the largest process (its own VmHWM, sampled)
    tree_rss_mb: float  # peak RSS of the whole process tree (sampled)
    exit_code: int
    tree_pss_mb: float = 0.0  # peak PSS of the whole process tree (sampled): its real footprint
    worker_cpu_s: float = 0.0  # CPU seconds of the analysis workers (part of cpu_s)
    body_f1: float | None = None  # pooled body F1 of the stored articles (farms that know it)
    mean_f1: float | None = None
    low_pages: int | None = None  # stored pages of body F1 < 0.5
    load: float = 0.0  # the 1-minute load average when the run ended
    peaks: str = ""  # each process's own peak RSS

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.wall_s if self.wall_s else 0.0

    @property
    def pages_per_cpu_s(self) -> float:
        return self.pages / self.cpu_s if self.cpu_s else 0.0


# --------------------------------------------------------------------------- measuring a child


@dataclass
class _Tree:
    """What the sampler saw of a process tree: peaks of the summed RSS and PSS (PSS shares each
    shared page among the processes mapping it, so the sum is the tree's real footprint), each
    process's own peak RSS, and each analysis worker's last CPU time.

    A process's own peak is its ``VmHWM``, which starts afresh at ``exec``. Not ``wait4``'s
    ``ru_maxrss``: on Linux a child inherits the parent's high-water mark at fork, so every
    child of a 200 MB benchmark process would report at least 200 MB."""

    rss_kb: int = 0
    pss_kb: int = 0
    hwm_kb: dict[int, int] = field(default_factory=dict)
    worker_ticks: dict[int, int] = field(default_factory=dict)

    def peaks(self) -> str:
        """Each process's own peak RSS, the analysis workers named: "118 + worker 96 MB"."""
        return (
            " + ".join(
                f"{'worker ' if pid in self.worker_ticks else ''}{kb / 1024:.0f}"
                for pid, kb in sorted(self.hwm_kb.items())
            )
            + " MB"
        )

    def sample(self, root: int, *, pss: bool) -> None:
        """Read the tree's figures now; PSS too if ``pss`` (``smaps_rollup`` walks every page
        of a process: about 4 ms of CPU for 150 MB, taken from the machine under test)."""
        rss = pss_kb = 0
        stack = [root]
        while stack:
            pid = stack.pop()
            try:
                if pss:
                    with open(f"/proc/{pid}/smaps_rollup") as rollup:
                        for line in rollup:
                            if line.startswith("Pss:"):
                                pss_kb += int(line.split()[1])
                                break
                with open(f"/proc/{pid}/status") as status:
                    for line in status:
                        if line.startswith("VmHWM:"):
                            self.hwm_kb[pid] = max(self.hwm_kb.get(pid, 0), int(line.split()[1]))
                        elif line.startswith("VmRSS:"):
                            rss += int(line.split()[1])
                            break
                with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                    if b"crawler.pool_worker" in cmdline.read():
                        with open(f"/proc/{pid}/stat") as stat:
                            fields = stat.read().rsplit(")", 1)[1].split()
                        self.worker_ticks[pid] = int(fields[11]) + int(fields[12])
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/children") as children:
                        stack.extend(int(c) for c in children.read().split())
            except (OSError, ValueError, IndexError):
                continue
        self.rss_kb, self.pss_kb = max(self.rss_kb, rss), max(self.pss_kb, pss_kb)

    @property
    def largest_peak_mb(self) -> float:
        return max(self.hwm_kb.values(), default=0) / 1024

    @property
    def worker_cpu_s(self) -> float:
        return sum(self.worker_ticks.values()) / os.sysconf("SC_CLK_TCK")


def run_measured(
    cmd: Sequence[str], *, log: Path, pin: int | None = None, env: dict[str, str] | None = None
) -> tuple[int, float, float, float, _Tree]:
    """Run ``cmd``; return (exit code, wall s, CPU s, peak RSS MB of the largest process, what
    the sampler saw of the tree)."""
    with log.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
        if pin is not None:  # not preexec_fn: this process runs the farm's threads
            os.sched_setaffinity(proc.pid, {pin})
        tree = _Tree()
        done = threading.Event()

        def sample() -> None:
            ticks = 0
            while not done.wait(SAMPLE_SECONDS):
                tree.sample(proc.pid, pss=ticks % PSS_EVERY == 0)
                ticks += 1

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return proc.returncode, wall, cpu, tree.largest_peak_mb, tree


# --------------------------------------------------------------------------- the raw ceiling


async def raw_fetch(urls: Sequence[str], *, concurrency: int, timeout: float) -> tuple[int, int]:
    """GET every URL, one AsyncClient per host, ``concurrency`` workers per host; return
    (responses, errors)."""
    import httpx

    by_host: dict[str, deque[str]] = defaultdict(deque)
    for url in urls:
        by_host[urlsplit(url).netloc].append(url)
    ok = errors = 0

    async def worker(client: httpx.AsyncClient, queue: deque[str]) -> None:
        nonlocal ok, errors
        while queue:
            url = queue.popleft()
            try:
                response = await client.get(url)
                await response.aread()
                ok += 1
            except httpx.HTTPError:
                errors += 1

    tls = httpx.create_ssl_context()  # one CA bundle load (~70 ms of CPU), not one per host
    clients = [
        httpx.AsyncClient(
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
            timeout=timeout,
            trust_env=False,
            verify=tls,
        )
        for _ in by_host
    ]
    try:
        await asyncio.gather(
            *(
                worker(client, queue)
                for client, queue in zip(clients, by_host.values(), strict=True)
                for _ in range(concurrency)
            )
        )
    finally:
        for client in clients:
            await client.aclose()
    return ok, errors


def _raw_worker(url_file: Path, concurrency: int, timeout: float) -> None:
    urls = url_file.read_text().split()
    ok, errors = asyncio.run(raw_fetch(urls, concurrency=concurrency, timeout=timeout))
    print(json.dumps({"ok": ok, "errors": errors}))


# --------------------------------------------------------------------------- one run


def _citydigest() -> list[str]:
    script = shutil.which("citydigest", path=str(Path(sys.executable).parent))
    return (
        [script] if script else [sys.executable, "-c", "from crawler.app.cli import main; main()"]
    )


# Characters of ordinary news prose, for --text diverse.
_POOL = sorted(
    set(
        "考察团一行先后来到产业园区企业研发中心政务服务大厅现场察看项目建设情况双方表示将进一步加强在"
        "产业协作人才交流和营商环境等方面的合作座谈会上与会人员围绕城市更新科技创新对外开放议题深入"
        "近年来该市坚持驱动发展持续推动升级取得了显著成效成员纷纷此行收获满满要把学到好经验做法转化为"
        "实际行动会议强调对标先进补齐短板加快现代化国际大都市据介绍今年以来全新签约重大百余个总投资超"
        "过千亿元下一步重点领域深化改革激发市场主体活力经济社会文化生态民生教育医疗交通水利农业工业"
    )
)


def diverse(sites: list) -> None:
    """Replace the farm's filler paragraphs (eight shared sentences, so every article is a near
    duplicate of thousands of others and the dedup index's candidate lists grow with the
    database) with distinct prose-like text; titles and lead sentences are kept."""
    import random

    from tests.sitefarm import Article

    for site in sites:
        rng = random.Random(site.id)
        articles = []
        for a in site.articles:
            paragraphs = [a.paragraphs[0]]
            for _ in range(4):
                words = ["".join(rng.choices(_POOL, k=rng.randint(4, 12))) for _ in range(5)]
                paragraphs.append("，".join(words) + "。")
            paragraphs.append(a.paragraphs[-1])
            articles.append(Article(a.number, a.title, tuple(paragraphs), a.published, a.outlet))
        site.articles = articles


def write_config(folder: Path, sources: str, *, concurrency: int, timeout: float) -> Path:
    from tests.sitefarm import SETTINGS_YAML

    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "bench.db"
    settings = SETTINGS_YAML.format(db=db, concurrency=concurrency, delay=0, timeout=timeout)
    (folder / "citydigest.yaml").write_text(
        settings.replace("max_bytes: 2000000", "max_bytes: 5000000")
    )
    (folder / "sources.yaml").write_text(sources)
    return db


def build_farm(args: argparse.Namespace, total: int) -> tuple[list, int]:
    """The sites of the chosen farm and the number of articles they serve."""
    if args.site_farm == "news":
        import newsfarm

        sites = newsfarm.farm(args.sites, total, latency=args.latency)
        return sites, sum(len(s.articles) for s in sites)
    from tests.sitefarm import farm

    per_site = max(1, total // args.sites)
    sites = farm(args.sites, per_site, latency=args.latency)
    if args.text == "diverse":
        diverse(sites)
    if args.pages == "corpus":
        import webfarm

        sites = webfarm.corpus_shaped(sites, _layouts(args.corpus))
    return sites, per_site * args.sites


_LAYOUTS: dict[Path, list] = {}


def _layouts(corpus: Path) -> list:
    if corpus not in _LAYOUTS:
        import webfarm

        _LAYOUTS[corpus] = webfarm.templates(corpus)
    return _LAYOUTS[corpus]


def sources_of(args: argparse.Namespace, sites: list) -> str:
    if args.site_farm == "news":
        import newsfarm

        return newsfarm.sources_yaml(sites)
    from tests.sitefarm import sources_yaml

    return sources_yaml(sites, max_pages=1000)


def scrapy_spec(args: argparse.Namespace, sites: list) -> list[dict[str, object]]:
    if args.site_farm == "news":
        import newsfarm

        return [
            {**spec, "paragraphs": "div.art-content p, #zoom p"}
            for spec in newsfarm.scrapy_sites(sites)
        ]
    return [{"base": s.base, "feed": s.feed} for s in sites]


def stored_bodies(db: Path) -> dict[str, str]:
    """URL → body of every stored article (ours: ``articles``; Scrapy's: the same name)."""
    with sqlite3.connect(db) as conn:
        return {url: body for url, body in conn.execute("SELECT url, body FROM articles")}


def scrapy_python(args: argparse.Namespace) -> str | None:
    """The interpreter that has Scrapy (and trafilatura): ``--scrapy-python``, this one, or the
    bench's own virtualenv (/work/venv-bench, or $CITYDIGEST_BENCH_VENV)."""
    if args.scrapy_python:
        return str(args.scrapy_python)
    if importlib.util.find_spec("scrapy") is not None:
        return sys.executable
    venv = Path(os.environ.get("CITYDIGEST_BENCH_VENV", "/work/venv-bench"))
    if (venv / "bin" / "python").exists():
        return str(venv / "bin" / "python")
    return None


def count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _figures(
    kind: str,
    served: int,
    pages: int,
    articles: int,
    measured: tuple[int, float, float, float, _Tree],
) -> Figures:
    code, wall, cpu, rss, tree = measured
    return Figures(
        kind,
        served,
        pages,
        articles,
        wall,
        cpu,
        rss,
        tree.rss_kb / 1024,
        code,
        tree.pss_kb / 1024,
        tree.worker_cpu_s,
        load=os.getloadavg()[0],
        peaks=tree.peaks(),
    )


def _scored(
    figures: Figures, truth: dict[str, str] | None, db: Path, layouts: dict[str, str]
) -> Figures:
    """The figures with the stored bodies' F1 against the farm's truth, when it knows it; the
    corpus layouts of the pages under 0.5 are printed."""
    from collections import Counter
    from dataclasses import replace

    if not truth or not db.exists():
        return replace(figures, load=os.getloadavg()[0])
    import webfarm

    scores = webfarm.body_scores(stored_bodies(db), truth)
    if scores.low and layouts:
        named = Counter(layouts.get(url, "?") for url in scores.low)
        print(
            f"    {figures.kind}: pages of body F1 < 0.5 by corpus layout: "
            + ", ".join(f"{name} x{n}" for name, n in named.most_common())
        )
    return replace(
        figures,
        body_f1=scores.pooled_f1,
        mean_f1=scores.mean_f1,
        low_pages=scores.low_pages,
        load=os.getloadavg()[0],
    )


def run_once(
    args: argparse.Namespace, total: int, work: Path, *, profile: bool, stages: Path | None = None
) -> list[Figures]:
    """One pipeline run and (unless profiling or timing stages) the raw loop and the baselines,
    one after the other against one farm."""
    from staticfarm import serve_static

    from tests.sitefarm import serve

    sites, served = build_farm(args, total)
    folder = Path(tempfile.mkdtemp(prefix=f"crawl-{total}-", dir=work))
    out: list[Figures] = []
    baselines = not (profile or stages)
    truth: dict[str, str] | None = None
    layouts: dict[str, str] = {}
    if args.site_farm == "news" or args.pages == "corpus":
        import webfarm

        truth = {}  # filled once the sites have their ports
    serving = serve if args.farm == "threaded" and args.site_farm == "test" else serve_static
    with serving(sites):
        if truth is not None:
            truth, layouts = webfarm.truths(sites), webfarm.layouts_by_url(sites)
        db = write_config(
            folder, sources_of(args, sites), concurrency=args.concurrency, timeout=args.timeout
        )
        cmd = [*_citydigest(), "--config", str(folder), "crawl", "once"]
        if args.workers is not None:
            cmd += ["--workers", str(args.workers)]
        env = None
        if profile:
            cmd = [sys.executable, "-m", "cProfile", "-o", str(folder / "crawl.prof"), *cmd]
        if stages is not None:
            hook = Path(__file__).with_name("stagehook")
            env = {
                **os.environ,
                "CITYDIGEST_BENCH_STAGES": str(stages),
                "PYTHONPATH": os.pathsep.join(
                    [str(hook), str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
                ),
            }
        measured = run_measured(cmd, log=folder / "crawl.log", pin=args.pin, env=env)
        figures = _figures(
            "pipeline", served, count(db, "fetches"), count(db, "articles"), measured
        )
        out.append(_scored(figures, truth, db, layouts))
        if args.raw and baselines:
            with sqlite3.connect(db) as conn:
                urls = [u for (u,) in conn.execute("SELECT url FROM fetches ORDER BY id")]
            url_file = folder / "urls.txt"
            url_file.write_text("\n".join(urls))
            cmd = [
                sys.executable,
                __file__,
                "--raw-worker",
                str(url_file),
                "--concurrency",
                str(args.concurrency),
                "--timeout",
                str(args.timeout),
            ]
            log = folder / "raw.log"
            measured = run_measured(cmd, log=log, pin=args.pin)
            result = json.loads(log.read_text().strip().splitlines()[-1])
            out.append(_figures("raw", served, result["ok"], 0, measured))
        python = scrapy_python(args) if baselines else None
        spec = folder / "sites.json"
        spec.write_text(json.dumps(scrapy_spec(args, sites)))
        for kind in args.baseline if python else ():
            scrapy_db = folder / f"{kind}.db"
            cmd = [
                python,
                str(Path(__file__).with_name("scrapy_baseline.py")),
                str(spec),
                str(scrapy_db),
                "--concurrency",
                str(args.concurrency),
                "--timeout",
                str(args.timeout),
                "--extract",
                "trafilatura" if kind == "scrapy-trafilatura" else "selectolax",
            ]
            log = folder / f"{kind}.log"
            measured = run_measured(cmd, log=log, pin=args.pin)
            result = json.loads(log.read_text().strip().splitlines()[-1])
            figures = _figures(kind, served, result["responses"], result["items"], measured)
            out.append(_scored(figures, truth, scrapy_db, layouts))
    if profile:
        print(f"\n## profile of `crawl once` ({served:,} articles, latency {args.latency:g} s)\n")
        stats = pstats.Stats(str(folder / "crawl.prof"), stream=sys.stdout)
        stats.sort_stats("tottime").print_stats(args.profile_lines)
        stats.sort_stats("cumulative").print_stats(args.profile_lines)
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return out


STAGES = (
    "start-up",
    "fetch",
    "discover",
    "decode",
    "extract",
    "tag",
    "dedup",
    "store",
    "worker other",
)


def stage_table(figures: Figures, folder: Path) -> str:
    """CPU by stage of a run timed by bench/stagehook (one JSON file per process), in ms per
    page fetched and per article stored, and as a share of the run's CPU."""
    seconds = dict.fromkeys(STAGES, 0.0)
    for path in folder.glob("*.json"):
        data = json.loads(path.read_text())
        spent = data["stages"]
        for stage, value in spent.items():
            seconds[stage] += value
        seconds["start-up"] += data["startup_s"]
        rest = data["cpu_s"] - data["startup_s"] - sum(spent.values())
        seconds["fetch" if data["role"] == "crawl" else "worker other"] += rest
    total = sum(seconds.values()) or 1.0
    lines = [
        f"CPU by stage: {figures.pages:,} pages fetched, {figures.articles:,} articles stored, "
        f"{total:.1f} CPU s timed of {figures.cpu_s:.1f} (the rest: interpreter start-up "
        "before the hook, the process tree's other children)",
        "",
        "| stage | CPU s | ms per page fetched | ms per article | share |",
        "|---|---|---|---|---|",
    ]
    for stage in STAGES:
        lines.append(
            f"| {stage} | {seconds[stage]:.2f} | {1000 * seconds[stage] / max(1, figures.pages):.2f} "
            f"| {1000 * seconds[stage] / max(1, figures.articles):.2f} "
            f"| {100 * seconds[stage] / total:.0f}% |"
        )
    lines.append(
        f"| all | {total:.2f} | {1000 * total / max(1, figures.pages):.2f} "
        f"| {1000 * total / max(1, figures.articles):.2f} | 100% |"
    )
    running = total - seconds["start-up"]
    lines.append(
        f"| all but start-up | {running:.2f} | {1000 * running / max(1, figures.pages):.2f} "
        f"| {1000 * running / max(1, figures.articles):.2f} "
        f"| {100 * running / total:.0f}% |"
    )
    return "\n".join(lines)


def median(figures: list[Figures]) -> Figures:
    """Field-wise median of several runs of one kind."""
    first = figures[0]
    numbers = {
        name: statistics.median(getattr(f, name) for f in figures)
        for name in (
            "pages",
            "articles",
            "wall_s",
            "cpu_s",
            "rss_mb",
            "tree_rss_mb",
            "tree_pss_mb",
            "worker_cpu_s",
        )
    }
    scored = [f for f in figures if f.body_f1 is not None]
    return Figures(
        first.kind,
        first.articles_served,
        int(numbers["pages"]),
        int(numbers["articles"]),
        numbers["wall_s"],
        numbers["cpu_s"],
        numbers["rss_mb"],
        numbers["tree_rss_mb"],
        max(f.exit_code for f in figures),
        numbers["tree_pss_mb"],
        numbers["worker_cpu_s"],
        statistics.median(f.body_f1 or 0.0 for f in scored) if scored else None,
        statistics.median(f.mean_f1 or 0.0 for f in scored) if scored else None,
        max(f.low_pages or 0 for f in scored) if scored else None,
        statistics.median(f.load for f in figures),
    )


def table(rows: list[Figures]) -> str:
    lines = [
        "| run | articles served | pages | articles stored | s | pages/s | CPU s | pages/CPU s "
        "| of which workers | peak RSS MB, largest process | tree RSS MB | tree PSS MB "
        "| body F1 pooled / mean / pages < 0.5 | load | exit |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for f in rows:
        stored = "-" if f.kind == "raw" else f"{f.articles:,}"
        quality = (
            "-" if f.body_f1 is None else f"{f.body_f1:.3f} / {f.mean_f1 or 0:.3f} / {f.low_pages}"
        )
        lines.append(
            f"| {f.kind} | {f.articles_served:,} | {f.pages:,} | {stored} | {f.wall_s:.1f} "
            f"| {f.pages_per_s:,.0f} | {f.cpu_s:.1f} | {f.pages_per_cpu_s:,.0f} "
            f"| {f.worker_cpu_s:.1f} | {f.rss_mb:.0f} | {f.tree_rss_mb:.0f} | {f.tree_pss_mb:.0f} "
            f"| {quality} | {f.load:.1f} | {f.exit_code} |"
        )
    return "\n".join(lines)


def verdict(pipeline: Figures, scrapy: Figures | None, raw: Figures | None) -> str:
    """Issue 6's goal: >= 1.5x polite Scrapy's pages/s with no more peak RSS. Memory is the
    whole tree's peak RSS (the crawl and its analysis workers together; stricter than PSS, which
    would share the pages they have in common) against Scrapy's one process."""
    memory = max(pipeline.rss_mb, pipeline.tree_rss_mb)
    lines = [
        f"- {pipeline.articles_served:,} articles: pipeline {pipeline.pages_per_s:,.0f} "
        f"pages/s, {memory:.0f} MB (tree; largest process {pipeline.rss_mb:.0f} MB)"
    ]
    if raw is not None:
        lines.append(
            f"  - {pipeline.pages_per_s / raw.pages_per_s:.2f} of raw httpx "
            f"({raw.pages_per_s:,.0f} pages/s); the issue's own figures put the goal at "
            f"{1.5 * SCRAPY_POLITE['pages_per_s'] / RAW_HTTPX_REFERENCE:.2f} of it"
        )
    if scrapy is not None:
        speed, limit = pipeline.pages_per_s / scrapy.pages_per_s, scrapy.rss_mb
        fast, small = speed >= 1.5, memory <= limit
        lines.append(
            f"  - {speed:.2f}x polite Scrapy measured in this run ({scrapy.pages_per_s:,.0f} "
            f"pages/s, {limit:.0f} MB): {'meets' if fast and small else 'misses'} the goal "
            f"(>= 1.5x, <= {limit:.0f} MB): speed {'met' if fast else 'missed'}, memory "
            f"{'met' if small else 'missed'} ({memory:.0f} MB; the largest process "
            f"{pipeline.rss_mb:.0f} MB {'within' if pipeline.rss_mb <= limit else 'above'} "
            "it)"
        )
    else:
        goal, limit = 1.5 * SCRAPY_POLITE["pages_per_s"], SCRAPY_POLITE["rss_mb"]
        fast, small = pipeline.pages_per_s >= goal, memory <= limit
        lines.append(
            f"  - against the issue's Scrapy figures from another machine: "
            f"{'meets' if fast and small else 'misses'} the goal (>= {goal:.0f} pages/s, "
            f"<= {limit:.0f} MB): speed {'met' if fast else 'missed'}, memory "
            f"{'met' if small else 'missed'} ({memory:.0f} MB)"
        )
    return "\n".join(lines)


def goals(pipeline: Figures, others: dict[str, Figures]) -> str:
    """Issue 24's goals, each against a baseline measured in the same run: polite Scrapy
    (>= 1.5x its pages/s, >= 1.0x its pages per CPU second) and Scrapy + trafilatura (>= 3x its
    pages/s, better body F1); memory as decided there: the largest process's peak no higher
    than the baseline's, the tree's summed PSS at most twice the baseline's."""
    lines = []
    wanted = {"scrapy": (1.5, 1.0), "scrapy-trafilatura": (3.0, None)}
    for kind, (speed_goal, cpu_goal) in wanted.items():
        base = others.get(kind)
        if base is None or not base.pages_per_s:
            continue
        speed = pipeline.pages_per_s / base.pages_per_s
        per_cpu = pipeline.pages_per_cpu_s / base.pages_per_cpu_s if base.pages_per_cpu_s else 0
        largest = pipeline.rss_mb <= base.rss_mb
        pss = pipeline.tree_pss_mb <= 2 * base.tree_pss_mb
        parts = [
            f"{speed:.2f}x pages/s ({'met' if speed >= speed_goal else 'missed'}: >= {speed_goal:g}x)",
            f"{per_cpu:.2f}x pages per CPU s"
            + (
                f" ({'met' if per_cpu >= cpu_goal else 'missed'}: >= {cpu_goal:g}x)"
                if cpu_goal
                else ""
            ),
            f"largest process {pipeline.rss_mb:.0f} against {base.rss_mb:.0f} MB "
            f"({'met' if largest else 'missed'})",
            f"tree PSS {pipeline.tree_pss_mb:.0f} against 2 x {base.tree_pss_mb:.0f} MB "
            f"({'met' if pss else 'missed'})",
        ]
        if pipeline.body_f1 is not None and base.body_f1 is not None:
            better = pipeline.body_f1 > base.body_f1
            parts.append(
                f"body F1 {pipeline.body_f1:.3f} against {base.body_f1:.3f} "
                f"({'better' if better else 'not better'})"
            )
        lines.append(f"  - against {kind}: " + "; ".join(parts))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=50)
    parser.add_argument(
        "--scale",
        type=int,
        nargs="+",
        default=[20_000],
        metavar="ARTICLES",
        help="total articles served; several values show whether the rate is flat",
    )
    parser.add_argument("--latency", type=float, default=0.05, help="injected seconds per request")
    parser.add_argument("--concurrency", type=int, default=4, help="requests per host")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument(
        "--text",
        choices=["diverse", "farm"],
        default="diverse",
        help="article text: distinct per article (default), or the test farm's "
        "filler, which makes every article a near duplicate of thousands",
    )
    parser.add_argument(
        "--farm",
        choices=["static", "threaded"],
        default="static",
        help="serve the sites from memory in a child process (default), or "
        "with the test farm's threads in this process (about 1 ms CPU a request)",
    )
    parser.add_argument(
        "--site-farm",
        choices=["test", "news"],
        default="test",
        help="the test farm's sites (default), or the second farm built apart from it "
        "(bench/newsfarm.py: other templates, 20-40 links a list page, numbered "
        "pagination, feeds of 50 items, a Crawl-delay site, 30-150 KB pages)",
    )
    parser.add_argument(
        "--pages",
        choices=["farm", "corpus"],
        default="farm",
        help="the test farm's article pages (5-10 KB), or pages shaped like the shared "
        "corpus's real ones (bench/webfarm.py: their layouts, the farm's text)",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        default=Path(os.environ.get("CITYDIGEST_CORPUS", ROOT.parent / "shared" / "corpus")),
        help="the shared extraction corpus, for --pages corpus",
    )
    parser.add_argument(
        "--baseline",
        nargs="*",
        choices=["scrapy", "scrapy-trafilatura"],
        default=["scrapy"],
        help="the Scrapy crawlers measured in each run: polite Scrapy with selectolax "
        "(default), Scrapy with trafilatura in an item pipeline",
    )
    parser.add_argument(
        "--scrapy-python",
        type=Path,
        help="the interpreter with scrapy and trafilatura (default: this one if it has "
        "scrapy, else /work/venv-bench/bin/python or $CITYDIGEST_BENCH_VENV's)",
    )
    parser.add_argument(
        "--stages",
        action="store_true",
        help="one extra pipeline run timed by stage (fetch, discover, decode, extract, "
        "tag, dedup, store): CPU per page",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per size; the median is shown")
    parser.add_argument(
        "--pin", type=int, metavar="CPU", help="run the measured processes on this CPU"
    )
    parser.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="the crawl's analysis workers (default: the crawl's own choice)",
    )
    parser.add_argument("--no-raw", dest="raw", action="store_false", help="skip the httpx ceiling")
    parser.add_argument(
        "--no-scrapy",
        dest="scrapy",
        action="store_false",
        help="skip the Scrapy baseline (bench/scrapy_baseline.py; needs scrapy)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile one extra pipeline run")
    parser.add_argument("--profile-lines", type=int, default=25)
    parser.add_argument("--keep", action="store_true", help="keep configs, databases and logs")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--json", type=Path, help="also write every run's figures here")
    parser.add_argument("--raw-worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.raw_worker:
        _raw_worker(args.raw_worker, args.concurrency, args.timeout)
        return 0
    if not args.scrapy:
        args.baseline = []
    elif args.baseline and scrapy_python(args) is None:
        print(
            "# scrapy is not installed (pip install '.[bench]', or a virtualenv at "
            "/work/venv-bench): no Scrapy baseline in this run"
        )
        args.baseline = []

    farm_name = (
        "the second farm (bench/newsfarm.py)"
        if args.site_farm == "news"
        else "the test farm"
        + (", article pages shaped like the corpus's" if args.pages == "corpus" else "")
    )
    print(
        f"# crawl benchmark: {farm_name}, {args.sites} sites, {args.concurrency} requests/host, "
        f"load average {'/'.join(f'{x:.1f}' for x in os.getloadavg())}, "
        f"{args.text} text, "
        f"latency {args.latency * 1000:g} ms, {args.runs} run(s) per size, "
        f"{os.cpu_count()} CPUs{f', pinned to CPU {args.pin}' if args.pin is not None else ''}"
    )
    every: list[dict[str, object]] = []
    medians: list[Figures] = []
    failed = False
    for total in args.scale:
        runs: dict[str, list[Figures]] = defaultdict(list)
        for number in range(args.runs):
            for figures in run_once(args, total, args.work, profile=False):
                runs[figures.kind].append(figures)
                every.append({**asdict(figures), "run": number, "pages_per_s": figures.pages_per_s})
                quality = f", body F1 {figures.body_f1:.3f}" if figures.body_f1 is not None else ""
                print(
                    f"  {total:,} articles, run {number + 1}: {figures.kind} "
                    f"{figures.pages:,} pages in {figures.wall_s:.1f} s "
                    f"({figures.pages_per_s:,.0f}/s), {figures.cpu_s:.1f} CPU s, "
                    f"{figures.rss_mb:.0f} MB ({figures.peaks or '-'}), "
                    f"tree PSS {figures.tree_pss_mb:.0f} MB"
                    f"{quality}, load {figures.load:.1f}",
                    flush=True,
                )
            mine = runs["pipeline"][-1]
            for kind in args.baseline:
                if runs[kind] and runs[kind][-1].pages_per_s:
                    base = runs[kind][-1]
                    print(
                        f"    run {number + 1} against {kind}: "
                        f"{mine.pages_per_s / base.pages_per_s:.2f}x pages/s, "
                        f"{mine.pages_per_cpu_s / base.pages_per_cpu_s:.2f}x pages per CPU s"
                    )
        for kind in ("pipeline", "raw", "scrapy", "scrapy-trafilatura"):
            if runs[kind]:
                medians.append(median(runs[kind]))
        served = runs["pipeline"][0].articles_served
        for f in medians:
            if (
                f.kind in ("pipeline", "scrapy", "scrapy-trafilatura")
                and f.articles_served == served
                and (f.articles != f.articles_served or f.exit_code != 0)
            ):
                failed = True
                print(
                    f"  !! {f.kind} stored {f.articles:,} of {f.articles_served:,} articles, "
                    f"exit {f.exit_code}"
                )
    print("\n" + table(medians))
    for served in dict.fromkeys(f.articles_served for f in medians):
        of = {f.kind: f for f in medians if f.articles_served == served}
        if "pipeline" in of:
            print(verdict(of["pipeline"], of.get("scrapy"), of.get("raw")))
            print(goals(of["pipeline"], of))
    if args.profile:
        run_once(args, args.scale[-1], args.work, profile=True)
    if args.stages:
        with tempfile.TemporaryDirectory(prefix="stages-", dir=args.work) as timed:
            (figures,) = run_once(
                args, args.scale[-1], args.work, profile=False, stages=Path(timed)
            )
            print(f"\n## {farm_name}: CPU by stage (one extra run, load {figures.load:.1f})\n")
            print(stage_table(figures, Path(timed)))
    if args.json:
        args.json.write_text(json.dumps(every, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
