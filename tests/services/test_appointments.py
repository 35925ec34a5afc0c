"""Appointments, quick notes and the reassessment schedule, through the services."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from app.indicators import Scope
from app.reports.calendar import write_calendar
from app.services import (
    appointments,
    assessments,
    beneficiaries,
    consent,
    followup,
    quick_notes,
    reassessment,
    worklist,
)
from app.services.context import ServiceContext
from app.services.errors import NotAllowed, ValidationFailed
from app.services.worklist import WorkKind
from passerelle_core.enums import (
    AppointmentPlace,
    AppointmentStatus,
    AssessmentStage,
    ConsentPurpose,
    LegalStatus,
    QuickNoteKind,
    StaffRole,
)

Colleague = Callable[[StaffRole], ServiceContext]


def _person(ctx: ServiceContext, last_name: str = "Alaoui", **fields: object) -> uuid.UUID:
    data = {"last_name": last_name, "first_name": "Said", "assigned_staff_id": ctx.actor.staff_id}
    return beneficiaries.register(ctx, {**data, **fields}).id


def _at(day: date, hour: int) -> datetime:
    return appointments.local_instant(day, time(hour, 0))


def test_a_session_closes_the_appointment_of_its_day(ctx: ServiceContext) -> None:
    person = _person(ctx)
    today = ctx.today()
    made = appointments.make_appointment(
        ctx, person, starts_at=_at(today, 0), purpose="Suivi logement"
    )
    other_day = appointments.make_appointment(ctx, person, starts_at=_at(today + timedelta(1), 9))
    session = followup.record_session(ctx, person, held_on=today, topic="Logement")
    closed = appointments.get(ctx, made.id)
    assert closed.status is AppointmentStatus.DONE
    assert closed.session_id == session.id
    assert appointments.get(ctx, other_day.id).status is AppointmentStatus.PLANNED


def test_missed_then_seen_the_same_day(ctx: ServiceContext) -> None:
    person = _person(ctx)
    made = appointments.make_appointment(ctx, person, starts_at=_at(ctx.today(), 0))
    assert appointments.mark_missed(ctx, made.id).status is AppointmentStatus.MISSED
    with pytest.raises(ValidationFailed):
        appointments.cancel(ctx, made.id)
    followup.record_session(ctx, person, held_on=ctx.today(), topic="Venu en retard")
    assert appointments.get(ctx, made.id).status is AppointmentStatus.DONE


def test_agenda_own_and_team(ctx: ServiceContext, colleague: Colleague) -> None:
    person = _person(ctx)
    today = ctx.today()
    appointments.make_appointment(
        ctx, person, starts_at=_at(today, 10), place=AppointmentPlace.OFFICE
    )
    mate = colleague(StaffRole.SOCIAL_WORKER)
    appointments.make_appointment(mate, person, starts_at=_at(today, 11))
    own = appointments.agenda(ctx, today, today)
    assert [entry.starts_at.hour for entry in own] == [10]
    with pytest.raises(NotAllowed):
        appointments.agenda(ctx, today, today, team=True)
    boss = colleague(StaffRole.SUPERVISOR)
    assert [e.starts_at.hour for e in appointments.agenda(boss, today, today, team=True)] == [
        10,
        11,
    ]


def test_worklist_lists_due_and_overdue_appointments(ctx: ServiceContext) -> None:
    person = _person(ctx)
    past = datetime.now(UTC) - timedelta(hours=3)
    late = appointments.make_appointment(ctx, person, starts_at=past, duration_minutes=30)
    soon = appointments.make_appointment(ctx, person, starts_at=_at(ctx.today() + timedelta(2), 9))
    items = {i.record_id: i for i in worklist.worklist(ctx) if i.kind is WorkKind.APPOINTMENT}
    assert items[late.id].overdue and not items[soon.id].overdue
    appointments.mark_missed(ctx, late.id)
    items = {i.record_id: i for i in worklist.worklist(ctx) if i.kind is WorkKind.APPOINTMENT}
    assert set(items) == {soon.id}


def test_quick_notes_are_short_and_dated(ctx: ServiceContext) -> None:
    person = _person(ctx)
    quick_notes.add(ctx, person, QuickNoteKind.PHONE, "La mère a appelé : il a trouvé un stage.")
    with pytest.raises(ValidationFailed):
        quick_notes.add(ctx, person, QuickNoteKind.CORRIDOR, "  ")
    with pytest.raises(ValidationFailed):
        quick_notes.add(ctx, person, QuickNoteKind.CORRIDOR, "x" * 1001)
    [note] = quick_notes.list_for(ctx, person)
    assert note.kind is QuickNoteKind.PHONE and note.noted_on == ctx.today()


def test_schedule_dates() -> None:
    plan = reassessment.schedule()
    assert plan is not None
    intake = date(2026, 1, 10)
    assert reassessment.next_due(
        plan, intake=intake, latest=None, expected_release=None, released=False
    ) == (date(2026, 2, 9), reassessment.DueReason.FIRST)
    assert reassessment.next_due(
        plan, intake=intake, latest=date(2026, 8, 31), expected_release=None, released=False
    ) == (date(2027, 2, 28), reassessment.DueReason.PERIODIC)
    assert reassessment.next_due(
        plan,
        intake=intake,
        latest=date(2026, 3, 1),
        expected_release=date(2026, 5, 1),
        released=False,
    ) == (date(2026, 5, 1), reassessment.DueReason.RELEASE)


def test_assessments_due_in_the_worklist(ctx: ServiceContext) -> None:
    today = ctx.today()
    fresh = _person(ctx, "Fresh", intake_date=today)
    late = _person(ctx, "Late", intake_date=today - timedelta(days=40))
    done = _person(ctx, "Done", intake_date=today - timedelta(days=40))
    consent.record(ctx, done, ConsentPurpose.ASSESSMENT)
    assessments.record(ctx, done, assessed_on=today, stage=AssessmentStage.INTAKE, answers={})
    items = [i for i in worklist.worklist(ctx) if i.kind is WorkKind.ASSESSMENT]
    assert [(i.beneficiary_id, i.overdue) for i in items] == [(late, True)]
    near = _person(
        ctx, "Near", intake_date=today - timedelta(days=40),
        expected_release_date=today + timedelta(days=3), legal_status=LegalStatus.SENTENCED,
    )  # fmt: skip
    assert near in {i.beneficiary_id for i in worklist.worklist(ctx)}
    assert fresh not in {i.beneficiary_id for i in worklist.worklist(ctx)}


def test_dashboard_summary_counts_due_assessments_in_the_scope(
    ctx: ServiceContext, colleague: Colleague
) -> None:
    today = ctx.today()
    _person(ctx, "Late", intake_date=today - timedelta(days=40))
    _person(ctx, "Soon", intake_date=today - timedelta(days=10))
    _person(ctx, "Fresh", intake_date=today)
    mate = colleague(StaffRole.EDUCATOR)
    _person(mate, "Other", intake_date=today - timedelta(days=40))
    mine = reassessment.summary(ctx, Scope(staff_id=ctx.actor.staff_id))
    assert (mine.overdue, mine.due_soon) == (1, 2)
    everyone = reassessment.summary(ctx, Scope())
    assert (everyone.overdue, everyone.due_soon) == (2, 2)


def test_calendar_export_names_cases_by_number_only(ctx: ServiceContext, tmp_path: Path) -> None:
    person = _person(ctx, "Zniber")
    day = ctx.today() + timedelta(days=1)
    appointments.make_appointment(ctx, person, starts_at=_at(day, 9), purpose="Dettes du loyer")
    out = tmp_path / "agenda.ics"
    assert write_calendar(ctx, day, day, out) == 1
    text = out.read_text(encoding="utf-8")
    assert appointments.case_reference(person) in text
    assert "Zniber".casefold() not in text.casefold() and "Dettes" not in text
    assert write_calendar(ctx, day, day, out, with_names=True) == 1
    assert "ZNIBER" in out.read_text(encoding="utf-8")


def test_closing_a_case_calls_off_its_planned_appointments(ctx: ServiceContext) -> None:
    """Made offline and then the case closed: the appointment travels called off, which
    the server accepts whatever order the changes arrive in."""
    person, other = _person(ctx), _person(ctx, "Bennani")
    today = ctx.today()
    planned = appointments.make_appointment(ctx, person, starts_at=_at(today + timedelta(7), 10))
    missed = appointments.make_appointment(ctx, person, starts_at=_at(today - timedelta(7), 10))
    appointments.mark_missed(ctx, missed.id)
    elsewhere = appointments.make_appointment(ctx, other, starts_at=_at(today + timedelta(7), 11))
    beneficiaries.close_case(ctx, person)
    assert appointments.get(ctx, planned.id).status is AppointmentStatus.CANCELLED
    assert appointments.get(ctx, missed.id).status is AppointmentStatus.MISSED
    assert appointments.get(ctx, elsewhere.id).status is AppointmentStatus.PLANNED
