"""One digest run: what every subscriber of a ``digest build``, ``send`` or ``resend`` shares
(config, templates, unsubscribe secret, clock) and the steps each job takes before anything is
delivered: plan each subscriber's period and window (:class:`Plan`), load the stories of all
windows at once, select and render each digest within the e-mail size budget and wrap it as a
message (:class:`Composed`), and refresh the archive.

:mod:`digests.pipeline` sequences these; :mod:`digests.sending` delivers what they compose.
"""

from __future__ import annotations

__all__ = ["Composed", "Plan", "Run", "now_utc"]

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2

from crawler.base.config import Config, Subscriber
from crawler.base.config.subscribers import SubscriberFilter
from crawler.base.db import Database
from digests import ledger
from digests.archive import (
    DayView,
    SubscriberFeed,
    base_url_of,
    city_links,
    day_url,
    known_views,
    normal_filter,
    update_archive,
    update_policy_page,
    update_subscriber_feeds,
    view_exists,
    view_key,
    view_url,
)
from digests.deliver import Outgoing, build_message, list_id, message_id_for, unsubscribe_mailto
from digests.digest import ArchiveDay, Digest
from digests.period import Period, archive_days, day_bounds, due_period, first_window, period_on
from digests.preferences import KIND_LABELS
from digests.render import (
    CHIP_CITIES,
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

    @staticmethod
    def network_start(plan: Plan) -> datetime | None:
        """Where the week's visit network a digest carries begins, or None for none: a weekly
        edition's is its window; a Monday daily's (``monday_network``) the seven days before
        its end."""
        sub = plan.subscriber
        if sub.frequency == "weekly":
            return plan.start
        if sub.monday_network and plan.period.local_day.weekday() == 0:
            return plan.end - timedelta(days=7)
        return None

    def pool(self, plans: Sequence[Plan]) -> tuple[StoryPool, tuple[date, ...]]:
        """One pool for every window (and the week a network looks back over) and for the whole
        archive days they touch."""
        days = sorted({d for p in plans for d in archive_days(p.start, p.end, self.archive_zone)})
        if not plans:
            return load_pool(self.db, self.now, self.now, self.labels, self.archive_zone), ()
        start = min(min(p.start, self.network_start(p) or p.start) for p in plans)
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
        since = self.network_start(plan)
        week = pool.visit_counts(pool.indexes_between(since, plan.end)) if since else ()
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
                more_urls=self.more_urls(digest, sub.filter),
                preferences_url=manage,
                week_network=week,
                network_title=f"{'本' if sub.frequency == 'weekly' else '上'}周考察交流网络",
                city_pages=city_links(
                    self.settings.archive,
                    (c for s in digest.sections for e in s.entries for c in e.cities[:CHIP_CITIES]),
                ),
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

    def more_urls(self, digest: Digest, flt: SubscriberFilter) -> dict[str, str]:
        """Where each cut section's 还有N条 leads: the reader's filtered view of the archive day
        holding most of what was cut (the later day on a tie), at the section."""
        out = {}
        for section in digest.sections:
            if section.hidden_days:
                counts = Counter(section.hidden_days)
                day = max(counts, key=lambda d: (counts[d], d))
                out[section.id] = f"{view_url(self.settings.archive, flt, day)}#{section.id}"
        return out

    def mailto(self, token: str) -> str:
        """The List-Unsubscribe mailto fallback: to ``smtp.unsubscribe_mailto`` (a mailbox that
        is read) when set, else to the sender."""
        smtp = self.settings.smtp
        if smtp.unsubscribe_mailto:
            smtp = smtp.model_copy(update={"from_": smtp.unsubscribe_mailto})
        return unsubscribe_mailto(smtp, token)

    def archive(self, pool: StoryPool, days: Sequence[date], plans: Sequence[Plan] = ()) -> Path:
        """Refresh the archive's pages of ``days`` with the filtered views of each of ``plans``'
        filters (and every other view the archive has of those days), an earlier day whose
        visit the new days return, and the own feed of each of ``plans``."""
        settings = self.settings.archive
        registry = known_views(settings)
        mine: dict[str, SubscriberFilter] = {}
        for plan in plans:
            key = view_key(plan.subscriber.filter)
            if key is not None:
                mine.setdefault(key, normal_filter(plan.subscriber.filter))

        def views(pool: StoryPool, day: date, own: Mapping[str, SubscriberFilter]) -> list[DayView]:
            chosen = dict(own)
            chosen.update(
                (k, f)
                for k, f in registry.items()
                if k not in chosen and view_exists(settings, k, day)
            )
            found = [
                DayView(k, f, self.describe(f), archive_day(pool, day, self.archive_zone, f))
                for k, f in chosen.items()
            ]
            return [v for v in found if v.day.total]

        def reload(day: date) -> tuple[ArchiveDay, list[DayView]]:
            start, end = day_bounds(day, self.archive_zone)
            earlier = load_pool(self.db, start, end, self.labels, self.archive_zone)
            return archive_day(earlier, day, self.archive_zone), views(earlier, day, {})

        result = update_archive(
            self.env,
            settings,
            [archive_day(pool, d, self.archive_zone) for d in days],
            zone=self.archive_zone,
            brand=self.brand,
            now=self.now,
            views=[v for d in days for v in views(pool, d, mine)],
            reload=reload,
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

    def describe(self, flt: SubscriberFilter) -> str:
        """What a filter chooses, in the reader's words (a filtered view's second line)."""
        parts = [
            f"{label}：{'、'.join(values)}"
            for label, values in (
                ("城市", flt.cities),
                ("省份", flt.provinces),
                ("主题", tuple(self.labels.get(t, t) for t in flt.themes)),
                ("关键词", flt.keywords),
                ("排除", flt.exclude),
            )
            if values
        ]
        if set(flt.kinds) != set(KIND_LABELS):
            parts.append(f"类别：{'、'.join(KIND_LABELS.get(k, k) for k in flt.kinds)}")
        return "；".join(parts)

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
