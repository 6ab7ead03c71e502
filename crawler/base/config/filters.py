"""Subscriber filters against the taxonomy and the gazetteer.

A filter naming a theme id or a place nothing is ever tagged with matches no story, and its
subscriber gets "本期无新消息" for ever. So each name is looked up where the tagger's names come
from: theme ids in the taxonomy (``smart_city``), places in the gazetteer (the short names the
tagger stores: 青岛, 山东). A name is accepted as the digests match it (Traditional folded to
Simplified: 青島), and also as a full name the gazetteer knows (青岛市, 山东省) or an alias of the
taxonomy (琴岛), which :func:`normalized` turns into the short name the stories carry. An unknown
name is an error at its line, with the closest names (:class:`Places.suggest`: by characters
and by pinyin, since a wrong character is most often a homophone the input method offered:
深证 -> 深圳).
"""

from __future__ import annotations

__all__ = ["FilterNames", "check_filters", "normalized"]

import difflib
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from crawler.base.config.problems import Collector, line_of
from crawler.base.config.subscribers import Subscriber, SubscriberFilter
from crawler.base.taxonomy import Taxonomy, gazetteer_names

_PLACE_KEYS = ("cities", "provinces")
_SUGGESTIONS = 3
_CLOSE = 0.75  # the least similarity (characters or pinyin) worth suggesting


@functools.cache
def _t2s() -> Any:
    import opencc  # about 1 MB of dictionaries: only when a name is not known as written

    return opencc.OpenCC("t2s")


@functools.cache
def _pinyin(text: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(text))


class FilterNames:
    """What a filter may name, for one taxonomy: theme ids, and places by short name (city or
    province), full name or alias, each mapped to the short name."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        cities, provinces, full = gazetteer_names()
        self.theme_ids = tuple(t.id for t in taxonomy.themes)
        self.theme_labels = {t.label: t.id for t in taxonomy.themes}
        self.provinces: dict[str, str] = {p: p for p in provinces}
        self.places: dict[str, str] = {c: c for c in cities} | self.provinces
        for name, short in full.items():
            self.places.setdefault(name, short)
            if short in provinces:
                self.provinces.setdefault(name, short)
        for section, table in (("cities", self.places), ("provinces", self.provinces)):
            for short, aliases in getattr(taxonomy.aliases, section).items():
                for alias in aliases:
                    table.setdefault(alias, short)
                    self.places.setdefault(alias, short)

    def place(self, name: str, key: str) -> str | None:
        """The short name of ``name`` under ``key`` (``cities`` takes provinces as well, which
        include their cities; ``provinces`` only provinces); None if it names none."""
        table = self.places if key == "cities" else self.provinces
        found = table.get(name.strip())
        if found is None:
            found = table.get(_t2s().convert(name.strip()))
        return found

    def suggest_place(self, name: str, key: str) -> list[str]:
        """The short names closest to ``name``, best first: close by characters or by sound
        (pinyin, which also catches a name typed in pinyin: shenzhen), ranked by both."""
        table = self.places if key == "cities" else self.provinces
        folded = _t2s().convert(name.strip())
        sound = _pinyin(folded).lower()
        scored: dict[str, float] = {}
        for candidate, short in table.items():
            by_chars = difflib.SequenceMatcher(None, folded, candidate).ratio()
            by_sound = difflib.SequenceMatcher(None, sound, _pinyin(candidate)).ratio()
            if max(by_chars, by_sound) >= _CLOSE:
                scored[short] = max(scored.get(short, 0.0), by_chars + by_sound)
        ranked = sorted(scored, key=lambda s: (-scored[s], s))
        return ranked[:_SUGGESTIONS]

    def suggest_theme(self, name: str) -> list[str]:
        """Theme ids close to ``name`` (``smart-city`` -> ``smart_city``), or the id of the
        theme labelled ``name`` (智慧城市)."""
        by_label = self.theme_labels.get(name) or self.theme_labels.get(_t2s().convert(name))
        if by_label:
            return [by_label]
        spelled = name.strip().lower().replace("-", "_").replace(" ", "_")
        if spelled in self.theme_ids:
            return [spelled]
        return difflib.get_close_matches(spelled, self.theme_ids, n=_SUGGESTIONS, cutoff=0.6)


def check_filters(collector: Collector, data: Any, path: Path, names: FilterNames) -> None:
    """Add a problem for every unknown theme id and place name of ``subscribers.yaml``'s
    filters (``data``, as read), at its line."""
    items = data.get("subscribers") if isinstance(data, Mapping) else None
    if not isinstance(items, list):
        return
    for index, item in enumerate(items):
        flt = item.get("filter") if isinstance(item, Mapping) else None
        if not isinstance(flt, Mapping):
            continue
        for key in (*_PLACE_KEYS, "themes"):
            values = flt.get(key)
            if not isinstance(values, list):
                continue
            for position, value in enumerate(values):
                if not isinstance(value, str):
                    continue  # the model reports the type
                problem = _problem(names, key, value)
                if problem:
                    loc = ("subscribers", index, "filter", key, position)
                    where = f"subscribers[{index}].filter.{key}[{position}]"
                    collector.add(path, line_of(data, loc), where, problem)


def _problem(names: FilterNames, key: str, value: str) -> str | None:
    if key == "themes":
        if value in names.theme_ids:
            return None
        return _unknown("theme", value, names.suggest_theme(value), names.theme_ids)
    if names.place(value, key) is not None:
        return None
    if key == "provinces" and names.place(value, "cities") is not None:
        return f"{value!r} is a city, not a province: list it under cities"
    kind = "city or province" if key == "cities" else "province"
    return _unknown(kind, value, names.suggest_place(value, key), ())


def _unknown(kind: str, value: str, close: list[str], known: tuple[str, ...]) -> str:
    if close:
        return f"unknown {kind} {value!r}; did you mean {' / '.join(close)}?"
    if known:
        return f"unknown {kind} {value!r}; expected one of: {', '.join(known)}"
    return f"unknown {kind} {value!r}: use the short name, as in 青岛, 山东"


def normalized(subscriber: Subscriber, names: FilterNames) -> Subscriber:
    """``subscriber`` with each place of its filter that is a full name or an alias replaced by
    the short name the stories carry (青岛市 -> 青岛); names the digests match as written
    (short names, in either script) are kept as the operator wrote them."""
    flt = subscriber.filter
    update: dict[str, tuple[str, ...]] = {}
    for key in _PLACE_KEYS:
        values: tuple[str, ...] = getattr(flt, key)
        fixed = tuple(_short(names, key, v) for v in values)
        if fixed != values:
            update[key] = fixed
    if not update:
        return subscriber
    new_filter: SubscriberFilter = flt.model_copy(update=update)
    return subscriber.model_copy(update={"filter": new_filter})


def _short(names: FilterNames, key: str, value: str) -> str:
    short = names.place(value, key)
    if short is None or value == short or _t2s().convert(value.strip()) == short:
        return value
    return short
