"""Places and the names that point at them: the shipped gazetteer plus the operator's aliases.

``places.tsv`` (every province, city, district and county of the 2023 national division codes)
and ``curated.json`` (nicknames, one-character abbreviations, phrases that are not places) live
in ``crawler/data/gazetteer/``; see its ATTRIBUTION file. :class:`Gazetteer` turns them into the
pattern table the tagger's Aho-Corasick automaton is built from.
"""

from __future__ import annotations

__all__ = [
    "TAIWAN",
    "Entry",
    "Gazetteer",
    "Place",
    "Strength",
    "abbreviation_chars",
    "cities_of",
    "province_of",
]

import enum
import functools
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.base.taxonomy import Aliases
from crawler.tag.text import fold

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "gazetteer"

# Full county names that are everyday words ("主城区", "新城区建设"): never matched.
_PLAIN_FULL = frozenset(
    [
        "城区",
        "郊区",
        "矿区",
        "东区",
        "西区",
        "南区",
        "北区",
        "中西区",
        "新城区",
        "老城区",
        "城中区",
        "城东区",
        "城西区",
        "城北区",
        "城关区",
        "新区",
        "高新区",
        "开发区",
        "市辖区",
        "平安区",
        "中山区",
        "东方市",
        "大社区",  # 高雄's district; 大社区运营, the large community of community work
    ]
)
# Full district names several cities share (桥东区, 和平区): never matched either, but on the site
# of a city that has one they are the home's own (桥东区 on 张家口's).
_HOME_GENERIC = frozenset(
    [
        "长安区",
        "新华区",
        "和平区",
        "桥东区",
        "桥西区",
        "河东区",
        "河西区",
        "龙华区",
        "白云区",
        "江北区",
        "江南区",
        "青山区",
        "南岗区",
        "铁西区",
        "铁东区",
        "光明区",
        "宏伟区",
        "市中区",
    ]
)
_GENERIC_FULL = _PLAIN_FULL | _HOME_GENERIC
TAIWAN = "台湾"  # a province whose cities the national codes do not list


class Strength(enum.IntEnum):
    """How much a name needs before it counts as a mention."""

    STRONG = 0  # on its own (青岛, 青岛市, 浦东新区, 鹏城)
    CONTEXT = 1  # only with its city or province nearby, or the publisher's (崂山, 鼓楼区)
    WEAK = 2  # only when the place is also named, or inside a visit frame (江城, 山城)


@dataclass(frozen=True, slots=True)
class Place:
    """A place a name can point at. ``city`` is None for a province (and for 神农架-like units)."""

    city: str | None
    province: str
    level: str  # "province" | "city" | "county"


@dataclass(frozen=True, slots=True)
class Entry:
    """What one matched pattern means: ``places`` are its candidates (homonyms)."""

    places: tuple[Place, ...]
    strength: Strength
    short: bool = False  # a suffix-less short name: "中山路", "山东大学" are not the place
    block: bool = False  # a phrase that is never a place ("孙中山", "基金")
    self_ref: str = ""  # "city" for 我市/本市, "province" for 我省/本省


@dataclass(frozen=True, slots=True)
class _Unit:
    level: str
    name: str
    short: str
    city: str
    province: str
    common: bool
    small: bool


@functools.cache
def _units() -> tuple[_Unit, ...]:
    rows: list[_Unit] = []
    with (DATA_DIR / "places.tsv").open(encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            _code, level, name, short, city, province, common, small = line.rstrip("\n").split("\t")
            rows.append(_Unit(level, name, short, city, province, common == "1", small == "1"))
    return tuple(rows)


@functools.cache
def _curated() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA_DIR / "curated.json").read_text("utf-8"))
    return data


# A banner or county named after a wing of a league (喀喇沁左翼…自治县, 察哈尔右翼前旗).
_WING = re.compile(r"(?P<head>[\u4e00-\u9fff]{2,4}?)(?P<side>[左右])翼(?P<part>[前中后]?)\w*[旗县]")


