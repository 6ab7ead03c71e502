"""The visit graph: geometry that reflects the data, provinces grouped."""

from __future__ import annotations

import math
import re

from digests.digest import VisitCount
from digests.graph import province_of, visit_graph


def test_provinces_of_cities() -> None:
    assert province_of("青岛") == "山东" and province_of("深圳") == "广东"
    assert province_of("北京") == "北京" and province_of("山东") == "山东"
    assert province_of("不存在的地方") == "其他"


def test_layout_groups_provinces_and_widths_follow_counts() -> None:
    visits = [
        VisitCount("青岛", "深圳", 5),
        VisitCount("济南", "广州", 1),
        VisitCount("烟台", "深圳", 2),
        VisitCount("成都", "青岛", 1),
    ]
    graph = visit_graph(visits)
    assert {n.name for n in graph.nodes} == {"青岛", "深圳", "济南", "广州", "烟台", "成都"}
    # Cities of one province are neighbours on the circle.
    order = [n.province for n in graph.nodes]
    assert order == sorted(order, key=order.index)
    assert [g.province for g in graph.groups] == ["山东", "广东", "四川"]
    width = {(e.visitor, e.host): e.width for e in graph.edges}
    assert width[("青岛", "深圳")] > width[("烟台", "深圳")] > width[("济南", "广州")]
    # Every node is inside the view box, and every edge starts at its visitor.
    for n in graph.nodes:
        assert 0 < n.x < graph.size and 0 < n.y < graph.size
    qd = next(n for n in graph.nodes if n.name == "青岛")
    edge = next(e for e in graph.edges if e.visitor == "青岛")
    x, y = map(float, re.match(r"M([\d.]+),([\d.]+)", edge.path).groups())  # type: ignore[union-attr]
    assert math.isclose(x, qd.x, abs_tol=0.1) and math.isclose(y, qd.y, abs_tol=0.1)
    assert [r.count for r in graph.rows] == [5, 2, 1, 1]
    assert "青岛→深圳 5次" in graph.description


def test_large_graphs_keep_the_busiest_and_the_table_keeps_all() -> None:
    cities = ["青岛", "济南", "烟台", "潍坊", "淄博", "深圳", "广州", "珠海", "成都", "西安"]
    visits = [
        VisitCount(a, b, 1 + (i + j) % 3)
        for i, a in enumerate(cities)
        for j, b in enumerate(cities)
        if a != b
    ]
    graph = visit_graph(visits, max_nodes=6)
    assert len(graph.nodes) == 6 and graph.omitted == 4
    assert len(graph.rows) == 90
    assert visit_graph([]).empty
