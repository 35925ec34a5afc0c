"""Sync conflicts: the list of values waiting for a person's choice, and the choice itself.

A conflict is never urgent and never lost: both values are kept until someone chooses.
The page lists them with their case, field, both values, authors and times; the
resolution dialog puts the two values side by side (the kept one first, in reading
order) with one button under each. Changes the server refused for good are listed
below, so the status bar's "refused" link leads somewhere.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from enum import StrEnum

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
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

from app.i18n import _, ngettext
from app.models.sync import ConflictResolution
from app.services import conflicts, sync_status
from app.services.errors import ServiceError
from app.services.sync_status import ConflictLine, ConflictSide
from app.views.app_state import AppState
from app.views.labels import label
from app.views.record_forms import (
    EmptyState,
    MessageBanner,
    align_to_layout,
    domain_label,
    format_date,
    ltr,
    select_first,
    top_items,
)
from app.views.status_bar import format_moment

LINE_ROLE = Qt.ItemDataRole.UserRole
MUTED = "color: #55606a;"
LEFT_TO_RIGHT_FIELDS = {"phone", "contact_phone", "cin", "registration_number", "reference"}
SECTIONS = {
    "beneficiary": "identity",
    "consent_record": "identity",
    "post_release_outcome": "identity",
    "needs_assessment": "assessment",
    "action_plan": "plan",
    "goal": "plan",
    "action": "plan",
    "follow_up_session": "sessions",
    "session_note": "sessions",
    "referral": "referrals",
    "meeting_decision": "timeline",
    "appointment": "sessions",
    "quick_note": "sessions",
}
MAX_VALUE_CHARS = 300
BOOKKEEPING_FIELDS = {"created_at", "updated_at", "updated_by_id", "row_version"}


def value_text(line: ConflictLine, side: ConflictSide) -> str:
    """One side's value as a person reads it: labels for codes, names for references."""
    value = side.value
    if line.is_deletion:
        return _("Deleted") if value is not None else _("Not deleted (kept with the change)")
    if value is None or value == "":
        return _("(empty)")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, StrEnum):
        return label(value)
    if isinstance(value, datetime):
        return format_moment(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, uuid.UUID):
        return side.reference or _("A record this laptop does not hold")
    if line.field == "domain_id" and isinstance(value, str):
        return domain_label(value)
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if len(text) > MAX_VALUE_CHARS:
        text = text[:MAX_VALUE_CHARS] + "…"
    return ltr(text) if line.field in LEFT_TO_RIGHT_FIELDS else text


def author_text(side: ConflictSide) -> str:
    who = side.author or _("Unknown author")
    return f"{who} · {format_moment(side.at)}" if side.at is not None else who


def side_text(line: ConflictLine, side: ConflictSide) -> str:
    """A list cell: the value, and under it who wrote it and when."""
    return value_text(line, side) + "\n" + author_text(side)


def case_title(line: ConflictLine) -> str:
    if line.beneficiary_name:
        return line.beneficiary_name
    return _("No case (shared data)") if line.case_id is None else _("Case not on this laptop")


def _field_list(fields: dict[str, object]) -> str:
    names = [sync_status.field_label(n) for n in fields if n not in BOOKKEEPING_FIELDS]
    return ", ".join(names if len(names) <= 4 else [*names[:3], "…"])


class ConflictTree(QTreeWidget):
    """Rows open with Enter or a double click."""

    line_opened = Signal(object)  # ConflictLine

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt naming
        current = self.currentItem()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and current is not None:
            self.line_opened.emit(current.data(0, LINE_ROLE))
            event.accept()
            return
        super().keyPressEvent(event)


