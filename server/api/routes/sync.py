"""Push and pull (docs/sync-protocol.md)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy.orm import Session

from passerelle_core.audit_protocol import ACCESS_LOG_ACK_HEADER, AccessLogUpload
from passerelle_core.policy import POLICY_TAG_HEADER, policy_tag
from passerelle_core.protocol import (
    MAX_PULL_LIMIT,
    ErrorBody,
    PullResponse,
    PushRequest,
    PushResponse,
)
from passerelle_core.push_check import CHECKED_PUSH_PATH, EPOCH_HEADER, REPLACED
from server.api.deps import CurrentDevice, PushingDevice, SessionDep, SettingsDep
from server.api.errors import error_response
from server.api.push_body import parse_push, push_bytes, push_response, request_body_schema
from server.core.settings import ServerSettings
from server.services import epoch
from server.services.audit import ChainRefused, store_upload
from server.services.devices import Caller
from server.services.errors import ServiceError
from server.services.policy import device_policy
from server.services.pull import pull
from server.services.push import Expected, WentBack, no_cycle_collection, push

router = APIRouter(prefix="/api/v1", tags=["sync"])
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 413, 422, 426)
}
DEFAULT_PULL_LIMIT = 500


@router.post(
    "/push", response_model=PushResponse, responses=ERRORS, openapi_extra=request_body_schema()
)
def push_changes(
    caller: PushingDevice,
    raw: Annotated[bytes, Depends(push_bytes)],
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """``PushResponse``; the body read in one pass (server/api/push_body.py), the cycle
    collector paused from its parse to the answer (server.services.push)."""
    with no_cycle_collection():
        body = _parsed(raw, settings)
        return push_response(PushResponse(results=push(session, caller, list(body.changes))))


def _parsed(raw: bytes, settings: ServerSettings) -> PushRequest:
    body = parse_push(raw)
    if len(body.changes) > settings.max_push_changes:
        raise ServiceError(f"at most {settings.max_push_changes} changes per push")
    return body


@router.post(
    CHECKED_PUSH_PATH.removeprefix(router.prefix),
    response_model=PushResponse,
    responses={**ERRORS, 409: {"model": ErrorBody}},
    openapi_extra=request_body_schema(),
)
def push_checked(
    caller: PushingDevice,
    raw: Annotated[bytes, Depends(push_bytes)],
    session: SessionDep,
    settings: SettingsDep,
    cursor: Annotated[int, Query(ge=0, le=2**62)],
    server_id: uuid.UUID,
) -> Response:
    """A push that first checks the server did not go back (passerelle_core.push_check):
    409 with ``X-Passerelle-Epoch`` and nothing merged if it did."""
    expected = Expected(cursor, server_id)
    with no_cycle_collection():
        body = _parsed(raw, settings)
        try:
            results = push(session, caller, list(body.changes), expected=expected)
        except WentBack as went:
            message = (
                "this is not the server this laptop knows"
                if went.kind == REPLACED
                else "this server is older than what this laptop has seen"
            )
            return error_response(409, "invalid_request", message, {EPOCH_HEADER: went.kind})
        return push_response(PushResponse(results=results))


@router.get("/pull", response_model=PullResponse, responses=ERRORS)
def pull_records(
    caller: CurrentDevice,
    session: SessionDep,
    settings: SettingsDep,
    cursor: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = DEFAULT_PULL_LIMIT,
) -> Response:
    """``PullResponse`` (the schema documents it), written without a parse/serialise pass."""
    return _page(caller, session, settings, cursor, limit, {})


async def access_log_body(request: Request) -> AccessLogUpload:
    """The body read in one pass of pydantic's parser (as server/api/push_body.py does)."""
    try:
        return AccessLogUpload.model_validate_json(await request.body())
    except ValidationError as error:
        located = [{**item, "loc": ("body", *item.get("loc", ()))} for item in error.errors()]
        raise RequestValidationError(located) from None


@router.post("/pull", response_model=PullResponse, responses=ERRORS)
def pull_with_access_log(
    caller: PushingDevice,
    upload: Annotated[AccessLogUpload, Depends(access_log_body)],
    session: SessionDep,
    settings: SettingsDep,
    cursor: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = DEFAULT_PULL_LIMIT,
) -> Response:
    """A pull page that carries the laptop's access log (issue 23: one request of a sync
    instead of two). The log is stored first, in its own transaction, exactly as
    ``POST /api/v1/access-log`` stores it; the answer's ``X-Passerelle-Access-Log-Acked``
    header says how far the chain is now held. A refused log sets no header (the laptop
    sends it alone and hears why); a device told to wipe hands in its log and is then
    answered ``wipe``, like the pull."""
    headers: dict[str, str] = {}
    try:
        headers[ACCESS_LOG_ACK_HEADER] = str(store_upload(session, caller, upload).acked_seq)
    except ChainRefused:
        pass
    if caller.device_status == "wipe":
        return error_response(401, "wipe", "this device must erase its data", headers)
    return _page(caller, session, settings, cursor, limit, headers)


def _page(
    caller: Caller,
    session: Session,
    settings: ServerSettings,
    cursor: int,
    limit: int,
    headers: dict[str, str],
) -> Response:
    page = pull(session, caller.viewer, cursor, min(limit, settings.max_pull_limit))
    known = (caller.served_cursor, caller.applied_cursor)  # as read by the authentication
    if epoch.note_pull(session, caller.device_id, cursor, page.next_cursor, known):
        page = replace(page, restored=True)
    if not page.has_more:  # the laptop's last request but the policy: spare it that one
        headers[POLICY_TAG_HEADER] = policy_tag(device_policy(session, settings, caller.user))
    return Response(page.to_json(), media_type="application/json", headers=headers)
