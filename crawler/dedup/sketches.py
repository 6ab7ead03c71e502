"""Sketches: what dedup remembers of a text, and the rule that says two texts are one story.

A :class:`Sketch` holds the fingerprint (BLAKE2b-128 of the folded text), the folded length, the
number of distinct 5-character shingles, a sample of the text's number tokens and 128 one-byte
one-permutation MinHash values. :func:`compare` applies the near-duplicate rule to two sketches;
:func:`judge` is the same rule vectorised over an index's candidates.
"""

from __future__ import annotations

__all__ = [
    "BINS",
    "CONTAINMENT_DUPLICATE",
    "EQUAL_FLOOR",
    "JACCARD_DUPLICATE",
    "JACCARD_FLOOR",
    "MIN_SHINGLES",
    "NUMBERS_MIN",
    "NUMBERS_SHARED",
    "NUMBER_SLOTS",
    "SHINGLE_SIZE",
    "SKETCH_BYTES",
    "SKETCH_VERSION",
    "Comparison",
    "Sketch",
    "SketchArrays",
    "compare",
    "fingerprint64",
    "judge",
    "similar_text",
    "sketch",
    "sketch_arrays",
]

import functools
import hashlib
import math
import re
import struct
import typing
import unicodedata
import zlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

SHINGLE_SIZE = 5
"""Characters per shingle (of the folded text)."""
BINS = 128
"""One-permutation MinHash bins; one byte of each is kept."""
MIN_SHINGLES = 30
"""Texts with fewer distinct shingles (about 34 folded characters) only match exactly."""

JACCARD_DUPLICATE = 0.5
"""Estimated Jaccard similarity from which two texts are near-duplicates."""
CONTAINMENT_DUPLICATE = 0.8
"""Estimated containment of the smaller text from which a pair is a near-duplicate ..."""
JACCARD_FLOOR = 0.3
"""... provided their Jaccard similarity is at least this (a cut copy, a short flash)."""
NUMBERS_SHARED = 0.4
"""Share of the number tokens (of the text with fewer) the other text must have too; and when
both texts give dates (tokens with 月 or 日), at least one date must be shared."""
NUMBERS_MIN = 2
"""Number tokens both texts need before the share of shared ones counts."""
NUMBER_SLOTS = 8
"""Number tokens kept per text: the smallest 16-bit hashes (a bottom-k sample)."""

SKETCH_VERSION = 1
"""Byte 0 of ``to_bytes()``; bumped whenever sketches of one text would change."""
_HEADER = struct.Struct("<BBII16s16s")  # version, flags, shingles, length, fingerprint, numbers
SKETCH_BYTES = _HEADER.size + BINS
"""Size of ``Sketch.to_bytes()``: what the database stores per article."""
_NUMBER_RE = re.compile(r"[0-9０-９]+(?:[年月日时点分][0-9０-９]+)*[年月日时点分]?")

_NUMBERS = struct.Struct(f"<{NUMBER_SLOTS}H")
_NO_NUMBERS = (0,) * NUMBER_SLOTS

# Constants as 0-d arrays: ufuncs take them faster than NumPy scalars.
_LOW32 = np.array(0xFFFFFFFF, dtype=np.uint64)
_SHINGLE_MUL = 0x100000001B3
_SHINGLE_POWERS = np.array(
    [pow(_SHINGLE_MUL, SHINGLE_SIZE - 1 - i, 2**64) for i in range(SHINGLE_SIZE)], dtype=np.uint64
)
"""``M⁴ … M¹, 1`` (mod 2⁶⁴): a shingle's weight for each of its characters."""
_ROTATION_MUL = 0x9E3779B97F4A7C15
_ROTATIONS = np.array([d * _ROTATION_MUL % 2**64 for d in range(BINS)], dtype=np.uint64)
"""What densification adds for each distance to the donor bin (mod 2⁶⁴)."""
_FMIX_SHIFT = np.array(33, dtype=np.uint64)
_FMIX_MUL1 = np.array(0xFF51AFD7ED558CCD, dtype=np.uint64)
_FMIX_MUL2 = np.array(0xC4CEB9FE1A85EC53, dtype=np.uint64)
_BIN_SHIFT = np.array(64 - (BINS.bit_length() - 1), dtype=np.uint64)
_BIN_NUMBERS = np.arange(BINS, dtype=np.uint64)
_BIN_STARTS = _BIN_NUMBERS << _BIN_SHIFT
_BIN_IDS = np.arange(BINS, dtype=np.int64)
_BYTE_COLLISION = 1.0 / 256.0
EQUAL_FLOOR = math.floor((JACCARD_FLOOR * (1.0 - _BYTE_COLLISION) + _BYTE_COLLISION) * BINS)

