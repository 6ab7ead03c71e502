"""Benchmark of the two runners at 2,000 sources on the loopback site farm.

250 loopback sites (127.0.X.Y, one host each) carry 8 sources apiece (list pages reached by
distinct URLs, so the host lock and per-host politeness matter), 2,000 sources in all, each
checked every ``--interval`` seconds. The same config runs

- embedded: ``citydigest run`` on SQLite (one process, ``--concurrency`` sources at once);
- distributed: ``citydigest run --engine procrastinate`` plus two ``citydigest worker`` on
  PostgreSQL (``CITYDIGEST_TEST_POSTGRES_URL``; a fresh database is created and dropped); halfway
  through, one worker is killed with SIGKILL.

Reported per runner: dispatch lag (how late a due check was handed out: median, p95, max, from
the dispatch log lines), crawls per minute (source checks completed, over the measured window),
peak memory per process (VmHWM), and for the distributed run what happened after the kill.

Run::

    CITYDIGEST_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test \\
        python bench/service.py --duration 120
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from tests.sitefarm import SETTINGS_YAML, Site, make_articles, serve  # noqa: E402

ENTRY = ("-m", "crawler.app.cli")
# --cache-analyzer: the same CLI with one Analyzer per process and config (what a reusable
# analyzer argument to crawler.pipeline.crawl would give), to measure that per-job cost.
CACHED_ENTRY = """
import runpy
from crawler import analyze
_made = {}
_original = analyze.Analyzer.from_config.__func__
def _cached(cls, config):
    if id(config) not in _made:
        _made[id(config)] = (config, _original(cls, config))
    return _made[id(config)][1]
