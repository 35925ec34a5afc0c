"""``passerelle --exit-when-shown``: start the application and stop once its window shows.

The bundle's test and the start-up benchmark need to know, from outside the process,
when the main window is on screen. The probe makes the QApplication first (the
launcher then reuses it) and watches for the main window's first paint: it prints
``window shown`` on stdout, lets background work finish, and closes the window the
ordinary way (settings saved, profile closed), which quits the application.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QEvent, QObject, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

SHOWN = "window shown"


class _FirstPaint(QObject):
    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        self._seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if not self._seen and event.type() == QEvent.Type.Paint:
            if isinstance(watched, QMainWindow):
                self._seen = True
                self._app.removeEventFilter(self)
                QTimer.singleShot(0, self._close)
        return False

    def _close(self) -> None:
        sys.stdout.write(SHOWN + "\n")
        sys.stdout.flush()
        QThreadPool.globalInstance().waitForDone()
        for window in self._app.topLevelWidgets():
            window.close()
        self._app.quit()


def exit_when_shown() -> None:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.installEventFilter(_FirstPaint(app))
