"""Bar charts for documents: reportlab graphics for bars, axes and grid, shaped text for
words.

reportlab's charts draw their labels with its own text routine, which cannot shape
Arabic nor lay it out right-to-left, so category names, values and legends are drawn
by ``app.reports.text`` around the chart; the chart itself only draws numbers on its
value axis. In a right-to-left document a horizontal chart is mirrored (names on the
right, bars growing leftwards), as the application's own charts are; a chart of months
runs from the right too (its oldest month on the right).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.graphics import renderPDF
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from app.reports.document import INK, MUTED, RULE
from app.reports.fonts import document_fonts
from app.reports.text import Layout, TextStyle, draw_text

AXIS_FONT_SIZE = 6.5
PALETTE = (
    colors.HexColor("#1d4e89"),
    colors.HexColor("#6a9f78"),
    colors.HexColor("#d9a441"),
    colors.HexColor("#c8574d"),
    colors.HexColor("#8e6bb0"),
    colors.HexColor("#4aa3b5"),
    colors.HexColor("#9aa5b1"),
)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]
    color: colors.Color


class _Chart(Flowable):
    """What both charts share: a legend of their series under the plot."""

    def __init__(
        self,
        categories: Sequence[str],
        series: Sequence[Series],
        style: TextStyle,
        width: float,
        number: Callable[[float], str],
    ) -> None:
        super().__init__()
        self.categories = list(categories)
        self.series = list(series)
        self.style = style
        self.width = width
        self.number = number
        self.legend_height = style.leading * 1.4 if len(self.series) > 1 else 0.0
        self.axis_number = number
        """The value axis's ticks (plain numbers, even where ``number`` writes "< k")."""

    def totals(self) -> list[float]:
        return [sum(s.values[i] for s in self.series) for i in range(len(self.categories))]

    @staticmethod
    def scale_max(largest: float, ticks: int = 5) -> tuple[float, float]:
        """A round top for the value axis and its step: about ``ticks`` grid lines, at
        1, 2, 2.5 or 5 times a power of ten (counts never step by less than one)."""
        if largest <= 0:
            return 1.0, 1.0
        raw = largest / ticks
        magnitude = 10 ** math.floor(math.log10(raw))
        step = next(f * magnitude for f in (1, 2, 2.5, 5, 10) if f * magnitude >= raw)
        step = max(step, 1.0)
        return step * math.ceil(largest / step), step

    def draw_legend(self) -> None:
        """Swatch and name of each series on one line under the plot, from the start side."""
        if not self.legend_height:
            return
        style = self.style.but(color=INK)
        layout = Layout(style)
        swatch = style.size * 0.9
        baseline = style.size * 0.3
        edge = self.width if style.rtl else 0.0
        for item in self.series:
            name_width = layout.width(item.name)
            span = swatch + 3 + name_width
            left = edge - span if style.rtl else edge
            swatch_x = left + name_width + 3 if style.rtl else left
            name_x = left if style.rtl else left + swatch + 3
            self.canv.setFillColor(item.color)
            self.canv.rect(swatch_x, baseline - 1, swatch, swatch, stroke=0, fill=1)
            draw_text(self.canv, item.name, name_x, baseline, name_width, style)
            edge = left - 12 if style.rtl else left + span + 12

    def configure_value_axis(self, axis: object, largest: float) -> None:
        top, step = self.scale_max(largest)
        fonts = document_fonts()
        axis.valueMin = 0  # type: ignore[attr-defined]
        axis.valueMax = top  # type: ignore[attr-defined]
        axis.valueStep = step  # type: ignore[attr-defined]
        axis.labels.fontName = fonts.latin.fontName  # type: ignore[attr-defined]
        axis.labels.fontSize = AXIS_FONT_SIZE  # type: ignore[attr-defined]
        axis.labels.fillColor = MUTED  # type: ignore[attr-defined]
        axis.labelTextFormat = self.axis_number  # type: ignore[attr-defined]
        axis.strokeColor = RULE  # type: ignore[attr-defined]
        axis.visibleGrid = 1  # type: ignore[attr-defined]
        axis.gridStrokeColor = colors.HexColor("#e3e8ee")  # type: ignore[attr-defined]
        axis.gridStrokeWidth = 0.4  # type: ignore[attr-defined]


def distinct_labels(layout: Layout, names: Sequence[str], width: float) -> list[str]:
    """``names`` shortened to ``width`` with an ellipsis, numbered when shortening made two
    of them alike ("1. Association Al…", "2. Association Al…"): a reader tells every bar
    apart and finds the full name under that number in the table beside the chart."""
    shown = [layout.fit(name, width) for name in names]
    if len(set(shown)) == len(shown):
        return shown
    return [layout.fit(f"{n}. {name}", width) for n, name in enumerate(names, start=1)]


