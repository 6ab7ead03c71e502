"""The headers that name a wait are read once (crawler.fetch.response): Retry-After for the
fetcher's back-off, Retry-After and Expires for the scheduler's caching hint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from crawler.fetch.response import MAX_RETRY_AFTER, cache_hint, header_seconds, retry_after

NOW = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)


def test_header_seconds_reads_delta_seconds_and_http_dates() -> None:
    assert header_seconds(" 120 ", NOW) == 120.0
    assert header_seconds("Sat, 07 Mar 2026 14:00:00 GMT", NOW) == 7200.0
    assert header_seconds("Sat, 07 Mar 2026 11:00:00 -0000", NOW) == -3600.0  # no zone: UTC
    assert header_seconds("soon", NOW) is None


@pytest.mark.parametrize("value", ["\u00b2", "\u0661\u0662", "1.5", "-5", ""])
def test_anything_but_ascii_digits_or_a_date_is_no_wait(value: str) -> None:
    """A server's ``Retry-After: ²`` (byte 0xB2, read as Latin-1) is no number: no wait, where
    ``float`` would raise out of the fetcher."""
    assert header_seconds(value, NOW) is None
    assert retry_after(httpx.Headers([(b"retry-after", value.encode())])) is None
    assert cache_hint({"Retry-After": value}, NOW) is None


def test_retry_after_is_bounded() -> None:
    assert retry_after(httpx.Headers({"Retry-After": "5"})) == 5.0
    assert retry_after(httpx.Headers({"Retry-After": "9" * 400})) == MAX_RETRY_AFTER
    assert retry_after(httpx.Headers({"Retry-After": "Thu, 01 Jan 1970 00:00:00 GMT"})) == 0.0
    assert retry_after(httpx.Headers()) is None
    assert cache_hint({"Retry-After": "120"}, NOW) == timedelta(minutes=2)
