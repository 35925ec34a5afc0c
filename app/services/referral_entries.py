"""Referrals as the case file lists them: frozen read models.

The referrals tab holds these, never the database rows (a row read in one transaction and
shown after the next is detached). The partner directory it refers to is
:func:`app.services.partners.directory` (``PartnerEntry``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from app.models import Referral
from app.services import referrals
from app.services.context import ServiceContext
from app.services.read_models import columns
from passerelle_core.enums import ReferralStatus


@dataclass(frozen=True)
class ReferralEntry:
    """One referral: to whom, for what, and what the partner or the person reported."""

    id: uuid.UUID
    reference: str
    partner_id: uuid.UUID
    service_id: uuid.UUID | None
    action_id: uuid.UUID | None
    sent_on: date
    status: ReferralStatus
    status_changed_on: date | None
    reason: str | None
    outcome: str | None
    void_reason: str | None
    voided: bool

    @classmethod
    def of(cls, referral: Referral) -> ReferralEntry:
        return cls(**columns(cls, referral, voided=referral.voided_at is not None))

    @property
    def may_move(self) -> bool:
        """Not cancelled, and a status may still follow (``referrals.TRANSITIONS``)."""
        return not self.voided and bool(referrals.TRANSITIONS[self.status])


def entries_for(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> list[ReferralEntry]:
    """The beneficiary's referrals, newest first."""
    return [
        ReferralEntry.of(referral)
        for referral in referrals.list_for_beneficiary(ctx, beneficiary_id)
    ]
