"""The delivery step of ``digest send`` and ``digest resend``: each plan composed and handed to
one SMTP session, at most once per subscriber and period.

:func:`send` settles what needs no digest (already sent, refused before, in doubt, the server
gone earlier in the batch), composes the rest and feeds them to a sender task through a
one-slot queue, so the next digest is rendered while the server takes the current one and at
most one message is ever in flight. Each delivery claims its ledger row first, commits
``sending`` just before DATA (:class:`_LedgerGuard`, the :class:`~digests.deliver.DataGuard`
of :meth:`~digests.deliver.Mailer.send`) and records how it ended: sent, refused, unknown.
"""

from __future__ import annotations

__all__ = ["send"]

import asyncio
import os
from collections.abc import Sequence
from datetime import timedelta

from crawler.base.errors import DeliveryError, PermanentDeliveryError
from digests import ledger
from digests.deliver import DeliveryOutcomeUnknown, DeliveryWithdrawn, Mailer, SmtpUnavailable
from digests.period import period_on
from digests.report import (
    ALREADY_SENT,
    DRY_RUN,
    FAILED,
    SENT,
    SKIPPED_EMPTY,
    UNKNOWN,
    SendReport,
    SubscriberResult,
)
from digests.resend import in_doubt
from digests.run import Composed, Plan, Run


async def send(
    run: Run,
    report: SendReport,
    plans: Sequence[Plan],
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
        report.archive_dir = run.archive(pool, days, plans)  # archive, subscribers' feeds


def _settled(plan: Plan, unavailable: str | None, run: Run) -> SubscriberResult | None:
    """The outcome of a period that needs no digest: already sent, refused before, in doubt
    (not to be sent blindly), or the server went away earlier in this batch."""
    sub, key, row = plan.subscriber, plan.period.key, plan.row
    if row is not None and row.status == ledger.SENT:
        when = f"sent {row.sent_at:%Y-%m-%d %H:%M} UTC" if row.sent_at else "sent"
        return SubscriberResult(sub.id, key, ALREADY_SENT, 0, when)
    if row is not None and row.status == ledger.FAILED:
        return SubscriberResult(sub.id, key, FAILED, 0, f"refused earlier: {row.error or ''}")
    if row is not None and row.status in ledger.IN_DOUBT and not plan.resend:
        return in_doubt(row, run)
    if unavailable is not None:
        return SubscriberResult(sub.id, key, FAILED, 0, f"not attempted: {unavailable}")
    return None


def _held_back(plan: Plan, composed: Composed, *, dry_run: bool) -> SubscriberResult | None:
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

    def __init__(self, run: Run, mailer: Mailer, size: int) -> None:
        self.run = run
        self.mailer = mailer
        self.queue: asyncio.Queue[tuple[int, Plan, Composed] | None] = asyncio.Queue(1)
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

    def __init__(self, run: Run, row: ledger.DeliveryRow) -> None:
        self.run = run
        self.row = row

    def before_data(self) -> bool:
        return ledger.mark_sending(self.run.db, self.row, now=self.run.clock())

    def data_refused(self, reply: str) -> None:
        ledger.record_error(self.run.db, self.row, f"DATA refused: {reply}")


async def _deliver(run: Run, mailer: Mailer, plan: Plan, composed: Composed) -> SubscriberResult:
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
