"""``citydigest.yaml``: the operator's settings, as frozen models with their defaults.

Database, timezone, user agent, retention, and one section per concern: ``fetch`` (the crawl's
politeness and limits), ``smtp`` (delivery), ``archive`` (the static archive), ``serve`` (what
``citydigest serve`` shows whom) and ``digest`` (how many stories a digest holds). A missing
file or key takes the default written here; the loader (:func:`crawler.base.config.load_config`)
reports a bad one with its line.
"""

from __future__ import annotations

__all__ = [
    "ArchiveSettings",
    "DigestLimits",
    "FetchSettings",
    "ServeSettings",
    "Settings",
    "SmtpSettings",
]

from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import ConfigDict, Field

from crawler.base.config.values import DatabaseUrl, Duration, Frozen, Url, Zone

DEFAULT_DATABASE = "sqlite:///data/citydigest.db"
DEFAULT_USER_AGENT = "citydigest/0.1 (+https://github.com/citydigest/citydigest)"


class FetchSettings(Frozen):
    per_host_concurrency: int = Field(2, ge=1, le=64)
    per_host_delay: float = Field(1.0, ge=0, le=3600)
    timeout: float = Field(20.0, gt=0, le=600)
    max_bytes: int = Field(10_000_000, ge=1024)
    max_redirects: int = Field(5, ge=0, le=20)
    obey_robots: bool = True
    allow_private_networks: bool = False


class SmtpSettings(Frozen):
    host: str = "localhost"
    port: int = Field(587, ge=1, le=65535)
    security: Literal["none", "starttls", "tls"] = "starttls"
    username: str | None = None
    password_env: str = "CITYDIGEST_SMTP_PASSWORD"
    from_: str = Field("citydigest <digest@localhost>", alias="from")
    reply_to: str | None = None
    # Where the List-Unsubscribe mailto fallback goes: a mailbox someone (or something) reads.
    # None: the From address, which many senders never read.
    unsubscribe_mailto: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None
    rate_per_second: float | None = Field(None, gt=0)
    timeout: float = Field(30.0, gt=0)
    # The wait for the reply to the message itself (after its end of data), which servers give
    # once they have scanned it: RFC 5321 4.5.3.2.6 asks clients for 10 minutes. No reply in
    # time makes the digest's outcome unknown, so a short one would do that to a slow server.
    data_timeout: float = Field(600.0, gt=0)
    # Transient failures (4xx, connection) are retried: up to max_attempts tries per message,
    # waiting retry_backoff seconds, doubled after each failure.
    max_attempts: int = Field(3, ge=1, le=10)
    retry_backoff: float = Field(2.0, ge=0, le=600)
    # A digest whose outcome is unknown (the server took DATA, no answer was read) is sent again
    # by the first send run this long after that attempt; None: only `citydigest digest resend`.
    unknown_resend_after: Duration | None = None

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class ArchiveSettings(Frozen):
    dir: Path = Path("./archive")
    base_url: Url = "http://localhost:8000/archive/"


class ServeSettings(Frozen):
    # /metrics and the status page answer loopback clients only unless this is true (then every
    # client that reaches the port reads them); see crawler/app/web.py.
    public_metrics: bool = False


class DigestLimits(Frozen):
    per_section: int = Field(10, ge=1)
    total: int = Field(40, ge=1)


class Settings(Frozen):
    # A relative path (a SQLite file, archive.dir) is taken from data_dir, which is the config
    # directory unless set (a relative data_dir too): never the working directory, which a cron
    # job or a service manager chooses. The loader resolves them (crawler.base.config.paths).
    data_dir: Path | None = None
    database: DatabaseUrl = DEFAULT_DATABASE
    timezone: Zone = "Asia/Shanghai"
    user_agent: str = DEFAULT_USER_AGENT
    retention_days: int = Field(180, ge=1, le=36_500)  # a larger one overflows a date
    fetch_log_days: int = Field(30, ge=1, le=36_500)
    fetch: FetchSettings = FetchSettings()
    smtp: SmtpSettings = SmtpSettings()
    archive: ArchiveSettings = ArchiveSettings()
    serve: ServeSettings = ServeSettings()
    digest: DigestLimits = DigestLimits()
    unsubscribe_secret_env: str = "CITYDIGEST_SECRET"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
