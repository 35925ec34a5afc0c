"""Document contents, chunk by chunk (docs/sync-protocol.md, "Documents").

Kept apart from push and pull: contents move after the records, through these three
endpoints, one chunk per request (never more than :data:`CHUNK_BYTES` in memory).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Path, Response

from passerelle_core.documents import CHUNK_BYTES, DocumentStatus
from passerelle_core.protocol import ErrorBody
from server.api.deps import CurrentDevice, SessionDep, SettingsDep
from server.services import documents

router = APIRouter(prefix="/api/v1/documents", tags=["documents"])
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 404, 413, 426)
}
Position = Annotated[int, Path(ge=0, le=1_000_000)]


@router.get("/{document_id}", response_model=DocumentStatus, responses=ERRORS)
def document_status(
    document_id: uuid.UUID, caller: CurrentDevice, session: SessionDep
) -> DocumentStatus:
    return documents.status(session, caller, document_id)


@router.put("/{document_id}/chunks/{position}", response_model=DocumentStatus, responses=ERRORS)
def upload_chunk(
    document_id: uuid.UUID,
    position: Position,
    body: Annotated[bytes, Body(media_type="application/octet-stream", max_length=CHUNK_BYTES)],
    caller: CurrentDevice,
    session: SessionDep,
    settings: SettingsDep,
) -> DocumentStatus:
    limit = settings.max_document_mb * 1024 * 1024
    return documents.put_chunk(session, caller, document_id, position, body, limit)


@router.get(
    "/{document_id}/chunks/{position}",
    responses={**ERRORS, 200: {"content": {"application/octet-stream": {}}}},
    response_class=Response,
)
def download_chunk(
    document_id: uuid.UUID, position: Position, caller: CurrentDevice, session: SessionDep
) -> Response:
    data = documents.read_chunk(session, caller, document_id, position)
    return Response(data, media_type="application/octet-stream")
