"""Making an appointment: from the agenda, a case file, a session or a plan action.

From a case file the person is known; from the agenda she is chosen among the cases one
follows. The time is the laptop's local time; the service stores the instant.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import QComboBox, QLineEdit, QSpinBox, QTimeEdit, QWidget

from app.i18n import _
from app.models import Appointment
from app.services import appointments
from app.services.validation import fail
from app.views.app_state import AppState
from app.views.labels import choices
from app.views.record_forms import ChoiceCombo, RecordDialog, date_edit, from_qdate
from passerelle_core.enums import AppointmentPlace

DEFAULT_HOUR = time(10, 0)


def time_edit(value: time) -> QTimeEdit:
    edit = QTimeEdit(QTime(value.hour, value.minute))
    edit.setDisplayFormat("HH:mm")
    edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # 09:30 reads the same in Arabic
    return edit


class AppointmentDialog(RecordDialog):
    def __init__(
        self,
        state: AppState,
        beneficiary_id: uuid.UUID | None = None,
        parent: QWidget | None = None,
        *,
        day: date | None = None,
        purpose: str = "",
        action_id: uuid.UUID | None = None,
    ) -> None:
        super().__init__(_("New appointment"), parent)
        self.state, self.action_id = state, action_id
        self.beneficiary_id = beneficiary_id
        today = state.ctx.today()
        self.person: QComboBox | None = None
        if beneficiary_id is None:
            self.person = QComboBox()
            self.person.setEditable(True)  # type a name to jump to it
            self.person.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            for case_id, name in appointments.bookable_cases(state.ctx):
                self.person.addItem(name, str(case_id))  # text: Qt compares it
            self.add_row(_("&Beneficiary:"), self.person, "beneficiary")
        self.day = date_edit(day or today + timedelta(days=7), minimum=today)
        self.at = time_edit(DEFAULT_HOUR)
        self.minutes = QSpinBox()
        self.minutes.setRange(0, 600)
        self.minutes.setSingleStep(15)
        self.minutes.setSuffix(" " + _("min"))
        self.minutes.setSpecialValueText(_("Not stated"))
        self.minutes.setValue(appointments.DEFAULT_MINUTES)
        self.place = ChoiceCombo()
        self.place.set_choices(choices(AppointmentPlace))
        self.purpose = QLineEdit(purpose)
        self.add_row(_("&Date:"), self.day, "starts_at")
        self.add_row(_("&Time:"), self.at)
        self.add_row(_("D&uration:"), self.minutes, "duration_minutes")
        self.add_row(_("&Place:"), self.place, "place")
        self.add_row(_("P&urpose:"), self.purpose, "purpose")

    def chosen_person(self) -> uuid.UUID | None:
        if self.person is None:
            return self.beneficiary_id
        value = self.person.currentData()
        return uuid.UUID(value) if isinstance(value, str) else None

    def choose(self, beneficiary_id: uuid.UUID) -> bool:
        """Select a person in the list (the agenda's dialog); False if not offered."""
        if self.person is None:
            return False
        index = self.person.findData(str(beneficiary_id))
        self.person.setCurrentIndex(index)
        return index >= 0

    def starts_at(self) -> datetime:
        clock = self.at.time()
        return appointments.local_instant(
            from_qdate(self.day.date()), time(clock.hour(), clock.minute())
        )

    def submit(self) -> Appointment:
        person = self.chosen_person()
        if person is None:
            fail("beneficiary", _("Choose the beneficiary."))
        return appointments.make_appointment(
            self.state.ctx,
            person,
            starts_at=self.starts_at(),
            place=self.place.value(),
            purpose=self.purpose.text(),
            duration_minutes=self.minutes.value() or None,
            action_id=self.action_id,
        )
