"""The right-of-access export of a case file: the folder and the language, then one click.

Everything held on the person is written as a PDF and a JSON file
(:func:`app.reports.subject_access.export_subject_access`), off the GUI thread. The
dialog says plainly that the files leave the encrypted store, and where they went.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.i18n import _
from app.services.errors import ServiceError
from app.views.app_state import AppState
from app.views.record_forms import ChoiceCombo, RecordDialog
from app.views.tasks import run_in_background

if TYPE_CHECKING:  # reportlab loads when the export is asked for, not with every case file
    from app.reports.subject_access import AccessExport

# Languages are named in their own script: whoever needs them can read them.
DOCUMENT_LANGUAGES = (("Français", "fr"), ("العربية", "ar"))


class AccessExportDialog(RecordDialog):
    """``saved`` carries the :class:`AccessExport` once both files are written."""

    def __init__(
        self, state: AppState, beneficiary_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(_("Right of access export"), parent)
        self.state, self.beneficiary_id = state, beneficiary_id
        self.written: AccessExport | None = None
        self.set_intro(
            _(
                "Everything Passerelle holds on this person is written to two files: a PDF "
                "to read and a JSON file for computers. The files are not encrypted: give "
                "them to the person, then delete them from this computer."
            )
        )
        self.language = ChoiceCombo()
        self.language.set_choices(DOCUMENT_LANGUAGES)
        self.language.select(state.settings.report_language)
        self.folder = QLineEdit()
        self.folder.setReadOnly(True)
        self.folder.setPlaceholderText(_("Choose where to write the files"))
        choose = QPushButton(_("&Choose…"))
        choose.clicked.connect(self.choose_folder)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.folder, 1)
        row.addWidget(choose)
        holder = QWidget()
        holder.setLayout(row)
        self.add_row(_("&Language:"), self.language)
        self.add_row(_("&Folder:"), holder)
        self.save_button.setText(_("&Export"))

    def choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, _("Choose a folder"))
        if chosen:
            self.folder.setText(chosen)

    def accept(self) -> None:
        """Write both files off the GUI thread; the dialog closes once they are written."""
        if not self.folder.text():
            self.show_error(_("Choose the folder to write the files to."))
            return
        self.error.clear_message()
        self.buttons.setEnabled(False)
        from app.reports.subject_access import export_subject_access

        ctx, folder, language = self.state.ctx, Path(self.folder.text()), self.language.value()
        run_in_background(
            lambda: export_subject_access(ctx, self.beneficiary_id, folder, language),
            self._written,
            self._failed,
        )

    def _written(self, written: AccessExport) -> None:
        self.written = written
        self.saved.emit(written)
        QDialog.accept(self)  # RecordDialog.accept would submit again

    def _failed(self, error: Exception) -> None:
        self.buttons.setEnabled(True)
        if isinstance(error, ServiceError):
            self.show_error(error)
        elif isinstance(error, OSError):
            self.show_error(
                _("The files could not be written: {reason}").format(
                    reason=error.strerror or type(error).__name__
                )
            )
        else:
            self.show_error(_("The export could not be made. Nothing was written."))
