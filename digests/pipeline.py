"""The two digest jobs, each one function that tells the story: select -> render -> deliver ->
archive. They only sequence the stages and record what happened to each subscriber.

- :func:`build_digests` (``citydigest digest build``): the digest each chosen subscriber would get
  now, written as ``<id>.html``, ``<id>.txt`` and ``<id>.eml`` into ``out_dir``; refreshes the
  archive; sends nothing and records no delivery.
- :func:`send_digests` (``citydigest digest send``): the digest of each chosen subscriber's
  current period (see :mod:`digests.period`), delivered at most once through the deliveries
  ledger (:mod:`digests.ledger`): a digest whose outcome is unknown (the server took DATA but
  did not answer, or a run died in DATA) is reported, not sent again, until
  ``smtp.unknown_resend_after`` has passed (if set); refreshes the archive.
- :func:`resend_digests` (``citydigest digest resend``): the operator's explicit decision to
  send the digests whose outcome is unknown once more (same window, same ``Message-ID``).

Both return a report whose ``rows()`` feed the CLI's summary table.
"""

from __future__ import annotations

__all__ = [
    "BuildReport",
    "SendReport",
    "SubscriberResult",
    "build_digests",
    "resend_digests",
    "send_digests",
]

import asyncio
import os
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2

from crawler.base.config import Config, Subscriber
from crawler.base.db import Database
from crawler.base.errors import DeliveryError, DigestError, PermanentDeliveryError
from digests import ledger
from digests.archive import base_url_of, day_url, update_archive
from digests.deliver import (
    DeliveryOutcomeUnknown,
    DeliveryWithdrawn,
    Mailer,
    Outgoing,
    SmtpUnavailable,
    build_message,
    list_id,
    message_id_for,
    unsubscribe_mailto,
)
from digests.digest import Digest
from digests.period import (
    Period,
    archive_days,
    day_bounds,
    due_period,
    first_window,
    period_of_key,
    period_on,
)
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
from digests.unsubscribe import make_token, unsubscribe_url

SENT = "sent"
SKIPPED_EMPTY = "skipped_empty"
ALREADY_SENT = "already_sent"
FAILED = "failed"
UNKNOWN = "unknown"  # the outcome of a delivery is in doubt (sending, or unknown in the ledger)
UNSUBSCRIBED = "unsubscribed"
DRY_RUN = "dry_run"
BUILT = "built"
_HEADERS = ("subscriber", "period", "status", "stories", "detail")
# How long a live attempt can hold a row ``sending`` beyond the two replies DATA waits for
# (``smtp.timeout`` for the 354, ``smtp.data_timeout`` for the message's): the commits around
# them. Older ``sending`` rows are a dead run's.
_SENDING_GRACE = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class SubscriberResult:
    """What happened to one subscriber in a run."""

    subscriber_id: str
    period: str
    # built | sent | dry_run | skipped_empty | already_sent | failed | unknown | unsubscribed
    status: str
    stories: int = 0
    detail: str = ""  # error text, file names, or a note

    def row(self) -> tuple[str, str, str, str, str]:
        return (self.subscriber_id, self.period, self.status, str(self.stories), self.detail)


