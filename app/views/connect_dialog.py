"""The dialog "I already work offline: connect to the server": enrol a profile in use.

The counsellor who started with the application before her account existed keeps her
profile: enrolling it adopts it (app/sync/adopt.py), everything she recorded becomes
the account's and is sent at the next sync. The password is used once, never kept.
The enrolment runs off the GUI thread; errors are shown in the dialog as one line.
"""

from __future__ import annotations

import socket

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.services.errors import ServiceError
from app.store.profile import Profile
from app.sync import engine
from app.views.tasks import run_in_background


class ConnectDialog(QDialog):
    """Server address, username and password; ``connected`` once enrolled."""

    connected = Signal(object)  # engine.EnrolOutcome

    def __init__(self, profile: Profile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profile = profile
        self.outcome: engine.EnrolOutcome | None = None
        self.setWindowTitle(_("Connect to the server"))
        intro = QLabel(
            _(
                "Your work on this laptop is kept: it will belong to your account and be "
                "sent to your team at the next sync."
            )
        )
        intro.setWordWrap(True)
        self.server = QLineEdit()
        self.server.setObjectName("connectServer")
        self.username = QLineEdit()
        self.username.setObjectName("connectUsername")
        self.password = QLineEdit()
        self.password.setObjectName("connectPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.status = QLabel()
        self.status.setObjectName("connectStatus")
        self.status.setWordWrap(True)
        form = QFormLayout()
        form.addRow(_("Server address"), self.server)
        form.addRow(_("Username"), self.username)
        form.addRow(_("Password"), self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.connect_button = QPushButton(_("Connect"))
        self.connect_button.setObjectName("connectButton")
        self.connect_button.setDefault(True)
        buttons.addButton(self.connect_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.connect_button.clicked.connect(self.start)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

    def start(self) -> None:
        server, username = self.server.text().strip(), self.username.text().strip()
        password = self.password.text()
        if not (server and username and password):
            self.status.setText(_("Fill in the server address, your username and password."))
            return
        self.connect_button.setEnabled(False)
        self.status.setText(_("Connecting…"))
        profile, device = self.profile, socket.gethostname() or "laptop"

        def work() -> engine.EnrolOutcome:
            return engine.enrol_with_outcome(profile, server, username, password, device)

        run_in_background(work, self._done, self._failed)

    def _done(self, outcome: engine.EnrolOutcome) -> None:
        self.password.clear()
        self.outcome = outcome
        self.status.setText(
            ngettext(
                "Connected as {name}: {count} record will be sent at the next sync.",
                "Connected as {name}: {count} records will be sent at the next sync.",
                outcome.queued,
            ).format(name=outcome.user.full_name, count=outcome.queued)
        )
        self.connected.emit(outcome)

    def _failed(self, error: Exception) -> None:
        self.password.clear()
        self.connect_button.setEnabled(True)
        if isinstance(error, ServiceError):
            self.status.setText(str(error))
        else:
            self.status.setText(
                _("The connection failed ({kind}).").format(kind=type(error).__name__)
            )
