"""One error path for the whole application: a short message, the input kept, a log entry.

Installed once by :func:`install`. Any exception that escapes a slot, an event handler,
a timer or a thread (``sys.excepthook``, ``threading.excepthook``; PySide reports the
ones raised in slots through ``sys.excepthook``) and Qt's own warnings end here:

- the support log gets the error's types and code locations, never its message
  (:mod:`app.diagnostics.report`);
- the person sees a short message in her language: a refusal of ours (a service or store
  error, whose text is written for her) as it is, anything else as "something went
  wrong, your input is kept". The dialog she was in stays open with what she typed: the
  exception only interrupted the slot that raised it.
"""

from __future__ import annotations

import logging
import sys
import threading
from types import TracebackType
from typing import Any

from PySide6.QtCore import QMessageLogContext, QObject, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.diagnostics.report import describe
from app.i18n import _
from app.services.errors import ServiceError
from app.store.errors import StoreError

logger = logging.getLogger("passerelle.errors")
_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def user_message(error: BaseException) -> str:
    """What the person reads: our refusals as written, anything else in general terms."""
    if isinstance(error, (ServiceError, StoreError)):
        return str(error)
    return _(
        "Something went wrong ({kind}). What you typed is still there; the error was "
        "written to the support log (Help > About Passerelle > Copy diagnostic)."
    ).format(kind=type(error).__name__)


class ErrorHandler(QObject):
    """Logs every escaped exception and shows its message on the GUI thread."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.last_message: str | None = None
        self.box: QMessageBox | None = None
        self.show_boxes = True

    def handle(self, error: BaseException, where: str) -> None:
        if isinstance(error, (ServiceError, StoreError)):
            logger.warning(describe(error, where))
        else:
            logger.error(describe(error, where))
        message = user_message(error)
        if threading.current_thread() is threading.main_thread():
            self._show(message)
        else:  # widgets belong to the GUI thread
            QTimer.singleShot(0, self, lambda: self._show(message))

    def _show(self, message: str) -> None:
        self.last_message = message
        if not self.show_boxes:
            return
        parent: QWidget | None = QApplication.activeWindow()
        title = QApplication.applicationName()
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, parent=parent)
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        self.box = box
        box.open()  # not modal-blocking: the dialog underneath keeps its content


_handler: ErrorHandler | None = None
_previous: list[Any] = []


def install(app: QApplication) -> ErrorHandler:
    """Route every uncaught exception and Qt warning through one handler (idempotent)."""
    global _handler
    if _handler is not None:
        return _handler
    handler = ErrorHandler(app)
    _handler = handler

    def excepthook(
        kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        if error.__traceback__ is None:
            error = error.with_traceback(tb)
        handler.handle(error, "uncaught")

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        name = args.thread.name if args.thread is not None else "thread"
        handler.handle(args.exc_value, f"thread {name}")

    _previous[:] = [sys.excepthook, threading.excepthook]
    sys.excepthook = excepthook
    threading.excepthook = thread_hook
    qInstallMessageHandler(_qt_message)
    return handler


def uninstall() -> None:
    """Put the previous hooks back (tests install and remove the handler)."""
    global _handler
    if _handler is None:
        return
    sys.excepthook, threading.excepthook = _previous
    qInstallMessageHandler(None)
    _handler.deleteLater()
    _handler = None


def handler() -> ErrorHandler | None:
    return _handler


def _qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Qt's warnings go to the log (Qt names widgets and files, never case data)."""
    level = _QT_LEVELS.get(kind, logging.WARNING)
    category = context.category or "qt"
    logging.getLogger("passerelle.qt").log(level, "%s: %s", category, message[:300])
