"""The warning shown before personal data leaves the encrypted profile (print, export).

For the export and print actions: call :func:`confirm_export` with the file the person
chose, before writing it; nothing is written when it returns False. Documents are
written only where the person chose (the report writers use a temporary name in the
same folder, never the system's temporary folder), so this warning is the one place
that says the copy is no longer protected.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QCheckBox, QMessageBox, QWidget

from app.i18n import _


def export_warning_text(target: Path | None) -> str:
    text = _(
        "This file leaves Passerelle's encrypted store: anyone who can open it can read "
        "the personal data it holds. Keep it only as long as needed, on an encrypted "
        "drive or in a locked place, and delete it afterwards."
    )
    if target is not None:
        text += "\n\n" + _("It will be written to: {path}").format(path=target)
    return text


class ExportWarning(QMessageBox):
    """The dialog itself, for callers that open it window-modally (``open()``)."""

    def __init__(self, target: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(
            QMessageBox.Icon.Warning,
            _("Personal data leaves the encrypted store"),
            export_warning_text(target),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
            parent,
        )
        self.setObjectName("exportWarning")
        self.setDefaultButton(QMessageBox.StandardButton.Cancel)
        self.understood = QCheckBox(_("I understand; do not warn me again in this session"))
        self.setCheckBox(self.understood)


_silenced = False


def confirm_export(parent: QWidget | None, target: Path | None) -> bool:
    """True when the person confirms writing ``target`` (blocking; once per session at most
    when they ask not to be warned again)."""
    global _silenced
    if _silenced:
        return True
    dialog = ExportWarning(target, parent)
    accepted = dialog.exec() == QMessageBox.StandardButton.Save
    if accepted and dialog.understood.isChecked():
        _silenced = True
    return accepted
