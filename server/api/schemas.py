"""Responses of the server's own endpoints (the protocol's schemas live in passerelle_core)."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict

from passerelle_core.protocol import UserInfo


class MeResponse(BaseModel):
    """``GET /api/v1/me``: who this device belongs to and what state it is in."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    server_id: uuid.UUID
    device_id: uuid.UUID
    device_name: str
    device_status: str
    user: UserInfo


class HealthResponse(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    status: Literal["ok"] = "ok"
