"""The operator's tagging vocabulary: themes and extra place names (``config/taxonomy/*.yaml``).

Every ``*.yaml`` file in ``config/taxonomy/`` is a mapping with any of two top-level keys::

    themes:                      # a list; files are read in name order, their lists concatenated
      - id: smart_city           # [a-z0-9_]+, unique over all files
        label: 智慧城市           # shown in digests
        keywords:                # phrase -> weight (> 0); Traditional is folded to Simplified
          智慧城市: 3
          数字政府: 3
        negative:                # phrase -> weight subtracted per occurrence; a negative phrase
          智慧城市群: 3          # that contains a keyword also hides that keyword's match
        threshold: 4             # score needed; a title hit counts title_weight times, and a
                                 # body longer than 400 characters needs sqrt(length/400) times more
        title_weight: 2
    aliases:                     # extra names; merged over all files
      cities:        {青岛: [琴岛, 西海岸新区]}     # always mean the city
      provinces:     {山东: [齐鲁大地]}
      abbreviations: {青岛: [青]}                 # one character, only in visit frames (来青)
      not_places:    [青岛啤酒]                   # phrases that never name a place

The loader validates each merged result as :class:`Taxonomy`; validation errors carry the key
path (``themes.3.keywords.智慧城市``, ``aliases.cities.青島x.[key]``) so the loader can point
at the file and line.
"""

from __future__ import annotations

__all__ = [
    "Aliases",
    "Taxonomy",
    "Theme",
    "default_taxonomy",
    "gazetteer_names",
    "merge_taxonomy_files",
]

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

# The built-in defaults; config/taxonomy/ ships the same files for operators to edit.
_DEFAULT_DIR = Path(__file__).resolve().parents[1] / "data" / "taxonomy"
_PLACES = Path(__file__).resolve().parents[1] / "data" / "gazetteer" / "places.tsv"
_PINYIN = _PLACES.with_name("pinyin.tsv")