@dataclass
class _Report:
    results: list[SubscriberResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    archive_dir: Path | None = None

    headers = _HEADERS

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    def rows(self) -> list[tuple[str, str, str, str, str]]:
        """One row per subscriber: subscriber, period, status, stories, detail."""
        return [r.row() for r in self.results]

    def totals(self) -> dict[str, int]:
        return dict(Counter(r.status for r in self.results))


@dataclass
class BuildReport(_Report):
    out_dir: Path | None = None

    @property
    def built(self) -> int:
        return self.count(BUILT)

    def summary_rows(self) -> list[tuple[str, int]]:
        return [
            ("built", self.built),
            ("skipped empty", self.count(SKIPPED_EMPTY)),
            ("unsubscribed", self.count(UNSUBSCRIBED)),
        ]


@dataclass
class SendReport(_Report):
    dry_run: bool = False

    @property
    def sent(self) -> int:
        return self.count(SENT)

    @property
    def skipped_empty(self) -> int:
        return self.count(SKIPPED_EMPTY)

    @property
    def already_sent(self) -> int:
        return self.count(ALREADY_SENT)

    @property
    def failed(self) -> int:
        return self.count(FAILED)

    @property
    def unknown(self) -> int:
        return self.count(UNKNOWN)

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.unknown == 0

    def summary_rows(self) -> list[tuple[str, int]]:
        rows = [
            ("sent", self.sent),
            ("skipped empty", self.skipped_empty),
            ("already sent", self.already_sent),
            ("failed", self.failed),
            ("outcome unknown", self.unknown),
            ("unsubscribed", self.count(UNSUBSCRIBED)),
        ]
        if self.dry_run:
            rows.insert(0, ("would send (dry run)", self.count(DRY_RUN)))
        return rows


@dataclass(frozen=True, slots=True)
class _Plan:
    """A subscriber's period and window, decided before anything is read or rendered."""

    subscriber: Subscriber
    zone: ZoneInfo
    period: Period
    start: datetime
    end: datetime
    row: ledger.DeliveryRow | None
    resend: bool = False  # an ``unknown`` row to send again (explicitly, or after the wait)


@dataclass(frozen=True, slots=True)
class _Composed:
    digest: Digest
    rendered: RenderedDigest
    message: Outgoing


class _Run:
    """What every subscriber of one run shares: config, templates, secret, clock."""

    def __init__(self, config: Config, db: Database, now: datetime | None, secret: bytes) -> None:
        self.config = config
        self.db = db
        self.injected = now is not None
        self.now = _now(now)
        self.secret = secret
        self.env: jinja2.Environment = environment()
        self.settings = config.settings
        self.archive_zone = config.settings.zone
        self.brand = brand_of(config.settings.smtp.from_)
        self.labels = {theme.id: theme.label for theme in config.taxonomy.themes}

    def clock(self) -> datetime:
        """The injected time in tests, else the real time (a batch takes a while)."""
        return self.now if self.injected else datetime.now(UTC)

    def plans(self, subscribers: Sequence[Subscriber], day: date | None) -> list[_Plan]:
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
            plans.append(_Plan(sub, zone, period, start, end, row))
        return plans

    def settle_stale(self) -> None:
        """``sending`` rows older than any live attempt can be are a dead run's: ``unknown``."""
        smtp = self.settings.smtp
        held = timedelta(seconds=smtp.timeout + smtp.data_timeout) + _SENDING_GRACE
        ledger.stale_sending(self.db, before=self.now - held)

    def resend_plans(
        self, subscribers: Sequence[Subscriber], rows: Sequence[ledger.DeliveryRow]
    ) -> list[_Plan]:
        """Plans that send these ``unknown`` rows again, each with its own period and window."""
        by_id = {s.id: s for s in subscribers}
        plans = []
        for row in rows:
            sub = by_id[row.subscriber_id]
            zone = ZoneInfo(sub.timezone or self.settings.timezone)
            # The row's own key even if the subscriber's frequency changed since.
            period = replace(period_of_key(sub, self.settings.timezone, row.period), key=row.period)
            plans.append(
                _Plan(sub, zone, period, row.window_start, row.window_end, row, resend=True)
            )
        return plans

    def pool(self, plans: Sequence[_Plan]) -> tuple[StoryPool, tuple[date, ...]]:
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

    def compose(self, pool: StoryPool, plan: _Plan) -> _Composed:
        """Select and render within the e-mail size budget, then wrap as a message."""
        sub = plan.subscriber
        token = make_token(self.secret, sub.id)
        base = base_url_of(self.settings.archive)
        unsubscribe = unsubscribe_url(base, token)
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
            unsubscribe_mailto=unsubscribe_mailto(smtp, token),
            list_id=list_id(smtp.from_),
            date=self.now,
        )
        return _Composed(digest, rendered, message)

    def archive(self, pool: StoryPool, days: Sequence[date]) -> Path:
        result = update_archive(
            self.env,
            self.settings.archive,
            [archive_day(pool, d, self.archive_zone) for d in days],
            zone=self.archive_zone,
            brand=self.brand,
            now=self.now,
        )
        return result.directory


