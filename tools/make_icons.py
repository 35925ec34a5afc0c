"""Render the application icon (resources/icons/passerelle.svg) to the files installers use.

    .venv/bin/python tools/make_icons.py

PNG sizes for the Linux desktop entry and the window icon, and a multi-size .ico for
the Windows executable. The outputs are committed: rerun only after editing the SVG.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image  # noqa: E402  (reportlab's dependency, always installed)
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(renderer: QSvgRenderer, size: int, out: Path) -> None:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    if not image.save(str(out)):
        raise SystemExit(f"cannot write {out}")


def main() -> int:
    QGuiApplication(sys.argv)
    renderer = QSvgRenderer(str(ICONS / "passerelle.svg"))
    if not renderer.isValid():
        raise SystemExit("invalid SVG")
    for size in PNG_SIZES:
        render(renderer, size, ICONS / f"passerelle-{size}.png")
    largest = Image.open(ICONS / "passerelle-256.png")
    largest.save(ICONS / "passerelle.ico", sizes=[(size, size) for size in ICO_SIZES])
    return 0


if __name__ == "__main__":
    sys.exit(main())