analyze.Analyzer.from_config = classmethod(_cached)
runpy.run_module("crawler.app.cli", run_name="__main__", alter_sys=True)
"""
LAG_RE = re.compile(
    r"^(\S+ \S+) INFO citydigest\.(?:daemon: dispatch: (\d+) crawls, lag ([\d.]+) s"
    r"|worker: crawl \S+: started (-?[\d.]+) s after due)"
)
CRAWL_RE = re.compile(
    r"^(\S+ \S+) INFO (?:citydigest\.daemon: crawled |procrastinate\.worker: Job citydigest\.crawl)"
)


def make_sites(count: int, articles: int) -> list[Site]:
    sites = []
    for i in range(count):
        site_id = f"b{i:03d}"
        sites.append(
            Site(
                id=site_id,
                address=f"127.0.{1 + i // 200}.{2 + i % 200}",
                articles=make_articles(site_id, articles),
                per_page=articles,
            )
        )
    return sites


def sources_yaml(sites: list[Site], per_site: int, interval: int) -> str:
    lines = ["sources:"]
    for site in sites:
        for k in range(per_site):
            lines += [
                f"  - id: {site.id}-{k}",
                f"    name: {site.id} 栏目{k}",
                f"    interval: {interval}s",
                "    list:",
                f"      url: {site.base}/list/1.html?column={k}",
                '      links: "ul.news-list a"',
                "      max_pages: 1",
            ]
    return "\n".join(lines) + "\n"


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    peak_kb: int = 0
    killed: bool = False

    def sample(self) -> None:
        try:
            status = Path(f"/proc/{self.popen.pid}/status").read_text()
        except OSError:
            return
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        if match:
            self.peak_kb = max(self.peak_kb, int(match.group(1)))


@dataclass
class Result:
    runner: str
    sources: int
    duration_s: float
    crawls: int = 0
    crawls_per_minute: float = 0.0
    lag_median_s: float = 0.0
    lag_p95_s: float = 0.0
    lag_max_s: float = 0.0
    peak_mb: dict[str, float] = field(default_factory=dict)
    kill: dict[str, object] = field(default_factory=dict)


def spawn(name: str, args: list[str], folder: Path, *, cached: bool = False) -> Proc:
    log = folder / f"{name}.log"
    env = {
        **os.environ,
        "CITYDIGEST_SECRET": "bench-secret-0123456789abcdef",
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, *ENTRY]
    if cached:
        command = [sys.executable, "-c", CACHED_ENTRY]
    popen = subprocess.Popen(
        [*command, *args],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        env=env,
    )
    return Proc(name, popen, log)


def analyse(result: Result, procs: list[Proc], start: float, end: float) -> None:
    """Lag and throughput from the log lines stamped inside the measured window."""
    from datetime import datetime

    lags: list[float] = []
    crawls = 0
    for proc in procs:
        for line in proc.log.read_text(errors="replace").splitlines():
            if m := LAG_RE.match(line):
                at = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
                if start <= at <= end:
                    # embedded: a due crawl starts when it is claimed; distributed: when a
                    # worker picks up its job (queueing included)
                    lags.append(max(float(m.group(3) or m.group(4)), 0.0))
            elif m := CRAWL_RE.match(line):
                at = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
                if start <= at <= end:
                    crawls += 1
    result.crawls = crawls
    result.crawls_per_minute = round(crawls / ((end - start) / 60), 1)
    if lags:
        lags.sort()
        result.lag_median_s = round(statistics.median(lags), 2)
        result.lag_p95_s = round(lags[int(0.95 * (len(lags) - 1))], 2)
        result.lag_max_s = round(lags[-1], 2)
    result.peak_mb = {p.name: round(p.peak_kb / 1024, 1) for p in procs}


def run(
    runner: str,
    config: Path,
    url: str,
    duration: float,
    warmup: float,
    folder: Path,
    cached: bool = False,
) -> Result:
    base = ["-v", "--config", str(config), "--database", url]
    timing = ["--heartbeat", "2", "--stalled-after", "6", "--dispatch-every", "1"]
    if runner == "embedded":
        procs = [
            spawn(
                "run", [*base, "run", "--tick", "1", "--concurrency", "32"], folder, cached=cached
            )
        ]
    else:
        procs = [
            spawn("dispatcher", [*base, "run", "--engine", "procrastinate", *timing], folder),
            spawn(
                "worker1", [*base, "worker", "--concurrency", "16", *timing], folder, cached=cached
            ),
            spawn(
                "worker2", [*base, "worker", "--concurrency", "16", *timing], folder, cached=cached
            ),
        ]
    result = Result(runner + (" (analyzer cached)" if cached else ""), 0, duration)
    started = time.time()
    measure_from = started + warmup
    stop_at = measure_from + duration
    kill_at = measure_from + duration / 2 if runner != "embedded" else None
    while time.time() < stop_at:
        for proc in procs:
            if not proc.killed:
                proc.sample()
        if kill_at and time.time() >= kill_at:
            victim = procs[1]
            victim.sample()
            victim.popen.send_signal(signal.SIGKILL)
            victim.killed = True
            result.kill = {"killed": victim.name, "at_s": round(time.time() - measure_from, 1)}
            kill_at = None
        time.sleep(0.5)
    for proc in procs:
        if not proc.killed:
            proc.popen.send_signal(signal.SIGTERM)
    codes = {}
    for proc in procs:
        try:
            codes[proc.name] = proc.popen.wait(60)
        except subprocess.TimeoutExpired:
            proc.popen.kill()
            codes[proc.name] = "killed after 60 s"
    analyse(result, procs, measure_from, stop_at)
    if runner != "embedded":
        text = procs[0].log.read_text(errors="replace")
        retried = re.findall(
            r"^(\S+ \S+) WARNING citydigest\.worker: retrying stalled job", text, re.M
        )
        result.kill["stalled_jobs_retried"] = len(retried)
        if retried and result.kill.get("at_s") is not None:
            from datetime import datetime

            first = datetime.strptime(retried[0], "%Y-%m-%d %H:%M:%S,%f").timestamp()
            result.kill["retried_after_s"] = round(
                first - (measure_from + float(result.kill["at_s"])),
                1,  # type: ignore[arg-type]
            )
    result.kill["exit_codes"] = codes
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=250)
    parser.add_argument("--per-site", type=int, default=8)
    parser.add_argument("--articles", type=int, default=4)
    parser.add_argument("--interval", type=int, default=60)
    parser.add_argument("--duration", type=float, default=120)
    parser.add_argument("--warmup", type=float, default=30)
    parser.add_argument("--runners", nargs="+", default=["embedded", "procrastinate"])
    parser.add_argument("--workdir", type=Path, help="Keep configs and logs here.")
    parser.add_argument(
        "--cache-analyzer", action="store_true", help="One Analyzer per process (see above)."
    )
    args = parser.parse_args()
    sites = make_sites(args.sites, args.articles)
    results = []
    with serve(sites), tempfile.TemporaryDirectory() as scratch:
        tmp = args.workdir or Path(scratch)
        for runner in args.runners:
            folder = Path(tmp) / runner
            config = folder / "config"
            config.mkdir(parents=True)
            settings = SETTINGS_YAML.format(db="unused", concurrency=2, delay=0, timeout=10)
            (config / "citydigest.yaml").write_text(settings, encoding="utf-8")
            (config / "sources.yaml").write_text(
                sources_yaml(sites, args.per_site, args.interval), encoding="utf-8"
            )
            if runner == "embedded":
                url = f"sqlite:///{folder / 'bench.db'}"
                results.append(
                    run(
                        runner, config, url, args.duration, args.warmup, folder, args.cache_analyzer
                    )
                )
                continue
            base = os.environ.get("CITYDIGEST_TEST_POSTGRES_URL")
            if not base:
                print("skipping procrastinate: set CITYDIGEST_TEST_POSTGRES_URL", file=sys.stderr)
                continue
            from sqlalchemy import create_engine, text

            from crawler.base.db import Database

            name = f"bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(
                base.replace("postgresql://", "postgresql+psycopg://", 1),
                isolation_level="AUTOCOMMIT",
            )
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = f"{base.rpartition('/')[0]}/{name}"
            try:
                Database(url, upgrade=True).dispose()
                results.append(
                    run(
                        runner, config, url, args.duration, args.warmup, folder, args.cache_analyzer
                    )
                )
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
    for result in results:
        result.sources = args.sites * args.per_site
        print(json.dumps(result.__dict__, ensure_ascii=False))


if __name__ == "__main__":
    main()
