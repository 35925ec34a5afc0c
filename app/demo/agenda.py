"""Appointments and quick notes of one beneficiary, so that a fresh demo has an agenda.

Most sessions held by the counsellor of the case were booked beforehand: each of those
gets its appointment, done by that session. Some past appointments were missed; open
cases have appointments coming in the next three weeks (a few already due today), and a
few short contacts are noted between sessions (a call, a word in the corridor, a
message from the family or a partner).

Draws come from a generator seeded by the case's identifier (itself drawn from the
run's seed): the demo stays reproducible, and the rows of the other tables are the same
as before appointments existed.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone

from app.demo import texts
from app.demo.beneficiaries import Case
from app.demo.records import Clock, Row, RowBuffer, synced
from passerelle_core.enums import (
    AppointmentPlace,
    AppointmentStatus,
    Confidentiality,
    QuickNoteKind,
)

MOROCCO = timezone(timedelta(hours=1))
"""Office hours are Moroccan wall-clock times (UTC+1 outside Ramadan); a fixed offset
keeps the demo the same on every laptop."""
BOOKED_SHARE = 0.6
"""Share of the counsellor's sessions that closed an appointment."""
_SALT = 0x5EED_A6E4_DA
_SLOTS = tuple(time(hour, minute) for hour in range(9, 17) for minute in (0, 30))
_DURATIONS = (30, 45, 60)
_NOTE_KINDS = tuple(QuickNoteKind)


class AgendaMaker:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def make(self, case: Case, sessions: list[Row], buffer: RowBuffer) -> None:
        """``sessions``: the rows just generated for the case (the follow-up maker's)."""
        rng = random.Random(case.id.int ^ _SALT)
        rows = buffer.rows["appointment"]
        today = self.clock.today
        end = case.last_day or today
        for held in sessions:
            mine = held["staff_id"] == case.staff.id
            if mine and held["confidentiality"] is Confidentiality.STANDARD:
                if rng.random() < BOOKED_SHARE:
                    rows.append(self._booked(rng, case, held))
        if sessions and rng.random() < 0.35:
            day = _weekday(_between(rng, case.intake, end - timedelta(days=1)))
            if day < today:
                rows.append(self._appointment(rng, case, day, AppointmentStatus.MISSED))
        if case.last_day is None:
            for _ in range(rng.choice((0, 1, 1, 2))):
                day = _weekday(today + timedelta(days=rng.randint(0, 20)))
                rows.append(self._appointment(rng, case, day, AppointmentStatus.PLANNED))
            if rng.random() < 0.08:  # past and not yet marked: due in the worklist
                day = _weekday(today - timedelta(days=rng.randint(1, 4)), back=True)
                rows.append(self._appointment(rng, case, day, AppointmentStatus.PLANNED))
        self._quick_notes(rng, case, end, buffer)

    def _booked(self, rng: random.Random, case: Case, held: Row) -> Row:
        """The appointment a held session closed, at the time it was held."""
        day: date = held["held_on"]
        row = self._appointment(rng, case, day, AppointmentStatus.DONE)
        held_at: datetime = held["created_at"]
        row["starts_at"] = held_at.replace(minute=held_at.minute // 30 * 30)  # on the slot
        row["session_id"] = held["id"]
        row["purpose"] = held["topic"]
        return row

    def _appointment(
        self, rng: random.Random, case: Case, day: date, status: AppointmentStatus
    ) -> Row:
        starts = datetime.combine(day, rng.choice(_SLOTS), MOROCCO).astimezone(UTC)
        booked = min(day - timedelta(days=rng.randint(3, 15)), self.clock.today)
        booked = max(booked, case.intake)
        released = case.release is not None and day > case.release
        return synced(_id(rng), _at(rng, booked), None, case.staff.id) | {
            "beneficiary_id": case.id,
            "staff_id": case.staff.id,
            "starts_at": starts,
            "duration_minutes": rng.choice(_DURATIONS),
            "place": AppointmentPlace.OFFICE if released else AppointmentPlace.FACILITY,
            "purpose": rng.choice(texts.APPOINTMENT_PURPOSES),
            "action_id": None,
            "status": status,
            "session_id": None,
            "closed_on": None if status is AppointmentStatus.PLANNED else day,
        }

    def _quick_notes(self, rng: random.Random, case: Case, end: date, buffer: RowBuffer) -> None:
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            day = _between(rng, case.intake, end)
            kind = rng.choice(_NOTE_KINDS)
            body = rng.choice(texts.QUICK_NOTES[kind.value])
            buffer.rows["quick_note"].append(
                synced(_id(rng), _at(rng, day), None, case.staff.id)
                | {
                    "beneficiary_id": case.id,
                    "kind": kind,
                    "body": body.format(first=case.first_name, e=case.agreement),
                    "noted_on": day,
                    "author_id": case.staff.id,
                }
            )


def _id(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _at(rng: random.Random, day: date) -> datetime:
    """A moment of ``day`` during office hours (UTC), as the other demo records."""
    minute = rng.randrange(8 * 60, 17 * 60)
    return datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=UTC)


def _between(rng: random.Random, start: date, end: date) -> date:
    span = (end - start).days
    return start if span <= 0 else start + timedelta(days=rng.randint(0, span))


def _weekday(day: date, back: bool = False) -> date:
    """``day``, or the nearest working day after it (before it with ``back``)."""
    step = timedelta(days=-1 if back else 1)
    while day.weekday() >= 5:
        day += step
    return day
