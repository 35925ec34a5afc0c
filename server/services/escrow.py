"""The recovery public key and the escrowed device keys the server keeps.

The server holds the administration's recovery *public* key only (set by
``passerelle-server recovery init`` or ``recovery set-public-key``) and, per device, the
database key that laptop sealed for it. Nothing here can open a sealed key: that needs
the private key, which the administration keeps offline (``recovery unseal``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from passerelle_core.columns import utcnow
from passerelle_core.escrow import EscrowError, SealedKey, key_id, normalise_public_key
from server.core.db import read_transaction, write_transaction
from server.core.tables import Device, DeviceEscrow, RecoveryKey, ServerUser
from server.services.devices import Caller
from server.services.errors import ServiceError

RECOVERY_KEY_ROW = 1


@dataclass(frozen=True)
class PublicRecoveryKey:
    key_id: str
    public_key: str


@dataclass(frozen=True)
class EscrowedDevice:
    """What an administrator needs to unseal one device's key."""

    device_id: uuid.UUID
    device_name: str
    username: str
    sealed: SealedKey


def recovery_key(session: Session) -> PublicRecoveryKey | None:
    with read_transaction(session):
        row = session.get(RecoveryKey, RECOVERY_KEY_ROW)
        return PublicRecoveryKey(row.key_id, row.public_key) if row is not None else None


def set_recovery_key(session: Session, public_key: str) -> PublicRecoveryKey:
    """Install (or replace) the recovery public key; laptops re-escrow at their next sync."""
    try:
        text = normalise_public_key(public_key)
    except EscrowError as error:
        raise ServiceError(f"unusable recovery public key: {error}") from None
    installed = PublicRecoveryKey(key_id(text), text)
    with write_transaction(session):
        row = session.get(RecoveryKey, RECOVERY_KEY_ROW)
        if row is None:
            session.add(RecoveryKey(id=RECOVERY_KEY_ROW, key_id=installed.key_id, public_key=text))
        else:
            row.key_id, row.public_key, row.created_at = installed.key_id, text, utcnow()
    return installed


def store_sealed_key(session: Session, caller: Caller, sealed: SealedKey) -> None:
    """Keep the caller's sealed key (its own device only: the id comes from its token)."""
    with write_transaction(session):
        current = session.get(RecoveryKey, RECOVERY_KEY_ROW)
        if current is None:
            raise ServiceError("this server has no recovery key", "not_found")
        if sealed.key_id != current.key_id:
            raise ServiceError("sealed for another recovery key than this server's")
        row = session.get(DeviceEscrow, caller.device_id)
        data = sealed.model_dump(mode="json")
        if row is None:
            session.add(DeviceEscrow(device_id=caller.device_id, key_id=sealed.key_id, sealed=data))
        else:
            row.key_id, row.sealed, row.updated_at = sealed.key_id, data, utcnow()


def escrowed_device(session: Session, device_id: str) -> EscrowedDevice:
    try:
        key = uuid.UUID(device_id)
    except ValueError:
        raise ServiceError(f"{device_id!r} is not a device id") from None
    with read_transaction(session):
        row = session.execute(
            select(DeviceEscrow, Device.name, ServerUser.username)
            .join(Device, Device.id == DeviceEscrow.device_id)
            .join(ServerUser, ServerUser.id == Device.user_id)
            .where(DeviceEscrow.device_id == key)
        ).first()
        if row is None:
            raise ServiceError(f"no escrowed key for device {device_id}", "not_found")
        escrow, name, username = row
        return EscrowedDevice(key, name, username, SealedKey.model_validate(escrow.sealed))


def mark_unsealed(session: Session, device_id: uuid.UUID) -> None:
    with write_transaction(session):
        row = session.get(DeviceEscrow, device_id)
        if row is not None:
            row.unsealed_at = utcnow()
