"""The main window: unlock, then the workspace; lock on demand (Ctrl+L) or when idle.

Locking hides every piece of case data behind the lock screen. The workspace widgets
stay alive in memory, so an edit in progress is exactly where it was after unlocking;
nothing is written to disk in clear.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QMainWindow, QMessageBox, QStackedWidget, QWidget

from app.i18n import _
from app.models import AccessAction
from app.services import audit, idle_lock, owner
from app.services.changes import Changes
from app.services.passphrase import RETRY_BASE_MS
from app.settings import Settings, save_settings
from app.store.errors import KeyDestroyed
from app.store.keys import KdfParams
from app.store.profile import Profile
from app.views import clipboard, memory
from app.views.about import AboutDialog
from app.views.app_state import AppState
from app.views.autolock import IdleWatcher
from app.views.change_relay import ChangeRelay, follow
from app.views.status_bar import StatusBar
from app.views.sync_controller import SyncController
from app.views.unlock import LockScreen, UnlockScreen
from app.views.workspace import Workspace


class MainWindow(QMainWindow):
    locked = Signal()
    unlocked = Signal()

    def __init__(
        self,
        settings: Settings,
        profiles_root: Path,
        settings_file: Path | None = None,
        parent: QWidget | None = None,
        *,
        kdf: KdfParams | None = None,
        retry_base_ms: int = RETRY_BASE_MS,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.settings_file = settings_file
        self.setWindowTitle("Passerelle")
        self.stack = QStackedWidget()
        self.unlock_screen = UnlockScreen(
            profiles_root, settings, kdf=kdf, base_delay_ms=retry_base_ms
        )
        self.lock_screen = LockScreen(base_delay_ms=retry_base_ms)
        self.stack.addWidget(self.unlock_screen)
        self.stack.addWidget(self.lock_screen)
        self.setCentralWidget(self.stack)
        self.status = StatusBar()
        self.setStatusBar(self.status)
        self.state: AppState | None = None
        self.workspace: Workspace | None = None
        self.sync: SyncController | None = None
        self.wiped_notice: QMessageBox | None = None
        self.changes: ChangeRelay | None = None
        self.status.conflicts_requested.connect(self._show_conflicts)
        self.idle = IdleWatcher(settings.idle_lock_minutes, self)
        self.idle.pause()
        self.idle.idle.connect(self.lock)
        self.unlock_screen.unlocked.connect(self.open_profile)
        self.lock_screen.resumed.connect(self._resume)
        self.lock_screen.erased.connect(self._key_destroyed)
        self.clipboard = clipboard.install(self)  # copied identifiers do not linger
        lock_shortcut = QShortcut(QKeySequence("Ctrl+L"), self)
        lock_shortcut.activated.connect(self.lock)
        sync_shortcut = QShortcut(QKeySequence("F5"), self)
        sync_shortcut.activated.connect(self.sync_now)
        self.help_menu = self.menuBar().addMenu(_("&Help"))
        self.about_action = self.help_menu.addAction(_("About Passerelle"))
        self.about_action.triggered.connect(self.show_about)
        self._restore_geometry()

    def show_about(self) -> AboutDialog:
        dialog = AboutDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    @property
    def is_locked(self) -> bool:
        return self.workspace is not None and self.stack.currentWidget() is self.lock_screen

    def open_profile(self, profile: Profile) -> None:
        memory.limit_sqlite_memory()  # before any screen reads (issue 23)
        ctx = owner.owner_context(profile.sessions)
        self.state = AppState(profile, ctx, self.settings, self.settings_file)
        if self.changes is not None:
            self.changes.close()
        self.changes = ChangeRelay(profile.database_path, self)
        self.changes.changed.connect(self._data_changed)
        self.settings.last_profile = str(profile.folder)
        self._build_workspace()
        self._start_sync()
        self._apply_idle_lock()
        audit.record_access(ctx, AccessAction.UNLOCK, "profile")

    def _build_workspace(self) -> None:
        assert self.state is not None
        old = self.workspace
        self.workspace = Workspace(self.state)
        self.workspace.language_changed.connect(self._language_changed)
        self.workspace.settings_saved.connect(self._settings_saved)
        self.stack.addWidget(self.workspace)
        self.stack.setCurrentWidget(self.workspace)
        if old is not None:
            self.stack.removeWidget(old)
            old.deleteLater()
        self.status.show_profile(self.state.profile.folder.name)
        self.unlocked.emit()

    def _apply_idle_lock(self) -> None:
        """The person's auto-lock delay, within the administrator's limit (restarts it)."""
        minutes = self.settings.idle_lock_minutes
        if self.state is not None:
            minutes = idle_lock.idle_lock_minutes(self.state.ctx, minutes)
        self.idle.set_minutes(minutes)

    def _data_changed(self, notice: Changes) -> None:
        """A pull or another screen changed data: what is shown follows."""
        if self.workspace is not None:
            follow(self.workspace, notice)

    def lock(self) -> None:
        if self.workspace is None or self.state is None or self.is_locked:
            return
        self.lock_screen.lock(self.state.profile)
        self.clipboard.clear_ours()
        self.stack.setCurrentWidget(self.lock_screen)
        self.workspace.hide()
        self.idle.pause()
        if self.sync is not None:
            self.sync.pause()
        self.setWindowTitle("Passerelle — " + _("Locked"))
        self.locked.emit()
        audit.record_access(self.state.ctx, AccessAction.LOCK, "profile")  # once locked
        memory.release_soon()

    def _resume(self) -> None:
        if self.workspace is None:
            return
        self.workspace.show()
        self.stack.setCurrentWidget(self.workspace)
        self.setWindowTitle("Passerelle")
        self.idle.resume()
        if self.sync is not None:
            self.sync.resume()
        self.unlocked.emit()
        if self.state is not None:
            audit.record_access(self.state.ctx, AccessAction.UNLOCK, "profile")

    def _language_changed(self, language: str) -> None:
        from PySide6.QtWidgets import QApplication

        from app.views.language import apply_language

        # Open case files and unsaved assessment input survive the rebuild (issue 18).
        kept = self.workspace.keep() if self.workspace is not None else None
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_language(app, language)
        self._build_workspace()
        if kept is not None and self.workspace is not None:
            self.workspace.restore(kept)
        self.status.retranslate()

    def _settings_saved(self) -> None:
        from PySide6.QtWidgets import QApplication

        from app.views.appearance import apply_appearance

        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_appearance(app, self.settings.zoom_percent, self.settings.high_contrast)
        self._apply_idle_lock()
        if self.sync is not None:
            self.sync.set_interval_minutes(self.settings.sync_interval_minutes)

    # -- sync -----------------------------------------------------------------------------

    def _start_sync(self) -> None:
        assert self.state is not None
        self._stop_sync()
        self.sync = SyncController(self.state, self)
        self.sync.wiped.connect(self._wiped)
        self.status.follow(self.sync)
        self.sync.start()

    def _stop_sync(self) -> None:
        """No sync may outlive the profile: wait for a running one before closing."""
        if self.sync is not None:
            self.sync.stop()
            self.sync.deleteLater()
            self.sync = None

    def sync_now(self) -> None:
        if self.sync is not None and not self.is_locked:
            self.sync.sync_now()

    def _show_conflicts(self) -> None:
        if self.workspace is not None and not self.is_locked:
            self.workspace.show_page("conflicts")

    def _wiped(self) -> None:
        """The server ordered this laptop's profile erased; it is gone: back to unlocking."""
        self._stop_sync()
        self.state = None
        if self.workspace is not None:
            self.stack.removeWidget(self.workspace)
            self.workspace.deleteLater()
            self.workspace = None
        self.idle.pause()
        self.setWindowTitle("Passerelle")
        self.status.show_local_only()
        self.status.show_profile("")
        self.unlock_screen.refresh_profiles()
        self.stack.setCurrentWidget(self.unlock_screen)
        self.wiped_notice = QMessageBox(
            QMessageBox.Icon.Warning,
            _("Profile erased"),
            _(
                "The sync server ordered this laptop's profile to be erased, and it was. "
                "Ask your administrator before enrolling this laptop again."
            ),
            QMessageBox.StandardButton.Ok,
            self,
        )
        self.wiped_notice.open()

    def _key_destroyed(self) -> None:
        """Too many wrong passphrases on the lock screen: the key is gone, as after a wipe."""
        self._wiped()
        if self.wiped_notice is not None:
            self.wiped_notice.setText(str(KeyDestroyed()))

    def _restore_geometry(self) -> None:
        if self.settings.window_geometry:
            self.restoreGeometry(QByteArray.fromBase64(self.settings.window_geometry.encode()))
        else:
            self.resize(1200, 780)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        self.settings.window_geometry = bytes(self.saveGeometry().toBase64().data()).decode()
        save_settings(self.settings, self.settings_file)
        self.clipboard.clear_ours()
        self._stop_sync()
        if self.changes is not None:
            self.changes.close()
        if self.state is not None:
            self.state.profile.close()
        super().closeEvent(event)
