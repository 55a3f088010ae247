"""Test which wing may import which, read from the source (every import, even in a function)."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "reader"
SHARED = {"config", "content", "errors", "files", "layout", "locks", "manifest", "model"}
"""The modules at the top that every wing uses: they import no wing."""


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str) -> set[str]:
    """Return the reader modules that module `name` imports, anywhere in its body."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            for alias in node.names:
                # `from reader import manifest` imports a module; `from x import name` only x.
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in MODULES else base)
    return {m for m in found if m == "reader" or m.startswith("reader.")}


def wing(name: str) -> str:
    """Return a module's wing: web, admin, pipeline, or its own name at the top."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "reader"


def offences(rule) -> list[str]:
    return [f"{m} imports {i}" for m in MODULES for i in sorted(imports(m)) if rule(m, i)]


def test_the_web_wing_never_imports_the_pipeline_or_the_staff_side():
    assert offences(lambda m, i: wing(m) == "web" and wing(i) in ("pipeline", "admin")) == []


def test_the_pipeline_imports_neither_the_web_nor_the_staff_side():
    forbidden = {"web", "admin", "app", "cli", "entry", "build_command"}
    assert offences(lambda m, i: wing(m) == "pipeline" and wing(i) in forbidden) == []


def test_the_staff_side_never_imports_the_web_wing():
    assert offences(lambda m, i: wing(m) == "admin" and wing(i) in ("web", "app")) == []


def test_the_shared_modules_import_no_wing():
    wings = {"web", "admin", "pipeline", "app", "cli"}
    assert offences(lambda m, i: wing(m) in SHARED and wing(i) in wings) == []


def test_the_app_factory_and_settings_sit_above_both_wings():
    assert {"reader.admin", "reader.config", "reader.web.views"} <= imports("reader.app")
    assert "reader.config" in imports("reader.web.security")


def cycles(names: set[str]) -> list[list[str]]:
    """Return the import circles among `names` (each found once, from its first module)."""
    graph = {m: sorted(imports(m) & names) for m in names}
    found, done = [], set()

    def visit(module: str, path: list[str]) -> None:
        for target in graph[module]:
            if target in path:
                found.append([*path[path.index(target) :], target])
            elif target not in done:
                visit(target, [*path, target])
        done.add(module)

    for module in sorted(names):
        if module not in done:
            visit(module, [module])
    return found


def test_no_import_circles_outside_the_pipeline():
    # The pipeline's own (render and synthesise) is issue 19's build-stages work.
    names = {m for m in MODULES if wing(m) != "pipeline"}
    assert cycles(names) == []


def test_the_queue_does_not_import_the_work_it_queues():
    assert "reader.admin.work" not in imports("reader.admin.queue")
    assert {i for i in imports("reader.admin.queue") if wing(i) == "pipeline"} == set()
