"""The Qt check of the self-test: Qt's libraries, a platform plugin and the fonts load.

It uses the offscreen platform, so it runs the same on a laptop, over SSH and in CI;
what it proves is that the bundle carries Qt and its plugins, not that a display works.
"""

from __future__ import annotations

import sys

from app.i18n import _
from app.reports.fonts import FONTS_DIR
from app.selftest.checks import CheckFailed

FONT = FONTS_DIR / "NotoSansArabic-Regular.ttf"
SAMPLE = "اختبار Passerelle"


def check_qt() -> str:
    """Start a headless QGuiApplication and draw Latin and Arabic text with a bundled font."""
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QImage, QPainter

    app = QCoreApplication.instance() or QGuiApplication([sys.argv[0], "-platform", "offscreen"])
    if not isinstance(app, QGuiApplication):
        raise CheckFailed(_("another kind of Qt application is already running"))
    font_id = QFontDatabase.addApplicationFont(str(FONT))
    if font_id < 0:
        raise CheckFailed(_("Qt cannot load the bundled fonts"))
    image = QImage(240, 48, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    painter.setFont(QFont(QFontDatabase.applicationFontFamilies(font_id)[0], 18))
    painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, SAMPLE)
    painter.end()
    inked = sum(
        1
        for y in range(image.height())
        for x in range(image.width())
        if image.pixelColor(x, y).lightness() < 128
    )
    if inked < 100:
        raise CheckFailed(_("Qt drew no text"))
    return _("{platform} platform, text drawn with the bundled fonts").format(
        platform=QGuiApplication.platformName()
    )
