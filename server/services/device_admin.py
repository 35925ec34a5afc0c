"""Administrators' view of enrolled laptops: list them, revoke them, order a wipe.

The same operations as ``passerelle-server device list|revoke``, for the desktop
client's device page; only accounts with the ``admin`` role may call them.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from passerelle_core.enums import StaffRole
from passerelle_core.security_messages import DeviceInfo
from server.core.db import read_transaction
from server.core.tables import Device, DeviceEscrow, RecoveryKey, ServerUser
from server.services.devices import Caller, set_device_status
from server.services.errors import ServiceError


def require_admin(caller: Caller) -> None:
    if caller.user.role != StaffRole.ADMIN.value:
        raise ServiceError("only an administrator may manage devices", "forbidden")


def device_infos(session: Session, only: uuid.UUID | None = None) -> list[DeviceInfo]:
    with read_transaction(session):
        current = session.scalar(select(RecoveryKey.key_id))
        query = (
            select(Device, ServerUser.username, ServerUser.full_name, DeviceEscrow.key_id)
            .join(ServerUser, ServerUser.id == Device.user_id)
            .outerjoin(DeviceEscrow, DeviceEscrow.device_id == Device.id)
            .order_by(Device.created_at.desc())
        )
        if only is not None:
            query = query.where(Device.id == only)
        return [
            DeviceInfo(
                device_id=device.id,
                device_name=device.name,
                username=username,
                full_name=full_name,
                status=device.status,
                enrolled_at=device.created_at,
                last_seen_at=device.last_seen_at,
                escrowed=escrowed_for is not None and escrowed_for == current,
            )
            for device, username, full_name, escrowed_for in session.execute(query)
        ]


def change_status(
    session: Session, caller: Caller, device_id: uuid.UUID, status: str
) -> DeviceInfo:
    require_admin(caller)
    set_device_status(session, str(device_id), status)
    [info] = device_infos(session, only=device_id)
    return info
