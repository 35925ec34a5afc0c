"""The caseload reads the "did you mean" words while nobody types: the first typo's
keystroke does not pay for them (speed is measured in bench/ui.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from app.services import beneficiaries, search
from app.services.context import ServiceContext
from app.settings import Settings
from app.store.profile import Profile
from app.views.app_state import AppState
from app.views.caseload import CaseloadPage
from app.views.caseload_model import search_pool


@pytest.fixture(autouse=True)
def _no_work_outlives_the_profile(profile: Profile) -> Iterator[None]:
    yield
    search_pool().waitForDone()
    QThreadPool.globalInstance().waitForDone()


def test_the_words_are_read_before_the_first_typo(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext
) -> None:
    beneficiaries.register(ctx, {"last_name": "Bennani", "first_name": "Karim"})
    search.VOCABULARY._cache.clear()
    page = CaseloadPage(AppState(profile, ctx, Settings()))
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: bool(search.VOCABULARY._cache))  # no keystroke yet
    with ctx.reading() as session:
        assert "bennani" in search.VOCABULARY.words(session.connection())
    page.apply_preset("everyone")
    page.search.setText("bennanni")
    qtbot.waitUntil(lambda: not page.suggestion.isHidden())  # the page itself is not shown
    assert "bennani" in page.suggestion.text()
