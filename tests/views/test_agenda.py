"""The appointment journey on real widgets: made from a session, seen in the agenda and
the worklist, marked missed, then closed by the session recorded that day.

Typed text is ASCII: QTest cannot type accented letters.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.models.base import DeviceClock
from app.services import appointments, beneficiaries, quick_notes, timeline
from app.services.context import ServiceContext
from app.services.worklist import WorkKind
from app.settings import Settings
from app.store.profile import Profile
from app.views.agenda import AgendaPage
from app.views.app_state import AppState
from app.views.appointment_dialog import AppointmentDialog
from app.views.casefile.sessions import RecordSessionDialog, SessionsSection
from app.views.quick_note_dialog import QuickNoteDialog
from app.views.record_forms import to_qdate
from app.views.worklist import WorklistPage
from passerelle_core.enums import AppointmentStatus, QuickNoteKind, StaffRole


@pytest.fixture
def later() -> Iterator[None]:
    """Two days on: the laptop's clock, as the agenda and the worklist read it."""
    DeviceClock.skew = timedelta(days=2)
    try:
        yield
    finally:
        DeviceClock.skew = timedelta(0)


def _show(qtbot: QtBot, widget: AgendaPage | WorklistPage | SessionsSection) -> None:
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    qtbot.waitExposed(widget)


def test_appointment_from_a_session_to_the_agenda_missed_then_recorded(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, later: None
) -> None:
    DeviceClock.skew = timedelta(0)  # today, for the first session
    person = beneficiaries.register(ctx, {"last_name": "Idrissi", "first_name": "Karim"})
    section = SessionsSection(AppState(profile, ctx, Settings()), person.id)
    _show(qtbot, section)
    assert section.next_label.text() == "No appointment planned."
    section.record_session()
    dialog = section.dialog
    assert isinstance(dialog, RecordSessionDialog)
    qtbot.keyClicks(dialog.topic, "Logement")
    tomorrow = ctx.today() + timedelta(days=1)
    dialog.next_check.setChecked(True)
    dialog.next_day.setDate(to_qdate(tomorrow))
    with qtbot.waitSignal(section.changed):
        dialog.accept()
    assert section.next_label.text().startswith("Next appointment:")
    made = dialog.next_appointment
    assert made is not None and made.purpose == "Logement"

    # Two days later: the appointment is past and still planned.
    DeviceClock.skew = timedelta(days=2)
    later_ctx = dataclasses.replace(ctx, today=lambda: tomorrow + timedelta(days=1))
    state = AppState(profile, later_ctx, Settings())
    agenda = AgendaPage(state)
    _show(qtbot, agenda)
    agenda.show_day(tomorrow, week=False)
    [line] = agenda.lines()
    assert line.text(1) == "IDRISSI Karim" and line.text(3) == "Logement"
    assert line.text(4) == "Past: record the session or mark it missed"
    assert agenda.missed_button.isEnabled()

    worklist = WorklistPage(state)
    _show(qtbot, worklist)
    [work] = [
        w
        for w in worklist.work_lines()
        if w.data(0, Qt.ItemDataRole.UserRole).kind is WorkKind.APPOINTMENT
    ]
    worklist.tree.setCurrentItem(work)
    assert work.text(1) == "Appointment" and work.foreground(0).color().name() == "#b3261e"
    qtbot.mouseClick(worklist.missed_button, Qt.MouseButton.LeftButton)
    assert appointments.get(ctx, made.id).status is AppointmentStatus.MISSED
    assert not [w for w in worklist.items if w.kind is WorkKind.APPOINTMENT]
    agenda.refresh()
    assert agenda.lines()[0].text(4) == "Missed"
    assert not agenda.missed_button.isEnabled()

    # He came in the afternoon after all: the session of that day closes it.
    later_section = SessionsSection(state, person.id)
    _show(qtbot, later_section)
    later_section.record_session()
    recorded = later_section.dialog
    assert isinstance(recorded, RecordSessionDialog)
    recorded.held_on.setDate(to_qdate(tomorrow))
    qtbot.keyClicks(recorded.topic, "Venu en retard")
    with qtbot.waitSignal(later_section.changed):
        recorded.accept()
    assert appointments.get(ctx, made.id).status is AppointmentStatus.DONE
    agenda.refresh()
    assert agenda.lines()[0].text(4) == "Held"


def test_agenda_week_new_appointment_team_and_quick_note(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, colleague: object, later: None
) -> None:
    DeviceClock.skew = timedelta(0)
    person = beneficiaries.register(ctx, {"last_name": "Alami", "first_name": "Said"})
    agenda = AgendaPage(AppState(profile, ctx, Settings()))
    _show(qtbot, agenda)
    assert not agenda.team.isVisible()  # a counsellor sees her own agenda
    dialog = agenda.new_appointment()
    assert isinstance(dialog, AppointmentDialog) and dialog.person is not None
    assert dialog.choose(person.id)
    dialog.day.setDate(to_qdate(ctx.today() + timedelta(days=1)))
    qtbot.keyClicks(dialog.purpose, "CV")
    dialog.accept()
    assert dialog.error.text() == ""
    agenda.show_day(ctx.today() + timedelta(days=1))
    assert [line.text(3) for line in agenda.lines()] == ["CV"]
    make = colleague  # type: ignore[assignment]
    boss = AgendaPage(AppState(profile, make(StaffRole.SUPERVISOR), Settings()))  # type: ignore[operator]
    _show(qtbot, boss)
    assert boss.team.isVisible()
    boss.show_day(ctx.today() + timedelta(days=1))
    assert boss.lines() == []
    boss.team.setChecked(True)
    assert [line.text(5) for line in boss.lines()] == ["Amina Tazi"]

    note = QuickNoteDialog(AppState(profile, ctx, Settings()), person.id)
    qtbot.addWidget(note)
    note.kind.select(QuickNoteKind.FAMILY_MESSAGE)
    qtbot.keyClicks(note.text_edit, "Le frere a appele")
    note.accept()
    [saved] = quick_notes.list_for(ctx, person.id)
    assert saved.kind is QuickNoteKind.FAMILY_MESSAGE
    [event] = [e for e in timeline.events(ctx, person.id) if e.kind == "quick_note"]
    assert event.title == "Quick note: Message from the family"
    assert event.detail is not None and event.detail.startswith("Le frere a appele")
