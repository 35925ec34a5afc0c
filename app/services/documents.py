"""Documents of a case file: scanned papers and photos, kept encrypted in the profile.

A document is attached from a file the person chose: its type is told by its content
(PDF, JPEG or PNG; a renamed file is refused), its size is checked against the
administrator's limit, and its content is copied into the encrypted database in
chunks (:class:`app.models.DocumentChunk`), never into a file of ours. Reading it back
for the viewer stays in memory; writing it out (``extract``) is an export, written only
where the person asked and recorded in the access log. The signed plan summary, scanned
back, is attached to its plan.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

import filetype
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from app.i18n import _
from app.labels import label
from app.models import ActionPlan, Beneficiary, CaseDocument, DocumentChunk, DocumentContent
from app.models.audit import AccessAction
from app.models.base import utcnow
from app.security.permissions import Permission, require
from app.services import audit
from app.services.context import ServiceContext
from app.services.errors import NotFound, ServiceError
from app.services.lookup import get_live
from app.services.read_models import columns
from app.store.overwrite import overwriting
from app.sync.policy import read_policy
from passerelle_core.documents import CHUNK_BYTES, MEDIA_TYPES
from passerelle_core.enums import DocumentKind

RECORD_TYPE = "case_document"
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
FORMAT_NAMES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
HEAD_BYTES = 8192  # enough for every signature filetype reads


class DocumentRefused(ServiceError):
    """A file that cannot be attached (type, size, unreadable): one line saying why."""


class ContentMissing(ServiceError):
    """The document is described here but its content has not arrived yet (next sync)."""


@dataclass(frozen=True)
class DocumentRow:
    """A document as lists show it: its description and whether its content is here."""

    document: CaseDocument
    held: bool

    @property
    def id(self) -> uuid.UUID:
        return self.document.id


@dataclass(frozen=True)
class DocumentEntry:
    """A document as the case file shows it, read whole: the screen holds no database row."""

    id: uuid.UUID
    kind: DocumentKind
    document_date: date | None
    note: str | None
    media_type: str
    size: int
    held: bool

    @classmethod
    def of(cls, row: DocumentRow) -> DocumentEntry:
        return cls(**columns(cls, row.document, held=row.held))


def kind_label(kind: DocumentKind) -> str:
    """What the document is, for people (app.labels names every stored value)."""
    return label(kind)


def media_type_of(head: bytes) -> str | None:
    """PDF, JPEG or PNG from the first bytes of the content; None for anything else."""
    guessed = filetype.guess(head)
    mime = getattr(guessed, "mime", None)
    return mime if mime in MEDIA_TYPES else None


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return _("{size} MB").format(size=f"{size / (1024 * 1024):.1f}")
    return _("{size} KB").format(size=max(1, round(size / 1024)))


def attach(
    ctx: ServiceContext,
    beneficiary_id: uuid.UUID,
    source: Path,
    kind: DocumentKind,
    document_date: date | None = None,
    note: str | None = None,
    plan_id: uuid.UUID | None = None,
) -> CaseDocument:
    """Copy ``source`` into the profile as a document of the case (one transaction).

    A signed plan without a plan named is attached to the case's current plan.
    """
    require(ctx, Permission.WRITE_CASE)
    size, digest, media_type = _examine(Path(source), _limit(ctx))
    note = (note or "").strip() or None
    with ctx.transaction() as session:
        get_live(session, Beneficiary, beneficiary_id, _("Beneficiary"))
        if kind is DocumentKind.SIGNED_PLAN and plan_id is None:
            plan_id = _current_plan(session, beneficiary_id)
        if plan_id is not None:
            plan = get_live(session, ActionPlan, plan_id, _("Action plan"))
            if plan.beneficiary_id != beneficiary_id:
                raise NotFound(_("Action plan"))
        document = CaseDocument(
            beneficiary_id=beneficiary_id,
            kind=kind,
            document_date=document_date,
            note=note,
            media_type=media_type,
            size=size,
            sha256=digest,
            plan_id=plan_id,
            added_by_id=ctx.actor.staff_id,
        )
        session.add(document)
        session.flush()
        with open(source, "rb") as handle:
            copied = _store_chunks(session, document.id, handle)
        if copied != digest:
            raise DocumentRefused(_("The file changed while it was being attached: try again."))
        session.add(DocumentContent(document_id=document.id, complete=True, uploaded=False))
        return document


def list_for(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> list[DocumentRow]:
    """The case's documents, the most recent first, saying which are held here."""
    with ctx.reading() as session:
        documents = list(
            session.scalars(
                select(CaseDocument)
                .where(
                    CaseDocument.beneficiary_id == beneficiary_id,
                )
                .order_by(CaseDocument.created_at.desc())
            )
        )
        held = set(
            session.scalars(
                select(DocumentContent.document_id).where(
                    DocumentContent.document_id.in_([d.id for d in documents]),
                    DocumentContent.complete.is_(True),
                )
            )
        )
    return [DocumentRow(document, document.id in held) for document in documents]


