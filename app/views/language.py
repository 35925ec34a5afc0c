"""Apply a language to the whole application: messages, Qt's own dialogs, direction, fonts.

Arabic mirrors every layout (right-to-left) and uses Noto Sans Arabic, shipped in
``resources/fonts`` under the SIL Open Font License.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, Qt, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from app.i18n import set_language
from app.views.appearance import point_size

FONTS_DIR = Path(__file__).resolve().parents[2] / "resources" / "fonts"
UI_FONTS = (
    "NotoSans-Regular.ttf",
    "NotoSans-Bold.ttf",
    "NotoSansArabic-Regular.ttf",
    "NotoSansArabic-Bold.ttf",
)
LATIN_FAMILY = "Noto Sans"
ARABIC_FAMILY = "Noto Sans Arabic"
QT_LOCALES = {"ar": "ar_MA", "fr": "fr_MA", "en": "en_GB"}

_qt_translator: QTranslator | None = None
_fonts_loaded = False


def load_fonts() -> None:
    global _fonts_loaded
    if _fonts_loaded:
        return
    for name in UI_FONTS:
        QFontDatabase.addApplicationFont(str(FONTS_DIR / name))
    _fonts_loaded = True


def apply_language(app: QApplication, language: str) -> None:
    global _qt_translator
    set_language(language)
    load_fonts()
    if _qt_translator is not None:
        app.removeTranslator(_qt_translator)
        _qt_translator = None
    if language != "en":
        translator = QTranslator(app)
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if translator.load(QLocale(QT_LOCALES[language]), "qtbase", "_", folder):
            app.installTranslator(translator)
            _qt_translator = translator
    rtl = language == "ar"
    app.setLayoutDirection(
        Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight
    )
    font = QFont(app.font())
    families = [ARABIC_FAMILY, LATIN_FAMILY] if rtl else [LATIN_FAMILY, ARABIC_FAMILY]
    font.setFamilies(families)
    font.setPointSize(point_size(app))  # the interface zoom survives a language change
    app.setFont(font)
    # Morocco's locales: Western digits in Arabic, Moroccan date conventions.
    QLocale.setDefault(QLocale(QT_LOCALES.get(language, language)))
