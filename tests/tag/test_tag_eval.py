"""The annotated evaluation set (bench/data/tagging-eval.jsonl): well-formed, and the tagger
keeps the issue's goals on its dev part (a regression guard; bench/tagging.py prints both parts)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from crawler.base.taxonomy import default_taxonomy
from crawler.tag import Tagger, cities_of
from crawler.tag.text import fold

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.tagging import evaluate, load

PROVINCES = {
    "河北",
    "山西",
    "内蒙古",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "广西",
    "海南",
    "四川",
    "贵州",
    "云南",
    "西藏",
    "陕西",
    "甘肃",
    "青海",
    "宁夏",
    "新疆",
    "台湾",
}


@pytest.fixture(scope="module")
def items() -> tuple[list[dict], list[dict]]:
    return load()


def test_set_is_big_enough_and_split(items: tuple[list[dict], list[dict]]) -> None:
    dev, held = items
    assert len(dev) + len(held) >= 120
    assert len(held) == round(0.3 * (len(dev) + len(held)))
    ids = [i["id"] for i in dev + held]
    assert len(ids) == len(set(ids))


def test_items_use_known_names_and_labels(items: tuple[list[dict], list[dict]]) -> None:
    cities = {c for p in PROVINCES | {"北京", "上海", "天津", "重庆"} for c in cities_of(p)}
    # province level, never cities (real-text rules): 台北 and 高雄 count as 台湾
    provinces = PROVINCES | {"香港", "澳门", "台湾"}
    themes = {t.id for t in default_taxonomy().themes}
    for item in items[0] + items[1]:
        assert set(item["cities"]) <= cities, item["id"]
        assert set(item["provinces"]) <= provinces, item["id"]
        assert set(item["themes"]) <= themes, item["id"]
        assert item["kind"] in {"visit", "policy", "other"}, item["id"]
        for visit in item["visits"]:
            assert set(visit) == {"visitor", "host"}, item["id"]
            assert {visit["visitor"], visit["host"]} <= cities | provinces, item["id"]


def test_both_parts_hold_simplified_and_traditional(items: tuple[list[dict], list[dict]]) -> None:
    for part in items:
        texts = [i["title"] + i["text"] for i in part]
        traditional = [t for t in texts if fold(t) != t]
        assert len(traditional) >= 3
        assert len(texts) - len(traditional) >= 3 * len(traditional)


def test_dev_part_meets_the_goals(items: tuple[list[dict], list[dict]]) -> None:
    report = evaluate(Tagger(default_taxonomy()), items[0])
    assert report.scores["cities"].f1 >= 0.97
    assert report.scores["visits"].f1 >= 0.93
    assert report.scores["themes"].f1 >= 0.85
