"""The reader's "manage subscription" form: its choices and the check of what comes back.

Every choice the page offers comes from the data the digests use: cities and provinces from
the gazetteer (:func:`digests.graph.cities_by_province`), themes from the operator's taxonomy,
kinds, frequencies, weekdays and scripts from the subscriber model itself (so a script another
part of the tool adds is offered without an edit here). The server checks every posted value
against the same choices (:func:`parse_form`): a hand-made POST can store nothing the form
could not. The web side (``crawler/app/web.py``) renders :class:`Choices` and stores the result
through :func:`digests.subscribers.save_preferences`.
"""

from __future__ import annotations

__all__ = ["Choices", "FormError", "choices_for", "parse_form"]

import re
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from crawler.base.config import Subscriber
from crawler.base.taxonomy import Taxonomy
from digests.graph import cities_by_province
from digests.subscribers import Preferences

KIND_LABELS = {"visit": "考察交流", "policy": "政策发布", "other": "其他新闻"}
FREQUENCY_LABELS = {"daily": "每日", "weekly": "每周"}
WEEKDAY_LABELS = {
    "mon": "周一",
    "tue": "周二",
    "wed": "周三",
    "thu": "周四",
    "fri": "周五",
    "sat": "周六",
    "sun": "周日",
}
SCRIPT_LABELS = {
    "simplified": "简体中文",
    "traditional": "繁體中文",
    "traditional-tw": "繁體中文（台灣）",
    "traditional-hk": "繁體中文（香港）",
}
MAX_PLACES = 100  # more than any reader follows; a bound on what a hand-made POST may store
_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


def _literals(field: str) -> tuple[str, ...]:
    """The allowed values of a ``Literal`` field of :class:`Subscriber`."""
    annotation = Subscriber.model_fields[field].annotation
    return tuple(str(v) for v in typing.get_args(annotation))


def _kinds() -> tuple[str, ...]:
    from crawler.base.config.subscribers import SubscriberFilter

    (member,) = typing.get_args(SubscriberFilter.model_fields["kinds"].annotation)[:1]
    return tuple(str(v) for v in typing.get_args(member))


@dataclass(frozen=True, slots=True)
class Choices:
    """What the form offers, each as ``(value, label)`` in display order."""

    provinces: tuple[str, ...]
    cities: tuple[tuple[str, tuple[str, ...]], ...]  # (province, its cities)
    themes: tuple[tuple[str, str], ...]
    kinds: tuple[tuple[str, str], ...]
    frequencies: tuple[tuple[str, str], ...]
    weekdays: tuple[tuple[str, str], ...]
    scripts: tuple[tuple[str, str], ...]

    @property
    def city_names(self) -> frozenset[str]:
        return frozenset(c for _, cities in self.cities for c in cities)

    def times(self, current: str) -> tuple[str, ...]:
        """Send times on the half hour, and ``current`` wherever it falls."""
        slots = {f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30)} | {current}
        return tuple(sorted(slots))


def choices_for(taxonomy: Taxonomy) -> Choices:
    """The form's choices: the gazetteer's places, the taxonomy's themes, the model's values."""
    table = cities_by_province()
    return Choices(
        provinces=tuple(table),
        cities=tuple((p, cities) for p, cities in table.items() if cities),
        themes=tuple((t.id, t.label) for t in taxonomy.themes),
        kinds=tuple((k, KIND_LABELS.get(k, k)) for k in _kinds()),
        frequencies=tuple((f, FREQUENCY_LABELS.get(f, f)) for f in _literals("frequency")),
        weekdays=tuple((d, WEEKDAY_LABELS.get(d, d)) for d in _literals("weekday")),
        scripts=tuple((s, SCRIPT_LABELS.get(s, s)) for s in _literals("script")),
    )


class FormError(ValueError):
    """The posted form holds values the page does not offer; ``problems`` names each."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


def _many(
    form: Mapping[str, Sequence[str]], key: str, allowed: frozenset[str] | set[str], what: str
) -> tuple[tuple[str, ...], list[str]]:
    values = tuple(dict.fromkeys(v.strip() for v in form.get(key, ()) if v.strip()))
    problems = [f"{what}「{v[:40]}」不是可选项" for v in values if v not in allowed]
    if len(values) > MAX_PLACES:
        problems.append(f"{what}最多选{MAX_PLACES}个")
    return values, problems


def _one(
    form: Mapping[str, Sequence[str]], key: str, allowed: Sequence[str], what: str
) -> tuple[str, list[str]]:
    values = form.get(key, ())
    value = values[-1].strip() if values else ""
    if value not in allowed:
        return "", [f"{what}「{value[:40]}」不是可选项" if value else f"请选择{what}"]
    return value, []


def parse_form(form: Mapping[str, Sequence[str]], choices: Choices, *, paused: bool) -> Preferences:
    """The reader's choices from a posted form (every key a list of values, as a multi-dict
    gives them), each checked against ``choices``; :class:`FormError` names every value that
    is not one of them. ``paused`` is kept: pausing is its own button. ``monday_network`` is a
    checkbox: present (``on``) or absent."""
    problems: list[str] = []
    cities, bad = _many(form, "city", choices.city_names, "城市")
    problems += bad
    provinces, bad = _many(form, "province", set(choices.provinces), "省份")
    problems += bad
    themes, bad = _many(form, "theme", {t for t, _ in choices.themes}, "主题")
    problems += bad
    kinds, bad = _many(form, "kind", {k for k, _ in choices.kinds}, "类别")
    problems += bad
    if not kinds and not bad:
        problems.append("请至少选择一种类别")
    frequency, bad = _one(form, "frequency", [f for f, _ in choices.frequencies], "频率")
    problems += bad
    weekday, bad = _one(form, "weekday", [d for d, _ in choices.weekdays], "每周发送日")
    problems += bad
    script, bad = _one(form, "script", [s for s, _ in choices.scripts], "字体")
    problems += bad
    send_at = (form.get("send_at") or [""])[-1].strip()
    if not _TIME.fullmatch(send_at):
        problems.append(f"发送时间「{send_at[:40]}」应为 HH:MM（00:00–23:59）")
    network = [v.strip() for v in form.get("monday_network", ())]  # a checkbox: "on" or absent
    problems += [f"周一附上周网络「{v[:40]}」不是可选项" for v in network if v != "on"]
    if problems:
        raise FormError(problems)
    order = {k: i for i, (k, _) in enumerate(choices.kinds)}
    return Preferences(
        cities=cities,
        provinces=provinces,
        themes=themes,
        kinds=tuple(sorted(kinds, key=order.__getitem__)),
        frequency=frequency,
        weekday=weekday,
        send_at=send_at,
        script=script,
        paused=paused,
        monday_network=bool(network),
    )
