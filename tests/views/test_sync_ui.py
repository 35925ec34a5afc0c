"""Sync in the desktop client: the status bar, "Sync now", offline, refusals, conflicts, wipe.

Real widgets on real encrypted profiles, enrolled with a real ``passerelle-server``
process on 127.0.0.1 (SQLite); nothing is mocked. Syncs run in Qt's thread pool: tests
wait on the controller's signals, never sleep.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.models import Beneficiary, SyncConflict
from app.models.sync import ConflictResolution
from app.services import beneficiaries, conflicts, owner
from app.services.context import ServiceContext
from app.settings import Settings
from app.store.keys import KdfParams
from app.store.profile import Profile
from app.sync import engine, outbox
from app.sync.engine import SyncOptions
from app.sync.state import DEVICE_ID, SERVER_ID, get, get_uuid, put
from app.views.app_state import AppState
from app.views.conflicts import ConflictsPage, ResolveDialog
from app.views.main_window import MainWindow
from app.views.status_bar import StatusBar
from app.views.sync_controller import SyncController
from tests.conftest import PASSPHRASE
from tests.server.harness import Account, RunningServer, start_server

SYNC_MS = 30_000
NEVER_MS = 24 * 3600 * 1000  # no automatic first sync: the test says when


class Laptop:
    """An enrolled profile that has synced once (it knows its team and colleagues)."""

    def __init__(self, folder: Path, server: RunningServer, account: Account) -> None:
        self.folder = folder
        self.profile = Profile.create(folder, PASSPHRASE, KdfParams.fast_for_tests())
        engine.enrol(self.profile, server.url, account.username, account.password, "laptop")
        engine.sync(self.profile)

    @property
    def ctx(self) -> ServiceContext:
        return owner.owner_context(self.profile.sessions)

    def state(self) -> AppState:
        return AppState(self.profile, self.ctx, Settings(language="en"))


MakeLaptop = Callable[..., Laptop]


def _finish_background_work(_widget: QWidget | None = None) -> None:
    """No sync may outlive the profile it runs on."""
    QThreadPool.globalInstance().waitForDone()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with start_server(tmp_path_factory.mktemp("server")) as running:
        yield running


@pytest.fixture
def laptop(server: RunningServer, tmp_path: Path) -> Iterator[MakeLaptop]:
    opened: list[Laptop] = []
    numbers = itertools.count(1)

    def make(account: Account, on: RunningServer | None = None) -> Laptop:
        made = Laptop(tmp_path / "profiles" / f"laptop-{next(numbers)}", on or server, account)
        opened.append(made)
        return made

    yield make
    _finish_background_work()
    for made in opened:
        made.profile.close()


def _team() -> str:
    return f"Team {uuid.uuid4().hex[:8]}"


def _register(ctx: ServiceContext) -> uuid.UUID:
    return beneficiaries.register(ctx, {"last_name": "Alaoui", "first_name": "Youssef"}).id


def _bar(qtbot: QtBot, controller: SyncController) -> StatusBar:
    bar = StatusBar()
    qtbot.addWidget(bar, before_close_func=_finish_background_work)
    bar.follow(controller)
    bar.resize(1100, 30)
    bar.show()
    qtbot.waitExposed(bar)
    return bar


def _controller(state: AppState, **options: object) -> SyncController:
    return SyncController(state, first_sync_delay_ms=NEVER_MS, **options)  # type: ignore[arg-type]


def test_without_a_server_the_profile_is_local_only(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext
) -> None:
    controller = _controller(AppState(profile, ctx, Settings(language="en")))
    bar = _bar(qtbot, controller)
    controller.start()
    assert bar.connectivity.text() == "Local only: no sync server configured"
    assert not controller.enrolled and not controller.is_scheduled
    assert bar.sync_button.isHidden() and bar.last_sync.isHidden() and bar.waiting.isHidden()
    with qtbot.assertNotEmitted(controller.started):
        assert controller.sync_now() is False


def test_sync_now_runs_in_the_background_and_empties_the_waiting_list(
    qtbot: QtBot, server: RunningServer, laptop: MakeLaptop
) -> None:
    first = laptop(server.add_user(team=_team()))
    controller = _controller(first.state(), poll_ms=50)
    bar = _bar(qtbot, controller)
    controller.start()
    assert controller.is_scheduled
    assert bar.last_sync.text() == "Last sync: just now"
    assert bar.waiting.text() == "Nothing waiting to sync"
    _register(first.ctx)  # an edit made through a service, as any screen makes it
    qtbot.waitUntil(lambda: bar.waiting.text() == "1 change waiting")

    with qtbot.waitSignal(controller.finished, timeout=SYNC_MS) as done:
        with qtbot.waitSignal(controller.started):
            qtbot.mouseClick(bar.sync_button, Qt.MouseButton.LeftButton)
        # The click returned before the sync ended: it runs off the GUI thread.
        assert controller.is_running
        assert bar.busy.isVisible() and bar.connectivity.text() == "Syncing…"
        assert not bar.sync_button.isEnabled()
        assert controller.sync_now() is False  # never two at once
    assert done.args[0].sent == 1
    assert not controller.is_running and not bar.busy.isVisible()
    assert bar.connectivity.text() == "Online"
    assert bar.last_sync.text() == "Last sync: just now"
    assert bar.waiting.text() == "Nothing waiting to sync"
    assert outbox.pending_count(first.profile) == 0


def test_an_unreachable_server_means_offline_and_the_changes_wait(
    qtbot: QtBot, laptop: MakeLaptop, tmp_path: Path
) -> None:
    own = start_server(tmp_path / "own-server")
    first = laptop(own.add_user(team=_team()), on=own)
    _register(first.ctx)
    _register(first.ctx)
    own.stop()
    controller = _controller(first.state())
    bar = _bar(qtbot, controller)
    controller.start()
    notices: list[str] = []
    controller.notice.connect(notices.append)
    with qtbot.waitSignal(controller.failed, timeout=SYNC_MS) as failed:
        controller.sync_now()
    assert "cannot be reached" in failed.args[0]
    assert bar.connectivity.text() == "Offline — 2 changes waiting"
    assert bar.waiting.isHidden()  # said once, in the offline text
    assert notices == [] and bar.notice is None
    assert outbox.pending_count(first.profile) == 2  # the outbox is intact
    assert bar.sync_button.isEnabled()


@pytest.mark.parametrize("refusal", ["server-replaced", "client-too-old"])
def test_a_refusal_is_told_once_in_the_bar_and_a_non_modal_notice(
    qtbot: QtBot, server: RunningServer, laptop: MakeLaptop, refusal: str
) -> None:
    first = laptop(server.add_user(team=_team()))
    options = SyncOptions(protocol_version=0) if refusal == "client-too-old" else None
    if refusal == "server-replaced":
        with first.profile.engine.begin() as connection:
            real_id = get(connection, SERVER_ID)
            put(connection, SERVER_ID, str(uuid.uuid4()))
    controller = _controller(first.state(), options=options)
    bar = _bar(qtbot, controller)
    controller.start()
    notices: list[str] = []
    controller.notice.connect(notices.append)
    for _attempt in range(2):
        with qtbot.waitSignal(controller.failed, timeout=SYNC_MS) as failed:
            controller.sync_now()
    message = failed.args[0]
    expected = "Enrol the profile again" if refusal == "server-replaced" else "update it"
    assert expected in message
    assert notices == [message]  # told once, not at every attempt
    assert bar.notice is not None and bar.notice.isVisible()
    assert bar.notice.windowModality() == Qt.WindowModality.NonModal
    assert bar.notice.text() == message
    assert bar.connectivity.text().startswith("Sync stopped: ")
    assert bar.connectivity.toolTip() == message
    assert "Offline" not in bar.connectivity.text()
    if refusal == "server-replaced":
        with first.profile.engine.begin() as connection:
            put(connection, SERVER_ID, real_id)
        with qtbot.waitSignal(controller.finished, timeout=SYNC_MS):
            controller.sync_now()
        assert bar.connectivity.text() == "Online" and bar.connectivity.toolTip() == ""


def _conflict(server: RunningServer, laptop: MakeLaptop) -> tuple[Laptop, Laptop, uuid.UUID]:
    """Amina and Karim change the same phone number offline; Amina's reached the server
    first. Both laptops hold the conflict afterwards."""
    team = _team()
    first = laptop(server.add_user(team=team, full_name="Amina Tazi"))
    second = laptop(server.add_user(team=team, full_name="Karim Idrissi"))
    person = _register(first.ctx)
    engine.sync(first.profile)
    engine.sync(second.profile)
    beneficiaries.update(first.ctx, person, {"phone": "0611111111"})
    beneficiaries.update(second.ctx, person, {"phone": "0622222222"})
    engine.sync(first.profile)
    assert engine.sync(second.profile).conflicts == 1
    engine.sync(first.profile)
    return first, second, person


def test_a_conflict_is_listed_and_resolved_side_by_side(
    qtbot: QtBot, server: RunningServer, laptop: MakeLaptop
) -> None:
    first, second, person = _conflict(server, laptop)
    page = ConflictsPage(first.state())
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    qtbot.waitExposed(page)
    assert page.stack.currentWidget() is page.listing
    assert page.summary.text() == "1 conflict to resolve"
    [row] = page.rows()
    texts = [row.text(column).replace("\u200e", "") for column in range(5)]
    assert texts[:3] == ["ALAOUI Youssef", "Identity", "Phone"]
    kept, other = texts[3].split("\n"), texts[4].split("\n")
    assert kept[0] == "0611111111" and kept[1].startswith("Amina Tazi · ")
    assert other[0] == "0622222222" and other[1].startswith("Karim Idrissi · ")
    assert page.refused_box.isHidden()

    with qtbot.waitSignal(page.open_case) as opened:
        qtbot.mouseClick(page.case_button, Qt.MouseButton.LeftButton)
    assert opened.args == [person, "identity"]

    page.tree.setFocus()
    qtbot.keyClick(page.tree, Qt.Key.Key_Return)
    dialog = page.dialog
    assert isinstance(dialog, ResolveDialog) and dialog.isVisible()
    shown = [
        label.text().replace("\u200e", "") for label in dialog.findChildren(type(page.summary))
    ]
    assert "0611111111" in shown and "0622222222" in shown
    assert "Changed by Amina Tazi" in shown and "Changed by Karim Idrissi" in shown
    assert dialog.keep_button.isDefault()
    with qtbot.waitSignal(dialog.resolved) as resolved:
        qtbot.mouseClick(dialog.other_button, Qt.MouseButton.LeftButton)
    assert resolved.args == [ConflictResolution.OTHER]
    assert not dialog.isVisible()

    with first.profile.sessions() as session:
        stored = session.scalars(select(SyncConflict)).one()
        assert stored.resolution is ConflictResolution.OTHER
        assert stored.resolved_by == first.ctx.actor.staff_id
        assert session.get(Beneficiary, person).phone == "0622222222"  # type: ignore[union-attr]
    assert page.stack.currentWidget() is page.empty
    assert conflicts.open_conflicts(first.ctx) == []
    assert outbox.pending_count(first.profile) >= 1  # the choice travels at the next sync


def test_escape_leaves_the_conflict_open(
    qtbot: QtBot, server: RunningServer, laptop: MakeLaptop
) -> None:
    first, _second, _person = _conflict(server, laptop)
    page = ConflictsPage(first.state())
    qtbot.addWidget(page)
    page.show()
    dialog = page.resolve_current()
    assert dialog is not None
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and dialog.choice is None
    assert len(conflicts.open_conflicts(first.ctx)) == 1


def _window(qtbot: QtBot, folder: Path, profile: Profile) -> MainWindow:
    window = MainWindow(Settings(language="en"), folder.parent, folder.parent / "settings.json")
    qtbot.addWidget(window, before_close_func=_finish_background_work)
    window.open_profile(profile)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_the_window_syncs_with_f5_and_opens_conflicts_from_the_status_bar(
    qtbot: QtBot, server: RunningServer, laptop: MakeLaptop
) -> None:
    first, _second, _person = _conflict(server, laptop)
    window = _window(qtbot, first.folder, first.profile)
    controller = window.sync
    assert controller is not None and controller.is_scheduled
    with qtbot.waitSignal(controller.finished, timeout=SYNC_MS):
        qtbot.keyClick(window, Qt.Key.Key_F5)
    bar = window.status
    assert bar.connectivity.text() == "Online"
    assert bar.conflicts.isVisible() and bar.conflicts.text() == "1 conflict to resolve"
    qtbot.mouseClick(bar.conflicts, Qt.MouseButton.LeftButton)
    assert window.workspace is not None
    page = window.workspace.pages.currentWidget()
    assert isinstance(page, ConflictsPage) and len(page.rows()) == 1

    window.lock()
    assert not controller.is_scheduled  # no sync behind the lock screen
    window.lock_screen.resumed.emit()
    assert controller.is_scheduled


def test_a_wiped_laptop_returns_to_the_unlock_screen(
    qtbot: QtBot, server: RunningServer, laptop: MakeLaptop
) -> None:
    first = laptop(server.add_user(team=_team()))
    with first.profile.engine.connect() as connection:
        device_id = get_uuid(connection, DEVICE_ID)
    assert device_id is not None
    window = _window(qtbot, first.folder, first.profile)
    assert window.sync is not None
    server.set_device_status(device_id, "wipe")
    with qtbot.waitSignal(window.sync.wiped, timeout=SYNC_MS):
        window.sync_now()
    assert window.stack.currentWidget() is window.unlock_screen
    assert window.workspace is None and window.state is None and window.sync is None
    assert not first.folder.exists()
    assert window.wiped_notice is not None and window.wiped_notice.isVisible()
    assert window.status.connectivity.text() == "Local only: no sync server configured"
