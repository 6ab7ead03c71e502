"""One digest run: what every subscriber of a ``digest build``, ``send`` or ``resend`` shares
(config, templates, unsubscribe secret, clock) and the steps each job takes before anything is
delivered: plan each subscriber's period and window (:class:`Plan`), load the stories of all
windows at once, select and render each digest within the e-mail size budget and wrap it as a
message (:class:`Composed`), and refresh the archive.

:mod:`digests.pipeline` sequences these; :mod:`digests.sending` delivers what they compose.
"""

from __future__ import annotations

__all__ = ["Composed", "Plan", "Run", "now_utc"]

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2

from crawler.base.config import Config, Subscriber
from crawler.base.db import Database
from digests import ledger
from digests.archive import (
    SubscriberFeed,
    base_url_of,
    day_url,
    update_archive,
    update_policy_page,
    update_subscriber_feeds,
)
from digests.deliver import Outgoing, build_message, list_id, message_id_for, unsubscribe_mailto
from digests.digest import Digest
from digests.period import Period, archive_days, day_bounds, due_period, first_window, period_on
from digests.render import (
    MAX_EMAIL_BYTES,
    DayLink,
    EmailContext,
    RenderedDigest,
    brand_of,
    environment,
    render_digest,
)
from digests.select import StoryPool, archive_day, load_pool, select_digest
from digests.unsubscribe import feed_name, make_token, preferences_url, unsubscribe_url


@dataclass(frozen=True, slots=True)
class Plan:
    """A subscriber's period and window, decided before anything is read or rendered."""

    subscriber: Subscriber
    zone: ZoneInfo
    period: Period
    start: datetime
    end: datetime
    row: ledger.DeliveryRow | None
    resend: bool = False  # an ``unknown`` row to send again (explicitly, or after the wait)


@dataclass(frozen=True, slots=True)
class Composed:
    digest: Digest
    rendered: RenderedDigest
    message: Outgoing


def now_utc(now: datetime | None) -> datetime:
    """``now`` (aware, as UTC), or the real time."""
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError(f"naive datetime {now!r} given where an aware one is needed")
    return now.astimezone(UTC)


