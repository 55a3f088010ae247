"""The modules of reader/ import one another without a circle, and the build stages lazily never."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.content import REPO

PACKAGE = REPO / "reader"


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def top_level_imports(path: Path) -> set[str]:
    """Name the reader modules a module imports when it is itself imported."""
    found = set()
    for node in ast.parse(path.read_text("utf-8")).body:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in MODULES else node.module)
    return {name for name in found if name in MODULES}


def cycle_from(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one import circle in `graph`, or None."""
    state: dict[str, str] = {}
    trail: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = "open"
        trail.append(name)
        for imported in sorted(graph[name]):
            if state.get(imported) == "open":
                return [*trail[trail.index(imported) :], imported]
            if imported not in state and (found := visit(imported)):
                return found
        state[name] = "done"
        trail.pop()
        return None

    for name in sorted(graph):
        if name not in state and (found := visit(name)):
            return found
    return None


def test_no_module_imports_itself_through_others():
    graph = {name: top_level_imports(path) - {name} for name, path in MODULES.items()}
    assert cycle_from(graph) is None, " -> ".join(cycle_from(graph))


def test_the_check_sees_a_circle():
    assert cycle_from({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_the_build_stages_import_each_other_at_the_top():
    stages = ["build", "freshness", "publish", "synthesise", "render", "download", "spoken_cache"]
    for stage in stages:
        source = (PACKAGE / "pipeline" / f"{stage}.py").read_text("utf-8")
        inner = [
            node
            for function in ast.walk(ast.parse(source))
            if isinstance(function, ast.FunctionDef)
            for node in ast.walk(function)
            if isinstance(node, ast.Import | ast.ImportFrom)
        ]
        assert not inner, f"reader/pipeline/{stage}.py imports inside a function"
