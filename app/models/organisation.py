"""Where the work happens and who does it: facilities, teams, staff members."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, SyncedMixin, str_enum
from passerelle_core.enums import FacilityKind, StaffRole


class Facility(SyncedMixin, Base):
    """A prison establishment or a regional office."""

    __tablename__ = "facility"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[FacilityKind] = mapped_column(str_enum(FacilityKind), default=FacilityKind.PRISON)
    region: Mapped[str | None] = mapped_column(String(100))
    city: Mapped[str | None] = mapped_column(String(100))


class Team(SyncedMixin, Base):
    __tablename__ = "team"

    name: Mapped[str] = mapped_column(String(200))
    facility_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("facility.id"))
    # Some teams require a supervisor's approval before a plan becomes active.
    requires_plan_approval: Mapped[bool] = mapped_column(default=False)

    facility: Mapped[Facility | None] = relationship()


class StaffMember(SyncedMixin, Base):
    __tablename__ = "staff_member"

    full_name: Mapped[str] = mapped_column(String(200))
    full_name_ar: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[StaffRole] = mapped_column(str_enum(StaffRole))
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("team.id"))
    username: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    active: Mapped[bool] = mapped_column(default=True)

    team: Mapped[Team | None] = relationship()
