"""Crawled text is cleaned before it is stored: no control characters, escape sequences, bidi
overrides or XML-illegal characters in any extracted field, and titles, outlets and authors of
at most 300 characters, the cut marked.

The oracle of "forbidden" is Unicode's own categories (Cc, Cs, noncharacters) plus the bidi
controls, not the module's regex. Hostile pieces are mixed into Chinese text by hypothesis and
reach the extractor raw and as character references, ``analyze --batch`` as JSON, and the
writer as a feed's link title.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import regex
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crawler.analyze import Analysis
from crawler.app.cli import cli
from crawler.base.errors import ExtractError
from crawler.base.sanitize import MAX_TITLE_CHARS, cap, clean_text, clean_title, clean_url
from crawler.dedup import sketch
from crawler.extract import Extracted, PolicyMeta, extract
from crawler.store.write import Origin, article_record
from crawler.tag import Tags

ROOT = Path(__file__).resolve().parents[2]
URL = "https://news.example.cn/2024/05/01/a.html"
BIDI = {
    "\u061c",
    "\u200e",
    "\u200f",
    *map(chr, range(0x202A, 0x202F)),
    *map(chr, range(0x2066, 0x206A)),
}
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def forbidden(ch: str) -> bool:
    cp = ord(ch)
    return (
        (unicodedata.category(ch) == "Cc" and ch not in "\t\n")
        or unicodedata.category(ch) == "Cs"
        or ch in BIDI
        or ch in "\ufeff\u2028\u2029"
        or 0xFDD0 <= cp <= 0xFDEF
        or cp & 0xFFFE == 0xFFFE
    )


def assert_clean(text: str | None) -> None:
    assert text is None or not [ch for ch in text if forbidden(ch)], repr(text)


CHINESE = st.text(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
    | st.sampled_from(list("，。！？：；“”（）《》　abcXYZ019 -")),
    min_size=1,
    max_size=30,
)
# Whole escape sequences (CSI, OSC/DCS strings up to BEL or ST, two-character escapes) and single
# forbidden characters; ESC alone, CR and the line separators are left out because they are not
# simply removed (a lone ESC takes the character after it, CR becomes a newline).
CSI = st.builds(
    lambda p, i, f: f"\x1b[{p}{i}{f}",
    st.text(st.characters(min_codepoint=0x30, max_codepoint=0x3F), max_size=8),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x2F), max_size=2),
    st.characters(min_codepoint=0x40, max_codepoint=0x7E),
)
STRING = st.builds(
    lambda kind, body, end: f"\x1b{kind}{body}{end}",
    st.sampled_from("]P_^X"),
    st.lists(st.characters(min_codepoint=0x20, max_codepoint=0x7E) | CHINESE, max_size=5).map(
        "".join
    ),
    st.sampled_from(["\x07", "\x1b\\"]),
)
SHORT_ESCAPE = st.sampled_from([*"78=>cDEHMNZ", "(B", ")0", "#8"]).map("\x1b".__add__)
SINGLE = st.characters(categories=["Cc", "Cs"], exclude_characters="\t\n\r\x1b") | st.sampled_from(
    [*sorted(BIDI), "\ufeff", "\ufffe", "\uffff", "\ufdd0", "\U0010fffe", "\U0001ffff"]
)
HOSTILE = CSI | STRING | SHORT_ESCAPE | SINGLE
MIXED = st.lists(st.tuples(CHINESE, st.lists(HOSTILE, max_size=3)), min_size=1, max_size=8)

# Text that is already clean: CJK, full-width punctuation, emoji with ZWJ, skin tones,
# variation selectors, flags (tag sequences too), accents, private use, tab and newline.
CLEAN = st.lists(
    st.characters(
        exclude_categories=["Cc", "Cs", "Cn", "Zl", "Zp"],
        exclude_characters="".join(BIDI) + "\ufeff",
    )
    | st.sampled_from(
        [
            "\t",
            "\n",
            "👩\u200d👩\u200d👧",
            "👍🏽",
            "❤\ufe0f",
            "🇨🇳",
            "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
        ]
    ),
).map("".join)
CLEAN_EXAMPLES = [
    "国务院关于印发《“十四五”数字经济发展规划》的通知（国发〔2021〕29号）",
    "青岛市党政代表团赴深圳考察！　全角空格、顿号；冒号：问号？",
    "家庭 👩\u200d👩\u200d👧 点赞 👍🏽 ❤\ufe0f 🇨🇳 é and e\u0301",
    "第一段\n\t第二段",
]


def join(pieces: list[tuple[str, list[str]]]) -> tuple[str, str]:
    """The mixed text and what it should become: the Chinese pieces alone."""
    mixed = "".join(text + "".join(hostile) for text, hostile in pieces)
    return mixed, "".join(text for text, _ in pieces)


# --------------------------------------------------------------------------- the function


@FUZZ
@given(MIXED)
@example([("标题", ["\x1b[31m", "\x1b]0;pwned\x07", "\x00", "\u202e", "\u2066"]), ("正文", [])])
def test_clean_text_removes_whole_sequences_and_nothing_else(
    pieces: list[tuple[str, list[str]]],
) -> None:
    mixed, expected = join(pieces)
    cleaned = clean_text(mixed)
    assert cleaned == expected
    assert_clean(cleaned)
    assert clean_text(cleaned) is cleaned


@FUZZ
@given(st.text())
@example("a\x1b")
@example("\x1b[31")
@example("\x1b]unterminated title " + "长" * 2000)
@example("windows\r\nmac\rline\u2028para\u2029")
def test_clean_text_leaves_nothing_forbidden_in_any_text(text: str) -> None:
    cleaned = clean_text(text)
    assert_clean(cleaned)
    assert clean_text(cleaned) == cleaned
    assert len(cleaned) <= len(text)


def test_an_unterminated_string_loses_only_its_introducer() -> None:
    body = "正文" * 1000
    assert clean_text("\x1b]" + body) == body
    assert clean_text("a\r\nb\rc\u2028d") == "a\nb\nc\nd"
    assert clean_text("\x1b[31m红\x1b[0m \x9b31m") == "红 31m"


@FUZZ
@given(CLEAN)
def test_clean_text_is_unchanged(text: str) -> None:
    for sample in (text, *CLEAN_EXAMPLES):
        assert clean_text(sample) is sample


@FUZZ
@given(st.lists(st.sampled_from(CLEAN_EXAMPLES[:3]) | CHINESE, min_size=1, max_size=4))
def test_a_clean_one_line_title_is_unchanged(parts: list[str]) -> None:
    title = " ".join(" ".join(parts).split())[:MAX_TITLE_CHARS]
    assert clean_title(title) == (title or None)  # parts of blanks only: no title at all


GRAPHEMES = st.lists(
    st.sampled_from(
        [
            "青",
            "岛",
            "，",
            "a",
            "b",
            " ",
            "é",
            "e\u0301",
            "👩\u200d👩\u200d👧",
            "👍🏽",
            "🇨🇳",
            "🇺🇸",
            "❤\ufe0f",
            "Ж",
            "λ",
            "7",
            "\U0001f600",
        ]
    ),
    max_size=400,
).map("".join)


@FUZZ
@given(GRAPHEMES, st.integers(min_value=6, max_value=400))
def test_cap_holds_and_cuts_between_grapheme_clusters(text: str, limit: int) -> None:
    capped = cap(text, limit)
    assert len(capped) <= limit
    if len(text) <= limit:
        assert capped == text
        return
    assert capped.endswith("…")
    kept = capped[:-1]
    assert text.startswith(kept)
    ends = {0}
    at = 0
    for cluster in regex.findall(r"\X", text):
        at += len(cluster)
        ends.add(at)
    assert len(kept) in ends
    word = regex.compile(r"[\p{Latin}\p{Greek}\p{Cyrillic}\p{Nd}]")
    if kept and word.match(kept[-1]) and word.match(text[len(kept)]):
        # Cut inside a word only when it has no space in the 40 characters before the cut.
        assert " " not in text[max(1, len(kept) - 40) : len(kept)]  # (a space first: no cut)


def test_cap_marks_the_cut_at_a_word_boundary_in_latin_text() -> None:
    title = "Shenzhen delegation visits Qingdao " * 20
    capped = cap(title, 100)
    assert len(capped) <= 100 and capped.endswith("…")
    assert title.startswith(capped[:-1]) and title[len(capped) - 1] == " "
    assert cap("长" * 1000, 300) == "长" * 299 + "…"
    family = "👩\u200d👩\u200d👧"
    assert cap(family * 200, 300) == family * 59 + "…"  # five code points each, never split
    assert cap("a" + "\u0301" * 5000, 300) == "a" + "\u0301" * 298 + "…"  # no boundary at all
    assert cap("x" * 1000, 1) == "…"


def test_clean_url_percent_encodes_what_it_cannot_keep() -> None:
    assert clean_url("https://img.example.cn/a.jpg") == "https://img.example.cn/a.jpg"
    assert (
        clean_url("https://x.cn/a\x1b[1m b\u202e\n.jpg") == "https://x.cn/a%1B[1m%20b%E2%80%AE.jpg"
    )
    assert clean_url(None) is None


# --------------------------------------------------------------------------- at extraction


def as_references(text: str) -> str:
    """Every forbidden character of ``text`` as an HTML numeric character reference."""
    return "".join(f"&#x{ord(ch):x};" if forbidden(ch) else ch for ch in text)


def page(title: str, outlet: str, author: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<html><head><title>{title}</title><meta property="og:title" content="{title}">'
        f'<meta name="author" content="{author}"></head><body><div class="article">'
        f"<h1>{title}</h1><div>来源：{outlet}　作者：{author}　2024-05-01 10:00</div>"
        f"{body}</div></body></html>"
    )


def assert_extracted_clean(extracted: Extracted) -> None:
    for value in (
        extracted.title,
        extracted.body,
        extracted.outlet,
        extracted.author,
        extracted.image_url,
        extracted.interpretation_of,
    ):
        assert_clean(value)
    for value in (extracted.title, extracted.outlet, extracted.author):
        assert value is None or len(value) <= MAX_TITLE_CHARS
    if extracted.policy is not None:
        for value in extracted.policy.to_dict().values():
            assert_clean(value)
            assert value is None or len(value) <= MAX_TITLE_CHARS


@FUZZ
@given(MIXED, MIXED, MIXED, st.lists(MIXED, min_size=2, max_size=5), st.booleans())
def test_extracted_fields_hold_no_forbidden_character(
    title: list[tuple[str, list[str]]],
    outlet: list[tuple[str, list[str]]],
    author: list[tuple[str, list[str]]],
    paragraphs: list[list[tuple[str, list[str]]]],
    raw: bool,
) -> None:
    encode = (lambda s: s.replace("\x00", "")) if raw else as_references
    texts = [encode(join(p)[0]) for p in (title, outlet, author)]
    lines = [encode("深圳市召开智慧城市建设推进会，" + join(p)[0]) for p in paragraphs]
    try:
        extracted = extract(page(*texts, lines), URL)
    except ExtractError:
        assert raw  # too many raw control characters: refused as binary
        return
    assert_extracted_clean(extracted)
    assert "深圳市召开智慧城市建设推进会" in extracted.body


def test_titles_outlets_and_authors_are_capped_with_the_cut_marked() -> None:
    long = "青岛市党政代表团赴深圳考察" * 10_000
    html = page(long, long, long, ["深圳市召开智慧城市建设推进会，会议强调加快数字政府建设。"])
    extracted = extract(html, URL)
    assert extracted.title is not None and len(extracted.title) == MAX_TITLE_CHARS
    assert extracted.title.endswith("…") and long.startswith(extracted.title[:-1])
    assert_extracted_clean(extracted)


def test_a_title_with_esc_is_cleaned_whatever_builds_the_record() -> None:
    extracted = Extracted(
        title="标题\x1b[2J\x1b]0;owned\x07\u202e",
        body="正文\x00\x1b[31m红\r\n第二段",
        published=None,
        outlet="新华社\x07",
        author=None,
        image_url="https://x.cn/\x1b.jpg",
        policy=PolicyMeta(issuer="国务院\u2066办公厅", doc_no="国办发" + "〔2024〕" * 100),
    )
    assert extracted.title == "标题"
    assert extracted.body == "正文红\n第二段"
    assert extracted.outlet == "新华社"
    assert extracted.image_url == "https://x.cn/%1B.jpg"
    assert extracted.policy is not None and extracted.policy.issuer == "国务院办公厅"
    assert len(extracted.policy.doc_no or "") == MAX_TITLE_CHARS
    assert_extracted_clean(extracted)


@FUZZ
@given(MIXED, st.integers(min_value=0, max_value=2000))
def test_a_link_title_standing_in_is_cleaned_and_capped(
    pieces: list[tuple[str, list[str]]], repeat: int
) -> None:
    link_title = join(pieces)[0] * max(1, repeat)
    origin = Origin(URL, URL, "xinhua", link_title=link_title)
    extracted = Extracted(
        title=None,
        body="正文",
        published=None,
        outlet=None,
        author=None,
        image_url=None,
        policy=None,
    )
    analysis = Analysis(extracted, Tags((), (), (), (), "other"), sketch("正文"))
    record = article_record(analysis, origin, None)
    assert record is not None
    assert_clean(record.title)
    assert record.title is None or len(record.title) <= MAX_TITLE_CHARS


def test_analyze_batch_with_title_and_text_cleans_them() -> None:
    lines = [
        {
            "id": 1,
            "title": "青岛\x1b[31m代表团\x1b[0m赴深圳\u202e考察" + "长" * 1000,
            "text": "5月11日，\x1b]0;x\x07青岛市党政考察团来到深圳市考察学习。\x00\x9b",
        },
        {
            "id": 2,
            "html": page(
                "深圳\x1b[1m发布",
                "新华社\x07",
                "记者",
                ["深圳市召开智慧城市建设推进会\x1b[5m，会议强调加快数字政府建设。"],
            ),
            "url": URL,
        },
    ]
    data = "\n".join(json.dumps(line) for line in lines).encode()
    result = CliRunner().invoke(
        cli, ["--config", str(ROOT / "config"), "analyze", "--batch", "-"], input=data
    )
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\\u001b" not in result.output
    outputs = [json.loads(line) for line in result.output.splitlines() if line.strip()]
    assert len(outputs) == 2
    for out in outputs:
        for key in ("title", "body", "outlet", "author"):
            assert_clean(out.get(key))
    assert len(outputs[0]["title"]) <= MAX_TITLE_CHARS
    assert outputs[0]["title"].startswith("青岛代表团赴深圳考察")
