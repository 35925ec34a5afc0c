"""Start and lock screens: choose a local profile and unlock it, or resume a locked window.

Unlocking derives the key with Argon2 (about 0.3 s by design), so it runs off the GUI
thread behind a busy state. Repeated wrong passphrases make the next attempt wait a
growing delay; the lock screen shows nothing from the profile but its folder name.
On a profile enrolled with a server, both screens also say how many attempts are left
before the local copy is erased and when the server must be reached (the unlock guard,
read from the plaintext header); after unlocking, a warning says what is at stake when
the deadline is near.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import owner
from app.services.errors import ServiceError
from app.services.passphrase import RETRY_BASE_MS, retry_delay_ms
from app.services.unlock_limits import offline_warning, unlock_notice
from app.settings import Settings
from app.store.errors import KeyDestroyed, StoreError, WrongPassphrase
from app.store.keys import KdfParams
from app.store.profile import Profile, is_profile
from app.sync import checkin
from app.views.first_run import FirstRunWizard
from app.views.tasks import run_in_background

CARD_WIDTH = 460


def card_page(card_body: QWidget) -> QWidget:
    """A calm full-screen page with ``card_body`` in a centred card (shared with the lock)."""
    card = QFrame()
    card.setObjectName("card")
    card.setFrameShape(QFrame.Shape.StyledPanel)
    card.setStyleSheet("QFrame#card { background: palette(base); border-radius: 10px; }")
    card.setFixedWidth(CARD_WIDTH)
    inner = QVBoxLayout(card)
    inner.setContentsMargins(32, 28, 32, 28)
    inner.addWidget(card_body)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(card)
    row.addStretch(1)
    page = QWidget()
    outer = QVBoxLayout(page)
    outer.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)
    return page


def title_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("cardTitle")
    label.setStyleSheet("font-size: 20pt; font-weight: 600;")
    label.setWordWrap(True)
    return label


def note_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(placeholder-text);")
    return label


class PassphrasePrompt(QWidget):
    """Passphrase field, action button, busy state, inline error and retry countdown."""

    submitted = Signal(str)

    def __init__(
        self, busy_text: str, base_delay_ms: int = RETRY_BASE_MS, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.base_delay_ms = base_delay_ms
        self.failures = 0
        self.field = QLineEdit()
        self.field.setObjectName("passphrase")
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setPlaceholderText(_("Passphrase"))
        self.field.returnPressed.connect(self.submit)
        self.label = QLabel(_("Pass&phrase"))
        self.label.setBuddy(self.field)
        self.button = QPushButton(_("&Unlock"))
        self.button.setObjectName("unlockButton")
        self.button.setDefault(True)
        self.button.clicked.connect(self.submit)
        self.message = QLabel()
        self.message.setObjectName("unlockMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b3261e;")
        self.message.hide()
        self.notice = QLabel()  # attempts and days left: stays while the message changes
        self.notice.setObjectName("unlockNotice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #8a5300;")
        self.notice.hide()
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setFixedHeight(6)
        self.busy_label = QLabel(busy_text)
        self.busy_bar.hide()
        self.busy_label.hide()
        self._busy = False
        self._wait = QTimer(self)
        self._wait.setSingleShot(True)
        self._wait.timeout.connect(self._end_wait)
        self._tick = QTimer(self)
        self._tick.setInterval(250)
        self._tick.timeout.connect(self._show_countdown)
        row = QHBoxLayout()
        row.addWidget(self.field, 1)
        row.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(self.notice)
        layout.addWidget(self.busy_bar)
        layout.addWidget(self.busy_label)

    @property
    def busy(self) -> bool:
        return self._busy

    def is_waiting(self) -> bool:
        return self._wait.isActive()

    def delay_ms(self) -> int:
        """The wait imposed after the failures so far (0 while typos are still free)."""
        return retry_delay_ms(self.failures, self.base_delay_ms)

    def submit(self) -> None:
        if self._busy or self.is_waiting():
            return
        passphrase = self.field.text()
        if not passphrase:
            self.show_error(_("Type your passphrase."))
            return
        self.submitted.emit(passphrase)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.field.setEnabled(not busy)
        self.button.setEnabled(not busy and not self.is_waiting())
        self.busy_bar.setVisible(busy)
        self.busy_label.setVisible(busy)
        if busy:
            self.message.hide()

    def show_error(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def record_failure(self, text: str) -> None:
        """A wrong passphrase: say so, clear the field, and impose the growing wait."""
        self.failures += 1
        self.set_busy(False)
        self.field.clear()
        self.show_error(text)
        self.focus_field()
        delay = self.delay_ms()
        if delay > 0:
            self.button.setEnabled(False)
            self._wait.start(delay)
            self._tick.start()
            self._show_countdown()

    def succeeded(self) -> None:
        self.failures = 0
        self.set_busy(False)
        self.field.clear()
        self.show_error("")

    def focus_field(self) -> None:
        QTimer.singleShot(0, self.field, self.field.setFocus)

    def _show_countdown(self) -> None:
        seconds = max(1, -(-self._wait.remainingTime() // 1000))
        self.show_error(
            _("Wrong passphrase. Wait {seconds} s before trying again.").format(seconds=seconds)
        )

    def _end_wait(self) -> None:
        self._tick.stop()
        self.button.setEnabled(not self._busy)
        self.show_error(_("Wrong passphrase."))
        self.focus_field()


def local_profiles(profiles_root: Path) -> list[Path]:
    """The folders under ``profiles_root`` that hold a profile, by name."""
    if not profiles_root.is_dir():
        return []
    return sorted(
        (path for path in profiles_root.iterdir() if path.is_dir() and is_profile(path)),
        key=lambda path: path.name.lower(),
    )


class UnlockScreen(QWidget):
    """The first screen: pick a profile on this computer and unlock it, or create one."""

    unlocked = Signal(object)

    def __init__(
        self,
        profiles_root: Path,
        settings: Settings,
        parent: QWidget | None = None,
        *,
        kdf: KdfParams | None = None,
        base_delay_ms: int = RETRY_BASE_MS,
    ) -> None:
        super().__init__(parent)
        self.profiles_root = Path(profiles_root)
        self.settings = settings
        self.kdf = kdf
        self.wizard: FirstRunWizard | None = None
        self.notice_box: QMessageBox | None = None
        self.stack = QStackedWidget()
        self.stack.addWidget(self._welcome_body())
        self.stack.addWidget(self._unlock_body(base_delay_ms))
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(title_label("Passerelle"))
        layout.addWidget(note_label(_("Case management for social reintegration.")))
        layout.addSpacing(8)
        layout.addWidget(self.stack)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(card_page(body))
        self.refresh_profiles()

    def _welcome_body(self) -> QWidget:
        self.welcome_button = QPushButton(_("&Create my profile…"))
        self.welcome_button.setObjectName("welcomeCreate")
        self.welcome_button.setDefault(True)
        self.welcome_button.setMinimumHeight(40)
        self.welcome_button.clicked.connect(self.open_wizard)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(_("There is no profile on this computer yet.")))
        layout.addWidget(
            note_label(
                _(
                    "Your profile holds your case files, encrypted with a passphrase only "
                    "you know. Creating it takes a minute."
                )
            )
        )
        layout.addSpacing(8)
        layout.addWidget(self.welcome_button)
        return body

    def _unlock_body(self, base_delay_ms: int) -> QWidget:
        self.profile_list = QListWidget()
        self.profile_list.setObjectName("profiles")
        self.profile_list.setMaximumHeight(130)
        self.prompt = PassphrasePrompt(_("Unlocking…"), base_delay_ms)
        self.prompt.submitted.connect(self._unlock)
        self.profile_list.itemActivated.connect(lambda _item: self.prompt.focus_field())
        self.profile_list.currentRowChanged.connect(lambda _row: self.show_limits())
        profiles_label = QLabel(_("P&rofile"))
        profiles_label.setBuddy(self.profile_list)
        self.create_button = QPushButton(_("Create a &new profile…"))
        self.create_button.setObjectName("createProfile")
        self.create_button.setFlat(True)
        self.create_button.setAutoDefault(False)
        self.create_button.clicked.connect(self.open_wizard)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.create_button)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(profiles_label)
        layout.addWidget(self.profile_list)
        layout.addSpacing(6)
        layout.addWidget(self.prompt)
        layout.addLayout(row)
        self.setTabOrder(self.profile_list, self.prompt.field)
        self.setTabOrder(self.prompt.field, self.prompt.button)
        self.setTabOrder(self.prompt.button, self.create_button)
        return body

    # -- profiles ---------------------------------------------------------------------

    def refresh_profiles(self) -> None:
        self.profile_list.clear()
        folders = local_profiles(self.profiles_root)
        last = Path(self.settings.last_profile) if self.settings.last_profile else None
        for folder in folders:
            item = QListWidgetItem(folder.name)
            item.setData(Qt.ItemDataRole.UserRole, str(folder))
            item.setToolTip(str(folder))
            self.profile_list.addItem(item)
            if last is not None and folder == last:
                self.profile_list.setCurrentItem(item)
        if folders and self.profile_list.currentRow() < 0:
            self.profile_list.setCurrentRow(0)
        self.stack.setCurrentIndex(1 if folders else 0)
        if folders:
            self.prompt.focus_field()
        else:
            self.welcome_button.setFocus()

    def show_limits(self) -> None:
        folder = self.selected_folder()
        self.prompt.show_notice(unlock_notice(folder) if folder is not None else "")

    def selected_folder(self) -> Path | None:
        item = self.profile_list.currentItem()
        return Path(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def select_profile(self, name: str) -> None:
        for row in range(self.profile_list.count()):
            if self.profile_list.item(row).text() == name:
                self.profile_list.setCurrentRow(row)
                return
        raise KeyError(name)

    # -- unlocking --------------------------------------------------------------------

    def _unlock(self, passphrase: str) -> None:
        folder = self.selected_folder()
        if folder is None:
            self.prompt.show_error(_("Choose a profile first."))
            return
        self._set_busy(True)
        run_in_background(
            lambda: checkin.open_profile(folder, passphrase), self._opened, self._open_failed
        )

    def _set_busy(self, busy: bool) -> None:
        self.prompt.set_busy(busy)
        self.profile_list.setEnabled(not busy)
        self.create_button.setEnabled(not busy)

    def _opened(self, profile: Profile) -> None:
        self._set_busy(False)
        self.prompt.succeeded()
        self.show_limits()
        warning = offline_warning(profile)
        if warning:
            self._notify(_("Sync soon"), warning)
        if owner.load_actor(profile.sessions) is None:
            self._open_owner_step(profile)
            return
        self.unlocked.emit(profile)

    def _open_failed(self, error: Exception) -> None:
        self._set_busy(False)
        if isinstance(error, WrongPassphrase):
            self.prompt.record_failure(str(error))
            self.show_limits()
        elif isinstance(error, KeyDestroyed):
            self.refresh_profiles()
            self._notify(_("Profile erased"), str(error))
        elif isinstance(error, StoreError | ServiceError):
            self.prompt.show_error(str(error))
        elif isinstance(error, OSError):
            self.prompt.show_error(
                _("The profile could not be read: {reason}").format(reason=error.strerror or "")
            )
        else:
            self.prompt.show_error(
                _("The profile could not be opened ({kind}).").format(kind=type(error).__name__)
            )

    def _notify(self, title: str, text: str) -> None:
        """A window-modal message that does not block (tests read ``notice_box``)."""
        self.notice_box = QMessageBox(
            QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self
        )
        self.notice_box.open()

    # -- creating ---------------------------------------------------------------------

    def open_wizard(self) -> FirstRunWizard:
        """Open the first-run wizard (window-modal, not blocking: tests drive it)."""
        self.wizard = FirstRunWizard(self.profiles_root, self, kdf=self.kdf)
        self.wizard.created.connect(self._created)
        self.wizard.open()
        return self.wizard

    def _open_owner_step(self, profile: Profile) -> None:
        """Defensive: a profile without owner (an interrupted first run) asks for one."""
        self.wizard = FirstRunWizard(self.profiles_root, self, kdf=self.kdf, profile=profile)
        self.wizard.created.connect(self._created)
        self.wizard.rejected.connect(profile.close)
        self.wizard.open()

    def _created(self, profile: Profile) -> None:
        self.refresh_profiles()
        self.select_profile(profile.folder.name)
        self.unlocked.emit(profile)


class LockScreen(QWidget):
    """Hides the workspace until the owner's passphrase is typed again."""

    resumed = Signal()
    erased = Signal()  # too many wrong passphrases: the profile's key was destroyed

    def __init__(
        self, parent: QWidget | None = None, *, base_delay_ms: int = RETRY_BASE_MS
    ) -> None:
        super().__init__(parent)
        self._profile: Profile | None = None
        self.profile_label = note_label("")
        self.profile_label.setObjectName("lockedProfile")
        self.prompt = PassphrasePrompt(_("Checking…"), base_delay_ms)
        self.prompt.submitted.connect(self._verify)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(title_label(_("Passerelle is locked")))
        layout.addWidget(self.profile_label)
        layout.addWidget(note_label(_("Type your passphrase to continue where you left off.")))
        layout.addSpacing(8)
        layout.addWidget(self.prompt)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(card_page(body))

    def lock(self, profile: Profile) -> None:
        self._profile = profile
        self.profile_label.setText(_("Profile: {name}").format(name=profile.folder.name))
        self.prompt.field.clear()
        if not self.prompt.is_waiting():
            self.prompt.show_error("")
        self.prompt.show_notice(unlock_notice(profile.folder))
        self.prompt.focus_field()

    def _verify(self, passphrase: str) -> None:
        if self._profile is None:
            return
        profile = self._profile

        def check() -> None:
            profile.verify_passphrase(passphrase)  # counts failures; the key is not kept

        self.prompt.set_busy(True)
        run_in_background(check, self._verified, self._failed)

    def _verified(self, _result: object) -> None:
        self.prompt.succeeded()
        self.resumed.emit()

    def _failed(self, error: Exception) -> None:
        if isinstance(error, WrongPassphrase):
            self.prompt.record_failure(str(error))
            if self._profile is not None:
                self.prompt.show_notice(unlock_notice(self._profile.folder))
        elif isinstance(error, KeyDestroyed):
            self.prompt.set_busy(False)
            self.prompt.show_error(str(error))
            self._profile = None
            self.erased.emit()
        else:
            self.prompt.set_busy(False)
            self.prompt.show_error(str(error))
