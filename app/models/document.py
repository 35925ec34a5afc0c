"""Scanned documents and photos of a case file, and the transfers of a case.

A document is two things. Its description (``case_document``: type, date, note, media
type, size and SHA-256 of the content) is a synced record of the case like any other.
Its content is kept in ``document_chunk`` rows of the same encrypted database, never
in a file: the SQLCipher pages encrypt it, a profile backup carries it, and removing a
case removes it (the foreign keys cascade). Chunks are local: sync moves them through
endpoints of their own, after the records (app.sync.documents), chunk by chunk, so no
side ever holds a large document whole. ``document_content`` says whether this laptop
holds the whole content, and whether the server confirmed it has it too.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, SyncedMixin, str_enum
from passerelle_core.documents import chunk_count
from passerelle_core.enums import DocumentKind


class CaseDocument(SyncedMixin, Base):
    """A scanned document or photo of the case: its description; the content is apart."""

    __tablename__ = "case_document"

    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiary.id"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind), default=DocumentKind.OTHER)
    document_date: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(default=0)
    sha256: Mapped[str] = mapped_column(String(64))
    # A signed plan summary scanned back is attached to its plan.
    plan_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("action_plan.id"))
    added_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_member.id"))

    @property
    def chunk_count(self) -> int:
        return chunk_count(self.size)


class DocumentChunk(Base):
    """One piece of a document's content (local, encrypted with the database)."""

    __tablename__ = "document_chunk"

    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_document.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class DocumentContent(Base):
    """Where this laptop stands with a document's content (absent: none of it held)."""

    __tablename__ = "document_content"

    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_document.id", ondelete="CASCADE"), primary_key=True
    )
    complete: Mapped[bool] = mapped_column(default=False)  # every chunk held, hash checked
    uploaded: Mapped[bool] = mapped_column(default=False)  # the server holds it whole
    refused: Mapped[bool] = mapped_column(default=False)  # the server will never take it


class CaseTransfer(SyncedMixin, Base):
    """A case handed to another counsellor or team, by whom, why: the case's history."""

    __tablename__ = "case_transfer"
    __table_args__ = (Index("ix_case_transfer_to_team_id", "to_team_id"),)

    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiary.id"), index=True)
    transferred_on: Mapped[date]
    transferred_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_member.id"))
    from_staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_member.id"))
    from_team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("team.id"))
    to_staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_member.id"))
    to_team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("team.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
