"""Partner organisations, their contacts and services, and referrals to them."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, SyncedMixin, str_enum
from app.models.voiding import VoidableMixin
from passerelle_core.enums import PartnerKind, ReferralStatus


class Partner(SyncedMixin, Base):
    __tablename__ = "partner"

    name: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[PartnerKind] = mapped_column(str_enum(PartnerKind), default=PartnerKind.NGO)
    city: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)

    contacts: Mapped[list[PartnerContact]] = relationship(back_populates="partner")
    services: Mapped[list[PartnerService]] = relationship(back_populates="partner")


class PartnerContact(SyncedMixin, Base):
    __tablename__ = "partner_contact"

    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(200))

    partner: Mapped[Partner] = relationship(back_populates="contacts")


class PartnerService(SyncedMixin, Base):
    """What a partner offers, linked to the need domain it answers."""

    __tablename__ = "partner_service"

    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    domain_id: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text)

    partner: Mapped[Partner] = relationship(back_populates="services")


class Referral(VoidableMixin, SyncedMixin, Base):
    """A referral works on paper too: its reference is printed on the referral slip."""

    __tablename__ = "referral"
    __table_args__ = (Index("ix_referral_referred_by_id", "referred_by_id", "status"),)

    reference: Mapped[str] = mapped_column(String(40), unique=True)
    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiary.id"), index=True)
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner.id"), index=True)
    service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("partner_service.id"))
    action_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("action.id"))
    referred_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_member.id"))
    sent_on: Mapped[date]
    status: Mapped[ReferralStatus] = mapped_column(
        str_enum(ReferralStatus), default=ReferralStatus.SENT
    )
    status_changed_on: Mapped[date | None]
    reason: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)