class Gazetteer:
    """The pattern table: folded name -> :class:`Entry`, plus abbreviations and hierarchy."""

    def __init__(self, aliases: Aliases | None = None) -> None:
        aliases = aliases or Aliases()
        curated = _curated()
        self.province_of_city: dict[str, str] = {}
        self.cities_in: dict[str, list[str]] = defaultdict(list)
        self.provinces: set[str] = set()
        self.cities: set[str] = set()
        candidates: dict[str, list[Place]] = defaultdict(list)
        strength: dict[str, Strength] = {}
        short: set[str] = set()

        def add(pattern: str, place: Place, level: Strength, is_short: bool = False) -> None:
            pattern = fold(pattern)
            if len(pattern) < 2:
                return
            if place not in candidates[pattern]:
                candidates[pattern].append(place)
            strength[pattern] = min(strength.get(pattern, level), level)
            if is_short:
                short.add(pattern)

        context_cities = set(curated["context_cities"])
        common = set(curated["common_counties"])
        plain = set(curated["plain_counties"])
        # 香港/澳门 and the 兵团 cities (石河子, 北屯) count at province level only (新疆).
        province_level = set(curated["province_level"])
        units = _units()
        self.province_level = {u.short: u.province for u in units if u.short in province_level}
        # county-level units directly under their province (潜江, 陵水), as written; not the 兵团
        # cities, which stand for 新疆
        self.under_province = frozenset(
            name
            for u in units
            if u.small and u.province != "新疆" and (not u.city or u.city in province_level)
            for name in (u.name, u.short, u.short + "市", u.short + "县")
        )
        self.suffix_only = frozenset(fold(n) for n in curated["suffix_only"])
        # the strong nicknames (泉城, 冰城): a city's own outlets use them, another city's rarely
        # (not a prefecture's short name, 博州)
        self.nicknames = frozenset(fold(n) for n in curated["nicknames"] if not n.endswith("州"))
        # the nicknames several cities use (江城, 鹤城): on their city's own site, that city
        self.weak_nicknames = frozenset(fold(n) for n in curated["weak_nicknames"])
        # Provinces first: their names win over same-named cities and counties (吉林, 海南).
        for u in units:
            if u.level != "province":
                continue
            as_city = bool(u.city) and u.city not in province_level
            place = Place(
                u.city if as_city else None, u.province, "city" if as_city else "province"
            )
            if as_city:
                self.cities.add(u.city)
                self.province_of_city[u.city] = u.city
                self.cities_in[u.city].append(u.city)
            else:
                self.provinces.add(u.province)
            add(u.name, place, Strength.STRONG)
            add(u.short, place, Strength.STRONG, is_short=True)
        taken = set(candidates)
        for u in units:
            if u.level != "city" or u.short in province_level:
                continue
            if u.province == TAIWAN:
                # 台北, 高雄: not prefectures of the national codes; the province, as 香港 is
                place = Place(None, u.province, "province")
                add(u.name, place, Strength.STRONG)
                if u.short not in taken:
                    level = Strength.CONTEXT if u.short in context_cities else Strength.STRONG
                    add(u.short, place, level, is_short=True)
                continue
            place = Place(u.short, u.province, "city")
            self.cities.add(u.short)
            self.province_of_city.setdefault(u.short, u.province)
            if u.short not in self.cities_in[u.province]:
                self.cities_in[u.province].append(u.short)
            if u.small:
                continue  # county-level cities (济源, 东方市) are named like counties, below
            add(u.name, place, Strength.STRONG)
            if u.short not in taken:
                level = Strength.CONTEXT if u.short in context_cities else Strength.STRONG
                add(u.short, place, level, is_short=True)
        # 巴州 (巴音郭楞), 恩施州: an autonomous prefecture's first character and 州
        self.autonomous = frozenset(
            u.short for u in units if u.level == "city" and u.name.endswith("自治州")
        )
        taken = set(candidates)
        for u in units:
            # 海南州 (青海's 海南藏族自治州, not the province), 黔东南州: the usual short form
            if u.level == "city" and u.short in self.autonomous and u.short + "州" not in taken:
                add(u.short + "州", Place(u.short, u.province, "city"), Strength.STRONG)
        # 桥东区 on 张家口's site: the home's own district, whatever other cities have one
        self.home_generic: dict[str, list[str]] = defaultdict(list)
        for u in units:
            if u.small and u.name in _HOME_GENERIC and u.city:
                self.home_generic[u.city].append(u.name)
        taken = set(candidates)
        # Towns and sub-districts listed for cities without counties (儋州's 南丰镇, 东莞's
        # 虎门镇, 嘉峪关's 新城镇): the same names stand in many other counties, and a town is
        # not lifted to its city (the matcher keeps them weak, its home's only).
        towns: set[str] = set()
        common_shorts: dict[str, list[Place]] = defaultdict(list)
        everyday = set(curated["everyday_places"])
        for u in units:
            if not u.small or u.province == TAIWAN:
                continue  # (Taiwan's 东河乡, 永康区 are names of mainland towns more often)
            if u.name.endswith(("街道", "镇", "乡")):
                towns.add(u.name)
            if u.city in province_level:
                place = Place(None, u.province, "province")
            else:
                place = Place(u.city or None, u.province, u.level)
            if u.name not in _GENERIC_FULL and u.name not in taken:
                # 2-character names (单县) and X城市 (海城市 in 前海城市功能) need context.
                weak_name = (
                    len(u.name) < 3
                    or (len(u.name) == 3 and u.name.endswith("城市"))
                    or u.name in towns
                )
                level = Strength.CONTEXT if weak_name else Strength.STRONG
                add(u.name, place, level)
            is_common = (u.common and u.short not in plain) or u.short in common
            # 龙江 (黑龙江's own short form) is the province, not 齐齐哈尔's 龙江县
            is_common = is_common or (u.short != u.province and u.province.endswith(u.short))
            if u.short != u.name and not is_common and u.short not in taken:
                add(u.short, place, Strength.CONTEXT, is_short=True)
            elif (
                u.short != u.name
                and u.city
                and u.city not in province_level
                and not u.province.endswith(u.short)
                and u.short not in everyday
            ):
                common_shorts[fold(u.short)].append(place)
            if u.name.endswith(("自治县", "自治旗")) and len(u.short) >= 2:
                # 长阳土家族自治县 -> 长阳县, 鄂伦春自治旗 -> 鄂伦春旗: the usual short form.
                form = u.short + u.name[-1]
                if form not in taken:
                    add(form, place, Strength.STRONG)
            wing = _WING.fullmatch(u.name)
            if wing:
                # 喀喇沁左翼蒙古族自治县 -> 喀左县, 科尔沁右翼前旗 -> 科右前旗: the head's first
                # character, the wing and its part
                form = wing["head"][0] + wing["side"] + wing["part"] + u.name[-1]
                if form not in taken:
                    add(form, place, Strength.STRONG)
        by_name = {u.name: u for u in units if u.small}
        for alias, name in curated["county_aliases"].items():
            # 前郭县, 察右前旗: conventional short forms that are not the name's prefix.
            u = by_name[name]
            add(alias, Place(u.city or None, u.province, u.level), Strength.STRONG)
        # A full county name shared by several counties (鼓楼区) needs context to pick one.
        for pattern, places in candidates.items():
            if len({(p.city, p.province) for p in places}) > 1:
                strength[pattern] = max(strength[pattern], Strength.CONTEXT)

        for nick, city in curated["nicknames"].items():
            add(nick, self._city_place(city), Strength.STRONG)
        for nick, city in curated["weak_nicknames"].items():
            add(nick, self._city_place(city), Strength.WEAK)
        for city, extra in aliases.cities.items():
            for alias in extra:
                add(alias, self._city_place(city), Strength.STRONG)
        for province, extra in aliases.provinces.items():
            for alias in extra:
                add(alias, Place(None, province, "province"), Strength.STRONG)

        entries: dict[str, Entry] = {}
        for pattern, places in candidates.items():
            entries[pattern] = Entry(tuple(places), strength[pattern], pattern in short)
        blocked = [*curated["not_places"], *aliases.not_places]
        for phrase in blocked:
            entries[fold(phrase)] = Entry((), Strength.STRONG, block=True)
        for ref, kind in (
            ("我市", "city"),
            ("本市", "city"),
            ("我省", "province"),
            ("本省", "province"),
        ):
            entries[ref] = Entry((), Strength.STRONG, self_ref=kind)
        self.entries = entries
        self.towns = frozenset(fold(t) for t in towns)
        # Counties whose short name is an everyday word (永康, 平遥, 宝应) and no other place's:
        # never matched alone, only where a verb of going or a list of places frames them
        # (赴永康、宁波)
        self.framed_shorts = {
            name: places[0]
            for name, places in common_shorts.items()
            if len(set(places)) == 1 and len(name) >= 2 and name not in entries
        }

        abbreviations: dict[str, list[Place]] = defaultdict(list)
        for char, names in curated["abbreviations"].items():
            for name in names:
                abbreviations[fold(char)].append(self._any_place(name))
        for name, chars in aliases.abbreviations.items():
            for char in chars:
                place = self._any_place(name)
                if place not in abbreviations[fold(char)]:
                    abbreviations[fold(char)].append(place)
        self.abbreviations = {k: tuple(v) for k, v in abbreviations.items()}

    def _city_place(self, city: str) -> Place:
        if city not in self.province_of_city:  # 香港, 澳门: province level
            return Place(None, city, "province")
        return Place(city, self.province_of_city[city], "city")

    def _any_place(self, name: str) -> Place:
        if name in self.cities:
            return self._city_place(name)
        return Place(None, name, "province")


def abbreviation_chars() -> frozenset[str]:
    """The one-character abbreviations the shipped gazetteer knows (京, 沪, 宁…)."""
    return frozenset(_curated()["abbreviations"])


@functools.cache
def _default() -> Gazetteer:
    return Gazetteer()


def province_of(city: str) -> str | None:
    """The province of a city by short name (青岛 -> 山东); a municipality or SAR is its own,
    a 兵团 city is 新疆's (石河子 -> 新疆)."""
    gaz = _default()
    return gaz.province_of_city.get(city) or gaz.province_level.get(city)


def directly_under_province(name: str) -> bool:
    """``name`` (as written: 潜江市, 济源, 陵水黎族自治县) is a county-level unit directly under its
    province, with no prefecture; the 兵团 cities, which stand for 新疆, are not."""
    return name in _default().under_province


def cities_of(province: str) -> tuple[str, ...]:
    """The cities of a province by short name, in code order (山东 -> 济南, 青岛, ...)."""
    return tuple(_default().cities_in.get(province, ()))