class Run:
    """What every subscriber of one run shares: config, templates, secret, clock."""

    def __init__(self, config: Config, db: Database, now: datetime | None, secret: bytes) -> None:
        self.config = config
        self.db = db
        self.injected = now is not None
        self.now = now_utc(now)
        self.secret = secret
        self.env: jinja2.Environment = environment()
        self.settings = config.settings
        self.archive_zone = config.settings.zone
        self.brand = brand_of(config.settings.smtp.from_)
        self.labels = {theme.id: theme.label for theme in config.taxonomy.themes}

    def clock(self) -> datetime:
        """The injected time in tests, else the real time (a batch takes a while)."""
        return self.now if self.injected else datetime.now(UTC)

    def plans(self, subscribers: Sequence[Subscriber], day: date | None) -> list[Plan]:
        periods = {}
        for sub in subscribers:
            if day is None:
                periods[sub.id] = due_period(sub, self.settings.timezone, self.now)
            else:
                periods[sub.id] = period_on(sub, self.settings.timezone, day)
        rows = ledger.existing(self.db, ((s.id, periods[s.id].key) for s in subscribers))
        ends = ledger.last_sent_ends(self.db, (s.id for s in subscribers))
        plans = []
        for sub in subscribers:
            period = periods[sub.id]
            zone = ZoneInfo(sub.timezone or self.settings.timezone)
            row = rows.get((sub.id, period.key))
            if row is not None:
                start, end = row.window_start, row.window_end
            else:
                end = self.now if day is None else min(period.slot, self.now)
                earlier = [e for e in ends.get(sub.id, ()) if e <= end]
                start = earlier[-1] if earlier else first_window(sub, end)
            plans.append(Plan(sub, zone, period, start, end, row))
        return plans

    def pool(self, plans: Sequence[Plan]) -> tuple[StoryPool, tuple[date, ...]]:
        """One pool for every window and for the whole archive days they touch."""
        days = sorted({d for p in plans for d in archive_days(p.start, p.end, self.archive_zone)})
        if not plans:
            return load_pool(self.db, self.now, self.now, self.labels, self.archive_zone), ()
        start = min(p.start for p in plans)
        end = max(p.end for p in plans)
        if days:
            start = min(start, day_bounds(days[0], self.archive_zone)[0])
            end = max(end, day_bounds(days[-1], self.archive_zone)[1])
        return load_pool(self.db, start, end, self.labels, self.archive_zone), tuple(days)

    def compose(self, pool: StoryPool, plan: Plan) -> Composed:
        """Select and render within the e-mail size budget, then wrap as a message."""
        sub = plan.subscriber
        token = make_token(self.secret, sub.id)
        base = base_url_of(self.settings.archive)
        unsubscribe = unsubscribe_url(base, token)
        manage = preferences_url(base, make_token(self.secret, sub.id, "preferences"))
        week = (  # a weekly edition carries the week's network: every visit of its window
            pool.visit_counts(pool.indexes_between(plan.start, plan.end))
            if sub.frequency == "weekly"
            else ()
        )
        cap: int | None = None
        while True:
            digest = select_digest(
                pool,
                subscriber_id=sub.id,
                flt=sub.filter,
                period=plan.period.key,
                start=plan.start,
                end=plan.end,
                limits=self.settings.digest,
                total_cap=cap,
                grace=timedelta(days=sub.grace_days),
                old_news=sub.old_news,
                day=plan.period.local_day,
            )
            ctx = EmailContext(
                brand=self.brand,
                name=sub.name,
                email=sub.email,
                zone=plan.zone,
                script=sub.script,
                frequency=sub.frequency,
                archive_links=tuple(
                    DayLink(d, day_url(self.settings.archive, d)) for d in digest.archive_days
                ),
                index_url=f"{base}index.html",
                unsubscribe_url=unsubscribe,
                filter=sub.filter,
                preferences_url=manage,
                week_network=week,
            )
            rendered = render_digest(self.env, digest, ctx)
            if rendered.html_bytes <= MAX_EMAIL_BYTES or digest.shown <= 1:
                break
            cap = min(
                digest.shown - 1, max(1, digest.shown * MAX_EMAIL_BYTES // rendered.html_bytes - 1)
            )
        smtp = self.settings.smtp
        message = build_message(
            rendered,
            settings=smtp,
            to_email=sub.email,
            to_name=sub.name,
            # A resend keeps the Message-ID the row was first sent with (the period's, unless
            # smtp.from changed since), so clients fold the two copies into one.
            message_id=(
                plan.row.message_id
                if plan.row is not None and plan.row.message_id
                else message_id_for(sub.id, plan.period.key, smtp.from_)
            ),
            unsubscribe_url=unsubscribe,
            unsubscribe_mailto=self.mailto(token),
            list_id=list_id(smtp.from_),
            date=self.now,
        )
        return Composed(digest, rendered, message)

    def mailto(self, token: str) -> str:
        """The List-Unsubscribe mailto fallback: to ``smtp.unsubscribe_mailto`` (a mailbox that
        is read) when set, else to the sender."""
        smtp = self.settings.smtp
        if smtp.unsubscribe_mailto:
            smtp = smtp.model_copy(update={"from_": smtp.unsubscribe_mailto})
        return unsubscribe_mailto(smtp, token)

    def archive(self, pool: StoryPool, days: Sequence[date], plans: Sequence[Plan] = ()) -> Path:
        """Refresh the archive's pages of ``days``, and the own feed of each of ``plans``."""
        result = update_archive(
            self.env,
            self.settings.archive,
            [archive_day(pool, d, self.archive_zone) for d in days],
            zone=self.archive_zone,
            brand=self.brand,
            now=self.now,
        )
        update_subscriber_feeds(
            self.env,
            self.settings.archive,
            [self.feed(pool, plan) for plan in plans],
            zone=self.archive_zone,
            now=self.now,
        )
        update_policy_page(
            self.env,
            self.settings.archive,
            self.db,
            zone=self.archive_zone,
            brand=self.brand,
            now=self.now,
        )
        return result.directory

    def feed(self, pool: StoryPool, plan: Plan) -> SubscriberFeed:
        """What ``plan``'s window adds to the subscriber's own feed: every story it matches."""
        sub = plan.subscriber
        chosen = sorted(pool.matching(sub.filter, plan.start, plan.end))
        return SubscriberFeed(
            name=feed_name(self.secret, sub.id),
            title=f"{self.brand} · {sub.name or sub.id}",
            script=sub.script,
            entries=tuple(pool.record(i).entry for i in chosen),
        )
