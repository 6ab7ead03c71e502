"""``citydigest demo``: the whole pipeline offline, from any folder, in seconds.

A bundled WARC snapshot of four realistic sites (a city news site with a feed, a GBK government
site with list pages and a policy metadata table, a Big5 Traditional-Chinese paper carrying the
seed article, a portal with a sitemap that syndicates the others) is replayed through the same
fetch → discover → extract → tag → dedup → store pipeline as a live crawl; then the digest of a
demo subscriber is built (HTML, plain text, .eml) together with the HTML archive.
"""

from __future__ import annotations

__all__ = ["DEMO_SNAPSHOT", "DemoResult", "run_demo"]

from dataclasses import dataclass
from pathlib import Path

from crawler.base.config import load_config
from crawler.base.db import Database
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
# The demo subscriber: everything, shown in Simplified characters.
subscribers:
  - id: demo
    email: demo@example.org
    name: 王丽
    timezone: Asia/Shanghai
    send_at: "08:00"
    empty: send
"""


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
    (config_dir / "subscribers.yaml").write_text(_SUBSCRIBERS, encoding="utf-8")
    config = load_config(config_dir)
    db = Database(config.settings.database)
    try:
        transport = WarcReplayTransport([DEMO_SNAPSHOT])
        summary = await crawl(config, db, transport=transport)
        report = build_digests(config, db, out_dir=folder)
    finally:
        db.dispose()
    return DemoResult(folder, summary, report)
