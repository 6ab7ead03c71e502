"""crawler.base.taxonomy: the operator's themes and aliases, validation paths, merging, defaults."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from ruamel.yaml import YAML

from crawler.base.taxonomy import Aliases, Taxonomy, Theme, default_taxonomy, merge_taxonomy_files

CONFIG = Path(__file__).resolve().parents[2] / "config" / "taxonomy"
ISSUE_THEMES = {
    "smart_city",
    "fintech",
    "culture_tourism",
    "innovation",
    "investment",
    "business_env",
    "industry",
    "opening_up",
    "ecology",
}


def locs(exc: ValidationError) -> list[tuple[object, ...]]:
    return [tuple(e["loc"]) for e in exc.errors()]


def test_default_taxonomy_has_the_issue_themes_with_chinese_labels() -> None:
    taxonomy = default_taxonomy()
    assert {t.id for t in taxonomy.themes} == ISSUE_THEMES
    for theme in taxonomy.themes:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in theme.label)
    by_id = {t.id: t for t in taxonomy.themes}
    assert "数字人民币" in by_id["fintech"].keywords
    assert "黄河流域" in by_id["ecology"].keywords


def test_shipped_yaml_files_validate_one_by_one() -> None:
    yaml = YAML(typ="safe", pure=True)
    files = sorted(CONFIG.glob("*.yaml"))
    assert [f.name for f in files] == ["aliases.yaml", "themes.yaml"]
    for path in files:
        Taxonomy.model_validate(yaml.load(path.read_text("utf-8")))


def test_theme_errors_carry_the_key_path() -> None:
    with pytest.raises(ValidationError) as info:
        Taxonomy.model_validate(
            {
                "themes": [
                    {"id": "ok", "label": "好", "keywords": {"智慧城市": 3}},
                    {"id": "Bad-Id", "label": "坏", "keywords": {"智慧城市": -1}, "colour": 1},
                ]
            }
        )
    found = locs(info.value)
    assert ("themes", 1, "id") in found
    assert ("themes", 1, "keywords", "智慧城市") in found
    assert ("themes", 1, "colour") in found


def test_theme_needs_keywords_and_unique_id() -> None:
    with pytest.raises(ValidationError) as info:
        Theme.model_validate({"id": "x", "label": "x", "keywords": {}})
    assert ("keywords",) in locs(info.value)
    theme = {"id": "x", "label": "x", "keywords": {"a": 1}}
    with pytest.raises(ValidationError, match="defined twice"):
        Taxonomy.model_validate({"themes": [theme, theme]})


def test_alias_errors_name_the_unknown_place() -> None:
    with pytest.raises(ValidationError) as info:
        Aliases.model_validate(
            {
                "cities": {"青岛市": ["琴岛"]},
                "provinces": {"山东省": ["齐鲁"]},
                "abbreviations": {"青岛": ["青岛"]},
            }
        )
    messages = {tuple(e["loc"]): e["msg"] for e in info.value.errors()}
    assert any(loc[:2] == ("cities", "青岛市") for loc in messages)
    assert any(loc[:2] == ("provinces", "山东省") for loc in messages)
    assert ("abbreviations", "青岛", 0) in messages
    assert any("short name" in m for m in messages.values())


def test_alias_given_to_two_places_is_rejected() -> None:
    with pytest.raises(ValidationError, match="both 青岛 and 深圳"):
        Aliases.model_validate({"cities": {"青岛": ["海滨之城"], "深圳": ["海滨之城"]}})


def test_merge_concatenates_themes_and_merges_aliases() -> None:
    merged = merge_taxonomy_files(
        {
            "b.yaml": {
                "themes": [{"id": "port", "label": "港口", "keywords": {"港口": 3}}],
                "aliases": {"cities": {"青岛": ["琴岛新城"]}, "not_places": ["青岛啤酒"]},
            },
            "a.yaml": {
                "themes": [{"id": "sea", "label": "海洋", "keywords": {"海洋": 3}}],
                "aliases": {"cities": {"青岛": ["西海岸"]}, "not_places": ["北京烤鸭"]},
            },
        }
    )
    taxonomy = Taxonomy.model_validate(merged)
    assert [t.id for t in taxonomy.themes] == ["sea", "port"]
    assert taxonomy.aliases.cities["青岛"] == ("西海岸", "琴岛新城")
    assert taxonomy.aliases.not_places == ("北京烤鸭", "青岛啤酒")


def test_merge_rejects_a_theme_defined_in_two_files() -> None:
    theme = {"id": "sea", "label": "海洋", "keywords": {"海洋": 3}}
    with pytest.raises(ValueError, match=r"both a\.yaml and b\.yaml"):
        merge_taxonomy_files({"a.yaml": {"themes": [theme]}, "b.yaml": {"themes": [theme]}})


def test_merge_keeps_unknown_keys_for_validation_to_report() -> None:
    merged = merge_taxonomy_files({"a.yaml": {"themse": []}})
    with pytest.raises(ValidationError) as info:
        Taxonomy.model_validate(merged)
    assert ("themse",) in locs(info.value)


def test_merge_of_nothing_is_an_empty_taxonomy() -> None:
    taxonomy = Taxonomy.model_validate(merge_taxonomy_files({}))
    assert taxonomy.themes == () and taxonomy.aliases == Aliases()


def test_taxonomy_is_frozen() -> None:
    taxonomy = default_taxonomy()
    with pytest.raises(ValidationError):
        taxonomy.themes = ()  # type: ignore[misc]
