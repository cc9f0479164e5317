"""The arrows between the packages run one way, and no module imports itself in a circle.

``viz -> nn -> autograd`` and ``viz -> autograd``; inside autograd, ``check``, ``tape`` and
``testing`` stand on ``core``, which imports nothing but the standard library and itself. Every
import counts, also one inside a function (a lazy import is still a circle).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("autograd", "nn", "viz")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    return imports_in(
        path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py"
    )


def imports_in(source: str, name: str, is_package: bool) -> set[str]:
    """The modules ``source`` (module ``name``) imports, absolute, outside ``if TYPE_CHECKING:``."""
    package = name if is_package else name.rpartition(".")[0]
    tree = ast.parse(source)
    skipped = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for n in ast.walk(node)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            # ``from . import engine`` imports the module ``<target>.engine``
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def our_modules() -> dict[str, Path]:
    return {
        module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))
    }


MODULES = our_modules()
GRAPH = {
    name: {m for m in imports_of(p) if m in MODULES and m != name} for name, p in MODULES.items()
}


def top(module: str) -> str:
    return module.split(".")[0]


def test_core_imports_only_the_standard_library_and_itself():
    for name, path in MODULES.items():
        if not name.startswith("autograd.core"):
            continue
        for imported in imports_of(path):
            if top(imported) in sys.stdlib_module_names or imported == "__future__":
                continue
            assert imported.startswith("autograd.core"), f"{name} imports {imported}"


@pytest.mark.parametrize(
    ("area", "forbidden"),
    [
        ("autograd", ("nn", "viz")),
        ("nn", ("viz",)),
        ("autograd.core", ("autograd.check", "autograd.tape", "autograd.testing", "autograd.fast")),
        ("autograd.check", ("autograd.tape", "autograd.testing", "autograd.fast")),
        ("autograd.tape", ("autograd.check", "autograd.testing", "autograd.fast")),
        ("autograd.fast", ("autograd.check", "autograd.tape", "autograd.testing")),
    ],
)
def test_arrows_run_one_way(area, forbidden):
    for name, path in MODULES.items():
        if name == area or name.startswith(area + "."):
            bad = sorted(m for m in imports_of(path) if m.startswith(forbidden))
            assert not bad, f"{name} imports {bad}"


def test_no_module_imports_itself_in_a_circle():
    # ``from . import engine`` names the package too; a module's own packages are not its imports
    graph = {
        name: {m for m in targets if not name.startswith(m + ".")}
        for name, targets in GRAPH.items()
    }
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(start: str) -> None:
        stack = [(start, iter(sorted(graph[start])))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            for child in children:
                if state.get(child) == 1:
                    circle = [*path[path.index(child) :], child]
                    pytest.fail("import circle: " + " -> ".join(circle))
                if child not in state:
                    state[child] = 1
                    path.append(child)
                    stack.append((child, iter(sorted(graph[child]))))
                    break
            else:
                state[node] = 2
                path.pop()
                stack.pop()

    for name in sorted(graph):
        if name not in state:
            visit(name)


def test_an_import_inside_a_function_counts():
    # the old circle viz.dot <-> viz.collapse hid in a lazy import inside draw_dot
    source = "def draw():\n    from .collapse import draw_collapsed\n"
    assert "viz.collapse" in imports_in(source, "viz.dot", is_package=False)


def test_an_import_for_type_checking_only_does_not_count():
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from nn import MLP\n"
    assert "nn" not in imports_in(source, "autograd.core.value", is_package=False)
