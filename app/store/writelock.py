"""Write transactions wait their turn: ``BEGIN IMMEDIATE``, retried finely until a deadline.

A deferred ``BEGIN`` that reads first and writes later cannot wait for the write lock:
SQLite answers "database is locked" at once when the read must become a write while
another connection (a pull, in a background thread or another process) holds the lock.
Taking the lock at ``BEGIN`` avoids that, and SQLite's own busy handler would then wait;
but it polls every 100 ms after the first quarter second, so a save could keep missing
the short gap a pull leaves between its commit groups. Here ``BEGIN IMMEDIATE`` is tried
every few milliseconds instead, so the gap (:data:`PULL_YIELD_SECONDS`) is enough.

Readers (``reading`` execution option) keep a deferred ``BEGIN``: in WAL mode they never
wait for a writer. A write still refused after :data:`WRITE_WAIT_SECONDS` raises
:class:`~app.store.errors.DatabaseBusy`, a message for the user, never a crash.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine

from app.store.errors import DatabaseBusy

logger = logging.getLogger("passerelle.store")
READING = "passerelle_reading"
"""Execution option: this connection's transactions only read (deferred ``BEGIN``)."""
WAIT_OPTION = "passerelle_write_wait"
"""Execution option: seconds a write transaction waits for the lock (the pull's is longer)."""
WRITE_WAIT_SECONDS = 10.0
"""Much longer than a pull's commit group (0.5 s): only a stuck writer makes a save fail."""
PULL_YIELD_SECONDS = 0.02
"""A pull's pause between commit groups: several tries of a waiting writer fit in it."""
SLOW_WAIT_SECONDS = 1.0
"""A wait longer than this is written to the support log (a duration, nothing else)."""
_FIRST_DELAY = 0.001
_MAX_DELAY = 0.005

_waiting = threading.local()  # .holding: this thread's connections holding the write lock


class WriteWaiters:
    """How many writers of this process are waiting for the lock: a pull yields longer
    while one is, so a save made during a pull waits at most about one commit group."""

    def __init__(self) -> None:
        self._count = 0
        self._lock = threading.Lock()
        self.longest = 0.0  # the longest wait for the lock so far, in seconds (measured)

    @property
    def count(self) -> int:
        return self._count

    @contextmanager
    def waiting(self) -> Iterator[None]:
        with self._lock:
            self._count += 1
        try:
            yield
        finally:
            with self._lock:
                self._count -= 1


WAITERS = WriteWaiters()


def begin(connection: Any) -> None:
    """The engine's ``begin`` event: deferred for readers, immediate (waiting) for writers.

    A thread that already holds the write lock on another connection (a helper reading
    in the middle of a service's transaction) gets a deferred reader: waiting for itself
    would only end in :class:`DatabaseBusy`.
    """
    options = connection.get_execution_options()
    holding = _holding()
    if options.get(READING) or holding:
        connection.exec_driver_sql("BEGIN")
        return
    raw = connection.connection.driver_connection
    begin_immediate(raw, float(options.get(WAIT_OPTION, WRITE_WAIT_SECONDS)))
    holding.add(id(connection))


def end(connection: Any) -> None:
    """The engine's ``commit`` and ``rollback`` events: the lock is released."""
    _holding().discard(id(connection))


def _holding() -> set[int]:
    held: set[int] | None = getattr(_waiting, "holding", None)
    if held is None:
        held = _waiting.holding = set()
    return held


def begin_immediate(raw: Any, wait_seconds: float) -> None:
    """``BEGIN IMMEDIATE`` on a DB-API connection, retried every few ms until the deadline.

    SQLite's busy handler is off meanwhile (``busy_timeout = 0``): it would sleep up to
    100 ms between tries and miss the pull's short pauses.
    """
    timeout = int(raw.execute("PRAGMA busy_timeout").fetchone()[0])
    raw.execute("PRAGMA busy_timeout = 0")
    try:
        if _try_begin(raw):
            return
        deadline = time.monotonic() + wait_seconds
        delay = _FIRST_DELAY
        with WAITERS.waiting():
            while not _try_begin(raw):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise DatabaseBusy() from None
                time.sleep(min(delay, left))
                delay = min(delay * 2, _MAX_DELAY)
        waited = time.monotonic() - (deadline - wait_seconds)
        WAITERS.longest = max(WAITERS.longest, waited)
        if waited > SLOW_WAIT_SECONDS:
            logger.info("write lock: waited %.2f s", waited)
    finally:
        raw.execute(f"PRAGMA busy_timeout = {timeout}")


def _try_begin(raw: Any) -> bool:
    try:
        raw.execute("BEGIN IMMEDIATE")
    except Exception as error:  # noqa: BLE001 - only "locked"/"busy" is retried
        if not _is_busy(error):
            raise
        return False
    return True


def pull_yield() -> None:
    """Between two commit groups of a pull: let a waiting save in (see the module doc)."""
    time.sleep(PULL_YIELD_SECONDS)
    deadline = time.monotonic() + 1.0
    while WAITERS.count and time.monotonic() < deadline:
        time.sleep(PULL_YIELD_SECONDS)


def reading(engine: Engine) -> Engine:
    """The same engine (same pool) whose transactions only read: a deferred ``BEGIN``."""
    return engine.execution_options(**{READING: True})


def _is_busy(error: Exception) -> bool:
    text = str(error).lower()
    return "database is locked" in text or "database is busy" in text
