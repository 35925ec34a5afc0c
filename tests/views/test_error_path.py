"""One error path: a fault inside a dialog shows a short message, keeps the input, and
writes a log entry support can read, with no personal data in it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.diagnostics import log
from app.services.context import ServiceContext
from app.settings import Settings
from app.store.profile import Profile
from app.views import error_handler, register_dialog
from app.views.about import AboutDialog
from app.views.app_state import AppState
from app.views.error_handler import ErrorHandler
from app.views.tasks import run_in_background

NAME, CIN = "Bennani", "BK123456"


@pytest.fixture
def log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "log"
    monkeypatch.setattr(log, "log_folder", lambda: folder)
    log.configure("info", folder)
    yield folder
    for handler in list(log.logger.handlers):
        log.logger.removeHandler(handler)
        handler.close()


@pytest.fixture
def handler(qapp: QApplication, log_dir: Path) -> Iterator[ErrorHandler]:
    installed = error_handler.install(qapp)
    installed.show_boxes = True
    yield installed
    if installed.box is not None:
        installed.box.close()
    error_handler.uninstall()


def log_text(folder: Path) -> str:
    log.flush()
    return (folder / log.LOG_NAME).read_text(encoding="utf-8")


@pytest.mark.qt_no_exception_capture
def test_a_fault_in_a_dialog_shows_a_message_keeps_the_input_and_logs_no_personal_data(
    qtbot: QtBot,
    profile: Profile,
    ctx: ServiceContext,
    handler: ErrorHandler,
    log_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken_register(_ctx: Any, values: dict[str, Any]) -> None:
        # A bug whose message quotes the input, as a database error would.
        raise RuntimeError(f"cannot store {values['last_name']} {values.get('cin')}")

    services = register_dialog.registration_check.beneficiaries
    monkeypatch.setattr(services, "register", broken_register)
    dialog = register_dialog.RegisterDialog(AppState(profile, ctx, Settings()))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.last_name.setText(NAME)
    dialog.first_name.setText("Youssef")
    dialog.cin.setText(CIN)
    dialog.buttons.accepted.emit()  # as the Save button does
    qtbot.waitUntil(lambda: handler.last_message is not None)
    assert handler.last_message is not None
    assert "RuntimeError" in handler.last_message
    assert NAME not in handler.last_message
    assert handler.box is not None and handler.box.isVisible()
    assert dialog.isVisible()  # still open, with what she typed
    assert dialog.last_name.text() == NAME and dialog.cin.text() == CIN
    text = log_text(log_dir)
    assert "builtins.RuntimeError" in text
    assert "register_dialog.py" in text  # where it happened
    assert NAME not in text and CIN not in text and "cannot store" not in text


@pytest.mark.qt_no_exception_capture
def test_faults_in_threads_and_background_tasks_reach_the_log(
    qtbot: QtBot, handler: ErrorHandler, log_dir: Path
) -> None:
    handler.show_boxes = False
    errors: list[Exception] = []

    def fail_in_task() -> None:
        raise KeyError(CIN)

    run_in_background(fail_in_task, lambda _result: None, errors.append)
    qtbot.waitUntil(lambda: bool(errors))
    thread = threading.Thread(target=lambda: 1 / 0, name="worker")
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: handler.last_message is not None)
    text = log_text(log_dir)
    assert "background task: builtins.KeyError" in text
    assert "thread worker: builtins.ZeroDivisionError" in text
    assert CIN not in text


def test_copy_diagnostic_copies_the_version_and_the_log(
    qtbot: QtBot, qapp: QApplication, log_dir: Path
) -> None:
    log.logger.error("test entry: builtins.ValueError")
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    dialog.copy_button.click()
    copied = qapp.clipboard().text()
    assert copied.startswith("Passerelle ")
    assert "test entry: builtins.ValueError" in copied
