"""The agenda: one's appointments by day or by week (a supervisor may show the team's).

Each day is a heading with its appointments under it: time, person, place, purpose,
status. A past appointment still planned is shown in red as "to mark": recording the
session closes it, "Mark missed" counts it as missed. A double click opens the case
file on its sessions. "Export (.ics)" writes one's own agenda for a calendar, with case
numbers and no names, after the warning every file leaving the store gets.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, current_language, ngettext, pgettext
from app.security.permissions import Permission, may
from app.services import appointments, beneficiaries
from app.services.appointments import AgendaEntry
from app.services.context import ServiceContext
from app.services.errors import ServiceError
from app.views.app_state import AppState
from app.views.appointment_dialog import AppointmentDialog
from app.views.export_warning import confirm_export
from app.views.labels import label, person_name
from app.views.record_forms import (
    OVERDUE_COLOUR,
    ChoiceCombo,
    MessageBanner,
    align_to_layout,
    format_date,
)
from app.views.tasks import run_in_background
from passerelle_core.enums import AppointmentStatus

ROLE = Qt.ItemDataRole.UserRole
DAY, WEEK = "day", "week"


def day_name(day: date) -> str:
    """The weekday in the interface's language (Qt's locale knows French and Arabic)."""
    return QLocale().dayName(day.isoweekday())


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


class AgendaPage(QWidget):
    open_case = Signal(object, str)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.day = state.ctx.today()
        self.entries: list[AgendaEntry] = []
        self.dialog: QDialog | None = None
        self.title = QLabel(pgettext("appointments", "Agenda"))
        self.title.setStyleSheet("font-size: 15pt; font-weight: 600;")
        self.range_label = QLabel()
        self.range_label.setStyleSheet("color: #55606a;")
        for text in (self.title, self.range_label):
            align_to_layout(text)
        self.mode = ChoiceCombo()
        self.mode.set_choices([(_("Week"), WEEK), (_("Day"), DAY)])
        self.mode.currentIndexChanged.connect(lambda _index: self.refresh())
        self.previous_button = QPushButton(_("&Previous"))
        self.previous_button.clicked.connect(lambda: self.step(-1))
        self.today_button = QPushButton(_("&Today"))
        self.today_button.clicked.connect(self.go_today)
        self.next_button = QPushButton(_("&Next"))
        self.next_button.clicked.connect(lambda: self.step(1))
        self.team = QCheckBox(_("The &team's appointments"))
        self.team.setVisible(may(state.ctx, Permission.READ_TEAM_AGENDA))
        self.team.toggled.connect(lambda _on: self.refresh())
        self.new_button = QPushButton(_("&New appointment…"))
        self.new_button.clicked.connect(self.new_appointment)
        self.missed_button = QPushButton(_("Mark &missed"))
        self.missed_button.clicked.connect(self.mark_missed)
        self.cancel_button = QPushButton(_("&Cancel the appointment"))
        self.cancel_button.clicked.connect(self.cancel_appointment)
        self.export_button = QPushButton(_("&Export (.ics)…"))
        self.export_button.setToolTip(
            _("Your own appointments for a calendar: case numbers only, no names")
        )
        self.export_button.clicked.connect(self.ask_export)
        self.banner = MessageBanner()
        self.tree = QTreeWidget()
        self.tree.setObjectName("agendaTree")
        self.tree.setHeaderLabels(
            [_("Time"), _("Beneficiary"), _("Place"), _("Subject"), _("Status"), _("Staff")]
        )
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(12)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setExpandsOnDoubleClick(False)
        header = self.tree.header()
        header.setStretchLastSection(True)
        for column in range(5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemActivated.connect(lambda item, _column: self._open(item))
        self.tree.currentItemChanged.connect(lambda *_args: self._enable_actions())
        self.empty_label = QLabel(_("No appointment in this period."))
        self.empty_label.setStyleSheet("color: #55606a;")
        align_to_layout(self.empty_label)
        self.hint = QLabel(_("Enter or a double click opens the case file."))
        self.hint.setStyleSheet("color: #55606a;")
        align_to_layout(self.hint)

        heading = QVBoxLayout()
        heading.setSpacing(2)
        heading.addWidget(self.title)
        heading.addWidget(self.range_label)
        top = QHBoxLayout()
        top.addLayout(heading, 1)
        for widget in (self.mode, self.previous_button, self.today_button, self.next_button):
            top.addWidget(widget, 0, Qt.AlignmentFlag.AlignTop)
        actions = QHBoxLayout()
        for widget in (self.new_button, self.missed_button, self.cancel_button):
            actions.addWidget(widget)
        actions.addStretch(1)
        actions.addWidget(self.team)
        actions.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addLayout(actions)
        layout.addWidget(self.banner)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.hint)
        self.refresh()

    # -- the period shown -----------------------------------------------------------------

    def period(self) -> tuple[date, date]:
        if self.mode.value() == DAY:
            return self.day, self.day
        first = week_start(self.day)
        return first, first + timedelta(days=6)

    def step(self, steps: int) -> None:
        self.day += timedelta(days=steps * (1 if self.mode.value() == DAY else 7))
        self.refresh()

    def go_today(self) -> None:
        self.day = self.state.ctx.today()
        self.refresh()

    def show_day(self, day: date, *, week: bool = True) -> None:
        self.day = day
        self.mode.select(WEEK if week else DAY)
        self.refresh()

    # -- reading ----------------------------------------------------------------------------

    def refresh(self) -> None:
        self.banner.clear_message()
        first, last = self.period()
        team = self.team.isVisible() and self.team.isChecked()
        try:
            self.entries = appointments.agenda(self.state.ctx, first, last, team=team)
        except ServiceError as error:
            self.banner.show_error(str(error))
            self.entries = []
        arabic = (
            beneficiaries.arabic_names(
                self.state.ctx, list({entry.beneficiary_id for entry in self.entries})
            )
            if current_language() == "ar"
            else {}
        )
        if first == last:
            self.range_label.setText(f"{day_name(first)} {format_date(first)}")
        else:
            self.range_label.setText(
                _("{first} to {last}").format(first=format_date(first), last=format_date(last))
            )
        self.tree.setColumnHidden(5, not team)
        self.tree.clear()
        day = first
        while day <= last:
            of_day = [entry for entry in self.entries if entry.starts_at.date() == day]
            if of_day or first == last:
                self._add_day(day, of_day, arabic)
            day += timedelta(days=1)
        self.tree.expandAll()
        self.empty_label.setVisible(not self.entries)
        lines = self.lines()
        if lines:
            self.tree.setCurrentItem(lines[0])
        self._enable_actions()

    def _add_day(self, day: date, entries: list[AgendaEntry], arabic: dict[uuid.UUID, str]) -> None:
        heading = QTreeWidgetItem([f"{day_name(day)} {format_date(day)}"])
        heading.setFirstColumnSpanned(True)
        heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
        bold = QFont(self.tree.font())
        bold.setBold(True)
        heading.setFont(0, bold)
        self.tree.addTopLevelItem(heading)
        heading.setFirstColumnSpanned(True)
        for entry in entries:
            status = label(entry.status)
            if entry.overdue:
                status = _("Past: record the session or mark it missed")
            line = QTreeWidgetItem(
                [
                    "\u200e" + f"{entry.starts_at:%H:%M}",
                    person_name(entry.beneficiary_name, arabic.get(entry.beneficiary_id)),
                    label(entry.place),
                    entry.purpose or "",
                    status,
                    entry.staff_name,
                ]
            )
            line.setData(0, ROLE, entry)
            if entry.overdue:
                line.setForeground(4, QBrush(QColor(OVERDUE_COLOUR)))
            if entry.status in (AppointmentStatus.CANCELLED, AppointmentStatus.MISSED):
                for column in range(6):
                    line.setForeground(column, QBrush(QColor("#6b747c")))
            heading.addChild(line)

    def lines(self) -> list[QTreeWidgetItem]:
        """Every appointment line, in the order shown (day headings left out)."""
        found = []
        for index in range(self.tree.topLevelItemCount()):
            heading = self.tree.topLevelItem(index)
            if heading is None:
                continue
            found += [heading.child(row) for row in range(heading.childCount())]
        return [line for line in found if line is not None]

    def selected(self) -> AgendaEntry | None:
        item = self.tree.currentItem()
        entry = item.data(0, ROLE) if item is not None else None
        return entry if isinstance(entry, AgendaEntry) else None

    def _enable_actions(self) -> None:
        entry = self.selected()
        planned = entry is not None and entry.status is AppointmentStatus.PLANNED
        self.missed_button.setEnabled(planned)
        self.cancel_button.setEnabled(planned)

    def _open(self, item: QTreeWidgetItem) -> None:
        entry = item.data(0, ROLE)
        if isinstance(entry, AgendaEntry):
            self.open_case.emit(entry.beneficiary_id, "sessions")

    # -- doing ------------------------------------------------------------------------------

    def new_appointment(self) -> QDialog:
        first, _last = self.period()
        today = self.state.ctx.today()
        dialog = AppointmentDialog(self.state, None, self, day=max(first, today))
        dialog.accepted.connect(self.refresh)
        self.dialog = dialog
        dialog.open()
        return dialog

    def mark_missed(self) -> None:
        self._close(appointments.mark_missed)

    def cancel_appointment(self) -> None:
        self._close(appointments.cancel)

    def _close(self, operation: Callable[[ServiceContext, uuid.UUID], object]) -> None:
        entry = self.selected()
        if entry is None:
            return
        try:
            operation(self.state.ctx, entry.id)
        except ServiceError as error:
            self.banner.show_error(str(error))
            return
        self.refresh()

    def ask_export(self) -> None:
        first, last = self.period()
        suggested = f"agenda-{first.isoformat()}.ics"
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Export the agenda"), suggested, _("Calendar (*.ics)")
        )
        if path and confirm_export(self, Path(path)):
            self.export(Path(path))

    def export(self, out: Path) -> None:
        """Write one's own appointments of the period shown, without names (background)."""
        from app.reports.calendar import write_calendar  # icalendar, when first exported

        ctx = self.state.ctx
        first, last = self.period()
        run_in_background(
            lambda: write_calendar(ctx, first, last, out),
            lambda count: self.banner.show_info(
                ngettext(
                    "{count} appointment written to {path}.",
                    "{count} appointments written to {path}.",
                    count,
                ).format(count=count, path=out)
            ),
            lambda error: self.banner.show_error(str(error)),
        )
