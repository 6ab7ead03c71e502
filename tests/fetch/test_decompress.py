"""Bounded Content-Encoding decoding (the fetcher's tests cover it over HTTP too)."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest

from crawler.fetch.decompress import PIECE, CorruptBody, DecodedTooLarge, Decompressor

PAGE = ("<p>青岛市党政考察团赴深圳考察学习。</p>" * 2000).encode()


def decode(data: bytes, encoding: str, limit: int = 10_000_000, chunk: int = 4096) -> bytes:
    decompressor = Decompressor(encoding, limit)
    for start in range(0, len(data), chunk):
        decompressor.feed(data[start : start + chunk])
    return decompressor.finish(data)


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda d: zlib.compress(d)[2:-4]),  # raw deflate, as some servers send it
        ("br", brotli.compress),
        ("gzip, br", lambda d: brotli.compress(gzip.compress(d))),
        ("", lambda d: d),
        ("identity", lambda d: d),
        ("zstd-unknown", lambda d: d),  # passed through, as httpx does
    ],
)
def test_each_coding_decodes_to_the_page(encoding: str, compress) -> None:  # type: ignore[no-untyped-def]
    assert decode(compress(PAGE), encoding) == PAGE


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_a_bomb_stops_one_piece_past_the_limit(encoding: str) -> None:
    zeros = b"\0" * 50_000_000
    bomb = gzip.compress(zeros) if encoding == "gzip" else brotli.compress(zeros)
    decompressor = Decompressor(encoding, 1_000_000)
    with pytest.raises(DecodedTooLarge):
        decompressor.feed(bomb)  # one network chunk holding the whole bomb
    assert decompressor._total <= 1_000_000 + 2 * PIECE  # brotli's piece is about 1.5 x PIECE


@pytest.mark.parametrize("chunk", [1, 2, 3, 4096])
@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda d: zlib.compress(d)[2:-4]),
        ("br", brotli.compress),
    ],
)
def test_a_body_arriving_in_tiny_chunks_decodes(encoding: str, compress, chunk: int) -> None:  # type: ignore[no-untyped-def]
    """Whether "deflate" means zlib or raw deflate is told from two bytes, which a slow server
    may send one at a time."""
    assert decode(compress(PAGE[:5000]), encoding, chunk=chunk) == PAGE[:5000]


@pytest.mark.parametrize("chunk", [1, 7, 4096, 1 << 20])
def test_brotli_hands_out_all_it_decoded_however_the_body_arrives(chunk: int) -> None:
    """A highly compressed body: 69 bytes decode to 110 KB. brotli stops at its output limit
    and, its input consumed, says it can take more; the rest must still come out."""
    assert decode(brotli.compress(PAGE), "br", chunk=chunk) == PAGE
    large = PAGE * 30
    assert decode(brotli.compress(large), "br", chunk=chunk) == large


def test_the_limit_counts_decoded_bytes_exactly() -> None:
    data = gzip.compress(PAGE)
    assert decode(data, "gzip", limit=len(PAGE)) == PAGE
    with pytest.raises(DecodedTooLarge):
        decode(data, "gzip", limit=len(PAGE) - 1)


@pytest.mark.parametrize(
    ("encoding", "data"),
    [("gzip", b"\x1f\x8b\x08\x00garbage" * 10), ("br", b"\xff\xfe not brotli" * 10)],
)
def test_corrupt_bytes_are_a_clear_error(encoding: str, data: bytes) -> None:
    with pytest.raises(CorruptBody):
        decode(data, encoding)
