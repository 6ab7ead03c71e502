"""WARC files: write what the crawler fetched, and replay archives through the same pipeline.

* :class:`WarcWriter` is the fetcher's ``archive`` hook (``crawl once --warc-out FILE``): every
  exchange becomes a ``request`` and a ``response`` record (gzip per record), redirect hops
  included. The response payload is kept as it came off the wire (Content-Encoding applied, as
  the WARC standard wants; transfer chunking removed, so ``Transfer-Encoding`` is renamed
  ``X-Crawler-Transfer-Encoding`` as Common Crawl does). Past ``max_bytes`` a file is closed and
  the next one opened: ``crawl.warc.gz``, ``crawl-00001.warc.gz``, ``crawl-00002.warc.gz``, …
* :class:`WarcReplayTransport` is an ``httpx.AsyncBaseTransport`` that answers from the response
  records of WARC files (ours, or CC-NEWS-style archives with response records only and
  chunked or compressed payloads). The payload is served de-chunked (warcio) with its
  Content-Encoding, which the fetcher decodes as it does live (bounded: an archived bomb is cut
  off too), so callers see exactly the bytes they saw live. A URL with no response
  record raises :class:`~crawler.base.errors.NotInArchive` (a fetch error recorded on the URL like
  any other), except ``/robots.txt``, which answers 404 ("everything allowed": archives rarely hold
  it, and the crawl that made the archive already obeyed it). When a URL has several response
  records the last one wins. A record shorter than its WARC header says (a file cut short by a
  killed crawl or a broken download) is a fetch error naming the file and offset, never a
  shorter page.
* :func:`iter_warc_pages` lists the archived HTML pages (status 200, an HTML content type) once
  each: what ``citydigest crawl warc FILE...`` imports.
* A file cut short or damaged after some records is read up to the damage, which
  :attr:`WarcReplayTransport.damaged` describes (the import's summary shows it); a file without
  one whole record raises :class:`~crawler.base.errors.ArchiveError`.

::

    with WarcWriter("crawl.warc.gz") as warc:
        async with Fetcher(profile, archive=warc) as fetcher:
            await fetcher.get(url)

    transport = WarcReplayTransport(warc.paths)
    async with Fetcher(profile, transport=transport) as fetcher:
        for url, _kind in iter_warc_pages(warc.paths):
            page = await fetcher.get(url)
"""

from __future__ import annotations

__all__ = ["WarcReplayTransport", "WarcWriter", "iter_warc_pages", "rotated_path"]

import io
import os
import re
import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import httpx
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.base.errors import ArchiveError, FetchError, NotInArchive

HTML_TYPES = ("text/html", "application/xhtml+xml")
_SUFFIX = re.compile(r"(\.warc(\.gz)?)$", re.IGNORECASE)
# Response headers that describe the transfer, not the archived payload.
_TRANSFER_HEADERS = ("transfer-encoding",)
# Response headers dropped on replay: the payload is served whole, de-chunked.
_REPLAY_DROP = {"transfer-encoding", "content-length"}


def rotated_path(path: Path, index: int) -> Path:
    """The ``index``-th file of a rotated series: ``crawl.warc.gz`` → ``crawl-00001.warc.gz``."""
    if index == 0:
        return path
    match = _SUFFIX.search(path.name)
    stem = path.name[: match.start()] if match else path.name
    suffix = match.group(1) if match else ".warc.gz"
    return path.with_name(f"{stem}-{index:05d}{suffix}")


class WarcWriter:
    """Writes exchanges to gzipped WARC files, rotating past ``max_bytes``; see the module
    docstring. Call it as the fetcher's ``archive`` hook; ``close()`` (or leave the ``with``
    block) when done. ``paths`` lists the files written so far."""

    def __init__(self, path: str | Path, *, max_bytes: int = 1_000_000_000) -> None:
        if max_bytes < 1:
            raise ValueError(f"max_bytes must be positive, not {max_bytes}")
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.paths: list[Path] = []
        self.records = 0
        self._file: BinaryIO | None = None
        self._writer: WARCWriter | None = None

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __call__(self, request: httpx.Request, response: httpx.Response, body: bytes) -> None:
        self.write(request, response, body)

    def write(self, request: httpx.Request, response: httpx.Response, body: bytes) -> None:
        """Append a request record and its response record."""
        writer = self._open()
        url = str(request.url)
        response_record = writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=_response_headers(response, len(body)),
            warc_headers_dict=_peer(response),
        )
        request_record = writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=_request_headers(request),
            warc_headers_dict={
                "WARC-Concurrent-To": response_record.rec_headers.get_header("WARC-Record-ID")
            },
        )
        writer.write_record(request_record)
        writer.write_record(response_record)
        self.records += 2
        assert self._file is not None
        if self._file.tell() >= self.max_bytes:
            self._close_file()

    def close(self) -> None:
        self._close_file()

    def _open(self) -> WARCWriter:
        if self._writer is None:
            path = rotated_path(self.path, len(self.paths))
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = path.open("wb")
            self._writer = WARCWriter(self._file, gzip=True)
            self.paths.append(path)
            info = self._writer.create_warcinfo_record(
                path.name,
                {
                    "software": "citydigest (warcio)",
                    "format": "WARC File Format 1.1",
                    "hostname": socket.gethostname(),
                },
            )
            self._writer.write_record(info)
        return self._writer

    def _close_file(self) -> None:
        if self._file is not None:
            self._file.close()
        self._file, self._writer = None, None


