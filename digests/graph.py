"""The visit graph: who visited whom, laid out on our side as plain SVG geometry.

Cities sit on a circle, grouped by province (each province an arc of one colour, its name
inside the arc); an arrow runs from visitor to host, thicker for more visits. A province named
as a visitor or host (山东省党政代表团) is its group, not a node beside its own cities: its arrows
meet its arc, or, when none of its cities is drawn, a ring in its place. The templates draw
the geometry (``templates/_visits.html``) with no script and no web font, and put the same data
in a table beneath. Past ``max_nodes`` cities the busiest are drawn and the table lists all.
"""

from __future__ import annotations

__all__ = [
    "GraphEdge",
    "GraphGroup",
    "GraphNode",
    "VisitGraph",
    "cities_by_province",
    "is_province",
    "province_of",
    "visit_graph",
]

import csv
import functools
import importlib.resources
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from digests.digest import VisitCount

PALETTE = (
    "#2f6db5",
    "#c0392b",
    "#1e8449",
    "#b9770e",
    "#7d3c98",
    "#138d90",
    "#a04000",
    "#5d6d7e",
    "#c2185b",
    "#2e7d32",
)
UNKNOWN_PROVINCE = "其他"


@functools.cache
def _gazetteer_rows() -> tuple[dict[str, str], ...]:
    """The city and province rows of the shipped gazetteer (none when it is missing)."""
    try:
        places = importlib.resources.files("crawler").joinpath("data/gazetteer/places.tsv")
        with places.open(encoding="utf-8") as fh:
            return tuple(
                row
                for row in csv.DictReader(fh, delimiter="\t")
                if row.get("level") in ("city", "province") and row.get("province")
            )
    except (FileNotFoundError, ModuleNotFoundError):
        return ()


@functools.cache
def _province_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for row in _gazetteer_rows():
        table.setdefault(row.get("short") or "", row["province"])
        if row.get("city"):
            table.setdefault(row["city"], row["province"])
    table.pop("", None)
    return table


@functools.cache
def cities_by_province() -> dict[str, tuple[str, ...]]:
    """Every province of the gazetteer with its cities' short names (a municipality such as
    北京 is its own only city), provinces and cities in gazetteer (code) order."""
    out: dict[str, list[str]] = {}
    for row in _gazetteer_rows():
        cities = out.setdefault(row["province"], [])
        city = row.get("city") or (row.get("short") if row["level"] == "city" else "")
        if city and city not in cities:
            cities.append(city)
    return {p: tuple(c) for p, c in out.items()}


def is_province(place: str) -> bool:
    """Whether ``place`` names a province (and not also a city, as 北京 does)."""
    table = cities_by_province()
    return place in table and place not in table[place]


def province_of(place: str) -> str:
    """The province of a city (or a province itself); ``其他`` when the gazetteer lacks it."""
    return _province_table().get(place, UNKNOWN_PROVINCE)


@dataclass(frozen=True, slots=True)
class GraphNode:
    name: str
    province: str
    x: float
    y: float
    r: float
    label_x: float
    label_y: float
    anchor: str  # start | end | middle
    color: str


@dataclass(frozen=True, slots=True)
class GraphEdge:
    visitor: str
    host: str
    count: int
    path: str  # SVG path data, ending short of the host's circle so the arrowhead shows
    width: float
    color: str


@dataclass(frozen=True, slots=True)
class GraphGroup:
    """A province: an arc over its cities, its name inside. When a visit names the province
    itself (a provincial delegation), the arrow meets the arc's middle (``anchor_x/y``); a
    province with no city in the picture is one slot on the circle, drawn as a ring."""

    province: str
    arc: str  # SVG path data of the province's arc ("" for a ring)
    label_x: float
    label_y: float
    color: str
    anchor_x: float = 0.0
    anchor_y: float = 0.0
    endpoint: bool = False  # a visit names the province itself
    label_anchor: str = "middle"


@dataclass(frozen=True, slots=True)
class VisitGraph:
    """Geometry for one SVG (``size`` x ``size`` viewBox) and the full table of visits."""

    size: int
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    groups: tuple[GraphGroup, ...]
    rows: tuple[VisitCount, ...]  # every visit, busiest first: the table beneath the picture
    omitted: int  # cities left out of the picture (still in the table)
    description: str  # a text summary for screen readers

    @property
    def empty(self) -> bool:
        return not self.rows


def _pt(cx: float, cy: float, r: float, angle: float) -> tuple[float, float]:
    return cx + r * math.cos(angle), cy + r * math.sin(angle)


def _f(value: float) -> str:
    return f"{value:.1f}"


