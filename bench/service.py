"""Benchmark of the two runners on the loopback site farm: cost, lag and politeness.

``--sites`` loopback sites (127.0.X.Y, one host each) carry ``--per-site`` sources apiece (list
pages reached by distinct URLs that list the same articles, so the host batches, the per-host
spacing and the per-host limit matter), each checked every ``--interval`` seconds. The sites go
in pairs that publish the same articles (syndicated copies on two hosts, crawled in the same
wave, often by two workers at once), so the dedup across processes is measured too. The sites
answer after ``--latency`` seconds, longer than ``--limit`` × ``--delay``, so that the per-host
limit binds, and the farm logs every request with its arrival time (the kernel's receive stamp,
not when the farm's thread got to it nor when its connection was accepted). The same config runs

- embedded: ``citydigest run`` (one process, ``--concurrency`` sources at once) on PostgreSQL
  when ``CITYDIGEST_TEST_POSTGRES_URL`` is set (SQLite otherwise, or with ``--embedded-sqlite``);
- distributed: ``citydigest run --engine procrastinate`` plus two ``citydigest worker`` on
  PostgreSQL (a fresh database is created and dropped per runner).

In each run, after the warm-up, the measured window is ``--cycles`` intervals and ``--after``
seconds: halfway through the cycles a source is added to sources.yaml (a new column of the first
site); at their end one process (embedded: the daemon; distributed: a worker) gets SIGTERM with
a one-second grace while it crawls, and is started again. Reported per runner:

- CPU ms per crawl: the CPU time of the runner's processes and of their PostgreSQL backends
  (every backend of the bench's database, sampled from /proc every half second) over the cycles
  (from the window's start to the interrupt: whole intervals, as crawls come in waves), divided
  by the source checks completed meanwhile;
- crawls per minute, dispatch lag (how late a due check started: median, p95, max), peak memory
  per process (VmHWM);
- politeness from the farm's log: the least gap between two requests to one host over the
  delay, the share of gaps under 0.9 × the delay, the most requests in flight at one host
  against the limit, requests per crawl;
- CPU ms per crawl of each process alone over the same window, and the database's commits per
  crawl (``pg_stat_database.xact_commit`` of the bench's database: every transaction of the
  runner's processes, procrastinate's included);
- the added source: seconds from the edit to its first request; distributed, the interrupted
  sources (those of the crawl jobs running on the worker that got SIGTERM that their job had
  not recorded a check of yet: one it finished is due an interval later): seconds from its
  restart to each one's next request (the largest; negative: crawled again before the restart,
  by the other worker). The embedded daemon is restarted too, its lag after the restart in the
  lag figures (its hand-back at a stop has a test of its own);
- dedup: articles stored, the syndicated pairs (the same title on a pair's two hosts) stored
  both, and how many of those pairs are one story (all of them, if the dedup holds across
  processes).

Run::

    CITYDIGEST_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test \\
        python bench/service.py --interval 120 --cycles 2
"""

from __future__ import annotations

import argparse
import itertools
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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from tests.sitefarm import SETTINGS_YAML, Site, make_articles, serve  # noqa: E402

ENTRY = ("-m", "crawler.app.cli")
STAMP = "%Y-%m-%d %H:%M:%S,%f"
LAG_RE = re.compile(
    r"^(\S+ \S+) INFO citydigest\.(?:daemon: dispatch: (\d+) crawls, lag ([\d.]+) s"
    r"|worker: crawl .+?: started (-?[\d.]+) s after due)"
)
CRAWL_RE = re.compile(r"^(\S+ \S+) INFO citydigest\.(?:daemon|worker): crawled ")
TICKS = os.sysconf("SC_CLK_TCK")


def make_sites(count: int, articles: int, latency: float) -> list[Site]:
    """The farm's sites; sites 2k and 2k + 1 publish the same articles (syndicated copies)."""
    sites = []
    for i in range(count):
        site_id = f"b{i:03d}"
        sites.append(
            Site(
                id=site_id,
                address=f"127.0.{1 + i // 200}.{2 + i % 200}",
                articles=make_articles(f"b{i - i % 2:03d}", articles),
                per_page=articles,
                latency=latency,
            )
        )
    return sites


def source_lines(site: Site, column: str, interval: int) -> list[str]:
    return [
        f"  - id: {site.id}-{column}",
        f"    name: {site.id} 栏目{column}",
        f"    interval: {interval}s",
        "    list:",
        f"      url: {site.base}/list/1.html?column={column}",
        '      links: "ul.news-list a"',
        "      max_pages: 1",
    ]


