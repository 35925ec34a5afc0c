"""Interface zoom and the high-contrast theme, applied to the whole application.

The zoom scales the application font (10 pt at 100 %), which every layout follows; the
level is kept as a property of the QApplication so that a change of language, which
sets the fonts again, keeps it. High contrast is a palette: black on white text,
dark blue selection, strong borders; colours already say nothing alone (a word or a
sign is beside each), so the palette may drop them.

Screens colour some words and cells themselves (muted hints, tones of a status, the red
of an overdue date). Under high contrast those colours give way, in one place rather
than in every screen: :class:`ContrastEnforcer` rewrites the colours of every widget's
style sheet to the theme's black and white (and puts them back when the theme is left),
and item delegates drop cell colours (:func:`high_contrast_on`).
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QWidget

BASE_POINTS = 10
ZOOM_PROPERTY = "passerelleZoomPercent"
ZOOM_LEVELS = (100, 125, 150, 175, 200)
CONTRAST_PROPERTY = "passerelleHighContrast"
ORIGINAL_STYLE = "passerelleStyleSheet"
"""A widget's own style sheet, kept while high contrast has rewritten its colours."""
FOREGROUND, BACKGROUND = "#000000", "#ffffff"
_COLOUR = re.compile(
    r"#[0-9a-fA-F]{3,8}\b|rgba?\([^)]*\)|palette\([a-z-]+\)"
    r"|\b(?:white|black|red|green|blue|navy|gray|grey|silver|orange|yellow|purple|maroon"
    r"|dark(?:red|green|blue|gray|grey|orange)|light(?:gray|grey|blue|green|yellow))\b"
)
_RULE = re.compile(r"([^{}]*)\{([^{}]*)\}")
_DECLARATION = re.compile(r"(?:\A|(?<=;))(?P<space>\s*)(?P<name>[a-z-]+)\s*:\s*(?P<value>[^;]*)")
HIGH_CONTRAST_STYLE = """
QWidget:focus { outline: 2px solid #000000; }
QPushButton, QToolButton, QComboBox, QLineEdit, QPlainTextEdit, QSpinBox, QDateEdit {
    border: 2px solid #000000; }
QPushButton, QToolButton { padding: 3px 8px; }
QToolButton[popupMode="2"] { padding: 3px 18px; }
QComboBox { padding: 1px 6px; }
QPushButton:disabled, QToolButton:disabled { border-color: #595959; }
"""
"""Strong borders on every control, the native grey ones included (tool buttons), and
room inside them: a 2 px border without padding let text touch it and a menu button's
arrow cover its last letter."""


def zoom_percent(app: QApplication) -> int:
    value = app.property(ZOOM_PROPERTY)
    return int(value) if isinstance(value, int) and value > 0 else 100


def point_size(app: QApplication) -> int:
    """The application font size at the current zoom."""
    return round(BASE_POINTS * zoom_percent(app) / 100)


def apply_appearance(app: QApplication, zoom: int, high_contrast: bool) -> None:
    """Scale the application font to ``zoom`` percent and set the palette."""
    app.setProperty(ZOOM_PROPERTY, zoom)
    font = QFont(app.font())
    font.setPointSize(point_size(app))
    app.setFont(font)
    app.setProperty(CONTRAST_PROPERTY, high_contrast)
    app.setPalette(high_contrast_palette() if high_contrast else app.style().standardPalette())
    app.setStyleSheet(HIGH_CONTRAST_STYLE if high_contrast else "")
    enforcer = app.findChild(ContrastEnforcer)
    if high_contrast and enforcer is None:
        enforcer = ContrastEnforcer(app)
        app.installEventFilter(enforcer)
    if enforcer is not None:
        for widget in app.allWidgets():
            enforcer.restyle(widget)


def high_contrast_on() -> bool:
    app = QApplication.instance()
    return app is not None and bool(app.property(CONTRAST_PROPERTY))


