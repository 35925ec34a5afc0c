"""Appointments with a beneficiary and quick notes of short contacts.

An appointment is planned, then done (a session recorded it), missed, or cancelled:
attendance is an indicator. A quick note is a contact too short for a session (a phone
call, a word in the corridor, a message from the family or a partner); like session
notes it is append-only, so two laptops never conflict over one.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, SyncedMixin, str_enum
from passerelle_core.enums import AppointmentPlace, AppointmentStatus, QuickNoteKind


class Appointment(SyncedMixin, Base):
    __tablename__ = "appointment"
    # The agenda reads one staff member's (or a team's) appointments between two instants.
    __table_args__ = (Index("ix_appointment_staff_starts", "staff_id", "starts_at"),)

    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiary.id"), index=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_member.id"))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    duration_minutes: Mapped[int | None]
    place: Mapped[AppointmentPlace] = mapped_column(
        str_enum(AppointmentPlace), default=AppointmentPlace.FACILITY
    )
    purpose: Mapped[str | None] = mapped_column(Text)
    action_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("action.id"))
    status: Mapped[AppointmentStatus] = mapped_column(
        str_enum(AppointmentStatus), default=AppointmentStatus.PLANNED
    )
    # No foreign key: the session may be psychologist-only, hence absent from the
    # laptops of other roles, which must still store the appointment it closed.
    session_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    closed_on: Mapped[date | None]


class QuickNote(SyncedMixin, Base):
    """A short contact in two fields; never edited once written (a correction is a new one)."""

    __tablename__ = "quick_note"

    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiary.id"), index=True)
    kind: Mapped[QuickNoteKind] = mapped_column(str_enum(QuickNoteKind))
    body: Mapped[str] = mapped_column(Text)
    noted_on: Mapped[date] = mapped_column(index=True)
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_member.id"))
