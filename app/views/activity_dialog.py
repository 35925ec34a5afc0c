"""Choosing what an activity report covers: a period, a facility, a language."""

from __future__ import annotations

import uuid
from datetime import date

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QWidget

from app.i18n import _
from app.indicators import Period, Scope
from app.indicators.period import add_months, month_end
from app.services import organisation
from app.views.app_state import AppState
from app.views.record_forms import date_edit, from_qdate

REPORT_LANGUAGES = (("fr", "Français"), ("ar", "العربية"))
"""Each language in its own name: the choice is the document's, not the interface's."""


def last_whole_month(today: date) -> Period:
    """What a monthly report usually covers: the month before this one."""
    first = add_months(today.replace(day=1), -1)
    return Period(first, month_end(first))


class ActivityReportDialog(QDialog):
    def __init__(self, state: AppState, scope: Scope, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Activity report"))
        self.scope = scope
        today = state.ctx.today()
        default = last_whole_month(today)
        self.start = date_edit(default.start, maximum=today)
        self.end = date_edit(default.end)
        self.facility = QComboBox()
        self.facility.addItem(_("Every facility"), None)
        for facility in organisation.list_facilities(state.ctx):
            self.facility.addItem(facility.name, facility.id)
        self.language = QComboBox()
        for code, name in REPORT_LANGUAGES:
            self.language.addItem(name, code)
        self.language.setCurrentIndex(
            max(self.language.findData(state.settings.report_language), 0)
        )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(_("&Preview"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(_("&From:"), self.start)
        form.addRow(_("&To:"), self.end)
        form.addRow(_("F&acility:"), self.facility)
        form.addRow(_("&Language of the document:"), self.language)
        form.addRow(buttons)

    def period(self) -> Period:
        """May raise InvalidPeriod (a ServiceError with a translated message)."""
        return Period(from_qdate(self.start.date()), from_qdate(self.end.date()))

    def chosen_scope(self) -> Scope:
        facility: uuid.UUID | None = self.facility.currentData()
        return Scope(facility, self.scope.team_id, self.scope.staff_id)

    def chosen_language(self) -> str:
        return str(self.language.currentData())
