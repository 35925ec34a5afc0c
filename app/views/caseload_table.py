"""The caseload's table: rows that open with Enter or a double click, columns fitted to
the first rows and the page, counts written the way the interface language groups them."""

from __future__ import annotations

import math

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyle, QTableView, QWidget

from app.i18n import current_language
from app.views.caseload_model import COLUMNS, CaseloadModel, PreparedTextDelegate

CELL_PADDING = 8
NAME_CHARS = 24
"""The name column's starting width, in Latin letters: most names fit."""
# How narrow a text column may become (in Latin letters) when the page is too
# narrow for every column; identifiers and dates never shrink.
SHRINKABLE = {
    "name": 18,
    "name_ar": 18,
    "facility": 13,
    "legal_status": 12,
    "staff": 12,
    "plan_status": 10,
}


def letter(widget: QWidget) -> int:
    """The width of a Latin letter (Arabic fonts' average is much wider)."""
    return widget.fontMetrics().horizontalAdvance("n")


def format_count(number: int) -> str:
    """Thousands grouped the way the interface language writes them, in Western digits."""
    if current_language() == "ar":
        locale = QLocale(QLocale.Language.Arabic, QLocale.Country.Morocco)
    else:
        locale = QLocale()
    return locale.toString(number)


class CaseTable(QTableView):
    """A read-only table whose rows open with Enter or a double click (once, not twice)."""

    row_activated = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt naming
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.row_activated.emit(self.currentIndex().row())
            event.accept()
            return
        super().keyPressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt naming
        index = self.indexAt(event.position().toPoint())
        if index.isValid() and event.button() == Qt.MouseButton.LeftButton:
            self.row_activated.emit(index.row())
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def fit_columns(self) -> None:
        """Columns fit the rows shown and the page, the name gets the rest.

        When the content is wider than the page, the text columns give up room, down to
        their :data:`SHRINKABLE` width, their text elided (whole in the tooltip).
        """
        header = self.horizontalHeader()
        character = letter(self)
        self.resizeColumnsToContents()
        widths = [header.sectionSize(p) + CELL_PADDING for p in range(len(COLUMNS))]
        widths[0] = max(widths[0], NAME_CHARS * character)
        floors = [
            min(width, SHRINKABLE[column.key] * character) if column.key in SHRINKABLE else width
            for column, width in zip(COLUMNS, widths, strict=True)
        ]
        # The vertical scroll bar may not be there yet: leave it room all the same.
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        missing_bar = 0 if self.verticalScrollBar().isVisible() else bar
        available = self.viewport().width() - missing_bar - 1
        overflow = sum(widths) - available
        slack = sum(width - floor for width, floor in zip(widths, floors, strict=True))
        if overflow > 0 and slack > 0:
            share = min(1.0, overflow / slack)
            widths = [
                width - math.ceil((width - floor) * share)
                for width, floor in zip(widths, floors, strict=True)
            ]
        room = available - sum(widths)
        if room > 0:
            widths[0] += room
        for position, width in enumerate(widths):
            header.resizeSection(position, width)


def build_table(model: CaseloadModel, several: bool) -> CaseTable:
    """The caseload's table over ``model``: whole rows selected (``several`` at once for
    a bulk transfer), sorted by the database, the Arabic name first in Arabic."""
    table = CaseTable()
    table.setObjectName("caseloadTable")
    table.setModel(model)
    table.setItemDelegate(PreparedTextDelegate(table))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(
        QAbstractItemView.SelectionMode.ExtendedSelection
        if several
        else QAbstractItemView.SelectionMode.SingleSelection
    )
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTabKeyNavigation(False)
    table.setShowGrid(False)
    table.verticalHeader().hide()
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionsMovable(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(False)
    header.setResizeContentsPrecision(0)  # fit to the rows on screen, never fetch more
    header.setMinimumSectionSize(4 * letter(table))
    header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
    header.resizeSection(0, NAME_CHARS * letter(table))
    if current_language() == "ar":  # the Arabic interface reads the Arabic name first
        header.moveSection(header.visualIndex(1), 0)
    table.setSortingEnabled(True)
    return table
