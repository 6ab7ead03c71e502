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


def write_config(folder: Path, sites: list, *, concurrency: int, timeout: float) -> Path:
    from tests.sitefarm import SETTINGS_YAML, sources_yaml

    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "bench.db"
    settings = SETTINGS_YAML.format(db=db, concurrency=concurrency, delay=0, timeout=timeout)
    (folder / "citydigest.yaml").write_text(
        settings.replace("max_bytes: 2000000", "max_bytes: 5000000")
    )
    (folder / "sources.yaml").write_text(sources_yaml(sites, max_pages=1000))
    return db


def count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def run_once(args: argparse.Namespace, total: int, work: Path, *, profile: bool) -> list[Figures]:
    from staticfarm import serve_static

    from tests.sitefarm import farm, serve

    per_site = max(1, total // args.sites)
    sites = farm(args.sites, per_site, latency=args.latency)
    if args.text == "diverse":
        diverse(sites)
    served = per_site * args.sites
    folder = Path(tempfile.mkdtemp(prefix=f"crawl-{total}-", dir=work))
    out: list[Figures] = []
    with (serve_static if args.farm == "static" else serve)(sites):
        db = write_config(folder, sites, concurrency=args.concurrency, timeout=args.timeout)
        cmd = [*_citydigest(), "--config", str(folder), "crawl", "once"]
        if args.workers is not None:
            cmd += ["--workers", str(args.workers)]
        if profile:
            cmd = [sys.executable, "-m", "cProfile", "-o", str(folder / "crawl.prof"), *cmd]
        code, wall, cpu, rss, tree = run_measured(cmd, log=folder / "crawl.log", pin=args.pin)
        out.append(
            Figures(
                "pipeline",
                served,
                count(db, "fetches"),
                count(db, "articles"),
                wall,
                cpu,
                rss,
                tree.rss_kb / 1024,
                code,
                tree.pss_kb / 1024,
                tree.worker_cpu_s,
            )
        )
        if args.raw:
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
            code, wall, cpu, rss, tree = run_measured(cmd, log=log, pin=args.pin)
            result = json.loads(log.read_text().strip().splitlines()[-1])
            out.append(
                Figures(
                    "raw",
                    served,
                    result["ok"],
                    0,
                    wall,
                    cpu,
                    rss,
                    tree.rss_kb / 1024,
                    code,
                    tree.pss_kb / 1024,
                )
            )
        if args.scrapy:
            spec = folder / "sites.json"
            spec.write_text(json.dumps([{"base": s.base, "feed": s.feed} for s in sites]))
            cmd = [
                sys.executable,
                str(Path(__file__).with_name("scrapy_baseline.py")),
                str(spec),
                str(folder / "scrapy.db"),
                "--concurrency",
                str(args.concurrency),
                "--timeout",
                str(args.timeout),
            ]
            log = folder / "scrapy.log"
            code, wall, cpu, rss, tree = run_measured(cmd, log=log, pin=args.pin)
            result = json.loads(log.read_text().strip().splitlines()[-1])
            out.append(
                Figures(
                    "scrapy",
                    served,
                    result["responses"],
                    result["items"],
                    wall,
                    cpu,
                    rss,
                    tree.rss_kb / 1024,
                    code,
                    tree.pss_kb / 1024,
                )
            )
    if profile:
        print(f"\n## profile of `crawl once` ({served:,} articles, latency {args.latency:g} s)\n")
        stats = pstats.Stats(str(folder / "crawl.prof"), stream=sys.stdout)
        stats.sort_stats("tottime").print_stats(args.profile_lines)
        stats.sort_stats("cumulative").print_stats(args.profile_lines)
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return out


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
    )


def table(rows: list[Figures]) -> str:
    lines = [
        "| run | articles served | pages | articles stored | s | pages/s | CPU s | pages/CPU s "
        "| of which workers | peak RSS MB | tree RSS MB | tree PSS MB | exit |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for f in rows:
        stored = "-" if f.kind == "raw" else f"{f.articles:,}"
        lines.append(
            f"| {f.kind} | {f.articles_served:,} | {f.pages:,} | {stored} | {f.wall_s:.1f} "
            f"| {f.pages_per_s:,.0f} | {f.cpu_s:.1f} | {f.pages_per_cpu_s:,.0f} "
            f"| {f.worker_cpu_s:.1f} | {f.rss_mb:.0f} | {f.tree_rss_mb:.0f} | {f.tree_pss_mb:.0f} "
            f"| {f.exit_code} |"
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
    if args.scrapy and importlib.util.find_spec("scrapy") is None:
        print("# scrapy is not installed (pip install scrapy): no Scrapy baseline in this run")
        args.scrapy = False

    print(
        f"# crawl benchmark: {args.sites} sites, {args.concurrency} requests/host, "
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
                print(
                    f"  {total:,} articles, run {number + 1}: {figures.kind} "
                    f"{figures.pages:,} pages in {figures.wall_s:.1f} s "
                    f"({figures.pages_per_s:,.0f}/s), {figures.cpu_s:.1f} CPU s, "
                    f"{figures.rss_mb:.0f} MB",
                    flush=True,
                )
        for kind in ("pipeline", "raw", "scrapy"):
            if runs[kind]:
                medians.append(median(runs[kind]))
        for f in medians:
            if (
                f.kind in ("pipeline", "scrapy")
                and f.articles_served == total
                and (f.articles != f.articles_served or f.exit_code != 0)
            ):
                failed = True
                print(
                    f"  !! {f.kind} stored {f.articles:,} of {f.articles_served:,} articles, "
                    f"exit {f.exit_code}"
                )
    print("\n" + table(medians))
    for total in args.scale:
        of = {
            f.kind: f
            for f in medians
            if f.articles_served == max(1, total // args.sites) * args.sites
        }
        if "pipeline" in of:
            print(verdict(of["pipeline"], of.get("scrapy"), of.get("raw")))
    if args.profile:
        run_once(args, args.scale[-1], args.work, profile=True)
    if args.json:
        args.json.write_text(json.dumps(every, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
