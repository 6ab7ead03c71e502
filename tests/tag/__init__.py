"""Tests of :mod:`crawler.tag`; ``pairs`` reads a result's visits as (visitor, host) pairs,
``first_leader`` the first visit's leader."""

from __future__ import annotations

from crawler.tag import Tagger, Tags


def pairs(tags: Tags) -> set[tuple[str, str]]:
    return {(v.visitor, v.host) for v in tags.visits}


def first_leader(tagger: Tagger, title: str, body: str, home: str) -> str | None:
    """The first visit's leader name (None when it names none); the text must hold a visit."""
    visits = tagger.tag(title, body, home=home).visits
    assert visits
    leader = visits[0].details.leader
    return leader.name if leader else None
