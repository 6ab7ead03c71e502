"""The floor plan, held against every import in the code (module level, in functions, and under
``TYPE_CHECKING`` alike)::

    crawler/app  ──▶  crawl stages (crawler/fetch, extract, tag, dedup, store, discover,
        │              pipeline, pool, warc, analyze …)  ──▶  crawler/base
        └──────────▶  digests  ──────────────────────────────▶  crawler/base

- ``crawler.base`` imports nothing of citydigest but itself;
- ``digests`` imports only ``crawler.base`` (and itself);
- a crawl stage never imports ``crawler.app`` or ``digests``;
- ``crawler.app`` may import anything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every citydigest module ``path`` imports, resolved to its dotted name."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = (
        _module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else (_module_name(path))
    )
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return {m for m in found if m.split(".")[0] in ("crawler", "digests")}


def _layer(module: str) -> str:
    if module in ("crawler", "crawler.base") or module.startswith("crawler.base."):
        return "base"
    if module == "crawler.app" or module.startswith("crawler.app."):
        return "app"
    if module.split(".")[0] == "digests":
        return "digests"
    return "stage"


ALLOWED = {
    "base": {"base"},
    "stage": {"base", "stage"},
    "digests": {"base", "digests"},
    "app": {"base", "stage", "digests", "app"},
}
SOURCES = sorted(
    p
    for package in ("crawler", "digests")
    for p in (ROOT / package).rglob("*.py")
    if "migrations" not in p.parts and "data" not in p.parts
)


def _known(module: str) -> bool:
    """Whether ``module`` is a module or package of the tree (``from x import name`` also
    yields ``x.name``, which may be a function rather than a module)."""
    path = ROOT / Path(*module.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_follow_the_floor_plan(path: Path) -> None:
    layer = _layer(_module_name(path))
    wrong = sorted(m for m in _imports(path) if _known(m) and _layer(m) not in ALLOWED[layer])
    assert not wrong, f"{layer} module {_module_name(path)} imports {wrong}"


def test_the_rule_test_sees_a_breach(tmp_path: Path) -> None:
    """The check above is not vacuous: a stage importing the app shell is caught."""
    assert _layer("crawler.pipeline") == "stage"
    assert "app" not in ALLOWED["stage"]
    assert "stage" not in ALLOWED["digests"] and "digests" not in ALLOWED["base"]
    sample = ROOT / "crawler" / "pipeline.py"
    assert "crawler.base.config" in _imports(sample)
    assert _known("crawler.app.cli") and _known("crawler.fetch") and not _known("crawler.nope")
