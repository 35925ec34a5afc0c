"""The desktop side of device administration: list the laptops, revoke one, order a wipe.

Used by the administrators' device page (:mod:`app.views.devices`); the server checks
the role (403 ``forbidden`` for anyone else), this module only speaks the protocol
with the profile's own server address and device token.
"""

from __future__ import annotations

import uuid

from app.store.profile import Profile
from app.sync import state
from app.sync.client import SyncClient
from app.sync.errors import NotEnrolled
from passerelle_core.security_messages import (
    DeviceInfo,
    DeviceList,
    DeviceStatus,
    DeviceStatusChange,
)

DEVICES_PATH = "/api/v1/admin/devices"


def list_devices(profile: Profile) -> list[DeviceInfo]:
    with _client(profile) as client:
        return client.call("GET", DEVICES_PATH, DeviceList).devices


def set_status(profile: Profile, device_id: uuid.UUID, status: DeviceStatus) -> DeviceInfo:
    body = DeviceStatusChange(status=status).model_dump()
    with _client(profile) as client:
        return client.call("POST", f"{DEVICES_PATH}/{device_id}/status", DeviceInfo, json=body)


def this_device(profile: Profile) -> uuid.UUID | None:
    with profile.engine.begin() as connection:
        return state.get_uuid(connection, state.DEVICE_ID)


def _client(profile: Profile) -> SyncClient:
    with profile.engine.begin() as connection:
        settings = state.read_all(connection)
    if state.DEVICE_TOKEN not in settings:
        raise NotEnrolled()
    return SyncClient(
        settings[state.SERVER_URL],
        token=settings[state.DEVICE_TOKEN],
        ca_file=settings.get(state.CA_FILE),
    )
