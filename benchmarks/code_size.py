"""Print the size of reader/ at git revisions side by side: lines, and imports inside functions.

Run: python benchmarks/code_size.py [REV ...]   (default: b44a031 HEAD)

Each revision is read with `git show`, so nothing is checked out. Per revision:
- .py files and their lines, and the lines that are neither blank nor only a comment;
- imports inside a function (an `import` at any depth inside a def), and imports not at a
  module's top level (those plus the ones under a module-level `if` or `try`).
"""

from __future__ import annotations

import argparse
import ast
import io
import subprocess
import tokenize
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SKIPPED = {tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}


@dataclass
class Size:
    """What one revision's reader/ holds."""

    files: int = 0
    lines: int = 0
    code: int = 0
    in_functions: int = 0
    not_at_top: int = 0


def git(*args: str) -> bytes:
    """Return the output of a git command in this repository."""
    return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, check=True).stdout


def code_lines(text: str) -> int:
    """Count the lines holding something other than blanks and comments."""
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type != tokenize.COMMENT and token.type not in SKIPPED:
            lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines)


def imports(tree: ast.Module) -> tuple[int, int]:
    """Count the imports inside functions, and those not directly in the module's body."""
    inside = 0

    def walk(node: ast.AST, in_function: bool) -> None:
        nonlocal inside
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom) and in_function:
                inside += 1
            walk(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    walk(tree, False)
    top = {id(node) for node in tree.body}
    every = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
    return inside, sum(id(node) not in top for node in every)


def size(rev: str) -> Size:
    """Measure reader/ at `rev`."""
    found = Size()
    for name in git("ls-tree", "-r", "--name-only", rev, "reader/").decode().split():
        if not name.endswith(".py"):
            continue
        text = git("show", f"{rev}:{name}").decode()
        found.files += 1
        found.lines += text.count("\n")
        found.code += code_lines(text)
        inside, not_at_top = imports(ast.parse(text))
        found.in_functions += inside
        found.not_at_top += not_at_top
    return found


def main() -> None:
    """Print each revision's figures in a column of its own."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revs", nargs="*", default=["b44a031", "HEAD"])
    revs = parser.parse_args().revs
    sizes = [size(rev) for rev in revs]
    rows = [
        (".py files", "files"),
        (".py lines", "lines"),
        ("  neither blank nor comment", "code"),
        ("imports inside functions", "in_functions"),
        ("imports not at top level", "not_at_top"),
    ]
    print(f"{'reader/':30}" + "".join(f"{rev:>12}" for rev in revs))
    for label, field in rows:
        print(f"{label:30}" + "".join(f"{getattr(s, field):>12,}" for s in sizes))


if __name__ == "__main__":
    main()