def _response_headers(response: httpx.Response, length: int) -> StatusAndHeaders:
    # HTTP/2 exchanges are written with an HTTP/1.1 status line, as WARC readers expect.
    version = response.http_version if response.http_version.startswith("HTTP/1") else "HTTP/1.1"
    headers: list[tuple[str, str]] = []
    for key, value in response.headers.multi_items():
        lower = key.lower()
        if lower in _TRANSFER_HEADERS:
            headers.append((f"X-Crawler-{key}", value))
        elif lower != "content-length":
            headers.append((key, value))
    headers.append(("Content-Length", str(length)))
    reason = response.reason_phrase or "OK"
    return StatusAndHeaders(f"{response.status_code} {reason}", headers, protocol=version)


def _request_headers(request: httpx.Request) -> StatusAndHeaders:
    target = request.url.raw_path.decode("ascii", errors="replace")
    # warcio writes ``protocol statusline``: "GET /path HTTP/1.1".
    return StatusAndHeaders(
        f"{target} HTTP/1.1", list(request.headers.multi_items()), protocol=request.method
    )


def _peer(response: httpx.Response) -> dict[str, str]:
    stream = response.extensions.get("network_stream")
    try:
        peer = stream.get_extra_info("server_addr") if stream is not None else None
    except Exception:  # a transport without the info
        peer = None
    return {"WARC-IP-Address": str(peer[0])} if peer else {}


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class _Location:
    file: int
    offset: int
    status: int
    content_type: str


