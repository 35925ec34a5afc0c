"""A page shown for the first time loads once: it loads as it is built, and showing it
does not ask again (a supervisor's dashboard was computed twice at every unlock, two
5-second computations on 50,000 cases that slowed the first searches)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from app.services.context import ServiceContext
from app.settings import Settings
from app.store.profile import Profile
from app.views.app_state import AppState
from app.views.caseload import CaseloadPage
from app.views.caseload_model import search_pool
from app.views.dashboard import DashboardPage
from app.views.workspace import Workspace
from passerelle_core.enums import StaffRole


@pytest.fixture(autouse=True)
def _no_work_outlives_the_profile(profile: Profile) -> Iterator[None]:
    yield
    search_pool().waitForDone()
    QThreadPool.globalInstance().waitForDone()


def test_pages_load_once_when_first_shown_and_again_when_shown_again(
    qtbot: QtBot, profile: Profile, colleague: Callable[..., ServiceContext]
) -> None:
    supervisor = colleague(StaffRole.SUPERVISOR, "Nadia Idrissi")
    workspace = Workspace(AppState(profile, supervisor, Settings()))
    qtbot.addWidget(workspace)
    home = workspace.page("dashboard")  # a supervisor's home: built and shown at once
    assert isinstance(home, DashboardPage)
    assert home._generation == 1
    cases = workspace.show_page("caseload")
    assert isinstance(cases, CaseloadPage)
    qtbot.waitUntil(lambda: not cases.model.busy)
    assert cases.model._generation == 1
    workspace.show_page("dashboard")  # back to it: what changed meanwhile is shown
    assert home._generation == 2
    workspace.show_page("caseload")
    assert cases.model._generation == 2
