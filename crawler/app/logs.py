"""The log of every command: one handler on stderr, in text or JSON lines, at the level ``-v``
asks for, with the lines operators need from a service at every level.

- ``--log-format text`` (the default): ``2026-12-06 22:22:40,077 INFO citydigest.web: …``;
- ``--log-format json`` (or ``CITYDIGEST_LOG_FORMAT=json``), for log shippers (journald's
  JSON readers, Vector, Fluent Bit, Loki's promtail): one object a line with ``time`` (UTC,
  ISO 8601), ``level``, ``logger``, ``message``, every structured extra the record carries
  (the access log's ``status``, ``bytes``…) and ``exception`` with the traceback, if any.

Levels: WARNING by default, ``-v`` INFO, ``-vv`` DEBUG for citydigest's loggers. Libraries that
narrate their routine at INFO (:data:`CHATTY`: APScheduler logs two lines at every 5 s dispatch
tick, about 35,000 a day) stay at WARNING unless ``-vvv`` asks for them. The loggers of
:data:`ANNOUNCED` (a service's startup line, ``serve``'s access log, a crawl's line per source
when no terminal shows its progress) print at INFO whatever the verbosity: a service's or a cron
job's log is read after the fact, where nobody passed ``-v``.

The handler writes to whatever ``sys.stderr`` is when a record is emitted (not when the handler
was made), and configuring again replaces it rather than adding a second: a process that runs
the CLI several times (tests, an embedding script) logs each line once, to the current stderr.
"""

from __future__ import annotations

__all__ = [
    "ACCESS_LOGGER",
    "ANNOUNCED",
    "CHATTY",
    "LOG_FORMATS",
    "REPORT_LOGGER",
    "SERVICE_LOGGER",
    "JsonFormatter",
    "configure_logging",
    "logs_json",
]

import logging
import sys
from datetime import UTC, datetime
from typing import Any

from crawler.app.terminal import json_text

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

SERVICE_LOGGER = "citydigest.service"  # the startup line of run, worker and serve
ACCESS_LOGGER = "citydigest.access"  # serve's access log
REPORT_LOGGER = "citydigest.report"  # a crawl's line per source where no progress display runs
ANNOUNCED = (SERVICE_LOGGER, ACCESS_LOGGER, REPORT_LOGGER)
CHATTY = ("apscheduler",)
CHATTY_FROM = 3  # -vvv

# What every LogRecord has; anything else on a record is a structured extra. ``color_message``
# is uvicorn's copy of the message with ANSI colours, ``taskName`` asyncio's (Python 3.12+).
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "color_message",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (newlines in a message are escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in data:
                data[key] = value
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            data["stack"] = self.formatStack(record.stack_info)
        return json_text(data, default=str)


class _StderrHandler(logging.StreamHandler):
    """A stream handler on the ``sys.stderr`` of the moment (see the module's docstring)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr  # not setStream: it flushes the old one, maybe closed by now
        super().emit(record)


def configure_logging(verbose: int, log_format: str = "text") -> None:
    """Log to stderr in ``log_format`` at the level ``verbose`` (the count of ``-v``) asks for."""
    level = max(logging.DEBUG, logging.WARNING - 10 * verbose)
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _StderrHandler)]:
        root.removeHandler(handler)
    handler = _StderrHandler(sys.stderr)
    json_lines = log_format == "json"
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    for name in CHATTY:
        logging.getLogger(name).setLevel(
            logging.NOTSET if verbose >= CHATTY_FROM else max(level, logging.WARNING)
        )
    for name in ANNOUNCED:
        logging.getLogger(name).setLevel(min(level, logging.INFO))


def logs_json() -> bool:
    """Whether this process logs JSON lines (``--log-format json``): then a command's fatal
    one-line error goes to the log as a record too, so a log shipper sees why it stopped."""
    return any(
        isinstance(h, _StderrHandler) and isinstance(h.formatter, JsonFormatter)
        for h in logging.getLogger().handlers
    )
