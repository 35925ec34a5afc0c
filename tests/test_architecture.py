"""Data flows one way: views -> services -> models/store; the core never imports Qt."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QT_FREE = ("models", "store", "services", "sync", "reports", "indicators", "instruments", "demo")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
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
