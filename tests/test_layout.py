"""The layout the README's "How it works" describes, checked on the source (issue 11).

- search/ reads only the index format (indexer.store) and indexer.errors from indexer/;
  the public build_index is called lazily by the CLI and by the Searcher's seeds build.
- No module imports in a circle (module-level imports; TYPE_CHECKING ones aside).
- Every package's __init__.py docstring is a map naming each of its modules and subfolders.
- No module much over 500 lines.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("indexer", "search")
MAX_LINES = 520
READING_SIDE = ("indexer.readers", "indexer.clean", "indexer.metadata", "indexer.segment", "indexer.files",
                "indexer.document")
BUILD_CALLERS = {"search/cli.py", "search/searcher.py"}   # indexer.build_index, inside a function


def _modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT)
            name = ".".join(rel.with_suffix("").parts)
            yield (name[: -len(".__init__")] if name.endswith(".__init__") else name), path


MODULES = dict(_modules())


def _imports(path: Path, top_level_only: bool):
    """(module imported, names, line, inside a function) for each import statement."""
    tree = ast.parse(path.read_text())
    out = []

    def visit(node, in_function: bool, in_type_checking: bool):
        for child in ast.iter_child_nodes(node):
            func = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            tc = in_type_checking or (isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test))
            if isinstance(child, ast.Import) and not tc:
                out.extend((a.name, (), child.lineno, func) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0 and not tc:
                out.append((child.module, tuple(a.name for a in child.names), child.lineno, func))
            if not (top_level_only and func):
                visit(child, func, tc)

    visit(tree, False, False)
    return out


def test_the_layout_test_sees_the_whole_source():
    assert {"indexer.readers.load", "indexer.store.codec", "search.query.parse", "search.rank.evaluate",
            "search.present.snippets", "search.searcher"} <= set(MODULES)


def test_search_reads_only_the_index_format_from_indexer():
    wrong = []
    for name, path in MODULES.items():
        if not name.startswith("search"):
            continue
        rel = path.relative_to(ROOT).as_posix()
        for module, names, line, in_function in _imports(path, top_level_only=False):
            if not (module == "indexer" or module.startswith("indexer.")):
                continue
            if module == "indexer.errors" or module == "indexer.store" or module.startswith("indexer.store."):
                continue
            if module == "indexer" and names == ("build_index",) and rel in BUILD_CALLERS and in_function:
                continue
            wrong.append(f"{rel}:{line} imports {module} {names}")
    assert not wrong, "search/ reaches into indexer's reading side:\n" + "\n".join(wrong)


def test_the_indexer_never_imports_search():
    wrong = [f"{path.relative_to(ROOT)}:{line} imports {module}"
             for name, path in MODULES.items() if name.startswith("indexer")
             for module, _, line, _ in _imports(path, top_level_only=False)
             if module == "search" or module.startswith("search.")]
    assert not wrong, "\n".join(wrong)


def _target(module: str, names: tuple[str, ...]) -> list[str]:
    """The project modules an import statement loads: `from a.b import c` is a.b, or a.b.c
    when c is a module."""
    found = [f"{module}.{n}" for n in names if f"{module}.{n}" in MODULES]
    if module in MODULES and (not names or len(found) < len(names)):
        found.append(module)
    return found


def test_no_module_imports_in_a_circle():
    graph = {name: sorted({t for module, names, _, _ in _imports(path, top_level_only=True)
                           for t in _target(module, names) if t != name})
             for name, path in MODULES.items()}
    # A package's __init__ importing its own submodules, which then import siblings through
    # the package, is how packages work; a cycle is between modules of the code itself.
    state, stack, cycles = {}, [], []

    def walk(node):
        state[node] = "open"
        stack.append(node)
        for nxt in graph[node]:
            if nxt.startswith(node + "."):
                continue                          # a package loading its own submodule
            if state.get(nxt) == "open":
                cycle = stack[stack.index(nxt):] + [nxt]
                if not all(a.startswith(b + ".") or b.startswith(a + ".") for a, b in zip(cycle, cycle[1:])):
                    cycles.append(" -> ".join(cycle))
            elif nxt not in state:
                walk(nxt)
        stack.pop()
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            walk(name)
    assert not cycles, "\n".join(cycles)


@pytest.mark.parametrize("package", sorted(n for n, p in MODULES.items() if p.name == "__init__.py"))
def test_each_package_docstring_is_a_map_of_its_modules(package):
    init = MODULES[package]
    doc = ast.get_docstring(ast.parse(init.read_text())) or ""
    folder = init.parent
    parts = [p.name for p in sorted(folder.glob("*.py")) if p.name != "__init__.py"]
    parts += [f"{p.name}/" for p in sorted(folder.iterdir()) if (p / "__init__.py").is_file()]
    missing = [p for p in parts if p not in doc]
    assert doc and not missing, f"{init.relative_to(ROOT)}'s docstring does not name {missing}"


def test_no_module_is_much_over_500_lines():
    long = {str(p.relative_to(ROOT)): n for p in MODULES.values()
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, long