def sources_yaml(sites: list[Site], per_site: int, interval: int) -> str:
    lines = ["sources:"]
    for site in sites:
        for k in range(per_site):
            lines += source_lines(site, str(k), interval)
    return "\n".join(lines) + "\n"


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process, or None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    peak_kb: int = 0
    cpu: float = 0.0  # the last CPU time read (kept once the process is gone)
    ended: bool = False

    def sample(self) -> None:
        if (seconds := cpu_seconds(self.popen.pid)) is not None:
            self.cpu = seconds
        try:
            status = Path(f"/proc/{self.popen.pid}/status").read_text()
        except OSError:
            return
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        if match:
            self.peak_kb = max(self.peak_kb, int(match.group(1)))


@dataclass
class Backends:
    """CPU time of the PostgreSQL backends of one database (by pid, the last read kept)."""

    url: str | None
    cpu: dict[int, float] = field(default_factory=dict)

    def sample(self) -> None:
        if self.url is None:
            return
        import psycopg

        from crawler.app.runners.distributed import conninfo

        name = self.url.rpartition("/")[2]
        with psycopg.connect(conninfo(self.url.rpartition("/")[0] + "/postgres")) as conn:
            pids = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (name,)
            ).fetchall()
        for (pid,) in pids:
            if (seconds := cpu_seconds(pid)) is not None:
                self.cpu[pid] = seconds

    def total(self) -> float:
        return sum(self.cpu.values())

    def commits(self) -> int | None:
        """The transactions committed in the database so far (None without PostgreSQL)."""
        if self.url is None:
            return None
        import psycopg

        from crawler.app.runners.distributed import conninfo

        name = self.url.rpartition("/")[2]
        with psycopg.connect(conninfo(self.url.rpartition("/")[0] + "/postgres")) as conn:
            row = conn.execute(
                "SELECT xact_commit FROM pg_stat_database WHERE datname = %s", (name,)
            ).fetchone()
        return None if row is None else int(row[0])


@dataclass
class Result:
    runner: str
    sources: int
    duration_s: float
    crawls: int = 0
    crawls_per_minute: float = 0.0
    cpu_ms_per_crawl: float = 0.0  # over the window's first half (before the interrupt)
    cpu_crawls: int = 0
    cpu_ms_processes: float = 0.0
    cpu_ms_backends: float = 0.0
    cpu_ms_per_crawl_by_process: dict[str, float] = field(default_factory=dict)
    commits_per_crawl: float | None = None
    lag_median_s: float = 0.0
    lag_p95_s: float = 0.0
    lag_max_s: float = 0.0
    min_gap_over_delay: float = 0.0
    gaps_under_0_9_delay: float = 0.0
    max_in_flight: int = 0
    limit: int = 0
    short_gaps: list[str] = field(default_factory=list)  # a few under 0.9 x the delay
    requests_per_crawl: float = 0.0
    new_source_crawled_after_s: float | None = None
    interrupted_sources: int = 0
    interrupted_due_again_after_restart_s: float | None = None
    interrupted_due_again_after_sigterm_s: float | None = None
    peak_mb: dict[str, float] = field(default_factory=dict)
    exit_codes: dict[str, object] = field(default_factory=dict)
    articles_stored: int = 0
    syndicated_pairs: int = 0  # titles stored on both hosts of a pair
    syndicated_pairs_in_one_story: int = 0


def story_check(result: Result, url: str) -> None:
    """The dedup's figures from the stored articles: a title stored twice is a syndicated
    pair (the farm's pairs of sites publish the same articles), one story if the dedup held."""
    from sqlalchemy import select

    from crawler.base.db import Database
    from crawler.base.models import Article

    db = Database(url)
    try:
        with db.session() as session:
            rows = session.execute(select(Article.title, Article.story_id)).all()
    finally:
        db.dispose()
    stories: dict[str | None, list[int | None]] = {}
    for title, story in rows:
        stories.setdefault(title, []).append(story)
    pairs = [ids for ids in stories.values() if len(ids) == 2]
    result.articles_stored = len(rows)
    result.syndicated_pairs = len(pairs)
    result.syndicated_pairs_in_one_story = sum(1 for a, b in pairs if a is not None and a == b)


