"""The worklist, the home screen: what needs me today and this week, across my cases.

One list in groups (overdue, today, this week, later), each line saying what kind of
work it is, for whom, what and when; opening a line lands on the case-file section
where the work is done. Overdue dates are shown in a calm red, never as an alarm.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, current_language, ngettext
from app.services import appointments, beneficiaries, worklist
from app.services.errors import ServiceError
from app.services.worklist import WorkItem, WorkKind
from app.views.app_state import AppState
from app.views.labels import person_name
from app.views.record_forms import (
    OVERDUE_COLOUR,
    EmptyState,
    MessageBanner,
    align_to_layout,
    format_date,
)

HORIZON_DAYS = 7
ITEM_ROLE = Qt.ItemDataRole.UserRole
KIND_LABELS = {
    WorkKind.ACTION: N_("Action"),
    WorkKind.REVIEW: N_("Plan review"),
    WorkKind.REFERRAL: N_("Referral without news"),
    WorkKind.RELEASE: N_("Release soon"),
    WorkKind.APPROVAL: N_("Plan to approve"),
    WorkKind.APPOINTMENT: N_("Appointment"),
    WorkKind.ASSESSMENT: N_("Assessment due"),
    WorkKind.TRANSFER: N_("Transferred to you"),
}
KIND_COLOURS = {
    WorkKind.ACTION: "#1d4e89",
    WorkKind.REVIEW: "#5b3f8c",
    WorkKind.REFERRAL: "#1e5e2e",
    WorkKind.RELEASE: "#7a4f00",
    WorkKind.APPROVAL: "#37474f",
    WorkKind.APPOINTMENT: "#00695c",
    WorkKind.ASSESSMENT: "#6d4c41",
    WorkKind.TRANSFER: "#4a148c",
}
GROUPS = (
    ("overdue", N_("Overdue")),
    ("today", N_("Today")),
    ("week", N_("This week")),
    ("later", N_("Later")),
)


def group_of(item: WorkItem, today: date) -> str:
    """Undated items (plans to approve) are today's: they wait on nobody but me."""
    if item.overdue:
        return "overdue"
    if item.due is None or item.due <= today:
        return "today"
    if item.due <= today + timedelta(days=HORIZON_DAYS):
        return "week"
    return "later"


