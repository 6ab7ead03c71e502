"""Tests of :mod:`crawler.tag`; ``pairs`` reads a result's visits as (visitor, host) pairs."""

from __future__ import annotations

from crawler.tag import Tags


def pairs(tags: Tags) -> set[tuple[str, str]]:
    return {(v.visitor, v.host) for v in tags.visits}
