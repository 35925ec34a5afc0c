"""The about box: the version, where the support log is, and "Copy diagnostic" for support.

The diagnostic is the version, the platform and the log's last lines: the log holds
error types and code locations only, never case data, so it may be pasted in an email.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.diagnostics.log import log_folder
from app.diagnostics.report import diagnostic
from app.i18n import _


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("About Passerelle"))
        layout = QVBoxLayout(self)
        title = QLabel(f"<b>Passerelle</b> {__version__}")
        layout.addWidget(title)
        layout.addWidget(
            QLabel(_("Case management for social reintegration staff."), wordWrap=True)
        )
        # The path reads left to right inside an Arabic sentence (LRI ... PDI).
        where = "\u2066" + str(log_folder()) + "\u2069"
        folder = QLabel(_("Support log: {folder}").format(folder=where), wordWrap=True)
        folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(folder)
        self.copied = QLabel("")
        layout.addWidget(self.copied)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton(_("Copy diagnostic"))
        self.copy_button.setToolTip(
            _("Copies the version and the support log (no personal data) for the IT support.")
        )
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_diagnostic)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def copy_diagnostic(self) -> str:
        text = diagnostic()
        QApplication.clipboard().setText(text)
        self.copied.setText(_("Diagnostic copied: paste it in your message to support."))
        return text
