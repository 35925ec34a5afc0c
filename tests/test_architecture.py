"""Data flows one way: views -> services -> models/store; the core never imports Qt.

The server and the desktop meet only in the shared core (``passerelle_core``): the
server imports nothing of ``app``, the core imports neither side, and importing them
registers nothing on SQLAlchemy's classes (the desktop's flush pipeline lives on the
profile's session factory). ``app.services`` and ``app.sync`` import each other
without a cycle.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DESKTOP_ONLY = ("PySide6", "sqlcipher3", "reportlab", "pypdfium2", "babel", "openpyxl")
QT_FREE = (
    "models", "store", "services", "sync", "reports", "indicators", "instruments", "demo",
    "duplicates",
)  # fmt: skip


def _imports(path: Path, *, runtime_only: bool = False) -> set[str]:
    """Every module ``path`` imports, late imports included (``runtime_only``: not the
    ones under ``if TYPE_CHECKING:``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    if runtime_only:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                node.body = []
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_packages_never_import_qt() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for package in QT_FREE
        for path in (ROOT / "app" / package).rglob("*.py")
        if any(name.split(".")[0] == "PySide6" for name in _imports(path))
    ]
    assert offenders == []


def test_views_do_not_talk_sql() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "app" / "views").rglob("*.py")
        if any(name.split(".")[0] == "sqlalchemy" for name in _imports(path))
    ]
    assert offenders == []


def _offenders(folder: Path, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{path.relative_to(ROOT)}: {name}"
        for path in folder.rglob("*.py")
        for name in _imports(path)
        if name.split(".")[0] in forbidden
    )


def test_the_server_imports_only_the_shared_core() -> None:
    assert _offenders(ROOT / "server", ("app", *DESKTOP_ONLY)) == []


def test_the_shared_core_imports_neither_side() -> None:
    assert _offenders(ROOT / "passerelle_core", ("app", "server", *DESKTOP_ONLY)) == []


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_services_and_sync_import_each_other_without_a_cycle() -> None:
    modules = {
        _module_name(path): path
        for package in ("services", "sync")
        for path in (ROOT / "app" / package).rglob("*.py")
    }

    def targets(path: Path) -> set[str]:
        found = set()
        for name in _imports(path, runtime_only=True):
            # ``from app.sync import state`` imports app.sync.state
            candidates = (name, *(f"{name}.{n}" for n in _names(path, name)))
            found.update(m for m in candidates if m in modules)
        return found

    graph = {name: targets(path) - {name} for name, path in modules.items()}
    assert _cycles(graph) == []


def _names(path: Path, module: str) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == module
        for alias in node.names
    ]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_importing_the_server_and_the_core_has_no_side_effect() -> None:
    """No desktop module loaded, no listener on SQLAlchemy's Session class: the
    desktop's capture, access log and author stamp never run in the server process."""
    code = """
import pkgutil, sys
import passerelle_core
for module in pkgutil.walk_packages(passerelle_core.__path__, "passerelle_core."):
    __import__(module.name)
import server.api.app, server.cli
from server.api.app import create_app
from sqlalchemy.orm import Session
session = Session()
events = ("before_flush", "after_flush", "after_commit", "after_rollback", "do_orm_execute")
listeners = sum(len(getattr(session.dispatch, name)) for name in events)
desktop = sorted(m for m in sys.modules if m.split(".")[0] in ("app", *sys.argv[1:]))
print(listeners, desktop)
sys.exit(1 if listeners or desktop else 0)
"""
    result = subprocess.run(
        [sys.executable, "-c", code, *DESKTOP_ONLY],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
