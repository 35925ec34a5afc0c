"""Small charts of needs-domain scores, painted with QPainter (no chart library to ship).

Domains are rows and scores (0..100) horizontal bars: sixteen domain names stay
readable, and one chart shape serves both uses: one assessment's scores, coloured by
priority, and the scores of successive assessments side by side. Everything is laid
out left to right and mirrored as a whole in a right-to-left interface, so the bars
grow from the domain names towards the end of the line in Arabic too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QLocale, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QHelpEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from app.i18n import _, current_language
from app.instruments import Priority, Thresholds, priority_for
from app.views.appearance import fill, ink
from app.views.record_forms import TONES

PRIORITY_COLOURS = {
    Priority.LOW: QColor("#6a9f78"),
    Priority.MEDIUM: QColor("#d9a441"),
    Priority.HIGH: QColor("#c8574d"),
}
# Older assessments lighter, the latest the darkest: the eye goes to the present.
HISTORY_COLOURS = ("#c9d7ea", "#8eb0d8", "#5283bd", "#1d4e89")
MAX_SERIES = len(HISTORY_COLOURS)
GRID_COLOUR = QColor("#dfe3e8")
TEXT_COLOUR = QColor("#37474f")
MUTED_COLOUR = QColor("#78848f")
MARGIN = 8
TICKS = (0, 25, 50, 75, 100)
# Maps a left-to-right x (and a width) to where it is painted: mirrored in right-to-left.
Mirror = Callable[[float, float], float]


@dataclass(frozen=True)
class ChartSeries:
    """One assessment's scores: ``label`` names it in the legend (its date, its stage)."""

    label: str
    scores: Mapping[str, float | None]


def format_score(score: float | None) -> str:
    """A score with one decimal, as the interface language writes numbers (66,7 in French)."""
    if score is None:
        return "—"
    return _LOCALES.get(current_language(), QLocale.c()).toString(float(score), "f", 1)


# Moroccan Arabic usage: Western digits, as on every document of the administration.
_LOCALES = {
    "fr": QLocale(QLocale.Language.French, QLocale.Country.France),
    "ar": QLocale(QLocale.Language.Arabic, QLocale.Country.Morocco),
    "en": QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom),
}


