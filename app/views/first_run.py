"""First run: who owns this laptop profile, and the passphrase that will protect it.

One form rather than several pages: the owner sees at once everything asked of them.
Creating the profile calibrates the key derivation (about a second), so it runs off the
GUI thread behind a busy state. The same dialog, given an already opened profile that
lacks an owner (an interrupted first run), asks only for the owner.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import owner
from app.services.errors import ServiceError
from app.services.passphrase import estimate_strength
from app.store.errors import StoreError
from app.store.keys import KdfParams
from app.store.profile import Profile
from app.views.passphrase_strength import PassphraseStrengthMeter
from app.views.tasks import run_in_background
from passerelle_core.enums import StaffRole

_FOLDER_NAME = re.compile(r"^\w[\w.\- ]{0,63}$")


def role_labels() -> dict[StaffRole, str]:
    return {
        StaffRole.PSYCHOLOGIST: _("Psychologist"),
        StaffRole.SOCIAL_WORKER: _("Social worker"),
        StaffRole.EDUCATOR: _("Educator"),
        StaffRole.SUPERVISOR: _("Supervisor (head of service)"),
        StaffRole.ADMIN: _("Administrator"),
    }


def slugify(text: str) -> str:
    """A folder-safe name from a person's name (``Amina Tazi`` -> ``amina-tazi``)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:40].strip("-") or "profile"


def unique_folder_name(profiles_root: Path, base: str) -> str:
    name, counter = base, 2
    while (profiles_root / name).exists():
        name = f"{base}-{counter}"
        counter += 1
    return name


