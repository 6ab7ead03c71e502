"""Rows stored before extraction cleaned text still render well: the Atom feed parses, the
plain-text mail carries no terminal escape, and one 100,000-character title does not crowd the
other stories out of the e-mail.

The renderers clean every printed value (Jinja ``finalize``) and the select stage cleans and caps
titles, snippets and policy values again; hypothesis mixes control, escape and bidi characters
into every text field of an entry, and the database tests store such rows as an older crawler
would have.
"""

from __future__ import annotations

import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.base.db import Database
from digests import build_digests
from digests.archive import DaySummary
from digests.digest import Digest, Entry, PolicyInfo, Section
from digests.render import MAX_EMAIL_BYTES, EmailContext, environment, render_digest, render_feed
from tests.digests.digestkit import NOW, Item, hours, make_config, seed, subscriber

BIDI = {
    "\u061c",
    "\u200e",
    "\u200f",
    *map(chr, range(0x202A, 0x202F)),
    *map(chr, range(0x2066, 0x206A)),
}
ZONE = ZoneInfo("Asia/Shanghai")


def forbidden(ch: str) -> bool:
    cp = ord(ch)
    return (
        (unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\t\n")
        or ch in BIDI
        or ch == "\ufeff"
        or 0xFDD0 <= cp <= 0xFDEF
        or cp & 0xFFFE == 0xFFFE
    )


def assert_clean(text: str) -> None:
    bad = sorted({f"U+{ord(ch):04X}" for ch in text if forbidden(ch)})
    assert not bad, bad


HOSTILE = st.lists(
    st.sampled_from(["青岛", "深圳考察", "，", "abc", " "])
    | st.sampled_from(
        [
            "\x1b[31m",
            "\x1b]0;owned\x07",
            "\x1b[2J",
            "\x1b",
            "\x00",
            "\x07",
            "\x0c",
            "\r",
            "\x7f",
            "\x85",
            "\x9b",
            "\u202e",
            "\u2066",
            "\u200f",
            "\ufeff",
            "\ufffe",
            "\uffff",
            "\ud800",
        ]
    )
    | st.characters(categories=["Cc"]),
    min_size=1,
    max_size=12,
).map("".join)


def entry(title: str, text: str) -> Entry:
    return Entry(
        story_id=1,
        kind="policy",
        title=title,
        url="https://news.example.cn/a.html",
        outlets=(text, "新华网"),
        outlet_count=2,
        published=NOW,
        first_seen=NOW,
        snippet=text,
        cities=(text,),
        provinces=(),
        themes=(text,),
        theme_ids=("x",),
        policy=PolicyInfo(issuer=text, doc_no=text),
        reasons=(text,),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HOSTILE, HOSTILE)
def test_whatever_an_entry_holds_the_mail_and_feed_print_no_control_character(
    title: str, text: str
) -> None:
    env = environment()
    digest = Digest(
        "alice",
        "daily",
        NOW - hours(24),
        NOW,
        (Section("policy", "政策发布", (entry(title, text),)),),
    )
    ctx = EmailContext(
        brand="城市考察快讯",
        name=None,
        email="alice@example.org",
        zone=ZONE,
        script="simplified",
        frequency="daily",
        archive_links=(),
        index_url="https://digest.example.org/",
        unsubscribe_url="https://u.example/",
    )
    rendered = render_digest(env, digest, ctx)
    assert_clean(rendered.html)
    assert_clean(rendered.text)
    assert "\x1b" not in rendered.text
    day = DaySummary(day=date(2026, 11, 27), count=1, updated=NOW, top=(title, text), visits=())
    feed = render_feed(
        env, [day], brand="城市考察快讯", base_url="https://digest.example.org/", updated=NOW
    )
    assert_clean(feed)
    ET.fromstring(feed.encode("utf-8"))  # well-formed XML


def test_old_rows_with_escapes_render_a_parsable_feed_and_a_clean_text_mail(
    db: Database, tmp_path: Path, secret: str
) -> None:
    nul = "\x00" if db.is_sqlite else ""  # PostgreSQL never stored a NUL in text
    seed(
        db,
        [
            Item(
                f"青岛\x1b[31m代表团{nul}赴深圳\x1b]0;owned\x07考察\u202e\ufffe\x0c",
                NOW - hours(1),
                cities=["青岛"],
                body=f"正文\x1b[2J第一段{nul}\x07。",
            ),
            Item(
                f"深圳发布规划\x1b[5m{nul}",
                NOW - hours(2),
                kind="policy",
                cities=["深圳"],
                policy={
                    "issuer": f"深圳市人民政府\x1b[1m{nul}",
                    "doc_no": "深府〔2026〕12号\u2066",
                },
            ),
        ],
    )
    archive = tmp_path / "archive"
    archive.mkdir()
    # An earlier run wrote a hostile title into the manifest the feed is made from.
    (archive / "archive.json").write_text(
        json.dumps(
            {
                "days": {
                    "2026-11-25": {
                        "count": 1,
                        "updated": datetime(2026, 11, 25, tzinfo=UTC).isoformat(),
                        "top": [f"旧标题\x1b[31m{nul}\ufffe" + "长" * 100_000],
                        "visits": [],
                    }
                }
            }
        ),
        encoding="utf-8",
    )
    build_digests(make_config(tmp_path, [subscriber()]), db, out_dir=tmp_path / "o", now=NOW)
    feed = (archive / "feed.xml").read_text(encoding="utf-8")
    root = ET.fromstring(feed.encode("utf-8"))
    summaries = [e.text or "" for e in root.iter("{http://www.w3.org/2005/Atom}summary")]
    assert any("青岛代表团赴深圳考察" in s for s in summaries)
    assert all(len(s) < 2000 for s in summaries)
    text = (tmp_path / "o" / "alice.txt").read_text(encoding="utf-8")
    html = (tmp_path / "o" / "alice.html").read_text(encoding="utf-8")
    for output in (text, html, feed, (archive / "2026-11-27.html").read_text(encoding="utf-8")):
        assert_clean(output)
    assert "青岛代表团赴深圳考察" in text and "发文机关：深圳市人民政府" in text


def test_one_huge_title_does_not_crowd_out_the_other_stories(
    db: Database, tmp_path: Path, secret: str
) -> None:
    seed(
        db,
        [
            Item(
                ("青岛市党政代表团赴深圳考察" * 8000)[:100_000] if i == 0 else f"青岛第{i}条消息",
                NOW - hours(1) - i * hours(0.1),
                cities=["青岛"],
            )
            for i in range(12)
        ],
    )
    config = make_config(tmp_path, [subscriber()])
    config = config.model_copy(
        update={
            "settings": config.settings.model_copy(
                update={
                    "digest": config.settings.digest.model_copy(
                        update={"per_section": 12, "total": 12}
                    )
                }
            )
        }
    )
    build_digests(config, db, out_dir=tmp_path / "o", now=NOW)
    html = (tmp_path / "o" / "alice.html").read_text(encoding="utf-8")
    text = (tmp_path / "o" / "alice.txt").read_text(encoding="utf-8")
    assert len(html.encode()) <= MAX_EMAIL_BYTES
    assert html.count('class="entry"') == 12
    assert all(f"青岛第{i}条消息" in text for i in range(1, 12))
    long_lines = [line for line in text.splitlines() if "青岛市党政代表团" in line]
    assert long_lines and all(len(line) <= 310 for line in long_lines)
    assert re.search(r"青岛市党政代表团赴深圳考察[^\n]*…", text)