U8 = npt.NDArray[np.uint8]
U64 = npt.NDArray[np.uint64]


@dataclass(frozen=True, slots=True)
class Sketch:
    """What dedup remembers of one text.

    **Fields:**

    * ``fingerprint``: 32 hex digits, BLAKE2b-128 of the folded text (the exact layer; store it
      for lookups, it is also inside ``to_bytes()``).
    * ``length``: characters of the folded text (0: nothing to match, never a duplicate).
    * ``shingles``: distinct 5-character shingles; below :data:`MIN_SHINGLES` only exact
      matches count.
    * ``numbers``: the text's number tokens (dates, counts such as 3月5日, 12次): the
      :data:`NUMBER_SLOTS` smallest distinct 16-bit hashes, ascending, zero-padded.
    * ``minhash``: :data:`BINS` one-byte MinHash values (all zero when ``shingles`` is too few).
    """

    fingerprint: str
    length: int
    shingles: int
    numbers: bytes
    minhash: bytes

    @property
    def near_matching(self) -> bool:
        """Whether the text is long enough for near-duplicate matching (else exact only)."""
        return self.shingles >= MIN_SHINGLES

    def to_bytes(self) -> bytes:
        """The fixed-size (:data:`SKETCH_BYTES`) binary form stored in the database."""
        head = _HEADER.pack(
            SKETCH_VERSION,
            0,
            self.shingles,
            self.length,
            bytes.fromhex(self.fingerprint),
            self.numbers,
        )
        return head + self.minhash

    @classmethod
    def from_bytes(cls, data: bytes) -> Sketch:
        """Read back ``to_bytes()``; raises ``ValueError`` saying what is wrong with *data*."""
        if len(data) != SKETCH_BYTES:
            raise ValueError(f"dedup: sketch is {len(data)} bytes, expected {SKETCH_BYTES}")
        version, _flags, shingles, length, digest, numbers = _HEADER.unpack_from(data)
        if version != SKETCH_VERSION:
            raise ValueError(f"dedup: sketch version {version}, this code reads {SKETCH_VERSION}")
        return cls(digest.hex(), length, shingles, numbers, bytes(data[_HEADER.size :]))


def sketch(text: str) -> Sketch:
    """Fold *text* and compute its :class:`Sketch` (about 0.1–0.3 ms for a 1,500-character body)."""
    # Imported here: folding loads OpenCC's dictionaries (about 11 MB), which a process that
    # only reads sketches back and matches them (the crawl beside its analysis workers) never
    # needs.
    from crawler.dedup.folding import fold_codes, simplify

    simplified = simplify(text)
    folded, codes = fold_codes(simplified)
    digest = hashlib.blake2b(folded.encode("utf-8"), digest_size=16).hexdigest()
    tokens = {_number_token(t) for t in _NUMBER_RE.findall(simplified)}
    smallest = sorted(tokens)[:NUMBER_SLOTS]
    numbers = _NUMBERS.pack(*smallest, *_NO_NUMBERS[len(smallest) :])
    hashes = _shingle_hashes(codes)
    if hashes.size < MIN_SHINGLES:
        return Sketch(digest, len(folded), int(hashes.size), numbers, bytes(BINS))
    return Sketch(digest, len(folded), int(hashes.size), numbers, _minhash(hashes).tobytes())


@functools.lru_cache(maxsize=4096)
def _number_token(token: str) -> int:
    """16-bit hash of a number token; the lowest bit says whether it is a date (月/日).

    Cached: dates, years and small counts recur from article to article.
    """
    token = unicodedata.normalize("NFKC", token)
    flag = 1 if ("月" in token or "日" in token) else 0
    return ((zlib.crc32(token.encode("utf-8")) & 0xFFFE) | flag) or 2


