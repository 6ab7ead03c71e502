"""`citydigest demo` shows a city page: the demo's archive has one for every city its visits name,
linked from the day page's chips and the index, with the delegations and their permalinks."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from urllib.parse import quote, unquote

from crawler.app.demo import run_demo


def test_the_demo_archive_has_city_pages(tmp_path: Path) -> None:
    demo = asyncio.run(run_demo(tmp_path / "demo"))
    archive = demo.folder / "archive"
    pages = {p.stem for p in (archive / "city").glob("*.html")}
    assert {"青岛", "深圳"} <= pages
    qd = (archive / "city" / "青岛.html").read_text(encoding="utf-8")
    assert "青岛市党政考察团赴深圳考察学习" in qd
    assert '<h2 id="sent">' in qd and '<h2 id="hosted">' in qd
    # Every permalink on the city page names an article on its day page.
    for day, anchor in re.findall(r'href="\.\./(\d{4}-\d{2}-\d{2}\.html)#(s\d+)"', qd):
        assert f'<article id="{anchor}">' in (archive / day).read_text(encoding="utf-8")
    # Every city chip of the day pages leads to a page that exists.
    for day in archive.glob("????-??-??.html"):
        for name in re.findall(r'href="city/([^"]+)\.html"', day.read_text(encoding="utf-8")):
            assert unquote(name) in pages, name
    index = (archive / "index.html").read_text(encoding="utf-8")
    assert f'href="city/{quote("青岛")}.html"' in index
