"""Follow-up sessions and their append-only notes.

A psychologist-only session is hidden from every other role. Reading one as another
role raises NotFound, not NotAllowed: the answer must not even reveal that such a
session exists. A note is never overwritten: a correction is a new revision.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import Beneficiary, FollowUpSession, SessionNote
from app.security.permissions import Permission, may, require
from app.services.appointments import close_for_session
from app.services.context import ServiceContext
from app.services.errors import NotFound
from app.services.lookup import get_live
from app.services.validation import (
    OptionalText,
    Text,
    fail,
    parse,
    require_not_future,
    validate,
)
from passerelle_core.enums import Confidentiality, SessionKind


class _NewSession(BaseModel):
    # Not an InputModel: a blank date, kind or duration is an error here, not "no value".
    model_config = ConfigDict(extra="forbid")

    held_on: date
    kind: SessionKind
    duration_minutes: Annotated[int, Field(ge=1, le=600)] | None = None
    confidentiality: Confidentiality
    topic: OptionalText = None
    note: OptionalText = None


class _Revision(BaseModel):
    body: Text


def record_session(
    ctx: ServiceContext,
    beneficiary_id: uuid.UUID,
    *,
    held_on: date,
    kind: SessionKind = SessionKind.INDIVIDUAL,
    duration_minutes: int | None = None,
    confidentiality: Confidentiality = Confidentiality.STANDARD,
    topic: str | None = None,
    note: str | None = None,
) -> FollowUpSession:
    """A session held by the acting staff member, with the first revision of its note.
    Refused without a topic and a note: an untouched form is not a session."""
    fields = parse(_NewSession, locals())
    require_not_future(ctx, fields.held_on, "held_on")
    if fields.confidentiality is Confidentiality.PSYCHOLOGIST_ONLY:
        require(ctx, Permission.WRITE_RESTRICTED_NOTES)
    require_topic_or_note(fields.topic, fields.note)
    with ctx.transaction() as session:
        get_live(session, Beneficiary, beneficiary_id, _("Beneficiary"))
        record = FollowUpSession(
            beneficiary_id=beneficiary_id,
            staff_id=ctx.actor.staff_id,
            **fields.model_dump(exclude={"note"}),
        )
        session.add(record)
        session.flush()
        if fields.note is not None:
            session.add(_note(ctx, record.id, 1, fields.note))
        # Recording the session closes the person's appointment of that day.
        close_for_session(session, beneficiary_id, record.id, fields.held_on)
        return record


def revise_note(ctx: ServiceContext, session_id: uuid.UUID, body: str) -> SessionNote:
    """Append a revision; earlier revisions stay as they were written (never edited)."""
    require(ctx, Permission.REVISE_NOTE)
    text = validate(_Revision, {"body": body}).body
    with ctx.transaction() as session:
        _visible_session(ctx, session, session_id)
        # Soft-deleted revisions keep their number: the (session, revision) pair is unique.
        latest = session.scalar(
            select(func.max(SessionNote.revision)).where(SessionNote.session_id == session_id)
        )
        note = _note(ctx, session_id, (latest or 0) + 1, text)
        session.add(note)
        return note


def current_note(ctx: ServiceContext, session_id: uuid.UUID) -> SessionNote | None:
    """The latest revision: the text as it stands."""
    history = note_history(ctx, session_id)
    return history[-1] if history else None


def note_history(ctx: ServiceContext, session_id: uuid.UUID) -> list[SessionNote]:
    """Every revision of the session's note, oldest first."""
    with ctx.reading() as session:
        _visible_session(ctx, session, session_id)
        query = (
            select(SessionNote)
            .where(SessionNote.session_id == session_id)
            .order_by(SessionNote.revision)
        )
        return list(session.scalars(query))


def get_session(ctx: ServiceContext, session_id: uuid.UUID) -> FollowUpSession:
    with ctx.reading() as session:
        return _visible_session(ctx, session, session_id)


def list_sessions(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> list[FollowUpSession]:
    """The sessions the actor may see, newest first."""
    with ctx.reading() as session:
        query = select(FollowUpSession).where(
            FollowUpSession.beneficiary_id == beneficiary_id,
        )
        if not _may_read_all(ctx):
            query = query.where(
                FollowUpSession.confidentiality != Confidentiality.PSYCHOLOGIST_ONLY
            )
        order = (FollowUpSession.held_on.desc(), FollowUpSession.created_at.desc())
        return list(session.scalars(query.order_by(*order)))


def require_topic_or_note(topic: str | None, note: str | None) -> None:
    """An untouched session form is not a session; the forms check it before saving and
    ``record_session`` refuses it (sessions synced from older laptops may still be bare)."""
    if not (topic or "").strip() and not (note or "").strip():
        fail("topic", _("Give the topic of the session or write its note."))


def same_day(
    ctx: ServiceContext, beneficiary_id: uuid.UUID, held_on: date
) -> list[FollowUpSession]:
    """Sessions already recorded for the case on that day (not voided): a second one is
    more often a double entry than a second interview, so the form asks."""
    return [
        record
        for record in list_sessions(ctx, beneficiary_id)
        if record.held_on == held_on and record.voided_at is None
    ]


def visible_session(
    ctx: ServiceContext, session: Session, session_id: uuid.UUID
) -> FollowUpSession:
    """The session, or NotFound when it does not exist or is hidden from the actor."""
    return _visible_session(ctx, session, session_id)


def _may_read_all(ctx: ServiceContext) -> bool:
    return may(ctx, Permission.READ_RESTRICTED_NOTES)


def _visible_session(
    ctx: ServiceContext, session: Session, session_id: uuid.UUID
) -> FollowUpSession:
    record = get_live(session, FollowUpSession, session_id, _("Session"))
    if record.confidentiality is Confidentiality.PSYCHOLOGIST_ONLY and not _may_read_all(ctx):
        raise NotFound(_("Session"))
    return record


def _note(ctx: ServiceContext, session_id: uuid.UUID, revision: int, body: str) -> SessionNote:
    return SessionNote(
        session_id=session_id, revision=revision, body=body, author_id=ctx.actor.staff_id
    )