class WorkTree(QTreeWidget):
    """Work lines open with Enter or a double click; group headings just fold."""

    item_opened = Signal(object)  # the WorkItem

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt naming
        current = self.currentItem()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and current is not None:
            work = current.data(0, ITEM_ROLE)
            if isinstance(work, WorkItem):
                self.item_opened.emit(work)
                event.accept()
                return
        super().keyPressEvent(event)

    def moveCursor(  # noqa: N802 - Qt naming
        self, action: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        """Arrow keys step over group headings, from one line of work to the next."""
        index = super().moveCursor(action, modifiers)
        moves = {
            QAbstractItemView.CursorAction.MoveDown: self.indexBelow,
            QAbstractItemView.CursorAction.MoveUp: self.indexAbove,
        }
        step = moves.get(action)
        if step is None or not index.isValid() or index.parent().isValid():
            return index
        beyond = step(index)
        return beyond if beyond.isValid() else self.currentIndex()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt naming
        line = self.itemAt(event.position().toPoint())
        if line is None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseDoubleClickEvent(event)
            return
        work = line.data(0, ITEM_ROLE)
        if isinstance(work, WorkItem):
            self.item_opened.emit(work)
        else:
            line.setExpanded(not line.isExpanded())
        event.accept()


class WorklistPage(QWidget):
    """What is due for the acting staff member, grouped by urgency."""

    open_case = Signal(object, str)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.items: list[WorkItem] = []
        self._arabic: dict[uuid.UUID, str] = {}
        self.title = QLabel(_("What needs you"))
        self.title.setStyleSheet("font-size: 16px; font-weight: 600;")
        self.summary = QLabel()
        self.summary.setStyleSheet("color: #55606a;")
        self.refresh_button = QPushButton(_("&Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        # An appointment line can be marked missed; any line takes a quick note.
        self.missed_button = QPushButton(_("Mark &missed"))
        self.missed_button.clicked.connect(self.mark_missed)
        self.quick_note_button = QPushButton(_("&Quick note…"))
        self.quick_note_button.clicked.connect(self.quick_note)
        self.dialog: QDialog | None = None
        self.banner = MessageBanner()
        self.tree = WorkTree()
        self.tree.setObjectName("worklistTree")
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels([_("Due"), _("What"), _("Beneficiary"), _("Details")])
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(12)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setExpandsOnDoubleClick(False)
        header = self.tree.header()
        header.setStretchLastSection(True)
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.item_opened.connect(self.open_item)
        self.tree.currentItemChanged.connect(lambda *_args: self._enable_actions())
        self.empty = EmptyState(
            _("Nothing needs you today"),
            _(
                "No action, plan review or referral of yours is due in the coming week, "
                "and no release is near without a plan. The caseload lists every case."
            ),
        )
        self.hint = QLabel(_("Enter or a double click opens the case file where the work is done."))
        self.hint.setStyleSheet("color: #55606a;")
        listing = QWidget()
        listing_layout = QVBoxLayout(listing)
        listing_layout.setContentsMargins(0, 0, 0, 0)
        listing_layout.addWidget(self.tree, 1)
        listing_layout.addWidget(self.hint)
        self.listing = listing
        self.stack = QStackedWidget()
        self.stack.addWidget(listing)
        self.stack.addWidget(self.empty)
        for text in (self.title, self.summary, self.hint):
            align_to_layout(text)
        top = QHBoxLayout()
        heading = QVBoxLayout()
        heading.setSpacing(2)
        heading.addWidget(self.title)
        heading.addWidget(self.summary)
        top.addLayout(heading, 1)
        top.addWidget(self.quick_note_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.missed_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        self.refresh()

    def refresh(self) -> None:
        """Read the worklist again (a quick query per kind, indexed by staff member)."""
        self.banner.clear_message()
        try:
            self.items = worklist.worklist(self.state.ctx, horizon_days=HORIZON_DAYS)
            self._arabic = (
                beneficiaries.arabic_names(
                    self.state.ctx, list({work.beneficiary_id for work in self.items})
                )
                if current_language() == "ar"
                else {}
            )
        except ServiceError as error:
            self.banner.show_error(str(error))
            self.items = []
        self._show()

    def open_item(self, work: WorkItem) -> None:
        self.open_case.emit(work.beneficiary_id, work.section)

    def selected_work(self) -> WorkItem | None:
        line = self.tree.currentItem()
        work = line.data(0, ITEM_ROLE) if line is not None else None
        return work if isinstance(work, WorkItem) else None

    def _enable_actions(self) -> None:
        work = self.selected_work()
        self.quick_note_button.setEnabled(work is not None)
        self.missed_button.setEnabled(
            work is not None and work.kind is WorkKind.APPOINTMENT and work.record_id is not None
        )

    def mark_missed(self) -> None:
        """The person did not come: the appointment counts as missed (attendance)."""
        work = self.selected_work()
        if work is None or work.record_id is None:
            return
        try:
            appointments.mark_missed(self.state.ctx, work.record_id)
        except ServiceError as error:
            self.banner.show_error(str(error))
            return
        self.refresh()

    def quick_note(self) -> QDialog | None:
        """A phone call or a word in the corridor about the selected line's person."""
        from app.views.quick_note_dialog import QuickNoteDialog

        work = self.selected_work()
        if work is None:
            return None
        self.dialog = QuickNoteDialog(self.state, work.beneficiary_id, self)
        self.dialog.open()
        return self.dialog

    def work_lines(self) -> list[QTreeWidgetItem]:
        """Every line of work, in the order shown (group headings left out)."""
        lines: list[QTreeWidgetItem] = []
        for group in range(self.tree.topLevelItemCount()):
            heading = self.tree.topLevelItem(group)
            if heading is None:
                continue
            for row in range(heading.childCount()):
                line = heading.child(row)
                if line is not None:
                    lines.append(line)
        return lines

    def _show(self) -> None:
        today = self.state.ctx.today()
        self.summary.setText(
            _("{today} · {count}").format(
                today=format_date(today),
                count=ngettext("{n} item", "{n} items", len(self.items)).format(n=len(self.items)),
            )
        )
        self.tree.clear()
        grouped: dict[str, list[WorkItem]] = {key: [] for key, _title in GROUPS}
        for work in self.items:
            grouped[group_of(work, today)].append(work)
        for key, title in GROUPS:
            if grouped[key]:
                self._add_group(_(title), grouped[key])
        self.tree.expandAll()
        self.stack.setCurrentWidget(self.listing if self.items else self.empty)
        first = self.work_lines()[:1]
        if first:
            self.tree.setCurrentItem(first[0])
        self._enable_actions()

    def _add_group(self, title: str, items: list[WorkItem]) -> None:
        heading = QTreeWidgetItem([f"{title} ({len(items)})"])
        heading.setFirstColumnSpanned(True)
        heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
        bold = QFont(self.tree.font())
        bold.setBold(True)
        heading.setFont(0, bold)
        self.tree.addTopLevelItem(heading)
        heading.setFirstColumnSpanned(True)
        for work in items:
            due = format_date(work.due) if work.due is not None else ""
            name = person_name(work.beneficiary_name, self._arabic.get(work.beneficiary_id))
            line = QTreeWidgetItem([due, _(KIND_LABELS[work.kind]), name])
            line.setText(3, work.title)
            line.setToolTip(3, work.title)
            line.setData(0, ITEM_ROLE, work)
            line.setForeground(1, QBrush(QColor(KIND_COLOURS[work.kind])))
            if work.overdue:
                line.setForeground(0, QBrush(QColor(OVERDUE_COLOUR)))
                line.setToolTip(0, _("Overdue"))
            heading.addChild(line)
