"""The dashboard's small charts: clickable bars and a twelve-month trend.

Bars are buttons, so every figure can be reached and opened with the keyboard; the
trend is painted with its values, a value axis and whole month names (in its tooltip
too).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QLocale, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from app.i18n import _
from app.views.appearance import fill, ink

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
        self.setMinimumHeight(240)

    def set_months(self, months: list[tuple[date, int, int]], names: tuple[str, str]) -> None:
        self.months, self.names = months, names
        lines = [
            _("{label}: {value}").format(
                label=month_name(m), value=_(", ").join((f"{names[0]} {a}", f"{names[1]} {b}"))
            )
            for m, a, b in months
        ]
        self.setToolTip("\n".join(lines))
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt naming
        """Bars with their value on top, a value axis with grid lines, whole month names
        (the year under January and the first month): nothing to guess from a picture."""
        if not self.months:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = painter.fontMetrics()
        line = float(metrics.height())
        legend, axis, value_room = 22.0, 2 * line + 4, line
        top = max(max(a, b) for _m, a, b in self.months) or 1
        gutter = float(metrics.horizontalAdvance(str(top))) + 10
        width, height = float(self.width()) - gutter, float(self.height())
        rtl = self.layoutDirection() == Qt.LayoutDirection.RightToLeft

        def place(x: float, y: float, w: float, h: float) -> QRectF:
            """Time and the legend run from the reading side: mirrored in Arabic."""
            return QRectF(width - x - w if rtl else x + gutter, y, w, h)

        slot = width / len(self.months)
        bar = max(slot * 0.3, 2.0)
        chart_top = legend + value_room
        chart = height - chart_top - axis
        centred = Qt.AlignmentFlag.AlignCenter
        grey, text = ink("#55606a"), ink("#222222")
        # The value axis: 0, half and the top, with light grid lines across.
        for tick in sorted({0, top // 2, top}):
            y = chart_top + chart - chart * tick / top
            painter.setPen(QPen(ink("#d5dbe0"), 1))
            start = QRectF(place(0, y, width, 0)).left()
            painter.drawLine(QPointF(start, y), QPointF(start + width, y))
            painter.setPen(grey)
            label_x = width + 4 if rtl else 0.0
            painter.drawText(
                QRectF(label_x, y - line / 2, gutter - 6, line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                str(tick),
            )
        for index, (month, *values) in enumerate(self.months):
            x = index * slot + slot * 0.2
            for series, value in enumerate(values):
                tall = chart * value / top
                rect = place(x + series * bar, chart_top + chart - tall, bar - 1, tall)
                painter.fillRect(rect, fill(SERIES_COLOURS[series], series))
                painter.setPen(text)
                above = QRectF(rect.center().x() - slot / 2, rect.top() - line, slot, line)
                painter.drawText(above, centred, str(value))
            painter.setPen(grey)
            name = month_label(month, metrics, slot)
            painter.drawText(place(index * slot, height - axis, slot, line), centred, name)
            if index == 0 or month.month == 1:
                year = str(month.year)
                painter.drawText(
                    place(index * slot, height - axis + line, slot, line), centred, year
                )
        x = 0.0
        for series, name in enumerate(self.names):
            text_width = metrics.horizontalAdvance(name)
            painter.fillRect(place(x, 6, 10, 10), fill(SERIES_COLOURS[series], series))
            painter.setPen(text)
            painter.drawText(place(x + 14, 0, text_width + 4, legend), centred, name)
            x += 28 + text_width
        painter.end()


def month_label(first: date, metrics: QFontMetrics, room: float) -> str:
    """The month's whole name when it fits ("juin", "juillet": never "jui." and
    "juil."), else its number (06): both unambiguous."""
    name = QLocale().standaloneMonthName(first.month, QLocale.FormatType.LongFormat)
    return name if metrics.horizontalAdvance(name) <= room - 4 else f"{first.month:02d}"


def month_name(first: date, short: bool = False) -> str:
    """The month in the interface's language: "décembre 2026", or "déc." when short."""
    return QLocale().toString(QDate(first.year, first.month, 1), "MMM" if short else "MMMM yyyy")