class FirstRunWizard(QDialog):
    """Create a profile and its owner; ``created`` carries the new, opened profile."""

    created = Signal(object)

    def __init__(
        self,
        profiles_root: Path,
        parent: QWidget | None = None,
        *,
        kdf: KdfParams | None = None,
        profile: Profile | None = None,
    ) -> None:
        super().__init__(parent)
        self.profiles_root = Path(profiles_root)
        self.kdf = kdf
        self.profile = profile  # set: only the owner step, for an existing profile
        self._busy = False
        self._folder_edited = False
        self.setObjectName("firstRunWizard")
        self.setWindowTitle(_("Welcome to Passerelle"))
        self.setModal(True)
        self.setMinimumWidth(560)
        self.about_group = self._about_group()
        self.passphrase_group = self._passphrase_group()
        self.folder_group = self._folder_group()
        self.enrol_row = self._enrol_row()
        self.error = QLabel()
        self.error.setObjectName("wizardError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.hide()
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setFixedHeight(6)
        self.busy_label = QLabel(_("Creating your profile… this takes a few seconds."))
        self.busy_bar.hide()
        self.busy_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.create_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.create_button.setText(_("Create my profile"))
        self.create_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        intro = QLabel(
            _(
                "Your profile stays on this computer, encrypted. Nobody can open it without "
                "your passphrase, and a forgotten passphrase cannot be recovered: keep it "
                "somewhere safe."
            )
        )
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 16)
        layout.setSpacing(12)
        layout.addWidget(intro)
        layout.addWidget(self.about_group)
        layout.addWidget(self.passphrase_group)
        layout.addWidget(self.folder_group)
        layout.addWidget(self.enrol_row)
        layout.addWidget(self.error)
        layout.addWidget(self.busy_bar)
        layout.addWidget(self.busy_label)
        layout.addWidget(self.buttons)
        if profile is not None:
            self.setWindowTitle(_("Complete your profile"))
            intro.setText(
                _("This profile has no owner yet. Say who you are to finish setting it up.")
            )
            self.create_button.setText(_("Finish"))
            for part in (self.passphrase_group, self.folder_group, self.enrol_row):
                part.hide()
        self.full_name.setFocus()

    # -- the form ---------------------------------------------------------------------

    def _about_group(self) -> QGroupBox:
        self.full_name = QLineEdit()
        self.full_name.setObjectName("fullName")
        self.full_name.textChanged.connect(self._suggest_folder)
        self.role = QComboBox()
        self.role.setObjectName("role")
        for role, label in role_labels().items():
            self.role.addItem(label, role)
        self.role.setPlaceholderText(_("Choose your role"))
        self.role.setCurrentIndex(-1)
        self.facility = QLineEdit()
        self.facility.setObjectName("facility")
        self.facility.setPlaceholderText(_("Optional, e.g. Prison locale Oukacha"))
        self.team = QLineEdit()
        self.team.setObjectName("team")
        self.team.setPlaceholderText(_("Optional"))
        group = QGroupBox(_("About you"))
        form = QFormLayout(group)
        form.addRow(_buddy(_("Full &name"), self.full_name), self.full_name)
        form.addRow(_buddy(_("&Role"), self.role), self.role)
        form.addRow(_buddy(_("&Facility"), self.facility), self.facility)
        form.addRow(_buddy(_("&Team"), self.team), self.team)
        return group

    def _passphrase_group(self) -> QGroupBox:
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("newPassphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirmation = QLineEdit()
        self.confirmation.setObjectName("confirmPassphrase")
        self.confirmation.setEchoMode(QLineEdit.EchoMode.Password)
        self.meter = PassphraseStrengthMeter()
        self.passphrase.textChanged.connect(self.meter.update_for)
        self.passphrase.textChanged.connect(self._fit)
        group = QGroupBox(_("Your passphrase"))
        form = QFormLayout(group)
        form.addRow(_buddy(_("&Passphrase"), self.passphrase), self.passphrase)
        form.addRow("", self.meter)
        form.addRow(_buddy(_("&Confirm passphrase"), self.confirmation), self.confirmation)
        return group

    def _folder_group(self) -> QGroupBox:
        self.folder = QLineEdit(unique_folder_name(self.profiles_root, "profile"))
        self.folder.setObjectName("folderName")
        self.folder.textEdited.connect(self._folder_was_edited)
        where = QLabel(_("Kept in {location}").format(location=str(self.profiles_root)))
        where.setWordWrap(True)
        where.setStyleSheet("color: palette(placeholder-text);")
        group = QGroupBox(_("Where to keep it"))
        form = QFormLayout(group)
        form.addRow(_buddy(_("Profile f&older"), self.folder), self.folder)
        form.addRow("", where)
        return group

    def _enrol_row(self) -> QWidget:
        self.enrol_button = QPushButton(_("Enrol from a server…"))
        self.enrol_button.setObjectName("enrolFromServer")
        self.enrol_button.setEnabled(False)
        self.enrol_button.setAutoDefault(False)
        self.enrol_button.setToolTip(
            _("Enrolment from your service's server will come with synchronisation.")
        )
        note = QLabel(_("Joining a team on a sync server will come with synchronisation."))
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(placeholder-text);")
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(note, 1)
        layout.addWidget(self.enrol_button)
        return row

    def _suggest_folder(self, name: str) -> None:
        if not self._folder_edited:
            self.folder.setText(unique_folder_name(self.profiles_root, slugify(name)))

    def _folder_was_edited(self, _text: str) -> None:
        self._folder_edited = True

    # -- validation -------------------------------------------------------------------

    def problem(self) -> tuple[str, QWidget] | None:
        """The first thing to fix, with the field to focus; None when all is well."""
        if not self.full_name.text().strip():
            return _("Type your full name."), self.full_name
        if self.role.currentIndex() < 0:
            return _("Choose your role."), self.role
        if self.profile is not None:
            return None
        strength = estimate_strength(self.passphrase.text())
        if not strength.acceptable:
            reason = " ".join(strength.problems)
            return _("This passphrase is too weak. {reason}").format(reason=reason), self.passphrase
        if self.confirmation.text() != self.passphrase.text():
            return _("The two passphrases differ."), self.confirmation
        folder = self.folder.text().strip()
        if not _FOLDER_NAME.match(folder):
            return (
                _("The folder name may only hold letters, digits, spaces, dots and dashes."),
                self.folder,
            )
        if (self.profiles_root / folder).exists():
            return _("A profile folder with this name already exists."), self.folder
        return None

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        self._fit()

    def _fit(self) -> None:
        """Grow to show wrapped text in full (a window's minimum ignores height-for-width)."""
        layout = self.layout()
        needed = layout.heightForWidth(self.width()) if layout is not None else -1
        if needed > self.height():
            self.resize(self.width(), needed)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self._fit()

    # -- creating ---------------------------------------------------------------------

    def accept(self) -> None:
        if self._busy:
            return
        found = self.problem()
        if found is not None:
            message, field = found
            self.show_error(message)
            field.setFocus()
            return
        self.show_error("")
        self._set_busy(True)
        run_in_background(self._work(), self._done, self._failed)

    def _work(self) -> Callable[[], Profile]:
        name = self.full_name.text().strip()
        role = StaffRole(self.role.currentData())
        facility = self.facility.text().strip() or None
        team = self.team.text().strip() or None
        existing = self.profile
        if existing is not None:

            def complete() -> Profile:
                owner.setup_owner(existing.sessions, name, role, facility, team)
                return existing

            return complete
        folder = self.profiles_root / self.folder.text().strip()
        passphrase, kdf = self.passphrase.text(), self.kdf

        def create() -> Profile:
            profile = Profile.create(folder, passphrase, kdf)
            try:
                owner.setup_owner(profile.sessions, name, role, facility, team)
            except BaseException:
                profile.close()
                raise
            return profile

        return create

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for part in (self.about_group, self.passphrase_group, self.folder_group, self.buttons):
            part.setEnabled(not busy)
        self.busy_bar.setVisible(busy)
        self.busy_label.setVisible(busy)

    def _done(self, profile: Profile) -> None:
        self._set_busy(False)
        self.passphrase.clear()
        self.confirmation.clear()
        self.created.emit(profile)
        super().accept()

    def _failed(self, error: Exception) -> None:
        self._set_busy(False)
        if isinstance(error, StoreError | ServiceError):
            self.show_error(str(error))
        else:
            self.show_error(
                _("The profile could not be created ({kind}).").format(kind=type(error).__name__)
            )

    def reject(self) -> None:
        if not self._busy:  # a half-created profile is worse than a short wait
            super().reject()


def _buddy(text: str, field: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(field)
    return label
