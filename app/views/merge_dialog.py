"""Merging two files: both side by side, field by field, the person picks each value.

The person chooses the file to keep (its case, team, counsellor and history stay; the
other file's history joins it) and, for every identity field, the value to keep: a
radio button under each file's value, the differing rows in bold. Nothing happens
on Cancel; a refusal is shown in the dialog with everything chosen kept.
"""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import merging, sync_status
from app.services.errors import ServiceError
from app.services.merging import Side
from app.views.app_state import AppState
from app.views.labels import label
from app.views.record_forms import MessageBanner, format_date, ltr

LEFT_TO_RIGHT_FIELDS = {"phone", "contact_phone", "cin", "registration_number"}
FIRST, SECOND = 0, 1


def value_text(name: str, value: Any) -> str:
    if value is None or value == "":
        return _("(empty)")
    if isinstance(value, StrEnum):
        return label(value)
    if isinstance(value, date):
        return format_date(value)
    text = str(value)
    return ltr(text) if name in LEFT_TO_RIGHT_FIELDS else text


class MergeDialog(QDialog):
    """Two files of one person: which to keep, and each field's value."""

    def __init__(
        self,
        state: AppState,
        first_id: uuid.UUID,
        second_id: uuid.UUID,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.ids = (first_id, second_id)
        self.merged = False
        first_name, second_name, self.fields = merging.side_by_side(state.ctx, first_id, second_id)
        self.setWindowTitle(_("Merge two files"))
        self.setMinimumWidth(720)
        intro = QLabel(
            _(
                "Choose the file to keep and, for each line, the value to keep. Every "
                "assessment, plan, session, referral, consent and outcome of the other file "
                "moves to the file kept; the other file is kept as a trace pointing to it."
            )
        )
        intro.setWordWrap(True)
        self.error = MessageBanner()

        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        self.keep = QButtonGroup(self)
        for column, name in ((FIRST, first_name), (SECOND, second_name)):
            heading = QLabel(name)
            heading.setWordWrap(True)
            heading.setStyleSheet("font-weight: 600; font-size: 14px;")
            grid.addWidget(heading, 0, column + 1)
            button = QRadioButton(_("Keep this file"))
            button.setObjectName(f"keep{column}")
            self.keep.addButton(button, column)
            grid.addWidget(button, 1, column + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        self.keep.button(FIRST).setChecked(True)
        self.picks: dict[str, QButtonGroup] = {}
        defaults = self._defaults()
        for row, field in enumerate(self.fields, start=2):
            caption = QLabel(sync_status.field_label(field.name))
            grid.addWidget(caption, row, 0)
            group = QButtonGroup(self)
            for column, value in ((FIRST, field.first), (SECOND, field.second)):
                choice = QRadioButton(value_text(field.name, value))
                choice.setObjectName(f"{field.name}{column}")
                if field.differs:
                    choice.setStyleSheet("font-weight: 600;")
                group.addButton(choice, column)
                grid.addWidget(choice, row, column + 1)
            group.button(defaults[field.name]).setChecked(True)
            self.picks[field.name] = group
        table = QWidget()
        table.setLayout(grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(table)

        self.reason = QLineEdit()
        self.reason.setObjectName("mergeReason")
        reason_form = QFormLayout()
        reason_form.addRow(_("Reason for the merge"), self.reason)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.merge_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.merge_button.setText(_("&Merge"))
        buttons.accepted.connect(self.merge)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.error)
        layout.addWidget(scroll, 1)
        layout.addLayout(reason_form)
        layout.addWidget(buttons)
        self.resize(820, 640)

    def _defaults(self) -> dict[str, int]:
        """The first file's values, completed by the second's where it has none."""
        return {
            field.name: SECOND
            if field.first in (None, "") and field.second not in (None, "")
            else FIRST
            for field in self.fields
        }

    def kept_column(self) -> int:
        return self.keep.checkedId()

    def choices(self) -> dict[str, Side]:
        kept = self.kept_column()
        return {
            name: Side.KEPT if group.checkedId() == kept else Side.OTHER
            for name, group in self.picks.items()
        }

    def pick(self, field: str, column: int) -> None:
        self.picks[field].button(column).setChecked(True)

    def merge(self) -> None:
        kept = self.kept_column()
        keep_id, other_id = self.ids if kept == FIRST else self.ids[::-1]
        try:
            merging.merge(
                self.state.ctx,
                keep_id,
                other_id,
                picks=self.choices(),
                reason=self.reason.text(),
            )
        except ServiceError as error:
            self.error.show_error(str(error))
            return
        self.merged = True
        self.accept()