def _fmix64(h: U64) -> U64:
    """MurmurHash3's 64-bit finaliser, in place (uint64 arithmetic wraps)."""
    h ^= h >> _FMIX_SHIFT
    h *= _FMIX_MUL1
    h ^= h >> _FMIX_SHIFT
    h *= _FMIX_MUL2
    h ^= h >> _FMIX_SHIFT
    return h


def _shingle_hashes(codes: npt.NDArray[np.uint32]) -> U64:
    """Sorted distinct 64-bit hashes of the character shingles of a text's code points.

    A shingle's hash before mixing is the polynomial ``c0·M⁴ + c1·M³ + … + c4`` (mod 2⁶⁴), so all
    of them are one correlation of the code points with the powers of ``M``: one call instead of
    a multiply and an add per character of the shingle.
    """
    if codes.size == 0:
        return np.empty(0, dtype=np.uint64)
    width = min(SHINGLE_SIZE, codes.size)
    polynomials = np.correlate(codes, _SHINGLE_POWERS[SHINGLE_SIZE - width :], "valid")
    h = _fmix64(typing.cast(U64, polynomials))  # uint64: the powers' type
    h.sort()
    distinct = h[1:] != h[:-1]
    if np.count_nonzero(distinct) == distinct.size:  # repeated shingles are rare
        return h
    keep = np.empty(h.size, dtype=np.bool_)
    keep[0] = True
    keep[1:] = distinct
    return h[keep]


def _minhash(hashes: U64) -> U8:
    """One-permutation MinHash with rotation densification, one byte per bin."""
    # The first hash at or after each bin's start is the bin's minimum, if it is in that bin.
    first = hashes.take(hashes.searchsorted(_BIN_STARTS), mode="clip")
    filled = (first >> _BIN_SHIFT) == _BIN_NUMBERS
    donors = filled.nonzero()[0]
    if donors.size == BINS:
        return first.astype(np.uint8)  # the lowest byte
    # An empty bin borrows from the next filled bin (cyclically), mixed with the distance.
    donor = donors.take(donors.searchsorted(_BIN_IDS), mode="wrap")
    borrowed = first.take(donor)
    borrowed &= _LOW32
    borrowed += _ROTATIONS.take(donor - _BIN_IDS, mode="wrap")  # distance (donor - bin) % BINS
    return np.where(filled, first, _fmix64(borrowed)).astype(np.uint8)


@dataclass(frozen=True, slots=True)
class Comparison:
    """How two sketches relate: estimated ``jaccard`` and ``containment`` (of the smaller text
    in the larger), ``numbers_shared`` (share of number tokens found in both, 1.0 when either
    text has none), ``dates_differ`` (both give dates, none in common) and the verdict
    ``duplicate``."""

    exact: bool
    jaccard: float
    containment: float
    numbers_shared: float
    dates_differ: bool
    duplicate: bool


def compare(a: Sketch, b: Sketch) -> Comparison:
    """Compare two sketches with the same rule :meth:`DuplicateIndex.find` applies."""
    if a.length and a.fingerprint == b.fingerprint:
        return Comparison(True, 1.0, 1.0, 1.0, False, True)
    if not (a.near_matching and b.near_matching):
        return Comparison(False, 0.0, 0.0, 1.0, False, False)
    equal = np.count_nonzero(
        np.frombuffer(a.minhash, dtype=np.uint8) == np.frombuffer(b.minhash, dtype=np.uint8)
    )
    jac, con, num, differ, dup = judge(
        np.array([equal]),
        a.shingles,
        np.array([b.shingles], dtype=np.uint32),
        np.frombuffer(a.numbers, dtype="<u2"),
        np.frombuffer(b.numbers, dtype="<u2")[None, :],
    )
    return Comparison(
        False, float(jac[0]), float(con[0]), float(num[0]), bool(differ[0]), bool(dup[0])
    )


