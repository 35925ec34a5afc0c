"""Coordination meetings with prison management, probation and social protection bodies.

What matters afterwards is the decisions: each may concern one beneficiary and name a
responsible colleague, so a case file can list the meetings that decided about it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import StringConstraints
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.i18n import N_, _
from app.models import (
    Beneficiary,
    CoordinationMeeting,
    Facility,
    MeetingDecision,
    MeetingParticipant,
    StaffMember,
)
from app.models.base import SyncedMixin
from app.services.context import ServiceContext
from app.services.errors import FieldError, NotFound, ValidationFailed
from app.services.lookup import get_live
from app.services.validation import InputModel, Text, parse, require_not_future, validate
from passerelle_core.enums import DecisionStatus

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
_UNKNOWN: dict[type[SyncedMixin], str] = {
    Beneficiary: N_("Unknown beneficiary."),
    Facility: N_("Unknown facility."),
    StaffMember: N_("Unknown staff member."),
}


class _Outside(InputModel):
    full_name: Name
    organisation: Name | None = None


class _Decision(InputModel):
    text: Text
    beneficiary_id: uuid.UUID | None = None
    responsible_staff_id: uuid.UUID | None = None
    due_date: date | None = None


class _Meeting(InputModel):
    held_on: date
    title: Name
    facility_id: uuid.UUID | None = None
    agenda: str | None = None
    minutes: str | None = None
    participant_staff_ids: list[uuid.UUID] = []
    outside_participants: list[_Outside] = []
    decisions: list[_Decision] = []


class _DecisionStatus(InputModel):
    status: DecisionStatus


def record_meeting(
    ctx: ServiceContext,
    *,
    held_on: date,
    title: str,
    facility_id: uuid.UUID | None = None,
    agenda: str | None = None,
    minutes: str | None = None,
    participant_staff_ids: Iterable[uuid.UUID] = (),
    outside_participants: Iterable[tuple[str, str | None]] = (),
    decisions: Iterable[Mapping[str, Any]] = (),
) -> CoordinationMeeting:
    """A meeting held, organised by the actor, with who attended and what was decided."""
    listed = {
        "participant_staff_ids": list(participant_staff_ids),
        "outside_participants": [_as_outside(entry) for entry in outside_participants],
        "decisions": [dict(decision) for decision in decisions],
    }
    fields = parse(_Meeting, locals() | listed)
    require_not_future(ctx, fields.held_on, "held_on")
    staff_ids = list(dict.fromkeys(fields.participant_staff_ids))  # each colleague once
    with ctx.transaction() as session:
        _check_refs(session, Facility, {"facility_id": fields.facility_id})
        staff = enumerate(fields.participant_staff_ids)
        _check_refs(session, StaffMember, {f"participant_staff_ids.{i}": s for i, s in staff})
        for index, decision in enumerate(fields.decisions):
            _check_decision(session, decision, prefix=f"decisions.{index}.")
        participants = [MeetingParticipant(staff_id=staff_id) for staff_id in staff_ids]
        participants += [MeetingParticipant(**o.model_dump()) for o in fields.outside_participants]
        meeting = CoordinationMeeting(
            organiser_id=ctx.actor.staff_id,
            participants=participants,
            decisions=[MeetingDecision(**decision.model_dump()) for decision in fields.decisions],
            **fields.model_dump(include={"held_on", "title", "facility_id", "agenda", "minutes"}),
        )
        session.add(meeting)
        session.flush()
        return meeting


def add_decision(
    ctx: ServiceContext,
    meeting_id: uuid.UUID,
    *,
    text: str,
    beneficiary_id: uuid.UUID | None = None,
    responsible_staff_id: uuid.UUID | None = None,
    due_date: date | None = None,
) -> MeetingDecision:
    """A decision recorded after the meeting (minutes are often typed up later)."""
    decision_fields = parse(_Decision, locals())
    with ctx.transaction() as session:
        meeting = _load(session, meeting_id)
        _check_decision(session, decision_fields, prefix="")
        decision = MeetingDecision(meeting=meeting, **decision_fields.model_dump())
        session.add(decision)
        session.flush()
        return decision


def set_decision_status(
    ctx: ServiceContext, decision_id: uuid.UUID, status: DecisionStatus
) -> MeetingDecision:
    new_status = validate(_DecisionStatus, {"status": status}).status
    with ctx.transaction() as session:
        decision = get_live(session, MeetingDecision, decision_id, _("Decision"))
        set_committed_value(decision, "meeting", _load(session, decision.meeting_id))
        decision.status = new_status
        return decision


def get_meeting(ctx: ServiceContext, meeting_id: uuid.UUID) -> CoordinationMeeting:
    """The meeting with its participants and decisions."""
    with ctx.reading() as session:
        return _load(session, meeting_id)


def list_meetings(
    ctx: ServiceContext, *, beneficiary_id: uuid.UUID | None = None
) -> list[CoordinationMeeting]:
    """Meetings newest first; with a beneficiary, only those that decided about them."""
    with ctx.reading() as session:
        query = _meetings()
        if beneficiary_id is not None:
            about = select(MeetingDecision.meeting_id).where(
                MeetingDecision.beneficiary_id == beneficiary_id,
            )
            query = query.where(CoordinationMeeting.id.in_(about))
        order = (CoordinationMeeting.held_on.desc(), CoordinationMeeting.created_at.desc())
        return list(session.scalars(query.order_by(*order)))


@dataclass(frozen=True)
class ParticipantEntry:
    """Who attended, as the meetings page shows it (a read model, not the record)."""

    staff_id: uuid.UUID | None
    full_name: str | None
    organisation: str | None


@dataclass(frozen=True)
class DecisionEntry:
    id: uuid.UUID
    meeting_id: uuid.UUID
    text: str
    beneficiary_id: uuid.UUID | None
    responsible_staff_id: uuid.UUID | None
    due_date: date | None
    status: DecisionStatus


@dataclass(frozen=True)
class MeetingEntry:
    """A meeting with its live participants and decisions, frozen for the screens."""

    id: uuid.UUID
    held_on: date
    title: str
    facility_id: uuid.UUID | None
    organiser_id: uuid.UUID | None
    agenda: str | None
    minutes: str | None
    participants: tuple[ParticipantEntry, ...]
    decisions: tuple[DecisionEntry, ...]


def meeting_entries(ctx: ServiceContext) -> list[MeetingEntry]:
    """Every meeting, newest first, as read models (what the meetings page lists)."""
    return [
        MeetingEntry(
            id=m.id,
            held_on=m.held_on,
            title=m.title,
            facility_id=m.facility_id,
            organiser_id=m.organiser_id,
            agenda=m.agenda,
            minutes=m.minutes,
            participants=tuple(
                ParticipantEntry(p.staff_id, p.full_name, p.organisation) for p in m.participants
            ),
            decisions=tuple(
                DecisionEntry(
                    d.id,
                    d.meeting_id,
                    d.text,
                    d.beneficiary_id,
                    d.responsible_staff_id,
                    d.due_date,
                    d.status,
                )
                for d in m.decisions
            ),
        )
        for m in list_meetings(ctx)
    ]


def _meetings() -> Select[CoordinationMeeting]:
    """Live meetings with their live participants and decisions, readable once detached."""
    participants = CoordinationMeeting.participants.and_(MeetingParticipant.deleted_at.is_(None))
    decisions = CoordinationMeeting.decisions.and_(MeetingDecision.deleted_at.is_(None))
    return select(CoordinationMeeting).options(selectinload(participants), selectinload(decisions))


def _load(session: Session, meeting_id: uuid.UUID) -> CoordinationMeeting:
    meeting = session.scalar(_meetings().where(CoordinationMeeting.id == meeting_id))
    if meeting is None:
        raise NotFound(_("Meeting"))
    return meeting


def _as_outside(entry: Any) -> Any:
    """Outside participants come as (full name, organisation) pairs."""
    if isinstance(entry, Mapping):
        return dict(entry)
    full_name, organisation = entry
    return {"full_name": full_name, "organisation": organisation}


def _check_decision(session: Session, decision: _Decision, *, prefix: str) -> None:
    _check_refs(session, Beneficiary, {f"{prefix}beneficiary_id": decision.beneficiary_id})
    staff = {f"{prefix}responsible_staff_id": decision.responsible_staff_id}
    _check_refs(session, StaffMember, staff)


def _check_refs(
    session: Session, model: type[SyncedMixin], refs: Mapping[str, uuid.UUID | None]
) -> None:
    """Every given id (by field name) must name a live record of the model."""
    errors = []
    for field, record_id in refs.items():
        if record_id is None:
            continue
        record = session.get(model, record_id)
        if record is None or record.deleted_at is not None:
            errors.append(FieldError(field, _(_UNKNOWN[model])))
    if errors:
        raise ValidationFailed(errors)
