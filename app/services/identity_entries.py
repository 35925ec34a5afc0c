"""A person's identity as the case file shows and edits it: a frozen read model.

The identity tab holds this, never the database row: the edit compares what is typed with
the values it started from, and those must not change under it (a row read in one
transaction and shown after the next is detached and may be refreshed or expired).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from app.models import Beneficiary
from app.services import beneficiaries
from app.services.context import ServiceContext
from app.services.read_models import columns
from passerelle_core.enums import CaseStatus, LegalStatus, Sex


@dataclass(frozen=True)
class IdentityEntry:
    """The identity fields (named as the service's ``update`` takes them) and the case's
    state (closed, erased)."""

    id: uuid.UUID
    last_name: str
    first_name: str
    last_name_ar: str | None
    first_name_ar: str | None
    cin: str | None
    registration_number: str | None
    birth_date: date | None
    sex: Sex | None
    facility_id: uuid.UUID | None
    legal_status: LegalStatus
    assigned_staff_id: uuid.UUID | None
    intake_date: date | None
    expected_release_date: date | None
    actual_release_date: date | None
    phone: str | None
    address: str | None
    contact_person: str | None
    contact_phone: str | None
    case_status: CaseStatus
    closed_on: date | None
    anonymised_on: date | None

    @classmethod
    def of(cls, person: Beneficiary) -> IdentityEntry:
        return cls(**columns(cls, person))


def identity(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> IdentityEntry:
    """The person's identity now (NotFound as :func:`beneficiaries.get`)."""
    return IdentityEntry.of(beneficiaries.get(ctx, beneficiary_id))