def _chosen(config: Config, subscriber_ids: Sequence[str]) -> list[Subscriber]:
    if not subscriber_ids:
        return list(config.subscribers)
    known = {s.id: s for s in config.subscribers}
    missing = [i for i in subscriber_ids if i not in known]
    if missing:
        raise DigestError(
            f"digest: no subscriber {', '.join(map(repr, missing))} in "
            f"{config.dir / 'subscribers.yaml'} (known: {', '.join(sorted(known)) or 'none'})"
        )
    return [known[i] for i in dict.fromkeys(subscriber_ids)]


def _secret(config: Config, *, required: bool) -> tuple[bytes, str | None]:
    name = config.settings.unsubscribe_secret_env
    value = os.environ.get(name, "")
    if len(value.encode("utf-8")) >= 16:
        return value.encode("utf-8"), None
    problem = "is not set" if not value else "is shorter than 16 bytes"
    if required:
        raise DigestError(
            f"digest: the unsubscribe secret ${name} {problem}; set it to a long random string "
            "(unsubscribe links must be signed with a key that outlives this run)"
        )
    return secrets.token_bytes(32), (
        f"${name} {problem}: unsubscribe links in these files are signed with a throwaway key"
    )


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError(f"naive datetime {now!r} given where an aware one is needed")
    return now.astimezone(UTC)


