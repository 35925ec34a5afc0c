"""In the app: "I already work offline: connect to the server", and a partial sync shown.

Real widgets (pytest-qt, offscreen) on real encrypted profiles and a real
``passerelle-server`` process on 127.0.0.1; enrolment and syncs run off the GUI
thread, the tests wait on signals.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.models import Beneficiary
from app.services import beneficiaries, owner
from app.services.context import ServiceContext
from app.settings import Settings
from app.store.keys import KdfParams
from app.store.profile import Profile
from app.sync import engine, outbox
from app.sync.engine import SyncOptions
from app.views.app_state import AppState
from app.views.settings_view import SettingsPage
from app.views.status_bar import StatusBar
from app.views.sync_controller import SyncController
from passerelle_core.enums import StaffRole
from tests.conftest import PASSPHRASE
from tests.server.harness import RunningServer, start_server

WAIT_MS = 60_000
CANCELLED_CASES = 2_500  # a first sync of a few thousand records
NEVER_MS = 24 * 3600 * 1000


def _finish_background_work(_widget: QWidget | None = None) -> None:
    QThreadPool.globalInstance().waitForDone()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with start_server(tmp_path_factory.mktemp("server")) as running:
        yield running


@pytest.fixture
def profiles(tmp_path: Path) -> Iterator[list[Profile]]:
    opened: list[Profile] = []
    yield opened
    _finish_background_work()
    for profile in opened:
        profile.close()


def _profile(folder: Path, profiles: list[Profile]) -> Profile:
    profile = Profile.create(folder, PASSPHRASE, KdfParams.fast_for_tests())
    profiles.append(profile)
    return profile


def _names(profile: Profile) -> set[str]:
    with profile.sessions() as session:
        return set(session.scalars(select(Beneficiary.last_name)))


def test_an_offline_profile_connects_from_the_settings_and_reaches_the_team(
    qtbot: QtBot, server: RunningServer, tmp_path: Path, profiles: list[Profile]
) -> None:
    team = f"Team {uuid.uuid4().hex[:6]}"
    account = server.add_user("social_worker", team)
    profile = _profile(tmp_path / "offline", profiles)
    owner.setup_owner(profile.sessions, "Amina Offline", StaffRole.SOCIAL_WORKER, team_name="Mine")
    ctx = owner.owner_context(profile.sessions)
    beneficiaries.register(ctx, {"last_name": "Recorded offline", "first_name": "Youssef"})
    page = SettingsPage(AppState(profile, ctx, Settings(language="en"), tmp_path / "s.json"))
    qtbot.addWidget(page, before_close_func=_finish_background_work)
    page.show()
    assert page.connect_button.isVisible()

    dialog = page.show_connect()
    qtbot.addWidget(dialog)
    dialog.server.setText(server.url)
    dialog.username.setText(account.username)
    dialog.password.setText(account.password)
    with (
        qtbot.waitSignal(dialog.connected, timeout=WAIT_MS) as done,
        qtbot.waitSignal(page.server_connected, timeout=WAIT_MS),
    ):
        qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    assert done.args[0].adopted and done.args[0].queued > 0
    assert dialog.password.text() == ""  # used once, never kept
    assert not page.connect_button.isVisible()
    assert outbox.is_enrolled(profile)

    assert engine.sync(profile).complete
    colleague = _profile(tmp_path / "colleague", profiles)
    other = server.add_user("social_worker", team)
    engine.enrol(colleague, server.url, other.username, other.password, "laptop")
    engine.sync(colleague)
    assert "Recorded offline" in _names(colleague)


def test_a_partial_sync_says_so_in_the_status_bar(
    qtbot: QtBot, server: RunningServer, tmp_path: Path, profiles: list[Profile]
) -> None:
    team = f"Team {uuid.uuid4().hex[:6]}"
    counsellor = _profile(tmp_path / "counsellor", profiles)
    supervisor = _profile(tmp_path / "supervisor", profiles)
    elsewhere = server.add_user()
    for profile, role in ((counsellor, "social_worker"), (supervisor, "supervisor")):
        account = server.add_user(role, team)
        engine.enrol(profile, server.url, account.username, account.password, "laptop")
        engine.sync(profile)
    ctx = owner.owner_context(counsellor.sessions)
    cases = [
        beneficiaries.register(ctx, {"last_name": f"Case {n}", "first_name": "Amina"}).id
        for n in range(6)
    ]
    engine.sync(counsellor)
    engine.sync(supervisor)
    with owner.owner_context(supervisor.sessions).transaction() as session:
        for case_id in cases:
            record = session.get(Beneficiary, case_id)
            assert record is not None
            record.team_id, record.assigned_staff_id = elsewhere.team_id, elsewhere.staff_id
    engine.sync(supervisor)

    state = AppState(counsellor, ctx, Settings(language="en"))
    controller = SyncController(state, first_sync_delay_ms=NEVER_MS)
    bar = StatusBar()
    qtbot.addWidget(bar, before_close_func=_finish_background_work)
    bar.follow(controller)
    bar.resize(1400, 30)
    bar.show()
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS):
        assert controller.sync_now()
    text = bar.connectivity.toolTip() or bar.connectivity.text()
    assert "6 cases kept until a supervisor confirms their removal" in text
    assert bar.connectivity.text().startswith("Partial sync")
    assert len(_names(counsellor)) == 6  # nothing removed
    controller.stop()


def test_a_first_sync_shows_its_progress_in_the_status_bar(
    qtbot: QtBot, server: RunningServer, tmp_path: Path, profiles: list[Profile]
) -> None:
    team = f"Team {uuid.uuid4().hex[:6]}"
    source, newcomer = _profile(tmp_path / "source", profiles), _profile(tmp_path / "new", profiles)
    for profile in (source, newcomer):
        account = server.add_user("social_worker", team)
        engine.enrol(profile, server.url, account.username, account.password, "laptop")
    ctx = owner.owner_context(source.sessions)
    for number in range(30):
        beneficiaries.register(ctx, {"last_name": f"Case {number}", "first_name": "Amina"})
    engine.sync(source)

    state = AppState(newcomer, owner.owner_context(newcomer.sessions), Settings(language="en"))
    options = SyncOptions(page_size=10, commit_seconds=0)
    controller = SyncController(state, first_sync_delay_ms=NEVER_MS, options=options)
    bar = StatusBar()
    qtbot.addWidget(bar, before_close_func=_finish_background_work)
    bar.follow(controller)
    bar.show()
    seen: list[tuple[int, int]] = []
    controller.progress.connect(lambda received, expected: seen.append((received, expected)))
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS):
        assert controller.sync_now()
    qtbot.waitUntil(lambda: bool(seen) and seen[-1][0] == seen[-1][1])
    assert len(seen) >= 3 and seen[-1][1] >= 30
    assert bar.busy.maximum() == 0  # back to "busy" for the next sync
    controller.stop()


def _many_cases(ctx: ServiceContext, count: int) -> None:
    """``count`` cases in one transaction (captured for upload like any edit): seeding
    thousands through the form service would take most of the test's time."""
    with ctx.transaction() as session:
        session.add_all(
            Beneficiary(
                last_name=f"Case {number}",
                first_name="Amina",
                assigned_staff_id=ctx.actor.staff_id,
                team_id=ctx.actor.team_id,
                intake_date=ctx.today(),
            )
            for number in range(count)
        )


