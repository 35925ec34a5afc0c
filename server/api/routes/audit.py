"""``POST /api/v1/access-log``: a laptop hands in its access log (docs/sync-protocol.md)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from passerelle_core.audit_protocol import ACCESS_LOG_PATH, AccessLogAck, AccessLogUpload
from passerelle_core.protocol import ErrorBody
from server.api.deps import PushingDevice, SessionDep
from server.api.errors import error_response
from server.services.audit import ChainRefused, store_upload

router = APIRouter(tags=["access log"])
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 409, 413, 422, 426)
}


@router.post(ACCESS_LOG_PATH, response_model=AccessLogAck, responses=ERRORS)
def upload_access_log(
    body: AccessLogUpload, caller: PushingDevice, session: SessionDep
) -> AccessLogAck | JSONResponse:
    """Store the entries that continue the chain held here; 409 if they do not.

    A device told to wipe may still hand in its log, like its pending changes.
    """
    try:
        return store_upload(session, caller, body)
    except ChainRefused as refusal:
        return error_response(409, "invalid_request", refusal.message)
