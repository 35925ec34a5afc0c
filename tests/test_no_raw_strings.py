"""No user-visible text in the views outside the translation system.

Looks for string literals with letters passed straight to the Qt calls that show text
(setText, setWindowTitle, QLabel("..."), addTab(w, "..."), ...). Markup without words
and object names are fine.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

VIEWS = Path(__file__).resolve().parent.parent / "app" / "views"
TEXT_CALLS = {
    "setText",
    "setWindowTitle",
    "setToolTip",
    "setPlaceholderText",
    "setTitle",
    "setStatusTip",
    "setWhatsThis",
    "addTab",
    "insertTab",
    "setTabText",
    "addItem",
    "addRow",
    "setHeaderLabels",
    "setHorizontalHeaderLabels",
    "showMessage",
    "QLabel",
    "QPushButton",
    "QCheckBox",
    "QRadioButton",
    "QGroupBox",
    "QAction",
    "QToolButton",
    "information",
    "warning",
    "critical",
    "question",
    "setSubTitle",
}
WORD = re.compile(r"[A-Za-zÀ-ÿ\u0600-\u06FF]{2,}")
ALLOWED = {"Passerelle"}


def _offending_literals(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = (
            node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        )
        if name not in TEXT_CALLS:
            continue
        for argument in node.args:
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                text = re.sub(r"<[^>]+>", " ", argument.value)
                words = set(WORD.findall(text)) - ALLOWED
                if words:
                    found.append((node.lineno, argument.value))
    return found


def test_views_show_only_translated_text() -> None:
    offenders = [
        f"{path.relative_to(VIEWS)}:{line}: {text!r}"
        for path in sorted(VIEWS.rglob("*.py"))
        for line, text in _offending_literals(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert offenders == []
