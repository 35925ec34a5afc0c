"""Registering and updating beneficiaries."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from datetime import date
from typing import Annotated, Any

from pydantic import ConfigDict, StringConstraints, field_validator, model_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import Appointment, Beneficiary, Facility, StaffMember
from app.models.base import utcnow
from app.security.permissions import Permission, require
from app.services.context import ServiceContext
from app.services.errors import FieldError, ValidationFailed
from app.services.lookup import get_live
from app.services.validation import InputModel, fail, provided, validate
from passerelle_core.enums import AppointmentStatus, CaseStatus, LegalStatus, Sex

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
OptionalName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None
CIN_PATTERN = re.compile(r"^[A-Z]{1,2}[0-9]{1,8}$")


class BeneficiaryFields(InputModel):
    """Everything a counsellor may set on a beneficiary (all optional: used for updates)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    last_name: Name | None = None
    first_name: Name | None = None
    last_name_ar: OptionalName = None
    first_name_ar: OptionalName = None
    cin: str | None = None
    registration_number: Annotated[str, StringConstraints(max_length=40)] | None = None
    birth_date: date | None = None
    sex: Sex | None = None
    facility_id: uuid.UUID | None = None
    legal_status: LegalStatus | None = None
    expected_release_date: date | None = None
    actual_release_date: date | None = None
    phone: Annotated[str, StringConstraints(max_length=50)] | None = None
    address: str | None = None
    contact_person: Annotated[str, StringConstraints(max_length=200)] | None = None
    contact_phone: Annotated[str, StringConstraints(max_length=50)] | None = None
    assigned_staff_id: uuid.UUID | None = None
    intake_date: date | None = None

    @field_validator("cin")
    @classmethod
    def _normalise_cin(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        cin = value.strip().upper().replace(" ", "")
        if not CIN_PATTERN.match(cin):
            raise ValueError(_("A CIN is one or two letters followed by digits (e.g. AB123456)."))
        return cin

    @field_validator("birth_date")
    @classmethod
    def _plausible_birth_date(cls, value: date | None) -> date | None:
        if value is not None and not date(1900, 1, 1) <= value <= date.today():
            raise ValueError(_("The birth date is not plausible."))
        return value


class NewBeneficiary(BeneficiaryFields):
    last_name: Name
    first_name: Name

    @model_validator(mode="after")
    def _release_after_birth(self) -> NewBeneficiary:
        if self.birth_date and self.expected_release_date:
            if self.expected_release_date < self.birth_date:
                raise ValueError(_("The release date is before the birth date."))
        return self


def register(
    ctx: ServiceContext,
    data: Mapping[str, Any],
    *,
    also: Callable[[Session, Beneficiary], None] | None = None,
) -> Beneficiary:
    """A new beneficiary, assigned to the acting staff member and team unless said otherwise.

    ``also`` writes more in the same transaction (the reason for saving despite likely
    duplicates, :mod:`app.services.registration_check`).
    """
    require(ctx, Permission.WRITE_CASE)
    fields = validate(NewBeneficiary, data)
    with ctx.transaction() as session:
        values = fields.model_dump(exclude_none=True)
        values.setdefault("assigned_staff_id", ctx.actor.staff_id)
        values.setdefault("intake_date", ctx.today())
        _check_references(session, values)
        _check_unique_cin(session, values.get("cin"), None)
        beneficiary = Beneficiary(team_id=ctx.actor.team_id, **values)
        session.add(beneficiary)
        session.flush()
        if also is not None:
            also(session, beneficiary)
            session.flush()
        return beneficiary


def update(
    ctx: ServiceContext, beneficiary_id: uuid.UUID, changes: Mapping[str, Any]
) -> Beneficiary:
    """Change only the given fields; a field set to None or "" is cleared."""
    require(ctx, Permission.WRITE_CASE)
    values = provided(
        BeneficiaryFields, changes, required=("last_name", "first_name", "legal_status")
    )
    with ctx.transaction() as session:
        beneficiary = _get_live(session, beneficiary_id)
        _check_references(session, values)
        if "cin" in values:
            _check_unique_cin(session, values["cin"], beneficiary.id)
        for name, value in values.items():
            setattr(beneficiary, name, value)
        return beneficiary


def get(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> Beneficiary:
    with ctx.reading() as session:
        return _get_live(session, beneficiary_id)


def arabic_names(ctx: ServiceContext, beneficiary_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The Arabic spelling (first name then surname) of those who have one, for lists
    that put Arabic names first in the Arabic interface."""
    found: dict[uuid.UUID, str] = {}
    B = Beneficiary
    with ctx.reading() as session:
        for start in range(0, len(beneficiary_ids), 500):
            chunk = beneficiary_ids[start : start + 500]
            query = select(B.id, B.first_name_ar, B.last_name_ar).where(B.id.in_(chunk))
            for person_id, first, last in session.execute(query):
                name = " ".join(part for part in (first, last) if part)
                if name:
                    found[person_id] = name
    return found


def find_by_cin(session: Session, cin: str) -> Beneficiary | None:
    return session.scalar(select(Beneficiary).where(Beneficiary.cin == cin))


def close_case(
    ctx: ServiceContext, beneficiary_id: uuid.UUID, closed_on: date | None = None
) -> Beneficiary:
    """Closing starts the retention period of the case (see ``app.services.retention``)
    and calls off its planned appointments: nobody is expected any more, and a closed
    case takes no planned appointment (the server refuses one)."""
    require(ctx, Permission.CLOSE_CASE)
    with ctx.transaction() as session:
        beneficiary = _get_live(session, beneficiary_id)
        beneficiary.case_status = CaseStatus.CLOSED
        beneficiary.closed_on = closed_on or ctx.today()
        planned = select(Appointment).where(
            Appointment.beneficiary_id == beneficiary_id,
            Appointment.status == AppointmentStatus.PLANNED,
        )
        for appointment in session.scalars(planned):
            appointment.status = AppointmentStatus.CANCELLED
        return beneficiary


def delete(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> None:
    """Soft delete: the deletion travels through sync and can be reviewed."""
    require(ctx, Permission.DELETE_CASE)
    with ctx.transaction() as session:
        beneficiary = _get_live(session, beneficiary_id)
        beneficiary.deleted_at = utcnow()


def count(ctx: ServiceContext) -> int:
    with ctx.reading() as session:
        query = select(func.count()).select_from(Beneficiary)
        return session.scalar(query) or 0


def _get_live(session: Session, beneficiary_id: uuid.UUID) -> Beneficiary:
    return get_live(session, Beneficiary, beneficiary_id, _("Beneficiary"))


def _check_references(session: Session, values: Mapping[str, Any]) -> None:
    errors = []
    facility_id = values.get("facility_id")
    if facility_id is not None and session.get(Facility, facility_id) is None:
        errors.append(FieldError("facility_id", _("Unknown facility.")))
    staff_id = values.get("assigned_staff_id")
    if staff_id is not None and session.get(StaffMember, staff_id) is None:
        errors.append(FieldError("assigned_staff_id", _("Unknown staff member.")))
    if errors:
        raise ValidationFailed(errors)


def _check_unique_cin(session: Session, cin: str | None, own_id: uuid.UUID | None) -> None:
    if cin is None:
        return
    existing = find_by_cin(session, cin)
    if existing is not None and existing.id != own_id:
        fail("cin", _("Another beneficiary already has this CIN."))