class DomainBarChart(QWidget):
    """Horizontal grouped bars, one row per domain and one bar per series."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._domains: list[tuple[str, str]] = []
        self._series: list[ChartSeries] = []
        self._colours: list[QColor] = []
        self._thresholds: Thresholds | None = None
        self._empty_text = _("No scores yet.")
        self._rows: list[tuple[float, float, str]] = []  # (top, bottom, domain id) of each row
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMouseTracking(True)
        self.setAccessibleName(_("Chart of domain scores"))

    # -- data -----------------------------------------------------------------------------

    def set_empty_text(self, text: str) -> None:
        self._empty_text = text
        self.update()

    def _set(
        self,
        domains: Sequence[tuple[str, str]],
        series: Sequence[ChartSeries],
        colours: Sequence[QColor],
        thresholds: Thresholds | None,
    ) -> None:
        self._domains = list(domains)
        self._series = list(series)
        self._colours = list(colours)
        self._thresholds = thresholds
        self.setAccessibleDescription(self._describe())
        self.updateGeometry()
        self.update()

    def series_labels(self) -> list[str]:
        """The series shown, in the legend's order."""
        return [series.label for series in self._series]

    def row_bounds(self) -> list[tuple[float, float, str]]:
        """(top, bottom, domain id) of each painted row: for tooltips and tests."""
        return list(self._rows)

    def _bar_colour(self, series_index: int, score: float) -> QColor:  # noqa: ARG002
        """The series' colour; a subclass may colour by the score instead."""
        return self._colours[series_index]

    def _is_empty(self) -> bool:
        return not any(
            score is not None for series in self._series for score in series.scores.values()
        )

    def _describe(self) -> str:
        """The chart as text, for screen readers and tooltips."""
        lines = []
        for domain_id, label in self._domains:
            scores = _(", ").join(format_score(s.scores.get(domain_id)) for s in self._series)
            lines.append(_("{label}: {value}").format(label=label, value=scores))
        return "\n".join(lines)

    # -- geometry -------------------------------------------------------------------------

    def _bar_height(self) -> int:
        return 14 if len(self._series) <= 1 else max(5, 22 // len(self._series))

    def _row_height(self) -> int:
        text = QFontMetrics(self.font()).height()
        return max(text + 8, self._bar_height() * max(1, len(self._series)) + 10)

    def _legend_height(self) -> int:
        if len(self._series) <= 1:
            return 0
        return QFontMetrics(self.font()).height() + 10

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        height = self._legend_height() + self._row_height() * max(3, len(self._domains))
        return QSize(520, height + QFontMetrics(self.font()).height() + 3 * MARGIN)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(260, self.sizeHint().height())

    # -- painting -------------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        self._rows = []
        if not self._domains or self._is_empty():
            painter.setPen(ink(MUTED_COLOUR))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._empty_text)
            painter.end()
            return
        metrics = QFontMetrics(self.font())
        rtl = self.layoutDirection() == Qt.LayoutDirection.RightToLeft
        width = float(self.width())
        top = float(MARGIN)
        if self._legend_height():
            self._paint_legend(painter, metrics, top, rtl)
            top += self._legend_height()
        widest = max(metrics.horizontalAdvance(label) for _id, label in self._domains)
        label_width = min(widest + 12.0, width * 0.42)
        # Room after the bars: the value of a single series, or half the last tick's label.
        value_width = metrics.horizontalAdvance("100.0") + 8.0 if len(self._series) == 1 else 0.0
        value_width = max(value_width, metrics.horizontalAdvance("100") / 2 + 2.0)
        plot_left = MARGIN + label_width
        plot_width = max(40.0, width - plot_left - MARGIN - value_width)
        row_height = self._row_height()
        plot_bottom = top + row_height * len(self._domains)

        def mirrored(x: float, w: float) -> float:
            return width - x - w if rtl else x

        self._paint_grid(painter, metrics, plot_left, plot_width, top, plot_bottom, mirrored)
        bar_height = self._bar_height()
        for index, (domain_id, label) in enumerate(self._domains):
            row_top = top + index * row_height
            self._rows.append((row_top, row_top + row_height, domain_id))
            label_rect = QRectF(
                mirrored(MARGIN, label_width - 8), row_top, label_width - 8, row_height
            )
            painter.setPen(ink(TEXT_COLOUR))
            align = Qt.AlignmentFlag.AlignLeft if rtl else Qt.AlignmentFlag.AlignRight
            flags = align | Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignVCenter
            elided = metrics.elidedText(label, Qt.TextElideMode.ElideRight, int(label_width - 8))
            painter.drawText(label_rect, flags, elided)
            bars_top = row_top + (row_height - bar_height * len(self._series)) / 2
            for s_index, series in enumerate(self._series):
                score = series.scores.get(domain_id)
                y = bars_top + s_index * bar_height
                if score is None:
                    if len(self._series) == 1:  # said, not left blank: blank reads "no need"
                        area = QRectF(mirrored(plot_left, plot_width), y, plot_width, bar_height)
                        self._paint_unrated(painter, area, rtl)
                    continue
                length = plot_width * max(0.0, min(100.0, score)) / 100.0
                rect = QRectF(mirrored(plot_left, length), y + 1, length, bar_height - 2)
                painter.fillRect(rect, fill(self._bar_colour(s_index, score), s_index))
                if len(self._series) == 1:
                    self._paint_value(painter, score, plot_left + length, rect, mirrored, rtl)
        painter.end()

    def _paint_unrated(self, painter: QPainter, area: QRectF, rtl: bool) -> None:
        """Where the bar would start, in words: "not rated"."""
        painter.save()
        font = painter.font()
        font.setItalic(True)
        painter.setFont(font)
        painter.setPen(ink(TEXT_COLOUR))
        align = Qt.AlignmentFlag.AlignRight if rtl else Qt.AlignmentFlag.AlignLeft
        flags = align | Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(area.adjusted(4, 0, -4, 0), flags, _("not rated"))
        painter.restore()

    def _paint_grid(
        self,
        painter: QPainter,
        metrics: QFontMetrics,
        left: float,
        width: float,
        top: float,
        bottom: float,
        mirror: Mirror,
    ) -> None:
        painter.setPen(QPen(ink(GRID_COLOUR), 1))
        for tick in TICKS:
            x = mirror(left + width * tick / 100.0, 0.0)
            painter.drawLine(QPointF(x, top), QPointF(x, bottom))
            text = str(tick)
            text_width = metrics.horizontalAdvance(text)
            painter.setPen(ink(MUTED_COLOUR))
            painter.drawText(QPointF(x - text_width / 2, bottom + metrics.ascent() + 4), text)
            painter.setPen(QPen(ink(GRID_COLOUR), 1))
        if self._thresholds is not None:
            for value, priority in (
                (self._thresholds.medium, Priority.MEDIUM),
                (self._thresholds.high, Priority.HIGH),
            ):
                pen = QPen(ink(PRIORITY_COLOURS[priority]), 1, Qt.PenStyle.DashLine)
                painter.setPen(pen)
                x = mirror(left + width * value / 100.0, 0.0)
                painter.drawLine(QPointF(x, top), QPointF(x, bottom))

    def _paint_value(
        self,
        painter: QPainter,
        score: float,
        end: float,
        bar: QRectF,
        mirror: Mirror,
        rtl: bool,
    ) -> None:
        text = format_score(score)
        metrics = QFontMetrics(self.font())
        text_width = metrics.horizontalAdvance(text) + 6.0
        rect = QRectF(mirror(end + 4, text_width), bar.top() - 4, text_width, bar.height() + 8)
        align = Qt.AlignmentFlag.AlignRight if rtl else Qt.AlignmentFlag.AlignLeft
        painter.setPen(ink(TEXT_COLOUR))
        painter.drawText(
            rect, align | Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignVCenter, text
        )

    def _paint_legend(
        self, painter: QPainter, metrics: QFontMetrics, top: float, rtl: bool
    ) -> None:
        x = float(MARGIN)
        width = float(self.width())
        swatch = metrics.height() - 4
        for index, series in enumerate(self._series):
            text_width = metrics.horizontalAdvance(series.label)
            box_x = width - x - swatch if rtl else x
            painter.fillRect(
                QRectF(box_x, top + 2, swatch, swatch), fill(self._colours[index], index)
            )
            text_x = box_x - 6 - text_width if rtl else x + swatch + 6
            painter.setPen(ink(TEXT_COLOUR))
            painter.drawText(QPointF(text_x, top + metrics.ascent()), series.label)
            x += swatch + 6 + text_width + 18

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self._tooltip_at(event.pos().y())
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def _tooltip_at(self, y: float) -> str:
        labels = dict(self._domains)
        for top, bottom, domain_id in self._rows:
            if top <= y < bottom:
                lines = [labels[domain_id]]
                for series in self._series:
                    score = format_score(series.scores.get(domain_id))
                    if len(self._series) > 1:
                        score = _("{label}: {value}").format(label=series.label, value=score)
                    lines.append(score)
                return "\n".join(lines)
        return ""


class DomainScoresChart(DomainBarChart):
    """One assessment's domain scores, each bar in its priority's colour."""

    def set_scores(
        self,
        domains: Sequence[tuple[str, str]],
        scores: Mapping[str, float | None],
        thresholds: Thresholds,
    ) -> None:
        """``domains`` are (id, label) pairs in the instrument's order."""
        self._set(domains, [ChartSeries("", scores)], [QColor(TONES["info"][1])], thresholds)

    def _bar_colour(self, series_index: int, score: float) -> QColor:
        if self._thresholds is None:
            return super()._bar_colour(series_index, score)
        priority = priority_for(score, self._thresholds)
        return PRIORITY_COLOURS[priority] if priority else MUTED_COLOUR


class DomainHistoryChart(DomainBarChart):
    """The scores of successive assessments side by side (the latest ones, oldest first)."""

    def set_history(
        self,
        domains: Sequence[tuple[str, str]],
        series: Sequence[ChartSeries],
        thresholds: Thresholds | None = None,
    ) -> None:
        shown = list(series)[-MAX_SERIES:]
        colours = [QColor(c) for c in HISTORY_COLOURS[MAX_SERIES - len(shown) :]]
        self._set(domains, shown, colours, thresholds)