HIGH_CONTRAST_FILLS = (
    Qt.BrushStyle.SolidPattern,
    Qt.BrushStyle.BDiagPattern,
    Qt.BrushStyle.Dense4Pattern,
    Qt.BrushStyle.CrossPattern,
)


def ink(colour: str | QColor) -> QColor:
    """A colour drawn by a painter (text, axis, grid): black under high contrast."""
    return QColor(FOREGROUND) if high_contrast_on() else QColor(colour)


def fill(colour: str | QColor, series: int = 0) -> QBrush:
    """A chart's bar or legend fill; under high contrast, black in a pattern per series."""
    if high_contrast_on():
        pattern = HIGH_CONTRAST_FILLS[series % len(HIGH_CONTRAST_FILLS)]
        return QBrush(QColor(FOREGROUND), pattern)
    return QBrush(QColor(colour))


def contrasted(style: str) -> str:
    """``style`` with every colour black (text, borders, a bar's filled part) or white
    (backgrounds)."""
    if "{" not in style:
        return _declarations(style, filled=False)
    return _RULE.sub(
        lambda rule: f"{rule.group(1)}{{{_declarations(rule.group(2), _filled(rule.group(1)))}}}",
        style,
    )


def _filled(selector: str) -> bool:
    """A bar's filled part and a selected item are drawn inverted (black, white text):
    a selected item in white on white would vanish (the navigation's current page)."""
    return "chunk" in selector or bool(re.search(r"(?<!!):selected", selector))


def _declarations(body: str, filled: bool) -> str:
    def declaration(match: re.Match[str]) -> str:
        name = match.group("name")
        back = name.startswith("background") and not filled
        if filled and name == "color":
            back = True  # the text on a filled part: white on black
        value = _COLOUR.sub(BACKGROUND if back else FOREGROUND, match.group("value"))
        return f"{match.group('space')}{name}: {value}"

    return _DECLARATION.sub(declaration, body)


class ContrastEnforcer(QObject):
    """Keeps widgets' own style sheets free of colours while high contrast is on: a sheet
    set later (a hint turning to a warning) is rewritten when Qt applies it."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() in (QEvent.Type.Polish, QEvent.Type.StyleChange) and isinstance(
            watched, QWidget
        ):
            self.restyle(watched)
        return False

    def restyle(self, widget: QWidget) -> None:
        sheet = widget.styleSheet()
        original = widget.property(ORIGINAL_STYLE)
        if not high_contrast_on():
            if isinstance(original, str):
                widget.setProperty(ORIGINAL_STYLE, None)
                widget.setStyleSheet(original)
            return
        if not sheet:
            return
        if isinstance(original, str) and sheet == contrasted(original):
            return  # ours already
        rewritten = contrasted(sheet)
        if rewritten != sheet:
            widget.setProperty(ORIGINAL_STYLE, sheet)
            widget.setStyleSheet(rewritten)


def high_contrast_palette() -> QPalette:
    palette = QPalette()
    black, white, navy = QColor("#000000"), QColor("#ffffff"), QColor("#00205b")
    role = QPalette.ColorRole
    for which, colour in (
        (role.Window, white),
        (role.WindowText, black),
        (role.Base, white),
        (role.AlternateBase, QColor("#f0f0f0")),
        (role.Text, black),
        (role.Button, white),
        (role.ButtonText, black),
        (role.Highlight, navy),
        (role.HighlightedText, white),
        (role.ToolTipBase, white),
        (role.ToolTipText, black),
        (role.Link, navy),
        (role.PlaceholderText, QColor("#404040")),
    ):
        palette.setColor(which, colour)
    palette.setColor(QPalette.ColorGroup.Disabled, role.Text, QColor("#595959"))
    palette.setColor(QPalette.ColorGroup.Disabled, role.ButtonText, QColor("#595959"))
    palette.setColor(QPalette.ColorGroup.Disabled, role.WindowText, QColor("#595959"))
    return palette
