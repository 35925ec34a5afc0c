"""The identity form's fields, generated from a table: a read-only value, its editor, its error.

Kept apart from the section so the table of fields reads in one place. Arabic names are
shown and typed right to left whatever the interface language; other values sit beside
their caption (on the right in Arabic, even when they are written in Latin script).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_
from app.views.bidi import shown
from app.views.record_forms import ChoiceCombo, OptionalDateEdit, format_date

ERROR_STYLE = "color: #b3261e;"
EMPTY = "—"


@dataclass(frozen=True)
class FieldSpec:
    key: str  # the service's field name
    label: str  # N_() message id, with its & mnemonic
    kind: str  # text, arabic, multiline, date, sex, legal, facility, staff
    column: int  # 0 or 1 within its group


GROUPS: tuple[tuple[str, tuple[FieldSpec, ...]], ...] = (
    (
        N_("Identity"),
        (
            FieldSpec("last_name", N_("&Last name:"), "text", 0),
            FieldSpec("first_name", N_("&First name:"), "text", 0),
            FieldSpec("last_name_ar", N_("Last name (Arabic):"), "arabic", 1),
            FieldSpec("first_name_ar", N_("First name (Arabic):"), "arabic", 1),
            FieldSpec("cin", N_("C&IN:"), "text", 0),
            FieldSpec("registration_number", N_("Re&gistration number:"), "text", 1),
            FieldSpec("birth_date", N_("&Birth date:"), "date", 0),
            FieldSpec("sex", N_("Se&x:"), "sex", 1),
        ),
    ),
    (
        N_("Custody and follow-up"),
        (
            FieldSpec("facility_id", N_("Facilit&y:"), "facility", 0),
            FieldSpec("legal_status", N_("Legal stat&us:"), "legal", 0),
            FieldSpec("assigned_staff_id", N_("Assigned &to:"), "staff", 0),
            FieldSpec("intake_date", N_("I&ntake date:"), "date", 1),
            FieldSpec("expected_release_date", N_("Ex&pected release:"), "date", 1),
            FieldSpec("actual_release_date", N_("Actual rele&ase:"), "date", 1),
        ),
    ),
    (
        N_("Contact"),
        (
            FieldSpec("phone", N_("P&hone:"), "text", 0),
            FieldSpec("address", N_("A&ddress:"), "multiline", 0),
            FieldSpec("contact_person", N_("Contact pe&rson:"), "text", 1),
            FieldSpec("contact_phone", N_("Contact p&erson's phone:"), "text", 1),
        ),
    ),
)


class Field(QWidget):
    """One value: a read-only text, or its editor while editing, and its error below."""

    def __init__(self, spec: FieldSpec, editor: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec, self.editor = spec, editor
        self.display = QLabel()
        self.display.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.display.setWordWrap(True)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        if spec.kind == "arabic":
            # Arabic script reads right to left whatever the interface language.
            for widget in (self.display, editor):
                widget.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
            self.display.setAlignment(absolute(Qt.AlignmentFlag.AlignRight))
        else:
            # Next to the caption, whatever the script of the value (Latin in Arabic too).
            self.display.setAlignment(absolute(start_side()))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.display)
        layout.addWidget(editor)
        layout.addWidget(self.error)
        self.setFocusProxy(editor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_editing(self, editing: bool) -> None:
        self.display.setVisible(not editing)
        self.editor.setVisible(editing)

    def value(self) -> Any:
        editor = self.editor
        if isinstance(editor, QLineEdit):
            return editor.text().strip()
        if isinstance(editor, QPlainTextEdit):
            return editor.toPlainText().strip()
        if isinstance(editor, OptionalDateEdit):
            return editor.value()
        if isinstance(editor, ChoiceCombo):
            return editor.value()
        raise TypeError(type(editor))

    def set_value(self, value: Any) -> None:
        editor = self.editor
        if isinstance(editor, QLineEdit):
            editor.setText(value or "")
        elif isinstance(editor, QPlainTextEdit):
            editor.setPlainText(value or "")
        elif isinstance(editor, OptionalDateEdit):
            editor.set_value(value)
        elif isinstance(editor, ChoiceCombo):
            editor.select(value)
        self.show_text(self._text(value))

    def show_text(self, text: str) -> None:
        """What the read-only value says (number runs kept whole in Arabic)."""
        self.display.setText(shown(text))
        self.display.setStyleSheet("" if text != EMPTY else "color: #8a949c;")

    def _text(self, value: Any) -> str:
        if value is None or value == "":
            return EMPTY
        if isinstance(value, date):
            return format_date(value)
        if isinstance(self.editor, ChoiceCombo):
            values = self.editor.values()
            return self.editor.itemText(values.index(value)) if value in values else EMPTY
        return str(value)

    def show_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))


def start_side() -> Qt.AlignmentFlag:
    """The side where lines start in the interface language."""
    rtl = QGuiApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
    return Qt.AlignmentFlag.AlignRight if rtl else Qt.AlignmentFlag.AlignLeft


def absolute(side: Qt.AlignmentFlag) -> Qt.AlignmentFlag:
    return side | Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignVCenter


def normalised(value: Any) -> Any:
    """Empty text and None mean the same: no value."""
    return None if value == "" else value