class ResolveDialog(QDialog):
    """The two values side by side; one button under each. Nothing is saved on Cancel."""

    resolved = Signal(object)  # ConflictResolution

    def __init__(self, state: AppState, line: ConflictLine, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state, self.line = state, line
        self.choice: ConflictResolution | None = None
        self.setWindowTitle(_("Resolve a conflict"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setMinimumWidth(620)
        heading = QLabel(
            _("{record} · {field} · {case}").format(
                record=sync_status.record_kind_label(line.target_type),
                field=sync_status.field_label(line.field),
                case=case_title(line),
            )
        )
        heading.setStyleSheet("font-size: 15px; font-weight: 600;")
        if line.is_deletion:
            text = _(
                "This record was changed on one laptop and deleted on another. It was kept, "
                "with the change. Keep it, or delete it?"
            )
        else:
            text = _(
                "This detail was changed on two laptops before they synced. The first change "
                "to reach the server was kept. Which value should the case file hold?"
            )
        intro = QLabel(text)
        intro.setWordWrap(True)
        intro.setStyleSheet(MUTED)
        self.keep_button = QPushButton(_("&Keep this value"))
        self.other_button = QPushButton(_("&Use the other value"))
        self.keep_button.clicked.connect(lambda: self.choose(ConflictResolution.KEPT))
        self.other_button.clicked.connect(lambda: self.choose(ConflictResolution.OTHER))
        self.keep_button.setDefault(True)
        sides = QHBoxLayout()
        sides.setSpacing(12)
        sides.addWidget(self._side(_("Value kept"), line.kept, self.keep_button), 1)
        sides.addWidget(self._side(_("Other value"), line.other, self.other_button), 1)
        self.error = MessageBanner()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        for text_label in (heading, intro):
            align_to_layout(text_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(sides)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setTabOrder(self.keep_button, self.other_button)
        self.keep_button.setFocus()

    def _side(self, title: str, side: ConflictSide, button: QPushButton) -> QGroupBox:
        box = QGroupBox(title)
        value = QLabel(value_text(self.line, side))
        value.setObjectName("conflictValue")
        value.setWordWrap(True)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        value.setStyleSheet("font-size: 14px; padding: 6px 0;")
        who = QLabel(_("Changed by {name}").format(name=side.author or _("Unknown author")))
        when = QLabel(
            _("On {time}").format(time=format_moment(side.at)) if side.at else _("Time unknown")
        )
        layout = QVBoxLayout(box)
        layout.setSpacing(4)
        layout.addWidget(value)
        for detail in (who, when):
            detail.setStyleSheet(MUTED)
            layout.addWidget(detail)
        for text_label in (value, who, when):
            align_to_layout(text_label)
        layout.addStretch(1)
        layout.addWidget(button)
        return box

    def choose(self, choice: ConflictResolution) -> None:
        """Record the choice (an ordinary edit, sent at the next sync); a refusal shows here."""
        try:
            conflicts.resolve(self.state.ctx, self.line.id, choice)
        except ServiceError as error:
            self.error.show_error(str(error))
            return
        self.choice = choice
        self.resolved.emit(choice)
        self.accept()


class ConflictsPage(QWidget):
    """Open sync conflicts of this laptop, and the changes the server refused."""

    open_case = Signal(object, str)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.lines: list[ConflictLine] = []
        self.dialog: ResolveDialog | None = None
        title = QLabel(_("Sync conflicts"))
        title.setStyleSheet("font-size: 16px; font-weight: 600;")
        self.summary = QLabel()
        self.summary.setStyleSheet(MUTED)
        self.refresh_button = QPushButton(_("&Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        self.banner = MessageBanner()
        self.tree = ConflictTree()
        self.tree.setObjectName("conflictTree")
        self.tree.setHeaderLabels(
            [
                _("Beneficiary"),
                _("Record"),
                _("Field"),
                _("Value kept"),
                _("Other value"),
            ]
        )
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setWordWrap(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.tree.header()
        header.setStretchLastSection(False)
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        for column in (3, 4):  # the two values share what is left
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.tree.line_opened.connect(self.resolve_line)
        self.tree.itemDoubleClicked.connect(
            lambda item, _column: self.resolve_line(item.data(0, LINE_ROLE))
        )
        self.resolve_button = QPushButton(_("&Compare and choose…"))
        self.resolve_button.setDefault(True)
        self.resolve_button.clicked.connect(self.resolve_current)
        self.case_button = QPushButton(_("&Open the case file"))
        self.case_button.clicked.connect(self.open_current_case)
        self.tree.currentItemChanged.connect(lambda *_args: self._update_buttons())
        hint = QLabel(_("Enter or a double click shows the two values side by side."))
        hint.setStyleSheet(MUTED)
        buttons = QHBoxLayout()
        buttons.addWidget(hint, 1)
        buttons.addWidget(self.case_button)
        buttons.addWidget(self.resolve_button)
        self.listing = QWidget()
        listing_layout = QVBoxLayout(self.listing)
        listing_layout.setContentsMargins(0, 0, 0, 0)
        listing_layout.addWidget(self.tree, 1)
        listing_layout.addLayout(buttons)
        self.empty = EmptyState(
            _("No conflict to resolve"),
            _(
                "When two laptops change the same detail of a case before syncing, both "
                "values wait here until someone chooses. Nothing is lost in the meantime."
            ),
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(self.listing)
        self.stack.addWidget(self.empty)
        self.refused_box = self._refused_box()
        for text_label in (title, self.summary, hint):
            align_to_layout(text_label)
        top = QHBoxLayout()
        heading = QVBoxLayout()
        heading.setSpacing(2)
        heading.addWidget(title)
        heading.addWidget(self.summary)
        top.addLayout(heading, 1)
        top.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.refused_box)
        self.refresh()

    def _refused_box(self) -> QGroupBox:
        box = QGroupBox(_("Changes refused by the server"))
        note = QLabel(
            _(
                "The server will never accept these changes (for example a case that left "
                "your team). They stay on this laptop; tell your administrator if they matter."
            )
        )
        note.setWordWrap(True)
        note.setStyleSheet(MUTED)
        align_to_layout(note)
        self.refused = QTreeWidget()
        self.refused.setObjectName("refusedTree")
        self.refused.setHeaderLabels([_("Record"), _("Fields"), _("Changed on"), _("Reason")])
        self.refused.setRootIsDecorated(False)
        self.refused.setMaximumHeight(110)
        self.refused.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.resend_button = QPushButton(_("Send &again"))
        self.resend_button.setToolTip(
            _("After the server was updated: the next sync sends these changes again.")
        )
        self.resend_button.clicked.connect(self.resend_refused)
        layout = QVBoxLayout(box)
        layout.addWidget(note)
        layout.addWidget(self.refused)
        layout.addWidget(self.resend_button, 0, Qt.AlignmentFlag.AlignLeft)
        return box

    def resend_refused(self) -> int:
        count = sync_status.resend_refused(self.state.profile)
        self.refresh()
        return count

    def refresh(self) -> None:
        """Read the open conflicts again (a handful of rows: quick on the GUI thread)."""
        self.banner.clear_message()
        try:
            self.lines = sync_status.conflict_lines(self.state.ctx)
            refused = sync_status.refused_changes(self.state.profile)
        except ServiceError as error:
            self.banner.show_error(str(error))
            self.lines, refused = [], []
        self.summary.setText(
            ngettext("{n} conflict to resolve", "{n} conflicts to resolve", len(self.lines)).format(
                n=len(self.lines)
            )
        )
        self.tree.clear()
        for line in self.lines:
            item = QTreeWidgetItem(
                [
                    case_title(line),
                    sync_status.record_kind_label(line.target_type),
                    sync_status.field_label(line.field),
                    side_text(line, line.kept),
                    side_text(line, line.other),
                ]
            )
            item.setData(0, LINE_ROLE, line)
            for column in (3, 4):
                item.setToolTip(column, item.text(column))
            self.tree.addTopLevelItem(item)
        select_first(self.tree)
        self.stack.setCurrentWidget(self.listing if self.lines else self.empty)
        self.refused.clear()
        for change in refused:
            self.refused.addTopLevelItem(
                QTreeWidgetItem(
                    [
                        sync_status.record_kind_label(change.record_type),
                        _field_list(change.fields),
                        format_moment(change.recorded_at),
                        change.error or "",
                    ]
                )
            )
        self.refused_box.setVisible(bool(refused))
        self._update_buttons()

    def rows(self) -> list[QTreeWidgetItem]:
        return top_items(self.tree)

    def current_line(self) -> ConflictLine | None:
        item = self.tree.currentItem()
        line = item.data(0, LINE_ROLE) if item is not None else None
        return line if isinstance(line, ConflictLine) else None

    def resolve_current(self) -> ResolveDialog | None:
        line = self.current_line()
        return self.resolve_line(line) if line is not None else None

    def resolve_line(self, line: ConflictLine) -> ResolveDialog:
        """Open the side-by-side dialog (window-modal, not blocking: tests drive it)."""
        self.dialog = ResolveDialog(self.state, line, self)
        self.dialog.resolved.connect(lambda _choice: self.refresh())
        self.dialog.open()
        return self.dialog

    def open_current_case(self) -> None:
        line = self.current_line()
        if line is not None and line.case_id is not None and line.beneficiary_name:
            self.open_case.emit(line.case_id, SECTIONS.get(line.target_type, ""))

    def _update_buttons(self) -> None:
        line = self.current_line()
        self.resolve_button.setEnabled(line is not None)
        self.case_button.setEnabled(
            line is not None and line.case_id is not None and bool(line.beneficiary_name)
        )
