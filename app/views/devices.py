"""The administrators' device page: every enrolled laptop, its state, revoke or wipe it.

A lost laptop is dealt with here: *revoke* refuses it from now on; *order a wipe* lets
it hand in its pending work, then it erases itself; *stolen* accepts nothing from it
and it erases itself at its next contact (or, at the latest, when its offline limit
forces it to reach the server to unlock). Every change is confirmed first. The page
talks to the server (administrators only, checked there), off the GUI thread.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, pgettext
from app.services.errors import ServiceError
from app.sync import device_admin, outbox
from app.views.app_state import AppState
from app.views.record_forms import MessageBanner
from app.views.status_bar import format_moment
from app.views.tasks import run_in_background
from passerelle_core.enums import StaffRole
from passerelle_core.security_messages import DeviceInfo, DeviceStatus

ID_ROLE = Qt.ItemDataRole.UserRole
STATUS_LABELS = {
    "active": N_("Active"),
    "revoked": N_("Revoked"),
    "wipe": N_("Wipe ordered"),
    "stolen": N_("Stolen: wipe, accept nothing"),
}
CONFIRMATIONS = {
    "revoked": N_("Revoke “{name}” ({user})? It will be refused by the server from now on."),
    "wipe": N_("Order “{name}” ({user}) to erase itself? It first hands in its pending changes."),
    "stolen": N_(
        "Mark “{name}” ({user}) as stolen? Nothing more is accepted from it and it erases "
        "itself at its next contact with the server."
    ),
    "active": N_("Allow “{name}” ({user}) to sync again?"),
}


def _status_label(status: str) -> str:
    """A laptop's state; "Active" has its own context (a plan is "Active" too, and the two
    differ in gender in Arabic and French)."""
    if status == "active":
        return pgettext("laptop", "Active")
    return _(STATUS_LABELS[status])


def may_open(state: AppState) -> bool:
    """Administrators of an enrolled profile (the server checks the role again)."""
    return state.ctx.actor.role == StaffRole.ADMIN and outbox.is_enrolled(state.profile)


class DevicesPage(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.devices: list[DeviceInfo] = []
        self.confirm_box: QMessageBox | None = None
        self.banner = MessageBanner()
        self.table = QTreeWidget()
        self.table.setObjectName("devices")
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels(
            [_("Laptop"), _("User"), _("State"), _("Enrolled"), _("Last seen"), _("Key escrowed")]
        )
        self.table.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.currentItemChanged.connect(lambda *_args: self._update_buttons())
        self.refresh_button = QPushButton(_("&Refresh"))
        self.refresh_button.clicked.connect(self.reload)
        self.buttons: dict[DeviceStatus, QPushButton] = {
            "revoked": QPushButton(_("Re&voke…")),
            "wipe": QPushButton(_("Order a &wipe…")),
            "stolen": QPushButton(_("Mark as &stolen…")),
            "active": QPushButton(_("&Allow again…")),
        }
        row = QHBoxLayout()
        row.addWidget(self.refresh_button)
        row.addStretch(1)
        for status, button in self.buttons.items():
            button.clicked.connect(lambda _checked=False, s=status: self.ask(s))
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self._update_buttons()
        self.reload()

    def reload(self) -> None:
        self.refresh_button.setEnabled(False)
        profile = self.state.profile
        run_in_background(lambda: device_admin.list_devices(profile), self._listed, self._failed)

    def selected(self) -> DeviceInfo | None:
        item = self.table.currentItem()
        if item is None:
            return None
        wanted = uuid.UUID(str(item.data(0, ID_ROLE)))
        return next((d for d in self.devices if d.device_id == wanted), None)

    def ask(self, status: DeviceStatus) -> None:
        device = self.selected()
        if device is None:
            return
        text = _(CONFIRMATIONS[status]).format(name=device.device_name, user=device.username)
        self.confirm_box = QMessageBox(
            QMessageBox.Icon.Warning,
            _("Change a laptop's access"),
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        self.confirm_box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        self.confirm_box.accepted.connect(lambda: self._change(device.device_id, status))
        self.confirm_box.open()

    def _change(self, device_id: uuid.UUID, status: DeviceStatus) -> None:
        profile = self.state.profile

        def work() -> DeviceInfo:
            return device_admin.set_status(profile, device_id, status)

        run_in_background(work, lambda _info: self.reload(), self._failed)

    def _listed(self, devices: list[DeviceInfo]) -> None:
        self.refresh_button.setEnabled(True)
        self.banner.clear_message()
        self.devices = devices
        current = self.selected()
        self.table.clear()
        for device in devices:
            item = QTreeWidgetItem(
                [
                    device.device_name,
                    f"{device.full_name} ({device.username})",
                    _status_label(device.status),
                    format_moment(device.enrolled_at),
                    format_moment(device.last_seen_at) if device.last_seen_at else "—",
                    _("Yes") if device.escrowed else _("No"),
                ]
            )
            item.setData(0, ID_ROLE, str(device.device_id))
            self.table.addTopLevelItem(item)
            if current is not None and device.device_id == current.device_id:
                self.table.setCurrentItem(item)
        self._update_buttons()

    def _failed(self, error: Exception) -> None:
        self.refresh_button.setEnabled(True)
        if isinstance(error, ServiceError):
            message = str(error)
        else:
            message = _("The server could not be asked ({kind}).").format(kind=type(error).__name__)
        self.banner.show_error(message)

    def _update_buttons(self) -> None:
        device = self.selected()
        for status, button in self.buttons.items():
            button.setEnabled(device is not None and device.status != status)
