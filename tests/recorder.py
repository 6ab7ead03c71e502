"""A loopback server that records every request and connection it gets: the "admin" service a
hostile feed points the crawler's parsers at. A test asserts it was never asked.

It answers every GET with a valid RSS feed whose one item links to :data:`LEAK`, so a parser
that did fetch it would also surface that link; or, when ``silent_for`` is set, holds each
connection that long without a word (a port that never answers, bounded so that a test of
code that waits for it still ends).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LEAK = "http://leaked.example.org/secret.html"
LEAK_FEED = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>admin</title>'
    f"<item><title>secret</title><link>{LEAK}</link></item></channel></rss>"
).encode()


@dataclass
class Recorder:
    silent_for: float = 0.0
    port: int = 0
    connections: int = 0
    requests: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def asked(self) -> bool:
        return bool(self.connections or self.requests)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        with self.server.recorder.lock:
            self.server.recorder.requests.append(self.path)
        if self.server.recorder.silent_for:
            time.sleep(self.server.recorder.silent_for)
            self.close_connection = True
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(LEAK_FEED)))
        self.end_headers()
        self.wfile.write(LEAK_FEED)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        super().__init__(("127.0.0.1", 0), _Handler)

    def verify_request(self, request: object, client_address: object) -> bool:
        with self.recorder.lock:
            self.recorder.connections += 1
        return True

    def handle_error(self, request: object, client_address: object) -> None:
        pass


@contextmanager
def recording(*, silent_for: float = 0.0) -> Iterator[Recorder]:
    """A :class:`Recorder` listening on 127.0.0.1 and a free port until the block ends."""
    recorder = Recorder(silent_for)
    server = _Server(recorder)
    recorder.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()
