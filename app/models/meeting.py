"""Coordination meetings with prison management, probation and social protection bodies."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, SyncedMixin, str_enum
from passerelle_core.enums import DecisionStatus


class CoordinationMeeting(SyncedMixin, Base):
    __tablename__ = "coordination_meeting"

    held_on: Mapped[date] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(200))
    facility_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("facility.id"))
    agenda: Mapped[str | None] = mapped_column(Text)
    minutes: Mapped[str | None] = mapped_column(Text)
    organiser_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_member.id"))

    participants: Mapped[list[MeetingParticipant]] = relationship(back_populates="meeting")
    decisions: Mapped[list[MeetingDecision]] = relationship(back_populates="meeting")


class MeetingParticipant(SyncedMixin, Base):
    """A colleague (staff_id) or an outside participant (name and organisation)."""

    __tablename__ = "meeting_participant"

    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("coordination_meeting.id"), index=True)
    staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_member.id"))
    full_name: Mapped[str | None] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(200))

    meeting: Mapped[CoordinationMeeting] = relationship(back_populates="participants")


class MeetingDecision(SyncedMixin, Base):
    __tablename__ = "meeting_decision"

    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("coordination_meeting.id"), index=True)
    beneficiary_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("beneficiary.id"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    responsible_staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_member.id"))
    due_date: Mapped[date | None]
    status: Mapped[DecisionStatus] = mapped_column(
        str_enum(DecisionStatus), default=DecisionStatus.OPEN
    )

    meeting: Mapped[CoordinationMeeting] = relationship(back_populates="decisions")
