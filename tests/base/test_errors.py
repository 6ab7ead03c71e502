"""The exception tree drawn at the top of crawler/base/errors.py is the tree the code has, and
every error citydigest raises on purpose is defined there."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from crawler.base import errors

ROOT = Path(__file__).resolve().parents[2]


def _drawn_tree() -> dict[str, str | None]:
    """Each class of the docstring's drawing (the block after ``::``) and its drawn parent: the
    nearest class above it that is drawn further left."""
    assert errors.__doc__ is not None
    block = errors.__doc__.split("::", 1)[1].strip("\n").split("\n\n", 1)[0]
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for line in block.splitlines():
        name = re.search(r"[A-Z]\w+", line)
        assert name, line
        depth = name.start()
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[name.group()] = stack[-1][1] if stack else None
        stack.append((depth, name.group()))
    return parents


def test_the_drawing_is_the_class_tree() -> None:
    drawn = _drawn_tree()
    assert drawn["CitydigestError"] is None and len(drawn) > 20
    real = {
        name: cls.__mro__[1].__name__ if name != "CitydigestError" else None
        for name, cls in vars(errors).items()
        if isinstance(cls, type) and issubclass(cls, errors.CitydigestError)
    }
    assert drawn == real


def test_every_error_is_exported() -> None:
    classes = {
        name
        for name, cls in vars(errors).items()
        if isinstance(cls, type) and issubclass(cls, errors.CitydigestError)
    }
    assert classes <= set(errors.__all__)


@pytest.mark.parametrize("package", ["crawler", "digests"])
def test_no_error_class_is_defined_elsewhere(package: str) -> None:
    names = set(errors.__all__) - {"ConfigProblem"}
    for path in (ROOT / package).rglob("*.py"):
        if path.name == "errors.py" or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
                assert not bases & names, (
                    f"{path.relative_to(ROOT)}: {node.name} belongs in errors.py"
                )
