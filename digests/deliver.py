"""Delivery: the MIME message of a rendered digest, and an SMTP mailer that retries and paces.

:func:`build_message` makes a ``multipart/alternative`` (text, then HTML) UTF-8 message with a
stable ``Message-ID`` (the same subscriber and period always get the same one, so a resend after
a crash is recognisable), ``List-Unsubscribe`` (https and mailto) and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058).

:class:`Mailer` holds one aiosmtplib connection for a batch. ``send`` runs the transaction in
its steps (MAIL and RCPT, then DATA) rather than through ``sendmail``, because what a failure
means depends on the step it happens in:

- before DATA (no connection, a 4xx or a timeout on MAIL or RCPT) the server has no message:
  retried ``max_attempts`` times with a doubling backoff, reconnecting; then
  :class:`~crawler.base.errors.DeliveryError`;
- the server refused this message for good (5xx to MAIL, RCPT or DATA):
  :class:`~crawler.base.errors.PermanentDeliveryError`, not retried; a 4xx reply to DATA or to the
  message is a refusal too (nothing was delivered) and is retried as above;
- no ``354`` to the DATA command within ``smtp.timeout`` (a timeout, a dropped connection): the
  message was never written, so the server cannot have it: retried as above;
- the message written but no final reply read (a timeout, a dropped connection): the server may
  have taken it. :class:`DeliveryOutcomeUnknown` at once, never another copy (a server slower
  than the wait would otherwise get one per attempt). That wait is ``smtp.data_timeout``, not
  ``smtp.timeout``: RFC 5321 section 4.5.3.2.6 gives the reply to the end of data 10 minutes,
  since servers scan the message before they answer, and a few seconds would make a slow but
  healthy server's digests unknown. aiosmtplib's ``SMTP.data`` waits for the ``354`` and the
  final reply with one timeout, so :meth:`Mailer._data` sends DATA itself, in its two steps;
- the server cannot be reached, refuses our login or our sender address:
  :class:`SmtpUnavailable`, which stops the batch (every other message would fail the same way)
  and leaves the periods pending for the next run.

A :class:`DataGuard` (the ledger, in :mod:`digests.sending`) is told just before each DATA, so
that ``sending`` is committed before the message can reach the server, and when DATA is refused.
``rate_per_second`` spaces the start of consecutive messages.
"""

from __future__ import annotations

__all__ = [
    "DataGuard",
    "DeliveryOutcomeUnknown",
    "DeliveryWithdrawn",
    "Mailer",
    "Outgoing",
    "SmtpUnavailable",
    "build_message",
    "list_id",
    "message_id_for",
    "unsubscribe_mailto",
]

import asyncio
import base64
import hashlib
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes
from email.header import Header
from email.message import EmailMessage
from email.policy import default
from email.utils import format_datetime, formataddr, parseaddr
from types import TracebackType
from typing import Protocol
from urllib.parse import quote

import aiosmtplib

from crawler.base.config import SmtpSettings
from crawler.base.errors import (
    DeliveryError,
    DeliveryOutcomeUnknown,
    DeliveryWithdrawn,
    PermanentDeliveryError,
    SmtpUnavailable,
)
from digests.render import RenderedDigest

log = logging.getLogger(__name__)


class DataGuard(Protocol):
    """What :meth:`Mailer.send` tells around the one step after which a copy may exist."""

    def before_data(self) -> bool:
        """Record (durably) that DATA is about to begin; False: withdraw, send nothing."""
        ...

    def data_refused(self, reply: str) -> None:
        """The server refused DATA or the message with a temporary reply: nothing delivered."""
        ...


def _domain(from_header: str) -> str:
    address = parseaddr(from_header)[1]
    return address.rpartition("@")[2] or "localhost"


def message_id_for(subscriber_id: str, period: str, from_header: str) -> str:
    """``<digest.<period>.<subscriber>@<sender domain>>``: stable per subscriber and period."""
    return f"<digest.{period}.{subscriber_id}@{_domain(from_header)}>"


