"""The window's status bar: the server reachable or not, the last sync, what is waiting.

It renders a ``SyncStatus`` (from the ``SyncController``) and nothing else: a busy
indicator during a sync, "offline" with the changes waiting when the server cannot be
reached, the last sync time, the conflicts to resolve (a click opens them) and the
changes the server refused. An error the person must act on also comes as a
non-modal notice, so it is read once without blocking the work in progress.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStatusBar,
    QWidget,
)

from app.i18n import _, ngettext
from app.services.sync_status import Connectivity, SyncSnapshot, SyncStatus

if TYPE_CHECKING:
    from app.views.sync_controller import SyncController

MUTED = "color: #55606a;"
WARNING = "color: #7a4f00;"
DANGER = "color: #8c1d18; font-weight: 600;"
LINK_STYLE = (
    "QPushButton { border: none; padding: 0 6px; color: #1d4e89; text-decoration: underline; }"
    "QPushButton:focus { outline: 1px dotted #1d4e89; }"
)
SHORTEST_STATE = 120  # the connectivity text gives way first when the window is narrow
CLOCK_MS = 30_000  # "5 minutes ago" stays true


def format_moment(moment: datetime) -> str:
    """Local time as YYYY-MM-DD HH:MM, kept left to right inside Arabic sentences."""
    return "\u200e" + moment.astimezone().strftime("%Y-%m-%d %H:%M")


def format_last_sync(moment: datetime, now: datetime | None = None) -> str:
    """Relative while recent ("3 minutes ago"), then the local time."""
    now = now or datetime.now(UTC)
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return _("just now")
    if minutes < 60:
        return ngettext("{n} minute ago", "{n} minutes ago", minutes).format(n=minutes)
    local, today = moment.astimezone(), now.astimezone()
    if local.date() == today.date():
        return _("today at {time}").format(time="\u200e" + local.strftime("%H:%M"))
    return format_moment(moment)


def waiting_text(count: int) -> str:
    if count == 0:
        return _("Nothing waiting to sync")
    return ngettext("{n} change waiting", "{n} changes waiting", count).format(n=count)


class ElidedLabel(QLabel):
    """A one-line label that ends in "…" rather than widening the window.

    ``text()`` stays whole (the tooltip says the rest); only the painting is shortened.
    """

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), SHORTEST_STATE), hint.height())

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideRight, rect.width()
        )
        alignment = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeading
        self.style().drawItemText(
            painter,
            rect,
            alignment,
            self.palette(),
            self.isEnabled(),
            shown,
            QPalette.ColorRole.WindowText,
        )


class StatusBar(QStatusBar):
    conflicts_requested = Signal()  # the person clicked the conflicts (or refused changes)
    sync_requested = Signal()
    cancel_requested = Signal()  # "Cancel" during a sync: it stops after the page in hand

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status: SyncStatus | None = None
        self.notice: QMessageBox | None = None
        self.busy = QProgressBar()
        self.busy.setObjectName("syncBusy")
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setFixedSize(70, 10)
        self.busy.hide()
        self.connectivity = ElidedLabel()
        self.connectivity.setObjectName("connectivity")
        self.last_sync = QLabel()
        self.last_sync.setObjectName("lastSync")
        self.last_sync.setStyleSheet(MUTED)
        self.waiting = QLabel()
        self.waiting.setObjectName("waiting")
        self.conflicts = self._link("conflicts")
        self.refused = self._link("refused")
        self.sync_button = QPushButton()
        self.sync_button.setObjectName("syncNow")
        self.sync_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # F5 from anywhere
        self.sync_button.setStyleSheet("QPushButton { padding: 1px 10px; }")
        self.sync_button.clicked.connect(self.sync_requested)
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancelSync")
        self.cancel_button.setStyleSheet("QPushButton { padding: 1px 10px; }")
        self.cancel_button.clicked.connect(self._cancel_clicked)
        self.cancel_button.hide()
        self._stopping = False  # "Cancel" pressed: the sync finishes its page
        self.profile_label = QLabel()
        self.profile_label.setStyleSheet(MUTED)
        for widget in (
            self.busy,
            self.connectivity,
            self.last_sync,
            self.waiting,
            self.conflicts,
            self.refused,
            self.sync_button,
            self.cancel_button,
            self.profile_label,
        ):
            self.addPermanentWidget(widget)
        self._clock = QTimer(self)
        self._clock.setInterval(CLOCK_MS)
        self._clock.timeout.connect(self.retranslate)
        self._clock.start()
        self.show_local_only()

    def _link(self, name: str) -> QPushButton:
        """A flat, link-like button: clickable, reachable with Tab, activated by Space."""
        button = QPushButton()
        button.setObjectName(name)
        button.setFlat(True)
        # The keyboard reaches the same page from the navigation: no focus stolen here.
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.setStyleSheet(LINK_STYLE)
        button.clicked.connect(self.conflicts_requested)
        button.hide()
        return button

    # -- what the window calls ------------------------------------------------------------

    def follow(self, controller: SyncController) -> None:
        """Show what ``controller`` reports; "Sync now" asks it for a sync."""
        controller.status_changed.connect(self.show_status)
        controller.progress.connect(self.show_progress)
        controller.notice.connect(self.show_notice)
        self.sync_requested.connect(controller.sync_now)
        self.cancel_requested.connect(controller.cancel)
        self.show_status(controller.status)

    def show_progress(self, received: int, expected: int) -> None:
        """A first sync: records so far out of those announced; it may be stopped and
        resumed, the count goes on where it stopped."""
        self.busy.setRange(0, max(expected, 1))
        self.busy.setValue(min(received, expected))
        self.connectivity.setText(
            ngettext(
                "Receiving {received} of {count} record…",
                "Receiving {received} of {count} records…",
                expected,
            ).format(received=received, count=expected)
        )

    def _cancel_clicked(self) -> None:
        self._stopping = True
        self.retranslate()
        self.cancel_requested.emit()

    def show_local_only(self) -> None:
        self.show_status(SyncStatus(SyncSnapshot(enrolled=False), Connectivity.LOCAL_ONLY))

    def show_profile(self, owner_name: str) -> None:
        self.profile_label.setText(owner_name)

    def show_status(self, status: SyncStatus) -> None:
        self.status = status
        self.retranslate()

    def show_notice(self, message: str) -> QMessageBox:
        """A non-modal notice: read once, the work in progress stays usable."""
        if self.notice is not None:
            self.notice.close()
        notice = QMessageBox(
            QMessageBox.Icon.Warning, _("Sync"), message, QMessageBox.StandardButton.Ok, self
        )
        notice.setWindowModality(Qt.WindowModality.NonModal)
        notice.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        notice.finished.connect(lambda _result: self._forget_notice(notice))
        notice.show()
        self.notice = notice
        return notice

    def _forget_notice(self, notice: QMessageBox) -> None:
        if self.notice is notice:
            self.notice = None

    def retranslate(self) -> None:
        """Render the current status again (the language changed, or time passed)."""
        status = self.status
        if status is None:
            return
        snapshot = status.snapshot
        connectivity = status.connectivity
        local = connectivity is Connectivity.LOCAL_ONLY
        self.busy.setVisible(status.busy)
        if not status.busy:
            self.busy.setRange(0, 0)  # the next sync starts as "busy" until it knows more
        self.sync_button.setText(_("Sync now"))
        self.sync_button.setToolTip(_("Send your changes and receive the server's (F5)"))
        self.sync_button.setVisible(not local)
        self.sync_button.setEnabled(not status.busy)
        self._stopping = self._stopping and status.busy
        self.cancel_button.setVisible(status.busy and not local)
        self.cancel_button.setEnabled(not self._stopping)
        self.cancel_button.setText(_("Stopping…") if self._stopping else _("Cancel"))
        self.cancel_button.setToolTip(
            _("Stop after the records in hand; the next sync goes on from there")
        )
        self._show_connectivity(status)
        last = snapshot.last_sync_at
        self.last_sync.setVisible(not local)
        if last is None:
            self.last_sync.setText(_("Never synced"))
            self.last_sync.setToolTip("")
        else:
            self.last_sync.setText(_("Last sync: {when}").format(when=format_last_sync(last)))
            self.last_sync.setToolTip(format_moment(last))
        # Offline already says how many changes wait; an error needs the room when none do.
        quiet = connectivity is Connectivity.ERROR and snapshot.pending == 0
        self.waiting.setVisible(
            not local and connectivity is not Connectivity.OFFLINE and not quiet
        )
        self.waiting.setText(waiting_text(snapshot.pending))
        self.waiting.setStyleSheet(MUTED if snapshot.pending == 0 else "")
        self.conflicts.setVisible(not local and snapshot.conflicts > 0)
        self.conflicts.setText(
            ngettext(
                "{n} conflict to resolve", "{n} conflicts to resolve", snapshot.conflicts
            ).format(n=snapshot.conflicts)
        )
        self.conflicts.setToolTip(_("Open the list of sync conflicts"))
        self.refused.setVisible(not local and snapshot.quarantined > 0)
        self.refused.setText(
            ngettext("{n} change refused", "{n} changes refused", snapshot.quarantined).format(
                n=snapshot.quarantined
            )
        )
        self.refused.setToolTip(
            _("The server will never accept these changes: click to see the list")
        )

    def _show_connectivity(self, status: SyncStatus) -> None:
        label = self.connectivity
        label.setToolTip(status.message or "")
        connectivity = status.connectivity
        if status.busy:
            label.setText(_("Syncing…"))
            label.setStyleSheet(MUTED)
        elif connectivity is Connectivity.LOCAL_ONLY:
            label.setText(_("Local only: no sync server configured"))
            label.setStyleSheet(MUTED)
        elif connectivity is Connectivity.OFFLINE:
            pending = status.snapshot.pending
            label.setText(
                ngettext(
                    "Offline — {n} change waiting", "Offline — {n} changes waiting", pending
                ).format(n=pending)
            )
            label.setStyleSheet(WARNING)
        elif connectivity is Connectivity.ERROR:
            label.setText(_("Sync stopped: {reason}").format(reason=status.message or ""))
            label.setStyleSheet(DANGER)
        elif connectivity is Connectivity.PARTIAL:
            label.setText(_("Partial sync: {what}").format(what=status.message or ""))
            label.setStyleSheet(WARNING)
        elif connectivity is Connectivity.ONLINE:
            label.setText(_("Online"))
            label.setStyleSheet("color: #1e5e2e;")
        else:
            label.setText(_("Server not contacted yet"))
            label.setStyleSheet(MUTED)