def _write(path: Path, data: str | bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    if isinstance(data, bytes):
        tmp.write_bytes(data)
    else:
        tmp.write_text(data, encoding="utf-8", newline="\n")
    tmp.replace(path)


def build_digests(
    config: Config,
    db: Database,
    *,
    day: date | None = None,
    subscriber_ids: Sequence[str] = (),
    out_dir: Path,
    now: datetime | None = None,
) -> BuildReport:
    """Write each chosen subscriber's current digest to ``out_dir`` and refresh the archive.

    ``day``: build the digest of the period whose send slot falls on that local date instead of
    the one due now. Unsubscribed subscribers and empty digests of ``empty: skip`` subscribers
    get no files. Nothing is sent; no delivery is recorded.
    """
    secret, note = _secret(config, required=False)
    run = _Run(config, db, now, secret)
    subscribers = _chosen(config, subscriber_ids)
    report = BuildReport(out_dir=out_dir, notes=[note] if note else [])
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DigestError(f"digest: cannot create {out_dir}: {exc.strerror}") from exc
    stopped = ledger.unsubscribed(db, (s.id for s in subscribers))
    plans = run.plans([s for s in subscribers if s.id not in stopped], day)
    report.results.extend(
        SubscriberResult(s.id, "", UNSUBSCRIBED) for s in subscribers if s.id in stopped
    )
    pool, days = run.pool(plans)  # select
    for plan in plans:
        sub = plan.subscriber
        composed = run.compose(pool, plan)  # select + render
        if composed.digest.is_empty and sub.empty == "skip":
            report.results.append(SubscriberResult(sub.id, plan.period.key, SKIPPED_EMPTY))
            continue
        files = {
            f"{sub.id}.html": composed.rendered.html,
            f"{sub.id}.txt": composed.rendered.text,
            f"{sub.id}.eml": composed.message.data,
        }
        try:
            for name, data in files.items():
                _write(out_dir / name, data)
        except OSError as exc:
            raise DigestError(f"digest: cannot write {out_dir}: {exc.strerror}") from exc
        report.results.append(
            SubscriberResult(
                sub.id,
                plan.period.key,
                BUILT,
                composed.digest.total,
                ", ".join(files),
            )
        )
    report.archive_dir = run.archive(pool, days)  # archive
    return report


async def send_digests(
    config: Config,
    db: Database,
    *,
    day: date | None = None,
    subscriber_ids: Sequence[str] = (),
    dry_run: bool = False,
    smtp_password: str | None = None,
    now: datetime | None = None,
) -> SendReport:
    """Deliver each chosen subscriber's current digest, at most once per period.

    A period whose delivery is in doubt (``sending`` or ``unknown`` in the ledger) is reported
    as ``unknown`` and not sent, except that with ``smtp.unknown_resend_after`` set, every
    ``unknown`` delivery of the chosen subscribers (of any period) whose last attempt began at
    least that long ago is sent once more. ``smtp_password`` defaults to the variable named by
    ``smtp.password_env``. With ``dry_run`` everything is selected and rendered but nothing is
    sent, recorded or archived.
    """
    secret, _ = _secret(config, required=not dry_run)
    run = _Run(config, db, now, secret)
    subscribers = _chosen(config, subscriber_ids)
    report = SendReport(dry_run=dry_run)
    if not dry_run:
        run.settle_stale()
    stopped = ledger.unsubscribed(db, (s.id for s in subscribers))
    active = [s for s in subscribers if s.id not in stopped]
    plans = run.plans(active, day)
    wait = config.settings.smtp.unknown_resend_after
    if wait is not None and not dry_run:
        plans = _with_resends(run, active, plans, wait)
    report.results.extend(
        SubscriberResult(s.id, "", UNSUBSCRIBED) for s in subscribers if s.id in stopped
    )
    await _send(run, report, plans, smtp_password, dry_run=dry_run)
    return report


async def resend_digests(
    config: Config,
    db: Database,
    *,
    subscriber_ids: Sequence[str] = (),
    period: str | None = None,
    smtp_password: str | None = None,
    now: datetime | None = None,
) -> SendReport:
    """Send once more each chosen subscriber's digest whose outcome is ``unknown`` (only that
    ``period``'s, if given), with its window and ``Message-ID``: the operator's decision that a
    possible second copy is better than a possibly missing one.

    A row still ``sending`` (an attempt that may be alive) is reported and left alone; so is a
    subscriber who unsubscribed. The archive is not refreshed (these days are in it already).
    """
    secret, _ = _secret(config, required=True)
    run = _Run(config, db, now, secret)
    subscribers = _chosen(config, subscriber_ids)
    report = SendReport()
    run.settle_stale()
    rows = [
        r
        for r in ledger.in_doubt(db, (s.id for s in subscribers))
        if period is None or r.period == period
    ]
    stopped = ledger.unsubscribed(db, (r.subscriber_id for r in rows))
    resend = []
    for row in rows:
        if row.subscriber_id in stopped:
            report.results.append(SubscriberResult(row.subscriber_id, row.period, UNSUBSCRIBED))
        elif row.status == ledger.SENDING:
            report.results.append(_in_doubt(row, run))
        else:
            resend.append(row)
    if not rows:
        which = f" of period {period}" if period else ""
        report.notes.append(f"no delivery{which} has an unknown outcome: nothing to resend")
    plans = run.resend_plans(subscribers, resend)
    await _send(run, report, plans, smtp_password, dry_run=False, archive=False)
    return report


def _with_resends(
    run: _Run, subscribers: Sequence[Subscriber], plans: list[_Plan], wait: timedelta
) -> list[_Plan]:
    """The plans, with every ``unknown`` delivery whose last attempt began ``wait`` ago or more
    marked (its own period's plan) or added (an earlier period) to be sent again."""
    due = [
        r
        for r in ledger.in_doubt(run.db, (s.id for s in subscribers))
        if r.status == ledger.UNKNOWN and (r.attempted_at or r.window_end) <= run.now - wait
    ]
    again = {
        (r.subscriber_id, r.period): plan
        for r, plan in zip(due, run.resend_plans(subscribers, due), strict=True)
    }
    merged = [again.pop((p.subscriber.id, p.period.key), p) for p in plans]
    return merged + list(again.values())


async def _send(
    run: _Run,
    report: SendReport,
    plans: Sequence[_Plan],
    smtp_password: str | None,
    *,
    dry_run: bool,
    archive: bool = True,
) -> None:
    """Compose and deliver the plans through one SMTP session; results into ``report``."""
    pool, days = run.pool(plans)  # select
    smtp = run.settings.smtp
    password = smtp_password if smtp_password is not None else os.environ.get(smtp.password_env)
    batch = _Batch(run, Mailer(smtp, password), len(plans))
    try:
        async with batch.mailer, asyncio.TaskGroup() as group:
            group.create_task(batch.sender())
            for index, plan in enumerate(plans):
                result = _settled(plan, batch.unavailable, run)  # sent, refused, in doubt, down
                if result is None:
                    composed = run.compose(pool, plan)  # select + render
                    result = _held_back(plan, composed, dry_run=dry_run)  # empty, dry run
                if result is not None:
                    batch.results[index] = result
                    continue
                await batch.queue.put((index, plan, composed))  # deliver
                await asyncio.sleep(0)  # let the sender start its SMTP exchange
            await batch.queue.put(None)
    except BaseExceptionGroup as group:
        # A crash in the sender: surface it as itself, as a sequential loop would.
        raise group.exceptions[0] from None
    report.results.extend(r for r in batch.results if r is not None)
    if archive and not dry_run:
        report.archive_dir = run.archive(pool, days)  # archive


def _settled(plan: _Plan, unavailable: str | None, run: _Run) -> SubscriberResult | None:
    """The outcome of a period that needs no digest: already sent, refused before, in doubt
    (not to be sent blindly), or the server went away earlier in this batch."""
    sub, key, row = plan.subscriber, plan.period.key, plan.row
    if row is not None and row.status == ledger.SENT:
        when = f"sent {row.sent_at:%Y-%m-%d %H:%M} UTC" if row.sent_at else "sent"
        return SubscriberResult(sub.id, key, ALREADY_SENT, 0, when)
    if row is not None and row.status == ledger.FAILED:
        return SubscriberResult(sub.id, key, FAILED, 0, f"refused earlier: {row.error or ''}")
    if row is not None and row.status in ledger.IN_DOUBT and not plan.resend:
        return _in_doubt(row, run)
    if unavailable is not None:
        return SubscriberResult(sub.id, key, FAILED, 0, f"not attempted: {unavailable}")
    return None


def _in_doubt(row: ledger.DeliveryRow, run: _Run) -> SubscriberResult:
    """The report line of a delivery that is not sent again now because it may have arrived."""
    since = f"{row.attempted_at:%Y-%m-%d %H:%M} UTC" if row.attempted_at else "an unknown time"
    if row.status == ledger.SENDING:
        detail = (
            f"being sent since {since} by another run (or one that stopped: unknown once "
            "no live attempt can hold it)"
        )
    else:
        wait = run.settings.smtp.unknown_resend_after
        again = (
            f"sent again by the first run {wait} after the attempt"
            if wait
            else "not sent again automatically"
        )
        detail = (
            f"outcome unknown since {since} ({row.error or 'no answer'}); {again}; "
            "`citydigest digest resend` sends it now"
        )
    return SubscriberResult(row.subscriber_id, row.period, UNKNOWN, 0, detail)


def _held_back(plan: _Plan, composed: _Composed, *, dry_run: bool) -> SubscriberResult | None:
    """The outcome of a digest that is composed but not sent: empty (skip), or a dry run."""
    sub, key = plan.subscriber, plan.period.key
    if plan.row is None and composed.digest.is_empty and sub.empty == "skip":
        return SubscriberResult(sub.id, key, SKIPPED_EMPTY)
    if dry_run:
        return SubscriberResult(
            sub.id, key, DRY_RUN, composed.digest.total, composed.rendered.subject
        )
    return None


class _Batch:
    """One SMTP session fed by the composing loop through a one-slot queue: the next digest is
    rendered while the server digests the current one, and at most one message is ever in
    flight (so a crash leaves at most one delivery in doubt)."""

    def __init__(self, run: _Run, mailer: Mailer, size: int) -> None:
        self.run = run
        self.mailer = mailer
        self.queue: asyncio.Queue[tuple[int, _Plan, _Composed] | None] = asyncio.Queue(1)
        self.results: list[SubscriberResult | None] = [None] * size
        self.unavailable: str | None = None

    async def sender(self) -> None:
        while (item := await self.queue.get()) is not None:
            index, plan, composed = item
            if self.unavailable is not None:
                self.results[index] = SubscriberResult(
                    plan.subscriber.id,
                    plan.period.key,
                    FAILED,
                    0,
                    f"not attempted: {self.unavailable}",
                )
                continue
            result = await _deliver(self.run, self.mailer, plan, composed)
            self.results[index] = result
            if result.status == FAILED and result.detail.startswith("unavailable: "):
                self.unavailable = result.detail.removeprefix("unavailable: ")


class _LedgerGuard:
    """The ledger's side of :meth:`Mailer.send`: ``sending`` committed before DATA, a refused
    DATA recorded as delivering nothing."""

    def __init__(self, run: _Run, row: ledger.DeliveryRow) -> None:
        self.run = run
        self.row = row

    def before_data(self) -> bool:
        return ledger.mark_sending(self.run.db, self.row, now=self.run.clock())

    def data_refused(self, reply: str) -> None:
        ledger.record_error(self.run.db, self.row, f"DATA refused: {reply}")


async def _deliver(run: _Run, mailer: Mailer, plan: _Plan, composed: _Composed) -> SubscriberResult:
    sub, key = plan.subscriber, plan.period.key
    stories = composed.digest.total
    if plan.row is None:
        row, claimed = ledger.create(
            run.db,
            subscriber_id=sub.id,
            period=key,
            window_start=plan.start,
            window_end=plan.end,
            message_id=composed.message.message_id,
            story_count=stories,
            now=run.now,
        )
    else:
        row, claimed = plan.row, False
    if row.status == ledger.SENT:
        return SubscriberResult(sub.id, key, ALREADY_SENT, 0, "sent by another run")
    claim: ledger.DeliveryRow | None = row
    if plan.resend:
        claim = ledger.resend(run.db, row)
    elif not claimed:
        claim = ledger.begin_attempt(run.db, row)
    if claim is None:
        return SubscriberResult(sub.id, key, ALREADY_SENT, 0, "another run is sending it")
    try:
        await mailer.send(composed.message, _LedgerGuard(run, claim))
    except PermanentDeliveryError as exc:
        ledger.mark_failed(run.db, claim, str(exc))
        return SubscriberResult(sub.id, key, FAILED, stories, str(exc))
    except DeliveryWithdrawn:
        return SubscriberResult(sub.id, key, ALREADY_SENT, 0, "another run is sending it")
    except DeliveryOutcomeUnknown as exc:
        ledger.mark_unknown(run.db, claim, str(exc))
        return SubscriberResult(
            sub.id, key, UNKNOWN, stories, f"{exc}; not sent again (`citydigest digest resend`)"
        )
    except SmtpUnavailable as exc:
        ledger.record_error(run.db, claim, str(exc))
        return SubscriberResult(sub.id, key, FAILED, stories, f"unavailable: {exc}")
    except DeliveryError as exc:
        ledger.record_error(run.db, claim, str(exc))
        return SubscriberResult(sub.id, key, FAILED, stories, str(exc))
    step = timedelta(days=7 if sub.frequency == "weekly" else 1)
    following = period_on(sub, run.settings.timezone, plan.period.local_day + step)
    ledger.mark_sent(
        run.db,
        claim,
        sent_at=run.clock(),
        email=sub.email,
        next_digest_at=None if plan.resend else following.slot,
    )
    detail = sub.email + (
        " (sent again: the earlier copy's outcome was unknown)" if plan.resend else ""
    )
    return SubscriberResult(sub.id, key, SENT, stories, detail)
