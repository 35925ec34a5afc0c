"""Identifiers copied from Passerelle do not linger on the clipboard.

A CIN or a registration number copied from a case file would otherwise stay on the
system clipboard (and in clipboard histories) long after the window is locked. The
:class:`ClipboardGuard` remembers what Passerelle put there and clears it after a
delay, on lock and at exit, but only if the clipboard still holds exactly that: text
another program copied meanwhile is never touched.

"Put there by Passerelle" is either an explicit :func:`copy_text` (which also asks
clipboard histories to skip the text: KDE's hint and Windows' history formats), or a
change the platform reports as ours (``ownsClipboard``), or one made while Passerelle
is the active application (a Ctrl+C in a selectable label).
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QObject, Qt, QTimer
from PySide6.QtGui import QClipboard, QGuiApplication

CLEAR_AFTER_SECONDS = 30
# Clipboard histories that honour these skip the text (Klipper; Windows 10+ history).
KDE_SECRET_HINT = "x-kde-passwordManagerHint"
WINDOWS_EXCLUDE = (
    'application/x-qt-windows-mime;value="ExcludeClipboardContentFromMonitorProcessing"'
)
WINDOWS_NO_HISTORY = 'application/x-qt-windows-mime;value="CanIncludeInClipboardHistory"'


class ClipboardGuard(QObject):
    def __init__(
        self,
        clipboard: QClipboard | None = None,
        seconds: float = CLEAR_AFTER_SECONDS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.clipboard = clipboard or QGuiApplication.clipboard()
        self._ours: str | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(int(seconds * 1000))
        self._timer.timeout.connect(self.clear_ours)
        self.clipboard.dataChanged.connect(self._changed)

    @property
    def holding(self) -> str | None:
        """The text Passerelle put on the clipboard and has not cleared yet."""
        return self._ours

    def copy(self, text: str) -> None:
        mime = QMimeData()
        mime.setText(text)
        mime.setData(KDE_SECRET_HINT, b"secret")
        mime.setData(WINDOWS_EXCLUDE, b"\x00\x00\x00\x00")
        mime.setData(WINDOWS_NO_HISTORY, b"\x00\x00\x00\x00")
        self.clipboard.setMimeData(mime)
        self._remember(text)

    def clear_ours(self) -> None:
        """Clear the clipboard if it still holds what we put there (lock, exit, timer)."""
        self._timer.stop()
        if self._ours is not None and self.clipboard.text() == self._ours:
            self.clipboard.clear()
        self._ours = None

    def _changed(self) -> None:
        text = self.clipboard.text()
        if text == self._ours:
            return
        active = QGuiApplication.applicationState() == Qt.ApplicationState.ApplicationActive
        if self.clipboard.ownsClipboard() or active:
            self._remember(text)
        else:
            self._timer.stop()  # another program's text: ours is gone, theirs is theirs
            self._ours = None

    def _remember(self, text: str) -> None:
        self._ours = text or None
        if self._ours is not None:
            self._timer.start()


_guard: ClipboardGuard | None = None


def install(parent: QObject, seconds: float = CLEAR_AFTER_SECONDS) -> ClipboardGuard:
    """The application's guard (one per process), owned by ``parent`` (the main window)."""
    global _guard
    _guard = ClipboardGuard(seconds=seconds, parent=parent)
    parent.destroyed.connect(_forget)
    return _guard


def copy_text(text: str) -> None:
    """Copy an identifier for the user; cleared after a delay like any copy of ours."""
    if _guard is None:
        QGuiApplication.clipboard().setText(text)
        return
    _guard.copy(text)


def _forget() -> None:
    global _guard
    _guard = None