def spawn(name: str, args: list[str], folder: Path) -> Proc:
    log = folder / f"{name}.log"
    env = {
        **os.environ,
        "CITYDIGEST_SECRET": "bench-secret-0123456789abcdef",
        "PYTHONPATH": str(ROOT),
    }
    popen = subprocess.Popen(
        [sys.executable, *ENTRY, *args], stdout=log.open("wb"), stderr=subprocess.STDOUT, env=env
    )
    return Proc(name, popen, log)


def stamped(line: str) -> float:
    return datetime.strptime(line[:23], STAMP).timestamp()


def analyse_logs(result: Result, procs: list[Proc], start: float, end: float) -> None:
    """Lag and throughput from the log lines stamped inside the measured window."""
    lags: list[float] = []
    crawls = 0
    for proc in procs:
        for line in proc.log.read_text(errors="replace").splitlines():
            if m := LAG_RE.match(line):
                if start <= stamped(line) <= end:
                    # embedded: a due crawl starts when it is claimed; distributed: when a
                    # worker starts its batch's job (queueing included)
                    lags.append(max(float(m.group(3) or m.group(4)), 0.0))
            elif CRAWL_RE.match(line) and start <= stamped(line) <= end:
                crawls += 1
    result.crawls = crawls
    result.crawls_per_minute = round(crawls / ((end - start) / 60), 1)
    if lags:
        lags.sort()
        result.lag_median_s = round(statistics.median(lags), 2)
        result.lag_p95_s = round(lags[int(0.95 * (len(lags) - 1))], 2)
        result.lag_max_s = round(lags[-1], 2)
    result.peak_mb = {p.name: round(p.peak_kb / 1024, 1) for p in procs}


def analyse_requests(result: Result, sites: list[Site], delay: float, start: float) -> None:
    """Politeness from the farm's log (monotonic arrival times, kernel-stamped; from ``start``
    on)."""
    gaps: list[float] = []
    requests = 0
    for site in sites:
        with site.lock:
            logged = sorted((at, path) for at, path in site.requests if at >= start)
        requests += len(logged)
        for (a, first), (b, second) in itertools.pairwise(logged):
            gaps.append(b - a)
            if b - a < 0.9 * delay and len(result.short_gaps) < 5:
                result.short_gaps.append(f"{site.id} {b - a:.3f} s: {first} then {second}")
    if gaps and delay:
        result.min_gap_over_delay = round(min(gaps) / delay, 3)
        result.gaps_under_0_9_delay = round(sum(g < 0.9 * delay for g in gaps) / len(gaps), 4)
    result.max_in_flight = max(site.max_active for site in sites)
    result.requests_per_crawl = round(requests / max(result.crawls, 1), 2)


def first_request(site: Site, path: str, after: float) -> float | None:
    """The monotonic time of the first request for ``path`` at ``site`` after ``after``."""
    with site.lock:
        return min((at for at, p in site.requests if p == path and at > after), default=None)


def running_crawls(url: str) -> dict[int, list[str]]:
    """The sources of the crawl jobs running now, by job id."""
    import psycopg

    from crawler.app.runners.distributed import conninfo

    with psycopg.connect(conninfo(url)) as conn:
        rows = conn.execute(
            "SELECT id, args FROM procrastinate_jobs "
            "WHERE status = 'doing' AND task_name = 'citydigest.crawl'"
        ).fetchall()
    return {job: args.get("source_ids") or [args.get("source_id")] for job, args in rows}


def cut_short(url: str, jobs: dict[int, list[str]]) -> list[str]:
    """The sources that a stop cut short in those of ``jobs`` it cut short (not done: a
    finished job is deleted; failed, aborted, waiting for its retry or retried): those whose
    refresh the job did not record (no check since the job started). A source the job
    finished before the stop is due an interval later, not again at once."""
    import psycopg

    from crawler.app.runners.distributed import conninfo

    with psycopg.connect(conninfo(url)) as conn:
        rows = conn.execute(  # a retry may be running already, on the other worker
            "SELECT j.id, max(e.at) AT TIME ZONE 'UTC' FROM procrastinate_jobs j "
            "JOIN procrastinate_events e ON e.job_id = j.id AND e.type = 'started' "
            "WHERE j.id = ANY(%s) AND (j.status <> 'doing' OR j.attempts > 0) GROUP BY j.id",
            (list(jobs),),
        ).fetchall()
        checked: dict[str, datetime | None] = dict(
            conn.execute(
                "SELECT id, last_checked_at FROM sources WHERE id = ANY(%s)",
                ([source for job, _ in rows for source in jobs[job]],),
            ).fetchall()
        )
    return [
        source
        for job, started in rows
        for source in jobs[job]
        if checked.get(source) is None or checked[source] < started
    ]


