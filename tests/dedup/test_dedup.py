"""Tests for crawler.dedup: folding, sketches, the duplicate rule and the index."""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import opencc
import pytest

from crawler import dedup
from crawler.dedup import (
    MIN_SHINGLES,
    SKETCH_BYTES,
    DuplicateIndex,
    Match,
    Sketch,
    compare,
    fold,
    sketch,
)
from crawler.dedup import folding as fold_module
from crawler.dedup import index as index_module
from crawler.dedup import sketches as sketch_module
from crawler.dedup.sketches import JACCARD_DUPLICATE

DATA = Path(__file__).parent / "testdata" / "dedup"
BODIES = {p.stem: p.read_text(encoding="utf-8").strip() for p in sorted(DATA.glob("*.txt"))}
ROAD = BODIES["163-010"]  # 收费公路 report, full of numbers
INTERNET = BODIES["163-001"]  # 互联网+: s2twp swaps 网络/互联网 vocabulary
T0 = datetime(2026, 3, 1, tzinfo=UTC)


@functools.cache
def converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def convert(config: str, text: str) -> str:
    converted: str = converter(config).convert(text)
    return converted


def edit(text: str, fraction: float, seed: int) -> str:
    """Substitute, delete or insert 2–6-character spans until *fraction* of the text changed."""
    rng = random.Random(seed)
    donor = BODIES["163-030"]
    chars = list(text)
    touched = 0
    while touched < fraction * len(text):
        span = rng.randint(2, 6)
        at = rng.randrange(len(chars) - span)
        start = rng.randrange(len(donor) - span)
        piece = list(donor[start : start + span])
        op = rng.random()
        if op < 0.5:
            chars[at : at + span] = piece
        elif op < 0.75:
            del chars[at : at + span]
        else:
            chars[at:at] = piece
        touched += span
    return "".join(chars)


def header_footer(text: str) -> str:
    return (
        "来源：人民网  2026-03-02 08:15  作者：王海波\n"
        + text
        + "\n（责任编辑：李芳）\n【纠错】 【打印本页】 【关闭窗口】\n分享到：微信 微博 QQ空间"
    )


def cut_last(text: str) -> str:
    return "\n".join(text.split("\n")[:-1])


def meeting(city: str, day: datetime, number: int, mayor: str, deputies: str) -> str:
    return (
        f"{city}市{day.month}月{day.day}日，市长{mayor}主持召开市政府第{number}次常务会议，"
        "传达学习中央和省有关会议精神，研究部署近期重点工作。会议听取了全市经济运行情况汇报，指出，"
        "今年以来全市上下坚持稳中求进工作总基调，经济运行总体平稳、稳中有进。会议强调，各地各部门要"
        "紧盯全年目标任务，抓好项目建设、招商引资和民生保障，确保各项工作落地见效。会议还研究了城市"
        f"更新、安全生产等事项。\n副市长{deputies}出席会议，各有关部门主要负责同志列席会议。"
    )


# -- fold -------------------------------------------------------------------------------------


def test_fold_keeps_letters_and_digits_only_and_applies_nfkc() -> None:
    assert fold("Ｈｅｌｌｏ，世界！ ２０１５年\n\t“互联网+”_行动") == "hello世界2015年互联网行动"
    assert fold("") == ""
    assert fold("，。！？  \n") == ""


@pytest.mark.parametrize("config", ["s2t", "s2tw", "s2hk", "s2twp"])
def test_fold_maps_traditional_variants_back_to_simplified(config: str) -> None:
    sentence = "市政府发布信息：软件园区的网络和出租车服务将于下周开通。"
    assert fold(convert(config, sentence)) == fold(sentence)


def test_fold_uses_taiwan_vocabulary_only_when_it_is_detected() -> None:
    taiwan = convert("s2twp", "这款软件通过网络连接服务器，视频在屏幕上播放。")
    assert "軟體" in taiwan and "網路" in taiwan
    assert fold(taiwan) == fold("这款软件通过网络连接服务器，视频在屏幕上播放。")
    # Plain Traditional (no Taiwan vocabulary) is not rewritten word by word: 線上 stays 线上.
    assert fold("他們在線上開會。") == "他们在线上开会"


@pytest.mark.parametrize("config", ["s2t", "s2tw", "s2hk", "s2twp"])
def test_traditional_copies_of_a_whole_article_are_near_duplicates(config: str) -> None:
    original, copy = sketch(INTERNET), sketch(convert(config, INTERNET))
    result = compare(original, copy)
    assert result.duplicate
    assert result.jaccard > 0.85
    # Without folding the shared shingles collapse: the s2t copy of the raw text barely overlaps.


