"""Case transfers through a real server: 30 cases in bulk, and who may transfer at all.

A supervisor transfers thirty cases of her team to a counsellor of another team while
the old counsellor's laptop still holds an edit it has not sent. After everybody syncs:
the edit reached the server (the laptop had not been told the case left), the old
counsellor's and the supervisor's laptops let the cases go (after the removal
fail-safe's confirmation: thirty cases at once is exactly what it guards against), the
receiving counsellor holds all thirty with their history, marked as transferred to her.
Through the real API, a counsellor may not move a case to another team nor record a
transfer, and a supervisor of another team may not touch the case.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select

from app.models import Beneficiary, CaseTransfer
from app.services import beneficiaries, timeline, transfers, worklist
from app.services.context import ServiceContext
from app.sync.engine import SyncOptions
from tests.server.harness import RunningServer, change
from tests.sync.conftest import Laptop

MakeLaptop = Callable[..., Laptop]
CASES = 30


@pytest.fixture(scope="module")
def database_url() -> Iterator[None]:
    """SQLite only: the transfer rules are the server's code, the same on both backends."""
    yield None


def register(ctx: ServiceContext, name: str) -> uuid.UUID:
    return beneficiaries.register(ctx, {"last_name": name, "first_name": "Cas"}).id


def held_cases(member: Laptop, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    with member.profile.sessions() as session:
        return set(session.scalars(select(Beneficiary.id).where(Beneficiary.id.in_(ids))))


def test_thirty_cases_transferred_in_bulk_nothing_lost(
    server: RunningServer, laptop: MakeLaptop
) -> None:
    supervisor = server.add_user("supervisor")
    leaving = server.add_user("social_worker", team=supervisor.team)
    receiving = server.add_user("social_worker")  # another team
    theirs = laptop(leaving)
    ids = [register(theirs.ctx, f"Transfert{i:02d}") for i in range(CASES)]
    assert theirs.sync().complete
    boss, newcomer = laptop(supervisor), laptop(receiving)
    assert held_cases(boss, ids) == set(ids)
    # An edit the old counsellor has not sent when the transfer happens.
    beneficiaries.update(theirs.ctx, ids[0], {"phone": "0611223344"})

    made = transfers.transfer(
        boss.ctx, ids, reason="Depart du conseiller", to_staff_id=receiving.staff_id
    )
    assert len(made) == CASES
    first = boss.sync()
    assert first.rejected == 0 and first.removals_held == CASES  # the fail-safe holds them
    assert boss.sync(SyncOptions(confirm_removals=True)).complete
    assert held_cases(boss, ids) == set()

    sent = theirs.sync()
    assert sent.rejected == 0  # the pending edit went through before the cases left
    assert sent.removals_held == CASES
    assert theirs.sync(SyncOptions(confirm_removals=True)).complete
    assert held_cases(theirs, ids) == set()

    assert newcomer.sync().complete
    assert held_cases(newcomer, ids) == set(ids)
    with newcomer.profile.sessions() as session:
        history = list(session.scalars(select(CaseTransfer)))
        phone = session.get(Beneficiary, ids[0])
        assert phone is not None and phone.phone == "0611223344"
        moved = session.get(Beneficiary, ids[1])
        assert moved is not None and moved.assigned_staff_id == receiving.staff_id
        assert moved.team_id == receiving.team_id
    assert {entry.beneficiary_id for entry in history} == set(ids)
    assert {entry.from_team_id for entry in history} == {supervisor.team_id}
    assert transfers.transferred_to_me(newcomer.ctx) == set(ids)
    marked = [i for i in worklist.worklist(newcomer.ctx) if i.kind is worklist.WorkKind.TRANSFER]
    assert {item.beneficiary_id for item in marked} == set(ids)
    titles = [event.title for event in timeline.events(newcomer.ctx, ids[5])]
    assert any(title.startswith("Case transferred to") for title in titles)


def test_only_the_team_supervisor_may_transfer_through_the_api(server: RunningServer) -> None:
    supervisor = server.add_user("supervisor")
    counsellor = server.enrol(server.add_user("social_worker", team=supervisor.team))
    elsewhere = server.add_user("social_worker")
    other_boss = server.enrol(server.add_user("supervisor", team=elsewhere.team))
    boss = server.enrol(supervisor)
    case_id = uuid.uuid4()
    team_a = str(supervisor.team_id)
    [created] = counsellor.push(
        change("beneficiary", case_id, {"last_name": "X", "first_name": "Y", "team_id": team_a})
    )
    assert created["status"] == "applied"
    move = {"team_id": str(elsewhere.team_id), "assigned_staff_id": str(elsewhere.staff_id)}
    record = {
        "beneficiary_id": str(case_id),
        "transferred_on": "2026-12-07",
        "from_team_id": team_a,
        "to_team_id": str(elsewhere.team_id),
        "reason": "x",
    }

    [refused] = counsellor.push(change("beneficiary", case_id, move, base_version=1))
    assert refused["status"] == "rejected" and refused["permanent"], refused
    [refused] = counsellor.push(change("case_transfer", uuid.uuid4(), record, case_id=case_id))
    assert refused["status"] == "rejected" and refused["permanent"], refused
    [refused] = other_boss.push(change("beneficiary", case_id, move, base_version=1))
    assert refused["status"] == "rejected", refused

    results = boss.push(
        change("case_transfer", uuid.uuid4(), record, case_id=case_id),
        change("beneficiary", case_id, move, base_version=1),
    )
    assert [r["status"] for r in results] == ["applied", "applied"], results
    assert (
        str(case_id) in counsellor.pull(0).left_scope
        or counsellor.pull(0).get("beneficiary", case_id) is None
    )
