"""Where extraction spends its CPU on each farm's article pages: ``crawler.extract.extract`` run
in this process under cProfile over the pages a crawl of that farm would fetch.

Usage (repository root)::

    python bench/extract_profile.py test            # the test farm's 5-10 KB pages
    python bench/extract_profile.py corpus          # real-shaped pages (bench/webfarm.py)
    python bench/extract_profile.py news            # the second farm (bench/newsfarm.py)

Prints the pages' mean size, the CPU per page under the profiler (which inflates it: compare
farms, not with the crawl's figures) and the functions by their own time.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def pages(farm: str, corpus: Path) -> list[tuple[str, str]]:
    """(HTML, URL) of 300 article pages of ``farm``."""
    from tests.sitefarm import farm as test_farm

    if farm == "news":
        import newsfarm

        sites = newsfarm.farm(6, 300)
        return [(s.article_page(a), s.article_url(a.number)) for s in sites for a in s.articles]
    sites = test_farm(6, 50)
    if farm == "corpus":
        import webfarm

        sites = webfarm.corpus_shaped(sites, webfarm.templates(corpus))
    return [(s.article_page(a), s.article_url(a.number)) for s in sites for a in s.articles]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("farm", choices=["test", "corpus", "news"])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--lines", type=int, default=20)
    args = parser.parse_args()
    from crawler.extract import extract

    tz = ZoneInfo("Asia/Shanghai")
    found = pages(args.farm, args.corpus)
    for html, url in found[:20]:  # warm: the extractor's compiled patterns and tables
        extract(html, url, tz=tz)
    profile = cProfile.Profile()
    started = time.process_time()
    profile.enable()
    for html, url in found:
        extract(html, url, tz=tz)
    profile.disable()
    spent = time.process_time() - started
    size = sum(len(html) for html, _ in found) / len(found) / 1000
    print(
        f"# {args.farm}: {len(found)} pages, mean {size:.0f} K characters, "
        f"{1000 * spent / len(found):.2f} ms a page under the profiler\n"
    )
    stats = pstats.Stats(profile, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(args.lines)
    stats.sort_stats("cumulative").print_stats(args.lines)


if __name__ == "__main__":
    main()
