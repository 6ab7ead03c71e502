"""The architecture: digests/ reads the base only, and its modules import no cycle."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import digests

PACKAGE = Path(digests.__file__).parent
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")


def _is_base(module: str) -> bool:
    return module in ("crawler", "crawler.base") or module.startswith("crawler.base.")


def test_importing_digests_loads_no_crawling_stage() -> None:
    code = (
        "import importlib, json, sys\n"
        "import digests\n"
        f"for name in {MODULES!r}: importlib.import_module('digests.' + name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('crawler'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PACKAGE.parent
    )
    loaded = set(json.loads(out.stdout))
    assert "crawler.base.config" in loaded  # the test does see crawler modules
    assert all(_is_base(m) for m in loaded), sorted(m for m in loaded if not _is_base(m))


def test_digest_modules_import_no_cycle_and_declare_all() -> None:
    graph: dict[str, set[str]] = {}
    for name in MODULES:
        tree = ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))
        deps: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module.startswith("digests."):
                    deps.add(node.module.split(".")[1])
                elif node.module == "digests":
                    deps.update(a.name for a in node.names)
                assert not node.module.startswith("crawler") or _is_base(node.module), (
                    name,
                    node.module,
                )
        graph[name] = deps & set(MODULES)
        assert any(
            isinstance(n, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in n.targets)
            for n in tree.body
        ), f"digests/{name}.py declares no __all__"

    def visit(node: str, path: tuple[str, ...]) -> None:
        assert node not in path, f"import cycle: {' -> '.join((*path, node))}"
        for dep in graph[node]:
            visit(dep, (*path, node))

    for name in MODULES:
        visit(name, ())


def test_package_exports() -> None:
    assert sorted(digests.__all__) == [
        "BuildReport",
        "InvalidToken",
        "SendReport",
        "SubscriberResult",
        "build_digests",
        "make_token",
        "send_digests",
        "verify_token",
    ]
    for name in digests.__all__:
        assert getattr(digests, name) is not None
