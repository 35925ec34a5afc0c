"""Registering a new beneficiary: the few facts known at intake, both spellings of the name.

Each refusal of the service is written under its own field, so the counsellor sees at a
glance what to correct; the dialog stays open with everything typed. Before saving, the
local caseload is searched for the same person (:mod:`app.duplicates`): likely files are
listed, to open instead, or to save anyway with a reason.
"""

from __future__ import annotations

import uuid
from datetime import date

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QWidget,
)
from shiboken6 import isValid

from app.i18n import _
from app.models import Beneficiary
from app.services import organisation, registration_check
from app.services.errors import ServiceError, ValidationFailed
from app.views.app_state import AppState
from app.views.duplicate_warning import DuplicateWarning
from app.views.labels import choices
from app.views.record_forms import (
    ChoiceCombo,
    OptionalDateEdit,
    RecordDialog,
    align_to_layout,
    to_qdate,
)
from passerelle_core.enums import LegalStatus, Sex

ERROR_STYLE = "color: #b3261e;"
TYPICAL_AGE_YEARS = 30
_IDENTITY = (
    "last_name", "first_name", "last_name_ar", "first_name_ar", "cin",
    "registration_number", "birth_date", "sex",
)  # fmt: skip
"""The fields a duplicate check reads: changing one checks again before saving."""


