"""Appointments and quick notes travel between real laptops through a real server.

A counsellor makes an appointment and a quick note offline; after both sync, her team
mate holds them and a counsellor of another team does not; the session her colleague
records closes the appointment on every laptop; a psychologist-only session closing it
does not keep the appointment from the laptops of other roles.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from app.models.enums import AppointmentStatus, Confidentiality, QuickNoteKind
from app.services import appointments, beneficiaries, followup, quick_notes
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop, database_url, server  # noqa: F401  (fixtures)


def test_appointments_and_quick_notes_reach_the_team_only(
    server: RunningServer,  # noqa: F811
    laptop: Callable[..., Laptop],
) -> None:
    amina = server.add_user("social_worker")
    karim = server.add_user("psychologist", team=amina.team)
    youssef = server.add_user("educator", team=amina.team)
    outsider = server.add_user("social_worker")
    mine, psy, edu, other = laptop(amina), laptop(karim), laptop(youssef), laptop(outsider)

    person = beneficiaries.register(mine.ctx, {"last_name": "Alaoui", "first_name": "Said"})
    today = mine.ctx.today()
    made = appointments.make_appointment(
        mine.ctx,
        person.id,
        starts_at=appointments.local_instant(today, datetime.min.time()) + timedelta(hours=1),
        purpose="Logement",
    )
    quick_notes.add(mine.ctx, person.id, QuickNoteKind.PHONE, "La mere a appele.")
    assert mine.sync().complete
    for colleague in (psy, edu, other):
        assert colleague.sync().complete

    assert [e.purpose for e in appointments.list_for(edu.ctx, person.id)] == ["Logement"]
    assert [n.body for n in quick_notes.list_for(edu.ctx, person.id)] == ["La mere a appele."]
    assert appointments.list_for(other.ctx, person.id) == []
    assert quick_notes.list_for(other.ctx, person.id) == []

    # The psychologist sees him that day, in a psychologist-only session: it closes the
    # appointment, and the educator (who never receives that session) still stores it.
    followup.record_session(
        psy.ctx,
        person.id,
        held_on=today,
        topic="Entretien",
        confidentiality=Confidentiality.PSYCHOLOGIST_ONLY,
    )
    assert psy.sync().complete
    assert edu.sync().complete and mine.sync().complete
    for seen_by in (mine, edu):
        [entry] = appointments.list_for(seen_by.ctx, person.id)
        assert entry.id == made.id and entry.status is AppointmentStatus.DONE
    assert followup.list_sessions(edu.ctx, person.id) == []
