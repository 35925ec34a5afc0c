"""Follow-up sessions of a case file, and their notes with every revision.

A note is never edited in place: "Correct the note" appends a revision, and the history
shows who wrote each one and when. Psychologist-only sessions never reach other roles:
``followup.list_sessions`` (read through ``session_entries``) leaves them out, and this
screen shows what it is given.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.models import Appointment, FollowUpSession, SessionNote
from app.security.permissions import Permission, may
from app.services import appointments, followup, organisation, session_entries
from app.services.errors import ServiceError
from app.services.session_entries import NoteRevision, SessionEntry
from app.services.validation import fail
from app.views.app_state import AppState
from app.views.appointment_dialog import DEFAULT_HOUR, AppointmentDialog, time_edit
from app.views.casefile.section import CaseSection, button_row
from app.views.casefile.voiding import VoidDialog, mark_voided, voided_caption
from app.views.labels import choices, label
from app.views.quick_note_dialog import QuickNoteDialog
from app.views.record_forms import (
    TONES,
    ChoiceCombo,
    EmptyState,
    RecordDialog,
    align_to_layout,
    current_index,
    date_edit,
    format_date,
    from_qdate,
    select_first,
    top_items,
)
from passerelle_core.enums import AppointmentStatus, Confidentiality, SessionKind

ROLE = Qt.ItemDataRole.UserRole
EXCERPT_LENGTH = 90
DEFAULT_MINUTES = 45


def excerpt(text: str | None, length: int = EXCERPT_LENGTH) -> str:
    """The first line of a note, cut to fit a table cell."""
    if not text:
        return ""
    line = " ".join(text.split())
    return line if len(line) <= length else line[: length - 1].rstrip() + "…"


def format_moment(moment: datetime) -> str:
    """A UTC timestamp in the laptop's local time, to the minute.

    The leading left-to-right mark keeps "date time" in that order inside Arabic text.
    """
    return "\u200e" + moment.astimezone().strftime("%Y-%m-%d %H:%M")


class RecordSessionDialog(RecordDialog):
    """A session held today (or earlier), with the first version of its note."""

    def __init__(
        self, state: AppState, beneficiary_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(_("Record a session"), parent)
        self.state, self.beneficiary_id = state, beneficiary_id
        today = state.ctx.today()
        self.held_on = date_edit(today, maximum=today)
        self.kind = ChoiceCombo()
        self.kind.set_choices(choices(SessionKind))
        self.duration = QSpinBox()
        self.duration.setRange(0, 600)
        self.duration.setSingleStep(5)
        self.duration.setSuffix(" " + _("min"))
        self.duration.setSpecialValueText(_("Not stated"))
        self.duration.setValue(DEFAULT_MINUTES)
        self.confidentiality = ChoiceCombo()
        offered = [Confidentiality.STANDARD]
        if may(state.ctx, Permission.WRITE_RESTRICTED_NOTES):
            offered.append(Confidentiality.PSYCHOLOGIST_ONLY)
        self.confidentiality.set_choices([(label(level), level) for level in offered])
        self.confidentiality.setEnabled(len(offered) > 1)
        self.topic = QLineEdit()
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setMinimumHeight(140)
        self.add_row(_("&Date:"), self.held_on, "held_on")
        self.add_row(_("&Kind:"), self.kind, "kind")
        self.add_row(_("D&uration:"), self.duration, "duration_minutes")
        self.add_row(_("&Confidentiality:"), self.confidentiality, "confidentiality")
        self.add_row(_("&Topic:"), self.topic, "topic")
        self.add_row(_("&Note:"), self.note, "note")
        # "See him again in two weeks" becomes an appointment, not a line of the note.
        self.next_check = QCheckBox(_("Make the ne&xt appointment"))
        self.next_day = date_edit(today + timedelta(days=14), minimum=today)
        self.next_time = time_edit(DEFAULT_HOUR)
        self.next_day.setEnabled(False)
        self.next_time.setEnabled(False)
        self.next_check.toggled.connect(self.next_day.setEnabled)
        self.next_check.toggled.connect(self.next_time.setEnabled)
        next_row = QWidget()
        next_layout = QHBoxLayout(next_row)
        next_layout.setContentsMargins(0, 0, 0, 0)
        next_layout.addWidget(self.next_check)
        next_layout.addWidget(self.next_day, 1)
        next_layout.addWidget(self.next_time)
        self.add_row(_("Next appointment:"), next_row, "starts_at")
        self._warned_for: date | None = None
        """The day a double entry was pointed out for: saving again confirms it."""
        self.next_appointment: Appointment | None = None
        self.resize(560, self.sizeHint().height())

    def submit(self) -> FollowUpSession:
        followup.require_topic_or_note(self.topic.text(), self.note.toPlainText())
        held_on = from_qdate(self.held_on.date())
        if self._warned_for != held_on:
            already = followup.same_day(self.state.ctx, self.beneficiary_id, held_on)
            if already:
                self._warned_for = held_on
                topic = already[0].topic or _("no topic")
                raise ServiceError(
                    ngettext(
                        "A session is already recorded on this day ({topic}). "
                        "Save again to record a second one.",
                        "{count} sessions are already recorded on this day ({topic}). "
                        "Save again to record another one.",
                        len(already),
                    ).format(count=len(already), topic=topic)
                )
        next_at = self._next_appointment()
        record = followup.record_session(
            self.state.ctx,
            self.beneficiary_id,
            held_on=held_on,
            kind=self.kind.value(),
            duration_minutes=self.duration.value() or None,
            confidentiality=self.confidentiality.value(),
            topic=self.topic.text(),
            note=self.note.toPlainText(),
        )
        if next_at is not None:
            purpose = None
            if self.confidentiality.value() is Confidentiality.STANDARD:
                purpose = self.topic.text() or None
            self.next_appointment = appointments.make_appointment(
                self.state.ctx, self.beneficiary_id, starts_at=next_at, purpose=purpose
            )
        return record

    def _next_appointment(self) -> datetime | None:
        """The next appointment's time, checked before the session is saved."""
        if not self.next_check.isChecked():
            return None
        clock = self.next_time.time()
        moment = appointments.local_instant(
            from_qdate(self.next_day.date()), time(clock.hour(), clock.minute())
        )
        if moment <= datetime.now(UTC):
            fail("starts_at", _("The next appointment must be in the future."))
        return moment


