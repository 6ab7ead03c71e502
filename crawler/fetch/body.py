"""A response's body, read within ``max_bytes``: raw off the wire, decoded here.

The fetcher asks transports for the raw bytes and undoes ``Content-Encoding`` itself
(:mod:`crawler.fetch.decompress`), incrementally and in bounded pieces, so that a body is
refused by its declared length before it is read, by its raw size while it is read, and by its
*decoded* size (a gzip, deflate or brotli bomb) without ever holding more than a piece past the
cap. The raw bytes are kept too: the WARC writer archives the body as it came.
"""

from __future__ import annotations

__all__ = ["read_body"]

import httpx

from crawler.base.errors import BodyTooLarge, FetchError
from crawler.fetch.decompress import CorruptBody, DecodedTooLarge, Decompressor


async def read_body(response: httpx.Response, limit: int, url: str) -> tuple[bytes, bytes]:
    """Read ``response``'s body within ``limit`` bytes, raw and decoded; return (raw, decoded),
    empty for a redirect or a 304. BodyTooLarge past the limit, FetchError for a body that does
    not decompress."""
    if response.status_code >= 300:
        return b"", b""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(f"body of {int(declared):,} bytes exceeds max_bytes {limit:,}", url=url)
    if response.is_stream_consumed:
        # A transport that handed over a finished response (httpx.MockTransport with
        # content=...): httpx has decoded it already; there are no raw bytes left to see.
        content = response.content
        if len(content) > limit:
            raise BodyTooLarge(f"body exceeds max_bytes {limit:,}", url=url)
        return content, content
    encoding = response.headers.get("content-encoding", "")
    decoded = Decompressor(encoding, limit)
    raw: list[bytes] = []
    raw_total = 0
    try:
        async for chunk in response.aiter_raw():
            raw_total += len(chunk)
            if raw_total > limit:
                raise BodyTooLarge(f"body exceeds max_bytes {limit:,}", url=url)
            raw.append(chunk)
            decoded.feed(chunk)
        body = b"".join(raw)
        return body, decoded.finish(body)
    except DecodedTooLarge as exc:
        raise BodyTooLarge(
            f"body exceeds max_bytes {limit:,} after decompression ({encoding})", url=url
        ) from exc
    except CorruptBody as exc:
        raise FetchError(f"cannot decompress the {encoding} body: {exc}", url=url) from exc
