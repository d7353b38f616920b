"""The package's shape: public library APIs only, no import circles, no prints in the library."""

import ast

from conftest import ROOT

PACKAGE = ROOT / "src" / "tdimpute"


def _modules() -> dict[str, ast.Module]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = ast.parse(path.read_text(), filename=str(path))
    return modules


def _imported(name: str, tree: ast.Module, is_package: bool) -> set[str]:
    """Every module `name` imports, at the top or within functions, relative imports resolved."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")[: len(name.split(".")) - node.level + (1 if is_package else 0)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _imports() -> dict[str, set[str]]:
    packages = {
        path.parent.relative_to(PACKAGE.parent).as_posix().replace("/", ".") for path in PACKAGE.rglob("__init__.py")
    }
    return {name: _imported(name, tree, name in packages) for name, tree in _modules().items()}


def _graph() -> dict[str, set[str]]:
    imports = _imports()
    return {name: {m for m in found if m in imports and m != name} for name, found in imports.items()}


def test_no_private_module_of_a_library_is_imported():
    private = sorted(
        f"{name}: {module}"
        for name, found in _imports().items()
        for module in found
        if module.split(".")[0] not in ("tdimpute", "__future__")
        and any(part.startswith("_") for part in module.split("."))
    )
    assert private == []


def test_no_import_circles():
    graph = _graph()
    circles = []

    def visit(module: str, path: list[str]) -> None:
        for imported in sorted(graph[module]):
            if imported in path:
                circles.append(path[path.index(imported) :] + [imported])
            elif imported not in done:
                visit(imported, path + [imported])
        done.add(module)

    done: set[str] = set()
    for module in sorted(graph):
        if module not in done:
            visit(module, [module])
    assert circles == []


def test_the_library_logs_instead_of_printing():
    printing = sorted(
        name
        for name, tree in _modules().items()
        if name != "tdimpute.cli"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"
    )
    assert printing == []


def test_the_import_graph_sees_relative_imports():
    graph = _graph()
    assert "tdimpute.models.base" in graph["tdimpute.models.network"]
    assert "tdimpute.models.backend" in graph["tdimpute.models.training"]
    assert "tdimpute.errors" in graph["tdimpute.models.registry"]
