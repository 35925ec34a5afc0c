"""Sync for the open profile: every few minutes and on demand, always off the GUI thread.

One ``SyncController`` per unlocked profile. It never runs two syncs at once, keeps the
status bar's figures fresh (a quick poll of indexed counts, so an edit shows as
"waiting" within seconds) and sorts failures: a server that cannot be reached means
"offline", which is normal on a laptop in an interview room and is never shown as an
error; any other refusal (client too old, access revoked, server replaced...) is a
message the person must read, given once as a notice until the next good sync. A
profile the server ordered erased is gone when the sync returns: ``wiped`` tells the
window to drop everything it shows.
"""

from __future__ import annotations

import threading
from dataclasses import replace

from PySide6.QtCore import QObject, QTimer, Signal

from app.i18n import _, ngettext
from app.services import sync_status
from app.services.errors import ServiceError
from app.services.sync_status import Connectivity, SyncSnapshot, SyncStatus
from app.sync import engine  # importing app.sync registers change capture on every session
from app.sync.engine import SyncOptions, SyncReport
from app.views.app_state import AppState
from app.views.tasks import run_in_background

POLL_MS = 5_000
FIRST_SYNC_DELAY_MS = 1_500
CLOSE_WAIT_SECONDS = 90.0


class SyncController(QObject):
    """Runs the profile's syncs and tells the status bar what is going on."""

    started = Signal()
    finished = Signal(object)  # SyncReport
    failed = Signal(str)  # every failed sync, offline included (see ``status``)
    notice = Signal(str)  # an error the person must read: once until the next good sync
    wiped = Signal()  # the server ordered this laptop's profile erased: it is gone
    status_changed = Signal(object)  # SyncStatus
    progress = Signal(int, int)  # a first sync: records so far, records expected
    cancelling = Signal()  # "Cancel" was pressed: the sync stops after the page in hand

    def __init__(
        self,
        state: AppState,
        parent: QObject | None = None,
        *,
        options: SyncOptions | None = None,
        poll_ms: int = POLL_MS,
        first_sync_delay_ms: int = FIRST_SYNC_DELAY_MS,
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.options = options
        self.last_report: SyncReport | None = None
        self._connectivity = Connectivity.UNKNOWN
        self._message: str | None = None
        self._noticed: str | None = None
        self._update_noticed = False
        self._snapshot = SyncSnapshot(enrolled=False)
        self._running = False
        self._stopped = False
        self._idle = threading.Event()
        self._idle.set()
        self._cancel = threading.Event()  # a fresh one for each sync
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.sync_now)
        self.set_interval_minutes(state.settings.sync_interval_minutes)
        self._poll = QTimer(self)
        self._poll.setInterval(poll_ms)
        self._poll.timeout.connect(self.refresh)
        self._first = QTimer(self)  # a member, not a singleShot: stopped with the rest
        self._first.setSingleShot(True)
        self._first.setInterval(first_sync_delay_ms)
        self._first.timeout.connect(self._first_sync)

    # -- state ------------------------------------------------------------------------

    @property
    def enrolled(self) -> bool:
        return self._snapshot.enrolled

    @property
    def is_running(self) -> bool:
        return self._running

    @property
    def is_cancelling(self) -> bool:
        return self._running and self._cancel.is_set()

    @property
    def status(self) -> SyncStatus:
        connectivity = self._connectivity if self.enrolled else Connectivity.LOCAL_ONLY
        return SyncStatus(self._snapshot, connectivity, self._running, self._message)

    def refresh(self) -> None:
        """Read the figures again (cheap) and tell the status bar."""
        if self._stopped or self._running:
            return  # during a sync the profile is busy; the end of the sync refreshes
        try:
            self._snapshot = sync_status.read_snapshot(self.state.profile)
        except ServiceError as error:
            self._message = str(error)
        self.status_changed.emit(self.status)

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> None:
        """Begin (or begin again after an enrolment): a first sync soon, then periodically.

        A profile without a server does nothing: the status bar says it is local only.
        """
        self._stopped = False
        self.refresh()
        self._poll.start()
        if not self.enrolled:
            self._timer.stop()
            return
        self._timer.start()
        if self.last_report is None:
            self._first.start()

    def _first_sync(self) -> None:
        if self.last_report is None:
            self.sync_now()

    @property
    def is_scheduled(self) -> bool:
        """Periodic syncs are on (enrolled, not paused, not stopped)."""
        return self._timer.isActive()

    def pause(self) -> None:
        """While the window is locked: no periodic sync (a running one finishes)."""
        self._timer.stop()
        self._first.stop()
        self._poll.stop()

    def resume(self) -> None:
        if self._stopped:
            return
        self._poll.start()
        self.refresh()
        if self.enrolled:
            self._timer.start()
            if self.last_report is None:
                self._first.start()

    def stop(self, wait: bool = True) -> None:
        """For good (the window closes): no more syncs; wait for a running one to end, so
        the profile is never closed under it."""
        self._stopped = True
        self._timer.stop()
        self._first.stop()
        self._poll.stop()
        if wait:
            self._idle.wait(CLOSE_WAIT_SECONDS)

    def set_interval_minutes(self, minutes: int) -> None:
        self._timer.setInterval(max(1, minutes) * 60_000)

    # -- syncing ----------------------------------------------------------------------

    def sync_now(self) -> bool:
        """Start a sync in the background; False when one is running or there is no server."""
        if self._stopped or self._running:
            return False
        self.refresh()
        if not self.enrolled:
            return False
        self._running = True
        self._idle.clear()
        self._cancel = threading.Event()
        self.started.emit()
        self.status_changed.emit(self.status)
        profile, idle = self.state.profile, self._idle
        # Emitted from the worker thread: Qt queues it to the GUI thread's receivers.
        options = replace(
            self.options or SyncOptions(), progress=self._report_progress, cancel=self._cancel
        )

        def work() -> SyncReport:
            try:
                return engine.sync(profile, options)
            finally:
                idle.set()

        run_in_background(work, self._done, self._failed)
        return True

    def cancel(self) -> bool:
        """Stop the running sync after the page in hand; what arrived is kept and the
        next sync goes on from there. False when no sync runs."""
        if not self._running or self._cancel.is_set():
            return False
        self._cancel.set()
        self.cancelling.emit()
        return True

    def _report_progress(self, received: int, expected: int | None) -> None:
        if expected:
            self.progress.emit(received, expected)

    def _done(self, report: SyncReport) -> None:
        self._running = False
        if self._stopped:
            return
        self.last_report = report
        if report.wiped:
            self.stop(wait=False)
            self.wiped.emit()
            return
        reasons = sync_status.partial_reasons(report)
        if report.cancelled:  # said with the count so far, not as a failure
            reasons = [_cancelled_text(report)] + [
                reason for reason in reasons if reason != _("stopped before the end")
            ]
        self._connectivity = Connectivity.PARTIAL if reasons else Connectivity.ONLINE
        told = [*reasons, *sync_status.held_phrases(report)]  # held: named, not partial
        self._message = "; ".join(told) if told else None
        self._noticed = None
        self.refresh()
        self.finished.emit(report)
        if report.update_available and not self._update_noticed:
            self._update_noticed = True  # once per session: she keeps working meanwhile
            self.notice.emit(sync_status.update_message())

    def _failed(self, error: Exception) -> None:
        self._running = False
        if self._stopped:
            return
        if isinstance(error, ServiceError):
            message = str(error)
        else:  # a fault of ours, not the server's: say what it was, keep the changes
            message = _("Sync stopped by an unexpected error ({kind}).").format(
                kind=type(error).__name__
            )
        self._message = message
        if sync_status.is_offline(error):
            self._connectivity = Connectivity.OFFLINE
        else:
            self._connectivity = Connectivity.ERROR
        self.refresh()
        self.failed.emit(message)
        if self._connectivity is Connectivity.ERROR and message != self._noticed:
            self._noticed = message
            self.notice.emit(message)


def _cancelled_text(report: SyncReport) -> str:
    """The person pressed "Cancel": how far the sync got, and that it will go on."""
    if report.expected:
        return ngettext(
            "stopped at your request after {received} of {count} record; "
            "the next sync goes on from there",
            "stopped at your request after {received} of {count} records; "
            "the next sync goes on from there",
            report.expected,
        ).format(received=report.received_so_far, count=report.expected)
    return _("stopped at your request; the next sync goes on from there")
