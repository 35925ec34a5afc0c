"""Consents as the case file shows and checks them: frozen read models.

The identity tab's consent panel, the assessment tab (may an assessment start?) and the
referral form (is this partner covered?) hold these, never the database rows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from app.models import ConsentRecord
from app.services import consent
from app.services.context import ServiceContext
from app.services.read_models import columns
from passerelle_core.enums import ConsentMethod, ConsentPurpose


@dataclass(frozen=True)
class ConsentEntry:
    """One consent: to what (and which partner), how, and whether it was withdrawn."""

    id: uuid.UUID
    purpose: ConsentPurpose
    partner_id: uuid.UUID | None
    given_on: date
    method: ConsentMethod
    withdrawn_on: date | None
    notes: str | None
    is_active: bool

    @classmethod
    def of(cls, record: ConsentRecord) -> ConsentEntry:
        return cls(**columns(cls, record))


def entries_for(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> list[ConsentEntry]:
    """The person's consents, oldest first."""
    return [ConsentEntry.of(record) for record in consent.list_for(ctx, beneficiary_id)]


def has_active(entries: list[ConsentEntry], purpose: ConsentPurpose) -> bool:
    return any(entry.purpose is purpose and entry.is_active for entry in entries)
