"""Every third-party module the code imports is declared in pyproject.toml."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from tests.support.content import REPO

PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def imported_top_level(folder: str) -> set[str]:
    """Return the top-level names that the Python files under `folder` import."""
    names, files = set(), list((REPO / folder).rglob("*.py"))
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    # A script imports a module beside it by its bare name (benchmarks/common.py).
    beside = {path.stem for path in files if path.parent == REPO / folder}
    return names - set(sys.stdlib_module_names) - {"reader", "tests", "benchmarks"} - beside


def declared(requirements: list[str]) -> set[str]:
    """Return the normalised distribution names of requirement strings."""
    return {normalise(re.match(r"[A-Za-z0-9._-]+", r).group()) for r in requirements}


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def undeclared(folder: str, requirements: list[str]) -> list[str]:
    """List what `folder` imports from distributions that `requirements` do not name."""
    distributions = packages_distributions()
    names = declared(requirements)
    return sorted(
        module
        for module in imported_top_level(folder)
        if not {normalise(d) for d in distributions.get(module, [module])} & names
    )


def test_the_package_declares_what_it_imports():
    # The natural voice's modules import what its optional extra installs.
    natural = PROJECT["optional-dependencies"]["natural"]
    assert undeclared("reader", PROJECT["dependencies"] + natural) == []


def test_the_tests_and_benchmarks_declare_what_they_import():
    extras = PROJECT["optional-dependencies"]
    everything = PROJECT["dependencies"] + extras["test"] + extras["natural"]
    assert undeclared("tests", everything) == []
    assert undeclared("benchmarks", everything + extras["bench"]) == []


def test_the_check_sees_an_undeclared_import():
    assert "click" in imported_top_level("reader")
    natural = PROJECT["optional-dependencies"]["natural"]
    without_click = [r for r in PROJECT["dependencies"] if "click" not in r]
    assert undeclared("reader", without_click + natural) == ["click"]
