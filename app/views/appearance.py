"""Interface zoom and the high-contrast theme, applied to the whole application.

The zoom scales the application font (10 pt at 100 %), which every layout follows; the
level is kept as a property of the QApplication so that a change of language, which
sets the fonts again, keeps it. High contrast is a palette: black on white text,
dark blue selection, strong borders; colours already say nothing alone (a word or a
sign is beside each), so the palette may drop them.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

BASE_POINTS = 10
ZOOM_PROPERTY = "passerelleZoomPercent"
ZOOM_LEVELS = (100, 125, 150, 175, 200)
HIGH_CONTRAST_STYLE = """
QWidget:focus { outline: 2px solid #000000; }
QPushButton, QComboBox, QLineEdit, QPlainTextEdit, QSpinBox, QDateEdit {
    border: 2px solid #000000; }
"""


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
    app.setPalette(high_contrast_palette() if high_contrast else app.style().standardPalette())
    app.setStyleSheet(HIGH_CONTRAST_STYLE if high_contrast else "")


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