def visit_graph(
    visits: Sequence[VisitCount], *, max_nodes: int = 32, size: int = 480
) -> VisitGraph:
    """Lay out ``visits`` (visitor -> host with counts) as a circle of cities by province; a
    province named as visitor or host is its group, not a node beside its own cities."""
    rows = tuple(sorted(visits, key=lambda v: (-v.count, v.visitor, v.host)))
    degree: Counter[str] = Counter()
    for v in rows:
        degree[v.visitor] += v.count
        degree[v.host] += v.count
    as_groups = {name for name in degree if is_province(name)}
    cities = sorted(
        (kv for kv in degree.items() if kv[0] not in as_groups), key=lambda kv: (-kv[1], kv[0])
    )
    kept = {name for name, _ in cities[:max_nodes]}
    omitted = len(cities) - len(kept)
    by_province: dict[str, list[str]] = {p: [] for p in as_groups}
    for name in kept:
        by_province.setdefault(province_of(name), []).append(name)

    def weight(province: str) -> int:
        return degree[province] + sum(degree[c] for c in by_province[province])

    provinces = sorted(by_province, key=lambda p: (-weight(p), p))
    colors = {p: PALETTE[i % len(PALETTE)] for i, p in enumerate(provinces)}
    center = size / 2
    radius = size * 0.31
    gap = 0.5  # slots of empty space between provinces
    slots = sum(max(1, len(by_province[p])) for p in provinces) + gap * len(provinces)
    step = 2 * math.pi / slots if slots else 0.0
    places: dict[str, tuple[float, float, float]] = {}  # name -> x, y, radius of its mark
    nodes: list[GraphNode] = []
    groups: list[GraphGroup] = []
    position = 0.0
    max_degree = max(degree.values(), default=1)
    for province in provinces:
        members = sorted(by_province[province], key=lambda c: (-degree[c], c))
        if not members:  # only the province itself: a ring in one slot
            angle = -math.pi / 2 + position * step
            x, y = _pt(center, center, radius, angle)
            lx, ly = _pt(center, center, radius + 16, angle)
            cos = math.cos(angle)
            anchor = "middle" if abs(cos) < 0.2 else ("start" if cos > 0 else "end")
            places[province] = (x, y, 7.0)
            groups.append(
                GraphGroup(province, "", lx, ly + 5, colors[province], x, y, True, anchor)
            )
            position += 1 + gap
            continue
        first = position
        for city in members:
            angle = -math.pi / 2 + position * step
            x, y = _pt(center, center, radius, angle)
            lx, ly = _pt(center, center, radius + 16, angle)
            cos = math.cos(angle)
            anchor = "middle" if abs(cos) < 0.2 else ("start" if cos > 0 else "end")
            r = 4 + 5 * math.sqrt(degree[city] / max_degree)
            nodes.append(GraphNode(city, province, x, y, r, lx, ly + 5, anchor, colors[province]))
            places[city] = (x, y, r)
            position += 1
        last = position - 1
        a0 = -math.pi / 2 + (first - 0.35) * step
        a1 = -math.pi / 2 + (last + 0.35) * step
        arc_r = radius - 12
        x0, y0 = _pt(center, center, arc_r, a0)
        x1, y1 = _pt(center, center, arc_r, a1)
        large = 1 if (a1 - a0) > math.pi else 0
        arc = f"M{_f(x0)},{_f(y0)} A{_f(arc_r)},{_f(arc_r)} 0 {large} 1 {_f(x1)},{_f(y1)}"
        mid = (a0 + a1) / 2
        gx, gy = _pt(center, center, radius - 32, mid)
        ax, ay = _pt(center, center, arc_r, mid)
        endpoint = province in as_groups
        if endpoint:
            places[province] = (ax, ay, 3.0)
        groups.append(GraphGroup(province, arc, gx, gy + 5, colors[province], ax, ay, endpoint))
        position += gap
    max_count = max((v.count for v in rows), default=1)
    edges: list[GraphEdge] = []
    for v in rows:
        if v.visitor not in places or v.host not in places:
            continue
        x0, y0, _ = places[v.visitor]
        x1, y1, host_r = places[v.host]
        # Bend towards the centre so that A->B and B->A do not overlap.
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        nx, ny = -(y1 - y0), x1 - x0
        length = math.hypot(nx, ny) or 1.0
        bend = 0.18 * math.hypot(x1 - x0, y1 - y0)
        cx, cy = mx + nx / length * bend, my + ny / length * bend
        # Stop short of the host's circle.
        dx, dy = x1 - cx, y1 - cy
        dist = math.hypot(dx, dy) or 1.0
        back = host_r + 3
        ex, ey = x1 - dx / dist * back, y1 - dy / dist * back
        width = 1.5 + 5.5 * (math.log1p(v.count) / math.log1p(max_count) if max_count > 1 else 0)
        edges.append(
            GraphEdge(
                v.visitor,
                v.host,
                v.count,
                f"M{_f(x0)},{_f(y0)} Q{_f(cx)},{_f(cy)} {_f(ex)},{_f(ey)}",
                round(width, 1),
                colors[v.visitor if v.visitor in as_groups else province_of(v.visitor)],
            )
        )
    edges.reverse()  # thin edges first, thick ones drawn on top
    described = "；".join(f"{v.visitor}→{v.host} {v.count}次" for v in rows[:20])
    more = f"；另有{len(rows) - 20}条" if len(rows) > 20 else ""
    return VisitGraph(
        size,
        tuple(nodes),
        tuple(edges),
        tuple(groups),
        rows,
        omitted,
        f"城市考察交流图：{described}{more}" if rows else "本期没有考察交流",
    )
