"""The in-memory index of the dedup window: which earlier article does this one duplicate?"""

from __future__ import annotations

__all__ = ["BANDS", "DuplicateIndex", "Match", "Moment"]

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from crawler.dedup.sketches import (
    BINS,
    EQUAL_FLOOR,
    MIN_SHINGLES,
    NUMBER_SLOTS,
    SKETCH_BYTES,
    SKETCH_VERSION,
    Sketch,
    fingerprint64,
    judge,
    sketch_arrays,
)

BANDS = 20
"""LSH bands; band *b* is signature bytes ``2b`` and ``2b+1`` (a 16-bit bucket)."""


@dataclass(frozen=True, slots=True)
class Match:
    """The earlier article a new one duplicates: ``similarity`` is the estimated Jaccard
    similarity of the folded texts (1.0 for an ``exact`` match of the folded text)."""

    doc_id: int
    similarity: float
    exact: bool


Moment = datetime | float
"""A publication/fetch time: an aware or naive-UTC ``datetime``, or POSIX seconds."""


_EPOCH = datetime(2000, 1, 1, tzinfo=UTC).timestamp()


def _posix(at: Moment) -> float:
    if isinstance(at, datetime):
        return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()
    return float(at)


def _seconds(at: Moment) -> int:
    """Whole seconds since 2000-01-01 UTC, as stored (int32: 1932–2068)."""
    return min(max(math.floor(_posix(at) - _EPOCH), -(2**31)), 2**31 - 1)


