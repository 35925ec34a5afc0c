"""Document contents at each sync: sent and received chunk by chunk, after the records.

Runs once records are exchanged (:func:`app.sync.engine.sync`), so a large scan never
delays the records of other cases. Every chunk is its own request and, received, its
own short transaction: an interrupted sync (the server stopped, the network gone, the
person cancelling) keeps what arrived, and the next one asks the server which chunks
it holds and sends or fetches only the others. Neither side ever holds more than one
chunk of a document in memory (passerelle_core.documents).

- Upload: contents complete here and not yet confirmed by the server, whose description
  the server already has (not waiting in the outbox). A content the server will never
  take (the description is gone or was refused) is marked ``refused`` and left alone.
- Download: live descriptions without their content here, once the server holds it
  whole; the SHA-256 the description states is checked chunk by chunk at the end (a
  mismatch starts that document again from nothing).
- Contents of deleted documents are erased here at each sync.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from dataclasses import dataclass

from sqlalchemy import Connection, Table, delete, insert, select, update

from app.models import CaseDocument, DocumentChunk, DocumentContent
from app.store import writelock
from app.store.overwrite import overwriting
from app.store.profile import Profile
from app.sync.client import SyncClient
from app.sync.errors import ProtocolError, ResponseRefused, ServerUnavailable, Throttled
from app.sync.state import OUTBOX, model_table
from passerelle_core.documents import DOCUMENTS_PATH, DocumentStatus, chunk_count

DOCUMENTS = model_table(CaseDocument)
CHUNKS: Table = DocumentChunk.__table__  # type: ignore[assignment]
CONTENTS: Table = DocumentContent.__table__  # type: ignore[assignment]
GONE = (400, 403, 404, 409, 413)
"""Answers that no retry changes for this document (not found, refused, too large)."""


@dataclass
class DocumentOutcome:
    sent: int = 0  # documents whose content the server now holds whole
    received: int = 0  # documents whose content arrived here whole
    waiting: int = 0  # described here, content not yet on the server (its laptop sends it)
    interrupted: bool = False  # stopped mid-way (server gone, cancelled): resumes next time


class _Stop(Exception):
    """The transfer stops here (cancelled); what arrived is kept."""


Look = tuple[bool, bool, bool]
"""Whether there are contents to erase, to send, to fetch (:func:`look`)."""


def look(connection: Connection) -> Look:
    """Whether each of the three lists has anything, in the caller's transaction: the
    sync's pull asks it in its last page's transaction (no transaction of its own)."""
    to_drop, any_upload, any_download = connection.execute(_ANY_WORK).one()
    return bool(to_drop), bool(any_upload), bool(any_download)


def exchange(
    profile: Profile,
    client: SyncClient,
    cancel: threading.Event | None = None,
    looked: Look | None = None,
) -> DocumentOutcome:
    """Send what the server lacks, then fetch what this laptop lacks. ``looked``: what
    :func:`look` said once every record was in (None: look here)."""
    outcome = DocumentOutcome()
    if looked is not None and not any(looked):
        return outcome  # the usual sync: nothing to do, nothing read
    with writelock.reading(profile.engine).connect() as connection:  # no write lock to look
        to_drop, any_upload, any_download = looked or look(connection)
        uploads = _to_upload(connection) if any_upload else []
        downloads = _to_download(connection) if any_download else []
    if to_drop:
        with profile.engine.begin() as connection:
            drop_deleted(connection)
    try:
        for document_id in uploads:
            _upload(profile, client, document_id, outcome, cancel)
        for document_id, size, sha256 in downloads:
            _download(profile, client, document_id, size, sha256, outcome, cancel)
    except (ServerUnavailable, Throttled, ResponseRefused, _Stop):
        outcome.interrupted = True
    return outcome


def pending_upload_cases(connection: Connection) -> set[uuid.UUID]:
    """Cases with a content still to send: they stay on the laptop until it is sent."""
    return set(
        connection.execute(
            select(DOCUMENTS.c.beneficiary_id)
            .join(CONTENTS, CONTENTS.c.document_id == DOCUMENTS.c.id)
            .where(
                CONTENTS.c.complete.is_(True),
                CONTENTS.c.uploaded.is_(False),
                CONTENTS.c.refused.is_(False),
                DOCUMENTS.c.deleted_at.is_(None),
            )
        ).scalars()
    )


_DELETED_CONTENT = (
    select(CONTENTS.c.document_id)
    .join(DOCUMENTS, DOCUMENTS.c.id == CONTENTS.c.document_id)
    .where(DOCUMENTS.c.deleted_at.is_not(None))
    .limit(1)
)
"""A content held here whose document is deleted (every chunk has its content row): read
from the contents held here, not from every description."""


def drop_deleted(connection: Connection) -> None:
    """Erase the contents of documents deleted here or elsewhere."""
    deleted = select(DOCUMENTS.c.id).where(DOCUMENTS.c.deleted_at.is_not(None))
    if (
        connection.execute(
            select(CHUNKS.c.document_id).where(CHUNKS.c.document_id.in_(deleted)).limit(1)
        ).first()
        is None
    ):
        return
    with overwriting(connection):
        connection.execute(delete(CHUNKS).where(CHUNKS.c.document_id.in_(deleted)))
        connection.execute(delete(CONTENTS).where(CONTENTS.c.document_id.in_(deleted)))


# -- upload ---------------------------------------------------------------------------------


_TO_UPLOAD = (
    select(CONTENTS.c.document_id)
    .join(DOCUMENTS, DOCUMENTS.c.id == CONTENTS.c.document_id)
    .where(
        CONTENTS.c.complete.is_(True),
        CONTENTS.c.uploaded.is_(False),
        CONTENTS.c.refused.is_(False),
        DOCUMENTS.c.deleted_at.is_(None),
        DOCUMENTS.c.id.not_in(
            select(OUTBOX.c.record_id).where(OUTBOX.c.record_type == DOCUMENTS.name)
        ),
    )
    .order_by(DOCUMENTS.c.created_at)
)


def _to_upload(connection: Connection) -> list[uuid.UUID]:
    return list(connection.execute(_TO_UPLOAD).scalars())


def _upload(
    profile: Profile,
    client: SyncClient,
    document_id: uuid.UUID,
    outcome: DocumentOutcome,
    cancel: threading.Event | None,
) -> None:
    base = f"{DOCUMENTS_PATH}/{document_id}"
    try:
        status = client.call("GET", base, DocumentStatus)
        held = set(status.received)
        for position in range(status.chunks):
            if status.complete:
                break
            if position in held:
                continue
            _check(cancel)
            status = client.put_bytes(
                f"{base}/chunks/{position}", _local_chunk(profile, document_id, position),
                DocumentStatus,
            )  # fmt: skip
    except ProtocolError as error:
        if error.status in GONE:
            _mark(profile, document_id, refused=True)
            return
        raise
    if status.complete:
        _mark(profile, document_id, uploaded=True)
        outcome.sent += 1


def _local_chunk(profile: Profile, document_id: uuid.UUID, position: int) -> bytes:
    with writelock.reading(profile.engine).connect() as connection:
        data = connection.execute(
            select(CHUNKS.c.data).where(
                CHUNKS.c.document_id == document_id, CHUNKS.c.position == position
            )
        ).scalar_one()
    return bytes(data)


def _mark(profile: Profile, document_id: uuid.UUID, **values: bool) -> None:
    with profile.engine.begin() as connection:
        connection.execute(
            update(CONTENTS).where(CONTENTS.c.document_id == document_id).values(**values)
        )


# -- download -------------------------------------------------------------------------------


_TO_DOWNLOAD = (
    select(DOCUMENTS.c.id, DOCUMENTS.c.size, DOCUMENTS.c.sha256)
    .where(
        DOCUMENTS.c.deleted_at.is_(None),
        DOCUMENTS.c.id.not_in(select(CONTENTS.c.document_id).where(CONTENTS.c.complete.is_(True))),
    )
    .order_by(DOCUMENTS.c.created_at)
)


_ANY_WORK = select(
    _DELETED_CONTENT.exists(),
    _TO_UPLOAD.order_by(None).exists(),
    _TO_DOWNLOAD.order_by(None).exists(),
)
"""Whether each of the three lists has anything, in one statement: at most syncs none
has, and the lists are read only when one does."""


def _to_download(connection: Connection) -> list[tuple[uuid.UUID, int, str]]:
    rows = connection.execute(_TO_DOWNLOAD).all()
    return [(row.id, int(row.size), str(row.sha256)) for row in rows]


def _download(
    profile: Profile,
    client: SyncClient,
    document_id: uuid.UUID,
    size: int,
    sha256: str,
    outcome: DocumentOutcome,
    cancel: threading.Event | None,
) -> None:
    base = f"{DOCUMENTS_PATH}/{document_id}"
    try:
        status = client.call("GET", base, DocumentStatus)
    except ProtocolError as error:
        if error.status in GONE:
            return  # not (or no longer) ours to read: the description tells the person
        raise
    if not status.complete:
        outcome.waiting += 1
        return
    total = chunk_count(size)
    held = _held_positions(profile, document_id)
    for position in range(total):
        if position in held:
            continue
        _check(cancel)
        try:
            data = client.get_bytes(f"{base}/chunks/{position}")
        except ProtocolError as error:
            if error.status in GONE:
                return
            raise
        with profile.engine.begin() as connection:
            _ensure_content(connection, document_id)
            connection.execute(
                insert(CHUNKS).values(document_id=document_id, position=position, data=data)
            )
        del data
    with profile.engine.begin() as connection:
        _ensure_content(connection, document_id)
        if _local_digest(connection, document_id, total) == sha256:
            connection.execute(
                update(CONTENTS)
                .where(CONTENTS.c.document_id == document_id)
                .values(complete=True, uploaded=True)
            )
            outcome.received += 1
        else:  # damaged on the way: start again next time
            connection.execute(delete(CHUNKS).where(CHUNKS.c.document_id == document_id))


def _held_positions(profile: Profile, document_id: uuid.UUID) -> set[int]:
    with writelock.reading(profile.engine).connect() as connection:
        return set(
            connection.execute(
                select(CHUNKS.c.position).where(CHUNKS.c.document_id == document_id)
            ).scalars()
        )


def _ensure_content(connection: Connection, document_id: uuid.UUID) -> None:
    exists = connection.execute(
        select(CONTENTS.c.document_id).where(CONTENTS.c.document_id == document_id)
    ).first()
    if exists is None:
        connection.execute(
            insert(CONTENTS).values(
                document_id=document_id, complete=False, uploaded=False, refused=False
            )
        )


def _local_digest(connection: Connection, document_id: uuid.UUID, total: int) -> str:
    digest = hashlib.sha256()
    for position in range(total):
        data = connection.execute(
            select(CHUNKS.c.data).where(
                CHUNKS.c.document_id == document_id, CHUNKS.c.position == position
            )
        ).scalar_one_or_none()
        if data is None:
            return ""
        digest.update(data)
    return digest.hexdigest()


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise _Stop()