def unsubscribe_mailto(settings: SmtpSettings, token: str) -> str:
    """A mailto link to the sender with the token in the subject (the RFC 2369 fallback)."""
    address = parseaddr(settings.from_)[1]
    return f"mailto:{address}?subject={quote('unsubscribe ' + token, safe='')}"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A digest ready for SMTP: the envelope and the message's bytes (also the ``.eml`` file)."""

    sender: str
    recipients: tuple[str, ...]
    message_id: str
    subject: str
    data: bytes

    def parsed(self) -> EmailMessage:
        """The message as the standard library reads it (for checks and tests)."""
        message = message_from_bytes(self.data, policy=default)
        assert isinstance(message, EmailMessage)
        return message


_CRLF = "\r\n"


def _header(name: str, value: str) -> str:
    """One header line. ASCII values go as they are (folded after commas), so that clients
    read List-Unsubscribe's URLs; others as RFC 2047 encoded words."""
    if any(c in value for c in "\r\n\x00"):
        raise ValueError(f"a line break in the {name} header: {value!r}")
    if not value.isascii():
        encoded = Header(value, "utf-8", header_name=name).encode(linesep=_CRLF)
        return f"{name}: {encoded}{_CRLF}"
    line = f"{name}: {value}"
    if len(line) > 78 and ", " in value:
        line = f"{name}: " + f",{_CRLF} ".join(value.split(", "))
    return line + _CRLF


def _address(display: str | None, address: str) -> str:
    name = " ".join((display or "").split())  # no line breaks or tabs in a display name
    return formataddr((name, address), charset="utf-8")


def _part(subtype: str, body: str) -> str:
    flat = base64.b64encode(body.encode("utf-8")).decode("ascii")
    encoded = "".join(f"{flat[i : i + 76]}{_CRLF}" for i in range(0, len(flat), 76))
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"{_CRLF}'
        f"Content-Transfer-Encoding: base64{_CRLF}{_CRLF}{encoded}"
    )


