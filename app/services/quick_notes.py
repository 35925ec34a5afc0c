"""Quick notes: a short contact recorded in two fields (what kind, what was said).

A phone call, a word in the corridor, a message from the family or a partner is not a
session: it is counted apart (activity report) and never edited once written, like a
session note, so it never conflicts between laptops. A correction is a new note.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy import select

from app.i18n import _
from app.models import Beneficiary, QuickNote
from app.security.permissions import Permission, require
from app.services.context import ServiceContext
from app.services.lookup import get_live
from app.services.validation import parse, require_not_future
from passerelle_core.enums import QuickNoteKind

MAX_LENGTH = 1000
"""A quick note is short: longer text belongs in a session's note."""


class _NewQuickNote(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: QuickNoteKind
    body: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_LENGTH)
    ]
    noted_on: date


def add(
    ctx: ServiceContext,
    beneficiary_id: uuid.UUID,
    kind: QuickNoteKind,
    body: str,
    *,
    noted_on: date | None = None,
) -> QuickNote:
    """A contact with or about the person, written by the actor (today by default)."""
    require(ctx, Permission.WRITE_CASE)
    noted_on = noted_on or ctx.today()
    fields = parse(_NewQuickNote, locals())
    require_not_future(ctx, fields.noted_on, "noted_on")
    with ctx.transaction() as session:
        get_live(session, Beneficiary, beneficiary_id, _("Beneficiary"))
        note = QuickNote(
            beneficiary_id=beneficiary_id,
            author_id=ctx.actor.staff_id,
            **fields.model_dump(),
        )
        session.add(note)
        return note


def list_for(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> list[QuickNote]:
    """The case's quick notes, newest first."""
    query = (
        select(QuickNote)
        .where(QuickNote.beneficiary_id == beneficiary_id)
        .order_by(QuickNote.noted_on.desc(), QuickNote.created_at.desc())
    )
    with ctx.reading() as session:
        return list(session.scalars(query))
