"""The application window opens on a real profile and shows what it holds."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.services import beneficiaries
from app.services.context import ServiceContext
from app.store.profile import Profile
from app.views.launcher import SummaryWindow


def test_summary_window_shows_counts(qtbot: QtBot, profile: Profile, ctx: ServiceContext) -> None:
    for index in range(3):
        beneficiaries.register(ctx, {"last_name": f"Nom{index}", "first_name": "Prénom"})
    window = SummaryWindow(profile)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    label = window.findChild(QLabel)
    assert label is not None
    assert "beneficiary: 3" in label.text()
