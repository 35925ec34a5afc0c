"""Appointments: planned with a beneficiary, then done, missed or cancelled.

An appointment is made from a session ("next appointment"), a plan action or the
agenda. Recording a session closes the beneficiary's appointment of that day (planned,
or marked missed by someone who then saw the person after all). One still planned
after its end is *proposed* as missed (``overdue``): only a person marks it missed,
because a session may simply not have been typed in yet. Times are stored as UTC
instants and read in the laptop's local time zone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import Action, ActionPlan, Appointment, Beneficiary, Goal, StaffMember
from app.models.base import utcnow
from app.security.permissions import Permission, require
from app.services.context import ServiceContext
from app.services.lookup import get_live
from app.services.validation import OptionalText, fail, parse
from passerelle_core.enums import AppointmentPlace, AppointmentStatus, CaseStatus

DEFAULT_MINUTES = 45
"""An appointment without a stated length lasts this long (agenda, calendar export)."""
OPEN = (AppointmentStatus.PLANNED,)
CLOSABLE_BY_SESSION = (AppointmentStatus.PLANNED, AppointmentStatus.MISSED)


class _NewAppointment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    starts_at: datetime
    place: AppointmentPlace
    purpose: OptionalText = None
    duration_minutes: Annotated[int, Field(ge=5, le=600)] | None = None


@dataclass(frozen=True)
class AgendaEntry:
    """One appointment as the agenda and the worklist show it."""

    id: uuid.UUID
    beneficiary_id: uuid.UUID
    beneficiary_name: str
    case_reference: str
    staff_id: uuid.UUID
    staff_name: str
    starts_at: datetime  # local time
    ends_at: datetime
    place: AppointmentPlace
    purpose: str | None
    status: AppointmentStatus
    overdue: bool  # still planned after its end: proposed as missed


def case_reference(beneficiary_id: uuid.UUID) -> str:
    """A case's short number, shown where a name must not go (calendars)."""
    return beneficiary_id.hex[:8].upper()


def local_instant(day: date, at: time) -> datetime:
    """The aware instant of a wall-clock time on the laptop (its time zone's rules)."""
    return datetime.combine(day, at).astimezone()


def make_appointment(
    ctx: ServiceContext,
    beneficiary_id: uuid.UUID,
    *,
    starts_at: datetime,
    place: AppointmentPlace = AppointmentPlace.FACILITY,
    purpose: str | None = None,
    duration_minutes: int | None = None,
    action_id: uuid.UUID | None = None,
    staff_id: uuid.UUID | None = None,
) -> Appointment:
    """An appointment of ``staff_id`` (the actor by default) with the beneficiary."""
    require(ctx, Permission.WRITE_CASE)
    fields = parse(_NewAppointment, locals())
    if fields.starts_at.tzinfo is None:
        fail("starts_at", _("Give the time of the appointment."))
    with ctx.transaction() as session:
        person = get_live(session, Beneficiary, beneficiary_id, _("Beneficiary"))
        if person.case_status is CaseStatus.CLOSED:
            fail("beneficiary", _("The case is closed: no appointment can be made."))
        owner = staff_id or ctx.actor.staff_id
        get_live(session, StaffMember, owner, _("Staff member"))
        if action_id is not None:
            _check_action(session, action_id, beneficiary_id)
        record = Appointment(
            beneficiary_id=beneficiary_id,
            staff_id=owner,
            action_id=action_id,
            starts_at=fields.starts_at.astimezone(UTC),
            place=fields.place,
            purpose=fields.purpose,
            duration_minutes=fields.duration_minutes,
        )
        session.add(record)
        return record


def mark_missed(ctx: ServiceContext, appointment_id: uuid.UUID) -> Appointment:
    """The person did not come: counted in the attendance rate."""
    return _close(ctx, appointment_id, AppointmentStatus.MISSED)


def cancel(ctx: ServiceContext, appointment_id: uuid.UUID) -> Appointment:
    """Called off beforehand: counted neither as attended nor as missed."""
    return _close(ctx, appointment_id, AppointmentStatus.CANCELLED)


def _close(
    ctx: ServiceContext, appointment_id: uuid.UUID, status: AppointmentStatus
) -> Appointment:
    require(ctx, Permission.WRITE_CASE)
    with ctx.transaction() as session:
        record = get_live(session, Appointment, appointment_id, _("Appointment"))
        if record.status is not AppointmentStatus.PLANNED:
            fail("status", _("This appointment is no longer planned."))
        record.status = status
        record.closed_on = ctx.today()
        return record


def close_for_session(
    session: Session, beneficiary_id: uuid.UUID, session_id: uuid.UUID, held_on: date
) -> Appointment | None:
    """Inside the session's transaction: its appointment of that day becomes done."""
    query = select(Appointment).where(
        Appointment.beneficiary_id == beneficiary_id,
        Appointment.status.in_(CLOSABLE_BY_SESSION),
    )
    for record in session.scalars(query.order_by(Appointment.starts_at)):
        if record.starts_at.astimezone().date() == held_on:
            record.status = AppointmentStatus.DONE
            record.session_id = session_id
            record.closed_on = held_on
            return record
    return None