class HorizontalBars(_Chart):
    """One bar per category (stacked when there are several series), names beside them
    and each bar's total at its end."""

    def __init__(
        self,
        categories: Sequence[str],
        series: Sequence[Series],
        style: TextStyle,
        width: float,
        number: Callable[[float], str],
        *,
        pitch: float = 13.0,
        value_max: float | None = None,
        small: Callable[[float], bool] | None = None,
        axis_number: Callable[[float], str] | None = None,
    ) -> None:
        super().__init__(categories, series, style, width, number)
        self.axis_number = axis_number or number
        self.pitch = pitch
        self.value_max = value_max
        self.small = small
        """Counts too small to publish: not drawn (their length would tell them); the
        ``number`` of such a total says "< k"."""
        self.axis_height = AXIS_FONT_SIZE * 2.4
        self.height = len(self.categories) * pitch + self.axis_height + self.legend_height

    def wrap(self, _available_width: float, _available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        style, rtl = self.style, self.style.rtl
        layout = Layout(style)
        names = [layout.width(name) for name in self.categories]
        label_width = min(max(names, default=0) + 8, self.width * 0.42)
        totals = self.totals()
        labels = [self.number(total) for total in totals]
        value_width = max((layout.width(text) for text in labels), default=0) + 8
        plot_width = self.width - label_width - value_width
        plot_x = value_width if rtl else label_width
        plot_height = len(self.categories) * self.pitch
        bottom = self.legend_height + self.axis_height

        chart = HorizontalBarChart()
        chart.x, chart.y = plot_x, bottom
        chart.width, chart.height = plot_width, plot_height
        hide = self.small or (lambda _value: False)
        chart.data = [
            [
                0 if hide(value) or hide(total) else value
                for value, total in zip(s.values, totals, strict=True)
            ]
            for s in self.series
        ]
        chart.categoryAxis.categoryNames = [""] * len(self.categories)
        chart.categoryAxis.visibleLabels = 0
        chart.categoryAxis.visibleTicks = 0
        chart.categoryAxis.strokeColor = RULE
        chart.categoryAxis.reverseDirection = 1  # the first category on top
        if len(self.series) > 1:
            chart.categoryAxis.style = "stacked"
        chart.barSpacing = 0
        chart.groupSpacing = self.pitch * 0.3
        chart.barWidth = self.pitch * 0.7
        drawn_max = max((sum(column) for column in zip(*chart.data, strict=True)), default=0)
        self.configure_value_axis(chart.valueAxis, self.value_max or drawn_max)
        chart.valueAxis.reverseDirection = 1 if rtl else 0
        for index, item in enumerate(self.series):
            chart.bars[index].fillColor = item.color
            chart.bars[index].strokeColor = None
        drawing = Drawing(self.width, self.height)
        drawing.initialFontName = document_fonts().latin.fontName  # not Helvetica, unembedded
        drawing.add(chart)
        renderPDF.draw(drawing, self.canv, 0, 0)

        top = chart.valueAxis.valueMax
        shown_names = distinct_labels(layout, self.categories, label_width - 6)
        rows = zip(shown_names, labels, strict=True)
        for index, (shown, label) in enumerate(rows):
            middle = bottom + plot_height - (index + 0.5) * self.pitch
            baseline = middle - style.size * 0.35
            name_x = self.width - label_width + 6 if rtl else 0  # 6 pt from the plot
            draw_text(self.canv, shown, name_x, baseline, label_width - 6, style)
            drawn = sum(row[index] for row in chart.data)
            reach = plot_width * min(drawn / top, 1.0) if top else 0
            number = style.but(rtl=False, color=MUTED, align="end" if rtl else "start")
            if rtl:
                value_x = plot_x + plot_width - reach - 3 - value_width
            else:
                value_x = plot_x + reach + 3
            draw_text(self.canv, label, value_x, baseline, value_width, number)
        self.draw_legend()


class MonthColumns(_Chart):
    """One column per month, oldest on the start side (the right in Arabic, with the
    value axis there too); under each, its name and, under the first month and every
    January, the year."""

    def __init__(
        self,
        months: Sequence[tuple[str, str]],
        values: Sequence[float],
        style: TextStyle,
        width: float,
        number: Callable[[float], str],
        *,
        height: float = 42 * mm,
        color: colors.Color = PALETTE[0],
    ) -> None:
        super().__init__(
            [name for name, _year in months], [Series("", values, color)], style, width, number
        )
        self.years = [year for _name, year in months]
        self.height = height

    def wrap(self, _available_width: float, _available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        style = self.style.but(size=self.style.size * 0.85, color=MUTED, align="center")
        label_height = style.leading * 2.2
        axis_width = 26.0
        values = list(self.series[0].values)
        rtl = self.style.rtl
        chart = VerticalBarChart()
        chart.x, chart.y = (4 if rtl else axis_width), label_height
        chart.width = self.width - axis_width - 4
        chart.height = self.height - label_height - style.leading
        chart.data = [values]
        chart.categoryAxis.categoryNames = [""] * len(values)
        chart.categoryAxis.visibleTicks = 0
        chart.categoryAxis.strokeColor = RULE
        chart.barSpacing = 0
        chart.groupSpacing = 6
        chart.bars[0].fillColor = self.series[0].color
        chart.bars[0].strokeColor = None
        self.configure_value_axis(chart.valueAxis, max(values, default=0))
        if rtl:  # time runs from the right; the value axis stands on the right
            chart.categoryAxis.reverseDirection = 1
            chart.valueAxis.joinAxisMode = "right"
            chart.valueAxis.labels.boxAnchor = "w"
            chart.valueAxis.labels.dx = 4
        drawing = Drawing(self.width, self.height)
        drawing.initialFontName = document_fonts().latin.fontName  # not Helvetica, unembedded
        drawing.add(chart)
        renderPDF.draw(drawing, self.canv, 0, 0)
        slot = chart.width / max(len(values), 1)
        top = chart.valueAxis.valueMax
        rows = zip(self.categories, self.years, values, strict=True)
        for index, (name, year, value) in enumerate(rows):
            place = len(values) - 1 - index if rtl else index
            x = chart.x + place * slot
            first_line = label_height - style.leading * 0.9
            draw_text(self.canv, name, x, first_line, slot, style)
            if year:
                draw_text(self.canv, year, x, first_line - style.leading, slot, style)
            reach = chart.height * min(value / top, 1.0) if top else 0
            draw_text(
                self.canv, self.number(value), x, chart.y + reach + 2, slot, style.but(rtl=False)
            )
