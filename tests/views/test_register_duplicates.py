"""Registering someone already in the caseload: warned before saving, in French and Arabic.

The counsellor types another spelling of a person already registered; the dialog lists
the likely file with its score and reasons; she opens it instead, or saves anyway with a
reason, which is kept as a "not a duplicate" decision.
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.models import Beneficiary
from app.models.duplicate import DuplicateDecision, DuplicateVerdict
from app.services import beneficiaries
from app.services.context import ServiceContext
from app.settings import Settings
from app.store.profile import Profile
from app.views.app_state import AppState
from app.views.caseload import CaseloadPage
from app.views.register_dialog import RegisterDialog

LEFT = Qt.MouseButton.LeftButton
BIRTH = date(1990, 5, 14)
SAVE_ANYWAY = {"fr": "Enregistrer quand même", "ar": "حفظ رغم ذلك"}


@pytest.fixture
def existing(ctx: ServiceContext) -> uuid.UUID:
    return beneficiaries.register(
        ctx,
        {
            "last_name": "El Idrissi",
            "first_name": "Mohamed",
            "last_name_ar": "الإدريسي",
            "first_name_ar": "محمد",
            "birth_date": BIRTH,
            "cin": "AB123456",
        },
    ).id


def open_dialog(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext
) -> tuple[CaseloadPage, RegisterDialog]:
    page = CaseloadPage(AppState(profile, ctx, Settings()))
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: not page.model.busy)
    qtbot.mouseClick(page.register_button, LEFT)
    dialog = page.dialog
    assert isinstance(dialog, RegisterDialog) and dialog.isVisible()
    return page, dialog


def type_respelt(qtbot: QtBot, dialog: RegisterDialog) -> None:
    """The same man as a second counsellor types him: other spelling, no CIN."""
    qtbot.keyClicks(dialog.last_name, "Drissi")
    qtbot.keyClicks(dialog.first_name, "Mhamed")
    dialog.last_name_ar.setText("ادريسي")
    dialog.birth_date.set_value(BIRTH)


def count(profile: Profile) -> int:
    with profile.sessions() as session:
        return session.scalar(select(func.count()).select_from(Beneficiary)) or 0


def test_save_anyway_needs_a_reason_and_keeps_it(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, existing: uuid.UUID, language: str
) -> None:
    page, dialog = open_dialog(qtbot, profile, ctx)
    type_respelt(qtbot, dialog)
    qtbot.mouseClick(dialog.save_button, LEFT)

    # Warned, nothing saved: the existing file is listed with its score and reasons.
    warning = dialog.duplicates
    assert dialog.isVisible() and warning.isVisible()
    assert [row.match.id for row in warning.rows] == [existing]
    row = warning.rows[0]
    assert "EL IDRISSI Mohamed" in row.name.text()
    if language == "ar":
        assert "محمد الإدريسي" in row.name.text()  # the Arabic spelling first
    assert "AB123456" in row.details.text()
    assert ("même date de naissance" if language == "fr" else "نفس تاريخ الازدياد") in (
        row.details.text()
    )
    assert SAVE_ANYWAY[language] in dialog.save_button.text().replace("&", "")
    assert count(profile) == 1

    # Save anyway without a reason: refused under the reason.
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.isVisible() and warning.reason_error.isVisible()
    assert count(profile) == 1

    # With a reason: saved, the new file opens, the reason is kept as a decision.
    warning.reason.setText("Autre père, vérifié avec la famille")
    with qtbot.waitSignal(page.open_case) as opened:
        qtbot.mouseClick(dialog.save_button, LEFT)
    new_id = opened.args[0]
    assert new_id != existing and count(profile) == 2
    with profile.sessions() as session:
        decision = session.scalars(select(DuplicateDecision)).one()
    assert (decision.beneficiary_id, decision.other_id) == (new_id, existing)
    assert decision.verdict is DuplicateVerdict.NOT_DUPLICATE
    assert decision.reason == "Autre père, vérifié avec la famille"
    assert decision.decided_by_id == ctx.actor.staff_id


def test_open_the_existing_file_instead(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, existing: uuid.UUID, language: str
) -> None:
    page, dialog = open_dialog(qtbot, profile, ctx)
    type_respelt(qtbot, dialog)
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.duplicates.isVisible()
    with qtbot.waitSignal(page.open_case) as opened:
        qtbot.mouseClick(dialog.duplicates.rows[0].open_button, LEFT)
    assert opened.args[0] == existing
    assert not dialog.isVisible()
    assert count(profile) == 1


def test_a_brother_is_saved_without_warning_and_a_corrected_name_is_checked_again(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, existing: uuid.UUID, language: str
) -> None:
    page, dialog = open_dialog(qtbot, profile, ctx)
    type_respelt(qtbot, dialog)
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.duplicates.isVisible()

    # It was his brother: the first name corrected, the check runs again and finds nobody.
    dialog.first_name.setText("Youssef")
    dialog.last_name_ar.clear()
    dialog.birth_date.set_value(date(1990, 11, 2))
    with qtbot.waitSignal(page.open_case):
        qtbot.mouseClick(dialog.save_button, LEFT)
    assert not dialog.duplicates.isVisible()
    assert count(profile) == 2
    with profile.sessions() as session:
        assert session.scalars(select(DuplicateDecision)).all() == []
