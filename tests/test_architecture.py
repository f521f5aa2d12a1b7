"""The shape of the code: no import cycles between modules, and no import inside a function
unless it keeps a library out of a module's import.

The layers between packages are import-linter contracts (``[tool.importlinter]`` in
pyproject.toml, run by ``lint-imports`` in ./dev check and ./dev test). These tests read the
source with ``ast`` and check what import-linter does not: cycles between single modules, and
why an import sits inside a function. A lazy import is allowed when the module it imports pulls
in a third-party library when imported (pandas, SQLAlchemy, tornado, ...), or when importing it
at the top would make ``import labtrack`` load a module it does not load today, or when a
``# lazy: <reason>`` comment on the line (or the line above) says why (import time measured,
say).
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "labtrack"
STDLIB = set(sys.stdlib_module_names) | {"__future__"}


@dataclass
class Module:
    name: str
    path: Path
    top: set[str] = field(default_factory=set)  # imported by the module's own import lines
    parents: set[str] = field(default_factory=set)  # its packages, imported before it
    lazy: list[tuple[int, str]] = field(default_factory=list)  # (line, labtrack module)
    explained: set[int] = field(default_factory=set)  # lines of lazy imports marked "# lazy: why"


def _module_name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _explained(lines: list[str], first: int, last: int) -> bool:
    """A ``# lazy: why`` comment on the import's last line, or in the comment and import lines
    right above it (one comment may explain a block of imports)."""
    if "# lazy:" in lines[last - 1]:
        return True
    index = first - 2
    while index >= 0 and lines[index].strip().startswith(("#", "from ", "import ")):
        if lines[index].strip().startswith("# lazy:"):
            return True
        index -= 1
    return False


def read_modules(src: Path = SRC) -> dict[str, Module]:
    """Every module under ``src`` with its module-level and in-function imports."""
    paths = [p for p in src.rglob("*.py") if "labextension" not in p.parts]
    modules = {_module_name(p, src): Module(_module_name(p, src), p) for p in paths}

    def owner(name: str) -> str:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name

    for module in modules.values():
        text = module.path.read_text()
        lines = text.splitlines()
        tree = ast.parse(text)

        def visit(
            node: ast.AST, in_function: bool, module: Module = module, lines: list[str] = lines
        ) -> None:
            for child in ast.iter_child_nodes(node):
                if _is_type_checking(child):
                    continue  # annotations only: never imported at run time
                if isinstance(child, ast.Import):
                    names = [alias.name for alias in child.names]
                elif isinstance(child, ast.ImportFrom) and not child.level:
                    base = child.module or ""
                    names = (
                        [f"{base}.{alias.name}" for alias in child.names]
                        if base.startswith("labtrack")
                        else [base]
                    )
                else:
                    names = []
                for name in names:
                    ours = name == "labtrack" or name.startswith("labtrack.")
                    target = owner(name) if ours else name.split(".")[0]
                    if in_function and ours:
                        module.lazy.append((child.lineno, target))
                        if _explained(lines, child.lineno, child.end_lineno or child.lineno):
                            module.explained.add(child.lineno)
                    elif not in_function:
                        module.top.add(target)
                nested = isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                visit(child, in_function or nested)

        visit(tree, False)
    for module in modules.values():  # importing a.b.c imports its packages a.b and a first
        parts = module.name.split(".")
        module.parents = {".".join(parts[:i]) for i in range(2, len(parts))}
        module.top.discard(module.name)
    return modules


def third_party(modules: dict[str, Module]) -> dict[str, frozenset[str]]:
    """For each module, the third-party libraries its import loads (empty: only the stdlib)."""
    found: dict[str, frozenset[str]] = {}
    for name in modules:
        libraries: set[str] = set()
        for loaded in loaded_by(modules, name):
            libraries |= {
                dep
                for dep in modules[loaded].top
                if dep not in modules and dep not in STDLIB and not dep.startswith("labtrack")
            }
        found[name] = frozenset(libraries)
    return found


def loaded_by(modules: dict[str, Module], start: str) -> set[str]:
    """The labtrack modules ``import start`` loads."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen or name not in modules:
            continue
        seen.add(name)
        todo += modules[name].top | modules[name].parents
    return seen


def cycles(modules: dict[str, Module]) -> list[list[str]]:
    """Strongly connected groups of modules through their import lines, in functions too
    (Tarjan): an import inside a function does not make a cycle go away.

    A package's ``__init__`` importing its own modules is not a cycle: those modules import the
    package first, but not through an import line of theirs.
    """
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def connect(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        for dep in modules[name].top | {target for _, target in modules[name].lazy}:
            if dep not in modules or dep == "labtrack" or dep == name:
                continue
            if dep not in index:
                connect(dep)
                low[name] = min(low[name], low[dep])
            elif dep in stack:
                low[name] = min(low[name], index[dep])
        if low[name] == index[name]:
            group = []
            while True:
                item = stack.pop()
                group.append(item)
                if item == name:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for name in sorted(modules):
        if name not in index:
            connect(name)
    return found


def needless_lazy_imports(modules: dict[str, Module]) -> list[str]:
    heavy = third_party(modules)
    face = loaded_by(modules, "labtrack")
    found = []
    for module in modules.values():
        if module.name == "labtrack":
            continue  # the package face loads its heavy names on first use, on purpose
        for line, target in module.lazy:
            keeps_face_light = module.name in face and target not in face
            keeps_library_out = not heavy[target] <= heavy[module.name]
            explained = line in module.explained
            if keeps_library_out or keeps_face_light or explained or target == module.name:
                continue
            found.append(f"{module.name}:{line}: {target} (move the import to the top)")
    return found


MODULES = read_modules()


def test_no_module_imports_itself_through_others():
    assert cycles(MODULES) == []


def test_imports_inside_functions_each_keep_a_library_out():
    assert needless_lazy_imports(MODULES) == []


def test_import_labtrack_loads_no_third_party_library():
    face = loaded_by(MODULES, "labtrack")
    heavy = third_party(MODULES)
    assert {name: sorted(heavy[name]) for name in face if heavy[name]} == {}


# -- the checks themselves can fail -------------------------------------------------------------
@pytest.fixture
def package(tmp_path: Path):  # type: ignore[no-untyped-def]
    def write(files: dict[str, str]) -> dict[str, Module]:
        root = tmp_path / "labtrack"
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return read_modules(root)

    return write


def test_a_cycle_is_found(package):
    modules = package(
        {
            "__init__.py": "",
            "a.py": "from labtrack import b\n",
            "b.py": "import labtrack.a\n",
            "c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import labtrack.a\n",
        }
    )
    assert cycles(modules) == [["labtrack.a", "labtrack.b"]]


def test_a_needless_lazy_import_is_found(package):
    modules = package(
        {
            "__init__.py": "from labtrack import light\n",
            "light.py": "import os\n",
            "heavy.py": "import pandas\n",
            "other.py": "import json\n",
            "user.py": (
                "def f():\n    from labtrack import heavy\n\n"
                "def g():\n    from labtrack.light import x\n"
            ),
            "core.py": "",
        }
    )
    assert needless_lazy_imports(modules) == [
        "labtrack.user:5: labtrack.light (move the import to the top)"
    ]
    assert third_party(modules)["labtrack.heavy"] == {"pandas"}
