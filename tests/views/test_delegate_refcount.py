"""Repainting a list thousands of times leaves Python's None as it found it.

PySide 6.12.0 released None once more than it took it on every call of a Python override
of a void virtual (a delegate's ``paint`` or ``initStyleOption``): after a few thousand
repaints of the caseload the process aborted with "none_dealloc". pyproject pins below it.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QTableWidget, QTableWidgetItem
from pytestqt.qtbot import QtBot

from app.views.bidi import NumberRunDelegate


def test_repainting_a_list_keeps_none_alive(qtbot: QtBot, qapp: QApplication) -> None:
    table = QTableWidget(40, 4)
    qtbot.addWidget(table)
    table.setItemDelegate(NumberRunDelegate(table))
    for row in range(40):
        for column in range(4):
            table.setItem(row, column, QTableWidgetItem(f"06 61 12 34 {row:02d}"))
    table.resize(600, 1200)
    table.show()
    qapp.processEvents()
    before = sys.getrefcount(None)
    for _ in range(30):
        table.viewport().repaint()
        qapp.processEvents()
    # Other objects may come and go holding None; a leak loses one per painted cell.
    assert sys.getrefcount(None) - before > -500
