"""Helpers for the digest tests: seeding stories as the crawler stores them, configs, and an
SMTP handler that records what it receives (served by aiosmtpd in ``conftest.smtp_server``)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from crawler.base.config import Config
from crawler.base.config.settings import Settings
from crawler.base.config.subscribers import Subscriber
from crawler.base.db import Database
from crawler.base.models import Article, SourceState, Story

SECRET = "test-secret-0123456789abcdef"
NOW = datetime(2026, 11, 27, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai, 19:30 the day before in NY

SOURCES = {
    "xinhua": "新华网",
    "qingdao-news": "青岛新闻网",
    "sz-gov": "深圳市人民政府",
    "dazhong": "大众网",
    "hk-gov": "香港特区政府新闻网",
}


@dataclass
class Item:
    """A story to seed: its representative article, plus copies from other outlets."""

    title: str
    first_seen: datetime
    body: str = "青岛市代表团一行赴深圳考察学习，双方就智慧城市建设、金融科技合作进行深入交流。"
    source: str = "xinhua"
    url: str | None = None
    kind: str = "other"
    cities: Sequence[str] = ()
    provinces: Sequence[str] = ()
    themes: Sequence[str] = ()
    visits: Sequence[dict[str, Any]] = ()
    policy: dict[str, Any] | None = None
    also: Sequence[str] = ()  # other sources that carried it
    published: datetime | None = None  # None: the first sight (unless undated)
    undated: bool = False  # the page gave no date: stored without one
    titles: Sequence[str] = ()  # the copies' own titles (Traditional ones, say), by position
    story_id: int | None = field(default=None, init=False)


_counter = itertools.count(1)


def seed(db: Database, items: Sequence[Item]) -> list[Item]:
    """Insert sources, articles and stories as the crawler would have stored them."""
    with db.session() as session:
        for sid, name in SOURCES.items():
            if session.get(SourceState, sid) is None:
                session.add(SourceState(id=sid, name=name))
        session.flush()
        for item in items:
            n = next(_counter)
            story = Story(
                first_seen=item.first_seen,
                last_seen=item.first_seen,
                article_count=1 + len(item.also),
                outlet_count=1 + len(item.also),
                kind=item.kind,
            )
            session.add(story)
            session.flush()
            rep = None
            for k, source in enumerate([item.source, *item.also]):
                url = (
                    item.url
                    if k == 0 and item.url
                    else f"https://{source}.example.cn/a/{n}-{k}.html"
                )
                article = Article(
                    url=url,
                    canonical_url=f"{url}#{n}-{k}",
                    source_id=source,
                    title=item.titles[k - 1] if 0 < k <= len(item.titles) else item.title,
                    published=None if item.undated else (item.published or item.first_seen),
                    fetched=item.first_seen,
                    body=item.body,
                    outlet=SOURCES[source],
                    cities=list(item.cities),
                    provinces=list(item.provinces),
                    themes=list(item.themes),
                    visits=list(item.visits),
                    kind=item.kind,
                    policy=item.policy,
                    story_id=story.id,
                )
                session.add(article)
                session.flush()
                rep = rep or article
            story.representative_id = rep.id if rep else None
            item.story_id = story.id
    return list(items)


def subscriber(**data: Any) -> Subscriber:
    base: dict[str, Any] = {"id": "alice", "email": "alice@example.org", "name": "王丽"}
    base.update(data)
    return Subscriber.model_validate(base)


def make_config(tmp_path: Path, subscribers: Sequence[Subscriber], **smtp: Any) -> Config:
    settings = Settings.model_validate(
        {
            "timezone": "Asia/Shanghai",
            "smtp": {
                "host": "127.0.0.1",
                "port": 2525,
                "security": "none",
                "from": "城市考察快讯 <digest@example.org>",
                "retry_backoff": 0.01,
                **smtp,
            },
            "archive": {
                "dir": str(tmp_path / "archive"),
                "base_url": "https://digest.example.org/archive/",
            },
            "digest": {"per_section": 3, "total": 8},
        }
    )
    return Config(dir=tmp_path, settings=settings, sources=(), subscribers=tuple(subscribers))


def visit_item(visitor: str, host: str, at: datetime, **kw: Any) -> Item:
    defaults: dict[str, Any] = dict(
        title=f"{visitor}市党政代表团赴{host}考察交流",
        body=f"{visitor}市党政代表团一行赴{host}考察学习，双方举行座谈并签署合作协议。",
        kind="visit",
        cities=[visitor, host],
        visits=[
            {"visitor": visitor, "host": host, "date": at.date().isoformat(), "evidence": "赴…考察"}
        ],
    )
    defaults.update(kw)
    return Item(first_seen=at, **defaults)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


# --------------------------------------------------------------------------- SMTP server