def list_for(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> list[AgendaEntry]:
    """The case's appointments, latest first (the case file's list)."""
    query = _entries().where(Appointment.beneficiary_id == beneficiary_id)
    with ctx.reading() as session:
        entries = _read(session, query)
    return sorted(entries, key=lambda entry: entry.starts_at, reverse=True)


def agenda(
    ctx: ServiceContext, first: date, last: date, *, team: bool = False
) -> list[AgendaEntry]:
    """Appointments from ``first`` to ``last`` (local days, inclusive), in time order.

    The actor's own; with ``team`` (supervisors), those of every case of their team
    and of its members.
    """
    start = local_instant(first, time.min)
    end = local_instant(last + timedelta(days=1), time.min)
    query = _entries().where(Appointment.starts_at >= start, Appointment.starts_at < end)
    if team:
        require(ctx, Permission.READ_TEAM_AGENDA)
        members = select(StaffMember.id).where(StaffMember.team_id == ctx.actor.team_id)
        query = query.where(
            (Beneficiary.team_id == ctx.actor.team_id) | Appointment.staff_id.in_(members)
        )
    else:
        query = query.where(Appointment.staff_id == ctx.actor.staff_id)
    with ctx.reading() as session:
        return _read(session, query.order_by(Appointment.starts_at))


def due(ctx: ServiceContext, horizon: date) -> list[AgendaEntry]:
    """The actor's planned appointments up to ``horizon``, overdue ones included."""
    end = local_instant(horizon + timedelta(days=1), time.min)
    query = _entries().where(
        Appointment.staff_id == ctx.actor.staff_id,
        Appointment.status == AppointmentStatus.PLANNED,
        Appointment.starts_at < end,
        Beneficiary.case_status == CaseStatus.OPEN,
    )
    with ctx.reading() as session:
        return _read(session, query.order_by(Appointment.starts_at))


def get(ctx: ServiceContext, appointment_id: uuid.UUID) -> Appointment:
    with ctx.reading() as session:
        return get_live(session, Appointment, appointment_id, _("Appointment"))


def _check_action(session: Session, action_id: uuid.UUID, beneficiary_id: uuid.UUID) -> None:
    owner = session.scalar(
        select(ActionPlan.beneficiary_id)
        .join(Goal, Goal.plan_id == ActionPlan.id)
        .join(Action, Action.goal_id == Goal.id)
        .where(Action.id == action_id)
    )
    if owner != beneficiary_id:
        fail("action_id", _("This action belongs to another case."))


def _entries() -> Select[Appointment, str, str, str]:
    return (
        select(Appointment, Beneficiary.last_name, Beneficiary.first_name, StaffMember.full_name)
        .join(Beneficiary, Beneficiary.id == Appointment.beneficiary_id)
        .join(StaffMember, StaffMember.id == Appointment.staff_id)
    )


def _read(session: Session, query: Select[Appointment, str, str, str]) -> list[AgendaEntry]:
    now = utcnow()
    entries = []
    for record, last_name, first_name, staff_name in session.execute(query):
        starts = record.starts_at.astimezone()
        ends = starts + timedelta(minutes=record.duration_minutes or DEFAULT_MINUTES)
        entries.append(
            AgendaEntry(
                record.id,
                record.beneficiary_id,
                f"{last_name.upper()} {first_name}",
                case_reference(record.beneficiary_id),
                record.staff_id,
                staff_name,
                starts,
                ends,
                record.place,
                record.purpose,
                record.status,
                record.status is AppointmentStatus.PLANNED and ends < now,
            )
        )
    return entries


def bookable_cases(ctx: ServiceContext, limit: int = 1000) -> list[tuple[uuid.UUID, str]]:
    """Open cases the actor follows (assigned, else of their team), by name: the agenda's
    choice when an appointment is made there rather than from a case file."""
    query = (
        select(Beneficiary.id, Beneficiary.last_name, Beneficiary.first_name)
        .where(Beneficiary.case_status == CaseStatus.OPEN)
        .order_by(
            (Beneficiary.assigned_staff_id != ctx.actor.staff_id),
            Beneficiary.last_name,
            Beneficiary.first_name,
        )
        .limit(limit)
    )
    mine = Beneficiary.assigned_staff_id == ctx.actor.staff_id
    if ctx.actor.team_id is not None:
        mine = mine | (Beneficiary.team_id == ctx.actor.team_id)
    with ctx.reading() as session:
        rows = session.execute(query.where(mine)).all()
    return [(row[0], f"{row[1].upper()} {row[2]}") for row in rows]
