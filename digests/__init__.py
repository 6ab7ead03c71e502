"""citydigest's digests: select, render, deliver and archive each subscriber's digest.

Reads what the crawler stored (``crawler.base.models`` through ``crawler.base.db``) and the
operator's configuration (``crawler.base.config``); never imports the crawling stages. The stages
are modules named by their noun, sequenced by :mod:`digests.pipeline`:

- :mod:`digests.period`: which period is due, its window, and the key that makes it send once;
- :mod:`digests.select`: the stories of a window that a subscriber's filter lets through;
- :mod:`digests.render`: HTML e-mail, plain text, archive pages and feed (Jinja2);
- :mod:`digests.deliver`: the MIME message and the SMTP mailer;
- :mod:`digests.ledger`: the deliveries table (exactly once per subscriber and period);
- :mod:`digests.subscribers`: the subscribers tables' one writer (schedule, unsubscribe, the
  reader's own preferences); :mod:`digests.preferences`: the preferences form's choices and check;
- :mod:`digests.archive`: the static archive on disk (day and city pages, feeds);
- :mod:`digests.network`: the visit network over time (return visits, city pages' content);
- :mod:`digests.graph`: the visit graph's geometry; :mod:`digests.unsubscribe`: signed tokens.
"""

from digests.pipeline import build_digests, send_digests
from digests.report import BuildReport, SendReport, SubscriberResult
from digests.unsubscribe import InvalidToken, make_token, verify_token

__all__ = [
    "BuildReport",
    "InvalidToken",
    "SendReport",
    "SubscriberResult",
    "build_digests",
    "make_token",
    "send_digests",
    "verify_token",
]
