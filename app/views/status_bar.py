"""The window's status bar: connectivity, last sync, changes waiting, conflicts.

Until the sync issue lands there is no server: the bar says the profile is local only.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from app.i18n import _


class StatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.connectivity = QLabel()
        self.connectivity.setObjectName("connectivity")
        self.profile_label = QLabel()
        self.addPermanentWidget(self.profile_label)
        self.addPermanentWidget(self.connectivity)
        self.show_local_only()

    def show_local_only(self) -> None:
        self.connectivity.setText(_("Local only: no sync server configured"))

    def show_profile(self, owner_name: str) -> None:
        self.profile_label.setText(owner_name)
