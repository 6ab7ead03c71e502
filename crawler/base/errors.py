"""The errors citydigest raises, one family per stage.

::

    CitydigestError
    ├── ConfigError                 the operator's YAML is invalid (carries every problem found)
    ├── CrawlError                  anything that goes wrong while crawling one URL or source
    │   ├── FetchError              the HTTP exchange failed
    │   │   ├── FetchTimeout        connect/read/total time exceeded
    │   │   ├── ConnectFailed       the host could not be resolved or connected to
    │   │   ├── HostUnreachable     not asked: the host did not answer its last requests
    │   │   ├── HTTPStatusError     the server answered 4xx/5xx
    │   │   ├── RobotsDisallowed    robots.txt forbids the URL
    │   │   ├── RobotsUnavailable   robots.txt could not be read (5xx, timeout): try later
    │   │   ├── BodyTooLarge        the body passed the configured cap (also after decompression)
    │   │   ├── BlockedAddress      the host resolves to an address that is not public
    │   │   └── NotInArchive        a WARC replay has no record for the URL
    │   ├── ArchiveError            a WARC file that cannot be read at all
    │   ├── DiscoverError           a feed, list page or sitemap could not be read
    │   ├── ExtractError            no article could be extracted from the page
    │   ├── AnalysisFailed          the analysis worker failed, not through the page's fault
    │   └── StoreError              the database refused a write
    ├── DatabaseUnavailable         the database cannot be reached, or went away mid-run
    ├── SchemaOutdated              the database schema is older than this citydigest
    └── DigestError                 building or sending a digest failed
        ├── RenderError             a template failed
        ├── InvalidToken            an unsubscribe token that is malformed or not ours
        └── DeliveryError           a delivery failed in a way worth retrying (connection, 4xx)
            ├── PermanentDeliveryError   the SMTP server refused for good (5xx)
            ├── SmtpUnavailable          the server cannot be reached or lets us not in
            ├── DeliveryOutcomeUnknown   the message went out, no answer was read
            └── DeliveryWithdrawn        another run claimed the delivery; nothing was sent

Every crawl error carries the ``url`` (and, once known, the ``source_id``) it is about, so that
an operator reading a log line or the per-source health knows where to look.
"""

from __future__ import annotations

__all__ = [
    "AnalysisFailed",
    "ArchiveError",
    "BlockedAddress",
    "BodyTooLarge",
    "CitydigestError",
    "ConfigError",
    "ConfigProblem",
    "ConnectFailed",
    "CrawlError",
    "DatabaseUnavailable",
    "DeliveryError",
    "DeliveryOutcomeUnknown",
    "DeliveryWithdrawn",
    "DigestError",
    "DiscoverError",
    "ExtractError",
    "FetchError",
    "FetchTimeout",
    "HTTPStatusError",
    "HostUnreachable",
    "InvalidToken",
    "NotInArchive",
    "PermanentDeliveryError",
    "RenderError",
    "RobotsDisallowed",
    "RobotsUnavailable",
    "SchemaOutdated",
    "SmtpUnavailable",
    "StoreError",
]

from dataclasses import dataclass


class CitydigestError(Exception):
    """Base class of every error citydigest raises on purpose."""


@dataclass(frozen=True)
class ConfigProblem:
    """One problem in one config file: where it is, what was found, what was expected."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        key = f" {self.path}:" if self.path else ""
        return f"{where}:{key} {self.message}"


class ConfigError(CitydigestError):
    """The configuration is invalid; ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"invalid configuration ({count} problem{'s' * (count != 1)}):\n{lines}")


class CrawlError(CitydigestError):
    """Something went wrong crawling ``url``; the stage name prefixes the message."""

    stage = "crawl"

    def __init__(self, message: str, *, url: str | None = None, source_id: str | None = None):
        self.url = url
        self.source_id = source_id
        self.reason = message
        super().__init__(message)

    def __str__(self) -> str:
        where = f" ({self.url})" if self.url else ""
        return f"{self.stage}: {self.reason}{where}"


class FetchError(CrawlError):
    stage = "fetch"


class FetchTimeout(FetchError):
    pass


class ConnectFailed(FetchError):
    """The host could not be resolved or connected to."""


class HostUnreachable(FetchError):
    """Not asked: the host has not answered its last requests (see crawler.fetch.hosts)."""


class HTTPStatusError(FetchError):
    def __init__(self, message: str, *, status: int, url: str | None = None, **kw: str | None):
        super().__init__(message, url=url, **kw)
        self.status = status


class RobotsDisallowed(FetchError):
    pass


class RobotsUnavailable(FetchError):
    pass


class BodyTooLarge(FetchError):
    pass


class BlockedAddress(FetchError):
    pass


class NotInArchive(FetchError):
    pass


class ArchiveError(CrawlError):
    """A WARC file that cannot be read at all (not a WARC file, or damaged in its first
    record)."""

    stage = "archive"


class DiscoverError(CrawlError):
    stage = "discover"


class ExtractError(CrawlError):
    stage = "extract"


class AnalysisFailed(CrawlError):
    """The analysis worker failed on this page for a reason that is not the page's fault."""

    stage = "analyze"


class StoreError(CrawlError):
    stage = "store"


class DatabaseUnavailable(CitydigestError):
    """The database could not be reached (server down, wrong port, unknown database or role, a
    SQLite file that cannot be opened) or the connection was lost while in use.

    ``url`` is the database URL with its password masked, ``reason`` the driver's first line,
    ``hint`` what to try. The three are the exception's ``args``, so that it pickles (it
    crosses from the analysis workers to the crawl).
    """

    HINT = "is the server running? check `database:` in citydigest.yaml or CITYDIGEST_DATABASE_URL"

    def __init__(self, url: str, reason: str, hint: str | None = None) -> None:
        self.url = url
        self.reason = reason
        self.hint = hint or self.HINT
        super().__init__(url, reason, self.hint)

    def __str__(self) -> str:
        return f"database unavailable at {self.url}: {self.reason}; {self.hint}"


class SchemaOutdated(CitydigestError):
    """The database schema is older than this version of citydigest."""


class DigestError(CitydigestError):
    """Building or delivering a digest failed."""


class RenderError(DigestError):
    pass


class DeliveryError(DigestError):
    """A delivery failed in a way worth retrying (connection, 4xx)."""


class InvalidToken(DigestError):
    """The token is malformed or its signature does not match: refuse the unsubscribe."""


class PermanentDeliveryError(DeliveryError):
    """The SMTP server refused for good (5xx): record it, do not retry."""


class SmtpUnavailable(DeliveryError):
    """The SMTP server cannot be reached or will not let us in: stop the batch."""


class DeliveryOutcomeUnknown(DeliveryError):
    """The message went out in DATA but no reply was read (timeout, connection lost): the server
    may have accepted it, so it must not be sent again blindly."""


class DeliveryWithdrawn(DeliveryError):
    """The guard said not to start DATA (another run claimed the delivery): nothing was sent."""
