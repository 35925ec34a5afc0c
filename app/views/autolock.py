"""Lock the window after a period without keyboard or mouse input.

The keyboard and the mouse reach a window (``QWindow``) before the widget under them,
so the watcher listens to the application's windows only: an application-wide filter
would run Python for every event of every widget (54,000 calls while opening 20 case
files); a window sees its input and a few events per repaint.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QWindow

_INPUT_EVENTS = frozenset(
    kind.value
    for kind in (
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    )
)


class IdleWatcher(QObject):
    """Emits ``idle`` once ``minutes`` pass with no input in any window of the application."""

    idle = Signal()

    def __init__(self, minutes: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.focusWindowChanged.connect(self.watch_windows)  # a dialog, a new window
        self.set_minutes(minutes)

    def watch_windows(self, *_focus: QWindow | None) -> None:
        """Listen to every window there is now (installing twice is harmless in Qt)."""
        for window in QGuiApplication.topLevelWindows():
            window.installEventFilter(self)

    def set_minutes(self, minutes: int) -> None:
        self.set_interval_ms(minutes * 60_000)

    def set_interval_ms(self, milliseconds: int) -> None:
        self._timer.setInterval(milliseconds)
        self.resume()

    def pause(self) -> None:
        self._timer.stop()

    def resume(self) -> None:
        self.watch_windows()  # the main window's own, created when first shown
        self._timer.start()

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type().value in _INPUT_EVENTS and self._timer.isActive():
            self._timer.start()
        return False
