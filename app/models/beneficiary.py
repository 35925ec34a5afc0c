"""The person followed, their consents and their post-release outcomes."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, SyncedMixin, str_enum
from app.models.organisation import Facility, StaffMember, Team
from passerelle_core.enums import (
    CaseStatus,
    ConsentMethod,
    ConsentPurpose,
    LegalStatus,
    OutcomeCheckpoint,
    Sex,
)


class Beneficiary(SyncedMixin, Base):
    """A person in custody, on conditional release, or followed after release."""

    __tablename__ = "beneficiary"
    __table_args__ = (
        # Not unique: two laptops may register one CIN offline; sync stores both and
        # flags them as a likely duplicate for a person to merge (app.services.merge).
        Index("ix_beneficiary_cin", "cin"),
        Index("ix_beneficiary_assigned_staff_id", "assigned_staff_id"),
        Index("ix_beneficiary_facility_id", "facility_id"),
        Index("ix_beneficiary_expected_release_date", "expected_release_date"),
        # The duplicate check at registration (app.duplicates.find_matches).
        Index("ix_beneficiary_birth_date", "birth_date"),
        Index("ix_beneficiary_registration_number", "registration_number"),
        # Caseload sorted by name, and its live/closed filters, without a table scan.
        Index("ix_beneficiary_name", "last_name", "first_name", "id", "deleted_at", "case_status"),
    )

    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name_ar: Mapped[str | None] = mapped_column(String(100))
    first_name_ar: Mapped[str | None] = mapped_column(String(100))
    cin: Mapped[str | None] = mapped_column(String(20))
    registration_number: Mapped[str | None] = mapped_column(String(40))
    birth_date: Mapped[date | None]
    sex: Mapped[Sex | None] = mapped_column(str_enum(Sex))
    facility_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("facility.id"))
    legal_status: Mapped[LegalStatus] = mapped_column(
        str_enum(LegalStatus), default=LegalStatus.SENTENCED
    )
    expected_release_date: Mapped[date | None]
    actual_release_date: Mapped[date | None]
    phone: Mapped[str | None] = mapped_column(String(50))
    address: Mapped[str | None] = mapped_column(Text)
    contact_person: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    assigned_staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_member.id"))
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("team.id"))
    intake_date: Mapped[date | None]
    case_status: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus), default=CaseStatus.OPEN)
    closed_on: Mapped[date | None]
    # Set by retention (passerelle_core.erasure): the date the case's retention period ended
    # and its identity was erased; None while the case is as recorded.
    anonymised_on: Mapped[date | None]
    # Set by a merge (app.services.merge): this file is a tombstone of the kept one.
    # Plain UUID, no foreign key: the kept file may reach a laptop after this one.
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(default=None)

    facility: Mapped[Facility | None] = relationship()
    assigned_staff: Mapped[StaffMember | None] = relationship()
    team: Mapped[Team | None] = relationship()

    @property
    def display_name(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}"

    @property
    def display_name_ar(self) -> str | None:
        parts = [p for p in (self.first_name_ar, self.last_name_ar) if p]
        return " ".join(parts) or None


class ConsentRecord(SyncedMixin, Base):
    """Consent is per purpose; sharing consent names the partner it covers."""

    __tablename__ = "consent_record"

    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiary.id"), index=True)
    purpose: Mapped[ConsentPurpose] = mapped_column(str_enum(ConsentPurpose))
    partner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("partner.id"))
    given_on: Mapped[date]
    method: Mapped[ConsentMethod] = mapped_column(
        str_enum(ConsentMethod), default=ConsentMethod.WRITTEN
    )
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_member.id"))
    withdrawn_on: Mapped[date | None]
    withdrawn_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_member.id"))
    notes: Mapped[str | None] = mapped_column(Text)

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None and self.deleted_at is None


class PostReleaseOutcome(SyncedMixin, Base):
    """What is known of a person 6, 12 or 24 months after release (None = unknown)."""

    __tablename__ = "post_release_outcome"

    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiary.id"), index=True)
    checkpoint: Mapped[OutcomeCheckpoint] = mapped_column(str_enum(OutcomeCheckpoint))
    recorded_on: Mapped[date]
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_member.id"))
    in_work_or_training: Mapped[bool | None]
    housing_secured: Mapped[bool | None]
    reincarcerated: Mapped[bool | None]
    notes: Mapped[str | None] = mapped_column(Text)
