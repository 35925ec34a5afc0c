"""Appointments and quick notes travel between real laptops through a real server.

A counsellor makes an appointment and a quick note offline; after both sync, her team
mate holds them and a counsellor of another team does not; the session her colleague
records closes the appointment on every laptop; a psychologist-only session closing it
does not keep the appointment from the laptops of other roles. A laptop of a version
older than the two types holds them (not skipped) and stores them once updated.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from app.models import Beneficiary
from app.services import appointments, beneficiaries, followup, owner, quick_notes
from app.store.profile import Profile
from app.sync import engine
from app.sync.records import UNKNOWN_ENV
from app.sync.state import HELD
from passerelle_core.enums import AppointmentStatus, Confidentiality, QuickNoteKind
from tests.conftest import PASSPHRASE
from tests.server.harness import ROOT, RunningServer
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


def test_a_laptop_older_than_the_new_types_holds_them_then_stores_them(
    server: RunningServer,  # noqa: F811
    laptop: Callable[..., Laptop],
) -> None:
    if server.database_url is not None:
        pytest.skip("the laptop's behaviour: SQLite's server is enough (suite time)")
    amina = server.add_user("social_worker")
    newer = laptop(amina)
    person = beneficiaries.register(newer.ctx, {"last_name": "Tazi", "first_name": "Nora"})
    made = appointments.make_appointment(
        newer.ctx,
        person.id,
        starts_at=appointments.local_instant(newer.ctx.today() + timedelta(days=3), time(9, 0)),
    )
    note = quick_notes.add(newer.ctx, person.id, QuickNoteKind.CORRIDOR, "Vu au parloir.")
    assert newer.sync().complete

    older = laptop(server.add_user("educator", team=amina.team), first_sync=False)
    older.profile.close()
    env = {**os.environ, UNKNOWN_ENV: "appointment,quick_note", "PASSERELLE_PASSPHRASE": PASSPHRASE}
    result = subprocess.run(
        [sys.executable, "-m", "app", "--lang", "en", "sync", "--profile", str(older.folder)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert "please update Passerelle" in result.stdout, result.stderr
    with Profile.open(older.folder, PASSPHRASE) as profile, profile.sessions() as session:
        held = {(row.record_type, row.record_id) for row in session.execute(select(HELD))}
        assert {("appointment", made.id), ("quick_note", note.id)} <= held
        assert session.get(Beneficiary, person.id) is not None  # the rest arrived

    with Profile.open(older.folder, PASSPHRASE) as updated:  # the laptop was updated
        engine.sync(updated)
        ctx = owner.owner_context(updated.sessions)
        assert [entry.id for entry in appointments.list_for(ctx, person.id)] == [made.id]
        assert [n.body for n in quick_notes.list_for(ctx, person.id)] == ["Vu au parloir."]
