"""Every third-party module the code imports is declared in pyproject.toml."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from tests.support.content import REPO

PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
WAGTAIL_DIR = REPO / "integrations" / "wagtail"
WAGTAIL = tomllib.loads((WAGTAIL_DIR / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def imported_top_level(folder: str, local: frozenset[str] = frozenset()) -> set[str]:
    """Return the top-level names that the Python files under `folder` import, but `local`."""
    names, files = set(), list((REPO / folder).rglob("*.py"))
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    # A script imports a module beside it by its bare name (benchmarks/common.py).
    beside = {path.stem for path in files if path.parent == REPO / folder}
    ours = {"reader", "tests", "benchmarks", *local}
    return names - set(sys.stdlib_module_names) - ours - beside


def declared(requirements: list[str]) -> set[str]:
    """Return the normalised distribution names of requirement strings."""
    return {normalise(re.match(r"[A-Za-z0-9._-]+", r).group()) for r in requirements}


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def undeclared(
    folder: str, requirements: list[str], local: frozenset[str] = frozenset()
) -> list[str]:
    """List what `folder` imports from distributions that `requirements` do not name."""
    distributions = packages_distributions()
    names = declared(requirements)
    return sorted(
        module
        for module in imported_top_level(folder, local)
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
    # bench_wagtail.py drives the Wagtail integration's test site with that package and what
    # it declares, which ./scripts/test installs beside the test extra.
    wagtail = [WAGTAIL["name"], *WAGTAIL["dependencies"]]
    site = frozenset({"testsite"})
    assert undeclared("benchmarks", everything + extras["bench"] + wagtail, site) == []


def test_the_wagtail_integration_declares_what_it_imports():
    package = frozenset({"voice_reader_wagtail"})
    assert (
        undeclared("integrations/wagtail/voice_reader_wagtail", WAGTAIL["dependencies"], package)
        == []
    )
    # Its tests run with voice-reader's test extra, as ./scripts/test installs both.
    everything = PROJECT["dependencies"] + PROJECT["optional-dependencies"]["test"]
    requirements = [*everything, WAGTAIL["name"], *WAGTAIL["dependencies"]]
    assert undeclared("integrations/wagtail/tests", requirements, frozenset({"testsite"})) == []


def test_the_check_sees_an_undeclared_import():
    assert "click" in imported_top_level("reader")
    natural = PROJECT["optional-dependencies"]["natural"]
    without_click = [r for r in PROJECT["dependencies"] if "click" not in r]
    assert undeclared("reader", without_click + natural) == ["click"]
