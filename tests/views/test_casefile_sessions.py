"""Follow-up sessions: recording one with its note, correcting the note, confidentiality.

Typed text is ASCII: QTest cannot type accented letters (qasciikey asserts).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.models import Beneficiary
from app.services import beneficiaries, followup
from app.services.context import ServiceContext
from app.settings import Settings
from app.store.profile import Profile
from app.views.app_state import AppState
from app.views.casefile.sessions import RecordSessionDialog, ReviseNoteDialog, SessionsSection
from passerelle_core.enums import Confidentiality, SessionKind, StaffRole

Colleague = Callable[[StaffRole], ServiceContext]


@pytest.fixture
def person(ctx: ServiceContext) -> Beneficiary:
    return beneficiaries.register(ctx, {"last_name": "Idrissi", "first_name": "Karim"})


def _section(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, person: Beneficiary
) -> SessionsSection:
    section = SessionsSection(AppState(profile, ctx, Settings()), person.id)
    qtbot.addWidget(section)
    section.resize(1100, 700)
    section.show()
    return section


def test_record_a_session_then_correct_its_note(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, person: Beneficiary
) -> None:
    section = _section(qtbot, profile, ctx, person)
    assert section.stack.currentWidget() is section.empty

    qtbot.mouseClick(section.empty_record_button, Qt.MouseButton.LeftButton)
    dialog = section.dialog
    assert isinstance(dialog, RecordSessionDialog)
    dialog.kind.select(SessionKind.FAMILY_VISIT)
    qtbot.keyClicks(dialog.topic, "Preparation de la sortie")
    qtbot.keyClicks(dialog.note, "La mere accepte de l'heberger.")
    with qtbot.waitSignal(section.changed):
        dialog.accept()

    row = section.table.topLevelItem(0)
    assert row.text(1) == "Family visit"
    assert row.text(2) == "45 min"
    assert row.text(3) == "Amina Tazi"
    assert row.text(5) == "Preparation de la sortie"
    assert row.text(6) == "La mere accepte de l'heberger."
    assert section.note_view.toPlainText() == "La mere accepte de l'heberger."
    assert section.history.topLevelItemCount() == 1

    qtbot.mouseClick(section.correct_button, Qt.MouseButton.LeftButton)
    correction = section.dialog
    assert isinstance(correction, ReviseNoteDialog)
    assert correction.body_edit.toPlainText() == "La mere accepte de l'heberger."
    correction.body_edit.clear()
    qtbot.keyClicks(correction.body_edit, "La soeur accepte de l'heberger.")
    with qtbot.waitSignal(section.changed):
        correction.accept()

    assert section.history.topLevelItemCount() == 2
    assert [section.history.topLevelItem(i).text(0) for i in range(2)] == ["1", "2"]
    assert section.history.topLevelItem(1).text(1) == "Amina Tazi"
    assert section.note_view.toPlainText() == "La soeur accepte de l'heberger."
    assert section.table.topLevelItem(0).text(6) == "La soeur accepte de l'heberger."
    section.history.setCurrentItem(section.history.topLevelItem(0))
    assert section.note_view.toPlainText() == "La mere accepte de l'heberger."  # kept
    assert section.note_caption.text().startswith("Revision 1 of 2, written by Amina Tazi")


def test_an_empty_correction_is_refused_inline(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, person: Beneficiary
) -> None:
    followup.record_session(ctx, person.id, held_on=ctx.today(), note="Premier entretien")
    section = _section(qtbot, profile, ctx, person)
    dialog = section.correct_note()
    assert isinstance(dialog, ReviseNoteDialog)
    dialog.body_edit.clear()
    dialog.accept()
    assert dialog.error.isVisible()
    assert len(followup.note_history(ctx, section.selected_id())) == 1  # type: ignore[arg-type]


def test_psychologist_only_option_offered_to_psychologists_only(
    qtbot: QtBot,
    profile: Profile,
    ctx: ServiceContext,
    colleague: Colleague,
    person: Beneficiary,
) -> None:
    section = _section(qtbot, profile, ctx, person)
    dialog = section.record_session()
    assert isinstance(dialog, RecordSessionDialog)
    assert dialog.confidentiality.values() == [Confidentiality.STANDARD]
    assert not dialog.confidentiality.isEnabled()
    dialog.reject()

    psychologist = colleague(StaffRole.PSYCHOLOGIST)
    theirs = _section(qtbot, profile, psychologist, person)
    dialog = theirs.record_session()
    assert isinstance(dialog, RecordSessionDialog)
    assert Confidentiality.PSYCHOLOGIST_ONLY in dialog.confidentiality.values()
    dialog.confidentiality.select(Confidentiality.PSYCHOLOGIST_ONLY)
    qtbot.keyClicks(dialog.note, "Elements cliniques")
    with qtbot.waitSignal(theirs.changed):
        dialog.accept()
    assert theirs.table.topLevelItem(0).text(4) == "Psychologists only"

    section.reload()  # the social worker's list does not show it
    assert section.stack.currentWidget() is section.empty
