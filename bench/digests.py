"""Benchmark: build and send 1,000 subscribers' digests from 10,000 stories to a local SMTP server.

Goal (issue 7): under 60 s and 300 MB. Seeds a fresh SQLite database (or ``--database URL``)
with stories first seen over the last day, starts aiosmtpd (a sink) in a separate process on
127.0.0.1, then times ``build_digests`` and ``send_digests`` and prints the peak resident memory
of this process (the SMTP server's is not counted)::

    python bench/digests.py                       # 10,000 stories, 1,000 subscribers
    python bench/digests.py --stories 2000 --subscribers 100

The database is seeded by a child process, so the memory figure is the digests' own.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its name would shadow the
# `digests` package: drop the folder before importing.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from sqlalchemy import insert, update  # noqa: E402

from crawler.base.config import Config  # noqa: E402
from crawler.base.config.settings import Settings  # noqa: E402
from crawler.base.config.subscribers import Subscriber  # noqa: E402
from crawler.base.db import Database  # noqa: E402
from crawler.base.models import Article, SourceState, Story  # noqa: E402
from crawler.base.taxonomy import default_taxonomy  # noqa: E402
from digests import build_digests, send_digests  # noqa: E402

CITIES = {
    "青岛": "山东",
    "济南": "山东",
    "烟台": "山东",
    "潍坊": "山东",
    "深圳": "广东",
    "广州": "广东",
    "珠海": "广东",
    "东莞": "广东",
    "成都": "四川",
    "绵阳": "四川",
    "杭州": "浙江",
    "宁波": "浙江",
    "苏州": "江苏",
    "南京": "江苏",
    "武汉": "湖北",
    "西安": "陕西",
    "长沙": "湖南",
    "郑州": "河南",
    "合肥": "安徽",
    "福州": "福建",
    "厦门": "福建",
    "昆明": "云南",
    "贵阳": "贵州",
    "南宁": "广西",
    "哈尔滨": "黑龙江",
    "长春": "吉林",
    "沈阳": "辽宁",
    "大连": "辽宁",
    "兰州": "甘肃",
    "银川": "宁夏",
}
KEYWORDS = ["考察", "签约", "合作", "招商", "数字", "园区", "调研", "座谈"]
ZONES = ["Asia/Shanghai", "America/New_York", "Europe/London", "Asia/Hong_Kong"]
SENTENCE = (
    "{a}市党政代表团一行赴{b}考察学习，双方围绕{t}、产业协作和营商环境优化进行深入交流，"
    "并签署战略合作协议。"
)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu(who: int = resource.RUSAGE_SELF) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def seed(db: Database, stories: int, now: datetime, rng: random.Random) -> None:
    themes = [t.id for t in default_taxonomy().themes]
    labels = {t.id: t.label for t in default_taxonomy().themes}
    sources = [(f"src-{i}", f"测试来源{i}号") for i in range(40)]
    names = list(CITIES)
    with db.session() as session:
        session.execute(insert(SourceState), [{"id": i, "name": n} for i, n in sources])
        story_rows = []
        for i in range(stories):
            kind = rng.choices(["visit", "policy", "other"], [3, 2, 5])[0]
            story_rows.append(
                {
                    "id": i + 1,
                    "first_seen": now - timedelta(seconds=rng.uniform(60, 86_000)),
                    "kind": kind,
                    "article_count": 1,
                    "outlet_count": 1,
                }
            )
        session.execute(insert(Story), story_rows)
        articles = []
        next_id = 1
        reps = []
        for story in story_rows:
            copies = rng.choices([1, 2, 3], [6, 3, 1])[0]
            a, b = rng.sample(names, 2)
            theme = rng.choice(themes)
            body = SENTENCE.format(a=a, b=b, t=labels[theme]) * 12
            visits = (
                [{"visitor": a, "host": b, "date": None, "evidence": "赴…考察"}]
                if story["kind"] == "visit"
                else []
            )
            policy = (
                {"issuer": f"{b}市人民政府", "doc_no": f"{b[0]}政发〔2026〕{story['id']}号"}
                if story["kind"] == "policy"
                else None
            )
            reps.append(
                {
                    "id": story["id"],
                    "representative_id": next_id,
                    "outlet_count": copies,
                    "article_count": copies,
                }
            )
            for k, (sid, _) in enumerate(rng.sample(sources, copies)):
                articles.append(
                    {
                        "id": next_id,
                        "url": f"https://{sid}.example.cn/{story['id']}/{k}.html",
                        "canonical_url": f"https://{sid}.example.cn/{story['id']}/{k}.html",
                        "source_id": sid,
                        "title": f"{a}市代表团赴{b}考察{labels[theme]}合作（{story['id']}）",
                        "published": story["first_seen"] - timedelta(minutes=30),
                        "fetched": story["first_seen"],
                        "body": body,
                        "outlet": None,
                        "cities": [a, b],
                        "provinces": sorted({CITIES[a], CITIES[b]}),
                        "themes": [theme],
                        "visits": visits,
                        "kind": story["kind"],
                        "policy": policy,
                        "story_id": story["id"],
                    }
                )
                next_id += 1
        for chunk in range(0, len(articles), 2000):
            session.execute(insert(Article), articles[chunk : chunk + 2000])
        session.execute(update(Story), reps)  # ORM bulk UPDATE by primary key


def subscribers(count: int, rng: random.Random) -> tuple[Subscriber, ...]:
    themes = [t.id for t in default_taxonomy().themes]
    out = []
    for i in range(count):
        flt: dict[str, object] = {}
        roll = rng.random()
        if roll < 0.5:
            flt["cities"] = rng.sample(list(CITIES), rng.randint(1, 3))
        elif roll < 0.7:
            flt["provinces"] = rng.sample(sorted(set(CITIES.values())), 1)
        if rng.random() < 0.5:
            flt["themes"] = rng.sample(themes, rng.randint(1, 2))
        if rng.random() < 0.3:
            flt["keywords"] = rng.sample(KEYWORDS, 1)
        if rng.random() < 0.2:
            flt["exclude"] = ["招聘"]
        out.append(
            Subscriber.model_validate(
                {
                    "id": f"sub-{i:04d}",
                    "email": f"sub{i}@example.org",
                    "name": f"订户{i}",
                    "timezone": rng.choice(ZONES),
                    "send_at": "08:00",
                    "frequency": "weekly" if rng.random() < 0.1 else "daily",
                    "weekday": "mon",
                    "script": "traditional" if rng.random() < 0.1 else "simplified",
                    "filter": flt,
                    "empty": rng.choice(["skip", "send"]),
                }
            )
        )
    return tuple(out)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--subscribers", type=int, default=1_000)
    parser.add_argument("--database", help="SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument("--seed-only", metavar="NOW", help=argparse.SUPPRESS)
    args = parser.parse_args()
    rng = random.Random(7)
    if args.seed_only:  # the child process that fills the database
        seeding = Database(args.database, upgrade=True)
        seed(seeding, args.stories, datetime.fromisoformat(args.seed_only), rng)
        seeding.dispose()
        return 0
    now = datetime.now(UTC).replace(microsecond=0)
    work = Path(tempfile.mkdtemp(prefix="citydigest-bench-"))
    url = args.database or f"sqlite:///{work / 'bench.db'}"
    os.environ.setdefault("CITYDIGEST_SECRET", "bench-secret-0123456789abcdef")
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        started = time.perf_counter()
        # Seed in a child process, so that the memory figure is the digests' alone.
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--stories",
                str(args.stories),
                "--database",
                url,
                "--seed-only",
                now.isoformat(),
            ],
            check=True,
        )
        print(f"seeded {args.stories} stories in {time.perf_counter() - started:.1f} s")
        db = Database(url, upgrade=True)
        settings = Settings.model_validate(
            {
                "smtp": {
                    "host": "127.0.0.1",
                    "port": port,
                    "security": "none",
                    "from": "城市考察快讯 <digest@example.org>",
                },
                "archive": {
                    "dir": str(work / "archive"),
                    "base_url": "https://digest.example.org/",
                },
            }
        )
        config = Config(
            dir=work, settings=settings, sources=(), subscribers=subscribers(args.subscribers, rng)
        )

        started, cpu = time.perf_counter(), _cpu()
        built = build_digests(config, db, out_dir=work / "out", now=now)
        build_s, build_cpu = time.perf_counter() - started, _cpu() - cpu
        sizes = [p.stat().st_size for p in (work / "out").glob("*.html")]
        print(
            f"build: {build_s:.1f} s ({build_cpu:.1f} s CPU), {built.built} digests written, "
            f"{built.count('skipped_empty')} empty skipped; HTML max "
            f"{max(sizes, default=0) / 1000:.0f} KB, mean "
            f"{sum(sizes) / max(len(sizes), 1) / 1000:.0f} KB"
        )

        started, cpu = time.perf_counter(), _cpu()
        sent = asyncio.run(send_digests(config, db, now=now))
        send_s, send_cpu = time.perf_counter() - started, _cpu() - cpu
        print(
            f"send: {send_s:.1f} s ({send_cpu:.1f} s CPU), sent {sent.sent}, "
            f"skipped empty {sent.skipped_empty}, "
            f"already sent {sent.already_sent}, failed {sent.failed}"
        )
        print(f"total build + send: {build_s + send_s:.1f} s; peak RSS {_rss_mb():.0f} MB")
        db.dispose()
        return 0 if sent.failed == 0 else 1
    finally:
        server.terminate()
        server.wait(timeout=10)
        print(
            f"(child processes, the seeding and the SMTP server, used "
            f"{_cpu(resource.RUSAGE_CHILDREN):.1f} s CPU; "
            f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
        )


if __name__ == "__main__":
    raise SystemExit(main())