class _FieldError(QLabel):
    """The line under a field that says what is wrong with it; its form row hides when empty."""

    def __init__(self, form: QFormLayout, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = form
        self.setWordWrap(True)
        self.setStyleSheet(ERROR_STYLE)
        align_to_layout(self)
        form.addRow("", self)
        self.row = form.rowCount() - 1
        form.setRowVisible(self.row, False)

    def show_error(self, message: str) -> None:
        self.setText(message)
        self.form.setRowVisible(self.row, True)

    def clear_error(self) -> None:
        self.clear()
        self.form.setRowVisible(self.row, False)


def _line(max_length: int, *, arabic: bool = False) -> QLineEdit:
    edit = QLineEdit()
    edit.setMaxLength(max_length)
    if arabic:
        edit.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    return edit


class RegisterDialog(RecordDialog):
    """``beneficiaries.register`` with inline field errors; ``saved`` gives the new record.

    ``open_existing`` gives the file chosen instead among the likely duplicates.
    """

    open_existing = Signal(uuid.UUID)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(_("Register a beneficiary"), parent)
        self.state = state
        today = state.ctx.today()
        self.set_intro(
            _(
                "The names are required; everything else can be completed later in the "
                "case file. The case is assigned to you."
            )
        )
        self.last_name = _line(100)
        self.first_name = _line(100)
        self.last_name_ar = _line(100, arabic=True)
        self.first_name_ar = _line(100, arabic=True)
        self.cin = _line(20)
        self.cin.setPlaceholderText(_("e.g. AB123456"))
        self.registration_number = _line(40)
        typical_birth = date(today.year - TYPICAL_AGE_YEARS, 1, 1)
        self.birth_date = OptionalDateEdit(_("Known"), typical_birth)
        self.birth_date.edit.setMaximumDate(to_qdate(today))
        self.sex = ChoiceCombo()
        self.sex.set_choices([(_("Not specified"), None), *choices(Sex)])
        self.facility = ChoiceCombo()
        facilities = organisation.list_facilities(state.ctx)
        self.facility.set_choices(
            [(_("Not specified"), None), *((f.name, f.id) for f in facilities)]
        )
        self.facility.select(organisation.home_facility_id(state.ctx))
        self.legal_status = ChoiceCombo()
        self.legal_status.set_choices(choices(LegalStatus))
        self.legal_status.select(LegalStatus.SENTENCED)
        self.expected_release_date = OptionalDateEdit(_("Known"), today)
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, _FieldError] = {}
        rows: tuple[tuple[str, str, QWidget], ...] = (
            (_("&Last name:"), "last_name", self.last_name),
            (_("&First name:"), "first_name", self.first_name),
            (_("Last name (&Arabic):"), "last_name_ar", self.last_name_ar),
            (_("First na&me (Arabic):"), "first_name_ar", self.first_name_ar),
            (_("C&IN:"), "cin", self.cin),
            (_("Re&gistration number:"), "registration_number", self.registration_number),
            (_("&Birth date:"), "birth_date", self.birth_date),
            (_("Se&x:"), "sex", self.sex),
            (_("Facilit&y:"), "facility_id", self.facility),
            (_("Legal stat&us:"), "legal_status", self.legal_status),
            (_("Expected &release:"), "expected_release_date", self.expected_release_date),
        )
        for label, name, editor in rows:
            if isinstance(editor, QComboBox):
                editor.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            self.fields[name] = editor
            self.add_row(label, editor, name)
            self.errors[name] = _FieldError(self.form)
        self.duplicates = DuplicateWarning(self)
        self.duplicates.open_existing.connect(self._open_existing)
        self.body.insertWidget(self.body.indexOf(self.error), self.duplicates)
        self._save_text = self.save_button.text()
        self._checked: tuple[object, ...] | None = None
        self.setMinimumWidth(540)
        self.last_name.setFocus()

    def values(self) -> dict[str, object]:
        return {
            "last_name": self.last_name.text(),
            "first_name": self.first_name.text(),
            "last_name_ar": self.last_name_ar.text(),
            "first_name_ar": self.first_name_ar.text(),
            "cin": self.cin.text(),
            "registration_number": self.registration_number.text(),
            "birth_date": self.birth_date.value(),
            "sex": self.sex.value(),
            "facility_id": self.facility.value(),
            "legal_status": self.legal_status.value(),
            "expected_release_date": self.expected_release_date.value(),
        }

    def accept(self) -> None:
        """Save, unless the caseload holds likely files of this person not yet shown."""
        values = self.values()
        identity = tuple(values[name] for name in _IDENTITY)
        if identity != self._checked:
            self._checked = identity
            matches = registration_check.likely_matches(self.state.ctx, values)
            if matches:  # what was refused before is shown again only if still wrong
                for line in self.errors.values():
                    line.clear_error()
                self.error.clear_message()
            self.duplicates.show_matches(matches)
            self.save_button.setText(_("Save &anyway") if matches else self._save_text)
            if matches:
                self.duplicates.reason.setFocus(Qt.FocusReason.OtherFocusReason)
                QTimer.singleShot(0, self._grow)
                return
        super().accept()

    def submit(self) -> Beneficiary:
        for line in self.errors.values():
            line.clear_error()
        self.duplicates.clear_error()
        self.error.clear_message()
        return registration_check.register(
            self.state.ctx,
            self.values(),
            not_duplicates=self.duplicates.shown_ids,
            reason=self.duplicates.reason.text(),
        )

    def _open_existing(self, beneficiary_id: uuid.UUID) -> None:
        """The person already has a file: open it, and drop this registration."""
        self.open_existing.emit(beneficiary_id)
        self.reject()

    def show_error(self, error: ServiceError | str) -> None:
        """Field errors under their field (the first one focused); the rest in the banner."""
        if not isinstance(error, ValidationFailed):
            super().show_error(error)
            return
        others = []
        first: QWidget | None = None
        for field_error in error.errors:
            if field_error.field == registration_check.REASON_FIELD:
                self.duplicates.show_error(field_error.message)
                first = first or self.duplicates.reason
                continue
            line = self.errors.get(field_error.field)
            if line is None:
                others.append(field_error.message)
                continue
            line.show_error(field_error.message)
            first = first or self.fields[field_error.field]
        if others:
            self.error.show_error("\n".join(others))
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
        QTimer.singleShot(0, self._grow)

    def _grow(self) -> None:
        """Room for the messages once the form has laid them out (wrapped lines included)."""
        if isValid(self):
            self.resize(self.width(), max(self.height(), self.sizeHint().height()))

    def field_error(self, name: str) -> str:
        """The message shown under a field ("" when none)."""
        line = self.errors[name]
        return line.text() if self.form.isRowVisible(line.row) else ""
