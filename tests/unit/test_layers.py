"""The layers point down: no import cycle in burnin/ and fixtures/ (imports inside functions
included), the leaves import nothing above them, and each layer only what lies below it.

From the bottom: errors and schedule (leaves) < config, series, hostfiles, bands, catalogue ...
< probes < criteria < gathering, decision, report, doctor, watch < fixtures (pytest glue)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def modules() -> dict[str, Path]:
    found = {}
    for base in ("burnin", "fixtures"):
        for path in (ROOT / base).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Every module of ours that `name` imports, at the top or inside a function. `from pkg
    import mod` depends on pkg.mod (its package is being imported already, by Python's rules)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in known)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            for alias in node.names:
                if f"{base}.{alias.name}" in known:
                    found.add(f"{base}.{alias.name}")
                elif base in known:
                    found.add(base)
    found.discard(name)
    return found


GRAPH = {name: imports_of(name, path, set(modules())) for name, path in modules().items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_there_is_no_import_cycle():
    assert cycles(GRAPH) == []


def test_the_cycle_finder_finds_one():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_an_import_inside_a_function_counts(tmp_path):
    lazy = tmp_path / "lazy.py"
    lazy.write_text("def f():\n    from burnin.report import html\n")
    assert imports_of("burnin.lazy", lazy, {"burnin.report", "burnin.report.html"}) == {
        "burnin.report.html"
    }


LEAVES = ("burnin.errors", "burnin.schedule")


@pytest.mark.parametrize("leaf", LEAVES)
def test_the_leaves_import_nothing_above_them(leaf):
    assert GRAPH[leaf] <= set(LEAVES), GRAPH[leaf]


# What a layer may not import: the packages above it.
ABOVE = {
    "burnin.config": ("burnin.probes", "burnin.criteria", "burnin.report", "burnin.gather"),
    "burnin.series": ("burnin.probes", "burnin.criteria", "burnin.report"),
    "burnin.hostfiles": ("burnin.probes", "burnin.criteria", "burnin.report"),
    "burnin.probes": ("burnin.criteria", "burnin.report", "burnin.gather", "burnin.doctor"),
    "burnin.criteria": ("burnin.report", "burnin.gather", "burnin.doctor", "burnin.watch"),
    "burnin": ("fixtures",),
}


@pytest.mark.parametrize("layer", sorted(ABOVE))
def test_each_layer_imports_only_what_lies_below_it(layer):
    wrong = {
        f"{name} -> {other}"
        for name, imported in GRAPH.items()
        if name == layer or name.startswith(layer + ".")
        for other in imported
        if any(other == up or other.startswith(up + ".") for up in ABOVE[layer])
    }
    assert not wrong, sorted(wrong)
