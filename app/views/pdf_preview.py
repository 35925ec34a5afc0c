"""Preview, print or save a PDF held in memory: nothing reaches the disk unless asked.

A plan summary carries a person's identity and needs. Opening it in the system viewer
would mean a plaintext temporary file outside the encrypted store; here the pages are
rendered in memory by PDFium (``pypdfium2``), off the GUI thread, and printed through
Qt's print dialog by painting the same pages at the printer's resolution.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.reports.files import write_bytes
from app.views.export_warning import confirm_export
from app.views.tasks import run_in_background

PREVIEW_DPI = 92  # an A4 page about 760 pixels wide: the whole width in view
POINTS_PER_INCH = 72


def page_count(data: bytes) -> int:
    document = pdfium.PdfDocument(data)
    try:
        return len(document)
    finally:
        document.close()


def render_pages(data: bytes, dpi: float, first: int = 0, last: int | None = None) -> list[QImage]:
    """Pages ``first``..``last`` as images (QImage is safe to make outside the GUI thread)."""
    document = pdfium.PdfDocument(data)
    try:
        end = len(document) if last is None else min(last + 1, len(document))
        return [_render(document[index], dpi) for index in range(first, end)]
    finally:
        document.close()


def _render(page: pdfium.PdfPage, dpi: float) -> QImage:
    bitmap = page.render(scale=dpi / POINTS_PER_INCH, rev_byteorder=True)
    image = QImage(
        bytes(bitmap.buffer), bitmap.width, bitmap.height, bitmap.stride,
        QImage.Format.Format_RGB888,
    )  # fmt: skip
    return image.copy()  # detached from the buffer PDFium frees


def print_pdf(data: bytes, printer: QPrinter) -> int:
    """Paint every page on ``printer``, fitted to its page; returns the pages printed."""
    count = page_count(data)
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError(_("The printer could not be opened."))
    try:
        for index in range(count):
            if index:
                printer.newPage()
            [image] = render_pages(data, printer.resolution(), index, index)
            area = painter.viewport()
            size = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.setViewport(area.x(), area.y(), size.width(), size.height())
            painter.setWindow(image.rect())
            painter.drawImage(0, 0, image)
            painter.setViewport(area)
    finally:
        painter.end()
    return count


class PdfPreviewDialog(QDialog):
    """The document's pages, with Print… and Save as… ; closing it forgets the document."""

    pages_shown = Signal(int)

    def __init__(
        self, data: bytes, title: str, file_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.data = data
        self.file_name = file_name
        self.setWindowTitle(title)
        self.resize(860, 920)
        self.status = QLabel(_("Preparing the preview…"))
        self.pages = QWidget()
        self.pages_layout = QVBoxLayout(self.pages)
        self.pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.pages_layout.setSpacing(16)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.pages)
        scroll.setStyleSheet("QScrollArea { background: #d9dee3; }")
        self.pages.setStyleSheet("background: #d9dee3;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.print_button = QPushButton(_("&Print…"))
        self.save_button = QPushButton(_("&Save as PDF…"))
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.print_button.clicked.connect(self.choose_printer)
        self.save_button.clicked.connect(self.choose_file)
        self.print_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        run_in_background(
            lambda: render_pages(data, PREVIEW_DPI), self._show_pages, self._show_error
        )

    def page_labels(self) -> list[QLabel]:
        return self.pages.findChildren(QLabel, "pdfPage")

    def _show_pages(self, images: list[QImage]) -> None:
        for image in images:
            label = QLabel()
            label.setObjectName("pdfPage")
            label.setPixmap(QPixmap.fromImage(image))
            label.setStyleSheet("border: 1px solid #aab4bd; background: white;")
            self.pages_layout.addWidget(label)
        self.status.setText(
            ngettext(
                "{count} page. Nothing is written to the disk unless you save it.",
                "{count} pages. Nothing is written to the disk unless you save it.",
                len(images),
            ).format(count=len(images))
        )
        self.pages_shown.emit(len(images))

    def _show_error(self, _error: Exception) -> None:
        self.status.setText(_("The preview could not be shown; the document can still be saved."))

    def choose_printer(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def print_to(self, printer: QPrinter) -> None:
        try:
            print_pdf(self.data, printer)
        except OSError as error:
            QMessageBox.warning(self, _("Printing"), str(error))

    def choose_file(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save as PDF"), self.file_name, _("PDF documents (*.pdf)")
        )
        if path and confirm_export(self, Path(path)):
            self.save_to(Path(path))

    def save_to(self, path: Path) -> None:
        try:
            write_bytes(self.data, path)
        except OSError:
            QMessageBox.warning(
                self, _("Save as PDF"), _("The file could not be written there; nothing was lost.")
            )