def run(
    runner: str,
    config: Path,
    url: str,
    args: argparse.Namespace,
    folder: Path,
    sites: list[Site],
    backends: Backends,
) -> Result:
    base = ["-v", "--config", str(config), "--database", url]
    timing = ["--heartbeat", "2", "--stalled-after", "6"]
    dispatcher_args = [*base, "run", "--engine", "procrastinate", *timing, "--dispatch-every", "1"]
    worker_args = [*base, "worker", "--concurrency", "16", "--grace", "1", *timing]
    embedded_args = [*base, "run", "--tick", "1", "--concurrency", str(args.concurrency)]
    embedded_args += ["--grace", "1"]
    if runner == "embedded":
        procs = [spawn("run", embedded_args, folder)]
    else:
        procs = [
            spawn("dispatcher", dispatcher_args, folder),
            spawn("worker1", worker_args, folder),
            spawn("worker2", worker_args, folder),
        ]
    for site in sites:
        with site.lock:
            site.requests.clear()
            site.max_active = 0
    result = Result(runner, 0, args.cycles * args.interval + args.after, limit=args.limit)
    started = time.time()
    measure_from = started + args.warmup
    # The CPU window is whole intervals (crawls come in waves of the interval); the interrupt
    # ends it, and the run goes on ``--after`` seconds to see the interrupted sources again.
    window = args.cycles * args.interval
    stop_at = measure_from + window + args.after
    events: list[tuple[float, str]] = [
        (measure_from, "measure"),
        (measure_from + window / 2, "add"),
        (measure_from + window, "interrupt"),
    ]
    cpu_start, mono_start = 0.0, time.monotonic()
    proc_start: dict[str, float] = {}
    proc_end: dict[str, float] = {}
    commits_start = commits_end = None
    backend_start = cpu_end = backend_end = 0.0
    cpu_until = stop_at
    added_at: float | None = None
    interrupted: list[str] = []
    restarted_at: float | None = None
    stopped_at = 0.0

    def total_cpu() -> float:
        return sum(p.cpu for p in procs) + backends.total()

    sample_every = 0.5
    while time.time() < stop_at:
        for proc in procs:
            proc.sample()
        backends.sample()
        now = time.time()
        while events and now >= events[0][0]:
            _, event = events.pop(0)
            if event == "measure":
                cpu_start, backend_start = total_cpu(), backends.total()
                mono_start = time.monotonic()
                proc_start = {p.name: p.cpu for p in procs}
                commits_start = backends.commits()
            elif event == "add":
                with (config / "sources.yaml").open("a", encoding="utf-8") as sources:
                    sources.write("\n".join(source_lines(sites[0], "added", args.interval)))
                    sources.write("\n")
                added_at = time.monotonic()
            elif event == "interrupt":  # the CPU window ends: a restart's start-up is no crawl
                for proc in procs:
                    proc.sample()
                backends.sample()
                cpu_end, backend_end, cpu_until = total_cpu(), backends.total(), time.time()
                proc_end = {p.name: p.cpu for p in procs}
                commits_end = backends.commits()
                victim = procs[0] if runner == "embedded" else procs[1]
                if runner != "embedded":  # the embedded daemon hands its crawls back itself
                    jobs = running_crawls(url)
                victim.sample()
                stopped_at = time.monotonic()
                victim.popen.send_signal(signal.SIGTERM)
                victim.popen.wait(30)
                victim.ended = True
                if runner != "embedded":
                    interrupted = cut_short(url, jobs)
                restart = embedded_args if runner == "embedded" else worker_args
                procs.append(spawn(f"{victim.name}-restarted", restart, folder))
                restarted_at = time.monotonic()
        time.sleep(max(0.0, sample_every - (time.time() - now)))
    for proc in procs:
        if proc.popen.poll() is None:
            proc.popen.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            result.exit_codes[proc.name] = proc.popen.wait(60)
        except subprocess.TimeoutExpired:
            proc.popen.kill()
            result.exit_codes[proc.name] = "killed after 60 s"
    analyse_logs(result, procs, measure_from, stop_at)
    analyse_requests(result, sites, args.delay, mono_start)
    probe = Result(runner, 0, 0)
    analyse_logs(probe, procs, measure_from, cpu_until)
    cpu, backend_cpu = cpu_end - cpu_start, backend_end - backend_start
    result.cpu_crawls = probe.crawls
    result.cpu_ms_per_crawl = round(1000 * cpu / max(probe.crawls, 1), 2)
    result.cpu_ms_backends = round(1000 * backend_cpu, 0)
    result.cpu_ms_processes = round(1000 * (cpu - backend_cpu), 0)
    result.cpu_ms_per_crawl_by_process = {
        name: round(1000 * (proc_end.get(name, 0.0) - start) / max(probe.crawls, 1), 2)
        for name, start in proc_start.items()
    }
    if commits_start is not None and commits_end is not None:
        result.commits_per_crawl = round((commits_end - commits_start) / max(probe.crawls, 1), 2)
    if added_at is not None:
        seen = first_request(sites[0], "/list/1.html?column=added", added_at)
        result.new_source_crawled_after_s = None if seen is None else round(seen - added_at, 1)
    result.interrupted_sources = len(interrupted)
    if restarted_at is not None and interrupted:
        by_id = {f"{site.id}-{k}": (site, str(k)) for site in sites for k in range(args.per_site)}
        by_id[f"{sites[0].id}-added"] = (sites[0], "added")
        delays = []
        for source_id in interrupted:
            site, k = by_id[source_id]
            seen = first_request(site, f"/list/1.html?column={k}", stopped_at)
            delays.append(None if seen is None else seen - restarted_at)
        known = [d for d in delays if d is not None]
        if len(known) == len(delays):
            result.interrupted_due_again_after_restart_s = round(max(known), 1)
            since_stop = max(known) + restarted_at - stopped_at
            result.interrupted_due_again_after_sigterm_s = round(since_stop, 1)
    story_check(result, url)
    return result


