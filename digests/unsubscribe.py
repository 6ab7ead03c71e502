"""Signed links for a subscriber: one-click unsubscribe (RFC 8058) and "manage subscription",
both ``<subscriber id>.<HMAC-SHA256, base64url>``.

The token names the subscriber and is signed with the operator's secret (the environment
variable named by ``unsubscribe_secret_env``), so nobody can unsubscribe someone else by editing
the id. It does not expire: an old digest's link must keep working. The web endpoint calls
:func:`verify_token` and stores the unsubscribe (:func:`digests.subscribers.unsubscribe`)::

    token = make_token(secret, "alice")      # "alice.4bU1q0..."
    verify_token(secret, token)              # "alice"
    verify_token(secret, "bob." + token[6:]) # raises InvalidToken

The preferences page's token (``purpose="preferences"``) is signed under another context, so
neither token stands in for the other: a leaked unsubscribe link (it travels in a mail header
to the provider) cannot change what someone reads. :func:`feed_name` names a subscriber's own
Atom feed in the public archive the same way, under a third context.
"""

from __future__ import annotations

__all__ = [
    "InvalidToken",
    "feed_name",
    "make_token",
    "preferences_url",
    "unsubscribe_url",
    "verify_token",
]

import base64
import hashlib
import hmac
import re
from urllib.parse import quote

from crawler.base.errors import InvalidToken

_ID = re.compile(r"[a-z0-9-]{1,64}")
_MAC = re.compile(r"[A-Za-z0-9_-]{43}")
_CONTEXTS = {
    "unsubscribe": b"citydigest-unsubscribe-v1\x00",
    "preferences": b"citydigest-preferences-v1\x00",
    "feed": b"citydigest-feed-v1\x00",
}


def _key(secret: str | bytes) -> bytes:
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    if len(key) < 16:
        raise ValueError("the unsubscribe secret must be at least 16 bytes long")
    return key


def _mac(key: bytes, subscriber_id: str, purpose: str) -> str:
    context = _CONTEXTS[purpose]  # a KeyError for a purpose nobody signs for
    digest = hmac.new(key, context + subscriber_id.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def make_token(secret: str | bytes, subscriber_id: str, purpose: str = "unsubscribe") -> str:
    """A URL-safe token naming ``subscriber_id``, signed with ``secret`` for ``purpose``
    (``unsubscribe`` or ``preferences``)."""
    if not _ID.fullmatch(subscriber_id):
        raise ValueError(f"not a subscriber id: {subscriber_id!r}")
    return f"{subscriber_id}.{_mac(_key(secret), subscriber_id, purpose)}"


def feed_name(secret: str | bytes, subscriber_id: str) -> str:
    """The file name of ``subscriber_id``'s own Atom feed in the archive: derived from the
    secret, so it names nobody and cannot be guessed from an id (the archive is public)."""
    if not _ID.fullmatch(subscriber_id):
        raise ValueError(f"not a subscriber id: {subscriber_id!r}")
    return _mac(_key(secret), subscriber_id, "feed")[:32]


def verify_token(secret: str | bytes, token: str, purpose: str = "unsubscribe") -> str:
    """The subscriber id ``token`` names; :class:`InvalidToken` unless ``secret`` signed it
    for ``purpose``."""
    key = _key(secret)
    subscriber_id, dot, mac = (token or "").strip().partition(".")
    if not dot or not _ID.fullmatch(subscriber_id) or not _MAC.fullmatch(mac):
        raise InvalidToken(f"{purpose} token is malformed")
    if not hmac.compare_digest(mac, _mac(key, subscriber_id, purpose)):
        raise InvalidToken(f"{purpose} token for {subscriber_id!r} has a wrong signature")
    return subscriber_id


def unsubscribe_url(base_url: str, token: str) -> str:
    """The one-click link: ``<archive base_url>unsubscribe?token=...`` (served by the daemon)."""
    return _page_url(base_url, "unsubscribe", token)


def preferences_url(base_url: str, token: str) -> str:
    """The "manage subscription" link: ``<archive base_url>preferences?token=...``."""
    return _page_url(base_url, "preferences", token)


def _page_url(base_url: str, page: str, token: str) -> str:
    base = base_url if base_url.endswith("/") else base_url + "/"
    return f"{base}{page}?token={quote(token, safe='')}"