def test_without_folding_traditional_copies_would_not_match() -> None:
    text = convert("s2t", INTERNET)
    raw = {text[i : i + 5] for i in range(len(text) - 4)}
    base = {INTERNET[i : i + 5] for i in range(len(INTERNET) - 4)}
    assert len(raw & base) / len(raw | base) < 0.3
    assert compare(sketch(INTERNET), sketch(text)).jaccard > 0.9


# -- sketch -----------------------------------------------------------------------------------


def test_sketch_round_trips_through_bytes() -> None:
    sk = sketch(ROAD)
    data = sk.to_bytes()
    assert len(data) == SKETCH_BYTES
    assert Sketch.from_bytes(data) == sk
    assert len(sk.fingerprint) == 32 and int(sk.fingerprint, 16) >= 0
    assert sk.near_matching and sk.shingles > 500 and sk.length == len(fold(ROAD))


def test_sketch_from_bytes_says_what_is_wrong() -> None:
    data = sketch(ROAD).to_bytes()
    with pytest.raises(ValueError, match=f"expected {SKETCH_BYTES}"):
        Sketch.from_bytes(data[:-1])
    with pytest.raises(ValueError, match="version 9"):
        Sketch.from_bytes(b"\x09" + data[1:])


def test_fingerprint_is_the_folded_text() -> None:
    repost = "\n\n".join("　　" + p for p in ROAD.replace("，", ",").split("\n"))
    assert sketch(repost).fingerprint == sketch(ROAD).fingerprint
    assert sketch(ROAD + "。").fingerprint == sketch(ROAD).fingerprint
    assert sketch(ROAD + "完").fingerprint != sketch(ROAD).fingerprint


def test_sketch_is_deterministic_across_calls() -> None:
    assert sketch(ROAD) == sketch(ROAD)
    assert sketch(ROAD).to_bytes() == sketch(str(ROAD)).to_bytes()


# -- the duplicate rule: each variation -------------------------------------------------------

VARIATIONS: dict[str, Callable[[str], str]] = {
    "header_footer": header_footer,
    "title_line": lambda t: "原标题：欧阳觅剑:收费公路亏损扩大警示相对过剩\n" + t,
    "cut_last": cut_last,
    "edit5": lambda t: edit(t, 0.05, 1),
    "edit10": lambda t: edit(t, 0.10, 2),
    "edit15": lambda t: edit(t, 0.15, 3),
    "combined": lambda t: convert("s2hk", header_footer(edit(cut_last(t), 0.08, 4))),
    "combined_tw": lambda t: convert("s2twp", header_footer("原标题：收费公路\n" + t)),
}


@pytest.mark.parametrize("name", sorted(BODIES))
@pytest.mark.parametrize("variation", sorted(VARIATIONS))
def test_each_variation_is_a_near_duplicate(name: str, variation: str) -> None:
    body = BODIES[name]
    result = compare(sketch(body), sketch(VARIATIONS[variation](body)))
    assert result.duplicate, result
    assert not result.exact


def test_different_articles_are_not_duplicates() -> None:
    sketches = [sketch(b) for b in BODIES.values()]
    for i, a in enumerate(sketches):
        for b in sketches[i + 1 :]:
            result = compare(a, b)
            assert not result.duplicate
            assert result.jaccard < 0.1


def test_sibling_story_sharing_half_the_sentences_is_not_a_duplicate() -> None:
    own = dedup_sentences(BODIES["163-020"])
    other = dedup_sentences(BODIES["163-040"])
    # Keep every other sentence (about half the text), replace the rest with another story's.
    mixed = [s if i % 2 == 0 else other[i % len(other)] for i, s in enumerate(own)]
    result = compare(sketch(BODIES["163-020"]), sketch("".join(mixed)))
    assert 0.2 < result.jaccard < 0.5
    assert not result.duplicate


def dedup_sentences(text: str) -> list[str]:
    out, current = [], ""
    for ch in text:
        current += ch
        if ch in "。！？\n":
            out.append(current)
            current = ""
    return [*out, current] if current else out


def test_template_notices_differing_in_names_and_dates_are_not_duplicates() -> None:
    week1 = meeting("江州", T0, 12, "王建国", "李芳、张伟")
    week2 = meeting("江州", T0 + timedelta(days=7), 13, "王建国", "赵磊、陈静")
    other_city = meeting("临川", T0 + timedelta(days=3), 12, "周海", "吴杰、孙丽")
    for a, b in [(week1, week2), (week1, other_city), (week2, other_city)]:
        result = compare(sketch(a), sketch(b))
        assert result.jaccard > 0.55  # the text alone would call them copies ...
        assert result.dates_differ  # ... the dates say otherwise
        assert not result.duplicate
    # A real copy of the notice (portal header and footer added) still matches.
    assert compare(sketch(week1), sketch(header_footer(week1))).duplicate


