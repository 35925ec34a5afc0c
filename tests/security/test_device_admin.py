"""Revocation and remote wipe surfaced to administrators: the server's checks, the page."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.settings import Settings
from app.sync import device_admin, state
from app.views.app_state import AppState
from app.views.devices import ID_ROLE, DevicesPage, may_open
from app.views.workspace import Workspace
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop

MakeLaptop = Callable[..., Laptop]


def test_only_administrators_list_or_change_devices(server: RunningServer) -> None:
    counsellor = server.enrol(server.add_user("social_worker"))
    admin = server.enrol(server.add_user("admin"))
    assert counsellor.http.get("/api/v1/admin/devices").status_code == 403
    path = f"/api/v1/admin/devices/{admin.device_id}/status"
    refused = counsellor.http.post(path, json={"status": "stolen"})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    listed = admin.http.get("/api/v1/admin/devices").json()["devices"]
    assert str(counsellor.device_id) in {d["device_id"] for d in listed}
    assert all("token" not in key for d in listed for key in d)
    changed = admin.http.post(
        f"/api/v1/admin/devices/{counsellor.device_id}/status", json={"status": "wipe"}
    )
    assert changed.status_code == 200 and changed.json()["status"] == "wipe"
    assert counsellor.me().json()["code"] == "wipe"
    unknown = admin.http.post(
        "/api/v1/admin/devices/00000000-0000-0000-0000-000000000000/status",
        json={"status": "revoked"},
    )
    assert unknown.status_code == 404


def test_an_administrator_wipes_a_lost_laptop_from_the_page(
    qtbot: QtBot, server: RunningServer, laptop: MakeLaptop
) -> None:
    lost = laptop(server.add_user("social_worker"))
    admin = laptop(server.add_user("admin"))
    app_state = AppState(admin.profile, admin.ctx, Settings())
    assert may_open(app_state) and not may_open(AppState(lost.profile, lost.ctx, Settings()))
    workspace = Workspace(app_state)
    qtbot.addWidget(workspace)
    page = workspace.show_page("devices")
    assert isinstance(page, DevicesPage)
    qtbot.waitUntil(lambda: page.table.topLevelItemCount() >= 2, timeout=10_000)
    lost_id = device_admin.this_device(lost.profile)
    for row in range(page.table.topLevelItemCount()):
        item = page.table.topLevelItem(row)
        if item is not None and item.data(0, ID_ROLE) == str(lost_id):
            page.table.setCurrentItem(item)
    assert page.buttons["wipe"].isEnabled()
    page.buttons["wipe"].click()
    box = page.confirm_box
    assert box is not None and lost.account.username in box.text()
    yes = box.button(QMessageBox.StandardButton.Yes)
    assert yes is not None
    yes.click()
    qtbot.waitUntil(
        lambda: any(d.device_id == lost_id and d.status == "wipe" for d in page.devices),
        timeout=10_000,
    )
    report = lost.sync()  # the lost laptop hands in its work, then erases itself
    assert report.wiped and not lost.folder.exists()
    with admin.profile.engine.begin() as connection:
        assert state.get(connection, state.DEVICE_TOKEN)  # the admin's own laptop is fine
