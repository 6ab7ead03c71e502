"""``citydigest demo``: the whole pipeline offline, from any folder, in seconds.

A bundled WARC snapshot of four realistic sites (a city news site with a feed, a GBK government
site with list pages and a policy metadata table, a Big5 Traditional-Chinese paper carrying the
seed article, a portal with a sitemap that syndicates the others) is replayed through the same
fetch → discover → extract → tag → dedup → store pipeline as a live crawl; then the digest of a
demo subscriber is built (HTML, plain text, .eml) together with the HTML archive.

The demo reads as the snapshot's own day, not today: the replayed crawl is dated half an hour
after the newest page in the snapshot (as a crawl of that day would have found them), and the
digest is the one due that evening. The digest's rule of time then works as it does live: pages
published within the subscriber's grace days are news, an older one goes to 旧闻补录.
"""

from __future__ import annotations

__all__ = ["DEMO_SNAPSHOT", "DemoResult", "run_demo"]

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from crawler.base.config import load_config
from crawler.base.db import Database
from crawler.base.models import Article, Story
from crawler.pipeline import crawl
from crawler.report import CrawlSummary
from crawler.warc import WarcReplayTransport
from digests.pipeline import build_digests
from digests.report import BuildReport

DEMO_DIR = Path(__file__).resolve().parents[1] / "data" / "demo"
DEMO_SNAPSHOT = DEMO_DIR / "snapshot.warc.gz"

_SETTINGS = """\
# The demo's settings: a SQLite file and the archive inside this folder.
database: sqlite:///{db}
timezone: Asia/Shanghai
user_agent: "citydigest-demo/0.1 (+https://github.com/citydigest/citydigest)"
fetch:
  per_host_delay: 0
archive:
  dir: {archive}
  base_url: http://localhost:8000/archive/
"""

_SUBSCRIBERS = """\
# The demo subscriber: everything, shown in Simplified characters, in the evening; stories
# published before the grace days but found now come in a 旧闻补录 section.
subscribers:
  - id: demo
    email: demo@example.org
    name: 王丽
    timezone: Asia/Shanghai
    send_at: "{send_at}"
    empty: send
    grace_days: 3
    old_news: true
"""
_SEND_AT = "20:00"
_CRAWL_LAG = timedelta(minutes=30)


@dataclass(frozen=True)
class DemoResult:
    folder: Path
    crawl: CrawlSummary
    digests: BuildReport

    @property
    def html(self) -> Path:
        return self.folder / "demo.html"


async def run_demo(folder: Path) -> DemoResult:
    """Crawl the bundled snapshot into ``folder``/citydigest.db and write the demo digest."""
    folder = folder.resolve()
    config_dir = folder / "config"
    config_dir.mkdir(parents=True, exist_ok=True)
    db_path = folder / "citydigest.db"
    for stale in (db_path, folder / "citydigest.db-wal", folder / "citydigest.db-shm"):
        stale.unlink(missing_ok=True)  # a rerun starts afresh: the demo's window is "now"
    (config_dir / "citydigest.yaml").write_text(
        _SETTINGS.format(db=db_path, archive=folder / "archive"), encoding="utf-8"
    )
    (config_dir / "sources.yaml").write_text(
        (DEMO_DIR / "sources.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (config_dir / "subscribers.yaml").write_text(
        _SUBSCRIBERS.format(send_at=_SEND_AT), encoding="utf-8"
    )
    config = load_config(config_dir)
    db = Database(config.settings.database)
    try:
        transport = WarcReplayTransport([DEMO_SNAPSHOT])
        summary = await crawl(config, db, transport=transport)
        day, send_time = _date_crawl(db, config.settings.zone)
        report = build_digests(config, db, day=day, out_dir=folder, now=send_time)
    finally:
        db.dispose()
    return DemoResult(folder, summary, report)


def _date_crawl(db: Database, zone: ZoneInfo) -> tuple[date, datetime]:
    """Date the replayed crawl on the snapshot's own day: every story and article first seen
    just after the newest page was published. Returns that day and its evening send slot."""
    with db.session() as session:
        newest = session.scalar(select(func.max(Article.published)))
        crawled = (newest or datetime.now(UTC)) + _CRAWL_LAG
        session.execute(update(Story).values(first_seen=crawled, last_seen=crawled))
        session.execute(update(Article).values(fetched=crawled))
    day = crawled.astimezone(zone).date()
    hour, minute = (int(part) for part in _SEND_AT.split(":"))
    send = datetime.combine(day, datetime.min.time().replace(hour=hour, minute=minute), zone)
    return day, max(send, crawled + timedelta(minutes=1)).astimezone(UTC)
