"""Attendance at appointments and quick contacts, on hand-built data (October 2026)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from app.indicators import Figure, Ratio, Scope, case_ids, compute
from app.models import Appointment, QuickNote
from passerelle_core.enums import AppointmentStatus, QuickNoteKind
from tests.indicators.conftest import DELETED, OCTOBER, World

D = date
S = AppointmentStatus


def _appointment(
    world: World, who: uuid.UUID, day: date, status: AppointmentStatus, *, deleted: bool = False
) -> None:
    world._add(
        Appointment(
            id=uuid.uuid4(),
            beneficiary_id=who,
            staff_id=world.ctx.actor.staff_id,
            starts_at=datetime(day.year, day.month, day.day, 10, tzinfo=UTC),
            status=status,
            deleted_at=DELETED if deleted else None,
        )
    )


def test_attendance_counts_kept_out_of_kept_or_missed(world: World) -> None:
    here = world.facility("Oukacha")
    a = world.person("A", intake=D(2026, 1, 1), facility=here)
    b = world.person("B", intake=D(2026, 1, 1))
    for day in (2, 9, 16):
        _appointment(world, a, D(2026, 10, day), S.DONE)
    _appointment(world, a, D(2026, 10, 23), S.MISSED)
    _appointment(world, b, D(2026, 10, 6), S.MISSED)
    _appointment(world, b, D(2026, 10, 13), S.CANCELLED)  # left out
    _appointment(world, b, D(2026, 10, 30), S.PLANNED)  # left out: not held yet
    _appointment(world, b, D(2026, 9, 30), S.DONE)  # another period
    _appointment(world, b, D(2026, 10, 20), S.MISSED, deleted=True)

    found = compute(world.ctx, OCTOBER)
    assert found.appointments == 7
    assert found.attendance == Ratio(3, 5)
    assert compute(world.ctx, OCTOBER, Scope(facility_id=here)).attendance == Ratio(3, 4)
    assert set(case_ids(world.ctx, Figure.APPOINTMENTS, OCTOBER)) == {a, b}


def test_quick_notes_are_counted_apart_from_sessions(world: World) -> None:
    a = world.person("A", intake=D(2026, 1, 1))
    world.session(a, D(2026, 10, 2), staff=world.ctx.actor.staff_id)
    for day, kind in (
        (3, QuickNoteKind.PHONE),
        (4, QuickNoteKind.CORRIDOR),
        (1, QuickNoteKind.FAMILY_MESSAGE),
    ):
        world._add(
            QuickNote(
                id=uuid.uuid4(),
                beneficiary_id=a,
                kind=kind,
                body="Appel.",
                noted_on=D(2026, 10, day),
            )
        )
    world._add(
        QuickNote(
            id=uuid.uuid4(),
            beneficiary_id=a,
            kind=QuickNoteKind.PHONE,
            body="x",
            noted_on=D(2026, 11, 1),
        )
    )

    found = compute(world.ctx, OCTOBER)
    assert (found.sessions, found.quick_notes) == (1, 3)


@pytest.fixture
def casablanca(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The laptop's clock in Morocco (UTC+1 outside Ramadan)."""
    monkeypatch.setenv("TZ", "Africa/Casablanca")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_appointments_count_by_local_day(world: World, casablanca: None) -> None:
    """An appointment at 00:30 in Casablanca is on the evening before in UTC: it counts
    in the local day's month, not in the UTC date's."""
    a = world.person("A", intake=D(2026, 1, 1))
    first_of_october = datetime(2026, 10, 1, 0, 30).astimezone()  # 2026-09-30 23:30 UTC
    first_of_november = datetime(2026, 11, 1, 0, 15).astimezone()  # 2026-10-31 23:15 UTC
    for moment, status in ((first_of_october, S.DONE), (first_of_november, S.MISSED)):
        world._add(
            Appointment(
                id=uuid.uuid4(),
                beneficiary_id=a,
                staff_id=world.ctx.actor.staff_id,
                starts_at=moment,
                status=status,
            )
        )
    assert first_of_october.astimezone(UTC).date() == D(2026, 9, 30)

    found = compute(world.ctx, OCTOBER)
    assert found.appointments == 1
    assert found.attendance == Ratio(1, 1)