@functools.cache
def _known_names() -> tuple[frozenset[str], frozenset[str]]:
    """Short names of cities and of provinces in the shipped gazetteer."""
    cities: set[str] = set()
    provinces: set[str] = set()
    with _PLACES.open(encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            _code, level, _name, short, city, province, *_flags = line.rstrip("\n").split("\t")
            provinces.add(province)
            if level == "city" or (level == "province" and city):
                cities.add(city or short)
    return frozenset(cities), frozenset(provinces - cities)


@functools.cache
def _full_names() -> dict[str, str]:
    """Full names of cities and provinces (青岛市, 山东省, 延边朝鲜族自治州) -> short name."""
    names: dict[str, str] = {}
    with _PLACES.open(encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            _code, level, name, short, city, province, *_flags = line.rstrip("\n").split("\t")
            if level == "city" or (level == "province" and city):
                names[name] = city or short
            elif level == "province":
                names[name] = province
    return names


@functools.cache
def _pinyin_names() -> dict[str, str | None]:
    """Pinyin of the city and province short names (qingdao -> 青岛); None where two places
    share it (fuzhou: 福州 and 抚州). Read from ``pinyin.tsv``, which the gazetteer's build
    writes with pypinyin: loading pypinyin itself would cost a crawl 55 MB."""
    out: dict[str, str | None] = {}
    with _PINYIN.open(encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            short, key = line.rstrip("\n").split("\t")
            out[key] = None if key in out and out[key] != short else short
    return out


@functools.cache
def gazetteer_names() -> tuple[frozenset[str], frozenset[str], Mapping[str, str]]:
    """The gazetteer's short names of cities and of provinces (municipalities and the SARs are
    both: 北京, 香港), and its full names (青岛市, 山东省) mapped to the short one: what a config
    may name a place by."""
    with _PLACES.open(encoding="utf-8") as fh:
        next(fh)
        provinces = frozenset(line.split("\t")[5] for line in fh)
    return _known_names()[0], provinces, _full_names()


def is_place(name: str) -> bool:
    """Whether ``name`` is the short name of a city or province of the gazetteer."""
    cities, provinces = _known_names()
    return name in cities or name in provinces


def infer_home(name: str, ident: str) -> str | None:
    """The city or province a source's ``name`` begins with as a full name (青岛市人民政府,
    河北省财政厅), else the one its ``id`` begins with in pinyin (qingdao-gov); None when
    neither says or the pinyin is shared by two places."""
    full = _full_names()
    for end in range(min(len(name), 12), 1, -1):
        if name[:end] in full:
            return full[name[:end]]
    head = ident.split("-", 1)[0]
    if len(head) < 4:
        return None
    return _pinyin_names().get(head)


def _city(name: str) -> str:
    if name not in _known_names()[0]:
        raise ValueError(
            f"unknown city {name!r}: use the short name without suffix, as in 青岛, 哈尔滨, 香港"
        )
    return name


def _province(name: str) -> str:
    if name not in _known_names()[1]:
        raise ValueError(
            f"unknown province {name!r}: use the short name without suffix, as in 山东, 内蒙古"
        )
    return name


def _phrase(text: str) -> str:
    text = text.strip()
    if not text:
        raise ValueError("empty phrase")
    return text


def _one_char(text: str) -> str:
    if len(text) != 1:
        raise ValueError(f"an abbreviation is one character, not {text!r}")
    return text


def _place(name: str) -> str:
    cities, provinces = _known_names()
    if name not in cities and name not in provinces:
        raise ValueError(f"unknown city or province {name!r}: use the short name, as in 青岛, 山东")
    return name


CityName = Annotated[str, AfterValidator(_city)]
ProvinceName = Annotated[str, AfterValidator(_province)]
PlaceName = Annotated[str, AfterValidator(_place)]
Phrase = Annotated[str, AfterValidator(_phrase)]
OneChar = Annotated[str, AfterValidator(_one_char)]
Weight = Annotated[float, Field(gt=0, le=100)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Theme(_Frozen):
    """A theme: weighted keywords, negative keywords, and the score an article needs."""

    id: str = Field(pattern=r"^[a-z0-9_]+$", max_length=64)
    label: str = Field(min_length=1)
    keywords: Mapping[Phrase, Weight] = Field(min_length=1)
    negative: Mapping[Phrase, Weight] = Field(default_factory=dict)
    threshold: float = Field(4.0, gt=0, le=1000)
    title_weight: float = Field(2.0, ge=1, le=20)


class Aliases(_Frozen):
    """Extra place names added by the operator on top of the shipped gazetteer."""

    cities: Mapping[CityName, tuple[Phrase, ...]] = Field(default_factory=dict)
    provinces: Mapping[ProvinceName, tuple[Phrase, ...]] = Field(default_factory=dict)
    abbreviations: Mapping[PlaceName, tuple[OneChar, ...]] = Field(default_factory=dict)
    not_places: tuple[Phrase, ...] = ()

    @model_validator(mode="after")
    def _no_conflicts(self) -> Aliases:
        owner: dict[str, str] = {}
        for section in ("cities", "provinces"):
            for name, extra in getattr(self, section).items():
                for alias in extra:
                    if owner.setdefault(alias, name) != name:
                        raise ValueError(
                            f"alias {alias!r} is given to both {owner[alias]} and {name}"
                        )
        return self


class Taxonomy(_Frozen):
    """The merged content of ``config/taxonomy/*.yaml``."""

    themes: tuple[Theme, ...] = ()
    aliases: Aliases = Aliases()

    @model_validator(mode="after")
    def _unique_ids(self) -> Taxonomy:
        seen: set[str] = set()
        for theme in self.themes:
            if theme.id in seen:
                raise ValueError(f"theme id {theme.id!r} is defined twice")
            seen.add(theme.id)
        return self


def merge_taxonomy_files(parsed: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Merge parsed taxonomy files (file name -> mapping) into one dict to validate.

    Files are taken in name order. ``themes`` lists are concatenated; ``aliases`` sections are
    merged (lists of the same name are joined, ``not_places`` concatenated). Unknown top-level
    keys are kept so that validation reports them. Raises ``ValueError`` naming both files when
    two files define the same theme id.
    """
    themes: list[Any] = []
    theme_file: dict[str, str] = {}
    aliases: dict[str, Any] = {}
    other: dict[str, Any] = {}
    for file_name in sorted(parsed):
        data = parsed[file_name] or {}
        for key, value in data.items():
            if key == "themes" and isinstance(value, list):
                for theme in value:
                    theme_id = theme.get("id") if isinstance(theme, Mapping) else None
                    if isinstance(theme_id, str):
                        first = theme_file.setdefault(theme_id, file_name)
                        if first != file_name:
                            raise ValueError(
                                f"theme {theme_id!r} is defined in both {first} and {file_name}"
                            )
                    themes.append(theme)
            elif key == "aliases" and isinstance(value, Mapping):
                _merge_aliases(aliases, value)
            elif key in ("themes", "aliases") and key not in other:
                other[key] = value  # wrong type: let validation say so
            else:
                other.setdefault(key, value)
    merged: dict[str, Any] = dict(other)
    if themes or "themes" not in merged:
        merged["themes"] = themes
    if aliases or "aliases" not in merged:
        merged["aliases"] = aliases
    return merged


def _merge_aliases(into: dict[str, Any], value: Mapping[str, Any]) -> None:
    for section, content in value.items():
        if section == "not_places" and isinstance(content, list):
            into.setdefault(section, [])
            if isinstance(into[section], list):
                into[section].extend(content)
        elif isinstance(content, Mapping) and isinstance(into.setdefault(section, {}), dict):
            target = into[section]
            for name, extra in content.items():
                if isinstance(extra, list) and isinstance(target.get(name, []), list):
                    target[name] = [*target.get(name, []), *extra]
                else:
                    target[name] = extra
        else:
            into[section] = content


@functools.cache
def default_taxonomy() -> Taxonomy:
    """The shipped ``config/taxonomy`` content (for callers without a config directory)."""
    from ruamel.yaml import YAML

    files = sorted(_DEFAULT_DIR.glob("*.yaml"))
    if not files:
        raise FileNotFoundError(f"taxonomy: no shipped taxonomy files in {_DEFAULT_DIR}")
    yaml = YAML(typ="safe", pure=True)
    parsed = {p.name: yaml.load(p.read_text(encoding="utf-8")) or {} for p in files}
    return Taxonomy.model_validate(merge_taxonomy_files(parsed))