def test_a_first_sync_is_cancelled_from_the_status_bar_and_the_next_one_resumes(
    qtbot: QtBot, server: RunningServer, tmp_path: Path, profiles: list[Profile]
) -> None:
    team = f"Team {uuid.uuid4().hex[:6]}"
    source, newcomer = _profile(tmp_path / "source", profiles), _profile(tmp_path / "new", profiles)
    for profile in (source, newcomer):
        account = server.add_user("social_worker", team)
        engine.enrol(profile, server.url, account.username, account.password, "laptop")
    _many_cases(owner.owner_context(source.sessions), CANCELLED_CASES)
    engine.sync(source)

    state = AppState(newcomer, owner.owner_context(newcomer.sessions), Settings(language="en"))
    options = SyncOptions(page_size=100, commit_seconds=0)
    controller = SyncController(state, first_sync_delay_ms=NEVER_MS, options=options)
    bar = StatusBar()
    qtbot.addWidget(bar, before_close_func=_finish_background_work)
    bar.follow(controller)
    bar.resize(1400, 30)
    bar.show()
    assert not bar.cancel_button.isVisible()  # nothing to cancel

    def press_cancel(_received: int, _expected: int) -> None:
        if bar.cancel_button.isEnabled():  # the person presses it once
            qtbot.mouseClick(bar.cancel_button, Qt.MouseButton.LeftButton)

    controller.progress.connect(press_cancel)
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS) as stopped:
        assert controller.sync_now()
        assert bar.cancel_button.isVisible() and bar.cancel_button.text() == "Cancel"
    report = stopped.args[0]
    assert report.cancelled and report.expected is not None
    assert 0 < report.received_so_far < report.expected
    arrived = len(_names(newcomer))
    assert 0 < arrived < CANCELLED_CASES  # what arrived is kept
    text = bar.connectivity.text()
    assert "stopped at your request after" in text
    assert f"{report.received_so_far} of {report.expected} records" in text
    assert not bar.cancel_button.isVisible() and bar.sync_button.isEnabled()

    controller.progress.disconnect(press_cancel)
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS) as resumed:
        assert controller.sync_now()
    assert resumed.args[0].complete and not resumed.args[0].cancelled
    assert len(_names(newcomer)) == CANCELLED_CASES  # everything arrived, nothing twice
    assert bar.connectivity.text() == "Online"
    controller.stop()
