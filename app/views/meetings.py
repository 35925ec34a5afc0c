"""Coordination meetings: who met, what was decided, and the decisions' follow-up.

A decision about a beneficiary opens their case file (double-click or Enter), so what a
committee decided is one step away from the person's plan.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.models import MeetingDecision
from app.services import beneficiaries, meetings, organisation
from app.services.errors import ServiceError
from app.services.meetings import DecisionEntry, MeetingEntry
from app.views.app_state import AppState
from app.views.labels import choices, label, person_name
from app.views.master_detail import MasterDetailPage
from app.views.meeting_dialog import MeetingDialog
from app.views.record_forms import (
    OVERDUE_COLOUR,
    ChoiceCombo,
    EmptyState,
    RecordDialog,
    align_to_layout,
    format_date,
    select_first,
)
from passerelle_core.enums import DecisionStatus

ROLE = Qt.ItemDataRole.UserRole


class DecisionStatusDialog(RecordDialog):
    def __init__(
        self, state: AppState, decision: DecisionEntry, parent: QWidget | None = None
    ) -> None:
        super().__init__(_("Decision status"), parent)
        self.state, self.decision = state, decision
        self.set_intro(decision.text)
        self.status = ChoiceCombo()
        self.status.set_choices(choices(DecisionStatus))
        self.status.select(decision.status)
        self.add_row(_("&Status:"), self.status, "status")

    def submit(self) -> MeetingDecision:
        return meetings.set_decision_status(self.state.ctx, self.decision.id, self.status.value())


def _tree(headers: list[str], stretch: int) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setRootIsDecorated(False)
    tree.setAlternatingRowColors(True)
    tree.setHeaderLabels(headers)
    header = tree.header()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return tree


class MeetingsPage(MasterDetailPage):
    """Coordination meetings, newest first, beside who attended and what was decided."""

    open_case = Signal(object, str)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self._meetings: list[MeetingEntry] = []
        self._people: dict[uuid.UUID, str] = {}
        self._staff: dict[uuid.UUID, str] = {}
        self.record_button = QPushButton(_("&Record a meeting…"))
        self.record_button.clicked.connect(self.record_meeting)
        self.list = _tree([_("Date"), _("Title"), _("Facility"), _("Decisions")], stretch=1)
        self.list.header().setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        self.list.setColumnWidth(2, 170)
        self.list.currentItemChanged.connect(lambda *_args: self._show_details())
        self.list.itemActivated.connect(lambda *_args: self.decisions.setFocus())
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.record_button)
        top.addStretch(1)
        left_layout.addLayout(top)
        left_layout.addWidget(self.list, 1)
        self.empty_record_button = QPushButton(_("&Record a meeting…"))
        self.empty_record_button.clicked.connect(self.record_meeting)
        empty = EmptyState(
            _("No coordination meetings recorded"),
            _(
                "Record meetings with prison management, probation and social protection "
                "services: who attended and what was decided, case by case."
            ),
            self.empty_record_button,
        )
        self.lay_out(empty, left, self._build_details(), (470, 630))
        self.refresh()

    def _build_details(self) -> QWidget:
        self.details_box = QGroupBox(_("Meeting"))
        self.title_label = QLabel()
        self.title_label.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.title_label.setWordWrap(True)
        align_to_layout(self.title_label)
        info = QFormLayout()
        self.info: dict[str, QLabel] = {}
        for key, text in (
            ("held_on", _("Date:")),
            ("facility", _("Facility:")),
            ("organiser", _("Organised by:")),
        ):
            value = QLabel()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            align_to_layout(value)
            self.info[key] = value
            info.addRow(text, value)
        self.participants = _tree([_("Participant"), _("Organisation")], stretch=1)
        self.decisions = _tree(
            [_("Decision"), _("Beneficiary"), _("Responsible"), _("Due date"), _("Status")],
            stretch=0,
        )
        self.decisions.itemActivated.connect(lambda *_args: self.open_selected_case())
        self.decisions.currentItemChanged.connect(lambda *_args: self._update_buttons())
        self.status_button = QPushButton(_("Set &status…"))
        self.status_button.clicked.connect(self.set_decision_status)
        self.open_button = QPushButton(_("&Open the case file"))
        self.open_button.clicked.connect(self.open_selected_case)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        decisions_page = QWidget()
        decisions_layout = QVBoxLayout(decisions_page)
        decisions_layout.addWidget(self.decisions, 1)
        decisions_layout.addLayout(buttons)
        self.minutes = QPlainTextEdit()
        self.minutes.setReadOnly(True)
        self.tabs = QTabWidget()
        self.tabs.addTab(decisions_page, _("Decisions"))
        self.tabs.addTab(self.participants, _("Participants"))
        self.tabs.addTab(self.minutes, _("Agenda and minutes"))
        layout = QVBoxLayout(self.details_box)
        layout.addWidget(self.title_label)
        layout.addLayout(info)
        layout.addWidget(self.tabs, 1)
        return self.details_box

    # Reading --------------------------------------------------------------------------

    def refresh(self) -> None:
        ctx = self.state.ctx
        wanted = self.take_selection(self.selected_id())
        self._meetings = meetings.meeting_entries(ctx)
        self.show_content(bool(self._meetings))
        if not self._meetings:
            return
        self._staff = organisation.staff_names(ctx)
        facilities = {f.id: f.name for f in organisation.list_facilities(ctx)}
        self.list.clear()
        for meeting in self._meetings:
            facility = facilities.get(meeting.facility_id, "—") if meeting.facility_id else "—"
            item = QTreeWidgetItem(
                [format_date(meeting.held_on), meeting.title, facility, str(len(meeting.decisions))]
            )
            item.setData(0, ROLE, meeting.id)
            self.list.addTopLevelItem(item)
            if meeting.id == wanted:
                self.list.setCurrentItem(item)
        select_first(self.list)
        self._show_details()

    def selected_id(self) -> uuid.UUID | None:
        item = self.list.currentItem()
        return item.data(0, ROLE) if item is not None else None

    def selected(self) -> MeetingEntry | None:
        wanted = self.selected_id()
        return next((m for m in self._meetings if m.id == wanted), None)

    def _person(self, beneficiary_id: uuid.UUID) -> str:
        if beneficiary_id not in self._people:
            try:
                person = beneficiaries.get(self.state.ctx, beneficiary_id)
                self._people[beneficiary_id] = person_name(
                    person.display_name, person.display_name_ar
                )
            except ServiceError:
                self._people[beneficiary_id] = "—"
        return self._people[beneficiary_id]

    def _show_details(self) -> None:
        meeting = self.selected()
        self.participants.clear()
        self.decisions.clear()
        self.details_box.setEnabled(meeting is not None)
        if meeting is None:
            return
        current = self.list.currentItem()
        facility = current.text(2) if current is not None else "—"
        organiser = self._staff.get(meeting.organiser_id) if meeting.organiser_id else None
        self.title_label.setText(meeting.title)
        for key, value in (
            ("held_on", format_date(meeting.held_on)),
            ("facility", facility),
            ("organiser", organiser),
        ):
            self.info[key].setText(value or "—")
        self.minutes.setPlainText(self._minutes_text(meeting))
        self.tabs.setTabText(0, _("Decisions ({count})").format(count=len(meeting.decisions)))
        self.tabs.setTabText(1, _("Participants ({count})").format(count=len(meeting.participants)))
        for participant in meeting.participants:
            if participant.staff_id is not None:
                row = [self._staff.get(participant.staff_id, "—"), _("Our team")]
            else:
                row = [participant.full_name or "—", participant.organisation or ""]
            self.participants.addTopLevelItem(QTreeWidgetItem(row))
        today = self.state.ctx.today()
        for decision in meeting.decisions:
            who = decision.responsible_staff_id
            item = QTreeWidgetItem(
                [
                    decision.text,
                    self._person(decision.beneficiary_id) if decision.beneficiary_id else "—",
                    self._staff.get(who, "—") if who else "—",
                    format_date(decision.due_date) if decision.due_date else "—",
                    label(decision.status),
                ]
            )
            item.setData(0, ROLE, decision.id)
            item.setToolTip(0, decision.text)
            if decision.beneficiary_id is not None:
                item.setToolTip(1, _("Double-click or press Enter to open the case file"))
            late = decision.due_date is not None and decision.due_date < today
            if late and decision.status is DecisionStatus.OPEN:
                item.setForeground(3, QBrush(QColor(OVERDUE_COLOUR)))
                item.setToolTip(3, _("Overdue"))
            self.decisions.addTopLevelItem(item)
        self._update_buttons()

    @staticmethod
    def _minutes_text(meeting: MeetingEntry) -> str:
        agenda = meeting.agenda or "—"
        minutes = meeting.minutes or "—"
        return _("Agenda:\n{agenda}\n\nMinutes:\n{minutes}").format(agenda=agenda, minutes=minutes)

    def selected_decision(self) -> DecisionEntry | None:
        meeting, item = self.selected(), self.decisions.currentItem()
        if meeting is None or item is None:
            return None
        decision_id = item.data(0, ROLE)
        return next((d for d in meeting.decisions if d.id == decision_id), None)

    def _update_buttons(self) -> None:
        decision = self.selected_decision()
        self.status_button.setEnabled(decision is not None)
        self.open_button.setEnabled(decision is not None and decision.beneficiary_id is not None)

    # Doing ----------------------------------------------------------------------------

    def open_selected_case(self) -> None:
        decision = self.selected_decision()
        if decision is not None and decision.beneficiary_id is not None:
            self.open_case.emit(decision.beneficiary_id, "")

    def saved_id(self, record: object) -> uuid.UUID | None:
        """A decision's status update selects its meeting."""
        if isinstance(record, MeetingDecision):
            return record.meeting_id
        return super().saved_id(record)

    def record_meeting(self) -> QDialog:
        return self.open_dialog(MeetingDialog(self.state, self))

    def set_decision_status(self) -> QDialog | None:
        decision = self.selected_decision()
        if decision is None:
            return None
        return self.open_dialog(DecisionStatusDialog(self.state, decision, self))
