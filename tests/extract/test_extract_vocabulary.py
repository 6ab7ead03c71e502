"""The shortcuts of the extractor's hot paths give exactly what the plain definitions give."""

from __future__ import annotations

import json
import random
import re
import unicodedata
from pathlib import Path

import pytest

from crawler.extract import vocabulary
from crawler.extract.guard import _control_count
from crawler.extract.policy import _TABLE_LABELS, _overlap_free
from crawler.extract.vocabulary import (
    BOILERPLATE_LINE_RE,
    BYLINE_RE,
    DATE_LABEL_RE,
    OUTLET_RE,
    clean_line,
    clean_space,
    first_chars,
    search_at,
    text_key,
)

# Fullwidth forms, nbsp, ideographic space, ellipsis, combining marks, compatibility characters
# (㈠ → (一), ㍿ → 株式会社), Hangul jamo, zero-width characters, CJK and ASCII.
_TRICKY = (
    "，：（）！？＿＂Ａａ０\u00a0\u3000…\u0301\u0308\u3099㈠①㍿ﬁ\u1100\u1161\u11a8Σς"
    "\u200b\ufeff\u2028\x1c 。、“”《》编辑来源发布时间作者记者版权所有ICP备aZ_-|"
)


def _strings(alphabet: str, count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(alphabet, k=rng.randint(0, 10))) for _ in range(count)]


def test_text_key_is_nfkc_without_punctuation_lower_cased() -> None:
    drop = re.compile(r"[\s\W_]+")
    for text in [*_TRICKY, *_strings(_TRICKY, 20_000, 1)]:
        expected = drop.sub("", unicodedata.normalize("NFKC", text)).lower()
        assert text_key.__wrapped__(text) == expected, repr(text)


def test_clean_line_is_clean_space_and_its_visible_length() -> None:
    for text in _strings(" \t\n\u3000\u00a0\u200b\ufeff\u2028\x85a中，", 20_000, 2):
        cleaned = clean_space(text)
        assert clean_line(text) == (cleaned, len(cleaned) - cleaned.count(" ")), repr(text)


def test_first_chars_never_hide_a_match_and_search_at_finds_the_same() -> None:
    words = re.findall(r"[\u4e00-\u9fffA-Za-z]{2,}", BOILERPLATE_LINE_RE.pattern)
    rng = random.Random(3)
    texts = [
        "".join(rng.choice(words) if rng.random() < 0.3 else rng.choice(_TRICKY) for _ in range(8))
        for _ in range(5_000)
    ]
    for pattern in (BYLINE_RE, DATE_LABEL_RE, OUTLET_RE, vocabulary._FURNITURE_ANYWHERE_RE):
        starts = first_chars(pattern)
        for text in texts:
            plain, quick = pattern.search(text), search_at(pattern, starts, text)
            assert (plain is None) == (quick is None), (pattern.pattern[:20], text)
            if plain is not None and quick is not None:
                assert (plain.span(), plain.groups()) == (quick.span(), quick.groups())
    starts = first_chars(BOILERPLATE_LINE_RE)
    for text in texts:
        assert not BOILERPLATE_LINE_RE.match(text) or starts.match(text), text


def test_first_chars_gives_no_shortcut_for_what_it_cannot_read() -> None:
    for pattern in (r"a*", r".b", r"(?<=x)y", r"[^a]b", r"(a)?\1b"):
        assert first_chars(re.compile(pattern)).pattern == ""


def test_widening_adds_each_traditional_variant_once() -> None:
    patterns = ["编辑|来源", "发布时间[:：]", "Copyright"]
    widened = vocabulary._widen(patterns, release=True)
    assert widened[0] == "(?:编辑|来源)|(?:編輯|來源)"
    assert "(?:發佈時間[:：])" in widened[1] and "(?:發布時間[:：])" in widened[1]
    assert widened[2] == "Copyright"  # nothing to convert: left as it is


def test_the_stored_traditional_patterns_are_the_current_ones() -> None:
    """The import reads the widened patterns from crawler/data; an edited pattern must be
    stored again (see the module docstring), and OpenCC must still widen them the same way."""
    stored = json.loads(vocabulary._STORED.read_text(encoding="utf-8"))
    names = list(vocabulary._SIMPLIFIED)
    assert sorted(stored) == sorted(names), "store the widened patterns again"
    assert [stored[name]["simplified"] for name in names] == [
        vocabulary._SIMPLIFIED[name] for name in names
    ], "a pattern was edited: store the widened patterns again"
    fresh = vocabulary._widen([vocabulary._SIMPLIFIED[name] for name in names], release=True)
    assert [stored[name]["widened"] for name in names] == fresh


def test_a_pattern_missing_from_the_stored_file_is_widened_at_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    stored = tmp_path / "traditional-patterns.json"
    stored.write_text(
        json.dumps({"a": {"simplified": "来源", "widened": "(?:来源)|(?:來源)"}}), encoding="utf-8"
    )
    monkeypatch.setattr(vocabulary, "_STORED", stored)
    widened = vocabulary._both_scripts({"a": "来源", "b": "编辑"})
    assert widened == {"a": "(?:来源)|(?:來源)", "b": "(?:编辑)|(?:編輯)"}
    assert "no stored Traditional form of b" in caplog.text
    for broken in ("{not json", "[1, 2]"):  # unreadable: everything widened here
        stored.write_text(broken, encoding="utf-8")
        assert vocabulary._both_scripts({"a": "来源"}) == {"a": "(?:来源)|(?:來源)"}


def test_policy_labels_are_found_in_one_scan() -> None:
    assert _overlap_free(_TABLE_LABELS)
    assert not _overlap_free(["发布日期", "日期间"])  # 发布日期间: the scan would miss 日期间
    assert not _overlap_free(["文号", "发文号"])


def test_control_count_matches_the_character_class() -> None:
    controls = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")
    for text in _strings("".join(map(chr, range(0x30))) + "\ufffd中\ud800\U0001f600", 20_000, 4):
        assert _control_count(text) == len(controls.findall(text)), repr(text)
