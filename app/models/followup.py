"""Follow-up sessions and their notes.

Notes are append-only: a correction is a new revision, never an overwrite, so two
laptops can never conflict over a note and nothing a colleague wrote is lost.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, SyncedMixin, str_enum, utcnow
from app.models.voiding import VoidableMixin
from passerelle_core.enums import Confidentiality, SessionKind


class FollowUpSession(VoidableMixin, SyncedMixin, Base):
    __tablename__ = "follow_up_session"

    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiary.id"), index=True)
    held_on: Mapped[date] = mapped_column(index=True)
    kind: Mapped[SessionKind] = mapped_column(str_enum(SessionKind), default=SessionKind.INDIVIDUAL)
    duration_minutes: Mapped[int | None]
    staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_member.id"), index=True)
    confidentiality: Mapped[Confidentiality] = mapped_column(
        str_enum(Confidentiality), default=Confidentiality.STANDARD
    )
    topic: Mapped[str | None] = mapped_column(Text)


class SessionNote(SyncedMixin, Base):
    """One revision of a session's note; the highest revision is the current text."""

    __tablename__ = "session_note"
    __table_args__ = (UniqueConstraint("session_id", "revision"),)

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("follow_up_session.id"), index=True)
    revision: Mapped[int] = mapped_column(default=1)
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_member.id"))
    written_at: Mapped[datetime] = mapped_column(default=utcnow)
