"""Coordination meetings: recording one with participants and a decision about a person,
following the decision up, and opening the person's case file from it.

Typed text is ASCII: QTest cannot type accented letters (qasciikey asserts).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.models import Beneficiary
from app.services import beneficiaries, meetings
from app.services.context import ServiceContext
from app.settings import Settings
from app.store.profile import Profile
from app.views.app_state import AppState
from app.views.meeting_dialog import MeetingDialog
from app.views.meetings import DecisionStatusDialog, MeetingsPage
from passerelle_core.enums import DecisionStatus, StaffRole

Colleague = Callable[[StaffRole], ServiceContext]


@pytest.fixture
def person(ctx: ServiceContext) -> Beneficiary:
    return beneficiaries.register(
        ctx, {"last_name": "Bennani", "first_name": "Youssef", "cin": "AB123456"}
    )


def _page(qtbot: QtBot, profile: Profile, ctx: ServiceContext) -> MeetingsPage:
    page = MeetingsPage(AppState(profile, ctx, Settings()))
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    return page


def test_record_a_meeting_and_open_the_case_from_a_decision(
    qtbot: QtBot,
    profile: Profile,
    ctx: ServiceContext,
    colleague: Colleague,
    person: Beneficiary,
) -> None:
    educator = colleague(StaffRole.EDUCATOR)
    page = _page(qtbot, profile, ctx)
    assert page.stack.currentWidget() is page.empty

    qtbot.mouseClick(page.empty_record_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, MeetingDialog)
    qtbot.keyClicks(dialog.title, "Commission de preparation a la sortie")
    qtbot.keyClicks(dialog.minutes, "Trois situations examinees.")
    assert dialog.participant_ids() == [ctx.actor.staff_id]  # the organiser is ticked
    for row in range(dialog.staff_list.count()):
        dialog.staff_list.item(row).setCheckState(Qt.CheckState.Checked)
    dialog.add_outside_row("Rachid Amrani", "Service de probation")

    dialog.tabs.setCurrentIndex(2)
    assert not dialog.add_decision()  # nothing written yet
    assert dialog.decision_error.isVisible()
    qtbot.keyClicks(dialog.decision_text, "Inscrire a la formation en menuiserie")
    dialog.decision_beneficiary.edit.setFocus()
    qtbot.keyClicks(dialog.decision_beneficiary.edit, "benn")
    qtbot.waitUntil(lambda: len(dialog.decision_beneficiary.hits) == 1)
    dialog.decision_beneficiary.choose(dialog.decision_beneficiary.hits[0])
    assert dialog.decision_beneficiary.beneficiary_id == person.id
    dialog.decision_responsible.select(educator.actor.staff_id)
    dialog.decision_due.check.setChecked(True)
    qtbot.mouseClick(dialog.add_decision_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.decision_text, "Demander un rapport au greffe")
    qtbot.keyClick(dialog.decision_text, Qt.Key.Key_Return)  # Enter adds, not saves
    assert dialog.isVisible()
    assert dialog.decision_list.topLevelItemCount() == 2
    assert dialog.decision_list.topLevelItem(0).text(1).startswith("BENNANI Youssef")

    dialog.accept()
    assert not dialog.isVisible()
    row = page.list.topLevelItem(0)
    assert (row.text(1), row.text(2), row.text(3)) == (
        "Commission de preparation a la sortie",
        "Prison locale Oukacha",
        "2",
    )
    people = [page.participants.topLevelItem(i).text(0) for i in range(3)]
    assert people == ["Amina Tazi", "Colleague educator", "Rachid Amrani"]
    decision = page.decisions.topLevelItem(0)
    assert decision.text(1) == "BENNANI Youssef"
    assert decision.text(2) == "Colleague educator"
    assert decision.text(4) == "To do"

    page.decisions.setCurrentItem(page.decisions.topLevelItem(1))
    assert not page.open_button.isEnabled()  # not about anyone in particular
    page.decisions.setCurrentItem(decision)
    assert page.open_button.isEnabled()
    centre = page.decisions.visualItemRect(decision).center()
    viewport = page.decisions.viewport()
    with qtbot.waitSignal(page.open_case) as opened:
        # A double-click is a click then a double-click event, as a mouse sends them.
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=centre)
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=centre)
    assert opened.args == [person.id, ""]
    with qtbot.waitSignal(page.open_case) as opened:
        qtbot.keyClick(page.decisions, Qt.Key.Key_Return)
    assert opened.args == [person.id, ""]


def test_decision_status_and_validation(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, person: Beneficiary
) -> None:
    meetings.record_meeting(
        ctx,
        held_on=ctx.today(),
        title="Point mensuel",
        decisions=[{"text": "Relancer la CNSS", "beneficiary_id": person.id}],
    )
    page = _page(qtbot, profile, ctx)
    page.decisions.setCurrentItem(page.decisions.topLevelItem(0))
    qtbot.mouseClick(page.status_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, DecisionStatusDialog)
    dialog.status.select(DecisionStatus.DONE)
    dialog.accept()
    assert page.decisions.topLevelItem(0).text(4) == "Done"

    record = page.record_meeting()
    assert isinstance(record, MeetingDialog)
    record.accept()  # no title
    assert record.isVisible()
    assert "Title" in record.error.text()