class ReviseNoteDialog(RecordDialog):
    """A correction is a new revision; what was written before stays in the history."""

    def __init__(
        self,
        state: AppState,
        session_id: uuid.UUID,
        current: str,
        parent: QWidget | None = None,
    ) -> None:
        title = _("Correct the note") if current else _("Write the note")
        super().__init__(title, parent)
        self.state, self.session_id = state, session_id
        if current:
            self.set_intro(
                _(
                    "The current text stays in the history: your correction becomes a new "
                    "revision, signed with your name."
                )
            )
        self.body_edit = QPlainTextEdit(current)
        self.body_edit.setTabChangesFocus(True)
        self.body_edit.setMinimumHeight(200)
        self.add_row(_("&Note:"), self.body_edit, "body")
        self.resize(600, self.sizeHint().height())

    def submit(self) -> SessionNote:
        return followup.revise_note(self.state.ctx, self.session_id, self.body_edit.toPlainText())


class SessionsSection(CaseSection):
    """Sessions with their notes' history; appointments and quick notes stay above."""

    def __init__(
        self, state: AppState, beneficiary_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(state, beneficiary_id, parent)
        self._select_next: uuid.UUID | None = None
        self._history: list[NoteRevision] = []
        self._entries: dict[uuid.UUID, SessionEntry] = {}
        self._names: dict[uuid.UUID, str] = {}
        self.record_button = QPushButton(_("&Record a session…"))
        self.record_button.clicked.connect(self.record_session)
        self.empty_record_button = QPushButton(_("&Record a session…"))
        self.empty_record_button.clicked.connect(self.record_session)
        empty = EmptyState(
            _("No follow-up sessions yet"),
            _("Record each interview, workshop, visit or call with its note, on the day."),
            self.empty_record_button,
        )
        self.void_button = QPushButton(_("Ca&ncel this entry…"))
        self.void_button.setToolTip(_("For a session recorded by mistake"))
        self.void_button.clicked.connect(self.void_session)
        self.lay_out(empty, [], self._build_content(), above=[self._build_contacts()])
        self.reload()

    def _build_contacts(self) -> QHBoxLayout:
        """Appointments and quick notes: the short contacts around the sessions."""
        self.appointment_button = QPushButton(_("New &appointment…"))
        self.appointment_button.clicked.connect(self.make_appointment)
        self.quick_note_button = QPushButton(_("&Quick note…"))
        self.quick_note_button.clicked.connect(self.quick_note)
        self.next_label = QLabel()
        self.next_label.setStyleSheet("color: #55606a;")
        align_to_layout(self.next_label)
        row = QHBoxLayout()
        row.addWidget(self.next_label, 1)
        row.addWidget(self.quick_note_button)
        row.addWidget(self.appointment_button)
        return row

    def _show_next(self) -> None:
        now = datetime.now(UTC)
        coming = [
            entry
            for entry in appointments.list_for(self.state.ctx, self.beneficiary_id)
            if entry.status is AppointmentStatus.PLANNED and entry.ends_at >= now
        ]
        if not coming:
            self.next_label.setText(_("No appointment planned."))
            return
        first = min(coming, key=lambda entry: entry.starts_at)
        self.next_label.setText(
            _("Next appointment: {day} at {time}").format(
                day=format_date(first.starts_at.date()), time=f"\u200e{first.starts_at:%H:%M}"
            )
        )

    def make_appointment(self) -> QDialog:
        return self.open_dialog(AppointmentDialog(self.state, self.beneficiary_id, self))

    def quick_note(self) -> QDialog:
        return self.open_dialog(QuickNoteDialog(self.state, self.beneficiary_id, self))

    def _build_content(self) -> QWidget:
        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setAlternatingRowColors(True)
        self.table.setHeaderLabels(
            [
                _("Date"),
                _("Kind"),
                _("Duration"),
                _("Staff"),
                _("Confidentiality"),
                _("Topic"),
                _("Note"),
            ]
        )
        header = self.table.header()
        header.setStretchLastSection(True)
        for column in range(6):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.currentItemChanged.connect(lambda *_args: self._show_selected())
        self.table.itemActivated.connect(lambda *_args: self.correct_note())
        upper = QWidget()  # the buttons go with the list when the splitter moves
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addLayout(button_row([self.record_button, self.void_button]))
        upper_layout.addWidget(self.table, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(upper)
        splitter.addWidget(self._build_details())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        return splitter

    def _build_details(self) -> QGroupBox:
        box = QGroupBox(_("Note"))
        self.note_caption = QLabel()
        self.note_caption.setStyleSheet("color: #55606a;")
        align_to_layout(self.note_caption)
        self.note_view = QPlainTextEdit()
        self.note_view.setReadOnly(True)
        self.correct_button = QPushButton(_("&Correct the note…"))
        self.correct_button.clicked.connect(self.correct_note)
        self.history = QTreeWidget()
        self.history.setRootIsDecorated(False)
        self.history.setHeaderLabels([_("Revision"), _("Written by"), _("Written at")])
        self.history.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.history.currentItemChanged.connect(lambda *_args: self._show_revision())
        history_box = QVBoxLayout()
        history_title = QLabel(_("&History of the note"))
        history_title.setBuddy(self.history)
        history_box.addWidget(history_title)
        history_box.addWidget(self.history, 1)
        note_box = QVBoxLayout()
        note_box.addWidget(self.note_caption)
        note_box.addWidget(self.note_view, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.correct_button)
        buttons.addStretch(1)
        note_box.addLayout(buttons)
        row = QHBoxLayout(box)
        row.addLayout(note_box, 3)
        row.addLayout(history_box, 2)
        return box

    # Reading --------------------------------------------------------------------------

    def reload(self) -> None:
        ctx = self.state.ctx
        self._show_next()
        selected = self._select_next or self.selected_id()
        self._select_next = None
        sessions = session_entries.entries_for(ctx, self.beneficiary_id)
        self._entries = {entry.id: entry for entry in sessions}
        self.show_content(bool(sessions))
        if not sessions:
            return
        self._names = organisation.staff_names(ctx)
        self.table.clear()
        for record in sessions:
            item = self._session_item(record)
            self.table.addTopLevelItem(item)
            if record.id == selected:
                self.table.setCurrentItem(item)
        select_first(self.table)
        self._show_selected()

    def _session_item(self, record: SessionEntry) -> QTreeWidgetItem:
        minutes = record.duration_minutes
        duration = _("{minutes} min").format(minutes=minutes) if minutes else "—"
        staff = self._names.get(record.staff_id, "—") if record.staff_id else "—"
        item = QTreeWidgetItem(
            [
                format_date(record.held_on),
                label(record.kind),
                duration,
                staff,
                label(record.confidentiality),
                record.topic or "",
                excerpt(record.note),
            ]
        )
        item.setData(0, ROLE, record.id)
        if record.voided:
            item.setText(5, f"{voided_caption(record.void_reason)} — {record.topic or ''}")
            mark_voided(item, 7)
            return item
        if record.confidentiality is Confidentiality.PSYCHOLOGIST_ONLY:
            background, foreground = TONES["warning"]
            item.setBackground(4, QBrush(QColor(background)))
            item.setForeground(4, QBrush(QColor(foreground)))
        return item

    def selected_id(self) -> uuid.UUID | None:
        item = self.table.currentItem()
        return item.data(0, ROLE) if item is not None else None

    def _voided(self, session_id: uuid.UUID) -> bool:
        entry = self._entries.get(session_id)
        return entry is not None and entry.voided

    def void_session(self) -> QDialog | None:
        """Cancel the selected session, recorded by mistake (kept, marked, not counted)."""
        session_id = self.selected_id()
        if session_id is None:
            return None
        self._select_next = session_id
        return self.open_dialog(VoidDialog(self.state, FollowUpSession, session_id, self))

    def _show_selected(self) -> None:
        session_id = self.selected_id()
        self.history.clear()
        self._history = []
        self.void_button.setEnabled(session_id is not None and not self._voided(session_id))
        if session_id is None:
            self.correct_button.setEnabled(False)
            return
        self._history = session_entries.revisions(self.state.ctx, session_id)
        for note in self._history:
            author = self._names.get(note.author_id, "—") if note.author_id else "—"
            item = QTreeWidgetItem([str(note.revision), author, format_moment(note.written_at)])
            self.history.addTopLevelItem(item)
        self.correct_button.setEnabled(True)
        self.correct_button.setText(
            _("&Correct the note…") if self._history else _("&Write the note…")
        )
        if self._history:
            self.history.setCurrentItem(top_items(self.history)[-1])
        else:
            self.note_view.setPlainText("")
            self.note_caption.setText(_("No note was written for this session."))

    def _show_revision(self) -> None:
        index = current_index(self.history)
        if not 0 <= index < len(self._history):
            return
        note = self._history[index]
        self.note_view.setPlainText(note.body)
        author = self._names.get(note.author_id, "—") if note.author_id else "—"
        caption = _("Revision {number} of {count}, written by {name} on {moment}")
        self.note_caption.setText(
            caption.format(
                number=note.revision,
                count=self._history[-1].revision,
                name=author,
                moment=format_moment(note.written_at),
            )
        )

    # Doing ----------------------------------------------------------------------------

    def _select_recorded(self, record: object) -> None:
        if isinstance(record, FollowUpSession):
            self._select_next = record.id

    def record_session(self) -> QDialog:
        dialog = RecordSessionDialog(self.state, self.beneficiary_id, self)
        dialog.saved.connect(self._select_recorded)
        return self.open_dialog(dialog)

    def correct_note(self) -> QDialog | None:
        session_id = self.selected_id()
        if session_id is None:
            return None
        current = self._history[-1].body if self._history else ""
        return self.open_dialog(ReviseNoteDialog(self.state, session_id, current, self))
