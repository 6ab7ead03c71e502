"""The in-memory index of the dedup window: which earlier article does this one duplicate?"""

from __future__ import annotations

__all__ = ["BANDS", "Document", "DuplicateIndex", "IndexRow", "Match", "Moment"]

import itertools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

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
    similar_text,
    sketch_arrays,
)

BANDS = 20
"""LSH bands; band *b* is signature bytes ``2b`` and ``2b+1`` (a 16-bit bucket)."""


Moment = datetime | float
"""A publication/fetch time: an aware or naive-UTC ``datetime``, or POSIX seconds."""


@dataclass(frozen=True, slots=True)
class Match:
    """The earlier article a new one duplicates: ``similarity`` is the estimated Jaccard
    similarity of the folded texts (1.0 for an ``exact`` match of the folded text). ``group``
    is the article that founded its story, which the new one matched too (see
    :class:`DuplicateIndex`): the story it joins, and what its ``duplicate_of`` should say."""

    doc_id: int
    similarity: float
    exact: bool
    group: int = field(default=0, compare=False)


_ISSUER_ALIASES = (("人民政府", "政府"),)
_NOT_WORD_RE = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True)
class Document:
    """The policy document an article carries: its 文号 (normal form, as
    :func:`crawler.extract.policy.parse_doc_no` writes it) and issuing body (Simplified).

    City governments issue one template notice with only the city, dates and numbers changed,
    so two texts of different documents are never one story however alike: different 文号, or,
    where either lacks one, issuers of which neither contains the other (深圳市人民政府办公厅
    and 广州市人民政府办公厅 differ; 市政府办公厅 and 深圳市人民政府办公厅 may be one). Reprints
    of one document (same 文号) are one whatever each site writes as the issuer.
    """

    doc_no: str | None = None
    issuer: str | None = None

    @classmethod
    def of(cls, doc_no: str | None, issuer: str | None) -> Document | None:
        """The document of an article, or None when it shows neither 文号 nor issuer."""
        key = _issuer_key(issuer) if issuer else None
        if not doc_no and not key:
            return None
        return cls(doc_no or None, key or None)

    def conflicts(self, other: Document | None) -> bool:
        """Whether the two can never be one story."""
        if other is None:
            return False
        if self.doc_no and other.doc_no:
            return self.doc_no != other.doc_no
        if self.issuer and other.issuer:
            return self.issuer not in other.issuer and other.issuer not in self.issuer
        return False


def _issuer_key(issuer: str) -> str:
    key = _NOT_WORD_RE.sub("", issuer).lower()
    for long, short in _ISSUER_ALIASES:
        key = key.replace(long, short)
    return key