def judge(
    equal: npt.NDArray[np.int64],
    shingles: int,
    other_shingles: npt.NDArray[np.uint32],
    numbers: npt.NDArray[np.uint16],
    other_numbers: npt.NDArray[np.uint16],
) -> tuple[
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.bool_],
    npt.NDArray[np.bool_],
]:
    """The near-duplicate rule, vectorised over candidates: *equal* minhash bytes, shingle
    counts and number samples. Returns (jaccard, containment, numbers shared, dates differ,
    duplicate). Pairs with fewer than :data:`EQUAL_FLOOR` equal bytes never match."""
    share = equal / BINS
    jac = np.clip((share - _BYTE_COLLISION) / (1.0 - _BYTE_COLLISION), 0.0, 1.0)
    sizes = other_shingles.astype(np.float64)
    common = jac * (shingles + sizes) / (1.0 + jac)
    con = np.minimum(common / np.minimum(sizes, shingles), 1.0)
    num, differ = _numbers_shared(numbers, other_numbers)
    return jac, con, num, differ, similar_text(jac, con) & (num >= NUMBERS_SHARED) & ~differ


def similar_text(
    jaccard: npt.NDArray[np.float64], containment: npt.NDArray[np.float64]
) -> npt.NDArray[np.bool_]:
    """The near-duplicate rule's test of the texts alone, before their numbers are compared
    (which copies of one policy document, known by its 文号, need not pass)."""
    return (jaccard >= JACCARD_DUPLICATE) | (
        (containment >= CONTAINMENT_DUPLICATE) & (jaccard >= JACCARD_FLOOR)
    )


def _numbers_shared(
    mine: npt.NDArray[np.uint16], theirs: npt.NDArray[np.uint16]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Per candidate row of *theirs*: the share of number tokens found in both texts, and
    whether both give dates but share none.

    Both are bottom-k samples (ascending, zero-padded), so only hashes that both samples cover
    are comparable; of those, the share is taken over the side with fewer. 1.0 (no evidence)
    when either text has no numbers there.
    """
    if not mine.any():
        return np.ones(theirs.shape[0]), np.zeros(theirs.shape[0], dtype=np.bool_)
    # A full sample covers the hashes up to its largest; a shorter one is the whole set.
    mine_cover = int(mine[-1]) if mine[-1] else 65536
    theirs_cover = np.where(theirs[:, -1] != 0, theirs[:, -1].astype(np.int32), 65536)
    limit = np.minimum(theirs_cover, mine_cover)[:, None]
    mine_in = (mine[None, :] != 0) & (mine[None, :] <= limit)
    theirs_in = (theirs != 0) & (theirs <= limit)
    found = (mine[None, :, None] == theirs[:, None, :]).any(axis=2) & mine_in
    fewer = np.minimum(mine_in.sum(axis=1), theirs_in.sum(axis=1))
    share = np.where(fewer >= NUMBERS_MIN, found.sum(axis=1) / np.maximum(fewer, 1), 1.0)
    mine_dates = mine_in & (mine[None, :] & 1).astype(np.bool_)
    theirs_dates = (theirs_in & (theirs & 1).astype(np.bool_)).any(axis=1)
    differ = mine_dates.any(axis=1) & theirs_dates & ~(found & mine_dates).any(axis=1)
    return share, differ


@dataclass(frozen=True, slots=True)
class SketchArrays:
    """Many stored sketches at once, as columns (for rebuilding an index)."""

    lengths: npt.NDArray[np.uint32]
    shingles: npt.NDArray[np.uint32]
    fingerprints: U64  # first 8 bytes of the fingerprint, as :func:`fingerprint64`
    numbers: npt.NDArray[np.uint16]  # (n, NUMBER_SLOTS)
    minhash: U8  # (n, BINS)


def sketch_arrays(raw: U8) -> SketchArrays:
    """Split an ``(n, SKETCH_BYTES)`` matrix of ``to_bytes()`` rows into columns."""
    return SketchArrays(
        lengths=raw[:, 6:10].copy().view("<u4").ravel(),
        shingles=raw[:, 2:6].copy().view("<u4").ravel(),
        fingerprints=raw[:, 10:18].copy().view("<u8").ravel(),
        numbers=raw[:, 26:42].copy().view("<u2"),
        minhash=raw[:, _HEADER.size :],
    )


def fingerprint64(fingerprint: str) -> int:
    """The first 8 bytes of a fingerprint as an integer (the index's exact-match key)."""
    return int.from_bytes(bytes.fromhex(fingerprint[:16]), "little")
