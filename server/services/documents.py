"""Document contents on the server: chunks in, chunks out, each checked against scope.

The description of a document is a ``case_document`` record, pushed like any other
(records first); only a described document takes content, and only as large as the
administrator allows. Chunks are written and read one at a time with Core statements
(never loaded into the session's identity map), and the SHA-256 the description states
is checked chunk by chunk when the last one arrives: no request holds more than one
chunk, whatever the document's size. Who may do what:

- read (status, download): whoever may pull the description (its case in their scope);
- write (upload): whoever may write documents of that case, or the account that created
  the description (its laptop may still hand the content in after the case moved to
  another team: nothing pending on a laptop is lost);
- nothing is taken once the content is complete, or for a deleted description.
"""

from __future__ import annotations

import hashlib
import uuid

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from passerelle_core.columns import utcnow
from passerelle_core.documents import CHUNK_BYTES, DocumentStatus, chunk_count
from passerelle_core.lifecycle import CREATE, write_permission
from passerelle_core.permissions import allows
from server.core.db import read_transaction, write_transaction
from server.core.tables import ChangeLog, DocumentChunk, DocumentContent, Record
from server.services.devices import Caller
from server.services.errors import ServiceError
from server.services.scope import Placement

DOCUMENT = "case_document"


class DocumentNotFound(ServiceError):
    code = "not_found"


def status(session: Session, caller: Caller, document_id: uuid.UUID) -> DocumentStatus:
    with read_transaction(session):
        record = _readable(session, caller, document_id)
        return _status(session, record)


def put_chunk(
    session: Session,
    caller: Caller,
    document_id: uuid.UUID,
    position: int,
    data: bytes,
    max_bytes: int,
) -> DocumentStatus:
    """Store one chunk; the last one completes the content once its SHA-256 matches."""
    damaged = False
    with write_transaction(session):
        record = _description(session, document_id)
        if not (_readable_by(caller, record) and _may_write(caller)) and not _author(
            session, caller, document_id
        ):
            raise DocumentNotFound("no such document")
        size = _size(record)
        if size > max_bytes:
            raise ServiceError("this document is larger than the administrator allows")
        total = chunk_count(size)
        if not 0 <= position < total:
            raise ServiceError("no such chunk")
        expected = CHUNK_BYTES if position < total - 1 else size - CHUNK_BYTES * (total - 1)
        if len(data) != expected:
            raise ServiceError("this chunk does not have the size the description states")
        content = session.get(DocumentContent, document_id)
        if content is None:
            content = DocumentContent(document_id=document_id, complete=False)
            session.add(content)
            session.flush()
        if not content.complete and not _held(session, document_id, position):
            session.execute(
                insert(DocumentChunk).values(document_id=document_id, position=position, data=data)
            )
            if _count(session, document_id) == total:
                damaged = not _complete(session, record, content)
        answer = _status(session, record)
    if damaged:  # committed: the chunks are gone, the laptop sends them all again
        raise ServiceError("the content does not match the document's SHA-256: send it again")
    return answer


def read_chunk(session: Session, caller: Caller, document_id: uuid.UUID, position: int) -> bytes:
    with read_transaction(session):
        record = _readable(session, caller, document_id)
        content = session.get(DocumentContent, document_id)
        if content is None or not content.complete:
            raise DocumentNotFound("this document's content has not reached the server yet")
        data = session.scalar(
            select(DocumentChunk.data).where(
                DocumentChunk.document_id == record.record_id, DocumentChunk.position == position
            )
        )
        if data is None:
            raise DocumentNotFound("no such chunk")
        return bytes(data)


def erase_contents(session: Session, document_ids: list[uuid.UUID]) -> None:
    """Remove the contents of these documents (retention, deletion), in the caller's
    transaction."""
    if not document_ids:
        return
    session.execute(delete(DocumentChunk).where(DocumentChunk.document_id.in_(document_ids)))
    session.execute(delete(DocumentContent).where(DocumentContent.document_id.in_(document_ids)))


def drop_deleted(session: Session) -> int:
    """Erase the contents of every deleted document (in the caller's transaction)."""
    deleted = list(
        session.scalars(
            select(Record.record_id).where(
                Record.record_type == DOCUMENT,
                Record.deleted.is_(True),
                Record.record_id.in_(select(DocumentContent.document_id)),
            )
        )
    )
    erase_contents(session, deleted)
    return len(deleted)


def _complete(session: Session, record: Record, content: DocumentContent) -> bool:
    digest = hashlib.sha256()
    for position in range(chunk_count(_size(record))):
        part = session.scalar(
            select(DocumentChunk.data).where(
                DocumentChunk.document_id == record.record_id, DocumentChunk.position == position
            )
        )
        digest.update(bytes(part or b""))
    if digest.hexdigest() != str(record.data.get("sha256", "")).lower():
        # A damaged upload: start again from nothing rather than keep a wrong content.
        session.execute(delete(DocumentChunk).where(DocumentChunk.document_id == record.record_id))
        return False
    content.complete = True
    content.received_at = utcnow()
    return True


def _status(session: Session, record: Record) -> DocumentStatus:
    size = _size(record)
    content = session.get(DocumentContent, record.record_id)
    received = list(
        session.scalars(
            select(DocumentChunk.position)
            .where(DocumentChunk.document_id == record.record_id)
            .order_by(DocumentChunk.position)
        )
    )
    return DocumentStatus(
        document_id=record.record_id,
        size=size,
        chunks=chunk_count(size),
        received=received,
        complete=bool(content is not None and content.complete),
    )


def _description(session: Session, document_id: uuid.UUID) -> Record:
    record = session.get(Record, (DOCUMENT, document_id))
    if record is None or record.deleted:
        raise DocumentNotFound("no such document")
    return record


def _readable(session: Session, caller: Caller, document_id: uuid.UUID) -> Record:
    record = _description(session, document_id)
    if not _readable_by(caller, record):
        raise DocumentNotFound("no such document")  # the same answer: nothing revealed
    return record


def _readable_by(caller: Caller, record: Record) -> bool:
    return caller.viewer.sees(Placement.of(record))


def _may_write(caller: Caller) -> bool:
    return allows(caller.viewer.role, write_permission(DOCUMENT, CREATE))


def _author(session: Session, caller: Caller, document_id: uuid.UUID) -> bool:
    """Whether the caller's account created this description (its first version)."""
    found = session.scalar(
        select(func.count())
        .select_from(ChangeLog)
        .where(
            ChangeLog.record_type == DOCUMENT,
            ChangeLog.record_id == document_id,
            ChangeLog.user_id == caller.user_id,
            ChangeLog.version == 1,
        )
    )
    return bool(found)


def _held(session: Session, document_id: uuid.UUID, position: int) -> bool:
    return (
        session.scalar(
            select(func.count())
            .select_from(DocumentChunk)
            .where(DocumentChunk.document_id == document_id, DocumentChunk.position == position)
        )
        or 0
    ) > 0


def _count(session: Session, document_id: uuid.UUID) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(DocumentChunk)
            .where(DocumentChunk.document_id == document_id)
        )
        or 0
    )


def _size(record: Record) -> int:
    value = record.data.get("size")
    return value if isinstance(value, int) and value >= 0 else 0
