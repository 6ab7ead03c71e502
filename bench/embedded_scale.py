"""Benchmark: the embedded runner scaling up when many sources are due.

``--sites`` loopback sites (one host each, ``--latency`` seconds per response, served from
memory by :mod:`staticfarm`) carry one source apiece, all due at the start, as after a restart
or for a fresh install; the runner (:class:`crawler.app.runners.embedded.Daemon`, in this
process, on SQLite) crawls them in three modes:

- ``before``: what it did until now: ``--concurrency`` sources per ``--tick``, dispatching
  only on the tick;
- ``fixed``: the same limit, but dispatching again as each crawl finishes;
- ``scaled``: the limit doubling while sources wait, up to ``--max-concurrency``, then back.

Reported per mode: crawls per minute until every source was crawled (or ``--duration`` ran
out), the time that took, and the peak concurrency; the ratio against ``before`` in the same run.

Run::

    python bench/embedded_scale.py --sites 200 --latency 0.05
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.append(str(HERE))  # after the root: bench/digests.py must not shadow digests

from staticfarm import serve_static  # noqa: E402

from crawler.app.runners.embedded import Daemon  # noqa: E402
from crawler.base.config import load_config  # noqa: E402
from crawler.base.db import Database  # noqa: E402
from tests.sitefarm import SETTINGS_YAML, Site, farm, sources_yaml  # noqa: E402

MODES = ("before", "fixed", "scaled")


def write_config(folder: Path, sites: list[Site]) -> Path:
    folder.mkdir(parents=True)
    settings = SETTINGS_YAML.format(db=folder / "bench.db", concurrency=2, delay=0, timeout=10)
    (folder / "citydigest.yaml").write_text(settings, encoding="utf-8")
    text = sources_yaml(sites, max_pages=1).replace("    name:", "    interval: 1h\n    name:")
    (folder / "sources.yaml").write_text(text, encoding="utf-8")
    return folder


class Before(Daemon):
    """The runner as it was: dispatching on the tick only."""

    def _dispatch_soon(self) -> None:
        return


async def crawl_all(daemon: Daemon, sources: int, duration: float) -> tuple[int, float]:
    """Run until every source was crawled once or ``duration`` passed: (crawled, seconds)."""
    runner = asyncio.create_task(daemon.run(install_signals=False))
    start = time.monotonic()
    while daemon.stats.crawls < sources and time.monotonic() - start < duration:
        await asyncio.sleep(0.05)
    took = time.monotonic() - start
    daemon.request_stop()
    await runner
    return daemon.stats.crawls, took


def run(mode: str, sites: list[Site], work: Path, args: argparse.Namespace) -> dict[str, float]:
    config = load_config(write_config(work / mode, sites))
    db = Database(f"sqlite:///{work / mode / 'bench.db'}")
    kind = Before if mode == "before" else Daemon
    daemon = kind(
        config,
        db,
        concurrency=args.concurrency,
        max_concurrency=args.max_concurrency if mode == "scaled" else args.concurrency,
        tick=args.tick,
        grace=5,
        watch=False,
    )
    crawled, took = asyncio.run(crawl_all(daemon, len(config.sources), args.duration))
    db.dispose()
    return {
        "per_min": 60 * crawled / took,
        "crawled": crawled,
        "seconds": took,
        "peak": daemon.stats.peak_concurrency,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--articles", type=int, default=2, help="articles per site")
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-concurrency", type=int, default=64)
    parser.add_argument("--tick", type=float, default=5.0)
    parser.add_argument("--duration", type=float, default=120.0)
    parser.add_argument("--modes", nargs="*", choices=MODES, default=list(MODES))
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    sites = farm(args.sites, args.articles, first_address=2, latency=args.latency)
    print(
        f"{args.sites} sources on {args.sites} hosts, {args.latency * 1000:.0f} ms a response, "
        f"concurrency {args.concurrency} (scaled: up to {args.max_concurrency}), "
        f"tick {args.tick:g} s"
    )
    print("mode     crawls/min  crawled  seconds  peak in flight  vs before")
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as scratch, serve_static(sites):
        for mode in args.modes:
            results[mode] = r = run(mode, sites, Path(scratch), args)
            base = results.get("before", r)["per_min"]
            print(
                f"{mode:<7}  {r['per_min']:10.0f}  {r['crawled']:7.0f}  {r['seconds']:7.1f}  "
                f"{r['peak']:14.0f}  {r['per_min'] / base:8.1f}x"
            )


if __name__ == "__main__":
    main()
