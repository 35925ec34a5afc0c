"""Run work off the GUI thread and come back with a signal (Anki's taskman, in small).

``run_in_background(fn, on_done, on_error)`` runs ``fn`` in Qt's global thread pool;
the callbacks run on the GUI thread. Errors reach ``on_error`` as the exception (a
service error carries a message fit for the user); nothing is silently dropped: each
is also written to the support log (its types and code locations, never its message).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from app.diagnostics.report import describe
from app.services.errors import ServiceError
from app.store.errors import StoreError
from app.views.memory import release_soon

logger = logging.getLogger("passerelle.tasks")
EXPECTED = (ServiceError, StoreError, OSError)
"""Refusals and unreachable servers: logged as warnings; anything else is an error."""


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Task(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._work = work
        self._relay = relay

    @Slot()
    def run(self) -> None:
        try:
            result = self._work()
        except Exception as error:  # noqa: BLE001 - handed to the GUI thread, not swallowed
            logger.log(
                logging.WARNING if isinstance(error, EXPECTED) else logging.ERROR,
                describe(error, "background task"),
            )
            self._relay.failed.emit(error)
        else:
            self._relay.done.emit(result)


_live_relays: set[_Relay] = set()


def run_in_background(
    work: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[Exception], None],
    pool: QThreadPool | None = None,
) -> None:
    """``pool``: a screen whose answers must not queue behind other screens' slow work
    (the caseload's search) brings its own; the global pool otherwise."""
    relay = _Relay()
    _live_relays.add(relay)

    def finish(result: Any) -> None:
        _live_relays.discard(relay)
        on_done(result)
        release_soon()  # what the work allocated and dropped goes back once idle

    def fail(error: Exception) -> None:
        _live_relays.discard(relay)
        on_error(error)
        release_soon()

    relay.done.connect(finish)
    relay.failed.connect(fail)
    (pool or QThreadPool.globalInstance()).start(_Task(work, relay))