def entries_for(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> list[DocumentEntry]:
    """:func:`list_for` as read models, for the screens."""
    return [DocumentEntry.of(row) for row in list_for(ctx, beneficiary_id)]


def get(ctx: ServiceContext, document_id: uuid.UUID) -> CaseDocument:
    with ctx.reading() as session:
        return get_live(session, CaseDocument, document_id, _("Document"))


def for_plan(ctx: ServiceContext, plan_id: uuid.UUID) -> list[CaseDocument]:
    """The signed copies attached to a plan."""
    with ctx.reading() as session:
        return list(session.scalars(select(CaseDocument).where(CaseDocument.plan_id == plan_id)))


def read(ctx: ServiceContext, document_id: uuid.UUID) -> bytes:
    """The whole content, in memory, for the viewer (recorded in the access log)."""
    with ctx.reading() as session:
        document = get_live(session, CaseDocument, document_id, _("Document"))
        _require_content(session, document_id)
        data = b"".join(_chunks(session, document_id))
    if hashlib.sha256(data).hexdigest() != document.sha256:
        raise ServiceError(_("This document is damaged on this laptop."))
    audit.record_access(ctx, AccessAction.VIEW, RECORD_TYPE, document_id)
    return data


def extract(ctx: ServiceContext, document_id: uuid.UUID, out: Path) -> Path:
    """Write the content to ``out`` (whole or not at all): it leaves the encrypted store."""
    with ctx.reading() as session:
        get_live(session, CaseDocument, document_id, _("Document"))
        _require_content(session, document_id)
        _write_whole(Path(out), _chunks(session, document_id))
    audit.record_access(ctx, AccessAction.EXPORT, RECORD_TYPE, document_id)
    return Path(out)


def delete_document(ctx: ServiceContext, document_id: uuid.UUID) -> None:
    """Delete the document everywhere (a soft deletion that syncs); its content at once."""
    require(ctx, Permission.WRITE_CASE)
    with ctx.transaction() as session:
        document = get_live(session, CaseDocument, document_id, _("Document"))
        document.deleted_at = utcnow()
        session.flush()
        erase_contents(session, [document_id])


def erase_contents(session: Session, document_ids: list[uuid.UUID]) -> None:
    """Remove the contents of these documents, overwritten on disk (retention, deletion)."""
    if not document_ids:
        return
    connection = session.connection()
    with overwriting(connection):
        connection.execute(delete(DocumentChunk).where(DocumentChunk.document_id.in_(document_ids)))
        connection.execute(
            delete(DocumentContent).where(DocumentContent.document_id.in_(document_ids))
        )


def default_file_name(document: CaseDocument | DocumentEntry) -> str:
    """A name for a copy written out: no personal data in it."""
    extension = EXTENSIONS.get(document.media_type, "")
    return f"document-{document.id.hex[:8]}{extension}"


# -- content -------------------------------------------------------------------------------


def _write_whole(out: Path, parts: Iterator[bytes]) -> None:
    """Write ``out`` whole or not at all: a temporary name in its own folder, then renamed
    (never the system's temporary folder: the copy stays where the person asked)."""
    handle, name = tempfile.mkstemp(prefix=".passerelle-", suffix=".part", dir=out.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as written:
            for part in parts:
                written.write(part)
            written.flush()
            os.fsync(written.fileno())
        os.replace(temporary, out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _limit(ctx: ServiceContext) -> int:
    with ctx.reading() as session:
        return read_policy(session.connection()).max_document_bytes


def _examine(source: Path, limit: int) -> tuple[int, str, str]:
    """(size, SHA-256, media type) of the file, read once in chunks; refused if unfit."""
    try:
        size = source.stat().st_size
    except OSError:
        raise DocumentRefused(_("The file cannot be read.")) from None
    if not source.is_file():
        raise DocumentRefused(_("The file cannot be read."))
    if size > limit:
        raise DocumentRefused(
            _("This file is larger than the {limit} the administration allows.").format(
                limit=size_text(limit)
            )
        )
    if size == 0:
        raise DocumentRefused(_("The file is empty."))
    digest = hashlib.sha256()
    with open(source, "rb") as handle:
        head = handle.read(HEAD_BYTES)
        digest.update(head)
        for part in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(part)
    media_type = media_type_of(head)
    if media_type is None:
        raise DocumentRefused(
            _("Only PDF documents and JPEG or PNG images can be attached (whatever the file name).")
        )
    return size, digest.hexdigest(), media_type


def _store_chunks(session: Session, document_id: uuid.UUID, handle: BinaryIO) -> str:
    """Copy the file into chunk rows (Core: nothing kept in the session); its SHA-256."""
    digest = hashlib.sha256()
    connection = session.connection()
    for position, part in enumerate(iter(lambda: handle.read(CHUNK_BYTES), b"")):
        digest.update(part)
        connection.execute(
            insert(DocumentChunk).values(document_id=document_id, position=position, data=part)
        )
    return digest.hexdigest()


def _chunks(session: Session, document_id: uuid.UUID) -> Iterator[bytes]:
    """The content's chunks in order, one at a time."""
    connection = session.connection()
    position = 0
    while True:
        part = connection.execute(
            select(DocumentChunk.data).where(
                DocumentChunk.document_id == document_id, DocumentChunk.position == position
            )
        ).scalar_one_or_none()
        if part is None:
            return
        yield bytes(part)
        position += 1


def _require_content(session: Session, document_id: uuid.UUID) -> None:
    content = session.get(DocumentContent, document_id)
    if content is None or not content.complete:
        raise ContentMissing(
            _("This document has not reached this laptop yet: it will arrive with the next sync.")
        )


def _current_plan(session: Session, beneficiary_id: uuid.UUID) -> uuid.UUID | None:
    return session.scalar(
        select(ActionPlan.id)
        .where(ActionPlan.beneficiary_id == beneficiary_id)
        .order_by(ActionPlan.created_at.desc())
        .limit(1)
    )
