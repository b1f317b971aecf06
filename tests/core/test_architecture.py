"""The package layering of docs/ARCHITECTURE.md, computed from the source.

Every `import` and `from ... import` in the portal's packages (migrations and
tests aside) is read with `ast`, imports inside functions included, and the
graph between top-level packages is checked: no cycle, and each package imports
only the layers below it (plus the one sanctioned sideways edge, operations ->
intel: an operation's results cite seizure records).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Layer of each top-level package: a package may import packages of lower layers only.
LAYERS = {
    "core": 0,
    "members": 1,
    "intel": 2,
    "operations": 2,
    "donors": 2,
    "reports": 3,
    "notifications": 3,
    "sync": 3,
    "caricc_portal": 4,  # configuration: settings, urls, the Celery app
}
SIDEWAYS = {("operations", "intel")}


def _packages() -> list[str]:
    return sorted(p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name not in {"tests"})


def _imports_of(package: str) -> dict[str, set[str]]:
    """{imported top-level package: {file that imports it}} for one package."""
    found: dict[str, set[str]] = {}
    names = set(_packages())
    for path in (ROOT / package).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in names and top != package:
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def _graph() -> dict[str, dict[str, set[str]]]:
    return {package: _imports_of(package) for package in _packages()}


def test_every_package_has_a_layer():
    assert set(_packages()) <= set(LAYERS), f"give these packages a layer: {set(_packages()) - set(LAYERS)}"


def test_no_import_cycle_between_packages():
    graph = {package: set(edges) for package, edges in _graph().items()}
    visiting: list[str] = []
    done: set[str] = set()

    def visit(node: str) -> None:
        if node in done:
            return
        assert node not in visiting, f"import cycle: {' -> '.join([*visiting[visiting.index(node) :], node])}"
        visiting.append(node)
        for target in graph.get(node, ()):
            visit(target)
        visiting.pop()
        done.add(node)

    for package in graph:
        visit(package)


def test_imports_flow_down_the_layers():
    wrong = []
    for package, edges in _graph().items():
        for target, files in edges.items():
            if LAYERS[target] < LAYERS[package] or (package, target) in SIDEWAYS:
                continue
            wrong.append(f"{package} -> {target} ({', '.join(sorted(files))})")
    assert not wrong, "imports against the layering:\n" + "\n".join(wrong)


def test_the_foundation_imports_no_app_of_the_portal():
    assert _imports_of("core") == {}