def build_message(
    rendered: RenderedDigest,
    *,
    settings: SmtpSettings,
    to_email: str,
    to_name: str | None,
    message_id: str,
    unsubscribe_url: str,
    unsubscribe_mailto: str,
    list_id: str,
    date: datetime,
) -> Outgoing:
    """The message for one digest: text and HTML alternatives, UTF-8, unsubscribe headers.

    Written by hand rather than through ``email.message``: its generator spends ~20 ms on a
    100 KB digest, and folds a long List-Unsubscribe into encoded words that clients ignore.
    Bodies are base64: Chinese in UTF-8 is 3 bytes a character, which quoted-printable turns
    into 9 and base64 into 4.
    """
    from_name, from_address = parseaddr(settings.from_)
    body = f"{rendered.text}\n{rendered.html}".encode()
    boundary = f"=_citydigest_{hashlib.sha256(body).hexdigest()[:24]}"
    headers = [
        ("From", _address(from_name, from_address)),
        ("To", _address(to_name, to_email)),
    ]
    if settings.reply_to:
        reply_name, reply_address = parseaddr(settings.reply_to)
        headers.append(("Reply-To", _address(reply_name, reply_address)))
    headers += [
        ("Subject", rendered.subject),
        ("Date", format_datetime(date)),
        ("Message-ID", message_id),
        ("List-Id", list_id),
        ("List-Unsubscribe", f"<{unsubscribe_url}>, <{unsubscribe_mailto}>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ("Auto-Submitted", "auto-generated"),
        ("MIME-Version", "1.0"),
        ("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
    ]
    text = "".join(
        [
            *(_header(k, v) for k, v in headers),
            _CRLF,
            f"--{boundary}{_CRLF}",
            _part("plain", rendered.text),
            f"--{boundary}{_CRLF}",
            _part("html", rendered.html),
            f"--{boundary}--{_CRLF}",
        ]
    )
    return Outgoing(
        sender=from_address,
        recipients=(to_email,),
        message_id=message_id,
        subject=rendered.subject,
        data=text.encode("ascii"),
    )


class _MessageWritten(Exception):
    """The message was written after the ``354`` but no reply to it was read (the cause)."""


_LINE_ENDINGS = re.compile(rb"\r\n|\n|\r(?!\n)")
_LEADING_DOT = re.compile(rb"(?m)^\.")


def _dot_stuffed(data: bytes) -> bytes:
    """The message as DATA carries it (RFC 5321 4.5.2): CRLF line ends, a leading dot doubled,
    ended by ``CRLF.CRLF``; what aiosmtplib's ``SMTP.data`` does too."""
    data = _LINE_ENDINGS.sub(b"\r\n", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return _LEADING_DOT.sub(b"..", data) + b".\r\n"


def _permanent(exc: BaseException) -> bool:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return all(r.code >= 500 for r in exc.recipients)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return exc.code >= 500
    return False


def _describe(exc: BaseException) -> str:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return f"{exc.code} {exc.message}"
    return f"{type(exc).__name__}: {exc}"


class Mailer:
    """One SMTP session for a batch: connect lazily, retry transient errors, pace sends."""

    def __init__(
        self,
        settings: SmtpSettings,
        password: str | None = None,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._password = password
        self._sleep = sleep
        self._clock = clock
        self._smtp: aiosmtplib.SMTP | None = None
        self._next_start = 0.0
        self.where = f"{settings.host}:{settings.port}"

    async def __aenter__(self) -> Mailer:
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            if smtp.is_connected:
                await smtp.quit()
        except (aiosmtplib.SMTPException, OSError):
            smtp.close()

    async def _connect(self) -> aiosmtplib.SMTP:
        if self._smtp is not None and self._smtp.is_connected:
            return self._smtp
        s = self.settings
        smtp = aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            username=s.username,
            password=self._password if s.username else None,
            use_tls=s.security == "tls",
            start_tls=s.security == "starttls",  # never opportunistic: "none" means none
            timeout=s.timeout,
        )
        await smtp.connect()
        self._smtp = smtp
        return smtp

    async def _pace(self) -> None:
        rate = self.settings.rate_per_second
        if not rate:
            return
        now = self._clock()
        if now < self._next_start:
            await self._sleep(self._next_start - now)
            now = self._next_start
        self._next_start = now + 1.0 / rate

    async def send(self, message: Outgoing, guard: DataGuard | None = None) -> None:
        """Deliver ``message``; raise PermanentDeliveryError, DeliveryError, SmtpUnavailable,
        DeliveryOutcomeUnknown or DeliveryWithdrawn (see the module's docstring)."""
        to = ", ".join(message.recipients)
        attempts = self.settings.max_attempts
        delay = self.settings.retry_backoff
        last = ""
        connection_failed = False
        for attempt in range(1, attempts + 1):
            await self._pace()
            connection_failed = False
            try:
                smtp = await self._connect()
            except aiosmtplib.SMTPAuthenticationError as exc:
                await self.close()
                raise SmtpUnavailable(
                    f"deliver: {self.where} refused the login of {self.settings.username!r}: "
                    f"{_describe(exc)}"
                ) from exc
            except (aiosmtplib.SMTPException, OSError) as exc:
                connection_failed = True
                last = _describe(exc)
                await self.close()
            else:
                try:
                    await self._envelope(smtp, message)
                except (aiosmtplib.SMTPException, OSError) as exc:
                    last = _describe(exc)
                    if isinstance(exc, aiosmtplib.SMTPSenderRefused) and _permanent(exc):
                        # Our From address is refused: every message would be; not their fault.
                        await self.close()
                        raise SmtpUnavailable(
                            f"deliver: {self.where} refuses the sender {exc.sender}: {last}"
                        ) from exc
                    await self._after_refusal(exc, to, last)
                else:
                    if guard is not None and not guard.before_data():
                        await self._reset()
                        raise DeliveryWithdrawn(
                            f"deliver: the digest to {to} was claimed by another run"
                        )
                    try:
                        await self._data(smtp, message.data)
                        return
                    except _MessageWritten as unanswered:  # the server may have it
                        cause = unanswered.__cause__ or unanswered
                        await self.close()
                        raise DeliveryOutcomeUnknown(
                            f"deliver: {self.where} took the digest to {to} but did not answer "
                            f"({_describe(cause)}): it may have been delivered"
                        ) from cause
                    except (aiosmtplib.SMTPException, OSError) as exc:  # nothing taken
                        # A reply refusing DATA or the message, or no 354 in time: the message
                        # was not taken (and without a 354 it was never written).
                        last = _describe(exc)
                        if guard is not None and not _permanent(exc):
                            guard.data_refused(last)
                        await self._after_refusal(exc, to, last)
            if attempt < attempts:
                log.info(
                    "deliver: to %s, attempt %d failed (%s); retrying in %.1fs",
                    to,
                    attempt,
                    last,
                    delay,
                )
                await self._sleep(delay)
                delay *= 2
        if connection_failed:
            raise SmtpUnavailable(
                f"deliver: cannot reach {self.where} after {attempts} attempts: {last}"
            )
        raise DeliveryError(
            f"deliver: {self.where} did not accept the digest to {to} after {attempts} "
            f"attempts: {last}"
        )

    async def _data(self, smtp: aiosmtplib.SMTP, data: bytes) -> None:
        """DATA, its ``354`` awaited ``smtp.timeout``, then the message, its reply awaited
        ``smtp.data_timeout``. A failure before the message is written is raised as it is (the
        server has nothing); a reply refusing the message too; no reply to the message (a
        timeout, a lost connection) as :class:`_MessageWritten` from it.

        The connection is this mailer's alone (one send at a time), so writing the message
        straight to aiosmtplib's protocol cannot interleave with another command.
        """
        start = await smtp.execute_command(b"DATA", timeout=self.settings.timeout)
        if start.code != 354:
            raise aiosmtplib.SMTPDataError(start.code, start.message)
        protocol = smtp.protocol
        try:
            if protocol is None:
                raise aiosmtplib.SMTPServerDisconnected("Connection lost")
            protocol.write(_dot_stuffed(data))
            reply = await protocol.read_response(timeout=self.settings.data_timeout)
        except (aiosmtplib.SMTPException, OSError) as exc:
            smtp.close()  # a late reply must not be read as the answer to a later command
            raise _MessageWritten() from exc
        if reply.code != 250:
            raise aiosmtplib.SMTPDataError(reply.code, reply.message)

    async def _envelope(self, smtp: aiosmtplib.SMTP, message: Outgoing) -> None:
        """EHLO if needed, MAIL and RCPT: everything before the message can reach the server."""
        if smtp.is_ehlo_or_helo_needed:
            try:
                await smtp.ehlo()
            except aiosmtplib.SMTPHeloError:
                await smtp.helo()
        options = [f"SIZE={len(message.data)}"] if smtp.supports_extension("size") else []
        await smtp.mail(message.sender, options=options)
        refused: list[aiosmtplib.SMTPRecipientRefused] = []
        for recipient in message.recipients:
            try:
                await smtp.rcpt(recipient)
            except aiosmtplib.SMTPRecipientRefused as exc:
                refused.append(exc)
        if len(refused) == len(message.recipients):
            raise aiosmtplib.SMTPRecipientsRefused(refused)

    async def _after_refusal(self, exc: BaseException, to: str, last: str) -> None:
        """A step failed before the message was taken: give up on a 5xx, else get the session
        ready for the next attempt (RSET after a reply, a new connection after anything else)."""
        if _permanent(exc):
            await self._reset()
            raise PermanentDeliveryError(
                f"deliver: {self.where} refused the digest to {to}: {last}"
            ) from exc
        if isinstance(exc, aiosmtplib.SMTPResponseException):
            await self._reset()
        else:
            await self.close()

    async def _reset(self) -> None:
        """After a refused transaction, RSET so the session can carry the next message."""
        if self._smtp is None:
            return
        try:
            await self._smtp.rset()
        except (aiosmtplib.SMTPException, OSError):
            await self.close()


def list_id(from_header: str) -> str:
    return f"<digest.{_domain(from_header)}>"
