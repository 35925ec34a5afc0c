"""The settings page saves to the settings file and announces a new interface language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from app import __version__
from app.services.context import ServiceContext
from app.settings import Settings, load_settings
from app.store.profile import Profile
from app.sync.policy import Policy, write_policy
from app.views.app_state import AppState
from app.views.language import apply_language
from app.views.main_window import MainWindow
from app.views.settings_view import SettingsPage


@pytest.fixture
def state(profile: Profile, ctx: ServiceContext, tmp_path: Path) -> AppState:
    return AppState(profile, ctx, Settings(), tmp_path / "config" / "settings.json")


def settings_page(qtbot: QtBot, state: AppState) -> SettingsPage:
    page = SettingsPage(state)
    qtbot.addWidget(page)
    page.show()
    return page


def test_saving_writes_the_file_and_emits_the_new_language(qtbot: QtBot, state: AppState) -> None:
    page = settings_page(qtbot, state)
    assert page.ui_language.currentData() == "fr"
    assert not page.language_note.isVisible()
    page.ui_language.setCurrentIndex(page.ui_language.findData("ar"))
    assert page.language_note.isVisible()
    page.report_language.setCurrentIndex(page.report_language.findData("ar"))
    page.idle_minutes.setValue(25)
    page.sync_minutes.setValue(30)

    with qtbot.waitSignal(page.language_changed) as changed:
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert changed.args == ["ar"]
    assert state.settings.language == "ar"
    assert state.settings.idle_lock_minutes == 25
    assert state.settings_file is not None
    saved = load_settings(state.settings_file)
    assert (saved.language, saved.report_language) == ("ar", "ar")
    assert (saved.idle_lock_minutes, saved.sync_interval_minutes) == (25, 30)
    assert page.status.text() == "Settings saved."


def test_saving_without_a_language_change_emits_nothing(qtbot: QtBot, state: AppState) -> None:
    page = settings_page(qtbot, state)
    page.idle_minutes.setValue(5)
    with qtbot.assertNotEmitted(page.language_changed), qtbot.waitSignal(page.settings_saved):
        page.save()
    assert load_settings(state.settings_file).idle_lock_minutes == 5


def test_auto_lock_is_bounded(qtbot: QtBot, state: AppState) -> None:
    page = settings_page(qtbot, state)  # never synced: the policy's default limit, 60
    assert (page.idle_minutes.minimum(), page.idle_minutes.maximum()) == (1, 60)
    assert page.idle_minutes.value() == 20  # long enough for a listening interview
    page.idle_minutes.setValue(500)
    assert page.idle_minutes.value() == 60


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_administrators_limit_bounds_the_auto_lock(
    qtbot: QtBot, qapp: QApplication, state: AppState, profile: Profile, language: str
) -> None:
    with profile.engine.begin() as connection:
        write_policy(connection, Policy(max_idle_lock_minutes=15))
    state.settings.idle_lock_minutes = 45  # chosen before the administrator's limit came
    apply_language(qapp, language)
    try:
        page = settings_page(qtbot, state)
        assert page.idle_minutes.maximum() == 15
        assert page.idle_minutes.value() == 15
        assert "15" in page.idle_limit_note.text()
        assert page.idle_limit_note.text() != "Your administrator allows at most 15 minutes."
        window = MainWindow(state.settings, state.profile.folder.parent, state.settings_file)
        qtbot.addWidget(
            window, before_close_func=lambda _w: QThreadPool.globalInstance().waitForDone()
        )
        window.open_profile(profile)
        assert window.idle._timer.interval() == 15 * 60_000  # the limit, not the 45 chosen
        state.settings.idle_lock_minutes = 10
        window._settings_saved()
        assert window.idle._timer.interval() == 10 * 60_000  # within it: the person's choice
    finally:
        apply_language(qapp, "en")


def test_refresh_drops_unsaved_edits(qtbot: QtBot, state: AppState) -> None:
    page = settings_page(qtbot, state)
    page.sync_minutes.setValue(99)
    page.refresh()
    assert page.sync_minutes.value() == state.settings.sync_interval_minutes


def test_shows_profile_folder_and_version_for_support(
    qtbot: QtBot, state: AppState, profile: Profile
) -> None:
    page = settings_page(qtbot, state)
    texts = [label.text() for label in page.findChildren(QLabel)]
    assert str(profile.folder) in texts
    assert __version__ in texts


@pytest.fixture
def arabic(qapp: QApplication) -> Iterator[None]:
    apply_language(qapp, "ar")
    yield
    apply_language(qapp, "en")


@pytest.mark.usefixtures("arabic")
def test_settings_page_mirrors_in_arabic(qtbot: QtBot, state: AppState) -> None:
    page = settings_page(qtbot, state)
    assert page.layoutDirection() == Qt.LayoutDirection.RightToLeft