def _records(
    path: Path, damaged: list[str] | None = None
) -> Iterator[tuple[ArchiveIterator, ArcWarcRecord]]:
    """The records of ``path``. A file without one whole record raises ArchiveError. One damaged
    or cut short later (a download broken off, a crawl killed while writing) yields the records
    before the damage and says what is wrong in ``damaged``; a last record whose payload is cut
    is among those yielded (replaying it fails, see ``_payload``)."""
    with path.open("rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        archive = ArchiveIterator(stream)
        records = iter(archive)
        read = end = last = 0
        while True:
            try:
                record = next(records)
            except StopIteration:
                # warcio ends quietly where a record (or gzip member) is cut: the last record's
                # own length, and the bytes after it beyond the blank lines that end it, tell.
                if read == 0:
                    problem = "no whole record" if size else None
                elif missing := _missing(stream, last):
                    problem = f"its last record, at offset {last:,}, lacks {missing:,} bytes"
                elif _tail(stream, end).strip(b"\r\n"):
                    problem = f"the last {size - end:,} bytes are not a whole record"
                else:
                    problem = None
                break
            except Exception as exc:  # warcio raises several types on damaged input, even
                # AttributeError for a record header cut before its WARC-Target-URI
                problem = f"{type(exc).__name__}: {exc}"
                break
            if not str(record.format).startswith("warc"):
                raise ArchiveError(f"{path}: not a WARC file (found {record.format} records)")
            length = (record.rec_headers.get_header("Content-Length") or "").strip()
            if record.rec_type is None or not length.isdigit():  # warcio's parse of a cut header
                problem = f"the record header at offset {end:,} is incomplete"
                break
            read += 1
            yield archive, record
            archive.read_to_end()
            last = archive.get_record_offset()
            end = last + archive.get_record_length()
    if problem is None:
        return
    if read == 0:
        raise ArchiveError(f"{path}: not a readable WARC file: {problem}")
    if damaged is not None:
        damaged.append(f"{path}: damaged or cut short after {read:,} records: {problem}")


def _missing(stream: BinaryIO, offset: int) -> int:
    """How many bytes of the record at ``offset`` its WARC header announces and the file lacks
    (0: it is whole). Read again without parsing its HTTP head, which warcio gives up on
    quietly when it is cut."""
    stream.seek(offset)
    record = next(iter(ArchiveIterator(stream, no_record_parse=True)), None)
    if record is None:
        return 0
    while record.raw_stream.read(1 << 16):
        pass
    return int(getattr(record.raw_stream, "limit", 0))  # warcio's LimitReader: bytes still due


def _tail(stream: BinaryIO, offset: int) -> bytes:
    """Up to 64 bytes of ``stream`` from ``offset`` (enough to tell blank lines from a record)."""
    stream.seek(offset)
    return stream.read(64)


def _is_response(record: ArcWarcRecord) -> bool:
    return record.rec_type == "response" and record.http_headers is not None


def _content_type(record: ArcWarcRecord) -> str:
    value = record.http_headers.get_header("Content-Type") or ""
    return value.split(";")[0].strip().lower()


def _status(record: ArcWarcRecord) -> int:
    try:
        return int(record.http_headers.get_statuscode())
    except (TypeError, ValueError):
        return 0


class WarcReplayTransport(httpx.AsyncBaseTransport):
    """Answers GETs from WARC response records (see the module docstring).

    The files are indexed once, at construction (URL → file and offset, not the payloads), so
    archives of any size replay in little memory; each answer reads one record. ``is_replay``
    tells the fetcher there is no server to be polite to (no delays)."""

    is_replay = True

    def __init__(self, paths: Iterable[str | Path]) -> None:
        self.paths = [Path(p) for p in paths]
        self._index: dict[str, _Location] = {}
        self.damaged: list[str] = []  # files read only up to damage, one message each
        for number, path in enumerate(self.paths):
            for archive, record in _records(path, self.damaged):
                if not _is_response(record):
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                if url:
                    self._index[_key(url)] = _Location(
                        number, archive.get_record_offset(), _status(record), _content_type(record)
                    )

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and _key(url) in self._index

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        where = self._index.get(_key(url))
        if where is None:
            if request.url.path == "/robots.txt":
                return httpx.Response(404, request=request, text="not in the archive")
            raise NotInArchive("no response record for this URL in the WARC files", url=url)
        status, headers, body = self._read(where, url)
        return httpx.Response(
            status,
            headers=headers,
            stream=httpx.ByteStream(body),
            request=request,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": b""},
        )

    def _read(self, where: _Location, url: str) -> tuple[int, list[tuple[str, str]], bytes]:
        path = self.paths[where.file]
        with path.open("rb") as stream:
            stream.seek(where.offset)
            record = next(iter(ArchiveIterator(stream)), None)
            if record is None or not _is_response(record):
                raise NotInArchive(f"the record at {path}:{where.offset} is unreadable", url=url)
            body, missing = _payload(record)
            if missing:
                # A crawl killed while writing, a download cut short: half a page must not be
                # stored as the article.
                raise FetchError(
                    f"the record at {path}:{where.offset} is cut short ({missing:,} bytes "
                    "missing): the WARC file is truncated",
                    url=url,
                )
        headers = [(k, v) for k, v in record.http_headers.headers if k.lower() not in _REPLAY_DROP]
        headers.append(("Content-Length", str(len(body))))
        return where.status, headers, body


def _payload(record: ArcWarcRecord) -> tuple[bytes, int]:
    """The entity body, and how many bytes of the record its WARC header announced are missing
    from the file (0 for a whole record). De-chunked when the archived headers say chunked
    (warcio falls back to the stored bytes when they are not really chunked); Content-Encoding
    left for the fetcher, whose decoders are bounded (an archived bomb is cut off like a live
    one)."""
    stream = record.raw_stream
    if (record.http_headers.get_header("Transfer-Encoding") or "").lower() == "chunked":
        body = ChunkedDataReader(stream).read()
    else:
        body = stream.read()
    stream.read()  # what follows the last chunk
    return body, getattr(stream, "limit", 0)  # warcio's LimitReader: bytes still expected


def _key(url: str) -> str:
    """Index key: the URL as httpx would send it (so http://Host:80/a and http://host/a meet)."""
    try:
        return str(httpx.URL(url))
    except (httpx.InvalidURL, ValueError, UnicodeError):
        return url


def iter_warc_pages(paths: Iterable[str | Path]) -> Iterator[tuple[str, str]]:
    """``(url, content_type)`` of every archived HTML page with status 200, once per URL, in
    archive order: what ``citydigest crawl warc`` imports."""
    seen: set[str] = set()
    for path in paths:
        for _archive, record in _records(Path(path)):
            if not _is_response(record) or _status(record) != 200:
                continue
            kind = _content_type(record)
            url = record.rec_headers.get_header("WARC-Target-URI")
            if url and kind in HTML_TYPES and url not in seen:
                seen.add(url)
                yield url, kind
