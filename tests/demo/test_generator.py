"""The demo generator fills real encrypted profiles with a plausible, reproducible caseload."""

from __future__ import annotations

import hashlib
import random
import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from app.demo import DEMO_TODAY, DemoError, DemoSummary, fill_profile
from app.demo.agenda import MOROCCO
from app.models import (
    SYNCED_MODELS,
    Appointment,
    Beneficiary,
    FollowUpSession,
    QuickNote,
    Referral,
    StaffMember,
)
from app.services import appointments
from app.services.context import ServiceContext
from app.services.search import search
from app.store.keys import KdfParams
from app.store.profile import Profile
from passerelle_core.enums import AppointmentStatus, Confidentiality, StaffRole
from tests.conftest import PASSPHRASE

N = 200


def _digest(engine: Engine) -> str:
    """A digest of every row of every synced table, in primary-key order."""
    digest = hashlib.sha256()
    with engine.connect() as connection:
        for model in SYNCED_MODELS:
            table = model.__table__  # type: ignore[attr-defined]
            for row in connection.execute(select(table).order_by(table.c.id)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def _filled(folder: Path, seed: int) -> str:
    with Profile.create(folder, PASSPHRASE, KdfParams.fast_for_tests()) as profile:
        fill_profile(profile, N, seed=seed)
        return _digest(profile.engine)


def test_the_same_seed_gives_the_same_rows_and_another_seed_others(tmp_path: Path) -> None:
    first = _filled(tmp_path / "a", seed=7)
    assert _filled(tmp_path / "b", seed=7) == first
    assert _filled(tmp_path / "c", seed=8) != first


def test_counts_are_those_of_a_plausible_caseload(profile: Profile) -> None:
    summary = fill_profile(profile, N, seed=1)

    with profile.engine.connect() as connection:
        for table, count in summary.as_dict().items():
            assert connection.scalar(text(f"SELECT count(*) FROM {table}")) == count, table

        def share(sql: str) -> float:
            return float(connection.scalar(text(sql)) or 0) / N

        assert 0.70 <= share("SELECT count(DISTINCT beneficiary_id) FROM needs_assessment") <= 0.90
        assert 0.55 <= share("SELECT count(DISTINCT beneficiary_id) FROM action_plan") <= 0.75
        assert 0.20 <= share("SELECT count(DISTINCT beneficiary_id) FROM referral") <= 0.40
        assert 0.02 <= share("SELECT count(*) FROM beneficiary WHERE sex = 'F'") <= 0.16
        assert share("SELECT count(*) FROM beneficiary WHERE actual_release_date IS NOT NULL") > 0.1
    assert summary.beneficiary == N
    assert 2 * summary.action_plan <= summary.goal <= 4 * summary.action_plan
    assert summary.goal <= summary.action <= 3 * summary.goal
    assert 2.5 * N <= summary.follow_up_session <= 5 * N
    assert summary.session_note == summary.follow_up_session
    assert summary.facility >= 10 and summary.partner >= 20 and summary.staff_member >= 50
    assert summary.coordination_meeting > 0 and summary.meeting_decision > 0
    assert summary.post_release_outcome > 0
    assert summary.total == sum(summary.as_dict().values())


def test_every_beneficiary_is_found_by_cin_and_both_spellings_of_the_name(
    profile: Profile, ctx: ServiceContext
) -> None:
    fill_profile(profile, N, seed=2)
    with profile.sessions() as session:
        people = session.scalars(select(Beneficiary).order_by(Beneficiary.id)).all()
    for person in random.Random(0).sample(people, 20):
        queries = [person.last_name, person.last_name_ar, person.cin]
        for query in filter(None, queries):
            found = {hit.beneficiary_id for hit in search(ctx, query, limit=1000)}
            assert person.id in found, query


def test_the_owner_gets_a_caseload_in_their_own_facility(
    profile: Profile, ctx: ServiceContext
) -> None:
    fill_profile(profile, N, seed=3)
    with profile.sessions() as session:
        caseload = session.scalars(
            select(Beneficiary).where(Beneficiary.assigned_staff_id == ctx.actor.staff_id)
        ).all()
        facilities = session.scalar(text("SELECT count(*) FROM facility"))
    assert len(caseload) >= 10
    assert {b.team_id for b in caseload} == {ctx.actor.team_id}
    assert len({b.facility_id for b in caseload}) == 1
    # The owner's "Prison locale Oukacha" is reused, not duplicated.
    assert facilities == 11


def test_records_reference_existing_rows_and_stay_within_today(profile: Profile) -> None:
    fill_profile(profile, N, seed=4)
    evening = datetime.combine(DEMO_TODAY, time(23, 59), UTC)
    with profile.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        latest = connection.scalar(select(func.max(Beneficiary.updated_at)))
        sessions = connection.scalar(select(func.max(FollowUpSession.held_on)))
    assert latest is not None and latest <= evening
    assert sessions is not None and sessions <= DEMO_TODAY


def test_psychologist_only_sessions_are_held_by_psychologists(profile: Profile) -> None:
    fill_profile(profile, N, seed=5)
    with profile.sessions() as session:
        roles = session.scalars(
            select(StaffMember.role)
            .join(FollowUpSession, FollowUpSession.staff_id == StaffMember.id)
            .where(FollowUpSession.confidentiality == Confidentiality.PSYCHOLOGIST_ONLY)
        ).all()
    assert roles
    assert set(roles) == {StaffRole.PSYCHOLOGIST}


def test_referral_references_are_unique_and_well_formed(profile: Profile) -> None:
    fill_profile(profile, N, seed=6)
    with profile.sessions() as session:
        references = session.scalars(select(Referral.reference)).all()
    assert references
    assert len(set(references)) == len(references)
    assert all(re.fullmatch(r"REF-\d{4}-[0-9A-HJKMNP-TV-Z]{6}", r) for r in references)


def test_demo_data_never_goes_into_a_profile_with_beneficiaries(profile: Profile) -> None:
    fill_profile(profile, 5)
    with pytest.raises(DemoError):
        fill_profile(profile, 5)
    assert DemoSummary().total == 0


def test_the_agenda_has_kept_missed_and_coming_appointments_and_quick_notes(
    profile: Profile, ctx: ServiceContext
) -> None:
    """A fresh demo opens on a filled agenda: sessions that closed their appointment,
    missed ones, appointments in the next weeks (the owner's too), and quick notes."""
    summary = fill_profile(profile, N, seed=9, today=date.today())
    today = date.today()
    with profile.sessions() as session:
        rows = session.scalars(select(Appointment)).all()
        held = {s.id: s for s in session.scalars(select(FollowUpSession)).all()}
        closed = {
            b.id
            for b in session.scalars(select(Beneficiary).where(Beneficiary.closed_on.is_not(None)))
        }
        notes = session.scalars(select(QuickNote)).all()
        intakes = dict(session.execute(select(Beneficiary.id, Beneficiary.intake_date)).all())
    by_status = {status: [a for a in rows if a.status is status] for status in AppointmentStatus}
    assert len(rows) == summary.appointment and len(notes) == summary.quick_note
    assert len(by_status[AppointmentStatus.DONE]) > N
    for done in by_status[AppointmentStatus.DONE]:
        session_row = held[done.session_id]  # type: ignore[index]
        assert session_row.beneficiary_id == done.beneficiary_id
        assert done.closed_on == session_row.held_on
    missed = by_status[AppointmentStatus.MISSED]
    assert missed and all(a.closed_on is not None and a.closed_on < today for a in missed)
    coming = [a for a in by_status[AppointmentStatus.PLANNED] if a.starts_at.date() >= today]
    assert len(coming) > N // 4
    assert not {a.beneficiary_id for a in by_status[AppointmentStatus.PLANNED]} & closed
    assert all(a.starts_at.astimezone(MOROCCO).weekday() < 5 for a in coming)
    assert len(notes) > N // 2
    assert all(intakes[n.beneficiary_id] <= n.noted_on <= today for n in notes)
    mine = appointments.agenda(ctx, today, today + timedelta(days=21))
    assert mine, "the owner's agenda of the coming weeks is empty"
