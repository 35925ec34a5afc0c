"""Recording a coordination meeting: who came, what was said, what was decided.

Decisions are typed one by one in a small form (text, the beneficiary concerned, a
responsible colleague, a due date) and collected in a list; the beneficiary picker
searches the full-text index off the GUI thread as the name is typed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCompleter,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.models import CoordinationMeeting
from app.services import meetings, organisation, search
from app.services.errors import ServiceError, ValidationFailed
from app.services.search import SearchHit
from app.views.app_state import AppState
from app.views.labels import both_names
from app.views.record_forms import (
    ChoiceCombo,
    OptionalDateEdit,
    RecordDialog,
    current_index,
    date_edit,
    format_date,
    from_qdate,
)
from app.views.tasks import run_in_background

SEARCH_DELAY_MS = 250
SEARCH_LIMIT = 15


def hit_name(hit: SearchHit) -> str:
    return f"{hit.last_name.upper()} {hit.first_name}"


def hit_text(hit: SearchHit) -> str:
    """How a search hit reads in the picker: both spellings of the name (the interface's
    script first), then the papers."""
    arabic = " ".join(p for p in (hit.first_name_ar, hit.last_name_ar) if p)
    papers = " · ".join(p for p in (hit.cin, hit.registration_number) if p)
    return " — ".join(part for part in (both_names(hit_name(hit), arabic), papers) if part)


class BeneficiaryPicker(QWidget):
    """Type part of a name, a CIN or a registration number; pick from the suggestions."""

    chosen_changed = Signal(object)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.hits: list[SearchHit] = []
        self.chosen: SearchHit | None = None
        self._generation = 0
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(_("Name, CIN or registration number (optional)"))
        self.edit.setClearButtonEnabled(True)
        self.model = QStringListModel(self)
        self.completer = QCompleter(self.model, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setMaxVisibleItems(10)
        self.completer.setWidget(self.edit)
        self.completer.activated.connect(self._activated)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SEARCH_DELAY_MS)
        self.timer.timeout.connect(self.search_now)
        self.edit.textEdited.connect(self._typed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        self.setFocusProxy(self.edit)

    @property
    def beneficiary_id(self) -> uuid.UUID | None:
        return self.chosen.beneficiary_id if self.chosen is not None else None

    def _typed(self) -> None:
        if self.chosen is not None:
            self.chosen = None
            self.chosen_changed.emit(None)
        self.timer.start()

    def search_now(self) -> None:
        """Search in the background; only the answer to the latest text is kept."""
        self._generation += 1
        generation, text, ctx = self._generation, self.edit.text(), self.state.ctx

        def done(hits: list[SearchHit]) -> None:
            if generation == self._generation:
                self.edit.setToolTip("")
                self._show_hits(hits)

        def failed(error: Exception) -> None:
            if generation == self._generation:
                self._show_hits([])
                self.edit.setToolTip(_("The search failed: {error}").format(error=error))

        run_in_background(lambda: search.search(ctx, text, limit=SEARCH_LIMIT), done, failed)

    def _show_hits(self, hits: list[SearchHit]) -> None:
        self.hits = hits
        self.model.setStringList([hit_text(hit) for hit in hits])
        if hits and self.edit.hasFocus():
            self.completer.complete()

    def _activated(self, text: str) -> None:
        match = next((hit for hit in self.hits if hit_text(hit) == text), None)
        if match is not None:
            self.choose(match)

    def choose(self, hit: SearchHit | None) -> None:
        self.chosen = hit
        self.edit.setText(hit_text(hit) if hit is not None else "")
        self.chosen_changed.emit(hit)

    def clear(self) -> None:
        self.choose(None)
        self.hits = []
        self.model.setStringList([])


@dataclass
class PendingDecision:
    text: str
    beneficiary: SearchHit | None
    responsible_staff_id: uuid.UUID | None
    due_date: date | None

    def as_input(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "beneficiary_id": self.beneficiary.beneficiary_id if self.beneficiary else None,
            "responsible_staff_id": self.responsible_staff_id,
            "due_date": self.due_date,
        }


class MeetingDialog(RecordDialog):
    """The whole meeting in three tabs, saved in one go."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(_("Record a meeting"), parent)
        self.state = state
        self.decisions: list[PendingDecision] = []
        self.staff = organisation.list_staff(state.ctx)
        self._staff_names = {member.id: member.full_name for member in self.staff}
        self.tabs = QTabWidget()
        self.tabs.addTab(self._meeting_tab(), _("&Meeting"))
        self.tabs.addTab(self._participants_tab(), _("&Participants"))
        self.tabs.addTab(self._decisions_tab(), _("&Decisions"))
        self.body.insertWidget(self.body.indexOf(self.form), self.tabs)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.resize(720, 620)

    def _meeting_tab(self) -> QWidget:
        today = self.state.ctx.today()
        self.held_on = date_edit(today, maximum=today)
        self.title = QLineEdit()
        self.title.setPlaceholderText(_("e.g. Monthly release preparation committee"))
        self.facility = ChoiceCombo()
        facilities = organisation.list_facilities(self.state.ctx)
        self.facility.set_choices(
            [(_("No particular facility"), None), *[(f.name, f.id) for f in facilities]]
        )
        self.facility.select(organisation.home_facility_id(self.state.ctx))
        self.agenda = self._text_box(80)
        self.minutes = self._text_box(180)
        page = QWidget()
        form = QFormLayout(page)
        form.addRow(_("Da&te:"), self.held_on)
        form.addRow(_("&Title:"), self.title)
        form.addRow(_("&Facility:"), self.facility)
        form.addRow(_("&Agenda:"), self.agenda)
        form.addRow(_("Min&utes:"), self.minutes)
        self._field_labels.update(
            {"held_on": _("Date"), "title": _("Title"), "facility_id": _("Facility")}
        )
        return page

    def _participants_tab(self) -> QWidget:
        self.staff_list = QListWidget()
        for member in self.staff:
            item = QListWidgetItem(member.full_name)
            item.setData(Qt.ItemDataRole.UserRole, member.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            is_me = member.id == self.state.ctx.actor.staff_id
            item.setCheckState(Qt.CheckState.Checked if is_me else Qt.CheckState.Unchecked)
            self.staff_list.addItem(item)
        self.outside = QTableWidget(0, 2)
        self.outside.setHorizontalHeaderLabels([_("Full name"), _("Organisation")])
        self.outside.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.outside.verticalHeader().hide()
        add_row = QPushButton(_("Add an outside &participant"))
        remove_row = QPushButton(_("&Remove"))
        add_row.clicked.connect(self.add_outside_row)
        remove_row.clicked.connect(self._remove_outside_row)
        buttons = QHBoxLayout()
        buttons.addWidget(add_row)
        buttons.addWidget(remove_row)
        buttons.addStretch(1)
        staff_title = QLabel(_("&Colleagues present (tick with the space bar):"))
        staff_title.setBuddy(self.staff_list)
        self.staff_filter = QLineEdit()
        self.staff_filter.setPlaceholderText(_("Filter by name"))
        self.staff_filter.setClearButtonEnabled(True)
        self.staff_filter.textChanged.connect(self._filter_staff)
        outside_title = QLabel(_("Outside participants (probation, prison management…):"))
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(staff_title)
        layout.addWidget(self.staff_filter)
        layout.addWidget(self.staff_list, 1)
        layout.addWidget(outside_title)
        layout.addWidget(self.outside, 1)
        layout.addLayout(buttons)
        return page

    def _decisions_tab(self) -> QWidget:
        self.decision_text = QLineEdit()
        self.decision_beneficiary = BeneficiaryPicker(self.state)
        self.decision_responsible = ChoiceCombo()
        self.decision_responsible.set_choices(
            [(_("Nobody in particular"), None), *[(m.full_name, m.id) for m in self.staff]]
        )
        today = self.state.ctx.today()
        self.decision_due = OptionalDateEdit(_("Set a due date"), today + timedelta(days=14))
        self.add_decision_button = QPushButton(_("Add to the &list"))
        self.add_decision_button.clicked.connect(self.add_decision)
        self.decision_error = QLabel()
        self.decision_error.setStyleSheet("color: #8c1d18;")
        self.decision_error.hide()
        editor = QGroupBox(_("New decision"))
        form = QFormLayout(editor)
        form.addRow(_("Deci&sion:"), self.decision_text)
        form.addRow(_("&Beneficiary:"), self.decision_beneficiary)
        form.addRow(_("&Responsible:"), self.decision_responsible)
        form.addRow(_("D&ue date:"), self.decision_due)
        form.addRow("", self.decision_error)
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_decision_button)
        add_row.addStretch(1)
        form.addRow("", add_row)
        self.decision_list = QTreeWidget()
        self.decision_list.setRootIsDecorated(False)
        self.decision_list.setHeaderLabels(
            [_("Decision"), _("Beneficiary"), _("Responsible"), _("Due date")]
        )
        self.decision_list.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        remove = QPushButton(_("Remo&ve the decision"))
        remove.clicked.connect(self._remove_decision)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(editor)
        layout.addWidget(self.decision_list, 1)
        row = QHBoxLayout()
        row.addWidget(remove)
        row.addStretch(1)
        layout.addLayout(row)
        return page

    def _filter_staff(self, text: str) -> None:
        wanted = text.casefold().strip()
        for row in range(self.staff_list.count()):
            item = self.staff_list.item(row)
            item.setHidden(bool(wanted) and wanted not in item.text().casefold())

    def _tab_changed(self, index: int) -> None:
        """On the decisions tab, Enter adds the decision typed rather than saving."""
        typing_decisions = index == 2
        self.add_decision_button.setDefault(typing_decisions)
        self.save_button.setDefault(not typing_decisions)

    @staticmethod
    def _text_box(height: int) -> QPlainTextEdit:
        box = QPlainTextEdit()
        box.setTabChangesFocus(True)
        box.setMinimumHeight(height)
        return box

    # Rows -----------------------------------------------------------------------------

    def add_outside_row(self, full_name: str = "", organisation_name: str = "") -> int:
        row = self.outside.rowCount()
        self.outside.insertRow(row)
        self.outside.setItem(row, 0, QTableWidgetItem(full_name))
        self.outside.setItem(row, 1, QTableWidgetItem(organisation_name))
        self.outside.setCurrentCell(row, 0)
        first_cell = self.outside.item(row, 0)
        if not full_name and first_cell is not None:
            self.outside.editItem(first_cell)
        return row

    def _remove_outside_row(self) -> None:
        if self.outside.currentRow() >= 0:
            self.outside.removeRow(self.outside.currentRow())

    def add_decision(self) -> bool:
        text = self.decision_text.text().strip()
        if not text:
            self.decision_error.setText(_("Write the decision first."))
            self.decision_error.show()
            self.decision_text.setFocus()
            return False
        self.decision_error.hide()
        pending = PendingDecision(
            text,
            self.decision_beneficiary.chosen,
            self.decision_responsible.value(),
            self.decision_due.value(),
        )
        self.decisions.append(pending)
        staff_id = pending.responsible_staff_id
        who = self._staff_names.get(staff_id) if staff_id else None
        self.decision_list.addTopLevelItem(
            QTreeWidgetItem(
                [
                    text,
                    hit_name(pending.beneficiary) if pending.beneficiary else "—",
                    who or "—",
                    format_date(pending.due_date) if pending.due_date else "—",
                ]
            )
        )
        self.decision_text.clear()
        self.decision_beneficiary.clear()
        self.decision_responsible.setCurrentIndex(0)
        self.decision_due.set_value(None)
        self.decision_text.setFocus()
        return True

    def _remove_decision(self) -> None:
        index = current_index(self.decision_list)
        if index >= 0:
            self.decision_list.takeTopLevelItem(index)
            del self.decisions[index]

    def participant_ids(self) -> list[uuid.UUID]:
        items = (self.staff_list.item(row) for row in range(self.staff_list.count()))
        return [
            item.data(Qt.ItemDataRole.UserRole)
            for item in items
            if item.checkState() == Qt.CheckState.Checked
        ]

    def outside_participants(self) -> list[tuple[str, str | None]]:
        rows = []
        for row in range(self.outside.rowCount()):
            cells = [self.outside.item(row, column) for column in range(2)]
            name, organisation_name = (cell.text().strip() if cell else "" for cell in cells)
            if name or organisation_name:
                rows.append((name, organisation_name or None))
        return rows

    def submit(self) -> CoordinationMeeting:
        return meetings.record_meeting(
            self.state.ctx,
            held_on=from_qdate(self.held_on.date()),
            title=self.title.text(),
            facility_id=self.facility.value(),
            agenda=self.agenda.toPlainText(),
            minutes=self.minutes.toPlainText(),
            participant_staff_ids=self.participant_ids(),
            outside_participants=self.outside_participants(),
            decisions=[decision.as_input() for decision in self.decisions],
        )

    def describe(self, error: ServiceError | str) -> str:
        """Field names like ``decisions.0.text`` read as "Decision 1: …"."""
        if not isinstance(error, ValidationFailed):
            return super().describe(error)
        lines = []
        for field_error in error.errors:
            parts = field_error.field.split(".")
            if parts[0] in {"decisions", "outside_participants"} and len(parts) > 1:
                what = (
                    _("Decision {number}")
                    if parts[0] == "decisions"
                    else _("Outside participant {number}")
                )
                where = what.format(number=int(parts[1]) + 1)
                line = _("{field}: {message}")
                lines.append(line.format(field=where, message=field_error.message))
            else:
                lines.append(super().describe(ValidationFailed([field_error])))
        return "\n".join(lines)
