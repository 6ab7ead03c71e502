"""CPU time by stage of a crawl, for ``bench/crawl.py --stages``: loaded by every Python process
the crawl starts (this folder first on ``PYTHONPATH``), it does nothing unless
``CITYDIGEST_BENCH_STAGES`` names a folder.

Then it wraps the few functions each stage enters through, times them with the calling
thread's CPU clock (``time.thread_time``; a wrapped call inside another is taken out of the
outer one's time, so every stage is its own time) and writes, at exit, one JSON file per
process into that folder: the process's whole CPU time (``process_time``, every thread) and
seconds and calls per stage. Fetching is what the crawl's process spends outside discovery;
a worker's "other" is what it spends outside its stages (unpickling the pages, the pipes).
A process's CPU time until its first stage began (imports, building the analysers, reading
robots.txt and the first feeds) is its start-up.

| stage | entered through |
|---|---|
| discover | ``parse_feed``, ``parse_sitemap`` (in threads), ``parse_list_page`` |
| decode | ``SiteCharsets.decode`` |
| extract | ``crawler.extract.extract`` as the analyzer calls it |
| tag | ``Tagger.tag`` |
| dedup | ``crawler.dedup.sketch`` as the analyzer calls it, ``DuplicateIndex.find`` and ``.add`` |
| store | ``article_record``, ``ArticleWriter.write`` (less the dedup inside it) |

The wrappers cost two clock reads a call, a few calls a page.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import threading
import time
from typing import Any

_FOLDER = os.environ.get("CITYDIGEST_BENCH_STAGES")
_SECONDS: dict[str, float] = {}
_CALLS: dict[str, int] = {}
_LOCAL = threading.local()
_STARTED: list[float] = []  # the process's CPU time when its first stage began: its start-up


def _timed(stage: str, func: Any) -> Any:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        stack = getattr(_LOCAL, "stack", None)
        if stack is None:
            stack = _LOCAL.stack = []
        if not _STARTED:
            _STARTED.append(time.process_time())
        stack.append(0.0)  # the time of wrapped calls inside this one
        started = time.thread_time()
        try:
            return func(*args, **kwargs)
        finally:
            spent = time.thread_time() - started
            inner = stack.pop()
            _SECONDS[stage] = _SECONDS.get(stage, 0.0) + spent - inner
            _CALLS[stage] = _CALLS.get(stage, 0) + 1
            if stack:
                stack[-1] += spent

    return wrapper


def _patch(module: Any, name: str, stage: str) -> None:
    setattr(module, name, _timed(stage, getattr(module, name)))


def _write() -> None:
    assert _FOLDER is not None
    import sys

    role = "worker" if any("pool_worker" in a for a in sys.argv) else "crawl"
    with open(os.path.join(_FOLDER, f"{role}-{os.getpid()}.json"), "w") as out:
        json.dump(
            {
                "role": role,
                "cpu_s": time.process_time(),
                "startup_s": _STARTED[0] if _STARTED else 0.0,
                "stages": _SECONDS,
                "calls": _CALLS,
            },
            out,
        )


def _install() -> None:
    import crawler.analyze as analyze
    import crawler.listing as listing
    import crawler.pipeline as pipeline
    import crawler.pool_worker as pool_worker
    import crawler.store.write as write
    from crawler.dedup import DuplicateIndex
    from crawler.fetch.encoding import SiteCharsets
    from crawler.tag import Tagger

    _patch(pipeline, "parse_feed", "discover")
    _patch(pipeline, "parse_sitemap", "discover")
    _patch(listing, "parse_list_page", "discover")
    _patch(SiteCharsets, "decode", "decode")
    _patch(analyze, "extract", "extract")
    _patch(Tagger, "tag", "tag")
    _patch(analyze, "sketch", "dedup")
    _patch(DuplicateIndex, "find", "dedup")
    _patch(DuplicateIndex, "add", "dedup")
    _patch(write.ArticleWriter, "write", "store")
    _patch(write, "article_record", "store")
    # the worker imports article_record inside serve(), from crawler.store.write: patched above
    del pool_worker
    atexit.register(_write)


if _FOLDER:
    _install()
