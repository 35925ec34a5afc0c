"""Replies of the device-security endpoints (shared by the client and the server).

``GET /api/v1/policy`` answers a :class:`app.sync.policy.Policy`; ``PUT /api/v1/escrow``
takes an :class:`app.store.escrow.SealedKey`; these are the others, with the
administrators' device list (revocation and remote wipe from the desktop client).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from passerelle_core.protocol import Message


class EscrowReceipt(Message):
    """The sealed key was stored for this device, for the recovery key ``key_id``."""

    key_id: str


class TokenRotation(Message):
    """``POST /api/v1/token/rotate``: the device's new token.

    The token it replaces stays valid until this one is first used, so a reply lost on
    the way never locks the laptop out.
    """

    device_token: str = Field(min_length=20)


DeviceStatus = Literal["active", "revoked", "wipe", "stolen"]


class DeviceInfo(Message):
    """One enrolled laptop, as administrators see it (no token, no key)."""

    device_id: uuid.UUID
    device_name: str
    username: str
    full_name: str
    status: DeviceStatus
    enrolled_at: datetime
    last_seen_at: datetime | None
    escrowed: bool  # its database key is escrowed for the current recovery key


class DeviceList(Message):
    """``GET /api/v1/admin/devices`` (administrators only)."""

    devices: list[DeviceInfo]


class DeviceStatusChange(Message):
    """``POST /api/v1/admin/devices/{device_id}/status`` (administrators only).

    ``revoked``: refused from now on; ``wipe``: may hand in its pending work, then erases
    itself; ``stolen``: nothing accepted, erases itself; ``active``: allowed again.
    """

    status: DeviceStatus