class IndexRow(NamedTuple):
    """A stored article as :meth:`DuplicateIndex.build` takes it: its sketch bytes and time, and
    the story founder it matched (``group``, None: itself) and document, when known."""

    doc_id: int
    sketch: bytes
    at: Moment
    group: int | None = None
    document: Document | None = None


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
    (``length == 0``) are never indexed or matched.

    Stories do not chain: every article remembers its ``group``, the article that founded its
    story (itself, or the ``Match.group`` it joined), and a new text joins a story only if it
    also matches that founder; when the founder has left the window, it must match every
    member still in it. Otherwise A~C and B~C would put template notices A and B, which do not
    match each other, into one story. And a text never joins an article of another policy
    :class:`Document` (different 文号 or issuer). ``doc_id`` should be unique among live
    entries: :meth:`remove` an article before adding it again, and pass ``exclude`` to
    :meth:`find` when re-checking an article that is already in. Not thread-safe: one writer.

    Usage::

        index = DuplicateIndex.build(rows)            # (id, sketch bytes, time) from the DB
        sk = sketch(body)
        match = index.find(sk, document=doc)  # Match(doc_id, similarity, exact, group) | None
        index.add(article_id, sk, at, group=match.group if match else None, document=doc)
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
        self._numbers = np.zeros((self._cap, NUMBER_SLOTS), dtype="<u2")  # as in sketches
        self._sigs = np.zeros((self._cap, BINS), dtype=np.uint8)
        self._live = np.zeros(self._cap, dtype=np.bool_)
        self._groups = np.zeros(self._cap, dtype=np.int64)  # the founder of each slot's story
        self._ascending = True  # ids were added in ascending order (compaction keeps it)
        self._documents = np.full(self._cap, None, dtype=object)  # Document | None
        self._sorted_n = 0  # slots [0, _sorted_n) are in the bucket tables, the rest is the tail
        self._band_order = np.zeros((BANDS, 0), dtype=np.int32)
        # Where each bucket's slots begin in the flattened _band_order (band b's row included).
        self._band_start = np.zeros((BANDS, 65537), dtype=np.int32)
        self._exact_order = np.zeros(0, dtype=np.int32)
        self._exact_start = np.zeros(65537, dtype=np.int32)
        self._bind_views()
        # The tail's band keys, band-major: scanning contiguous rows is 20x faster than strided.
        self._tail_keys = np.zeros((BANDS, _TAIL_MAX + 1), dtype=np.uint16)
        # The tail's fingerprints (first 8 bytes), so that a new text skips the exact scan.
        self._tail_fps: set[int] = set()

    def __getstate__(self) -> dict[str, object]:
        """Pickling (and ``copy``) leave out the views; :meth:`__setstate__` binds them again."""
        return {name: value for name, value in self.__dict__.items() if name not in _VIEWS}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._bind_views()

    def _bind_views(self) -> None:
        """Flat views of the arrays: slicing or reading a few values through a memoryview costs
        less than a NumPy call. The bucket starts are filled in place; the per-slot arrays are
        bound again when they grow (:meth:`_bind_rows`), the bucket order whenever it is rebuilt.
        """
        self._band_bounds = self._band_start.reshape(-1)
        self._exact_bounds = self._exact_start.reshape(-1).data
        self._order_items = self._band_order.reshape(-1).data
        self._bind_rows()

    # -- size ----------------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._live_count

    def memory_bytes(self) -> int:
        """Bytes held by the index's arrays (allocated capacity included)."""
        arrays = (
            self._ids, self._times, self._fps, self._shingles, self._numbers, self._sigs,
            self._live, self._groups, self._documents, self._band_order, self._band_start,
            self._exact_order, self._exact_start, self._tail_keys,
        )  # fmt: skip
        return sum(a.nbytes for a in arrays)

    # -- building --------------------------------------------------------------------------------

    @classmethod
    def build(cls, rows: Iterable[tuple[int, bytes, Moment] | IndexRow]) -> DuplicateIndex:
        """Rebuild an index from stored ``(doc_id, Sketch.to_bytes(), time)`` rows, or
        :class:`IndexRow` with each one's story founder and document.

        Rows with an empty text are skipped; a malformed sketch raises ``ValueError`` naming the
        ``doc_id``. About 2–4 s for a million rows with ``datetime`` times.
        """
        ids: list[int] = []
        stamps: list[float] = []
        blobs: list[bytes] = []
        groups: list[int] = []
        documents: list[Document | None] = []
        for row in rows:
            doc_id, data, at = row[0], row[1], row[2]
            group, document = row[3:] if isinstance(row, IndexRow) else (None, None)
            groups.append(doc_id if group is None else group)
            documents.append(document)
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
        stored = index._ids[:n]
        index._ascending = bool(np.all(stored[1:] > stored[:-1]))
        index._groups[:n] = np.asarray(groups, dtype=np.int64)[keep]
        kept_documents = np.empty(len(documents), dtype=object)
        kept_documents[:] = documents
        index._documents[:n] = kept_documents[keep]
        index._times[:n] = times[keep]
        index._shingles[:n] = columns.shingles
        index._fps[:n] = columns.fingerprints
        index._numbers[:n] = columns.numbers
        index._sigs[:n] = columns.minhash
        index._live[:n] = True
        index._n = index._live_count = n
        index._reindex()
        return index

    def add(
        self,
        doc_id: int,
        sk: Sketch,
        at: Moment,
        *,
        group: int | None = None,
        document: Document | None = None,
    ) -> None:
        """Index article *doc_id* with its sketch and publication (or fetch) time, the founder of
        the story it joined (``Match.group``; None: it founds one) and its policy document."""
        if sk.length == 0:
            return
        if self._n == self._cap:
            self._grow()
        slot = self._n
        if slot and doc_id <= self._ids[slot - 1]:
            self._ascending = False
        self._ids[slot] = doc_id
        self._groups[slot] = doc_id if group is None else group
        self._documents[slot] = document
        self._times[slot] = _seconds(at)
        self._fps[slot] = fp = fingerprint64(sk.fingerprint)
        self._tail_fps.add(fp)
        self._shingles[slot] = sk.shingles
        self._number_bytes[slot * _NUMBER_BYTES : (slot + 1) * _NUMBER_BYTES] = sk.numbers
        self._sig_bytes[slot * BINS : (slot + 1) * BINS] = sk.minhash
        self._tail_keys[:, slot - self._sorted_n] = self._sig_keys[slot]
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
        for name in (*_ROWS, "_live"):
            old = getattr(self, name)
            new = np.zeros((cap, *old.shape[1:]), dtype=old.dtype)
            if old.dtype == object:
                new[:] = None
            new[: self._n] = old[: self._n]
            setattr(self, name, new)
        self._cap = cap
        self._bind_rows()

    def _bind_rows(self) -> None:
        """Views through which :meth:`add` writes a slot's number sample and signature."""
        self._number_bytes = self._numbers.reshape(-1).data.cast("B")
        self._sig_bytes = self._sigs.reshape(-1).data.cast("B")
        self._sig_keys = self._sigs.view(np.uint16)[:, :BANDS]

    def _reindex(self) -> None:
        """Compact away removed slots and sort every slot into the bucket tables."""
        n = self._n
        if self._live_count < n:
            keep = np.flatnonzero(self._live[:n])
            m = keep.size
            for name in _ROWS:
                arr = getattr(self, name)
                arr[:m] = arr[keep]
            self._live[:m] = True
            self._live[m:n] = False
            self._n = n = m
        near = np.flatnonzero(self._shingles[:n] >= MIN_SHINGLES).astype(np.int32)
        keys = np.ascontiguousarray(self._sigs[near, : 2 * BANDS]).view(np.uint16)
        self._band_order = np.empty((BANDS, near.size), dtype=np.int32)
        for band in range(BANDS):
            column = keys[:, band]
            self._band_order[band] = near[np.argsort(column, kind="stable")]
            starts = self._band_start[band]
            starts[0] = 0
            np.cumsum(np.bincount(column, minlength=65536), out=starts[1:])
            starts += band * near.size
        low = (self._fps[:n] & np.uint64(0xFFFF)).astype(np.uint16)
        self._exact_order = np.argsort(low, kind="stable").astype(np.int32)
        self._exact_start[0] = 0
        np.cumsum(np.bincount(low, minlength=65536), out=self._exact_start[1:])
        self._sorted_n = n
        self._tail_fps.clear()
        self._order_items = self._band_order.reshape(-1).data

    # -- querying --------------------------------------------------------------------------------

    def find(
        self, sk: Sketch, *, exclude: int | None = None, document: Document | None = None
    ) -> Match | None:
        """The earlier article *sk* duplicates, or ``None``.

        An identical folded text wins (the earliest such article). Otherwise the candidates that
        share an LSH band are judged by :func:`compare`'s rule and the most similar one is
        returned (ties: the earliest). Either way the match must be of the same ``document``
        (see :class:`Document`) and *sk* must also match its story's founder (see the class).
        *exclude* skips one ``doc_id`` (the article itself).
        """
        if sk.length == 0:
            return None
        exact = self._find_exact(sk, exclude, document)
        if exact is not None:
            return exact
        if not sk.near_matching or self._live_count == 0:
            return None
        return self._find_near(sk, exclude, document)

    def _joinable(self, slots: npt.NDArray[Any], document: Document | None) -> npt.NDArray[Any]:
        """Which of *slots* hold no article of another document than *document*."""
        if document is None:
            return np.ones(slots.size, dtype=np.bool_)
        return np.fromiter(
            (not document.conflicts(other) for other in self._documents.take(slots)),
            dtype=np.bool_,
            count=slots.size,
        )

    def _joins_story(self, slot: int, sk: Sketch, document: Document | None) -> bool:
        """Whether *sk*, which matches the article in *slot*, may join that article's story: it
        matches the story's founder too, or, the founder gone, every member left."""
        group = int(self._groups[slot])
        if int(self._ids[slot]) == group:
            return True
        founder = self._live_slot(group)
        if founder is not None:
            judged = np.array([founder])
        else:  # the founder left the window: every member left must match
            n = self._n
            judged = np.flatnonzero((self._groups[:n] == group) & self._live[:n])
        if not self._joinable(judged, document).all():
            return False
        return bool(self._matches(judged, sk, document).all())

    def _live_slot(self, doc_id: int) -> int | None:
        """The live slot of *doc_id*: a binary search while ids were added in ascending order
        (the writer's, and a rebuild's), else a scan (about 1 ms per million articles)."""
        n = self._n
        if self._ascending:
            at = int(np.searchsorted(self._ids[:n], doc_id))
            found = [at] if at < n and self._ids[at] == doc_id else []
        else:
            found = np.flatnonzero(self._ids[:n] == doc_id).tolist()
        return next((s for s in found if self._live[s]), None)

    def _matches(
        self, slots: npt.NDArray[Any], sk: Sketch, document: Document | None
    ) -> npt.NDArray[np.bool_]:
        """Whether *sk* matches each of *slots* by :func:`compare`'s rule."""
        same = self._fps[slots] == np.uint64(fingerprint64(sk.fingerprint))
        if not sk.near_matching:
            return np.asarray(same, dtype=np.bool_)
        signature = np.frombuffer(sk.minhash, np.uint8)
        equal = np.count_nonzero(self._sigs[slots] == signature, axis=1)
        _jac, dup = self._judge(slots, equal, sk, document)
        near = dup & (self._shingles[slots] >= MIN_SHINGLES)
        return np.asarray(same | near, dtype=np.bool_)

    def _judge(
        self,
        slots: npt.NDArray[Any],
        equal: npt.NDArray[Any],
        sk: Sketch,
        document: Document | None,
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
        """:func:`judge` over *slots* (Jaccard, duplicate), where a copy of the same 文号 need
        only be a similar text: a reprint that cut the paragraph with the deadlines, or the 文号
        line, is still that document, whose number the numbers rule would otherwise miss."""
        jac, con, _num, _differ, dup = judge(
            equal,
            sk.shingles,
            self._shingles[slots],
            np.frombuffer(sk.numbers, dtype="<u2"),
            self._numbers[slots],
        )
        if document is not None and document.doc_no is not None:
            same = np.fromiter(
                (
                    d is not None and d.doc_no == document.doc_no
                    for d in self._documents.take(slots)
                ),
                dtype=np.bool_,
                count=slots.size,
            )
            dup = dup | (same & similar_text(jac, con))
        return jac, dup

    def _first_joinable(
        self, ranked: npt.NDArray[Any], sk: Sketch, document: Document | None
    ) -> int | None:
        """The first of the *ranked* slots whose story *sk* may join."""
        allowed = ranked[self._joinable(ranked, document)]
        return next((int(s) for s in allowed if self._joins_story(int(s), sk, document)), None)

    def _find_exact(
        self, sk: Sketch, exclude: int | None, document: Document | None
    ) -> Match | None:
        fp = fingerprint64(sk.fingerprint)
        key = fp & 0xFFFF
        start, stop = self._exact_bounds[key], self._exact_bounds[key + 1]
        in_tail = fp in self._tail_fps
        if start == stop and not in_tail:  # the usual case: no earlier copy
            return None
        fp64 = np.uint64(fp)
        bucket = self._exact_order[start:stop]
        if not in_tail and fp64 not in self._fps.take(bucket):  # other texts, same 16 bits
            return None
        lo = self._sorted_n
        tail = np.flatnonzero(self._fps[lo : self._n] == fp64) + lo if in_tail else _NO_SLOTS
        slots = np.concatenate((bucket, tail))
        slots = slots[(self._fps[slots] == fp64) & self._live[slots]]
        if exclude is not None:
            slots = slots[self._ids[slots] != exclude]
        if slots.size == 0:
            return None
        best = self._first_joinable(slots[np.lexsort((slots, self._times[slots]))], sk, document)
        if best is None:
            return None
        return Match(int(self._ids[best]), 1.0, True, int(self._groups[best]))

    def _find_near(
        self, sk: Sketch, exclude: int | None, document: Document | None
    ) -> Match | None:
        keys = np.ndarray((BANDS, 1), dtype=np.uint16, buffer=sk.minhash)  # a column of bands
        slots = self._candidates(keys)
        if slots.size == 0:
            return None
        # Count equal signature bytes for every candidate first (a slot that shares several
        # bands is counted more than once, which costs less than sorting them all), then keep
        # the few that could match: the same distinct slots as judging every candidate.
        counts = _equal_bytes(self._sigs.take(slots, axis=0), np.frombuffer(sk.minhash, np.uint8))
        if np.maximum.reduce(counts) < _PLAUSIBLE:  # below the Jaccard floor: no rule can match
            return None
        plausible = counts >= _PLAUSIBLE
        slots, first = np.unique(slots[plausible], return_index=True)
        equal = (counts[plausible][first] >> _TOP_BYTE).astype(np.int64)
        keep = self._live[slots] & (self._shingles[slots] >= MIN_SHINGLES)  # tail: all texts
        if exclude is not None:
            keep &= self._ids[slots] != exclude
        slots, equal = slots[keep], equal[keep]
        if slots.size == 0:
            return None
        jac, dup = self._judge(slots, equal, sk, document)
        if not dup.any():
            return None
        slots, jac = slots[dup], jac[dup]
        order = np.lexsort((slots, self._times[slots], -jac))
        best = self._first_joinable(slots[order], sk, document)
        if best is None:
            return None
        similarity = float(jac[slots == best][0])
        return Match(int(self._ids[best]), similarity, False, int(self._groups[best]))

    def _candidates(self, keys: npt.NDArray[np.uint16]) -> npt.NDArray[np.signedinteger[Any]]:
        """Slots that share a band bucket (*keys*: a column, one per band), once per band they
        share. The tail's are all its texts, including those too short for near matching."""
        slots = _NO_SLOTS
        if self._band_order.size:  # (a young index is all tail)
            bounds = self._band_bounds.take(_BAND_BOUNDS + keys).tolist()  # [start, stop) per band
            spans = map(self._order_items.__getitem__, itertools.starmap(slice, bounds))
            slots = np.frombuffer(b"".join(spans), dtype=np.int32)
        lo, hi = self._sorted_n, self._n
        if hi > lo:
            shared = np.logical_or.reduce(self._tail_keys[:, : hi - lo] == keys, axis=0)
            hits = shared.nonzero()[0]
            if hits.size:
                hits += lo
                return np.concatenate((slots, hits)) if slots.size else hits
        return slots


def _equal_bytes(rows: npt.NDArray[np.uint8], sig: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint64]:
    """Per row, how many of its :data:`BINS` bytes equal *sig*'s, in the top byte of a word
    (compare with :data:`_PLAUSIBLE`, shift by :data:`_TOP_BYTE`).

    The equality mask is read as 64-bit words (one 0/1 byte per bin) and summed per row, which
    gives eight per-byte counts (at most 16 each) in one word; multiplying by 0x0101…01 adds
    them up in the top byte. Several times faster than ``count_nonzero(axis=1)``: a product
    with a vector of 0x0101…01 does both steps for a few dozen rows, ``einsum`` sums hundreds
    of short rows about twice as fast as ``add.reduce`` or the product.
    """
    words = (rows == sig).view(np.uint64)
    if words.shape[0] <= 128:
        total: npt.NDArray[np.uint64] = words @ _BYTE_SUMS  # sums and multiplies in one call
        return total
    total = np.einsum("ij->i", words)
    total *= _BYTE_SUMS[0]
    return total


_BAND_BOUNDS = np.arange(BANDS, dtype=np.intp)[:, None] * 65537 + np.array([0, 1], dtype=np.intp)
"""Row *b* plus key *k*: where bucket *k* of band *b* starts and stops in the flattened
``_band_start``."""
_BYTE_SUMS = np.full(BINS // 8, 0x0101010101010101, dtype=np.uint64)
_TOP_BYTE = np.array(56, dtype=np.uint64)
_PLAUSIBLE = EQUAL_FLOOR << 56
""":data:`EQUAL_FLOOR` equal bytes, as :func:`_equal_bytes` counts them."""
_NUMBER_BYTES = 2 * NUMBER_SLOTS
_NO_SLOTS = np.empty(0, dtype=np.intp)
_ROWS = ("_ids", "_times", "_fps", "_shingles", "_numbers", "_sigs", "_groups", "_documents")
"""The per-slot arrays (besides ``_live``): grown and compacted together."""
_VIEWS = frozenset(
    ("_band_bounds", "_exact_bounds", "_order_items", "_number_bytes", "_sig_bytes", "_sig_keys")
)


_TAIL_MAX = 16384


def _tail_limit(sorted_n: int) -> int:
    """Unsorted slots tolerated before re-sorting: scanning the tail costs about as much as
    the amortised re-sort."""
    return min(_TAIL_MAX, max(1024, sorted_n // 64))
