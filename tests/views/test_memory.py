"""The desktop's memory kept small (issue 23): SQLite's caches share one budget, free
heap pages go back once idle, and the heavy libraries load only when first used."""

from __future__ import annotations

import sys

import sqlcipher3
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.views import memory
from tests.fresh_process import modules_loaded


def test_sqlite_shares_one_budget() -> None:
    before = sqlcipher3.connect(":memory:").execute("PRAGMA soft_heap_limit").fetchone()[0]
    try:
        assert memory.limit_sqlite_memory(24) == 24 * 1024 * 1024
        other = sqlcipher3.connect(":memory:")  # process-wide: every connection sees it
        assert other.execute("PRAGMA soft_heap_limit").fetchone()[0] == 24 * 1024 * 1024
    finally:
        sqlcipher3.connect(":memory:").execute(f"PRAGMA soft_heap_limit = {before}")


def test_free_pages_go_back_once_idle(qtbot: QtBot, qapp: QApplication) -> None:
    released: list[bool] = []
    memory.release_soon()
    releaser = qapp.findChild(memory._Releaser, memory.RELEASER)
    assert releaser is not None and releaser.timer.isActive()
    releaser.timer.timeout.connect(lambda: released.append(True))
    memory.release_soon()  # a burst restarts the wait, one release at its end
    assert qapp.findChildren(memory._Releaser) == [releaser]
    qtbot.waitUntil(lambda: released == [True], timeout=5_000)
    assert memory.release_free_memory() is sys.platform.startswith("linux")


def test_the_main_window_loads_no_report_or_strength_library() -> None:
    """reportlab, openpyxl (through app.reports) and zxcvbn's dictionaries cost ~40 MiB
    that a session which prints nothing never needs."""
    code = "import app.views.main_window, app.views.casefile, app.views.caseload"
    assert modules_loaded(code, ("reportlab", "openpyxl", "zxcvbn")) == []
    from app.reports import write_case_list  # still there when asked for

    assert callable(write_case_list)


def test_the_workspace_pages_load_no_report_library() -> None:
    """The pages built when a profile opens (dashboard, agenda, their export and print
    actions) and a case file's identity tab (its access export) load reportlab, pdfium,
    openpyxl and icalendar (~49 MiB) only when a document is first made or a file first
    written."""
    code = (
        "import app.views.workspace, app.views.agenda, app.views.dashboard, "
        "app.views.export_menu, app.views.report_actions, app.views.casefile.identity"
    )
    assert modules_loaded(code, ("reportlab", "openpyxl", "icalendar", "pypdfium2")) == []