class DuplicateIndex:
    """An in-memory index of the articles in the dedup window, answering :meth:`find`.

    DB-agnostic: the caller adds ``(doc_id, sketch, time)`` and gets ``doc_id`` back. Empty texts
    (``length == 0``) are never indexed or matched. ``doc_id`` should be unique among live
    entries: :meth:`remove` an article before adding it again, and pass ``exclude`` to
    :meth:`find` when re-checking an article that is already in. Not thread-safe: one writer.

    Usage::

        index = DuplicateIndex.build(rows)            # (id, sketch bytes, time) from the DB
        sk = sketch(body)
        match = index.find(sk)                        # Match(doc_id, similarity, exact) | None
        index.add(article_id, sk, published_at)
        index.remove_before(now - timedelta(days=30))
    """

    def __init__(self, capacity: int = 1024) -> None:
        self._cap = max(16, capacity)
        self._n = 0
        self._live_count = 0
        self._ids = np.zeros(self._cap, dtype=np.int64)
        self._times = np.zeros(self._cap, dtype=np.int32)  # seconds since _EPOCH
        self._fps = np.zeros(self._cap, dtype=np.uint64)
        self._shingles = np.zeros(self._cap, dtype=np.uint32)
        self._numbers = np.zeros((self._cap, NUMBER_SLOTS), dtype=np.uint16)
        self._sigs = np.zeros((self._cap, BINS), dtype=np.uint8)
        self._live = np.zeros(self._cap, dtype=np.bool_)
        self._sorted_n = 0  # slots [0, _sorted_n) are in the bucket tables, the rest is the tail
        self._band_order = np.zeros((BANDS, 0), dtype=np.int32)
        self._band_start = np.zeros((BANDS, 65537), dtype=np.int32)
        self._exact_order = np.zeros(0, dtype=np.int32)
        self._exact_start = np.zeros(65537, dtype=np.int32)
        # The tail's band keys, band-major: scanning contiguous rows is 20x faster than strided.
        self._tail_keys = np.zeros((BANDS, _TAIL_MAX + 1), dtype=np.uint16)

    # -- size ----------------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._live_count

    def memory_bytes(self) -> int:
        """Bytes held by the index's arrays (allocated capacity included)."""
        arrays = (
            self._ids, self._times, self._fps, self._shingles, self._numbers, self._sigs,
            self._live, self._band_order, self._band_start, self._exact_order, self._exact_start,
            self._tail_keys,
        )  # fmt: skip
        return sum(a.nbytes for a in arrays)

    # -- building --------------------------------------------------------------------------------

    @classmethod
    def build(cls, rows: Iterable[tuple[int, bytes, Moment]]) -> DuplicateIndex:
        """Rebuild an index from stored ``(doc_id, Sketch.to_bytes(), time)`` rows.

        Rows with an empty text are skipped; a malformed sketch raises ``ValueError`` naming the
        ``doc_id``. About 2–4 s for a million rows with ``datetime`` times.
        """
        ids: list[int] = []
        stamps: list[float] = []
        blobs: list[bytes] = []
        for doc_id, data, at in rows:
            if len(data) != SKETCH_BYTES or data[0] != SKETCH_VERSION:
                raise ValueError(
                    f"dedup: stored sketch of article {doc_id} is unreadable "
                    f"({len(data)} bytes, version {data[0] if data else None})"
                )
            ids.append(doc_id)
            stamps.append(_posix(at))
            blobs.append(data)
        seconds = np.floor(np.asarray(stamps, dtype=np.float64) - _EPOCH)
        times = np.clip(seconds, -(2**31), 2**31 - 1).astype(np.int32)
        raw = np.frombuffer(b"".join(blobs), dtype=np.uint8).reshape(len(blobs), SKETCH_BYTES)
        keep = sketch_arrays(raw).lengths > 0
        if not keep.all():
            raw = raw[keep]
        columns = sketch_arrays(raw)
        n = raw.shape[0]
        index = cls(capacity=n)
        index._ids[:n] = np.asarray(ids, dtype=np.int64)[keep]
        index._times[:n] = times[keep]
        index._shingles[:n] = columns.shingles
        index._fps[:n] = columns.fingerprints
        index._numbers[:n] = columns.numbers
        index._sigs[:n] = columns.minhash
        index._live[:n] = True
        index._n = index._live_count = n
        index._reindex()
        return index

    def add(self, doc_id: int, sk: Sketch, at: Moment) -> None:
        """Index article *doc_id* with its sketch and publication (or fetch) time."""
        if sk.length == 0:
            return
        if self._n == self._cap:
            self._grow()
        slot = self._n
        self._ids[slot] = doc_id
        self._times[slot] = _seconds(at)
        self._fps[slot] = fingerprint64(sk.fingerprint)
        self._shingles[slot] = sk.shingles
        self._numbers[slot] = np.frombuffer(sk.numbers, dtype="<u2")
        self._sigs[slot] = sig = np.frombuffer(sk.minhash, dtype=np.uint8)
        self._tail_keys[:, slot - self._sorted_n] = sig.view(np.uint16)[:BANDS]
        self._live[slot] = True
        self._n += 1
        self._live_count += 1
        if self._n - self._sorted_n > _tail_limit(self._sorted_n):
            self._reindex()

    def remove_before(self, at: Moment) -> int:
        """Drop the articles whose time is before *at* (window expiry); returns how many."""
        n = self._n
        old = self._live[:n] & (self._times[:n] < _seconds(at))
        removed = int(np.count_nonzero(old))
        if removed:
            self._live[:n] &= ~old
            self._live_count -= removed
            if self._live_count < 0.75 * n:
                self._reindex()
        return removed

    def remove(self, doc_id: int) -> bool:
        """Drop article *doc_id* (deleted, or re-extracted with another body); False if absent.

        A linear scan (about 1 ms per million articles): meant for occasional deletions.
        """
        n = self._n
        slots = np.flatnonzero((self._ids[:n] == doc_id) & self._live[:n])
        if slots.size == 0:
            return False
        self._live[slots] = False
        self._live_count -= int(slots.size)
        if self._live_count < 0.75 * n:
            self._reindex()
        return True

    def _grow(self) -> None:
        cap = max(self._cap + 16, int(self._cap * 1.125))
        for name in ("_ids", "_times", "_fps", "_shingles", "_numbers", "_sigs", "_live"):
            old = getattr(self, name)
            new = np.zeros((cap, *old.shape[1:]), dtype=old.dtype)
            new[: self._n] = old[: self._n]
            setattr(self, name, new)
        self._cap = cap

    def _reindex(self) -> None:
        """Compact away removed slots and sort every slot into the bucket tables."""
        n = self._n
        if self._live_count < n:
            keep = np.flatnonzero(self._live[:n])
            m = keep.size
            for name in ("_ids", "_times", "_fps", "_shingles", "_numbers", "_sigs"):
                arr = getattr(self, name)
                arr[:m] = arr[keep]
            self._live[:m] = True
            self._live[m:n] = False
            self._n = n = m
        near = np.flatnonzero(self._shingles[:n] >= MIN_SHINGLES).astype(np.int32)
        keys = np.ascontiguousarray(self._sigs[near, : 2 * BANDS]).view(np.uint16)
        self._band_order = np.empty((BANDS, near.size), dtype=np.int32)
        self._band_start = np.empty((BANDS, 65537), dtype=np.int32)
        for band in range(BANDS):
            column = keys[:, band]
            self._band_order[band] = near[np.argsort(column, kind="stable")]
            self._band_start[band, 0] = 0
            np.cumsum(np.bincount(column, minlength=65536), out=self._band_start[band, 1:])
        low = (self._fps[:n] & np.uint64(0xFFFF)).astype(np.uint16)
        self._exact_order = np.argsort(low, kind="stable").astype(np.int32)
        self._exact_start[0] = 0
        np.cumsum(np.bincount(low, minlength=65536), out=self._exact_start[1:])
        self._sorted_n = n

    # -- querying --------------------------------------------------------------------------------

    def find(self, sk: Sketch, *, exclude: int | None = None) -> Match | None:
        """The earlier article *sk* duplicates, or ``None``.

        An identical folded text wins (the earliest such article). Otherwise the candidates that
        share an LSH band are judged by :func:`compare`'s rule and the most similar one is
        returned (ties: the earliest). *exclude* skips one ``doc_id`` (the article itself).
        """
        if sk.length == 0:
            return None
        exact = self._find_exact(fingerprint64(sk.fingerprint), exclude)
        if exact is not None:
            return exact
        if not sk.near_matching or self._live_count == 0:
            return None
        return self._find_near(sk, exclude)

    def _find_exact(self, fp: int, exclude: int | None) -> Match | None:
        key = fp & 0xFFFF
        start, stop = self._exact_start[key], self._exact_start[key + 1]
        fp64 = np.uint64(fp)
        tail = np.flatnonzero(self._fps[self._sorted_n : self._n] == fp64) + self._sorted_n
        slots = np.concatenate((self._exact_order[start:stop], tail))
        slots = slots[(self._fps[slots] == fp64) & self._live[slots]]
        if exclude is not None:
            slots = slots[self._ids[slots] != exclude]
        if slots.size == 0:
            return None
        best = slots[np.lexsort((slots, self._times[slots]))[0]]
        return Match(int(self._ids[best]), 1.0, True)

    def _find_near(self, sk: Sketch, exclude: int | None) -> Match | None:
        sig = np.frombuffer(sk.minhash, dtype=np.uint8)
        keys = sig.view(np.uint16)[:BANDS].astype(np.intp)
        band = np.arange(BANDS)
        starts = self._band_start[band, keys]
        stops = self._band_start[band, keys + 1]
        parts = [self._band_order[b, starts[b] : stops[b]] for b in np.flatnonzero(stops > starts)]
        lo, hi = self._sorted_n, self._n
        if hi > lo:
            tail = self._tail_keys[:, : hi - lo] == keys.astype(np.uint16)[:, None]
            hits = np.flatnonzero(tail.any(axis=0)) + lo
            parts.append(hits[self._shingles[hits] >= MIN_SHINGLES].astype(np.int32))
        if not parts:
            return None
        slots = np.sort(np.concatenate(parts))
        if slots.size == 0:
            return None
        slots = slots[np.concatenate(([True], slots[1:] != slots[:-1]))]
        slots = slots[self._live[slots]]
        if exclude is not None:
            slots = slots[self._ids[slots] != exclude]
        if slots.size == 0:
            return None
        equal = np.count_nonzero(self._sigs[slots] == sig, axis=1)
        plausible = equal >= EQUAL_FLOOR  # below the Jaccard floor: no rule can match
        slots, equal = slots[plausible], equal[plausible]
        if slots.size == 0:
            return None
        jac, _con, _num, _differ, dup = judge(
            equal,
            sk.shingles,
            self._shingles[slots],
            np.frombuffer(sk.numbers, dtype="<u2"),
            self._numbers[slots],
        )
        if not dup.any():
            return None
        slots, jac = slots[dup], jac[dup]
        best = np.lexsort((slots, self._times[slots], -jac))[0]
        return Match(int(self._ids[slots[best]]), float(jac[best]), False)


_TAIL_MAX = 16384


def _tail_limit(sorted_n: int) -> int:
    """Unsorted slots tolerated before re-sorting: scanning the tail costs about as much as
    the amortised re-sort."""
    return min(_TAIL_MAX, max(1024, sorted_n // 64))
