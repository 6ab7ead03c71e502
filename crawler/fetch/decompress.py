"""Content-Encoding, undone in bounded pieces: gzip, zlib or raw deflate, and brotli.

httpx's own decoders inflate a whole network chunk at once, so a 10 KB gzip bomb could become
gigabytes in one step. :class:`Decompressor` is fed the raw body chunk by chunk, lets no
decoder produce more than about ``PIECE`` bytes per step, and stops with
:class:`DecodedTooLarge` as soon as the decoded bytes pass the limit: it never holds more than
about one piece past it. Codings it
does not know are passed through, as httpx does; ``ACCEPT_ENCODING`` asks only for the ones it
knows.
"""

from __future__ import annotations

__all__ = ["ACCEPT_ENCODING", "PIECE", "CorruptBody", "DecodedTooLarge", "Decompressor"]

import zlib
from collections.abc import Iterator

import brotli

ACCEPT_ENCODING = "gzip, deflate, br"
PIECE = 64 * 1024
"""The most a decoder may produce at once."""


class DecodedTooLarge(Exception):
    """The decoded body passed the limit."""


class CorruptBody(Exception):
    """The body is not valid in its Content-Encoding."""


class _Inflate:
    """gzip / zlib / raw deflate, producing at most ``PIECE`` bytes per step."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        # "deflate" is zlib, or raw deflate in practice: which one, the first two bytes (zlib's
        # header) tell, so they are gathered before anything is decoded.
        self.undecided = encoding == "deflate"
        self.head = b""
        wbits = zlib.MAX_WBITS | 16 if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self.z = zlib.decompressobj(wbits)

    def feed(self, data: bytes, *, final: bool = False) -> Iterator[bytes]:
        if self.undecided:
            self.head += data
            if len(self.head) < 2 and not final:
                return
            data, self.head, self.undecided = self.head, b"", False
            try:
                out = self.z.decompress(data, PIECE)
            except zlib.error:
                self.z = zlib.decompressobj(-zlib.MAX_WBITS)
                out = self.z.decompress(data, PIECE)
        else:
            out = self.z.decompress(data, PIECE)
        yield out
        while self.z.unconsumed_tail:
            yield self.z.decompress(self.z.unconsumed_tail, PIECE)

    def flush(self) -> Iterator[bytes]:
        yield from self.feed(b"", final=True)


class _Unbrotli:
    """brotli, producing at most about ``PIECE`` bytes per step (brotli's own output limit is
    approximate: up to about one and a half pieces)."""

    encoding = "br"

    def __init__(self) -> None:
        self.d = brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield self.d.process(data, output_buffer_limit=PIECE)
        yield from self._held_back()

    def flush(self) -> Iterator[bytes]:
        return self._held_back()

    def _held_back(self) -> Iterator[bytes]:
        """What the decoder decoded but did not hand out: having consumed its input it says it
        can take more (``can_accept_more_data``) while still holding output past the limit, so
        it is asked until it has none (or the stream is finished)."""
        while not self.d.is_finished():
            out = self.d.process(b"", output_buffer_limit=PIECE)
            if not out:
                return
            yield out


def _decoders(content_encoding: str) -> list[_Inflate | _Unbrotli]:
    """Decoders in the order to apply them (the reverse of the header's)."""
    out: list[_Inflate | _Unbrotli] = []
    for token in reversed([t.strip().lower() for t in content_encoding.split(",") if t.strip()]):
        if token in ("gzip", "x-gzip", "deflate"):
            out.append(_Inflate(token))
        elif token == "br":
            out.append(_Unbrotli())
    return out


def _through(
    decoder: _Inflate | _Unbrotli, pieces: Iterator[bytes], *, final: bool
) -> Iterator[bytes]:
    for piece in pieces:
        yield from decoder.feed(piece)
    if final:
        yield from decoder.flush()


class Decompressor:
    """The decoded body of a response with ``content_encoding``, at most ``limit`` bytes.

    Feed it the raw chunks in order, then :meth:`finish`. Raises :class:`DecodedTooLarge` past
    the limit and :class:`CorruptBody` for bytes the coding cannot decode."""

    def __init__(self, content_encoding: str, limit: int) -> None:
        self.limit = limit
        self._decoders = _decoders(content_encoding)
        self._out: list[bytes] = []
        self._total = 0

    def feed(self, chunk: bytes) -> None:
        if self._decoders:
            self._take(chunk, final=False)

    def finish(self, raw: bytes) -> bytes:
        """The decoded body (``raw``, the whole raw body, when there was nothing to decode)."""
        if not self._decoders:
            return raw
        self._take(b"", final=True)
        return b"".join(self._out)

    def _take(self, data: bytes, *, final: bool) -> None:
        # Lazily chained, so no step yields more than one piece at a time.
        pieces: Iterator[bytes] = iter((data,))
        for decoder in self._decoders:
            pieces = _through(decoder, pieces, final=final)
        try:
            for piece in pieces:
                self._total += len(piece)
                if self._total > self.limit:
                    raise DecodedTooLarge(f"more than {self.limit:,} bytes decoded")
                self._out.append(piece)
        except (zlib.error, brotli.error) as exc:
            raise CorruptBody(str(exc)) from exc
