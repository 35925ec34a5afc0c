"""Two people resolve the same conflict differently: one answer, everywhere.

The first resolution the server receives wins (commit order: no device clock is read);
the other is kept as a conflict on the resolution, shown to people; every laptop and
the server end identical. Both orders are played, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import select

from app.models import Beneficiary, SyncConflict
from app.services import beneficiaries, conflicts
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop, laptop, server, server_state  # noqa: F401

MakeLaptop = Callable[..., Laptop]


def _phone(member: Laptop, person: uuid.UUID) -> str | None:
    with member.profile.sessions() as session:
        record = session.get(Beneficiary, person)
        assert record is not None
        return record.phone


@pytest.mark.parametrize("first_choice", ["kept", "other"])
def test_different_resolutions_of_one_conflict_converge(
    first_choice: str,
    server: RunningServer,  # noqa: F811
    laptop: MakeLaptop,  # noqa: F811
) -> None:
    team = f"Team {uuid.uuid4().hex[:6]}"
    amina, karim = server.add_user(team=team), server.add_user(team=team)
    first, second = laptop(amina), laptop(karim)
    person = beneficiaries.register(first.ctx, {"last_name": "Alaoui", "first_name": "Y"}).id
    first.sync()
    second.sync()
    beneficiaries.update(first.ctx, person, {"phone": "0611111111"})
    beneficiaries.update(second.ctx, person, {"phone": "0622222222"})
    first.sync()
    second.sync()
    first.sync()
    second_choice = "other" if first_choice == "kept" else "kept"
    for member, choice in ((first, first_choice), (second, second_choice)):
        [view] = conflicts.open_conflicts(member.ctx)  # both offline, both decide
        conflicts.resolve(member.ctx, view.id, choice)

    first.sync()  # reaches the server first: its resolution wins
    second.sync()
    first.sync()
    expected = "0611111111" if first_choice == "kept" else "0622222222"
    for member in (first, second):
        assert _phone(member, person) == expected
        with member.profile.sessions() as session:
            rows = session.scalars(select(SyncConflict)).all()
        original = next(c for c in rows if c.target_type == "beneficiary")
        assert original.resolution == first_choice and original.resolved_by == amina.staff_id
        [losing] = [c for c in rows if c.target_type == "sync_conflict"]
        assert (losing.field, losing.other_value, losing.other_by) == (
            "resolution",
            second_choice,
            karim.staff_id,
        )
        assert losing.resolution is None  # shown to people as an open conflict
    assert first.state() == second.state() == server_state(server, amina)
