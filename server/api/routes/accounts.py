"""Enrolling a device and asking who it belongs to."""

from __future__ import annotations

from fastapi import APIRouter, Request

from passerelle_core.protocol import EnrolRequest, EnrolResponse, ErrorBody
from server.api.deps import (
    CurrentDevice,
    PasswordsDep,
    SessionDep,
    SettingsDep,
    UnpinnedSessionDep,
)
from server.api.schemas import MeResponse
from server.core.db import read_transaction
from server.services.devices import enrol
from server.services.sequence import committed_high_water
from server.services.throttle import ThrottlePolicy

router = APIRouter(prefix="/api/v1", tags=["accounts"])
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 422, 426, 429)
}


@router.post("/enrol", response_model=EnrolResponse, responses=ERRORS)
def enrol_device(
    body: EnrolRequest,
    request: Request,
    session: UnpinnedSessionDep,  # Argon2 runs between its transactions
    settings: SettingsDep,
    passwords: PasswordsDep,
) -> EnrolResponse:
    policy = ThrottlePolicy(
        per_user=settings.login_failures_per_user,
        per_address=settings.login_failures_per_address,
        window_seconds=settings.login_window_seconds,
        backoff_seconds=settings.login_address_backoff_seconds,
    )
    address = request.client.host if request.client else "unknown"
    return enrol(session, body, address, policy, passwords)


@router.get("/me", response_model=MeResponse, responses=ERRORS)
def me(caller: CurrentDevice, session: SessionDep) -> MeResponse:
    with read_transaction(session):
        _high, server_id = committed_high_water(session)
    return MeResponse(
        server_id=server_id,
        device_id=caller.device_id,
        device_name=caller.device_name,
        device_status=caller.device_status,
        user=caller.user,
    )
