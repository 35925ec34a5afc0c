"""Verifying this profile's access log chains, from the rows as stored.

Used by the access log's use cases (``app.services.audit.verify``) and by the upload,
which sends nothing from a chain that does not verify.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Engine, String, Table, select, type_coerce

from app.models import AccessLogEntry, ProfileSetting
from app.models.audit import DEVICE_SETTING
from app.sync import state
from passerelle_core.audit_protocol import BreakKind, ChainBreak, ChainCheck, verify_chain

ACCESS_LOG = cast(Table, AccessLogEntry.__table__)
ACKED_KEY = "access_log_acked_seq"  # sync_state: the last seq the server acknowledged


@dataclass(frozen=True)
class DeviceCheck:
    device_id: str
    check: ChainCheck

    @property
    def intact(self) -> bool:
        return self.check.intact


def verify(engine: Engine) -> list[DeviceCheck]:
    """Recompute every chain of this profile (normally one: this device's), from raw rows.

    Also compares this device's chain with what the server acknowledged: entries removed
    from the end leave no gap behind them, but the server's acknowledgement still counts
    them. Needs no acting person: verifying reveals nothing.
    """
    with engine.connect() as connection:
        own = connection.execute(
            select(ProfileSetting.value).where(ProfileSetting.key == DEVICE_SETTING)
        ).scalar_one_or_none()
        acked = int(state.get(connection, ACKED_KEY) or 0)
        devices = _raw_devices(connection) | ({str(uuid.UUID(own))} if own else set())
        checks = []
        for device in sorted(devices):
            check = verify_chain(_raw_rows(connection, device))
            if own and device == str(uuid.UUID(own)) and check.intact and check.last_seq < acked:
                broken = ChainBreak(check.last_seq + 1, BreakKind.TRUNCATED)
                check = ChainCheck(check.entries, check.last_seq, check.last_hash, broken)
            checks.append(DeviceCheck(device, check))
    return checks


def _raw_devices(connection: Connection) -> set[str]:
    """Device ids present in the log (a mangled one is skipped: its chain shows the gap)."""
    devices = set()
    for value in connection.scalars(
        select(type_coerce(ACCESS_LOG.c.device_id, String())).distinct()
    ):
        try:
            devices.add(str(uuid.UUID(str(value))))
        except ValueError:
            continue
    return devices


def _raw_rows(connection: Connection, device: str) -> list[dict[str, Any]]:
    """Rows as stored, without the column types' parsing: a mangled value must not crash."""
    columns = [type_coerce(c, String()).label(c.name) for c in ACCESS_LOG.columns]
    query = (
        select(*columns)
        .where(ACCESS_LOG.c.device_id == uuid.UUID(device))
        .order_by(ACCESS_LOG.c.seq)
    )
    return [dict(row) for row in connection.execute(query).mappings()]
