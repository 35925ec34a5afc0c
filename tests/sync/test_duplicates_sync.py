"""Duplicates across laptops: one CIN registered twice offline is stored and flagged on
every laptop of the team (nothing held), and a merge made on one laptop reaches the
others whole, with the offline edits of the merged-away file redirected, never lost.

Real server processes on SQLite and PostgreSQL (the ``server`` fixture), real profiles.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from sqlalchemy import select

from app.models import Beneficiary, FollowUpSession, HeldRecord, SessionNote, SyncConflict
from app.services import beneficiaries, duplicates, followup, merging
from app.store.live import everything
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop


def _team(server: RunningServer, laptop: Callable[..., Laptop]) -> tuple[Laptop, Laptop, Laptop]:
    team = f"Team {uuid.uuid4().hex[:8]}"
    first = laptop(server.add_user(team=team))
    second = laptop(server.add_user(team=team))
    supervisor = laptop(server.add_user("supervisor", team=team))
    return first, second, supervisor


def _people(machine: Laptop) -> set[uuid.UUID]:
    with machine.ctx.reading() as session:
        return set(session.scalars(select(Beneficiary.id)))


def _held(machine: Laptop) -> list[HeldRecord]:
    with machine.profile.sessions() as session:
        return list(session.scalars(select(HeldRecord)))


def session_conflicts(machine: Laptop) -> list[SyncConflict]:
    with machine.ctx.reading() as session:
        return list(session.scalars(select(SyncConflict)))


def test_one_cin_registered_offline_twice_is_held_nowhere_and_flagged_everywhere(
    server: RunningServer, laptop: Callable[..., Laptop]
) -> None:
    first, second, supervisor = _team(server, laptop)
    mine = beneficiaries.register(
        first.ctx, {"last_name": "Jabri", "first_name": "Ali", "cin": "K123456"}
    )
    theirs = beneficiaries.register(
        second.ctx, {"last_name": "Jabri", "first_name": "Aly", "cin": "K123456"}
    )
    for machine in (first, second, supervisor, first, second):
        report = machine.sync()
        assert report.held == 0 and report.held_records == []
    for machine in (first, second, supervisor):
        assert {mine.id, theirs.id} <= _people(machine)
        assert _held(machine) == []
        [pair] = duplicates.likely_pairs(machine.ctx)
        assert {pair.first_id, pair.second_id} == {mine.id, theirs.id}
        assert pair.score == 100 and "same CIN" in pair.reasons


def test_a_merge_reaches_every_laptop_and_offline_work_on_the_other_file_is_kept(
    server: RunningServer, laptop: Callable[..., Laptop]
) -> None:
    first, second, supervisor = _team(server, laptop)
    kept = beneficiaries.register(
        first.ctx, {"last_name": "Idrissi", "first_name": "Mohamed", "cin": "AB1"}
    )
    other = beneficiaries.register(
        second.ctx,
        {"last_name": "El Idrissi", "first_name": "Mohammed", "cin": "AB1", "phone": "0611"},
    )
    earlier = followup.record_session(
        second.ctx, other.id, held_on=date(2026, 3, 1), topic="Logement", note="Premier"
    )
    for machine in (first, second, supervisor):
        machine.sync()

    # The supervisor merges; meanwhile, offline, the second counsellor records a new
    # session on the file that is being merged away and corrects the earlier one.
    merging.merge(supervisor.ctx, kept.id, other.id, reason="Même CIN")
    offline = followup.record_session(
        second.ctx, other.id, held_on=date(2026, 3, 9), topic="Emploi", note="Hors ligne"
    )
    followup.revise_note(second.ctx, earlier.id, "Premier, corrigé hors ligne")
    beneficiaries.update(second.ctx, other.id, {"phone": "0622"})  # the other file's phone
    supervisor.sync()
    report = second.sync()
    assert report.quarantined == 0 and report.retry == 0, report
    for machine in (supervisor, first, second, supervisor):
        machine.sync()

    for machine in (first, second, supervisor):
        assert _held(machine) == []
        assert other.id not in _people(machine) and kept.id in _people(machine)
        with machine.ctx.reading() as session:
            tombstone = session.scalars(
                everything(select(Beneficiary).where(Beneficiary.id == other.id))
            ).one()
            assert tombstone.merged_into_id == kept.id
            person = session.get(Beneficiary, kept.id)
            assert person is not None and person.phone == "0611"
            sessions = {s.id: s.beneficiary_id for s in session.scalars(select(FollowUpSession))}
            assert sessions == {earlier.id: kept.id, offline.id: kept.id}
            notes = {n.body for n in session.scalars(select(SessionNote))}
            assert {"Premier", "Premier, corrigé hors ligne", "Hors ligne"} <= notes
        assert duplicates.likely_pairs(machine.ctx) == []
        # The late phone edit is kept on the tombstone and offered on the kept file.
        [offered] = [
            c for c in session_conflicts(machine) if c.target_id == kept.id and c.field == "phone"
        ]
        assert (offered.kept_value, offered.other_value) == ("0611", "0622")
    assert first.state() == second.state() == supervisor.state()
