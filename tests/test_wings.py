"""Which wing of reader/ may import which, and no import circles: read from the source.

Every import counts, at the top of a module or inside a function, so a lazy import can hide
neither a circle nor a sideways step.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "reader"
WINGS = {"web", "admin", "pipeline", "commands"}
"""The packages under reader/: the public site, the staff side, the build, the command line."""
TOP = {"reader", "__main__", "cli", "app"}
"""Above every wing: the package, the command line's entry, and the app factory."""
SHARED = {
    "config",
    "content",
    "document_voice",
    "errors",
    "files",
    "layout",
    "listening_store",
    "manifest",
    "model",
    "moves",
    "names",
    "published_index",
    "source_url",
    "sqlite_tx",
}
"""The other modules at the top, settings among them: every wing may use them; they use none."""
BUILD_STAGES = ["build", "freshness", "publish", "synthesise", "render", "download", "spoken_cache"]
"""The modules of reader/pipeline/ that a build runs through, in which no import waits."""


def module_name(path: Path) -> str:
    """Return the dotted name of the module at `path`."""
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_in(source: str, package: str, known) -> set[str]:
    """Return the reader modules that `source` (a module of `package`) imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(source)):
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
                found.add(sub if sub in known else base)
    return {m for m in found if m == "reader" or m.startswith("reader.")}


def imports(name: str) -> set[str]:
    """Return the reader modules that module `name` imports, itself left out."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    return imports_in(path.read_text(encoding="utf-8"), package, MODULES) - {name}


def wing(name: str) -> str:
    """Return a module's wing (web, admin, pipeline, commands), or its own name at the top."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "reader"


def offences(rule) -> list[str]:
    """List every import for which `rule(importer, imported)` is true."""
    return [f"{m} imports {i}" for m in MODULES for i in sorted(imports(m)) if rule(m, i)]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the import circles in `graph` (each found once, from its first module)."""
    found, done = [], set()

    def visit(module: str, path: list[str]) -> None:
        for target in sorted(graph[module]):
            if target in path:
                found.append([*path[path.index(target) :], target])
            elif target not in done:
                visit(target, [*path, target])
        done.add(module)

    for module in sorted(graph):
        if module not in done:
            visit(module, [module])
    return found


def test_every_module_at_the_top_is_named_here_and_every_name_is_a_module():
    at_the_top = {wing(m) for m in MODULES}
    assert at_the_top == WINGS | TOP | SHARED
    stages = {f"reader.pipeline.{stage}" for stage in BUILD_STAGES}
    assert stages <= set(MODULES)


def test_the_check_sees_an_import_inside_a_function():
    source = "def build():\n    from reader.pipeline import render\n"
    assert imports_in(source, "reader.web", {"reader.pipeline.render"}) == {
        "reader.pipeline.render"
    }


def strays(name: str, allowed: frozenset[str] = frozenset()) -> list[str]:
    """List the imports of wing `name` beyond itself, the shared modules and `allowed`."""
    return offences(lambda m, i: wing(m) == name and wing(i) not in SHARED | allowed | {name})


def test_the_web_wing_imports_no_other_wing_and_not_the_app_above_it():
    assert strays("web") == []


def test_the_pipeline_imports_no_other_wing_and_not_the_app_above_it():
    assert strays("pipeline") == []


def test_the_staff_side_imports_the_pipeline_at_most():
    assert strays("admin", frozenset({"pipeline"})) == []


def test_the_shared_modules_and_the_settings_import_no_wing():
    assert offences(lambda m, i: wing(m) in SHARED and wing(i) not in SHARED) == []


def test_the_app_factory_sits_above_both_wings_and_both_read_the_settings_directly():
    assert {"reader.admin.setup", "reader.config", "reader.web.views"} <= imports("reader.app")
    assert "reader.config" in imports("reader.web.security")


def test_the_check_sees_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c", "a"]]


def test_no_import_circles_anywhere_in_reader():
    assert cycles({m: imports(m) for m in MODULES}) == []


def test_the_queue_does_not_import_the_work_it_queues():
    assert "reader.admin.work" not in imports("reader.admin.queue")
    assert {i for i in imports("reader.admin.queue") if wing(i) == "pipeline"} == set()


def test_the_build_stages_import_each_other_at_the_top():
    for stage in BUILD_STAGES:
        tree = ast.parse((PACKAGE / "pipeline" / f"{stage}.py").read_text("utf-8"))
        inner = [
            node
            for function in ast.walk(tree)
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
            for node in ast.walk(function)
            if isinstance(node, ast.Import | ast.ImportFrom)
        ]
        assert not inner, f"reader/pipeline/{stage}.py imports inside a function"
