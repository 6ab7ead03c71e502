"""Rendering: escaping, safe links, the size budget, the plain-text twin, the archive."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser

from crawler.base.db import Database
from digests import build_digests
from digests.render import MAX_EMAIL_BYTES
from tests.digests.digestkit import NOW, Item, hours, make_config, seed, subscriber, visit_item

HOSTILE_TITLE = '青岛<script>alert("x")</script><img src=x onerror=alert(1)>开园'


def test_untrusted_text_is_escaped_and_bad_links_dropped(
    db: Database, tmp_path: Path, secret: str
) -> None:
    seed(
        db,
        [
            Item(
                HOSTILE_TITLE,
                NOW - hours(1),
                cities=["青岛"],
                url="javascript:alert(1)",
                body='<b onmouseover="x()">正文</b>',
            ),
            Item(
                "数据URL", NOW - hours(2), cities=["青岛"], url="data:text/html,<script>1</script>"
            ),
            Item(
                "中文路径",
                NOW - hours(3),
                cities=["青岛"],
                url="https://例子.中国/新闻/1.html?q=青岛",
            ),
            Item(
                '引号"注入',
                NOW - hours(4),
                cities=["青岛"],
                url='https://a.example/x"onmouseover="y',
            ),
        ],
    )
    report = build_digests(
        make_config(tmp_path, [subscriber()]), db, out_dir=tmp_path / "o", now=NOW
    )
    assert report.built == 1
    html = (tmp_path / "o" / "alice.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "<img" not in html and "<b " not in html
    assert "&lt;script&gt;" in html
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(h.startswith(("https://", "http://")) for h in hrefs)
    assert not any("javascript" in h or h.startswith("data:") for h in hrefs)
    assert "https://xn--fsqu00a.xn--fiqs8s/%E6%96%B0%E9%97%BB/1.html?q=%E9%9D%92%E5%B2%9B" in hrefs
    assert all(h.isascii() and " " not in h for h in hrefs)
    day = (tmp_path / "archive" / "2026-11-27.html").read_text(encoding="utf-8")
    assert "<script" not in day and "&lt;script&gt;" in day


def test_html_email_structure_and_plain_text_parity(
    db: Database, tmp_path: Path, secret: str
) -> None:
    seed(
        db,
        [
            visit_item("青岛", "深圳", NOW - hours(3)),
            Item(
                "深圳发布规划",
                NOW - hours(2),
                kind="policy",
                cities=["深圳"],
                body="深圳市政府印发规划。",
                policy={"issuer": "深圳市人民政府", "doc_no": "深府〔2026〕12号"},
            ),
        ],
    )
    build_digests(make_config(tmp_path, [subscriber()]), db, out_dir=tmp_path / "o", now=NOW)
    html = (tmp_path / "o" / "alice.html").read_text(encoding="utf-8")
    text = (tmp_path / "o" / "alice.txt").read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in html[:1024]
    assert 'name="color-scheme" content="light dark"' in html
    assert "prefers-color-scheme: dark" in html  # kept as a <style> block, not inlined
    assert 'role="presentation"' in html and "max-width:640px" in html
    assert 'class="entry" style="' in html  # CSS inlined onto the elements
    assert "font-family:-apple-system,BlinkMacSystemFont,'PingFang SC'" in html
    assert "&#34;" not in html
    for fragment in (
        "青岛 → 深圳",
        "发文机关：深圳市人民政府 · 文号：深府〔2026〕12号",
        "深圳发布规划",
        "城市考察交流",
        "政策发布",
        "一键退订",
    ):
        assert fragment in html and fragment in text


def test_big_digests_stay_under_the_gmail_clip(db: Database, tmp_path: Path, secret: str) -> None:
    long_body = "青岛市召开智慧城市建设推进会，" * 200
    seed(
        db,
        [
            Item(
                f"青岛智慧城市第{i}条消息：" + "很长的标题" * 12,
                NOW - hours(1) - i * hours(0.1),
                cities=["青岛", "济南", "烟台", "潍坊"],
                themes=["smart_city", "fintech"],
                body=long_body,
                also=["qingdao-news", "dazhong"],
                url="https://news.example.cn/" + "p" * 400 + f"/{i}.html",
            )
            for i in range(60)
        ],
    )
    config = make_config(tmp_path, [subscriber()])
    config = config.model_copy(
        update={
            "settings": config.settings.model_copy(
                update={
                    "digest": config.settings.digest.model_copy(
                        update={"per_section": 60, "total": 60}
                    )
                }
            )
        }
    )
    build_digests(config, db, out_dir=tmp_path / "o", now=NOW)
    html = (tmp_path / "o" / "alice.html").read_bytes()
    assert len(html) <= MAX_EMAIL_BYTES
    shown = html.decode().count('class="entry"')
    assert 10 < shown < 60
    assert f"还有{60 - shown}条，见存档".encode() in html


def test_archive_pages_index_and_feed(db: Database, tmp_path: Path, secret: str) -> None:
    seed(
        db,
        [
            visit_item("青岛", "深圳", NOW - hours(3)),
            visit_item("青岛", "深圳", NOW - hours(4), title="青岛代表团再赴深圳"),
            visit_item("成都", "青岛", NOW - hours(28)),
        ],
    )
    config = make_config(tmp_path, [subscriber(frequency="weekly")])
    build_digests(config, db, out_dir=tmp_path / "o", now=NOW)
    archive = tmp_path / "archive"
    assert sorted(p.name for p in archive.glob("*.html")) == [
        "2026-11-26.html",
        "2026-11-27.html",
        "index.html",
        "policies.html",  # the policy documents (none here)
    ]
    day = (archive / "2026-11-27.html").read_text(encoding="utf-8")
    assert day.count('<article id="s') == 2 and '<svg xmlns="http://www.w3.org/2000/svg"' in day
    assert 'href="2026-11-26.html"' in day  # previous day
    index = (archive / "index.html").read_text(encoding="utf-8")
    assert re.search(r"<td>青岛</td><td>深圳</td><td class=\"num\">2</td>", index)
    assert re.search(r"<td>成都</td><td>青岛</td><td class=\"num\">1</td>", index)
    assert "<script" not in index and "http" not in re.sub(r'xmlns="[^"]*"', "", index)
    feed = feedparser.parse((archive / "feed.xml").read_bytes())
    assert not feed.bozo
    assert [e.link for e in feed.entries] == [
        "https://digest.example.org/archive/2026-11-27.html",
        "https://digest.example.org/archive/2026-11-26.html",
    ]
    assert feed.entries[0].title == "2026年11月27日：2条"
    # The e-mail links to its archive pages.
    text = (tmp_path / "o" / "alice.txt").read_text(encoding="utf-8")
    assert "https://digest.example.org/archive/2026-11-26.html" in text
    assert "https://digest.example.org/archive/2026-11-27.html" in text
    # A later run adds a day and keeps the old ones in the index.
    seed(db, [visit_item("西安", "青岛", NOW + hours(30))])
    build_digests(config, db, out_dir=tmp_path / "o", now=NOW + hours(31))
    index = (archive / "index.html").read_text(encoding="utf-8")
    assert all(f'href="2026-11-{d}.html"' in index for d in (26, 27, 28))