def fresh_database(base: str) -> tuple[str, Callable[[], None]]:
    from sqlalchemy import create_engine, text

    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        base.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return f"{base.rpartition('/')[0]}/{name}", drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--per-site", type=int, default=8)
    parser.add_argument("--articles", type=int, default=4)
    parser.add_argument("--interval", type=int, default=60)
    parser.add_argument("--delay", type=float, default=0.5, help="per-host delay, seconds")
    parser.add_argument("--limit", type=int, default=4, help="per-host concurrency")
    parser.add_argument("--latency", type=float, default=2.5, help="the sites' answer time")
    parser.add_argument("--concurrency", type=int, default=32, help="embedded: sources at once")
    parser.add_argument("--cycles", type=int, default=2, help="intervals CPU is measured over")
    parser.add_argument("--after", type=float, default=60, help="seconds after the interrupt")
    parser.add_argument("--warmup", type=float, default=30)
    parser.add_argument("--runners", nargs="+", default=["embedded", "procrastinate"])
    parser.add_argument("--embedded-sqlite", action="store_true")
    parser.add_argument("--workdir", type=Path, help="Keep configs and logs here.")
    args = parser.parse_args()
    sites = make_sites(args.sites, args.articles, args.latency)
    results = []
    postgres = os.environ.get("CITYDIGEST_TEST_POSTGRES_URL")
    from crawler.base.db import Database

    with serve(sites), tempfile.TemporaryDirectory() as scratch:
        tmp = args.workdir or Path(scratch)
        for runner in args.runners:
            folder = Path(tmp) / runner
            config = folder / "config"
            config.mkdir(parents=True)
            settings = SETTINGS_YAML.format(
                db="unused", concurrency=args.limit, delay=args.delay, timeout=10
            )
            (config / "citydigest.yaml").write_text(settings, encoding="utf-8")
            (config / "sources.yaml").write_text(
                sources_yaml(sites, args.per_site, args.interval), encoding="utf-8"
            )
            if runner == "embedded" and (args.embedded_sqlite or not postgres):
                url = f"sqlite:///{folder / 'bench.db'}"
                results.append(run(runner, config, url, args, folder, sites, Backends(None)))
                continue
            if not postgres:
                print(f"skipping {runner}: set CITYDIGEST_TEST_POSTGRES_URL", file=sys.stderr)
                continue
            url, drop = fresh_database(postgres)
            try:
                Database(url, upgrade=True).dispose()
                results.append(run(runner, config, url, args, folder, sites, Backends(url)))
            finally:
                drop()
    for result in results:
        result.sources = args.sites * args.per_site
        print(json.dumps(result.__dict__, ensure_ascii=False))


if __name__ == "__main__":
    main()
