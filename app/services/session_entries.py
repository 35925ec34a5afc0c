"""Follow-up sessions as the case file shows them: frozen read models, read in one go.

The screens hold these, never the database rows: a row read in one transaction and shown
after the next one would be detached (and lazy attributes would fail). The visibility rules
stay in :mod:`app.services.followup`: only the sessions it lists are read here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from app.models import FollowUpSession, SessionNote
from app.services import followup
from app.services.context import ServiceContext
from app.services.read_models import columns
from passerelle_core.enums import Confidentiality, SessionKind


@dataclass(frozen=True)
class NoteRevision:
    """One revision of a session's note: corrections add revisions, none is overwritten."""

    revision: int
    body: str
    author_id: uuid.UUID | None
    written_at: datetime

    @classmethod
    def of(cls, note: SessionNote) -> NoteRevision:
        return cls(**columns(cls, note))


@dataclass(frozen=True)
class SessionEntry:
    """A session with the current text of its note (None: no note written)."""

    id: uuid.UUID
    held_on: date
    kind: SessionKind
    duration_minutes: int | None
    staff_id: uuid.UUID | None
    confidentiality: Confidentiality
    topic: str | None
    voided: bool
    void_reason: str | None
    note: str | None

    @classmethod
    def of(cls, record: FollowUpSession, note: str | None) -> SessionEntry:
        return cls(**columns(cls, record, voided=record.voided_at is not None, note=note))


def entries_for(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> list[SessionEntry]:
    """The sessions the actor may see, newest first, each with its current note (one query
    for all the notes, not one per session)."""
    records = followup.list_sessions(ctx, beneficiary_id)
    if not records:
        return []
    with ctx.reading() as session:
        notes = session.scalars(
            select(SessionNote)
            .where(SessionNote.session_id.in_([record.id for record in records]))
            .order_by(SessionNote.revision)
        )
        current = {note.session_id: note.body for note in notes}  # the last revision wins
    return [SessionEntry.of(record, current.get(record.id)) for record in records]


def revisions(ctx: ServiceContext, session_id: uuid.UUID) -> list[NoteRevision]:
    """Every revision of the session's note, oldest first (NotFound if it is hidden)."""
    return [NoteRevision.of(note) for note in followup.note_history(ctx, session_id)]