def test_numbers_rule_ignores_texts_without_numbers() -> None:
    text = "市政府召开专题会议研究城市更新工作，会议强调要坚持规划引领，统筹推进老旧小区改造。" * 3
    result = compare(sketch(text), sketch(text.replace("专题", "重要")))
    assert result.numbers_shared == 1.0 and result.duplicate


# -- robustness --------------------------------------------------------------------------------


def test_empty_text_is_never_indexed_or_matched() -> None:
    empty = sketch("  \n，。 ")
    assert empty.length == 0 and not empty.near_matching
    assert not compare(empty, sketch("")).duplicate
    index = DuplicateIndex()
    index.add(1, empty, T0)
    assert len(index) == 0
    assert index.find(empty) is None


def test_short_texts_match_only_exactly() -> None:
    short = "今日天气晴，最高气温十八度。"
    sk = sketch(short)
    assert sk.shingles < MIN_SHINGLES and not sk.near_matching
    index = DuplicateIndex()
    index.add(7, sk, T0)
    assert index.find(sketch(short + "\n")) == Match(7, 1.0, True)
    assert index.find(sketch("今日天气晴，最高气温十九度。")) is None
    assert not compare(sk, sketch("今日天气晴，最高气温十九度。")).duplicate


def test_non_chinese_text_is_handled_by_the_same_rule() -> None:
    english = (
        "The city council approved the new budget on Monday after a long debate about transport "
        "spending, school repairs and the renovation of the central library, officials said. "
    ) * 2
    edited = english.replace("Monday", "Tuesday", 1).replace("officials said", "aides said", 1)
    assert compare(sketch(english), sketch(edited)).duplicate
    other = "Heavy rain is expected across the northern provinces this weekend, forecasters warn."
    assert not compare(sketch(english), sketch(other * 2)).duplicate


# -- the index ----------------------------------------------------------------------------------


def corpus_index() -> tuple[DuplicateIndex, dict[str, int]]:
    index = DuplicateIndex()
    ids = {}
    for k, (name, body) in enumerate(BODIES.items()):
        ids[name] = 100 + k
        index.add(100 + k, sketch(body), T0 + timedelta(hours=k))
    return index, ids


def test_find_returns_the_original_for_each_variation() -> None:
    index, ids = corpus_index()
    for name, body in BODIES.items():
        for variation in VARIATIONS.values():
            match = index.find(sketch(variation(body)))
            assert match is not None and match.doc_id == ids[name] and not match.exact
            assert 0.3 <= match.similarity <= 1.0
        match = index.find(sketch(convert("s2twp", body)))
        assert match is not None and match.doc_id == ids[name]


def test_find_prefers_an_exact_match_and_the_earliest_copy() -> None:
    index = DuplicateIndex()
    index.add(5, sketch(header_footer(ROAD)), T0)  # near-duplicate, earliest
    index.add(9, sketch(ROAD), T0 + timedelta(hours=2))
    index.add(8, sketch(ROAD.replace("，", ",")), T0 + timedelta(hours=1))  # same folded text
    assert index.find(sketch(ROAD)) == Match(8, 1.0, True)
    assert index.find(sketch(ROAD), exclude=8) == Match(9, 1.0, True)
    near = index.find(sketch(edit(ROAD, 0.05, 9)))
    assert near is not None and near.doc_id in {8, 9} and not near.exact


def test_find_ignores_unrelated_and_hard_negative_documents() -> None:
    index = DuplicateIndex()
    index.add(1, sketch(meeting("江州", T0, 12, "王建国", "李芳、张伟")), T0)
    index.add(2, sketch(BODIES["163-020"]), T0)
    assert index.find(sketch(meeting("江州", T0 + timedelta(days=7), 13, "王建国", "赵磊"))) is None
    assert index.find(sketch(BODIES["163-040"])) is None


def test_rebuild_from_bytes_gives_the_same_answers() -> None:
    rng = random.Random(11)
    bodies = list(BODIES.values())
    texts = []
    for k in range(1100):  # enough to pass the unsorted-tail limit and re-sort once
        base = bodies[k % len(bodies)]
        texts.append(edit(base, rng.choice((0.0, 0.05, 0.3, 0.6)), k) if k >= 5 else base)
    sketches = [sketch(t) for t in texts]
    index = DuplicateIndex()
    rows = []
    for k, sk in enumerate(sketches):
        at = T0 + timedelta(minutes=k)
        index.add(k, sk, at)
        rows.append((k, sk.to_bytes(), at))
    assert index._sorted_n > 0 and index._n > index._sorted_n  # both paths are exercised
    rebuilt = DuplicateIndex.build(rows)
    assert len(rebuilt) == len(index) == 1100
    queries = sketches[:40] + [sketch(convert("s2t", b)) for b in bodies]
    answers = [index.find(q, exclude=k) for k, q in enumerate(queries)]
    assert answers == [rebuilt.find(q, exclude=k) for k, q in enumerate(queries)]
    assert sum(a is not None for a in answers) >= 20
    assert rebuilt.memory_bytes() < index.memory_bytes() + 4_000_000


