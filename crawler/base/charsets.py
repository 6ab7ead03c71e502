"""Charset labels to Python codecs, preferring the supersets real Chinese pages need.

A page or an operator says ``gb2312`` or ``big5``; the bytes are nearly always GBK/GB18030 or
Big5-HKSCS, which decode strictly more real pages. The config loader checks a source's
``encoding:`` with this, and the fetch stage (:mod:`crawler.fetch.encoding`) decodes with it.
"""

from __future__ import annotations

__all__ = ["normalize_charset"]

import codecs

# Labels whose superset decodes strictly more real pages.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "chinese": "gb18030",
    "csgb2312": "gb18030",
    "euc-cn": "gb18030",
    "big5": "big5hkscs",
    "big5-tw": "big5hkscs",
    "cp950": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "ascii": "utf-8",
    "us-ascii": "utf-8",
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
}


def normalize_charset(label: str | None) -> str | None:
    """Return the Python codec name for a charset label, preferring supersets; None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _SUPERSETS.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)
