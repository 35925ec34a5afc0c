"""Documents of a case file: attach scanned papers and photos, view them, save a copy.

Nothing is opened in another program: a PDF is rendered by PDFium from the bytes in
memory (:mod:`app.views.pdf_preview`), an image by Qt from the same bytes, so viewing
never writes the document in clear to the disk. "Save a copy" is an export, after the
same warning as every file leaving the encrypted store.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.models import CaseDocument
from app.services import documents
from app.services.errors import ServiceError
from app.views.app_state import AppState
from app.views.casefile.section import CaseSection
from app.views.export_warning import confirm_export
from app.views.pdf_preview import PdfPreviewDialog
from app.views.record_forms import (
    ChoiceCombo,
    EmptyState,
    OptionalDateEdit,
    RecordDialog,
    format_date,
    select_first,
)
from passerelle_core.enums import DocumentKind

ROLE = Qt.ItemDataRole.UserRole
FILE_FILTER = "*.pdf *.jpg *.jpeg *.png"


class AttachDialog(RecordDialog):
    """Choose a file, say what it is; its content is copied into the encrypted profile."""

    def __init__(
        self,
        state: AppState,
        beneficiary_id: uuid.UUID,
        parent: QWidget | None = None,
        *,
        kind: DocumentKind = DocumentKind.OTHER,
        path: Path | None = None,
        plan_id: uuid.UUID | None = None,
    ) -> None:
        super().__init__(_("Attach a document"), parent)
        self.state, self.beneficiary_id, self.plan_id = state, beneficiary_id, plan_id
        self.set_intro(
            _(
                "PDF documents and JPEG or PNG photos. The file is copied into the encrypted "
                "profile: you may delete your scan afterwards."
            )
        )
        self.path = QLineEdit(str(path) if path else "")
        self.path.setPlaceholderText(_("No file chosen"))
        choose = QPushButton(_("C&hoose…"))
        choose.clicked.connect(self.choose_file)
        file_row = QWidget()
        row = QHBoxLayout(file_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.path, 1)
        row.addWidget(choose)
        self.kind = ChoiceCombo()
        self.kind.set_choices([(documents.kind_label(k), k) for k in DocumentKind])
        self.kind.select(kind)
        self.plan_hint = QLabel(_("It will be attached to the current action plan."))
        self.plan_hint.setStyleSheet("color: #55606a;")
        today = state.ctx.today()
        self.document_date = OptionalDateEdit(_("Dated"), today)
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(70)
        self.add_row(_("&File:"), file_row, "source")
        self.add_row(_("&Type:"), self.kind, "kind")
        self.form.addRow("", self.plan_hint)
        self.add_row(_("&Date:"), self.document_date, "document_date")
        self.add_row(_("&Note:"), self.note, "note")
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        self.resize(560, self.sizeHint().height())

    def choose_file(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self, _("Attach a document"), "", _("Documents and photos ({patterns})").format(
                patterns=FILE_FILTER
            )
        )  # fmt: skip
        if chosen:
            self.path.setText(chosen)

    def _kind_changed(self) -> None:
        signed = self.kind.value() is DocumentKind.SIGNED_PLAN
        self.form.setRowVisible(self.plan_hint, signed)

    def submit(self) -> CaseDocument:
        text = self.path.text().strip()
        if not text:
            raise ServiceError(_("Choose the file to attach."))
        day: date | None = self.document_date.value()
        return documents.attach(
            self.state.ctx,
            self.beneficiary_id,
            Path(text),
            self.kind.value(),
            day,
            self.note.toPlainText(),
            self.plan_id if self.kind.value() is DocumentKind.SIGNED_PLAN else None,
        )


class ImageViewDialog(QDialog):
    """A photo shown from memory, with "Save a copy…" after the export warning."""

    def __init__(
        self, data: bytes, title: str, file_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.data, self.file_name = data, file_name
        self.setWindowTitle(title)
        self.resize(820, 680)
        image = QImage.fromData(data)
        self.image = QLabel()
        self.image.setObjectName("documentImage")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        if image.isNull():
            self.image.setText(_("This image cannot be shown."))
        else:
            self.image.setPixmap(QPixmap.fromImage(image))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.image)
        note = QLabel(_("Nothing is written to the disk unless you save a copy."))
        note.setStyleSheet("color: #55606a;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        save = QPushButton(_("&Save a copy…"))
        buttons.addButton(save, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        save.clicked.connect(self.choose_file)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)

    def choose_file(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, _("Save a copy"), self.file_name)
        if path and confirm_export(self, Path(path)):
            Path(path).write_bytes(self.data)


def view_document(
    state: AppState, document: documents.DocumentEntry, parent: QWidget | None
) -> QDialog:
    """The viewer for one document (ServiceError when its content is not here yet)."""
    data = documents.read(state.ctx, document.id)
    title = _("{kind} — {date}").format(
        kind=documents.kind_label(document.kind), date=format_date(document.document_date)
    )
    name = documents.default_file_name(document)
    dialog: QDialog
    if document.media_type == "application/pdf":
        dialog = PdfPreviewDialog(data, title, name, parent)
    else:
        dialog = ImageViewDialog(data, title, name, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return dialog


class DocumentsSection(CaseSection):
    """The case's documents: type, date, note, format, size, and whether it is here."""

    def __init__(
        self, state: AppState, beneficiary_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(state, beneficiary_id, parent)
        self._rows: list[documents.DocumentEntry] = []
        self.attach_button = QPushButton(_("&Attach a document…"))
        self.attach_button.clicked.connect(lambda: self.attach())
        self.empty_attach_button = QPushButton(_("&Attach a document…"))
        self.empty_attach_button.clicked.connect(lambda: self.attach())
        self.view_button = QPushButton(_("&View"))
        self.view_button.clicked.connect(self.view_selected)
        self.save_button = QPushButton(_("&Save a copy…"))
        self.save_button.clicked.connect(self.save_selected)
        self.delete_button = QPushButton(_("&Delete…"))
        self.delete_button.clicked.connect(self.delete_selected)
        self.empty_state = EmptyState(
            _("No documents yet"),
            _(
                "Attach the papers reintegration depends on: a copy of the CIN, the signed "
                "plan, a court decision, a partner's letter, a certificate."
            ),
            self.empty_attach_button,
        )
        self.table = QTreeWidget()
        self.table.setObjectName("documentsTable")
        self.table.setRootIsDecorated(False)
        self.table.setAlternatingRowColors(True)
        self.table.setHeaderLabels(
            [_("Type"), _("Date"), _("Note"), _("Format"), _("Size"), _("On this laptop")]
        )
        header = self.table.header()
        for column in (0, 1, 3, 4, 5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.table.currentItemChanged.connect(lambda *_args: self._update_buttons())
        self.table.itemActivated.connect(lambda *_args: self.view_selected())
        self.lay_out(
            self.empty_state,
            [self.attach_button, self.view_button, self.save_button],
            self.table,
            trailing=[self.delete_button],
        )
        self.reload()

    def reload(self) -> None:
        selected = self.selected()
        self._rows = documents.entries_for(self.state.ctx, self.beneficiary_id)
        self.show_content(bool(self._rows))
        if not self._rows:
            return
        self.table.clear()
        for document in self._rows:
            item = QTreeWidgetItem(
                [
                    documents.kind_label(document.kind),
                    format_date(document.document_date),
                    document.note or "",
                    documents.FORMAT_NAMES.get(document.media_type, document.media_type),
                    documents.size_text(document.size),
                    _("yes") if document.held else _("arrives with the next sync"),
                ]
            )
            item.setData(0, ROLE, document.id)
            self.table.addTopLevelItem(item)
            if selected is not None and document.id == selected.id:
                self.table.setCurrentItem(item)
        select_first(self.table)
        self._update_buttons()

    def selected(self) -> documents.DocumentEntry | None:
        item = self.table.currentItem()
        if item is None:
            return None
        document_id = item.data(0, ROLE)
        return next((row for row in self._rows if row.id == document_id), None)

    def _update_buttons(self) -> None:
        row = self.selected()
        held = row is not None and row.held
        for button in (self.view_button, self.save_button):
            button.setEnabled(held)
        self.delete_button.setEnabled(row is not None)

    def attach(self, kind: DocumentKind = DocumentKind.OTHER, path: Path | None = None) -> QDialog:
        dialog = AttachDialog(self.state, self.beneficiary_id, self, kind=kind, path=path)
        return self.open_dialog(dialog)

    def view_selected(self) -> QDialog | None:
        row = self.selected()
        if row is None:
            return None
        try:
            dialog = view_document(self.state, row, self)
        except ServiceError as error:
            self.banner.show_error(str(error))
            return None
        dialog.open()
        self.dialog = dialog
        return dialog

    def save_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save a copy"), documents.default_file_name(row)
        )
        if path and confirm_export(self, Path(path)):
            self.save_to(row.id, Path(path))

    def save_to(self, document_id: uuid.UUID, path: Path) -> None:
        try:
            documents.extract(self.state.ctx, document_id, path)
        except (ServiceError, OSError) as error:
            self.banner.show_error(str(error))

    def delete_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        answer = QMessageBox.question(
            self,
            _("Delete the document"),
            _("Delete this document from the case file, on every laptop?"),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.delete(row.id)

    def delete(self, document_id: uuid.UUID) -> None:
        self.run(lambda: documents.delete_document(self.state.ctx, document_id))
