"""Device security: the policy a laptop follows, its escrowed key, its token rotation.

Every endpoint but the administrators' acts on the calling device only (its id comes
from its token): no request can read or change another device's escrow or token. The
``/admin/devices`` endpoints answer administrators only (403 otherwise). Nothing here
returns a sealed key: unsealing is an offline administrator's command, never an endpoint.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from passerelle_core.escrow import SealedKey
from passerelle_core.policy import Policy
from passerelle_core.protocol import ErrorBody
from passerelle_core.security_messages import (
    DeviceInfo,
    DeviceList,
    DeviceStatusChange,
    EscrowReceipt,
    TokenRotation,
)
from server.api.deps import CurrentDevice, SessionDep, SettingsDep
from server.services.device_admin import change_status, device_infos, require_admin
from server.services.escrow import store_sealed_key
from server.services.policy import device_policy
from server.services.tokens import rotate_token

router = APIRouter(prefix="/api/v1", tags=["security"])
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 404, 413, 422, 426, 429)
}


@router.get("/policy", response_model=Policy, responses=ERRORS)
def policy(caller: CurrentDevice, session: SessionDep, settings: SettingsDep) -> Policy:
    return device_policy(session, settings, caller.user)


@router.put("/escrow", response_model=EscrowReceipt, responses=ERRORS)
def escrow(body: SealedKey, caller: CurrentDevice, session: SessionDep) -> EscrowReceipt:
    store_sealed_key(session, caller, body)
    return EscrowReceipt(key_id=body.key_id)


@router.post("/token/rotate", response_model=TokenRotation, responses=ERRORS)
def token_rotate(request: Request, caller: CurrentDevice, session: SessionDep) -> TokenRotation:
    presented = request.headers.get("authorization", "").partition(" ")[2].strip()
    return TokenRotation(device_token=rotate_token(session, caller, presented))


@router.get("/admin/devices", response_model=DeviceList, responses=ERRORS)
def admin_devices(caller: CurrentDevice, session: SessionDep) -> DeviceList:
    require_admin(caller)
    return DeviceList(devices=device_infos(session))


@router.post("/admin/devices/{device_id}/status", response_model=DeviceInfo, responses=ERRORS)
def admin_device_status(
    device_id: uuid.UUID, body: DeviceStatusChange, caller: CurrentDevice, session: SessionDep
) -> DeviceInfo:
    return change_status(session, caller, device_id, body.status)
