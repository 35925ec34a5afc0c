"""The access log page: supervisors see who did what, filter it and export it; counsellors
do not see it at all; opening a case file is recorded."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from pytestqt.qtbot import QtBot

from app.models import AccessAction
from app.services import audit
from app.services.context import ServiceContext
from app.settings import Settings
from app.store.profile import Profile
from app.views.access_log import AccessLogPage
from app.views.app_state import AppState
from app.views.main_window import MainWindow
from app.views.workspace import Workspace
from passerelle_core.enums import StaffRole
from tests.audit.conftest import PERSONAL, History, build_history, raw_rows, tamper

Colleague = Callable[[StaffRole], ServiceContext]


@pytest.fixture
def supervisor(colleague: Colleague) -> ServiceContext:
    return colleague(StaffRole.SUPERVISOR, "Nadia Idrissi")  # type: ignore[call-arg]


@pytest.fixture
def history(profile: Profile, ctx: ServiceContext, supervisor: ServiceContext) -> History:
    built = build_history(ctx, profile.engine)
    audit.open_case(supervisor, built.beneficiary_id)
    return built


def _page(qtbot: QtBot, profile: Profile, actor: ServiceContext) -> AccessLogPage:
    page = AccessLogPage(AppState(profile, actor, Settings()))
    qtbot.addWidget(page)
    page.resize(1200, 600)
    page.show()
    qtbot.waitExposed(page)
    return page


def _column(page: AccessLogPage, column: int) -> list[str]:
    items = (page.table.topLevelItem(row) for row in range(page.table.topLevelItemCount()))
    return [item.text(column) for item in items if item is not None]


def _navigation(workspace: Workspace) -> list[str]:
    items = (workspace.navigation.item(r) for r in range(workspace.navigation.count()))
    return [item.data(Qt.ItemDataRole.UserRole) for item in items]


def test_only_supervisors_and_administrators_have_the_page(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, supervisor: ServiceContext
) -> None:
    for actor, shown in ((supervisor, True), (ctx, False)):
        workspace = Workspace(AppState(profile, actor, Settings()))
        qtbot.addWidget(workspace)
        assert ("access_log" in _navigation(workspace)) is shown


def test_lists_every_entry_newest_first_with_names_looked_up(
    qtbot: QtBot, profile: Profile, supervisor: ServiceContext, history: History
) -> None:
    page = _page(qtbot, profile, supervisor)
    entries = raw_rows(profile.engine)
    assert page.table.topLevelItemCount() == len(entries)
    assert page.count.text() == f"{len(entries)} entries"
    assert _column(page, 2)[0] == "Case file opened"
    assert _column(page, 1)[0] == "Nadia Idrissi"
    assert _column(page, 4)[0] == "OUAZZANI Saïd"
    assert [int(seq) for seq in _column(page, 6)] == sorted(
        (e["seq"] for e in entries), reverse=True
    )
    assert "intact" in page.chain.text()


def test_filters_by_who_what_when_and_case(
    qtbot: QtBot,
    profile: Profile,
    ctx: ServiceContext,
    supervisor: ServiceContext,
    history: History,
) -> None:
    audit.open_case(ctx, history.beneficiary_id)
    page = _page(qtbot, profile, supervisor)

    assert page.action.select(AccessAction.OPEN_CASE)
    assert _column(page, 2) == ["Case file opened"] * 2
    assert page.staff.select(supervisor.actor.staff_id)
    assert _column(page, 1) == ["Nadia Idrissi"]

    page.staff.select(None)
    page.action.select(None)
    page.case.setText("ouazz")
    qtbot.mouseClick(page.apply_button, Qt.MouseButton.LeftButton)
    assert set(_column(page, 4)) == {"OUAZZANI Saïd"}

    page.case.setText("")
    page.start.set_value(supervisor.today() + timedelta(days=1))
    page.reload()
    assert page.table.topLevelItemCount() == 0
    assert page.count.text() == "0 entries"


def test_export_writes_the_filtered_lines_without_names_and_is_recorded(
    qtbot: QtBot,
    profile: Profile,
    supervisor: ServiceContext,
    history: History,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = _page(qtbot, profile, supervisor)
    target = tmp_path / "journal.csv"
    monkeypatch.setattr(page, "choose_export_path", lambda: target)
    page.action.select(AccessAction.CREATE)
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)

    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert rows and {row["action"] for row in rows} == {"create"}
    text = target.read_text(encoding="utf-8")
    assert not any(personal in text for personal in PERSONAL)
    assert "not encrypted" in page.banner.text() and page.banner.isVisible()
    last = raw_rows(profile.engine)[-1]
    assert (last["action"], last["record_type"]) == ("export", "access_log")


def test_a_broken_chain_is_shown(
    qtbot: QtBot, profile: Profile, supervisor: ServiceContext, history: History
) -> None:
    tamper(profile.engine, "DELETE FROM access_log WHERE seq = 5")
    page = _page(qtbot, profile, supervisor)
    assert page.chain.text() == "The access log does not hold: entry 5 is missing (removed)."


def test_opening_a_case_file_is_recorded(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, history: History
) -> None:
    workspace = Workspace(AppState(profile, ctx, Settings()))
    qtbot.addWidget(workspace)
    workspace.open_case(history.beneficiary_id)
    last = raw_rows(profile.engine)[-1]
    assert (last["action"], last["case_id"], last["staff_id"]) == (
        "open_case",
        history.beneficiary_id.hex,
        ctx.actor.staff_id.hex,
    )


def test_unlocking_and_locking_the_window_are_recorded(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, tmp_path: Path
) -> None:
    window = MainWindow(Settings(language="en"), tmp_path / "profiles", tmp_path / "s.json")
    qtbot.addWidget(window, before_close_func=lambda _w: QThreadPool.globalInstance().waitForDone())
    window.open_profile(profile)
    window.lock()
    rows = raw_rows(profile.engine)[-2:]
    assert [(r["action"], r["record_type"], r["staff_id"]) for r in rows] == [
        ("unlock", "profile", ctx.actor.staff_id.hex),
        ("lock", "profile", ctx.actor.staff_id.hex),
    ]
