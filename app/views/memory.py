"""The desktop's resident memory kept small on a large caseload (issue 23).

Two things grew it past what the screens hold: every pooled SQLite connection filled
its own page cache (32 MiB each, four or more connections), and the heap kept the pages
freed by a burst of work (a caseload's pages, a case file's queries) instead of giving
them back. So SQLite's allocations share one process-wide budget
(``PRAGMA soft_heap_limit``: past it, a cache recycles its own oldest pages instead of
growing), and once the application has been idle a moment the C heap returns its free
pages to the system (glibc's ``malloc_trim``; elsewhere nothing is done).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import cache

import sqlcipher3
from PySide6.QtCore import QCoreApplication, QObject, QTimer

SQLITE_HEAP_MIB = 32
"""SQLite's budget for the whole process: the pages a search or a case file reads
again stay decrypted (a 50,000-case profile's search index and names fit)."""
RELEASE_DELAY_MS = 1000
"""Quiet time after the last burst of work before free heap pages are given back."""
RELEASER = "passerelleMemoryReleaser"


def limit_sqlite_memory(mebibytes: int = SQLITE_HEAP_MIB) -> int:
    """Sets SQLite's soft heap limit (process-wide, whichever connection asks); returns it."""
    connection = sqlcipher3.connect(":memory:")
    try:
        row = connection.execute(f"PRAGMA soft_heap_limit = {mebibytes * 1024 * 1024}").fetchone()
    finally:
        connection.close()
    return int(row[0])


@cache
def _trim() -> object | None:
    """glibc's ``malloc_trim``, or None on other C libraries (macOS, Windows, musl)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):
        return None


def release_free_memory() -> bool:
    """Gives the heap's free pages back to the system now; False where not possible."""
    trim = _trim()
    if trim is None:
        return False
    trim(0)  # type: ignore[operator]
    return True


class _Releaser(QObject):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.setObjectName(RELEASER)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(RELEASE_DELAY_MS)
        self.timer.timeout.connect(release_free_memory)


def release_soon() -> None:
    """After a burst of work: free pages go back once nothing happened for a moment
    (each call restarts the wait, so a burst pays it once)."""
    app = QCoreApplication.instance()
    if app is None:
        return
    releaser = app.findChild(_Releaser, RELEASER)
    if releaser is None:
        releaser = _Releaser(app)
    releaser.timer.start()
