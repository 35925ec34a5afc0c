"""Case files behind another give back their widgets (issue 23: memory with 20 open) and
are built again when shown; one holding unsaved input keeps it, as typed. The auto-lock
listens to windows, not to every widget's events."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QThreadPool
from PySide6.QtGui import QWindow
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.services import beneficiaries, owner
from app.settings import Settings
from app.store.keys import KdfParams
from app.store.profile import Profile
from app.views.autolock import IdleWatcher
from app.views.casefile.identity import IdentitySection
from app.views.main_window import MainWindow
from app.views.workspace import Workspace
from passerelle_core.enums import StaffRole


def _open(qtbot: QtBot, tmp_path: Path, fast_kdf: KdfParams) -> tuple[MainWindow, Workspace]:
    profile = Profile.create(tmp_path / "profiles" / "amina", "correct horse battery", fast_kdf)
    owner.setup_owner(profile.sessions, "Amina Tazi", StaffRole.SOCIAL_WORKER, "Oukacha")
    window = MainWindow(Settings(language="en"), tmp_path / "profiles", tmp_path / "s.json")
    qtbot.addWidget(window, before_close_func=lambda _w: QThreadPool.globalInstance().waitForDone())
    window.open_profile(profile)
    window.show()
    qtbot.waitExposed(window)
    assert window.workspace is not None
    return window, window.workspace


def _identity(view: QWidget) -> IdentitySection:
    section = view.section("identity")  # type: ignore[attr-defined]
    assert isinstance(section, IdentitySection)
    return section


def test_a_hidden_case_file_lets_go_of_its_tabs_and_shows_them_again(
    qtbot: QtBot, tmp_path: Path, fast_kdf: KdfParams
) -> None:
    window, workspace = _open(qtbot, tmp_path, fast_kdf)
    ctx = window.state.ctx  # type: ignore[union-attr]
    karim = beneficiaries.register(ctx, {"last_name": "Bennani", "first_name": "Karim"})
    sara = beneficiaries.register(ctx, {"last_name": "Alami", "first_name": "Sara"})

    first = workspace.open_case(karim.id)
    assert set(first.sections) == {"identity"}  # only the tab shown is built
    workspace.open_case(sara.id, "sessions")
    assert first.sections == {}  # behind another: nothing built any more
    assert first.tabs.count() == 7 and first.tabs.currentIndex() == 0

    workspace.open_case(karim.id)  # shown again: its tab is built again, with its data
    identity = first.tabs.currentWidget()
    assert isinstance(identity, IdentitySection) and first.sections == {"identity": identity}
    last_name = identity.fields["last_name"].editor
    assert isinstance(last_name, QLineEdit) and last_name.text() == "Bennani"
    assert "BENNANI" in first.header.text()


def test_a_hidden_case_file_with_unsaved_input_keeps_it(
    qtbot: QtBot, tmp_path: Path, fast_kdf: KdfParams
) -> None:
    window, workspace = _open(qtbot, tmp_path, fast_kdf)
    ctx = window.state.ctx  # type: ignore[union-attr]
    karim = beneficiaries.register(
        ctx, {"last_name": "Bennani", "first_name": "Karim", "phone": "0612345678"}
    )
    sara = beneficiaries.register(ctx, {"last_name": "Alami", "first_name": "Sara"})

    first = workspace.open_case(karim.id)
    identity = _identity(first)
    identity.start_editing()
    phone = identity.fields["phone"].editor
    assert isinstance(phone, QLineEdit)
    phone.clear()
    qtbot.keyClicks(phone, "0699887766")
    workspace.open_case(sara.id)
    assert first.sections == {"identity": identity}  # kept whole, as typed
    workspace.open_case(karim.id)
    assert identity.editing and phone.text() == "0699887766"
    assert identity.changes() == {"phone": "0699887766"}

    identity.cancel_editing()  # nothing unsaved any more: it goes the next time it hides
    workspace.open_case(sara.id)
    assert first.sections == {}


class _Counting(IdleWatcher):
    def __init__(self) -> None:
        super().__init__(10)
        self.seen: list[int] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        self.seen.append(event.type().value)
        return super().eventFilter(watched, event)


def test_the_auto_lock_hears_input_through_windows_only(qtbot: QtBot) -> None:
    top = QWidget()
    qtbot.addWidget(top)
    labels = [QLabel(str(n)) for n in range(50)]
    column = QVBoxLayout(top)
    for label in labels:
        column.addWidget(label)
    top.show()
    qtbot.waitExposed(top)
    watcher = _Counting()
    window = top.windowHandle()
    assert isinstance(window, QWindow)

    watcher.seen.clear()
    for label in labels:  # widgets' own events: no Python call each
        label.setText(label.text() + "!")
        label.adjustSize()
        QTest.qWait(0)
    assert len(watcher.seen) < len(labels)

    timer = watcher._timer
    timer.setTimerType(Qt.TimerType.PreciseTimer)  # a 10-minute coarse one counts seconds
    timer.setInterval(600_000)
    timer.start()
    qtbot.waitUntil(lambda: timer.remainingTime() < 599_950, timeout=5_000)
    before = timer.remainingTime()
    QTest.keyClick(window, Qt.Key.Key_A)  # a key pressed reaches the window first
    assert QEvent.Type.KeyPress.value in watcher.seen
    assert timer.remainingTime() > before  # the wait started again
    watcher.deleteLater()
