"""The dashboard's small charts: clickable bars and a twelve-month trend.

Bars are buttons, so every figure can be reached and opened with the keyboard; the
trend is painted (a picture of twelve months, the numbers are in its tooltip).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QLocale, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from app.i18n import _

SERIES_COLOURS = ("#1d5c8c", "#d08a2c")
BAR_STYLE = """
QProgressBar { border: none; background: #e8edf1; border-radius: 3px; max-height: 10px; }
QProgressBar::chunk { background: #1d5c8c; border-radius: 3px; }
"""


class BarList(QWidget):
    """One row per category: its name (a button that lists the cases), a bar, a count."""

    picked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setColumnStretch(1, 1)
        self.buttons: dict[str, QPushButton] = {}

    def set_bars(self, bars: list[tuple[str, str, int]]) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.buttons = {}
        if not bars:
            self.grid.addWidget(QLabel(_("Nothing in this period.")), 0, 0)
            return
        top = max(count for _key, _label, count in bars) or 1
        for row, (key, label, count) in enumerate(bars):
            button = QPushButton(label)
            button.setFlat(True)
            button.setStyleSheet("text-align: left; padding: 2px 4px;")
            button.clicked.connect(lambda _checked=False, key=key: self.picked.emit(key))
            bar = QProgressBar()
            bar.setTextVisible(False)
            bar.setRange(0, top)
            bar.setValue(count)
            bar.setStyleSheet(BAR_STYLE)
            bar.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            number = QLabel(str(count))
            number.setAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight)
            self.grid.addWidget(button, row, 0)
            self.grid.addWidget(bar, row, 1)
            self.grid.addWidget(number, row, 2)
            self.buttons[key] = button


class TrendChart(QWidget):
    """Two counts per month, side by side, with the months underneath."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.months: list[tuple[date, int, int]] = []
        self.names: tuple[str, str] = ("", "")
        self.setMinimumHeight(190)

    def set_months(self, months: list[tuple[date, int, int]], names: tuple[str, str]) -> None:
        self.months, self.names = months, names
        lines = [f"{month_name(m)}: {names[0]} {a}, {names[1]} {b}" for m, a, b in months]
        self.setToolTip("\n".join(lines))
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt naming
        if not self.months:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        legend, axis = 22.0, 20.0
        width, height = float(self.width()), float(self.height())
        rtl = self.layoutDirection() == Qt.LayoutDirection.RightToLeft

        def place(x: float, y: float, w: float, h: float) -> QRectF:
            """Time and the legend run from the reading side: mirrored in Arabic."""
            return QRectF(width - x - w if rtl else x, y, w, h)

        top = max(max(a, b) for _m, a, b in self.months) or 1
        slot = width / len(self.months)
        bar = max(slot * 0.3, 2.0)
        chart = height - legend - axis
        centred = Qt.AlignmentFlag.AlignCenter
        for index, (month, *values) in enumerate(self.months):
            x = index * slot + slot * 0.2
            for series, value in enumerate(values):
                tall = chart * value / top
                painter.fillRect(
                    place(x + series * bar, legend + chart - tall, bar - 1, tall),
                    QColor(SERIES_COLOURS[series]),
                )
            painter.setPen(QColor("#55606a"))
            painter.drawText(
                place(index * slot, height - axis, slot, axis), centred, month_name(month, True)
            )
        x = 0.0
        for series, name in enumerate(self.names):
            text_width = painter.fontMetrics().horizontalAdvance(name)
            painter.fillRect(place(x, 6, 10, 10), QColor(SERIES_COLOURS[series]))
            painter.setPen(QColor("#222"))
            painter.drawText(place(x + 14, 0, text_width + 4, legend), centred, name)
            x += 28 + text_width
        painter.end()


def month_name(first: date, short: bool = False) -> str:
    """The month in the interface's language: "décembre 2026", or "déc." when short."""
    return QLocale().toString(QDate(first.year, first.month, 1), "MMM" if short else "MMMM yyyy")
