"""No import cycle among railcheck's modules, counting every import that can run: at the top of a module
and lazy ones inside functions.

A cycle hides the layering docs/architecture.md describes: each module of it can only be understood, tested
and loaded together with all the others, and a lazy import only hides a cycle from the interpreter. Imports
under `if TYPE_CHECKING:` never run and are not counted: they let a lower layer name a type an upper layer
defines, as `Project.derived` (model.py) names `Derived`, whose methods compute from the model above it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import railcheck

PACKAGE_DIR = Path(railcheck.__file__).parent


def module_files(package_dir: Path) -> dict[str, Path]:
    """Every module of the package under `package_dir`, by dotted name (a package by its own name)."""
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = [package_dir.name, *path.relative_to(package_dir).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def imported_modules(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of `known` that module `name` (at `path`) imports, at any depth, relative ones resolved."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    typing_only = {id(inner) for node in ast.walk(tree) if _is_type_checking_block(node) for inner in ast.walk(node)}
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                # `from . import x` in a package's __init__ is relative to the package itself.
                base_parts = name.split(".") if is_package else name.split(".")[:-1]
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join([*base_parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            # `from a import b` imports the module a.b when there is one, else a name defined in a.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        found.update(target for target in targets if target in known and target != name)
    return found


def _is_type_checking_block(node: ast.AST) -> bool:
    """`if TYPE_CHECKING:` (or `typing.TYPE_CHECKING`), whose imports never run."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def import_graph(package_dir: Path) -> dict[str, set[str]]:
    files = module_files(package_dir)
    known = set(files)
    return {name: imported_modules(name, path, known) for name, path in files.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (or a module importing itself), sorted (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(start: str) -> None:
        # Iterative, so a deep graph cannot exhaust Python's recursion limit.
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in graph[node]:
                        components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(components)


def test_railcheck_has_no_import_cycle() -> None:
    found = cycles(import_graph(PACKAGE_DIR))
    assert not found, "import cycles among railcheck modules (lazy imports count):\n" + "\n".join(
        " <-> ".join(component) for component in found
    )


def test_the_checker_finds_a_cycle_through_lazy_and_relative_imports(tmp_path: Path) -> None:
    package = tmp_path / "demo"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("from . import leaf\n")
    # a -> b at the top, b -> c inside a function, c -> a through a relative import: one cycle of three.
    (package / "a.py").write_text("from demo import b\n")
    (package / "b.py").write_text("def later():\n    import demo.c\n")
    (package / "c.py").write_text("from .a import something\n")
    # Under TYPE_CHECKING: never runs, so no edge d -> e and no cycle; a lazy import in the same module counts.
    (package / "d.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from demo import e\ndef f():\n    import demo.g\n"
    )
    (package / "g.py").write_text("import demo.d\n")
    (package / "e.py").write_text("import demo.d\n")
    # A name imported from a module is an edge to that module, never to a submodule that does not exist.
    (package / "f.py").write_text("from demo.a import b\n")
    (package / "sub" / "leaf.py").write_text("from . import CONSTANT\nfrom .. import a\n")

    graph = import_graph(package)

    assert graph["demo.sub"] == {"demo.sub.leaf"}
    assert graph["demo.sub.leaf"] == {"demo.sub", "demo.a"}
    assert graph["demo.d"] == {"demo.g"}
    assert graph["demo.f"] == {"demo.a"}
    assert cycles(graph) == [["demo.a", "demo.b", "demo.c"], ["demo.d", "demo.g"], ["demo.sub", "demo.sub.leaf"]]


def test_a_module_importing_itself_is_a_cycle() -> None:
    assert cycles({"p.a": {"p.a"}, "p.b": set()}) == [["p.a"]]
