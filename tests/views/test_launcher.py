"""A newcomer's first start: a demo profile is created and opens on a living worklist."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.services import organisation, owner, worklist
from app.settings import Settings, load_settings
from app.store.keys import KdfParams
from app.store.profile import Profile
from app.views.launcher import DEMO_OWNER, DEMO_PASSPHRASE, create_demo_profile
from app.views.main_window import MainWindow
from app.views.worklist import HORIZON_DAYS, WorklistPage


def _finish_background_work(_window: QWidget) -> None:
    QThreadPool.globalInstance().waitForDone()


def test_the_demo_profile_opens_on_the_worklist(
    qtbot: QtBot, tmp_path: Path, fast_kdf: KdfParams
) -> None:
    root, settings_file = tmp_path / "profiles", tmp_path / "config" / "settings.json"
    profile = create_demo_profile(root / "demo", fast_kdf)
    window = MainWindow(Settings(language="en"), root, settings_file)
    qtbot.addWidget(window, before_close_func=_finish_background_work)
    window.open_profile(profile)
    window.show()
    qtbot.waitExposed(window)

    workspace = window.workspace
    assert workspace is not None and window.stack.currentWidget() is workspace
    assert not window.is_locked
    page = workspace.pages.currentWidget()
    assert isinstance(page, WorklistPage) and page is workspace.page("worklist")
    assert page.isVisible() and page.stack.currentWidget() is page.listing
    lines = page.work_lines()
    assert lines and len(lines) == len(page.items)
    assert all(line.text(2) for line in lines)  # each line names its beneficiary
    assert page.tree.currentItem() is lines[0]
    assert window.status.profile_label.text() == "demo"

    # What the worklist shows is the owner's own work, as the service reads it.
    assert window.state is not None
    ctx = window.state.ctx
    assert ctx.actor == owner.load_actor(profile.sessions)
    expected = worklist.worklist(ctx, horizon_days=HORIZON_DAYS)
    assert {(w.beneficiary_id, w.title) for w in expected} == {
        (w.beneficiary_id, w.title) for w in page.items
    }

    assert organisation.staff_names(ctx)[ctx.actor.staff_id] == DEMO_OWNER

    # Closing saves the settings (to the scratch file) and closes the profile; the demo
    # passphrase opens it again.
    _finish_background_work(window)
    window.close()
    assert load_settings(settings_file).last_profile == str(root / "demo")
    with Profile.open(root / "demo", DEMO_PASSPHRASE) as reopened:
        assert owner.load_actor(reopened.sessions) == ctx.actor
