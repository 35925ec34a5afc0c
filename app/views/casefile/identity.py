"""The identity section: who the person is, read first, edited on demand; consents; release.

The form shows values as text until "Edit"; "Save" sends only the fields that changed
and shows each refusal next to its field. An edit in progress is never overwritten by
a reload (another section saving, the window unlocking): it stays exactly as typed.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.security.permissions import Permission, may
from app.services import beneficiaries, organisation
from app.services.errors import ServiceError, ValidationFailed
from app.services.identity_entries import IdentityEntry, identity
from app.views.app_state import AppState
from app.views.casefile.access_export import AccessExportDialog
from app.views.casefile.consent_panel import ConsentPanel, ReleaseDialog, confirm
from app.views.casefile.identity_fields import GROUPS, Field, FieldSpec, normalised, start_side
from app.views.casefile.section import CaseSection
from app.views.labels import choices, label_for
from app.views.record_forms import (
    ChoiceCombo,
    MessageBanner,
    OptionalDateEdit,
    format_date,
)
from passerelle_core.enums import CaseStatus, LegalStatus, Sex


class IdentitySection(CaseSection):
    """Always content (no empty state); whether the case is closed shows above."""

    def __init__(
        self, state: AppState, beneficiary_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(state, beneficiary_id, parent)
        self.person: IdentityEntry | None = None
        # The values the edit started from: only what the user changed since is sent,
        # so a change saved meanwhile elsewhere (a release...) is never reverted.
        self.edit_base: IdentityEntry | None = None
        self.editing = False
        self.fields: dict[str, Field] = {}
        self.status_banner = MessageBanner()
        self.edit_button = QPushButton(_("&Edit"))
        self.save_button = QPushButton(_("&Save"))
        self.cancel_button = QPushButton(_("Cancel"))
        self.release_button = QPushButton(_("Record re&lease…"))
        self.close_button = QPushButton(_("Close the &case…"))
        self.access_button = QPushButton(_("Right of &access export…"))
        self.access_button.setVisible(may(state.ctx, Permission.EXPORT_SUBJECT_ACCESS))
        self.access_button.clicked.connect(self.export_access)
        self.edit_button.clicked.connect(self.start_editing)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.cancel_editing)
        self.release_button.clicked.connect(self.record_release)
        self.close_button.clicked.connect(self.close_case)
        content = QWidget()
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 8, 0)
        body.setSpacing(12)
        self._captions: tuple[list[QLabel], list[QLabel]] = ([], [])
        for title, specs in GROUPS:
            body.addWidget(self._group(_(title), specs))
        self._align_captions()
        self.consents = ConsentPanel(state, beneficiary_id)
        self.consents.changed.connect(self.changed)
        body.addWidget(self.consents)
        body.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        self.lay_out(
            None,
            [self.edit_button, self.save_button, self.cancel_button],
            scroll,
            trailing=[self.release_button, self.close_button, self.access_button],
            above=[self.status_banner],
        )
        save = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self._save_shortcut)
        save.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.reload()
        self._set_editing(False)

    # -- building -------------------------------------------------------------------------

    def _group(self, title: str, specs: tuple[FieldSpec, ...]) -> QGroupBox:
        """Two columns of caption and value; a grid, so rows line up across the columns."""
        box = QGroupBox(title)
        grid = QGridLayout(box)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(8)
        grid.setColumnMinimumWidth(2, 16)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(4, 1)
        rows = [0, 0]
        for spec in specs:
            field = Field(spec, self._editor(spec))
            self.fields[spec.key] = field
            caption = QLabel(_(spec.label))
            caption.setBuddy(field.editor)
            vertical = (
                Qt.AlignmentFlag.AlignTop
                if spec.kind == "multiline"
                else Qt.AlignmentFlag.AlignVCenter
            )
            caption.setAlignment(start_side() | Qt.AlignmentFlag.AlignAbsolute | vertical)
            self._captions[spec.column].append(caption)
            column = 3 * spec.column
            grid.addWidget(caption, rows[spec.column], column, vertical)
            grid.addWidget(field, rows[spec.column], column + 1)
            rows[spec.column] += 1
        return box

    def _align_captions(self) -> None:
        """Same caption width in every group, so the values line up down the page."""
        for captions in self._captions:
            width = max(caption.sizeHint().width() for caption in captions)
            for caption in captions:
                caption.setMinimumWidth(width)

    def _editor(self, spec: FieldSpec) -> QWidget:
        today = self.state.ctx.today()
        if spec.kind in ("text", "arabic"):
            line = QLineEdit()
            line.returnPressed.connect(self._save_shortcut)  # Enter saves, like a default button
            if spec.key == "cin":
                line.setPlaceholderText(_("e.g. AB123456"))
            return line
        if spec.kind == "multiline":
            text = QPlainTextEdit()
            text.setTabChangesFocus(True)
            text.setFixedHeight(64)
            return text
        if spec.kind == "date":
            default = today - timedelta(days=365 * 30) if spec.key == "birth_date" else today
            return OptionalDateEdit(_("Known"), default)
        combo = ChoiceCombo()
        combo.set_choices(self._entries(spec.kind))
        return combo

    def _entries(self, kind: str) -> list[tuple[str, Any]]:
        ctx = self.state.ctx
        if kind == "sex":
            return [(_("Not specified"), None), *choices(Sex)]
        if kind == "legal":
            return list(choices(LegalStatus))
        if kind == "facility":
            facilities = organisation.list_facilities(ctx)
            return [(_("None"), None)] + [(f.name, f.id) for f in facilities]
        # Former colleagues stay listed (a case may still name one), marked as such.
        former = _("{name} (no longer active)")
        staff = organisation.list_staff(ctx, include_inactive=True)
        return [(_("Nobody"), None)] + [
            (member.full_name if member.active else former.format(name=member.full_name), member.id)
            for member in staff
        ]

    # -- reading --------------------------------------------------------------------------

    def reload(self) -> None:
        """Show the stored values, unless an edit is in progress: that is kept as typed."""
        self.person = identity(self.state.ctx, self.beneficiary_id)
        self.consents.sex = self.person.sex
        self.consents.reload()
        self._show_status(self.person)
        if not self.editing:
            self._fill(self.person)

    def _fill(self, person: IdentityEntry) -> None:
        for key, field in self.fields.items():
            field.set_value(getattr(person, key))
            field.show_error(None)
        # The value names the person: "Condamnée" for a woman, as on the documents.
        self.fields["legal_status"].show_text(label_for(person.legal_status, person.sex))

    def _show_status(self, person: IdentityEntry) -> None:
        closed = person.case_status is CaseStatus.CLOSED
        if closed:
            text = _("This case was closed on {date}.").format(date=format_date(person.closed_on))
            if person.anonymised_on is not None:
                text = _(
                    "This case was closed on {date}; its retention period ended on "
                    "{anonymised} and the person's identity was erased."
                ).format(
                    date=format_date(person.closed_on), anonymised=format_date(person.anonymised_on)
                )
            self.status_banner.show_info(text)
        else:
            self.status_banner.clear_message()
        self.close_button.setEnabled(not closed)
        self.release_button.setEnabled(person.legal_status is not LegalStatus.RELEASED)

    # -- editing --------------------------------------------------------------------------

    def _set_editing(self, editing: bool) -> None:
        self.editing = editing
        for field in self.fields.values():
            field.set_editing(editing)
        self.edit_button.setVisible(not editing)
        self.save_button.setVisible(editing)
        self.cancel_button.setVisible(editing)
        self.save_button.setDefault(editing)

    def start_editing(self) -> None:
        self.banner.clear_message()
        self.person = identity(self.state.ctx, self.beneficiary_id)
        self.edit_base = self.person
        self._fill(self.person)
        self._set_editing(True)
        self.fields["last_name"].editor.setFocus()

    def cancel_editing(self) -> None:
        self.banner.clear_message()
        self._set_editing(False)
        self.reload()

    def changes(self) -> dict[str, Any]:
        """The fields the user changed since editing started (cleared fields as "")."""
        base = self.edit_base
        if base is None:
            return {}
        found = {}
        for key, field in self.fields.items():
            value = field.value()
            if normalised(value) != normalised(getattr(base, key)):
                found[key] = value
        return found

    def _save_shortcut(self) -> None:
        if self.editing:
            self.save()

    def save(self) -> bool:
        """Send only the changed fields; refusals appear next to their fields."""
        self.banner.clear_message()
        for field in self.fields.values():
            field.show_error(None)
        changes = self.changes()
        if not changes:
            self.cancel_editing()
            return True
        try:
            beneficiaries.update(self.state.ctx, self.beneficiary_id, changes)
        except ValidationFailed as error:
            self._show_field_errors(error)
            return False
        except ServiceError as error:
            self.banner.show_error(str(error))
            return False
        self._set_editing(False)
        self.saved()
        return True

    def _show_field_errors(self, error: ValidationFailed) -> None:
        elsewhere = []
        first: Field | None = None
        for field_error in error.errors:
            field = self.fields.get(field_error.field)
            if field is None:
                elsewhere.append(field_error.message)
                continue
            field.show_error(field_error.message)
            first = first or field
        self.banner.show_error(
            "\n".join(elsewhere) if elsewhere else _("Correct the fields marked in red.")
        )
        if first is not None:
            first.editor.setFocus()

    # -- release and closing --------------------------------------------------------------

    def record_release(self) -> ReleaseDialog | None:
        if self.person is None:
            return None
        dialog = ReleaseDialog(self.state, self.person, self)
        self.open_dialog(dialog)
        return dialog

    def close_case(self) -> QMessageBox:
        text = _(
            "Close this case today? The person is no longer followed; the file stays "
            "readable until its retention period ends."
        )
        return confirm(self, _("Close the case"), text, self._close_now)

    def export_access(self) -> AccessExportDialog:
        """Everything held on the person, for them (right of access): PDF and JSON."""
        dialog = AccessExportDialog(self.state, self.beneficiary_id, self)
        dialog.saved.connect(
            lambda written: self.banner.show_info(
                _("Written: {pdf} and {json}.").format(pdf=written.pdf, json=written.json)
            )
        )
        self.dialog = dialog
        dialog.open()
        return dialog

    def _close_now(self) -> None:
        self.run(lambda: beneficiaries.close_case(self.state.ctx, self.beneficiary_id))
