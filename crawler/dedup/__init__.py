"""Near-duplicate detection: one story however many sites, scripts and edits carry it.

The pipeline calls three things, in order, for each new article:

1. :func:`sketch` folds the extracted body (:func:`fold`: OpenCC Traditional→Simplified, with
   Taiwan vocabulary mapped back when it is detected, NFKC, only letters and digits kept) and
   summarises it in a :class:`Sketch`: a content hash of the folded text (``fingerprint``) and
   a compact similarity signature. ``Sketch.to_bytes()`` is what the database stores
   (:data:`SKETCH_BYTES` bytes, fixed size), ``Sketch.from_bytes()`` reads it back.
2. :meth:`DuplicateIndex.find` names the earlier article this one duplicates, if any: an
   identical folded text first (``exact=True``), otherwise the most similar near-duplicate.
3. :meth:`DuplicateIndex.add` puts the article in the index; :meth:`DuplicateIndex.remove_before`
   drops articles that left the window, and :meth:`DuplicateIndex.build` rebuilds the index from
   stored ``(article_id, sketch bytes, time)`` rows after a restart.

How similarity is measured: the folded text is cut into overlapping 5-character shingles, each
hashed to 64 bits. One-permutation MinHash splits the hash space into 128 bins and keeps each
bin's smallest hash (empty bins borrow from the next filled bin, "rotation densification");
one byte of each bin is kept (b-bit MinHash). The share of equal bytes estimates the Jaccard
similarity J of the two shingle sets; together with the stored shingle counts it also gives the
containment of the smaller text in the larger one, which is what a copy with a cut last
paragraph keeps. Two texts are near-duplicates when J ≥ 0.5, or when the smaller is at least
80 % contained in the larger and J ≥ 0.3, unless their numbers disagree: dates, meeting numbers
and counts are what tell one week's template notice from the next, and copies keep them (each
sketch keeps a sample of its number tokens: 40 % must be shared, and a date if both give
dates).

The index is a set of numpy arrays, about 253 bytes per article plus 6 MB of tables (259 MB
for a million): the 128 signature bytes, id, time, fingerprint, counts and number sample, and
for each of 20 LSH bands (two signature bytes = a 16-bit bucket) a slot permutation sorted by
bucket. A true duplicate (J ≥ 0.5) shares at least one band with probability > 0.996. New
articles go to an unsorted tail (at most 16,384) whose band keys are scanned in one vectorised
comparison; when it grows, everything is re-sorted (about 0.6 s for a million articles, so
one ``add`` in 16,384 is slow). Measured with ``bench/dedup.py``: about 0.2 ms to sketch an
article and 0.2 ms to find and add it in a window of a million.
"""

from __future__ import annotations

__all__ = [
    "MIN_SHINGLES",
    "SKETCH_BYTES",
    "Comparison",
    "Document",
    "DuplicateIndex",
    "IndexRow",
    "Match",
    "Sketch",
    "compare",
    "fold",
    "sketch",
]

from typing import Any

from crawler.dedup.index import Document, DuplicateIndex, IndexRow, Match
from crawler.dedup.sketches import MIN_SHINGLES, SKETCH_BYTES, Comparison, Sketch, compare, sketch


def __getattr__(name: str) -> Any:
    """``fold`` on first use: folding loads OpenCC's dictionaries (see :func:`sketch`)."""
    if name == "fold":
        from crawler.dedup.folding import fold

        return fold
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
