"""The package's shape: no import cycles (imports inside functions count), the
model and the base modules import no stage, and each folder says what it owns."""

import ast
from pathlib import Path

import factsheet

PACKAGE = Path(factsheet.__file__).parent
BASE = {"factsheet.errors", "factsheet.model", "factsheet.paths", "factsheet.languages", "factsheet.styles",
        "factsheet.cache", "factsheet.options", "factsheet.private"}  # fmt: skip


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """Every module of the package that `path` imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {name for name in names if name in modules}
    return found - {module_name(path)}


def import_graph() -> dict[str, set[str]]:
    paths = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(paths)
    graph = {name: imports_of(path, modules) for name, path in paths.items()}
    # A module imports its package's __init__ too; those hold only docstrings.
    return {name: {m for m in deps if m in modules and paths[m].stem != "__init__"}
            for name, deps in graph.items()}  # fmt: skip


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                found.append([*stack[stack.index(dep) :], dep])
            elif dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_base_modules_import_no_stage():
    graph = import_graph()
    for name in sorted(BASE & set(graph)):
        assert graph[name] <= BASE, name


def test_every_folder_says_what_it_owns_and_may_import():
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and "May import" in doc, init


# What each folder (or top-level module) may import besides the base modules: the
# stages flow one way. Each folder's __init__.py says the same in words.
MAY_IMPORT = {
    "sources": set(),
    "document": {"sources"},
    "checks": {"sources", "document"},
    "layout": set(),
    "outputs": {"sources", "checks", "document", "layout"},
    "pipeline": {"sources", "checks", "document", "outputs"},
    "build": {"pipeline", "outputs", "layout", "cli", "scaffold"},  # the server runs the CLI
    "translation": {"sources", "checks", "document", "pipeline"},
    "live": {"sources", "build", "outputs"},
    "scaffold": {"sources"},
}


def part_of(module: str) -> str:
    """The folder a module is in, or its own name at the top of the package."""
    return module.split(".")[1]


def test_stages_import_only_what_comes_before_them():
    graph = import_graph()
    wrong = []
    for name, deps in sorted(graph.items()):
        part = part_of(name) if name != "factsheet" else ""
        if part not in MAY_IMPORT:
            continue
        for dep in sorted(deps):
            target = part_of(dep)
            if dep not in BASE and target != part and target not in MAY_IMPORT[part]:
                wrong.append(f"{name} imports {dep}")
    assert wrong == []
