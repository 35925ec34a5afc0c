"""The settings page: languages, auto-lock, sync interval, and facts for support.

Settings are validated as a whole before anything is written, then copied onto the
shared ``state.settings`` object (the main window holds the same one). A new interface
language takes effect when saved: the workspace is rebuilt in that language.
"""

from __future__ import annotations

from pydantic import ValidationError
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.i18n import _, ngettext
from app.security.permissions import Permission, may
from app.services import idle_lock
from app.settings import Settings, save_settings, settings_path
from app.sync import outbox
from app.views.app_state import AppState
from app.views.appearance import ZOOM_LEVELS
from app.views.connect_dialog import ConnectDialog

# Languages are named in their own script: whoever needs them can read them.
UI_LANGUAGES = (("fr", "Français"), ("ar", "العربية"), ("en", "English"))
REPORT_LANGUAGES = (("fr", "Français"), ("ar", "العربية"))
PAGE_WIDTH = 640
IDLE_LOCK_MAX = 120
"""The settings file's own bound on the auto-lock delay (minutes)."""


class SettingsPage(QWidget):
    """A workspace page; ``language_changed(code)`` follows a saved language change."""

    language_changed = Signal(str)
    settings_saved = Signal()
    server_connected = Signal()  # this profile was just enrolled (sync can start)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        title = QLabel(_("Settings"))
        title.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.save_button = QPushButton(_("&Save"))
        self.save_button.setObjectName("saveSettings")
        self.save_button.clicked.connect(self.save)
        self.status = QLabel()
        self.status.setObjectName("settingsStatus")
        self.status.setWordWrap(True)
        actions = QHBoxLayout()
        actions.addWidget(self.save_button)
        actions.addWidget(self.status, 1)
        column = QVBoxLayout()
        column.setSpacing(14)
        column.addWidget(title)
        column.addWidget(self._language_group())
        column.addWidget(self._display_group())
        column.addWidget(self._security_group())
        column.addWidget(self._sync_group())
        if may(state.ctx, Permission.PREVIEW_RETENTION):
            column.addWidget(self._retention_group())
        column.addLayout(actions)
        column.addWidget(self._about_group())
        column.addStretch(1)
        holder = QWidget()
        holder.setMaximumWidth(PAGE_WIDTH)
        holder.setLayout(column)
        content = QWidget()
        row = QHBoxLayout(content)
        row.setContentsMargins(24, 20, 24, 20)
        row.addWidget(holder, 1)
        row.addStretch(0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.refresh()

    # -- building -----------------------------------------------------------------------

    def _language_group(self) -> QGroupBox:
        self.ui_language = _combo("uiLanguage", UI_LANGUAGES)
        self.ui_language.currentIndexChanged.connect(self._language_picked)
        self.report_language = _combo("reportLanguage", REPORT_LANGUAGES)
        self.language_note = _note("")
        self.language_note.setObjectName("languageNote")
        group = QGroupBox(_("Languages"))
        form = QFormLayout(group)
        form.addRow(_buddy(_("&Interface language"), self.ui_language), self.ui_language)
        form.addRow("", self.language_note)
        form.addRow(_buddy(_("&Printed reports"), self.report_language), self.report_language)
        return group

    def _display_group(self) -> QGroupBox:
        self.zoom = QComboBox()
        self.zoom.setObjectName("zoom")
        for level in ZOOM_LEVELS:
            self.zoom.addItem(_("{percent} %").format(percent=level), level)
        self.high_contrast = QCheckBox(_("&High contrast"))
        self.high_contrast.setObjectName("highContrast")
        group = QGroupBox(_("Display"))
        form = QFormLayout(group)
        form.addRow(_buddy(_("&Text size"), self.zoom), self.zoom)
        form.addRow("", self.high_contrast)
        form.addRow("", _note(_("Applied to the whole window when you save.")))
        return group

    def _security_group(self) -> QGroupBox:
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setObjectName("idleMinutes")
        self.idle_minutes.setRange(1, IDLE_LOCK_MAX)
        self.idle_minutes.setSuffix(" " + _("min"))
        group = QGroupBox(_("Security"))
        form = QFormLayout(group)
        form.addRow(_buddy(_("&Lock after inactivity"), self.idle_minutes), self.idle_minutes)
        form.addRow(
            "",
            _note(_("The window locks itself after this many minutes without any input.")),
        )
        self.idle_limit_note = _note("")
        self.idle_limit_note.setObjectName("idleLimit")
        form.addRow("", self.idle_limit_note)
        return group

    def _show_idle_limit(self) -> None:
        """The administrator's limit bounds the choice, and the page says so."""
        limit = idle_lock.idle_lock_limit(self.state.ctx)
        self.idle_minutes.setMaximum(min(IDLE_LOCK_MAX, limit))
        self.idle_limit_note.setText(
            ngettext(
                "Your administrator allows at most {count} minute.",
                "Your administrator allows at most {count} minutes.",
                limit,
            ).format(count=limit)
        )

    def _retention_group(self) -> QGroupBox:
        """Supervisors and administrators: the closed cases past their retention period."""
        self.retention_button = QPushButton(_("&Retention of closed cases…"))
        self.retention_button.setObjectName("retention")
        self.retention_button.clicked.connect(self.show_retention)
        group = QGroupBox(_("Protection of the case files"))
        form = QFormLayout(group)
        form.addRow(self.retention_button)
        form.addRow(
            _note(
                _(
                    "Closed cases past the period set by the administration are "
                    "anonymised or purged, after you have seen the list."
                )
            )
        )
        return group

    def show_retention(self) -> QWidget:
        from app.views.retention import RetentionDialog

        dialog = RetentionDialog(self.state, self)
        dialog.open()
        return dialog

    def _sync_group(self) -> QGroupBox:
        self.sync_minutes = QSpinBox()
        self.sync_minutes.setObjectName("syncMinutes")
        self.sync_minutes.setRange(1, 1440)
        self.sync_minutes.setSuffix(" " + _("min"))
        group = QGroupBox(_("Synchronisation"))
        form = QFormLayout(group)
        form.addRow(_buddy(_("S&ync every"), self.sync_minutes), self.sync_minutes)
        form.addRow("", _note(_("Used once sync with a server is configured.")))
        self.connect_button = QPushButton(_("I already work offline: connect to the server…"))
        self.connect_button.setObjectName("connectToServer")
        self.connect_button.setVisible(not outbox.is_enrolled(self.state.profile))
        self.connect_button.clicked.connect(self.show_connect)
        form.addRow("", self.connect_button)
        return group

    def show_connect(self) -> ConnectDialog:
        """Enrol this profile, keeping everything on it (adoption); non-modal."""
        dialog = ConnectDialog(self.state.profile, self)
        dialog.connected.connect(lambda _outcome: self.connect_button.setVisible(False))
        dialog.connected.connect(lambda _outcome: self.server_connected.emit())
        dialog.show()
        return dialog

    def _about_group(self) -> QGroupBox:
        settings_file = self.state.settings_file or settings_path()
        group = QGroupBox(_("For support"))
        form = QFormLayout(group)
        form.addRow(_("Profile folder"), _selectable(str(self.state.profile.folder)))
        form.addRow(_("Settings file"), _selectable(str(settings_file)))
        form.addRow(_("Version"), _selectable(__version__))
        return group

    # -- behaviour ----------------------------------------------------------------------

    def refresh(self) -> None:
        """Show what is saved (called when the page is shown; drops unsaved edits)."""
        settings = self.state.settings
        _select(self.ui_language, settings.language)
        _select(self.report_language, settings.report_language)
        self._show_idle_limit()
        self.idle_minutes.setValue(settings.idle_lock_minutes)  # cut to the limit if over
        self.sync_minutes.setValue(settings.sync_interval_minutes)
        self.zoom.setCurrentIndex(max(self.zoom.findData(settings.zoom_percent), 0))
        self.high_contrast.setChecked(settings.high_contrast)
        self.status.clear()
        self._language_picked()

    def _language_picked(self) -> None:
        picked = self.ui_language.currentData()
        if picked == self.state.settings.language:
            self.language_note.hide()
            return
        self.language_note.setText(
            _(
                "The window will switch to {language} when you save. Open case files stay "
                "open, with what you typed in them."
            ).format(language=self.ui_language.currentText())
        )
        self.language_note.show()

    def save(self) -> None:
        settings = self.state.settings
        updates = {
            "language": self.ui_language.currentData(),
            "report_language": self.report_language.currentData(),
            "idle_lock_minutes": self.idle_minutes.value(),
            "sync_interval_minutes": self.sync_minutes.value(),
            "zoom_percent": self.zoom.currentData(),
            "high_contrast": self.high_contrast.isChecked(),
        }
        try:
            candidate = Settings.model_validate({**settings.model_dump(), **updates})
            save_settings(candidate, self.state.settings_file)
        except (ValidationError, OSError) as error:
            self._show_status(
                _("The settings could not be saved: {reason}").format(reason=str(error)), True
            )
            return
        language_changed = candidate.language != settings.language
        for name in updates:
            setattr(settings, name, getattr(candidate, name))
        self._show_status(_("Settings saved."), False)
        self.language_note.hide()
        self.settings_saved.emit()
        if language_changed:
            self.language_changed.emit(candidate.language)

    def _show_status(self, text: str, error: bool) -> None:
        self.status.setStyleSheet("color: #b3261e;" if error else "color: #2e7d32;")
        self.status.setText(text)


def _combo(name: str, choices: tuple[tuple[str, str], ...]) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    for code, label in choices:
        combo.addItem(label, code)
    return combo


def _select(combo: QComboBox, code: str) -> None:
    index = combo.findData(code)
    combo.setCurrentIndex(max(index, 0))


def _buddy(text: str, field: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(field)
    return label


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(placeholder-text);")
    return label


def _selectable(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