def test_build_names_the_article_with_an_unreadable_sketch() -> None:
    good = sketch(ROAD).to_bytes()
    with pytest.raises(ValueError, match="article 42"):
        DuplicateIndex.build([(1, good, T0), (42, good[:10], T0)])


def test_window_expiry_removes_old_articles() -> None:
    index, ids = corpus_index()
    assert len(index) == len(BODIES)
    cutoff = T0 + timedelta(hours=2)  # the first two articles are older
    assert index.remove_before(cutoff) == 2
    assert len(index) == len(BODIES) - 2
    assert index.remove_before(cutoff) == 0
    names = list(BODIES)
    for k, name in enumerate(names):
        match = index.find(sketch(header_footer(BODIES[name])))
        assert (match is None) if k < 2 else (match is not None and match.doc_id == ids[name])
    assert index.find(sketch(BODIES[names[0]])) is None  # exact layer forgets too
    index.remove_before(T0 + timedelta(days=1))
    assert len(index) == 0 and index.find(sketch(ROAD)) is None
    index.add(1, sketch(ROAD), T0 + timedelta(days=2))  # and the index is usable afterwards
    assert index.find(sketch(ROAD)) == Match(1, 1.0, True)


def test_times_may_be_naive_utc_aware_or_posix_seconds() -> None:
    index = DuplicateIndex()
    index.add(1, sketch(ROAD), datetime(2026, 3, 1, 12, 0))  # naive: UTC
    index.add(2, sketch(INTERNET), T0.timestamp() + 86400)
    assert index.remove_before(datetime(2026, 3, 1, 13, 0, tzinfo=UTC)) == 1
    assert index.find(sketch(INTERNET)) == Match(2, 1.0, True)


def test_memory_is_bounded_per_article() -> None:
    index, _ = corpus_index()
    assert DuplicateIndex.build([]).memory_bytes() < 7_000_000  # bucket tables, tail buffer
    per_article = (index.memory_bytes() - DuplicateIndex().memory_bytes()) / len(index)
    assert per_article < 300 * 16  # capacity is allocated in blocks of at least 16 slots


def test_public_surface() -> None:
    for module in (fold_module, sketch_module, index_module):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"
    assert set(dedup.__all__) == {
        "MIN_SHINGLES",
        "SKETCH_BYTES",
        "Comparison",
        "Document",
        "DuplicateIndex",
        "IndexRow",
        "Match",
        "Sketch",
        "compare",
        "fold",
        "sketch",
    }


def test_sketch_bytes_are_stable_golden() -> None:
    """Stored sketches must stay comparable: a change here needs a new sketch version."""
    expected = (DATA / "163-010.sketch.hex").read_text().strip()
    assert sketch(ROAD).to_bytes().hex() == expected


def test_numbers_that_disagree_veto_a_textual_match() -> None:
    base = (
        "市公共资源交易中心公告：本次司法拍卖共有{}件拍品参拍，起拍价合计{}万元，最终成交{}件，"
        "成交总额{}万元，整体溢价率为{}个百分点。未成交拍品将依法进入变卖程序，欢迎社会各界监督。"
    )
    first = sketch(base.format(120, 3500, 98, 4210, 17))
    other = compare(first, sketch(base.format(85, 2100, 60, 2990, 23)))
    assert other.jaccard >= JACCARD_DUPLICATE and other.numbers_shared == 0.0
    assert not other.duplicate
    assert compare(first, sketch(base.format(120, 3500, 98, 4210, 19))).duplicate  # 1 of 5 changed


def test_remove_drops_one_article() -> None:
    index, ids = corpus_index()
    assert index.remove(ids["163-010"])
    assert not index.remove(ids["163-010"])
    assert len(index) == len(BODIES) - 1
    assert index.find(sketch(ROAD)) is None
    assert index.find(sketch(INTERNET)) == Match(ids["163-001"], 1.0, True)
    index.add(ids["163-010"], sketch(ROAD), T0)  # re-added after a re-extraction
    match = index.find(sketch(header_footer(ROAD)))
    assert match is not None and match.doc_id == ids["163-010"]
