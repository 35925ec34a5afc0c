"""What the screens say and do about the unlock guard; copied identifiers do not linger."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.models.base import utcnow
from app.services import beneficiaries, owner
from app.services.unlock_limits import offline_warning, unlock_notice
from app.store.keys import KdfParams
from app.store.profile import Profile
from app.views import export_warning
from app.views.clipboard import ClipboardGuard
from app.views.unlock import LockScreen
from tests.views.test_unlock import PASSPHRASE, make_profile, try_passphrase, unlock_screen


def _guard(folder: Path, *, failures: int = 4, days: int = 30, ago: float = 0) -> None:
    with Profile.open(folder, PASSPHRASE) as profile:
        profile.record_server_contact(
            max_failed_unlocks=failures,
            max_offline_days=days,
            at=utcnow() - timedelta(days=ago),
        )


def test_unlock_screen_counts_down_then_the_profile_is_gone(
    qtbot: QtBot, tmp_path: Path, fast_kdf: KdfParams
) -> None:
    root = tmp_path / "profiles"
    make_profile(root, "amina", fast_kdf)
    make_profile(root, "other", fast_kdf)
    _guard(root / "amina", failures=3)
    screen = unlock_screen(qtbot, root, fast_kdf)
    screen.select_profile("amina")
    assert "3 attempts left" in screen.prompt.notice.text()
    try_passphrase(qtbot, screen, "wrong wrong wrong")
    assert "2 attempts left" in screen.prompt.notice.text()
    assert "not yet synced" in screen.prompt.notice.text()
    qtbot.waitUntil(lambda: not screen.prompt.is_waiting())
    try_passphrase(qtbot, screen, "wrong wrong wrong")
    qtbot.waitUntil(lambda: not screen.prompt.is_waiting())
    try_passphrase(qtbot, screen, "wrong wrong wrong")
    assert not (root / "amina").exists()
    assert screen.notice_box is not None and "erased" in screen.notice_box.text()
    assert [screen.profile_list.item(i).text() for i in range(screen.profile_list.count())] == [
        "other"
    ]


def test_unlock_screen_says_when_the_server_must_be_reached(
    qtbot: QtBot, tmp_path: Path, fast_kdf: KdfParams
) -> None:
    root = tmp_path / "profiles"
    make_profile(root, "amina", fast_kdf)
    _guard(root / "amina", days=30, ago=27.5)
    assert "within 3 days" in unlock_notice(root / "amina")
    _guard(root / "amina", days=30, ago=31)
    screen = unlock_screen(qtbot, root, fast_kdf)
    assert "must reach the sync server to unlock" in screen.prompt.notice.text()
    try_passphrase(qtbot, screen, PASSPHRASE)
    assert "too long" in screen.prompt.message.text()  # never enrolled here: no server to ask


def test_after_unlock_the_pending_changes_at_stake_are_named(
    tmp_path: Path, fast_kdf: KdfParams
) -> None:
    make_profile(tmp_path, "amina", fast_kdf)
    _guard(tmp_path / "amina", days=30, ago=28)
    with Profile.open(tmp_path / "amina", PASSPHRASE) as profile:
        ctx = owner.owner_context(profile.sessions)
        beneficiaries.register(ctx, {"last_name": "Tazi", "first_name": "Omar"})
        warning = offline_warning(profile)
    assert warning is not None and "within 2 days" in warning
    assert "not yet on the server" in warning


def test_lock_screen_failures_erase_and_tell_the_window(
    qtbot: QtBot, tmp_path: Path, fast_kdf: KdfParams
) -> None:
    make_profile(tmp_path, "amina", fast_kdf)
    _guard(tmp_path / "amina", failures=3)
    profile = Profile.open(tmp_path / "amina", PASSPHRASE)
    screen = LockScreen(base_delay_ms=50)
    qtbot.addWidget(screen)
    screen.show()
    screen.lock(profile)
    try_passphrase(qtbot, screen, "wrong wrong wrong")
    assert "2 attempts left" in screen.prompt.notice.text()
    qtbot.waitUntil(lambda: not screen.prompt.is_waiting())
    try_passphrase(qtbot, screen, "wrong wrong wrong")
    qtbot.waitUntil(lambda: not screen.prompt.is_waiting())
    with qtbot.waitSignal(screen.erased):
        try_passphrase(qtbot, screen, "wrong wrong wrong")
    assert not (tmp_path / "amina").exists()


def test_clipboard_guard_clears_only_its_own_text(qtbot: QtBot) -> None:
    clipboard = QGuiApplication.clipboard()
    guard = ClipboardGuard(clipboard, seconds=0.2)
    guard.copy("AB123456")
    assert clipboard.text() == "AB123456"
    mime = clipboard.mimeData()
    assert mime is not None and mime.hasFormat("x-kde-passwordManagerHint")
    qtbot.waitUntil(lambda: clipboard.text() == "", timeout=3000)
    guard.copy("CD654321")
    clipboard.blockSignals(True)  # replaced behind the guard's back, as by another program
    clipboard.setText("another program's text")
    clipboard.blockSignals(False)
    qtbot.wait(400)  # the timer fires: the clipboard no longer holds ours, so it stays
    assert clipboard.text() == "another program's text"
    guard.copy("EF000111")
    guard.clear_ours()  # what the window does on lock and at exit
    assert clipboard.text() == ""


def test_export_warning_can_be_refused(qtbot: QtBot, tmp_path: Path) -> None:
    def answer(button: QMessageBox.StandardButton) -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, export_warning.ExportWarning) and widget.isVisible():
                widget.done(button)

    QTimer.singleShot(50, lambda: answer(QMessageBox.StandardButton.Cancel))
    assert export_warning.confirm_export(None, tmp_path / "plan.pdf") is False
    QTimer.singleShot(50, lambda: answer(QMessageBox.StandardButton.Save))
    assert export_warning.confirm_export(None, tmp_path / "plan.pdf") is True
    assert "leaves Passerelle's encrypted store" in export_warning.export_warning_text(None)
