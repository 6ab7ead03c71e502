"""The visits dev set's committed annotations (bench/data/visits-dev/annotations.jsonl) are
well-formed: provenance fields, allowed source folders only, known cities (gazetteer), visit
ends among the item's cities or the provinces, kind consistent with the pairs."""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

import pytest

from crawler.tag.gazetteer import Gazetteer

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.visits_dev import ANNOTATIONS, REPO, allowed, load_annotations

FIELDS = {"id", "repo", "commit", "path", "row", "anchor", "text_sha1", "home", "cities"}
FIELDS |= {"visits", "kind"}


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer()


@pytest.fixture(scope="module")
def items() -> list[dict]:
    return load_annotations(ANNOTATIONS)


def test_provenance(items: list[dict]) -> None:
    assert len(items) >= 60
    assert len({i["id"] for i in items}) == len(items)
    assert len({(i["path"], i["row"]) for i in items}) == len(items)
    for item in items:
        assert item.keys() >= FIELDS, item["id"]
        assert item["repo"] == REPO
        assert re.fullmatch(r"[0-9a-f]{40}", item["commit"])
        assert re.fullmatch(r"[0-9a-f]{40}", item["text_sha1"])
        assert allowed(item["path"]), item["path"]  # never a held-out folder
        assert isinstance(item["row"], int) and item["row"] >= 0
        assert 0 < len(item["anchor"]) <= 30
        assert "text" not in item and "title" not in item  # texts are never committed


def test_places_are_known(items: list[dict], gazetteer: Gazetteer) -> None:
    for item in items:
        assert item["home"] in gazetteer.cities, item["id"]
        assert item["path"].rsplit("/", 1)[1].startswith(item["home"]), item["id"]
        for city in item["cities"]:
            assert city in gazetteer.cities, (item["id"], city)
        assert len(set(item["cities"])) == len(item["cities"])


def test_visits_and_kind(items: list[dict], gazetteer: Gazetteer) -> None:
    for item in items:
        assert item["kind"] in {"visit", "policy", "other"}
        assert (item["kind"] == "visit") == bool(item["visits"]), item["id"]
        for visitor, host in item["visits"]:
            assert visitor != host, item["id"]
            for end in (visitor, host):
                # a city end is listed in cities; an end that is not is a province (吉林 and 海南
                # name a province and a city: listed in cities, the city is meant)
                if end in item["cities"]:
                    assert end in gazetteer.cities, (item["id"], end)
                else:
                    assert end in gazetteer.provinces or end in {"香港", "澳门"}, (item["id"], end)
        for key in ("date_start", "date_end"):
            if key in item:
                date.fromisoformat(item[key])
                assert item["visits"], item["id"]
        if "leader" in item:
            assert item["visits"] and 2 <= len(item["leader"]) <= 12, item["id"]
