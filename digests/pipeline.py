"""The three digest jobs, each one function that tells the story: select -> render -> deliver ->
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

The steps live beside: a run's plans, selection, rendering and archive in :mod:`digests.run`,
delivery in :mod:`digests.sending`, deliveries in doubt in :mod:`digests.resend`. Each job
returns a report (:mod:`digests.report`) whose ``rows()`` feed the CLI's summary table.
"""

from __future__ import annotations

__all__ = ["build_digests", "resend_digests", "send_digests"]

import os
import secrets
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from crawler.base.config import Config, Subscriber
from crawler.base.db import Database
from crawler.base.errors import DigestError
from digests import ledger
from digests.report import (
    BUILT,
    PAUSED,
    SKIPPED_EMPTY,
    UNSUBSCRIBED,
    BuildReport,
    SendReport,
    SubscriberResult,
)
from digests.resend import in_doubt, resend_plans, settle_stale, with_resends
from digests.run import Run
from digests.sending import send
from digests.subscribers import paused, with_preferences


def _chosen(config: Config, db: Database, subscriber_ids: Sequence[str]) -> list[Subscriber]:
    """The chosen subscribers (all by default) as their readers set them (stored preferences
    win over subscribers.yaml)."""
    if not subscriber_ids:
        return with_preferences(db, config.subscribers)
    known = {s.id: s for s in config.subscribers}
    missing = [i for i in subscriber_ids if i not in known]
    if missing:
        raise DigestError(
            f"digest: no subscriber {', '.join(map(repr, missing))} in "
            f"{config.dir / 'subscribers.yaml'} (known: {', '.join(sorted(known)) or 'none'})"
        )
    return with_preferences(db, [known[i] for i in dict.fromkeys(subscriber_ids)])


def _stopped(db: Database, subscribers: Sequence[Subscriber]) -> dict[str, str]:
    """Who gets nothing now, and why: a stored unsubscribe, or a pause of their own."""
    ids = [s.id for s in subscribers]
    stopped = dict.fromkeys(paused(db, ids), PAUSED)
    stopped.update(dict.fromkeys(ledger.unsubscribed(db, ids), UNSUBSCRIBED))
    return stopped


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
    run = Run(config, db, now, secret)
    subscribers = _chosen(config, db, subscriber_ids)
    report = BuildReport(out_dir=out_dir, notes=[note] if note else [])
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DigestError(f"digest: cannot create {out_dir}: {exc.strerror}") from exc
    stopped = _stopped(db, subscribers)
    plans = run.plans([s for s in subscribers if s.id not in stopped], day)
    report.results.extend(
        SubscriberResult(s.id, "", stopped[s.id]) for s in subscribers if s.id in stopped
    )
    pool, days = run.pool(plans)  # select
    for plan in plans:
        sub = plan.subscriber
        composed = run.compose(pool, plan)  # select + render
        if composed.digest.is_empty and sub.empty == "skip":
            report.results.append(SubscriberResult(sub.id, plan.period.key, SKIPPED_EMPTY))
            continue
        files: dict[str, str | bytes] = {
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
    report.archive_dir = run.archive(pool, days, plans)  # archive, subscribers' feeds
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
    run = Run(config, db, now, secret)
    subscribers = _chosen(config, db, subscriber_ids)
    report = SendReport(dry_run=dry_run)
    if not dry_run:
        settle_stale(run)
    stopped = _stopped(db, subscribers)
    active = [s for s in subscribers if s.id not in stopped]
    plans = run.plans(active, day)
    wait = config.settings.smtp.unknown_resend_after
    if wait is not None and not dry_run:
        plans = with_resends(run, active, plans, wait)
    report.results.extend(
        SubscriberResult(s.id, "", stopped[s.id]) for s in subscribers if s.id in stopped
    )
    await send(run, report, plans, smtp_password, dry_run=dry_run)
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
    run = Run(config, db, now, secret)
    subscribers = _chosen(config, db, subscriber_ids)
    report = SendReport()
    settle_stale(run)
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
            report.results.append(in_doubt(row, run))
        else:
            resend.append(row)
    if not rows:
        which = f" of period {period}" if period else ""
        report.notes.append(f"no delivery{which} has an unknown outcome: nothing to resend")
    plans = resend_plans(run, subscribers, resend)
    await send(run, report, plans, smtp_password, dry_run=False, archive=False)
    return report
