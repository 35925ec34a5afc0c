"""Start, first run, unlock and lock journeys on real encrypted profiles."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.models import StaffMember
from app.services import owner
from app.settings import Settings
from app.store.header import HEADER_NAME
from app.store.keys import KdfParams
from app.store.profile import Profile
from app.views.first_run import FirstRunWizard, slugify, unique_folder_name
from app.views.language import apply_language
from app.views.unlock import LockScreen, UnlockScreen
from passerelle_core.enums import StaffRole

PASSPHRASE = "ma soeur habite a fes"
SHORT_DELAY_MS = 150


def make_profile(root: Path, name: str, kdf: KdfParams, with_owner: bool = True) -> None:
    with Profile.create(root / name, PASSPHRASE, kdf) as profile:
        if with_owner:
            owner.setup_owner(profile.sessions, f"Owner {name}", StaffRole.EDUCATOR)


def unlock_screen(qtbot: QtBot, root: Path, kdf: KdfParams, **options: object) -> UnlockScreen:
    settings = options.pop("settings", None) or Settings()
    assert isinstance(settings, Settings)
    screen = UnlockScreen(root, settings, kdf=kdf, base_delay_ms=SHORT_DELAY_MS)
    qtbot.addWidget(screen)
    screen.show()
    return screen


def owner_of(profile: Profile) -> StaffMember:
    actor = owner.load_actor(profile.sessions)
    assert actor is not None
    with profile.sessions() as session:
        staff = session.get(StaffMember, actor.staff_id)
        assert staff is not None
        return staff


def try_passphrase(qtbot: QtBot, screen: UnlockScreen | LockScreen, text: str) -> None:
    """Type a passphrase, press Enter, and wait for the answer to come back."""
    qtbot.keyClicks(screen.prompt.field, text)
    qtbot.keyClick(screen.prompt.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not screen.prompt.busy)


# -- first run -------------------------------------------------------------------------


def test_first_run_refuses_weak_and_mismatched_then_creates(
    qtbot: QtBot, tmp_path: Path, fast_kdf: KdfParams
) -> None:
    screen = unlock_screen(qtbot, tmp_path / "profiles", fast_kdf)
    assert screen.stack.currentIndex() == 0  # no profile: the wizard is offered first
    qtbot.mouseClick(screen.welcome_button, Qt.MouseButton.LeftButton)
    wizard = screen.wizard
    assert wizard is not None and wizard.isVisible()
    assert not wizard.enrol_button.isEnabled()
    assert "synchronisation" in wizard.enrol_button.toolTip()

    qtbot.keyClicks(wizard.full_name, "Amina Tazi")
    assert wizard.folder.text() == "amina-tazi"
    wizard.role.setCurrentIndex(wizard.role.findData(StaffRole.PSYCHOLOGIST))
    qtbot.keyClicks(wizard.facility, "Prison locale Oukacha")
    qtbot.keyClicks(wizard.passphrase, "password")
    qtbot.keyClicks(wizard.confirmation, "password")
    assert wizard.meter.problems.isVisible()
    qtbot.mouseClick(wizard.create_button, Qt.MouseButton.LeftButton)
    assert "too weak" in wizard.error.text()
    assert "well-known" in wizard.error.text()
    assert wizard.isVisible()

    wizard.passphrase.clear()
    wizard.confirmation.clear()
    qtbot.keyClicks(wizard.passphrase, PASSPHRASE)
    qtbot.keyClicks(wizard.confirmation, PASSPHRASE + "!")
    assert "strong" in wizard.meter.level.text().lower()
    qtbot.mouseClick(wizard.create_button, Qt.MouseButton.LeftButton)
    assert wizard.error.text() == "The two passphrases differ."

    qtbot.keyClick(wizard.confirmation, Qt.Key.Key_Backspace)
    with qtbot.waitSignal(screen.unlocked, timeout=10_000) as unlocked:
        qtbot.keyClick(wizard.confirmation, Qt.Key.Key_Return)
    profile = unlocked.args[0]
    try:
        assert profile.folder == tmp_path / "profiles" / "amina-tazi"
        staff = owner_of(profile)
        assert staff.full_name == "Amina Tazi"
        assert staff.role is StaffRole.PSYCHOLOGIST
        assert not wizard.isVisible()
        assert screen.stack.currentIndex() == 1
        assert screen.selected_folder() == profile.folder
    finally:
        profile.close()


def test_wizard_checks_name_role_and_folder(
    qtbot: QtBot, tmp_path: Path, fast_kdf: KdfParams
) -> None:
    make_profile(tmp_path, "amina-tazi", fast_kdf)
    wizard = FirstRunWizard(tmp_path, kdf=fast_kdf)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.accept()
    assert wizard.error.text() == "Type your full name."
    qtbot.keyClicks(wizard.full_name, "Amina Tazi")
    assert wizard.folder.text() == "amina-tazi-2"  # unique under the root
    wizard.accept()
    assert wizard.error.text() == "Choose your role."
    wizard.role.setCurrentIndex(0)
    qtbot.keyClicks(wizard.passphrase, PASSPHRASE)
    qtbot.keyClicks(wizard.confirmation, PASSPHRASE)
    wizard.folder.clear()
    qtbot.keyClicks(wizard.folder, "../elsewhere")
    wizard.accept()
    assert "folder name" in wizard.error.text()
    wizard.folder.clear()
    qtbot.keyClicks(wizard.folder, "amina-tazi")
    wizard.accept()
    assert "already exists" in wizard.error.text()
    qtbot.keyClicks(wizard.full_name, " Bennani")
    assert wizard.folder.text() == "amina-tazi"  # typed by hand: no longer suggested
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)
    assert not wizard.isVisible()


def test_folder_names_are_slugs() -> None:
    assert slugify("Amina Tazi-El Idrissi") == "amina-tazi-el-idrissi"
    assert slugify("Hélène Ça") == "helene-ca"
    assert slugify("أمينة التازي") == "profile"


def test_unique_folder_name(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x-2").mkdir()
    assert unique_folder_name(tmp_path, "x") == "x-3"


# -- unlocking -------------------------------------------------------------------------


def test_unlock_lists_profiles_and_opens_the_selected_one(
    qtbot: QtBot, tmp_path: Path, fast_kdf: KdfParams
) -> None:
    make_profile(tmp_path, "beta", fast_kdf)
    make_profile(tmp_path, "alpha", fast_kdf)
    (tmp_path / "not-a-profile").mkdir()
    settings = Settings(last_profile=str(tmp_path / "beta"))
    screen = unlock_screen(qtbot, tmp_path, fast_kdf, settings=settings)
    names = [screen.profile_list.item(row).text() for row in range(screen.profile_list.count())]
    assert names == ["alpha", "beta"]
    assert screen.selected_folder() == tmp_path / "beta"  # the last one used

    screen.select_profile("alpha")
    qtbot.keyClicks(screen.prompt.field, PASSPHRASE)
    screen.prompt.submit()
    assert screen.prompt.busy and not screen.prompt.field.isEnabled()
    assert not screen.profile_list.isEnabled() and screen.prompt.busy_bar.isVisibleTo(screen)
    with qtbot.waitSignal(screen.unlocked, timeout=10_000) as unlocked:
        pass
    profile = unlocked.args[0]
    try:
        assert profile.folder == tmp_path / "alpha"
        assert owner_of(profile).full_name == "Owner alpha"
        assert screen.prompt.field.text() == ""
    finally:
        profile.close()


def test_wrong_passphrase_then_a_growing_wait(
    qtbot: QtBot, tmp_path: Path, fast_kdf: KdfParams
) -> None:
    make_profile(tmp_path, "alpha", fast_kdf)
    screen = unlock_screen(qtbot, tmp_path, fast_kdf)
    prompt = screen.prompt
    for attempt in (1, 2):
        try_passphrase(qtbot, screen, "not the passphrase")
        assert prompt.failures == attempt
        assert prompt.message.text() == "Wrong passphrase."
        assert prompt.field.text() == ""
        assert prompt.delay_ms() == 0 and prompt.button.isEnabled()

    try_passphrase(qtbot, screen, "still not it")
    assert prompt.delay_ms() == SHORT_DELAY_MS
    assert prompt.is_waiting() and not prompt.button.isEnabled()
    assert "Wait 1 s" in prompt.message.text()
    qtbot.keyClicks(prompt.field, PASSPHRASE)
    qtbot.keyClick(prompt.field, Qt.Key.Key_Return)  # ignored while waiting
    assert not prompt.busy and prompt.failures == 3
    qtbot.waitUntil(prompt.button.isEnabled, timeout=2_000)
    prompt.field.clear()

    try_passphrase(qtbot, screen, "wrong again")
    assert prompt.failures == 4
    assert prompt.delay_ms() == 2 * SHORT_DELAY_MS
    assert not prompt.button.isEnabled()
    qtbot.waitUntil(prompt.button.isEnabled, timeout=2_000)

    with qtbot.waitSignal(screen.unlocked, timeout=10_000) as unlocked:
        try_passphrase(qtbot, screen, PASSPHRASE)
    unlocked.args[0].close()
    assert prompt.failures == 0


def test_corrupt_profile_shows_the_store_message(
    qtbot: QtBot, tmp_path: Path, fast_kdf: KdfParams
) -> None:
    make_profile(tmp_path, "damaged", fast_kdf)
    (tmp_path / "damaged" / HEADER_NAME).write_bytes(b"\x00 not json")
    screen = unlock_screen(qtbot, tmp_path, fast_kdf)
    try_passphrase(qtbot, screen, PASSPHRASE)
    assert screen.prompt.message.text() == (
        "The profile is damaged and was left untouched: the profile header is not valid JSON"
    )
    assert screen.prompt.failures == 0
    assert screen.prompt.button.isEnabled()


def test_profile_without_owner_asks_for_one(
    qtbot: QtBot, tmp_path: Path, fast_kdf: KdfParams
) -> None:
    make_profile(tmp_path, "unfinished", fast_kdf, with_owner=False)
    screen = unlock_screen(qtbot, tmp_path, fast_kdf)
    try_passphrase(qtbot, screen, PASSPHRASE)
    wizard = screen.wizard
    assert wizard is not None and wizard.isVisible()
    assert not wizard.passphrase_group.isVisibleTo(wizard)
    qtbot.keyClicks(wizard.full_name, "Youssef Alami")
    wizard.role.setCurrentIndex(wizard.role.findData(StaffRole.SUPERVISOR))
    with qtbot.waitSignal(screen.unlocked, timeout=10_000) as unlocked:
        qtbot.mouseClick(wizard.create_button, Qt.MouseButton.LeftButton)
    profile = unlocked.args[0]
    try:
        assert profile.folder == tmp_path / "unfinished"
        assert owner_of(profile).role is StaffRole.SUPERVISOR
    finally:
        profile.close()


# -- locking ---------------------------------------------------------------------------


def test_lock_screen_wrong_then_right_passphrase_resumes(
    qtbot: QtBot, tmp_path: Path, fast_kdf: KdfParams
) -> None:
    make_profile(tmp_path, "alpha", fast_kdf)
    with Profile.open(tmp_path / "alpha", PASSPHRASE) as profile:
        screen = LockScreen(base_delay_ms=SHORT_DELAY_MS)
        qtbot.addWidget(screen)
        screen.show()
        screen.lock(profile)
        assert screen.profile_label.text() == "Profile: alpha"
        with qtbot.assertNotEmitted(screen.resumed):
            try_passphrase(qtbot, screen, "nope nope nope")
        assert screen.prompt.message.text() == "Wrong passphrase."
        with qtbot.waitSignal(screen.resumed, timeout=10_000):
            try_passphrase(qtbot, screen, PASSPHRASE)
        assert screen.prompt.field.text() == ""
        assert screen.prompt.failures == 0


# -- right to left ---------------------------------------------------------------------


@pytest.fixture
def arabic(qapp: QApplication) -> Iterator[None]:
    apply_language(qapp, "ar")
    yield
    apply_language(qapp, "en")


@pytest.mark.usefixtures("arabic")
def test_screens_mirror_in_arabic(qtbot: QtBot, tmp_path: Path, fast_kdf: KdfParams) -> None:
    make_profile(tmp_path, "alpha", fast_kdf)
    screens = [
        UnlockScreen(tmp_path, Settings(), kdf=fast_kdf),
        LockScreen(),
        FirstRunWizard(tmp_path, kdf=fast_kdf),
    ]
    for screen in screens:
        qtbot.addWidget(screen)
        assert screen.layoutDirection() == Qt.LayoutDirection.RightToLeft
