"""Unsubscribe tokens: they name the subscriber and cannot be forged."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digests.unsubscribe import InvalidToken, make_token, unsubscribe_url, verify_token

SECRET = "s3cret-key-for-tests-only"


def test_round_trip_and_url() -> None:
    token = make_token(SECRET, "alice")
    assert token.startswith("alice.")
    assert verify_token(SECRET, token) == "alice"
    assert verify_token(SECRET.encode(), f"  {token}\n") == "alice"
    url = unsubscribe_url("https://digest.example.org/archive", token)
    assert url == f"https://digest.example.org/archive/unsubscribe?token={token}"


@pytest.mark.parametrize(
    "forged",
    [
        lambda t: "bob" + t[len("alice") :],  # someone else's id, alice's signature
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # one character of the MAC changed
        lambda t: t.split(".")[0],  # no MAC
        lambda t: "",
        lambda t: "alice.",
        lambda t: "ALICE" + t[5:],
        lambda t: t + "x",
    ],
)
def test_forgeries_are_refused(forged) -> None:
    with pytest.raises(InvalidToken):
        verify_token(SECRET, forged(make_token(SECRET, "alice")))


def test_another_secret_is_refused_and_weak_secrets_rejected() -> None:
    with pytest.raises(InvalidToken, match="wrong signature"):
        verify_token("another-secret-of-enough-length", make_token(SECRET, "alice"))
    with pytest.raises(ValueError, match="at least 16 bytes"):
        make_token("short", "alice")
    with pytest.raises(ValueError, match="not a subscriber id"):
        make_token(SECRET, "Alice Smith")


@given(st.from_regex(r"[a-z0-9-]{1,64}", fullmatch=True), st.text(max_size=80))
def test_any_id_round_trips_and_garbage_never_verifies(subscriber_id: str, garbage: str) -> None:
    assert verify_token(SECRET, make_token(SECRET, subscriber_id)) == subscriber_id
    with pytest.raises(InvalidToken):  # random text is never a valid 256-bit signature
        verify_token(SECRET, garbage)
    with pytest.raises(InvalidToken):
        verify_token(SECRET, f"{subscriber_id}.{garbage}")
